//! Items and what was found about them: corrupt files, exact and near
//! duplicates, groups across splits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::split_key::{SplitKey, SplitPairCounts};

/// An item as listed in the profile (duplicate groups, pairs, outliers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemRef {
    /// The item's id ([`triage_data::dataset::Item::id`]).
    pub id: String,
    /// Its split key.
    pub split: SplitKey,
    /// Its class name.
    pub label: String,
}

/// A file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorruptFile {
    /// The file (`file#index` for a record).
    pub path: String,
    /// Why, e.g. "zero-byte file" or the decoder's error.
    pub reason: String,
}

/// Files that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorruptFiles {
    /// `decode_failures + skipped`.
    pub count: usize,
    /// Items whose image failed to decode (they are left out of every
    /// pixel-based statistic, but counted in the class statistics).
    pub decode_failures: usize,
    /// Files or rows the dataset reader skipped (not items); files beside
    /// the class folders that are not images (`manifest.csv`, a README)
    /// are not counted.
    pub skipped: usize,
    /// Decode failures in file order, then skipped files; at most
    /// `max_listed`.
    pub files: Vec<CorruptFile>,
}

/// One group of identical images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DuplicateGroup {
    /// The first 8 bytes of the pixel hash, in hex.
    pub hash: String,
    /// Items in the group (≥ 2).
    pub size: usize,
    /// The items, in file order (at most `max_listed`).
    pub items: Vec<ItemRef>,
    /// The group spans two or more real splits (train, val, test): leakage.
    pub cross_split: bool,
    /// The group's items carry two or more different labels.
    pub conflicting_labels: bool,
}

/// Exact-duplicate statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExactDuplicates {
    /// Groups of ≥ 2 identical decoded images.
    pub groups: usize,
    /// Items that belong to some group.
    pub items: usize,
    /// Groups spanning two or more real splits.
    pub cross_split_groups: usize,
    /// Groups with two or more labels.
    pub conflicting_label_groups: usize,
    /// For each pair of split keys, the number of groups holding an item
    /// of each (for a key with itself: groups with ≥ 2 items there), e.g.
    /// `{"train-train": 4, "train-test": 1}`.
    pub groups_by_split_pair: SplitPairCounts,
    /// Groups listed: cross-split and conflicting groups first, then by
    /// size (largest first), then file order; at most `max_listed`.
    pub listed: Vec<DuplicateGroup>,
}

/// A group found in two or more splits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CrossSplitGroup {
    /// The group name.
    pub group: String,
    /// The real splits it appears in, in split order.
    pub splits: Vec<SplitKey>,
    /// Its items, over all splits.
    pub items: usize,
}

/// Group statistics (all zero when no item has a group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GroupLeakage {
    /// Items with a group.
    pub items_with_group: usize,
    /// Distinct groups.
    pub groups: usize,
    /// Groups whose items are in two or more real splits.
    pub cross_split_groups: usize,
    /// Those groups, largest first (ties by name), at most `max_listed`.
    pub listed: Vec<CrossSplitGroup>,
}

/// Whether a pair is the same picture or an altered copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairKind {
    /// Identity alignment and score ≥ [`EXACT_SCORE`] (re-encoded,
    /// recoloured).
    Exact,
    /// Shifted, rescaled, cropped or otherwise altered.
    Near,
}

/// A near-duplicate pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NearPair {
    /// The item first in file order.
    pub a: ItemRef,
    /// The other item.
    pub b: ItemRef,
    /// Best aligned correlation of their thumbnails.
    pub score: f64,
    /// The median score of the querying image's k candidates.
    pub reference_score: f64,
    /// The best score among the querying image's ordinary candidates (those
    /// that do not stand out from the median; the median if all do).
    pub runner_up_score: f64,
    /// `exact` or `near`.
    pub kind: PairKind,
    /// Horizontal shift of `b` onto `a` at the best alignment, thumbnail
    /// pixels (of 32). The alignment is searched from the image whose
    /// neighbours were searched; when that is `b`, the shift is negated
    /// and the scale inverted.
    pub dx: i8,
    /// Vertical shift of `b` onto `a` at the best alignment.
    pub dy: i8,
    /// Magnification of `b` onto `a` at the best alignment.
    pub scale: f32,
    /// The items are in two different real splits (leakage).
    pub cross_split: bool,
    /// The items have different labels.
    pub different_labels: bool,
}

/// Near-duplicate statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NearDuplicates {
    /// Where the candidates came from: `"pixels"` (the thumbnail
    /// descriptor) or `"embeddings"`; `"phash"` in an upgraded version-2
    /// profile.
    pub candidates_from: String,
    /// The features searched, in words.
    pub descriptor: String,
    /// Neighbours searched per distinct image.
    pub k: usize,
    /// [`MIN_SCORE`].
    pub min_score: f64,
    /// [`EXACT_SCORE`].
    pub exact_score: f64,
    /// [`STANDOUT`].
    pub standout: f64,
    /// Distinct-image pairs verified.
    pub candidate_pairs: u64,
    /// Item pairs judged near-duplicates (not counting exact duplicates).
    pub pairs: u64,
    /// Of those, pairs in two different real splits.
    pub cross_split_pairs: u64,
    /// Of those, pairs with different labels.
    pub different_label_pairs: u64,
    /// Pairs per pair of split keys, e.g. `{"train-train": 9, "train-test": 2}`.
    pub pairs_by_split_pair: SplitPairCounts,
    /// Connected components (≥ 2 items) of the near-duplicate graph.
    pub clusters: usize,
    /// Items in some cluster.
    pub items_in_clusters: usize,
    /// Items in the largest cluster (0 if none).
    pub largest_cluster: usize,
    /// Ids of every `val` or `test` item with an exact or near copy in
    /// another real split, in file order (not capped: an evaluation needs
    /// them all to measure what the copies cost).
    #[serde(default)]
    pub leaked_items: Vec<String>,
    /// Pairs listed: cross-split first, then different labels, then by
    /// score (highest first) and file order; at most `max_listed`.
    pub listed: Vec<NearPair>,
}
