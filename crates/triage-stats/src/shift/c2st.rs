//! Classifier two-sample test: can a classifier tell the two samples apart?
//!
//! Reference: Lopez-Paz & Oquab, "Revisiting Classifier Two-Sample Tests",
//! ICLR 2017. Procedure and defaults:
//!
//! 1. The larger side is subsampled (seeded) to the size of the smaller,
//!    so that chance accuracy is exactly 1/2.
//! 2. Features are standardised (mean and sd of the training folds).
//! 3. An L2-regularised logistic regression (scikit-learn's objective with
//!    C = 1: ½‖w‖² + C Σ log-loss, intercept unpenalised; fitted by L-BFGS)
//!    is cross-fitted over [`C2stParams::folds`] (default 5) folds
//!    stratified by side: every point is scored by a model that did not
//!    see it.
//! 4. Held-out AUC of P(target | z) with DeLong's variance (DeLong, DeLong
//!    & Clarke-Pearson, Biometrics 44, 1988): with ψ(a, b) = 1 if a > b,
//!    ½ if equal, V₁₀ᵢ = meanⱼ ψ(Xᵢ, Yⱼ), V₀₁ⱼ = meanᵢ ψ(Xᵢ, Yⱼ),
//!    Var = s²(V₁₀)/m + s²(V₀₁)/n; the interval AUC ± z·√Var, clipped to
//!    [0, 1].
//! 5. Held-out accuracy (P > ½) and the one-sided binomial test of
//!    "accuracy ≤ ½": p = P(Bin(N, ½) ≥ correct).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::bootstrap::splitmix;
use crate::error::StatsError;
use crate::intervals::normal_quantile;
use crate::metric::Metric;
use crate::roc::roc_auc_score;

use super::distributions::binomial_sf_ge;
use super::optimize::minimize;

/// Settings of [`c2st`].
#[derive(Debug, Clone, PartialEq)]
pub struct C2stParams {
    /// Cross-fitting folds (≥ 2). Default 5.
    pub folds: usize,
    /// Inverse regularisation strength C (> 0). Default 1.
    pub c: f64,
    /// Seed of the subsample and the folds.
    pub seed: u64,
    /// Confidence of the AUC interval. Default 0.95.
    pub confidence: f64,
}

impl Default for C2stParams {
    fn default() -> Self {
        Self {
            folds: 5,
            c: 1.0,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// The result of [`c2st`].
#[derive(Debug, Clone, PartialEq)]
pub struct C2st {
    /// Points used per side.
    pub per_side: usize,
    /// Held-out AUC of telling target from source.
    pub auc: f64,
    /// Its DeLong interval.
    pub auc_interval: (f64, f64),
    /// Held-out accuracy at P = ½.
    pub accuracy: f64,
    /// One-sided binomial p-value of the accuracy against ½.
    pub p_value: f64,
    /// Out-of-fold P(target) of the source points used, with their index
    /// in the source input.
    pub source_scores: Vec<(usize, f64)>,
    /// Out-of-fold P(target) of the target points used, with their index
    /// in the target input.
    pub target_scores: Vec<(usize, f64)>,
}

/// L2-regularised logistic regression (see the module docs); returns
/// (w, b) for standardised features.
fn fit_logistic(x: &[f64], y: &[f64], dim: usize, c: f64) -> Vec<f64> {
    let n = y.len();
    let objective = |theta: &[f64], grad: &mut [f64]| {
        let (w, b) = (&theta[..dim], theta[dim]);
        grad.fill(0.0);
        let mut loss = 0.0;
        for (row, &t) in x.chunks_exact(dim).zip(y) {
            let z: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + b;
            // log(1 + e^{−s z}) with s = ±1, stably.
            let s = if t > 0.5 { 1.0 } else { -1.0 };
            let m = -s * z;
            loss += if m > 0.0 {
                m + (-m).exp().ln_1p()
            } else {
                m.exp().ln_1p()
            };
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - t;
            for (g, a) in grad[..dim].iter_mut().zip(row) {
                *g += r * a;
            }
            grad[dim] += r;
        }
        // Objective scaled by 1/(C·n): mean log-loss + ‖w‖²/(2Cn).
        let scale = 1.0 / n as f64;
        let ridge = 1.0 / (c * n as f64);
        let mut value = loss * scale;
        for (g, wi) in grad[..dim].iter_mut().zip(w) {
            *g = *g * scale + ridge * wi;
            value += 0.5 * ridge * wi * wi;
        }
        grad[dim] *= scale;
        value
    };
    minimize(&objective, vec![0.0; dim + 1], 1e-6, 500).x
}

/// DeLong's variance of the AUC of positives `pos` against negatives `neg`.
pub fn delong_variance(pos: &[f64], neg: &[f64]) -> f64 {
    let (m, n) = (pos.len(), neg.len());
    if m < 2 || n < 2 {
        return f64::NAN;
    }
    let mut sp = pos.to_vec();
    let mut sn = neg.to_vec();
    sp.sort_by(f64::total_cmp);
    sn.sort_by(f64::total_cmp);
    // (# below, # equal) of v in a sorted slice.
    let count = |s: &[f64], v: f64| {
        let below = s.partition_point(|&a| a < v);
        let upto = s.partition_point(|&a| a <= v);
        (below, upto - below)
    };
    let v10: Vec<f64> = pos
        .iter()
        .map(|&x| {
            let (b, e) = count(&sn, x);
            (b as f64 + 0.5 * e as f64) / n as f64
        })
        .collect();
    let v01: Vec<f64> = neg
        .iter()
        .map(|&y| {
            let (b, e) = count(&sp, y);
            ((m - b - e) as f64 + 0.5 * e as f64) / m as f64
        })
        .collect();
    let var = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    var(&v10) / m as f64 + var(&v01) / n as f64
}

/// The classifier two-sample test of source (m × dim) against target
/// (n × dim), rows row-major (see the module docs).
///
/// # Errors
/// Shapes, fewer than `folds` · 2 points on a side, values that are not
/// finite, invalid settings.
pub fn c2st(
    source: &[f64],
    target: &[f64],
    dim: usize,
    params: &C2stParams,
) -> Result<C2st, StatsError> {
    if params.folds < 2
        || params.c.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        || !(0.0..1.0).contains(&params.confidence)
        || params.confidence == 0.0
    {
        return Err(StatsError::InvalidParameter {
            name: "c2st",
            reason: format!(
                "folds {} (≥ 2), C {} (> 0), confidence {} (in (0, 1))",
                params.folds, params.c, params.confidence
            ),
        });
    }
    if dim == 0 || !source.len().is_multiple_of(dim) || !target.len().is_multiple_of(dim) {
        return Err(StatsError::BadShape {
            len: source.len() + target.len(),
            k: dim,
        });
    }
    for (data, _) in [(source, "source"), (target, "target")] {
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::NotFinite {
                row: i / dim,
                col: i % dim,
                value: data[i],
            });
        }
    }
    let (m, n) = (source.len() / dim, target.len() / dim);
    let per_side = m.min(n);
    if per_side < 2 * params.folds {
        return Err(StatsError::TooFewSamples {
            what: "the smaller sample",
            got: per_side,
            min: 2 * params.folds,
        });
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(params.seed ^ 0xC257));
    let mut pick = |len: usize| {
        let mut idx: Vec<usize> = (0..len).collect();
        idx.shuffle(&mut rng);
        idx.truncate(per_side);
        idx
    };
    // Shuffled: fold f takes positions f, f + folds, … of each side.
    let src_idx = pick(m);
    let tgt_idx = pick(n);
    // Rows: source points then target points.
    let rows: Vec<(&[f64], f64, usize)> = src_idx
        .iter()
        .map(|&i| (&source[i * dim..(i + 1) * dim], 0.0, i))
        .chain(
            tgt_idx
                .iter()
                .map(|&i| (&target[i * dim..(i + 1) * dim], 1.0, i)),
        )
        .collect();
    let fold_of = |r: usize| (r % per_side) % params.folds;
    let scores: Vec<Vec<(usize, f64)>> = (0..params.folds)
        .into_par_iter()
        .map(|f| {
            let train: Vec<usize> = (0..rows.len()).filter(|&r| fold_of(r) != f).collect();
            let mut mean = vec![0.0; dim];
            let mut sd = vec![0.0; dim];
            for &r in &train {
                for (a, v) in mean.iter_mut().zip(rows[r].0) {
                    *a += v;
                }
            }
            mean.iter_mut().for_each(|a| *a /= train.len() as f64);
            for &r in &train {
                for ((s, v), mu) in sd.iter_mut().zip(rows[r].0).zip(&mean) {
                    *s += (v - mu) * (v - mu);
                }
            }
            sd.iter_mut().for_each(|s| {
                *s = (*s / train.len() as f64).sqrt();
                if *s == 0.0 {
                    *s = 1.0;
                }
            });
            let standardise = |row: &[f64], out: &mut Vec<f64>| {
                out.extend(
                    row.iter()
                        .zip(&mean)
                        .zip(&sd)
                        .map(|((v, mu), s)| (v - mu) / s),
                );
            };
            let mut x = Vec::with_capacity(train.len() * dim);
            let mut y = Vec::with_capacity(train.len());
            for &r in &train {
                standardise(rows[r].0, &mut x);
                y.push(rows[r].1);
            }
            let theta = fit_logistic(&x, &y, dim, params.c);
            let mut buf = Vec::with_capacity(dim);
            (0..rows.len())
                .filter(|&r| fold_of(r) == f)
                .map(|r| {
                    buf.clear();
                    standardise(rows[r].0, &mut buf);
                    let z: f64 = buf
                        .iter()
                        .zip(&theta[..dim])
                        .map(|(a, b)| a * b)
                        .sum::<f64>()
                        + theta[dim];
                    (r, 1.0 / (1.0 + (-z).exp()))
                })
                .collect()
        })
        .collect();
    let mut score = vec![0.0; rows.len()];
    for (r, s) in scores.into_iter().flatten() {
        score[r] = s;
    }
    let truth: Vec<bool> = rows.iter().map(|r| r.1 > 0.5).collect();
    let auc = match roc_auc_score(&truth, &score)? {
        Metric::Value(v) => v,
        Metric::Undefined { .. } => 0.5,
    };
    let (pos, neg): (Vec<f64>, Vec<f64>) = (score[per_side..].to_vec(), score[..per_side].to_vec());
    let se = delong_variance(&pos, &neg).max(0.0).sqrt();
    let z = normal_quantile(0.5 + params.confidence / 2.0);
    let correct = score
        .iter()
        .zip(&truth)
        .filter(|(&s, &t)| (s > 0.5) == t)
        .count();
    let total = rows.len();
    Ok(C2st {
        per_side,
        auc,
        auc_interval: ((auc - z * se).max(0.0), (auc + z * se).min(1.0)),
        accuracy: correct as f64 / total as f64,
        p_value: binomial_sf_ge(correct as u64, total as u64, 0.5),
        source_scores: rows[..per_side].iter().map(|r| r.2).zip(neg).collect(),
        target_scores: rows[per_side..].iter().map(|r| r.2).zip(pos).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn sample(n: usize, dim: usize, shift: f64, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n * dim)
            .map(|i| rng.random::<f64>() + if i % dim == 0 { shift } else { 0.0 })
            .collect()
    }

    #[test]
    fn separates_shifted_samples_and_not_equal_ones() {
        let dim = 4;
        let shifted = c2st(
            &sample(300, dim, 0.0, 1),
            &sample(300, dim, 0.5, 2),
            dim,
            &C2stParams::default(),
        )
        .unwrap();
        assert!(shifted.auc > 0.75 && shifted.p_value < 1e-6, "{shifted:?}");
        assert!(shifted.auc_interval.0 < shifted.auc && shifted.auc < shifted.auc_interval.1);
        let same = c2st(
            &sample(300, dim, 0.0, 3),
            &sample(300, dim, 0.0, 4),
            dim,
            &C2stParams::default(),
        )
        .unwrap();
        assert!(same.auc < 0.6 && same.p_value > 0.001, "{same:?}");
    }

    #[test]
    fn delong_variance_is_zero_for_perfect_separation() {
        assert_eq!(delong_variance(&[2.0, 3.0, 4.0], &[0.0, 1.0]), 0.0);
    }
}
