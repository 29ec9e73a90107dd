//! The layout of a run directory, named once: `triage train` writes it,
//! `triage demo` adds to it, and `triage report` reads it.
//!
//! ```text
//! RUN/run.json          RunMeta            (train)
//! RUN/log.jsonl         EpochRecord lines  (train)
//! RUN/summary.json      Summary            (train)
//! RUN/best.ckpt, RUN/last.ckpt             (train)
//! RUN/profile.json      DatasetProfile     (optional; demo)
//! RUN/shift.json        ShiftDoc           (optional; demo)
//! RUN/bayes.json        BayesDoc           (optional; demo)
//! RUN/eval/NAME.json    EvaluationDoc      (optional; demo, or by hand)
//! RUN/eval/NAME.predictions.csv            (beside its evaluation, for the galleries)
//! ```

use std::path::{Path, PathBuf};

/// `run.json`.
pub const RUN_JSON: &str = "run.json";
/// `log.jsonl`.
pub const LOG: &str = "log.jsonl";
/// `summary.json`.
pub const SUMMARY: &str = "summary.json";
/// `best.ckpt`: the weights of the selected epoch.
pub const BEST_CHECKPOINT: &str = "best.ckpt";
/// `last.ckpt`: weights and optimizer state of the last epoch.
pub const LAST_CHECKPOINT: &str = "last.ckpt";
/// `profile.json`: the profile of the data the run trained on.
pub const PROFILE: &str = "profile.json";
/// `shift.json`: a `triage shift` document of the run's model (training
/// domain against deployment data), as the demo writes it.
pub const SHIFT: &str = "shift.json";
/// `bayes.json`: a `triage bayes` document of the run's data and model
/// embeddings, as the demo writes it.
pub const BAYES: &str = "bayes.json";
/// `lint.json`: a `triage lint` document of the run's model and training
/// setup, as the demo writes it.
pub const LINT: &str = "lint.json";
/// `eval/`: the run's evaluations.
pub const EVAL_DIR: &str = "eval";
/// Extension of the predictions file beside an evaluation
/// (`NAME.json` → `NAME.predictions.csv`).
pub const PREDICTIONS_BESIDE: &str = "predictions.csv";

/// `RUN/eval/NAME.json`.
pub fn evaluation(run: &Path, name: &str) -> PathBuf {
    run.join(EVAL_DIR).join(format!("{name}.json"))
}

/// The predictions file beside an evaluation document:
/// `…/NAME.json` → `…/NAME.predictions.csv`.
pub fn predictions_beside(evaluation: &Path) -> PathBuf {
    evaluation.with_extension(PREDICTIONS_BESIDE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evaluation_and_its_predictions_sit_side_by_side() {
        let e = evaluation(Path::new("runs/a"), "real-like");
        assert_eq!(e, Path::new("runs/a/eval/real-like.json"));
        assert_eq!(
            predictions_beside(&e),
            Path::new("runs/a/eval/real-like.predictions.csv")
        );
    }
}
