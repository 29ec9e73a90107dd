//! `triage evaluate`: metrics of a predictions file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_data::{read_predictions, ReadOptions};

use crate::args::EvaluateArgs;
use crate::evaluation::{evaluate, EvaluationSettings};
use crate::summary::write_summary;

/// Run `triage evaluate`.
pub fn run(args: &EvaluateArgs) -> Result<ExitCode> {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        bail!(
            "--confidence must lie strictly between 0 and 1, got {}",
            args.confidence
        );
    }
    if !(0.0..1.0).contains(&args.calibrate_fraction) {
        bail!(
            "--calibrate-fraction must lie in [0, 1), got {}",
            args.calibrate_fraction
        );
    }
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
    let settings = EvaluationSettings {
        bootstrap: args.bootstrap,
        seed: args.seed,
        confidence: args.confidence,
        calibrate_fraction: args.calibrate_fraction,
        max_curve_points: args.max_curve_points,
        progress: !args.no_progress,
    };
    let evaluation = evaluate(
        &predictions.classes,
        &predictions.labels,
        &predictions.proba,
        &settings,
    )
    .context("evaluation failed")?;
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
