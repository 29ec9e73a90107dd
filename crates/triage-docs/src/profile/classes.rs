//! Class counts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::split_key::SplitCounts;

/// Item counts of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClassCount {
    /// Class name.
    pub name: String,
    /// Items of this class, over all splits.
    pub count: usize,
    /// Items of this class per split (`unsplit` for items without one).
    pub counts: SplitCounts,
}
