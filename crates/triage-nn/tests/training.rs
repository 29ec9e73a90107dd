//! Training-loop behaviour: learning, overfitting, BatchNorm modes,
//! checkpoints, resume, divergence.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard};

use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Distribution, Tensor};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_nn::checkpoint;
use triage_nn::inference::{evaluate, run};
use triage_nn::run_dir::{ModelRef, Normalization, Preprocess, RunDir, RunMeta};
use triage_nn::train::{train, NoHooks, Resume, TrainHooks, TrainState};
use triage_nn::InitModel as _;
use triage_nn::{
    Augment, ImageSet, InputShape, Model, ModelKind, ModelSpec, NnError, OptimizerSpec, Schedule,
    TrainConfig,
};

/// burn's device RNG (initial weights, dropout masks) is process-global:
/// tests that seed it run one at a time.
static RNG_LOCK: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    RNG_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const SHAPE: InputShape = InputShape {
    channels: 1,
    height: 8,
    width: 8,
};

/// `n` noisy 1×8×8 images of `k` classes: class `c` lights up quadrant `c`
/// (brightness 1 over noise σ 0.5), so the classes are learnable but not
/// trivially separable pixel by pixel.
fn quadrants(n: usize, k: usize, seed: u64) -> ImageSet {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut pixels = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % k;
        for y in 0..8 {
            for x in 0..8 {
                let q = (y / 4) * 2 + x / 4;
                let signal = if q == c { 1.0 } else { 0.0 };
                let noise: f32 = rng.random::<f32>() - 0.5;
                pixels.push(signal + noise);
            }
        }
        labels.push(c);
    }
    ImageSet::new(SHAPE, pixels, labels).unwrap()
}

fn small_vgg() -> ModelSpec {
    ModelSpec {
        widths: Some(vec![8, 16]),
        blocks: Some(vec![1, 1]),
        block_dropout: 0.1,
        dropout: 0.2,
        ..ModelSpec::new(ModelKind::Vgg)
    }
}

fn sgd() -> OptimizerSpec {
    OptimizerSpec::Sgd {
        momentum: 0.9,
        nesterov: true,
        weight_decay: 5e-4,
    }
}

#[test]
fn smoke_run_learns_the_synthetic_task() {
    let _serial = serial();
    // Stated target: ≥ 95% validation accuracy after 6 epochs (the task's
    // Bayes accuracy is ~100%; chance is 25%).
    let dev = Device::default().autodiff();
    dev.seed(0);
    let train_set = quadrants(256, 4, 1);
    let val = quadrants(128, 4, 2);
    let model = small_vgg().init(SHAPE, 4, &dev).unwrap();
    let mut config = TrainConfig::new(6, 32, 0, Schedule::OneCycle { max_lr: 0.1 }, sgd());
    config.augment = Augment {
        crop_padding: 1,
        flip: false,
        cutout: 0,
        ..Augment::NONE
    };
    let trained = train(
        model,
        &train_set,
        Some(&val),
        4,
        &config,
        &dev,
        &mut NoHooks,
        None,
    )
    .unwrap();
    let last = trained.state.history.last().unwrap();
    assert!(last.val_acc.unwrap() >= 0.95, "{last:?}");
    assert!(last.train_loss < trained.state.history[0].train_loss);
    assert!(last.val_ece.unwrap() < 0.5);
    assert_eq!(trained.state.history.len(), 6);
}

#[test]
fn mlp_overfits_one_batch() {
    let _serial = serial();
    // 16 random images, 4 classes, full batch: memorisable.
    let dev = Device::default().autodiff();
    dev.seed(1);
    let x = Tensor::<4>::random([16, 1, 8, 8], Distribution::Normal(0.0, 1.0), &dev);
    let pixels = x.try_into_vec_as::<f32>().unwrap();
    let labels: Vec<usize> = (0..16).map(|i| (i * 7 + 3) % 4).collect();
    let set = ImageSet::new(SHAPE, pixels, labels).unwrap();
    let spec = ModelSpec {
        widths: Some(vec![32]),
        ..ModelSpec::new(ModelKind::Mlp)
    };
    let model = spec.init(SHAPE, 4, &dev).unwrap();
    let config = TrainConfig::new(
        150,
        16,
        0,
        Schedule::Constant { lr: 1e-2 },
        OptimizerSpec::Adam,
    );
    let trained = train(
        model,
        &set,
        Some(&set),
        4,
        &config,
        &dev,
        &mut NoHooks,
        None,
    )
    .unwrap();
    let last = trained.state.history.last().unwrap();
    assert_eq!(last.val_acc, Some(1.0), "{last:?}");
    assert!(last.train_loss < 0.05 * trained.state.history[0].train_loss);
    let m = evaluate(&trained.model, &set, 5).unwrap();
    assert_eq!(m.accuracy, 1.0);
    assert!((m.loss - last.val_loss.unwrap()).abs() < 1e-5);
}

#[test]
fn batchnorm_train_and_eval_outputs_differ() {
    let _serial = serial();
    // After one step the running statistics (momentum 0.1 from 0/1) differ
    // from the batch statistics, so eval-mode logits differ from
    // train-mode logits on the same input; without BatchNorm (and dropout)
    // they agree.
    let dev = Device::default().autodiff();
    dev.seed(2);
    let set = quadrants(8, 4, 3);
    let diff = |spec: ModelSpec| {
        let model = spec.init(SHAPE, 4, &dev).unwrap();
        let config = TrainConfig::new(1, 8, 0, Schedule::Constant { lr: 0.05 }, sgd());
        let trained = train(model, &set, None, 4, &config, &dev, &mut NoHooks, None).unwrap();
        let x = Tensor::<4>::from_data(
            burn::tensor::TensorData::new(set.pixels.clone(), [8, 1, 8, 8]),
            &dev,
        );
        let train_out = trained.model.forward(x).try_into_vec_as::<f32>().unwrap();
        let eval_out = run(&trained.model, &set, 8, false).unwrap().logits;
        train_out
            .iter()
            .zip(&eval_out)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max)
    };
    let with_bn = diff(ModelSpec {
        widths: Some(vec![4, 4, 4]),
        blocks: Some(vec![1, 1, 1]),
        ..ModelSpec::new(ModelKind::Resnet)
    });
    assert!(with_bn > 1e-4, "train and eval outputs agree ({with_bn})");
    let without = diff(ModelSpec {
        widths: Some(vec![4, 4, 4]),
        blocks: Some(vec![1, 1, 1]),
        norm: Some(triage_nn::Norm::None),
        ..ModelSpec::new(ModelKind::Resnet)
    });
    assert!(without < 1e-5, "{without}");
}

fn meta(config: &TrainConfig, spec: &ModelSpec) -> RunMeta {
    RunMeta {
        format: triage_nn::run_dir::RUN_FORMAT.into(),
        version: triage_nn::run_dir::RUN_VERSION,
        triage_version: "test".into(),
        burn_version: triage_nn::run_dir::BURN_VERSION.into(),
        git_commit: None,
        created: triage_nn::run_dir::utc_now(),
        command: vec!["test".into()],
        data: "synthetic".into(),
        model: ModelRef {
            preset: None,
            spec: spec.clone(),
        },
        train: config.clone(),
        input: SHAPE,
        classes: (0..4).map(|c| format!("q{c}")).collect(),
        preprocess: Preprocess {
            resize: None,
            channels: "gray".into(),
            normalize: Normalization {
                mean: vec![0.5],
                std: vec![0.25],
            },
        },
        train_size: 64,
        val_size: 32,
        val_source: "test".into(),
    }
}

/// Hooks that write the run directory and fail after `stop_after` epochs.
struct Interrupt<'a> {
    dir: &'a RunDir,
    stop_after: Option<usize>,
    epochs: Cell<usize>,
}

impl TrainHooks for Interrupt<'_> {
    fn on_epoch(
        &mut self,
        state: &TrainState,
        model: &Model,
        optimizer: &ModuleOptimizer,
        is_best: bool,
    ) -> Result<(), NnError> {
        self.dir.record_epoch(state, model, optimizer, is_best)?;
        self.epochs.set(self.epochs.get() + 1);
        if Some(self.epochs.get()) == self.stop_after {
            return Err(NnError::Empty); // stands in for Ctrl-C / a crash
        }
        Ok(())
    }
}

fn resume_config() -> TrainConfig {
    let mut config = TrainConfig::new(
        4,
        16,
        7,
        Schedule::CosineWithWarmup {
            lr: 0.05,
            warmup_steps: 2,
            min_lr: 0.0,
        },
        sgd(),
    );
    config.augment = Augment {
        crop_padding: 1,
        flip: true,
        cutout: 2,
        // Photometric draws too must repeat exactly after a resume.
        color_jitter: 0.2,
        blur: 1.0,
        noise: 0.05,
    };
    config.label_smoothing = 0.1;
    config
}

#[test]
fn interrupted_and_resumed_run_equals_the_uninterrupted_one() {
    let _serial = serial();
    // VGG with BatchNorm and dropout, Nesterov momentum, a schedule,
    // augmentation and label smoothing: every kind of state a resume must
    // restore (weights, running statistics, momentum buffers, step, RNG).
    let tmp = tempfile::tempdir().unwrap();
    let train_set = quadrants(64, 4, 5);
    let val = quadrants(32, 4, 6);
    let spec = small_vgg();
    let config = resume_config();
    let dev = Device::default().autodiff();

    let run_once = |name: &str, stop_after: Option<usize>| {
        dev.seed(11);
        let model = spec.init(SHAPE, 4, &dev).unwrap();
        let dir = RunDir::create(&tmp.path().join(name), meta(&config, &spec), false).unwrap();
        let mut hooks = Interrupt {
            dir: &dir,
            stop_after,
            epochs: Cell::new(0),
        };
        let result = train(
            model,
            &train_set,
            Some(&val),
            4,
            &config,
            &dev,
            &mut hooks,
            None,
        );
        (dir, result)
    };
    let (_, full) = run_once("full", None);
    let full = full.unwrap();
    let (dir, interrupted) = run_once("resumed", Some(2));
    assert!(interrupted.is_err());

    // Resume from last.ckpt into a freshly initialised (differently seeded)
    // model.
    let loaded = checkpoint::load(&dir.last_checkpoint()).unwrap();
    assert_eq!(loaded.state.epochs_done, 2);
    dev.seed(999);
    let fresh = spec.init(SHAPE, 4, &dev).unwrap();
    let model = checkpoint::load_model(fresh, loaded.model, loaded.version, &dir.last_checkpoint())
        .unwrap();
    let resume = Resume {
        state: loaded.state,
        optimizer: loaded.optimizer,
        path: dir.last_checkpoint(),
    };
    let mut hooks = Interrupt {
        dir: &dir,
        stop_after: None,
        epochs: Cell::new(0),
    };
    let resumed = train(
        model,
        &train_set,
        Some(&val),
        4,
        &config,
        &dev,
        &mut hooks,
        Some(resume),
    )
    .unwrap();

    let strip = |s: &TrainState| {
        s.history
            .iter()
            .map(|r| {
                (
                    r.epoch,
                    r.train_loss,
                    r.train_acc,
                    r.val_loss,
                    r.val_acc,
                    r.val_ece,
                    r.lr,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&resumed.state), strip(&full.state));
    assert_eq!(resumed.state.best, full.state.best);
    let a = run(&full.model, &val, 32, false).unwrap().logits;
    let b = run(&resumed.model, &val, 32, false).unwrap().logits;
    assert_eq!(a, b);
    // The log on disk has all four epochs once.
    assert_eq!(dir.read_log().unwrap().len(), 4);
}

#[test]
fn checkpoint_round_trip_gives_identical_predictions() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let train_set = quadrants(32, 4, 8);
    let spec = small_vgg();
    let config = TrainConfig::new(2, 16, 0, Schedule::Constant { lr: 0.05 }, sgd());
    let dev = Device::default().autodiff();
    dev.seed(4);
    let model = spec.init(SHAPE, 4, &dev).unwrap();
    let dir = RunDir::create(tmp.path(), meta(&config, &spec), false).unwrap();
    let mut hooks = Interrupt {
        dir: &dir,
        stop_after: None,
        epochs: Cell::new(0),
    };
    let trained = train(
        model,
        &train_set,
        Some(&train_set),
        4,
        &config,
        &dev,
        &mut hooks,
        None,
    )
    .unwrap();

    // The last checkpoint holds the final weights; load them on a plain
    // (inference) device.
    let plain = Device::default();
    plain.seed(123);
    let loaded = checkpoint::load(&dir.last_checkpoint()).unwrap();
    let fresh = spec.init(SHAPE, 4, &plain).unwrap();
    let restored =
        checkpoint::load_model(fresh, loaded.model, loaded.version, &dir.last_checkpoint())
            .unwrap();
    let a = run(&trained.model, &train_set, 7, true).unwrap();
    let b = run(&restored, &train_set, 7, true).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.embedding_dim, 16);

    // The best checkpoint is readable and names its epoch; a corrupt file
    // is an error, not a panic.
    let best = checkpoint::load(&dir.best_checkpoint()).unwrap();
    assert!(best.optimizer.is_empty());
    assert_eq!(
        best.state.best.map(|b| b.epoch),
        Some(best.state.epochs_done)
    );
    let bytes = std::fs::read(dir.last_checkpoint()).unwrap();
    std::fs::write(dir.last_checkpoint(), &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        checkpoint::load(&dir.last_checkpoint()),
        Err(NnError::Corrupt { .. })
    ));
}

#[test]
fn a_diverging_loss_names_epoch_and_batch() {
    let _serial = serial();
    // Unlearnable labels, lr 0.01 for the first epoch (4 batches), then
    // ×1e30: the weights overflow f32 in epoch 2.
    let mut set = quadrants(64, 4, 9);
    set.labels = (0..64).map(|i| (i * 7 + i / 5) % 4).collect();
    let dev = Device::default().autodiff();
    dev.seed(5);
    let model = ModelSpec {
        widths: Some(vec![16]),
        ..ModelSpec::new(ModelKind::Mlp)
    }
    .init(SHAPE, 4, &dev)
    .unwrap();
    let config = TrainConfig::new(
        3,
        16,
        0,
        Schedule::Step {
            lr: 0.01,
            step_size: 4,
            gamma: 1e30,
        },
        OptimizerSpec::Sgd {
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        },
    );
    match train(model, &set, None, 4, &config, &dev, &mut NoHooks, None) {
        Err(NnError::Diverged { epoch, batch, loss }) => {
            assert_eq!(epoch, 2);
            assert!((1..=4).contains(&batch), "{batch}");
            assert!(!loss.is_finite());
            let text = NnError::Diverged { epoch, batch, loss }.to_string();
            assert!(
                text.contains(&format!("epoch {epoch}, batch {batch}")),
                "{text}"
            );
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

#[test]
fn early_stopping_stops_after_patience_epochs_without_improvement() {
    let _serial = serial();
    // lr 0 never improves on the first epoch's validation loss.
    let set = quadrants(32, 4, 10);
    let dev = Device::default().autodiff();
    dev.seed(6);
    let model = ModelSpec::new(ModelKind::Linear)
        .init(SHAPE, 4, &dev)
        .unwrap();
    let mut config = TrainConfig::new(10, 16, 0, Schedule::Constant { lr: 0.0 }, sgd());
    config.patience = Some(2);
    let trained = train(
        model,
        &set,
        Some(&set),
        4,
        &config,
        &dev,
        &mut NoHooks,
        None,
    )
    .unwrap();
    assert!(trained.state.stopped_early);
    assert_eq!(trained.state.epochs_done, 3);
    assert_eq!(trained.state.best.unwrap().epoch, 1);
}

#[test]
fn invalid_configs_and_labels_are_rejected() {
    let _serial = serial();
    let set = quadrants(8, 4, 11);
    let dev = Device::default().autodiff();
    let model = ModelSpec::new(ModelKind::Linear)
        .init(SHAPE, 4, &dev)
        .unwrap();
    let mut config = TrainConfig::new(1, 4, 0, Schedule::Constant { lr: 0.1 }, OptimizerSpec::Adam);
    config.label_smoothing = 1.0;
    assert!(matches!(
        train(
            model.clone(),
            &set,
            None,
            4,
            &config,
            &dev,
            &mut NoHooks,
            None
        ),
        Err(NnError::InvalidConfig {
            what: "label_smoothing",
            ..
        })
    ));
    config.label_smoothing = 0.0;
    assert!(matches!(
        train(model, &set, None, 3, &config, &dev, &mut NoHooks, None),
        Err(NnError::LabelOutOfRange {
            label: 3,
            num_classes: 3
        })
    ));
}
