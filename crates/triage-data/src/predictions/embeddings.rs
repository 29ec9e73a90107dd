//! Embeddings files: an `.npy` array of N × D floats (`<f4` or `<f8`,
//! C order), row i for item i — as `triage predict --embeddings` writes
//! them, or `np.save` from any framework.

use std::path::Path;

use crate::error::{Location, PredictionsError};

use super::npy_array::NpyArray;

/// Largest embeddings file read, bytes (8 GiB).
pub const MAX_EMBEDDINGS_BYTES: u64 = 8 << 30;

/// An N × D matrix of finite features, stored as `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    /// Rows.
    pub n: usize,
    /// Row length.
    pub dim: usize,
    /// Row-major values.
    pub rows: Vec<f32>,
}

/// Read an embeddings `.npy` file.
///
/// # Errors
/// [`PredictionsError::Io`], [`PredictionsError::NpyFormat`] (not a
/// well-formed array, Fortran order, larger than
/// [`MAX_EMBEDDINGS_BYTES`]), [`PredictionsError::UnsupportedDtype`]
/// (not float), [`PredictionsError::BadShape`] (not 2-D with D ≥ 1), and
/// [`PredictionsError::NotFinite`] for the first NaN/±∞ (row and column).
pub fn read_embeddings(path: &Path) -> Result<Embeddings, PredictionsError> {
    let io = |error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    };
    let npy = |reason: String| PredictionsError::NpyFormat {
        path: path.to_path_buf(),
        array: "embeddings".into(),
        reason,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_EMBEDDINGS_BYTES {
        return Err(npy(format!(
            "{size} bytes, more than the {MAX_EMBEDDINGS_BYTES}-byte limit"
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let array = NpyArray::parse(bytes).map_err(npy)?;
    if array.fortran_order {
        return Err(npy(
            "Fortran order; save it with np.ascontiguousarray".into()
        ));
    }
    if array.shape.len() != 2 || array.shape[1] == 0 {
        return Err(PredictionsError::BadShape {
            path: path.to_path_buf(),
            array: "embeddings".into(),
            shape: array.shape.clone(),
            expected: "(n_items, dim) with dim ≥ 1",
        });
    }
    let (n, dim) = (array.shape[0], array.shape[1]);
    let values = array
        .floats()
        .ok_or_else(|| PredictionsError::UnsupportedDtype {
            path: path.to_path_buf(),
            array: "embeddings".into(),
            dtype: array.descr.clone(),
            expected: "float32 or float64",
        })?;
    let mut rows = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        let f = v as f32;
        if !f.is_finite() {
            return Err(PredictionsError::NotFinite {
                path: path.to_path_buf(),
                location: Location::Row(i / dim),
                column: format!("embeddings[:, {}]", i % dim),
                value: v,
            });
        }
        rows.push(f);
    }
    Ok(Embeddings { n, dim, rows })
}
