//! Models, optimizers, learning-rate schedules and the training loop of
//! triage; the only crate of the workspace that depends on burn.
//!
//! # Brief overview
//!
//! - [`ModelSpec`] (serde) describes a model; [`ModelSpec::init`] builds a
//!   [`Model`] with `forward` (logits) and `embed` (penultimate features).
//!   Named presets live in [`zoo::PRESETS`].
//! - [`OptimizerSpec`] builds a burn optimizer with PyTorch's defaults
//!   (SGD dampening 0), including [`Adadelta`], which burn lacks.
//! - [`Schedule`] gives the learning rate of every step (PyTorch / Hugging
//!   Face formulas).
//! - [`train::train`] runs seeded minibatch training on in-memory tensors
//!   and returns per-epoch [`EpochStats`].
//!
//! The backend is burn 0.22's `flex` CPU backend (pure Rust); autodiff
//! comes from `Device::autodiff`.
//!
//! # Features
//!
//! | Name | Description | Default? |
//! |---|---|---|
//! | `cuda` | burn's CUDA backend; needs internet to build (cubecl-llvm downloads LLVM); not built in CI | no |
//!
//! # Example
//!
//! ```
//! use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
//! use triage_nn::{InputShape, LabeledImages, ModelKind, ModelSpec, OptimizerSpec, Schedule, TrainConfig};
//!
//! let device = Device::default().autodiff();
//! device.seed(0);
//! let input = InputShape { channels: 1, height: 4, width: 4 };
//! let model = ModelSpec::new(ModelKind::Linear).init(input, 2, &device)?;
//! let x = Tensor::<4>::random([8, 1, 4, 4], Distribution::Default, &device);
//! let y = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1, 0, 1, 0, 1, 0, 1], [8]), &device);
//! let config = TrainConfig {
//!     epochs: 2,
//!     batch_size: 4,
//!     seed: 0,
//!     schedule: Schedule::Constant { lr: 0.1 },
//!     optimizer: OptimizerSpec::Adam,
//! };
//! let (_model, history) = triage_nn::train::train(model, &LabeledImages { x, y }, None, &config, &device)?;
//! assert_eq!(history.len(), 2);
//! # Ok::<(), triage_nn::NnError>(())
//! ```

pub mod adadelta;
pub mod error;
pub mod mlp;
pub mod model;
pub mod optimizer;
pub mod resnet;
pub mod schedule;
pub mod train;
pub mod zoo;

pub use adadelta::Adadelta;
pub use error::NnError;
pub use model::{InputShape, Model, ModelKind, ModelSpec, Norm};
pub use optimizer::OptimizerSpec;
pub use schedule::Schedule;
pub use train::{EpochStats, LabeledImages, TrainConfig};
