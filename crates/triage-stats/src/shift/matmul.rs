//! A safe front to `gemm` for the shift tests' f64 products.

/// A row-major or transposed view of a matrix in a slice: element (r, c)
/// is at `r * row_stride + c * col_stride`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) data: &'a [f64],
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl<'a> View<'a> {
    /// A row-major rows × cols matrix.
    pub(crate) fn rows(data: &'a [f64], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major rows × cols matrix (cols × rows).
    pub(crate) fn transposed(data: &'a [f64], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows: cols,
            cols: rows,
            row_stride: 1,
            col_stride: cols,
        }
    }

    fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// dst (row-major a.rows × b.cols) = a · b, single-threaded (callers
/// parallelise over blocks).
pub(crate) fn matmul(dst: &mut [f64], a: View<'_>, b: View<'_>) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(dst.len(), a.rows * b.cols, "destination size");
    assert!(a.in_bounds() && b.in_bounds(), "views in bounds");
    if dst.is_empty() {
        return;
    }
    if a.cols == 0 {
        dst.fill(0.0);
        return;
    }
    // SAFETY: the asserts above keep every element gemm reads
    // (a: r·row_stride + c·col_stride, r < a.rows, c < a.cols; b likewise)
    // and writes (dst: r·b.cols + c) inside the slices; dst is borrowed
    // mutably, so it overlaps neither input; read_dst = false, so dst's
    // previous contents are never read.
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            a.rows,
            b.cols,
            a.cols,
            dst.as_mut_ptr(),
            1,
            b.cols as isize,
            false,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_naive_product() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..n * k).map(|i| (i as f64 * 0.11).cos()).collect();
        // a · bᵀ with b stored row-major n × k.
        let mut dst = vec![0.0; m * n];
        matmul(&mut dst, View::rows(&a, m, k), View::transposed(&b, n, k));
        for r in 0..m {
            for c in 0..n {
                let want: f64 = (0..k).map(|l| a[r * k + l] * b[c * k + l]).sum();
                assert!((dst[r * n + c] - want).abs() < 1e-12);
            }
        }
    }
}
