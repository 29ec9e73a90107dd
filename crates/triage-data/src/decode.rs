//! Decoding the pixels of a dataset item into a [`DecodedImage`].
//!
//! Image files are sniffed by content (the extension only serves to report
//! a mismatch), their size is read from the header and checked against
//! [`DecodeOptions::max_pixels`] before any pixel buffer is allocated (a
//! decompression-bomb guard), and `image::Limits` bound the decoder as a
//! second guard. Conversion follows the policy documented on
//! [`DecodedImage`]: alpha is composited on black, 16-bit and float samples
//! are scaled to 8 bits, palettes are expanded; [`ChannelPolicy`] then picks
//! 1 or 3 channels, and the image is resized only when
//! [`DecodeOptions::resize`] asks for it.
//!
//! ```
//! use triage_data::decode::{decode_file, DecodeOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("dot.png");
//! image::GrayImage::from_pixel(3, 2, image::Luma([200])).save(&path)?;
//! let decoded = decode_file(&path, &DecodeOptions::default())?;
//! assert_eq!((decoded.image.width, decoded.image.height, decoded.image.channels), (3, 2, 1));
//! assert_eq!(decoded.format, Some("png"));
//! # Ok(()) }
//! ```

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use image::error::{ImageFormatHint, UnsupportedErrorKind};
use image::imageops::{self, FilterType};
use image::{
    DynamicImage, ExtendedColorType, ImageBuffer, ImageDecoder, ImageError, ImageFormat,
    ImageReader, Limits, Luma, Rgb,
};
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use thiserror::Error;

use crate::dataset::{Dataset, RecordStore, Source};
use crate::image::{ColorMode, DecodedImage, DEFAULT_MAX_PIXELS};

/// Allocation allowed to a decoder at the least, whatever the pixel limit
/// (decoders need working buffers besides the image).
const MIN_ALLOC: u64 = 512 << 20;

/// Bytes per pixel of the widest image the decoders produce (RGBA, 32-bit
/// float).
const MAX_BYTES_PER_PIXEL: u64 = 16;

/// How many channels a decoded image gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelPolicy {
    /// Gray images stay 1 channel, colour images become 3.
    #[default]
    Keep,
    /// Always 1 channel: luma, ITU-R BT.601 (as [`DecodedImage::luma`]),
    /// rounded.
    Gray,
    /// Always 3 channels (gray is repeated).
    Rgb,
}

impl ChannelPolicy {
    /// [`ChannelPolicy::Gray`] when `grayscale`, else
    /// [`ChannelPolicy::Keep`] (a `--grayscale` flag).
    pub fn gray_if(grayscale: bool) -> Self {
        if grayscale {
            ChannelPolicy::Gray
        } else {
            ChannelPolicy::Keep
        }
    }
}

/// The resampling filter of [`DecodeOptions::resize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResizeFilter {
    /// Bilinear (`image::imageops::FilterType::Triangle`): fast.
    #[default]
    Triangle,
    /// Lanczos with window 3: sharper, slower.
    Lanczos3,
}

/// How to decode items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Largest width × height accepted; a header claiming more is refused
    /// as [`DecodeFailure::TooLarge`] before decoding.
    pub max_pixels: u64,
    /// Resize to exactly (width, height); `None` keeps the image's own size.
    /// A zero side leaves the image unresized.
    pub resize: Option<(u32, u32)>,
    /// The filter used when resizing.
    pub filter: ResizeFilter,
    /// How many channels the result has.
    pub channels: ChannelPolicy,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            resize: None,
            filter: ResizeFilter::default(),
            channels: ChannelPolicy::default(),
        }
    }
}

/// A decoded item and what was learnt about its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The pixels, converted (and resized if asked).
    pub image: DecodedImage,
    /// The colour mode of the source, before conversion.
    pub mode: ColorMode,
    /// The format found by content (`"png"`, `"jpeg"`, `"bmp"`, `"gif"`,
    /// `"webp"`, `"tiff"`); `None` for records of IDX or CIFAR files.
    pub format: Option<&'static str>,
    /// Size of the file in bytes; for a record, the bytes of its pixels.
    pub file_bytes: u64,
    /// Width and height of the source, before any resizing.
    pub original_size: (u32, u32),
    /// The file's extension (lowercase) and the format found by content,
    /// when the extension names another format (or none known).
    pub extension_mismatch: Option<(String, &'static str)>,
}

/// Why an item could not be decoded. Serialised as its message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeFailure {
    /// The file is empty.
    #[error("zero-byte file")]
    ZeroByte,
    /// The content is not a known image format.
    #[error("not an image: the content matches no known image format")]
    NotAnImage,
    /// The data ends early.
    #[error("truncated image: {message}")]
    Truncated {
        /// The decoder's message.
        message: String,
    },
    /// The data is invalid, or uses a feature the decoder lacks.
    #[error("corrupt image: {message}")]
    Corrupt {
        /// The decoder's message.
        message: String,
    },
    /// The header claims more pixels than allowed.
    #[error("image of {width}×{height} pixels exceeds the limit of {limit} pixels (decompression-bomb guard)")]
    TooLarge {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The limit ([`DecodeOptions::max_pixels`]).
        limit: u64,
    },
    /// The file cannot be read.
    #[error("cannot read the file: {message}")]
    Io {
        /// The system's message.
        message: String,
    },
    /// The index is past the last item.
    #[error("no item {index}: the dataset has {len} items")]
    NoSuchItem {
        /// The index asked for.
        index: usize,
        /// Number of items.
        len: usize,
    },
    /// A record item without pixels in the dataset's record store.
    #[error("item {index} has no pixels in the dataset's record store")]
    MissingRecord {
        /// The item's index.
        index: usize,
    },
}

impl DecodeFailure {
    /// A short stable name of the failure kind (`zero-byte`, `not-an-image`,
    /// `truncated`, `corrupt`, `too-large`, `io`, `no-such-item`,
    /// `missing-record`), for counting.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeFailure::ZeroByte => "zero-byte",
            DecodeFailure::NotAnImage => "not-an-image",
            DecodeFailure::Truncated { .. } => "truncated",
            DecodeFailure::Corrupt { .. } => "corrupt",
            DecodeFailure::TooLarge { .. } => "too-large",
            DecodeFailure::Io { .. } => "io",
            DecodeFailure::NoSuchItem { .. } => "no-such-item",
            DecodeFailure::MissingRecord { .. } => "missing-record",
        }
    }
}

impl Serialize for DecodeFailure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Decode item `index` of a dataset: its file, or its record.
///
/// # Errors
///
/// [`DecodeFailure`] when the file is empty, unreadable, not an image,
/// truncated, corrupt or too large, or the index is out of range.
pub fn decode_item(
    dataset: &Dataset,
    index: usize,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeFailure> {
    let item = dataset.items.get(index).ok_or(DecodeFailure::NoSuchItem {
        index,
        len: dataset.items.len(),
    })?;
    match &item.source {
        Source::File(path) => decode_file(path, options),
        Source::Record { .. } => {
            let records = dataset
                .records
                .as_ref()
                .ok_or(DecodeFailure::MissingRecord { index })?;
            decode_record(records, index, options)
        }
    }
}

/// Decode every item of a dataset in parallel, calling `on_item` after
/// each (from any thread); the results are in item order.
pub fn decode_all(
    dataset: &Dataset,
    options: &DecodeOptions,
    on_item: &(dyn Fn() + Sync),
) -> Vec<Result<Decoded, DecodeFailure>> {
    (0..dataset.items.len())
        .into_par_iter()
        .map(|index| {
            let decoded = decode_item(dataset, index, options);
            on_item();
            decoded
        })
        .collect()
}

/// Decode an image file.
///
/// # Errors
///
/// As [`decode_item`].
pub fn decode_file(path: &Path, options: &DecodeOptions) -> Result<Decoded, DecodeFailure> {
    let file = File::open(path).map_err(io_failure)?;
    let file_bytes = file.metadata().map_err(io_failure)?.len();
    if file_bytes == 0 {
        return Err(DecodeFailure::ZeroByte);
    }
    let mut reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .map_err(io_failure)?;
    let format = reader.format().ok_or(DecodeFailure::NotAnImage)?;
    let limit = options.max_pixels;
    // Header stage: no size limits yet, so that the size can be reported.
    reader.limits(alloc_limits(limit));
    let mut decoder = reader.into_decoder().map_err(|e| {
        // The PNG decoder checks its row buffers against `max_alloc` while
        // reading the header; report the size from IHDR then.
        let size = match (&e, format) {
            (ImageError::Limits(_), ImageFormat::Png) => png_header_size(path),
            _ => None,
        };
        classify(e, size, limit)
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limit {
        return Err(DecodeFailure::TooLarge {
            width,
            height,
            limit,
        });
    }
    let mut limits = alloc_limits(limit);
    let side = u32::try_from(limit).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    let total = decoder.total_bytes();
    limits.reserve(total).map_err(|_| DecodeFailure::Corrupt {
        message: format!("decoding needs {total} bytes, more than the memory limit"),
    })?;
    decoder
        .set_limits(limits)
        .map_err(|e| classify(e, Some((width, height)), limit))?;
    let mode = mode_of(decoder.original_color_type());
    let image = DynamicImage::from_decoder(decoder)
        .map_err(|e| classify(e, Some((width, height)), limit))?;
    let image = finish(convert(image), options);
    Ok(Decoded {
        image,
        mode,
        format: Some(format_name(format)),
        file_bytes,
        original_size: (width, height),
        extension_mismatch: extension_mismatch(path, format),
    })
}

/// Width and height from a PNG's IHDR chunk (bytes 16..24), read without
/// decoding anything.
fn png_header_size(path: &Path) -> Option<(u32, u32)> {
    let mut header = [0u8; 24];
    File::open(path).ok()?.read_exact(&mut header).ok()?;
    if &header[..8] != b"\x89PNG\r\n\x1a\n" || &header[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    Some((word(16), word(20)))
}

fn decode_record(
    records: &RecordStore,
    index: usize,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeFailure> {
    let pixels = records
        .record(index)
        .ok_or(DecodeFailure::MissingRecord { index })?;
    let image = DecodedImage {
        width: records.width,
        height: records.height,
        channels: records.channels,
        pixels: pixels.to_vec(),
    };
    Ok(Decoded {
        mode: if records.channels == 1 {
            ColorMode::Gray
        } else {
            ColorMode::Rgb
        },
        format: None,
        file_bytes: pixels.len() as u64,
        original_size: (records.width, records.height),
        extension_mismatch: None,
        image: finish(image, options),
    })
}

fn alloc_limits(max_pixels: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(
        max_pixels
            .saturating_mul(MAX_BYTES_PER_PIXEL)
            .max(MIN_ALLOC),
    );
    limits
}

fn io_failure(error: io::Error) -> DecodeFailure {
    if error.kind() == io::ErrorKind::UnexpectedEof {
        DecodeFailure::Truncated {
            message: error.to_string(),
        }
    } else {
        DecodeFailure::Io {
            message: error.to_string(),
        }
    }
}

/// Sort a decoder error into a failure; `size` is the header's, once known.
fn classify(error: ImageError, size: Option<(u32, u32)>, limit: u64) -> DecodeFailure {
    match error {
        ImageError::IoError(error) => io_failure(error),
        ImageError::Limits(_) => match size {
            Some((width, height)) if u64::from(width) * u64::from(height) > limit => {
                DecodeFailure::TooLarge {
                    width,
                    height,
                    limit,
                }
            }
            _ => DecodeFailure::Corrupt {
                message: error.to_string(),
            },
        },
        ImageError::Unsupported(ref unsupported)
            if matches!(
                unsupported.kind(),
                UnsupportedErrorKind::Format(ImageFormatHint::Unknown)
            ) =>
        {
            DecodeFailure::NotAnImage
        }
        error => {
            let message = error.to_string();
            if is_truncation(&error) {
                DecodeFailure::Truncated { message }
            } else {
                DecodeFailure::Corrupt { message }
            }
        }
    }
}

/// Whether an error says that the data ended early: an end-of-file I/O
/// error somewhere in its source chain, or a message saying so.
fn is_truncation(error: &ImageError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            if io.kind() == io::ErrorKind::UnexpectedEof {
                return true;
            }
        }
        let message = error.to_string().to_ascii_lowercase();
        if [
            "eof",
            "end of file",
            "unexpected end",
            "truncated",
            "not enough data",
        ]
        .iter()
        .any(|m| message.contains(m))
        {
            return true;
        }
        source = error.source();
    }
    false
}

fn mode_of(color: ExtendedColorType) -> ColorMode {
    use ExtendedColorType as C;
    match color {
        C::L1 | C::L2 | C::L4 | C::L8 => ColorMode::Gray,
        C::La1 | C::La2 | C::La4 | C::La8 => ColorMode::GrayAlpha,
        C::Rgb1 | C::Rgb2 | C::Rgb4 | C::Rgb5x1 | C::Rgb8 | C::Bgr8 => ColorMode::Rgb,
        C::Rgba1 | C::Rgba2 | C::Rgba4 | C::Rgba8 | C::Bgra8 => ColorMode::Rgba,
        _ => ColorMode::Other,
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Gif => "gif",
        ImageFormat::WebP => "webp",
        ImageFormat::Bmp => "bmp",
        ImageFormat::Tiff => "tiff",
        other => other.extensions_str().first().copied().unwrap_or("unknown"),
    }
}

/// Whether a file's extension names another format than its content
/// (sniffed from the first bytes, without decoding): `(extension, format)`,
/// or `None` when they agree or the content is no known image format.
pub fn sniff_extension_mismatch(path: &Path) -> Option<(String, &'static str)> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut file = std::fs::File::open(path).ok()?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(_) => return None,
        }
    }
    extension_mismatch_in(path, &head[..filled])
}

/// [`sniff_extension_mismatch`] on bytes already read (at least the first
/// few dozen bytes of the file).
pub fn extension_mismatch_in(path: &Path, head: &[u8]) -> Option<(String, &'static str)> {
    let format = image::guess_format(head).ok()?;
    extension_mismatch(path, format)
}

fn extension_mismatch(path: &Path, format: ImageFormat) -> Option<(String, &'static str)> {
    let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
    (ImageFormat::from_extension(&ext) != Some(format)).then(|| (ext, format_name(format)))
}

/// 8-bit gray or RGB pixels, alpha composited on black.
fn convert(image: DynamicImage) -> DecodedImage {
    let (width, height) = (image.width(), image.height());
    let color = image.color();
    let over_black = |v: u8, a: u8| ((u16::from(v) * u16::from(a) + 127) / 255) as u8;
    let (channels, pixels) = match (color.has_color(), color.has_alpha()) {
        (false, false) => (1, image.into_luma8().into_raw()),
        (true, false) => (3, image.into_rgb8().into_raw()),
        (false, true) => {
            let la = image.into_luma_alpha8();
            (
                1,
                la.chunks_exact(2).map(|p| over_black(p[0], p[1])).collect(),
            )
        }
        (true, true) => {
            let rgba = image.into_rgba8();
            let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
            for p in rgba.chunks_exact(4) {
                rgb.extend(p[..3].iter().map(|&v| over_black(v, p[3])));
            }
            (3, rgb)
        }
    };
    DecodedImage {
        width,
        height,
        channels,
        pixels,
    }
}

/// Apply the channel policy, then the resize.
fn finish(image: DecodedImage, options: &DecodeOptions) -> DecodedImage {
    let image = match (options.channels, image.channels) {
        (ChannelPolicy::Gray, 3) => DecodedImage {
            pixels: image
                .luma()
                .into_iter()
                .map(|v| v.round().clamp(0.0, 255.0) as u8)
                .collect(),
            channels: 1,
            ..image
        },
        (ChannelPolicy::Rgb, 1) => DecodedImage {
            pixels: image.pixels.iter().flat_map(|&v| [v, v, v]).collect(),
            channels: 3,
            ..image
        },
        _ => image,
    };
    match options.resize {
        Some((width, height))
            if width > 0 && height > 0 && (width, height) != (image.width, image.height) =>
        {
            resize(image, width, height, options.filter)
        }
        _ => image,
    }
}

fn resize(image: DecodedImage, width: u32, height: u32, filter: ResizeFilter) -> DecodedImage {
    let filter = match filter {
        ResizeFilter::Triangle => FilterType::Triangle,
        ResizeFilter::Lanczos3 => FilterType::Lanczos3,
    };
    let (w, h, channels) = (image.width, image.height, image.channels);
    let data = image.pixels.as_slice();
    let pixels = if channels == 1 {
        ImageBuffer::<Luma<u8>, _>::from_raw(w, h, data)
            .map(|buffer| imageops::resize(&buffer, width, height, filter).into_raw())
    } else {
        ImageBuffer::<Rgb<u8>, _>::from_raw(w, h, data)
            .map(|buffer| imageops::resize(&buffer, width, height, filter).into_raw())
    };
    match pixels {
        Some(pixels) => DecodedImage {
            width,
            height,
            channels,
            pixels,
        },
        // from_raw refuses a buffer of the wrong length, which `convert`
        // and the record store never produce: leave such an image as it is.
        None => image,
    }
}
