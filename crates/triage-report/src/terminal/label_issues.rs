//! The terminal summary of `triage label-issues` (plain text).

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::label_issues::LabelIssuesDoc;

/// Issues shown in the terminal summary.
const SHOWN: usize = 20;

/// The terminal summary.
pub fn write_label_issues_summary(out: &mut impl Write, doc: &LabelIssuesDoc) -> io::Result<()> {
    let name = |c: usize| safe(&doc.classes[c]).into_owned();
    writeln!(out, "triage label-issues: {}", safe(&doc.source))?;
    writeln!(
        out,
        "n = {} samples, K = {} classes",
        doc.n,
        doc.classes.len()
    )?;
    writeln!(out)?;
    let share = |x: usize| 100.0 * x as f64 / doc.n.max(1) as f64;
    writeln!(
        out,
        "estimated label errors   {:>8} ({:.2} %; calibrated estimate {}, {:.2} %)",
        doc.num_label_issues,
        share(doc.num_label_issues),
        doc.num_label_issues_calibrated,
        share(doc.num_label_issues_calibrated)
    )?;
    writeln!(
        out,
        "flagged ({})  {:>8} ({:.2} %)",
        doc.settings.filter_by,
        doc.issues,
        share(doc.issues)
    )?;
    // The largest off-diagonal noise rates: which labels are confused.
    let mut rates: Vec<(f64, usize, usize)> = Vec::new();
    for (given, row) in doc.noise_matrix.iter().enumerate() {
        for (truth, &p) in row.iter().enumerate() {
            if given != truth && p > 0.0 {
                rates.push((p, given, truth));
            }
        }
    }
    rates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    if !rates.is_empty() {
        writeln!(out)?;
        writeln!(out, "largest noise rates P(given | true):")?;
        for (p, given, truth) in rates.iter().take(5) {
            writeln!(
                out,
                "  true {} labelled {}: {:.4}",
                name(*truth),
                name(*given),
                p
            )?;
        }
    }
    if !doc.listed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "worst {} (ranked by {}):",
            doc.listed.len().min(SHOWN),
            doc.settings.rank_by
        )?;
        writeln!(
            out,
            "{:>5}  {:<30} {:<14} {:<14} {:>8}",
            "rank", "id", "given", "suggested", "p(given)"
        )?;
        for issue in doc.listed.iter().take(SHOWN) {
            writeln!(
                out,
                "{:>5}  {:<30} {:<14} {:<14} {:>8.4}",
                issue.rank,
                safe(&issue.id),
                name(issue.given),
                name(issue.suggested),
                issue.self_confidence
            )?;
        }
    }
    if doc.in_sample.is_some() {
        writeln!(out)?;
        writeln!(
            out,
            "warning: in-sample predictions (see stderr); the counts above are too low"
        )?;
    }
    Ok(())
}
