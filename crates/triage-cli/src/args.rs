//! Command-line arguments, as close to the flags as possible (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// triage: is it me, the data, or the limit? Diagnoses image classifiers.
#[derive(Debug, Parser)]
#[command(name = "triage", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands (verbs).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a predictions file: metrics with confidence intervals,
    /// ROC/PR curves, calibration and temperature scaling.
    Evaluate(EvaluateArgs),
}

/// Arguments of `triage evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The predictions file: CSV (`id,label[,path],p_<class>...`), an `.npz`
    /// with `labels` and `probs` (or `logits`), a `probs.npy` (with
    /// --labels), or a directory holding `labels.npy` and `probs.npy`.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub predictions: PathBuf,

    /// The labels `.npy` file, when --predictions is a `probs.npy` file.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,

    /// Class names for NPY/NPZ input, comma-separated (default 0..K-1).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub class_names: Option<Vec<String>>,

    /// The scores are logits: apply a numerically stable softmax.
    #[arg(long)]
    pub logits: bool,

    /// Accept rows that do not sum to 1 by dividing them by their sum.
    #[arg(long)]
    pub renormalize: bool,

    /// Print one JSON document on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Bootstrap resamples for the confidence intervals (0 to skip).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Seed of the bootstrap and of the calibration split.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub confidence: f64,

    /// Share of samples (stratified, seeded) on which a temperature is
    /// fitted; the rest measures metrics before/after scaling (0 to skip).
    #[arg(long, default_value_t = 0.3, value_name = "F")]
    pub calibrate_fraction: f64,

    /// Largest number of points written per ROC/PR curve in the JSON
    /// (evenly thinned, ends kept; 0 = all). AUCs are always exact.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_curve_points: usize,

    /// Do not show the bootstrap progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn evaluate_defaults() {
        let cli = Cli::parse_from(["triage", "evaluate", "--predictions", "p.csv"]);
        let Command::Evaluate(a) = cli.command;
        assert_eq!((a.bootstrap, a.seed, a.calibrate_fraction), (1000, 0, 0.3));
    }
}
