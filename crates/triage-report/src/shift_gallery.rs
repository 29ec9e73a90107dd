//! The galleries of the classifier two-sample test of a `triage shift`
//! document: the deployment items most unlike the training items (highest
//! held-out P(deployment)) and the training items most like deployment.
//!
//! The images come from the `path` column of each side's predictions file
//! (named in the document; tried as written and relative to the
//! document's folder), as `triage predict` writes it for image files;
//! without one (MNIST/CIFAR records, or no predictions file) the tiles
//! carry the id and the score only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use triage_data::{read_predictions, ReadOptions};
use triage_docs::shift::{ScoredItem, ShiftSide};
use triage_profile::files::named_path;

use crate::assemble::ReportOptions;
use crate::gallery::{path_from_predictions, thumbnail_uri};
use crate::inputs::NamedShift;
use crate::model::{Block, Gallery, Tile};

/// id → image path of a side, from its predictions file's `path` column.
fn image_paths(side: &ShiftSide, document: &Path) -> HashMap<String, PathBuf> {
    let Some(file) = side
        .predictions
        .as_deref()
        .and_then(|p| named_path(p, document))
        .filter(|p| p.is_file())
    else {
        return HashMap::new();
    };
    let options = ReadOptions {
        unlabelled: true,
        ..ReadOptions::default()
    };
    let Ok(preds) = read_predictions(&file, &options) else {
        return HashMap::new();
    };
    let Some(paths) = preds.paths else {
        return HashMap::new();
    };
    preds
        .ids
        .into_iter()
        .zip(paths)
        .filter(|(_, p)| !p.is_empty())
        .map(|(id, p)| (id, path_from_predictions(&file, &p)))
        .collect()
}

fn gallery(
    id: String,
    caption: String,
    items: &[ScoredItem],
    paths: &HashMap<String, PathBuf>,
    options: &ReportOptions,
) -> Block {
    Block::Gallery(Gallery {
        id,
        caption,
        tiles: items
            .iter()
            .map(|x| Tile {
                image: paths
                    .get(&x.id)
                    .and_then(|p| thumbnail_uri(p, options.thumbnail_px)),
                label: x.id.clone(),
                lines: vec![format!("P(deployment) = {:.3}", x.score)],
            })
            .collect(),
    })
}

/// The two galleries of one shift document whose classifier test fired.
pub fn blocks(s: &NamedShift, id: &dyn Fn(&str) -> String, options: &ReportOptions) -> Vec<Block> {
    let Some(c) = s.doc.c2st.as_ref().filter(|c| c.shifted) else {
        return Vec::new();
    };
    vec![
        gallery(
            id("unlike"),
            format!(
                "The {} deployment items a classifier (on {}) finds most unlike the training items: what the model has not seen.",
                c.most_unlike.len(),
                c.representation
            ),
            &c.most_unlike,
            &image_paths(&s.doc.target, &s.path),
            options,
        ),
        gallery(
            id("like"),
            format!(
                "The {} training items most like deployment: what to augment towards or collect more of.",
                c.most_like.len()
            ),
            &c.most_like,
            &image_paths(&s.doc.source, &s.path),
            options,
        ),
    ]
}
