//! Findings of `triage compare` documents: a difference between two models
//! that is not significant (warning: do not claim it), and one that is
//! (information).

use triage_docs::compare::CompareDoc;
use triage_docs::severity::Severity;

use super::Finding;
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// The findings of one comparison document.
pub fn compare_findings(doc: &CompareDoc, subject: Option<&str>) -> Vec<Finding> {
    doc.pairs
        .iter()
        .map(|p| {
            let acc = p.metrics.iter().find(|m| m.metric == "accuracy");
            let diff = acc.map_or(0.0, |m| m.diff);
            let mut f = if p.significant {
                Finding::new(
                    "difference-significant",
                    Severity::Info,
                    SectionKind::Performance,
                    format!("{} and {} differ significantly", p.a, p.b),
                    p.verdict.clone(),
                    "Report the difference with its interval and the test.",
                )
            } else {
                Finding::new(
                    "difference-not-significant",
                    Severity::Warning,
                    SectionKind::Performance,
                    format!(
                        "The {:.2}-point accuracy difference between {} and {} is not significant",
                        100.0 * diff.abs(),
                        p.a,
                        p.b
                    ),
                    p.verdict.clone(),
                    "Do not claim an improvement: test on more items, or compare several seeds per configuration.",
                )
                .scored(diff.abs())
            }
            .with("McNemar p", format!("{:.4}", p.mcnemar.p_holm));
            if let Some(s) = subject {
                f = f.about(s);
            }
            f
        })
        .collect()
}

/// Every comparison document's findings.
pub fn comparisons(inputs: &ReportInputs) -> Vec<Finding> {
    inputs
        .compares
        .iter()
        .flat_map(|c| compare_findings(&c.doc, Some(&c.name)))
        .collect()
}
