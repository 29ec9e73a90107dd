//! Dataset shift between a source (training) and a target (deployment)
//! sample: covariate-shift tests, black-box shift detection on a model's
//! outputs, and label-shift estimation and correction.
//!
//! - [`univariate`]: two-sample Kolmogorov–Smirnov (exact or limiting
//!   p-value), Wasserstein-1 distance, standardised mean difference.
//! - [`mmd`]: unbiased MMD² with a Gaussian kernel (median heuristic) and a
//!   permutation test that computes the kernel once.
//! - [`c2st`]: classifier two-sample test (cross-fitted logistic
//!   regression, held-out AUC with DeLong's interval, binomial test).
//! - [`bbsd`]: KS per softmax output with Bonferroni and χ² on predicted
//!   labels.
//! - [`label_shift`]: BBSE, MLLS/EM with bias-corrected temperature
//!   scaling, the likelihood-ratio test, bootstrap intervals, the
//!   prior-corrected predictions.
//! - [`distributions`]: the tail probabilities these need.
//!
//! Every function is pure (no I/O) and deterministic for a given seed,
//! whatever the number of threads.

pub mod bbsd;
pub mod c2st;
pub mod distributions;
pub mod label_shift;
pub(crate) mod linalg;
mod matmul;
pub mod mmd;
mod optimize;
pub mod univariate;

/// At most `cap` of the indices `0..n`, in increasing order: all of them
/// when `n ≤ cap`, else the first `cap` of a shuffle by Xoshiro256++ seeded
/// with `rng_seed` (callers mix their own stream into it).
pub fn seeded_subsample(n: usize, cap: usize, rng_seed: u64) -> Vec<usize> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut idx: Vec<usize> = (0..n).collect();
    if n > cap {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(rng_seed);
        idx.shuffle(&mut rng);
        idx.truncate(cap);
        idx.sort_unstable();
    }
    idx
}

/// Bonferroni: p · m capped at 1.
pub fn bonferroni(p: f64, tests: usize) -> f64 {
    (p * tests as f64).min(1.0)
}
