//! Per-sample random streams: a Xoshiro256++ generator seeded from
//! `(seed, stream, class, index)` by SplitMix64 mixing, so that every sample
//! is drawn independently of thread scheduling and of every other sample.
//!
//! Only the generator's raw 64-bit output is used (the helpers below turn it
//! into floats and integers), so the streams do not change when `rand`'s
//! distribution algorithms change.

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Which stream of a sample: independent generators for independent purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Geometry, colours and degradations of the image.
    Render = 1,
    /// The label-noise draw.
    Label = 2,
    /// The permutation that numbers the files.
    FileIds = 3,
}

/// The SplitMix64 output function (Steele, Lea & Flood 2014): a bijective
/// 64-bit mixer with good avalanche.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fold `value` into the hash `state`.
fn mix(state: u64, value: u64) -> u64 {
    splitmix64(state ^ splitmix64(value))
}

/// A deterministic random stream with the few distributions the generator
/// needs.
#[derive(Debug, Clone)]
pub(crate) struct SampleRng {
    generator: Xoshiro256PlusPlus,
    /// The second normal of the last Box–Muller pair, not yet returned.
    spare_normal: Option<f64>,
}

impl SampleRng {
    /// The stream of sample `(class, index)` for `purpose`, under `seed`.
    pub(crate) fn new(seed: u64, purpose: Stream, class: usize, index: u64) -> Self {
        let key = mix(
            mix(mix(splitmix64(seed), purpose as u64), class as u64),
            index,
        );
        SampleRng {
            generator: Xoshiro256PlusPlus::seed_from_u64(key),
            spare_normal: None,
        }
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.generator.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in [lo, hi).
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// A uniform integer in 0..n (Lemire's multiply-shift; bias below
    /// n / 2⁶⁴). Returns 0 for n = 0.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.generator.next_u64()) * n as u128) >> 64) as usize
    }

    /// A standard normal draw (Box–Muller: each pair of uniforms gives two
    /// normals, the sine one kept for the next call).
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(spare) = self.spare_normal.take() {
            return spare;
        }
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * self.uniform()).sin_cos();
        self.spare_normal = Some(radius * sin);
        radius * cos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| SampleRng::new(7, Stream::Render, 2, 9).below(1000) as u64)
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = SampleRng::new(7, Stream::Render, 2, 9);
        let mut y = SampleRng::new(7, Stream::Render, 2, 10);
        let mut z = SampleRng::new(7, Stream::Label, 2, 9);
        let (x, y, z) = (x.uniform(), y.uniform(), z.uniform());
        assert!(x != y && x != z && y != z);
    }

    #[test]
    fn distributions_have_the_right_moments() {
        let mut rng = SampleRng::new(0, Stream::Render, 0, 0);
        let n = 20_000;
        let normals: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = normals.iter().sum::<f64>() / n as f64;
        let var = normals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        let mut hits = [0usize; 5];
        for _ in 0..n {
            hits[rng.below(5)] += 1;
        }
        assert!(hits.iter().all(|&h| (3700..4300).contains(&h)), "{hits:?}");
        assert!((0..1000).all(|_| (2.0..3.0).contains(&rng.range(2.0, 3.0))));
    }
}
