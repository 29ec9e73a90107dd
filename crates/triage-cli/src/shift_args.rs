//! Arguments of `triage shift`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::args::FailOn;

/// The tests of `--tests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShiftTest {
    /// KS per image property of the datasets (Bonferroni), with effect
    /// sizes and histograms.
    Properties,
    /// MMD permutation test on embeddings.
    Mmd,
    /// Classifier two-sample test on embeddings.
    C2st,
    /// KS per softmax output and χ² on predicted labels.
    Bbsd,
    /// BBSE and EM target priors, the likelihood-ratio test.
    LabelShift,
}

/// Arguments of `triage shift`.
#[derive(Debug, Args)]
pub struct ShiftArgs {
    /// The training images: a dataset (image folder, manifest, MNIST or
    /// CIFAR files), compared image property by image property.
    #[arg(long, value_name = "DATA")]
    pub source_data: Option<PathBuf>,

    /// The deployment images, as --source-data.
    #[arg(long, value_name = "DATA")]
    pub target_data: Option<PathBuf>,

    /// Resize every image of both datasets to WxH before measuring (needed
    /// when their sizes differ: sharpness and noise depend on size).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub resize: Option<(u32, u32)>,

    /// Convert every image of both datasets to grey before measuring
    /// (needed when one side is colour and the other grey).
    #[arg(long)]
    pub grayscale: bool,

    /// The model's predictions on held-out training-domain data (the
    /// `evaluate` format, labelled: validation or test predictions), for
    /// BBSD and label shift.
    #[arg(long, value_name = "PREDICTIONS")]
    pub source: Option<PathBuf>,

    /// The same model's predictions on the deployment data (labels
    /// optional: an empty or absent `label` column is read as unlabelled).
    #[arg(long, value_name = "PREDICTIONS")]
    pub target: Option<PathBuf>,

    /// Embeddings of the source items (`.npy` as `triage predict` writes,
    /// or a CSV `id,<features…>`), for MMD and the classifier test.
    #[arg(long, value_name = "FILE")]
    pub source_embeddings: Option<PathBuf>,

    /// Embeddings of the target items.
    #[arg(long, value_name = "FILE")]
    pub target_embeddings: Option<PathBuf>,

    /// Run only these tests (comma-separated); default: every test the
    /// inputs allow.
    #[arg(long, value_delimiter = ',', value_name = "TESTS")]
    pub tests: Vec<ShiftTest>,

    /// Significance level, shared by the covariate tests (Bonferroni).
    #[arg(long, default_value_t = 0.05, value_name = "A")]
    pub alpha: f64,

    /// Items per side at most for image properties, MMD and the classifier
    /// test (a seeded subsample above; bounds the N² kernel work).
    #[arg(long, default_value_t = 5_000, value_name = "N")]
    pub max_per_side: usize,

    /// MMD permutations.
    #[arg(long, default_value_t = 1_000, value_name = "B")]
    pub permutations: usize,

    /// Label-shift bootstrap resamples (0: no intervals).
    #[arg(long, default_value_t = 200, value_name = "B")]
    pub bootstrap: usize,

    /// Seed of every subsample, permutation, fold and resample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Write the prior-corrected target predictions here (label shift):
    /// p(y|x) reweighted by the estimated target priors.
    #[arg(long, value_name = "CSV")]
    pub adjusted_out: Option<PathBuf>,

    /// Print the JSON document (format `triage-shift`) instead of the
    /// summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires (shift
    /// detected); for CI gates.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Do not draw progress bars on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

impl ShiftArgs {
    /// The library's settings.
    pub fn options(&self) -> triage_shift::ShiftOptions {
        let all = self.tests.is_empty();
        let wants = |t| all || self.tests.contains(&t);
        triage_shift::ShiftOptions {
            tests: triage_shift::Tests {
                properties: wants(ShiftTest::Properties),
                mmd: wants(ShiftTest::Mmd),
                c2st: wants(ShiftTest::C2st),
                bbsd: wants(ShiftTest::Bbsd),
                label_shift: wants(ShiftTest::LabelShift),
            },
            alpha: self.alpha,
            max_per_side: self.max_per_side,
            permutations: self.permutations,
            bootstrap: self.bootstrap,
            seed: self.seed,
            resize: self.resize,
            grayscale: self.grayscale,
        }
    }

    /// How the datasets are sampled (`salt` tells the sides' subsamples
    /// apart).
    pub fn sample(&self, salt: u64) -> triage_shift::SampleOptions {
        triage_shift::SampleOptions {
            max_items: self.max_per_side,
            seed: self.seed ^ salt,
            resize: self.resize,
            grayscale: self.grayscale,
            ..triage_shift::SampleOptions::default()
        }
    }
}

/// `WxH` (or `N` for N×N), both sides at least 1.
pub(crate) fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text.split_once(['x', 'X']).unwrap_or((text, text));
    match (w.trim().parse::<u32>(), h.trim().parse::<u32>()) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(format!("expected WxH such as 28x28, got `{text}`")),
    }
}
