//! The k-NN error of neighbour lists, and 1NN-kNN.
//!
//! The neighbour lists come from the caller (`triage_knn`: train → test
//! or leave-one-out), as the labels of each query's `k_max` nearest
//! reference points, nearest first.

use super::bounds::{cover_hart_lower, knn_lower};
use super::{Bracket, Estimate};
use crate::error::StatsError;
use crate::intervals::wilson_interval;
use crate::student_t::t_interval;

/// The labels of each query's nearest reference points: row-major
/// `n_queries × k_max`, nearest first.
#[derive(Debug, Clone, Copy)]
pub struct NeighborLabels<'a> {
    labels: &'a [u32],
    k_max: usize,
    classes: usize,
}

impl<'a> NeighborLabels<'a> {
    /// Check the shape and that every label is below `classes`.
    ///
    /// # Errors
    /// [`StatsError::BadShape`] when `labels` is not a multiple of
    /// `k_max`, [`StatsError::InvalidParameter`] for a label out of range.
    pub fn new(labels: &'a [u32], k_max: usize, classes: usize) -> Result<Self, StatsError> {
        if k_max == 0 || !labels.len().is_multiple_of(k_max) {
            return Err(StatsError::BadShape {
                len: labels.len(),
                k: k_max,
            });
        }
        if let Some(&bad) = labels.iter().find(|&&l| l as usize >= classes) {
            return Err(StatsError::InvalidParameter {
                name: "labels",
                reason: format!("label {bad} is not below the {classes} classes"),
            });
        }
        Ok(Self {
            labels,
            k_max,
            classes,
        })
    }

    /// Number of queries.
    pub fn n(&self) -> usize {
        self.labels.len() / self.k_max
    }

    /// Neighbours per query.
    pub fn k_max(&self) -> usize {
        self.k_max
    }

    fn row(&self, q: usize, k: usize) -> &'a [u32] {
        &self.labels[q * self.k_max..q * self.k_max + k]
    }

    /// Votes per class among the `k` nearest of query `q`.
    fn votes(&self, q: usize, k: usize, counts: &mut [u32]) {
        counts.fill(0);
        for &l in self.row(q, k) {
            counts[l as usize] += 1;
        }
    }

    /// The k-NN prediction of each query: the class with most votes among
    /// its `k` nearest, ties to the smallest class index (as
    /// scikit-learn's `KNeighborsClassifier` with uniform weights).
    ///
    /// # Panics
    /// Never for `1 ≤ k ≤ k_max`; `k` is clamped to that range.
    pub fn predictions(&self, k: usize) -> Vec<u32> {
        let k = k.clamp(1, self.k_max);
        let mut counts = vec![0u32; self.classes];
        (0..self.n())
            .map(|q| {
                self.votes(q, k, &mut counts);
                let mut best = 0;
                for (c, &v) in counts.iter().enumerate() {
                    if v > counts[best] {
                        best = c;
                    }
                }
                best as u32
            })
            .collect()
    }

    /// Whether each query's k-NN prediction differs from its label.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] when `query_labels` has not one label
    /// per query.
    pub fn wrong(&self, k: usize, query_labels: &[u32]) -> Result<Vec<bool>, StatsError> {
        if query_labels.len() != self.n() {
            return Err(StatsError::LengthMismatch {
                what: "neighbour lists and query labels",
                expected: self.n(),
                got: query_labels.len(),
            });
        }
        Ok(self
            .predictions(k)
            .iter()
            .zip(query_labels)
            .map(|(p, y)| p != y)
            .collect())
    }

    /// 1NN-kNN's term of each query: the chance that two of its `k`
    /// nearest drawn without replacement disagree,
    /// Σ_c k_c (k − k_c) / (k (k − 1)), with k_c the neighbours of class c
    /// (`k` is capped at `k_max`; below 2 every term is 0).
    pub fn disagreement_terms(&self, k: usize) -> Vec<f64> {
        let k = k.min(self.k_max);
        if k < 2 {
            return vec![0.0; self.n()];
        }
        let kf = k as f64;
        let mut counts = vec![0u32; self.classes];
        (0..self.n())
            .map(|q| {
                self.votes(q, k, &mut counts);
                let pairs: f64 = counts
                    .iter()
                    .map(|&c| f64::from(c) * (kf - f64::from(c)))
                    .sum();
                pairs / (kf * (kf - 1.0))
            })
            .collect()
    }
}

/// The k-NN bracket: the error `wrong / n` as the upper estimate with its
/// Wilson interval, and FeeBee's lower bound ([`knn_lower`]) of the value
/// and of both ends of the interval.
///
/// # Errors
/// `n` = 0, `wrong` > `n`, a confidence outside (0, 1).
pub fn knn_bracket(
    wrong: u64,
    n: u64,
    classes: usize,
    k: usize,
    confidence: f64,
) -> Result<Bracket, StatsError> {
    let (low, high) = wilson_interval(wrong, n, confidence)?;
    let upper = Estimate {
        value: wrong as f64 / n as f64,
        low,
        high,
    };
    Ok(Bracket {
        upper,
        lower: upper.map(|r| knn_lower(r, classes, k)),
    })
}

/// 1NN-kNN (FeeBee): the 1-NN error estimated as the mean of
/// [`NeighborLabels::disagreement_terms`],
/// Σᵢ Σ_c k_c(k − k_c) / (n·k(k − 1)), with its t-interval; the lower
/// bound is the Cover–Hart inverse of value and interval.
///
/// # Errors
/// Fewer than 2 queries, k_max < 2, a confidence outside (0, 1).
pub fn one_nn_from_knn(
    neighbors: &NeighborLabels<'_>,
    k: usize,
    confidence: f64,
) -> Result<Bracket, StatsError> {
    if neighbors.k_max() < 2 || k < 2 {
        return Err(StatsError::InvalidParameter {
            name: "k",
            reason: "1NN-kNN needs at least 2 neighbours per query".to_owned(),
        });
    }
    let terms = neighbors.disagreement_terms(k);
    let t = t_interval(&terms, confidence)?;
    let upper = Estimate {
        value: t.mean,
        low: t.low.max(0.0),
        high: t.high,
    };
    Ok(Bracket {
        upper,
        lower: upper.map(|r| cover_hart_lower(r, neighbors.classes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_vote_breaks_ties_to_the_smallest_class() {
        let labels = [2, 1, 1, 2, 0, /* */ 0, 1, 2, 2, 2];
        let nl = NeighborLabels::new(&labels, 5, 3).unwrap();
        assert_eq!(nl.predictions(1), vec![2, 0]);
        assert_eq!(nl.predictions(2), vec![1, 0]);
        assert_eq!(nl.predictions(4), vec![1, 2]);
        assert_eq!(nl.wrong(4, &[1, 0]).unwrap(), vec![false, true]);
        assert!(nl.wrong(4, &[1]).is_err());
        assert!(NeighborLabels::new(&labels, 5, 2).is_err());
        assert!(NeighborLabels::new(&labels, 3, 3).is_err());
    }

    #[test]
    fn disagreement_of_pure_and_mixed_neighbourhoods() {
        let labels = [1, 1, 1, 1, /* */ 0, 1, 0, 1];
        let nl = NeighborLabels::new(&labels, 4, 2).unwrap();
        // 2·2 + 2·2 = 8 ordered disagreeing pairs of 4·3.
        assert_eq!(nl.disagreement_terms(4), vec![0.0, 8.0 / 12.0]);
        let b = one_nn_from_knn(&nl, 4, 0.95).unwrap();
        assert!((b.upper.value - 1.0 / 3.0).abs() < 1e-15);
        assert!(b.lower.value <= b.upper.value);
    }

    #[test]
    fn bracket_orders_lower_below_upper() {
        let b = knn_bracket(30, 200, 10, 1, 0.95).unwrap();
        assert_eq!(b.upper.value, 0.15);
        assert!(b.upper.low < 0.15 && 0.15 < b.upper.high);
        assert!(b.lower.low <= b.lower.value && b.lower.value <= b.lower.high);
        assert!(b.lower.value < b.upper.value);
    }
}
