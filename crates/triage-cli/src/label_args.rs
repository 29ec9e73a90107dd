//! Arguments of `triage label`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `triage label …`.
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LabelCommand,
}

/// The subcommands of `triage label`.
#[derive(Debug, Subcommand)]
pub enum LabelCommand {
    /// Serve a blind labelling page: one image at a time, a button per
    /// class, answers committed to an SQLite database before the page
    /// moves on. The browser never receives a label, a prediction, a class
    /// folder or a file name.
    Serve(ServeArgs),
    /// Human accuracy from a labelling database: per annotator (Wilson
    /// intervals), pooled and by majority vote, Cohen's and Fleiss' κ, the
    /// human confusion matrix, and humans against a model (McNemar).
    Report(ReportArgs),
}

/// Arguments of `triage label report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The database `triage label serve` wrote.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,

    /// A model's predictions on the dataset (the `evaluate` format, ids as
    /// the dataset's): humans and model compared on the same items.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,

    /// Write the annotation counts of the items two or more people
    /// answered (CSV `id,<classes…>,count`; the overlap stratum) for
    /// `triage bayes --soft-labels`.
    #[arg(long, value_name = "CSV")]
    pub soft_labels_out: Option<PathBuf>,

    /// For a review queue: write what people decided, one row per reviewed
    /// item (CSV `id,other,verdict,given,corrected,<votes per class>,not_sure`).
    #[arg(long, value_name = "CSV")]
    pub corrections_out: Option<PathBuf>,

    /// For a review queue of a file-based dataset: write a manifest of the
    /// whole dataset with confirmed label errors relabelled and confirmed
    /// duplicate pairs in one group (`triage split` keeps a group in one
    /// split). It must lie in the dataset's folder or above it.
    #[arg(long, value_name = "CSV")]
    pub corrected_manifest: Option<PathBuf>,

    /// The dataset, when it has moved since `label serve` (default: the
    /// path the database recorded).
    #[arg(long, value_name = "DATA")]
    pub data: Option<PathBuf>,

    /// Lowest attention-check pass rate kept: an annotator with 2 or more
    /// checks below it is excluded from every figure (and named).
    #[arg(long, value_name = "RATE", default_value_t = triage_docs::human::ATTENTION_MIN)]
    pub attention_min: f64,

    /// Print the JSON document (format `triage-human-labels`) instead of
    /// the summary.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `triage label serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The dataset to sample from (image folder, manifest, MNIST or CIFAR
    /// files).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Items to label (a seeded sample; undecodable items are skipped and
    /// listed). With --queue: the first N of the queue (default: all).
    #[arg(long, value_name = "N", required_unless_present = "queue")]
    pub sample: Option<usize>,

    /// Serve a review queue instead of a random sample: `label-issues
    /// FILE` (a `triage label-issues --json` document: annotators choose
    /// the class of each suspect, not told the given one) or `pairs FILE`
    /// (a `triage profile --json` document: "same photo?" for each
    /// near-duplicate pair).
    #[arg(long, num_args = 2, value_names = ["KIND", "FILE"])]
    pub queue: Option<Vec<String>>,

    /// Seed of the sample and of every annotator's order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Items shown to every annotator (the overlap stratum, for agreement
    /// and soft labels); the rest of the sample is shared out, each item
    /// to one annotator. Default: everyone labels the whole sample.
    #[arg(long, value_name = "M")]
    pub overlap: Option<usize>,

    /// Attention checks: about 5 % of each annotator's answers are repeats
    /// of an item they answered earlier; `label report` excludes those
    /// who answer them inconsistently.
    #[arg(long)]
    pub attention: bool,

    /// The database: created with the sample on the first run, resumed
    /// afterwards (one made for another dataset, sample or seed is
    /// refused).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,

    /// Address to listen on. Loopback by default; any other address
    /// requires a token (--token, or one is generated and printed in the
    /// URL).
    #[arg(long, default_value = "127.0.0.1:8765", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,

    /// Token every request must carry (`?token=` or the `x-triage-token`
    /// header).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Do not draw progress bars on stderr.
    #[arg(long)]
    pub no_progress: bool,
}
