//! Training settings and the learning curve, as `run.json` and
//! `log.jsonl` record them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::optimizer::OptimizerSpec;
use crate::schedule::Schedule;
use crate::ConfigError;

/// Which augmentations to apply to every training image.
///
/// The geometric ones (crop, flip, cutout) are those of He et al. 2016
/// and DeVries & Taylor 2017. The photometric ones (colour jitter, blur,
/// noise) prepare a model for images taken under other conditions than
/// the training set's — other lighting, white balance, optics and sensor
/// (the covariate shift of synthetic → real); their magnitudes are in the
/// units of the normalised image, i.e. standard deviations of the
/// training set's pixel values per channel. Each is off at 0 and then
/// absent from `run.json`, so runs written before they existed read the
/// same.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Augment {
    /// Pad by this many pixels on every side, then crop back to the
    /// original size at a uniform random offset (0 = off; CIFAR uses 4).
    pub crop_padding: usize,
    /// Mirror left–right with probability ½ (off for digits and text).
    pub flip: bool,
    /// Side of the cutout square (0 = off; DeVries & Taylor use 16 on
    /// CIFAR-10).
    pub cutout: usize,
    /// Colour jitter `j` in [0, 1] (0 = off): per image and channel `c`, a
    /// gain `g_c ~ U[1 − j, 1 + j]` and an offset `b_c ~ U[−j, j]`, so
    /// `x' = g_c · x + b_c` — contrast, brightness and white balance at
    /// once (torchvision's `ColorJitter` acts on the same three, on the
    /// raw image).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub color_jitter: f64,
    /// Largest Gaussian-blur σ in pixels, in [0, 3] (0 = off): per image
    /// `σ ~ U[0, blur]`, a separable kernel of radius ⌈3σ⌉ with edges
    /// clamped; σ < 0.2 px leaves the image as it is.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub blur: f64,
    /// Largest standard deviation of additive Gaussian noise, in [0, 1]
    /// (0 = off): per image `s ~ U[0, noise]`, then `x' = x + s · z`
    /// with `z ~ N(0, 1)` independent per value (sensor noise).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub noise: f64,
}

// serde's skip_serializing_if passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        crop_padding: 0,
        flip: false,
        cutout: 0,
        color_jitter: 0.0,
        blur: 0.0,
        noise: 0.0,
    };

    /// Whether any augmentation is on.
    pub fn is_active(&self) -> bool {
        *self != Self::NONE
    }

    /// Check the photometric magnitudes.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first one that is not finite or out of
    /// its range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value, max) in [
            ("augment.color_jitter", self.color_jitter, 1.0),
            ("augment.blur", self.blur, 3.0),
            ("augment.noise", self.noise, 1.0),
        ] {
            if !(0.0..=max).contains(&value) {
                return Err(ConfigError::new(
                    name,
                    format!("must be in [0, {max}], got {value}"),
                ));
            }
        }
        Ok(())
    }
}

/// Which validation metric picks the best epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Select {
    /// Lowest validation loss (the default: accuracy ignores confidence and
    /// is noisier, so selecting on it favours overconfident epochs).
    #[default]
    Loss,
    /// Highest validation accuracy (ties: lower loss). The run records the
    /// choice and the report flags it.
    Accuracy,
}

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per minibatch (He et al. use 128).
    pub batch_size: usize,
    /// Seed of shuffling, augmentation and dropout.
    pub seed: u64,
    /// Learning rate per step.
    pub schedule: Schedule,
    /// Optimizer.
    pub optimizer: OptimizerSpec,
    /// Label smoothing ε in [0, 1) (Szegedy et al. 2016; 0 = off).
    #[serde(default)]
    pub label_smoothing: f64,
    /// Augmentation of training images.
    #[serde(default = "no_augment")]
    pub augment: Augment,
    /// Model selection metric.
    #[serde(default)]
    pub select: Select,
    /// Stop after this many epochs without a new best (none = never).
    #[serde(default)]
    pub patience: Option<usize>,
}

fn no_augment() -> Augment {
    Augment::NONE
}

impl TrainConfig {
    /// A config with the given basics and no smoothing, augmentation or
    /// early stopping, selecting on validation loss.
    pub fn new(
        epochs: usize,
        batch_size: usize,
        seed: u64,
        schedule: Schedule,
        optimizer: OptimizerSpec,
    ) -> Self {
        Self {
            epochs,
            batch_size,
            seed,
            schedule,
            optimizer,
            label_smoothing: 0.0,
            augment: Augment::NONE,
            select: Select::Loss,
            patience: None,
        }
    }

    /// Check every setting.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.epochs == 0 {
            return Err(ConfigError::new("epochs", "must be > 0, got 0"));
        }
        if self.batch_size == 0 {
            return Err(ConfigError::new("batch_size", "must be > 0, got 0"));
        }
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(ConfigError::new(
                "label_smoothing",
                format!("must be in [0, 1), got {}", self.label_smoothing),
            ));
        }
        if self.patience == Some(0) {
            return Err(ConfigError::new("patience", "must be > 0"));
        }
        self.augment.validate()?;
        self.schedule.validate()?;
        self.optimizer.validate()
    }
}

/// What one epoch did (one line of the run's `log.jsonl`). Non-finite
/// values (a diverged loss) are written as `null` and read back as NaN.
/// The lines carry no `format`/`version` of their own: `run.json`'s
/// version covers the whole run directory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss (nats, with label smoothing if on) over the
    /// epoch's samples, each measured in training mode just before its
    /// batch's update.
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub train_loss: f64,
    /// Fraction of training samples classified correctly, measured the same
    /// way (on augmented images).
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub train_acc: f64,
    /// Mean cross-entropy on the validation set after the epoch, eval mode,
    /// no smoothing; `None` without a validation set.
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch.
    pub val_acc: Option<f64>,
    /// Validation top-label ECE (15 bins) after the epoch.
    pub val_ece: Option<f64>,
    /// The learning rate of the epoch's last step.
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub lr: f64,
    /// Training images per second (the epoch's training steps only).
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub images_per_sec: f64,
    /// Wall time of the epoch, validation included, in seconds.
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub seconds: f64,
}
