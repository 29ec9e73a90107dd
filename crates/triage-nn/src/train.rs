//! The training loop: seeded shuffling and augmentation, label smoothing,
//! per-epoch validation (loss, accuracy, ECE), model selection and early
//! stopping on validation loss (or accuracy, if asked), divergence
//! detection, and hooks through which the run directory writes its log and
//! checkpoints.
//!
//! Every random choice of epoch `e` (the shuffle, the augmentation draws,
//! dropout masks) comes from generators seeded with `epoch_seed(seed, e)`,
//! so a run resumed from the checkpoint of epoch `e` continues exactly as
//! the uninterrupted run would have (weights, optimizer state and the step
//! counter of the schedule come from the checkpoint).
//!
//! Each epoch walks the shuffled training set in minibatches (the last one
//! may be smaller) and takes one optimizer step per minibatch on the mean
//! cross-entropy (with label smoothing ε: targets `(1 − ε)·y + ε/K`), with
//! learning rate `schedule.lr(step, epochs × batches_per_epoch)`.
//! Validation runs the eval-mode copy of the model (`Module::valid`:
//! BatchNorm uses its running statistics, dropout is off, no autodiff).

use std::time::Instant;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

pub use triage_docs::training::{EpochRecord, Select, TrainConfig};

use crate::augment::Augmentation;
use crate::checkpoint;
use crate::error::NnError;
use crate::images::{image_tensor, label_tensor, scalar, ImageSet};
use crate::inference::evaluate;
use crate::model::Model;
use crate::optimizer::BuildOptimizer;

/// The best epoch so far.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Best {
    /// 1-based epoch.
    pub epoch: usize,
    /// Its validation loss.
    pub val_loss: Option<f64>,
    /// Its validation accuracy.
    pub val_acc: Option<f64>,
}

/// Everything besides weights and optimizer state that a resumed run needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrainState {
    /// Epochs completed.
    pub epochs_done: usize,
    /// The selected epoch so far (without a validation set: the last one).
    pub best: Option<Best>,
    /// Epochs since the best one.
    pub since_best: usize,
    /// One record per completed epoch.
    pub history: Vec<EpochRecord>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
}

/// Progress inside an epoch, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchProgress {
    /// 1-based epoch.
    pub epoch: usize,
    /// Total epochs.
    pub epochs: usize,
    /// 1-based batch within the epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Mean training loss of the epoch so far.
    pub loss: f64,
    /// Training images per second in the epoch so far.
    pub images_per_sec: f64,
}

/// Callbacks of the training loop.
pub trait TrainHooks {
    /// Called after every optimizer step.
    fn on_batch(&mut self, _progress: &BatchProgress) {}

    /// Called after every epoch with the updated state (its last history
    /// entry is the epoch), the model and optimizer after the epoch, and
    /// whether the epoch is the new best.
    ///
    /// # Errors
    ///
    /// Any error stops training and is returned by [`train`].
    fn on_epoch(
        &mut self,
        _state: &TrainState,
        _model: &Model,
        _optimizer: &ModuleOptimizer,
        _is_best: bool,
    ) -> Result<(), NnError> {
        Ok(())
    }
}

/// Hooks that do nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl TrainHooks for NoHooks {}

/// Where a resumed run starts: the state and optimizer bytes of a
/// checkpoint (the model passed to [`train`] already holds its weights).
#[derive(Debug, Clone)]
pub struct Resume {
    /// The checkpoint's training state.
    pub state: TrainState,
    /// The checkpoint's optimizer record (burnpack bytes).
    pub optimizer: Vec<u8>,
    /// The checkpoint file (for error messages).
    pub path: std::path::PathBuf,
}

/// A finished run.
#[derive(Debug)]
pub struct Trained {
    /// The model after the last epoch (the selected weights are in the
    /// `best` checkpoint the hooks wrote).
    pub model: Model,
    /// The final state: history, best epoch, early stopping.
    pub state: TrainState,
}

/// Seed of epoch `e` (0-based): SplitMix64 of `seed` and `e`, so that epochs
/// draw independent streams and a resumed run redraws the same ones.
pub fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Train `model` (built on the autodiff `device`) for `num_classes`
/// classes, calling `hooks` after every batch and epoch; resume from
/// `resume` when given.
///
/// # Errors
///
/// [`NnError::InvalidConfig`] for an invalid config; [`NnError::Empty`] for
/// an empty training set; [`NnError::LabelOutOfRange`] for a label ≥ K;
/// [`NnError::ShapeMismatch`] when the validation images differ in shape;
/// [`NnError::Diverged`] naming the epoch and batch where the loss became
/// NaN or infinite; whatever the hooks return.
#[allow(clippy::too_many_arguments)]
pub fn train(
    mut model: Model,
    train_set: &ImageSet,
    val_set: Option<&ImageSet>,
    num_classes: usize,
    config: &TrainConfig,
    device: &Device,
    hooks: &mut dyn TrainHooks,
    resume: Option<Resume>,
) -> Result<Trained, NnError> {
    config.validate()?;
    let n = train_set.len();
    if n == 0 {
        return Err(NnError::Empty);
    }
    train_set.check_labels(num_classes)?;
    if let Some(v) = val_set {
        v.check_labels(num_classes)?;
        if v.shape != train_set.shape {
            return Err(NnError::ShapeMismatch {
                expected: train_set.shape,
                got: v.shape,
            });
        }
    }
    let mut optim = config.optimizer.build()?;
    let mut state = TrainState::default();
    if let Some(r) = resume {
        optim = checkpoint::load_optimizer(optim, r.optimizer, &r.path)?;
        state = r.state;
    }
    let smoothing = (config.label_smoothing > 0.0).then_some(config.label_smoothing as f32);
    let loss_fn = CrossEntropyLossConfig::new()
        .with_smoothing(smoothing)
        .init(device);
    let shape = train_set.shape;
    let d = shape.len();
    let batches = n.div_ceil(config.batch_size);
    let total_steps = config.epochs * batches;

    for epoch in state.epochs_done..config.epochs {
        if state.stopped_early {
            break;
        }
        let started = Instant::now();
        let seed = epoch_seed(config.seed, epoch);
        device.seed(seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut lr, mut seen) = (0.0, 0usize, 0.0, 0usize);
        for (b, chunk) in order.chunks(config.batch_size).enumerate() {
            let mut buf = vec![0.0f32; chunk.len() * d];
            for (j, &i) in chunk.iter().enumerate() {
                let dst = &mut buf[j * d..(j + 1) * d];
                if config.augment.is_active() {
                    config
                        .augment
                        .apply(train_set.image(i), dst, shape, &mut rng);
                } else {
                    dst.copy_from_slice(train_set.image(i));
                }
            }
            let labels: Vec<usize> = chunk.iter().map(|&i| train_set.labels[i]).collect();
            let xb = image_tensor(buf, chunk.len(), shape, device);
            let yb = label_tensor(&labels, device);
            let logits = model.forward(xb);
            let loss = loss_fn.forward(logits.clone(), yb.clone());
            let value = scalar(loss.clone())?;
            if !value.is_finite() {
                return Err(NnError::Diverged {
                    epoch: epoch + 1,
                    batch: b + 1,
                    loss: value,
                });
            }
            correct += count_correct(logits, yb)?;
            loss_sum += value * chunk.len() as f64;
            seen += chunk.len();
            let step = epoch * batches + b;
            lr = config.schedule.lr(step, total_steps);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
            hooks.on_batch(&BatchProgress {
                epoch: epoch + 1,
                epochs: config.epochs,
                batch: b + 1,
                batches,
                loss: loss_sum / seen as f64,
                images_per_sec: seen as f64 / started.elapsed().as_secs_f64().max(1e-9),
            });
        }
        let train_secs = started.elapsed().as_secs_f64();
        let val = match val_set {
            Some(v) if !v.is_empty() => Some(
                evaluate(&model, v, config.batch_size.max(256)).map_err(|e| match e {
                    NnError::NonFiniteLogits { row, col, .. } => NnError::DivergedOnValidation {
                        epoch: epoch + 1,
                        row_col: format!("row {row}, column {col}"),
                    },
                    e => e,
                })?,
            ),
            _ => None,
        };
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: loss_sum / n as f64,
            train_acc: correct as f64 / n as f64,
            val_loss: val.map(|m| m.loss),
            val_acc: val.map(|m| m.accuracy),
            val_ece: val.map(|m| m.ece),
            lr,
            images_per_sec: n as f64 / train_secs.max(1e-9),
            seconds: started.elapsed().as_secs_f64(),
        };
        let is_best = improves(config.select, &record, state.best.as_ref());
        if is_best {
            state.best = Some(Best {
                epoch: record.epoch,
                val_loss: record.val_loss,
                val_acc: record.val_acc,
            });
            state.since_best = 0;
        } else {
            state.since_best += 1;
        }
        state.history.push(record);
        state.epochs_done = epoch + 1;
        state.stopped_early = config
            .patience
            .is_some_and(|p| state.since_best >= p && state.epochs_done < config.epochs);
        hooks.on_epoch(&state, &model, &optim, is_best)?;
    }
    Ok(Trained { model, state })
}

/// Whether `record` beats `best` under `select` (always true without a
/// validation loss: the last epoch is then the selected one).
fn improves(select: Select, record: &EpochRecord, best: Option<&Best>) -> bool {
    let (Some(best), Some(loss), Some(acc)) = (best, record.val_loss, record.val_acc) else {
        return true;
    };
    let best_loss = best.val_loss.unwrap_or(f64::INFINITY);
    let best_acc = best.val_acc.unwrap_or(f64::NEG_INFINITY);
    match select {
        Select::Loss => loss < best_loss,
        Select::Accuracy => acc > best_acc || (acc == best_acc && loss < best_loss),
    }
}

fn count_correct(logits: Tensor<2>, y: Tensor<1, Int>) -> Result<usize, NnError> {
    let [b, _] = logits.dims();
    let pred: Tensor<1, Int> = logits.argmax(1).reshape([b]);
    let hits = pred
        .equal(y)
        .int()
        .sum()
        .try_into_vec_as::<i64>()
        .map_err(|e| NnError::TensorRead(format!("{e:?}")))?;
    Ok(hits.first().map_or(0, |&h| h.max(0) as usize))
}
