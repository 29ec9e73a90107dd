//! The run directory of `triage train`: what was trained and how
//! (`run.json`), the learning curves (`log.jsonl`), the outcome
//! (`summary.json`) and the checkpoints (`best.ckpt`, `last.ckpt`).
//!
//! | File | Written | Content |
//! |---|---|---|
//! | `run.json` | at the start | [`RunMeta`]: config, seed, model spec, classes, input shape, normalisation, versions, git commit, command line |
//! | `log.jsonl` | after every epoch | one [`EpochRecord`] per line |
//! | `last.ckpt` | after every epoch | weights + optimizer + [`TrainState`] ([`crate::checkpoint`]) |
//! | `best.ckpt` | when the selected metric improves | weights + [`TrainState`] |
//! | `summary.json` | after every epoch and at the end | [`Summary`] |
//!
//! Every file but the log is replaced atomically (temp file + rename); on
//! resume the log is rewritten from the checkpoint's history.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use burn::optim::ModuleOptimizer;
use triage_docs::run_layout as layout;

use crate::checkpoint::{self, write_atomic};
use crate::error::NnError;
use crate::model::Model;
use crate::train::{EpochRecord, TrainState};

/// The burn version this crate is pinned to (`=0.22.1` in Cargo.toml).
pub const BURN_VERSION: &str = "0.22.1";
pub use triage_docs::run::{
    ModelRef, Normalization, Preprocess, RunMeta, Summary, RUN_FORMAT, RUN_VERSION, SUMMARY_FORMAT,
    SUMMARY_VERSION,
};

/// A run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// The folder.
    pub path: PathBuf,
    /// Its `run.json`.
    pub meta: RunMeta,
}

impl RunDir {
    /// Path of the weights of the selected epoch.
    pub fn best_checkpoint(&self) -> PathBuf {
        self.path.join(layout::BEST_CHECKPOINT)
    }

    /// Path of the checkpoint of the last completed epoch.
    pub fn last_checkpoint(&self) -> PathBuf {
        self.path.join(layout::LAST_CHECKPOINT)
    }

    fn log_path(&self) -> PathBuf {
        self.path.join(layout::LOG)
    }

    /// Create the folder (and parents), write `run.json` and an empty log.
    ///
    /// # Errors
    ///
    /// [`NnError::Io`]; [`NnError::InvalidConfig`] when the folder already
    /// holds a run and `overwrite` is false.
    pub fn create(path: &Path, meta: RunMeta, overwrite: bool) -> Result<Self, NnError> {
        fs::create_dir_all(path).map_err(|e| NnError::io(path, e))?;
        let run_json = path.join(layout::RUN_JSON);
        if run_json.exists() && !overwrite {
            return Err(NnError::invalid(
                "output directory",
                format!(
                    "{} already holds a run; pass --resume to continue it or --force to start over",
                    path.display()
                ),
            ));
        }
        for stale in [
            layout::BEST_CHECKPOINT,
            layout::LAST_CHECKPOINT,
            layout::SUMMARY,
        ] {
            let _ = fs::remove_file(path.join(stale));
        }
        let dir = Self {
            path: path.to_path_buf(),
            meta,
        };
        let json = serde_json::to_vec_pretty(&dir.meta).map_err(|e| NnError::io(&run_json, e))?;
        write_atomic(&run_json, &json)?;
        write_atomic(&dir.log_path(), b"")?;
        Ok(dir)
    }

    /// Open an existing run directory.
    ///
    /// # Errors
    ///
    /// [`NnError::Io`] when `run.json` cannot be read, [`NnError::Corrupt`]
    /// when it is not a triage run.
    pub fn open(path: &Path) -> Result<Self, NnError> {
        let run_json = path.join(layout::RUN_JSON);
        let bytes = fs::read(&run_json).map_err(|e| NnError::io(&run_json, e))?;
        let meta: RunMeta = serde_json::from_slice(&bytes).map_err(|e| NnError::Corrupt {
            path: run_json.clone(),
            what: "run.json",
            reason: e.to_string(),
        })?;
        if meta.format != RUN_FORMAT || meta.version != RUN_VERSION {
            return Err(NnError::Corrupt {
                path: run_json,
                what: "run.json",
                reason: format!(
                    "format {:?} version {}, expected {RUN_FORMAT:?} version {RUN_VERSION}",
                    meta.format, meta.version
                ),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            meta,
        })
    }

    /// Record a finished epoch: append its log line, write `last.ckpt`
    /// (and `best.ckpt` when `is_best`) and `summary.json`.
    ///
    /// # Errors
    ///
    /// [`NnError::Io`] when a file cannot be written.
    pub fn record_epoch(
        &self,
        state: &TrainState,
        model: &Model,
        optimizer: &ModuleOptimizer,
        is_best: bool,
    ) -> Result<(), NnError> {
        checkpoint::save(&self.last_checkpoint(), state, model, Some(optimizer))?;
        if is_best {
            checkpoint::save(&self.best_checkpoint(), state, model, None)?;
        }
        if let Some(record) = state.history.last() {
            self.append_log(record)?;
        }
        let status = if state.stopped_early {
            "early_stopped"
        } else if state.epochs_done >= self.meta.train.epochs {
            "completed"
        } else {
            "running"
        };
        self.write_summary(state, status, None)
    }

    /// Rewrite `log.jsonl` from a checkpoint's history (on resume).
    ///
    /// # Errors
    ///
    /// [`NnError::Io`].
    pub fn rewrite_log(&self, history: &[EpochRecord]) -> Result<(), NnError> {
        let mut out = Vec::new();
        for r in history {
            out.extend(serde_json::to_vec(r).map_err(|e| NnError::io(&self.log_path(), e))?);
            out.push(b'\n');
        }
        write_atomic(&self.log_path(), &out)
    }

    fn append_log(&self, record: &EpochRecord) -> Result<(), NnError> {
        let path = self.log_path();
        let mut line = serde_json::to_vec(record).map_err(|e| NnError::io(&path, e))?;
        line.push(b'\n');
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(&line))
            .map_err(|e| NnError::io(&path, e))
    }

    /// Write `summary.json` with `status` and an optional error message.
    ///
    /// # Errors
    ///
    /// [`NnError::Io`].
    pub fn write_summary(
        &self,
        state: &TrainState,
        status: &str,
        error: Option<String>,
    ) -> Result<(), NnError> {
        let summary = Summary {
            format: SUMMARY_FORMAT.into(),
            version: SUMMARY_VERSION,
            status: status.to_string(),
            best_epoch: state.best.map(|b| b.epoch),
            best_val_loss: state.best.and_then(|b| b.val_loss),
            best_val_acc: state.best.and_then(|b| b.val_acc),
            epochs_run: state.epochs_done,
            select: self.meta.train.select,
            error,
        };
        let path = self.path.join(layout::SUMMARY);
        let json = serde_json::to_vec_pretty(&summary).map_err(|e| NnError::io(&path, e))?;
        write_atomic(&path, &json)
    }

    /// Read the training log.
    ///
    /// # Errors
    ///
    /// [`NnError::Io`], or [`NnError::Corrupt`] naming the bad line.
    pub fn read_log(&self) -> Result<Vec<EpochRecord>, NnError> {
        let path = self.log_path();
        let text = fs::read_to_string(&path).map_err(|e| NnError::io(&path, e))?;
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| NnError::Corrupt {
                    path: path.clone(),
                    what: "log.jsonl",
                    reason: format!("line {}: {e}", i + 1),
                })
            })
            .collect()
    }
}

/// The current time as RFC 3339 UTC, e.g. `2026-11-27T20:00:00Z`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible
    // low-level date algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
