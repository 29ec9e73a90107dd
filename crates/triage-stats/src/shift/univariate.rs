//! Two-sample comparisons of one variable: the Kolmogorov–Smirnov test and
//! two effect sizes (Wasserstein-1 distance, standardised mean difference).
//!
//! **KS statistic.** D = sup_t |F_x(t) − F_y(t)| over the empirical CDFs,
//! evaluated after all values equal to t (scipy's `ks_2samp`). It is
//! computed in integers: D = h/(mn) with h = max |i·n − j·m| over the
//! counts (i, j) of x and y values ≤ t.
//!
//! **p-value** (two-sided, continuous null, ties ignored as in scipy):
//! - exact when max(m, n) ≤ 10,000 ([`EXACT_MAX`], scipy's `method='auto'`
//!   rule): P(D ≥ d) over the C(m+n, m) equally likely orderings, by
//!   dynamic programming over the lattice of (i, j): the probability
//!   U(i, j) = U(i−1, j)·i/(i+j) + U(i, j−1)·j/(i+j) of reaching (i, j)
//!   inside the band |i·n − j·m| < h, and p = Σ over first exits of the
//!   mass arriving × the hypergeometric probability of passing there
//!   (summed, not 1 − U(m, n), so tiny p keep their relative precision);
//!   O(m · band) time, O(n) memory;
//! - above, the limiting Kolmogorov distribution P(K > √(mn/(m+n))·D)
//!   (scipy's `kstwobign`; scipy's `method='asymp'` uses the finite-n
//!   `kstwo` and differs slightly).
//!
//! References: Hodges, "The significance probability of the Smirnov
//! two-sample test", Ark. Mat. 3 (1958); scipy.stats.ks_2samp.

use crate::error::StatsError;

use super::distributions::{kolmogorov_sf, ln_gamma};

/// Largest side for the exact p-value (scipy's `MAX_AUTO_N`).
pub const EXACT_MAX: usize = 10_000;

/// How a KS p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsMethod {
    /// Exact (lattice paths).
    Exact,
    /// The limiting Kolmogorov distribution.
    Asymptotic,
}

/// A two-sample KS test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// D = sup |F_x − F_y|.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: KsMethod,
}

fn sorted(values: &[f64], what: &'static str) -> Result<Vec<f64>, StatsError> {
    if values.len() < 2 {
        return Err(StatsError::TooFewSamples {
            what,
            got: values.len(),
            min: 2,
        });
    }
    if let Some((row, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NotFinite { row, col: 0, value });
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Ok(v)
}

/// h = max |i·n − j·m| over the merged sorted samples.
fn ks_h(x: &[f64], y: &[f64]) -> u64 {
    let (m, n) = (x.len() as i128, y.len() as i128);
    let (mut i, mut j, mut h) = (0usize, 0usize, 0i128);
    while i < x.len() && j < y.len() {
        let t = x[i].min(y[j]);
        while i < x.len() && x[i] <= t {
            i += 1;
        }
        while j < y.len() && y[j] <= t {
            j += 1;
        }
        h = h.max((i as i128 * n - j as i128 * m).abs());
    }
    // Past the end of one sample the gap only closes.
    h as u64
}

/// ln of the probability that a uniformly random ordering of m x's and
/// n y's passes through the lattice point (i, j).
fn ln_pass(i: usize, j: usize, m: usize, n: usize) -> f64 {
    let ln_choose = |a: usize, b: usize| {
        ln_gamma(a as f64 + 1.0) - ln_gamma(b as f64 + 1.0) - ln_gamma((a - b) as f64 + 1.0)
    };
    ln_choose(i + j, i) + ln_choose(m + n - i - j, m - i) - ln_choose(m + n, m)
}

/// P(D ≥ h/(mn)) exactly (see the module docs).
fn exact_p(m: usize, n: usize, h: u64) -> f64 {
    if h == 0 {
        return 1.0;
    }
    let (mi, ni, hi) = (m as i128, n as i128, h as i128);
    let inside = |i: usize, j: usize| (i as i128 * ni - j as i128 * mi).abs() < hi;
    // u[j] = U(i, j) for the current i.
    let mut u = vec![0.0f64; n + 1];
    let mut p = 0.0f64;
    u[0] = 1.0;
    for j in 1..=n {
        let arriving = u[j - 1];
        if inside(0, j) {
            u[j] = arriving;
        } else {
            if arriving > 0.0 {
                p += arriving * ln_pass(0, j, m, n).exp();
            }
            u[j] = 0.0;
        }
    }
    for i in 1..=m {
        let mut left = 0.0; // U(i, j−1)
        #[allow(clippy::needless_range_loop)] // j is a lattice coordinate
        for j in 0..=n {
            let from_below = u[j] * i as f64 / (i + j) as f64;
            let from_left = if j == 0 {
                0.0
            } else {
                left * j as f64 / (i + j) as f64
            };
            let arriving = from_below + from_left;
            let value = if inside(i, j) {
                arriving
            } else {
                if arriving > 0.0 {
                    p += arriving * ln_pass(i, j, m, n).exp();
                }
                0.0
            };
            u[j] = value;
            left = value;
        }
    }
    p.min(1.0)
}

/// The two-sample KS test of x against y (see the module docs).
///
/// # Errors
/// Fewer than 2 values in a sample, or a value that is not finite.
pub fn ks_two_sample(x: &[f64], y: &[f64]) -> Result<KsTest, StatsError> {
    let xs = sorted(x, "first sample")?;
    let ys = sorted(y, "second sample")?;
    let (m, n) = (xs.len(), ys.len());
    let h = ks_h(&xs, &ys);
    let statistic = h as f64 / (m as f64 * n as f64);
    let (p_value, method) = if m.max(n) <= EXACT_MAX {
        (exact_p(m, n, h), KsMethod::Exact)
    } else {
        let en = (m as f64 * n as f64) / (m + n) as f64;
        (kolmogorov_sf(en.sqrt() * statistic), KsMethod::Asymptotic)
    };
    Ok(KsTest {
        statistic,
        p_value,
        method,
    })
}

/// The Wasserstein-1 (earth mover's) distance between the empirical
/// distributions of x and y: ∫ |F_x(t) − F_y(t)| dt (scipy's
/// `wasserstein_distance`), in the variable's units.
///
/// # Errors
/// As [`ks_two_sample`].
pub fn wasserstein_1(x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    let xs = sorted(x, "first sample")?;
    let ys = sorted(y, "second sample")?;
    let (m, n) = (xs.len() as f64, ys.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    let mut prev: Option<f64> = None;
    while i < xs.len() || j < ys.len() {
        let t = match (xs.get(i), ys.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        if let Some(p) = prev {
            total += (i as f64 / m - j as f64 / n).abs() * (t - p);
        }
        while i < xs.len() && xs[i] <= t {
            i += 1;
        }
        while j < ys.len() && ys[j] <= t {
            j += 1;
        }
        prev = Some(t);
    }
    Ok(total)
}

/// Standardised mean difference of y against x (Cohen's d with the
/// average variance): (ȳ − x̄) / √((s²_x + s²_y)/2), sample variances
/// (n − 1). `None` when both samples are constant; positive when y is
/// larger.
///
/// # Errors
/// As [`ks_two_sample`].
pub fn standardized_mean_difference(x: &[f64], y: &[f64]) -> Result<Option<f64>, StatsError> {
    sorted(x, "first sample")?;
    sorted(y, "second sample")?;
    let moments = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        (mean, var)
    };
    let ((mx, vx), (my, vy)) = (moments(x), moments(y));
    let pooled = ((vx + vy) / 2.0).sqrt();
    Ok((pooled > 0.0).then(|| (my - mx) / pooled))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(D ≥ d) by enumerating every ordering (small m, n).
    fn brute_p(m: usize, n: usize, h: u64) -> f64 {
        let total = m + n;
        let (mut hits, mut count) = (0u64, 0u64);
        for mask in 0u32..(1 << total) {
            if mask.count_ones() as usize != m {
                continue;
            }
            count += 1;
            let (mut i, mut j, mut worst) = (0i64, 0i64, 0i64);
            for b in 0..total {
                if mask >> b & 1 == 1 {
                    i += 1
                } else {
                    j += 1
                }
                worst = worst.max((i * n as i64 - j * m as i64).abs());
            }
            if worst as u64 >= h {
                hits += 1;
            }
        }
        hits as f64 / count as f64
    }

    #[test]
    fn exact_p_equals_enumeration() {
        for (m, n) in [(3, 4), (5, 5), (2, 9), (6, 7)] {
            for h in 1..=(m * n) as u64 {
                let want = brute_p(m, n, h);
                let got = exact_p(m, n, h);
                assert!(
                    (got - want).abs() < 1e-12,
                    "m={m} n={n} h={h}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn identical_samples_have_d_zero() {
        let x = [1.0, 2.0, 3.0, 3.0];
        let t = ks_two_sample(&x, &x).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, 1.0);
        assert_eq!(wasserstein_1(&x, &x).unwrap(), 0.0);
    }

    #[test]
    fn shifted_samples() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 10.0).collect();
        let t = ks_two_sample(&x, &y).unwrap();
        assert!((t.statistic - 0.2).abs() < 1e-15);
        assert!((wasserstein_1(&x, &y).unwrap() - 10.0).abs() < 1e-12);
        assert!(standardized_mean_difference(&x, &y).unwrap().unwrap() > 0.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(ks_two_sample(&[1.0], &[1.0, 2.0]).is_err());
        assert!(ks_two_sample(&[1.0, f64::NAN], &[1.0, 2.0]).is_err());
    }
}
