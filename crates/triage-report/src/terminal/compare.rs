//! The terminal summary of `triage compare`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::compare::CompareDoc;

/// Write the summary: per pair, the verdict, McNemar, and the metric
/// differences with their intervals.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_compare_summary(out: &mut impl Write, doc: &CompareDoc) -> io::Result<()> {
    writeln!(
        out,
        "{} items, {} classes, {} model(s); α = {}, {} bootstrap resamples",
        doc.items,
        doc.classes.len(),
        doc.files.len(),
        doc.alpha,
        doc.resamples
    )?;
    for p in &doc.pairs {
        writeln!(out, "\n{}  vs  {}", safe(&p.a), safe(&p.b))?;
        writeln!(out, "  {}", safe(&p.verdict))?;
        let m = &p.mcnemar;
        writeln!(
            out,
            "  McNemar: {} right only in A, {} only in B; exact p = {:.4}, χ² = {:.3} (p = {:.4}); reported {} p = {:.4}{}",
            m.only_a,
            m.only_b,
            m.p_exact,
            m.chi2,
            m.p_chi2,
            m.method,
            m.p_value,
            if (m.p_holm - m.p_value).abs() > 0.0 {
                format!(", Holm {:.4}", m.p_holm)
            } else {
                String::new()
            }
        )?;
        writeln!(
            out,
            "  {:<10} {:>10} {:>10} {:>10}  95 % interval of A − B",
            "metric", "A", "B", "A − B"
        )?;
        for d in &p.metrics {
            let interval = match (d.low, d.high) {
                (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                _ => "—".to_owned(),
            };
            writeln!(
                out,
                "  {:<10} {:>10.4} {:>10.4} {:>+10.4}  {interval}{}",
                d.metric,
                d.a,
                d.b,
                d.diff,
                if d.higher_is_better {
                    ""
                } else {
                    "  (lower is better)"
                }
            )?;
        }
        for d in &p.delong {
            writeln!(
                out,
                "  DeLong AUC `{}`: {:.4} vs {:.4}, se {:.4}, p = {:.4} (Holm {:.4})",
                safe(&d.class),
                d.auc_a,
                d.auc_b,
                d.se,
                d.p_value,
                d.p_holm
            )?;
        }
    }
    for n in &doc.notes {
        writeln!(out, "note: {}", safe(n))?;
    }
    Ok(())
}
