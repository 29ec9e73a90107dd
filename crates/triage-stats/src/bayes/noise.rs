//! FeeBee's self-check (Renggli et al., arXiv 2108.13034,
//! `transformations/label_noise.py` and `calculate_areas.py`): replace a
//! fraction ρ of the labels by uniformly random ones; the Bayes error then
//! moves into the feasible band
//! [ρ(C−1)/C, SOTA + ρ((C−1)/C − SOTA)], whose ends are the noisy Bayes
//! errors of a task with Bayes error 0 and one with Bayes error SOTA (the
//! best error known). An estimator that stays inside the band as ρ grows
//! tracks the Bayes error; FeeBee scores it by its mean distance outside.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The noise levels of the default sweep.
pub const DEFAULT_LEVELS: [f64; 4] = [0.0, 0.1, 0.2, 0.4];

/// `labels` with round(ρ·n) of them, chosen uniformly without replacement,
/// replaced by a label drawn uniformly from the `classes` (possibly the
/// same one, as FeeBee); seeded Xoshiro256++.
pub fn with_label_noise(labels: &[u32], classes: usize, rho: f64, seed: u64) -> Vec<u32> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = labels.to_vec();
    let count = (rho.clamp(0.0, 1.0) * labels.len() as f64).round() as usize;
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(&mut rng);
    for &i in &order[..count] {
        out[i] = rng.random_range(0..classes as u32);
    }
    out
}

/// The feasible band at noise level ρ with C classes and best known error
/// `sota`: [ρ(C−1)/C, SOTA + ρ((C−1)/C − SOTA)].
pub fn feasible_band(rho: f64, classes: usize, sota: f64) -> (f64, f64) {
    let chance = (classes as f64 - 1.0) / classes as f64;
    (rho * chance, sota + rho * (chance - sota))
}

/// How far `value` lies outside `band` (0 inside), both clipped to
/// [0, (C−1)/C] first.
pub fn distance_outside(value: f64, band: (f64, f64), classes: usize) -> f64 {
    let chance = (classes as f64 - 1.0) / classes as f64;
    let v = value.clamp(0.0, chance);
    let (lo, hi) = (band.0.clamp(0.0, chance), band.1.clamp(0.0, chance));
    (lo - v).max(v - hi).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_changes_about_rho_times_chance_of_the_labels() {
        let labels: Vec<u32> = (0..10_000).map(|i| (i % 10) as u32).collect();
        let noisy = with_label_noise(&labels, 10, 0.2, 3);
        let changed = labels.iter().zip(&noisy).filter(|(a, b)| a != b).count();
        // 2000 replaced, 9/10 of them to another label.
        assert!((1700..1900).contains(&changed), "{changed}");
        assert_eq!(with_label_noise(&labels, 10, 0.0, 3), labels);
        assert_eq!(noisy, with_label_noise(&labels, 10, 0.2, 3));
    }

    #[test]
    fn band_and_distance() {
        let (lo, hi) = feasible_band(0.4, 10, 0.01);
        assert!((lo - 0.36).abs() < 1e-15);
        assert!((hi - (0.01 + 0.4 * 0.89)).abs() < 1e-15);
        assert_eq!(distance_outside(0.365, (lo, hi), 10), 0.0);
        assert!((distance_outside(0.30, (lo, hi), 10) - 0.06).abs() < 1e-15);
    }
}
