//! `triage predict RUN_DIR DATA --out DIR`: the predictions file of
//! `triage evaluate` and the penultimate-layer embeddings.
//!
//! Writes `DIR/predictions.csv` (`id,label,path,p_<class>…`, labels and
//! columns by class name, rows in dataset order), `DIR/embeddings.npy`
//! (`f32`, `N × D`, rows aligned with the CSV) and `DIR/predict.json` (run,
//! checkpoint, epoch, data, counts, skipped items).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;
use triage_data::dataset::{open_dataset, OpenOptions, Source, Split};
use triage_data::npy_write::write_npy_f32;
use triage_nn::checkpoint;
use triage_nn::inference::run as run_model;
use triage_nn::RunDir;

use crate::image_data::{load_at, report_skipped, to_image_set};
use crate::train_args::PredictArgs;

/// Run `triage predict` and print the paths of the files written.
///
/// # Errors
///
/// As [`predict_run`].
pub fn run(args: &PredictArgs) -> Result<ExitCode> {
    let done = predict_run(args)?;
    println!("{}", done.predictions.display());
    println!("{}", done.embeddings.display());
    Ok(ExitCode::SUCCESS)
}

/// What `triage predict` wrote.
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

/// Predict as `triage predict` does, without printing the paths.
///
/// # Errors
///
/// An unreadable run or data, classes the run does not know, I/O errors.
pub fn predict_run(args: &PredictArgs) -> Result<PredictDone> {
    let dir = RunDir::open(&args.run)?;
    let meta = &dir.meta;
    let mut ckpt = if args.checkpoint == "last" {
        dir.last_checkpoint()
    } else {
        dir.best_checkpoint()
    };
    if !ckpt.exists() && args.checkpoint == "best" && dir.last_checkpoint().exists() {
        ckpt = dir.last_checkpoint();
    }
    let loaded = checkpoint::load(&ckpt)?;
    let device = triage_nn::device_for(args.device.backend())?;
    device.seed(0);
    let model = meta
        .model
        .spec
        .init(meta.input, meta.classes.len(), &device)?;
    let model = checkpoint::load_model(model, loaded.model, &ckpt)?;

    let dataset = open_dataset(&args.data, &OpenOptions::default())
        .with_context(|| format!("opening {}", args.data.display()))?;
    let to_run: Vec<usize> = dataset
        .classes
        .iter()
        .map(|c| {
            meta.classes.iter().position(|m| m == c).with_context(|| {
                format!(
                    "class {c:?} of {} is not one of the run's classes {:?}: predict data with the classes the model was trained on",
                    args.data.display(),
                    meta.classes
                )
            })
        })
        .collect::<Result<_>>()?;
    let split: Option<Split> = match &args.split {
        Some(s) => Some(s.parse().map_err(|e| anyhow::anyhow!("--split: {e}"))?),
        None => None,
    };
    let items: Vec<usize> = (0..dataset.items.len())
        .filter(|&i| split.is_none() || dataset.items[i].split == split)
        .collect();
    if items.is_empty() {
        bail!("{} has no items to predict", args.data.display());
    }
    let raw = load_at(&dataset, &items, meta.input, "decoding", true);
    report_skipped("", &raw.skipped);
    let labels: Vec<usize> = raw
        .items
        .iter()
        .map(|&i| to_run[dataset.items[i].label])
        .collect();
    let set = to_image_set(&raw, &meta.preprocess.normalize, labels)?;
    let outputs = run_model(&model, &set, args.batch_size, true)?;
    let probs = outputs.probabilities();
    let k = meta.classes.len();

    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let csv_path = args.out.join("predictions.csv");
    write_csv(
        &csv_path,
        &dataset,
        &raw.items,
        &meta.classes,
        &set.labels,
        &probs,
        k,
    )?;
    let npy_path = args.out.join("embeddings.npy");
    write_npy_f32(
        &npy_path,
        &outputs.embeddings,
        set.len(),
        outputs.embedding_dim,
    )
    .with_context(|| format!("writing {}", npy_path.display()))?;
    let info = json!({
        "run": dir.path.display().to_string(),
        "checkpoint": ckpt.display().to_string(),
        "epoch": loaded.state.history.last().map(|r| r.epoch),
        "data": args.data.display().to_string(),
        "split": args.split,
        "n": set.len(),
        "embedding_dim": outputs.embedding_dim,
        "classes": meta.classes,
        "skipped": raw.skipped.iter().map(|s| json!({"id": s.id, "reason": s.reason})).collect::<Vec<_>>(),
    });
    let info_path = args.out.join("predict.json");
    fs::write(&info_path, serde_json::to_vec_pretty(&info)?)
        .with_context(|| format!("writing {}", info_path.display()))?;
    let correct = probs
        .chunks(k)
        .zip(&set.labels)
        .filter(|(row, &y)| triage_stats::proba::argmax(row) == y)
        .count();
    let accuracy = correct as f64 / set.len().max(1) as f64;
    eprintln!(
        "{} predictions (accuracy {accuracy:.4}) from {} -> {}",
        set.len(),
        ckpt.display(),
        args.out.display()
    );
    Ok(PredictDone {
        predictions: csv_path,
        embeddings: npy_path,
        n: set.len(),
        accuracy,
    })
}

fn write_csv(
    path: &Path,
    dataset: &triage_data::dataset::Dataset,
    items: &[usize],
    classes: &[String],
    labels: &[usize],
    probs: &[f64],
    k: usize,
) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    let mut header = vec!["id".to_string(), "label".into(), "path".into()];
    header.extend(classes.iter().map(|c| format!("p_{c}")));
    w.write_record(&header)?;
    for ((&item, &label), row) in items.iter().zip(labels).zip(probs.chunks(k)) {
        let it = &dataset.items[item];
        let source = match &it.source {
            Source::File(p) => p
                .canonicalize()
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
            Source::Record { .. } => String::new(),
        };
        let mut record = vec![it.id.clone(), classes[label].clone(), source];
        record.extend(row.iter().map(|p| format!("{p}")));
        w.write_record(&record)?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
