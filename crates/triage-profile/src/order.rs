//! The order trap: labels sorted or blocked in file order.
//!
//! Keras' `model.fit(validation_split=f)` takes the *last* fraction f of the
//! samples, before any shuffling. If files are listed class by class (the
//! usual order of an image folder), that validation set holds only the last
//! classes. This module counts label runs in file order, compares them with
//! the number expected in a random order, and reports which classes a tail
//! split would contain.

use triage_docs::profile::{ClassShare, OrderCheck, OrderReport, SplitMap, TailSplit};

use super::context::Context;

/// Fractions of the tail splits reported (10 % and 20 %).
pub const TAIL_FRACTIONS: [f64; 2] = [0.1, 0.2];
/// Flag the order when the number of runs is at most this many per class
/// present (2K).
pub const SORTED_RUNS_PER_CLASS: usize = 2;
/// Flag the order when the number of runs is at most this fraction of the
/// number expected in a random order (5 %).
pub const SORTED_RUNS_FRACTION: f64 = 0.05;
/// Test only when at least this many runs per class are expected in a
/// random order (4K): with fewer items, few runs are not unusual.
pub const MIN_EXPECTED_RUNS_PER_CLASS: f64 = 4.0;

/// Number of label runs: 1 + the number of positions whose label differs
/// from the previous one; 0 for an empty list.
pub fn label_runs(labels: &[usize]) -> usize {
    if labels.is_empty() {
        return 0;
    }
    1 + labels.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Expected number of label runs when n labels with class counts n_k are
/// put in uniformly random order:
///
/// E\[R\] = n − Σ_k n_k (n_k − 1) / n   (0 for n = 0).
///
/// Derivation: R = 1 + Σ_{i=1}^{n−1} [ℓ_i ≠ ℓ_{i+1}], and for any two
/// positions P(ℓ_i = ℓ_{i+1}) = Σ_k n_k(n_k − 1) / (n(n − 1)); by
/// linearity E\[R\] = 1 + (n − 1)(1 − Σ_k n_k(n_k−1)/(n(n−1))). For two
/// classes this is the Wald–Wolfowitz mean 2 n₁ n₂ / n + 1.
///
/// # References
/// A. Wald and J. Wolfowitz, "On a test whether two samples are from the
/// same population", Ann. Math. Statist. 11(2):147–162, 1940; A. M. Mood,
/// "The distribution theory of runs", Ann. Math. Statist. 11(4):367–392,
/// 1940 (runs of k kinds of elements).
pub fn expected_runs(counts: &[usize]) -> f64 {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let same: f64 = counts
        .iter()
        .map(|&c| c as f64 * (c as f64 - 1.0).max(0.0))
        .sum();
    n as f64 - same / n as f64
}

/// Whether R runs look sorted given K classes and E\[R\] expected runs
/// (see [`OrderCheck::sorted`]).
pub fn looks_sorted(runs: usize, classes_present: usize, expected: f64) -> bool {
    classes_present >= 2
        && expected >= MIN_EXPECTED_RUNS_PER_CLASS * classes_present as f64
        && (runs <= SORTED_RUNS_PER_CLASS * classes_present
            || runs as f64 <= SORTED_RUNS_FRACTION * expected)
}

/// The order check of `labels` (class indices below `names.len()`).
pub(crate) fn check_order(labels: &[usize], names: &[String]) -> OrderCheck {
    let mut counts = vec![0usize; names.len()];
    for &l in labels {
        counts[l] += 1;
    }
    let classes_present = counts.iter().filter(|&&c| c > 0).count();
    let runs = label_runs(labels);
    let expected = expected_runs(&counts);
    let n = labels.len();
    let tail_splits = if n == 0 {
        Vec::new()
    } else {
        TAIL_FRACTIONS
            .iter()
            .map(|&fraction| {
                // Keras: split_at = int(n · (1 − validation_split)).
                let start = ((n as f64 * (1.0 - fraction)).floor() as usize).min(n);
                let mut tail = vec![0usize; names.len()];
                for &l in &labels[start..] {
                    tail[l] += 1;
                }
                let classes: Vec<ClassShare> = names
                    .iter()
                    .zip(&tail)
                    .filter(|(_, &c)| c > 0)
                    .map(|(name, &count)| ClassShare {
                        name: name.clone(),
                        count,
                    })
                    .collect();
                TailSplit {
                    fraction,
                    n_items: n - start,
                    missing_classes: classes_present - classes.len(),
                    classes,
                }
            })
            .collect()
    };
    OrderCheck {
        n,
        classes_present,
        runs,
        expected_runs: expected,
        sorted: looks_sorted(runs, classes_present, expected),
        tail_splits,
    }
}

pub(crate) fn order_report(ctx: &Context<'_>) -> OrderReport {
    let labels: Vec<usize> = (0..ctx.len()).map(|i| ctx.label(i)).collect();
    let all = check_order(&labels, &ctx.class_names);
    let by_split = SplitMap(
        ctx.present_splits()
            .into_iter()
            .map(|key| {
                let split_labels: Vec<usize> = (0..ctx.len())
                    .filter(|&i| ctx.key(i) == key)
                    .map(|i| ctx.label(i))
                    .collect();
                (key, check_order(&split_labels, &ctx.class_names))
            })
            .collect(),
    );
    OrderReport { all, by_split }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|c| format!("c{c}")).collect()
    }

    #[test]
    fn expected_runs_matches_wald_wolfowitz_and_enumeration() {
        // Two classes: 2 n1 n2 / n + 1.
        assert!((expected_runs(&[6, 4]) - (2.0 * 24.0 / 10.0 + 1.0)).abs() < 1e-12);
        // Average the runs over all 24 orderings of the items [0, 0, 1, 2].
        let mut perms = Vec::new();
        let base = [0usize, 0, 1, 2];
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    for d in 0..4 {
                        let idx = [a, b, c, d];
                        let mut s = idx.to_vec();
                        s.sort_unstable();
                        s.dedup();
                        if s.len() == 4 {
                            perms.push(idx.map(|i| base[i]));
                        }
                    }
                }
            }
        }
        let mean = perms.iter().map(|p| label_runs(p) as f64).sum::<f64>() / perms.len() as f64;
        assert!((expected_runs(&[2, 1, 1]) - mean).abs() < 1e-12);
        assert_eq!(expected_runs(&[]), 0.0);
        assert_eq!(expected_runs(&[5]), 1.0);
    }

    #[test]
    fn sorted_labels_are_flagged_and_tail_holds_last_class() {
        let labels: Vec<usize> = (0..5).flat_map(|c| std::iter::repeat_n(c, 100)).collect();
        let check = check_order(&labels, &names(5));
        assert_eq!(check.runs, 5);
        assert!(check.sorted);
        let tail10 = &check.tail_splits[0];
        assert_eq!(tail10.n_items, 50);
        assert_eq!(
            tail10.classes,
            vec![ClassShare {
                name: "c4".into(),
                count: 50
            }]
        );
        assert_eq!(tail10.missing_classes, 4);
        let tail20 = &check.tail_splits[1];
        assert_eq!(tail20.n_items, 100);
        assert_eq!(tail20.classes.len(), 1);
    }

    #[test]
    fn shuffled_labels_are_not_flagged() {
        let mut labels: Vec<usize> = (0..5).flat_map(|c| std::iter::repeat_n(c, 100)).collect();
        labels.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(1));
        let check = check_order(&labels, &names(5));
        assert!(!check.sorted, "{check:?}");
        assert!((check.runs as f64 - check.expected_runs).abs() < 0.1 * check.expected_runs);
        assert_eq!(check.tail_splits[0].missing_classes, 0);
    }

    #[test]
    fn blocked_labels_are_flagged_by_the_fraction_rule() {
        // Blocks of 50: 20 runs for 2 classes (more than 2K = 4), far below
        // 5 % of E[R] ≈ 501.
        let labels: Vec<usize> = (0..1000).map(|i| (i / 50) % 2).collect();
        let check = check_order(&labels, &names(2));
        assert_eq!(check.runs, 20);
        assert!(check.sorted);
    }

    #[test]
    fn small_or_single_class_lists_are_not_tested() {
        assert!(!check_order(&[0, 0, 1, 1], &names(2)).sorted);
        assert!(!check_order(&[0; 100], &names(1)).sorted);
        let empty = check_order(&[], &names(2));
        assert_eq!((empty.runs, empty.sorted), (0, false));
        assert!(empty.tail_splits.is_empty());
    }
}
