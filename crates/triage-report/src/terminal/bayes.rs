//! The terminal summary of `triage bayes`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::bayes::{BayesDoc, Interval};

fn pct(i: &Interval) -> String {
    format!(
        "{:6.2} % [{:.2}, {:.2}]",
        100.0 * i.value,
        100.0 * i.low,
        100.0 * i.high
    )
}

/// Write the summary of a Bayes-error document: per feature set a table
/// of estimates (upper and lower, with intervals), the tightest bracket,
/// the soft-label estimates, the noise sweep and the warnings.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_bayes_summary(out: &mut impl Write, doc: &BayesDoc) -> io::Result<()> {
    let confidence = 100.0 * doc.settings.confidence;
    for set in &doc.feature_sets {
        let n_ref: usize = set.reference_per_class.iter().sum();
        let n_query: usize = set.query_per_class.iter().sum();
        let min_class = set
            .reference_per_class
            .iter()
            .filter(|&&n| n > 0)
            .min()
            .copied()
            .unwrap_or(0);
        writeln!(
            out,
            "{} ({}, d = {}{}): {} train, {} queries ({}), smallest class {min_class}",
            safe(&set.name),
            safe(&set.path),
            set.dim,
            set.size
                .as_deref()
                .map_or(String::new(), |s| format!(", {s}")),
            n_ref,
            n_query,
            match set.mode {
                triage_docs::bayes::NeighbourMode::TrainTest => "train → test",
                triage_docs::bayes::NeighbourMode::LeaveOneOut => "leave-one-out",
            }
        )?;
        writeln!(
            out,
            "  {:<16} {:<18} {:>4}  {:<28} {:<28}",
            "estimator",
            "distance",
            "k",
            format!("upper ({confidence:.0} %)"),
            "lower"
        )?;
        for e in &set.estimates {
            writeln!(
                out,
                "  {:<16} {:<18} {:>4}  {:<28} {:<28}",
                e.estimator.name(),
                e.metric,
                e.k.map_or("-".into(), |k| k.to_string()),
                pct(&e.upper),
                pct(&e.lower)
            )?;
        }
        for note in &set.notes {
            writeln!(out, "  note: {}", safe(note))?;
        }
    }
    if let Some(t) = &doc.tightest {
        writeln!(
            out,
            "\ntightest: Bayes error between {:.2} % and {:.2} % ({})",
            100.0 * t.lower.estimate.value,
            100.0 * t.upper.estimate.value,
            safe(&t.upper.from)
        )?;
    }
    if let Some(s) = &doc.soft_labels {
        writeln!(
            out,
            "\nsoft labels: {} ({}, {} items{})",
            safe(&s.path),
            s.kind,
            s.n,
            s.annotations
                .map_or(String::new(), |a| format!(", {a} annotations"))
        )?;
        for b in &s.binary {
            let names: Vec<&str> = b
                .positive
                .iter()
                .map(|&c| doc.classes[c].as_str())
                .collect();
            writeln!(
                out,
                "  {:<12} Bayes error {} ({} vs rest)",
                safe(&b.name),
                pct(&b.estimate),
                safe(&names.join(", "))
            )?;
        }
        writeln!(
            out,
            "  human disagreement (multiclass plug-in, not an error against the labels): {}",
            pct(&s.plugin_disagreement)
        )?;
    }
    if let Some(sweep) = &doc.noise_sweep {
        writeln!(
            out,
            "\nnoise sweep (FeeBee): band anchored at {:.2} % ({})",
            100.0 * sweep.sota_error,
            safe(&sweep.sota_source)
        )?;
        for level in &sweep.levels {
            let inside = level.estimates.iter().filter(|e| e.lower_inside).count();
            writeln!(
                out,
                "  ρ = {:.2}: band [{:.2} %, {:.2} %]; {inside} of {} lower bounds consistent with it",
                level.rho,
                100.0 * level.band_low,
                100.0 * level.band_high,
                level.estimates.len()
            )?;
        }
        if let Some(best) = sweep
            .scores
            .iter()
            .min_by(|a, b| (a.upper + a.lower).total_cmp(&(b.upper + b.lower)))
        {
            writeln!(
                out,
                "  best score: {} (upper {:.4}, lower {:.4}; 0 is perfect)",
                safe(&best.from),
                best.upper,
                best.lower
            )?;
        }
    }
    for w in &doc.warnings {
        writeln!(out, "\nwarning [{}]: {}", w.kind, safe(&w.message))?;
    }
    Ok(())
}
