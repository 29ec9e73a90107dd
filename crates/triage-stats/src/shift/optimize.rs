//! Limited-memory BFGS for the smooth convex fits of the shift tests
//! (logistic regression, bias-corrected temperature scaling).
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006),
//! Algorithm 7.4 (two-loop recursion), with a backtracking Armijo line
//! search (c₁ = 1e-4, halving) and memory 10.

/// Where [`minimize`] stopped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) value: f64,
    pub(crate) iterations: usize,
}

const MEMORY: usize = 10;

/// Minimise f from `x0`; `f(x, grad)` returns f(x) and writes ∇f(x).
/// Stops when ‖∇f‖∞ ≤ `tol`·max(1, |f|), when a step no longer decreases
/// f, or after `max_iter` iterations.
pub(crate) fn minimize(
    f: &dyn Fn(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    tol: f64,
    max_iter: usize,
) -> Minimum {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut iterations = 0;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    while iterations < max_iter {
        let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if gmax <= tol * value.abs().max(1.0) {
            break;
        }
        // Two-loop recursion: d = −H g.
        let mut q = g.clone();
        let mut alphas = vec![0.0; s_hist.len()];
        for k in (0..s_hist.len()).rev() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            alphas[k] = rho * dot(&s_hist[k], &q);
            for (qi, yi) in q.iter_mut().zip(&y_hist[k]) {
                *qi -= alphas[k] * yi;
            }
        }
        if let (Some(s), Some(y)) = (s_hist.last(), y_hist.last()) {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        } else {
            // First step: scaled steepest descent.
            let scale = 1.0 / gmax.max(1.0);
            q.iter_mut().for_each(|v| *v *= scale);
        }
        for k in 0..s_hist.len() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            let beta = rho * dot(&y_hist[k], &q);
            for (qi, si) in q.iter_mut().zip(&s_hist[k]) {
                *qi += (alphas[k] - beta) * si;
            }
        }
        let mut direction: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &direction);
        if slope >= 0.0 {
            // Not a descent direction (curvature lost): restart.
            s_hist.clear();
            y_hist.clear();
            direction = g.iter().map(|v| -v / gmax.max(1.0)).collect();
            slope = dot(&g, &direction);
        }
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * direction[i];
            }
            let v = f(&x_new, &mut g_new);
            if v.is_finite() && v <= value + 1e-4 * step * slope {
                accepted = true;
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
                    if s_hist.len() == MEMORY {
                        s_hist.remove(0);
                        y_hist.remove(0);
                    }
                    s_hist.push(s);
                    y_hist.push(y);
                }
                let improvement = value - v;
                std::mem::swap(&mut x, &mut x_new);
                std::mem::swap(&mut g, &mut g_new);
                value = v;
                iterations += 1;
                if improvement <= 1e-15 * value.abs().max(1.0) {
                    return Minimum {
                        x,
                        value,
                        iterations,
                    };
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    Minimum {
        x,
        value,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_quadratic_and_rosenbrock() {
        let quad = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 20.0 * (x[1] + 1.0);
            (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
        };
        let m = minimize(&quad, vec![0.0, 0.0], 1e-10, 200);
        assert!((m.x[0] - 3.0).abs() < 1e-6 && (m.x[1] + 1.0).abs() < 1e-6);
        let rosen = |x: &[f64], g: &mut [f64]| {
            g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
            (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
        };
        let m = minimize(&rosen, vec![-1.2, 1.0], 1e-10, 1000);
        assert!((m.x[0] - 1.0).abs() < 1e-4, "{:?}", m);
    }
}
