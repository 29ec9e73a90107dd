//! `triage evaluate`: metrics of a predictions file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::{read_predictions, ReadOptions};

use crate::args::EvaluateArgs;
use triage_stats::evaluation::{evaluate, EvaluationParams};

use crate::commands::progress;
use crate::summary::write_summary;

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
    let options = ReadOptions {
        logits: args.logits,
        renormalize: args.renormalize,
        labels_path: args.labels.clone(),
        class_names: args.class_names.clone(),
    };
    let predictions = read_predictions(&args.predictions, &options).with_context(|| {
        format!(
            "failed to read predictions from `{}`",
            args.predictions.display()
        )
    })?;
    if args.bootstrap > 0 {
        eprintln!(
            "triage: evaluating {} samples, {} classes, with {} bootstrap resamples",
            predictions.len(),
            predictions.classes.len(),
            args.bootstrap
        );
    }
    let bar = progress::bar(args.bootstrap as u64, "bootstrap", !args.no_progress);
    let evaluation = evaluate(
        &predictions.classes,
        &predictions.labels,
        &predictions.proba,
        &settings,
        &|| bar.inc(1),
    )
    .context("evaluation failed")?;
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &evaluation).context("failed to write JSON")?;
        writeln!(out).context("failed to write JSON")?;
    } else {
        write_summary(&mut out, &predictions.source, &evaluation)
            .context("failed to write the summary")?;
    }
    out.flush().context("failed to write output")?;
    Ok(ExitCode::SUCCESS)
}
