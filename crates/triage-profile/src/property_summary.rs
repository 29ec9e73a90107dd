//! Summaries of per-image properties over a set of images: mean, standard
//! deviation and percentiles, for all images, per split and per class.

use triage_docs::profile::{
    ClassProperties, ImageProperties, Property, PropertyReport, PropertySet, SplitKey, SplitMap,
    Summary,
};
use triage_stats::intervals::percentile_sorted;

use super::context::Context;
use super::features::ImageFeatures;

pub(crate) fn property_report(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
) -> PropertyReport {
    let mut by_key: [Vec<&ImageProperties>; 4] = Default::default();
    let mut by_label: Vec<Vec<&ImageProperties>> = vec![Vec::new(); ctx.n_classes()];
    let mut present = [false; 4];
    for (i, f) in features.iter().enumerate() {
        present[ctx.key(i).index()] = true;
        if let Some(f) = f {
            by_key[ctx.key(i).index()].push(&f.properties);
            by_label[ctx.label(i)].push(&f.properties);
        }
    }
    let all = property_set(features.iter().flatten().map(|f| &f.properties));
    let by_split = SplitMap(
        SplitKey::ALL
            .into_iter()
            .filter(|k| present[k.index()])
            .map(|key| (key, property_set(by_key[key.index()].iter().copied())))
            .collect(),
    );
    let by_class = ctx
        .class_names
        .iter()
        .zip(&by_label)
        .map(|(name, images)| ClassProperties {
            class: name.clone(),
            properties: property_set(images.iter().copied()),
        })
        .collect();
    PropertyReport {
        all,
        by_split,
        by_class,
    }
}

/// Summarise `values` (sorted in place; NaN values must not occur).
pub fn summarize(values: &mut [f64]) -> Summary {
    if values.is_empty() {
        return Summary {
            n: 0,
            mean: None,
            std: None,
            p5: None,
            p50: None,
            p95: None,
        };
    }
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Summary {
        n: values.len(),
        mean: Some(mean),
        std: Some(var.sqrt()),
        p5: Some(percentile_sorted(values, 0.05)),
        p50: Some(percentile_sorted(values, 0.5)),
        p95: Some(percentile_sorted(values, 0.95)),
    }
}

/// Summaries over `images`.
pub fn property_set<'a>(images: impl Iterator<Item = &'a ImageProperties> + Clone) -> PropertySet {
    let summary = |p: Property| {
        let mut values: Vec<f64> = images.clone().filter_map(|im| im.get(p)).collect();
        summarize(&mut values)
    };
    PropertySet {
        brightness: summary(Property::Brightness),
        contrast: summary(Property::Contrast),
        colorfulness: summary(Property::Colorfulness),
        sharpness: summary(Property::Sharpness),
        noise: summary(Property::Noise),
        aspect_ratio: summary(Property::AspectRatio),
        entropy: summary(Property::Entropy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_by_hand() {
        let s = summarize(&mut [4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, Some(3.0));
        assert!((s.std.unwrap() - 2.0f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.p50, Some(3.0));
        // numpy.percentile([1..5], 5) = 1.2, 95 → 4.8.
        assert!((s.p5.unwrap() - 1.2).abs() < 1e-12);
        assert!((s.p95.unwrap() - 4.8).abs() < 1e-12);
        let empty = summarize(&mut []);
        assert_eq!((empty.n, empty.mean), (0, None));
    }
}
