//! One side read from a dataset: a seeded sample of its images, decoded
//! once and reduced to the profile's per-image properties
//! (`triage_profile::image_properties`: brightness, RMS contrast,
//! colourfulness, Laplacian-variance sharpness, Immerkær noise, aspect
//! ratio, luma entropy).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use triage_data::dataset::{open_dataset, OpenOptions};
use triage_data::decode::{decode_item, ChannelPolicy, DecodeOptions};
use triage_data::progress::Progress;
use triage_docs::profile::ImageProperties;
use triage_profile::image_properties;
use triage_stats::shift::seeded_subsample;

use crate::error::ShiftError;

/// How to sample a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOptions {
    /// Items kept at most (a seeded subsample above).
    pub max_items: usize,
    /// Seed of the subsample.
    pub seed: u64,
    /// Resize every image to (width, height) before measuring: sharpness
    /// and noise depend on the size, so two sides of different sizes are
    /// compared at one.
    pub resize: Option<(u32, u32)>,
    /// Convert every image to grey before measuring (one side colour, the
    /// other grey).
    pub grayscale: bool,
    /// Largest image decoded (pixels; decompression bombs are refused).
    pub max_pixels: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        Self {
            max_items: 5_000,
            seed: 0,
            resize: None,
            grayscale: false,
            max_pixels: 100_000_000,
        }
    }
}

/// A sampled side.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSample {
    /// The dataset's path.
    pub root: PathBuf,
    /// Items in the dataset.
    pub n_items: usize,
    /// Ids of the sampled items that decoded, in dataset order.
    pub ids: Vec<String>,
    /// Their properties.
    pub properties: Vec<ImageProperties>,
    /// The (width, height, channels) seen, after any resize.
    pub shapes: BTreeSet<(u32, u32, u8)>,
    /// Sampled items that failed to decode: (id, reason).
    pub failed: Vec<(String, String)>,
}

type Measured = Result<(ImageProperties, (u32, u32, u8)), String>;

/// Sample, decode and measure the dataset at `path` (any reader).
///
/// # Errors
///
/// [`ShiftError::Open`] for an unreadable dataset. Items that fail to
/// decode are listed in [`ImageSample::failed`], not errors.
pub fn sample_images(
    path: &Path,
    options: &SampleOptions,
    progress: &dyn Progress,
) -> Result<ImageSample, ShiftError> {
    let open = OpenOptions {
        max_pixels: options.max_pixels,
        ..OpenOptions::default()
    };
    let dataset = open_dataset(path, &open).map_err(|source| ShiftError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let n = dataset.items.len();
    let chosen = seeded_subsample(n, options.max_items, options.seed ^ 0x0005_A39E);
    let decode = DecodeOptions {
        max_pixels: options.max_pixels,
        resize: options.resize,
        channels: ChannelPolicy::gray_if(options.grayscale),
        ..DecodeOptions::default()
    };
    progress.stage("decode", chosen.len() as u64);
    let measured: Vec<Measured> = chosen
        .par_iter()
        .map(|&i| {
            let out = decode_item(&dataset, i, &decode)
                .map_err(|e| e.to_string())
                .and_then(|d| {
                    let image = d.image;
                    if image.pixel_count() == 0 {
                        return Err("decoded image has no pixels".to_string());
                    }
                    let luma = image.luma();
                    Ok((
                        image_properties(&image, &luma),
                        (image.width, image.height, image.channels),
                    ))
                });
            progress.step();
            out
        })
        .collect();
    progress.done();
    let mut sample = ImageSample {
        root: dataset.root.clone(),
        n_items: n,
        ids: Vec::new(),
        properties: Vec::new(),
        shapes: BTreeSet::new(),
        failed: Vec::new(),
    };
    for (&i, result) in chosen.iter().zip(measured) {
        let item = &dataset.items[i];
        match result {
            Ok((properties, shape)) => {
                sample.ids.push(item.id.clone());
                sample.properties.push(properties);
                sample.shapes.insert(shape);
            }
            Err(reason) => sample.failed.push((item.id.clone(), reason)),
        }
    }
    Ok(sample)
}

/// `W×H×C` of up to three shapes.
fn shapes(side: &ImageSample) -> String {
    side.shapes
        .iter()
        .take(3)
        .map(|(w, h, c)| format!("{w}×{h}×{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the two samples can be compared property by property: the same
/// sizes (sharpness and noise depend on size) and the same channels
/// (colourfulness of grey is 0); notes about undecodable items.
///
/// # Errors
///
/// [`ShiftError::Setting`] naming the sizes or channels and the option
/// (`resize`, `grayscale`) that makes them comparable.
pub fn comparable(s: &ImageSample, t: &ImageSample) -> Result<Vec<String>, ShiftError> {
    let mut notes = Vec::new();
    for (name, side) in [("source", s), ("target", t)] {
        if let Some((id, reason)) = side.failed.first() {
            notes.push(format!(
                "{} of the sampled {name} images could not be decoded and were left out (first: `{id}`: {reason})",
                side.failed.len()
            ));
        }
    }
    let sizes = |side: &ImageSample| -> BTreeSet<(u32, u32)> {
        side.shapes.iter().map(|&(w, h, _)| (w, h)).collect()
    };
    let channels =
        |side: &ImageSample| -> BTreeSet<u8> { side.shapes.iter().map(|&(_, _, c)| c).collect() };
    if sizes(s) != sizes(t) {
        let (w, h) = s.shapes.iter().next().map_or((0, 0), |x| (x.0, x.1));
        return Err(ShiftError::Setting(format!(
            "the source images are {} but the target images are {}: sharpness and noise depend on size; resize both to one size (--resize {w}x{h})",
            shapes(s),
            shapes(t)
        )));
    }
    if channels(s) != channels(t) {
        return Err(ShiftError::Setting(format!(
            "the source images are {} but the target images are {}: one side is colour and the other grey; convert both (--grayscale)",
            shapes(s),
            shapes(t)
        )));
    }
    Ok(notes)
}
