//! A training run directory written by `triage train`: `run.json`,
//! `log.jsonl`, `summary.json`, optionally `profile.json` and
//! `eval/<name>.json` (+ `eval/<name>.predictions.csv`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ReportError;
use crate::inputs::{read_json, NamedEvaluation};

/// `run.json`: how the run was configured (`format` `triage-run`,
/// `version` 1). Optimizer and schedule are free-form objects tagged by
/// `kind`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RunConfig {
    /// Always `triage-run`.
    pub format: String,
    /// Format version (1).
    pub version: u64,
    /// triage version that trained.
    pub triage_version: Option<String>,
    /// burn version.
    pub burn_version: Option<String>,
    /// Git commit of triage, if known.
    pub git_commit: Option<String>,
    /// RFC 3339 creation time.
    pub created: Option<String>,
    /// The command line.
    pub command: Vec<String>,
    /// Seed.
    pub seed: Option<u64>,
    /// The training data.
    pub data: Option<String>,
    /// Model: `preset` name and `spec` object.
    pub model: Value,
    /// Optimizer, tagged by `kind` (`sgd`, `adadelta`, `adam`, `adam_w`, `rms_prop`).
    pub optimizer: Value,
    /// Learning-rate schedule, tagged by `kind` (`one_cycle`, `constant`, …).
    pub schedule: Value,
    /// Epochs requested.
    pub epochs: Option<u64>,
    /// Batch size.
    pub batch_size: Option<u64>,
    /// Checkpoint selection: `loss` or `accuracy` (on validation).
    pub select: Option<String>,
    /// Early-stopping patience in epochs.
    pub patience: Option<u64>,
    /// Label smoothing ε.
    pub label_smoothing: Option<f64>,
    /// Augmentation settings.
    pub augment: Value,
    /// Input shape.
    pub input: Value,
    /// Class names.
    pub classes: Vec<String>,
    /// Training items.
    pub train_size: Option<u64>,
    /// Validation items.
    pub val_size: Option<u64>,
}

impl RunConfig {
    /// `kind` of the optimizer (lower case), if given.
    pub fn optimizer_kind(&self) -> Option<&str> {
        self.optimizer.get("kind").and_then(Value::as_str)
    }

    /// `kind` of the schedule, if given.
    pub fn schedule_kind(&self) -> Option<&str> {
        self.schedule.get("kind").and_then(Value::as_str)
    }

    /// Model preset name, else the spec's `kind`.
    pub fn model_name(&self) -> Option<String> {
        let preset = self.model.get("preset").and_then(Value::as_str);
        let kind = || {
            self.model
                .get("spec")
                .and_then(|s| s.get("kind"))
                .and_then(Value::as_str)
        };
        preset.or_else(kind).map(str::to_string)
    }
}

/// One line of `log.jsonl`: the metrics of one epoch (1-based).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct EpochRecord {
    /// Epoch, 1-based.
    pub epoch: u64,
    /// Mean training loss (nats); `None` when NaN was written as null.
    pub train_loss: Option<f64>,
    /// Training accuracy.
    pub train_acc: Option<f64>,
    /// Validation loss.
    pub val_loss: Option<f64>,
    /// Validation accuracy.
    pub val_acc: Option<f64>,
    /// Validation ECE.
    pub val_ece: Option<f64>,
    /// Learning rate at the end of the epoch.
    pub lr: Option<f64>,
    /// Throughput.
    pub images_per_sec: Option<f64>,
    /// Wall time of the epoch in seconds.
    pub seconds: Option<f64>,
}

/// `summary.json`: how the run ended.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RunSummary {
    /// `completed`, `early_stopped`, `diverged` or `interrupted`.
    pub status: String,
    /// The selected (best) epoch, 1-based.
    pub best_epoch: Option<u64>,
    /// Validation loss at the best epoch.
    pub best_val_loss: Option<f64>,
    /// Validation accuracy at the best epoch.
    pub best_val_acc: Option<f64>,
    /// Epochs actually run.
    pub epochs_run: Option<u64>,
    /// Selection criterion.
    pub select: Option<String>,
}

/// A whole run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// Display name (the directory's name).
    pub name: String,
    /// The directory.
    pub path: PathBuf,
    /// `run.json`.
    pub config: RunConfig,
    /// `log.jsonl`, in file order (empty when missing).
    pub log: Vec<EpochRecord>,
    /// `summary.json`, when present.
    pub summary: Option<RunSummary>,
}

/// Read a run directory; its `profile.json` and `eval/*.json` are returned
/// beside it so that they join the other inputs.
///
/// # Errors
/// A missing or invalid `run.json`, an unreadable log line.
pub(crate) fn read_run_dir(
    dir: &Path,
) -> Result<(RunDir, Option<Value>, Vec<NamedEvaluation>), ReportError> {
    let run_json = dir.join("run.json");
    if !run_json.is_file() {
        return Err(ReportError::NotARunDir {
            path: dir.to_path_buf(),
        });
    }
    let config: RunConfig = read_json(&run_json, "run.json")?;
    if config.format != "triage-run" || config.version != 1 {
        return Err(ReportError::RunFormat {
            path: run_json,
            format: config.format,
            version: config.version,
        });
    }
    let log = read_log(&dir.join("log.jsonl"))?;
    let summary_path = dir.join("summary.json");
    let summary = if summary_path.is_file() {
        Some(read_json(&summary_path, "summary.json")?)
    } else {
        None
    };
    let profile_path = dir.join("profile.json");
    let profile = if profile_path.is_file() {
        Some(read_json(&profile_path, "profile")?)
    } else {
        None
    };
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let evaluations = read_eval_dir(&dir.join("eval"), &name)?;
    let run = RunDir {
        name,
        path: dir.to_path_buf(),
        config,
        log,
        summary,
    };
    Ok((run, profile, evaluations))
}

/// `eval/<name>.json` files of a run, sorted by name, named `<run>/<name>`.
fn read_eval_dir(dir: &Path, run: &str) -> Result<Vec<NamedEvaluation>, ReportError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
            let name = format!("{run}/{}", stem.unwrap_or_default());
            NamedEvaluation::read(name, p, Some(run.to_string()))
        })
        .collect()
}

/// Read `log.jsonl` (missing file: empty log; blank lines skipped).
fn read_log(path: &Path) -> Result<Vec<EpochRecord>, ReportError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ReportError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| ReportError::LogLine {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })
        })
        .collect()
}
