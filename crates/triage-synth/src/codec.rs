//! Encoding and decoding of 8-bit RGB images in memory.

use std::io::Cursor;

use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::PngEncoder;
use ::image::{ExtendedColorType, ImageEncoder, ImageError};

use triage_docs::synth::ImageFormat;

/// Encode `width × height` interleaved RGB samples as `format`.
///
/// # Errors
///
/// The codec's error (a buffer whose length is not `3 · width · height`,
/// a side above 65 535 for JPEG).
pub(crate) fn encode_rgb(
    pixels: &[u8],
    width: u32,
    height: u32,
    format: ImageFormat,
) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::new();
    match format {
        ImageFormat::Png => PngEncoder::new(&mut bytes).write_image(
            pixels,
            width,
            height,
            ExtendedColorType::Rgb8,
        )?,
        ImageFormat::Jpeg { quality } => JpegEncoder::new_with_quality(&mut bytes, quality)
            .write_image(pixels, width, height, ExtendedColorType::Rgb8)?,
    }
    Ok(bytes)
}

/// Decode a JPEG (or any format the image crate recognises) to interleaved
/// RGB samples.
///
/// # Errors
///
/// The codec's error.
pub(crate) fn decode_rgb(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    let image = ::image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()?
        .decode()?;
    Ok(image.to_rgb8().into_raw())
}

/// Encode as JPEG at `quality` and decode again: the block artefacts,
/// ringing and chroma subsampling of a real camera pipeline.
///
/// # Errors
///
/// The codec's error.
pub(crate) fn jpeg_round_trip(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> Result<Vec<u8>, ImageError> {
    let bytes = encode_rgb(pixels, width, height, ImageFormat::Jpeg { quality })?;
    decode_rgb(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_lossless_and_jpeg_is_close() {
        let pixels: Vec<u8> = (0..16 * 16 * 3).map(|i| (i * 7 % 256) as u8).collect();
        let png = encode_rgb(&pixels, 16, 16, ImageFormat::Png).unwrap();
        assert_eq!(decode_rgb(&png).unwrap(), pixels);
        let flat = vec![120u8; 16 * 16 * 3];
        let back = jpeg_round_trip(&flat, 16, 16, 75).unwrap();
        assert_eq!(back.len(), flat.len());
        assert!(back.iter().all(|&v| v.abs_diff(120) <= 2));
    }
}
