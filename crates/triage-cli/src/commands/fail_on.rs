//! `--fail-on SEVERITY` of `profile`, `evaluate`, `label-issues` and
//! `report`: the report's findings rules run on the command's document, and
//! the command exits 1 when one at or above SEVERITY fires — the "check
//! failed" of the exit-code convention (0 ok, 1 check failed, 2 error).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use triage_data::escape::terminal_safe as safe;
use triage_report::findings::run_rules;
use triage_report::inputs::{NamedEvaluation, NamedLabelIssues, NamedProfile};
use triage_report::{Finding, ReportInputs};

use crate::args::FailOn;

/// The exit code for `findings` under `--fail-on`: 1, with the findings
/// that tripped it listed on stderr, when one is at or above the
/// threshold; 0 otherwise (always 0 without the flag).
pub fn verdict(findings: &[Finding], fail_on: Option<FailOn>) -> ExitCode {
    let Some(fail_on) = fail_on else {
        return ExitCode::SUCCESS;
    };
    let threshold = fail_on.severity();
    // Severity orders critical < warning < info.
    let tripped: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity <= threshold)
        .collect();
    if tripped.is_empty() {
        return ExitCode::SUCCESS;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "triage: check failed (--fail-on {}): {} finding{} at or above {}",
        threshold.name(),
        tripped.len(),
        if tripped.len() == 1 { "" } else { "s" },
        threshold.name()
    );
    for f in tripped {
        let _ = writeln!(
            err,
            "  {:<8} {}: {}",
            f.severity.name(),
            f.id,
            safe(&f.title)
        );
    }
    ExitCode::from(1)
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// The findings the report would make of a dataset profile alone.
pub fn profile_findings(data: &Path, doc: &triage_docs::profile::DatasetProfile) -> Vec<Finding> {
    run_rules(&ReportInputs {
        profiles: vec![NamedProfile {
            name: stem(data),
            path: data.to_path_buf(),
            doc: doc.clone(),
        }],
        ..ReportInputs::default()
    })
}

/// The findings the report would make of an evaluation alone.
pub fn evaluation_findings(
    predictions: &Path,
    doc: &triage_docs::evaluation::EvaluationDoc,
) -> Vec<Finding> {
    run_rules(&ReportInputs {
        evaluations: vec![NamedEvaluation {
            name: stem(predictions),
            path: predictions.to_path_buf(),
            run: None,
            doc: doc.clone(),
            predictions: Some(predictions.to_path_buf()),
        }],
        ..ReportInputs::default()
    })
}

/// The findings the report would make of a label-issues document alone.
pub fn label_issues_findings(
    predictions: &Path,
    doc: &triage_docs::label_issues::LabelIssuesDoc,
) -> Vec<Finding> {
    run_rules(&ReportInputs {
        label_issues: vec![NamedLabelIssues {
            name: stem(predictions),
            path: predictions.to_path_buf(),
            doc: doc.clone(),
        }],
        ..ReportInputs::default()
    })
}
