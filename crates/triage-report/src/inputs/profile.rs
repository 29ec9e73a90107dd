//! The dataset profile written by `triage profile DATA --json`
//! (`profile_version` 1), read leniently: only the keys the report uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One profile document (keys documented in `triage_data::profile`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileDoc {
    /// Document version (1).
    pub profile_version: u64,
    /// Items in the dataset.
    pub n_items: usize,
    /// Layout (`image-folder`, `manifest`, …).
    pub format: String,
    /// Root of the dataset.
    pub root: String,
    /// Classes with their counts per split.
    pub classes: Vec<ClassCount>,
    /// Items per split.
    pub splits: BTreeMap<String, usize>,
    /// Largest over smallest class count; `None` when a class is empty.
    pub imbalance_ratio: Option<f64>,
    /// exp(entropy of the labels).
    pub effective_classes: Option<f64>,
    /// File order checks.
    pub order: Option<OrderReport>,
    /// Exact duplicates.
    pub duplicates: Duplicates,
    /// Near-duplicates.
    pub near_duplicates: NearDuplicates,
    /// Corrupt files.
    pub corrupt_files: CorruptFiles,
    /// The profiler's own warnings.
    pub warnings: Vec<Warning>,
}

/// A class and its counts.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClassCount {
    /// Class name.
    pub name: String,
    /// Items of the class.
    pub count: usize,
    /// Items per split (`train`, `val`, `test`, `unsplit`).
    pub counts: BTreeMap<String, usize>,
}

/// Order checks, over all items and per split.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrderReport {
    /// All items in file order.
    pub all: Option<OrderCheck>,
    /// Per split.
    pub by_split: BTreeMap<String, OrderCheck>,
}

/// Label runs in file order.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrderCheck {
    /// Items.
    pub n: usize,
    /// Observed label runs.
    pub runs: usize,
    /// Runs expected in random order.
    pub expected_runs: f64,
    /// Whether the labels are sorted or blocked.
    pub sorted: bool,
}

/// Exact duplicate summary.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Duplicates {
    /// Groups of identical images.
    pub groups: usize,
    /// Items in those groups.
    pub items: usize,
    /// Groups spanning more than one split (leakage).
    pub cross_split_groups: usize,
    /// Groups whose items carry different labels.
    pub conflicting_label_groups: usize,
    /// Groups per split pair (`train-test`, …).
    pub groups_by_split_pair: BTreeMap<String, usize>,
}

/// Near-duplicate summary.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NearDuplicates {
    /// Verified pairs.
    pub pairs: usize,
    /// Pairs spanning two splits.
    pub cross_split_pairs: usize,
    /// Pairs with different labels.
    pub different_label_pairs: usize,
    /// Pairs per split pair.
    pub pairs_by_split_pair: BTreeMap<String, usize>,
}

/// Corrupt file summary.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CorruptFiles {
    /// Corrupt or skipped files.
    pub count: usize,
}

/// A warning of the profiler.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Warning {
    /// Kind (`sorted_order`, `leakage`, …).
    pub kind: String,
    /// Message.
    pub message: String,
}
