//! `triage train DATA --model M --optimizer O --epochs N --out RUN_DIR`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_nn::pipeline::cross_validation::{cross_validate, CrossValPlan};
use triage_nn::pipeline::plan::TrainPlan;
use triage_nn::pipeline::train_run::{train_run, TrainDone};
use triage_nn::Select;

use crate::commands::progress::Bars;
use crate::train_args::TrainArgs;

/// Run `triage train` and print where the run is and what was selected.
///
/// # Errors
///
/// As [`train`].
pub fn run(args: &TrainArgs) -> Result<ExitCode> {
    if let Some(folds) = args.folds {
        return run_folds(args, usize::from(folds));
    }
    let done = train(args)?;
    let mut out = crate::stdout::stdout();
    writeln!(out, "run: {}", done.dir.path.display())?;
    writeln!(out, "status: {}", done.status)?;
    if let Some(best) = done.state.best {
        writeln!(
            out,
            "selected epoch: {} (by validation {}; val loss {}, val acc {})",
            best.epoch,
            match done.dir.meta.train.select {
                Select::Loss => "loss",
                Select::Accuracy => "accuracy",
            },
            best.val_loss.map_or("n/a".into(), |v| format!("{v:.4}")),
            best.val_acc.map_or("n/a".into(), |v| format!("{v:.4}")),
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Train as `triage train` does, drawing progress on stderr.
///
/// # Errors
///
/// Unreadable data, invalid settings, divergence, an existing run without
/// `--resume`/`--force`.
pub fn train(args: &TrainArgs) -> Result<TrainDone> {
    train_plan(&args.plan()?, !args.no_progress)
}

/// Train `plan`, drawing progress on stderr when `show`.
///
/// # Errors
///
/// As [`train`].
pub fn train_plan(plan: &TrainPlan, show: bool) -> Result<TrainDone> {
    let bars = Bars::new(show);
    let result = train_run(plan, &bars);
    bars.clear();
    match result {
        // Refused before anything was trained: no checkpoint to speak of.
        Err(
            e @ (triage_nn::pipeline::PipelineError::Output(_)
            | triage_nn::pipeline::PipelineError::TooLarge(_)),
        ) => Err(e.into()),
        other => other.with_context(|| {
            format!(
                "training in {} stopped (checkpoints of completed epochs, if any, are kept there)",
                plan.out.display()
            )
        }),
    }
}

/// `triage train --folds K` ([`triage_nn::pipeline::cross_validation`]):
/// K runs, each predicting the fold it did not see, merged into
/// `RUN_DIR/out_of_fold.csv`.
fn run_folds(args: &TrainArgs, folds: usize) -> Result<ExitCode> {
    let plan = CrossValPlan {
        train: args.plan()?,
        folds,
    };
    let bars = Bars::new(!args.no_progress);
    let result = cross_validate(&plan, &bars);
    bars.clear();
    let done = result.with_context(|| {
        format!(
            "cross-validation in {} stopped (finished folds and checkpoints are kept; rerun with --resume)",
            args.out.display()
        )
    })?;
    let mut out = crate::stdout::stdout();
    writeln!(out, "{}", done.out_of_fold.display())?;
    writeln!(
        out,
        "out-of-fold predictions: {} of {} training items ({folds} folds)",
        done.rows, done.train_items
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
