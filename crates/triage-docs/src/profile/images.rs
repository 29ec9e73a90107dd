//! Image sizes, file sizes, per-image properties, their summaries and
//! the outliers among them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::items::ItemRef;
use super::split_key::SplitMap;

/// How many images have one size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SizeCount {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Images of this size.
    pub count: usize,
}

/// Histogram of image sizes (width × height) of the decoded images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SizeHistogram {
    /// Number of distinct sizes.
    pub distinct: usize,
    /// The [`TOP_SIZES`] most common sizes, most common first (ties by
    /// width, then height).
    pub top: Vec<SizeCount>,
    /// Images whose size is not in `top`.
    pub others: usize,
}

/// Encoded file sizes of the decoded images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FileBytes {
    /// Sum over images, bytes.
    pub total: u64,
    /// Distribution per image, bytes.
    pub per_image: Summary,
}

/// An outlier image and its property value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutlierItem {
    /// The item.
    #[serde(flatten)]
    pub item: ItemRef,
    /// Its value of the property tested.
    pub value: f64,
}

/// The images flagged by one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutlierList {
    /// The effective threshold: a value beyond it is flagged (for the
    /// brightness and contrast rules the stricter of `absolute_threshold`
    /// and `robust_threshold`; `null` when no decoded image has a value).
    pub threshold: Option<f64>,
    /// The fixed bound of the rule ([`TOO_DARK_BRIGHTNESS`],
    /// [`TOO_BRIGHT_BRIGHTNESS`], [`LOW_CONTRAST`]); `null` for blur.
    pub absolute_threshold: Option<f64>,
    /// The bound relative to the dataset: median ∓ 3 · 1.4826 · MAD for
    /// brightness and contrast, [`blurry_threshold`] for blur; `null` when
    /// no decoded image has a value.
    pub robust_threshold: Option<f64>,
    /// Images flagged.
    pub count: usize,
    /// The most extreme ones first, at most `max_listed`.
    pub items: Vec<OutlierItem>,
}

/// Outliers by rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outliers {
    /// brightness < [`TOO_DARK_BRIGHTNESS`] and < median − 3σ̂.
    pub too_dark: OutlierList,
    /// brightness > [`TOO_BRIGHT_BRIGHTNESS`] and > median + 3σ̂.
    pub too_bright: OutlierList,
    /// contrast < [`LOW_CONTRAST`] and < median − 3σ̂.
    pub low_contrast: OutlierList,
    /// sharpness < [`blurry_threshold`] of the dataset.
    pub blurry: OutlierList,
}

/// The properties of one image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImageProperties {
    /// [`brightness`]: mean luma / 255, in [0, 1].
    pub brightness: f64,
    /// [`rms_contrast`]: population std of luma / 255, in [0, 0.5].
    pub contrast: f64,
    /// [`colorfulness`] (Hasler & Süsstrunk 2003), 8-bit units, ≥ 0.
    pub colorfulness: f64,
    /// [`laplacian_variance`], luma² units; `None` below 3×3.
    pub sharpness: Option<f64>,
    /// [`noise_sigma`] (Immerkær 1996), luma units; `None` below 3×3.
    pub noise: Option<f64>,
    /// Width / height.
    pub aspect_ratio: f64,
    /// [`luma_entropy`], bits, in [0, 8].
    pub entropy: f64,
}

impl ImageProperties {
    /// The value of one property.
    pub fn get(&self, property: Property) -> Option<f64> {
        match property {
            Property::Brightness => Some(self.brightness),
            Property::Contrast => Some(self.contrast),
            Property::Colorfulness => Some(self.colorfulness),
            Property::Sharpness => self.sharpness,
            Property::Noise => self.noise,
            Property::AspectRatio => Some(self.aspect_ratio),
            Property::Entropy => Some(self.entropy),
        }
    }
}

/// One of the per-image properties, for code that iterates over them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// [`brightness`].
    Brightness,
    /// [`rms_contrast`].
    Contrast,
    /// [`colorfulness`].
    Colorfulness,
    /// [`laplacian_variance`].
    Sharpness,
    /// [`noise_sigma`].
    Noise,
    /// [`aspect_ratio`].
    AspectRatio,
    /// [`luma_entropy`].
    Entropy,
}

impl Property {
    /// All properties, in output order.
    pub const ALL: [Property; 7] = [
        Property::Brightness,
        Property::Contrast,
        Property::Colorfulness,
        Property::Sharpness,
        Property::Noise,
        Property::AspectRatio,
        Property::Entropy,
    ];

    /// The JSON key (`brightness`, `contrast`, `colorfulness`, `sharpness`,
    /// `noise`, `aspect_ratio`, `entropy`).
    pub fn name(self) -> &'static str {
        match self {
            Property::Brightness => "brightness",
            Property::Contrast => "contrast",
            Property::Colorfulness => "colorfulness",
            Property::Sharpness => "sharpness",
            Property::Noise => "noise",
            Property::AspectRatio => "aspect_ratio",
            Property::Entropy => "entropy",
        }
    }
}

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
