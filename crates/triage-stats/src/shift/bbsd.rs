//! Black-box shift detection on a model's outputs (BBSD).
//!
//! Reference: Rabanser, Günnemann & Lipton, "Failing Loudly: An Empirical
//! Study of Methods for Detecting Dataset Shift", NeurIPS 2019 (BBSDs with
//! univariate KS and Bonferroni was their best detector). Two tests on the
//! softmax outputs of one model on the source and on the target:
//!
//! - a two-sample KS test per output p_c (see [`super::univariate`]),
//!   Bonferroni over the K outputs: shift when min_c p_c < α/K;
//! - a χ² test of homogeneity on the 2 × K table of predicted-label counts
//!   (classes predicted on neither side dropped; df = K' − 1), with
//!   Cramér's V = √(χ²/N) (a 2-row table) as its effect size.

use crate::error::StatsError;
use crate::proba::ProbMatrix;

use super::distributions::chi2_sf;
use super::univariate::{ks_two_sample, KsTest};

/// A χ² test of homogeneity of two count vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Chi2Test {
    /// Pearson's χ² (no continuity correction).
    pub statistic: f64,
    /// Degrees of freedom: non-empty columns − 1.
    pub dof: usize,
    /// P(χ²_dof ≥ statistic); 1 when dof = 0.
    pub p_value: f64,
    /// Cramér's V = √(χ²/N) for the 2-row table.
    pub cramers_v: f64,
}

/// χ² test of homogeneity of the two rows `a` and `b` (scipy's
/// `chi2_contingency(correction=False)` after dropping empty columns).
///
/// # Errors
/// Rows of different lengths, or a row without counts.
pub fn chi2_homogeneity(a: &[u64], b: &[u64]) -> Result<Chi2Test, StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch {
            what: "count rows",
            expected: a.len(),
            got: b.len(),
        });
    }
    let (ta, tb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
    if ta == 0.0 || tb == 0.0 {
        return Err(StatsError::Empty);
    }
    let total = ta + tb;
    let mut statistic = 0.0;
    let mut columns = 0usize;
    for (&x, &y) in a.iter().zip(b) {
        let col = (x + y) as f64;
        if col == 0.0 {
            continue;
        }
        columns += 1;
        for (obs, row) in [(x as f64, ta), (y as f64, tb)] {
            let expected = row * col / total;
            statistic += (obs - expected).powi(2) / expected;
        }
    }
    let dof = columns.saturating_sub(1);
    Ok(Chi2Test {
        statistic,
        dof,
        p_value: if dof == 0 {
            1.0
        } else {
            chi2_sf(statistic, dof as f64)
        },
        cramers_v: (statistic / total).sqrt(),
    })
}

/// BBSD on source and target outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Bbsd {
    /// KS test of each output p_c.
    pub per_output: Vec<KsTest>,
    /// min_c p_c · K, capped at 1 (the Bonferroni-adjusted p-value).
    pub ks_p_adjusted: f64,
    /// χ² on predicted-label counts.
    pub predicted_labels: Chi2Test,
    /// Predicted-label counts of the source and the target.
    pub counts: (Vec<u64>, Vec<u64>),
}

/// Run BBSD (see the module docs).
///
/// # Errors
/// Different class counts, fewer than 2 rows a side.
pub fn bbsd(source: &ProbMatrix, target: &ProbMatrix) -> Result<Bbsd, StatsError> {
    let k = source.k();
    if target.k() != k {
        return Err(StatsError::WidthMismatch {
            what: "source and target predictions' classes",
            expected: k,
            got: target.k(),
        });
    }
    let per_output = (0..k)
        .map(|c| ks_two_sample(&source.column(c), &target.column(c)))
        .collect::<Result<Vec<_>, _>>()?;
    let min_p = per_output.iter().map(|t| t.p_value).fold(1.0f64, f64::min);
    let count = |p: &ProbMatrix| {
        let mut c = vec![0u64; k];
        for y in p.argmax() {
            c[y] += 1;
        }
        c
    };
    let (cs, ct) = (count(source), count(target));
    Ok(Bbsd {
        per_output,
        ks_p_adjusted: (min_p * k as f64).min(1.0),
        predicted_labels: chi2_homogeneity(&cs, &ct)?,
        counts: (cs, ct),
    })
}
