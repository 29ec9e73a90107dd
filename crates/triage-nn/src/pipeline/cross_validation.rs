//! `triage train --folds K`: K runs, each trained without one stratified
//! fold and predicting exactly that fold, merged into
//! `RUN_DIR/out_of_fold.csv` in the dataset's order — the out-of-sample
//! predictions confident learning needs for every training item.
//!
//! | file | written | content |
//! |---|---|---|
//! | `folds.json` | at the start | [`FoldsDoc`]: K, seed, data and every training setting |
//! | `fold-<i>/` | per fold | a run directory, and `predictions/` of its held-out fold |
//! | `out_of_fold.csv` | at the end | every training item once, in dataset order |
//!
//! Nothing done is lost: under `resume` a fold whose predictions exist is
//! kept and an interrupted one resumes from its last checkpoint, and a
//! resume with another K, seed or setting than `folds.json` records is
//! refused naming the setting (it would mix two cross-validations).

use std::collections::HashMap;
use std::path::PathBuf;

use triage_data::dataset::{open_dataset, OpenOptions, Split};
use triage_data::output_folder::{OutputFolder, Previous};
use triage_data::predictions::{write_predictions_csv, PredictionRow};
use triage_data::{read_predictions, ReadOptions};
use triage_docs::folds::{FoldsDoc, FOLDS_FORMAT, FOLDS_VERSION};
use triage_stats::stratify::stratified_folds;
use triage_stats::StatsError;

use super::plan::TrainPlan;
use super::predict_run::{predict_run, PredictPlan};
use super::train_run::train_run;
use super::{PipelineError, TrainProgress};

/// A cross-validation: the training of every fold, and K.
#[derive(Debug, Clone)]
pub struct CrossValPlan {
    /// The training settings; `out` is the cross-validation's folder,
    /// `resume`/`force` apply to it and to every fold.
    pub train: TrainPlan,
    /// Number of folds K ≥ 2.
    pub folds: usize,
}

/// What a finished cross-validation wrote.
#[derive(Debug, Clone)]
pub struct CrossValDone {
    /// `out_of_fold.csv`.
    pub out_of_fold: PathBuf,
    /// Rows written (every training item that decoded).
    pub rows: usize,
    /// Training items of the dataset.
    pub train_items: usize,
}

/// Run (or resume) a cross-validation; see the module documentation.
///
/// # Errors
///
/// A class with fewer training items than folds (named), settings other
/// than `folds.json` under resume, an existing cross-validation without
/// resume or force, and every error of [`train_run`] and [`predict_run`].
pub fn cross_validate(
    plan: &CrossValPlan,
    progress: &dyn TrainProgress,
) -> Result<CrossValDone, PipelineError> {
    let (k, train, out) = (plan.folds, &plan.train, &plan.train.out);
    let data = &train.data.path;
    let dataset =
        open_dataset(data, &OpenOptions::default()).map_err(|source| PipelineError::Open {
            path: data.clone(),
            source,
        })?;
    let train_items: Vec<usize> = (0..dataset.items.len())
        .filter(|&i| matches!(dataset.items[i].split, None | Some(Split::Train)))
        .collect();
    let labels: Vec<usize> = train_items
        .iter()
        .map(|&i| dataset.items[i].label)
        .collect();
    let fold_of = stratified_folds(&labels, k, train.seed).map_err(|e| match e {
        // Name the class, and the most folds every class can fill.
        StatsError::FewerSamplesThanFolds { class, count, .. } => {
            let mut counts = vec![0usize; dataset.classes.len()];
            for &y in &labels {
                counts[y] += 1;
            }
            let most = counts.iter().copied().filter(|&n| n > 0).min().unwrap_or(0);
            PipelineError::Invalid(format!(
                "--folds {k} on `{}`: class {class} ({:?}) has {count} training item{}, fewer than the {k} folds; use at most {most} folds, or add items of that class",
                data.display(),
                dataset.classes[class],
                if count == 1 { "" } else { "s" }
            ))
        }
        other => PipelineError::Invalid(format!("--folds {k}: {other}")),
    })?;
    let folder = OutputFolder::claim(out, "train", Previous::Keep)?;
    check_same_folds(plan)?;

    let mut rows: Vec<(usize, Vec<f64>, usize, String)> = Vec::new();
    let mut classes: Option<Vec<String>> = None;
    let index_of: HashMap<&str, usize> = dataset
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    for f in 0..k {
        let held: Vec<usize> = train_items
            .iter()
            .zip(&fold_of)
            .filter(|(_, &g)| g == f)
            .map(|(&i, _)| i)
            .collect();
        let dir = out.join(format!("fold-{f}"));
        let predictions = dir.join("predictions");
        let csv_path = predictions.join("predictions.csv");
        progress.note(&format!(
            "fold {}/{k}: training on {} items, predicting the {} held out",
            f + 1,
            train_items.len() - held.len(),
            held.len()
        ));
        if !(train.resume && csv_path.is_file()) {
            let mut fold = train.clone();
            fold.out.clone_from(&dir);
            fold.resume = train.resume && dir.join("run.json").is_file();
            fold.data.held_out.clone_from(&held);
            train_run(&fold, progress)?;
            predict_run(
                &PredictPlan {
                    run: dir.clone(),
                    data: data.clone(),
                    out: predictions.clone(),
                    split: None,
                    items: Some((held.clone(), format!("fold {f} of {k} (held out)"))),
                    checkpoint: "best".into(),
                    batch_size: 256,
                    backend: train.backend,
                },
                progress,
            )?;
        }
        let read = read_predictions(&csv_path, &ReadOptions::default())
            .map_err(|e| PipelineError::Invalid(format!("{e}; rerun the folds with --force")))?;
        match &classes {
            Some(c) if c != &read.classes => {
                return Err(PipelineError::Invalid(format!(
                "`{}` has other classes than fold 0's predictions; rerun the folds with --force",
                csv_path.display()
            )))
            }
            Some(_) => {}
            None => classes = Some(read.classes.clone()),
        }
        let paths = read.paths.clone().unwrap_or_default();
        for (r, id) in read.ids.iter().enumerate() {
            let Some(&i) = index_of.get(id.as_str()) else {
                return Err(PipelineError::Invalid(format!(
                    "`{}` predicts item {id:?}, which `{}` does not hold; rerun the folds with --force",
                    csv_path.display(),
                    data.display()
                )));
            };
            let path = paths.get(r).cloned().unwrap_or_default();
            rows.push((i, read.proba.row(r).to_vec(), read.labels[r], path));
        }
    }
    rows.sort_by_key(|(i, ..)| *i);
    let out_path = out.join("out_of_fold.csv");
    let classes = classes.unwrap_or_default();
    write_predictions_csv(
        &out_path,
        &classes,
        rows.iter().map(|(i, probs, label, path)| PredictionRow {
            id: &dataset.items[*i].id,
            label: Some(*label),
            path,
            probs,
        }),
    )
    .map_err(|e| PipelineError::io(&out_path, e))?;
    folder.finish()?;
    Ok(CrossValDone {
        out_of_fold: out_path,
        rows: rows.len(),
        train_items: train_items.len(),
    })
}

/// Record the settings in `folds.json`, or, under resume, refuse settings
/// other than those recorded (the first that differs is named).
fn check_same_folds(plan: &CrossValPlan) -> Result<(), PipelineError> {
    let train = &plan.train;
    let data = train
        .data
        .path
        .canonicalize()
        .unwrap_or_else(|_| train.data.path.clone());
    let settings = [
        ("folds", plan.folds.to_string()),
        ("seed", train.seed.to_string()),
        ("data", data.display().to_string()),
        ("val_fraction", train.data.val_fraction.to_string()),
        ("size", format!("{:?}", train.data.size)),
        ("max_train", format!("{:?}", train.data.max_train)),
        ("model", format!("{:?}", train.model)),
        ("optimizer", format!("{:?}", train.optimizer)),
        ("schedule", format!("{:?}", train.schedule)),
        ("epochs", train.epochs.to_string()),
        ("batch_size", train.batch_size.to_string()),
        ("select", format!("{:?}", train.select)),
        ("patience", format!("{:?}", train.patience)),
        ("label_smoothing", train.label_smoothing.to_string()),
        ("augment", format!("{:?}", train.augment)),
    ];
    let now = FoldsDoc {
        format: FOLDS_FORMAT.into(),
        version: FOLDS_VERSION,
        command: train.provenance.command.clone(),
        settings: settings
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let path = train.out.join("folds.json");
    if path.is_file() {
        let text = triage_data::bounded_read::read_document(&path)
            .map_err(|e| PipelineError::io(&path, e))?;
        let then: FoldsDoc = triage_docs::read_str(&text)
            .map_err(|e| PipelineError::Invalid(format!("{}: {e}", path.display())))?;
        if train.resume {
            if let Some((name, now, was)) = now.first_difference(&then) {
                return Err(PipelineError::Invalid(format!(
                    "--resume: `{name}` is {now} now but {was} in {}; resume with the settings the cross-validation started with (`{}`), or start over with --force",
                    path.display(),
                    then.command.join(" ")
                )));
            }
            return Ok(());
        }
        if !train.force {
            return Err(PipelineError::Invalid(format!(
                "{} already holds a cross-validation; pass --resume to continue it or --force to start over",
                train.out.display()
            )));
        }
    } else if train.resume && train.out.join("fold-0").exists() {
        return Err(PipelineError::Invalid(format!(
            "--resume: {} has folds but no folds.json (written by an older triage), so its settings cannot be checked; start over with --force",
            train.out.display()
        )));
    }
    let json = serde_json::to_vec_pretty(&now).map_err(|e| PipelineError::io(&path, e.into()))?;
    triage_data::output::write_atomic(&path, &json).map_err(|e| PipelineError::io(&path, e))
}
