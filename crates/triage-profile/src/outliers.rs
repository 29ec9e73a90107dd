//! Outlier images: too dark, too bright, low contrast, blurry.
//!
//! Each rule needs an image to be extreme in absolute terms *and* relative
//! to the dataset, so that a dataset that is dark by nature (MNIST: white
//! strokes on black, a quarter of its images under brightness 0.1) is not
//! flagged wholesale:
//!
//! - too dark: brightness < [`TOO_DARK_BRIGHTNESS`] and < median − 3·σ̂;
//! - too bright: brightness > [`TOO_BRIGHT_BRIGHTNESS`] and > median + 3·σ̂;
//! - low contrast: RMS contrast < [`LOW_CONTRAST`] and < median − 3·σ̂;
//!
//! where median and σ̂ = 1.4826 · MAD (median absolute deviation from the
//! median) are taken over all decoded images ([`robust_bound`]). The
//! absolute bounds follow CleanVision's `dark` / `light` /
//! `low_information` idea on the documented [`crate::properties`]
//! scales; the relative bound is the robust z-score of B. Iglewicz and
//! D. C. Hoaglin, *How to Detect and Handle Outliers* (ASQC, 1993), with
//! the cut-off 3 recommended by C. Leys et al., "Detecting outliers: Do not
//! use standard deviation around the mean, use absolute deviation around
//! the median", J. Exp. Soc. Psychol. 49 (2013). 1.4826 = 1/Φ⁻¹(3/4) makes
//! σ̂ consistent with the standard deviation for normal data. Blur is
//! judged relative to the dataset only, since Laplacian variance depends on
//! image size and content.

use triage_docs::profile::{OutlierItem, OutlierList, Outliers, Property};
use triage_stats::intervals::percentile_sorted;

use super::context::Context;
use super::features::ImageFeatures;

/// Too dark: brightness below this (mean luma < 25.5 of 255), and below
/// the dataset's robust bound.
pub const TOO_DARK_BRIGHTNESS: f64 = 0.1;
/// Too bright: brightness above this (mean luma > 229.5 of 255), and above
/// the dataset's robust bound.
pub const TOO_BRIGHT_BRIGHTNESS: f64 = 0.9;
/// Low contrast: RMS contrast below this (luma std < 12.75 of 255), and
/// below the dataset's robust bound.
pub const LOW_CONTRAST: f64 = 0.05;
/// Robust z-score beyond which a value is an outlier of the dataset.
pub const ROBUST_Z: f64 = 3.0;
/// σ̂ = this × MAD: 1/Φ⁻¹(3/4), the normal-consistency constant.
pub const MAD_TO_SIGMA: f64 = 1.4826;
/// Blurry: sharpness below this percentile of the dataset's sharpness…
pub const BLURRY_PERCENTILE: f64 = 0.01;
/// …and below this fraction of the dataset's median sharpness.
pub const BLURRY_MEDIAN_FRACTION: f64 = 0.1;

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

/// The robust bound median − z·σ̂ (`low`) or median + z·σ̂ of `values`,
/// with σ̂ = [`MAD_TO_SIGMA`] · MAD and z = [`ROBUST_Z`]; `None` if there
/// are no values. Medians as numpy's default (linear interpolation).
///
/// # References
/// B. Iglewicz and D. C. Hoaglin, *How to Detect and Handle Outliers*,
/// ASQC Quality Press, 1993 (robust z-scores from the median and MAD);
/// C. Leys, C. Ley, O. Klein, P. Bernard and L. Licata, "Detecting
/// outliers: Do not use standard deviation around the mean, use absolute
/// deviation around the median", J. Exp. Soc. Psychol. 49(4), 2013.
pub fn robust_bound(values: &[f64], low: bool) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = percentile_sorted(&sorted, 0.5);
    let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let spread = ROBUST_Z * MAD_TO_SIGMA * percentile_sorted(&deviations, 0.5);
    Some(if low {
        median - spread
    } else {
        median + spread
    })
}

/// A rule: flag values beyond both the absolute bound and the robust
/// bound of the dataset (the stricter of the two).
fn bounded(values: &[f64], absolute: f64, low: bool) -> (Option<f64>, Option<f64>, Option<f64>) {
    let robust = robust_bound(values, low);
    let effective = robust.map(|r| {
        if low {
            r.min(absolute)
        } else {
            r.max(absolute)
        }
    });
    (effective, Some(absolute), robust)
}

/// Items whose `property` is beyond `threshold` (below it if `low`), most
/// extreme first.
fn flagged(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    property: Property,
    (threshold, absolute_threshold, robust_threshold): (Option<f64>, Option<f64>, Option<f64>),
    low: bool,
    max_listed: usize,
) -> OutlierList {
    let Some(t) = threshold else {
        return OutlierList {
            threshold,
            absolute_threshold,
            robust_threshold,
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
        absolute_threshold,
        robust_threshold,
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

/// The values of `property` over the decoded images.
fn values(features: &[Option<ImageFeatures>], property: Property) -> Vec<f64> {
    features
        .iter()
        .flatten()
        .filter_map(|f| f.properties.get(property))
        .collect()
}

pub(crate) fn outliers(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    max_listed: usize,
) -> Outliers {
    let brightness = values(features, Property::Brightness);
    let contrast = values(features, Property::Contrast);
    let blur = blurry_threshold(&values(features, Property::Sharpness));
    Outliers {
        too_dark: flagged(
            ctx,
            features,
            Property::Brightness,
            bounded(&brightness, TOO_DARK_BRIGHTNESS, true),
            true,
            max_listed,
        ),
        too_bright: flagged(
            ctx,
            features,
            Property::Brightness,
            bounded(&brightness, TOO_BRIGHT_BRIGHTNESS, false),
            false,
            max_listed,
        ),
        low_contrast: flagged(
            ctx,
            features,
            Property::Contrast,
            bounded(&contrast, LOW_CONTRAST, true),
            true,
            max_listed,
        ),
        blurry: flagged(
            ctx,
            features,
            Property::Sharpness,
            (blur, None, blur),
            true,
            max_listed,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset, fake_features, Spec};

    #[test]
    fn thresholds_flag_the_right_items() {
        let ds = dataset(&(0..200).map(|_| Spec::new("train", 0)).collect::<Vec<_>>());
        let ctx = Context::new(&ds);
        let mut feats: Vec<Option<ImageFeatures>> =
            (0..200).map(|i| Some(fake_features(i))).collect();
        for (i, f) in feats.iter_mut().enumerate() {
            let p = &mut f.as_mut().unwrap().properties;
            p.sharpness = Some(100.0 + i as f64);
        }
        use triage_docs::profile::ImageProperties;
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
        // Almost all values equal: MAD 0, the robust bounds are the median
        // and the absolute bounds decide.
        assert_eq!(o.too_dark.robust_threshold, Some(0.5));
        assert_eq!(o.too_dark.threshold, Some(TOO_DARK_BRIGHTNESS));
        assert_eq!(o.too_dark.absolute_threshold, Some(TOO_DARK_BRIGHTNESS));
        assert_eq!(o.too_bright.threshold, Some(TOO_BRIGHT_BRIGHTNESS));
        assert_eq!(o.low_contrast.threshold, Some(LOW_CONTRAST));
        assert_eq!(o.blurry.absolute_threshold, None);
        assert_eq!(o.blurry.threshold, o.blurry.robust_threshold);
        let capped = outliers(&ctx, &feats, 1);
        assert_eq!((capped.too_dark.count, capped.too_dark.items.len()), (2, 1));
    }

    #[test]
    fn a_dark_dataset_is_judged_against_itself() {
        // Brightness 0.04..0.22 in steps of 0.001 (MNIST-like: most images
        // under 0.1), plus one black image and one at 0.95; contrast
        // 0.02..0.2 in the same way, plus one at 0.0.
        let n = 181;
        let ds = dataset(
            &(0..n + 2)
                .map(|_| Spec::new("train", 0))
                .collect::<Vec<_>>(),
        );
        let ctx = Context::new(&ds);
        let mut feats: Vec<Option<ImageFeatures>> =
            (0..n + 2).map(|i| Some(fake_features(i as u32))).collect();
        for (i, f) in feats.iter_mut().enumerate() {
            let p = &mut f.as_mut().unwrap().properties;
            p.brightness = 0.04 + 0.001 * i as f64;
            p.contrast = 0.02 + 0.001 * i as f64;
        }
        feats[n].as_mut().unwrap().properties.brightness = 0.0;
        feats[n].as_mut().unwrap().properties.contrast = 0.0;
        feats[n + 1].as_mut().unwrap().properties.brightness = 0.95;
        let o = outliers(&ctx, &feats, 10);
        // Median ≈ 0.13, MAD ≈ 0.045: the robust bound ≈ 0.13 − 0.2 < 0.
        let dark = o.too_dark.robust_threshold.unwrap();
        assert!(dark < 0.0, "{dark}");
        assert_eq!(o.too_dark.threshold, Some(dark));
        assert_eq!(o.too_dark.count, 0);
        // 0.95 is above both 0.9 and median + 3σ̂ ≈ 0.33.
        let bright = o.too_bright.robust_threshold.unwrap();
        assert!(bright > 0.3 && bright < 0.4, "{bright}");
        assert_eq!(o.too_bright.threshold, Some(TOO_BRIGHT_BRIGHTNESS));
        assert_eq!(o.too_bright.count, 1);
        // 30 images have contrast < 0.05, but only the flat one is an
        // outlier of the dataset.
        assert_eq!(o.low_contrast.count, 0);
        assert!(o.low_contrast.threshold.unwrap() < 0.0);
        // A bright dataset with the same spread flags the black image.
        for f in feats.iter_mut().take(n) {
            f.as_mut().unwrap().properties.brightness += 0.4;
        }
        let o = outliers(&ctx, &feats, 10);
        assert_eq!(o.too_dark.threshold, Some(TOO_DARK_BRIGHTNESS));
        assert_eq!(o.too_dark.count, 1);
        assert_eq!(o.too_dark.items[0].item.id, format!("item{n}"));
    }

    #[test]
    fn robust_bound_uses_median_and_mad() {
        // Median 3, deviations {2, 1, 0, 1, 7}: MAD 1.
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        let low = robust_bound(&v, true).unwrap();
        let high = robust_bound(&v, false).unwrap();
        assert!((low - (3.0 - 3.0 * 1.4826)).abs() < 1e-12);
        assert!((high - (3.0 + 3.0 * 1.4826)).abs() < 1e-12);
        assert_eq!(robust_bound(&[], true), None);
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
