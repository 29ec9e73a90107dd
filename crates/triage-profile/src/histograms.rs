//! Histograms of image sizes, channel counts and colour modes, and the
//! distribution of file sizes.

use crate::property_summary::summarize;
use std::collections::{BTreeMap, HashMap};
use triage_docs::profile::{FileBytes, SizeCount, SizeHistogram};

use triage_data::image::ColorMode;

use super::features::ImageFeatures;

/// Number of most common sizes listed.
pub const TOP_SIZES: usize = 20;

pub(crate) fn size_histogram(features: &[Option<ImageFeatures>]) -> SizeHistogram {
    let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
    for f in features.iter().flatten() {
        *counts.entry((f.width, f.height)).or_default() += 1;
    }
    let mut sizes: Vec<SizeCount> = counts
        .into_iter()
        .map(|((width, height), count)| SizeCount {
            width,
            height,
            count,
        })
        .collect();
    sizes.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.width.cmp(&b.width))
            .then(a.height.cmp(&b.height))
    });
    let distinct = sizes.len();
    let others = sizes.iter().skip(TOP_SIZES).map(|s| s.count).sum();
    sizes.truncate(TOP_SIZES);
    SizeHistogram {
        distinct,
        top: sizes,
        others,
    }
}

/// Decoded images per channel count, as `{"1": n, "3": n}`.
pub(crate) fn channel_histogram(features: &[Option<ImageFeatures>]) -> BTreeMap<u8, usize> {
    let mut out = BTreeMap::new();
    for f in features.iter().flatten() {
        *out.entry(f.channels).or_default() += 1;
    }
    out
}

/// Decoded images per source colour mode, as `{"gray": n, "rgb": n, …}`.
pub(crate) fn mode_histogram(features: &[Option<ImageFeatures>]) -> BTreeMap<ColorMode, usize> {
    let mut out = BTreeMap::new();
    for f in features.iter().flatten() {
        *out.entry(f.mode).or_default() += 1;
    }
    out
}

pub(crate) fn file_bytes(features: &[Option<ImageFeatures>]) -> FileBytes {
    let mut values: Vec<f64> = features
        .iter()
        .flatten()
        .map(|f| f.file_bytes as f64)
        .collect();
    FileBytes {
        total: features.iter().flatten().map(|f| f.file_bytes).sum(),
        per_image: summarize(&mut values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::fake_features;

    #[test]
    fn sizes_are_ranked_and_capped() {
        let mut feats = Vec::new();
        for w in 0..25u32 {
            for _ in 0..=w {
                let mut f = fake_features(w);
                f.width = w + 1;
                feats.push(Some(f));
            }
        }
        feats.push(None);
        let h = size_histogram(&feats);
        assert_eq!(h.distinct, 25);
        assert_eq!(h.top.len(), TOP_SIZES);
        assert_eq!((h.top[0].width, h.top[0].count), (25, 25));
        // Sizes 1..=5 wide are left out: 1 + 2 + 3 + 4 + 5 images.
        assert_eq!(h.others, 15);
        let json = serde_json::to_string(&channel_histogram(&feats)).unwrap();
        assert_eq!(json, r#"{"1":325}"#);
        let json = serde_json::to_string(&mode_histogram(&feats)).unwrap();
        assert_eq!(json, r#"{"gray":325}"#);
        assert_eq!(file_bytes(&feats).total, 32_500);
    }
}
