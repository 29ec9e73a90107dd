//! `lr_find.json` (format `triage-lr-find`): the learning-rate range test
//! of `triage lr-find` (Smith 2017; fastai's suggestions).
//!
//! Version history: files written before version 1 have no
//! `format`/`version`; they are read as version 1.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{stamp, DocError, Document};

/// `format` of `lr_find.json`.
pub const LR_FIND_FORMAT: &str = "triage-lr-find";
/// Version written by this build.
pub const LR_FIND_VERSION: u32 = 1;

/// One step of the test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LrPoint {
    /// Learning rate of the step.
    pub lr: f64,
    /// Raw minibatch loss.
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub loss: f64,
    /// Bias-corrected smoothed loss.
    #[serde(with = "crate::float::nan_as_null")]
    #[schemars(with = "Option<f64>")]
    pub smoothed: f64,
}

/// The curve and the suggestions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LrFindResult {
    /// Every step taken.
    pub points: Vec<LrPoint>,
    /// Whether the test stopped because the loss diverged.
    pub diverged: bool,
    /// Rate at the steepest descent of the smoothed loss.
    pub steepest: Option<f64>,
    /// fastai's valley suggestion.
    pub valley: Option<f64>,
}

/// `lr_find.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LrFindDoc {
    /// Always [`LR_FIND_FORMAT`].
    pub format: String,
    /// [`LR_FIND_VERSION`].
    pub version: u32,
    /// The curve and the suggestions.
    #[serde(flatten)]
    pub result: LrFindResult,
}

impl LrFindDoc {
    /// Wrap a result.
    pub fn new(result: LrFindResult) -> Self {
        Self {
            format: LR_FIND_FORMAT.into(),
            version: LR_FIND_VERSION,
            result,
        }
    }
}

impl Document for LrFindDoc {
    const FORMAT: &'static str = LR_FIND_FORMAT;
    const VERSION: u32 = LR_FIND_VERSION;
    const WHAT: &'static str = "lr_find.json";

    fn upgrade(value: &mut Value) -> Result<(), DocError> {
        if value.get("format").is_some() || value.get("points").is_none() {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: "no `points` key".into(),
            });
        }
        stamp(value, LR_FIND_FORMAT, LR_FIND_VERSION);
        Ok(())
    }
}
