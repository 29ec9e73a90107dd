//! The one writer of standard output: locked and buffered. Every command
//! writes its data through it with `writeln!(out, …)?`, so a closed pipe
//! (`triage … | head`) is an error the binary recognises and exits on
//! quietly, never a panic of `println!`.

use std::io::{self, BufWriter, StdoutLock};

/// Standard output, locked and buffered; flush it before returning.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Standard output of a command that prints a document: the document as
/// JSON (`--json`; `pretty` for the documents read by people as often as
/// by programs) or the human summary `summary` writes, then flushed.
///
/// # Errors
/// Writing failed (a closed pipe included).
pub fn print_document<D: serde::Serialize>(
    doc: &D,
    json: bool,
    pretty: bool,
    summary: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let mut out = stdout();
    if json {
        if pretty {
            serde_json::to_writer_pretty(&mut out, doc).context("failed to write JSON")?;
        } else {
            serde_json::to_writer(&mut out, doc).context("failed to write JSON")?;
        }
        writeln!(out).context("failed to write JSON")?;
    } else {
        summary(&mut out).context("failed to write the summary")?;
    }
    out.flush().context("failed to write output")
}
