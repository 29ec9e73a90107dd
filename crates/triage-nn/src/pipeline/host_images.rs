//! Datasets (triage-data) turned into normalised image sets for the model
//! (triage-nn): item selection by split, decoding at one size and channel
//! count, per-channel normalisation.
//!
//! Images whose size differs from the input size are resized (bilinear);
//! gray images become RGB (repeated) when any training image has colour.
//! Values are `(x/255 − mean_c)/std_c` with the per-channel mean and
//! standard deviation of the training images. Files that fail to decode
//! are skipped and reported (never a panic).

use std::collections::HashMap;
use triage_data::memory::check_fits;
use triage_docs::run::MAX_INPUT_SIDE;

use rayon::prelude::*;
use triage_data::dataset::{Dataset, Split};
use triage_data::decode::{decode_item, ChannelPolicy, DecodeFailure, DecodeOptions, Decoded};
use triage_data::progress::Progress;
pub use triage_docs::predict::SkippedItem;

use crate::images::ImageSet;
use crate::model::InputShape;
use crate::pipeline::PipelineError;
use crate::run_dir::Normalization;

/// Smallest standard deviation used for normalisation (a constant channel
/// would otherwise divide by zero).
pub const MIN_STD: f32 = 1e-3;

/// Decoded, same-shape 8-bit images of some dataset items, planar (`CHW`).
#[derive(Debug, Clone)]
pub struct RawImages {
    /// Shape of every image.
    pub shape: InputShape,
    /// The dataset item indices, in image order.
    pub items: Vec<usize>,
    /// `items.len()·C·H·W` samples, planar.
    pub pixels: Vec<u8>,
    /// Items that failed to decode.
    pub skipped: Vec<SkippedItem>,
}

/// Item indices of a split; `Train` also takes the items without a split.
pub fn split_items(dataset: &Dataset, split: Split) -> Vec<usize> {
    dataset
        .items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.split == Some(split) || (split == Split::Train && it.split.is_none()))
        .map(|(i, _)| i)
        .collect()
}

fn decode_many(
    dataset: &Dataset,
    items: &[usize],
    options: &DecodeOptions,
    what: &str,
    progress: &dyn Progress,
) -> Vec<Result<Decoded, DecodeFailure>> {
    progress.stage(what, items.len() as u64);
    let out = items
        .par_iter()
        .map(|&i| {
            let d = decode_item(dataset, i, options);
            progress.step();
            d
        })
        .collect();
    progress.done();
    out
}

/// Decode training items, choosing the input shape: `size` (H, W) if
/// given, else the most common size; 3 channels if any image has colour.
///
/// # Errors
///
/// When no item decodes.
pub fn load_training(
    dataset: &Dataset,
    items: &[usize],
    size: Option<(u32, u32)>,
    progress: &dyn Progress,
) -> Result<RawImages, PipelineError> {
    if let Some((h, w)) = size {
        if h.max(w) > MAX_INPUT_SIDE {
            return Err(PipelineError::Invalid(format!(
                "input size {h}x{w} is larger than the {MAX_INPUT_SIDE} pixels a side triage trains at; give a smaller --size"
            )));
        }
    }
    let decoded = decode_many(
        dataset,
        items,
        &DecodeOptions::default(),
        "decoding",
        progress,
    );
    let mut sizes: HashMap<(u32, u32), usize> = HashMap::new();
    let mut colour = false;
    for d in decoded.iter().flatten() {
        *sizes.entry((d.image.height, d.image.width)).or_default() += 1;
        colour |= d.image.channels == 3;
    }
    let most_common = || {
        sizes
            .iter()
            .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
            .map(|(s, _)| *s)
    };
    let Some((h, w)) = size.or_else(most_common) else {
        return Err(PipelineError::Invalid(if items.is_empty() {
            "there are no training images".to_string()
        } else {
            format!(
                "none of the {} training images could be decoded (run `triage profile` on the data to see why)",
                items.len()
            )
        }));
    };
    let shape = InputShape {
        channels: if colour { 3 } else { 1 },
        height: h as usize,
        width: w as usize,
    };
    check_fits(
        || {
            format!(
                "{} training images of {}×{}×{} bytes",
                items.len(),
                shape.channels,
                shape.height,
                shape.width
            )
        },
        items.len() as u64,
        shape.len() as u64,
    )?;
    let options = target_options(shape);
    // Keep the images already at the target; re-decode the others resized.
    let mut out = RawImages {
        shape,
        items: Vec::with_capacity(items.len()),
        pixels: Vec::with_capacity(items.len() * shape.len()),
        skipped: Vec::new(),
    };
    for (&i, d) in items.iter().zip(decoded) {
        let d = match d {
            Ok(d) if d.image.height == h && d.image.width == w => Ok(d),
            Ok(_) => decode_item(dataset, i, &options),
            Err(e) => Err(e),
        };
        push(&mut out, dataset, i, d);
    }
    Ok(out)
}

/// Decode items at a known input shape (validation, prediction).
pub fn load_at(
    dataset: &Dataset,
    items: &[usize],
    shape: InputShape,
    what: &str,
    progress: &dyn Progress,
) -> RawImages {
    let decoded = decode_many(dataset, items, &target_options(shape), what, progress);
    let mut out = RawImages {
        shape,
        items: Vec::with_capacity(items.len()),
        pixels: Vec::with_capacity(items.len() * shape.len()),
        skipped: Vec::new(),
    };
    for (&i, d) in items.iter().zip(decoded) {
        push(&mut out, dataset, i, d);
    }
    out
}

fn target_options(shape: InputShape) -> DecodeOptions {
    DecodeOptions {
        resize: Some((shape.width as u32, shape.height as u32)),
        channels: if shape.channels == 3 {
            ChannelPolicy::Rgb
        } else {
            ChannelPolicy::Gray
        },
        ..DecodeOptions::default()
    }
}

/// Append one decoded item as planar samples (gray repeated to RGB when
/// the shape has 3 channels; colour turned to luma for 1).
fn push(
    out: &mut RawImages,
    dataset: &Dataset,
    item: usize,
    decoded: Result<Decoded, DecodeFailure>,
) {
    let id = dataset.items[item].id.clone();
    let d = match decoded {
        Ok(d) => d,
        Err(e) => {
            out.skipped.push(SkippedItem {
                id,
                reason: e.to_string(),
            });
            return;
        }
    };
    let img = d.image;
    let (h, w, c) = (out.shape.height, out.shape.width, out.shape.channels);
    if img.height as usize != h || img.width as usize != w {
        out.skipped.push(SkippedItem {
            id,
            reason: format!("decoded at {}×{}, expected {h}×{w}", img.height, img.width),
        });
        return;
    }
    let src_c = img.channels as usize;
    let plane = h * w;
    let start = out.pixels.len();
    out.pixels.resize(start + c * plane, 0);
    let dst = &mut out.pixels[start..];
    if src_c == c {
        for p in 0..plane {
            for ch in 0..c {
                dst[ch * plane + p] = img.pixels[p * c + ch];
            }
        }
    } else if src_c == 1 {
        for p in 0..plane {
            for ch in 0..c {
                dst[ch * plane + p] = img.pixels[p];
            }
        }
    } else {
        let luma = img.luma();
        for p in 0..plane {
            dst[p] = luma[p].round().clamp(0.0, 255.0) as u8;
        }
    }
    out.items.push(item);
}

/// Per-channel mean and standard deviation of `raw` on the [0, 1] scale
/// (std floored at [`MIN_STD`]).
pub fn fit_normalization(raw: &RawImages) -> Normalization {
    let c = raw.shape.channels;
    let plane = raw.shape.height * raw.shape.width;
    let mut sum = vec![0f64; c];
    let mut sq = vec![0f64; c];
    for img in raw.pixels.chunks(c * plane) {
        for ch in 0..c {
            for &v in &img[ch * plane..(ch + 1) * plane] {
                let x = f64::from(v) / 255.0;
                sum[ch] += x;
                sq[ch] += x * x;
            }
        }
    }
    let n = (raw.items.len() * plane).max(1) as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let std: Vec<f32> = sq
        .iter()
        .zip(&mean)
        .map(|(q, m)| ((q / n - m * m).max(0.0).sqrt() as f32).max(MIN_STD))
        .collect();
    Normalization {
        mean: mean.iter().map(|&m| m as f32).collect(),
        std,
    }
}

/// Normalise `raw` into an image set with the given labels (one per
/// image).
///
/// # Errors
///
/// When the labels do not match the images.
pub fn to_image_set(
    raw: &RawImages,
    norm: &Normalization,
    labels: Vec<usize>,
) -> Result<ImageSet, PipelineError> {
    let c = raw.shape.channels;
    let plane = raw.shape.height * raw.shape.width;
    let mut pixels = Vec::with_capacity(raw.pixels.len());
    for img in raw.pixels.chunks(c * plane) {
        for ch in 0..c {
            let (m, s) = (norm.mean[ch], norm.std[ch]);
            pixels.extend(
                img[ch * plane..(ch + 1) * plane]
                    .iter()
                    .map(|&v| (f32::from(v) / 255.0 - m) / s),
            );
        }
    }
    Ok(ImageSet::new(raw.shape, pixels, labels)?)
}

/// Tell `progress` about skipped items (the first 10 and a count).
pub fn report_skipped(progress: &dyn Progress, what: &str, skipped: &[SkippedItem]) {
    if skipped.is_empty() {
        return;
    }
    // One note a line: notes are escaped for the terminal, so a newline
    // inside one would print as a literal `\n`.
    let n = skipped.len();
    let kind = if what.is_empty() {
        String::new()
    } else {
        format!("{what} ")
    };
    progress.note(&format!(
        "warning: {n} {kind}{} could not be used and {} skipped:",
        if n == 1 { "image" } else { "images" },
        if n == 1 { "was" } else { "were" }
    ));
    for s in skipped.iter().take(10) {
        progress.note(&format!("  {}: {}", s.id, s.reason));
    }
    if n > 10 {
        progress.note(&format!(
            "  ... and {} more (run `triage profile` for all)",
            n - 10
        ));
    }
}
