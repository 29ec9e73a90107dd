//! Label shift: estimating the target's class priors without target
//! labels, testing "no label shift", and correcting the predictions.
//!
//! Assumption (label shift): p_t(x | y) = p_s(x | y); only the priors
//! differ. Both estimators use a model's predictions on labelled source
//! validation data (source labels y, probabilities p) and on the target.
//!
//! - **BBSE** (Lipton, Wang & Smola, "Detecting and Correcting for Label
//!   Shift with Black Box Predictors", ICML 2018): C[i][j] = P_s(ŷ = i,
//!   y = j) (the joint confusion matrix on the source), μ[i] = P_t(ŷ = i);
//!   w = C⁻¹μ, clipped at 0; q = w ∘ π_s normalised, π_s the source label
//!   frequencies. The estimation error grows as 1/σ_min(C), so the
//!   smallest singular value is reported; it is "small" below a tenth of
//!   what a perfect classifier would give (σ_min < 0.1 · min_j π_s,j).
//! - **MLLS/EM with BCTS** (Saerens, Latinne & Decaestecker, Neural
//!   Computation 14, 2002; Alexandari, Kundaje & Shrikumar, "Maximum
//!   Likelihood with Bias-Corrected Calibration is Hard-To-Beat at Label
//!   Shift Adaptation", ICML 2020): first bias-corrected temperature
//!   scaling, p̃ = softmax(β·ln p + b), (β, b) minimising the source NLL
//!   (L-BFGS); then EM: q⁰ = π_s, rᵢⱼ ∝ (qⱼ/π_s,ⱼ) p̃ᵢⱼ, q ← meanᵢ rᵢ,
//!   until max|Δq| < 1e-12 ([`EM_TOL`]; at most 10,000 iterations).
//! - **Likelihood-ratio test** of "no label shift" (q = π_s): 2·Σᵢ ln Σⱼ
//!   (q̂ⱼ/π_s,ⱼ) p̃ᵢⱼ, divided by 1 + n_t/n_s because π_s is itself
//!   estimated from the n_s source labels (the two-sample form; without
//!   it, equal sample sizes gave a 23 % false-alarm rate at α = 0.05 in
//!   simulation), against χ²_{K−1}.
//! - **Intervals**: percentile bootstrap (default 200 resamples, seeded),
//!   resampling source and target and refitting BCTS, BBSE and EM each
//!   time.
//! - **Correction**: p_adj(y | x) ∝ (q̂_y/π_s,y) p̃(y | x). Expected target
//!   accuracy of the model as it is: Σ_y q̂_y · recall_s(y); after the
//!   correction: meanᵢ maxⱼ p_adj,ij (both assume the label-shift model and
//!   a calibrated p̃).

use rayon::prelude::*;

use crate::bootstrap::{draw_counts, splitmix};
use crate::error::StatsError;
use crate::intervals::percentile_interval;
use crate::proba::{check_labels, ProbMatrix};

use super::distributions::chi2_sf;
use super::linalg::{singular_values, solve};
use super::optimize::minimize;

/// Largest K whose singular values are computed (Jacobi is O(K³)).
pub const SVD_MAX_K: usize = 256;

/// EM stops when no prior moves by more than this in one iteration (the
/// golden reference uses the same rule): EM converges linearly, so a
/// looser stop leaves small priors off by about the last step over the
/// contraction gap.
pub const EM_TOL: f64 = 1e-12;

/// EM gives up after this many iterations (the estimate is then the last
/// one; a flat likelihood converges slowly, never wrongly).
pub const EM_MAX_ITER: usize = 10_000;

/// Settings of [`label_shift`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelShiftParams {
    /// Bootstrap resamples for the intervals (0: none). Default 200.
    pub bootstrap: usize,
    /// Seed of the resamples.
    pub seed: u64,
    /// Interval confidence. Default 0.95.
    pub confidence: f64,
}

impl Default for LabelShiftParams {
    fn default() -> Self {
        Self {
            bootstrap: 200,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// BBSE's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Bbse {
    /// C[i][j] = P_s(ŷ = i, y = j), row-major K × K.
    pub confusion: Vec<f64>,
    /// μ[i] = P_t(ŷ = i).
    pub target_predicted: Vec<f64>,
    /// w = C⁻¹μ before clipping; `None` when C is singular.
    pub weights_raw: Option<Vec<f64>>,
    /// Estimated target priors; `None` when C is singular.
    pub priors: Option<Vec<f64>>,
    /// σ_min(C); `None` above [`SVD_MAX_K`] classes.
    pub sigma_min: Option<f64>,
}

/// Bias-corrected temperature scaling: p̃ = softmax(β ln p + b).
#[derive(Debug, Clone, PartialEq)]
pub struct Bcts {
    /// β = 1/T.
    pub beta: f64,
    /// Per-class biases.
    pub bias: Vec<f64>,
}

impl Bcts {
    /// Apply to `p`.
    pub fn apply(&self, p: &ProbMatrix) -> ProbMatrix {
        let k = p.k();
        let mut out = Vec::with_capacity(p.as_slice().len());
        for row in p.rows() {
            let start = out.len();
            out.extend(
                row.iter()
                    .zip(&self.bias)
                    .map(|(v, b)| self.beta * v.max(1e-300).ln() + b),
            );
            crate::proba::softmax_in_place(&mut out[start..start + k]);
        }
        ProbMatrix::renormalized(out, k).expect("softmax rows")
    }
}

/// EM's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Em {
    /// Estimated target priors.
    pub priors: Vec<f64>,
    /// Iterations to converge.
    pub iterations: usize,
    /// Σᵢ ln Σⱼ (qⱼ/πⱼ) pᵢⱼ at the estimate (≥ 0): the log-likelihood ratio.
    pub log_lr: f64,
}

/// A label-shift analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelShift {
    /// Source label frequencies π_s.
    pub source_priors: Vec<f64>,
    /// BBSE.
    pub bbse: Bbse,
    /// The BCTS fit on the source.
    pub bcts: Bcts,
    /// EM on BCTS-calibrated target predictions.
    pub em: Em,
    /// Bootstrap intervals of BBSE's priors (per class), when resampled
    /// and defined.
    pub bbse_intervals: Option<Vec<(f64, f64)>>,
    /// Bootstrap intervals of EM's priors.
    pub em_intervals: Option<Vec<(f64, f64)>>,
    /// 2 · EM's log-likelihood ratio / (1 + n_t/n_s) (see the module
    /// docs).
    pub lr_statistic: f64,
    /// Its degrees of freedom, K − 1.
    pub lr_dof: usize,
    /// P(χ²_{K−1} ≥ statistic).
    pub lr_p_value: f64,
    /// Source recall per class (`None` for a class absent from the source).
    pub source_recall: Vec<Option<f64>>,
    /// Σ_y q̂_y recall_y: expected target accuracy of the model as it is.
    pub expected_accuracy: f64,
    /// Expected target accuracy after the prior correction.
    pub expected_accuracy_adjusted: f64,
    /// The prior-corrected target predictions.
    pub adjusted: ProbMatrix,
}

fn frequencies(labels: &[usize], k: usize, weights: Option<&[u32]>) -> Vec<f64> {
    let mut f = vec![0.0; k];
    for (i, &y) in labels.iter().enumerate() {
        f[y] += weights.map_or(1.0, |w| w[i] as f64);
    }
    let total: f64 = f.iter().sum();
    f.iter_mut().for_each(|v| *v /= total);
    f
}

/// BBSE (see the module docs); `weights` are bootstrap counts of the
/// source and the target rows.
fn bbse_weighted(
    labels: &[usize],
    source: &ProbMatrix,
    target: &ProbMatrix,
    weights: Option<(&[u32], &[u32])>,
) -> Bbse {
    let k = source.k();
    let mut confusion = vec![0.0; k * k];
    let mut total = 0.0;
    for (i, (&y, yhat)) in labels.iter().zip(source.argmax()).enumerate() {
        let w = weights.map_or(1.0, |(ws, _)| ws[i] as f64);
        confusion[yhat * k + y] += w;
        total += w;
    }
    confusion.iter_mut().for_each(|v| *v /= total);
    let mut mu = vec![0.0; k];
    let mut tt = 0.0;
    for (i, yhat) in target.argmax().into_iter().enumerate() {
        let w = weights.map_or(1.0, |(_, wt)| wt[i] as f64);
        mu[yhat] += w;
        tt += w;
    }
    mu.iter_mut().for_each(|v| *v /= tt);
    let pi = frequencies(labels, k, weights.map(|(ws, _)| ws));
    let weights_raw = solve(&confusion, &mu);
    let priors = weights_raw.as_ref().and_then(|w| {
        let q: Vec<f64> = w.iter().zip(&pi).map(|(w, p)| w.max(0.0) * p).collect();
        let s: f64 = q.iter().sum();
        (s > 0.0).then(|| q.iter().map(|v| v / s).collect())
    });
    let sigma_min = (k <= SVD_MAX_K && weights.is_none()).then(|| {
        singular_values(&confusion, k)
            .last()
            .copied()
            .unwrap_or(0.0)
    });
    Bbse {
        confusion,
        target_predicted: mu,
        weights_raw,
        priors,
        sigma_min,
    }
}

/// BBSE on source labels and predictions and target predictions.
///
/// # Errors
/// Label errors, different class counts.
pub fn bbse(
    labels: &[usize],
    source: &ProbMatrix,
    target: &ProbMatrix,
) -> Result<Bbse, StatsError> {
    check_inputs(labels, source, target)?;
    Ok(bbse_weighted(labels, source, target, None))
}

fn check_inputs(
    labels: &[usize],
    source: &ProbMatrix,
    target: &ProbMatrix,
) -> Result<(), StatsError> {
    check_labels(labels, source)?;
    if target.k() != source.k() {
        return Err(StatsError::WidthMismatch {
            what: "source and target predictions' classes",
            expected: source.k(),
            got: target.k(),
        });
    }
    Ok(())
}

/// Fit BCTS on labelled predictions (weighted by bootstrap counts).
fn fit_bcts_weighted(labels: &[usize], p: &ProbMatrix, weights: Option<&[u32]>) -> Bcts {
    let k = p.k();
    let logp: Vec<f64> = p.as_slice().iter().map(|v| v.max(1e-300).ln()).collect();
    let total: f64 = weights.map_or(labels.len() as f64, |w| w.iter().map(|&v| v as f64).sum());
    let objective = |theta: &[f64], grad: &mut [f64]| {
        let (beta, bias) = (theta[0], &theta[1..]);
        grad.fill(0.0);
        let mut loss = 0.0;
        let mut z = vec![0.0; k];
        for (i, (row, &y)) in logp.chunks_exact(k).zip(labels).enumerate() {
            let w = weights.map_or(1.0, |w| w[i] as f64);
            if w == 0.0 {
                continue;
            }
            for c in 0..k {
                z[c] = beta * row[c] + bias[c];
            }
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = z.iter().map(|v| (v - max).exp()).sum();
            loss += w * (max + s.ln() - z[y]);
            let mut dbeta = 0.0;
            for c in 0..k {
                let q = (z[c] - max).exp() / s - if c == y { 1.0 } else { 0.0 };
                grad[1 + c] += w * q;
                dbeta += q * row[c];
            }
            grad[0] += w * dbeta;
        }
        grad.iter_mut().for_each(|g| *g /= total);
        loss / total
    };
    let mut x0 = vec![0.0; k + 1];
    x0[0] = 1.0;
    let fit = minimize(&objective, x0, 1e-9, 1000);
    Bcts {
        beta: fit.x[0],
        bias: fit.x[1..].to_vec(),
    }
}

/// Fit BCTS (see the module docs).
///
/// # Errors
/// Label errors.
pub fn fit_bcts(labels: &[usize], p: &ProbMatrix) -> Result<Bcts, StatsError> {
    check_labels(labels, p)?;
    Ok(fit_bcts_weighted(labels, p, None))
}

fn em_weighted(target: &ProbMatrix, pi: &[f64], weights: Option<&[u32]>) -> Em {
    let k = target.k();
    let total: f64 = weights.map_or(target.n() as f64, |w| w.iter().map(|&v| v as f64).sum());
    let mut q = pi.to_vec();
    let mut iterations = 0;
    let mut next = vec![0.0; k];
    let mut r = vec![0.0; k];
    while iterations < EM_MAX_ITER {
        next.fill(0.0);
        for (i, row) in target.rows().enumerate() {
            let w = weights.map_or(1.0, |w| w[i] as f64);
            if w == 0.0 {
                continue;
            }
            let mut s = 0.0;
            for c in 0..k {
                r[c] = if pi[c] > 0.0 {
                    q[c] / pi[c] * row[c]
                } else {
                    0.0
                };
                s += r[c];
            }
            if s > 0.0 {
                for c in 0..k {
                    next[c] += w * r[c] / s;
                }
            }
        }
        next.iter_mut().for_each(|v| *v /= total);
        iterations += 1;
        let change = q
            .iter()
            .zip(&next)
            .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        std::mem::swap(&mut q, &mut next);
        if change < EM_TOL {
            break;
        }
    }
    let log_lr = target
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let w = weights.map_or(1.0, |w| w[i] as f64);
            let s: f64 = (0..k)
                .filter(|&c| pi[c] > 0.0)
                .map(|c| q[c] / pi[c] * row[c])
                .sum();
            w * s.max(1e-300).ln()
        })
        .sum::<f64>();
    Em {
        priors: q,
        iterations,
        log_lr,
    }
}

/// EM for the target priors given calibrated target probabilities and the
/// source priors (see the module docs).
///
/// # Errors
/// Priors of the wrong length.
pub fn em_priors(target: &ProbMatrix, source_priors: &[f64]) -> Result<Em, StatsError> {
    if source_priors.len() != target.k() {
        return Err(StatsError::LengthMismatch {
            what: "source priors and target classes",
            expected: target.k(),
            got: source_priors.len(),
        });
    }
    Ok(em_weighted(target, source_priors, None))
}

/// The whole label-shift analysis (see the module docs).
///
/// # Errors
/// Label errors, different class counts, invalid settings.
pub fn label_shift(
    labels: &[usize],
    source: &ProbMatrix,
    target: &ProbMatrix,
    params: &LabelShiftParams,
) -> Result<LabelShift, StatsError> {
    check_inputs(labels, source, target)?;
    crate::intervals::check_confidence(params.confidence)?;
    let k = source.k();
    let source_priors = frequencies(labels, k, None);
    let bbse = bbse_weighted(labels, source, target, None);
    let bcts = fit_bcts_weighted(labels, source, None);
    let calibrated = bcts.apply(target);
    let em = em_weighted(&calibrated, &source_priors, None);
    // π_s is estimated from the source's n_s labels, not known: under the
    // null its sampling error adds n_t/n_s times the target's to the
    // statistic (the two-sample form of the multinomial test), so the
    // statistic is deflated by 1 + n_t/n_s before it meets χ²_{K−1}.
    let two_sample = 1.0 + target.n() as f64 / source.n() as f64;
    let lr_statistic = (2.0 * em.log_lr / two_sample).max(0.0);
    let lr_dof = k - 1;
    let mut recall_num = vec![0.0; k];
    for (&y, yhat) in labels.iter().zip(source.argmax()) {
        if y == yhat {
            recall_num[y] += 1.0;
        }
    }
    let counts: Vec<f64> = source_priors
        .iter()
        .map(|p| p * labels.len() as f64)
        .collect();
    let source_recall: Vec<Option<f64>> = recall_num
        .iter()
        .zip(&counts)
        .map(|(r, c)| (*c > 0.0).then(|| r / c))
        .collect();
    let expected_accuracy = em
        .priors
        .iter()
        .zip(&source_recall)
        .map(|(q, r)| q * r.unwrap_or(0.0))
        .sum();
    let mut adjusted = Vec::with_capacity(target.as_slice().len());
    for row in calibrated.rows() {
        let start = adjusted.len();
        adjusted.extend((0..k).map(|c| {
            if source_priors[c] > 0.0 {
                em.priors[c] / source_priors[c] * row[c]
            } else {
                0.0
            }
        }));
        let s: f64 = adjusted[start..].iter().sum();
        if s > 0.0 {
            adjusted[start..].iter_mut().for_each(|v| *v /= s);
        } else {
            adjusted[start..].copy_from_slice(row);
        }
    }
    let adjusted = ProbMatrix::renormalized(adjusted, k)?;
    let expected_accuracy_adjusted = adjusted
        .rows()
        .map(|r| r.iter().copied().fold(0.0, f64::max))
        .sum::<f64>()
        / adjusted.n() as f64;

    let (bbse_intervals, em_intervals) = if params.bootstrap > 0 {
        let draws: Vec<(Option<Vec<f64>>, Vec<f64>)> = (0..params.bootstrap as u64)
            .into_par_iter()
            .map(|b| {
                let mut ws = vec![0u32; labels.len()];
                let mut wt = vec![0u32; target.n()];
                draw_counts(&mut ws, splitmix(params.seed ^ 0x0005_EED5), b);
                draw_counts(&mut wt, splitmix(params.seed ^ 0x7A26E7), b);
                let bb = bbse_weighted(labels, source, target, Some((&ws, &wt)));
                let pi = frequencies(labels, k, Some(&ws));
                let fit = fit_bcts_weighted(labels, source, Some(&ws));
                let em = em_weighted(&fit.apply(target), &pi, Some(&wt));
                (bb.priors, em.priors)
            })
            .collect();
        let interval = |values: Vec<Vec<f64>>| -> Option<Vec<(f64, f64)>> {
            (0..k)
                .map(|c| {
                    let v: Vec<f64> = values.iter().map(|p| p[c]).collect();
                    percentile_interval(&v, params.confidence)
                })
                .collect()
        };
        let bb: Vec<Vec<f64>> = draws.iter().filter_map(|d| d.0.clone()).collect();
        let em_draws: Vec<Vec<f64>> = draws.into_iter().map(|d| d.1).collect();
        (interval(bb), interval(em_draws))
    } else {
        (None, None)
    };
    Ok(LabelShift {
        source_priors,
        bbse,
        bcts,
        em,
        bbse_intervals,
        em_intervals,
        lr_statistic,
        lr_dof,
        lr_p_value: chi2_sf(lr_statistic, lr_dof as f64),
        source_recall,
        expected_accuracy,
        expected_accuracy_adjusted,
        adjusted,
    })
}
