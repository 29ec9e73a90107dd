//! `analyze` end to end: Gaussian mixtures with an analytic Bayes error
//! (test 2 of the issue), synthetic images with label noise (test 3), the
//! noise sweep (test 4) and bad input.

use std::path::PathBuf;

use rand::{Rng, SeedableRng};
use triage_bayes::features::{Features, Rows};
use triage_bayes::{analyze, BayesInputs, BayesOptions};
use triage_data::progress::Silent;
use triage_docs::bayes::{BayesDoc, Estimator, FeatureKind};
use triage_knn::Distance;
use triage_stats::intervals::normal_quantile;

/// Two unit-variance Gaussians in `dim` dimensions whose means are
/// `2·mu` apart along the first axis, equal priors: the Bayes error is
/// Φ(−mu).
fn gaussians(n: usize, dim: usize, mu: f64, seed: u64) -> Rows {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut values = Vec::with_capacity(n * dim);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let y = rng.random_range(0..2u32);
        for d in 0..dim {
            let z: f64 = standard_normal(&mut rng);
            let shift = if d == 0 {
                if y == 1 {
                    mu
                } else {
                    -mu
                }
            } else {
                0.0
            };
            values.push((z + shift) as f32);
        }
        labels.push(y);
    }
    Rows { values, labels }
}

fn standard_normal(rng: &mut impl Rng) -> f64 {
    // Inverse-CDF sampling: exact in distribution, no extra dependency.
    let u: f64 = rng.random_range(1e-12..1.0 - 1e-12);
    normal_quantile(u)
}

fn features(reference: Rows, queries: Option<Rows>, dim: usize) -> Features {
    Features {
        name: "gauss".to_owned(),
        kind: FeatureKind::Embeddings,
        path: PathBuf::from("gauss.npy"),
        size: None,
        dim,
        classes: vec!["a".to_owned(), "b".to_owned()],
        reference,
        queries,
        query_labels: None,
    }
}

fn run(f: Features, options: &BayesOptions) -> BayesDoc {
    let inputs = BayesInputs {
        features: vec![f],
        soft_labels: None,
    };
    analyze(&inputs, options, &Silent).unwrap()
}

fn options() -> BayesOptions {
    BayesOptions {
        metrics: vec![Distance::SquaredEuclidean],
        k: vec![1, 10],
        bootstrap: 50,
        ..BayesOptions::default()
    }
}

fn estimate(
    doc: &BayesDoc,
    estimator: Estimator,
    k: Option<usize>,
) -> &triage_docs::bayes::BayesEstimate {
    doc.feature_sets[0]
        .estimates
        .iter()
        .find(|e| e.estimator == estimator && (k.is_none() || e.k == k))
        .unwrap_or_else(|| panic!("no {estimator:?} k={k:?}"))
}

#[test]
fn gaussian_mixture_bracket_contains_the_bayes_error_and_narrows() {
    let (dim, mu) = (2, 1.0);
    let bayes = 1.0 - statrs_phi(mu);
    let mut widths = Vec::new();
    for (n, seed) in [(800, 1), (12_000, 2)] {
        let f = features(
            gaussians(n, dim, mu, seed),
            Some(gaussians(n / 2, dim, mu, seed + 100)),
            dim,
        );
        let opts = BayesOptions {
            sota_error: Some(bayes),
            ..options()
        };
        let doc = run(f, &opts);
        for (estimator, k) in [
            (Estimator::Knn, Some(1)),
            (Estimator::Knn, Some(10)),
            (Estimator::OneNnKnn, None),
            (Estimator::KnnExtrapolate, None),
        ] {
            let e = estimate(&doc, estimator, k);
            assert!(
                e.lower.low <= bayes && bayes <= e.upper.high,
                "n {n} {estimator:?} k={k:?}: [{}, {}] misses {bayes}",
                e.lower.low,
                e.upper.high
            );
        }
        let e = estimate(&doc, Estimator::Knn, Some(1));
        widths.push(e.upper.high - e.lower.low);
        assert!(
            !doc.warnings
                .iter()
                .any(|w| w.kind == "lower-above-achieved-error"),
            "{:?}",
            doc.warnings
        );
        let t = doc.tightest.as_ref().unwrap();
        assert!(t.lower.estimate.value <= t.upper.estimate.value);
    }
    assert!(
        widths[1] < widths[0],
        "the bracket does not narrow: {widths:?}"
    );
}

/// Φ(x) from the complementary error function of triage-stats' normal
/// quantile's inverse: by bisection on the quantile (monotone).
fn statrs_phi(x: f64) -> f64 {
    let (mut lo, mut hi) = (1e-15, 1.0 - 1e-15);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_quantile(mid) < x {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn leave_one_out_and_both_distances_run_and_are_deterministic() {
    let f = features(gaussians(600, 3, 1.5, 5), None, 3);
    let opts = BayesOptions {
        k: vec![1, 5],
        bootstrap: 20,
        ..BayesOptions::default()
    };
    let inputs = BayesInputs {
        features: vec![f],
        soft_labels: None,
    };
    let doc = analyze(&inputs, &opts, &Silent).unwrap();
    let set = &doc.feature_sets[0];
    assert_eq!(set.mode, triage_docs::bayes::NeighbourMode::LeaveOneOut);
    for metric in ["squared-euclidean", "cosine"] {
        for estimator in [
            Estimator::Knn,
            Estimator::OneNnKnn,
            Estimator::KnnExtrapolate,
            Estimator::Ghp,
        ] {
            assert!(
                set.estimates
                    .iter()
                    .any(|e| e.metric == metric && e.estimator == estimator),
                "{metric} {estimator:?} missing"
            );
        }
    }
    for e in &set.estimates {
        assert!(e.lower.value <= e.upper.value + 1e-15, "{e:?}");
        assert!(
            e.upper.low <= e.upper.value && e.upper.value <= e.upper.high,
            "{e:?}"
        );
    }
    assert_eq!(doc, analyze(&inputs, &opts, &Silent).unwrap());
    let value = serde_json::to_value(&doc).unwrap();
    let back: BayesDoc = triage_docs::read_value(value).unwrap();
    assert_eq!(back, doc);
    assert!(doc.warnings.iter().any(|w| w.kind == "few-per-class"));
}

#[test]
fn extrapolation_is_refused_where_it_is_not_identifiable() {
    // 120 dimensions of Gaussian noise have intrinsic dimension ≈ 120:
    // n^(−2/120) varies by under 4 % over the subsets' 10× range.
    let f = features(gaussians(1000, 120, 1.0, 3), None, 120);
    let doc = run(f, &options());
    let set = &doc.feature_sets[0];
    assert!(!set
        .estimates
        .iter()
        .any(|e| e.estimator == Estimator::KnnExtrapolate));
    assert!(
        set.notes.iter().any(|n| n.contains("not identifiable")),
        "{:?}",
        set.notes
    );
}

#[test]
fn noise_sweep_moves_the_estimates_into_the_band() {
    let f = features(
        gaussians(3000, 2, 3.0, 7),
        Some(gaussians(1500, 2, 3.0, 8)),
        2,
    );
    let opts = BayesOptions {
        noise_levels: vec![0.0, 0.1, 0.2, 0.4],
        ghp: false,
        extrapolate_order: 0,
        ..options()
    };
    let doc = run(f, &opts);
    let sweep = doc.noise_sweep.as_ref().unwrap();
    assert_eq!(sweep.levels.len(), 4);
    let key = "gauss / knn / squared-euclidean / k=1";
    let uppers: Vec<f64> = sweep
        .levels
        .iter()
        .map(|l| l.estimates.iter().find(|e| e.from == key).unwrap().upper)
        .collect();
    assert!(uppers.windows(2).all(|w| w[0] < w[1]), "{uppers:?}");
    // The 1-NN lower bound tracks the noisy Bayes error: inside the band
    // at every level for a task whose clean Bayes error is Φ(−3) ≈ 0.13 %.
    for l in &sweep.levels {
        let e = l.estimates.iter().find(|e| e.from == key).unwrap();
        assert!(
            e.lower_inside,
            "ρ = {}: lower {} outside [{}, {}]",
            l.rho, e.lower, l.band_low, l.band_high
        );
    }
    let score = sweep.scores.iter().find(|s| s.from == key).unwrap();
    assert!(score.lower < 0.01, "{score:?}");
}

#[test]
fn a_class_with_one_item_and_a_single_class_are_refused() {
    let mut rows = gaussians(50, 2, 1.0, 9);
    rows.labels.iter_mut().for_each(|l| *l = 0);
    rows.labels[0] = 1;
    let err = analyze(
        &BayesInputs {
            features: vec![features(rows.clone(), None, 2)],
            soft_labels: None,
        },
        &options(),
        &Silent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("class `b` has 1 item"), "{err}");
    rows.labels[0] = 0;
    let err = analyze(
        &BayesInputs {
            features: vec![features(rows, None, 2)],
            soft_labels: None,
        },
        &options(),
        &Silent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("1 class(es)"), "{err}");
}
