//! The architecture lint's findings (`triage lint --json`): the document
//! carries them ranked, with evidence, fix and reference; here they become
//! the report's findings of "The model".

use triage_docs::lint::LintDoc;

use super::Finding;
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// The findings of one lint document, about `subject`.
pub fn lint_findings(doc: &LintDoc, subject: Option<&str>) -> Vec<Finding> {
    doc.findings
        .iter()
        .map(|f| {
            let mut finding = Finding::new(
                &f.id,
                f.severity,
                SectionKind::Model,
                f.title.clone(),
                format!("{} {}", f.evidence, f.explanation),
                f.fix.clone(),
            )
            .with("reference", &f.reference);
            if let Some(s) = subject {
                finding = finding.about(s);
            }
            finding
        })
        .collect()
}

/// Lint rules the report's own training rules already apply to a run
/// (`optimizer-adadelta`, `sgd-without-momentum`, `no-lr-schedule`,
/// `select-on-accuracy` in `training.rs`): for a run's lint they are not
/// repeated.
const JUDGED_FOR_RUNS: [&str; 4] = [
    "adaptive-optimizer",
    "sgd-without-momentum",
    "no-schedule",
    "select-on-accuracy",
];

/// Every lint document's findings.
pub fn lints(inputs: &ReportInputs) -> Vec<Finding> {
    inputs
        .lints
        .iter()
        .flat_map(|l| {
            let of_run = inputs.runs.iter().any(|r| r.name == l.name);
            lint_findings(&l.doc, Some(&l.name))
                .into_iter()
                .filter(move |f| !(of_run && JUDGED_FOR_RUNS.contains(&f.id.as_str())))
        })
        .collect()
}
