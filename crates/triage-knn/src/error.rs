//! Errors of the k-NN engine.

use thiserror::Error;

/// Input the engine cannot search.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum KnnError {
    /// The data length is not a multiple of the dimension, or the
    /// dimension is 0.
    #[error("{len} values cannot be rows of dimension {dim}")]
    BadShape {
        /// Number of values given.
        len: usize,
        /// Dimension asked for.
        dim: usize,
    },
    /// A NaN or infinite coordinate.
    #[error("row {row}, column {col}: value {value} is not finite")]
    NotFinite {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        col: usize,
        /// The value.
        value: f32,
    },
    /// Queries and reference points have different dimensions.
    #[error("queries have dimension {queries}, the reference set {reference}")]
    DimensionMismatch {
        /// Dimension of the queries.
        queries: usize,
        /// Dimension of the reference set.
        reference: usize,
    },
    /// More neighbours asked for than there are candidates.
    #[error("k = {k} neighbours asked for, but only {available} points can be neighbours")]
    KTooLarge {
        /// Neighbours asked for.
        k: usize,
        /// Points available per query (n, or n − 1 leaving one out).
        available: usize,
    },
    /// A shard that does not fit the data or the other shards.
    #[error("{reason}")]
    Shard {
        /// What is wrong.
        reason: String,
    },
    /// k = 0 or a block size of 0.
    #[error("{what} must be at least 1")]
    Zero {
        /// The setting.
        what: &'static str,
    },
    /// More points than 32-bit indices address.
    #[error("{n} points: at most {max} are supported (32-bit indices)")]
    TooManyPoints {
        /// Points given.
        n: usize,
        /// The limit.
        max: usize,
    },
}
