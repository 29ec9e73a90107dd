//! The demo's evaluations — predict a run on a dataset and store the
//! evaluation where the report finds it (`run_layout`) — its shift and
//! Bayes-error steps, and its report.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use triage_data::output::write_atomic;
use triage_data::{read_predictions, ReadOptions};
use triage_docs::run_layout;
use triage_nn::pipeline::predict_run::PredictPlan;
use triage_nn::Backend;
use triage_report::{build_report, load_inputs, render_html, InputSpec, Report, ReportOptions};
use triage_stats::evaluation::{evaluate, EvaluationParams};

use triage_bayes::features::{embeddings, pixels, EmbeddingFiles, PixelOptions};
use triage_bayes::{analyze as bayes_analyze, BayesError, BayesInputs, BayesOptions};
use triage_shift::images::sample_images;
use triage_shift::{analyze, SampleOptions, ShiftOptions, Side, MIN_ITEMS};

use crate::commands::predict::predict_plan;
use crate::commands::progress::Bars;

/// Items per prediction batch.
const PREDICT_BATCH: usize = 256;

/// One evaluation: a name, the data and the split of it (all items when
/// `None`).
pub(super) struct DemoEvaluation<'a> {
    pub(super) name: &'a str,
    pub(super) data: PathBuf,
    pub(super) split: Option<&'a str>,
}

/// Predict `run_dir`'s best checkpoint on `data` (its `split`, or every
/// item) into `RUN/predict/NAME/`: predictions and embeddings.
fn predict_best(
    run_dir: &Path,
    data: &Path,
    name: &str,
    split: Option<&str>,
    show: bool,
) -> Result<triage_nn::pipeline::predict_run::PredictDone> {
    predict_plan(
        &PredictPlan {
            run: run_dir.to_path_buf(),
            data: data.to_path_buf(),
            out: run_dir.join("predict").join(name),
            split: split.map(str::to_string),
            items: None,
            checkpoint: "best".into(),
            batch_size: PREDICT_BATCH,
            backend: Backend::Cpu,
        },
        show,
    )
}

/// Predict `run_dir`'s best checkpoint on `eval.data`, then evaluate the
/// predictions into `eval/NAME.json` and copy them beside it
/// (`eval/NAME.predictions.csv`).
pub(super) fn predict_and_evaluate(
    run_dir: &Path,
    eval: &DemoEvaluation<'_>,
    bootstrap: usize,
    seed: u64,
    show: bool,
) -> Result<()> {
    let pred = predict_best(run_dir, &eval.data, eval.name, eval.split, show)?;
    let json = run_layout::evaluation(run_dir, eval.name);
    if let Some(dir) = json.parent() {
        fs::create_dir_all(dir)?;
    }
    let predictions = read_predictions(&pred.predictions, &ReadOptions::default())
        .with_context(|| format!("reading {}", pred.predictions.display()))?;
    let settings = EvaluationParams {
        bootstrap,
        seed,
        ..EvaluationParams::default()
    }
    .check()?;
    let evaluation = evaluate(
        &predictions.classes,
        &predictions.labels,
        &predictions.proba,
        &settings,
        &|| (),
    )
    .context("evaluation failed")?;
    write_atomic(&json, &serde_json::to_vec(&evaluation)?)?;
    fs::copy(&pred.predictions, run_layout::predictions_beside(&json))?;
    Ok(())
}

/// Build the report of `inputs` (paths of documents and run folders) and
/// write `DIR/report.html` and `DIR/report.json`; the report, the HTML
/// path and its size.
pub(super) fn write_report(out: &Path, inputs: &[String]) -> Result<(Report, PathBuf, usize)> {
    let specs: Vec<InputSpec> = inputs.iter().map(|s| InputSpec::parse(s)).collect();
    let report_inputs = load_inputs(&specs, &[]).context("reading the report inputs")?;
    let options = ReportOptions {
        title: Some("triage demo: clean synthetic training images, real-like deployment".into()),
        ..ReportOptions::default()
    };
    let report = build_report(&report_inputs, &options).context("building the report")?;
    let html = render_html(&report);
    let html_path = out.join("report.html");
    write_atomic(&html_path, html.as_bytes())
        .with_context(|| format!("writing {}", html_path.display()))?;
    let report_json = serde_json::to_string_pretty(&report)? + "\n";
    write_atomic(&out.join("report.json"), report_json.as_bytes())?;
    Ok((report, html_path, html.len()))
}

/// Compare the synthetic test split with the real-like set through the
/// run's model — its predictions and embeddings on both (written by the
/// evaluations) and the images themselves — and write `RUN/shift.json`,
/// which the report reads with the run.
pub(super) fn write_shift(
    run_dir: &Path,
    source_data: &Path,
    target_data: &Path,
    permutations: usize,
    show: bool,
) -> Result<()> {
    let predicted = |name: &str| run_dir.join("predict").join(name);
    let side = |name: &str, data: &Path| -> Result<Side> {
        let dir = predicted(name);
        let mut side = Side::read(
            Some(&dir.join("predictions.csv")),
            Some(&dir.join("embeddings.npy")),
        )?;
        let bars = Bars::new(show);
        let sample = sample_images(data, &SampleOptions::default(), &bars);
        bars.clear();
        side.images = Some(sample?);
        Ok(side)
    };
    let mut source = side("synthetic-test", source_data)?;
    let mut target = side("real-like", target_data)?;
    // `--quick` predicts too few items for the model's tests: compare the
    // images only, and say so.
    let few = source.n() < MIN_ITEMS || target.n() < MIN_ITEMS;
    if few {
        for s in [&mut source, &mut target] {
            s.predictions = None;
            s.embeddings = None;
        }
    }
    let options = ShiftOptions {
        permutations,
        ..ShiftOptions::default()
    };
    let bars = Bars::new(show);
    let analysis = analyze(&source, &target, &options, &bars);
    bars.clear();
    let mut doc = analysis
        .context("comparing the synthetic and real-like data")?
        .doc;
    if few {
        doc.notes.push(format!(
            "the model's predictions and embeddings were not compared: fewer than {MIN_ITEMS} items were predicted on a side"
        ));
    }
    write_atomic(&run_dir.join(run_layout::SHIFT), &serde_json::to_vec(&doc)?)?;
    Ok(())
}

/// How good can it get: predict the run on the training split (for its
/// embeddings), then estimate the Bayes error on the model's embeddings
/// and on the raw pixels (training → test split) with FeeBee's noise
/// sweep, and write `RUN/bayes.json`, which the report reads with the run
/// and compares with the run's synthetic-test evaluation. A set too small
/// for any estimate (`--quick`) is skipped with a note.
/// Compare the two runs' predictions on the evaluation `eval` (McNemar,
/// paired bootstrap, DeLong) into `OUT/compare-EVAL.json`; its path.
pub(super) fn write_compare(
    a: &Path,
    b: &Path,
    eval: &str,
    out: &Path,
    seed: u64,
) -> Result<PathBuf> {
    let read = |run: &Path| {
        read_predictions(
            &run_layout::predictions_beside(&run_layout::evaluation(run, eval)),
            &ReadOptions::default(),
        )
    };
    let files = [read(a)?, read(b)?];
    let aligned = triage_data::predictions::align::align(&files)?;
    let name = |run: &Path| {
        run.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let doc = triage_stats::compare::analysis::compare_models(
        &[name(a), name(b)],
        &aligned.labels,
        &aligned.classes,
        &aligned.proba,
        &triage_stats::compare::analysis::CompareOptions {
            bootstrap: triage_stats::compare::paired::PairedOptions {
                seed,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .context("comparing the two models")?;
    let path = out.join(format!("compare-{eval}.json"));
    write_atomic(&path, &serde_json::to_vec(&doc)?)?;
    Ok(path)
}

/// Lint the run's model and training setup (with its data profile as
/// evidence) into `RUN/lint.json`.
pub(super) fn write_lint(run_dir: &Path) -> Result<()> {
    let doc = triage_lint::lint(run_dir, &triage_lint::LintOptions::default())
        .context("linting the model")?;
    write_atomic(&run_dir.join(run_layout::LINT), &serde_json::to_vec(&doc)?)?;
    Ok(())
}

pub(super) fn write_bayes(run_dir: &Path, data: &Path, seed: u64, show: bool) -> Result<()> {
    let train = predict_best(run_dir, data, "synthetic-train", Some("train"), show)?;
    let test_dir = run_dir.join("predict").join("synthetic-test");
    let embedded = embeddings(
        &EmbeddingFiles {
            embeddings: train.embeddings.clone(),
            labels: train.predictions.clone(),
        },
        Some(&EmbeddingFiles {
            embeddings: test_dir.join("embeddings.npy"),
            labels: run_layout::predictions_beside(&run_layout::evaluation(
                run_dir,
                "synthetic-test",
            )),
        }),
    )
    .context("reading the model's embeddings")?;
    let bars = Bars::new(show);
    let raw = pixels(data, &PixelOptions::default(), &bars);
    bars.clear();
    let inputs = BayesInputs {
        features: vec![
            embedded,
            raw.context("reading the training images' pixels")?,
        ],
        soft_labels: None,
    };
    let options = BayesOptions {
        seed,
        noise_levels: triage_stats::bayes::noise::DEFAULT_LEVELS.to_vec(),
        ..BayesOptions::default()
    };
    let bars = Bars::new(show);
    let result = bayes_analyze(&inputs, &options, &bars);
    bars.clear();
    let doc = match result {
        Err(e @ (BayesError::ClassTooSmall { .. } | BayesError::TooFewClasses { .. })) => {
            eprintln!("         Bayes error not estimated: {e}");
            return Ok(());
        }
        other => other.context("estimating the Bayes error")?,
    };
    write_atomic(&run_dir.join(run_layout::BAYES), &serde_json::to_vec(&doc)?)?;
    Ok(())
}
