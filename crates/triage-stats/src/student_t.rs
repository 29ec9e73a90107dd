//! Student's t distribution: its quantile and the t-interval of a mean.
//!
//! References: the regularised incomplete beta function I_x(a, b) by its
//! continued fraction (modified Lentz; Press et al., *Numerical Recipes*,
//! 3rd ed., §6.4), used on the side x < (a + 1)/(a + b + 2) where it
//! converges fast, and by I_x(a, b) = 1 − I_{1−x}(b, a) on the other; the
//! t distribution's tail P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz &
//! Stegun 26.7.1). The t-interval is scipy's
//! `t.interval(confidence, n − 1, loc=mean, scale=sem)` with
//! `sem = sd(ddof = 1)/√n`.

use crate::error::StatsError;
use crate::intervals::check_confidence;
use crate::shift::distributions::ln_gamma;

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and
/// x in [0, 1]; relative accuracy about 1e-14 for moderate a + b, falling
/// to about 1e-11 near a + b = 10⁴ (the cancellation in
/// ln Γ(a + b) − ln Γ(a)).
pub fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * (1.0 - x).ln() + ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b);
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of I_x(a, b) (modified Lentz).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// P(T > t) for Student's t with `df` degrees of freedom.
pub fn t_sf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * regularized_beta(df / (df + t * t), 0.5 * df, 0.5);
    if t >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// The quantile of Student's t with `df` > 0 degrees of freedom at
/// probability `p` in (0, 1) (NaN outside): the root of P(T ≤ t) = p by
/// bisection on the tail to the last bit.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0 && df > 0.0) {
        return f64::NAN;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let tail = 1.0 - p;
    if tail == 0.5 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_sf(hi, df) > tail {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return f64::INFINITY;
        }
    }
    for _ in 0..2_000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if t_sf(mid, df) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A mean with its t-interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanInterval {
    /// The sample mean.
    pub mean: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// The standard error of the mean, `sd(ddof = 1)/√n`.
    pub sem: f64,
    /// Number of values.
    pub n: usize,
}

/// The mean of `values` with its two-sided t-interval at `confidence`:
/// mean ± t_{(1+confidence)/2, n−1} · sd(ddof = 1)/√n (scipy's `sem` and
/// `t.interval`). A sample with no spread gives the point interval.
///
/// # Errors
/// Fewer than two values, a value that is not finite, a confidence outside
/// (0, 1).
pub fn t_interval(values: &[f64], confidence: f64) -> Result<MeanInterval, StatsError> {
    check_confidence(confidence)?;
    let n = values.len();
    if n < 2 {
        return Err(StatsError::InvalidParameter {
            name: "values",
            reason: format!("a t-interval needs at least 2 values, got {n}"),
        });
    }
    if let Some(row) = values.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite {
            row,
            col: 0,
            value: values[row],
        });
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sem = (ss / (nf - 1.0)).sqrt() / nf.sqrt();
    let half = if sem > 0.0 {
        t_quantile(0.5 + confidence / 2.0, nf - 1.0) * sem
    } else {
        0.0
    };
    Ok(MeanInterval {
        mean,
        low: mean - half,
        high: mean + half,
        sem,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_with_one_degree_is_cauchy_and_large_df_is_normal() {
        // Cauchy: quantile tan(π(p − ½)).
        for p in [0.6, 0.9, 0.975, 0.999] {
            let expected = (std::f64::consts::PI * (p - 0.5)).tan();
            assert!((t_quantile(p, 1.0) - expected).abs() < 1e-10 * expected.abs());
        }
        let z = crate::intervals::normal_quantile(0.975);
        assert!((t_quantile(0.975, 1e9) - z).abs() < 1e-6);
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        assert!((t_quantile(0.025, 7.0) + t_quantile(0.975, 7.0)).abs() < 1e-14);
        assert!(t_quantile(1.0, 3.0).is_nan());
    }

    #[test]
    fn incomplete_beta_symmetry_and_closed_forms() {
        // I_x(1, b) = 1 − (1 − x)^b ; I_x(a, 1) = x^a.
        for x in [0.01, 0.3, 0.7, 0.99] {
            assert!((regularized_beta(x, 1.0, 3.5) - (1.0 - (1.0 - x).powf(3.5))).abs() < 1e-14);
            assert!((regularized_beta(x, 2.5, 1.0) - x.powf(2.5)).abs() < 1e-14);
            let s = regularized_beta(x, 2.0, 5.0) + regularized_beta(1.0 - x, 5.0, 2.0);
            assert!((s - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn t_interval_refuses_too_few_values_and_nan() {
        assert!(t_interval(&[1.0], 0.95).is_err());
        assert!(t_interval(&[1.0, f64::NAN], 0.95).is_err());
        let flat = t_interval(&[0.5; 4], 0.95).unwrap();
        assert_eq!((flat.low, flat.high), (0.5, 0.5));
    }
}
