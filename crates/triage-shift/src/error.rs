//! Why a shift analysis could not run.

use std::path::PathBuf;

use thiserror::Error;
use triage_data::PredictionsError;
use triage_stats::StatsError;

/// Why a shift analysis could not run.
#[derive(Debug, Error)]
pub enum ShiftError {
    /// A predictions or embeddings file could not be read.
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
    /// The two sides' predictions name different classes.
    #[error("the source predictions have classes [{source_classes}] but the target predictions have [{target_classes}]; give predictions of the same model on both sides")]
    ClassesDiffer {
        /// The source's classes, comma-separated.
        source_classes: String,
        /// The target's.
        target_classes: String,
    },
    /// The two sides' embeddings have different widths.
    #[error("the source embeddings `{source_path}` have {source_dim} columns but the target embeddings `{target_path}` have {target_dim}; give embeddings of the same model on both sides")]
    WidthsDiffer {
        /// Source file.
        source_path: PathBuf,
        /// Its width.
        source_dim: usize,
        /// Target file.
        target_path: PathBuf,
        /// Its width.
        target_dim: usize,
    },
    /// Too few items on a side for any test.
    #[error("the {side} has {got} items; the tests need at least {min} a side")]
    TooFew {
        /// `source` or `target`.
        side: &'static str,
        /// Items given.
        got: usize,
        /// The minimum.
        min: usize,
    },
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    Setting(String),
    /// Nothing to compare: no test can run on the inputs given.
    #[error("no test can run: give datasets (for image properties), predictions files (for BBSD and label shift) or embeddings (for MMD and the classifier test) on both sides")]
    NothingToCompare,
    /// A statistic failed on the inputs.
    #[error("{what}: {source}")]
    Stats {
        /// Which test.
        what: &'static str,
        /// The statistics error.
        #[source]
        source: StatsError,
    },
}

impl ShiftError {
    pub(crate) fn stats(what: &'static str) -> impl FnOnce(StatsError) -> Self {
        move |source| Self::Stats { what, source }
    }
}
