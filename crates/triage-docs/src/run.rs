//! The run directory's documents: `run.json` ([`RunMeta`], format
//! `triage-run`) and `summary.json` ([`Summary`], format
//! `triage-run-summary`); `log.jsonl` holds one
//! [`EpochRecord`](crate::training::EpochRecord) per line.
//!
//! Version history: `summary.json` files written before version 1 have no
//! `format`/`version` (triage 0.1.0); they are read as version 1.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model_spec::{InputShape, ModelSpec};
use crate::training::{Select, TrainConfig};
use crate::{stamp, DocError, Document};

/// Value of `run.json`'s `format` key.
pub const RUN_FORMAT: &str = "triage-run";
/// Version of the run directory layout.
pub const RUN_VERSION: u32 = 1;

/// The model of a run: the preset it came from, if any, and the full spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelRef {
    /// Preset name (`vgg-like`, `resnet20`, ...), `None` for a spec file.
    pub preset: Option<String>,
    /// The spec the model was built from.
    pub spec: ModelSpec,
}

/// Per-channel normalisation `x' = (x/255 − mean)/std`, fitted on the
/// training images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Normalization {
    /// Mean of every channel, on the [0, 1] scale.
    pub mean: Vec<f32>,
    /// Standard deviation of every channel (at least 1e-3).
    pub std: Vec<f32>,
}

/// The largest input side (height or width) a model is trained at, in
/// pixels: 4096. Larger sizes are refused before anything is decoded.
pub const MAX_INPUT_SIDE: u32 = 4096;

/// How images were decoded for the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Preprocess {
    /// Resize to (width, height); `None` when every image already had the
    /// input size.
    pub resize: Option<(u32, u32)>,
    /// `gray` (1 channel) or `rgb` (3 channels).
    pub channels: String,
    /// The normalisation.
    pub normalize: Normalization,
}

/// `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunMeta {
    /// Always [`RUN_FORMAT`].
    pub format: String,
    /// [`RUN_VERSION`].
    pub version: u32,
    /// Version of triage.
    pub triage_version: String,
    /// Version of burn.
    pub burn_version: String,
    /// Commit triage was built from, if known.
    pub git_commit: Option<String>,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// The command line.
    pub command: Vec<String>,
    /// The training data as given.
    pub data: String,
    /// The model.
    pub model: ModelRef,
    /// Training settings (flattened: `epochs`, `batch_size`, `seed`,
    /// `schedule`, `optimizer`, `label_smoothing`, `augment`, `select`,
    /// `patience`).
    #[serde(flatten)]
    pub train: TrainConfig,
    /// Input shape of the model.
    pub input: InputShape,
    /// Class names, in output order.
    pub classes: Vec<String>,
    /// Decoding and normalisation.
    pub preprocess: Preprocess,
    /// Training images.
    pub train_size: usize,
    /// Validation images.
    pub val_size: usize,
    /// Where the validation images came from (`val split`, or `10% of
    /// train, stratified, seed S`).
    pub val_source: String,
}

/// `summary.json`: the outcome so far (format `triage-run-summary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Always [`SUMMARY_FORMAT`].
    pub format: String,
    /// [`SUMMARY_VERSION`].
    pub version: u32,
    /// `running`, `completed`, `early_stopped`, `diverged` or `failed`.
    pub status: String,
    /// The selected epoch (1-based).
    pub best_epoch: Option<usize>,
    /// Its validation loss.
    pub best_val_loss: Option<f64>,
    /// Its validation accuracy.
    pub best_val_acc: Option<f64>,
    /// Epochs completed.
    pub epochs_run: usize,
    /// The selection metric.
    pub select: Select,
    /// The error that ended the run, if any.
    pub error: Option<String>,
}

impl RunMeta {
    /// The preset name, else the spec's kind (`resnet`, `vgg`, …).
    pub fn model_name(&self) -> String {
        self.model.preset.clone().unwrap_or_else(|| {
            serde_json::to_value(self.model.spec.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
    }

    /// The optimizer's `kind` as written in `run.json` (`sgd`, `adam_w`, …).
    pub fn optimizer_kind(&self) -> String {
        tag(&self.train.optimizer)
    }

    /// The schedule's `kind` as written in `run.json` (`one_cycle`, …).
    pub fn schedule_kind(&self) -> String {
        tag(&self.train.schedule)
    }
}

/// The `kind` tag of an internally tagged enum.
fn tag<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

/// Value of `summary.json`'s `format` key.
pub const SUMMARY_FORMAT: &str = "triage-run-summary";
/// Version of `summary.json`.
pub const SUMMARY_VERSION: u32 = 1;

impl Document for RunMeta {
    const FORMAT: &'static str = RUN_FORMAT;
    const VERSION: u32 = RUN_VERSION;
    const WHAT: &'static str = "run.json";

    fn check(&self) -> Result<(), DocError> {
        let bad = |reason: String| {
            Err(DocError::Invalid {
                what: Self::WHAT,
                reason,
            })
        };
        if self.classes.len() < 2 {
            return bad(format!(
                "`classes` has {} entries; at least 2 are needed",
                self.classes.len()
            ));
        }
        if self.input.is_empty() {
            return bad(format!("`input` {:?} is empty", self.input));
        }
        let side = self.input.height.max(self.input.width);
        if side > MAX_INPUT_SIDE as usize || !matches!(self.input.channels, 1 | 3) {
            return bad(format!(
                "`input` {:?}: expected 1 or 3 channels and at most {MAX_INPUT_SIDE} pixels a side",
                self.input
            ));
        }
        let c = self.input.channels;
        let norm = &self.preprocess.normalize;
        if norm.mean.len() != c || norm.std.len() != c {
            return bad(format!(
                "`preprocess.normalize` has {} means and {} stds for {c} channels",
                norm.mean.len(),
                norm.std.len()
            ));
        }
        self.train.validate().map_err(|e| DocError::Invalid {
            what: Self::WHAT,
            reason: e.to_string(),
        })
    }
}

impl Document for Summary {
    const FORMAT: &'static str = SUMMARY_FORMAT;
    const VERSION: u32 = SUMMARY_VERSION;
    const WHAT: &'static str = "summary.json";

    fn upgrade(value: &mut Value) -> Result<(), DocError> {
        if value.get("format").is_some() || value.get("status").is_none() {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: "no `status` key".into(),
            });
        }
        stamp(value, SUMMARY_FORMAT, SUMMARY_VERSION);
        Ok(())
    }

    fn check(&self) -> Result<(), DocError> {
        const KNOWN: [&str; 6] = [
            "running",
            "completed",
            "early_stopped",
            "diverged",
            "failed",
            "interrupted",
        ];
        if !KNOWN.contains(&self.status.as_str()) {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!("`status` {:?} is not one of {KNOWN:?}", self.status),
            });
        }
        if let Some(best) = self.best_epoch {
            if best == 0 || best > self.epochs_run {
                return Err(DocError::Invalid {
                    what: Self::WHAT,
                    reason: format!(
                        "`best_epoch` {best} is not among the {} epochs run",
                        self.epochs_run
                    ),
                });
            }
        }
        Ok(())
    }
}
