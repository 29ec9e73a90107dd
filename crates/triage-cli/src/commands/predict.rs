//! `triage predict RUN_DIR DATA --out DIR`: the predictions file of
//! `triage evaluate` and the penultimate-layer embeddings
//! ([`triage_nn::pipeline::predict_run`]).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use triage_nn::pipeline::predict_run::{predict_run, PredictDone, PredictPlan};

use crate::commands::progress::Bars;
use crate::train_args::PredictArgs;

/// Run `triage predict` and print the paths of the files written.
///
/// # Errors
///
/// As [`predict`].
pub fn run(args: &PredictArgs) -> Result<ExitCode> {
    let done = predict(args, true)?;
    let mut out = crate::stdout::stdout();
    writeln!(out, "{}", done.predictions.display())?;
    writeln!(out, "{}", done.embeddings.display())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Predict as `triage predict` does (bars on stderr when `show`).
///
/// # Errors
///
/// As [`predict_plan`].
pub fn predict(args: &PredictArgs, show: bool) -> Result<PredictDone> {
    predict_plan(&args.plan(), show)
}

/// Predict `plan` (bars on stderr when `show`).
///
/// # Errors
///
/// An unreadable run or data, classes the run does not know, I/O errors.
pub fn predict_plan(plan: &PredictPlan, show: bool) -> Result<PredictDone> {
    let bars = Bars::new(show);
    let result = predict_run(plan, &bars);
    bars.clear();
    Ok(result?)
}
