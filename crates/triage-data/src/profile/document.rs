//! The profile document: everything `triage profile` reports, serialized
//! as JSON by `--json`. The shape is described in [`crate::profile`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dataset::DatasetFormat;
use crate::image::ColorMode;

use super::classes::ClassCount;
use super::corrupt::CorruptFiles;
use super::duplicates::ExactDuplicates;
use super::groups::GroupLeakage;
use super::histograms::{FileBytes, SizeHistogram};
use super::near_duplicates::NearDuplicates;
use super::order::OrderReport;
use super::outliers::Outliers;
use super::property_summary::PropertyReport;
use super::split_key::{SplitCounts, SplitMap};
use super::warnings::Warning;

/// Version of the JSON shape; raised when a key changes meaning or goes.
pub const PROFILE_VERSION: u32 = 1;

/// The profile of a dataset. Serialize it for the stable JSON document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetProfile {
    /// [`PROFILE_VERSION`].
    pub profile_version: u32,
    /// Items in the dataset (decoded or not).
    pub n_items: usize,
    /// Layout the dataset was read from.
    pub format: DatasetFormat,
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
    /// Near-duplicates (pHash within `max_distance`).
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
}
