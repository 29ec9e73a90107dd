//! Arguments of `triage shift`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::args::FailOn;

/// The tests of `--tests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShiftTest {
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

    /// Items per side at most for MMD and the classifier test (a seeded
    /// subsample above; bounds the N² kernel work).
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
        }
    }
}
