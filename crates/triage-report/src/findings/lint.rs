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

/// Every lint document's findings.
pub fn lints(inputs: &ReportInputs) -> Vec<Finding> {
    inputs
        .lints
        .iter()
        .flat_map(|l| lint_findings(&l.doc, Some(&l.name)))
        .collect()
}
