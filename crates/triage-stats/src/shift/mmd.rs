//! Maximum mean discrepancy with a Gaussian kernel and a permutation test.
//!
//! **Statistic** (Gretton et al., "A Kernel Two-Sample Test", JMLR 13,
//! 2012, eq. 3), the unbiased
//!
//! ```text
//! MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(xᵢ,xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ,yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ,yⱼ)
//! k(a, b) = exp(−‖a − b‖² / (2σ²))
//! ```
//!
//! **Bandwidth** (median heuristic, alibi-detect's convention applied to
//! the pooled sample): σ² = median_{i<j} ‖zᵢ − zⱼ‖² / 2 over the pooled
//! Z = X ∪ Y, or over a seeded subsample of [`MmdParams::bandwidth_points`]
//! (default 2,000) of Z when it is larger. It depends on the pooled set
//! only, never on which point came from which side, so the permutation
//! test stays exact. A median of 0 (over half the pairs identical) falls
//! back to the mean squared distance.
//!
//! **Permutation test.** B random relabellings (default 1,000) of Z into
//! sizes m and n; p = (1 + #{b : MMD²_b ≥ MMD²_obs}) / (1 + B) (Phipson
//! & Smyth 2010; alibi-detect's k/B can be 0). With a the 0/1 indicator of
//! the x side, every statistic is a function of aᵀKa, a·r (r the row sums
//! of K) and 1ᵀK1, so the kernel matrix is computed once, in row blocks of
//! its upper triangle (never stored whole: memory O(block · (N + B))), and
//! each block is multiplied with the N × (1+B) matrix of all assignments
//! (the observed one first) in one GEMM. The observed and permuted values
//! go through the same arithmetic; identical assignments give identical
//! values. Cost 2·N²·(1+B)/2 flops for N = m + n.
//!
//! Callers cap m and n (`triage shift --max-per-side`, default 5,000): at
//! N = 10,000 and B = 1,000 this is about 10¹¹ flops.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::bootstrap::splitmix;
use crate::error::StatsError;

use super::matmul::{matmul, View};

/// Default [`MmdParams::permutations`].
pub const DEFAULT_PERMUTATIONS: usize = 1_000;
/// Default [`MmdParams::bandwidth_points`].
pub const DEFAULT_BANDWIDTH_POINTS: usize = 2_000;
/// Rows of the kernel computed at a time.
const BLOCK: usize = 128;

/// Settings of [`mmd_test`].
#[derive(Debug, Clone, PartialEq)]
pub struct MmdParams {
    /// Permutations B (≥ 1). Default 1,000.
    pub permutations: usize,
    /// Seed of the relabellings and of the bandwidth subsample.
    pub seed: u64,
    /// Pooled points the median heuristic looks at (≥ 2). Default 2,000.
    pub bandwidth_points: usize,
    /// A fixed σ² instead of the median heuristic.
    pub sigma2: Option<f64>,
}

impl Default for MmdParams {
    fn default() -> Self {
        Self {
            permutations: DEFAULT_PERMUTATIONS,
            seed: 0,
            bandwidth_points: DEFAULT_BANDWIDTH_POINTS,
            sigma2: None,
        }
    }
}

/// The result of [`mmd_test`].
#[derive(Debug, Clone, PartialEq)]
pub struct MmdTest {
    /// The observed unbiased MMD².
    pub mmd2: f64,
    /// Permutation p-value (1 + k)/(1 + B).
    pub p_value: f64,
    /// The kernel's σ².
    pub sigma2: f64,
    /// Permutations run.
    pub permutations: usize,
    /// Permuted values at least as large as the observed one.
    pub exceedances: usize,
    /// Mean of the permuted values.
    pub null_mean: f64,
    /// 95th percentile of the permuted values (the 5 % critical value).
    pub null_q95: f64,
}

fn check_rows(data: &[f64], dim: usize, what: &'static str) -> Result<usize, StatsError> {
    if dim == 0 || !data.len().is_multiple_of(dim) {
        return Err(StatsError::BadShape {
            len: data.len(),
            k: dim,
        });
    }
    let n = data.len() / dim;
    if n < 2 {
        return Err(StatsError::TooFewSamples {
            what,
            got: n,
            min: 2,
        });
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite {
            row: i / dim,
            col: i % dim,
            value: data[i],
        });
    }
    Ok(n)
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum()
}

/// σ² of the median heuristic over `z` (n × dim; see the module docs).
pub fn median_heuristic_sigma2(z: &[f64], dim: usize, max_points: usize, seed: u64) -> f64 {
    let n = z.len() / dim;
    let idx = super::seeded_subsample(n, max_points, splitmix(seed ^ 0xB4_D1));
    let mut d: Vec<f64> = Vec::with_capacity(idx.len() * idx.len().saturating_sub(1) / 2);
    for (a, &i) in idx.iter().enumerate() {
        for &j in &idx[a + 1..] {
            d.push(sq_dist(
                &z[i * dim..(i + 1) * dim],
                &z[j * dim..(j + 1) * dim],
            ));
        }
    }
    if d.is_empty() {
        return 1.0;
    }
    let len = d.len();
    let mid = len / 2;
    let (_, &mut upper, _) = d.select_nth_unstable_by(mid, f64::total_cmp);
    let median = if len % 2 == 1 {
        upper
    } else {
        let lower = d[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    };
    if median > 0.0 {
        median / 2.0
    } else {
        d.iter().sum::<f64>() / len as f64 / 2.0
    }
}

/// The unbiased MMD² of x (m × dim) and y (n × dim) at σ², computed
/// directly in O((m+n)²·dim) (the reference for [`mmd_test`]).
///
/// # Errors
/// Shapes, fewer than 2 rows a side, values that are not finite.
pub fn mmd2_unbiased(x: &[f64], y: &[f64], dim: usize, sigma2: f64) -> Result<f64, StatsError> {
    let m = check_rows(x, dim, "first sample")?;
    let n = check_rows(y, dim, "second sample")?;
    let k = |a: &[f64], b: &[f64]| (-sq_dist(a, b) / (2.0 * sigma2)).exp();
    fn row(d: &[f64], dim: usize, i: usize) -> &[f64] {
        &d[i * dim..(i + 1) * dim]
    }
    let within = |d: &[f64], len: usize| {
        let mut s = 0.0;
        for i in 0..len {
            for j in i + 1..len {
                s += k(row(d, dim, i), row(d, dim, j));
            }
        }
        2.0 * s / (len as f64 * (len - 1) as f64)
    };
    let mut cross = 0.0;
    for i in 0..m {
        for j in 0..n {
            cross += k(row(x, dim, i), row(y, dim, j));
        }
    }
    Ok(within(x, m) + within(y, n) - 2.0 * cross / (m as f64 * n as f64))
}

/// The MMD permutation test of x (m × dim) against y (n × dim), rows
/// row-major (see the module docs).
///
/// # Errors
/// Shapes, fewer than 2 rows a side, values that are not finite, no
/// permutations.
pub fn mmd_test(
    x: &[f64],
    y: &[f64],
    dim: usize,
    params: &MmdParams,
) -> Result<MmdTest, StatsError> {
    let m = check_rows(x, dim, "first sample")?;
    let n = check_rows(y, dim, "second sample")?;
    if params.permutations == 0 {
        return Err(StatsError::InvalidParameter {
            name: "permutations",
            reason: "at least 1 permutation".into(),
        });
    }
    let total = m + n;
    let mut z = Vec::with_capacity(total * dim);
    z.extend_from_slice(x);
    z.extend_from_slice(y);
    let sigma2 = match params.sigma2 {
        Some(s) if s > 0.0 && s.is_finite() => s,
        Some(s) => {
            return Err(StatsError::InvalidParameter {
                name: "sigma2",
                reason: format!("{s} is not a positive number"),
            })
        }
        None => median_heuristic_sigma2(&z, dim, params.bandwidth_points.max(2), params.seed),
    };
    if sigma2 == 0.0 {
        // Every point is the same: the samples cannot differ.
        return Ok(MmdTest {
            mmd2: 0.0,
            p_value: 1.0,
            sigma2,
            permutations: params.permutations,
            exceedances: params.permutations,
            null_mean: 0.0,
            null_q95: 0.0,
        });
    }
    let cols = params.permutations + 1;
    // assignments[i * cols + b] = 1 when pooled point i is on the x side in
    // assignment b (b = 0: the observed split).
    let mut assignments = vec![0.0f64; total * cols];
    for i in 0..m {
        assignments[i * cols] = 1.0;
    }
    let columns: Vec<Vec<usize>> = (1..cols)
        .into_par_iter()
        .map(|b| {
            let mut rng =
                Xoshiro256PlusPlus::seed_from_u64(splitmix(params.seed ^ splitmix(b as u64)));
            let mut idx: Vec<usize> = (0..total).collect();
            let (chosen, _) = idx.partial_shuffle(&mut rng, m);
            chosen.to_vec()
        })
        .collect();
    for (b, chosen) in columns.iter().enumerate() {
        for &i in chosen {
            assignments[i * cols + b + 1] = 1.0;
        }
    }
    let norms: Vec<f64> = z
        .chunks_exact(dim)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    let gamma = 1.0 / (2.0 * sigma2);
    let starts: Vec<usize> = (0..total).step_by(BLOCK).collect();
    // Per block: its share of aᵀKa for every assignment, and of the row sums.
    let parts: Vec<(Vec<f64>, Vec<f64>)> = starts
        .par_iter()
        .map(|&r0| {
            let r1 = (r0 + BLOCK).min(total);
            let (rb, width) = (r1 - r0, total - r0);
            let mut kern = vec![0.0f64; rb * width];
            matmul(
                &mut kern,
                View::rows(&z[r0 * dim..r1 * dim], rb, dim),
                View::transposed(&z[r0 * dim..], width, dim),
            );
            let mut row_sums = vec![0.0f64; total];
            for a in 0..rb {
                let i = r0 + a;
                for (c, v) in kern[a * width..(a + 1) * width].iter_mut().enumerate() {
                    let j = r0 + c;
                    let value = if i == j {
                        1.0
                    } else {
                        (-(norms[i] + norms[j] - 2.0 * *v).max(0.0) * gamma).exp()
                    };
                    if j >= i {
                        row_sums[i] += value;
                        if j > i {
                            row_sums[j] += value;
                        }
                    }
                    // Below the diagonal of the diagonal block: counted
                    // from the other side; beyond the block: twice.
                    *v = if j < i {
                        0.0
                    } else if j == i {
                        value
                    } else {
                        2.0 * value
                    };
                }
            }
            let mut product = vec![0.0f64; rb * cols];
            matmul(
                &mut product,
                View::rows(&kern, rb, width),
                View::rows(&assignments[r0 * cols..], width, cols),
            );
            let mut quad = vec![0.0f64; cols];
            for a in 0..rb {
                let arow = &assignments[(r0 + a) * cols..(r0 + a + 1) * cols];
                for ((q, p), w) in quad
                    .iter_mut()
                    .zip(&product[a * cols..(a + 1) * cols])
                    .zip(arow)
                {
                    *q += p * w;
                }
            }
            (quad, row_sums)
        })
        .collect();
    let mut quad = vec![0.0f64; cols];
    let mut row_sums = vec![0.0f64; total];
    for (q, r) in &parts {
        for (a, b) in quad.iter_mut().zip(q) {
            *a += b;
        }
        for (a, b) in row_sums.iter_mut().zip(r) {
            *a += b;
        }
    }
    let all: f64 = row_sums.iter().sum();
    let (mf, nf) = (m as f64, n as f64);
    let statistic = |b: usize| {
        let ar: f64 = (0..total)
            .map(|i| assignments[i * cols + b] * row_sums[i])
            .sum();
        let xx = quad[b] - mf;
        let yy = all - 2.0 * ar + quad[b] - nf;
        let xy = ar - quad[b];
        xx / (mf * (mf - 1.0)) + yy / (nf * (nf - 1.0)) - 2.0 * xy / (mf * nf)
    };
    let observed = statistic(0);
    let mut null: Vec<f64> = (1..cols).map(statistic).collect();
    let exceedances = null.iter().filter(|&&v| v >= observed).count();
    let null_mean = null.iter().sum::<f64>() / null.len() as f64;
    null.sort_by(f64::total_cmp);
    let null_q95 = crate::intervals::percentile_sorted(&null, 0.95);
    Ok(MmdTest {
        mmd2: observed,
        p_value: (1 + exceedances) as f64 / cols as f64,
        sigma2,
        permutations: params.permutations,
        exceedances,
        null_mean,
        null_q95,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn gaussian(n: usize, dim: usize, shift: f64, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n * dim)
            .map(|_| {
                // Box–Muller
                let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
                (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos() + shift
            })
            .collect()
    }

    #[test]
    fn blocked_statistic_equals_the_direct_one() {
        // Sizes that straddle the block edge.
        let dim = 3;
        let x = gaussian(150, dim, 0.0, 1);
        let y = gaussian(170, dim, 0.3, 2);
        let params = MmdParams {
            permutations: 20,
            ..MmdParams::default()
        };
        let t = mmd_test(&x, &y, dim, &params).unwrap();
        let direct = mmd2_unbiased(&x, &y, dim, t.sigma2).unwrap();
        assert!((t.mmd2 - direct).abs() < 1e-12, "{} vs {direct}", t.mmd2);
        assert!(t.p_value < 0.1);
    }

    #[test]
    fn p_value_is_never_zero_and_seeded() {
        let dim = 2;
        let x = gaussian(40, dim, 0.0, 3);
        let y = gaussian(40, dim, 3.0, 4);
        let params = MmdParams {
            permutations: 99,
            ..MmdParams::default()
        };
        let a = mmd_test(&x, &y, dim, &params).unwrap();
        assert_eq!(a.p_value, 0.01);
        assert_eq!(a, mmd_test(&x, &y, dim, &params).unwrap());
    }

    #[test]
    fn permuted_values_match_direct_computation() {
        // The permutation machinery: a relabelled pooled sample scored
        // directly gives the same value as its column.
        let dim = 2;
        let x = gaussian(9, dim, 0.0, 5);
        let y = gaussian(7, dim, 0.5, 6);
        let t = mmd_test(
            &x,
            &y,
            dim,
            &MmdParams {
                permutations: 5,
                ..MmdParams::default()
            },
        )
        .unwrap();
        assert!(t.null_mean.is_finite());
        let swapped = mmd2_unbiased(&y, &x, dim, t.sigma2).unwrap();
        assert!((swapped - t.mmd2).abs() < 1e-12);
    }
}
