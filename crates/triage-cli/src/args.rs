//! Command-line arguments, as close to the flags as possible (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// triage: is it me, the data, or the limit? Diagnoses image classifiers.
#[derive(Debug, Parser)]
#[command(
    name = "triage",
    version,
    about = "triage: is it me, the data, or the limit? Audits image classifiers and their data"
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands (verbs).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole diagnosis on built-in data: synthetic training set,
    /// real-like deployment set, the seed's model and a better baseline,
    /// evaluation, and the HTML report.
    Demo(crate::commands::demo::DemoArgs),
    /// Evaluate a predictions file: metrics with confidence intervals,
    /// ROC/PR curves, calibration and temperature scaling.
    Evaluate(EvaluateArgs),
    /// Find examples whose given label is probably wrong, from out-of-sample
    /// predicted probabilities (confident learning, as cleanlab).
    LabelIssues(LabelIssuesArgs),
    /// Profile a dataset: classes and balance, order, duplicates and
    /// leakage between splits, corrupt files, sizes and image properties.
    Profile(ProfileArgs),
    /// Write a stratified, group-aware train/val/test split as a manifest.
    Split(SplitArgs),
    /// Generate a deterministic synthetic image dataset.
    Synth(SynthArgs),
    /// Write the whole diagnosis as one self-contained HTML page (plus an
    /// optional JSON model) from run directories, evaluations and profiles.
    Report(ReportArgs),
    /// Train a model (presets or a spec file) and write a run directory
    /// with its log and checkpoints.
    Train(crate::train_args::TrainArgs),
    /// Write predictions (the `evaluate` format) and embeddings of a
    /// trained run on any dataset.
    Predict(crate::train_args::PredictArgs),
    /// Will it survive deployment: covariate and label shift between
    /// held-out and deployment predictions and embeddings.
    ///
    /// Covariate shift: MMD and a classifier two-sample test on embeddings,
    /// BBSD on the softmax outputs. Label shift: the deployment class
    /// priors without deployment labels (BBSE, EM with bias-corrected
    /// calibration), a likelihood-ratio test and prior-corrected
    /// predictions.
    Shift(crate::shift_args::ShiftArgs),
    /// How good can it get: Bayes-error estimates from raw pixels,
    /// embeddings (k-NN family, GHP) and soft labels (Ishida et al.), with
    /// intervals and FeeBee's noise self-check.
    Bayes(crate::bayes_args::BayesArgs),
    /// Blind human labelling: a local web page that measures how well
    /// people classify a random sample, without showing them the labels.
    Label(crate::label_args::LabelArgs),
    /// What an expert reviewer would change in a model and its training
    /// setup: reads ONNX, Keras and triage's own runs; layer table with
    /// shapes, parameters, MACs and receptive field; ranked findings.
    Lint(crate::lint_args::LintArgs),
    /// Is one model really better than another: McNemar, paired bootstrap
    /// intervals of accuracy, log loss, Brier, AUC and ECE differences,
    /// DeLong's AUC test, Holm across pairs, and a verdict in words.
    Compare(crate::compare_args::CompareArgs),
    /// Ablation sweeps: a plan of configurations × seeds (or 5×2
    /// cross-validation) trained by local workers, a Slurm job array or a
    /// Kubernetes Indexed Job, resumable, then compared (Welch, 5×2cv t
    /// and F, Holm) into one table, report and verdicts.
    Sweep(crate::sweep_args::SweepArgs),
    /// Exact k-nearest neighbours of embeddings (squared Euclidean or
    /// cosine), whole or as shard I of N of a query × reference split for
    /// a job array, and the merge of the shards.
    Knn(crate::knn_args::KnnArgs),
    /// Learning-rate range test: loss against an exponential ramp, with
    /// suggested rates.
    LrFind(crate::train_args::LrFindArgs),
}

/// Arguments of `triage report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Inputs, any mix: a training run directory (`run.json`, `log.jsonl`,
    /// `summary.json`, optional `profile.json`, `shift.json` and
    /// `eval/*.json`), an evaluation JSON (`triage evaluate --json`,
    /// optionally named `NAME=eval.json`), a profile JSON (`triage profile
    /// --json`), a label-issues JSON or a shift JSON (`triage shift
    /// --json`).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// Where to write the HTML report.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,

    /// Exit 1 when a finding at or above this severity fires (the findings
    /// that tripped it are listed on stderr); without it the exit code is
    /// 0 whatever is found. For CI gates.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Print the report model (the `triage-report` JSON document) on
    /// stdout instead of the summary; the HTML is written to `--out` either
    /// way.
    #[arg(long)]
    pub json: bool,

    /// Title of the report.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// The predictions file of an evaluation, for the image galleries:
    /// `NAME=FILE` for the evaluation NAME, or `FILE` for the evaluations
    /// given on the command line, in order (default: `<eval>.predictions.csv`
    /// beside the evaluation JSON).
    #[arg(long, value_name = "[NAME=]FILE")]
    pub predictions: Vec<String>,

    /// Thumbnails in the top-losses gallery of each evaluation.
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub top_losses: usize,

    /// Most-confused class pairs shown per evaluation (4 examples each).
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub confused_pairs: usize,

    /// Copies across splits shown side by side per profile (exact
    /// duplicates first, then near-duplicate pairs by score).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub leak_pairs: usize,
}

/// The lowest severity of a finding that makes a command exit 1
/// (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any finding.
    Info,
    /// A warning or a critical finding.
    Warning,
    /// A critical finding.
    Critical,
}

impl FailOn {
    /// The report's severity of the same name.
    pub fn severity(self) -> triage_report::Severity {
        match self {
            Self::Info => triage_report::Severity::Info,
            Self::Warning => triage_report::Severity::Warning,
            Self::Critical => triage_report::Severity::Critical,
        }
    }
}

/// Arguments of `triage profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The dataset: an image folder (`root/<class>/*` or
    /// `root/{train,val,test}/<class>/*`), a CSV manifest
    /// (`path,label[,split][,group]`), MNIST IDX files or CIFAR binary batches.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Print one JSON document on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires (the findings
    /// that tripped it are listed on stderr); without it the exit code is
    /// 0 whatever is found. For CI gates.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Neighbours searched per image for near-duplicate candidates (exact
    /// k-NN); each candidate is then verified by aligned correlation.
    #[arg(long, default_value_t = 10, value_name = "K", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub near_k: u16,

    /// Search near-duplicate candidates on these features instead of the
    /// pixels: an .npy array of N × D floats, one row per item in the
    /// dataset's order (`np.save` from any framework) or, with
    /// `<stem>.ids.csv` beside it (header `id`, one id per row, as `triage
    /// predict` writes beside embeddings.npy), rows matched by id; or a CSV
    /// `id,<features…>`. Only images that do not decode may lack a row.
    /// Candidates are still verified on the pixels.
    #[arg(long, value_name = "FILE")]
    pub embeddings: Option<PathBuf>,

    /// Most examples listed per finding (counts are always exact).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_listed: usize,

    /// Refuse images whose header claims more pixels than this
    /// (decompression-bomb guard).
    #[arg(long, default_value_t = 100_000_000, value_name = "PIXELS")]
    pub max_pixels: u64,

    /// Directory of the decoded-image cache (default: $TRIAGE_CACHE_DIR,
    /// else ~/.cache/triage/decoded).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Decode without reading or writing the cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// Do not show progress bars on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

/// Arguments of `triage split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The dataset (an image folder or a CSV manifest).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Share of items for validation.
    #[arg(long, default_value_t = 0.1, value_name = "F")]
    pub val: f64,

    /// Share of items for test.
    #[arg(long, default_value_t = 0.1, value_name = "F")]
    pub test: f64,

    /// Seed of the shuffle.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Manifest column holding the group (items of one group share a
    /// split); default: the manifest's `group` column, if any.
    #[arg(long, value_name = "COLUMN")]
    pub group_column: Option<String>,

    /// Where to write the manifest (default: `split.csv` in the dataset
    /// folder, or `<manifest>.split.csv` beside a manifest). Its directory
    /// must contain every image.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace an existing manifest at the output path.
    #[arg(long)]
    pub force: bool,
}

/// Look of synthetic images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DomainArg {
    /// Flat colours, no noise: the synthetic look.
    Clean,
    /// Textured backgrounds, lighting, blur, sensor noise, JPEG artefacts.
    RealLike,
}

/// File format of synthetic images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Lossless PNG.
    Png,
    /// JPEG (see --jpeg-quality).
    Jpeg,
}

/// Arguments of `triage synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Output folder (must not exist or be empty).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,

    /// Number of classes (2..=26).
    #[arg(long, default_value_t = 10, value_name = "K")]
    pub classes: usize,

    /// Images of the largest class.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub per_class: usize,

    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Side of the square images in pixels (8..=512).
    #[arg(long, default_value_t = 32, value_name = "PX")]
    pub size: u32,

    /// Ratio of the largest to the smallest class (geometric profile).
    #[arg(long, default_value_t = 1.0, value_name = "RATIO")]
    pub imbalance: f64,

    /// Label-noise rate ρ: a label is replaced by a uniform draw over all K
    /// classes with probability ρ (Bayes error ρ(K−1)/K).
    #[arg(long, default_value_t = 0.0, value_name = "RHO")]
    pub label_noise: f64,

    /// The look of the images.
    #[arg(long, value_enum, default_value_t = DomainArg::Clean)]
    pub domain: DomainArg,

    /// Image file format.
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    pub format: FormatArg,

    /// JPEG quality (1..=100) with --format jpeg.
    #[arg(long, default_value_t = 90, value_name = "Q")]
    pub jpeg_quality: u8,

    /// Share of every class held out for validation.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub val: f64,

    /// Share of every class held out for test.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub test: f64,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A predictions file and how to read it (`triage evaluate`,
/// `triage label-issues`).
#[derive(Debug, Args)]
pub struct PredictionsInput {
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
}

/// Arguments of `triage evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The predictions to evaluate.
    #[command(flatten)]
    pub input: PredictionsInput,

    /// Print one JSON document on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires (the findings
    /// that tripped it are listed on stderr); without it the exit code is
    /// 0 whatever is found. For CI gates.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Bootstrap resamples for the confidence intervals (0 to skip).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Seed of the bootstrap and of the calibration split.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Confidence level of the intervals.
    #[arg(long, default_value_t = triage_stats::evaluation::DEFAULT_CONFIDENCE, value_name = "LEVEL")]
    pub confidence: f64,

    /// Share of samples (stratified, seeded) on which a temperature is
    /// fitted; the rest measures metrics before/after scaling (0 to skip).
    #[arg(long, default_value_t = triage_stats::evaluation::DEFAULT_CALIBRATE_FRACTION, value_name = "F")]
    pub calibrate_fraction: f64,

    /// A dataset profile (`triage profile --json`) of the data these
    /// predictions cover: the accuracy is also measured without the items
    /// it lists as leaked (a copy in another split), with the inflation.
    #[arg(long, value_name = "PROFILE.json")]
    pub profile: Option<PathBuf>,

    /// Largest number of points written per ROC/PR curve in the JSON
    /// (evenly thinned, ends kept; 0 = all). AUCs are always exact.
    #[arg(long, default_value_t = triage_stats::evaluation::DEFAULT_MAX_CURVE_POINTS, value_name = "N")]
    pub max_curve_points: usize,

    /// Do not show the bootstrap progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

/// Arguments of `triage label-issues`.
#[derive(Debug, Args)]
pub struct LabelIssuesArgs {
    /// The predictions, as for `triage evaluate`. The probabilities must be
    /// out-of-sample: from a model that did not train on these items
    /// (cross-validation, or a held-out split).
    #[command(flatten)]
    pub input: PredictionsInput,

    /// Print one JSON document on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires (the findings
    /// that tripped it are listed on stderr); without it the exit code is
    /// 0 whatever is found. For CI gates.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Which examples are issues (cleanlab's `filter_by`):
    /// prune_by_noise_rate, prune_by_class, both, confident_learning,
    /// predicted_neq_given, low_normalized_margin, low_self_confidence.
    #[arg(long, default_value = "prune_by_noise_rate", value_name = "FILTER")]
    pub filter_by: String,

    /// How issues are ranked, worst first: self_confidence or
    /// normalized_margin.
    #[arg(long, default_value = "self_confidence", value_name = "SCORE")]
    pub rank_by: String,

    /// Share of the estimated issues to flag (cleanlab's `frac_noise`).
    #[arg(long, default_value_t = triage_stats::label_issues::DEFAULT_FRAC_NOISE, value_name = "F")]
    pub frac_noise: f64,

    /// Examples of each class never flagged (cleanlab's
    /// `min_examples_per_class`).
    #[arg(long, default_value_t = triage_stats::label_issues::DEFAULT_MIN_EXAMPLES_PER_CLASS, value_name = "N")]
    pub min_examples_per_class: usize,

    /// Issues listed, worst first (the count is never capped).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_listed: usize,
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
        let Command::Evaluate(a) = cli.command else {
            panic!("not evaluate")
        };
        assert_eq!((a.bootstrap, a.seed, a.calibrate_fraction), (1000, 0, 0.3));
    }
}
