//! Predict a dataset with a run's model, as `triage predict` does:
//! `predictions.csv` (the `triage evaluate` format, labels and columns by
//! class name, rows in dataset order), `embeddings.npy` (`f32`, N × D
//! penultimate features, rows aligned with the CSV) and `predict.json`.

use std::fs;
use std::path::PathBuf;

use triage_data::dataset::{open_dataset, OpenOptions, Source, Split};
use triage_data::npy_write::write_npy_f32;
use triage_data::output_folder::{OutputFolder, Previous};
use triage_data::predictions::{write_predictions_csv, PredictionRow};
use triage_data::progress::Progress;
use triage_docs::predict::{PredictDoc, PREDICT_FORMAT, PREDICT_VERSION};

use crate::checkpoint;
use crate::device::{device_for, Backend};
use crate::inference::run as run_model;
use crate::model::InitModel;
use crate::run_dir::RunDir;

use super::host_images::{load_at, report_skipped, to_image_set};
use super::PipelineError;

/// What to predict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictPlan {
    /// The run directory whose model predicts.
    pub run: PathBuf,
    /// The data (any reader); its classes must be among the run's.
    pub data: PathBuf,
    /// Folder for the three files.
    pub out: PathBuf,
    /// Only this split (`train`, `val`, `test`); `None` for every item.
    pub split: Option<String>,
    /// Only these items (indices into the dataset, ascending), with what
    /// they are for `predict.json`'s `split` (e.g. `"fold 2 of 5"`); takes
    /// precedence over `split`.
    pub items: Option<(Vec<usize>, String)>,
    /// `best` (the selected epoch; `last` when there is no best) or `last`.
    pub checkpoint: String,
    /// Images per forward pass.
    pub batch_size: usize,
    /// Where to compute.
    pub backend: Backend,
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictDone {
    /// `predictions.csv`.
    pub predictions: PathBuf,
    /// `embeddings.npy`.
    pub embeddings: PathBuf,
    /// Rows written.
    pub n: usize,
    /// Top-1 accuracy of the rows.
    pub accuracy: f64,
}

/// Predict as `triage predict` does.
///
/// # Errors
///
/// An unreadable run or data, classes the run does not know, I/O errors.
pub fn predict_run(
    plan: &PredictPlan,
    progress: &dyn Progress,
) -> Result<PredictDone, PipelineError> {
    let dir = RunDir::open(&plan.run)?;
    let meta = &dir.meta;
    let mut ckpt = if plan.checkpoint == "last" {
        dir.last_checkpoint()
    } else {
        dir.best_checkpoint()
    };
    if !ckpt.exists() && plan.checkpoint == "best" && dir.last_checkpoint().exists() {
        ckpt = dir.last_checkpoint();
    }
    let loaded = checkpoint::load(&ckpt)?;
    let device = device_for(plan.backend)?;
    device.seed(0);
    let model = meta
        .model
        .spec
        .init(meta.input, meta.classes.len(), &device)?;
    let model = checkpoint::load_model(model, loaded.model, loaded.version, &ckpt)?;

    let dataset = open_dataset(&plan.data, &OpenOptions::default()).map_err(|source| {
        PipelineError::Open {
            path: plan.data.clone(),
            source,
        }
    })?;
    let to_run: Vec<usize> = dataset
        .classes
        .iter()
        .map(|c| {
            meta.classes.iter().position(|m| m == c).ok_or_else(|| {
                PipelineError::Invalid(format!(
                    "class {c:?} of {} is not one of the run's classes {:?}: predict data with the classes the model was trained on",
                    plan.data.display(),
                    meta.classes
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let split: Option<Split> = match &plan.split {
        Some(s) => Some(
            s.parse()
                .map_err(|e| PipelineError::Invalid(format!("--split: {e}")))?,
        ),
        None => None,
    };
    let items: Vec<usize> = match &plan.items {
        Some((chosen, _)) => {
            if let Some(&bad) = chosen.iter().find(|&&i| i >= dataset.items.len()) {
                return Err(PipelineError::Invalid(format!(
                    "item {bad} is not in {} ({} items)",
                    plan.data.display(),
                    dataset.items.len()
                )));
            }
            chosen.clone()
        }
        None => (0..dataset.items.len())
            .filter(|&i| split.is_none() || dataset.items[i].split == split)
            .collect(),
    };
    if items.is_empty() {
        return Err(PipelineError::Invalid(format!(
            "{} has no items to predict",
            plan.data.display()
        )));
    }
    let folder = OutputFolder::claim(&plan.out, "predict", Previous::Replace)?;
    let raw = load_at(&dataset, &items, meta.input, "decoding", progress);
    report_skipped(progress, "", &raw.skipped);
    let labels: Vec<usize> = raw
        .items
        .iter()
        .map(|&i| to_run[dataset.items[i].label])
        .collect();
    let set = to_image_set(&raw, &meta.preprocess.normalize, labels)?;
    let outputs = run_model(&model, &set, plan.batch_size, true)?;
    let probs = outputs.probabilities();
    let k = meta.classes.len();

    fs::create_dir_all(&plan.out).map_err(|e| PipelineError::io(&plan.out, e))?;
    let csv_path = plan.out.join("predictions.csv");
    let paths: Vec<String> = raw
        .items
        .iter()
        .map(|&item| match &dataset.items[item].source {
            Source::File(p) => p
                .canonicalize()
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
            Source::Record { .. } => String::new(),
        })
        .collect();
    let rows = raw
        .items
        .iter()
        .zip(&set.labels)
        .zip(probs.chunks(k))
        .zip(&paths)
        .map(|(((&item, &label), row), path)| PredictionRow {
            id: &dataset.items[item].id,
            label: Some(label),
            path,
            probs: row,
        });
    write_predictions_csv(&csv_path, &meta.classes, rows)
        .map_err(|e| PipelineError::io(&csv_path, e))?;
    let npy_path = plan.out.join("embeddings.npy");
    write_npy_f32(
        &npy_path,
        &outputs.embeddings,
        set.len(),
        outputs.embedding_dim,
    )
    .map_err(|e| PipelineError::io(&npy_path, e))?;
    // The rows' ids, so that the embeddings line up with the dataset's
    // items even when undecodable images were skipped.
    let ids_path = triage_data::predictions::ids_path(&npy_path);
    triage_data::predictions::write_embedding_ids(
        &ids_path,
        raw.items.iter().map(|&i| dataset.items[i].id.as_str()),
    )
    .map_err(|e| PipelineError::io(&ids_path, e))?;
    let info = PredictDoc {
        format: PREDICT_FORMAT.into(),
        version: PREDICT_VERSION,
        run: dir.path.display().to_string(),
        checkpoint: ckpt.display().to_string(),
        epoch: loaded.state.history.last().map(|r| r.epoch),
        data: plan.data.display().to_string(),
        split: match &plan.items {
            Some((_, what)) => Some(what.clone()),
            None => plan.split.clone(),
        },
        n: set.len(),
        embedding_dim: outputs.embedding_dim,
        classes: meta.classes.clone(),
        skipped: raw.skipped.clone(),
    };
    let info_path = plan.out.join("predict.json");
    let json =
        serde_json::to_vec_pretty(&info).map_err(|e| PipelineError::io(&info_path, e.into()))?;
    checkpoint::write_atomic(&info_path, &json)?;
    let correct = probs
        .chunks(k)
        .zip(&set.labels)
        .filter(|(row, &y)| triage_stats::proba::argmax(row) == y)
        .count();
    let accuracy = correct as f64 / set.len().max(1) as f64;
    progress.note(&format!(
        "{} predictions (accuracy {accuracy:.4}) from {} -> {}",
        set.len(),
        ckpt.display(),
        plan.out.display()
    ));
    folder.finish()?;
    Ok(PredictDone {
        predictions: csv_path,
        embeddings: npy_path,
        n: set.len(),
        accuracy,
    })
}
