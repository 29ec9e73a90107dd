//! The generalised Henze–Penrose (GHP) bounds on the Bayes error from a
//! Euclidean minimum spanning tree of the pooled sample (Sekeh, Oselio &
//! Hero, "Learning to bound the multi-class Bayes error", IEEE T-SP 2020;
//! FeeBee's `methods/ghp.py`).
//!
//! With n points of C classes and the tree's edges, δ_ij = (number of
//! edges joining classes i and j)/(2n); the upper bound is 2 Σ_{i<j} δ_ij
//! (the share of cross-class edges, per point) and the lower bound
//! ((C−1)/C)(1 − √max(0, 1 − 2C/(C−1) Σ_{i<j} δ_ij)), which is the
//! Cover–Hart inverse of the upper. C is the number of classes present.
//!
//! The interval treats the tree's edges as independent Bernoulli trials
//! (a Wilson interval on the cross-class share of the edges, scaled by
//! edges/n): an approximation, since edges of one tree are dependent; the
//! output says so.

use super::bounds::cover_hart_lower;
use super::{Bracket, Estimate};
use crate::error::StatsError;
use crate::intervals::wilson_interval;

/// The GHP bounds and the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GhpEstimate {
    /// Upper and lower bounds with their (approximate) intervals.
    pub bracket: Bracket,
    /// Edges whose end points have different labels.
    pub cross_edges: usize,
    /// Edges of the tree (n − 1, fewer for a forest).
    pub edges: usize,
    /// Classes present among the labels.
    pub classes: usize,
}

/// GHP from the `edges` (vertex pairs) of a spanning tree or forest of
/// the points labelled `labels`.
///
/// # Errors
/// Fewer than two points or classes present, a vertex out of range, a
/// confidence outside (0, 1).
pub fn ghp(
    edges: impl IntoIterator<Item = (u32, u32)>,
    labels: &[u32],
    confidence: f64,
) -> Result<GhpEstimate, StatsError> {
    let n = labels.len();
    let mut present: Vec<u32> = labels.to_vec();
    present.sort_unstable();
    present.dedup();
    if present.len() < 2 {
        return Err(StatsError::TooFewClasses { k: present.len() });
    }
    let (mut cross, mut total) = (0usize, 0usize);
    for (a, b) in edges {
        let (a, b) = (a as usize, b as usize);
        if a >= n || b >= n {
            return Err(StatsError::InvalidParameter {
                name: "edges",
                reason: format!("edge ({a}, {b}) names a vertex beyond the {n} labels"),
            });
        }
        total += 1;
        if labels[a] != labels[b] {
            cross += 1;
        }
    }
    let classes = present.len();
    let value = cross as f64 / n as f64;
    let (low, high) = if total > 0 {
        let (lo, hi) = wilson_interval(cross as u64, total as u64, confidence)?;
        let scale = total as f64 / n as f64;
        (lo * scale, hi * scale)
    } else {
        (0.0, 0.0)
    };
    let upper = Estimate { value, low, high };
    Ok(GhpEstimate {
        bracket: Bracket {
            upper,
            lower: upper.map(|r| cover_hart_lower(r, classes)),
        },
        cross_edges: cross,
        edges: total,
        classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cross_edges_and_matches_feebee_formula() {
        let labels = [0, 0, 1, 1, 2, 2];
        let edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)];
        let g = ghp(edges, &labels, 0.95).unwrap();
        assert_eq!((g.cross_edges, g.edges, g.classes), (2, 5, 3));
        let delta_sum = 2.0 / 12.0;
        assert!((g.bracket.upper.value - 2.0 * delta_sum).abs() < 1e-15);
        let c = 3.0;
        let lower = ((c - 1.0) / c) * (1.0 - (1.0 - 2.0 * c / (c - 1.0) * delta_sum).sqrt());
        assert!((g.bracket.lower.value - lower).abs() < 1e-15);
        assert!(ghp([(0, 9)], &labels, 0.95).is_err());
        assert!(ghp([(0, 1)], &[1, 1], 0.95).is_err());
    }
}
