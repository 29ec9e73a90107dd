//! Precision–recall curves and average precision.
//!
//! Reference: scikit-learn `precision_recall_curve` and
//! `average_precision_score` (`_ranking.py`); Zhu, "Recall, precision and
//! average precision" (2004). AP is the step-wise sum Σ (R_n − R_{n−1})·P_n,
//! not the trapezoid under the curve.

use serde::Serialize;

use crate::error::StatsError;
use crate::metric::Metric;
use crate::ranking::SortedScores;
use crate::roc::{check_binary, sort_binary};

/// A precision–recall curve, as scikit-learn's `precision_recall_curve`
/// returns it: thresholds increasing, the last point (P = 1, R = 0) has no
/// threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrCurve {
    /// Precision at each threshold, then 1.
    pub precision: Vec<f64>,
    /// Recall (decreasing) at each threshold, then 0.
    pub recall: Vec<f64>,
    /// Increasing distinct score thresholds.
    pub thresholds: Vec<f64>,
}

/// Precision–recall curve of a binary problem.
///
/// Precision at a threshold with no predicted positives is 0; with no
/// positive samples recall is 1 everywhere (scikit-learn's conventions).
///
/// # Errors
/// Length mismatch, empty input or a non-finite score.
pub fn precision_recall_curve(y_true: &[bool], y_score: &[f64]) -> Result<PrCurve, StatsError> {
    check_binary(y_true, y_score)?;
    Ok(pr_curve_from_sorted(&sort_binary(y_true, y_score)))
}

/// Precision–recall curve of an already sorted problem.
pub fn pr_curve_from_sorted(sorted: &SortedScores) -> PrCurve {
    let g = sorted.group_counts(|_| 1.0);
    let total = *g.tps.last().unwrap_or(&0.0);
    let mut precision: Vec<f64> = g
        .tps
        .iter()
        .zip(&g.fps)
        .map(|(tp, fp)| if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 })
        .collect();
    let mut recall: Vec<f64> = g
        .tps
        .iter()
        .map(|tp| if total > 0.0 { tp / total } else { 1.0 })
        .collect();
    let mut thresholds = g.thresholds;
    precision.reverse();
    recall.reverse();
    thresholds.reverse();
    precision.push(1.0);
    recall.push(0.0);
    PrCurve {
        precision,
        recall,
        thresholds,
    }
}

/// Average precision of a binary problem; undefined without positives
/// (scikit-learn returns 0 with a warning there).
///
/// # Errors
/// As [`precision_recall_curve`].
pub fn average_precision_score(y_true: &[bool], y_score: &[f64]) -> Result<Metric, StatsError> {
    check_binary(y_true, y_score)?;
    Ok(ap_metric(&sort_binary(y_true, y_score), "y_true"))
}

/// AP of a sorted problem as a [`Metric`].
pub(crate) fn ap_metric(sorted: &SortedScores, what: &str) -> Metric {
    match sorted.average_precision(None) {
        Some(v) => Metric::Value(v),
        None => Metric::undefined(format!("{what} has no positive samples")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_docstring_example() {
        // precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        let c =
            precision_recall_curve(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert_eq!(c.precision, vec![0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        assert_eq!(c.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(c.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
        // average_precision_score(...) == 0.8333...
        let ap =
            average_precision_score(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert!((ap.value().unwrap() - 0.8333333333333333).abs() < 1e-15);
    }
}
