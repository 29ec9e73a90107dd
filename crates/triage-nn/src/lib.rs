//! Models, optimizers, learning-rate schedules and the training loop of
//! triage; the only crate of the workspace that depends on burn.
//!
//! # Brief overview
//!
//! - [`ModelSpec`] (serde) describes a model; [`ModelSpec::init`] builds a
//!   [`Model`] with `forward` (logits), `embed` (penultimate features) and
//!   `head`. Named presets live in [`zoo::PRESETS`].
//! - [`OptimizerSpec`] builds a burn optimizer with PyTorch's defaults
//!   (SGD dampening 0), including [`Adadelta`], which burn lacks.
//! - [`Schedule`] gives the learning rate of every step (PyTorch / Hugging
//!   Face formulas).
//! - [`train::train`] trains on a host-side [`ImageSet`] with seeded
//!   shuffling/augmentation, validation, selection on validation loss,
//!   early stopping and hooks; [`run_dir::RunDir`] writes its log and
//!   atomic checkpoints; [`inference`] computes logits, probabilities and
//!   embeddings; [`lr_find`] runs the learning-rate range test.
//!
//! The backend is burn 0.22's `flex` CPU backend (pure Rust); autodiff
//! comes from `Device::autodiff`.
//!
//! # Features
//!
//! | Name | Description | Default? |
//! |---|---|---|
//! | `cuda` | burn's CUDA backend; needs internet to build (cubecl-llvm downloads LLVM); not built in CI | no |
//! | `wgpu` | burn's portable GPU backend ([`device_for`]`(Backend::Wgpu)`); builds from crates.io alone; not built in CI | no |
//!
//! # Example
//!
//! ```
//! use burn::tensor::Device;
//! use triage_nn::train::{train, NoHooks};
//! use triage_nn::{ImageSet, InitModel, InputShape, ModelKind, ModelSpec, OptimizerSpec, Schedule, TrainConfig};
//!
//! let device = Device::default().autodiff();
//! device.seed(0);
//! let shape = InputShape { channels: 1, height: 2, width: 2 };
//! let pixels: Vec<f32> = (0..32).map(|i| (i % 5) as f32).collect();
//! let set = ImageSet::new(shape, pixels, vec![0, 1, 0, 1, 0, 1, 0, 1])?;
//! let model = ModelSpec::new(ModelKind::Linear).init(shape, 2, &device)?;
//! let config = TrainConfig::new(2, 4, 0, Schedule::Constant { lr: 0.1 }, OptimizerSpec::Adam);
//! let trained = train(model, &set, Some(&set), 2, &config, &device, &mut NoHooks, None)?;
//! assert_eq!(trained.state.history.len(), 2);
//! # Ok::<(), triage_nn::NnError>(())
//! ```

#![deny(missing_docs)]

pub mod adadelta;
pub mod augment;
pub mod checkpoint;
pub mod classifier_head;
pub mod conv_block;
pub mod device;
pub mod error;
pub mod images;
pub mod inference;
pub mod lr_find;
pub mod mlp;
pub mod model;
pub mod optimizer;
pub mod pipeline;
pub mod resnet;
pub mod resnet9;
pub mod resnext;
pub mod run_dir;
pub use triage_docs::schedule;
pub mod train;
pub mod vgg;
pub mod zoo;

pub use adadelta::Adadelta;
pub use augment::{Augment, Augmentation};
pub use device::{cpu_device, device_for, Backend};
pub use error::NnError;
pub use images::ImageSet;
pub use model::{Classifier, InitModel, InputShape, Model, ModelKind, ModelSpec, Norm};
pub use optimizer::{BuildOptimizer, OptimizerSpec};
pub use run_dir::{RunDir, RunMeta};
pub use schedule::Schedule;
pub use train::{EpochRecord, Select, TrainConfig, TrainState};
