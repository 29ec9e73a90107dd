//! A validated, borrowed row-major matrix of `f32` points.

use crate::error::KnnError;

/// Row-major `n × dim` points, every coordinate finite, at most
/// `u32::MAX` rows (neighbour indices are `u32`).
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    data: &'a [f32],
    n: usize,
    dim: usize,
}

impl<'a> Points<'a> {
    /// Validate `data` as rows of `dim` coordinates.
    ///
    /// # Errors
    /// [`KnnError::BadShape`] (dim 0 or a length not a multiple of it),
    /// [`KnnError::NotFinite`] naming the first NaN/±∞, or
    /// [`KnnError::TooManyPoints`].
    pub fn new(data: &'a [f32], dim: usize) -> Result<Self, KnnError> {
        if dim == 0 || !data.len().is_multiple_of(dim) {
            return Err(KnnError::BadShape {
                len: data.len(),
                dim,
            });
        }
        if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
            return Err(KnnError::NotFinite {
                row: pos / dim,
                col: pos % dim,
                value: data[pos],
            });
        }
        let n = data.len() / dim;
        let max = u32::MAX as usize;
        if n > max {
            return Err(KnnError::TooManyPoints { n, max });
        }
        Ok(Self { data, n, dim })
    }

    /// All coordinates, row-major.
    pub fn data(&self) -> &'a [f32] {
        self.data
    }

    /// Number of points.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Point `i`.
    pub fn row(&self, i: usize) -> &'a [f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The rows `range` as one slice.
    pub(crate) fn rows(&self, range: std::ops::Range<usize>) -> &'a [f32] {
        &self.data[range.start * self.dim..range.end * self.dim]
    }
}
