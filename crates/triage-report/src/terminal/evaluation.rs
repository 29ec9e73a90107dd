//! The human-readable summary of an evaluation (stdout, plain text).

use std::io::{self, Write};
use std::path::Path;
use triage_data::escape::terminal_safe as safe;

use triage_docs::evaluation::{ClassRow, EvaluationDoc, LeakageDoc};

/// How many worst classes to list.
const WORST: usize = 3;

/// Write the terminal summary: overall metrics with intervals, the per-class
/// table, the worst classes and the temperature-scaling result.
pub fn write_evaluation_summary(
    out: &mut impl Write,
    source: &Path,
    e: &EvaluationDoc,
) -> io::Result<()> {
    writeln!(
        out,
        "triage evaluate: {}",
        safe(&source.display().to_string())
    )?;
    writeln!(out, "n = {} samples, K = {} classes", e.n, e.classes.len())?;
    writeln!(out)?;
    let ci_header = match &e.ci_method {
        Some(m) => format!(
            "{:.0}% CI (percentile bootstrap, B = {}, seed {})",
            m.confidence * 100.0,
            m.n_resamples,
            m.seed
        ),
        None => "CI (bootstrap skipped)".to_string(),
    };
    writeln!(out, "{:<26} {:>8}   {}", "metric", "value", ci_header)?;
    for (key, value) in e.metrics.entries() {
        let ci = match e.ci.get(key) {
            Some(Some([lo, hi])) => format!("[{lo:.4}, {hi:.4}]"),
            Some(None) if e.ci_method.is_some() => "undefined in every resample".to_string(),
            _ => String::new(),
        };
        let value = match value {
            Some(v) => format!("{v:>8.4}"),
            None => format!("{:>8}", "n/a"),
        };
        let note = e
            .undefined
            .get(key)
            .map(|r| format!("  ({r})"))
            .unwrap_or_default();
        writeln!(out, "{key:<26} {value}   {ci}{note}")?;
    }
    let [lo, hi] = e.accuracy_wilson;
    writeln!(
        out,
        "{:<26} {:>8}   [{lo:.4}, {hi:.4}]",
        "accuracy (Wilson)", ""
    )?;
    for (k, v) in &e.top_k_accuracy {
        writeln!(out, "{:<26} {v:>8.4}", format!("top-{k} accuracy"))?;
    }
    writeln!(out)?;
    write_classes(out, &e.per_class)?;
    write_worst(out, &e.per_class)?;
    if let Some(l) = &e.leakage {
        write_leakage(out, l)?;
    }
    if let Some(t) = &e.temperature {
        writeln!(out)?;
        writeln!(
            out,
            "temperature scaling: T = {:.4}{} fitted on {} samples; on the other {}:",
            t.temperature,
            if t.at_bound {
                " (at the edge of the search range)"
            } else {
                ""
            },
            t.n_fit,
            t.n_eval
        )?;
        writeln!(
            out,
            "  log loss {:.4} -> {:.4}",
            t.before.log_loss, t.after.log_loss
        )?;
        writeln!(out, "  ECE      {:.4} -> {:.4}", t.before.ece, t.after.ece)?;
        writeln!(
            out,
            "  Brier    {:.4} -> {:.4}",
            t.before.brier, t.after.brier
        )?;
    }
    Ok(())
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
}

fn write_classes(out: &mut impl Write, rows: &[ClassRow]) -> io::Result<()> {
    let width = rows
        .iter()
        .map(|r| safe(&r.class).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 30);
    writeln!(
        out,
        "{:<width$} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "class", "support", "precision", "recall", "f1", "roc_auc", "ap"
    )?;
    for r in rows {
        let name: String = safe(&r.class).chars().take(width).collect();
        writeln!(
            out,
            "{:<width$} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8}",
            name,
            r.support,
            fmt(r.precision),
            fmt(r.recall),
            fmt(r.f1),
            fmt(r.roc_auc),
            fmt(r.average_precision)
        )?;
    }
    Ok(())
}

fn write_worst(out: &mut impl Write, rows: &[ClassRow]) -> io::Result<()> {
    let mut ranked: Vec<&ClassRow> = rows.iter().filter(|r| r.support > 0).collect();
    ranked.sort_by(|a, b| a.f1.unwrap_or(0.0).total_cmp(&b.f1.unwrap_or(0.0)));
    if ranked.len() <= 1 {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "worst classes by F1:")?;
    for r in ranked.iter().take(WORST) {
        writeln!(
            out,
            "  {}: F1 {}, recall {}, precision {} (support {})",
            safe(&r.class),
            fmt(r.f1),
            fmt(r.recall),
            fmt(r.precision),
            r.support
        )?;
    }
    Ok(())
}

/// The accuracy with and without the leaked items.
fn write_leakage(out: &mut impl Write, l: &LeakageDoc) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "leakage ({}): {} of these items have a copy in another split{}",
        safe(&l.profile),
        l.leaked,
        if l.unmatched > 0 {
            format!(" ({} leaked ids of the profile are not here)", l.unmatched)
        } else {
            String::new()
        }
    )?;
    let [lo, hi] = l.accuracy_wilson;
    writeln!(
        out,
        "  accuracy with them      {:.4}   [{lo:.4}, {hi:.4}]",
        l.accuracy
    )?;
    if let (Some(c), Some([lo, hi])) = (l.accuracy_clean, l.accuracy_clean_wilson) {
        writeln!(out, "  accuracy without them   {c:.4}   [{lo:.4}, {hi:.4}]")?;
    }
    if let Some(d) = l.inflation {
        let ci = l
            .inflation_ci
            .map(|[lo, hi]| format!("   [{:+.2}, {:+.2}] points", 100.0 * lo, 100.0 * hi))
            .unwrap_or_default();
        writeln!(
            out,
            "  inflated by             {:+.2} points{ci}",
            100.0 * d
        )?;
    }
    Ok(())
}
