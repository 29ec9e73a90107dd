//! The neighbour lists of `triage knn` (format `triage-knn`): the k
//! nearest reference points of every query (or, within one set, of every
//! point), whole or one shard of a query × reference split, described by
//! `knn.json` next to `indices.npy` (`<u4`, rows × k) and `distances.npy`
//! (`<f8`, rows × k).
//!
//! Top-level keys: `format`, `version`, `reference`, `reference_blake3`,
//! `queries`, `queries_blake3`, `metric`, `within`, `n_reference`,
//! `n_queries`, `dim`, `k`, `shard`, `rows`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a neighbour-list description.
pub const KNN_FORMAT: &str = "triage-knn";
/// Version written by this build.
pub const KNN_VERSION: u32 = 1;

/// Which part of the search a shard holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KnnShardDoc {
    /// 0-based shard index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
    /// Reference blocks (divides `count`).
    pub reference_blocks: u64,
    /// First query of the shard (global index).
    pub query_start: u64,
    /// One past its last query.
    pub query_end: u64,
    /// First reference point of its block.
    pub reference_start: u64,
    /// One past its last reference point.
    pub reference_end: u64,
}

/// A neighbour-list description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KnnDoc {
    /// Always `triage-knn`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The reference embeddings file, as given.
    pub reference: String,
    /// BLAKE3 of its bytes (shards of other data are not merged).
    pub reference_blake3: String,
    /// The queries file (null: leave-one-out within the reference set).
    pub queries: Option<String>,
    /// BLAKE3 of the queries file.
    pub queries_blake3: Option<String>,
    /// `euclidean` (squared) or `cosine`.
    pub metric: String,
    /// Leave-one-out within the reference set.
    pub within: bool,
    /// Reference points.
    pub n_reference: u64,
    /// Queries (all of them, not only this shard's).
    pub n_queries: u64,
    /// Dimension.
    pub dim: u64,
    /// Neighbours per query.
    pub k: u64,
    /// The shard (null: the whole search, or a merge).
    pub shard: Option<KnnShardDoc>,
    /// Rows of `indices.npy` and `distances.npy`.
    pub rows: u64,
}

impl Document for KnnDoc {
    const FORMAT: &'static str = KNN_FORMAT;
    const VERSION: u32 = KNN_VERSION;
    const WHAT: &'static str = "neighbour lists";

    fn check(&self) -> Result<(), DocError> {
        let invalid = |reason: String| DocError::Invalid {
            what: Self::WHAT,
            reason,
        };
        if let Some(s) = &self.shard {
            if s.index >= s.count
                || s.reference_blocks == 0
                || !s.count.is_multiple_of(s.reference_blocks)
            {
                return Err(invalid(format!(
                    "shard {} of {} in {} reference blocks",
                    s.index, s.count, s.reference_blocks
                )));
            }
            if s.query_end < s.query_start || s.query_end - s.query_start != self.rows {
                return Err(invalid(format!(
                    "the shard's queries {}..{} are not its {} rows",
                    s.query_start, s.query_end, self.rows
                )));
            }
        } else if self.rows != self.n_queries {
            return Err(invalid(format!(
                "{} rows for {} queries",
                self.rows, self.n_queries
            )));
        }
        Ok(())
    }
}
