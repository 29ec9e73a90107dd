//! kNN-Extrapolate (Renggli et al., FeeBee, arXiv 2108.13034): the 1-NN
//! error measured on nested subsets of the reference set and extrapolated
//! to infinitely many samples.
//!
//! # Model
//! R_n = R_∞ + Σ_{i=0}^{order−3} b_i · n^{−(i+2)/d}, fitted by least squares over the subset sizes with
//! R_∞ ∈ [0, (C−1)/C] and every b_i ∈ [−1, 1] (FeeBee's bounds; default
//! order 5, so three terms, and 10 nested subsets of n/10 … n). R_∞ is
//! the upper estimate; the Cover–Hart inverse of it the lower.
//!
//! FeeBee takes d as the features' dimension. With embeddings of 64 to
//! 2048 dimensions the terms are then constant to a few per cent over the
//! subsets and R_∞ is not identifiable (the fit lands anywhere in its
//! box); the convergence of the nearest-neighbour error is governed by
//! the data's intrinsic dimension, so the caller passes that
//! ([`intrinsic_dimension`], Levina–Bickel from the k-NN distances) and
//! does not fit when the terms still vary by less than [`MIN_SPREAD`].
//!
//! # Fit
//! The model is linear in its parameters, so the fit is a least-squares
//! problem on a box, solved exactly: for every assignment of each
//! parameter to free, its lower bound or its upper bound (3^order−1
//! candidates, 81 at order 5) the free parameters solve their normal
//! equations (Gaussian elimination; a candidate whose reduced system is
//! singular to 1e-12, as happens when d is large and the columns are
//! nearly constant, is skipped, leaving a coefficient at a bound); the
//! feasible candidate with the smallest residual wins, ties to the one
//! with fewer free parameters. The interval is a percentile bootstrap
//! over the queries (the same resample at every subset size).

use rand::{Rng, SeedableRng};

use super::bounds::cover_hart_lower;
use super::{Bracket, Estimate};
use crate::error::StatsError;
use crate::intervals::percentile_interval;
use crate::shift::linalg::solve;

/// The smallest relative spread of n^(−2/d) over the subset sizes,
/// 1 − (n_min/n_max)^(2/d), at which the model is fitted: below it the
/// terms are nearly constant and R_∞ is not identifiable (any value in its
/// box fits as well). With the default 10× range of n this admits d up to
/// about 44.
pub const MIN_SPREAD: f64 = 0.1;

/// The relative spread of n^(−2/d) over `sizes` (see [`MIN_SPREAD`]).
pub fn spread(sizes: &[f64], dim: f64) -> f64 {
    let (lo, hi) = sizes.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &n| {
        (lo.min(n), hi.max(n))
    });
    if !(lo > 0.0 && hi > 0.0 && dim > 0.0) {
        return 0.0;
    }
    1.0 - (lo / hi).powf(2.0 / dim)
}

/// The intrinsic dimension of a point set from its k-NN distances
/// (Levina & Bickel, "Maximum likelihood estimation of intrinsic
/// dimension", NIPS 2004, with MacKay & Ghahramani's 2005 correction:
/// the inverse estimates are averaged, then inverted):
/// m̂ = [ (1/n) Σᵢ (1/(k−1)) Σ_{j<k} ln(T_k(xᵢ)/T_j(xᵢ)) ]⁻¹, with T_j the
/// (Euclidean, not squared) distance to the j-th neighbour. `distances` is
/// row-major `n × k`, nearest first; rows with a zero distance (copies)
/// are skipped. `None` for k < 3 or when no row is usable.
pub fn intrinsic_dimension(distances: &[f64], k: usize) -> Option<f64> {
    if k < 3 {
        return None;
    }
    let (mut sum, mut rows) = (0.0, 0usize);
    for row in distances.chunks_exact(k) {
        if row
            .iter()
            .any(|&t| t.is_nan() || t <= 0.0 || t.is_infinite())
        {
            continue;
        }
        let tk = row[k - 1].ln();
        let inverse: f64 = row[..k - 1].iter().map(|t| tk - t.ln()).sum::<f64>() / (k - 1) as f64;
        sum += inverse;
        rows += 1;
    }
    (rows > 0 && sum > 0.0).then(|| rows as f64 / sum)
}

/// Default model order (three terms beside R_∞).
pub const DEFAULT_ORDER: usize = 5;
/// Default number of nested subsets (n/10, 2n/10, …, n).
pub const DEFAULT_SUBSETS: usize = 10;
/// Highest order accepted (3^(order−1) candidate fits).
pub const MAX_ORDER: usize = 8;

/// A fitted kNN-Extrapolate model.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtrapolateFit {
    /// The extrapolated 1-NN error R_∞.
    pub r_infinity: f64,
    /// The coefficients b_0 … b_{order−3}.
    pub coefficients: Vec<f64>,
    /// The residual sum of squares.
    pub residual: f64,
}

/// Fit the model to 1-NN `errors` measured with `sizes` reference points
/// (see the module documentation).
///
/// # Errors
/// Lengths that differ, fewer than 2 sizes, a size below 1, an order
/// outside 3..=[`MAX_ORDER`], d = 0, fewer than 2 classes.
pub fn fit(
    sizes: &[f64],
    errors: &[f64],
    dim: usize,
    classes: usize,
    order: usize,
) -> Result<ExtrapolateFit, StatsError> {
    if sizes.len() != errors.len() {
        return Err(StatsError::LengthMismatch {
            what: "subset sizes and errors",
            expected: sizes.len(),
            got: errors.len(),
        });
    }
    if classes < 2 {
        return Err(StatsError::TooFewClasses { k: classes });
    }
    let bad = |reason: String| StatsError::InvalidParameter {
        name: "extrapolate",
        reason,
    };
    if sizes.len() < 2 || sizes.iter().any(|&s| s.is_nan() || s < 1.0) || dim == 0 {
        return Err(bad(format!(
            "needs at least 2 subset sizes of at least 1 and d ≥ 1 (got {} sizes, d = {dim})",
            sizes.len()
        )));
    }
    if !(3..=MAX_ORDER).contains(&order) {
        return Err(bad(format!(
            "order must be in 3..={MAX_ORDER}, got {order}"
        )));
    }
    let p = order - 1;
    let d = dim as f64;
    let rows: Vec<Vec<f64>> = sizes
        .iter()
        .map(|&n| {
            std::iter::once(1.0)
                .chain((0..p - 1).map(|i| n.powf(-((i + 2) as f64) / d)))
                .collect()
        })
        .collect();
    let mut bounds = vec![(-1.0, 1.0); p];
    bounds[0] = (0.0, (classes as f64 - 1.0) / classes as f64);
    let residual = |x: &[f64]| -> f64 {
        rows.iter()
            .zip(errors)
            .map(|(row, &y)| {
                let fitted: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
                (fitted - y) * (fitted - y)
            })
            .sum()
    };
    let mut best: Option<(f64, usize, Vec<f64>)> = None;
    for code in 0..3usize.pow(p as u32) {
        // 0: free, 1: at the lower bound, 2: at the upper bound.
        let states: Vec<usize> = (0..p).map(|j| code / 3usize.pow(j as u32) % 3).collect();
        let free: Vec<usize> = (0..p).filter(|&j| states[j] == 0).collect();
        let mut x: Vec<f64> = (0..p)
            .map(|j| match states[j] {
                1 => bounds[j].0,
                2 => bounds[j].1,
                _ => 0.0,
            })
            .collect();
        if !free.is_empty() {
            let m = free.len();
            let mut gram = vec![0.0; m * m];
            let mut rhs = vec![0.0; m];
            for (row, &y) in rows.iter().zip(errors) {
                let fixed: f64 = (0..p)
                    .filter(|j| states[*j] != 0)
                    .map(|j| row[j] * x[j])
                    .sum();
                for (a, &fa) in free.iter().enumerate() {
                    rhs[a] += row[fa] * (y - fixed);
                    for (b, &fb) in free.iter().enumerate() {
                        gram[a * m + b] += row[fa] * row[fb];
                    }
                }
            }
            let Some(solution) = solve(&gram, &rhs) else {
                continue;
            };
            let feasible = free.iter().zip(&solution).all(|(&j, &v)| {
                let slack = 1e-12 * (1.0 + v.abs());
                v >= bounds[j].0 - slack && v <= bounds[j].1 + slack
            });
            if !feasible {
                continue;
            }
            for (&j, v) in free.iter().zip(solution) {
                x[j] = v.clamp(bounds[j].0, bounds[j].1);
            }
        }
        let r = residual(&x);
        let better = match &best {
            None => true,
            Some((br, bf, _)) => r < *br * (1.0 - 1e-12) || (r <= *br && free.len() < *bf),
        };
        if better {
            best = Some((r, free.len(), x));
        }
    }
    let (residual, _, x) = best.expect("the corners of the box are always feasible");
    Ok(ExtrapolateFit {
        r_infinity: x[0],
        coefficients: x[1..].to_vec(),
        residual,
    })
}

/// kNN-Extrapolate with its interval: `wrong[s][q]` says whether query q's
/// 1-NN among the first `sizes[s]` reference points has another label.
/// The value is [`fit`] of the error rates; the interval the percentile
/// interval of `bootstrap` refits on query resamples (seeded
/// Xoshiro256++; none when `bootstrap` is 0: the point interval); the
/// lower bound the Cover–Hart inverse of all three.
///
/// # Errors
/// As [`fit`]; queries that differ in number between sizes; no queries.
#[allow(clippy::too_many_arguments)]
pub fn extrapolate(
    sizes: &[f64],
    wrong: &[Vec<bool>],
    dim: usize,
    classes: usize,
    order: usize,
    bootstrap: usize,
    seed: u64,
    confidence: f64,
) -> Result<(Bracket, ExtrapolateFit), StatsError> {
    let n = wrong.first().map_or(0, Vec::len);
    if n == 0 {
        return Err(StatsError::Empty);
    }
    if let Some(row) = wrong.iter().find(|w| w.len() != n) {
        return Err(StatsError::LengthMismatch {
            what: "queries at each subset size",
            expected: n,
            got: row.len(),
        });
    }
    let rate = |counts: &[u32]| -> Vec<f64> {
        wrong
            .iter()
            .map(|w| {
                let (mut bad, mut total) = (0u64, 0u64);
                for (q, &c) in counts.iter().enumerate() {
                    total += u64::from(c);
                    if w[q] {
                        bad += u64::from(c);
                    }
                }
                bad as f64 / total as f64
            })
            .collect()
    };
    let point = fit(sizes, &rate(&vec![1; n]), dim, classes, order)?;
    let mut replicates = Vec::with_capacity(bootstrap);
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut counts = vec![0u32; n];
    for _ in 0..bootstrap {
        counts.fill(0);
        for _ in 0..n {
            counts[rng.random_range(0..n)] += 1;
        }
        replicates.push(fit(sizes, &rate(&counts), dim, classes, order)?.r_infinity);
    }
    let (low, high) = percentile_interval(&replicates, confidence)
        .unwrap_or((point.r_infinity, point.r_infinity));
    let upper = Estimate {
        value: point.r_infinity,
        low: low.min(point.r_infinity),
        high: high.max(point.r_infinity),
    };
    Ok((
        Bracket {
            upper,
            lower: upper.map(|r| cover_hart_lower(r, classes)),
        },
        point,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_parameters_of_exact_data() {
        let (d, classes) = (2usize, 10usize);
        let truth = [0.05, 0.8, -0.3, 0.1];
        let sizes: Vec<f64> = (1..=10).map(|i| 500.0 * i as f64).collect();
        let errors: Vec<f64> = sizes
            .iter()
            .map(|&n| {
                truth[0]
                    + (0..3)
                        .map(|i| truth[i + 1] * n.powf(-((i + 2) as f64) / d as f64))
                        .sum::<f64>()
            })
            .collect();
        let f = fit(&sizes, &errors, d, classes, 5).unwrap();
        assert!((f.r_infinity - 0.05).abs() < 1e-6, "{f:?}");
        assert!(f.residual < 1e-14, "{f:?}");
    }

    #[test]
    fn intrinsic_dimension_of_uniform_points_in_a_plane_and_a_cube() {
        use rand::{Rng, SeedableRng};
        for d in [2usize, 5] {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(d as u64);
            let pts: Vec<Vec<f64>> = (0..1500)
                .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
                .collect();
            let k = 10;
            let mut dist = Vec::new();
            for p in &pts[..300] {
                let mut all: Vec<f64> = pts
                    .iter()
                    .map(|q| {
                        p.iter()
                            .zip(q)
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum::<f64>()
                            .sqrt()
                    })
                    .filter(|&t| t > 0.0)
                    .collect();
                all.sort_by(f64::total_cmp);
                dist.extend_from_slice(&all[..k]);
            }
            let m = intrinsic_dimension(&dist, k).unwrap();
            assert!((m - d as f64).abs() < 0.25 * d as f64, "d {d}: {m}");
        }
        assert_eq!(intrinsic_dimension(&[0.0, 1.0, 2.0], 3), None);
        assert!(spread(&[100.0, 1000.0], 2.0) > 0.8);
        assert!(spread(&[100.0, 1000.0], 512.0) < MIN_SPREAD);
    }

    #[test]
    fn keeps_r_infinity_in_its_box() {
        // Errors rising with n would extrapolate below 0 without bounds.
        let sizes = [100.0, 200.0, 400.0, 800.0];
        let errors = [0.01, 0.02, 0.03, 0.04];
        let f = fit(&sizes, &errors, 3, 2, 5).unwrap();
        assert!((0.0..=0.5).contains(&f.r_infinity));
        assert!(f.coefficients.iter().all(|b| (-1.0..=1.0).contains(b)));
        assert!(fit(&sizes, &errors[..3], 3, 2, 5).is_err());
        assert!(fit(&sizes, &errors, 3, 2, 2).is_err());
    }

    #[test]
    fn bootstrap_interval_contains_the_value() {
        let sizes = [100.0, 200.0, 300.0];
        let wrong: Vec<Vec<bool>> = (0..3)
            .map(|s| (0..200).map(|q| q % (5 + s) == 0).collect())
            .collect();
        let (b, _) = extrapolate(&sizes, &wrong, 4, 3, 4, 50, 7, 0.95).unwrap();
        assert!(b.upper.low <= b.upper.value && b.upper.value <= b.upper.high);
        assert!(b.lower.value <= b.upper.value);
        let (again, _) = extrapolate(&sizes, &wrong, 4, 3, 4, 50, 7, 0.95).unwrap();
        assert_eq!(b, again);
    }
}
