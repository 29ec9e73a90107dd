//! Tests between configurations, corrections for many comparisons, and the
//! sample size a paired difference needs.
//!
//! - Welch's t-test (unequal variances): t = (x̄ − ȳ)/√(s²ₓ/nₓ + s²ᵧ/nᵧ),
//!   Welch–Satterthwaite degrees of freedom
//!   ν = (s²ₓ/nₓ + s²ᵧ/nᵧ)² / ((s²ₓ/nₓ)²/(nₓ − 1) + (s²ᵧ/nᵧ)²/(nᵧ − 1)),
//!   two-sided p = 2 P(T_ν > |t|) (scipy `ttest_ind(equal_var=False)`).
//! - Dietterich's 5×2cv paired t-test (*Neural Computation* 10, 1998):
//!   with pᵢ⁽ʲ⁾ the difference of the two models' error rates on fold j of
//!   replication i, p̄ᵢ = (pᵢ⁽¹⁾ + pᵢ⁽²⁾)/2 and
//!   s²ᵢ = (pᵢ⁽¹⁾ − p̄ᵢ)² + (pᵢ⁽²⁾ − p̄ᵢ)², t = p₁⁽¹⁾ / √(Σᵢ s²ᵢ / 5) on 5
//!   degrees of freedom.
//! - Alpaydın's combined 5×2cv F test (*Neural Computation* 11, 1999):
//!   f = Σᵢ Σⱼ (pᵢ⁽ʲ⁾)² / (2 Σᵢ s²ᵢ) on (10, 5) degrees of freedom.
//! - Holm's step-down correction (*Scand. J. Statistics* 6, 1979): with
//!   p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted p₍ᵢ₎ = max_{k ≤ i} min(1, (m − k + 1) p₍ₖ₎)
//!   (statsmodels `multipletests(method="holm")`).
//! - McNemar's sample size (Connor, *Biometrics* 43, 1987): for discordant
//!   proportions p₁₀ and p₀₁, ψ = p₁₀ + p₀₁ and δ = p₁₀ − p₀₁,
//!   n = (z_{1−α/2} √ψ + z_{1−β} √(ψ − δ²))² / δ².

use crate::error::StatsError;
use crate::intervals::normal_quantile;
use crate::student_t::{regularized_beta, t_sf};

/// A t-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTest {
    /// The statistic.
    pub t: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// An F test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FTest {
    /// The statistic.
    pub f: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// P(F > f).
    pub p_value: f64,
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    (2.0 * t_sf(t.abs(), df)).min(1.0)
}

/// P(F > f) for the F distribution with (d1, d2) degrees of freedom.
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    regularized_beta(d2 / (d2 + d1 * f), 0.5 * d2, 0.5 * d1)
}

/// Welch's t-test of the means of `x` and `y` (each at least 2 values).
///
/// # Errors
/// [`StatsError::TooFewSamples`].
pub fn welch_t(x: &[f64], y: &[f64]) -> Result<TTest, StatsError> {
    for (what, v) in [("the first sample", x), ("the second sample", y)] {
        if v.len() < 2 {
            return Err(StatsError::TooFewSamples {
                what,
                got: v.len(),
                min: 2,
            });
        }
    }
    let (mx, vx) = mean_var(x);
    let (my, vy) = mean_var(y);
    let (ax, ay) = (vx / x.len() as f64, vy / y.len() as f64);
    let se = (ax + ay).sqrt();
    let t = (mx - my) / se;
    let df =
        (ax + ay).powi(2) / (ax * ax / (x.len() as f64 - 1.0) + ay * ay / (y.len() as f64 - 1.0));
    Ok(TTest {
        t,
        df,
        p_value: two_sided(t, df),
    })
}

/// Dietterich's 5×2cv paired t-test and Alpaydın's combined F test from
/// the differences of error rates `diffs[i][j]` (replication i, fold j).
pub fn five_by_two(diffs: &[[f64; 2]; 5]) -> (TTest, FTest) {
    let s2: f64 = diffs
        .iter()
        .map(|[a, b]| {
            let m = 0.5 * (a + b);
            (a - m).powi(2) + (b - m).powi(2)
        })
        .sum();
    let t = diffs[0][0] / (s2 / 5.0).sqrt();
    let squares: f64 = diffs.iter().flatten().map(|p| p * p).sum();
    let f = squares / (2.0 * s2);
    (
        TTest {
            t,
            df: 5.0,
            p_value: two_sided(t, 5.0),
        },
        FTest {
            f,
            df1: 10.0,
            df2: 5.0,
            p_value: if f.is_nan() {
                f64::NAN
            } else {
                f_sf(f, 10.0, 5.0)
            },
        },
    )
}

/// Holm's adjusted p-values, in the order given.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (k, &i) in order.iter().enumerate() {
        running = running.max(((m - k) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Items a paired comparison needs to detect the observed difference with
/// McNemar's test at level `alpha` and the given `power`, from `b` items
/// only the first got right and `c` only the second, among `n`. `None`
/// when there is no difference (b = c) to detect.
pub fn mcnemar_sample_size(b: u64, c: u64, n: u64, alpha: f64, power: f64) -> Option<f64> {
    if b == c || n == 0 {
        return None;
    }
    let (p10, p01) = (b as f64 / n as f64, c as f64 / n as f64);
    let psi = p10 + p01;
    let delta = p10 - p01;
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let root = za * psi.sqrt() + zb * (psi - delta * delta).max(0.0).sqrt();
    Some(root * root / (delta * delta))
}
