//! Simulations of the comparison tests (seeded): under the null — two
//! configurations drawn from the same distribution — Welch's p-values are
//! uniform (Kolmogorov–Smirnov distance to U(0, 1)) and McNemar's reject
//! at most at their level; a configuration known to be better is
//! detected.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_stats::agreement::mcnemar;
use triage_stats::compare::hypothesis::welch_t;

const REPLICATES: usize = 2000;

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn ks_to_uniform(mut p: Vec<f64>) -> f64 {
    p.sort_by(f64::total_cmp);
    let n = p.len() as f64;
    p.iter()
        .enumerate()
        .map(|(i, &x)| ((i as f64 + 1.0) / n - x).max(x - i as f64 / n))
        .fold(0.0, f64::max)
}

#[test]
fn welch_p_values_are_uniform_under_the_null_and_a_real_difference_is_found() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut null = Vec::with_capacity(REPLICATES);
    let mut found = 0;
    for _ in 0..REPLICATES {
        // Five seeds per configuration, accuracies around 0.8 ± 0.01.
        let x: Vec<f64> = (0..5).map(|_| 0.8 + 0.01 * normal(&mut rng)).collect();
        let y: Vec<f64> = (0..5).map(|_| 0.8 + 0.02 * normal(&mut rng)).collect();
        null.push(welch_t(&x, &y).unwrap().p_value);
        let better: Vec<f64> = (0..5).map(|_| 0.83 + 0.01 * normal(&mut rng)).collect();
        found += usize::from(welch_t(&better, &x).unwrap().p_value < 0.05);
    }
    // KS critical value at 1 %: 1.63/√n ≈ 0.036.
    let d = ks_to_uniform(null);
    assert!(d < 0.036, "KS distance {d}");
    assert!(found as f64 / REPLICATES as f64 > 0.95, "power {found}");
}

#[test]
fn mcnemar_keeps_its_level_for_two_equally_good_models() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mut rejected = 0;
    let mut detected = 0;
    for _ in 0..REPLICATES {
        // 500 test items; each model right with probability 0.8
        // independently (the same quality), or 0.88 for the better one
        // (Connor: about 94 % power at n = 500).
        let (mut b, mut c, mut b2, mut c2) = (0, 0, 0, 0);
        for _ in 0..500 {
            let (x, y, z) = (
                rng.random::<f64>() < 0.8,
                rng.random::<f64>() < 0.8,
                rng.random::<f64>() < 0.88,
            );
            b += u64::from(x && !y);
            c += u64::from(y && !x);
            b2 += u64::from(z && !x);
            c2 += u64::from(x && !z);
        }
        rejected += usize::from(mcnemar(b, c).p_value < 0.05);
        detected += usize::from(mcnemar(b2, c2).p_value < 0.05);
    }
    let level = rejected as f64 / REPLICATES as f64;
    assert!(level < 0.06, "rejection rate under the null {level}");
    assert!(
        detected as f64 / REPLICATES as f64 > 0.7,
        "power {detected}"
    );
}
