//! `triage evaluate`: metrics of a predictions file.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_data::Predictions;
use triage_docs::evaluation::LeakageDoc;
use triage_profile::leakage::{measure_leakage, LeakageSettings};
use triage_profile::DatasetProfile;

use crate::args::EvaluateArgs;
use triage_stats::evaluation::{evaluate, EvaluationParams};

use crate::commands::progress;
use triage_report::terminal::write_evaluation_summary;

/// The accuracy with and without the items the profile lists as leaked
/// ([`triage_profile::leakage`]).
fn leakage(profile: &Path, predictions: &Predictions, args: &EvaluateArgs) -> Result<LeakageDoc> {
    let text = triage_data::bounded_read::read_document(profile)
        .with_context(|| format!("failed to read the profile `{}`", profile.display()))?;
    let doc: DatasetProfile = triage_docs::read_str(&text).with_context(|| {
        format!(
            "`{}` is not a profile of `triage profile --json`",
            profile.display()
        )
    })?;
    let settings = LeakageSettings {
        bootstrap: args.bootstrap,
        seed: args.seed,
        confidence: args.confidence,
    };
    let measured = measure_leakage(&doc, profile, predictions, &settings)?;
    if !measured.ids_checked {
        eprintln!(
            "triage: note: the dataset `{}` of the profile was not found from here; prediction ids are not checked against its items",
            safe(&doc.root)
        );
    }
    Ok(measured.doc)
}

/// Run `triage evaluate`.
pub fn run(args: &EvaluateArgs) -> Result<ExitCode> {
    // Checked before the (possibly long) read, so a typo fails at once.
    let settings = EvaluationParams {
        bootstrap: args.bootstrap,
        seed: args.seed,
        confidence: args.confidence,
        calibrate_fraction: args.calibrate_fraction,
        max_curve_points: args.max_curve_points,
    }
    .check()
    .context("invalid evaluation settings")?;
    let predictions = crate::commands::read_predictions(&args.input)?;
    if args.bootstrap > 0 {
        eprintln!(
            "triage: evaluating {} samples, {} classes, with {} bootstrap resamples",
            predictions.len(),
            predictions.classes.len(),
            args.bootstrap
        );
    }
    let bar = progress::bar(args.bootstrap as u64, "bootstrap", !args.no_progress);
    let mut evaluation = evaluate(
        &predictions.classes,
        &predictions.labels,
        &predictions.proba,
        &settings,
        &|| bar.inc(1),
    )
    .context("evaluation failed")?;
    bar.finish_and_clear();
    if let Some(profile) = &args.profile {
        evaluation.leakage = Some(leakage(profile, &predictions, args)?);
    }
    crate::stdout::print_document(&evaluation, args.json, false, |out| {
        write_evaluation_summary(out, &predictions.source, &evaluation)
    })?;
    let findings = crate::commands::fail_on::evaluation_findings(&predictions.source, &evaluation);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
