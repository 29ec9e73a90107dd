//! Outlier images: too dark, too bright, low contrast, blurry.
//!
//! Fixed thresholds follow CleanVision's `dark` / `light` /
//! `low_information` idea on the documented [`crate::profile::properties`]
//! scales; blur is judged relative to the dataset, since Laplacian variance
//! depends on image size and content.

use serde::Serialize;
use triage_stats::intervals::percentile_sorted;

use super::context::{Context, ItemRef};
use super::features::ImageFeatures;
use super::properties::Property;

/// Too dark: brightness below this (mean luma < 25.5 of 255).
pub const TOO_DARK_BRIGHTNESS: f64 = 0.1;
/// Too bright: brightness above this (mean luma > 229.5 of 255).
pub const TOO_BRIGHT_BRIGHTNESS: f64 = 0.9;
/// Low contrast: RMS contrast below this (luma std < 12.75 of 255).
pub const LOW_CONTRAST: f64 = 0.05;
/// Blurry: sharpness below this percentile of the dataset's sharpness…
pub const BLURRY_PERCENTILE: f64 = 0.01;
/// …and below this fraction of the dataset's median sharpness.
pub const BLURRY_MEDIAN_FRACTION: f64 = 0.1;

/// An outlier image and its property value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutlierItem {
    /// The item.
    #[serde(flatten)]
    pub item: ItemRef,
    /// Its value of the property tested.
    pub value: f64,
}

/// The images flagged by one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutlierList {
    /// The threshold applied (`null` for blur when no image has a
    /// sharpness).
    pub threshold: Option<f64>,
    /// Images flagged.
    pub count: usize,
    /// The most extreme ones first, at most `max_listed`.
    pub items: Vec<OutlierItem>,
}

/// Outliers by rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outliers {
    /// brightness < [`TOO_DARK_BRIGHTNESS`].
    pub too_dark: OutlierList,
    /// brightness > [`TOO_BRIGHT_BRIGHTNESS`].
    pub too_bright: OutlierList,
    /// contrast < [`LOW_CONTRAST`].
    pub low_contrast: OutlierList,
    /// sharpness < [`blurry_threshold`] of the dataset.
    pub blurry: OutlierList,
}

/// The sharpness below which an image is blurry:
/// min(P₁, 0.1 · median) of the dataset's sharpness values, i.e. an image
/// must be both in the lowest 1 % and under a tenth of the typical
/// sharpness; `None` if there are no values. Percentiles as numpy's
/// default (linear interpolation).
///
/// # References
/// Sharpness is the Laplacian variance of Pech-Pacheco et al. (2000); the
/// relative rule avoids a fixed threshold, which would depend on image size
/// and content.
pub fn blurry_threshold(sharpness: &[f64]) -> Option<f64> {
    if sharpness.is_empty() {
        return None;
    }
    let mut sorted = sharpness.to_vec();
    sorted.sort_by(f64::total_cmp);
    let p1 = percentile_sorted(&sorted, BLURRY_PERCENTILE);
    let median = percentile_sorted(&sorted, 0.5);
    Some(p1.min(BLURRY_MEDIAN_FRACTION * median))
}

/// Items whose `property` satisfies `flag`, most extreme first.
fn flagged(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    property: Property,
    threshold: Option<f64>,
    low: bool,
    max_listed: usize,
) -> OutlierList {
    let Some(t) = threshold else {
        return OutlierList {
            threshold,
            count: 0,
            items: Vec::new(),
        };
    };
    let mut hits: Vec<(f64, usize)> = features
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let v = f.as_ref()?.properties.get(property)?;
            let hit = if low { v < t } else { v > t };
            hit.then_some((v, i))
        })
        .collect();
    if low {
        hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    } else {
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    OutlierList {
        threshold,
        count: hits.len(),
        items: hits
            .iter()
            .take(max_listed)
            .map(|&(value, i)| OutlierItem {
                item: ctx.item_ref(i),
                value,
            })
            .collect(),
    }
}

pub(crate) fn outliers(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    max_listed: usize,
) -> Outliers {
    let sharpness: Vec<f64> = features
        .iter()
        .flatten()
        .filter_map(|f| f.properties.sharpness)
        .collect();
    Outliers {
        too_dark: flagged(
            ctx,
            features,
            Property::Brightness,
            Some(TOO_DARK_BRIGHTNESS),
            true,
            max_listed,
        ),
        too_bright: flagged(
            ctx,
            features,
            Property::Brightness,
            Some(TOO_BRIGHT_BRIGHTNESS),
            false,
            max_listed,
        ),
        low_contrast: flagged(
            ctx,
            features,
            Property::Contrast,
            Some(LOW_CONTRAST),
            true,
            max_listed,
        ),
        blurry: flagged(
            ctx,
            features,
            Property::Sharpness,
            blurry_threshold(&sharpness),
            true,
            max_listed,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::properties::ImageProperties;
    use crate::profile::test_support::{dataset, fake_features, Spec};

    #[test]
    fn thresholds_flag_the_right_items() {
        let ds = dataset(&(0..200).map(|_| Spec::new("train", 0)).collect::<Vec<_>>());
        let ctx = Context::new(&ds);
        let mut feats: Vec<Option<ImageFeatures>> = (0..200)
            .map(|i| Some(fake_features(i, u64::from(i))))
            .collect();
        for (i, f) in feats.iter_mut().enumerate() {
            let p = &mut f.as_mut().unwrap().properties;
            p.sharpness = Some(100.0 + i as f64);
        }
        fn set(feats: &mut [Option<ImageFeatures>], i: usize) -> &mut ImageProperties {
            &mut feats[i].as_mut().unwrap().properties
        }
        set(&mut feats, 3).brightness = 0.05;
        set(&mut feats, 4).brightness = 0.02;
        set(&mut feats, 5).brightness = 0.95;
        set(&mut feats, 6).contrast = 0.01;
        set(&mut feats, 7).sharpness = Some(1.0);
        feats[8] = None;
        let o = outliers(&ctx, &feats, 10);
        let ids = |l: &OutlierList| {
            l.items
                .iter()
                .map(|x| x.item.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&o.too_dark), ["item4", "item3"]);
        assert_eq!(ids(&o.too_bright), ["item5"]);
        assert_eq!(ids(&o.low_contrast), ["item6"]);
        assert_eq!(ids(&o.blurry), ["item7"]);
        assert_eq!(o.too_dark.count, 2);
        let capped = outliers(&ctx, &feats, 1);
        assert_eq!((capped.too_dark.count, capped.too_dark.items.len()), (2, 1));
    }

    #[test]
    fn blur_needs_both_rules() {
        // 100 values 100..199 and one at 50: P1 ≈ 100.0 but 50 is not below
        // a tenth of the median (≈ 149), so nothing is blurry.
        let mut v: Vec<f64> = (100..200).map(f64::from).collect();
        v.push(50.0);
        let t = blurry_threshold(&v).unwrap();
        assert!(t < 50.0 && t > 14.0, "{t}");
        assert_eq!(blurry_threshold(&[]), None);
    }
}
