//! `predict.json` (format `triage-predict`): what `triage predict` wrote
//! beside `predictions.csv` and `embeddings.npy`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of `predict.json`.
pub const PREDICT_FORMAT: &str = "triage-predict";
/// Version written by this build.
pub const PREDICT_VERSION: u32 = 1;

/// `predict.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PredictDoc {
    /// Always [`PREDICT_FORMAT`].
    pub format: String,
    /// [`PREDICT_VERSION`].
    pub version: u32,
    /// The run directory whose model predicted.
    pub run: String,
    /// The checkpoint file used.
    pub checkpoint: String,
    /// The epoch of that checkpoint.
    pub epoch: Option<usize>,
    /// The data as given.
    pub data: String,
    /// The split predicted (`null`: every item).
    pub split: Option<String>,
    /// Rows of `predictions.csv` and `embeddings.npy`.
    pub n: usize,
    /// Columns of `embeddings.npy` (penultimate features).
    pub embedding_dim: usize,
    /// Class names of the probability columns, in order.
    pub classes: Vec<String>,
    /// Items left out because they could not be decoded.
    pub skipped: Vec<SkippedItem>,
}

/// An item that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedItem {
    /// The item's id.
    pub id: String,
    /// Why it was skipped.
    pub reason: String,
}

impl Document for PredictDoc {
    const FORMAT: &'static str = PREDICT_FORMAT;
    const VERSION: u32 = PREDICT_VERSION;
    const WHAT: &'static str = "predict.json";

    fn check(&self) -> Result<(), DocError> {
        if self.classes.len() < 2 {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!("`classes` has {} entries", self.classes.len()),
            });
        }
        Ok(())
    }
}
