//! Shift detectors and label-shift estimators on simulated data where the
//! truth is known: a 3-class problem whose class-conditional outputs are
//! fixed, drawn with source priors (0.5, 0.3, 0.2) and target priors either
//! the same (no shift: the tests stay quiet) or (0.2, 0.3, 0.5) (label
//! shift: BBSE and EM recover the target priors, the tests fire).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_stats::proba::ProbMatrix;
use triage_stats::shift::bbsd::bbsd;
use triage_stats::shift::label_shift::{label_shift, LabelShiftParams};
use triage_stats::shift::mmd::{mmd_test, MmdParams};

const K: usize = 3;
const SOURCE: [f64; K] = [0.5, 0.3, 0.2];
const SHIFTED: [f64; K] = [0.2, 0.3, 0.5];

fn draw_class(rng: &mut Xoshiro256PlusPlus, priors: &[f64]) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (c, p) in priors.iter().enumerate() {
        acc += p;
        if u < acc {
            return c;
        }
    }
    priors.len() - 1
}

/// `n` items with labels drawn from `priors` and outputs softmax(2.5·e_y +
/// noise) — the same p(x | y) whatever the priors.
fn sample(n: usize, priors: &[f64], seed: u64) -> (Vec<usize>, ProbMatrix, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut labels = Vec::with_capacity(n);
    let mut proba = Vec::with_capacity(n * K);
    let mut features = Vec::with_capacity(n * 2);
    for _ in 0..n {
        let y = draw_class(&mut rng, priors);
        let logits: Vec<f64> = (0..K)
            .map(|c| if c == y { 2.5 } else { 0.0 } + 1.5 * normal(&mut rng))
            .collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
        let s: f64 = e.iter().sum();
        proba.extend(e.iter().map(|v| v / s));
        features.extend([y as f64 + normal(&mut rng), normal(&mut rng)]);
        labels.push(y);
    }
    (labels, ProbMatrix::new(proba, K, 1e-9).unwrap(), features)
}

fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[test]
fn label_shift_is_estimated_and_detected() {
    let (labels, source, _) = sample(4000, &SOURCE, 1);
    let (_, target, _) = sample(4000, &SHIFTED, 2);
    let params = LabelShiftParams {
        bootstrap: 50,
        ..LabelShiftParams::default()
    };
    let est = label_shift(&labels, &source, &target, &params).unwrap();
    let bbse = est.bbse.priors.as_ref().unwrap();
    for c in 0..K {
        assert!((bbse[c] - SHIFTED[c]).abs() < 0.04, "BBSE {bbse:?}");
        assert!(
            (est.em.priors[c] - SHIFTED[c]).abs() < 0.04,
            "EM {:?}",
            est.em.priors
        );
    }
    assert!(est.lr_p_value < 1e-6, "LR p = {}", est.lr_p_value);
    // The intervals cover the truth.
    let em = est.em_intervals.as_ref().unwrap();
    for c in 0..K {
        assert!(
            em[c].0 - 0.01 <= SHIFTED[c] && SHIFTED[c] <= em[c].1 + 0.01,
            "{em:?}"
        );
    }
    // Prior correction helps the accuracy expected on the target.
    assert!(est.expected_accuracy_adjusted >= est.expected_accuracy - 1e-9);
    assert_eq!(est.adjusted.n(), target.n());

    let detect = bbsd(&source, &target).unwrap();
    assert!(detect.ks_p_adjusted < 1e-6, "{}", detect.ks_p_adjusted);
    assert!(detect.predicted_labels.p_value < 1e-6);
}

#[test]
fn no_shift_stays_quiet() {
    let (labels, source, xs) = sample(3000, &SOURCE, 3);
    let (_, target, xt) = sample(3000, &SOURCE, 4);
    let params = LabelShiftParams {
        bootstrap: 0,
        ..LabelShiftParams::default()
    };
    let est = label_shift(&labels, &source, &target, &params).unwrap();
    for (q, truth) in est.em.priors.iter().zip(SOURCE) {
        assert!((q - truth).abs() < 0.04, "{:?}", est.em.priors);
    }
    assert!(est.lr_p_value > 1e-3, "LR p = {}", est.lr_p_value);
    let detect = bbsd(&source, &target).unwrap();
    assert!(detect.ks_p_adjusted > 1e-3, "{}", detect.ks_p_adjusted);
    let mmd = mmd_test(
        &xs[..2 * 800],
        &xt[..2 * 800],
        2,
        &MmdParams {
            permutations: 200,
            ..MmdParams::default()
        },
    )
    .unwrap();
    assert!(mmd.p_value > 1e-3, "MMD p = {}", mmd.p_value);
}

#[test]
fn covariate_shift_is_seen_by_mmd() {
    let (_, _, xs) = sample(800, &SOURCE, 5);
    let (_, _, xt) = sample(800, &SHIFTED, 6);
    let mmd = mmd_test(
        &xs,
        &xt,
        2,
        &MmdParams {
            permutations: 200,
            ..MmdParams::default()
        },
    )
    .unwrap();
    // p = (1 + k)/(1 + B): never 0, and 1/201 when no permutation beats it.
    assert!((mmd.p_value - 1.0 / 201.0).abs() < 1e-12, "{}", mmd.p_value);
}
