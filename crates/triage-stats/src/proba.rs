//! The n×K matrix of predicted class probabilities, validated once.

use crate::error::StatsError;

/// Default tolerance on `|Σ_k p_ik − 1|` for a row of probabilities.
pub const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// Row-major n×K matrix of predicted probabilities (row = sample, column =
/// class), every entry finite and non-negative, every row summing to 1
/// within a tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbMatrix {
    n: usize,
    k: usize,
    data: Vec<f64>,
}

impl ProbMatrix {
    /// Validate `data` (row-major, `k` columns) as probabilities.
    ///
    /// # Errors
    /// [`StatsError::BadShape`], [`StatsError::TooFewClasses`],
    /// [`StatsError::Empty`], [`StatsError::NotFinite`],
    /// [`StatsError::Negative`] or [`StatsError::RowSum`] (tolerance
    /// `tolerance`, usually [`ROW_SUM_TOLERANCE`]). The first offending value
    /// is reported.
    pub fn new(data: Vec<f64>, k: usize, tolerance: f64) -> Result<Self, StatsError> {
        check_shape(data.len(), k)?;
        for (row, values) in data.chunks_exact(k).enumerate() {
            check_row(row, values, tolerance)?;
        }
        Ok(Self {
            n: data.len() / k,
            k,
            data,
        })
    }

    /// Like [`ProbMatrix::new`], but rows whose sum is finite and positive
    /// are divided by their sum instead of being rejected.
    ///
    /// # Errors
    /// As [`ProbMatrix::new`], except for [`StatsError::RowSum`], which is
    /// only returned for a row summing to 0.
    pub fn renormalized(mut data: Vec<f64>, k: usize) -> Result<Self, StatsError> {
        if k >= 2 && !data.is_empty() && data.len().is_multiple_of(k) {
            for (row, values) in data.chunks_exact_mut(k).enumerate() {
                check_values(row, values)?;
                let sum: f64 = values.iter().sum();
                if sum <= 0.0 {
                    return Err(StatsError::RowSum {
                        row,
                        sum,
                        tolerance: ROW_SUM_TOLERANCE,
                    });
                }
                values.iter_mut().for_each(|v| *v /= sum);
            }
        }
        Self::new(data, k, ROW_SUM_TOLERANCE)
    }

    /// Apply a numerically stable softmax to each row of logits
    /// (`p_k = exp(z_k − max z) / Σ_j exp(z_j − max z)`).
    ///
    /// # Errors
    /// Shape errors and [`StatsError::NotFinite`] for a NaN/±∞ logit.
    pub fn from_logits(mut data: Vec<f64>, k: usize) -> Result<Self, StatsError> {
        check_shape(data.len(), k)?;
        for (row, values) in data.chunks_exact_mut(k).enumerate() {
            if let Some((col, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(StatsError::NotFinite { row, col, value });
            }
            softmax_in_place(values);
        }
        Self::new(data, k, ROW_SUM_TOLERANCE)
    }

    /// Number of samples n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of classes K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The probabilities of sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.k..(i + 1) * self.k]
    }

    /// Probability of class `c` for sample `i`.
    pub fn get(&self, i: usize, c: usize) -> f64 {
        self.data[i * self.k + c]
    }

    /// Iterate over rows.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.k)
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Column `c` as a vector (the scores of class `c`).
    pub fn column(&self, c: usize) -> Vec<f64> {
        self.rows().map(|r| r[c]).collect()
    }

    /// The sub-matrix made of the given rows, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> ProbMatrix {
        let mut data = Vec::with_capacity(rows.len() * self.k);
        for &i in rows {
            data.extend_from_slice(self.row(i));
        }
        ProbMatrix {
            n: rows.len(),
            k: self.k,
            data,
        }
    }

    /// Predicted class of every sample: the first index of the row maximum
    /// (numpy's `argmax` convention).
    pub fn argmax(&self) -> Vec<usize> {
        self.rows().map(argmax).collect()
    }
}

/// Index of the first maximum of a non-empty slice.
pub fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in row.iter().enumerate().skip(1) {
        if v > row[best] {
            best = j;
        }
    }
    best
}

/// Numerically stable softmax of one row, in place.
pub fn softmax_in_place(values: &mut [f64]) {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    values.iter_mut().for_each(|v| *v /= sum);
}

fn check_shape(len: usize, k: usize) -> Result<(), StatsError> {
    if k < 2 {
        return Err(StatsError::TooFewClasses { k });
    }
    if len == 0 {
        return Err(StatsError::Empty);
    }
    if !len.is_multiple_of(k) {
        return Err(StatsError::BadShape { len, k });
    }
    Ok(())
}

fn check_values(row: usize, values: &[f64]) -> Result<(), StatsError> {
    for (col, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(StatsError::NotFinite { row, col, value });
        }
        if value < 0.0 {
            return Err(StatsError::Negative { row, col, value });
        }
    }
    Ok(())
}

fn check_row(row: usize, values: &[f64], tolerance: f64) -> Result<(), StatsError> {
    check_values(row, values)?;
    let sum: f64 = values.iter().sum();
    if (sum - 1.0).abs() > tolerance {
        return Err(StatsError::RowSum {
            row,
            sum,
            tolerance,
        });
    }
    Ok(())
}

/// Check that labels index classes `0..k` and match the matrix length.
///
/// # Errors
/// [`StatsError::LengthMismatch`] or [`StatsError::LabelOutOfRange`].
pub fn check_labels(y_true: &[usize], proba: &ProbMatrix) -> Result<(), StatsError> {
    if y_true.len() != proba.n() {
        return Err(StatsError::LengthMismatch {
            what: "y_true and y_proba",
            expected: y_true.len(),
            got: proba.n(),
        });
    }
    if let Some((row, &label)) = y_true.iter().enumerate().find(|(_, &l)| l >= proba.k()) {
        return Err(StatsError::LabelOutOfRange {
            row,
            label,
            k: proba.k(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let p = ProbMatrix::from_logits(vec![1000.0, 1001.0, -1000.0, 0.0], 2).unwrap();
        assert!((p.get(0, 1) - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
        assert!(p.get(1, 0) < 1e-300);
    }

    #[test]
    fn rejects_bad_rows_with_position() {
        let err = ProbMatrix::new(vec![0.5, 0.5, 0.2, 0.7], 2, 1e-6).unwrap_err();
        assert!(matches!(err, StatsError::RowSum { row: 1, .. }));
        let err = ProbMatrix::new(vec![0.5, 0.5, f64::NAN, 1.0], 2, 1e-6).unwrap_err();
        assert!(matches!(err, StatsError::NotFinite { row: 1, col: 0, .. }));
        let err = ProbMatrix::new(vec![1.5, -0.5], 2, 1e-6).unwrap_err();
        assert!(matches!(err, StatsError::Negative { row: 0, col: 1, .. }));
        assert!(matches!(
            ProbMatrix::new(vec![1.0], 1, 1e-6),
            Err(StatsError::TooFewClasses { k: 1 })
        ));
    }

    #[test]
    fn renormalizes_rows() {
        let p = ProbMatrix::renormalized(vec![1.0, 3.0], 2).unwrap();
        assert_eq!(p.row(0), &[0.25, 0.75]);
    }

    #[test]
    fn argmax_takes_first_maximum() {
        assert_eq!(argmax(&[0.4, 0.4, 0.2]), 0);
    }
}
