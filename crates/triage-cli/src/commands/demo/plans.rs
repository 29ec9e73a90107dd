//! What the demo generates and trains: its sizes and the two training
//! plans, built as the libraries' values (no argument structs, no spec
//! files).

use std::path::{Path, PathBuf};

use anyhow::Result;
use triage_docs::model_spec::{ModelKind, ModelSpec};
use triage_docs::optimizer::ADAMW_DEFAULT_WEIGHT_DECAY;
use triage_nn::pipeline::plan::{resolve_model, AugmentPlan, DataPlan, SchedulePlan, TrainPlan};
use triage_nn::run_dir::ModelRef;
use triage_nn::{Backend, OptimizerSpec, Select};
use triage_synth::{Domain, ImageFormat, SynthConfig};

use crate::train_args::provenance;

/// Folder name of the baseline's run under `DIR/runs/`.
pub const BASELINE_RUN: &str = "resnet-adamw-onecycle";
/// The baseline's one-cycle peak learning rate (AdamW).
const BASELINE_PEAK_LR: f64 = 2e-3;
/// The baseline's epochs in the full demo.
const BASELINE_EPOCHS: usize = 22;
/// The baseline's photometric augmentation: colour jitter, largest blur
/// σ (px), largest noise standard deviation — about the real-like set's
/// lighting ramp (±10–25 %), colour cast (±10 %), blur (σ 0.5–1.2 px) and
/// sensor noise plus texture, in standard deviations of the training
/// pixels.
const BASELINE_PHOTOMETRIC: (f64, f64, f64) = (0.3, 1.2, 0.25);
/// Share of the training split held out for validation when the data has
/// no `val` split of its own (the synthetic set has one).
const VAL_FRACTION: f64 = 0.1;

/// Sizes of one demo flavour.
pub(super) struct DemoSizes {
    pub(super) classes: usize,
    per_class: usize,
    real_per_class: usize,
    size: u32,
    epochs: usize,
    baseline_epochs: usize,
    batch_size: usize,
    pub(super) bootstrap: usize,
    /// MMD permutations of the shift step.
    pub(super) permutations: usize,
    seed_model: ModelRef,
    baseline_model: ModelRef,
}

/// A narrow model of `kind` for `--quick`.
fn quick_model(kind: ModelKind, widths: &[usize], block_dropout: f64, dropout: f64) -> ModelRef {
    ModelRef {
        preset: None,
        spec: ModelSpec {
            kind,
            widths: Some(widths.to_vec()),
            blocks: Some(vec![1; widths.len()]),
            norm: None,
            dropout,
            block_dropout,
            halve_after_pool: false,
            cardinality: None,
            bottleneck_width: None,
            stem: None,
        },
    }
}

impl DemoSizes {
    /// The full demo, or the quick one (3 classes, 16×16, 2 epochs,
    /// narrow networks).
    pub(super) fn new(quick: bool) -> Result<Self> {
        Ok(if quick {
            Self {
                classes: 3,
                per_class: 24,
                real_per_class: 8,
                size: 16,
                epochs: 2,
                baseline_epochs: 2,
                batch_size: 16,
                bootstrap: 50,
                permutations: 200,
                seed_model: quick_model(ModelKind::Vgg, &[8, 16], 0.2, 0.5),
                baseline_model: quick_model(ModelKind::Resnet, &[4, 8, 16], 0.0, 0.0),
            }
        } else {
            Self {
                classes: 6,
                per_class: 600,
                real_per_class: 100,
                size: 24,
                epochs: 15,
                baseline_epochs: BASELINE_EPOCHS,
                batch_size: 32,
                bootstrap: 500,
                permutations: 1_000,
                seed_model: resolve_model("vgg-like")?,
                baseline_model: resolve_model("resnet20")?,
            }
        })
    }

    /// The clean synthetic training set: train/val/test, 4:1 imbalance,
    /// class-sorted files.
    pub(super) fn synthetic(&self, seed: u64) -> SynthConfig {
        SynthConfig {
            classes: self.classes,
            per_class: self.per_class,
            seed,
            size: self.size,
            imbalance: 4.0,
            label_noise: 0.0,
            domain: Domain::Clean,
            format: ImageFormat::Png,
            val_fraction: 0.15,
            test_fraction: 0.2,
        }
    }

    /// The real-like deployment set of the same classes: balanced, JPEG,
    /// no splits.
    pub(super) fn real_like(&self, seed: u64) -> SynthConfig {
        SynthConfig {
            per_class: self.real_per_class,
            seed: seed.wrapping_add(1000),
            imbalance: 1.0,
            domain: Domain::RealLike,
            format: ImageFormat::Jpeg { quality: 85 },
            val_fraction: 0.0,
            test_fraction: 0.0,
            ..self.synthetic(seed)
        }
    }

    /// The demo's two trainings on `manifest`, each with its run folder
    /// name and a description: the seed's model (vgg-like + Adadelta at a
    /// constant rate, crop only, selected on accuracy) and the baseline
    /// (ResNet + AdamW + one-cycle + photometric augmentation, selected on
    /// loss).
    pub(super) fn trainings(&self, manifest: &Path, runs: &Path, seed: u64) -> [DemoTraining; 2] {
        let data = DataPlan {
            path: manifest.to_path_buf(),
            val_fraction: VAL_FRACTION,
            size: None,
            max_train: None,
            held_out: Vec::new(),
        };
        let plan = |model: &ModelRef,
                    optimizer: OptimizerSpec,
                    schedule: SchedulePlan,
                    epochs: usize,
                    select: Select,
                    augment: AugmentPlan,
                    out: PathBuf| TrainPlan {
            data: data.clone(),
            model: model.clone(),
            optimizer,
            schedule,
            epochs,
            batch_size: self.batch_size,
            seed,
            select,
            patience: None,
            label_smoothing: 0.0,
            augment,
            backend: Backend::Cpu,
            out,
            resume: false,
            force: true,
            provenance: provenance(),
        };
        let (color_jitter, blur, noise) = BASELINE_PHOTOMETRIC;
        [
            DemoTraining {
                name: "seed-vgg-adadelta",
                what: "the seed's model: vgg-like + Adadelta, constant rate, selected on accuracy",
                plan: plan(
                    &self.seed_model,
                    OptimizerSpec::Adadelta,
                    SchedulePlan::Constant {
                        lr: OptimizerSpec::Adadelta.default_lr(),
                    },
                    self.epochs,
                    Select::Accuracy,
                    AugmentPlan {
                        crop_padding: Some(0),
                        flip: Some(false),
                        cutout: 0,
                        color_jitter: 0.0,
                        blur: 0.0,
                        noise: 0.0,
                    },
                    runs.join("seed-vgg-adadelta"),
                ),
            },
            DemoTraining {
                name: BASELINE_RUN,
                what: "the baseline: ResNet + AdamW + one-cycle + photometric augmentation, selected on loss",
                plan: plan(
                    &self.baseline_model,
                    OptimizerSpec::AdamW {
                        weight_decay: ADAMW_DEFAULT_WEIGHT_DECAY,
                    },
                    SchedulePlan::OneCycle {
                        max_lr: BASELINE_PEAK_LR,
                    },
                    self.baseline_epochs,
                    Select::Loss,
                    AugmentPlan {
                        crop_padding: None,
                        flip: None,
                        cutout: 0,
                        color_jitter,
                        blur,
                        noise,
                    },
                    runs.join(BASELINE_RUN),
                ),
            },
        ]
    }
}

/// One of the demo's two trainings.
pub(super) struct DemoTraining {
    /// Folder name under `DIR/runs/`.
    pub(super) name: &'static str,
    /// What it is, for the progress line.
    pub(super) what: &'static str,
    /// The plan.
    pub(super) plan: TrainPlan,
}
