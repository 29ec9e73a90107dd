//! `triage train DATA --model M --optimizer O --epochs N --out RUN_DIR`.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use indicatif::{ProgressBar, ProgressStyle};
use triage_data::dataset::{open_dataset, Dataset, OpenOptions, Split};
use triage_nn::checkpoint;
use triage_nn::run_dir::{
    ModelRef, Preprocess, RunDir, RunMeta, BURN_VERSION, RUN_FORMAT, RUN_VERSION,
};
use triage_nn::train::{train, BatchProgress, Resume, TrainHooks, TrainState};
use triage_nn::{ImageSet, Model, NnError, TrainConfig};
use triage_stats::split::stratified_split;

use crate::image_data::{
    fit_normalization, load_at, load_training, report_skipped, split_items, to_image_set,
};
use crate::train_args::{DataArgs, TrainArgs};

/// The commit triage was built from (empty when unknown).
pub const GIT_COMMIT: &str = env!("TRIAGE_GIT_COMMIT");

/// Training and validation item indices, and where validation came from.
pub struct ItemSplit {
    /// Training items.
    pub train: Vec<usize>,
    /// Validation items.
    pub val: Vec<usize>,
    /// A description of the validation source.
    pub val_source: String,
}

/// Choose the training and validation items of `dataset`.
pub fn choose_items(dataset: &Dataset, args: &DataArgs, seed: u64) -> Result<ItemSplit> {
    let mut train_items = split_items(dataset, Split::Train);
    let mut val = split_items(dataset, Split::Val);
    if train_items.is_empty() {
        bail!(
            "{} has no training items (no `train` split and no items without a split)",
            args.data.display()
        );
    }
    let mut val_source = if val.is_empty() {
        "none".to_string()
    } else {
        "the dataset's val split".to_string()
    };
    if val.is_empty() && args.val_fraction > 0.0 {
        if !(0.0..1.0).contains(&args.val_fraction) {
            bail!(
                "--val-fraction must be in [0, 1), got {}",
                args.val_fraction
            );
        }
        let (held, kept) =
            stratified_split(&item_labels(dataset, &train_items), args.val_fraction, seed);
        val = held.iter().map(|&p| train_items[p]).collect();
        train_items = kept.iter().map(|&p| train_items[p]).collect();
        val.sort_unstable();
        train_items.sort_unstable();
        val_source = format!(
            "{:.0}% of the training items, stratified, seed {seed}",
            100.0 * args.val_fraction
        );
    }
    if let Some(max) = args.max_train {
        if max < train_items.len() {
            let fraction = max as f64 / train_items.len() as f64;
            let (kept, _) =
                stratified_split(&item_labels(dataset, &train_items), fraction, seed ^ 0x5EED);
            let mut kept: Vec<usize> = kept.iter().map(|&p| train_items[p]).collect();
            kept.sort_unstable();
            train_items = kept;
        }
    }
    Ok(ItemSplit {
        train: train_items,
        val,
        val_source,
    })
}

/// The labels of dataset items.
pub fn item_labels(dataset: &Dataset, items: &[usize]) -> Vec<usize> {
    items.iter().map(|&i| dataset.items[i].label).collect()
}

/// Progress bar and run-directory writer.
struct CliHooks<'a> {
    dir: &'a RunDir,
    bar: Option<ProgressBar>,
    show: bool,
    last_state: Option<TrainState>,
}

impl TrainHooks for CliHooks<'_> {
    fn on_batch(&mut self, p: &BatchProgress) {
        if !self.show {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new(p.batches as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "epoch {prefix} {bar:28} {pos}/{len} {msg} [{elapsed} < {eta}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        bar.set_prefix(format!("{}/{}", p.epoch, p.epochs));
        bar.set_position(p.batch as u64);
        bar.set_message(format!("loss {:.4} {:.0} img/s", p.loss, p.images_per_sec));
    }

    fn on_epoch(
        &mut self,
        state: &TrainState,
        model: &Model,
        optimizer: &ModuleOptimizer,
        is_best: bool,
    ) -> Result<(), NnError> {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.dir.record_epoch(state, model, optimizer, is_best)?;
        self.last_state = Some(state.clone());
        if let Some(r) = state.history.last() {
            let val = match (r.val_loss, r.val_acc, r.val_ece) {
                (Some(l), Some(a), Some(e)) => {
                    format!("  val loss {l:.4} acc {a:.4} ece {e:.4}")
                }
                _ => String::new(),
            };
            eprintln!(
                "epoch {:>3}/{}  train loss {:.4} acc {:.4}{val}  lr {:.3e}  {:.0} img/s  {:.1}s{}",
                r.epoch,
                self.dir.meta.train.epochs,
                r.train_loss,
                r.train_acc,
                r.lr,
                r.images_per_sec,
                r.seconds,
                if is_best { "  *best" } else { "" }
            );
        }
        if state.stopped_early {
            eprintln!(
                "early stopping: no better validation {} for {} epochs",
                match self.dir.meta.train.select {
                    triage_nn::Select::Loss => "loss",
                    triage_nn::Select::Accuracy => "accuracy",
                },
                state.since_best
            );
        }
        Ok(())
    }
}

/// Run `triage train` and print where the run is and what was selected.
///
/// # Errors
///
/// As [`train_run`].
pub fn run(args: &TrainArgs) -> Result<ExitCode> {
    let done = train_run(args)?;
    println!("run: {}", done.dir.path.display());
    println!("status: {}", done.status);
    if let Some(best) = done.state.best {
        println!(
            "selected epoch: {} (by validation {}; val loss {}, val acc {})",
            best.epoch,
            match done.dir.meta.train.select {
                triage_nn::Select::Loss => "loss",
                triage_nn::Select::Accuracy => "accuracy",
            },
            best.val_loss.map_or("n/a".into(), |v| format!("{v:.4}")),
            best.val_acc.map_or("n/a".into(), |v| format!("{v:.4}")),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A finished training run.
pub struct TrainDone {
    /// The run directory.
    pub dir: RunDir,
    /// The final state.
    pub state: TrainState,
    /// `completed` or `early_stopped`.
    pub status: &'static str,
}

/// Train as `triage train` does, without printing the result.
///
/// # Errors
///
/// Unreadable data, invalid settings, divergence (exit 2 with the epoch and
/// batch); an existing run without `--resume`/`--force`.
pub fn train_run(args: &TrainArgs) -> Result<TrainDone> {
    let progress = !args.no_progress;
    let (spec, preset) = args.model.spec()?;
    let dataset = open_dataset(&args.data.data, &OpenOptions::default())
        .with_context(|| format!("opening {}", args.data.data.display()))?;
    let k = dataset.classes.len();
    if k < 2 {
        bail!(
            "{} has {k} class(es); training needs at least 2",
            args.data.data.display()
        );
    }
    let seed = args.model.seed;
    let items = choose_items(&dataset, &args.data, seed)?;
    let previous =
        if args.resume {
            Some(RunDir::open(&args.out).with_context(|| {
                format!("--resume: no run to continue in {}", args.out.display())
            })?)
        } else {
            None
        };

    // Decode: at the run's own shape when resuming, else choose it.
    let raw_train = match &previous {
        Some(dir) => load_at(&dataset, &items.train, dir.meta.input, "decoding", progress),
        None => load_training(&dataset, &items.train, args.data.size, progress)?,
    };
    report_skipped("training", &raw_train.skipped);
    let shape = raw_train.shape;
    let raw_val = load_at(&dataset, &items.val, shape, "decoding val", progress);
    report_skipped("validation", &raw_val.skipped);
    let norm = match &previous {
        Some(dir) => dir.meta.preprocess.normalize.clone(),
        None => fit_normalization(&raw_train),
    };
    let train_set = to_image_set(&raw_train, &norm, item_labels(&dataset, &raw_train.items))?;
    let val_set = to_image_set(&raw_val, &norm, item_labels(&dataset, &raw_val.items))?;
    if train_set.is_empty() {
        bail!("no training image could be decoded");
    }

    let batches = train_set.len().div_ceil(args.model.batch_size.max(1));
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.model.batch_size,
        seed,
        schedule: args.schedule(batches),
        optimizer: args.model.optimizer(),
        label_smoothing: args.label_smoothing,
        augment: args.augment(shape.height.min(shape.width), shape.channels),
        select: args.select(),
        patience: args.patience,
    };
    config.validate()?;

    let device = triage_nn::device_for(args.model.device.backend())?.autodiff();
    device.seed(seed);
    let (dir, model, resume) = match previous {
        Some(dir) => resume_from(dir, &dataset, &train_set, &device)?,
        None => {
            let meta = RunMeta {
                format: RUN_FORMAT.into(),
                version: RUN_VERSION,
                triage_version: env!("CARGO_PKG_VERSION").into(),
                burn_version: BURN_VERSION.into(),
                git_commit: (!GIT_COMMIT.is_empty()).then(|| GIT_COMMIT.to_string()),
                created: triage_nn::run_dir::utc_now(),
                command: std::env::args().collect(),
                data: args.data.data.display().to_string(),
                model: ModelRef {
                    preset,
                    spec: spec.clone(),
                },
                train: config.clone(),
                input: shape,
                classes: dataset.classes.clone(),
                preprocess: Preprocess {
                    resize: args.data.size.map(|(h, w)| (w, h)),
                    channels: if shape.channels == 3 { "rgb" } else { "gray" }.into(),
                    normalize: norm.clone(),
                },
                train_size: train_set.len(),
                val_size: val_set.len(),
                val_source: items.val_source.clone(),
            };
            let dir = RunDir::create(&args.out, meta, args.force)?;
            let model = spec.init(shape, k, &device)?;
            (dir, model, None)
        }
    };
    let config = dir.meta.train.clone();
    eprintln!(
        "training {} ({} parameters) on {} images {}×{}×{}, validating on {} ({}); run dir {}",
        dir.meta.model.preset.as_deref().unwrap_or("spec"),
        burn::module::Module::num_params(&model),
        train_set.len(),
        shape.channels,
        shape.height,
        shape.width,
        val_set.len(),
        dir.meta.val_source,
        dir.path.display()
    );
    let mut hooks = CliHooks {
        dir: &dir,
        bar: None,
        show: progress,
        last_state: resume.as_ref().map(|r| r.state.clone()),
    };
    let val = (!val_set.is_empty()).then_some(&val_set);
    let result = train(
        model, &train_set, val, k, &config, &device, &mut hooks, resume,
    );
    if let Some(bar) = hooks.bar.take() {
        bar.finish_and_clear();
    }
    let trained = match result {
        Ok(t) => t,
        Err(e) => {
            let state = hooks.last_state.clone().unwrap_or_default();
            let status = if matches!(e, NnError::Diverged { .. }) {
                "diverged"
            } else {
                "failed"
            };
            let _ = dir.write_summary(&state, status, Some(e.to_string()));
            return Err(anyhow::Error::new(e).context(format!(
                "training stopped; the run directory {} keeps the checkpoints of the completed epochs",
                dir.path.display()
            )));
        }
    };
    let status = if trained.state.stopped_early {
        "early_stopped"
    } else {
        "completed"
    };
    dir.write_summary(&trained.state, status, None)?;
    Ok(TrainDone {
        dir,
        state: trained.state,
        status,
    })
}

/// Load the last checkpoint of `dir` for `--resume`.
fn resume_from(
    dir: RunDir,
    dataset: &Dataset,
    train_set: &ImageSet,
    device: &Device,
) -> Result<(RunDir, Model, Option<Resume>)> {
    if dir.meta.classes != dataset.classes {
        bail!(
            "--resume: the data's classes {:?} differ from the run's {:?}",
            dataset.classes,
            dir.meta.classes
        );
    }
    if dir.meta.train_size != train_set.len() {
        bail!(
            "--resume: {} training images now, {} when the run started; pass the same data and flags (--val-fraction, --max-train, --seed)",
            train_set.len(),
            dir.meta.train_size
        );
    }
    let path = dir.last_checkpoint();
    let loaded = checkpoint::load(&path)?;
    let model = dir
        .meta
        .model
        .spec
        .init(dir.meta.input, dir.meta.classes.len(), device)?;
    let model = checkpoint::load_model(model, loaded.model, &path)?;
    dir.rewrite_log(&loaded.state.history)?;
    eprintln!(
        "resuming {} after epoch {} of {}",
        dir.path.display(),
        loaded.state.epochs_done,
        dir.meta.train.epochs
    );
    let resume = Resume {
        state: loaded.state,
        optimizer: loaded.optimizer,
        path,
    };
    Ok((dir, model, Some(resume)))
}
