//! The terminal summary of `triage shift`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::shift::ShiftDoc;

use crate::assemble::shift_fmt_p as fmt_p;

/// Write the summary of a shift document: the sides, the verdict, each
/// test with its effect size, the estimated priors, and the notes.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_shift_summary(out: &mut impl Write, doc: &ShiftDoc) -> io::Result<()> {
    for (name, side) in [("source", &doc.source), ("target", &doc.target)] {
        writeln!(
            out,
            "{name}: {} ({}, {} items, {} used)",
            safe(&side.path),
            side.kind,
            side.n,
            side.used
        )?;
    }
    writeln!(out, "\n{}", safe(&doc.verdict.summary))?;
    writeln!(
        out,
        "each covariate test judged at α {} (α {} shared by the tests that ran)",
        fmt_p(doc.settings.alpha_per_test),
        doc.settings.alpha
    )?;
    if let Some(p) = &doc.properties {
        writeln!(
            out,
            "image properties (KS, Bonferroni over {}):",
            p.tests.len()
        )?;
        for t in &p.tests {
            writeln!(
                out,
                "  {:<13} D {:.3}  p_adj {:<9} SMD {:>6}  W1 {:.4}  median {:.4} → {:.4}{}",
                t.property,
                t.ks,
                fmt_p(t.p_adjusted),
                t.smd.map_or("-".into(), |d| format!("{d:+.2}")),
                t.wasserstein,
                t.source_median,
                t.target_median,
                if t.shifted { "  shifted" } else { "" }
            )?;
        }
    }
    if let Some(m) = &doc.mmd {
        writeln!(
            out,
            "MMD on {}: MMD² {:.5} (null 95% {:.5}), p {} ({} permutations, {:.1} s)",
            safe(&m.representation),
            m.mmd2,
            m.null_q95,
            fmt_p(m.p_value),
            m.permutations,
            m.seconds
        )?;
    }
    if let Some(c) = &doc.c2st {
        writeln!(
            out,
            "classifier test on {}: AUC {:.3} [{:.3}, {:.3}], accuracy {:.3}, p {}",
            safe(&c.representation),
            c.auc,
            c.auc_low,
            c.auc_high,
            c.accuracy,
            fmt_p(c.p_value)
        )?;
        if c.shifted {
            let ids: Vec<String> = c
                .most_unlike
                .iter()
                .take(5)
                .map(|x| safe(&x.id).into_owned())
                .collect();
            writeln!(out, "  most unlike training: {}", ids.join(", "))?;
        }
    }
    if let Some(b) = &doc.bbsd {
        writeln!(
            out,
            "BBSD: KS p_adj {}, predicted labels χ² {:.1} (df {}) p {}, Cramér's V {:.3}",
            fmt_p(b.ks_p_adjusted),
            b.chi2,
            b.chi2_dof,
            fmt_p(b.chi2_p_value),
            b.cramers_v
        )?;
    }
    if let Some(l) = &doc.label_shift {
        writeln!(
            out,
            "\nlabel shift: LR test χ² {:.1} (df {}) p {}; expected accuracy {:.3} as is, {:.3} after correction",
            l.lr_statistic,
            l.lr_dof,
            fmt_p(l.lr_p_value),
            l.expected_accuracy,
            l.expected_accuracy_adjusted
        )?;
        writeln!(
            out,
            "  {:<14} {:>7} {:>7} {:>7} {:>9}",
            "class", "source", "EM", "BBSE", "observed"
        )?;
        for (c, name) in l.classes.iter().enumerate() {
            writeln!(
                out,
                "  {:<14} {:>7.3} {:>7.3} {:>7} {:>9}",
                safe(name),
                l.source_priors[c],
                l.em_priors[c],
                l.bbse_priors
                    .as_ref()
                    .map_or("-".into(), |q| format!("{:.3}", q[c])),
                l.target_priors_observed
                    .as_ref()
                    .map_or("-".into(), |q| format!("{:.3}", q[c]))
            )?;
        }
        if let (Some(a), Some(b)) = (l.accuracy_observed, l.accuracy_adjusted_observed) {
            writeln!(
                out,
                "  labelled target: accuracy {a:.3} as is, {b:.3} after the prior correction"
            )?;
        }
        if let Some(p) = &l.adjusted_predictions {
            writeln!(out, "  corrected predictions: {}", safe(p))?;
        }
    }
    for n in &doc.notes {
        writeln!(out, "note: {}", safe(n))?;
    }
    Ok(())
}
