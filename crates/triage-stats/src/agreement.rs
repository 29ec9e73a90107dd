//! Agreement between raters and paired comparisons of two classifiers on
//! the same items.
//!
//! - [`cohen_kappa`]: Cohen's κ of two raters, κ = (p_o − p_e)/(1 − p_e)
//!   with p_e from the raters' marginals (Cohen 1960; scikit-learn's
//!   `cohen_kappa_score`, unweighted).
//! - [`fleiss_kappa`]: Fleiss' κ of many raters from an items × classes
//!   count table, P̄ = mean over items of Σ_j n_ij(n_ij − 1)/(n(n − 1)),
//!   P̄_e = Σ_j p_j², κ = (P̄ − P̄_e)/(1 − P̄_e), every item rated n times
//!   (Fleiss 1971; statsmodels' `fleiss_kappa(method="fleiss")`).
//! - [`mcnemar`]: McNemar's test on the discordant pairs b (first right,
//!   second wrong) and c: exact two-sided binomial p = min(1, 2·P(X ≤
//!   min(b, c))), X ~ Bin(b + c, ½), below 25 discordant pairs; above, the
//!   continuity-corrected χ² = (|b − c| − 1)²/(b + c) on 1 degree of
//!   freedom (statsmodels' `mcnemar(exact=…, correction=True)`). Both are
//!   returned.

use crate::error::StatsError;
use crate::shift::distributions::{binomial_sf_ge, chi2_sf};

/// Discordant pairs below which [`mcnemar`]'s reported p-value is the
/// exact binomial one.
pub const MCNEMAR_EXACT_BELOW: u64 = 25;

/// Cohen's κ of two raters' labels over the same items; `None` when it is
/// undefined (both raters use one and the same class: p_e = 1).
///
/// # Errors
/// [`StatsError::LengthMismatch`], [`StatsError::Empty`], a label not
/// below `classes`.
pub fn cohen_kappa(a: &[u32], b: &[u32], classes: usize) -> Result<Option<f64>, StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch {
            what: "the two raters' labels",
            expected: a.len(),
            got: b.len(),
        });
    }
    if a.is_empty() {
        return Err(StatsError::Empty);
    }
    if let Some(&bad) = a.iter().chain(b).find(|&&l| l as usize >= classes) {
        return Err(StatsError::InvalidParameter {
            name: "labels",
            reason: format!("label {bad} is not below the {classes} classes"),
        });
    }
    let n = a.len() as f64;
    let (mut ca, mut cb) = (vec![0.0; classes], vec![0.0; classes]);
    let mut agree = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        ca[x as usize] += 1.0;
        cb[y as usize] += 1.0;
        if x == y {
            agree += 1.0;
        }
    }
    let po = agree / n;
    let pe: f64 = ca.iter().zip(&cb).map(|(x, y)| x * y).sum::<f64>() / (n * n);
    Ok((pe < 1.0).then(|| (po - pe) / (1.0 - pe)))
}

/// Fleiss' κ from `counts` (row-major items × `classes`; every item rated
/// by the same number of raters, at least 2); `None` when undefined
/// (every rating in one class).
///
/// # Errors
/// A shape that is not items × classes, rows with different totals or
/// fewer than 2 ratings, no items.
pub fn fleiss_kappa(counts: &[u64], classes: usize) -> Result<Option<f64>, StatsError> {
    if classes == 0 || !counts.len().is_multiple_of(classes) {
        return Err(StatsError::BadShape {
            len: counts.len(),
            k: classes,
        });
    }
    let items = counts.len() / classes;
    if items == 0 {
        return Err(StatsError::Empty);
    }
    let raters: u64 = counts[..classes].iter().sum();
    if raters < 2 {
        return Err(StatsError::InvalidParameter {
            name: "counts",
            reason: "Fleiss' κ needs at least 2 ratings per item".to_owned(),
        });
    }
    let mut totals = vec![0.0; classes];
    let mut p_bar = 0.0;
    for (row, values) in counts.chunks_exact(classes).enumerate() {
        let sum: u64 = values.iter().sum();
        if sum != raters {
            return Err(StatsError::InvalidParameter {
                name: "counts",
                reason: format!("item {row} has {sum} ratings, the first {raters}: Fleiss' κ needs the same number for every item"),
            });
        }
        let r = raters as f64;
        p_bar += values
            .iter()
            .map(|&c| c as f64 * (c as f64 - 1.0))
            .sum::<f64>()
            / (r * (r - 1.0));
        for (t, &c) in totals.iter_mut().zip(values) {
            *t += c as f64;
        }
    }
    p_bar /= items as f64;
    let all = (items as u64 * raters) as f64;
    let pe: f64 = totals.iter().map(|t| (t / all) * (t / all)).sum();
    Ok((pe < 1.0).then(|| (p_bar - pe) / (1.0 - pe)))
}

/// McNemar's test of two classifiers on the same items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Items the first got right and the second wrong.
    pub b: u64,
    /// Items the second got right and the first wrong.
    pub c: u64,
    /// Exact two-sided binomial p-value.
    pub p_exact: f64,
    /// The continuity-corrected χ² statistic.
    pub chi2: f64,
    /// Its p-value (χ², 1 degree of freedom).
    pub p_chi2: f64,
    /// The p-value to report: exact below [`MCNEMAR_EXACT_BELOW`]
    /// discordant pairs, χ² above.
    pub p_value: f64,
}

impl McNemar {
    /// Which test gave `p_value`: `exact` below [`MCNEMAR_EXACT_BELOW`]
    /// discordant pairs, `chi2` above.
    pub fn method(&self) -> &'static str {
        if self.b + self.c < MCNEMAR_EXACT_BELOW {
            "exact"
        } else {
            "chi2"
        }
    }
}

/// McNemar's test on the discordant counts `b` and `c` (see the module
/// documentation). With no discordant pair both p-values are 1.
pub fn mcnemar(b: u64, c: u64) -> McNemar {
    let n = b + c;
    if n == 0 {
        return McNemar {
            b,
            c,
            p_exact: 1.0,
            chi2: 0.0,
            p_chi2: 1.0,
            p_value: 1.0,
        };
    }
    // P(X ≤ min) = P(X ≥ n − min) by symmetry at p = ½.
    let low = b.min(c);
    let p_exact = (2.0 * binomial_sf_ge(n - low, n, 0.5)).min(1.0);
    let d = (b as f64 - c as f64).abs() - 1.0;
    // As statsmodels: (|b − c| − 1)² even when b = c (then 1/(b + c)).
    let chi2 = d.powi(2) / n as f64;
    let p_chi2 = chi2_sf(chi2, 1.0);
    McNemar {
        b,
        c,
        p_exact,
        chi2,
        p_chi2,
        p_value: if n < MCNEMAR_EXACT_BELOW {
            p_exact
        } else {
            p_chi2
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_chance_agreement() {
        assert_eq!(
            cohen_kappa(&[0, 1, 2, 1], &[0, 1, 2, 1], 3).unwrap(),
            Some(1.0)
        );
        assert_eq!(cohen_kappa(&[1, 1], &[1, 1], 3).unwrap(), None);
        assert!(cohen_kappa(&[0], &[0, 1], 2).is_err());
        assert_eq!(fleiss_kappa(&[3, 0, 0, 3], 2).unwrap(), Some(1.0));
        assert!(fleiss_kappa(&[3, 0, 1, 1], 2).is_err());
        let m = mcnemar(0, 0);
        assert_eq!(m.p_value, 1.0);
        let m = mcnemar(10, 0);
        assert!((m.p_exact - 2.0 / 1024.0).abs() < 1e-15);
    }
}
