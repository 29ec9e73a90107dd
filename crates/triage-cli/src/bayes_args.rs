//! Arguments of `triage bayes`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use triage_bayes::analysis::{
    DEFAULT_BOOTSTRAP, DEFAULT_GHP_EXACT_MAX, DEFAULT_GHP_GRAPH_K, DEFAULT_MIN_PER_CLASS,
};
use triage_bayes::features::{EmbeddingFiles, PixelOptions, DEFAULT_MAX_ITEMS};
use triage_bayes::soft_labels::SoftKind;
use triage_bayes::BayesOptions;
use triage_knn::Distance;

use crate::shift_args::parse_size;

/// A distance of `--metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// Squared Euclidean (the same neighbours as Euclidean).
    SquaredEuclidean,
    /// Cosine distance.
    Cosine,
}

/// An estimator of `--estimators`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EstimatorArg {
    /// k-NN error (upper) and the Cover–Hart / Devroye bound (lower).
    Knn,
    /// 1NN-kNN at the largest k.
    #[value(name = "1nn-knn")]
    OneNnKnn,
    /// kNN-Extrapolate over nested subsets.
    Extrapolate,
    /// Generalised Henze–Penrose on a minimum spanning tree.
    Ghp,
}

/// How `--soft-labels` numbers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SoftKindArg {
    /// Integer files are counts; float rows summing to 1 probabilities.
    Auto,
    /// Annotation counts.
    Counts,
    /// Probabilities.
    Probabilities,
}

/// Arguments of `triage bayes`.
#[derive(Debug, Args)]
pub struct BayesArgs {
    /// A dataset whose raw pixels (scaled to [0, 1]) are one feature set:
    /// train split → test split (else → validation split; no splits:
    /// leave-one-out), at the images' own size unless --resize.
    #[arg(long, value_name = "DATA")]
    pub data: Option<PathBuf>,

    /// Resize every image to WxH before taking its pixels.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub resize: Option<(u32, u32)>,

    /// Convert the images to one grey channel.
    #[arg(long)]
    pub grayscale: bool,

    /// Images per side at most (a seeded subsample above).
    #[arg(long, default_value_t = DEFAULT_MAX_ITEMS, value_name = "N")]
    pub max_items: usize,

    /// Embeddings of the training items (`.npy` as `triage predict`
    /// writes, with its ids file, or a CSV `id,<features…>`); repeat for
    /// several models: each is a feature set.
    #[arg(long, value_name = "FILE")]
    pub embeddings: Vec<PathBuf>,

    /// Labels of the training items: a labelled predictions file (any
    /// format `triage evaluate` reads; `triage predict` on the training
    /// split writes one). One for all --embeddings, or one each.
    #[arg(long, value_name = "FILE")]
    pub labels: Vec<PathBuf>,

    /// Embeddings of the test items, one per --embeddings in the same
    /// order: estimates train → test. Without: leave-one-out on the
    /// training items.
    #[arg(long, value_name = "FILE")]
    pub test_embeddings: Vec<PathBuf>,

    /// Labels of the test items (as --labels).
    #[arg(long, value_name = "FILE")]
    pub test_labels: Vec<PathBuf>,

    /// Soft labels: one row per item of annotation counts or
    /// probabilities (`.npy`, or a CSV with class-name columns and
    /// optional `id` and `count` columns), such as CIFAR-10H's counts.
    #[arg(long, value_name = "FILE")]
    pub soft_labels: Option<PathBuf>,

    /// How to read --soft-labels.
    #[arg(long, value_enum, default_value_t = SoftKindArg::Auto)]
    pub soft_kind: SoftKindArg,

    /// A binary task for the soft-label estimate: NAME=CLASS,CLASS,… (class
    /// names or indices) against the rest; repeatable.
    #[arg(long = "group", value_name = "NAME=CLASSES")]
    pub groups: Vec<String>,

    /// Class names of a soft-label `.npy` (comma-separated), when no
    /// feature set names them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub classes: Vec<String>,

    /// Distances (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [MetricArg::SquaredEuclidean, MetricArg::Cosine])]
    pub metrics: Vec<MetricArg>,

    /// The k of the k-NN estimates (comma-separated); 1NN-kNN uses the
    /// largest.
    #[arg(long = "k", value_delimiter = ',', default_values_t = [1usize, 5, 10], value_name = "K")]
    pub k: Vec<usize>,

    /// Estimators on feature sets (comma-separated); default all.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub estimators: Vec<EstimatorArg>,

    /// kNN-Extrapolate's model order (three terms at 5).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub extrapolate_order: usize,

    /// kNN-Extrapolate's nested subsets (n/S … n).
    #[arg(long, default_value_t = 10, value_name = "S")]
    pub subsets: usize,

    /// Training items up to which GHP's spanning tree is exact (n²/2
    /// distances); above, the MST of the k-NN graph (stated in the output).
    #[arg(long, default_value_t = DEFAULT_GHP_EXACT_MAX, value_name = "N")]
    pub ghp_exact_max: usize,

    /// The k of GHP's k-NN graph above --ghp-exact-max.
    #[arg(long, default_value_t = DEFAULT_GHP_GRAPH_K, value_name = "K")]
    pub ghp_graph_k: usize,

    /// Bootstrap resamples of kNN-Extrapolate's interval.
    #[arg(long, default_value_t = DEFAULT_BOOTSTRAP, value_name = "B")]
    pub bootstrap: usize,

    /// Confidence of every interval.
    #[arg(long, default_value_t = 0.95, value_name = "C")]
    pub confidence: f64,

    /// Training items per class below which the estimates are flagged.
    #[arg(long, default_value_t = DEFAULT_MIN_PER_CLASS, value_name = "N")]
    pub min_per_class: usize,

    /// FeeBee's self-check: inject uniform label noise ρ ∈ {0, 0.1, 0.2,
    /// 0.4} and show whether the estimates stay in the feasible band.
    #[arg(long)]
    pub noise_sweep: bool,

    /// The noise levels of --noise-sweep (comma-separated shares).
    #[arg(long, value_delimiter = ',', value_name = "RHO")]
    pub noise_levels: Vec<f64>,

    /// The lowest error a classifier is known to reach on this task (a
    /// model's test error, or the state of the art), as a share: the
    /// sweep band's anchor, and no lower bound may lie above it.
    #[arg(long, value_name = "E")]
    pub sota_error: Option<f64>,

    /// Seed of the subsets, the bootstrap and the label noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Also write the document (format `triage-bayes`) to this file (a run
    /// directory's `bayes.json` is read by `triage report`).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Print the JSON document instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Do not draw progress bars on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

impl BayesArgs {
    /// The library's settings.
    pub fn options(&self) -> BayesOptions {
        let all = self.estimators.is_empty();
        let wants = |e| all || self.estimators.contains(&e);
        let noise_levels = match (self.noise_sweep, self.noise_levels.is_empty()) {
            (_, false) => self.noise_levels.clone(),
            (true, true) => triage_stats::bayes::noise::DEFAULT_LEVELS.to_vec(),
            (false, true) => Vec::new(),
        };
        BayesOptions {
            metrics: self
                .metrics
                .iter()
                .map(|m| match m {
                    MetricArg::SquaredEuclidean => Distance::SquaredEuclidean,
                    MetricArg::Cosine => Distance::Cosine,
                })
                .collect(),
            k: if wants(EstimatorArg::Knn) || wants(EstimatorArg::OneNnKnn) {
                self.k.clone()
            } else {
                vec![1]
            },
            one_nn_knn: wants(EstimatorArg::OneNnKnn),
            extrapolate_order: if wants(EstimatorArg::Extrapolate) {
                self.extrapolate_order
            } else {
                0
            },
            subsets: self.subsets,
            ghp: wants(EstimatorArg::Ghp),
            ghp_exact_max: self.ghp_exact_max,
            ghp_graph_k: self.ghp_graph_k,
            bootstrap: self.bootstrap,
            seed: self.seed,
            confidence: self.confidence,
            min_per_class: self.min_per_class,
            noise_levels,
            sota_error: self.sota_error,
        }
    }

    /// How the dataset's pixels are taken.
    pub fn pixels(&self) -> PixelOptions {
        PixelOptions {
            resize: self.resize,
            grayscale: self.grayscale,
            max_items: self.max_items,
            seed: self.seed,
        }
    }

    /// How to read the soft labels.
    pub fn soft_kind(&self) -> SoftKind {
        match self.soft_kind {
            SoftKindArg::Auto => SoftKind::Auto,
            SoftKindArg::Counts => SoftKind::Counts,
            SoftKindArg::Probabilities => SoftKind::Probabilities,
        }
    }

    /// The embeddings feature sets: (training files, test files).
    ///
    /// # Errors
    /// Counts of --labels, --test-embeddings or --test-labels that do not
    /// pair with --embeddings.
    pub fn embedding_files(&self) -> Result<Vec<(EmbeddingFiles, Option<EmbeddingFiles>)>> {
        let n = self.embeddings.len();
        let pick = |list: &[PathBuf], what: &str, i: usize| -> Result<PathBuf> {
            match list.len() {
                1 => Ok(list[0].clone()),
                m if m == n => Ok(list[i].clone()),
                m => bail!("{m} {what} for {n} --embeddings: give one for all, or one each"),
            }
        };
        if n == 0 && !(self.labels.is_empty() && self.test_embeddings.is_empty()) {
            bail!("--labels and --test-embeddings go with --embeddings");
        }
        if !self.test_embeddings.is_empty() && self.test_embeddings.len() != n {
            bail!(
                "{} --test-embeddings for {n} --embeddings: give one per --embeddings, in the same order",
                self.test_embeddings.len()
            );
        }
        if !self.test_embeddings.is_empty() && self.test_labels.is_empty() {
            bail!("--test-embeddings need --test-labels (a labelled predictions file of the test items)");
        }
        (0..n)
            .map(|i| {
                let train = EmbeddingFiles {
                    embeddings: self.embeddings[i].clone(),
                    labels: pick(&self.labels, "--labels", i)?,
                };
                let test = if self.test_embeddings.is_empty() {
                    None
                } else {
                    Some(EmbeddingFiles {
                        embeddings: self.test_embeddings[i].clone(),
                        labels: pick(&self.test_labels, "--test-labels", i)?,
                    })
                };
                Ok((train, test))
            })
            .collect()
    }
}
