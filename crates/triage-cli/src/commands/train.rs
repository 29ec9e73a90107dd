//! `triage train DATA --model M --optimizer O --epochs N --out RUN_DIR`.

use std::process::ExitCode;

use anyhow::{Context, Result};
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
    let done = train(args)?;
    println!("run: {}", done.dir.path.display());
    println!("status: {}", done.status);
    if let Some(best) = done.state.best {
        println!(
            "selected epoch: {} (by validation {}; val loss {}, val acc {})",
            best.epoch,
            match done.dir.meta.train.select {
                Select::Loss => "loss",
                Select::Accuracy => "accuracy",
            },
            best.val_loss.map_or("n/a".into(), |v| format!("{v:.4}")),
            best.val_acc.map_or("n/a".into(), |v| format!("{v:.4}")),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Train as `triage train` does, drawing progress on stderr.
///
/// # Errors
///
/// Unreadable data, invalid settings, divergence, an existing run without
/// `--resume`/`--force`.
pub fn train(args: &TrainArgs) -> Result<TrainDone> {
    let plan = args.plan()?;
    let bars = Bars::new(!args.no_progress);
    let result = train_run(&plan, &bars);
    bars.clear();
    result.with_context(|| {
        format!(
            "training in {} stopped (checkpoints of completed epochs, if any, are kept there)",
            args.out.display()
        )
    })
}
