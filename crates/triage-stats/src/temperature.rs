//! Temperature scaling: one scalar T > 0 fitted by minimising the negative
//! log-likelihood, q̂ = softmax(z/T).
//!
//! Reference: Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural
//! Networks", ICML 2017, §4.2. With β = 1/T,
//!
//! ```text
//! NLL(β) = (1/n) Σᵢ [ logsumexp(β·zᵢ) − β·z_{i,yᵢ} ]
//! NLL'(β) = (1/n) Σᵢ [ E_{softmax(β zᵢ)}[z] − z_{i,yᵢ} ]     NLL''(β) = (1/n) Σᵢ Var_{softmax(β zᵢ)}[z] ≥ 0
//! ```
//!
//! NLL is convex in β, so the minimum is the root of NLL', found here by
//! safeguarded Newton steps inside a shrinking bracket (exact to machine
//! precision, no learning rate). When only probabilities are known the
//! logits are zᵢ = ln p̂ᵢ (equal to the true logits up to a per-row constant,
//! which softmax ignores); p̂ is clipped below at 1e-300.
//! Temperature scaling never changes the argmax, so accuracy is unchanged.

use serde::Serialize;

use crate::error::StatsError;
use crate::proba::{check_labels, softmax_in_place, ProbMatrix};

/// Search range of β = 1/T.
const BETA_RANGE: (f64, f64) = (1e-4, 1e4);

/// A fitted temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemperatureFit {
    /// The temperature T = 1/β (> 1 softens over-confident predictions).
    pub temperature: f64,
    /// Mean NLL at T = 1 on the fitting data.
    pub nll_before: f64,
    /// Mean NLL at the fitted T on the fitting data.
    pub nll_after: f64,
    /// Newton/bisection iterations used.
    pub iterations: usize,
    /// Whether the optimum lies at the edge of the search range
    /// T ∈ [1e-4, 1e4] (e.g. perfectly separable data).
    pub at_bound: bool,
}

struct Logits {
    k: usize,
    z: Vec<f64>,
}

impl Logits {
    fn from_proba(proba: &ProbMatrix) -> Self {
        Self {
            k: proba.k(),
            z: proba
                .as_slice()
                .iter()
                .map(|&p| p.max(1e-300).ln())
                .collect(),
        }
    }

    /// (NLL, NLL', NLL'') at β.
    fn derivatives(&self, y: &[usize], beta: f64) -> (f64, f64, f64) {
        let (mut f, mut g, mut h) = (0.0, 0.0, 0.0);
        for (row, &label) in self.z.chunks_exact(self.k).zip(y) {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (mut s, mut m1, mut m2) = (0.0, 0.0, 0.0);
            for &z in row {
                let e = (beta * (z - max)).exp();
                s += e;
                m1 += e * z;
                m2 += e * z * z;
            }
            let (mean, second) = (m1 / s, m2 / s);
            f += beta * max + s.ln() - beta * row[label];
            g += mean - row[label];
            h += (second - mean * mean).max(0.0);
        }
        let n = y.len() as f64;
        (f / n, g / n, h / n)
    }
}

/// Fit T on (y_true, proba) by minimising NLL.
///
/// # Errors
/// Label errors.
pub fn fit_temperature(y_true: &[usize], proba: &ProbMatrix) -> Result<TemperatureFit, StatsError> {
    check_labels(y_true, proba)?;
    let logits = Logits::from_proba(proba);
    let nll_before = logits.derivatives(y_true, 1.0).0;
    let (mut lo, mut hi) = BETA_RANGE;
    let (_, g_lo, _) = logits.derivatives(y_true, lo);
    let (_, g_hi, _) = logits.derivatives(y_true, hi);
    let (beta, iterations, at_bound) = if g_lo >= 0.0 {
        (lo, 0, true)
    } else if g_hi <= 0.0 {
        (hi, 0, true)
    } else {
        let mut beta = 1.0;
        let mut it = 0;
        while it < 200 {
            it += 1;
            let (_, g, h) = logits.derivatives(y_true, beta);
            if g == 0.0 {
                break;
            }
            if g > 0.0 {
                hi = beta;
            } else {
                lo = beta;
            }
            let newton = beta - g / h;
            let next = if h > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                (lo * hi).sqrt()
            };
            if (next - beta).abs() <= 1e-15 * beta || hi - lo <= 1e-15 * hi {
                beta = next;
                break;
            }
            beta = next;
        }
        (beta, it, false)
    };
    let nll_after = logits.derivatives(y_true, beta).0;
    Ok(TemperatureFit {
        temperature: 1.0 / beta,
        nll_before,
        nll_after,
        iterations,
        at_bound,
    })
}

/// Rescale probabilities with a temperature: q̂ᵢ = softmax(ln p̂ᵢ / T).
///
/// # Errors
/// `temperature` not finite and positive.
pub fn apply_temperature(proba: &ProbMatrix, temperature: f64) -> Result<ProbMatrix, StatsError> {
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "temperature",
            reason: format!("must be finite and positive, got {temperature}"),
        });
    }
    let k = proba.k();
    let mut data: Vec<f64> = proba
        .as_slice()
        .iter()
        .map(|&p| p.max(1e-300).ln() / temperature)
        .collect();
    data.chunks_exact_mut(k).for_each(softmax_in_place);
    ProbMatrix::new(data, k, 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_temperature() {
        // Labels drawn (deterministically, by quantiles) from softmax(z), then
        // probabilities sharpened by T = 1/3: the fit should find T ≈ 3.
        let k = 3;
        let mut probs = vec![];
        let mut y = vec![];
        for i in 0..3000 {
            let z = [((i * 7) % 11) as f64 / 5.0, ((i * 3) % 7) as f64 / 4.0, 0.0];
            let mut p = z.to_vec();
            softmax_in_place(&mut p);
            let u = ((i as f64 * 0.618_033_988_75) % 1.0).abs();
            let label = if u < p[0] {
                0
            } else if u < p[0] + p[1] {
                1
            } else {
                2
            };
            let mut sharp: Vec<f64> = z.iter().map(|v| v * 3.0).collect();
            softmax_in_place(&mut sharp);
            probs.extend(sharp);
            y.push(label);
        }
        let proba = ProbMatrix::new(probs, k, 1e-9).unwrap();
        let fit = fit_temperature(&y, &proba).unwrap();
        assert!((fit.temperature - 3.0).abs() < 0.3, "{fit:?}");
        assert!(fit.nll_after < fit.nll_before);
        assert!(!fit.at_bound);
        let scaled = apply_temperature(&proba, fit.temperature).unwrap();
        assert_eq!(scaled.argmax(), proba.argmax());
    }
}
