//! Arguments of the training verbs (`train`, `lr-find`, `predict`) and
//! their translation into triage-nn settings.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use triage_docs::optimizer::{ADAMW_DEFAULT_WEIGHT_DECAY, SGD_DEFAULT_WEIGHT_DECAY};
use triage_nn::lr_find::LrFindConfig;
use triage_nn::pipeline::lr_find_run::LrFindPlan;
use triage_nn::pipeline::plan::{
    resolve_model, AugmentPlan, DataPlan, Provenance, SchedulePlan, TrainPlan,
};
use triage_nn::pipeline::predict_run::PredictPlan;
use triage_nn::run_dir::ModelRef;
use triage_nn::{OptimizerSpec, Select};

/// Which data to train on and how to decode it.
#[derive(Debug, Args, Clone)]
pub struct DataArgs {
    /// Training data: an image folder, a CSV manifest, MNIST IDX files or
    /// CIFAR binary batches (whatever `triage profile` reads). Its `train`
    /// split (or every item without a split) trains; its `val` split
    /// validates.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Without a `val` split, hold out this stratified fraction of the
    /// training items for validation (0 = no validation: then the last
    /// epoch is selected and nothing can be early-stopped).
    #[arg(long, default_value_t = 0.1, value_name = "F")]
    pub val_fraction: f64,

    /// Input size `HxW` (e.g. `32x32`); images of another size are resized
    /// (bilinear). Default: the most common size of the training images.
    #[arg(long, value_name = "HxW", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,

    /// Train on at most this many training images (a stratified subset,
    /// chosen with the seed; for quick experiments).
    #[arg(long, value_name = "N", value_parser = parse_positive)]
    pub max_train: Option<usize>,
}

/// Model and optimisation settings shared by `train` and `lr-find`.
#[derive(Debug, Args, Clone)]
pub struct ModelArgs {
    /// Model: a preset name or a spec file (`.json` or `.toml`, fields of
    /// `triage_nn::ModelSpec`: kind, widths, blocks, norm, dropout,
    /// block_dropout, halve_after_pool, cardinality, bottleneck_width,
    /// stem).
    #[arg(long, default_value = "resnet20", value_name = "PRESET|FILE")]
    pub model: String,

    /// Optimizer: `nesterov` is SGD with Nesterov momentum.
    #[arg(long, value_enum, default_value_t = OptimizerName::Nesterov)]
    pub optimizer: OptimizerName,

    /// Momentum of `sgd`/`nesterov`.
    #[arg(long, default_value_t = 0.9, value_name = "MU")]
    pub momentum: f64,

    /// Use Nesterov momentum with `--optimizer sgd` (same as `--optimizer
    /// nesterov`).
    #[arg(long)]
    pub nesterov: bool,

    /// Weight decay: L2 for SGD (default 5e-4), decoupled for AdamW
    /// (default 1e-2); ignored by Adam, RMSprop and Adadelta.
    #[arg(long, value_name = "L")]
    pub weight_decay: Option<f64>,

    /// Seed of the initial weights, shuffling, augmentation and dropout.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Minibatch size.
    #[arg(long, default_value_t = 128, value_name = "N")]
    pub batch_size: usize,

    /// Compute device: `cpu` (burn flex) or `wgpu` (GPU through
    /// Vulkan/Metal/DX12/GL; needs a build with `--features wgpu`).
    #[arg(long, value_enum, default_value_t = DeviceName::Cpu)]
    pub device: DeviceName,
}

/// The devices of `--device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeviceName {
    /// burn's flex CPU backend.
    Cpu,
    /// burn's wgpu backend (cargo feature `wgpu`).
    Wgpu,
}

impl DeviceName {
    /// The triage-nn backend.
    pub fn backend(self) -> triage_nn::Backend {
        match self {
            DeviceName::Cpu => triage_nn::Backend::Cpu,
            DeviceName::Wgpu => triage_nn::Backend::Wgpu,
        }
    }
}

/// The optimizers of `--optimizer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerName {
    /// SGD (momentum `--momentum`, add `--nesterov` for Nesterov).
    Sgd,
    /// SGD with Nesterov momentum.
    Nesterov,
    /// Adam.
    Adam,
    /// AdamW (decoupled weight decay).
    Adamw,
    /// RMSprop.
    Rmsprop,
    /// Adadelta (use lr 1.0, PyTorch's default).
    Adadelta,
}

/// The schedules of `--schedule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleName {
    /// Constant learning rate `--lr`.
    Constant,
    /// `--lr` × `--gamma` every `--step-epochs` epochs.
    Step,
    /// Linear warmup (`--warmup-epochs`) then cosine to 0.
    Cosine,
    /// One-cycle with peak `--lr` (PyTorch OneCycleLR defaults).
    OneCycle,
    /// Linear decay from `--lr` to 0.
    Linear,
}

/// The selection metric of `--select`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SelectName {
    /// Lowest validation loss (recommended).
    Loss,
    /// Highest validation accuracy (recorded; the report flags it).
    Accuracy,
}

/// Arguments of `triage train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Data.
    #[command(flatten)]
    pub data: DataArgs,

    /// Model and optimizer.
    #[command(flatten)]
    pub model: ModelArgs,

    /// The run directory to write (`run.json`, `log.jsonl`,
    /// `summary.json`, `best.ckpt`, `last.ckpt`).
    #[arg(long, short = 'o', value_name = "RUN_DIR")]
    pub out: PathBuf,

    /// Passes over the training set.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub epochs: usize,

    /// Learning rate (the peak for one-cycle and cosine). Default: 0.1 for
    /// SGD, 1e-3 for Adam/AdamW/RMSprop, 1.0 for Adadelta.
    #[arg(long, value_name = "LR")]
    pub lr: Option<f64>,

    /// Learning-rate schedule.
    #[arg(long, value_enum, default_value_t = ScheduleName::OneCycle)]
    pub schedule: ScheduleName,

    /// `cosine`: warmup length in epochs.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub warmup_epochs: usize,

    /// `step`: epochs between decays.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub step_epochs: usize,

    /// `step`: decay factor.
    #[arg(long, default_value_t = 0.1)]
    pub gamma: f64,

    /// Model selection metric.
    #[arg(long, value_enum, default_value_t = SelectName::Loss)]
    pub select: SelectName,

    /// Stop after this many epochs without a better validation metric.
    #[arg(long, value_name = "N")]
    pub patience: Option<usize>,

    /// Label smoothing ε (0 = off).
    #[arg(long, default_value_t = 0.0, value_name = "EPS")]
    pub label_smoothing: f64,

    /// Random-crop padding in pixels (default: side/8, i.e. 4 for 32×32;
    /// 0 = off).
    #[arg(long, value_name = "PX")]
    pub crop_padding: Option<usize>,

    /// Random horizontal flips (default: on for colour images, off for
    /// gray ones such as digits).
    #[arg(long, overrides_with = "no_flip")]
    pub flip: bool,

    /// No random horizontal flips.
    #[arg(long)]
    pub no_flip: bool,

    /// Cutout square side in pixels (0 = off).
    #[arg(long, default_value_t = 0, value_name = "PX")]
    pub cutout: usize,

    /// Colour jitter J in [0, 1]: per image and channel a gain in
    /// [1-J, 1+J] and an offset in [-J, J] (normalised units) — lighting,
    /// contrast, white balance. 0 = off.
    #[arg(long, default_value_t = 0.0, value_name = "J")]
    pub color_jitter: f64,

    /// Largest Gaussian-blur sigma in pixels, in [0, 3] (per image uniform
    /// in [0, SIGMA]; optics, focus). 0 = off.
    #[arg(long, default_value_t = 0.0, value_name = "SIGMA")]
    pub blur: f64,

    /// Largest standard deviation of additive Gaussian noise, in [0, 1]
    /// (per image uniform in [0, S], normalised units; sensor noise).
    /// 0 = off.
    #[arg(long, default_value_t = 0.0, value_name = "S")]
    pub noise: f64,

    /// Cross-validation: train K models, each on every training item but
    /// those of one fold (stratified, seeded by --seed), and write the
    /// out-of-fold predictions of every training item to
    /// `RUN_DIR/out_of_fold.csv` (for `triage label-issues`); fold i's run is
    /// `RUN_DIR/fold-<i>`.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=50))]
    pub folds: Option<u16>,

    /// Continue the interrupted run in `--out` from its last checkpoint.
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// Overwrite a run already in `--out`.
    #[arg(long)]
    pub force: bool,

    /// Do not draw progress bars.
    #[arg(long)]
    pub no_progress: bool,
}

/// Arguments of `triage lr-find`.
#[derive(Debug, Args)]
pub struct LrFindArgs {
    /// Data.
    #[command(flatten)]
    pub data: DataArgs,

    /// Model and optimizer.
    #[command(flatten)]
    pub model: ModelArgs,

    /// Folder for `lr_find.csv` (lr, loss, smoothed) and `lr_find.json`.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,

    /// First learning rate.
    #[arg(long, default_value_t = 1e-7)]
    pub start_lr: f64,

    /// Last learning rate.
    #[arg(long, default_value_t = 10.0)]
    pub end_lr: f64,

    /// Number of steps.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,

    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `triage predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A run directory written by `triage train`.
    #[arg(value_name = "RUN_DIR")]
    pub run: PathBuf,

    /// Data to predict (any format `triage profile` reads; class names must
    /// be among the run's classes).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Output folder: `predictions.csv`, `embeddings.npy`, `predict.json`.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,

    /// Only the items of this split (`train`, `val`, `test`).
    #[arg(long, value_name = "SPLIT")]
    pub split: Option<String>,

    /// Which checkpoint: the selected epoch (`best`) or the last one.
    #[arg(long, default_value = "best", value_parser = ["best", "last"])]
    pub checkpoint: String,

    /// Inference batch size.
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,

    /// Compute device (see `triage train --help`).
    #[arg(long, value_enum, default_value_t = DeviceName::Cpu)]
    pub device: DeviceName,
}

/// Parse `HxW` (or a single number for a square).
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|&x| x > 0)
            .ok_or_else(|| format!("expected HxW such as 32x32, got {s:?}"))
    };
    let (h, w) = match s.split_once(['x', 'X']) {
        Some((h, w)) => (parse(h)?, parse(w)?),
        None => parse(s).map(|v| (v, v))?,
    };
    let max = triage_docs::run::MAX_INPUT_SIDE;
    if h.max(w) > max {
        return Err(format!("at most {max} pixels a side, got {s:?}"));
    }
    Ok((h, w))
}

/// Parse a count of at least 1.
fn parse_positive(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1, got 0".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a whole number such as 1000, got {s:?}")),
    }
}

/// The commit triage was built from (empty when unknown).
pub const GIT_COMMIT: &str = env!("TRIAGE_GIT_COMMIT");

impl DataArgs {
    /// The data plan.
    pub fn plan(&self) -> DataPlan {
        DataPlan {
            path: self.data.clone(),
            val_fraction: self.val_fraction,
            size: self.size,
            max_train: self.max_train,
            held_out: Vec::new(),
        }
    }
}

impl ModelArgs {
    /// The model spec and, for a preset, its name.
    ///
    /// # Errors
    ///
    /// An unknown preset or an unreadable/invalid spec file.
    pub fn model_ref(&self) -> Result<ModelRef> {
        Ok(resolve_model(&self.model)?)
    }

    /// The optimizer spec (weight decay defaults: SGD 5e-4, AdamW 1e-2).
    pub fn optimizer(&self) -> OptimizerSpec {
        match self.optimizer {
            OptimizerName::Sgd | OptimizerName::Nesterov => OptimizerSpec::Sgd {
                momentum: self.momentum,
                nesterov: self.optimizer == OptimizerName::Nesterov || self.nesterov,
                weight_decay: self.weight_decay.unwrap_or(SGD_DEFAULT_WEIGHT_DECAY),
            },
            OptimizerName::Adam => OptimizerSpec::Adam,
            OptimizerName::Adamw => OptimizerSpec::AdamW {
                weight_decay: self.weight_decay.unwrap_or(ADAMW_DEFAULT_WEIGHT_DECAY),
            },
            OptimizerName::Rmsprop => OptimizerSpec::RmsProp,
            OptimizerName::Adadelta => OptimizerSpec::Adadelta,
        }
    }

    /// The default learning rate of the optimizer
    /// ([`OptimizerSpec::default_lr`]).
    pub fn default_lr(&self) -> f64 {
        self.optimizer().default_lr()
    }
}

impl TrainArgs {
    /// The schedule, lengths in epochs.
    pub fn schedule(&self) -> SchedulePlan {
        let lr = self.lr.unwrap_or_else(|| self.model.default_lr());
        match self.schedule {
            ScheduleName::Constant => SchedulePlan::Constant { lr },
            ScheduleName::Step => SchedulePlan::Step {
                lr,
                step_epochs: self.step_epochs,
                gamma: self.gamma,
            },
            ScheduleName::Cosine => SchedulePlan::Cosine {
                lr,
                warmup_epochs: self.warmup_epochs,
            },
            ScheduleName::OneCycle => SchedulePlan::OneCycle { max_lr: lr },
            ScheduleName::Linear => SchedulePlan::Linear { lr },
        }
    }

    /// The augmentation (defaults resolved against the images).
    pub fn augment(&self) -> AugmentPlan {
        let flip = if self.flip {
            Some(true)
        } else if self.no_flip {
            Some(false)
        } else {
            None
        };
        AugmentPlan {
            crop_padding: self.crop_padding,
            flip,
            cutout: self.cutout,
            color_jitter: self.color_jitter,
            blur: self.blur,
            noise: self.noise,
        }
    }

    /// The selection metric.
    pub fn select(&self) -> Select {
        match self.select {
            SelectName::Loss => Select::Loss,
            SelectName::Accuracy => Select::Accuracy,
        }
    }

    /// The training plan.
    ///
    /// # Errors
    ///
    /// An unknown model.
    pub fn plan(&self) -> Result<TrainPlan> {
        Ok(TrainPlan {
            data: self.data.plan(),
            model: self.model.model_ref()?,
            optimizer: self.model.optimizer(),
            schedule: self.schedule(),
            epochs: self.epochs,
            batch_size: self.model.batch_size,
            seed: self.model.seed,
            select: self.select(),
            patience: self.patience,
            label_smoothing: self.label_smoothing,
            augment: self.augment(),
            backend: self.model.device.backend(),
            out: self.out.clone(),
            resume: self.resume,
            force: self.force,
            provenance: provenance(),
        })
    }
}

/// What `run.json` records of this build and command line.
pub fn provenance() -> Provenance {
    Provenance {
        triage_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: (!GIT_COMMIT.is_empty()).then(|| GIT_COMMIT.to_string()),
        command: std::env::args().collect(),
    }
}

impl LrFindArgs {
    /// The range-test plan.
    ///
    /// # Errors
    ///
    /// An unknown model.
    pub fn plan(&self) -> Result<LrFindPlan> {
        Ok(LrFindPlan {
            data: self.data.plan(),
            model: self.model.model_ref()?,
            optimizer: self.model.optimizer(),
            config: LrFindConfig {
                start: self.start_lr,
                end: self.end_lr,
                steps: self.steps,
                batch_size: self.model.batch_size,
                seed: self.model.seed,
                ..LrFindConfig::default()
            },
            backend: self.model.device.backend(),
            out: self.out.clone(),
        })
    }
}

impl PredictArgs {
    /// The prediction plan.
    pub fn plan(&self) -> PredictPlan {
        PredictPlan {
            run: self.run.clone(),
            data: self.data.clone(),
            out: self.out.clone(),
            split: self.split.clone(),
            items: None,
            checkpoint: self.checkpoint.clone(),
            batch_size: self.batch_size,
            backend: self.device.backend(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("32x28"), Ok((32, 28)));
        assert_eq!(parse_size("64"), Ok((64, 64)));
        assert!(parse_size("0x3").is_err());
        assert!(parse_size("big").is_err());
    }
}
