//! A minimal training loop over in-memory tensors.
//!
//! Each epoch shuffles the training set with a per-run seeded RNG
//! (xoshiro256++ seeded with [`TrainConfig::seed`], one permutation per
//! epoch), walks it in minibatches (the last one may be smaller), and takes
//! one optimizer step per minibatch on the mean cross-entropy, with the
//! learning rate `schedule.lr(step, epochs × batches_per_epoch)`.
//! Validation runs the eval-mode copy of the model (`Module::valid`:
//! BatchNorm uses its running statistics, dropout is off, no autodiff).

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::error::NnError;
use crate::model::Model;
use crate::optimizer::OptimizerSpec;
use crate::schedule::Schedule;

/// Images and their class labels.
#[derive(Debug, Clone)]
pub struct LabeledImages {
    /// Images `[N, C, H, W]`.
    pub x: Tensor<4>,
    /// Labels `[N]`, each in `0..K`.
    pub y: Tensor<1, Int>,
}

impl LabeledImages {
    /// Return the number of samples N, checking that `x` and `y` agree.
    ///
    /// # Errors
    ///
    /// [`NnError::LengthMismatch`] if they do not.
    pub fn num_samples(&self) -> Result<usize, NnError> {
        let n = self.x.dims()[0];
        let m = self.y.dims()[0];
        if n == m {
            Ok(n)
        } else {
            Err(NnError::LengthMismatch {
                what: "images and labels",
                expected: n,
                got: m,
            })
        }
    }
}

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per minibatch (He et al. use 128).
    pub batch_size: usize,
    /// Seed of the shuffling RNG.
    pub seed: u64,
    /// Learning rate per step.
    pub schedule: Schedule,
    /// Optimizer.
    pub optimizer: OptimizerSpec,
}

/// What one epoch did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 0-based epoch index.
    pub epoch: usize,
    /// Mean cross-entropy (nats) over the epoch's training samples, each
    /// measured in training mode just before its batch's update.
    pub train_loss: f64,
    /// Fraction of training samples classified correctly, measured the same
    /// way.
    pub train_acc: f64,
    /// Mean cross-entropy on the validation set after the epoch, in eval
    /// mode; `None` without a validation set.
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch; `None` without a validation set.
    pub val_acc: Option<f64>,
    /// The learning rate of the epoch's last step.
    pub lr: f64,
}

/// Train `model` (on the autodiff `device`) and return it with one
/// [`EpochStats`] per epoch. Tensors are moved to `device` (validation
/// tensors to its inner, non-autodiff device).
///
/// # Errors
///
/// [`NnError::InvalidConfig`] for 0 epochs, batch size 0 or an invalid
/// schedule/optimizer; [`NnError::Empty`] for an empty training set;
/// [`NnError::LengthMismatch`] when images and labels disagree;
/// [`NnError::LabelOutOfRange`] for a label outside `0..K`.
pub fn train(
    mut model: Model,
    train_set: &LabeledImages,
    val_set: Option<&LabeledImages>,
    config: &TrainConfig,
    device: &Device,
) -> Result<(Model, Vec<EpochStats>), NnError> {
    if config.epochs == 0 {
        return Err(NnError::invalid("epochs", "must be > 0, got 0"));
    }
    if config.batch_size == 0 {
        return Err(NnError::invalid("batch_size", "must be > 0, got 0"));
    }
    config.schedule.validate()?;
    let mut optim = config.optimizer.build()?;
    let n = train_set.num_samples()?;
    if n == 0 {
        return Err(NnError::Empty);
    }
    if let Some(v) = val_set {
        v.num_samples()?;
    }

    let x = train_set.x.clone().to_device(device);
    let y = train_set.y.clone().to_device(device);
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let batches_per_epoch = n.div_ceil(config.batch_size);
    let total_steps = config.epochs * batches_per_epoch;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut history = Vec::with_capacity(config.epochs);
    let mut step = 0;

    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut lr) = (0.0, 0usize, 0.0);
        for chunk in order.chunks(config.batch_size) {
            let idx = index_tensor(chunk, device);
            let xb = x.clone().select(0, idx.clone());
            let yb = y.clone().select(0, idx);
            let logits = model.forward(xb);
            if step == 0 {
                check_labels(&y, logits.dims()[1])?;
            }
            correct += count_correct(logits.clone(), yb.clone())?;
            let loss = loss_fn.forward(logits, yb);
            loss_sum += scalar(loss.clone())? * chunk.len() as f64;
            lr = config.schedule.lr(step, total_steps);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
            step += 1;
        }
        let (val_loss, val_acc) = match val_set {
            Some(v) => {
                let (l, a) = evaluate(&model, v, config.batch_size)?;
                (Some(l), Some(a))
            }
            None => (None, None),
        };
        history.push(EpochStats {
            epoch,
            train_loss: loss_sum / n as f64,
            train_acc: correct as f64 / n as f64,
            val_loss,
            val_acc,
            lr,
        });
    }
    Ok((model, history))
}

/// Return the mean cross-entropy and the accuracy of the eval-mode copy of
/// `model` on `set`, in batches of `batch_size`.
///
/// # Errors
///
/// [`NnError::LengthMismatch`] when images and labels disagree,
/// [`NnError::Empty`] for an empty set, [`NnError::LabelOutOfRange`] for a
/// label outside `0..K`.
pub fn evaluate(
    model: &Model,
    set: &LabeledImages,
    batch_size: usize,
) -> Result<(f64, f64), NnError> {
    let n = set.num_samples()?;
    if n == 0 {
        return Err(NnError::Empty);
    }
    let eval = model.valid();
    let device = eval_device(&eval);
    let x = set.x.clone().to_device(&device);
    let y = set.y.clone().to_device(&device);
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let (mut loss_sum, mut correct) = (0.0, 0usize);
    let mut start = 0;
    while start < n {
        let end = (start + batch_size.max(1)).min(n);
        let xb = x.clone().narrow(0, start, end - start);
        let yb = y.clone().narrow(0, start, end - start);
        let logits = eval.forward(xb);
        if start == 0 {
            check_labels(&y, logits.dims()[1])?;
        }
        correct += count_correct(logits.clone(), yb.clone())?;
        loss_sum += scalar(loss_fn.forward(logits, yb))? * (end - start) as f64;
        start = end;
    }
    Ok((loss_sum / n as f64, correct as f64 / n as f64))
}

/// The device the eval-mode model's parameters live on.
fn eval_device(model: &Model) -> Device {
    model.devices().into_iter().next().unwrap_or_default()
}

/// Check that every label lies in `0..num_classes`.
fn check_labels(y: &Tensor<1, Int>, num_classes: usize) -> Result<(), NnError> {
    let read = |t: Tensor<1, Int>| {
        t.try_into_vec_as::<i64>()
            .map_err(|e| NnError::TensorRead(format!("{e:?}")))
            .map(|v| v.first().copied().unwrap_or(0))
    };
    let lo = read(y.clone().min())?;
    let hi = read(y.clone().max())?;
    let k = i64::try_from(num_classes).unwrap_or(i64::MAX);
    for label in [lo, hi] {
        if !(0..k).contains(&label) {
            return Err(NnError::LabelOutOfRange { label, num_classes });
        }
    }
    Ok(())
}

fn index_tensor(idx: &[usize], device: &Device) -> Tensor<1, Int> {
    let v: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
    let len = v.len();
    Tensor::from_data(TensorData::new(v, [len]), device)
}

fn scalar(t: Tensor<1>) -> Result<f64, NnError> {
    let v = t
        .try_into_vec_as::<f32>()
        .map_err(|e| NnError::TensorRead(format!("{e:?}")))?;
    Ok(v.first().map_or(f64::NAN, |&x| f64::from(x)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InputShape, ModelKind, ModelSpec};
    use burn::tensor::Distribution;

    fn random_set(n: usize, c: usize, hw: usize, k: usize, device: &Device) -> LabeledImages {
        let x = Tensor::<4>::random([n, c, hw, hw], Distribution::Normal(0.0, 1.0), device);
        let labels: Vec<i64> = (0..n).map(|i| ((i * 7 + 3) % k) as i64).collect();
        let y = Tensor::from_data(TensorData::new(labels, [n]), device);
        LabeledImages { x, y }
    }

    #[test]
    fn mlp_overfits_one_batch() {
        // 16 random 1×4×4 images, 4 classes, full batch: memorisable.
        let dev = Device::default().autodiff();
        dev.seed(1);
        let input = InputShape {
            channels: 1,
            height: 4,
            width: 4,
        };
        let spec = ModelSpec {
            widths: Some(vec![32]),
            ..ModelSpec::new(ModelKind::Mlp)
        };
        let model = spec.init(input, 4, &dev).unwrap();
        let data = random_set(16, 1, 4, 4, &dev);
        let config = TrainConfig {
            epochs: 150,
            batch_size: 16,
            seed: 0,
            schedule: Schedule::Constant { lr: 1e-2 },
            optimizer: OptimizerSpec::Adam,
        };
        let (model, history) = train(model, &data, Some(&data), &config, &dev).unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.val_acc, Some(1.0), "{last:?}");
        assert!(last.train_loss < history[0].train_loss);
        let (loss, acc) = evaluate(&model, &data, 5).unwrap();
        assert_eq!(acc, 1.0);
        assert!((loss - last.val_loss.unwrap()).abs() < 1e-4);
    }

    #[test]
    fn batchnorm_train_and_eval_outputs_differ() {
        // After one step the running statistics (momentum 0.1 from 0/1)
        // differ from the batch statistics, so eval-mode logits differ
        // from train-mode logits on the same input.
        let dev = Device::default().autodiff();
        dev.seed(2);
        let input = InputShape {
            channels: 3,
            height: 8,
            width: 8,
        };
        let model = ModelSpec::new(ModelKind::Resnet20)
            .init(input, 3, &dev)
            .unwrap();
        let data = random_set(4, 3, 8, 3, &dev);
        let config = TrainConfig {
            epochs: 1,
            batch_size: 4,
            seed: 0,
            schedule: Schedule::Constant { lr: 0.05 },
            optimizer: OptimizerSpec::Sgd {
                momentum: 0.9,
                nesterov: true,
                weight_decay: 5e-4,
            },
        };
        let (model, history) = train(model, &data, None, &config, &dev).unwrap();
        assert!(history[0].train_loss.is_finite());
        let train_out = model
            .forward(data.x.clone())
            .try_into_vec_as::<f32>()
            .unwrap();
        let eval = model.valid();
        let x = data.x.clone().to_device(&dev.clone().inner());
        let eval_out = eval.forward(x).try_into_vec_as::<f32>().unwrap();
        let diff = train_out
            .iter()
            .zip(&eval_out)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            diff > 1e-4,
            "train and eval outputs agree (max diff {diff})"
        );
    }

    #[test]
    fn shuffling_is_seeded() {
        // Training a linear model uses no randomness besides the shuffle,
        // so two copies trained with the same seed end identical and a
        // different seed gives a different trajectory.
        let dev = Device::default().autodiff();
        let input = InputShape {
            channels: 1,
            height: 2,
            width: 2,
        };
        let model = ModelSpec::new(ModelKind::Linear)
            .init(input, 2, &dev)
            .unwrap();
        let data = random_set(10, 1, 2, 2, &dev);
        let run = |seed| {
            let config = TrainConfig {
                epochs: 3,
                batch_size: 3,
                seed,
                schedule: Schedule::LinearDecay { lr: 0.1 },
                optimizer: OptimizerSpec::Sgd {
                    momentum: 0.0,
                    nesterov: false,
                    weight_decay: 0.0,
                },
            };
            train(model.clone(), &data, None, &config, &dev).unwrap().1
        };
        let (a, b, c) = (run(42), run(42), run(7));
        assert_eq!(a, b);
        assert_ne!(a, c);
        // 4 batches per epoch, 12 steps: the last step of epoch 0 is step 3,
        // lr = 0.1·(12 − 3)/12.
        assert!((a[0].lr - 0.075).abs() < 1e-12);
    }

    #[test]
    fn out_of_range_labels_are_rejected() {
        let dev = Device::default().autodiff();
        let input = InputShape {
            channels: 1,
            height: 2,
            width: 2,
        };
        let model = ModelSpec::new(ModelKind::Linear)
            .init(input, 2, &dev)
            .unwrap();
        let mut data = random_set(4, 1, 2, 2, &dev);
        data.y = Tensor::from_data(TensorData::new(vec![0i64, 1, 2, 1], [4]), &dev);
        let config = TrainConfig {
            epochs: 1,
            batch_size: 2,
            seed: 0,
            schedule: Schedule::Constant { lr: 0.1 },
            optimizer: OptimizerSpec::Adam,
        };
        assert_eq!(
            train(model.clone(), &data, None, &config, &dev).unwrap_err(),
            NnError::LabelOutOfRange {
                label: 2,
                num_classes: 2
            }
        );
        assert!(matches!(
            evaluate(&model, &data, 4),
            Err(NnError::LabelOutOfRange { label: 2, .. })
        ));
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        let dev = Device::default().autodiff();
        let mut data = random_set(4, 1, 2, 2, &dev);
        data.y = Tensor::from_data(TensorData::new(vec![0i64, 1], [2]), &dev);
        let model = ModelSpec::new(ModelKind::Linear)
            .init(
                InputShape {
                    channels: 1,
                    height: 2,
                    width: 2,
                },
                2,
                &dev,
            )
            .unwrap();
        let config = TrainConfig {
            epochs: 1,
            batch_size: 2,
            seed: 0,
            schedule: Schedule::Constant { lr: 0.1 },
            optimizer: OptimizerSpec::Adam,
        };
        assert!(matches!(
            train(model, &data, None, &config, &dev),
            Err(NnError::LengthMismatch { .. })
        ));
    }
}
