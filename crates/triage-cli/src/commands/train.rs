//! `triage train DATA --model M --optimizer O --epochs N --out RUN_DIR`.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::dataset::{open_dataset, OpenOptions, Split};
use triage_data::output::write_atomic;
use triage_data::output_folder::{OutputFolder, Previous};
use triage_nn::pipeline::predict_run::{predict_run, PredictPlan};
use triage_nn::pipeline::train_run::{train_run, TrainDone};
use triage_nn::Select;
use triage_stats::stratify::stratified_folds;

use crate::commands::progress::Bars;
use crate::train_args::TrainArgs;

/// Run `triage train` and print where the run is and what was selected.
///
/// # Errors
///
/// As [`train`].
pub fn run(args: &TrainArgs) -> Result<ExitCode> {
    if let Some(folds) = args.folds {
        return run_folds(args, usize::from(folds));
    }
    let done = train(args)?;
    let mut out = crate::stdout::stdout();
    writeln!(out, "run: {}", done.dir.path.display())?;
    writeln!(out, "status: {}", done.status)?;
    if let Some(best) = done.state.best {
        writeln!(
            out,
            "selected epoch: {} (by validation {}; val loss {}, val acc {})",
            best.epoch,
            match done.dir.meta.train.select {
                Select::Loss => "loss",
                Select::Accuracy => "accuracy",
            },
            best.val_loss.map_or("n/a".into(), |v| format!("{v:.4}")),
            best.val_acc.map_or("n/a".into(), |v| format!("{v:.4}")),
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Train as `triage train` does, drawing progress on stderr.
///
/// # Errors
///
/// Unreadable data, invalid settings, divergence, an existing run without
/// `--resume`/`--force`.
pub fn train(args: &TrainArgs) -> Result<TrainDone> {
    let plan = args.plan()?;
    let bars = Bars::new(!args.no_progress);
    let result = train_run(&plan, &bars);
    bars.clear();
    match result {
        // Refused before anything was trained: no checkpoint to speak of.
        Err(e @ triage_nn::pipeline::PipelineError::Output(_)) => Err(e.into()),
        other => other.with_context(|| {
            format!(
                "training in {} stopped (checkpoints of completed epochs, if any, are kept there)",
                args.out.display()
            )
        }),
    }
}

/// Record the settings of a cross-validation in `RUN_DIR/folds.json`, or,
/// under `--resume`, refuse settings other than those recorded (the first
/// that differs is named): a changed K, seed, model or training setting
/// would mix folds of two different cross-validations.
fn check_same_folds(args: &TrainArgs, folds: usize) -> Result<()> {
    use triage_docs::folds::{FoldsDoc, FOLDS_FORMAT, FOLDS_VERSION};
    let plan = args.plan()?;
    let data = plan
        .data
        .path
        .canonicalize()
        .unwrap_or(plan.data.path.clone());
    let settings = [
        ("folds", folds.to_string()),
        ("seed", plan.seed.to_string()),
        ("data", data.display().to_string()),
        ("val_fraction", plan.data.val_fraction.to_string()),
        ("size", format!("{:?}", plan.data.size)),
        ("max_train", format!("{:?}", plan.data.max_train)),
        ("model", format!("{:?}", plan.model)),
        ("optimizer", format!("{:?}", plan.optimizer)),
        ("schedule", format!("{:?}", plan.schedule)),
        ("epochs", plan.epochs.to_string()),
        ("batch_size", plan.batch_size.to_string()),
        ("select", format!("{:?}", plan.select)),
        ("patience", format!("{:?}", plan.patience)),
        ("label_smoothing", plan.label_smoothing.to_string()),
        ("augment", format!("{:?}", plan.augment)),
    ];
    let now = FoldsDoc {
        format: FOLDS_FORMAT.into(),
        version: FOLDS_VERSION,
        command: plan.provenance.command.clone(),
        settings: settings
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let path = args.out.join("folds.json");
    if path.is_file() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        let then: FoldsDoc = triage_docs::read_str(&text)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        if args.resume {
            if let Some((name, now, was)) = now.first_difference(&then) {
                anyhow::bail!(
                    "--resume: `{name}` is {now} now but {was} in {}; resume with the settings the cross-validation started with (`{}`), or start over with --force",
                    path.display(),
                    then.command.join(" ")
                );
            }
            return Ok(());
        }
        if !args.force {
            anyhow::bail!(
                "{} already holds a cross-validation; pass --resume to continue it or --force to start over",
                args.out.display()
            );
        }
    } else if args.resume && args.out.join("fold-0").exists() {
        anyhow::bail!(
            "--resume: {} has folds but no folds.json (written by an older triage), so its settings cannot be checked; start over with --force",
            args.out.display()
        );
    }
    write_atomic(&path, &serde_json::to_vec_pretty(&now)?)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}

/// `triage train --folds K`: K runs, each predicting the fold it did not
/// see, merged into `RUN_DIR/out_of_fold.csv` in the dataset's order. A
/// fold whose predictions exist is kept under `--resume` (nothing done is
/// lost); an interrupted fold resumes from its last checkpoint.
fn run_folds(args: &TrainArgs, folds: usize) -> Result<ExitCode> {
    let data = &args.data.data;
    let dataset = open_dataset(data, &OpenOptions::default())
        .with_context(|| format!("failed to open `{}`", data.display()))?;
    let train_items: Vec<usize> = (0..dataset.items.len())
        .filter(|&i| matches!(dataset.items[i].split, None | Some(Split::Train)))
        .collect();
    let labels: Vec<usize> = train_items
        .iter()
        .map(|&i| dataset.items[i].label)
        .collect();
    let fold_of = stratified_folds(&labels, folds, args.model.seed).map_err(|e| {
        // Name the class, not only its index.
        let mut message = format!("--folds {folds} on `{}`: {e}", data.display());
        for (c, name) in dataset.classes.iter().enumerate() {
            let index = format!("class {c} has");
            if message.contains(&index) {
                message = message.replace(&index, &format!("class {c} ({name:?}) has"));
                break;
            }
        }
        anyhow::anyhow!(message)
    })?;
    let folder = OutputFolder::claim(&args.out, "train", Previous::Keep)?;
    check_same_folds(args, folds)?;
    let index_of: HashMap<&str, usize> = dataset
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    let mut header: Option<csv::StringRecord> = None;
    let mut rows: Vec<(usize, csv::StringRecord)> = Vec::new();
    for f in 0..folds {
        let held: Vec<usize> = train_items
            .iter()
            .zip(&fold_of)
            .filter(|(_, &k)| k == f)
            .map(|(&i, _)| i)
            .collect();
        let dir = args.out.join(format!("fold-{f}"));
        let predictions = dir.join("predictions");
        let csv_path = predictions.join("predictions.csv");
        eprintln!(
            "triage: fold {}/{folds}: training on {} items, predicting the {} held out",
            f + 1,
            train_items.len() - held.len(),
            held.len()
        );
        if !(args.resume && csv_path.is_file()) {
            let mut plan = args.plan()?;
            plan.out.clone_from(&dir);
            plan.resume = args.resume && dir.join("run.json").is_file();
            plan.data.held_out.clone_from(&held);
            let bars = Bars::new(!args.no_progress);
            let result = train_run(&plan, &bars);
            bars.clear();
            result.with_context(|| {
                format!(
                    "training fold {f} in {} stopped (checkpoints of completed epochs are kept; rerun with --resume)",
                    dir.display()
                )
            })?;
            let bars = Bars::new(!args.no_progress);
            let result = predict_run(
                &PredictPlan {
                    run: dir.clone(),
                    data: data.clone(),
                    out: predictions.clone(),
                    split: None,
                    items: Some((held.clone(), format!("fold {f} of {folds} (held out)"))),
                    checkpoint: "best".into(),
                    batch_size: 256,
                    backend: args.model.device.backend(),
                },
                &bars,
            );
            bars.clear();
            result.with_context(|| format!("predicting fold {f} with {}", dir.display()))?;
        }
        let mut reader = csv::Reader::from_path(&csv_path)
            .with_context(|| format!("failed to read `{}`", csv_path.display()))?;
        let head = reader.headers()?.clone();
        match &header {
            Some(h) if h != &head => anyhow::bail!(
                "`{}` has other columns than fold 0's predictions; rerun the folds with --force",
                csv_path.display()
            ),
            Some(_) => {}
            None => header = Some(head),
        }
        for record in reader.records() {
            let record =
                record.with_context(|| format!("failed to read `{}`", csv_path.display()))?;
            let id = record.get(0).unwrap_or_default();
            let Some(&i) = index_of.get(id) else {
                anyhow::bail!(
                    "`{}` predicts item {id:?}, which `{}` does not hold; rerun the folds with --force",
                    csv_path.display(),
                    data.display()
                );
            };
            rows.push((i, record));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    let out_path = args.out.join("out_of_fold.csv");
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header.iter().flatten())?;
    for (_, record) in &rows {
        writer.write_record(record)?;
    }
    let bytes = writer.into_inner().context("failed to write the CSV")?;
    write_atomic(&out_path, &bytes)
        .with_context(|| format!("failed to write `{}`", out_path.display()))?;
    folder.finish()?;
    let mut out = crate::stdout::stdout();
    writeln!(out, "{}", out_path.display())?;
    writeln!(
        out,
        "out-of-fold predictions: {} of {} training items ({} folds)",
        rows.len(),
        train_items.len(),
        folds
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
