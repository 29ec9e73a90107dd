//! The dataset profile (format `triage-profile`): everything `triage
//! profile` reports, serialized as JSON by `--json`; computed by the
//! `triage-profile` crate.
//!
//! # JSON shape (format `triage-profile`, version 3)
//!
//! Keys are always present (values may be `null` or empty); maps keyed by
//! split list only the keys that apply, in the order train, val, test,
//! unsplit; lists of examples are capped at `max_listed` while counts are
//! exact.
//!
//! ```text
//! {
//!   "format": "triage-profile", "version": 3,
//!   "n_items": 1000, "layout": "image-folder", "root": "data/", "n_decoded": 998,
//!   "classes": [{"name": "cat", "count": 500,
//!                "counts": {"train": 400, "val": 50, "test": 50, "unsplit": 0}}, …],
//!   "splits": {"train": 800, "val": 100, "test": 100, "unsplit": 0},
//!   "imbalance_ratio": 1.0,            // max/min class count; null if a class is empty
//!   "empty_classes": [],
//!   "effective_classes": 2.0,          // exp(−Σ p ln p); K when balanced
//!   "missing_classes": {"train": [], "val": [], "test": ["dog"]},
//!   "order": {
//!     "all": {"n": 1000, "classes_present": 2, "runs": 2, "expected_runs": 500.5,
//!             "sorted": true,
//!             "tail_splits": [{"fraction": 0.1, "n_items": 100, "missing_classes": 1,
//!                              "classes": [{"name": "dog", "count": 100}]}, …]},
//!     "by_split": {"train": {…}, "val": {…}, "test": {…}}
//!   },
//!   "groups": {"items_with_group": 0, "groups": 0, "cross_split_groups": 0,
//!              "listed": [{"group": "p1", "splits": ["train", "test"], "items": 5}]},
//!   "duplicates": {"groups": 3, "items": 7, "cross_split_groups": 1,
//!                  "conflicting_label_groups": 1,
//!                  "groups_by_split_pair": {"train-train": 2, "train-test": 1},
//!                  "listed": [{"hash": "9f86d081884c7d65", "size": 2,
//!                              "items": [{"id": "a.png", "split": "train", "label": "cat"}, …],
//!                              "cross_split": true, "conflicting_labels": false}]},
//!   "near_duplicates": {"candidates_from": "pixels",   // or "embeddings"
//!                       "descriptor": "8×8 standardised blurred luma …",
//!                       "k": 10, "min_score": 0.85, "exact_score": 0.995, "standout": 0.3,
//!                       "candidate_pairs": 400000,  // distinct pairs verified
//!                       "pairs": 12,                // judged near-duplicates
//!                       "cross_split_pairs": 3, "different_label_pairs": 2,
//!                       "pairs_by_split_pair": {"train-train": 9, "train-test": 3},
//!                       "clusters": 5, "items_in_clusters": 14, "largest_cluster": 4,
//!                       "leaked_items": ["test/cat/0001.jpg", …],  // not capped
//!                       "listed": [{"a": {…item…}, "b": {…item…}, "score": 0.97,
//!                                   "reference_score": 0.62, "runner_up_score": 0.7, "kind": "near",
//!                                   "dx": 1, "dy": 0, "scale": 1.05,
//!                                   "cross_split": true, "different_labels": false}]},
//!   "corrupt_files": {"count": 2, "decode_failures": 1, "skipped": 1,
//!                     "files": [{"path": "x.png", "reason": "…"}]},
//!   "sizes": {"distinct": 2, "top": [{"width": 32, "height": 32, "count": 990}], "others": 0},
//!   "channels": {"1": 8, "3": 990},
//!   "modes": {"gray": 8, "rgb": 990},
//!   "file_bytes": {"total": 123456, "per_image": {…summary…}},
//!   "properties": {
//!     "all": {"brightness": S, "contrast": S, "colorfulness": S, "sharpness": S,
//!             "noise": S, "aspect_ratio": S, "entropy": S},
//!     "by_split": {"train": {…}, …},
//!     "by_class": [{"class": "cat", "properties": {…}}, …]
//!   },                                 // S = {"n", "mean", "std", "p5", "p50", "p95"}
//!   "outliers": {"too_dark": L, "too_bright": L, "low_contrast": L, "blurry": L},
//!                                      // L = {"threshold", "absolute_threshold",
//!                                      //      "robust_threshold", "count",
//!                                      //      "items": [{"id", "split", "label", "value"}]}
//!                                      // threshold: the effective one, the
//!                                      // stricter of the other two
//!   "warnings": [{"kind": "sorted_order", "message": "…"}, …],
//!   "extension_mismatches": [{"path": "a.jpg", "reason": "PNG content"}, …]
//! }
//! ```
//!
//! Warning kinds ([`WarningKind`], one per rule of
//! `triage_profile::rules::PROFILE_RULES`, the table the report's findings
//! use too): `corrupt_files`, `leakage`, `near_duplicate_leakage`,
//! `group_leakage`,
//! `conflicting_duplicate_labels`, `sorted_order`, `empty_class`,
//! `missing_class`, `class_imbalance`, `duplicates`, `mixed_channels`,
//! `too_dark`, `too_bright`, `low_contrast`, `blurry`.

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
