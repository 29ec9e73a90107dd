//! `triage demo [--out DIR] [--quick]`: the whole diagnosis on built-in
//! data, in one command.
//!
//! The seed's situation, reproduced: a classifier trained on clean
//! synthetic images and deployed on real-looking ones.
//!
//! 1. `synth` a clean training set (train/val/test splits, class
//!    imbalance 4:1, class-sorted file order) and a real-like deployment
//!    set of the same classes (texture, lighting, colour cast, blur, noise,
//!    JPEG);
//! 2. `profile` the training set;
//! 3. `train` the seed's kind of model — `vgg-like` (BatchNorm + Dropout)
//!    with Adadelta at a constant rate, crop augmentation only, selected on
//!    validation accuracy, 15 epochs — and the recommended baseline —
//!    ResNet-20 with AdamW (weight decay 0.01) and one-cycle (peak 2e-3),
//!    crop + flip and photometric augmentation towards the deployment
//!    conditions (colour jitter 0.3, blur σ ≤ 1.2 px, noise ≤ 0.25; the
//!    real-like set's lighting, white balance, optics and sensor), selected
//!    on validation loss, 22 epochs (one-cycle with augmentation needs the
//!    longer schedule: at 15 epochs it is still learning);
//! 4. `predict` + `evaluate` both on the held-out synthetic test split and
//!    on the real-like set;
//! 5. `report`: `DIR/report.html`, `DIR/report.json`; the path and the top
//!    findings are printed.
//!
//! `--quick` shrinks everything (3 classes, 16×16, 2 epochs, narrow
//! networks) for tests.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use triage_data::output::write_atomic;
use triage_data::output_folder::{OutputFolder, Previous};
use triage_data::{read_predictions, ReadOptions};
use triage_docs::run_layout;
use triage_report::terminal::write_report_summary;
use triage_report::{build_report, load_inputs, render_html, InputSpec, ReportOptions};
use triage_synth::{generate, Domain, ImageFormat, SynthConfig};

use crate::args::ProfileArgs;
use crate::commands::predict::predict;
use crate::commands::profile::profile_of;
use crate::commands::train::train;
use crate::train_args::{
    DataArgs, DeviceName, ModelArgs, OptimizerName, PredictArgs, ScheduleName, SelectName,
    TrainArgs,
};
use triage_nn::pipeline::predict_run::PredictDone;
use triage_stats::evaluation::{evaluate, EvaluationParams};

/// Arguments of `triage demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the data, runs and report: a new or empty folder, or an
    /// earlier demo's (whose files are replaced; nothing else is touched).
    #[arg(long, short = 'o', default_value = "triage-demo", value_name = "DIR")]
    pub out: PathBuf,

    /// A small, fast version (for tests): 3 classes, 16×16, 2 epochs.
    #[arg(long)]
    pub quick: bool,

    /// Seed of the data and of training.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Do not draw progress bars.
    #[arg(long)]
    pub no_progress: bool,
}

/// Folder name of the baseline's run under `DIR/runs/`.
pub const BASELINE_RUN: &str = "resnet-adamw-onecycle";
/// The baseline's one-cycle peak learning rate (AdamW).
const BASELINE_PEAK_LR: f64 = 2e-3;
/// The baseline's epochs in the full demo.
const BASELINE_EPOCHS: usize = 22;
/// The baseline's photometric augmentation: colour jitter, largest blur
/// σ (px), largest noise standard deviation — about the real-like set's
/// lighting ramp (±10–25 %), colour cast (±10 %), blur (σ 0.5–1.2 px) and
/// sensor noise plus texture, in standard deviations of the training
/// pixels.
const BASELINE_PHOTOMETRIC: (f64, f64, f64) = (0.3, 1.2, 0.25);

/// One of the demo's two trainings.
struct DemoRun {
    name: &'static str,
    what: &'static str,
    model: String,
    optimizer: OptimizerName,
    lr: Option<f64>,
    schedule: ScheduleName,
    select: SelectName,
    epochs: usize,
    crop: Option<usize>,
    photometric: Option<(f64, f64, f64)>,
}

/// Sizes of one demo flavour.
struct DemoSizes {
    classes: usize,
    per_class: usize,
    real_per_class: usize,
    size: u32,
    epochs: usize,
    baseline_epochs: usize,
    batch_size: usize,
    bootstrap: usize,
    seed_model: String,
    baseline_model: String,
}

impl DemoSizes {
    fn new(quick: bool, dir: &Path) -> Result<Self> {
        if quick {
            let vgg = dir.join("vgg-quick.toml");
            fs::write(
                &vgg,
                "kind = \"vgg\"\nwidths = [8, 16]\nblocks = [1, 1]\nblock_dropout = 0.2\ndropout = 0.5\n",
            )?;
            let resnet = dir.join("resnet-quick.toml");
            fs::write(
                &resnet,
                "kind = \"resnet\"\nwidths = [4, 8, 16]\nblocks = [1, 1, 1]\n",
            )?;
            Ok(Self {
                classes: 3,
                per_class: 24,
                real_per_class: 8,
                size: 16,
                epochs: 2,
                baseline_epochs: 2,
                batch_size: 16,
                bootstrap: 50,
                seed_model: vgg.display().to_string(),
                baseline_model: resnet.display().to_string(),
            })
        } else {
            Ok(Self {
                classes: 6,
                per_class: 600,
                real_per_class: 100,
                size: 24,
                epochs: 15,
                baseline_epochs: BASELINE_EPOCHS,
                batch_size: 32,
                bootstrap: 500,
                seed_model: "vgg-like".into(),
                baseline_model: "resnet20".into(),
            })
        }
    }
}

/// Run `triage demo`.
///
/// # Errors
///
/// Any step's error (disk full, an unwritable folder).
pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let out = &args.out;
    // Only the files an earlier demo wrote here are replaced; a folder
    // with anything else in it is refused.
    let folder = OutputFolder::claim(out, "demo", Previous::Replace)?;
    let plan = DemoSizes::new(args.quick, out)?;
    let progress = !args.no_progress;
    let step = |what: &str| eprintln!("[{:>5.1}s] {what}", started.elapsed().as_secs_f64());

    step("generating a clean synthetic training set and a real-like deployment set");
    let synthetic = out.join("data/synthetic");
    let real = out.join("data/real-like");
    let base = SynthConfig {
        classes: plan.classes,
        per_class: plan.per_class,
        seed: args.seed,
        size: plan.size,
        imbalance: 4.0,
        label_noise: 0.0,
        domain: Domain::Clean,
        format: ImageFormat::Png,
        val_fraction: 0.15,
        test_fraction: 0.2,
    };
    generate(&base, &synthetic).context("generating the synthetic training set")?;
    let deploy = SynthConfig {
        per_class: plan.real_per_class,
        seed: args.seed.wrapping_add(1000),
        imbalance: 1.0,
        domain: Domain::RealLike,
        format: ImageFormat::Jpeg { quality: 85 },
        val_fraction: 0.0,
        test_fraction: 0.0,
        ..base.clone()
    };
    generate(&deploy, &real).context("generating the real-like deployment set")?;
    let manifest = synthetic.join("manifest.csv");

    step("profiling the training data");
    let profile = profile_of(&ProfileArgs {
        data: manifest.clone(),
        json: true,
        fail_on: None,
        near_k: triage_profile::DEFAULT_NEAR_DUPLICATE_K as u16,
        embeddings: None,
        max_listed: 100,
        max_pixels: 100_000_000,
        cache_dir: None,
        no_cache: true,
        no_progress: !progress,
    })?;
    let profile_path = out.join(run_layout::PROFILE);
    write_atomic(&profile_path, &serde_json::to_vec(&profile)?)?;

    let seed_run = DemoRun {
        name: "seed-vgg-adadelta",
        what: "the seed's model: vgg-like + Adadelta, constant rate, selected on accuracy",
        model: plan.seed_model.clone(),
        optimizer: OptimizerName::Adadelta,
        lr: None,
        schedule: ScheduleName::Constant,
        select: SelectName::Accuracy,
        epochs: plan.epochs,
        crop: Some(0),
        photometric: None,
    };
    let baseline_run = DemoRun {
        name: BASELINE_RUN,
        what:
            "the baseline: ResNet + AdamW + one-cycle + photometric augmentation, selected on loss",
        model: plan.baseline_model.clone(),
        optimizer: OptimizerName::Adamw,
        lr: Some(BASELINE_PEAK_LR),
        schedule: ScheduleName::OneCycle,
        select: SelectName::Loss,
        epochs: plan.baseline_epochs,
        crop: None,
        photometric: Some(BASELINE_PHOTOMETRIC),
    };
    let mut inputs = vec![profile_path.display().to_string()];
    for run in [seed_run, baseline_run] {
        let DemoRun {
            name,
            what,
            model,
            optimizer,
            lr,
            schedule,
            select,
            epochs,
            crop,
            photometric,
        } = run;
        let (color_jitter, blur, noise) = photometric.unwrap_or((0.0, 0.0, 0.0));
        step(&format!("training {what}"));
        let run_dir = out.join("runs").join(name);
        let done = train(&TrainArgs {
            data: DataArgs {
                data: manifest.clone(),
                val_fraction: 0.1,
                size: None,
                max_train: None,
            },
            model: ModelArgs {
                model,
                optimizer,
                momentum: 0.9,
                nesterov: false,
                weight_decay: None,
                seed: args.seed,
                batch_size: plan.batch_size,
                device: DeviceName::Cpu,
            },
            out: run_dir.clone(),
            epochs,
            lr,
            schedule,
            warmup_epochs: 1,
            step_epochs: 10,
            gamma: 0.1,
            select,
            patience: None,
            label_smoothing: 0.0,
            crop_padding: crop,
            flip: false,
            no_flip: crop.is_some(),
            cutout: 0,
            color_jitter,
            blur,
            noise,
            folds: None,
            resume: false,
            force: true,
            no_progress: !progress,
        })?;
        eprintln!(
            "         {} epochs, selected epoch {}",
            done.state.epochs_done,
            done.state.best.map_or(0, |b| b.epoch)
        );
        for (eval_name, data, split) in [
            ("synthetic-test", &manifest, Some("test")),
            ("real-like", &real.join("manifest.csv"), None),
        ] {
            step(&format!("evaluating {name} on {eval_name}"));
            let pred_dir = run_dir.join("predict").join(eval_name);
            let pred = predict(
                &PredictArgs {
                    run: run_dir.clone(),
                    data: data.clone(),
                    out: pred_dir,
                    split: split.map(str::to_string),
                    checkpoint: "best".into(),
                    batch_size: 256,
                    device: DeviceName::Cpu,
                },
                progress,
            )?;
            write_evaluation(&pred, &run_dir, eval_name, plan.bootstrap, args.seed)?;
        }
        inputs.push(run_dir.display().to_string());
    }

    step("writing the report");
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
    folder.finish()?;
    step("done");
    let mut stdout = crate::stdout::stdout();
    write_report_summary(&mut stdout, &report, &html_path, html.len())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Evaluate a predictions file and store it where the report finds it:
/// `eval/NAME.json` and `eval/NAME.predictions.csv`.
fn write_evaluation(
    pred: &PredictDone,
    run_dir: &Path,
    name: &str,
    bootstrap: usize,
    seed: u64,
) -> Result<()> {
    let json = run_layout::evaluation(run_dir, name);
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
