//! Rules on calibration.

use super::{Finding, Severity};
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// Expected calibration error (top-label, 15 equal-width bins) above which
/// the probabilities are called miscalibrated: 0.05 means confidences are
/// off by 5 points on average, enough to mislead any threshold or
/// abstention rule built on them.
pub const ECE_THRESHOLD: f64 = 0.05;

/// Miscalibration: ECE above [`ECE_THRESHOLD`]; the fix quotes the fitted
/// temperature and the ECE after scaling when the evaluation has them.
pub fn miscalibration(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &inputs.evaluations {
        let Some(ece) = e
            .doc
            .metric("ece")
            .or(Some(e.doc.reliability.ece).filter(|v| v.is_finite()))
        else {
            continue;
        };
        if ece <= ECE_THRESHOLD {
            continue;
        }
        let ci = e.doc.interval("ece");
        let ci_text = ci.map_or(String::new(), |[lo, hi]| {
            format!(
                " ({:.0} % interval {lo:.3}–{hi:.3})",
                100.0 * e.doc.confidence()
            )
        });
        let significant = ci.is_none_or(|[lo, _]| lo > ECE_THRESHOLD);
        let mut evidence = format!("ECE {ece:.3}{ci_text} is above {ECE_THRESHOLD}");
        if !significant {
            evidence.push_str(", though the interval reaches below it");
        }
        let fix = match &e.doc.temperature {
            Some(t) => {
                evidence.push_str(&format!(
                    "; temperature scaling (T = {:.2}, fitted on {} samples) changes the held-out ECE from {:.3} to {:.3}",
                    t.temperature, t.n_fit, t.before.ece, t.after.ece
                ));
                if t.after.ece < t.before.ece {
                    format!("apply temperature scaling: divide the logits by T = {:.2} (fit T on a validation split, not on test)", t.temperature)
                } else {
                    "temperature scaling does not help here: recalibrate with more calibration data, or histogram binning / isotonic regression per class".to_string()
                }
            }
            None => "fit a temperature on held-out data (`triage evaluate --calibrate-fraction 0.3`) and divide the logits by it".to_string(),
        };
        let mut f = Finding::new(
            "miscalibration",
            if significant {
                Severity::Warning
            } else {
                Severity::Info
            },
            SectionKind::Performance,
            format!("Confidences are miscalibrated (ECE {ece:.3})"),
            evidence,
            fix,
        )
        .about(&e.name)
        .scored(ece)
        .with("ece", format!("{ece:.4}"));
        if let Some(t) = &e.doc.temperature {
            f = f
                .with("temperature", format!("{:.3}", t.temperature))
                .with("ece_after_scaling", format!("{:.4}", t.after.ece));
        }
        out.push(f);
    }
    out
}
