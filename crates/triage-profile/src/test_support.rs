//! Helpers for the unit tests: small in-memory datasets and features.

use std::path::PathBuf;
use triage_docs::profile::ImageProperties;

use triage_data::dataset::{Dataset, DatasetFormat, Item, Source};
use triage_data::image::ColorMode;

use super::features::ImageFeatures;

/// One item of a test dataset: split name (`""` for none) and label.
pub(crate) struct Spec {
    split: &'static str,
    label: usize,
    group: Option<&'static str>,
}

impl Spec {
    pub(crate) fn new(split: &'static str, label: usize) -> Self {
        Self {
            split,
            label,
            group: None,
        }
    }

    pub(crate) fn group(mut self, group: &'static str) -> Self {
        self.group = Some(group);
        self
    }
}

/// A dataset of items `item0`, `item1`, … with classes `c0`…`c{k−1}`,
/// k = 1 + the largest label.
pub(crate) fn dataset(specs: &[Spec]) -> Dataset {
    let k = specs.iter().map(|s| s.label + 1).max().unwrap_or(0);
    dataset_with_classes(specs, k)
}

/// As [`dataset`], with `k` classes.
pub(crate) fn dataset_with_classes(specs: &[Spec], k: usize) -> Dataset {
    Dataset {
        root: PathBuf::from("mem"),
        format: DatasetFormat::Manifest,
        classes: (0..k).map(|c| format!("c{c}")).collect(),
        items: specs
            .iter()
            .enumerate()
            .map(|(i, s)| Item {
                id: format!("item{i}"),
                source: Source::File(PathBuf::from(format!("item{i}.png"))),
                label: s.label,
                split: (!s.split.is_empty()).then(|| s.split.parse().unwrap()),
                group: s.group.map(str::to_string),
            })
            .collect(),
        skipped: Vec::new(),
        records: None,
    }
}

/// Features of a 4×4 gray image whose pixels are identified by `pixel`
/// (equal ids ⇒ equal pixel hashes), and a copy thumbnail of noise seeded by `pixel` (distinct ids are not near
/// copies of each other).
pub(crate) fn fake_features(pixel: u32) -> ImageFeatures {
    let mut state = u64::from(pixel).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut copy = Box::new([0u8; super::copy_thumbnail::COPY_LEN]);
    for v in copy.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *v = (state >> 56) as u8;
    }
    ImageFeatures {
        width: 4,
        height: 4,
        channels: 1,
        mode: ColorMode::Gray,
        file_bytes: 100,
        pixel_hash: xxhash_rust::xxh3::xxh3_128(&pixel.to_le_bytes()),
        copy_thumbnail: copy,
        properties: ImageProperties {
            brightness: 0.5,
            contrast: 0.2,
            colorfulness: 0.0,
            sharpness: Some(100.0),
            noise: Some(1.0),
            aspect_ratio: 1.0,
            entropy: 4.0,
        },
    }
}

/// Features for each id (`None`: not decoded).
pub(crate) fn features_of(ids: &[Option<u8>]) -> Vec<Option<ImageFeatures>> {
    ids.iter()
        .map(|id| id.map(|p| fake_features(u32::from(p))))
        .collect()
}
