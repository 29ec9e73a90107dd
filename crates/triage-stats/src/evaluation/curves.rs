//! Curves as the evaluation document stores them: thinned to a point
//! budget, and the macro-average ROC curve built from the exact per-class
//! curves.

use triage_docs::evaluation::MacroRoc;

/// Indices of at most `max` evenly spaced points out of `len`, first and last
/// included (`max` = 0 keeps all).
pub fn thinned_indices(len: usize, max: usize) -> Vec<usize> {
    if max == 0 || len <= max || max < 2 {
        return (0..len).collect();
    }
    let mut keep: Vec<usize> = (0..max)
        .map(|j| (j as f64 * (len - 1) as f64 / (max - 1) as f64).round() as usize)
        .collect();
    keep.dedup();
    keep
}

/// The values at `keep`.
pub fn values_at(values: &[f64], keep: &[usize]) -> Vec<f64> {
    keep.iter().map(|&i| values[i]).collect()
}

/// Macro-average ROC curve: the union of the classes' false positive rates
/// as the grid, each class's true positive rate interpolated linearly on
/// it (where a curve has several points at one FPR, the highest TPR, the
/// right-continuous step), then averaged over the classes; AUC by
/// trapezoids. This is the construction of scikit-learn's documentation
/// example ("Multiclass Receiver Operating Characteristic", `fpr_grid =
/// np.unique(all fpr)`, `np.interp`, `auc`). Its AUC differs from
/// `roc_auc_ovr_macro` (the mean of the per-class AUCs) where curves cross.
///
/// `curves` are `(fpr, tpr)` pairs, each increasing in FPR from 0 to 1;
/// curves with undefined (non-finite) rates — a class without positives or
/// without negatives — are left out; `None` when none is left.
pub fn macro_roc(curves: &[(&[f64], &[f64])], max_points: usize) -> Option<MacroRoc> {
    let usable: Vec<_> = curves
        .iter()
        .filter(|(f, t)| {
            f.len() >= 2 && f.len() == t.len() && f.iter().chain(t.iter()).all(|v| v.is_finite())
        })
        .collect();
    if usable.is_empty() {
        return None;
    }
    let mut grid: Vec<f64> = usable.iter().flat_map(|(f, _)| f.iter().copied()).collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let mut mean = vec![0.0; grid.len()];
    for (f, t) in &usable {
        // One forward pass per curve: the grid and the curve are sorted.
        let mut j = 0;
        for (x, m) in grid.iter().zip(mean.iter_mut()) {
            while j < f.len() && f[j] <= *x {
                j += 1;
            }
            *m += interp_at(*x, j, f, t);
        }
    }
    let k = usable.len() as f64;
    for m in &mut mean {
        *m /= k;
    }
    let auc = grid
        .windows(2)
        .zip(mean.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[0] + y[1]) / 2.0)
        .sum();
    let keep = thinned_indices(grid.len(), max_points);
    Some(MacroRoc {
        auc,
        fpr: values_at(&grid, &keep),
        tpr: values_at(&mean, &keep),
    })
}

/// y at x, where `j` is the number of `xs` ≤ x.
fn interp_at(x: f64, j: usize, xs: &[f64], ys: &[f64]) -> f64 {
    if j == 0 {
        return ys[0];
    }
    if j == xs.len() {
        return ys[xs.len() - 1];
    }
    let (x0, x1, y0, y1) = (xs[j - 1], xs[j], ys[j - 1], ys[j]);
    if x1 - x0 <= 0.0 {
        y1
    } else {
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_ends() {
        assert_eq!(thinned_indices(10, 0).len(), 10);
        let t = thinned_indices(1000, 11);
        assert_eq!(t.len(), 11);
        assert_eq!((t[0], t[10]), (0, 999));
    }

    #[test]
    fn macro_of_identical_curves_is_that_curve() {
        let f = [0.0, 0.0, 0.5, 1.0];
        let t = [0.0, 0.5, 1.0, 1.0];
        let m = macro_roc(&[(&f, &t), (&f, &t)], 0).unwrap();
        assert_eq!(m.fpr, vec![0.0, 0.5, 1.0]);
        assert_eq!(m.tpr, vec![0.5, 1.0, 1.0]);
        // Trapezoids over the grid: 0.5·(0.5+1)/2 + 0.5·1 = 0.875.
        assert!((m.auc - 0.875).abs() < 1e-12);
    }

    #[test]
    fn macro_interpolates_between_points() {
        // A diagonal and a perfect curve: at FPR 0.5 the mean is (0.5+1)/2.
        let (f1, t1) = ([0.0, 1.0], [0.0, 1.0]);
        let (f2, t2) = ([0.0, 0.0, 0.5, 1.0], [0.0, 1.0, 1.0, 1.0]);
        let m = macro_roc(&[(&f1, &t1), (&f2, &t2)], 0).unwrap();
        let at = |x: f64| m.tpr[m.fpr.iter().position(|&v| v == x).unwrap()];
        assert!((at(0.5) - 0.75).abs() < 1e-12);
        assert!((at(0.0) - 0.5).abs() < 1e-12);
        assert!((m.auc - 0.75).abs() < 1e-12);
    }
}
