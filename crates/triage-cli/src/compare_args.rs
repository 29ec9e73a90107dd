//! Arguments of `triage compare`.

use std::path::PathBuf;

use clap::Args;

use crate::args::FailOn;

/// `triage compare A B [C …]`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Prediction files of two or more models over the same items (the
    /// `evaluate` formats: CSV `id,label,p_<class>…`, NPZ, NPY), matched by
    /// id.
    #[arg(value_name = "PREDICTIONS", num_args = 2.., required = true)]
    pub files: Vec<PathBuf>,

    /// Significance level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,

    /// Bootstrap resamples of the paired differences.
    #[arg(long, default_value_t = triage_stats::compare::paired::DEFAULT_RESAMPLES)]
    pub bootstrap: usize,

    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// The scores are logits: apply a softmax.
    #[arg(long)]
    pub logits: bool,

    /// Accept rows that do not sum to 1 by dividing them by their sum.
    #[arg(long)]
    pub renormalize: bool,

    /// Write the JSON document here as well.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Print the JSON document (format `triage-compare`) instead of the
    /// summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires (a difference
    /// that is not significant is a warning).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}
