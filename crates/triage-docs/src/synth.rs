//! The synthetic-set document (`synth.json`, format `triage-synth`) and
//! the generator settings it records: defined here, computed by
//! `triage-synth`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// Number of classes the generator can draw (shapes, then letters).
pub const MAX_CLASSES: usize = 26;

/// Smallest image side in pixels.
pub const MIN_SIZE: u32 = 8;
/// Largest image side in pixels.
pub const MAX_SIZE: u32 = 512;
/// Largest `per_class`: 1,000,000 images of each class (a synthetic set
/// bigger than ImageNet; a typo such as `1e13` is refused before anything
/// is allocated or written).
pub const MAX_PER_CLASS: usize = 1_000_000;

/// The look of the images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    /// Flat background, flat figure, anti-aliased edges and nothing else:
    /// the "synthetic look".
    #[default]
    Clean,
    /// The same figure and colours as [`Domain::Clean`], then textured
    /// background, lighting ramp, colour cast, optical blur, sensor noise
    /// and JPEG artefacts: a stand-in for real photographs of the same
    /// classes (synthetic → real shift).
    RealLike,
}

/// The file format of the written images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ImageFormat {
    /// Lossless PNG, 8-bit RGB (`.png`).
    #[default]
    Png,
    /// Baseline JPEG, 8-bit RGB (`.jpg`).
    Jpeg {
        /// Encoder quality, 1..=100.
        quality: u8,
    },
}

impl ImageFormat {
    /// The file extension, without the dot: `png` or `jpg`.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg { .. } => "jpg",
        }
    }
}

/// What to generate: classes, counts, label noise, look, format and splits.
///
/// The defaults are 10 balanced classes of 100 clean 32 × 32 PNG images,
/// seed 0, no label noise and no held-out splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SynthConfig {
    /// Number of classes K, 2..=26 (default 10). Class `k` is
    /// [`CLASS_NAMES`]`[k]`: the shapes come first, then letters.
    pub classes: usize,
    /// Number of images of the largest class, class 0 (default 100, at
    /// least 1).
    pub per_class: usize,
    /// Seed of every random draw (default 0).
    pub seed: u64,
    /// Side of the square images in pixels, 8..=512 (default 32). Below
    /// about 24 px the figures are only a few pixels wide and neighbouring
    /// shapes (circle, hexagon) become hard to tell apart.
    pub size: u32,
    /// Ratio of the largest to the smallest class count, ≥ 1 (default 1):
    /// class k gets round(per_class · imbalance^(−k/(K−1))) images, at
    /// least 1 (a geometric profile).
    pub imbalance: f64,
    /// Label-noise rate ρ in [0, 1) (default 0): with probability ρ the
    /// written label is replaced by a uniform draw over all K classes,
    /// which may be the clean class again. The written label therefore
    /// differs from the clean one with probability ρ(K−1)/K, which is the
    /// Bayes error of the written labels (see [`SynthConfig::bayes_error`]).
    pub label_noise: f64,
    /// The look of the images (default [`Domain::Clean`]).
    pub domain: Domain,
    /// The file format (default [`ImageFormat::Png`]).
    pub format: ImageFormat,
    /// Fraction of every class held out for validation, in [0, 1)
    /// (default 0).
    pub val_fraction: f64,
    /// Fraction of every class held out for testing, in [0, 1) (default
    /// 0). Splits are stratified by the clean label: class k with n_k
    /// images gets round(n_k · test_fraction) test and
    /// round(n_k · val_fraction) validation images (never more than n_k in
    /// all), the rest are training images.
    pub test_fraction: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            classes: 10,
            per_class: 100,
            seed: 0,
            size: 32,
            imbalance: 1.0,
            label_noise: 0.0,
            domain: Domain::Clean,
            format: ImageFormat::Png,
            val_fraction: 0.0,
            test_fraction: 0.0,
        }
    }
}

impl SynthConfig {
    /// Check every field's range.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of range:
    /// `classes` outside 2..=26, `per_class` 0 or above [`MAX_PER_CLASS`],
    /// `size` outside 8..=512,
    /// `imbalance` below 1 or not finite, `label_noise` outside [0, 1),
    /// a fraction outside [0, 1) or fractions summing to 1 or more, or a
    /// JPEG quality outside 1..=100.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(2..=MAX_CLASSES).contains(&self.classes) {
            return Err(ConfigError::new(
                "classes",
                format!("must be in 2..={MAX_CLASSES}, got {}", self.classes),
            ));
        }
        if self.per_class == 0 {
            return Err(ConfigError::new("per_class", "must be at least 1, got 0"));
        }
        if self.per_class > MAX_PER_CLASS {
            return Err(ConfigError::new(
                "per_class",
                format!(
                    "must be at most {MAX_PER_CLASS}, got {} ({} images of {}×{} pixels)",
                    self.per_class,
                    self.per_class.saturating_mul(self.classes),
                    self.size,
                    self.size
                ),
            ));
        }
        if !(MIN_SIZE..=MAX_SIZE).contains(&self.size) {
            return Err(ConfigError::new(
                "size",
                format!(
                    "must be in {MIN_SIZE}..={MAX_SIZE} pixels, got {}",
                    self.size
                ),
            ));
        }
        if !(self.imbalance.is_finite() && self.imbalance >= 1.0) {
            return Err(ConfigError::new(
                "imbalance",
                format!(
                    "must be a finite ratio of at least 1, got {}",
                    self.imbalance
                ),
            ));
        }
        let unit = |field: &'static str, value: f64| {
            if (0.0..1.0).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError::new(
                    field,
                    format!("must be in [0, 1), got {value}"),
                ))
            }
        };
        unit("label_noise", self.label_noise)?;
        unit("val_fraction", self.val_fraction)?;
        unit("test_fraction", self.test_fraction)?;
        if self.val_fraction + self.test_fraction >= 1.0 {
            return Err(ConfigError::new(
                "val_fraction",
                format!(
                    "plus `test_fraction` must be below 1, got {} + {}",
                    self.val_fraction, self.test_fraction
                ),
            ));
        }
        if let ImageFormat::Jpeg { quality } = self.format {
            if !(1..=100).contains(&quality) {
                return Err(ConfigError::new(
                    "format",
                    format!("JPEG quality must be in 1..=100, got {quality}"),
                ));
            }
        }
        Ok(())
    }

    /// Number of images of each class: round(per_class ·
    /// imbalance^(−k/(K−1))) for class k, at least 1. Class 0 is the
    /// largest, class K−1 the smallest (per_class / imbalance, rounded).
    pub fn class_counts(&self) -> Vec<usize> {
        let k_max = self.classes.saturating_sub(1).max(1) as f64;
        (0..self.classes)
            .map(|k| {
                let n = self.per_class as f64 * self.imbalance.powf(-(k as f64) / k_max);
                (n.round() as usize).max(1)
            })
            .collect()
    }

    /// The Bayes error with respect to the written labels: ρ(K−1)/K.
    ///
    /// Under the noise model of [`SynthConfig::label_noise`] the written
    /// label equals the clean class with probability 1 − ρ + ρ/K and each
    /// other class with probability ρ/K, whatever the image. The clean
    /// class is therefore the most likely written label (for ρ < 1), and
    /// where images determine their clean class (separable classes) the
    /// Bayes classifier predicts it and errs with probability
    /// 1 − (1 − ρ + ρ/K) = ρ(K−1)/K. This is exact for [`Domain::Clean`]
    /// images large enough to resolve the figures; for [`Domain::RealLike`]
    /// it is a lower bound, since blur and noise could in principle make a
    /// figure ambiguous.
    pub fn bayes_error(&self) -> f64 {
        if self.classes == 0 {
            return 0.0;
        }
        let k = self.classes as f64;
        self.label_noise * (k - 1.0) / k
    }

    /// Whether images go under `train/`, `val/` and `test/` folders (a
    /// fraction is positive) rather than straight into class folders.
    pub fn has_splits(&self) -> bool {
        self.val_fraction > 0.0 || self.test_fraction > 0.0
    }
}

/// Image counts of one class in each split.
///
/// Without held-out splits ([`crate::SynthConfig::has_splits`] is
/// false) every image counts as `train`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ClassSplitCounts {
    /// Training images.
    pub train: usize,
    /// Validation images.
    pub val: usize,
    /// Test images.
    pub test: usize,
}

impl ClassSplitCounts {
    /// The count over all splits.
    pub fn total(&self) -> usize {
        self.train + self.val + self.test
    }
}

/// One class's counts in `synth.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassCounts {
    /// Class name.
    pub class: String,
    /// Images per split.
    #[serde(flatten)]
    pub counts: ClassSplitCounts,
    /// Images of the class.
    pub total: usize,
}

/// The label-noise section of `synth.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelNoise {
    /// Noise rate ρ.
    pub rho: f64,
    /// How labels were corrupted.
    pub model: String,
    /// Expected share of changed labels, ρ(K−1)/K.
    pub expected_flip_rate: f64,
    /// Labels actually changed.
    pub flipped: usize,
    /// Bayes error of the written labels.
    pub bayes_error: f64,
    /// `rho*(K-1)/K`.
    pub bayes_error_formula: String,
    /// Why that is the Bayes error.
    pub statement: String,
}

/// `format` of `synth.json`.
pub const SYNTH_FORMAT: &str = "triage-synth";
/// Version of `synth.json`.
pub const SYNTH_VERSION: u32 = 1;

/// `synth.json` (format `triage-synth`; also what `triage synth --json`
/// prints). Files written before version 1 have no `format`/`version` and
/// are read as version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SynthDoc {
    /// Always [`SYNTH_FORMAT`].
    pub format: String,
    /// [`SYNTH_VERSION`].
    pub version: u32,
    /// `triage synth`.
    pub generator: String,
    /// [`GENERATOR_VERSION`]: the same seed gives the same bytes within one.
    pub generator_version: u32,
    /// Version of triage.
    pub triage_version: String,
    /// The settings.
    pub config: SynthConfig,
    /// `split/class/file` or `class/file`.
    pub layout: String,
    /// Class names.
    pub classes: Vec<String>,
    /// Image files written.
    pub files: usize,
    /// Images per class and split, by written label.
    pub counts: Vec<ClassCounts>,
    /// Images per class and split, by clean label.
    pub clean_counts: Vec<ClassCounts>,
    /// Labels changed by the noise.
    pub flipped: usize,
    /// Bayes error of the written labels, ρ(K−1)/K.
    pub bayes_error: f64,
    /// The label noise.
    pub label_noise: LabelNoise,
}

impl crate::Document for SynthDoc {
    const FORMAT: &'static str = SYNTH_FORMAT;
    const VERSION: u32 = SYNTH_VERSION;
    const WHAT: &'static str = "synth.json";

    fn upgrade(value: &mut serde_json::Value) -> Result<(), crate::DocError> {
        if value.get("generator").and_then(serde_json::Value::as_str) != Some("triage synth") {
            return Err(crate::DocError::Invalid {
                what: Self::WHAT,
                reason: "not written by `triage synth`".into(),
            });
        }
        crate::stamp(value, SYNTH_FORMAT, SYNTH_VERSION);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        SynthConfig::default().validate().unwrap();
        assert_eq!(SynthConfig::default().class_counts(), vec![100; 10]);
    }

    #[test]
    fn invalid_fields_are_named() {
        let cases: Vec<(SynthConfig, &str)> = vec![
            (
                SynthConfig {
                    classes: 1,
                    ..Default::default()
                },
                "classes",
            ),
            (
                SynthConfig {
                    classes: 27,
                    ..Default::default()
                },
                "classes",
            ),
            (
                SynthConfig {
                    per_class: 0,
                    ..Default::default()
                },
                "per_class",
            ),
            (
                SynthConfig {
                    size: 7,
                    ..Default::default()
                },
                "size",
            ),
            (
                SynthConfig {
                    size: 513,
                    ..Default::default()
                },
                "size",
            ),
            (
                SynthConfig {
                    imbalance: 0.5,
                    ..Default::default()
                },
                "imbalance",
            ),
            (
                SynthConfig {
                    imbalance: f64::NAN,
                    ..Default::default()
                },
                "imbalance",
            ),
            (
                SynthConfig {
                    label_noise: 1.0,
                    ..Default::default()
                },
                "label_noise",
            ),
            (
                SynthConfig {
                    label_noise: -0.1,
                    ..Default::default()
                },
                "label_noise",
            ),
            (
                SynthConfig {
                    val_fraction: 0.6,
                    test_fraction: 0.4,
                    ..Default::default()
                },
                "val_fraction",
            ),
            (
                SynthConfig {
                    test_fraction: f64::NAN,
                    ..Default::default()
                },
                "test_fraction",
            ),
            (
                SynthConfig {
                    format: ImageFormat::Jpeg { quality: 0 },
                    ..Default::default()
                },
                "format",
            ),
        ];
        for (config, field) in cases {
            let err = config.validate().unwrap_err();
            assert_eq!(err.what, field, "{err}");
            assert!(!err.reason.ends_with('.'), "{err}");
        }
    }

    #[test]
    fn geometric_class_counts() {
        let config = SynthConfig {
            classes: 5,
            per_class: 1000,
            imbalance: 10.0,
            ..Default::default()
        };
        let counts = config.class_counts();
        assert_eq!(counts, vec![1000, 562, 316, 178, 100]);
        let tiny = SynthConfig {
            per_class: 2,
            imbalance: 100.0,
            ..Default::default()
        };
        assert_eq!(*tiny.class_counts().last().unwrap(), 1);
    }

    #[test]
    fn bayes_error_of_uniform_replacement() {
        let config = SynthConfig {
            classes: 4,
            label_noise: 0.2,
            ..Default::default()
        };
        assert!((config.bayes_error() - 0.15).abs() < 1e-12);
    }

    #[test]
    fn config_round_trips_through_json() {
        let config = SynthConfig {
            format: ImageFormat::Jpeg { quality: 90 },
            domain: Domain::RealLike,
            ..Default::default()
        };
        let json = serde_json::to_string(&config).unwrap();
        assert!(json.contains(r#""domain":"real-like""#), "{json}");
        assert!(
            json.contains(r#""format":{"kind":"jpeg","quality":90}"#),
            "{json}"
        );
        let back: SynthConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
    }
}
