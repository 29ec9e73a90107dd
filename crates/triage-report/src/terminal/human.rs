//! The terminal summary of `triage label report`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::human::{HumanLabelsDoc, Proportion, Review, Verdict};

/// `value % [low, high] (k/n)` with one decimal, `-` when absent.
pub(crate) fn pct(p: &Option<Proportion>) -> String {
    p.map_or("-".to_owned(), |p| {
        format!(
            "{:.1} % [{:.1}, {:.1}] ({}/{})",
            100.0 * p.value,
            100.0 * p.low,
            100.0 * p.high,
            p.k,
            p.n
        )
    })
}

/// Write the summary of a human-labelling report: accuracy per annotator,
/// pooled and by majority vote, agreement, the comparison with a model.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_human_summary(out: &mut impl Write, doc: &HumanLabelsDoc) -> io::Result<()> {
    writeln!(
        out,
        "{} items of {} (seed {}), {} annotator(s)",
        doc.sample,
        safe(&doc.dataset),
        doc.seed,
        doc.annotators.len()
    )?;
    if let Some(m) = doc.overlap {
        writeln!(
            out,
            "{m} items shown to every annotator, the others to one each"
        )?;
    }
    for a in &doc.annotators {
        let checks = match (&a.attention, a.excluded) {
            (Some(p), true) => format!(", attention {}/{}: EXCLUDED", p.k, p.n),
            (Some(p), false) => format!(", attention {}/{}", p.k, p.n),
            (None, _) => String::new(),
        };
        writeln!(
            out,
            "  {:<16} accuracy {}  answered {}, not sure {}, median {} ms{checks}",
            safe(&a.name),
            pct(&a.accuracy),
            a.answered,
            a.unsure,
            a.median_reaction_ms
        )?;
    }
    writeln!(out, "pooled accuracy: {}", pct(&doc.pooled))?;
    writeln!(
        out,
        "majority vote: {} ({} tied items left out)",
        pct(&doc.majority),
        doc.majority_ties
    )?;
    for c in &doc.cohen {
        writeln!(
            out,
            "Cohen's κ {} / {}: {} on {} items",
            safe(&c.a),
            safe(&c.b),
            c.kappa.map_or("-".into(), |k| format!("{k:.3}")),
            c.items
        )?;
    }
    if let Some(f) = &doc.fleiss {
        writeln!(
            out,
            "Fleiss' κ: {} ({} raters, {} items)",
            f.kappa.map_or("-".into(), |k| format!("{k:.3}")),
            f.raters,
            f.items
        )?;
    }
    writeln!(out, "not sure: {:.1} % of answers", 100.0 * doc.unsure_rate)?;
    if let Some(m) = &doc.model {
        writeln!(
            out,
            "humans {} vs model {} on {} items; humans only right {}, model only {}; McNemar p {:.4} ({})",
            pct(&Some(m.human)),
            pct(&Some(m.model)),
            m.items,
            m.human_only,
            m.model_only,
            m.mcnemar_p,
            m.mcnemar_method
        )?;
    }
    if let Some(r) = &doc.review {
        write_review(out, r)?;
    }
    for n in &doc.notes {
        writeln!(out, "note: {}", safe(n))?;
    }
    Ok(())
}

/// Items of a review listed in the terminal (all are in the JSON).
const LISTED: usize = 20;

fn write_review(out: &mut impl Write, r: &Review) -> io::Result<()> {
    let (yes, no) = if r.kind == "pairs" {
        ("same photo", "different")
    } else {
        ("label errors", "labels right")
    };
    writeln!(
        out,
        "review of {} ({}): {} reviewed, {} not yet; {yes} {}, {no} {}, undecided {}",
        r.kind,
        safe(&r.file),
        r.reviewed,
        r.unreviewed,
        r.confirmed,
        r.rejected,
        r.undecided
    )?;
    let confirmed = r
        .items
        .iter()
        .filter(|i| matches!(i.verdict, Verdict::LabelError | Verdict::Same));
    for item in confirmed.take(LISTED) {
        match (&item.other, &item.given, &item.corrected) {
            (Some(other), _, _) => writeln!(
                out,
                "  same photo: {} = {} (votes {:?})",
                safe(&item.id),
                safe(other),
                item.votes
            )?,
            (None, Some(given), Some(corrected)) => writeln!(
                out,
                "  label error: {} given {} -> people say {} (votes {:?})",
                safe(&item.id),
                safe(given),
                safe(corrected),
                item.votes
            )?,
            _ => {}
        }
    }
    if r.confirmed as usize > LISTED {
        writeln!(
            out,
            "  … and {} more (--json lists all)",
            r.confirmed as usize - LISTED
        )?;
    }
    Ok(())
}
