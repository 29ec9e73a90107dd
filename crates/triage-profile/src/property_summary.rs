//! Summaries of per-image properties over a set of images: mean, standard
//! deviation and percentiles, for all images, per split and per class.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use triage_stats::intervals::percentile_sorted;

use super::context::Context;
use super::features::ImageFeatures;
use super::properties::{ImageProperties, Property};
use super::split_key::{SplitKey, SplitMap};

/// Distribution summary of one property over a set of images.
///
/// `std` is the population standard deviation (divisor n); percentiles
/// interpolate linearly between order statistics (numpy's default,
/// Hyndman–Fan type 7). All `null` when `n` is 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Images with a value.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Population standard deviation.
    pub std: Option<f64>,
    /// 5th percentile.
    pub p5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

impl Summary {
    /// Summarise `values` (sorted in place; NaN values must not occur).
    pub fn of(values: &mut [f64]) -> Self {
        if values.is_empty() {
            return Self {
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
        Self {
            n: values.len(),
            mean: Some(mean),
            std: Some(var.sqrt()),
            p5: Some(percentile_sorted(values, 0.05)),
            p50: Some(percentile_sorted(values, 0.5)),
            p95: Some(percentile_sorted(values, 0.95)),
        }
    }
}

/// One [`Summary`] per property (see [`crate::properties`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PropertySet {
    /// Brightness, [0, 1].
    pub brightness: Summary,
    /// RMS contrast, [0, 0.5].
    pub contrast: Summary,
    /// Colourfulness, 8-bit units.
    pub colorfulness: Summary,
    /// Laplacian variance, luma².
    pub sharpness: Summary,
    /// Noise σ, luma units.
    pub noise: Summary,
    /// Width / height.
    pub aspect_ratio: Summary,
    /// Luma entropy, bits.
    pub entropy: Summary,
}

impl PropertySet {
    /// Summaries over `images`.
    pub fn of<'a>(images: impl Iterator<Item = &'a ImageProperties> + Clone) -> Self {
        let summary = |p: Property| {
            let mut values: Vec<f64> = images.clone().filter_map(|im| im.get(p)).collect();
            Summary::of(&mut values)
        };
        Self {
            brightness: summary(Property::Brightness),
            contrast: summary(Property::Contrast),
            colorfulness: summary(Property::Colorfulness),
            sharpness: summary(Property::Sharpness),
            noise: summary(Property::Noise),
            aspect_ratio: summary(Property::AspectRatio),
            entropy: summary(Property::Entropy),
        }
    }

    /// The summary of one property.
    pub fn get(&self, property: Property) -> &Summary {
        match property {
            Property::Brightness => &self.brightness,
            Property::Contrast => &self.contrast,
            Property::Colorfulness => &self.colorfulness,
            Property::Sharpness => &self.sharpness,
            Property::Noise => &self.noise,
            Property::AspectRatio => &self.aspect_ratio,
            Property::Entropy => &self.entropy,
        }
    }
}

/// Property summaries of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassProperties {
    /// Class name.
    pub class: String,
    /// Summaries over the decoded images of the class.
    pub properties: PropertySet,
}

/// Property summaries over the decoded images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PropertyReport {
    /// All decoded images.
    pub all: PropertySet,
    /// Per split key holding at least one item (`unsplit` included).
    pub by_split: SplitMap<PropertySet>,
    /// Per class, in class order.
    pub by_class: Vec<ClassProperties>,
}

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
    let all = PropertySet::of(features.iter().flatten().map(|f| &f.properties));
    let by_split = SplitMap(
        SplitKey::ALL
            .into_iter()
            .filter(|k| present[k.index()])
            .map(|key| (key, PropertySet::of(by_key[key.index()].iter().copied())))
            .collect(),
    );
    let by_class = ctx
        .class_names
        .iter()
        .zip(&by_label)
        .map(|(name, images)| ClassProperties {
            class: name.clone(),
            properties: PropertySet::of(images.iter().copied()),
        })
        .collect();
    PropertyReport {
        all,
        by_split,
        by_class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_by_hand() {
        let s = Summary::of(&mut [4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, Some(3.0));
        assert!((s.std.unwrap() - 2.0f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.p50, Some(3.0));
        // numpy.percentile([1..5], 5) = 1.2, 95 → 4.8.
        assert!((s.p5.unwrap() - 1.2).abs() < 1e-12);
        assert!((s.p95.unwrap() - 4.8).abs() < 1e-12);
        let empty = Summary::of(&mut []);
        assert_eq!((empty.n, empty.mean), (0, None));
    }
}
