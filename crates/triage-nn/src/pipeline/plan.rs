//! What to train, as a caller asks for it: the choices whose final value
//! depends on the data (schedule lengths in epochs, the crop padding and
//! flips that suit the image size and colour) are resolved here once the
//! data is known.

use std::path::{Path, PathBuf};

use crate::augment::Augment;
use crate::device::Backend;
use crate::optimizer::OptimizerSpec;
use crate::run_dir::ModelRef;
use crate::schedule::Schedule;
use crate::train::{Select, TrainConfig};
use crate::zoo::{preset, preset_names};

use super::PipelineError;

/// Which data to train on and how to decode it.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPlan {
    /// Any dataset triage reads. Its `train` split (or every item without
    /// a split) trains; its `val` split validates.
    pub path: PathBuf,
    /// Without a `val` split, hold out this stratified fraction of the
    /// training items for validation, in [0, 1) (0 = none).
    pub val_fraction: f64,
    /// Input size (H, W); default the most common size of the training
    /// images.
    pub size: Option<(u32, u32)>,
    /// Train on at most this many images (a stratified subset).
    pub max_train: Option<usize>,
    /// Items (indices into the dataset) neither trained nor validated on:
    /// the held-out fold of a cross-validation (`triage train --folds`).
    pub held_out: Vec<usize>,
}

/// A learning-rate schedule with lengths in epochs.
#[derive(Debug, Clone, PartialEq)]
pub enum SchedulePlan {
    /// Constant `lr`.
    Constant {
        /// The rate.
        lr: f64,
    },
    /// `lr · gamma` every `step_epochs` epochs.
    Step {
        /// The initial rate.
        lr: f64,
        /// Epochs between decays.
        step_epochs: usize,
        /// Decay factor.
        gamma: f64,
    },
    /// Linear warm-up over `warmup_epochs`, then cosine to 0.
    Cosine {
        /// The peak rate.
        lr: f64,
        /// Warm-up epochs.
        warmup_epochs: usize,
    },
    /// One-cycle with peak `max_lr` (PyTorch defaults).
    OneCycle {
        /// The peak rate.
        max_lr: f64,
    },
    /// Linear decay from `lr` to 0.
    Linear {
        /// The initial rate.
        lr: f64,
    },
}

impl SchedulePlan {
    /// The schedule in optimizer steps, for `batches_per_epoch` batches.
    pub fn resolve(&self, batches_per_epoch: usize) -> Schedule {
        match *self {
            SchedulePlan::Constant { lr } => Schedule::Constant { lr },
            SchedulePlan::Step {
                lr,
                step_epochs,
                gamma,
            } => Schedule::Step {
                lr,
                step_size: (step_epochs * batches_per_epoch).max(1),
                gamma,
            },
            SchedulePlan::Cosine { lr, warmup_epochs } => Schedule::CosineWithWarmup {
                lr,
                warmup_steps: warmup_epochs * batches_per_epoch,
                min_lr: 0.0,
            },
            SchedulePlan::OneCycle { max_lr } => Schedule::OneCycle { max_lr },
            SchedulePlan::Linear { lr } => Schedule::LinearDecay { lr },
        }
    }
}

/// Augmentation, with defaults that depend on the images.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AugmentPlan {
    /// Random-crop padding in pixels; default side/8 (4 on 32×32).
    pub crop_padding: Option<usize>,
    /// Horizontal flips; default on for colour images, off for gray ones
    /// (digits, text).
    pub flip: Option<bool>,
    /// Cutout square side (0 = off).
    pub cutout: usize,
    /// Colour jitter ([`Augment::color_jitter`]; 0 = off).
    pub color_jitter: f64,
    /// Largest blur σ in pixels ([`Augment::blur`]; 0 = off).
    pub blur: f64,
    /// Largest noise standard deviation ([`Augment::noise`]; 0 = off).
    pub noise: f64,
}

impl AugmentPlan {
    /// The augmentation for images whose smaller side is `side` pixels,
    /// with `channels` channels.
    pub fn resolve(&self, side: usize, channels: usize) -> Augment {
        Augment {
            crop_padding: self.crop_padding.unwrap_or(side / 8),
            flip: self.flip.unwrap_or(channels == 3),
            cutout: self.cutout,
            color_jitter: self.color_jitter,
            blur: self.blur,
            noise: self.noise,
        }
    }
}

/// Who trained: recorded in `run.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Version of triage.
    pub triage_version: String,
    /// Commit triage was built from, if known.
    pub git_commit: Option<String>,
    /// The command line.
    pub command: Vec<String>,
}

/// Everything `triage train` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainPlan {
    /// The data.
    pub data: DataPlan,
    /// The model (see [`resolve_model`]).
    pub model: ModelRef,
    /// The optimizer.
    pub optimizer: OptimizerSpec,
    /// The learning-rate schedule.
    pub schedule: SchedulePlan,
    /// Passes over the training set.
    pub epochs: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// Seed of the split, initialisation, shuffling, augmentation, dropout.
    pub seed: u64,
    /// Checkpoint selection.
    pub select: Select,
    /// Early-stopping patience in epochs.
    pub patience: Option<usize>,
    /// Label smoothing ε.
    pub label_smoothing: f64,
    /// Augmentation.
    pub augment: AugmentPlan,
    /// Where to compute.
    pub backend: Backend,
    /// The run directory.
    pub out: PathBuf,
    /// Continue the run in `out` from its last checkpoint.
    pub resume: bool,
    /// Replace a run already in `out`.
    pub force: bool,
    /// Recorded in `run.json`.
    pub provenance: Provenance,
}

impl TrainPlan {
    /// The training settings for `batches` batches per epoch on images
    /// whose smaller side is `side` pixels, with `channels` channels.
    pub fn train_config(&self, batches: usize, side: usize, channels: usize) -> TrainConfig {
        TrainConfig {
            epochs: self.epochs,
            batch_size: self.batch_size,
            seed: self.seed,
            schedule: self.schedule.resolve(batches),
            optimizer: self.optimizer.clone(),
            label_smoothing: self.label_smoothing,
            augment: self.augment.resolve(side, channels),
            select: self.select,
            patience: self.patience,
        }
    }

    /// Check every setting that does not depend on the data (the model,
    /// the optimizer, schedule, augmentation and the fractions), as
    /// training would, without opening anything: a sweep checks all its
    /// tasks this way before it runs any.
    ///
    /// # Errors
    /// [`PipelineError::Invalid`] naming the first bad setting.
    pub fn check(&self) -> Result<(), PipelineError> {
        let invalid = |e: &dyn std::fmt::Display| PipelineError::Invalid(e.to_string());
        self.model.spec.validate().map_err(|e| invalid(&e))?;
        if !(0.0..1.0).contains(&self.data.val_fraction) {
            return Err(PipelineError::Invalid(format!(
                "--val-fraction must be in [0, 1), got {}",
                self.data.val_fraction
            )));
        }
        if self.data.max_train == Some(0) {
            return Err(PipelineError::Invalid(
                "--max-train must be at least 1".into(),
            ));
        }
        self.train_config(1, 32, 3)
            .validate()
            .map_err(|e| invalid(&e))
    }
}

/// A model given as a preset name (`resnet20`, …) or a spec file (`.toml`,
/// else JSON), validated.
///
/// # Errors
///
/// An unknown preset, an unreadable or invalid spec file.
pub fn resolve_model(model: &str) -> Result<ModelRef, PipelineError> {
    if let Some(spec) = preset(model) {
        return Ok(ModelRef {
            preset: Some(model.to_string()),
            spec,
        });
    }
    let path = Path::new(model);
    if !path.exists() {
        return Err(PipelineError::Invalid(format!(
            "unknown model {model:?}: not a preset ({}) and no such spec file",
            preset_names()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| PipelineError::io(path, e))?;
    let spec: crate::model::ModelSpec = if path.extension().is_some_and(|e| e == "toml") {
        toml::from_str(&text).map_err(|e| invalid_spec(path, e))?
    } else {
        serde_json::from_str(&text).map_err(|e| invalid_spec(path, e))?
    };
    spec.validate().map_err(|e| invalid_spec(path, e))?;
    Ok(ModelRef { preset: None, spec })
}

fn invalid_spec(path: &Path, e: impl std::fmt::Display) -> PipelineError {
    PipelineError::Invalid(format!("{}: invalid model spec: {e}", path.display()))
}
