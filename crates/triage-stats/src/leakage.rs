//! What copies of training images cost an evaluation: the accuracy on an
//! evaluated split with and without its leaked items (those with a copy in
//! the training split), and the inflation between them.
//!
//! With `c_i ∈ {0, 1}` (prediction i correct) and `L` the leaked items,
//!
//! * `acc = Σ c_i / n`, `acc_clean = Σ_{i∉L} c_i / (n − |L|)`,
//!   `acc_leaked = Σ_{i∈L} c_i / |L|`;
//! * inflation `Δ = acc − acc_clean = (|L| / n)(acc_leaked − acc_clean)`,
//!   in accuracy units (× 100 for points).
//!
//! Intervals: Wilson score intervals for each accuracy (the same as
//! `accuracy_wilson`), and for `Δ` the percentile bootstrap over items
//! (Efron & Tibshirani 1993, ch. 13), each resample drawing n items with
//! replacement and computing both accuracies on it (they are paired: the
//! clean set is part of the whole), resample b seeded from (seed, b) as in
//! [`crate::bootstrap`]. A resample that draws no clean item is left out.
//! Defaults (from `triage evaluate`): 1,000 resamples, seed 0, 95 %.

use rayon::prelude::*;
use triage_docs::evaluation::LeakageDoc;

use crate::bootstrap::draw_counts;
use crate::error::StatsError;
use crate::intervals::{check_confidence, percentile_interval, wilson_interval};

/// The cost of the leaked items (see the module documentation), as the
/// evaluation document's `leakage` block; the caller names the `profile`
/// and counts the `unmatched` ids (left empty and 0 here).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] if `correct` and `leaked` differ in
/// length, [`StatsError::Empty`] for no items,
/// [`StatsError::InvalidParameter`] for a confidence outside (0, 1).
pub fn leakage_cost(
    correct: &[bool],
    leaked: &[bool],
    bootstrap: usize,
    seed: u64,
    confidence: f64,
) -> Result<LeakageDoc, StatsError> {
    check_confidence(confidence)?;
    if correct.len() != leaked.len() {
        return Err(StatsError::LengthMismatch {
            what: "leaked flags",
            expected: correct.len(),
            got: leaked.len(),
        });
    }
    let n = correct.len();
    if n == 0 {
        return Err(StatsError::Empty);
    }
    let count = |keep: &dyn Fn(usize) -> bool| {
        let mut k = 0u64;
        let mut m = 0u64;
        for i in (0..n).filter(|&i| keep(i)) {
            m += 1;
            k += u64::from(correct[i]);
        }
        (k, m)
    };
    let (k_all, _) = count(&|_| true);
    let (k_clean, n_clean) = count(&|i| !leaked[i]);
    let (k_leaked, n_leaked) = count(&|i| leaked[i]);
    let rate = |k: u64, m: u64| (m > 0).then(|| k as f64 / m as f64);
    let wilson = |k: u64, m: u64| -> Result<Option<[f64; 2]>, StatsError> {
        if m == 0 {
            return Ok(None);
        }
        let (lo, hi) = wilson_interval(k, m, confidence)?;
        Ok(Some([lo, hi]))
    };
    let accuracy = k_all as f64 / n as f64;
    let accuracy_clean = rate(k_clean, n_clean);
    let inflation = accuracy_clean.map(|c| accuracy - c);
    let replicates: Vec<f64> = if n_leaked > 0 && n_clean > 0 {
        (0..bootstrap as u64)
            .into_par_iter()
            .map_init(
                || vec![0u32; n],
                |w, b| {
                    draw_counts(w, seed, b);
                    let (mut k, mut kc, mut mc) = (0u64, 0u64, 0u64);
                    for i in 0..n {
                        let wi = u64::from(w[i]);
                        let ci = u64::from(correct[i]);
                        k += wi * ci;
                        if !leaked[i] {
                            kc += wi * ci;
                            mc += wi;
                        }
                    }
                    (mc > 0).then(|| k as f64 / n as f64 - kc as f64 / mc as f64)
                },
            )
            .flatten()
            .collect()
    } else {
        Vec::new()
    };
    Ok(LeakageDoc {
        profile: String::new(),
        leaked: n_leaked as usize,
        unmatched: 0,
        accuracy,
        accuracy_wilson: wilson(k_all, n as u64)?.expect("n > 0"),
        accuracy_clean,
        accuracy_clean_wilson: wilson(k_clean, n_clean)?,
        accuracy_leaked: rate(k_leaked, n_leaked),
        inflation,
        inflation_ci: percentile_interval(&replicates, confidence).map(|(lo, hi)| [lo, hi]),
        resamples: replicates.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_answered_right_inflate_the_accuracy() {
        // 100 items: 20 leaked, all right; of the 80 others, 60 right.
        let leaked: Vec<bool> = (0..100).map(|i| i < 20).collect();
        let correct: Vec<bool> = (0..100).map(|i| i < 80).collect();
        let cost = leakage_cost(&correct, &leaked, 500, 0, 0.95).unwrap();
        assert_eq!(cost.accuracy, 0.8);
        assert_eq!(cost.accuracy_clean, Some(0.75));
        assert_eq!(cost.accuracy_leaked, Some(1.0));
        let d = cost.inflation.unwrap();
        assert!((d - 0.05).abs() < 1e-12);
        // Δ = (|L|/n)(acc_L − acc_clean) as the module states.
        assert!((d - 0.2 * (1.0 - 0.75)).abs() < 1e-12);
        let [lo, hi] = cost.inflation_ci.unwrap();
        assert!(lo > 0.0 && lo <= d && d <= hi, "[{lo}, {hi}]");
        assert_eq!(cost.resamples, 500);
        // Same seed, same interval; thread count does not enter.
        let again = leakage_cost(&correct, &leaked, 500, 0, 0.95).unwrap();
        assert_eq!(again, cost);
    }

    #[test]
    fn nothing_leaked_means_no_inflation_interval() {
        let cost = leakage_cost(&[true, false], &[false, false], 100, 0, 0.95).unwrap();
        assert_eq!(cost.inflation, Some(0.0));
        assert_eq!(cost.inflation_ci, None);
        assert_eq!(cost.accuracy_leaked, None);
        let all = leakage_cost(&[true, false], &[true, true], 100, 0, 0.95).unwrap();
        assert_eq!(all.accuracy_clean, None);
        assert_eq!(all.inflation, None);
        assert!(leakage_cost(&[true], &[true, false], 10, 0, 0.95).is_err());
        assert!(leakage_cost(&[], &[], 10, 0, 0.95).is_err());
    }
}
