//! The two sides of a shift analysis, and reading them from files.

use std::path::{Path, PathBuf};

use triage_data::predictions::read_embeddings_with_ids;
use triage_data::{read_predictions, Predictions, ReadOptions};

use crate::error::ShiftError;
use crate::images::ImageSample;

/// A model's embeddings of one side's items.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingSide {
    /// The file they came from.
    pub path: PathBuf,
    /// Row length.
    pub dim: usize,
    /// Row-major values, one row per item.
    pub rows: Vec<f64>,
    /// The items' ids, when the file names them.
    pub ids: Option<Vec<String>>,
}

impl EmbeddingSide {
    /// Items (rows).
    pub fn n(&self) -> usize {
        self.rows.len() / self.dim.max(1)
    }
}

/// One side: a sample of its images, and what a model said about its
/// items.
#[derive(Debug, Clone)]
pub struct Side {
    /// A measured sample of the side's dataset, if given.
    pub images: Option<ImageSample>,
    /// The predictions file, if given.
    pub predictions: Option<Predictions>,
    /// The embeddings, if given.
    pub embeddings: Option<EmbeddingSide>,
}

impl Side {
    /// Read a side: a predictions file (labels optional: a target usually
    /// has none) and an embeddings file — a `.npy` whose ids, when
    /// `triage predict` wrote them, are in `NAME.ids.csv` beside it, or a
    /// CSV `id,<features…>`.
    ///
    /// # Errors
    ///
    /// [`ShiftError::Read`] naming the file and row (an ids file that does
    /// not match its array included).
    pub fn read(predictions: Option<&Path>, embeddings: Option<&Path>) -> Result<Self, ShiftError> {
        let predictions = predictions
            .map(|p| {
                read_predictions(
                    p,
                    &ReadOptions {
                        unlabelled: true,
                        ..ReadOptions::default()
                    },
                )
            })
            .transpose()?;
        let embeddings = embeddings.map(read_embedding_side).transpose()?;
        Ok(Self {
            images: None,
            predictions,
            embeddings,
        })
    }

    /// Items on this side (the predictions', else the embeddings', else
    /// the dataset's).
    pub fn n(&self) -> usize {
        self.predictions
            .as_ref()
            .map(Predictions::len)
            .or_else(|| self.embeddings.as_ref().map(EmbeddingSide::n))
            .or_else(|| self.images.as_ref().map(|i| i.n_items))
            .unwrap_or(0)
    }

    /// The id of item `i` (the predictions' ids, else the embeddings',
    /// else `row i`).
    pub(crate) fn id(&self, i: usize) -> String {
        self.embeddings
            .as_ref()
            .and_then(|e| e.ids.as_ref())
            .or(self.predictions.as_ref().map(|p| &p.ids))
            .and_then(|ids| ids.get(i).cloned())
            .unwrap_or_else(|| format!("row {i}"))
    }
}

fn read_embedding_side(path: &Path) -> Result<EmbeddingSide, ShiftError> {
    let (matrix, ids) = read_embeddings_with_ids(path)?;
    Ok(EmbeddingSide {
        path: path.to_path_buf(),
        dim: matrix.dim,
        rows: matrix.rows.iter().map(|&v| f64::from(v)).collect(),
        ids,
    })
}
