//! The overall answer, and when a significant effect is negligible.

use triage_docs::shift::{
    BbsdResult, C2stResult, LabelShiftResult, MmdResult, PropertyShift, ShiftVerdict,
};

/// A classifier test whose AUC is within this of ½ has found a negligible
/// difference, however small its p-value.
pub const NEGLIGIBLE_AUC: f64 = 0.02;
/// BBSD with Cramér's V of the predicted labels and every KS statistic
/// below this found a negligible difference (Cohen's "small" V is 0.1).
pub const NEGLIGIBLE_V: f64 = 0.05;
/// Label shift whose largest prior change is below this is negligible.
pub const NEGLIGIBLE_PRIOR: f64 = 0.01;

/// The verdict over the tests that ran (each already judged).
pub(crate) fn verdict(
    properties: &Option<PropertyShift>,
    mmd: &Option<MmdResult>,
    c2st: &Option<C2stResult>,
    bbsd: &Option<BbsdResult>,
    label: &mut Option<LabelShiftResult>,
) -> ShiftVerdict {
    let mut detected_by = Vec::new();
    let mut negligible = Vec::new();
    if let Some(p) = properties
        .as_ref()
        .filter(|p| p.tests.iter().any(|t| t.shifted))
    {
        detected_by.push("properties".to_string());
        if p.drifted.is_empty() {
            negligible.push("image-property drift".to_string());
        }
    }
    if mmd.as_ref().is_some_and(|m| m.shifted) {
        detected_by.push("mmd".to_string());
    }
    if let Some(c) = c2st.as_ref().filter(|c| c.shifted) {
        detected_by.push("c2st".into());
        if c.auc - 0.5 < NEGLIGIBLE_AUC {
            negligible.push(format!("the classifier test (AUC {:.3})", c.auc));
        }
    }
    if let Some(b) = bbsd.as_ref().filter(|b| b.shifted) {
        detected_by.push("bbsd".into());
        if b.cramers_v < NEGLIGIBLE_V && b.outputs.iter().all(|o| o.ks < NEGLIGIBLE_V) {
            negligible.push(format!("BBSD (Cramér's V {:.3})", b.cramers_v));
        }
    }
    let covariate_shift = !detected_by.is_empty();
    let label_shift = label.as_ref().map(|l| l.shifted);
    if let Some(l) = label.as_mut().filter(|l| l.shifted) {
        detected_by.push("label_shift".into());
        if l.max_prior_change < NEGLIGIBLE_PRIOR {
            l.negligible = true;
            negligible.push(format!(
                "label shift (largest prior change {:.3})",
                l.max_prior_change
            ));
        }
    }
    let summary = if detected_by.is_empty() {
        "no shift detected between training and deployment data".to_string()
    } else {
        let mut parts = Vec::new();
        let how = properties
            .as_ref()
            .and_then(|p| p.summary.as_ref())
            .map(|s| format!("covariate shift ({s})"));
        if covariate_shift {
            parts.push(how.unwrap_or_else(|| "covariate shift".into()));
        }
        if label_shift == Some(true) {
            parts.push("label shift".into());
        }
        format!(
            "{} detected by {}",
            parts.join(" and "),
            detected_by.join(", ")
        )
    };
    ShiftVerdict {
        covariate_shift,
        label_shift,
        detected_by,
        negligible,
        summary,
    }
}
