//! Proper scoring rules on predicted probabilities: log loss and the
//! multiclass Brier score.
//!
//! References: scikit-learn `log_loss` and `brier_score_loss`; G. W. Brier,
//! "Verification of forecasts expressed in terms of probability", Monthly
//! Weather Review 78 (1950); Bishop, PRML (2006) p. 209.

use crate::error::StatsError;
use crate::proba::{check_labels, ProbMatrix};

/// Per-sample log loss −ln p̂_{i,yᵢ}, with p̂ clipped to [ε, 1 − ε],
/// ε = `f64::EPSILON` (scikit-learn's clipping for float64 input).
pub fn log_loss_terms(y_true: &[usize], proba: &ProbMatrix) -> Vec<f64> {
    let eps = f64::EPSILON;
    y_true
        .iter()
        .zip(proba.rows())
        .map(|(&y, row)| -row[y].clamp(eps, 1.0 - eps).ln())
        .collect()
}

/// Per-sample Brier term Σ_k (p̂_ik − 1[yᵢ = k])².
pub fn brier_terms(y_true: &[usize], proba: &ProbMatrix) -> Vec<f64> {
    y_true
        .iter()
        .zip(proba.rows())
        .map(|(&y, row)| {
            row.iter()
                .enumerate()
                .map(|(k, &p)| {
                    let d = p - if k == y { 1.0 } else { 0.0 };
                    d * d
                })
                .sum()
        })
        .collect()
}

/// Log loss (cross-entropy, natural log): L = −(1/n) Σᵢ ln p̂_{i,yᵢ}, as
/// scikit-learn's `log_loss(y_true, y_proba, labels=range(K))`.
///
/// # Errors
/// Label errors.
pub fn log_loss(y_true: &[usize], proba: &ProbMatrix) -> Result<f64, StatsError> {
    check_labels(y_true, proba)?;
    Ok(mean(&log_loss_terms(y_true, proba)))
}

/// Multiclass Brier score BS = (1/n) Σᵢ Σ_k (p̂_ik − y_ik)², in [0, 2]; for
/// K = 2 this is twice the classic binary Brier score (scikit-learn's
/// `brier_score_loss(y_true, y_proba, labels=range(K), scale_by_half=False)`).
///
/// # Errors
/// Label errors.
pub fn brier_score_loss(y_true: &[usize], proba: &ProbMatrix) -> Result<f64, StatsError> {
    check_labels(y_true, proba)?;
    Ok(mean(&brier_terms(y_true, proba)))
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_docstring_example() {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
        let p = ProbMatrix::new(vec![0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65], 2, 1e-9).unwrap();
        let l = log_loss(&[1, 0, 0, 1], &p).unwrap();
        assert!((l - 0.21616187468057912).abs() < 1e-15, "{l}");
    }

    #[test]
    fn perfect_predictions_clip_at_epsilon() {
        let p = ProbMatrix::new(vec![1.0, 0.0], 2, 1e-9).unwrap();
        assert_eq!(brier_score_loss(&[0], &p).unwrap(), 0.0);
        assert!((log_loss(&[1], &p).unwrap() + f64::EPSILON.ln()).abs() < 1e-12);
    }
}
