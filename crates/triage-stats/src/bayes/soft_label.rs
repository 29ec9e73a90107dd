//! Bayes error from soft labels (Ishida, Yamane, Charoenphakdee, Niu &
//! Sugiyama, "Is the performance of my deep network too good to be
//! true? A direct approach to estimating the Bayes error in binary
//! classification", ICLR 2023; code `takashiishida/irreducible`).
//!
//! Binary, with soft labels cᵢ = P(y = 1 | xᵢ): R̂ = (1/n) Σᵢ min(cᵢ, 1 − cᵢ),
//! unbiased and consistent, with a t-interval (scipy's `sem` and
//! `t.interval(confidence, n − 1)`, as `be_c10h.py`). For a multiclass
//! dataset a binary task is a group of positive classes against the rest:
//! cᵢ is the share of item i's annotations (or probability) that falls in
//! the group. The multiclass plug-in (1/n) Σᵢ (1 − maxₖ pᵢₖ) is *not*
//! an error against the dataset's labels: it is how often a random
//! annotator disagrees with the item's most common answer.

use super::Estimate;
use crate::error::StatsError;
use crate::student_t::t_interval;

/// Tolerance on a probability row's sum.
pub const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// Soft labels: one probability row per item.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftLabels {
    probabilities: Vec<f64>,
    classes: usize,
    /// Annotations per item, when built from counts.
    annotations: Option<Vec<f64>>,
}

/// Why a soft-label matrix was refused; rows are zero-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SoftLabelError {
    /// Fewer than two classes (columns).
    #[error("{classes} class column(s): soft labels need at least 2")]
    TooFewClasses {
        /// Columns given.
        classes: usize,
    },
    /// The values do not fill rows of `classes`.
    #[error("{len} values are not rows of {classes} classes")]
    Shape {
        /// Values given.
        len: usize,
        /// Columns.
        classes: usize,
    },
    /// Fewer than two items.
    #[error("{items} item(s): an interval needs at least 2")]
    TooFewItems {
        /// Items given.
        items: usize,
    },
    /// NaN or infinite.
    #[error("row {row}, class {class}: {value} is not a finite number")]
    NotFinite {
        /// Row.
        row: usize,
        /// Column.
        class: usize,
        /// The value.
        value: f64,
    },
    /// A negative count or probability.
    #[error("row {row}, class {class}: {value} is negative")]
    Negative {
        /// Row.
        row: usize,
        /// Column.
        class: usize,
        /// The value.
        value: f64,
    },
    /// A count that is not a whole number.
    #[error("row {row}, class {class}: count {value} is not a whole number")]
    NotWhole {
        /// Row.
        row: usize,
        /// Column.
        class: usize,
        /// The value.
        value: f64,
    },
    /// A row of counts with no annotation.
    #[error("row {row}: no annotations (all counts are 0)")]
    NoAnnotations {
        /// Row.
        row: usize,
    },
    /// A row whose counts do not add up to its stated annotation count.
    #[error("row {row}: the counts sum to {sum}, but the row says {stated} annotations")]
    CountSum {
        /// Row.
        row: usize,
        /// The counts' sum.
        sum: f64,
        /// The stated total.
        stated: f64,
    },
    /// A probability row that does not sum to 1.
    #[error("row {row}: probabilities sum to {sum}, not 1 (tolerance {ROW_SUM_TOLERANCE:e})")]
    RowSum {
        /// Row.
        row: usize,
        /// The sum.
        sum: f64,
    },
}

impl SoftLabelError {
    /// The zero-based row the error is about, if any.
    pub fn row(&self) -> Option<usize> {
        match self {
            SoftLabelError::NotFinite { row, .. }
            | SoftLabelError::Negative { row, .. }
            | SoftLabelError::NotWhole { row, .. }
            | SoftLabelError::NoAnnotations { row }
            | SoftLabelError::CountSum { row, .. }
            | SoftLabelError::RowSum { row, .. } => Some(*row),
            _ => None,
        }
    }
}

impl SoftLabels {
    /// Soft labels from annotation counts (row-major `n × classes`, whole
    /// non-negative numbers, at least one per row); `stated`, when the
    /// file gives each row's total, must equal the row's sum.
    ///
    /// # Errors
    /// [`SoftLabelError`] naming the row and class.
    pub fn from_counts(
        counts: &[f64],
        classes: usize,
        stated: Option<&[f64]>,
    ) -> Result<Self, SoftLabelError> {
        let n = check_shape(counts, classes)?;
        let mut probabilities = Vec::with_capacity(counts.len());
        let mut annotations = Vec::with_capacity(n);
        for (row, values) in counts.chunks_exact(classes).enumerate() {
            for (class, &value) in values.iter().enumerate() {
                check_value(row, class, value)?;
                if value.fract() != 0.0 {
                    return Err(SoftLabelError::NotWhole { row, class, value });
                }
            }
            let sum: f64 = values.iter().sum();
            if sum == 0.0 {
                return Err(SoftLabelError::NoAnnotations { row });
            }
            if let Some(&total) = stated.and_then(|s| s.get(row)) {
                if total != sum {
                    return Err(SoftLabelError::CountSum {
                        row,
                        sum,
                        stated: total,
                    });
                }
            }
            probabilities.extend(values.iter().map(|v| v / sum));
            annotations.push(sum);
        }
        Ok(Self {
            probabilities,
            classes,
            annotations: Some(annotations),
        })
    }

    /// Soft labels from probability rows (each non-negative, summing to 1
    /// within [`ROW_SUM_TOLERANCE`]).
    ///
    /// # Errors
    /// [`SoftLabelError`] naming the row and class.
    pub fn from_probabilities(values: &[f64], classes: usize) -> Result<Self, SoftLabelError> {
        check_shape(values, classes)?;
        for (row, probs) in values.chunks_exact(classes).enumerate() {
            for (class, &value) in probs.iter().enumerate() {
                check_value(row, class, value)?;
            }
            let sum: f64 = probs.iter().sum();
            if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
                return Err(SoftLabelError::RowSum { row, sum });
            }
        }
        Ok(Self {
            probabilities: values.to_vec(),
            classes,
            annotations: None,
        })
    }

    /// Number of items.
    pub fn n(&self) -> usize {
        self.probabilities.len() / self.classes
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Annotations per item, when built from counts.
    pub fn annotations(&self) -> Option<&[f64]> {
        self.annotations.as_deref()
    }

    /// Item `i`'s probabilities.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.probabilities[i * self.classes..(i + 1) * self.classes]
    }

    /// The soft binary label of every item for `positive` classes against
    /// the rest: the share of its probability (or annotations) in the
    /// group.
    pub fn binary(&self, positive: &[bool]) -> Vec<f64> {
        (0..self.n())
            .map(|i| {
                self.row(i)
                    .iter()
                    .zip(positive)
                    .filter(|(_, &p)| p)
                    .map(|(v, _)| v)
                    .sum::<f64>()
                    .clamp(0.0, 1.0)
            })
            .collect()
    }

    /// Ishida et al.'s estimate for `positive` classes against the rest:
    /// mean(min(c, 1 − c)) with its t-interval.
    ///
    /// # Errors
    /// `positive` of another length than the classes, a group that is
    /// empty or every class, a confidence outside (0, 1).
    pub fn binary_error(&self, positive: &[bool], confidence: f64) -> Result<Estimate, StatsError> {
        if positive.len() != self.classes {
            return Err(StatsError::LengthMismatch {
                what: "class group and soft-label columns",
                expected: self.classes,
                got: positive.len(),
            });
        }
        let members = positive.iter().filter(|&&p| p).count();
        if members == 0 || members == self.classes {
            return Err(StatsError::InvalidParameter {
                name: "positive",
                reason: "a binary task needs classes on both sides of the group".to_owned(),
            });
        }
        let terms: Vec<f64> = self
            .binary(positive)
            .into_iter()
            .map(|c| c.min(1.0 - c))
            .collect();
        mean_estimate(&terms, confidence)
    }

    /// The multiclass plug-in mean(1 − maxₖ pₖ) with its t-interval: the
    /// rate at which a random annotator disagrees with the item's most
    /// common answer — human disagreement, not an error against the labels.
    ///
    /// # Errors
    /// A confidence outside (0, 1).
    pub fn plugin_disagreement(&self, confidence: f64) -> Result<Estimate, StatsError> {
        let terms: Vec<f64> = (0..self.n())
            .map(|i| 1.0 - self.row(i).iter().fold(0.0f64, |m, &v| m.max(v)))
            .collect();
        mean_estimate(&terms, confidence)
    }

    /// How many items have each class as their most common answer (ties to
    /// the smallest class).
    pub fn majority_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for i in 0..self.n() {
            let row = self.row(i);
            let mut best = 0;
            for (c, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = c;
                }
            }
            counts[best] += 1;
        }
        counts
    }
}

fn mean_estimate(terms: &[f64], confidence: f64) -> Result<Estimate, StatsError> {
    let t = t_interval(terms, confidence)?;
    Ok(Estimate {
        value: t.mean,
        low: t.low,
        high: t.high,
    })
}

fn check_shape(values: &[f64], classes: usize) -> Result<usize, SoftLabelError> {
    if classes < 2 {
        return Err(SoftLabelError::TooFewClasses { classes });
    }
    if !values.len().is_multiple_of(classes) {
        return Err(SoftLabelError::Shape {
            len: values.len(),
            classes,
        });
    }
    let n = values.len() / classes;
    if n < 2 {
        return Err(SoftLabelError::TooFewItems { items: n });
    }
    Ok(n)
}

fn check_value(row: usize, class: usize, value: f64) -> Result<(), SoftLabelError> {
    if !value.is_finite() {
        return Err(SoftLabelError::NotFinite { row, class, value });
    }
    if value < 0.0 {
        return Err(SoftLabelError::Negative { row, class, value });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_become_shares_and_bad_rows_are_named() {
        let s = SoftLabels::from_counts(&[3.0, 1.0, 0.0, 2.0, 2.0, 0.0], 3, None).unwrap();
        assert_eq!(s.row(0), &[0.75, 0.25, 0.0]);
        assert_eq!(s.binary(&[true, false, false]), vec![0.75, 0.5]);
        let e = s.binary_error(&[true, false, false], 0.95).unwrap();
        assert!((e.value - 0.375).abs() < 1e-15);
        let p = s.plugin_disagreement(0.95).unwrap();
        assert!((p.value - 0.375).abs() < 1e-15);
        assert!(matches!(
            SoftLabels::from_counts(&[1.0, -1.0, 1.0, 1.0], 2, None),
            Err(SoftLabelError::Negative {
                row: 0,
                class: 1,
                ..
            })
        ));
        assert!(matches!(
            SoftLabels::from_counts(&[1.0, 1.0, 1.0, 1.0], 2, Some(&[2.0, 3.0])),
            Err(SoftLabelError::CountSum { row: 1, .. })
        ));
        assert!(matches!(
            SoftLabels::from_counts(&[1.0, 1.0], 2, None),
            Err(SoftLabelError::TooFewItems { items: 1 })
        ));
        assert!(matches!(
            SoftLabels::from_probabilities(&[0.5, 0.6, 0.5, 0.5], 2),
            Err(SoftLabelError::RowSum { row: 0, .. })
        ));
        assert!(matches!(
            SoftLabels::from_counts(&[1.0, 2.0, 3.0], 1, None),
            Err(SoftLabelError::TooFewClasses { classes: 1 })
        ));
        assert!(s.binary_error(&[true, true, true], 0.95).is_err());
    }
}
