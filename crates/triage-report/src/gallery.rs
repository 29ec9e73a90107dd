//! Image galleries of an evaluation: the top losses and the most-confused
//! class pairs, as PNG thumbnails embedded in `data:` URIs.
//!
//! Size budget: at most [`crate::ReportOptions::top_losses`] +
//! `confused_pairs × per_pair` thumbnails (24 + 6 × 4 by default) of at
//! most 64 px a side, a few kB each, whatever the size of the test set.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;
use triage_data::{read_predictions, Predictions, ReadOptions};

use crate::assemble::ReportOptions;
use crate::error::ReportError;
use crate::inputs::NamedEvaluation;
use crate::model::{Block, Gallery, Tile};

/// Images whose header claims more pixels than this are not decoded
/// (decompression-bomb guard; matches `triage profile --max-pixels`).
pub const MAX_PIXELS: u64 = 100_000_000;

/// The gallery blocks of one evaluation (a paragraph saying what to pass
/// when no predictions file is known).
///
/// # Errors
/// The predictions file cannot be read or has other classes than the
/// evaluation.
pub fn blocks(
    e: &NamedEvaluation,
    id: &str,
    options: &ReportOptions,
) -> Result<Vec<Block>, ReportError> {
    let Some(path) = &e.predictions else {
        return Ok(vec![Block::Paragraph {
            text: format!(
                "No predictions file for `{}`: pass `--predictions FILE` (or put `{}` beside it) to see the top losses and the most-confused pairs.",
                e.name,
                triage_docs::run_layout::predictions_beside(&e.path).display()
            ),
        }]);
    };
    let preds = read_predictions(path, &ReadOptions::default()).map_err(|source| {
        ReportError::Predictions {
            path: path.clone(),
            source,
        }
    })?;
    if !e.doc.classes.is_empty() && preds.classes != e.doc.classes {
        return Err(ReportError::PredictionsMismatch {
            path: path.clone(),
            expected: e.doc.classes.clone(),
            found: preds.classes.clone(),
        });
    }
    let mut thumbs = Thumbnails::new(path, options.thumbnail_px);
    let mut out = Vec::new();
    let losses = top_losses(&preds, options.top_losses);
    out.push(Block::Gallery(Gallery {
        id: format!("top-losses-{id}"),
        caption: format!(
            "The {} samples of `{}` with the highest loss −ln p(true class): true vs. predicted class and confidence.",
            losses.len(),
            e.name
        ),
        tiles: losses.iter().map(|&i| tile(&preds, i, &mut thumbs)).collect(),
    }));
    let pairs = confused_pairs(&preds, options.confused_pairs);
    let mut tiles = Vec::new();
    for &(t, p, count) in &pairs {
        let mut examples: Vec<usize> = (0..preds.len())
            .filter(|&i| preds.labels[i] == t && argmax(preds.proba.row(i)) == p)
            .collect();
        examples.sort_by(|&a, &b| preds.proba.get(b, p).total_cmp(&preds.proba.get(a, p)));
        for &i in examples.iter().take(options.per_pair) {
            let mut tile = tile(&preds, i, &mut thumbs);
            tile.lines.insert(
                0,
                format!("{} → {} ({count}×)", preds.classes[t], preds.classes[p]),
            );
            tiles.push(tile);
        }
    }
    let caption = if pairs.is_empty() {
        format!("`{}` has no misclassified samples.", e.name)
    } else {
        format!(
            "The {} most-confused (true → predicted) class pairs of `{}`, up to {} examples each, most confident first.",
            pairs.len(),
            e.name,
            options.per_pair
        )
    };
    out.push(Block::Gallery(Gallery {
        id: format!("confused-pairs-{id}"),
        caption,
        tiles,
    }));
    Ok(out)
}

fn argmax(row: &[f64]) -> usize {
    row.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i)
}

/// Indices of the `n` samples with the highest −ln p(true), highest first.
pub fn top_losses(preds: &Predictions, n: usize) -> Vec<usize> {
    let loss = |i: usize| -preds.proba.get(i, preds.labels[i]).max(1e-300).ln();
    let mut idx: Vec<usize> = (0..preds.len()).collect();
    idx.sort_by(|&a, &b| loss(b).total_cmp(&loss(a)).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

/// The `n` (true, predicted, count) off-diagonal pairs with the largest
/// counts, largest first.
pub fn confused_pairs(preds: &Predictions, n: usize) -> Vec<(usize, usize, usize)> {
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, row) in preds.proba.rows().enumerate() {
        let p = argmax(row);
        if p != preds.labels[i] {
            *counts.entry((preds.labels[i], p)).or_default() += 1;
        }
    }
    let mut pairs: Vec<(usize, usize, usize)> =
        counts.into_iter().map(|((t, p), c)| (t, p, c)).collect();
    pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    pairs.truncate(n);
    pairs
}

fn tile(preds: &Predictions, i: usize, thumbs: &mut Thumbnails) -> Tile {
    let y = preds.labels[i];
    let row = preds.proba.row(i);
    let p = argmax(row);
    let path = preds.paths.as_ref().map(|ps| ps[i].as_str());
    Tile {
        image: path.and_then(|p| thumbs.get(p)),
        label: preds.ids[i].clone(),
        lines: vec![
            format!("true: {}", preds.classes[y]),
            format!("predicted: {} ({:.2})", preds.classes[p], row[p]),
            format!("p(true) = {:.3}", row[y]),
        ],
    }
}

/// Thumbnail cache: one `data:` URI per image path.
struct Thumbnails {
    base: PathBuf,
    px: u32,
    cache: HashMap<String, Option<String>>,
}

impl Thumbnails {
    fn new(predictions: &Path, px: u32) -> Self {
        Self {
            base: predictions
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            px,
            cache: HashMap::new(),
        }
    }

    /// The thumbnail of `path` (relative to the predictions file's folder,
    /// or absolute); `None` when it cannot be read or decoded.
    fn get(&mut self, path: &str) -> Option<String> {
        if let Some(hit) = self.cache.get(path) {
            return hit.clone();
        }
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            self.base.join(path)
        };
        let uri = thumbnail_uri(&full, self.px);
        self.cache.insert(path.to_string(), uri.clone());
        uri
    }
}

/// The image of a predictions file's `path` cell: as written when
/// absolute, else relative to the predictions file's folder (where
/// `triage predict` writes paths from).
pub(crate) fn path_from_predictions(file: &Path, cell: &str) -> PathBuf {
    let path = PathBuf::from(cell);
    if path.is_absolute() {
        path
    } else {
        file.parent().map_or(path.clone(), |dir| dir.join(&path))
    }
}

/// Decode an image, shrink it to at most `px` a side (aspect kept, never
/// enlarged), encode it as PNG and return a `data:image/png;base64,` URI.
pub fn thumbnail_uri(path: &Path, px: u32) -> Option<String> {
    let open = || {
        image::ImageReader::open(path)
            .ok()?
            .with_guessed_format()
            .ok()
    };
    let (w, h) = open()?.into_dimensions().ok()?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return None;
    }
    let img = open()?.decode().ok()?;
    let small = if img.width() > px || img.height() > px {
        img.thumbnail(px, px)
    } else {
        img
    };
    png_data_uri(&small)
}

/// An image as an RGB PNG in a `data:image/png;base64,` URI.
pub fn png_data_uri(img: &image::DynamicImage) -> Option<String> {
    let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
    let mut bytes = Vec::new();
    rgb.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .ok()?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_small_pngs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.png");
        image::RgbImage::from_pixel(300, 150, image::Rgb([200, 10, 10]))
            .save(&p)
            .unwrap();
        let uri = thumbnail_uri(&p, 64).unwrap();
        let b64 = uri.strip_prefix("data:image/png;base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (64, 32));
        assert!(thumbnail_uri(&dir.path().join("missing.png"), 64).is_none());
    }
}
