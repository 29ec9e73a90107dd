//! The latent prior and noise matrices from the calibrated confident joint
//! (cleanlab's `count.estimate_latent` with `py_method="cnt"`, and its
//! `_converge_estimates`).

use super::confident_joint::TINY;
use super::numeric::pairwise_sum;

/// cleanlab's `CLIPPING_LOWER_BOUND`: the floor of the prior.
const PRIOR_FLOOR: f64 = 1e-6;
/// Floor of the prior after convergence (cleanlab's literal 1e-5).
const CONVERGED_PRIOR_FLOOR: f64 = 1e-5;
/// Ceiling of an off-diagonal noise rate (cleanlab's `clip_noise_rates`).
const MAX_NOISE_RATE: f64 = 0.9999;

/// A K×K matrix, row-major.
type Square = Vec<f64>;

/// How a column of a matrix is summed, following the memory layout of the
/// array cleanlab builds: a C-ordered array's columns are summed top to
/// bottom, an F-ordered one's pairwise (identical below 8 classes).
#[derive(Clone, Copy)]
enum Layout {
    /// The noise matrix (C order in cleanlab).
    RowMajor,
    /// The inverse noise matrix (F order in cleanlab).
    ColumnMajor,
}

pub(super) struct Latent {
    pub(super) prior: Vec<f64>,
    /// `noise[i * k + j] = P(given = i | true = j)`.
    pub(super) noise: Square,
    /// `inverse[j * k + i] = P(true = j | given = i)`.
    pub(super) inverse: Square,
}

/// cleanlab's `estimate_latent(calibrated_cj, labels)`:
///
/// ```text
/// ps_i  = n_i / n
/// N_ij  = Q_ij / Σ_i Q_ij                   P(given = i | true = j)
/// I_ji  = Q_ij / Σ_j Q_ij                   P(true = j | given = i)
/// py_j  = I_jj / N_jj · ps_j, clipped to [1e-6, 1] and renormalised to 1
/// ```
///
/// after which the off-diagonal entries of N and I are clipped to
/// [0, 0.9999] and their columns renormalised to 1 (`clip_noise_rates`).
/// Every divisor is floored at 1e-100.
pub(super) fn estimate_latent(cal: &[usize], label_counts: &[usize], converge: bool) -> Latent {
    let k = label_counts.len();
    let n: usize = label_counts.iter().sum();
    let ps: Vec<f64> = label_counts.iter().map(|&c| c as f64 / n as f64).collect();
    let row_sums: Vec<f64> = (0..k)
        .map(|i| cal[i * k..(i + 1) * k].iter().sum::<usize>() as f64)
        .collect();
    let col_sums: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| cal[i * k + j]).sum::<usize>() as f64)
        .collect();
    let mut noise = vec![0.0; k * k];
    let mut inverse = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            let q = cal[i * k + j] as f64;
            noise[i * k + j] = q / col_sums[j].max(TINY);
            inverse[j * k + i] = q / row_sums[i].max(TINY);
        }
    }
    let prior = prior_cnt(&ps, &noise, &inverse, k);
    let mut noise = clip_noise_rates(&noise, k, Layout::RowMajor);
    let mut inverse = clip_noise_rates(&inverse, k, Layout::ColumnMajor);
    let mut prior = prior;
    if converge {
        for _ in 0..3 {
            for _ in 0..5 {
                inverse = inverse_from_noise(&prior, &noise, &ps, k);
                prior = prior_cnt(&ps, &noise, &inverse, k);
            }
            noise = noise_from_inverse(&ps, &inverse, &prior, k);
        }
        prior = clip_values(&prior, CONVERGED_PRIOR_FLOOR);
        noise = clip_noise_rates(&noise, k, Layout::RowMajor);
        inverse = clip_noise_rates(&inverse, k, Layout::ColumnMajor);
    }
    Latent {
        prior,
        noise,
        inverse,
    }
}

/// `compute_py(py_method="cnt")`: `py_j = I_jj / max(N_jj, 1e-100) · ps_j`,
/// clipped to [1e-6, 1] and rescaled to sum to 1.
fn prior_cnt(ps: &[f64], noise: &[f64], inverse: &[f64], k: usize) -> Vec<f64> {
    let py: Vec<f64> = (0..k)
        .map(|j| inverse[j * k + j] / noise[j * k + j].max(TINY) * ps[j])
        .collect();
    clip_values(&py, PRIOR_FLOOR)
}

/// `clip_values(x, low, 1.0, new_sum=1.0)`.
fn clip_values(x: &[f64], low: f64) -> Vec<f64> {
    let clipped: Vec<f64> = x.iter().map(|v| v.max(low).min(1.0)).collect();
    let sum = pairwise_sum(&clipped).max(TINY);
    clipped.iter().map(|v| v * 1.0 / sum).collect()
}

/// `clip_noise_rates`: off-diagonal entries clipped to [0, 0.9999], the
/// diagonal kept, every column divided by its sum (floored at 1e-100).
fn clip_noise_rates(m: &[f64], k: usize, layout: Layout) -> Square {
    let mut out: Square = m
        .iter()
        .enumerate()
        .map(|(at, &v)| {
            if at / k == at % k {
                v
            } else {
                v.clamp(0.0, MAX_NOISE_RATE)
            }
        })
        .collect();
    for j in 0..k {
        let column: Vec<f64> = (0..k).map(|i| out[i * k + j]).collect();
        let sum = match layout {
            Layout::RowMajor => column.iter().fold(0.0, |a, &b| a + b),
            Layout::ColumnMajor => pairwise_sum(&column),
        }
        .max(TINY);
        for i in 0..k {
            out[i * k + j] /= sum;
        }
    }
    out
}

/// `compute_inv_noise_matrix(py, noise_matrix, ps=ps)`:
/// `I_ji = N_ij · py_j / ps_i`, then `clip_noise_rates`.
fn inverse_from_noise(py: &[f64], noise: &[f64], ps: &[f64], k: usize) -> Square {
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            inv[j * k + i] = noise[i * k + j] * py[j] / ps[i].max(TINY);
        }
    }
    clip_noise_rates(&inv, k, Layout::ColumnMajor)
}

/// `compute_noise_matrix_from_inverse(ps, inverse, py=py)`:
/// `N_ij = I_ji · ps_i / py_j`, then `clip_noise_rates`.
fn noise_from_inverse(ps: &[f64], inverse: &[f64], py: &[f64], k: usize) -> Square {
    let mut noise = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            noise[i * k + j] = inverse[j * k + i] * ps[i] / py[j].max(TINY);
        }
    }
    clip_noise_rates(&noise, k, Layout::RowMajor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagonal_joint_has_identity_noise() {
        let latent = estimate_latent(&[5, 0, 0, 3], &[5, 3], false);
        assert_eq!(latent.noise, vec![1.0, 0.0, 0.0, 1.0]);
        assert_eq!(latent.inverse, vec![1.0, 0.0, 0.0, 1.0]);
        assert!((latent.prior[0] - 5.0 / 8.0).abs() < 1e-15);
        let converged = estimate_latent(&[5, 0, 0, 3], &[5, 3], true);
        assert!((converged.prior[1] - 3.0 / 8.0).abs() < 1e-15);
    }

    #[test]
    fn columns_sum_to_one() {
        let latent = estimate_latent(&[40, 5, 2, 3, 30, 7, 1, 2, 10], &[47, 40, 13], true);
        for m in [&latent.noise, &latent.inverse] {
            for j in 0..3 {
                let s: f64 = (0..3).map(|i| m[i * 3 + j]).sum();
                assert!((s - 1.0).abs() < 1e-12);
            }
        }
        assert!((latent.prior.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
