//! What a profiled dataset was read from: its layout and the colour
//! modes of its images.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The on-disk layout a dataset was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetFormat {
    /// Class folders (optionally under split folders).
    ImageFolder,
    /// CSV manifest.
    Manifest,
    /// MNIST-style IDX files.
    Idx,
    /// CIFAR binary batches.
    Cifar,
}

impl DatasetFormat {
    /// The name used in JSON and text (`image-folder`, `manifest`, `idx`,
    /// `cifar`).
    pub fn name(self) -> &'static str {
        match self {
            Self::ImageFolder => "image-folder",
            Self::Manifest => "manifest",
            Self::Idx => "idx",
            Self::Cifar => "cifar",
        }
    }
}

/// Colour mode of a source image (before conversion), for the profile's
/// histogram of modes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ColorMode {
    /// One channel.
    Gray,
    /// Gray with alpha.
    GrayAlpha,
    /// Three channels.
    Rgb,
    /// RGB with alpha.
    Rgba,
    /// Anything else (16-bit, float, ...), converted.
    Other,
}
