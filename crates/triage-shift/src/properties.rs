//! Image-property drift: per property of the profile, the two-sample KS
//! test (Bonferroni over the properties), the Wasserstein-1 distance, the
//! standardised mean difference (target − source, pooled SD) and overlaid
//! histograms on shared bins; the properties that drift by more than a
//! negligible amount are named in plain words.

use triage_docs::profile::Property;
use triage_docs::shift::{PropertyShift, PropertyTest, SharedHistogram};
use triage_stats::intervals::percentile_sorted;
use triage_stats::shift::bonferroni;
use triage_stats::shift::univariate::{ks_two_sample, standardized_mean_difference, wasserstein_1};

use crate::error::ShiftError;
use crate::images::ImageSample;

/// Bins of the overlaid histograms (between the pooled 0.5th and 99.5th
/// percentiles).
pub const BINS: usize = 24;

/// A property whose |SMD| is below this has drifted negligibly, however
/// small its p-value: Cohen's "small" effect. MNIST's training and test
/// images differ in sharpness by SMD −0.07 — significant from a few
/// thousand images a side, and nothing a model notices.
pub const NEGLIGIBLE_SMD: f64 = 0.2;

/// Properties named in the plain-words summary at most.
const NAMED: usize = 3;

/// How a drifting property reads (target against source).
fn words(property: Property, up: bool) -> &'static str {
    match (property, up) {
        (Property::Brightness, true) => "brighter",
        (Property::Brightness, false) => "darker",
        (Property::Contrast, true) => "higher in contrast",
        (Property::Contrast, false) => "lower in contrast",
        (Property::Colorfulness, true) => "more colourful",
        (Property::Colorfulness, false) => "less colourful",
        (Property::Sharpness, true) => "sharper",
        (Property::Sharpness, false) => "blurrier",
        (Property::Noise, true) => "noisier",
        (Property::Noise, false) => "cleaner",
        (Property::AspectRatio, true) => "wider",
        (Property::AspectRatio, false) => "taller",
        (Property::Entropy, true) => "busier (more grey levels)",
        (Property::Entropy, false) => "plainer (fewer grey levels)",
    }
}

fn join_words(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Overlaid histograms of `source` and `target` on shared bins.
fn histogram(source: &[f64], target: &[f64]) -> SharedHistogram {
    let mut pooled: Vec<f64> = source.iter().chain(target).copied().collect();
    pooled.sort_by(f64::total_cmp);
    let (mut lo, mut hi) = (
        percentile_sorted(&pooled, 0.005),
        percentile_sorted(&pooled, 0.995),
    );
    if hi <= lo {
        lo = pooled[0];
        hi = pooled[pooled.len() - 1];
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let edges: Vec<f64> = (0..=BINS)
        .map(|b| lo + (hi - lo) * b as f64 / BINS as f64)
        .collect();
    let count = |values: &[f64]| {
        let mut c = vec![0u64; BINS];
        for &v in values {
            let b = ((v - lo) / (hi - lo) * BINS as f64).floor();
            c[(b.max(0.0) as usize).min(BINS - 1)] += 1;
        }
        c
    };
    SharedHistogram {
        source: count(source),
        target: count(target),
        edges,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    percentile_sorted(&v, 0.5)
}

/// The tests of every property both samples have (sharpness and noise are
/// `None` below 3×3 pixels), in the profile's order; not yet judged.
pub(crate) fn property_shift(
    s: &ImageSample,
    t: &ImageSample,
) -> Result<PropertyShift, ShiftError> {
    let available: Vec<Property> = Property::ALL
        .into_iter()
        .filter(|&p| {
            s.properties.iter().all(|x| x.get(p).is_some())
                && t.properties.iter().all(|x| x.get(p).is_some())
        })
        .collect();
    let m = available.len();
    let mut tests = Vec::with_capacity(m);
    for p in available {
        let sv: Vec<f64> = s.properties.iter().filter_map(|x| x.get(p)).collect();
        let tv: Vec<f64> = t.properties.iter().filter_map(|x| x.get(p)).collect();
        let stats = ShiftError::stats("image-property KS test");
        let ks = ks_two_sample(&sv, &tv).map_err(stats)?;
        tests.push(PropertyTest {
            property: p.name().to_string(),
            source_median: median(&sv),
            target_median: median(&tv),
            ks: ks.statistic,
            p_value: ks.p_value,
            p_adjusted: bonferroni(ks.p_value, m),
            wasserstein: wasserstein_1(&sv, &tv)
                .map_err(ShiftError::stats("Wasserstein distance"))?,
            smd: standardized_mean_difference(&sv, &tv)
                .map_err(ShiftError::stats("standardised mean difference"))?,
            shifted: false,
            histogram: histogram(&sv, &tv),
        });
    }
    Ok(PropertyShift {
        tests,
        drifted: Vec::new(),
        summary: None,
    })
}

/// Mark the properties whose adjusted p-value is below `alpha`, and name
/// in plain words (largest |SMD| first, at most three) those whose drift
/// is not negligible.
pub(crate) fn judge_properties(shift: &mut PropertyShift, alpha: f64) {
    for t in &mut shift.tests {
        t.shifted = t.p_adjusted < alpha;
    }
    let mut drifted: Vec<&PropertyTest> = shift
        .tests
        .iter()
        .filter(|t| t.shifted && t.smd.is_some_and(|d| d.abs() >= NEGLIGIBLE_SMD))
        .collect();
    drifted.sort_by(|a, b| {
        let size = |t: &PropertyTest| t.smd.unwrap_or(0.0).abs();
        size(b).total_cmp(&size(a))
    });
    let phrases: Vec<&str> = drifted
        .iter()
        .take(NAMED)
        .filter_map(|t| {
            Property::ALL
                .into_iter()
                .find(|p| p.name() == t.property)
                .map(|p| words(p, t.smd.unwrap_or(0.0) > 0.0))
        })
        .collect();
    shift.summary =
        (!phrases.is_empty()).then(|| format!("deployment images are {}", join_words(&phrases)));
    shift.drifted = drifted.iter().map(|t| t.property.clone()).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_share_bins_and_keep_every_value() {
        let s: Vec<f64> = (0..100).map(f64::from).collect();
        let t: Vec<f64> = (50..150).map(f64::from).collect();
        let h = histogram(&s, &t);
        assert_eq!(h.edges.len(), BINS + 1);
        assert_eq!(h.source.iter().sum::<u64>(), 100);
        assert_eq!(h.target.iter().sum::<u64>(), 100);
        let flat = histogram(&[1.0, 1.0], &[1.0]);
        assert!(flat.edges[BINS] > flat.edges[0]);
    }

    #[test]
    fn words_join_like_a_sentence() {
        assert_eq!(join_words(&["blurrier"]), "blurrier");
        assert_eq!(
            join_words(&["blurrier", "noisier", "darker"]),
            "blurrier, noisier and darker"
        );
        assert_eq!(words(Property::Sharpness, false), "blurrier");
    }
}
