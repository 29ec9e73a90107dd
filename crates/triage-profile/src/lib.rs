//! Dataset profiling: class balance, order, duplicates and leakage, corrupt
//! files, image sizes and per-image properties.
//!
//! [`profile_dataset`] decodes every item through a caller-supplied closure
//! (in parallel), reduces each image at once to its [`ImageFeatures`] —
//! hashes and [`properties`] — and drops the pixels, then aggregates the
//! features into a [`DatasetProfile`] (`triage_report::terminal` prints it
//! for a terminal); serializing it gives the JSON document of
//! `triage profile DATA --json`.
//!
//! # Brief overview
//!
//! | check | method | module |
//! |---|---|---|
//! | class counts, imbalance, effective classes | max/min; exp(entropy) (Hill 1973) | [`classes`] |
//! | order trap | label runs vs E\[R\] = n − Σ n_k(n_k−1)/n (Wald & Wolfowitz 1940) | [`order`] |
//! | exact duplicates, leakage, label conflicts | XXH3-128 of the decoded pixels | `duplicates` |
//! | near-duplicates | exact cosine k-NN (k = 10) on a gain/offset-blind 8×8 luma descriptor (or given embeddings), verified by the best correlation of 32×32 thumbnails over ±2 px and 0.9–1.1 scale, judged against the image's own neighbourhood | `near_duplicates`, `alignment`, [`copy_thumbnail`] |
//! | image properties | brightness, RMS contrast (Peli 1990), colourfulness (Hasler & Süsstrunk 2003), Laplacian variance (Pech-Pacheco 2000), noise σ (Immerkær 1996), entropy | [`properties`] |
//! | outliers | fixed bounds and median ∓ 3·1.4826·MAD (Iglewicz & Hoaglin 1993); blur relative to the dataset | [`outliers`] |
//!
//! The document's shape, key by key, is documented where it is defined,
//! in `triage_docs::profile`.
//!
//! # Example
//!
//! ```
//! use std::path::PathBuf;
//! use triage_data::dataset::{Dataset, DatasetFormat, Item, Source, Split};
//! use triage_data::image::{ColorMode, DecodedImage};
//! use triage_profile::{profile_dataset, ItemOutcome, ProfileOptions};
//!
//! let item = |i: usize, split| Item {
//!     id: format!("{i}.png"),
//!     source: Source::File(PathBuf::from(format!("{i}.png"))),
//!     label: i % 2,
//!     split: Some(split),
//!     group: None,
//! };
//! let dataset = Dataset {
//!     root: PathBuf::from("data"),
//!     format: DatasetFormat::Manifest,
//!     classes: vec!["a".into(), "b".into()],
//!     items: vec![item(0, Split::Train), item(1, Split::Train), item(2, Split::Test)],
//!     skipped: Vec::new(),
//!     records: None,
//! };
//! // Items 0 and 2 decode to the same image: train/test leakage.
//! let decode = |i: usize| ItemOutcome::Decoded {
//!     image: DecodedImage { width: 8, height: 8, channels: 1, pixels: vec![(i % 2) as u8 * 200; 64] },
//!     mode: ColorMode::Gray,
//!     file_bytes: 100,
//! };
//! let profile = profile_dataset(&dataset, &ProfileOptions::default(), &decode, &|| {});
//! assert_eq!(profile.duplicates.cross_split_groups, 1);
//! let json = serde_json::to_value(&profile).unwrap();
//! assert_eq!(json["warnings"][0]["kind"], "leakage");
//! ```

pub mod alignment;
pub mod classes;
mod context;
pub mod copy_thumbnail;
mod corrupt;
mod disjoint_set;
mod duplicates;
mod features;
pub mod files;
mod groups;
mod histograms;
pub mod leakage;
mod near_duplicates;
pub mod order;
pub mod outliers;
pub mod properties;
mod property_summary;
mod resize;
pub mod rules;
mod split_key;
#[cfg(test)]
mod test_support;

use rayon::prelude::*;

use triage_data::dataset::Dataset;
use triage_data::image::{ColorMode, DecodedImage};

pub use alignment::{best_alignment, Alignment};
pub use features::ImageFeatures;
pub use histograms::TOP_SIZES;
pub use near_duplicates::{judged_near, EXACT_SCORE, MIN_SCORE, STANDOUT};
pub use properties::image_properties;
pub use property_summary::{property_set, summarize};
pub use split_key::split_key;
// The document's types are defined in triage-docs; named here for the
// callers of the profiler.
pub use triage_docs::profile::{
    ClassCount, ClassProperties, ClassShare, CorruptFile, CorruptFiles, CrossSplitGroup,
    DatasetProfile, DuplicateGroup, ExactDuplicates, ExtensionMismatch, FileBytes, GroupLeakage,
    ImageProperties, ItemRef, NearDuplicates, NearPair, OrderCheck, OrderReport, OutlierItem,
    OutlierList, Outliers, PairKind, Property, PropertyReport, PropertySet, SizeCount,
    SizeHistogram, SplitCounts, SplitKey, SplitMap, SplitPairCounts, Summary, TailSplit, Warning,
    WarningKind, PROFILE_FORMAT, PROFILE_VERSION,
};

use context::Context;

/// Default [`ProfileOptions::near_duplicate_k`]: 10 neighbours.
pub const DEFAULT_NEAR_DUPLICATE_K: usize = near_duplicates::DEFAULT_K;
/// Default [`ProfileOptions::max_listed`]: 100.
pub const DEFAULT_MAX_LISTED: usize = 100;

/// Settings of [`profile_dataset`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    /// Neighbours searched per distinct image for near-duplicate
    /// candidates. Default 10 ([`DEFAULT_NEAR_DUPLICATE_K`]).
    pub near_duplicate_k: usize,
    /// Features to search for near-duplicate candidates instead of the
    /// pixel descriptor: one row per item of the dataset, in item order
    /// (ignored, with the pixels used, if the row count differs).
    pub embeddings: Option<std::sync::Arc<NamedEmbeddings>>,
    /// Cap on the examples listed in the document (duplicate groups and
    /// their items, near pairs, outliers, corrupt files, groups); counts
    /// are never capped. Default 100 ([`DEFAULT_MAX_LISTED`]).
    pub max_listed: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        Self {
            near_duplicate_k: DEFAULT_NEAR_DUPLICATE_K,
            embeddings: None,
            max_listed: DEFAULT_MAX_LISTED,
        }
    }
}

/// Embeddings with the name the profile reports.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedEmbeddings {
    /// E.g. the file name.
    pub name: String,
    /// The matrix: one row per dataset item in its order, or, with `ids`,
    /// the row of each id (matched to the items by `profile_files`).
    pub matrix: triage_data::predictions::Embeddings,
    /// The item id of each row, when the file had an id column.
    pub ids: Option<Vec<String>>,
}

/// The result of decoding one item, as supplied to [`profile_dataset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// The image decoded.
    Decoded {
        /// The decoded image (dropped once its features are computed).
        image: DecodedImage,
        /// Colour mode of the source file.
        mode: ColorMode,
        /// Size of the encoded file in bytes (0 for records).
        file_bytes: u64,
    },
    /// The image could not be decoded.
    Failed {
        /// Why, e.g. the decoder's message.
        reason: String,
    },
}

/// Profile `dataset`.
///
/// `decode(i)` decodes item `i` of `dataset.items`; it is called exactly
/// once per item, in parallel (rayon), and `on_item()` after each item (for
/// a progress bar). Each image is reduced to its [`ImageFeatures`] at once,
/// so memory stays O(n) small records, never n images. Items that fail to
/// decode (or decode to an unusable image) are listed as corrupt files and
/// left out of every pixel-based statistic; class and order statistics use
/// all items.
///
/// Cost: one decode per item, O(pixels) per image for the features, and
/// for the near-duplicates an exact k-NN search on one 64-D descriptor (or
/// the given embeddings) per distinct image plus one aligned correlation of
/// 32×32 thumbnails per candidate pair (see the `near_duplicates` module).
pub fn profile_dataset(
    dataset: &Dataset,
    options: &ProfileOptions,
    decode: &(dyn Fn(usize) -> ItemOutcome + Sync),
    on_item: &(dyn Fn() + Sync),
) -> DatasetProfile {
    let ctx = Context::new(dataset);
    // Failures go aside as they happen, so that the features are collected
    // once, in place (no second buffer of n records).
    let failed: std::sync::Mutex<Vec<(usize, String)>> = std::sync::Mutex::new(Vec::new());
    let features: Vec<Option<ImageFeatures>> = (0..ctx.len())
        .into_par_iter()
        .map(|i| {
            let result = match decode(i) {
                ItemOutcome::Decoded {
                    image,
                    mode,
                    file_bytes,
                } => ImageFeatures::compute(&image, mode, file_bytes),
                ItemOutcome::Failed { reason } => Err(reason),
            };
            on_item();
            result
                .map_err(|reason| {
                    failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, reason));
                })
                .ok()
        })
        .collect();
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_unstable_by_key(|&(i, _)| i);
    let failures: Vec<CorruptFile> = failed
        .into_iter()
        .map(|(i, reason)| CorruptFile {
            path: ctx.path(i),
            reason,
        })
        .collect();

    let max_listed = options.max_listed;
    let class_stats = classes::class_stats(&ctx);
    let (duplicates, pixel_classes) = duplicates::exact_duplicates(&ctx, &features, max_listed);
    let candidates = options
        .embeddings
        .as_ref()
        .filter(|e| e.matrix.n == ctx.len())
        .map(|e| near_duplicates::CandidateFeatures {
            rows: &e.matrix.rows,
            dim: e.matrix.dim,
            name: format!("{} ({} dims)", e.name, e.matrix.dim),
        });
    let near_duplicates = near_duplicates::near_duplicates(
        &ctx,
        &features,
        &pixel_classes,
        candidates.as_ref(),
        options.near_duplicate_k,
        max_listed,
    );
    let mut profile = DatasetProfile {
        format: PROFILE_FORMAT.into(),
        version: PROFILE_VERSION,
        n_items: ctx.len(),
        layout: dataset.format,
        root: dataset.root.display().to_string(),
        n_decoded: features.iter().flatten().count(),
        classes: class_stats.classes,
        splits: class_stats.splits,
        imbalance_ratio: class_stats.imbalance_ratio,
        empty_classes: class_stats.empty_classes,
        effective_classes: class_stats.effective_classes,
        missing_classes: class_stats.missing_classes,
        order: order::order_report(&ctx),
        groups: groups::group_leakage(&ctx, max_listed),
        duplicates,
        near_duplicates,
        corrupt_files: corrupt::corrupt_files(failures, &dataset.skipped, max_listed),
        sizes: histograms::size_histogram(&features),
        channels: histograms::channel_histogram(&features),
        modes: histograms::mode_histogram(&features),
        file_bytes: histograms::file_bytes(&features),
        properties: property_summary::property_report(&ctx, &features),
        outliers: outliers::outliers(&ctx, &features, max_listed),
        warnings: Vec::new(),
        extension_mismatches: Vec::new(),
    };
    profile.warnings = rules::collect_warnings(&profile);
    profile
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset, Spec};

    #[test]
    fn failed_and_malformed_decodes_are_corrupt_files() {
        let ds = dataset(&[
            Spec::new("train", 0),
            Spec::new("train", 1),
            Spec::new("test", 0),
        ]);
        let decode = |i: usize| match i {
            0 => ItemOutcome::Failed {
                reason: "not an image".into(),
            },
            1 => ItemOutcome::Decoded {
                image: DecodedImage {
                    width: 2,
                    height: 2,
                    channels: 4,
                    pixels: vec![0; 16],
                },
                mode: ColorMode::Rgba,
                file_bytes: 10,
            },
            _ => ItemOutcome::Decoded {
                image: DecodedImage {
                    width: 3,
                    height: 3,
                    channels: 1,
                    pixels: vec![128; 9],
                },
                mode: ColorMode::Gray,
                file_bytes: 10,
            },
        };
        let p = profile_dataset(&ds, &ProfileOptions::default(), &decode, &|| {});
        assert_eq!(p.n_items, 3);
        assert_eq!(p.n_decoded, 1);
        assert_eq!(p.corrupt_files.decode_failures, 2);
        assert_eq!(p.corrupt_files.files[0].path, "item0.png");
        assert!(p.corrupt_files.files[1].reason.contains("4 channels"));
        // Class statistics still count every item.
        assert_eq!(p.classes[0].count, 2);
        assert_eq!(p.warnings[0].kind, WarningKind::CorruptFiles);
        // The flat image is under the absolute contrast bound, but as the
        // only image it is the dataset's median, not an outlier of it.
        assert_eq!(p.outliers.low_contrast.count, 0);
        assert_eq!(p.outliers.low_contrast.robust_threshold, Some(0.0));
    }
}
