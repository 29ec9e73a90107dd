//! The profile's warnings: one sentence per verdict of a rule of
//! `triage_profile::rules::PROFILE_RULES`, with a stable `kind` code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a warning is about (serialized in snake_case, e.g.
/// `"sorted_order"`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Images that failed to decode, or files the reader skipped.
    CorruptFiles,
    /// Identical images in two different splits.
    Leakage,
    /// Near-duplicate images in two different splits.
    NearDuplicateLeakage,
    /// A group (patient, video…) with items in two different splits.
    GroupLeakage,
    /// Identical images with different labels.
    ConflictingDuplicateLabels,
    /// Labels sorted or blocked in file order (the tail-split trap).
    SortedOrder,
    /// A class with no item at all.
    EmptyClass,
    /// A split without any item of some class.
    MissingClass,
    /// A class far rarer than the others.
    ClassImbalance,
    /// Identical images (any splits).
    Duplicates,
    /// Gray and colour images mixed.
    MixedChannels,
    /// Images with brightness below the dark threshold.
    TooDark,
    /// Images with brightness above the bright threshold.
    TooBright,
    /// Images with RMS contrast below the threshold.
    LowContrast,
    /// Images much less sharp than the rest of the dataset.
    Blurry,
}

impl WarningKind {
    /// The stable code used in JSON (`sorted_order`, …).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A problem found by the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// Stable code.
    pub kind: WarningKind,
    /// One sentence, without a final period.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_as_codes() {
        let json = serde_json::to_string(&WarningKind::ConflictingDuplicateLabels).unwrap();
        assert_eq!(json, r#""conflicting_duplicate_labels""#);
    }
}
