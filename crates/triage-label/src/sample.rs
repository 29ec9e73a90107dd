//! The sample an annotator labels: N decodable items of a dataset,
//! chosen by a seeded shuffle, each re-encoded as PNG from its pixels (no
//! file name, no metadata) under a random opaque id.

use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use triage_data::dataset::{open_dataset, Dataset, OpenOptions};
use triage_data::decode::{decode_item, DecodeOptions};
use triage_data::progress::Progress;

use crate::error::LabelError;
use crate::queue::{read_queue, Queue, QueueKind, PAIR_CLASSES};
use crate::store::SampleItem;

/// A drawn sample and what was skipped.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Class names, in label order.
    pub classes: Vec<String>,
    /// Items in the dataset.
    pub dataset_items: usize,
    /// The items, in sample order.
    pub items: Vec<SampleItem>,
    /// Items that failed to decode (id and reason): never served.
    pub skipped: Vec<(String, String)>,
}

/// A random opaque id: 32 hex digits from the OS's randomness, unrelated
/// to the item's name, label or position.
pub fn opaque_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Draw `n` decodable items of the dataset at `path` (seeded shuffle;
/// undecodable items are skipped, listed, and replaced by the next).
///
/// # Errors
/// [`LabelError::Open`], [`LabelError::SampleTooLarge`].
pub fn draw(
    path: &Path,
    n: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Sample, LabelError> {
    let dataset = open(path)?;
    let mut order: Vec<usize> = (0..dataset.items.len()).collect();
    order.shuffle(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed));
    let mut items = Vec::with_capacity(n);
    let mut skipped = Vec::new();
    progress.stage("sample", n as u64);
    for &i in &order {
        if items.len() == n {
            break;
        }
        let item = &dataset.items[i];
        match png_of(&dataset, i)? {
            Ok(png) => {
                items.push(SampleItem {
                    opaque: opaque_id(),
                    item_id: item.id.clone(),
                    label: item.label as u32,
                    png,
                    other: None,
                });
                progress.step();
            }
            Err(reason) => skipped.push((item.id.clone(), reason)),
        }
    }
    progress.done();
    if items.len() < n {
        return Err(LabelError::SampleTooLarge {
            path: path.to_path_buf(),
            asked: n,
            usable: items.len(),
        });
    }
    Ok(Sample {
        classes: dataset.classes.clone(),
        dataset_items: dataset.items.len(),
        items,
        skipped,
    })
}

/// The items of a review queue, in its order: each entry looked up by id
/// in the dataset at `path` (an id the dataset does not hold is an error
/// naming it); entries with an undecodable image are skipped and listed.
///
/// # Errors
/// [`LabelError::Open`], [`LabelError::Queue`].
pub fn draw_queue(
    path: &Path,
    queue: &Queue,
    cap: Option<usize>,
    progress: &dyn Progress,
) -> Result<Sample, LabelError> {
    let dataset = open(path)?;
    let entries = read_queue(queue, &dataset.classes, cap)?;
    let index = dataset.index_by_id();
    let find = |id: &str| {
        index.get(id).copied().ok_or_else(|| LabelError::Queue {
            path: queue.file.clone(),
            reason: format!(
                "lists `{id}`, which `{}` does not hold (was it made for another dataset?)",
                path.display()
            ),
        })
    };
    let mut items = Vec::with_capacity(entries.len());
    let mut skipped = Vec::new();
    progress.stage("queue", entries.len() as u64);
    for entry in &entries {
        let a = find(&entry.id)?;
        let b = entry.other.as_deref().map(find).transpose()?;
        let first = png_of(&dataset, a)?;
        let second = b.map(|b| png_of(&dataset, b)).transpose()?;
        match (first, second) {
            (Ok(png), None) => items.push(SampleItem {
                opaque: opaque_id(),
                item_id: entry.id.clone(),
                label: dataset.items[a].label as u32,
                png,
                other: None,
            }),
            (Ok(png), Some(Ok(png_b))) => items.push(SampleItem {
                opaque: opaque_id(),
                item_id: entry.id.clone(),
                label: dataset.items[a].label as u32,
                png,
                other: Some((entry.other.clone().unwrap_or_default(), png_b)),
            }),
            (Err(reason), _) => skipped.push((entry.id.clone(), reason)),
            (_, Some(Err(reason))) => {
                skipped.push((entry.other.clone().unwrap_or_default(), reason));
            }
        }
        progress.step();
    }
    progress.done();
    if items.is_empty() {
        return Err(LabelError::Queue {
            path: queue.file.clone(),
            reason: "none of its items could be decoded".to_owned(),
        });
    }
    Ok(Sample {
        classes: match queue.kind {
            QueueKind::LabelIssues => dataset.classes.clone(),
            QueueKind::Pairs => PAIR_CLASSES.map(String::from).to_vec(),
        },
        dataset_items: dataset.items.len(),
        items,
        skipped,
    })
}

fn open(path: &Path) -> Result<Dataset, LabelError> {
    open_dataset(path, &OpenOptions::default()).map_err(|source| LabelError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Item `i`'s pixels as PNG (no name, no metadata); `Ok(Err(reason))`
/// when it does not decode.
fn png_of(dataset: &Dataset, i: usize) -> Result<Result<Vec<u8>, String>, LabelError> {
    let img = match decode_item(dataset, i, &DecodeOptions::default()) {
        Ok(decoded) => decoded.image,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let color = if img.channels == 1 {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &img.pixels,
        img.width,
        img.height,
        color,
    )
    .map_err(|e| LabelError::Setting {
        name: "image",
        reason: format!("re-encoding `{}`: {e}", dataset.items[i].id),
    })?;
    Ok(Ok(png))
}

/// An annotator's order of the sample: positions shuffled by a generator
/// seeded with the session seed and the annotator's name (FNV-1a), so each
/// annotator sees their own order, the same on every visit.
pub fn annotator_order(n: usize, seed: u64, annotator: &str) -> Vec<usize> {
    let hash = fnv1a(&[annotator.as_bytes()]);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(
        seed ^ hash,
    ));
    order
}

/// FNV-1a (64-bit) of the concatenated parts.
pub(crate) fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
