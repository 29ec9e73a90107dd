//! The one writer of standard output: locked and buffered. Every command
//! writes its data through it with `writeln!(out, …)?`, so a closed pipe
//! (`triage … | head`) is an error the binary recognises and exits on
//! quietly, never a panic of `println!`.

use std::io::{self, BufWriter, StdoutLock};

/// Standard output, locked and buffered; flush it before returning.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}
