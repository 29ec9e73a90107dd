//! Lower bounds on the Bayes error from a nearest-neighbour error.
//!
//! Cover & Hart, "Nearest neighbor pattern classification", IEEE T-IT
//! 13(1), 1967: as n → ∞, with M classes, the 1-NN error R₁ satisfies
//! R* ≤ R₁ ≤ R*(2 − M/(M−1)·R*). Inverting the right inequality,
//! R* ≥ ((M−1)/M)(1 − √(1 − M/(M−1)·R₁)). For two classes and k > 1
//! FeeBee (Renggli et al. 2021, `methods/knn.py`) uses the Devroye-type
//! bounds R* ≥ R_k/(1 + √(2/k)) for k = 2 and R* ≥ R_k/(1 + 1/√k) for
//! k > 2. An error of at most 1e-10 gives 0.

/// Errors at or below this are taken as 0 (FeeBee's threshold).
pub const ZERO_ERROR: f64 = 1e-10;

/// The Cover–Hart inverse: the smallest Bayes error consistent with an
/// asymptotic 1-NN error `r` among `classes` classes,
/// ((M−1)/M)(1 − √max(0, 1 − M/(M−1)·r)). Non-decreasing in `r`.
pub fn cover_hart_lower(r: f64, classes: usize) -> f64 {
    if r <= ZERO_ERROR || classes < 2 {
        return 0.0;
    }
    let m = classes as f64;
    let ratio = (m - 1.0) / m;
    ratio * (1.0 - (1.0 - r / ratio).max(0.0).sqrt())
}

/// FeeBee's lower bound from a k-NN error `r`: the Cover–Hart inverse
/// when there are more than two classes or k = 1; for two classes
/// r/(1 + √(2/k)) at k = 2 and r/(1 + 1/√k) above. Non-decreasing in `r`.
pub fn knn_lower(r: f64, classes: usize, k: usize) -> f64 {
    if r <= ZERO_ERROR {
        return 0.0;
    }
    let kf = k as f64;
    match (classes, k) {
        (2, 2) => r / (1.0 + (2.0 / kf).sqrt()),
        (2, k) if k > 2 => r / (1.0 + 1.0 / kf.sqrt()),
        _ => cover_hart_lower(r, classes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_hart_inverts_the_upper_bound() {
        for m in [2usize, 3, 10, 100] {
            for r_star in [0.0, 0.01, 0.1, 0.3] {
                let mf = m as f64;
                let r1 = r_star * (2.0 - mf / (mf - 1.0) * r_star);
                let back = cover_hart_lower(r1, m);
                assert!((back - r_star).abs() < 1e-12, "m {m} r* {r_star}: {back}");
                assert!(back <= r1 + 1e-15);
            }
        }
        // At the chance level the bound is the chance level.
        assert!((cover_hart_lower(0.9, 10) - 0.9).abs() < 1e-15);
        assert_eq!(cover_hart_lower(1e-11, 10), 0.0);
    }

    #[test]
    fn binary_devroye_bounds() {
        assert_eq!(knn_lower(0.2, 2, 2), 0.1);
        assert!((knn_lower(0.2, 2, 4) - 0.2 / 1.5).abs() < 1e-15);
        assert_eq!(knn_lower(0.2, 2, 1), cover_hart_lower(0.2, 2));
        assert_eq!(knn_lower(0.2, 3, 5), cover_hart_lower(0.2, 3));
    }
}
