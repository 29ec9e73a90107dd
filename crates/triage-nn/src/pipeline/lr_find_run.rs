//! The learning-rate range test on a dataset, as `triage lr-find` does:
//! `lr_find.csv` (lr, loss, smoothed) and `lr_find.json`.

use std::fs;
use std::path::PathBuf;

use triage_docs::lr_find::LrFindDoc;

use crate::checkpoint::write_atomic;
use crate::device::{device_for, Backend};
use crate::lr_find::{lr_find, LrFindConfig};
use crate::model::InitModel;
use crate::optimizer::OptimizerSpec;
use crate::run_dir::ModelRef;
use triage_data::output_folder::{OutputFolder, Previous};

use super::host_images::{fit_normalization, load_training, report_skipped, to_image_set};
use super::plan::DataPlan;
use super::train_run::{choose_items, item_labels, open_classified};
use super::{PipelineError, TrainProgress};

/// What to test.
#[derive(Debug, Clone, PartialEq)]
pub struct LrFindPlan {
    /// The data.
    pub data: DataPlan,
    /// The model.
    pub model: ModelRef,
    /// The optimizer.
    pub optimizer: OptimizerSpec,
    /// Range and smoothing (its `seed` also seeds initialisation).
    pub config: LrFindConfig,
    /// Where to compute.
    pub backend: Backend,
    /// Folder for `lr_find.csv` and `lr_find.json`.
    pub out: PathBuf,
}

/// Run the test and write its files; returns the document and the CSV
/// path.
///
/// # Errors
///
/// Unreadable data, invalid settings, I/O errors.
pub fn lr_find_run(
    plan: &LrFindPlan,
    progress: &dyn TrainProgress,
) -> Result<(LrFindDoc, PathBuf), PipelineError> {
    let folder = OutputFolder::claim(&plan.out, "lr-find", Previous::Replace)?;
    let dataset = open_classified(&plan.data.path)?;
    let k = dataset.classes.len();
    let seed = plan.config.seed;
    let items = choose_items(&dataset, &plan.data, seed)?;
    let raw = load_training(&dataset, &items.train, plan.data.size, progress)?;
    report_skipped(progress, "training", &raw.skipped);
    let norm = fit_normalization(&raw);
    let set = to_image_set(&raw, &norm, item_labels(&dataset, &raw.items))?;
    let device = device_for(plan.backend)?.autodiff();
    device.seed(seed);
    super::check_model_fits(&plan.model.spec, raw.shape, k, plan.config.batch_size)?;
    let model = plan.model.spec.init(raw.shape, k, &device)?;
    let result = lr_find(&model, &set, k, &plan.optimizer, &plan.config, &device)?;

    fs::create_dir_all(&plan.out).map_err(|e| PipelineError::io(&plan.out, e))?;
    let csv_path = plan.out.join("lr_find.csv");
    let mut text = String::from("lr,loss,smoothed\n");
    for p in &result.points {
        text.push_str(&format!("{},{},{}\n", p.lr, p.loss, p.smoothed));
    }
    write_atomic(&csv_path, text.as_bytes())?;
    let doc = LrFindDoc::new(result);
    let json_path = plan.out.join("lr_find.json");
    let json =
        serde_json::to_vec_pretty(&doc).map_err(|e| PipelineError::io(&json_path, e.into()))?;
    write_atomic(&json_path, &json)?;
    folder.finish()?;
    Ok((doc, csv_path))
}
