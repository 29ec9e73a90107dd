//! A numeric matrix from a `.npy` file (soft labels, annotation counts):
//! integers or floats, 1-D (one column) or 2-D, C order.

use std::path::Path;

use super::error::PredictionsError;
use super::npy_array::NpyArray;

/// A matrix read from a `.npy` file, as `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericMatrix {
    /// Rows.
    pub rows: usize,
    /// Columns (1 for a 1-D array).
    pub cols: usize,
    /// Row-major values.
    pub values: Vec<f64>,
    /// Whether the file stored integers.
    pub integer: bool,
}

/// Read a 1-D or 2-D numeric `.npy` array (any integer or float dtype;
/// integers beyond 2⁵³ in magnitude are refused since `f64` cannot hold
/// them exactly). `array` names it in errors.
///
/// # Errors
/// [`PredictionsError::Io`], [`PredictionsError::NpyFormat`],
/// [`PredictionsError::UnsupportedDtype`], [`PredictionsError::BadShape`]
/// (Fortran order included).
pub fn read_numeric_matrix(path: &Path, array: &str) -> Result<NumericMatrix, PredictionsError> {
    let bytes = crate::bounded_read::read_bounded(path, crate::bounded_read::MAX_INPUT_BYTES)
        .map_err(|error| PredictionsError::Io {
            path: path.to_path_buf(),
            error,
        })?;
    let npy = NpyArray::parse(bytes).map_err(|reason| PredictionsError::NpyFormat {
        path: path.to_path_buf(),
        array: array.to_owned(),
        reason,
    })?;
    let bad_shape = || PredictionsError::BadShape {
        path: path.to_path_buf(),
        array: array.to_owned(),
        shape: npy.shape.clone(),
        expected: "a C-order array of shape (n_items,) or (n_items, n_classes)",
    };
    let (rows, cols) = match npy.shape.as_slice() {
        [n] => (*n, 1),
        [n, k] => (*n, *k),
        _ => return Err(bad_shape()),
    };
    if npy.fortran_order {
        return Err(bad_shape());
    }
    let unsupported = || PredictionsError::UnsupportedDtype {
        path: path.to_path_buf(),
        array: array.to_owned(),
        dtype: npy.descr.clone(),
        expected: "integers or floats",
    };
    if let Some(values) = npy.floats() {
        return Ok(NumericMatrix {
            rows,
            cols,
            values,
            integer: false,
        });
    }
    let ints = npy.integers().ok_or_else(unsupported)?;
    const EXACT: i128 = 1 << 53;
    if ints.iter().any(|v| v.abs() > EXACT) {
        return Err(PredictionsError::NpyFormat {
            path: path.to_path_buf(),
            array: array.to_owned(),
            reason: "an integer beyond 2^53 cannot be held exactly".to_owned(),
        });
    }
    Ok(NumericMatrix {
        rows,
        cols,
        values: ints.into_iter().map(|v| v as f64).collect(),
        integer: true,
    })
}
