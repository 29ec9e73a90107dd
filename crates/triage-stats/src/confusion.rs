//! Confusion matrix and the metrics derived from it: accuracy, balanced
//! accuracy, per-class precision/recall/F1/support, Cohen's kappa and the
//! Matthews correlation coefficient.
//!
//! Reference: scikit-learn `sklearn.metrics._classification` (same
//! definitions and names). Rows are true classes, columns predicted classes.

use serde::Serialize;

use crate::error::StatsError;
use crate::metric::Metric;

/// A K×K confusion matrix of (possibly weighted) counts; `C[i][j]` counts
/// samples of true class i predicted as j.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionMatrix {
    k: usize,
    counts: Vec<f64>,
}

/// How to normalise a confusion matrix (scikit-learn's `normalize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalize {
    /// Divide each row by its sum (recall on the diagonal).
    True,
    /// Divide each column by its sum (precision on the diagonal).
    Pred,
    /// Divide by the total.
    All,
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    /// TP/(TP+FP); undefined when the class is never predicted.
    pub precision: Metric,
    /// TP/(TP+FN); undefined when the class has no samples.
    pub recall: Metric,
    /// 2TP/(2TP+FP+FN); undefined when the class is neither present nor
    /// predicted.
    pub f1: Metric,
    /// Number of samples of the class.
    pub support: f64,
}

impl ConfusionMatrix {
    /// Count `(y_true[i], y_pred[i])` pairs over K classes, each weighted by
    /// `weights[i]` (default 1).
    ///
    /// # Errors
    /// Length mismatch or a label ≥ K.
    pub fn new(
        y_true: &[usize],
        y_pred: &[usize],
        k: usize,
        weights: Option<&[u32]>,
    ) -> Result<Self, StatsError> {
        if y_true.len() != y_pred.len() {
            return Err(StatsError::LengthMismatch {
                what: "y_true and y_pred",
                expected: y_true.len(),
                got: y_pred.len(),
            });
        }
        for (row, (&t, &p)) in y_true.iter().zip(y_pred).enumerate() {
            if t >= k || p >= k {
                return Err(StatsError::LabelOutOfRange {
                    row,
                    label: t.max(p),
                    k,
                });
            }
        }
        let mut counts = vec![0.0; k * k];
        for (i, (&t, &p)) in y_true.iter().zip(y_pred).enumerate() {
            counts[t * k + p] += weights.map_or(1.0, |w| w[i] as f64);
        }
        Ok(Self { k, counts })
    }

    /// Number of classes K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Count of true class `t` predicted as `p`.
    pub fn get(&self, t: usize, p: usize) -> f64 {
        self.counts[t * self.k + p]
    }

    /// Rows of counts.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        self.counts
            .chunks_exact(self.k)
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// Total count (n).
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    /// Row sums: the support of each true class.
    pub fn true_counts(&self) -> Vec<f64> {
        (0..self.k)
            .map(|t| (0..self.k).map(|p| self.get(t, p)).sum())
            .collect()
    }

    /// Column sums: how often each class is predicted.
    pub fn pred_counts(&self) -> Vec<f64> {
        (0..self.k)
            .map(|p| (0..self.k).map(|t| self.get(t, p)).sum())
            .collect()
    }

    /// Sum of the diagonal (correct predictions).
    pub fn trace(&self) -> f64 {
        (0..self.k).map(|c| self.get(c, c)).sum()
    }

    /// Normalised matrix; an entry whose divisor is 0 is `None` (scikit-learn
    /// writes 0 there).
    pub fn normalized(&self, how: Normalize) -> Vec<Vec<Option<f64>>> {
        let (rows, cols, total) = (self.true_counts(), self.pred_counts(), self.total());
        (0..self.k)
            .map(|t| {
                (0..self.k)
                    .map(|p| {
                        let d = match how {
                            Normalize::True => rows[t],
                            Normalize::Pred => cols[p],
                            Normalize::All => total,
                        };
                        (d > 0.0).then(|| self.get(t, p) / d)
                    })
                    .collect()
            })
            .collect()
    }

    /// Accuracy: trace / n.
    pub fn accuracy(&self) -> Metric {
        let total = self.total();
        if total == 0.0 {
            return Metric::undefined("no samples");
        }
        Metric::Value(self.trace() / total)
    }

    /// Balanced accuracy: the mean recall over classes present in `y_true`
    /// (scikit-learn's `balanced_accuracy_score`; Brodersen et al., ICPR 2010).
    pub fn balanced_accuracy(&self) -> Metric {
        let rows = self.true_counts();
        let recalls: Vec<f64> = (0..self.k)
            .filter(|&c| rows[c] > 0.0)
            .map(|c| self.get(c, c) / rows[c])
            .collect();
        if recalls.is_empty() {
            return Metric::undefined("no samples");
        }
        Metric::Value(recalls.iter().sum::<f64>() / recalls.len() as f64)
    }

    /// Per-class precision, recall, F1 and support (scikit-learn's
    /// `precision_recall_fscore_support(average=None)` with
    /// `zero_division=np.nan`). F1 = 2TP/(2TP+FP+FN).
    pub fn class_scores(&self) -> Vec<ClassScores> {
        let (rows, cols) = (self.true_counts(), self.pred_counts());
        (0..self.k)
            .map(|c| {
                let tp = self.get(c, c);
                let (fp, fn_) = (cols[c] - tp, rows[c] - tp);
                let ratio = |num: f64, den: f64, why: &str| {
                    if den > 0.0 {
                        Metric::Value(num / den)
                    } else {
                        Metric::undefined(format!("class {c} {why}"))
                    }
                };
                ClassScores {
                    precision: ratio(tp, cols[c], "is never predicted"),
                    recall: ratio(tp, rows[c], "has no samples"),
                    f1: ratio(
                        2.0 * tp,
                        2.0 * tp + fp + fn_,
                        "is neither present nor predicted",
                    ),
                    support: rows[c],
                }
            })
            .collect()
    }

    /// Cohen's kappa, κ = 1 − Σ_{i≠j} C_ij / Σ_{i≠j} E_ij with the chance
    /// matrix E = outer(row sums, column sums)/n (scikit-learn's
    /// `cohen_kappa_score`, unweighted; Cohen, Educ. Psychol. Meas. 1960).
    /// Undefined when chance disagreement is 0 (one class only).
    pub fn cohen_kappa(&self) -> Metric {
        let (rows, cols, total) = (self.true_counts(), self.pred_counts(), self.total());
        if total == 0.0 {
            return Metric::undefined("no samples");
        }
        let (mut observed, mut expected) = (0.0, 0.0);
        for (t, row_sum) in rows.iter().enumerate() {
            for (p, col_sum) in cols.iter().enumerate() {
                if t != p {
                    observed += self.get(t, p);
                    expected += row_sum * col_sum / total;
                }
            }
        }
        if expected == 0.0 {
            return Metric::undefined("expected disagreement by chance is 0 (a single class)");
        }
        Metric::Value(1.0 - observed / expected)
    }

    /// Matthews correlation coefficient (multiclass R_K of Gorodkin,
    /// Comput. Biol. Chem. 2004), as scikit-learn's `matthews_corrcoef`:
    /// (c·s − Σ t_k p_k) / √((s² − Σ p_k²)(s² − Σ t_k²)).
    /// Undefined when a variance is 0 (scikit-learn returns 0 there).
    pub fn mcc(&self) -> Metric {
        let (t, p) = (self.true_counts(), self.pred_counts());
        let s: f64 = p.iter().sum();
        let c = self.trace();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let cov_ytyp = c * s - dot(&t, &p);
        let cov_ypyp = s * s - dot(&p, &p);
        let cov_ytyt = s * s - dot(&t, &t);
        if cov_ypyp * cov_ytyt == 0.0 {
            return Metric::undefined(
                "true or predicted labels hold a single class (zero variance)",
            );
        }
        Metric::Value(cov_ytyp / (cov_ytyt * cov_ypyp).sqrt())
    }
}

/// Top-k accuracy (scikit-learn's `top_k_accuracy_score` for multiclass
/// input): the share of samples whose true class is among the k highest
/// scores. Ties are broken as scikit-learn's stable `argsort(...)[::-1]`
/// does: among equal scores, the higher class index ranks first.
///
/// # Errors
/// Label errors, or `k` outside `1..=K`.
pub fn top_k_accuracy_score(
    y_true: &[usize],
    proba: &crate::proba::ProbMatrix,
    k: usize,
) -> Result<f64, StatsError> {
    crate::proba::check_labels(y_true, proba)?;
    if k == 0 || k > proba.k() {
        return Err(StatsError::InvalidParameter {
            name: "k",
            reason: format!(
                "must be between 1 and the number of classes {}, got {k}",
                proba.k()
            ),
        });
    }
    let hits = y_true
        .iter()
        .zip(proba.rows())
        .filter(|(&y, row)| {
            let s = row[y];
            let ahead = row
                .iter()
                .enumerate()
                .filter(|&(j, &v)| v > s || (v == s && j > y))
                .count();
            ahead < k
        })
        .count();
    Ok(hits as f64 / y_true.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proba::ProbMatrix;

    #[test]
    fn sklearn_docstring_examples() {
        // confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
        let cm = ConfusionMatrix::new(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2], 3, None).unwrap();
        assert_eq!(
            cm.rows(),
            vec![
                vec![2.0, 0.0, 0.0],
                vec![0.0, 0.0, 1.0],
                vec![1.0, 0.0, 2.0]
            ]
        );
        // balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]) == 0.625
        let cm = ConfusionMatrix::new(&[0, 1, 0, 0, 1, 0], &[0, 1, 0, 0, 0, 1], 2, None).unwrap();
        assert_eq!(cm.balanced_accuracy(), Metric::Value(0.625));
        // matthews_corrcoef([+1, +1, +1, -1], [+1, -1, +1, +1]) == -0.33...
        let cm = ConfusionMatrix::new(&[1, 1, 1, 0], &[1, 0, 1, 1], 2, None).unwrap();
        assert!((cm.mcc().value().unwrap() + 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn degenerate_cases_are_undefined() {
        let cm = ConfusionMatrix::new(&[0, 0], &[0, 0], 2, None).unwrap();
        assert!(cm.mcc().value().is_none());
        assert!(cm.cohen_kappa().value().is_none());
        assert!(cm.class_scores()[1].f1.value().is_none());
        assert_eq!(cm.normalized(Normalize::True)[1], vec![None, None]);
    }

    #[test]
    fn top_k_ties_prefer_higher_index() {
        let p = ProbMatrix::new(vec![0.25, 0.25, 0.25, 0.25], 4, 1e-9).unwrap();
        assert_eq!(top_k_accuracy_score(&[3], &p, 1).unwrap(), 1.0);
        assert_eq!(top_k_accuracy_score(&[0], &p, 3).unwrap(), 0.0);
        assert_eq!(top_k_accuracy_score(&[1], &p, 3).unwrap(), 1.0);
    }
}
