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
//!    on the real-like set, and `shift` between the two (images,
//!    predictions, embeddings: `RUN/shift.json`);
//! 5. `bayes`: the Bayes error estimated on each model's embeddings and on
//!    the raw pixels, training → test split, with FeeBee's noise sweep
//!    (`RUN/bayes.json`), against which the report sets the model's error;
//! 6. `report`: `DIR/report.html`, `DIR/report.json`; the path and the top
//!    findings are printed.
//!
//! `--quick` shrinks everything (3 classes, 16×16, 2 epochs, narrow
//! networks) for tests.

mod plans;
mod steps;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use triage_data::output::write_atomic;
use triage_data::output_folder::{OutputFolder, Previous};
use triage_docs::run_layout;
use triage_report::terminal::write_report_summary;
use triage_synth::generate;

use triage_profile::files::{profile_files, ProfileRun};

use crate::commands::progress::Bars;
use crate::commands::train::train_plan;
use plans::DemoSizes;
pub use plans::BASELINE_RUN;
use steps::{
    predict_and_evaluate, write_bayes, write_compare, write_lint, write_report, write_shift,
    DemoEvaluation,
};

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
    let sizes = DemoSizes::new(args.quick)?;
    let show = !args.no_progress;
    let step = |what: &str| eprintln!("[{:>5.1}s] {what}", started.elapsed().as_secs_f64());

    step("generating a clean synthetic training set and a real-like deployment set");
    let synthetic = out.join("data/synthetic");
    let real = out.join("data/real-like");
    generate(&sizes.synthetic(args.seed), &synthetic)
        .context("generating the synthetic training set")?;
    generate(&sizes.real_like(args.seed), &real)
        .context("generating the real-like deployment set")?;
    let manifest = synthetic.join("manifest.csv");

    step("profiling the training data");
    let bars = Bars::new(show);
    let profiled = profile_files(
        &manifest,
        &ProfileRun {
            cache_dir: None,
            ..ProfileRun::with_cache()
        },
        &bars,
    );
    bars.clear();
    let profile = profiled.context("profiling the synthetic training set")?;
    let profile_path = out.join(run_layout::PROFILE);
    write_atomic(&profile_path, &serde_json::to_vec(&profile)?)?;

    let mut inputs = vec![profile_path.display().to_string()];
    let mut run_dirs = Vec::new();
    for training in sizes.trainings(&manifest, &out.join("runs"), args.seed) {
        step(&format!("training {}", training.what));
        let done = train_plan(&training.plan, show)?;
        eprintln!(
            "         {} epochs, selected epoch {}",
            done.state.epochs_done,
            done.state.best.map_or(0, |b| b.epoch)
        );
        let evaluations = [
            DemoEvaluation {
                name: "synthetic-test",
                data: manifest.clone(),
                split: Some("test"),
            },
            DemoEvaluation {
                name: "real-like",
                data: real.join("manifest.csv"),
                split: None,
            },
        ];
        for eval in &evaluations {
            step(&format!("evaluating {} on {}", training.name, eval.name));
            predict_and_evaluate(&training.plan.out, eval, sizes.bootstrap, args.seed, show)?;
        }
        step(&format!(
            "comparing synthetic and real-like data through {}",
            training.name
        ));
        write_shift(
            &training.plan.out,
            &manifest,
            &real.join("manifest.csv"),
            sizes.permutations,
            show,
        )?;
        step(&format!(
            "estimating how good it can get (Bayes error) through {}",
            training.name
        ));
        write_bayes(&training.plan.out, &manifest, args.seed, show)?;
        step(&format!(
            "linting the architecture and training setup of {}",
            training.name
        ));
        write_lint(&training.plan.out)?;
        inputs.push(training.plan.out.display().to_string());
        run_dirs.push(training.plan.out.clone());
    }
    if let [seed_run, baseline_run] = run_dirs.as_slice() {
        step("is the baseline really better? (paired tests on the same items)");
        for eval in ["synthetic-test", "real-like"] {
            let doc_path = write_compare(seed_run, baseline_run, eval, out, args.seed)?;
            inputs.push(doc_path.display().to_string());
        }
    }

    step("writing the report");
    let (report, html_path, html_len) = write_report(out, &inputs)?;
    folder.finish()?;
    step("done");
    let mut stdout = crate::stdout::stdout();
    write_report_summary(&mut stdout, &report, &html_path, html_len)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
