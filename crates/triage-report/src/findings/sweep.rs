//! Findings of `triage sweep` results: an accuracy difference between
//! configurations that is not significant (warning: do not claim it), one
//! that is (information), and a sweep not yet finished (warning).

use triage_docs::severity::Severity;
use triage_docs::sweep::SweepDoc;

use super::Finding;
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// The findings of one sweep's results.
pub fn sweep_findings(doc: &SweepDoc, subject: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    if doc.tasks_done < doc.tasks_total {
        out.push(Finding::new(
            "sweep-incomplete",
            Severity::Warning,
            SectionKind::Performance,
            format!(
                "Sweep {}: {} of {} runs have finished",
                doc.name, doc.tasks_done, doc.tasks_total
            ),
            doc.notes.first().cloned().unwrap_or_default(),
            "Run `triage sweep` again (finished tasks are skipped, interrupted ones resume), then collect.",
        ));
    }
    // One verdict per pair: Welch (seeds) or the combined F (5×2cv).
    for c in doc
        .comparisons
        .iter()
        .filter(|c| c.metric == "accuracy" && c.test != "5x2cv-t")
    {
        let f = if c.significant {
            Finding::new(
                "sweep-difference-significant",
                Severity::Info,
                SectionKind::Performance,
                format!("{} and {} differ significantly", c.a, c.b),
                c.verdict.clone(),
                "Report the difference with its interval, the test and the number of runs.",
            )
        } else {
            Finding::new(
                "sweep-difference-not-significant",
                Severity::Warning,
                SectionKind::Performance,
                format!(
                    "The {:.2}-point accuracy difference between {} and {} is not significant",
                    100.0 * c.diff.abs(),
                    c.a,
                    c.b
                ),
                c.verdict.clone(),
                "Do not claim either is better: add seeds (the verdict says how many) before choosing, or keep the simpler configuration.",
            )
            .scored(c.diff.abs())
        }
        .with("test", c.test.clone())
        .with("Holm p", format!("{:.4}", c.p_holm));
        out.push(match subject {
            Some(s) => f.about(s),
            None => f,
        });
    }
    out
}

/// Every sweep's findings.
pub fn sweeps(inputs: &ReportInputs) -> Vec<Finding> {
    inputs
        .sweeps
        .iter()
        .flat_map(|s| sweep_findings(&s.doc, Some(&s.name)))
        .collect()
}
