//! Why a Bayes-error estimate could not run.

use std::path::PathBuf;

use thiserror::Error;
use triage_data::PredictionsError;
use triage_knn::KnnError;
use triage_stats::bayes::soft_label::SoftLabelError;
use triage_stats::StatsError;

/// Why a Bayes-error estimate could not run. Every variant names the file
/// and, where there is one, the row.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BayesError {
    /// A predictions, labels or embeddings file could not be read (the
    /// reader's error names the file, row and column).
    #[error(transparent)]
    Read(#[from] PredictionsError),
    /// A dataset could not be opened.
    #[error("failed to open the dataset `{path}`")]
    Open {
        /// The path given.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: triage_data::dataset::DatasetError,
    },
    /// An image of the dataset could not be decoded.
    #[error("{path}: item `{id}` could not be decoded: {reason}")]
    Decode {
        /// The dataset.
        path: PathBuf,
        /// The item's id.
        id: String,
        /// The decoder's message.
        reason: String,
    },
    /// The images do not share one size.
    #[error("{path}: item `{id}` is {found}, but the first item is {expected}; raw-pixel features need one size")]
    MixedSizes {
        /// The dataset.
        path: PathBuf,
        /// The first item of another size.
        id: String,
        /// Its size `WxHxC`.
        found: String,
        /// The first item's size.
        expected: String,
    },
    /// Features and labels do not describe the same items.
    #[error("{features}: {reason}")]
    Mismatch {
        /// The features file.
        features: PathBuf,
        /// What does not match (ids named).
        reason: String,
    },
    /// Two feature sets, or a feature set and the soft labels, disagree.
    #[error("{what}")]
    Inconsistent {
        /// What disagrees.
        what: String,
    },
    /// A class has too few items for any estimate.
    #[error(
        "{path}: class `{class}` has {n} item(s) in the {side} set; every class needs at least 2"
    )]
    ClassTooSmall {
        /// The labels file or dataset.
        path: PathBuf,
        /// The class.
        class: String,
        /// Its items.
        n: usize,
        /// `reference` or `query`.
        side: &'static str,
    },
    /// Fewer than two classes among the labels.
    #[error("{path}: the labels hold {k} class(es); a Bayes error needs at least 2")]
    TooFewClasses {
        /// The labels file or dataset.
        path: PathBuf,
        /// Classes present.
        k: usize,
    },
    /// A soft-label file is malformed.
    #[error("{path}: {source}")]
    SoftLabels {
        /// The file.
        path: PathBuf,
        /// The row and what is wrong.
        #[source]
        source: SoftLabelError,
    },
    /// A soft-label CSV could not be parsed.
    #[error("{path}, line {line}: {reason}")]
    SoftLabelsCsv {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A class group names no known class.
    #[error("group `{group}`: {reason}")]
    Group {
        /// The group as given.
        group: String,
        /// What is wrong.
        reason: String,
    },
    /// The data would not fit in memory.
    #[error(transparent)]
    TooLarge(#[from] triage_data::memory::TooLarge),
    /// The neighbour search refused its input.
    #[error("{what}: {source}")]
    Knn {
        /// The feature set.
        what: String,
        /// The engine's error.
        #[source]
        source: KnnError,
    },
    /// A statistic refused its input.
    #[error("{what}: {source}")]
    Stats {
        /// The estimate.
        what: String,
        /// The error.
        #[source]
        source: StatsError,
    },
    /// A setting out of range.
    #[error("{name}: {reason}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl BayesError {
    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            BayesError::Read(e) => return e.hint(),
            BayesError::MixedSizes { .. } => "give --resize WxH to measure every image at one size",
            BayesError::Mismatch { .. } => {
                "the embeddings' ids (NAME.ids.csv beside a .npy, or a CSV id column) must be the labels file's ids; or give a .npy with one row per labels row, in order"
            }
            BayesError::ClassTooSmall { .. } | BayesError::TooFewClasses { .. } => {
                "Bayes-error estimates need several items of every class (1000 or more per class for tight intervals)"
            }
            BayesError::SoftLabels { .. } | BayesError::SoftLabelsCsv { .. } => {
                "soft labels are one row per item: annotation counts (whole numbers, optionally with a `count` column stating each row's total) or probabilities summing to 1"
            }
            BayesError::Group { .. } => {
                "a group is NAME=CLASS,CLASS,… with class names or indices, e.g. animals=2,3,4,5,6,7"
            }
            BayesError::Decode { .. } => "run `triage profile` on the dataset to list corrupt files, and remove them",
            _ => return None,
        })
    }
}
