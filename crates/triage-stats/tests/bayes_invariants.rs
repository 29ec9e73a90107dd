//! Invariants of the Bayes-error estimators (proptest): every lower bound
//! lies below its upper estimate and is monotone in it; intervals contain
//! their value; the k-NN error of a neighbour list is invariant under a
//! relabelling of the classes when ties cannot occur (k = 1); the
//! soft-label estimates lie in their feasible ranges.

use proptest::prelude::*;
use triage_stats::bayes::bounds::{cover_hart_lower, knn_lower};
use triage_stats::bayes::ghp::ghp;
use triage_stats::bayes::knn::{knn_bracket, NeighborLabels};
use triage_stats::bayes::soft_label::SoftLabels;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn lower_bounds_lie_below_and_grow_with_the_error(
        r in 0.0f64..1.0, dr in 0.0f64..0.2, classes in 2usize..50, k in 1usize..30,
    ) {
        let chance = (classes as f64 - 1.0) / classes as f64;
        let r = r * chance;
        for bound in [cover_hart_lower(r, classes), knn_lower(r, classes, k)] {
            prop_assert!((0.0..=r + 1e-15).contains(&bound));
        }
        let s = (r + dr).min(chance);
        prop_assert!(cover_hart_lower(s, classes) >= cover_hart_lower(r, classes) - 1e-15);
        prop_assert!(knn_lower(s, classes, k) >= knn_lower(r, classes, k) - 1e-15);
    }

    #[test]
    fn knn_bracket_intervals_contain_their_values(
        wrong in 0u64..500, extra in 1u64..500, classes in 2usize..20, k in 1usize..10,
    ) {
        let n = wrong + extra;
        let b = knn_bracket(wrong, n, classes, k, 0.95).unwrap();
        for e in [b.upper, b.lower] {
            prop_assert!(e.low <= e.value + 1e-15 && e.value <= e.high + 1e-15);
        }
        prop_assert!(b.lower.value <= b.upper.value + 1e-15);
    }

    #[test]
    fn one_nn_error_ignores_class_names(
        rows in prop::collection::vec((0u32..5, 0u32..5), 2..200), shift in 1u32..5,
    ) {
        let neighbours: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let truth: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let renamed = |v: &[u32]| v.iter().map(|&c| (c + shift) % 5).collect::<Vec<u32>>();
        let a = NeighborLabels::new(&neighbours, 1, 5).unwrap().wrong(1, &truth).unwrap();
        let rn = renamed(&neighbours);
        let b = NeighborLabels::new(&rn, 1, 5).unwrap().wrong(1, &renamed(&truth)).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn ghp_lower_is_below_upper(
        labels in prop::collection::vec(0u32..4, 3..100), seed in 0u64..1000,
    ) {
        prop_assume!(labels.iter().any(|&l| l != labels[0]));
        // A path through the points in a seeded order is a spanning tree.
        let n = labels.len() as u32;
        let edges: Vec<(u32, u32)> = (1..n).map(|i| ((i - 1 + seed as u32) % n, (i + seed as u32) % n)).collect();
        let g = ghp(edges, &labels, 0.95).unwrap();
        prop_assert!(g.bracket.lower.value <= g.bracket.upper.value + 1e-15);
        prop_assert!(g.bracket.upper.value <= 1.0);
    }

    #[test]
    fn soft_label_estimates_are_in_range(
        counts in prop::collection::vec(prop::collection::vec(0u32..20, 3), 2..60),
    ) {
        prop_assume!(counts.iter().all(|r| r.iter().sum::<u32>() > 0));
        let flat: Vec<f64> = counts.iter().flatten().map(|&c| f64::from(c)).collect();
        let s = SoftLabels::from_counts(&flat, 3, None).unwrap();
        let binary = s.binary_error(&[true, false, false], 0.95).unwrap();
        prop_assert!((0.0..=0.5).contains(&binary.value));
        let plugin = s.plugin_disagreement(0.95).unwrap();
        prop_assert!((0.0..=2.0 / 3.0 + 1e-12).contains(&plugin.value));
        prop_assert!(binary.low <= binary.value && binary.value <= binary.high);
    }
}
