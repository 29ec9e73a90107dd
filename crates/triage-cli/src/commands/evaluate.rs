//! `triage evaluate`: metrics of a predictions file.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_data::Predictions;
use triage_docs::evaluation::LeakageDoc;
use triage_profile::files::reopen_profiled;
use triage_profile::DatasetProfile;
use triage_stats::leakage::leakage_cost;

use crate::args::EvaluateArgs;
use triage_stats::evaluation::{evaluate, EvaluationParams};

use crate::commands::progress;
use triage_report::terminal::write_evaluation_summary;

/// The accuracy with and without the items that `profile` lists as
/// leaked, matched by id (or, when no id matches, by path).
fn leakage(profile: &Path, predictions: &Predictions, args: &EvaluateArgs) -> Result<LeakageDoc> {
    let text = triage_data::bounded_read::read_document(profile)
        .with_context(|| format!("failed to read the profile `{}`", profile.display()))?;
    let doc: DatasetProfile = triage_docs::read_str(&text).with_context(|| {
        format!(
            "`{}` is not a profile of `triage profile --json`",
            profile.display()
        )
    })?;
    let checked = check_ids_are_items(&doc, profile, predictions)?;
    let leaked: HashSet<&str> = doc
        .near_duplicates
        .leaked_items
        .iter()
        .map(String::as_str)
        .collect();
    let by_id: Vec<bool> = predictions
        .ids
        .iter()
        .map(|id| leaked.contains(id.as_str()))
        .collect();
    let flags = match &predictions.paths {
        Some(paths) if !by_id.contains(&true) => {
            paths.iter().map(|p| leaked.contains(p.as_str())).collect()
        }
        _ => by_id,
    };
    let predicted = predictions.proba.argmax();
    let correct: Vec<bool> = predicted
        .iter()
        .zip(&predictions.labels)
        .map(|(p, y)| p == y)
        .collect();
    let cost = leakage_cost(&correct, &flags, args.bootstrap, args.seed, args.confidence)
        .context("cannot measure the cost of the leaked items")?;
    if !checked && cost.leaked == 0 {
        // Nothing ties these predictions to the profiled data: a zero here
        // would be a guess, not a measurement.
        anyhow::bail!(
            "cannot measure the cost of the leaked items: the dataset `{}` of `{}` was not found from here, and none of the {} prediction ids is among its {} leaked items, so whether these predictions cover the profiled data cannot be checked; run from where the dataset's path resolves, or profile the data these predictions cover",
            doc.root,
            profile.display(),
            predictions.len(),
            leaked.len()
        );
    }
    Ok(LeakageDoc {
        profile: profile.display().to_string(),
        unmatched: leaked.len().saturating_sub(cost.leaked),
        ..cost
    })
}

/// Every prediction id (or, failing that, path) must be an item of the
/// profiled dataset, reopened from the profile's `root` (as written, then
/// relative to the profile's folder). When the dataset is not found from
/// here the check is skipped, with a note on stderr, and `false` returned.
fn check_ids_are_items(
    doc: &DatasetProfile,
    profile: &Path,
    predictions: &Predictions,
) -> Result<bool> {
    let Some(dataset) = reopen_profiled(doc, profile) else {
        eprintln!(
            "triage: note: the dataset `{}` of the profile was not found from here; prediction ids are not checked against its items",
            safe(&doc.root)
        );
        return Ok(false);
    };
    let items: HashSet<&str> = dataset.items.iter().map(|i| i.id.as_str()).collect();
    let by_id = predictions
        .ids
        .iter()
        .position(|id| !items.contains(id.as_str()));
    let by_path = predictions
        .paths
        .as_ref()
        .map(|paths| paths.iter().position(|p| !items.contains(p.as_str())));
    match (by_id, by_path) {
        (None, _) | (_, Some(None)) => Ok(true),
        (Some(row), _) => anyhow::bail!(
            "`{}` row {}: id {:?} is not an item of `{}`, the dataset profiled in `{}`; give the profile of the data these predictions cover",
            predictions.source.display(),
            row + 1,
            predictions.ids[row],
            doc.root,
            profile.display()
        ),
    }
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
    let mut out = crate::stdout::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &evaluation).context("failed to write JSON")?;
        writeln!(out).context("failed to write JSON")?;
    } else {
        write_evaluation_summary(&mut out, &predictions.source, &evaluation)
            .context("failed to write the summary")?;
    }
    out.flush().context("failed to write output")?;
    let findings = crate::commands::fail_on::evaluation_findings(&predictions.source, &evaluation);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
