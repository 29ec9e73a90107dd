//! Train into a run directory, as `triage train` does: open the data,
//! choose training and validation items, decode and normalise them, build
//! or resume the model, train, and keep `run.json`, `log.jsonl`,
//! `summary.json` and the checkpoints up to date after every epoch.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use triage_data::dataset::{open_dataset, Dataset, OpenOptions, Split};
use triage_data::output_folder::{OutputFolder, Previous};
use triage_data::progress::Progress;

use triage_stats::stratify::stratified_split;

use crate::checkpoint;
use crate::device::device_for;
use crate::error::NnError;
use crate::images::ImageSet;
use crate::model::{InitModel, Model};
use crate::run_dir::{
    ModelRef, Preprocess, RunDir, RunMeta, BURN_VERSION, RUN_FORMAT, RUN_VERSION,
};
use crate::train::{train, BatchProgress, Resume, TrainConfig, TrainHooks, TrainState};

use super::host_images::{
    fit_normalization, load_at, load_training, report_skipped, split_items, to_image_set,
};
use super::plan::{DataPlan, TrainPlan};
use super::{PipelineError, TrainProgress};

/// Training and validation item indices, and where validation came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSplit {
    /// Training items.
    pub train: Vec<usize>,
    /// Validation items.
    pub val: Vec<usize>,
    /// A description of the validation source.
    pub val_source: String,
}

/// Choose the training and validation items of `dataset`: its `val` split,
/// else a stratified `val_fraction` of the training items (seeded), then at
/// most `max_train` training items; the `held_out` items are in neither.
///
/// # Errors
///
/// No training items; a fraction outside [0, 1).
pub fn choose_items(
    dataset: &Dataset,
    data: &DataPlan,
    seed: u64,
) -> Result<ItemSplit, PipelineError> {
    let mut train_items = split_items(dataset, Split::Train);
    let mut val = split_items(dataset, Split::Val);
    if !data.held_out.is_empty() {
        let held: std::collections::HashSet<usize> = data.held_out.iter().copied().collect();
        train_items.retain(|i| !held.contains(i));
        val.retain(|i| !held.contains(i));
    }
    if train_items.is_empty() {
        return Err(PipelineError::Invalid(format!(
            "{} has no training items (no `train` split and no items without a split)",
            data.path.display()
        )));
    }
    if !(0.0..1.0).contains(&data.val_fraction) {
        return Err(PipelineError::Invalid(format!(
            "--val-fraction must be in [0, 1), got {}",
            data.val_fraction
        )));
    }
    let mut val_source = if val.is_empty() {
        "none".to_string()
    } else {
        "the dataset's val split".to_string()
    };
    if val.is_empty() && data.val_fraction > 0.0 {
        let (held, kept) =
            stratified_split(&item_labels(dataset, &train_items), data.val_fraction, seed);
        val = held.iter().map(|&p| train_items[p]).collect();
        train_items = kept.iter().map(|&p| train_items[p]).collect();
        val.sort_unstable();
        train_items.sort_unstable();
        val_source = format!(
            "{:.0}% of the training items, stratified, seed {seed}",
            100.0 * data.val_fraction
        );
    }
    if !data.held_out.is_empty() {
        val_source.push_str(&format!(
            "; {} items of a held-out fold left out",
            data.held_out.len()
        ));
    }
    if let Some(max) = data.max_train {
        if max == 0 {
            return Err(PipelineError::Invalid(
                "--max-train must be at least 1".to_string(),
            ));
        }
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

/// Open a dataset with at least two classes.
pub(crate) fn open_classified(path: &std::path::Path) -> Result<Dataset, PipelineError> {
    let dataset =
        open_dataset(path, &OpenOptions::default()).map_err(|source| PipelineError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let k = dataset.classes.len();
    if k < 2 {
        return Err(PipelineError::Invalid(format!(
            "{} has {k} class(es); training needs at least 2",
            path.display()
        )));
    }
    Ok(dataset)
}

/// Writes the run directory after every epoch and forwards progress.
struct RunHooks<'a> {
    dir: &'a RunDir,
    progress: &'a dyn TrainProgress,
    last_state: Option<TrainState>,
}

impl TrainHooks for RunHooks<'_> {
    fn on_batch(&mut self, p: &BatchProgress) {
        self.progress.batch(p);
    }

    fn on_epoch(
        &mut self,
        state: &TrainState,
        model: &Model,
        optimizer: &ModuleOptimizer,
        is_best: bool,
    ) -> Result<(), NnError> {
        self.dir.record_epoch(state, model, optimizer, is_best)?;
        self.last_state = Some(state.clone());
        self.progress
            .epoch(state, self.dir.meta.train.epochs, is_best);
        Ok(())
    }
}

/// A finished training run.
#[derive(Debug)]
pub struct TrainDone {
    /// The run directory.
    pub dir: RunDir,
    /// The final state.
    pub state: TrainState,
    /// `completed` or `early_stopped`.
    pub status: &'static str,
    /// Trainable parameters of the model.
    pub parameters: usize,
}

/// Train as `triage train` does.
///
/// # Errors
///
/// Unreadable data, invalid settings, divergence (the epoch and batch
/// named; `summary.json` says `diverged`), an existing run without
/// `resume`/`force`.
pub fn train_run(
    plan: &TrainPlan,
    progress: &dyn TrainProgress,
) -> Result<TrainDone, PipelineError> {
    let spec = &plan.model.spec;
    spec.validate().map_err(NnError::from)?;
    let dataset = open_classified(&plan.data.path)?;
    let k = dataset.classes.len();
    let seed = plan.seed;
    let items = choose_items(&dataset, &plan.data, seed)?;
    let previous = if plan.resume {
        Some(RunDir::open(&plan.out).map_err(|e| {
            PipelineError::Invalid(format!(
                "--resume: no run to continue in {}: {e}",
                plan.out.display()
            ))
        })?)
    } else {
        None
    };
    // Only into a new folder, an empty one, or a run triage wrote.
    let folder = OutputFolder::claim(&plan.out, "train", Previous::Keep)?;

    // Decode: at the run's own shape when resuming, else choose it.
    let raw_train = match &previous {
        Some(dir) => load_at(&dataset, &items.train, dir.meta.input, "decoding", progress),
        None => load_training(&dataset, &items.train, plan.data.size, progress)?,
    };
    report_skipped(progress, "training", &raw_train.skipped);
    let shape = raw_train.shape;
    super::check_model_fits(spec, shape, k, plan.batch_size)?;
    let raw_val = load_at(&dataset, &items.val, shape, "decoding val", progress);
    report_skipped(progress, "validation", &raw_val.skipped);
    let norm = match &previous {
        Some(dir) => dir.meta.preprocess.normalize.clone(),
        None => fit_normalization(&raw_train),
    };
    let train_set = to_image_set(&raw_train, &norm, item_labels(&dataset, &raw_train.items))?;
    let val_set = to_image_set(&raw_val, &norm, item_labels(&dataset, &raw_val.items))?;
    if train_set.is_empty() {
        return Err(PipelineError::Invalid(
            "no training image could be decoded".into(),
        ));
    }

    let batches = train_set.len().div_ceil(plan.batch_size.max(1));
    let config = plan.train_config(batches, shape.height.min(shape.width), shape.channels);
    config.validate().map_err(NnError::from)?;

    let device = device_for(plan.backend)?.autodiff();
    device.seed(seed);
    let (dir, model, resume) = match previous {
        Some(dir) => {
            check_same_settings(&dir, &config, &plan.model)?;
            resume_from(dir, &dataset, &train_set, &device, progress)?
        }
        None => {
            let meta = RunMeta {
                format: RUN_FORMAT.into(),
                version: RUN_VERSION,
                triage_version: plan.provenance.triage_version.clone(),
                burn_version: BURN_VERSION.into(),
                git_commit: plan.provenance.git_commit.clone(),
                created: crate::run_dir::utc_now(),
                command: plan.provenance.command.clone(),
                data: plan.data.path.display().to_string(),
                model: plan.model.clone(),
                train: config.clone(),
                input: shape,
                classes: dataset.classes.clone(),
                preprocess: Preprocess {
                    resize: plan.data.size.map(|(h, w)| (w, h)),
                    channels: if shape.channels == 3 { "rgb" } else { "gray" }.into(),
                    normalize: norm.clone(),
                },
                train_size: train_set.len(),
                val_size: val_set.len(),
                val_source: items.val_source.clone(),
            };
            let dir = RunDir::create(&plan.out, meta, plan.force)?;
            let model = spec.init(shape, k, &device)?;
            (dir, model, None)
        }
    };
    let config = dir.meta.train.clone();
    let parameters = model.num_params();
    progress.note(&format!(
        "training {} ({parameters} parameters) on {} images {}×{}×{}, validating on {} ({}); run dir {}",
        dir.meta.model.preset.as_deref().unwrap_or("spec"),
        train_set.len(),
        shape.channels,
        shape.height,
        shape.width,
        val_set.len(),
        dir.meta.val_source,
        dir.path.display()
    ));
    let mut hooks = RunHooks {
        dir: &dir,
        progress,
        last_state: resume.as_ref().map(|r| r.state.clone()),
    };
    let val = (!val_set.is_empty()).then_some(&val_set);
    let result = train(
        model, &train_set, val, k, &config, &device, &mut hooks, resume,
    );
    let trained = match result {
        Ok(t) => t,
        Err(e) => {
            let state = hooks.last_state.clone().unwrap_or_default();
            let diverged = matches!(
                e,
                NnError::Diverged { .. } | NnError::DivergedOnValidation { .. }
            );
            if !diverged {
                let _ = dir.write_summary(&state, "failed", Some(e.to_string()));
                return Err(e.into());
            }
            let last = dir.last_checkpoint();
            let kept = if state.epochs_done > 0 && last.is_file() {
                format!(
                    "the checkpoint after epoch {} is kept in {}",
                    state.epochs_done,
                    last.display()
                )
            } else {
                "no epoch had finished, so no checkpoint was written".to_string()
            };
            let error = PipelineError::Diverged { source: e, kept };
            let _ = dir.write_summary(&state, "diverged", Some(error.to_string()));
            return Err(error);
        }
    };
    let status = if trained.state.stopped_early {
        "early_stopped"
    } else {
        "completed"
    };
    dir.write_summary(&trained.state, status, None)?;
    folder.finish()?;
    Ok(TrainDone {
        dir,
        state: trained.state,
        status,
        parameters,
    })
}

/// Load the last checkpoint of `dir` for `--resume`.
fn resume_from(
    dir: RunDir,
    dataset: &Dataset,
    train_set: &ImageSet,
    device: &Device,
    progress: &dyn Progress,
) -> Result<(RunDir, Model, Option<Resume>), PipelineError> {
    if dir.meta.classes != dataset.classes {
        return Err(PipelineError::Invalid(format!(
            "--resume: the data's classes {:?} differ from the run's {:?}",
            dataset.classes, dir.meta.classes
        )));
    }
    if dir.meta.train_size != train_set.len() {
        return Err(PipelineError::Invalid(format!(
            "--resume: {} training images now, {} when the run started; pass the same data and flags (--val-fraction, --max-train, --seed)",
            train_set.len(),
            dir.meta.train_size
        )));
    }
    let path = dir.last_checkpoint();
    let model = dir
        .meta
        .model
        .spec
        .init(dir.meta.input, dir.meta.classes.len(), device)?;
    if !path.exists() && dir.read_log()?.is_empty() {
        // Set up, then stopped before its first epoch ended: nothing to
        // continue, so it starts cleanly in the same directory.
        progress.note(&format!(
            "{}: no epoch had finished; starting from epoch 1",
            dir.path.display()
        ));
        return Ok((dir, model, None));
    }
    let loaded = checkpoint::load(&path)?;
    let state = &loaded.state;
    if state.epochs_done > dir.meta.train.epochs || state.history.len() != state.epochs_done {
        return Err(NnError::Corrupt {
            path,
            what: "checkpoint",
            reason: format!(
                "it records {} epochs done ({} in its history) of a run of {}",
                state.epochs_done,
                state.history.len(),
                dir.meta.train.epochs
            ),
        }
        .into());
    }
    let model = checkpoint::load_model(model, loaded.model, loaded.version, &path)?;
    dir.rewrite_log(&loaded.state.history)?;
    progress.note(&format!(
        "resuming {} after epoch {} of {}",
        dir.path.display(),
        loaded.state.epochs_done,
        dir.meta.train.epochs
    ));
    let resume = Resume {
        state: loaded.state,
        optimizer: loaded.optimizer,
        path,
    };
    Ok((dir, model, Some(resume)))
}

/// Refuse to resume with settings other than the run's: the first field of
/// the training configuration or model that differs from `run.json` is
/// named (`train.epochs: 5 now, 2 in run.json`).
fn check_same_settings(
    dir: &RunDir,
    config: &TrainConfig,
    model: &ModelRef,
) -> Result<(), PipelineError> {
    let pairs = [
        ("model", to_value(model), to_value(&dir.meta.model)),
        ("train", to_value(config), to_value(&dir.meta.train)),
    ];
    for (name, now, then) in pairs {
        if let Some((field, now, then)) = first_difference(name, &now, &then) {
            return Err(PipelineError::Invalid(format!(
                "--resume: `{field}` is {now} now but {then} in {}; resume with the run's settings (it was started with `{}`), or start over with --force",
                dir.path.join("run.json").display(),
                dir.meta.command.join(" ")
            )));
        }
    }
    Ok(())
}

fn to_value(v: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The dotted path and both values of the first difference between two
/// JSON values, depth first.
fn first_difference(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Option<(String, String, String)> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                first_difference(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                )
            })
        }
        _ if a == b => None,
        _ => Some((path.to_string(), a.to_string(), b.to_string())),
    }
}
