//! What the profile keeps of each decoded image: size, mode, the pixel
//! hash, a 32×32 thumbnail and properties (about 1.1 kB in all). The pixels
//! themselves are dropped as soon as these are computed, so a profile
//! never holds all images in memory.

use crate::properties::image_properties;
use triage_data::image::{ColorMode, DecodedImage};
use triage_docs::profile::ImageProperties;

use super::copy_thumbnail::{copy_thumbnail, CopyThumbnail};

/// The features of one decoded image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageFeatures {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Channels after decoding (1 or 3).
    pub channels: u8,
    /// Colour mode of the source file.
    pub mode: ColorMode,
    /// Size of the encoded file in bytes (0 for records).
    pub file_bytes: u64,
    /// XXH3-128 of the decoded image: width and height (u32 little-endian),
    /// channels (one byte), then the pixels. Equal iff the decoded images
    /// are identical (up to 128-bit hash collisions, about 10⁻²⁷ for a
    /// million images), whatever the file format.
    pub pixel_hash: u128,
    /// 32×32 luma thumbnail ([`copy_thumbnail`], 1,024 bytes): the
    /// near-duplicate stage's candidates and verification.
    pub copy_thumbnail: Box<CopyThumbnail>,
    /// Per-image properties.
    pub properties: ImageProperties,
}

impl ImageFeatures {
    /// Compute the features of `image`.
    ///
    /// # Errors
    /// A reason string if the image is unusable: no pixels, a channel count
    /// other than 1 or 3, or a pixel buffer of the wrong length.
    pub fn compute(image: &DecodedImage, mode: ColorMode, file_bytes: u64) -> Result<Self, String> {
        if image.channels != 1 && image.channels != 3 {
            return Err(format!(
                "decoded image has {} channels, expected 1 or 3",
                image.channels
            ));
        }
        let expected = image.pixel_count() * usize::from(image.channels);
        if image.pixels.len() != expected {
            return Err(format!(
                "decoded image has {} samples, expected {expected} for {}x{}x{}",
                image.pixels.len(),
                image.width,
                image.height,
                image.channels
            ));
        }
        if expected == 0 {
            return Err(format!(
                "decoded image has no pixels ({}x{})",
                image.width, image.height
            ));
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&image.width.to_le_bytes());
        hasher.update(&image.height.to_le_bytes());
        hasher.update(&[image.channels]);
        hasher.update(&image.pixels);
        let luma = image.luma();
        let (w, h) = (image.width as usize, image.height as usize);
        Ok(Self {
            width: image.width,
            height: image.height,
            channels: image.channels,
            mode,
            file_bytes,
            pixel_hash: hasher.digest128(),
            copy_thumbnail: copy_thumbnail(&luma, w, h),
            properties: image_properties(image, &luma),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(width: u32, height: u32, channels: u8, pixels: Vec<u8>) -> DecodedImage {
        DecodedImage {
            width,
            height,
            channels,
            pixels,
        }
    }

    #[test]
    fn equal_pixels_hash_equal_and_shape_matters() {
        let a =
            ImageFeatures::compute(&image(2, 2, 1, vec![1, 2, 3, 4]), ColorMode::Gray, 10).unwrap();
        let b =
            ImageFeatures::compute(&image(2, 2, 1, vec![1, 2, 3, 4]), ColorMode::Rgb, 99).unwrap();
        let c =
            ImageFeatures::compute(&image(4, 1, 1, vec![1, 2, 3, 4]), ColorMode::Gray, 10).unwrap();
        assert_eq!(a.pixel_hash, b.pixel_hash);
        assert_ne!(a.pixel_hash, c.pixel_hash);
    }

    #[test]
    fn malformed_images_are_rejected() {
        let err =
            ImageFeatures::compute(&image(2, 2, 1, vec![1, 2, 3]), ColorMode::Gray, 0).unwrap_err();
        assert!(err.contains("expected 4"), "{err}");
        assert!(ImageFeatures::compute(&image(1, 1, 4, vec![0; 4]), ColorMode::Rgba, 0).is_err());
        assert!(ImageFeatures::compute(&image(0, 5, 1, vec![]), ColorMode::Gray, 0).is_err());
    }
}
