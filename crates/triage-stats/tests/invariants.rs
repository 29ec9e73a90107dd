//! Property tests: invariances and structural properties of the metrics that
//! hold for any input (scikit-learn-independent).

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_stats::calibration::calibration_report;
use triage_stats::confusion::ConfusionMatrix;
use triage_stats::multiclass::{average_precision_multiclass, roc_auc_ovo, roc_auc_ovr, Average};
use triage_stats::ranking::SortedScores;
use triage_stats::roc::{roc_auc_score, roc_curve};
use triage_stats::temperature::{apply_temperature, fit_temperature};
use triage_stats::{Metric, ProbMatrix};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Scores on a coarse grid (heavy ties) or a fine one (distinct values at
/// least 1e-6 apart, so that increasing transforms stay strictly increasing
/// in floating point).
fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..=10).prop_map(|i| f64::from(i) / 10.0),
        (0u32..=100).prop_map(|i| f64::from(i) / 100.0),
        (-1_000_000i32..=1_000_000).prop_map(|i| f64::from(i) / 1e5),
    ]
}

/// A binary problem: (score, is_positive) pairs.
fn binary(max_len: usize) -> impl Strategy<Value = Vec<(f64, bool)>> {
    prop::collection::vec((score(), any::<bool>()), 1..max_len)
}

fn split(data: &[(f64, bool)]) -> (Vec<bool>, Vec<f64>) {
    data.iter().map(|&(s, y)| (y, s)).unzip()
}

fn auc(y: &[bool], s: &[f64]) -> Option<f64> {
    roc_auc_score(y, s).unwrap().value()
}

/// A multiclass problem: K, labels and a probability matrix built from logits
/// on a grid (so ties occur and distinct logits are well separated).
fn multiclass(
    k_range: std::ops::Range<usize>,
    max_n: usize,
) -> impl Strategy<Value = (Vec<usize>, ProbMatrix)> {
    (k_range, 1..max_n)
        .prop_flat_map(|(k, n)| {
            (
                Just(k),
                prop::collection::vec(0..k, n),
                prop::collection::vec((-20i32..=20).prop_map(|i| f64::from(i) / 4.0), n * k),
            )
        })
        .prop_map(|(k, y, logits)| (y, ProbMatrix::from_logits(logits, k).unwrap()))
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn auc_is_invariant_under_permutation(
        (data, shuffled) in binary(80).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        let (y, s) = split(&data);
        let (y2, s2) = split(&shuffled);
        prop_assert_eq!(auc(&y, &s), auc(&y2, &s2));
    }

    #[test]
    fn auc_is_invariant_under_increasing_transforms(data in binary(80)) {
        let (y, s) = split(&data);
        let base = auc(&y, &s);
        let transforms: [fn(f64) -> f64; 3] =
            [|v| v * v * v + 2.0 * v, f64::exp, |v| 1.0 / (1.0 + (-v).exp())];
        for f in transforms {
            let t: Vec<f64> = s.iter().map(|&v| f(v)).collect();
            prop_assert_eq!(base, auc(&y, &t));
        }
    }

    #[test]
    fn auc_of_negated_scores_is_complement(data in binary(80)) {
        let (y, s) = split(&data);
        let neg: Vec<f64> = s.iter().map(|v| -v).collect();
        match (auc(&y, &s), auc(&y, &neg)) {
            (Some(a), Some(b)) => prop_assert!((a + b - 1.0).abs() < 1e-12, "{} + {} != 1", a, b),
            (None, None) => {}
            (a, b) => prop_assert!(false, "defined for one sign only: {:?} {:?}", a, b),
        }
    }

    #[test]
    fn roc_curve_is_monotone_from_origin_to_corner(data in binary(80), drop in any::<bool>()) {
        let (y, s) = split(&data);
        let roc = roc_curve(&y, &s, drop).unwrap();
        let (pos, neg) = (y.iter().any(|&v| v), y.iter().any(|&v| !v));
        prop_assert_eq!(roc.fpr.len(), roc.tpr.len());
        prop_assert_eq!(roc.fpr.len(), roc.thresholds.len());
        prop_assert_eq!(roc.thresholds[0], f64::INFINITY);
        prop_assert!(roc.thresholds.windows(2).all(|w| w[0] > w[1]));
        for (rate, present) in [(&roc.fpr, neg), (&roc.tpr, pos)] {
            if present {
                prop_assert_eq!(rate[0], 0.0);
                prop_assert_eq!(*rate.last().unwrap(), 1.0);
                prop_assert!(rate.windows(2).all(|w| w[0] <= w[1]), "not monotone: {:?}", rate);
            } else {
                prop_assert!(rate.iter().all(|v| v.is_nan()));
            }
        }
        if let Some(a) = auc(&y, &s) {
            // The AUC is the trapezoid under the curve.
            let area: f64 = (1..roc.fpr.len())
                .map(|i| (roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1]) / 2.0)
                .sum();
            prop_assert!((area - a).abs() < 1e-12, "trapezoid {} vs AUC {}", area, a);
        }
    }

    #[test]
    fn weighted_auc_equals_auc_of_repeated_rows(
        data in prop::collection::vec((score(), any::<bool>(), 0u32..4), 1..60)
    ) {
        let scores: Vec<f64> = data.iter().map(|d| d.0).collect();
        let labels: Vec<bool> = data.iter().map(|d| d.1).collect();
        let weights: Vec<u32> = data.iter().map(|d| d.2).collect();
        let weighted = SortedScores::new(scores.iter().copied(), |e| labels[e], |e| e);
        let (mut rs, mut ry) = (vec![], vec![]);
        for (i, &w) in weights.iter().enumerate() {
            for _ in 0..w {
                rs.push(scores[i]);
                ry.push(labels[i]);
            }
        }
        let repeated = SortedScores::new(rs.iter().copied(), |e| ry[e], |e| e);
        prop_assert_eq!(weighted.auc(Some(&weights)), repeated.auc(None));
        let (ap_weighted, ap_repeated) =
            (weighted.average_precision(Some(&weights)), repeated.average_precision(None));
        prop_assert_eq!(ap_weighted, ap_repeated);
    }

    #[test]
    fn confusion_matrix_sums_to_n(
        (k, pairs, weights) in (2usize..8).prop_flat_map(|k| (
            Just(k),
            prop::collection::vec((0..k, 0..k), 0..100),
            prop::collection::vec(0u32..5, 100),
        ))
    ) {
        let (y, p): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
        let n = y.len();
        let cm = ConfusionMatrix::new(&y, &p, k, None).unwrap();
        prop_assert_eq!(cm.total(), n as f64);
        prop_assert_eq!(cm.rows().iter().flatten().sum::<f64>(), n as f64);
        for c in 0..k {
            prop_assert_eq!(cm.true_counts()[c], y.iter().filter(|&&t| t == c).count() as f64);
            prop_assert_eq!(cm.pred_counts()[c], p.iter().filter(|&&t| t == c).count() as f64);
        }
        let w = &weights[..n];
        let weighted = ConfusionMatrix::new(&y, &p, k, Some(w)).unwrap();
        prop_assert_eq!(weighted.total(), w.iter().map(|&v| f64::from(v)).sum::<f64>());
    }

    #[test]
    fn temperature_scaling_keeps_the_argmax(
        (y, proba) in multiclass(2..6, 50),
        t in prop_oneof![0.05f64..1.0, 1.0f64..50.0],
    ) {
        let before = proba.argmax();
        let fit = fit_temperature(&y, &proba).unwrap();
        prop_assert!(fit.temperature > 0.0 && fit.temperature.is_finite());
        prop_assert!(fit.nll_after <= fit.nll_before + 1e-12);
        for temperature in [fit.temperature, t] {
            let scaled = apply_temperature(&proba, temperature).unwrap();
            prop_assert_eq!(&scaled.argmax(), &before, "T = {}", temperature);
        }
    }

    #[test]
    fn multiclass_scores_lie_in_unit_interval((y, proba) in multiclass(3..7, 60)) {
        let in_unit = |m: &Metric| m.value().is_none_or(|v| (-1e-12..=1.0 + 1e-12).contains(&v));
        for avg in [Average::Macro, Average::Weighted, Average::Micro] {
            let ovr = roc_auc_ovr(&y, &proba, avg).unwrap();
            prop_assert!(in_unit(&ovr), "ovr {:?}: {:?}", avg, ovr);
            let ap = average_precision_multiclass(&y, &proba, avg).unwrap();
            prop_assert!(in_unit(&ap), "ap {:?}: {:?}", avg, ap);
            if avg != Average::Micro {
                let ovo = roc_auc_ovo(&y, &proba, avg).unwrap();
                prop_assert!(in_unit(&ovo), "ovo {:?}: {:?}", avg, ovo);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(6))]

    /// Labels drawn from the predicted probabilities: the model is calibrated
    /// by construction, so all calibration errors are sampling noise
    /// (≈ √(M/n) ≈ 0.01 for n = 20,000, M = 15).
    #[test]
    fn ece_is_small_for_calibrated_predictions(seed in any::<u64>(), k in 2usize..6) {
        let n = 20_000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let logits: Vec<f64> = (0..n * k).map(|_| 3.0 * (rng.random::<f64>() - 0.5)).collect();
        let proba = ProbMatrix::from_logits(logits, k).unwrap();
        let y: Vec<usize> = proba
            .rows()
            .map(|row| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                row.iter().position(|&p| { acc += p; u < acc }).unwrap_or(k - 1)
            })
            .collect();
        let r = calibration_report(&y, &proba, 15).unwrap();
        prop_assert!(r.ece < 0.03, "ECE {}", r.ece);
        prop_assert!(r.adaptive_ece < 0.03, "adaptive ECE {}", r.adaptive_ece);
        prop_assert!(r.classwise_ece < 0.03, "class-wise ECE {}", r.classwise_ece);
    }
}

// ---------------------------------------------------------------------------
// Confident learning (label_issues)
// ---------------------------------------------------------------------------

mod label_issues {
    use super::*;
    use triage_stats::label_issues::{
        find_label_issues, FilterBy, LabelIssues, LabelIssuesParams, RankBy,
    };

    /// Labels (at least two classes) and continuous probabilities that lean
    /// towards the label with some mislabelled rows: distinct values, so no
    /// ties anywhere.
    fn noisy(seed: u64, n: usize, k: usize) -> (Vec<usize>, ProbMatrix) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let labels: Vec<usize> = (0..n)
            .map(|i| if i < 2 { i % 2 } else { rng.random_range(0..k) })
            .collect();
        let logits: Vec<f64> = labels
            .iter()
            .flat_map(|&l| {
                let truth = if rng.random::<f64>() < 0.2 {
                    rng.random_range(0..k)
                } else {
                    l
                };
                let signal = rng.random::<f64>() * 4.0;
                (0..k)
                    .map(|c| rng.random::<f64>() * 3.0 + if c == truth { signal } else { 0.0 })
                    .collect::<Vec<_>>()
            })
            .collect();
        (labels, ProbMatrix::from_logits(logits, k).unwrap())
    }

    fn run(labels: &[usize], p: &ProbMatrix, filter_by: FilterBy, rank_by: RankBy) -> LabelIssues {
        let settings = LabelIssuesParams {
            filter_by,
            rank_by,
            ..Default::default()
        }
        .check()
        .unwrap();
        find_label_issues(labels, p, &settings).unwrap()
    }

    fn filter() -> impl Strategy<Value = FilterBy> {
        prop::sample::select(FilterBy::ALL.to_vec())
    }

    fn rank_by() -> impl Strategy<Value = RankBy> {
        prop::sample::select(RankBy::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(config(150))]

        #[test]
        fn one_hot_probabilities_on_the_labels_have_no_issues(
            labels in prop::collection::vec(0usize..5, 2..120),
            filter_by in filter(),
        ) {
            let mut labels = labels;
            labels[0] = 0;
            labels[1] = 1;
            let k = 5;
            let data: Vec<f64> = labels
                .iter()
                .flat_map(|&l| (0..k).map(move |c| if c == l { 1.0 } else { 0.0 }))
                .collect();
            let p = ProbMatrix::new(data, k, 1e-12).unwrap();
            let r = run(&labels, &p, filter_by, RankBy::SelfConfidence);
            prop_assert!(r.ranked.is_empty());
            prop_assert!(!r.is_issue.iter().any(|&m| m));
            prop_assert_eq!(r.num_label_issues, 0);
            prop_assert_eq!(r.num_label_issues_calibrated, 0);
        }

        #[test]
        fn calibrated_joint_has_the_label_counts(
            seed in any::<u64>(), n in 2usize..300, k in 2usize..7,
        ) {
            let (labels, p) = noisy(seed, n, k);
            let r = run(&labels, &p, FilterBy::PruneByNoiseRate, RankBy::SelfConfidence);
            let rows: Vec<usize> = r.calibrated_confident_joint.iter().map(|row| row.iter().sum()).collect();
            prop_assert_eq!(&rows, &r.label_counts);
            prop_assert_eq!(rows.iter().sum::<usize>(), n);
            let mut counts = vec![0; k];
            labels.iter().for_each(|&l| counts[l] += 1);
            prop_assert_eq!(&r.label_counts, &counts);
            for (c, &given_c) in counts.iter().enumerate() {
                prop_assert!(r.confident_joint[c][c] >= 1);
                // Columns are distributions, except an all-zero column (no
                // example truly c, or none given c) that stays 0 as in cleanlab.
                let true_c: usize = (0..k).map(|i| r.calibrated_confident_joint[i][c]).sum();
                let s: f64 = (0..k).map(|i| r.noise_matrix[i][c]).sum();
                let want = if true_c == 0 { 0.0 } else { 1.0 };
                prop_assert!((s - want).abs() < 1e-12, "noise column {c} sums to {s}");
                let s: f64 = (0..k).map(|j| r.inverse_noise_matrix[j][c]).sum();
                let want = if given_c == 0 { 0.0 } else { 1.0 };
                prop_assert!((s - want).abs() < 1e-12, "inverse column {c} sums to {s}");
            }
            prop_assert!((r.true_label_prior.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            prop_assert!((r.joint.iter().flatten().sum::<f64>() - 1.0).abs() < 1e-12);
        }

        #[test]
        fn ranking_is_the_mask_sorted_by_score(
            seed in any::<u64>(), n in 2usize..300, k in 2usize..7,
            filter_by in filter(), rank_by in rank_by(),
        ) {
            let (labels, p) = noisy(seed, n, k);
            let r = run(&labels, &p, filter_by, rank_by);
            let flagged = r.is_issue.iter().filter(|&&m| m).count();
            prop_assert_eq!(flagged, r.ranked.len());
            prop_assert!(r.ranked.iter().all(|&i| r.is_issue[i]));
            let score = match rank_by {
                RankBy::SelfConfidence => &r.self_confidence,
                RankBy::NormalizedMargin => &r.normalized_margin,
            };
            for w in r.ranked.windows(2) {
                let (a, b) = (score[w[0]], score[w[1]]);
                prop_assert!(a < b || (a == b && w[0] < w[1]));
            }
            if !matches!(filter_by, FilterBy::LowNormalizedMargin | FilterBy::LowSelfConfidence) {
                // An issue's given label never wins the argmax.
                prop_assert!(r.ranked.iter().all(|&i| r.suggested_label[i] != labels[i]));
            } else {
                prop_assert_eq!(r.ranked.len(), r.num_label_issues);
            }
            if filter_by == FilterBy::ConfidentLearning {
                prop_assert_eq!(r.ranked.len(), r.num_label_issues);
            }
        }

        #[test]
        fn both_is_the_intersection(seed in any::<u64>(), n in 2usize..300, k in 2usize..7) {
            let (labels, p) = noisy(seed, n, k);
            let rate = run(&labels, &p, FilterBy::PruneByNoiseRate, RankBy::SelfConfidence);
            let class = run(&labels, &p, FilterBy::PruneByClass, RankBy::SelfConfidence);
            let both = run(&labels, &p, FilterBy::Both, RankBy::SelfConfidence);
            for i in 0..n {
                prop_assert_eq!(both.is_issue[i], rate.is_issue[i] && class.is_issue[i]);
            }
        }

        #[test]
        fn permuting_examples_permutes_the_result(
            seed in any::<u64>(), n in 2usize..200, k in 2usize..6,
            filter_by in filter(), rank_by in rank_by(),
        ) {
            let (labels, p) = noisy(seed, n, k);
            let mut perm: Vec<usize> = (0..n).collect();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
            for i in (1..n).rev() {
                perm.swap(i, rng.random_range(0..=i));
            }
            // Example j of the permuted data is example perm[j] of the original.
            let labels2: Vec<usize> = perm.iter().map(|&i| labels[i]).collect();
            let p2 = p.select_rows(&perm);
            let a = run(&labels, &p, filter_by, rank_by);
            let b = run(&labels2, &p2, filter_by, rank_by);
            prop_assert_eq!(&a.confident_joint, &b.confident_joint);
            prop_assert_eq!(&a.calibrated_confident_joint, &b.calibrated_confident_joint);
            for (x, y) in a.thresholds.iter().zip(&b.thresholds) {
                prop_assert!((x - y).abs() <= 1e-15 * x.abs().max(1.0));
            }
            let mapped: Vec<usize> = b.ranked.iter().map(|&j| perm[j]).collect();
            prop_assert_eq!(&a.ranked, &mapped);
            for (j, &i) in perm.iter().enumerate() {
                prop_assert_eq!(a.is_issue[i], b.is_issue[j]);
                prop_assert_eq!(a.suggested_label[i], b.suggested_label[j]);
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        // Several parallel chunks (4096 rows each) and K > 8 (pairwise sums).
        let (labels, p) = noisy(7, 30_000, 11);
        for filter_by in FilterBy::ALL {
            let settings = LabelIssuesParams {
                filter_by,
                rank_by: RankBy::NormalizedMargin,
                converge_latent_estimates: true,
                ..Default::default()
            }
            .check()
            .unwrap();
            let results: Vec<LabelIssues> = [1, 2, 5]
                .iter()
                .map(|&threads| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap()
                        .install(|| find_label_issues(&labels, &p, &settings).unwrap())
                })
                .collect();
            assert!(results[0].n_issues() > 0, "{filter_by}: no issues");
            assert_eq!(results[0], results[1], "{filter_by}: 1 vs 2 threads");
            assert_eq!(results[0], results[2], "{filter_by}: 1 vs 5 threads");
        }
    }
}
