//! DeLong's test of the difference between two correlated ROC AUCs (two
//! scores of the same items).
//!
//! DeLong, DeLong & Clarke-Pearson, *Biometrics* 44 (1988): for score r,
//! the placement of positive i is V10ᵣ(i) = (1/n) Σⱼ ψ(xᵢ, yⱼ) and of
//! negative j is V01ᵣ(j) = (1/m) Σᵢ ψ(xᵢ, yⱼ), with ψ(x, y) = 1 if x > y,
//! ½ if x = y, 0 otherwise; AUCᵣ is the mean of V10ᵣ. With S10 and S01 the
//! 2 × 2 sample covariances (denominators m − 1 and n − 1) of the
//! placements over positives and negatives,
//! Var(AUC_A − AUC_B) = (S10_AA + S10_BB − 2 S10_AB)/m
//!                    + (S01_AA + S01_BB − 2 S01_AB)/n,
//! z = (AUC_A − AUC_B)/√Var and p = 2 P(Z > |z|). Placements are computed
//! by sorting (Sun & Xu, *IEEE Signal Processing Letters* 21, 2014):
//! O((m + n) log(m + n)).

use crate::error::StatsError;
use crate::intervals::normal_sf;

/// DeLong's test of two correlated AUCs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeLong {
    /// AUC of the first score.
    pub auc_a: f64,
    /// AUC of the second score.
    pub auc_b: f64,
    /// Standard error of the difference.
    pub se: f64,
    /// (AUC_A − AUC_B)/se (NaN when se = 0).
    pub z: f64,
    /// Two-sided p-value (1 when the difference and its variance are 0).
    pub p_value: f64,
}

/// Placements of `of` among `among`: for each v, (# among < v + ½ # among
/// = v)/|among| (`greater` = false) or (# among > v + ½ # = v)/|among|.
fn placements(of: &[f64], among: &[f64], greater: bool) -> Vec<f64> {
    let mut sorted = among.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    of.iter()
        .map(|&v| {
            let below = sorted.partition_point(|&a| a < v) as f64;
            let upto = sorted.partition_point(|&a| a <= v) as f64;
            let equal = upto - below;
            if greater {
                (n - upto + 0.5 * equal) / n
            } else {
                (below + 0.5 * equal) / n
            }
        })
        .collect()
}

/// Sample covariance (denominator len − 1).
fn cov(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (n - 1.0)
}

/// DeLong's test: `positive[i]` marks the positives; `a` and `b` are the
/// two scores of the same items (higher = more positive).
///
/// # Errors
/// [`StatsError::LengthMismatch`]; [`StatsError::TooFewSamples`] with
/// fewer than 2 positives or 2 negatives.
pub fn delong_paired(positive: &[bool], a: &[f64], b: &[f64]) -> Result<DeLong, StatsError> {
    for (what, s) in [("the first scores", a), ("the second scores", b)] {
        if s.len() != positive.len() {
            return Err(StatsError::LengthMismatch {
                what,
                expected: positive.len(),
                got: s.len(),
            });
        }
    }
    let split = |s: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for (&v, &p) in s.iter().zip(positive) {
            if p {
                pos.push(v);
            } else {
                neg.push(v);
            }
        }
        (pos, neg)
    };
    let (pa, na) = split(a);
    let (pb, nb) = split(b);
    let (m, n) = (pa.len(), na.len());
    if m < 2 || n < 2 {
        return Err(StatsError::TooFewSamples {
            what: "positives and negatives (each)",
            got: m.min(n),
            min: 2,
        });
    }
    let v10a = placements(&pa, &na, false);
    let v10b = placements(&pb, &nb, false);
    let v01a = placements(&na, &pa, true);
    let v01b = placements(&nb, &pb, true);
    let auc_a = v10a.iter().sum::<f64>() / m as f64;
    let auc_b = v10b.iter().sum::<f64>() / m as f64;
    let var = (cov(&v10a, &v10a) + cov(&v10b, &v10b) - 2.0 * cov(&v10a, &v10b)) / m as f64
        + (cov(&v01a, &v01a) + cov(&v01b, &v01b) - 2.0 * cov(&v01a, &v01b)) / n as f64;
    let se = var.max(0.0).sqrt();
    let diff = auc_a - auc_b;
    let (z, p_value) = if se > 0.0 {
        let z = diff / se;
        (z, (2.0 * normal_sf(z.abs())).min(1.0))
    } else if diff == 0.0 {
        (f64::NAN, 1.0)
    } else {
        (f64::NAN, 0.0)
    };
    Ok(DeLong {
        auc_a,
        auc_b,
        se,
        z,
        p_value,
    })
}
