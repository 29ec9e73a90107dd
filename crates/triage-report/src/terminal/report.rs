//! The short terminal summary printed by `triage report`: where the report
//! is and its top findings.

use std::io::{self, Write};
use std::path::Path;
use triage_data::escape::terminal_safe as safe;

use crate::model::Report;

/// Findings listed in the terminal summary.
pub const TERMINAL_FINDINGS: usize = 5;

/// Write the summary: the report's path and size, then the top findings
/// with their fixes.
///
/// # Errors
/// Write errors of `out`.
pub fn write_report_summary(
    out: &mut impl Write,
    report: &Report,
    html: &Path,
    bytes: usize,
) -> io::Result<()> {
    writeln!(
        out,
        "report: {} ({:.1} kB)",
        safe(&html.display().to_string()),
        bytes as f64 / 1024.0
    )?;
    let n = report
        .section(crate::model::SectionKind::Findings)
        .map_or(0, |s| {
            s.blocks
                .iter()
                .map(|b| match b {
                    crate::model::Block::Findings { findings } => findings.len(),
                    _ => 0,
                })
                .sum()
        });
    if report.top_findings.is_empty() {
        writeln!(out, "no findings")?;
        return Ok(());
    }
    writeln!(out, "findings: {n}; the top ones:")?;
    for f in report.top_findings.iter().take(TERMINAL_FINDINGS) {
        let subject = f
            .subject
            .as_ref()
            .map_or(String::new(), |s| format!(" ({})", safe(s)));
        writeln!(out, "  [{}] {}{subject}", f.severity.name(), safe(&f.title))?;
        writeln!(out, "      fix: {}", safe(&f.fix))?;
    }
    Ok(())
}
