//! The dataset profile (format `triage-profile`): everything `triage
//! profile` reports, serialized as JSON by `--json`; computed by the
//! `triage-profile` crate, whose documentation describes every key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod classes;
mod images;
mod items;
mod order;
mod source;
mod split_key;
mod warnings;

pub use classes::ClassCount;
pub use images::{
    ClassProperties, FileBytes, ImageProperties, OutlierItem, OutlierList, Outliers, Property,
    PropertyReport, PropertySet, SizeCount, SizeHistogram, Summary,
};
pub use items::{
    CorruptFile, CorruptFiles, CrossSplitGroup, DuplicateGroup, ExactDuplicates, GroupLeakage,
    ItemRef, NearDuplicates, NearPair, PairKind,
};
pub use order::{ClassShare, OrderCheck, OrderReport, TailSplit};
pub use source::{ColorMode, DatasetFormat};
pub use split_key::{SplitCounts, SplitKey, SplitMap, SplitPairCounts};
pub use warnings::{Warning, WarningKind};

/// `format` of the profile document.
pub const PROFILE_FORMAT: &str = "triage-profile";
/// Version of the JSON shape; raised when a key changes meaning or goes.
///
/// History: version 1 (triage 0.1.0) had `profile_version: 1`, the
/// dataset layout under `format`, and `extension_mismatches` only in the
/// CLI's output; version 2 has `format: "triage-profile"`, `version: 2`,
/// the layout under `layout`; version 3 replaced the pHash near-duplicates
/// by the k-NN / aligned-correlation stage (new `near_duplicates` keys).
/// Version 1 and 2 documents are read (upgraded: their near-duplicate
/// counts are kept, their listed pairs dropped, `candidates_from` is
/// `"phash"`).
pub const PROFILE_VERSION: u32 = 3;

/// The profile of a dataset. Serialize it for the stable JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatasetProfile {
    /// Always [`PROFILE_FORMAT`].
    pub format: String,
    /// [`PROFILE_VERSION`].
    pub version: u32,
    /// Items in the dataset (decoded or not).
    pub n_items: usize,
    /// Layout the dataset was read from.
    pub layout: DatasetFormat,
    /// The path that was opened.
    pub root: String,
    /// Items whose image decoded (the base of every pixel statistic).
    pub n_decoded: usize,
    /// Counts per class, in class order.
    pub classes: Vec<ClassCount>,
    /// Items per split key.
    pub splits: SplitCounts,
    /// Largest / smallest class count; `null` if a class is empty.
    pub imbalance_ratio: Option<f64>,
    /// Classes with no item.
    pub empty_classes: Vec<String>,
    /// exp(Shannon entropy) of the label distribution; K when balanced.
    pub effective_classes: Option<f64>,
    /// For each real split present, the classes with no item there.
    pub missing_classes: SplitMap<Vec<String>>,
    /// The order trap (labels sorted in file order).
    pub order: OrderReport,
    /// Groups with items in several splits.
    pub groups: GroupLeakage,
    /// Exact duplicates (identical decoded pixels).
    pub duplicates: ExactDuplicates,
    /// Near-duplicates (the same picture shifted, rescaled, recoloured or
    /// re-encoded).
    pub near_duplicates: NearDuplicates,
    /// Decode failures and skipped files.
    pub corrupt_files: CorruptFiles,
    /// Image sizes.
    pub sizes: SizeHistogram,
    /// Decoded images per channel count (`"1"`, `"3"`).
    pub channels: BTreeMap<u8, usize>,
    /// Decoded images per source colour mode.
    pub modes: BTreeMap<ColorMode, usize>,
    /// Encoded file sizes.
    pub file_bytes: FileBytes,
    /// Per-image property summaries.
    pub properties: PropertyReport,
    /// Outlier images.
    pub outliers: Outliers,
    /// Problems found, most serious kinds first.
    pub warnings: Vec<Warning>,
    /// Files whose content does not match their extension (a PNG named
    /// `.jpg`); filled by the caller that reads the files' first bytes.
    #[serde(default)]
    pub extension_mismatches: Vec<ExtensionMismatch>,
}

/// A file whose extension does not match its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExtensionMismatch {
    /// The file.
    pub path: String,
    /// What its content is.
    pub reason: String,
}

/// Version 2 (and 1) `near_duplicates`: pHash keys become the version-3
/// keys; counts are kept, the listed pairs (scored differently) dropped.
fn upgrade_near_duplicates(value: &mut serde_json::Value) {
    let Some(nd) = value
        .get_mut("near_duplicates")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let distance = nd.remove("max_distance");
    let mad = nd.remove("max_thumbnail_mad");
    nd.remove("hash");
    nd.insert("candidates_from".into(), "phash".into());
    nd.insert(
        "descriptor".into(),
        format!(
            "pHash within {} bits, 16×16 thumbnails within {} levels (profile version 2)",
            distance.unwrap_or_default(),
            mad.unwrap_or_default()
        )
        .into(),
    );
    for (key, v) in [
        ("k", 0.0),
        ("min_score", 0.0),
        ("exact_score", 0.0),
        ("standout", 0.0),
    ] {
        nd.insert(key.into(), if key == "k" { 0.into() } else { v.into() });
    }
    nd.insert("listed".into(), serde_json::Value::Array(Vec::new()));
}

impl crate::Document for DatasetProfile {
    const FORMAT: &'static str = PROFILE_FORMAT;
    const VERSION: u32 = PROFILE_VERSION;
    const WHAT: &'static str = "profile";

    /// Version 1: `profile_version: 1`, layout under `format`; version 2:
    /// pHash near-duplicates.
    fn upgrade(value: &mut serde_json::Value) -> Result<(), crate::DocError> {
        if value.get("format").and_then(serde_json::Value::as_str) == Some(PROFILE_FORMAT)
            && value.get("version").and_then(serde_json::Value::as_u64) == Some(2)
        {
            upgrade_near_duplicates(value);
            crate::stamp(value, PROFILE_FORMAT, PROFILE_VERSION);
            return Ok(());
        }
        let v1 = value
            .get("profile_version")
            .and_then(serde_json::Value::as_u64)
            == Some(1);
        let map = value
            .as_object_mut()
            .filter(|_| v1)
            .ok_or_else(|| crate::DocError::Invalid {
                what: "profile",
                reason: "neither `format: \"triage-profile\"` nor `profile_version: 1`".into(),
            })?;
        map.remove("profile_version");
        if let Some(layout) = map.remove("format") {
            map.insert("layout".into(), layout);
        }
        upgrade_near_duplicates(value);
        crate::stamp(value, PROFILE_FORMAT, PROFILE_VERSION);
        Ok(())
    }

    fn check(&self) -> Result<(), crate::DocError> {
        let total = self
            .classes
            .iter()
            .try_fold(0usize, |acc, c| acc.checked_add(c.count));
        if total != Some(self.n_items) {
            let total = total.map_or_else(|| "more than 2^64".to_string(), |t| t.to_string());
            return Err(crate::DocError::Invalid {
                what: "profile",
                reason: format!(
                    "the class counts sum to {total}, but `n_items` is {}",
                    self.n_items
                ),
            });
        }
        Ok(())
    }
}
