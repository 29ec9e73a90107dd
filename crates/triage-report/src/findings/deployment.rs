//! Rules on `triage shift` documents: covariate shift, label shift, and
//! significant effects too small to matter.

use super::{Finding, Severity};
use crate::assemble::shift_fmt_p as fmt_p;
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// A classifier that tells training from deployment items with this
/// held-out AUC sees two nearly separate populations: whatever the model
/// learned may not transfer.
pub const SEPARABLE_AUC: f64 = 0.9;

/// The fix of a covariate shift: the nuisances the images differ in, when
/// the properties say, and what to do about them.
fn fix_for(d: &triage_docs::shift::ShiftDoc) -> String {
    let nuisances = d
        .properties
        .as_ref()
        .and_then(|p| p.summary.as_ref())
        .map_or_else(
            || "augment training towards the deployment conditions (lighting, blur, noise, colour) or ".to_string(),
            |s| format!("{s}: add those nuisances to the training data (augmentation, or the synthetic generator) or "),
        );
    format!(
        "{nuisances}collect and label a few hundred deployment images and fine-tune; look at the deployment items the classifier finds most unlike training (the report's gallery); measure accuracy on labelled deployment data before trusting the test score"
    )
}

/// Covariate shift: the tests that fired, with their effect sizes.
/// Critical when a classifier separates the sides (AUC ≥
/// [`SEPARABLE_AUC`]), a warning otherwise, information when every firing
/// test's effect is negligible.
pub fn covariate_shift(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &inputs.shifts {
        let d = &s.doc;
        if !d.verdict.covariate_shift {
            continue;
        }
        let mut evidence = Vec::new();
        let mut score: f64 = 0.0;
        if let Some(p) = d.properties.as_ref().filter(|p| !p.drifted.is_empty()) {
            let effects: Vec<String> = p
                .tests
                .iter()
                .filter(|t| p.drifted.contains(&t.property))
                .map(|t| {
                    format!(
                        "{} SMD {:+.2} (median {:.3} → {:.3})",
                        t.property,
                        t.smd.unwrap_or(0.0),
                        t.source_median,
                        t.target_median
                    )
                })
                .collect();
            evidence.push(format!(
                "{}: {}",
                p.summary.as_deref().unwrap_or("image properties drift"),
                effects.join(", ")
            ));
        }
        if let Some(c) = d.c2st.as_ref().filter(|c| c.shifted) {
            evidence.push(format!(
                "a classifier tells deployment from training items with held-out AUC {:.3} [{:.3}, {:.3}] (p {})",
                c.auc, c.auc_low, c.auc_high, fmt_p(c.p_value)
            ));
            score = score.max(c.auc);
        }
        if let Some(m) = d.mmd.as_ref().filter(|m| m.shifted) {
            evidence.push(format!(
                "MMD² {:.4} on {} is above every permuted value's 95th percentile {:.4} (p {})",
                m.mmd2,
                m.representation,
                m.null_q95,
                fmt_p(m.p_value)
            ));
        }
        if let Some(b) = d.bbsd.as_ref().filter(|b| b.shifted) {
            evidence.push(format!(
                "the model's outputs moved: predicted-label Cramér's V {:.3} (χ² p {}), KS p {} after Bonferroni",
                b.cramers_v,
                fmt_p(b.chi2_p_value),
                fmt_p(b.ks_p_adjusted)
            ));
        }
        let all_negligible = !d.verdict.negligible.is_empty()
            && d.verdict.negligible.len()
                >= d.verdict
                    .detected_by
                    .iter()
                    .filter(|t| *t != "label_shift")
                    .count();
        let severity = if all_negligible {
            Severity::Info
        } else if d
            .c2st
            .as_ref()
            .is_some_and(|c| c.shifted && c.auc >= SEPARABLE_AUC)
        {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let mut f = Finding::new(
            "covariate-shift",
            severity,
            SectionKind::Deployment,
            if all_negligible {
                "Deployment data differ from the training data, but negligibly"
            } else {
                "Deployment data differ from the training data (covariate shift)"
            },
            evidence.join("; "),
            fix_for(d),
        )
        .about(&s.name)
        .scored(score)
        .with("detected_by", d.verdict.detected_by.join(", "));
        if let Some(c) = &d.c2st {
            f = f.with("c2st_auc", format!("{:.3}", c.auc));
        }
        out.push(f);
    }
    out
}

/// Label shift: the estimated target priors differ from the source's (the
/// likelihood-ratio test fired), with what it does to accuracy.
pub fn label_shift(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &inputs.shifts {
        let Some(l) = &s.doc.label_shift else {
            continue;
        };
        if l.sigma_min_small {
            out.push(
                Finding::new(
                    "label-shift-bbse-unreliable",
                    Severity::Info,
                    SectionKind::Deployment,
                    "BBSE's prior estimate is unreliable for this model",
                    format!(
                        "the smallest singular value of the source confusion matrix is {:.4}: BBSE's error grows as its inverse",
                        l.sigma_min.unwrap_or(0.0)
                    ),
                    "use EM's priors (bias-corrected calibration), which the report shows beside BBSE's",
                )
                .about(&s.name),
            );
        }
        if !l.shifted {
            continue;
        }
        let (c, change) = l
            .em_priors
            .iter()
            .zip(&l.source_priors)
            .enumerate()
            .map(|(c, (q, p))| (c, q - p))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap_or((0, 0.0));
        let negligible = l.negligible;
        let caveat = if s.doc.verdict.covariate_shift {
            "; the covariate tests fired too: these estimates assume each class looks the same at deployment, so check them on labelled deployment items"
        } else {
            ""
        };
        out.push(
            Finding::new(
                "label-shift",
                if negligible { Severity::Info } else { Severity::Warning },
                SectionKind::Deployment,
                "Class frequencies at deployment differ from training (label shift)",
                format!(
                    "EM estimates the deployment share of `{}` at {:.3} against {:.3} in training (largest change {:+.3}); likelihood-ratio test χ² {:.1}, df {}, p {}; expected accuracy {:.3} as is, {:.3} with the prior correction{caveat}",
                    l.classes[c],
                    l.em_priors[c],
                    l.source_priors[c],
                    change,
                    l.lr_statistic,
                    l.lr_dof,
                    fmt_p(l.lr_p_value),
                    l.expected_accuracy,
                    l.expected_accuracy_adjusted
                ),
                "apply the prior correction to deployment predictions (`triage shift … --adjusted-out FILE` writes them), or re-weight the training loss by the estimated target/source prior ratio; report per-class recall rather than accuracy",
            )
            .about(&s.name)
            .scored(l.max_prior_change)
            .with("max_prior_change", format!("{:.3}", l.max_prior_change))
            .with("lr_p_value", fmt_p(l.lr_p_value)),
        );
    }
    out
}
