//! The terminal summary of `triage sweep` / `triage sweep collect`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::sweep::{MetricSummaryDoc, SweepDoc};

/// A metric's mean over runs with its interval, scaled (`64.86 [54.59,
/// 75.12]`), the mean alone without an interval, `—` without runs.
pub(crate) fn summary_text(m: Option<&MetricSummaryDoc>, scale: f64, digits: usize) -> String {
    match m {
        Some(m) if m.n > 0 => match (m.low, m.high) {
            (Some(l), Some(h)) => format!(
                "{:.*} [{:.*}, {:.*}]",
                digits,
                scale * m.mean,
                digits,
                scale * l,
                digits,
                scale * h
            ),
            _ => format!("{:.*}", digits, scale * m.mean),
        },
        _ => "—".to_owned(),
    }
}

/// Write the summary: per configuration the mean accuracy and log loss
/// over its runs with their intervals, then every verdict.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_sweep_summary(out: &mut impl Write, doc: &SweepDoc) -> io::Result<()> {
    writeln!(
        out,
        "sweep {}: {} of {} runs finished; evaluated on {}; α = {}",
        safe(&doc.name),
        doc.tasks_done,
        doc.tasks_total,
        safe(&doc.evaluated_on),
        doc.alpha
    )?;
    let width = doc
        .configs
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(13);
    writeln!(
        out,
        "\n  {:<width$} {:>5}  {:<24} {:<26}",
        "configuration", "runs", "accuracy % [interval]", "log loss [interval]"
    )?;
    for c in &doc.configs {
        let show = |key: &str, scale: f64, digits: usize| {
            summary_text(c.metrics.iter().find(|m| m.metric == key), scale, digits)
        };
        writeln!(
            out,
            "  {:<width$} {:>5}  {:<24} {:<26}",
            safe(&c.name),
            format!("{}/{}", c.runs.len(), c.tasks),
            show("accuracy", 100.0, 2),
            show("log_loss", 1.0, 4)
        )?;
    }
    if !doc.comparisons.is_empty() {
        writeln!(out)?;
    }
    for c in &doc.comparisons {
        writeln!(
            out,
            "  {} vs {} [{} {}]: {}",
            safe(&c.a),
            safe(&c.b),
            c.metric,
            c.test,
            safe(&c.verdict)
        )?;
    }
    for note in &doc.notes {
        writeln!(out, "\nnote: {}", safe(note))?;
    }
    Ok(())
}
