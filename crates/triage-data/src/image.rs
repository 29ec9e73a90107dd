//! A decoded image: 8-bit samples, row-major, channels interleaved.

/// Default limit on width × height before decoding (a decompression-bomb
/// guard): 100 megapixels.
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

/// A decoded image with 1 (gray) or 3 (RGB) channels of `u8`.
///
/// Policy: images are decoded at their own size (no resizing unless a
/// caller asks for it); gray, gray+alpha and palette images become 1 or 3
/// channels as their colour type says, alpha is dropped (composited on
/// black), 16-bit samples are scaled to 8 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 (gray) or 3 (RGB).
    pub channels: u8,
    /// `width · height · channels` samples, row-major, interleaved.
    pub pixels: Vec<u8>,
}

pub use triage_docs::profile::ColorMode;

impl DecodedImage {
    /// Number of pixels (width × height).
    pub fn pixel_count(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Luma of every pixel in [0, 255] (ITU-R BT.601: 0.299 R + 0.587 G +
    /// 0.114 B; the value itself for gray images), row-major.
    pub fn luma(&self) -> Vec<f32> {
        match self.channels {
            1 => self.pixels.iter().map(|&v| f32::from(v)).collect(),
            _ => self
                .pixels
                .chunks_exact(self.channels as usize)
                .map(|p| {
                    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_of_gray_and_rgb() {
        let gray = DecodedImage {
            width: 2,
            height: 1,
            channels: 1,
            pixels: vec![0, 200],
        };
        assert_eq!(gray.luma(), vec![0.0, 200.0]);
        let rgb = DecodedImage {
            width: 1,
            height: 1,
            channels: 3,
            pixels: vec![255, 0, 0],
        };
        assert!((rgb.luma()[0] - 76.245).abs() < 1e-3);
    }
}
