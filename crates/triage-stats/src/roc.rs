//! Receiver operating characteristic: binary ROC curves and AUCs.
//!
//! Reference: scikit-learn `sklearn.metrics.roc_curve` / `roc_auc_score`
//! (`_ranking.py`); Fawcett, "An introduction to ROC analysis", Pattern
//! Recognition Letters 27 (2006).

use serde::Serialize;

use crate::error::StatsError;
use crate::metric::Metric;
use crate::ranking::{SortedScores, MAX_ENTRIES};

/// A ROC curve, as scikit-learn's `roc_curve` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocCurve {
    /// Increasing false positive rates: `fpr[i]` is the rate of negatives with
    /// score ≥ `thresholds[i]`.
    pub fpr: Vec<f64>,
    /// Increasing true positive rates, likewise.
    pub tpr: Vec<f64>,
    /// Decreasing thresholds; the first is +∞ (the point (0, 0)).
    pub thresholds: Vec<f64>,
}

/// Check scores and labels for the binary functions.
pub(crate) fn check_binary(y_true: &[bool], y_score: &[f64]) -> Result<(), StatsError> {
    if y_true.len() != y_score.len() {
        return Err(StatsError::LengthMismatch {
            what: "y_true and y_score",
            expected: y_true.len(),
            got: y_score.len(),
        });
    }
    if y_true.is_empty() {
        return Err(StatsError::Empty);
    }
    if y_true.len() > MAX_ENTRIES {
        return Err(StatsError::InvalidParameter {
            name: "y_score",
            reason: format!("at most {MAX_ENTRIES} scores are supported"),
        });
    }
    if let Some((row, &value)) = y_score.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NotFinite { row, col: 0, value });
    }
    Ok(())
}

/// Sort one binary problem (entry i is sample i).
pub(crate) fn sort_binary(y_true: &[bool], y_score: &[f64]) -> SortedScores {
    SortedScores::new(y_score.iter().copied(), |e| y_true[e], |e| e)
}

/// ROC curve of a binary problem (`y_true[i]` = sample i is positive).
///
/// Tied scores collapse into one threshold. With `drop_intermediate`
/// (scikit-learn's default, `true`) points that are collinear with their
/// neighbours are removed: point i is kept if `diff(fps, 2) ≠ 0` or
/// `diff(tps, 2) ≠ 0` there; the AUC is unchanged. A first point (0, 0) with
/// threshold +∞ is prepended. When there are no negatives (positives), `fpr`
/// (`tpr`) is all NaN, as in scikit-learn.
///
/// # Errors
/// Length mismatch, empty input or a non-finite score.
///
/// # Example
/// ```
/// use triage_stats::roc::roc_curve;
/// // scikit-learn: roc_curve([1,1,2,2], [0.1,0.4,0.35,0.8], pos_label=2)
/// let roc = roc_curve(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8], true).unwrap();
/// assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
/// assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
/// assert_eq!(roc.thresholds, vec![f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
/// ```
pub fn roc_curve(
    y_true: &[bool],
    y_score: &[f64],
    drop_intermediate: bool,
) -> Result<RocCurve, StatsError> {
    check_binary(y_true, y_score)?;
    Ok(roc_curve_from_sorted(
        &sort_binary(y_true, y_score),
        drop_intermediate,
    ))
}

/// ROC curve of an already sorted problem (see [`roc_curve`]).
pub fn roc_curve_from_sorted(sorted: &SortedScores, drop_intermediate: bool) -> RocCurve {
    let g = sorted.group_counts(|_| 1.0);
    let (mut tps, mut fps, mut thresholds) = (g.tps, g.fps, g.thresholds);
    if drop_intermediate && fps.len() > 2 {
        let m = fps.len();
        let keep: Vec<usize> = (0..m)
            .filter(|&i| {
                i == 0
                    || i == m - 1
                    || fps[i + 1] - 2.0 * fps[i] + fps[i - 1] != 0.0
                    || tps[i + 1] - 2.0 * tps[i] + tps[i - 1] != 0.0
            })
            .collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        thresholds = keep.iter().map(|&i| thresholds[i]).collect();
    }
    tps.insert(0, 0.0);
    fps.insert(0, 0.0);
    thresholds.insert(0, f64::INFINITY);
    let (tp_total, fp_total) = (*tps.last().unwrap_or(&0.0), *fps.last().unwrap_or(&0.0));
    let rate = |v: &[f64], total: f64| -> Vec<f64> {
        if total <= 0.0 {
            vec![f64::NAN; v.len()]
        } else {
            v.iter().map(|x| x / total).collect()
        }
    };
    RocCurve {
        fpr: rate(&fps, fp_total),
        tpr: rate(&tps, tp_total),
        thresholds,
    }
}

/// Area under the ROC curve of a binary problem (scikit-learn's
/// `roc_auc_score` for binary `y_true`).
///
/// Equal to the trapezoid under [`roc_curve`] and to the Mann–Whitney U
/// statistic divided by n⁺·n⁻, tied positive–negative pairs counting ½.
/// Undefined when `y_true` holds a single class.
///
/// # Errors
/// As [`roc_curve`].
pub fn roc_auc_score(y_true: &[bool], y_score: &[f64]) -> Result<Metric, StatsError> {
    check_binary(y_true, y_score)?;
    Ok(auc_metric(&sort_binary(y_true, y_score), "y_true"))
}

/// The AUC of a sorted problem as a [`Metric`], undefined with the reason
/// when one side is empty.
pub(crate) fn auc_metric(sorted: &SortedScores, what: &str) -> Metric {
    match sorted.auc(None) {
        Some(v) => Metric::Value(v),
        None if sorted.positives() == 0 => {
            Metric::undefined(format!("{what} has no positive samples"))
        }
        None => Metric::undefined(format!("{what} has no negative samples")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_intermediate_keeps_corners() {
        // All distinct scores, perfectly separated: only corners remain.
        let y = [true, true, true, false, false, false];
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
        let roc = roc_curve(&y, &s, true).unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 1.0 / 3.0, 1.0, 1.0]);
        let full = roc_curve(&y, &s, false).unwrap();
        assert_eq!(full.fpr.len(), 7);
        assert_eq!(roc_auc_score(&y, &s).unwrap(), Metric::Value(1.0));
    }

    #[test]
    fn single_class_is_undefined_with_reason() {
        let m = roc_auc_score(&[true, true], &[0.2, 0.3]).unwrap();
        assert_eq!(m.reason(), Some("y_true has no negative samples"));
        let roc = roc_curve(&[true, true], &[0.2, 0.3], true).unwrap();
        assert!(roc.fpr.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn nan_score_is_an_error() {
        let err = roc_auc_score(&[true, false], &[0.2, f64::NAN]).unwrap_err();
        assert!(matches!(err, StatsError::NotFinite { row: 1, .. }));
    }
}
