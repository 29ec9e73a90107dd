//! Training-time data augmentation on host images: random crop with zero
//! padding, horizontal flip and cutout (geometric), then colour jitter,
//! Gaussian blur and Gaussian noise (photometric; see [`Augment`] for the
//! formulas).
//!
//! Images are already normalised, so the zero used for padding and cutout
//! is the training set's per-channel mean (torchvision pads the raw image
//! with black instead; the difference is immaterial for training and keeps
//! the augmentation independent of the normalisation).
//!
//! # References
//!
//! - Random crop + flip: K. He et al., *Deep Residual Learning for Image
//!   Recognition*, CVPR 2016, §4.2 (pad 4, crop 32, flip).
//! - Cutout: T. DeVries, G. W. Taylor, *Improved Regularization of
//!   Convolutional Neural Networks with Cutout*, arXiv:1708.04552, 2017
//!   (a square of side `s` centred anywhere in the image, clipped at the
//!   borders).
//! - Photometric augmentation against a domain gap: J. Tobin et al.,
//!   *Domain Randomization for Transferring Deep Neural Networks from
//!   Simulation to the Real World*, IROS 2017 (randomise lighting,
//!   colour and noise of synthetic training images); D. Hendrycks,
//!   T. Dietterich, *Benchmarking Neural Network Robustness to Common
//!   Corruptions and Perturbations*, ICLR 2019 (blur, noise, brightness
//!   and contrast among the corruptions a model should withstand).

use rand::Rng;
pub use triage_docs::training::Augment;

use crate::model::InputShape;

/// Apply an [`Augment`] to host images.
pub trait Augmentation {
    /// Write the augmented copy of `src` (one image of `shape`) into `dst`
    /// (same length), drawing the random choices from `rng` in a fixed
    /// order: crop offsets, flip, cutout centre.
    fn apply<R: Rng>(&self, src: &[f32], dst: &mut [f32], shape: InputShape, rng: &mut R);
}

impl Augmentation for Augment {
    /// Write the augmented copy of `src` (one image of `shape`) into `dst`
    /// (same length), drawing the random choices from `rng` in a fixed
    /// order: crop offsets, flip, cutout centre.
    fn apply<R: Rng>(&self, src: &[f32], dst: &mut [f32], shape: InputShape, rng: &mut R) {
        let (c, h, w) = (shape.channels, shape.height, shape.width);
        let p = self.crop_padding as i64;
        let (dy, dx) = if p > 0 {
            (
                rng.random_range(-p..=p) as isize,
                rng.random_range(-p..=p) as isize,
            )
        } else {
            (0, 0)
        };
        let flip = self.flip && rng.random_bool(0.5);
        for ch in 0..c {
            let plane = &src[ch * h * w..(ch + 1) * h * w];
            let out = &mut dst[ch * h * w..(ch + 1) * h * w];
            for y in 0..h {
                let sy = y as isize + dy;
                for x in 0..w {
                    let xx = if flip { w - 1 - x } else { x };
                    let sx = xx as isize + dx;
                    out[y * w + x] = if sy >= 0 && sy < h as isize && sx >= 0 && sx < w as isize {
                        plane[sy as usize * w + sx as usize]
                    } else {
                        0.0
                    };
                }
            }
        }
        if self.cutout > 0 {
            let cy = rng.random_range(0..h) as isize;
            let cx = rng.random_range(0..w) as isize;
            let half = self.cutout as isize / 2;
            let (y0, y1) = (
                (cy - half).max(0),
                (cy - half + self.cutout as isize).min(h as isize),
            );
            let (x0, x1) = (
                (cx - half).max(0),
                (cx - half + self.cutout as isize).min(w as isize),
            );
            for ch in 0..c {
                for y in y0..y1 {
                    for x in x0..x1 {
                        dst[ch * h * w + y as usize * w + x as usize] = 0.0;
                    }
                }
            }
        }
        if self.color_jitter > 0.0 {
            let j = self.color_jitter as f32;
            for plane in dst.chunks_exact_mut(h * w).take(c) {
                let gain = rng.random_range(1.0 - j..=1.0 + j);
                let offset = rng.random_range(-j..=j);
                for v in plane {
                    *v = gain * *v + offset;
                }
            }
        }
        if self.blur > 0.0 {
            let sigma = rng.random_range(0.0..=self.blur);
            if sigma >= MIN_BLUR_SIGMA {
                blur(dst, shape, sigma);
            }
        }
        if self.noise > 0.0 {
            let s = rng.random_range(0.0..=self.noise as f32);
            for v in dst.iter_mut() {
                *v += s * standard_normal(rng);
            }
        }
    }
}

/// Below this blur σ (pixels) the kernel's outer weights are < 1e-5: the
/// image is left as it is.
const MIN_BLUR_SIGMA: f64 = 0.2;

/// Separable Gaussian blur of every channel plane in place: weights
/// `exp(−d²/2σ²)` for `|d| ≤ ⌈3σ⌉`, normalised to sum 1, edges clamped
/// (the nearest pixel repeats).
fn blur(img: &mut [f32], shape: InputShape, sigma: f64) {
    let (h, w) = (shape.height, shape.width);
    let radius = (3.0 * sigma).ceil() as isize;
    let mut kernel: Vec<f32> = (-radius..=radius)
        .map(|d| (-((d * d) as f64) / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= total);
    let clamp = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize;
    let mut tmp = vec![0.0f32; h * w];
    for plane in img.chunks_exact_mut(h * w) {
        for y in 0..h {
            for x in 0..w {
                tmp[y * w + x] = kernel
                    .iter()
                    .zip(-radius..)
                    .map(|(k, d)| k * plane[y * w + clamp(x as isize + d, w)])
                    .sum();
            }
        }
        for y in 0..h {
            for x in 0..w {
                plane[y * w + x] = kernel
                    .iter()
                    .zip(-radius..)
                    .map(|(k, d)| k * tmp[clamp(y as isize + d, h) * w + x])
                    .sum();
            }
        }
    }
}

/// One draw of N(0, 1) by the Box–Muller transform (two uniforms, the
/// cosine branch).
fn standard_normal<R: Rng>(rng: &mut R) -> f32 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
    let u2: f64 = rng.random();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    const SHAPE: InputShape = InputShape {
        channels: 2,
        height: 4,
        width: 5,
    };

    fn image() -> Vec<f32> {
        (1..=40).map(|v| v as f32).collect()
    }

    #[test]
    fn none_is_the_identity() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        let mut out = vec![0.0; 40];
        Augment::NONE.apply(&image(), &mut out, SHAPE, &mut rng);
        assert_eq!(out, image());
    }

    #[test]
    fn crop_shifts_content_and_pads_with_zero() {
        let aug = Augment {
            crop_padding: 2,
            ..Augment::NONE
        };
        let src = image();
        for seed in 0..50 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let mut out = vec![-1.0; 40];
            aug.apply(&src, &mut out, SHAPE, &mut rng);
            // Every output value is 0 (padding) or a source value of the
            // same channel, and rows stay rows: consecutive non-zero values
            // within a row differ by exactly 1.
            for ch in 0..2 {
                let plane = &out[ch * 20..(ch + 1) * 20];
                assert!(plane
                    .iter()
                    .all(|&v| v == 0.0 || (v > (ch * 20) as f32 && v <= ((ch + 1) * 20) as f32)));
                for row in plane.chunks(5) {
                    for pair in row.windows(2) {
                        if pair[0] != 0.0 && pair[1] != 0.0 {
                            assert_eq!(pair[1] - pair[0], 1.0);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn flip_mirrors_rows_about_half_of_the_time() {
        let aug = Augment {
            flip: true,
            ..Augment::NONE
        };
        let src = image();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut flipped = 0;
        for _ in 0..400 {
            let mut out = vec![0.0; 40];
            aug.apply(&src, &mut out, SHAPE, &mut rng);
            if out[0] == 5.0 {
                flipped += 1;
                assert_eq!(&out[0..5], &[5.0, 4.0, 3.0, 2.0, 1.0]);
            } else {
                assert_eq!(out, src);
            }
        }
        assert!((150..250).contains(&flipped), "{flipped}");
    }

    #[test]
    fn cutout_zeroes_at_most_a_square_in_every_channel() {
        let aug = Augment {
            cutout: 2,
            ..Augment::NONE
        };
        let src = image();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        for _ in 0..50 {
            let mut out = vec![0.0; 40];
            aug.apply(&src, &mut out, SHAPE, &mut rng);
            let zeros: Vec<usize> = (0..20).filter(|&i| out[i] == 0.0).collect();
            let zeros2: Vec<usize> = (20..40)
                .filter(|&i| out[i] == 0.0)
                .map(|i| i - 20)
                .collect();
            assert_eq!(zeros, zeros2);
            assert!((1..=4).contains(&zeros.len()), "{zeros:?}");
        }
    }

    /// Least-squares fit `b ≈ g·a + o`; returns (g, o, largest residual).
    fn affine_fit(a: &[f32], b: &[f32]) -> (f32, f32, f32) {
        let n = a.len() as f32;
        let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
        let cov: f32 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let var: f32 = a.iter().map(|x| (x - ma) * (x - ma)).sum();
        let g = cov / var;
        let o = mb - g * ma;
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (g * x + o - y).abs())
            .fold(0.0, f32::max);
        (g, o, worst)
    }

    #[test]
    fn jitter_is_an_affine_map_per_channel_within_its_range_after_the_geometry() {
        let geometric = Augment {
            crop_padding: 1,
            flip: true,
            ..Augment::NONE
        };
        let jittered = Augment {
            color_jitter: 0.3,
            ..geometric
        };
        let src = image();
        let mut gains = Vec::new();
        for seed in 0..40 {
            let (mut plain, mut out) = (vec![0.0; 40], vec![0.0; 40]);
            geometric.apply(
                &src,
                &mut plain,
                SHAPE,
                &mut Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            jittered.apply(
                &src,
                &mut out,
                SHAPE,
                &mut Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            for ch in 0..2 {
                let r = ch * 20..(ch + 1) * 20;
                let (g, o, worst) = affine_fit(&plain[r.clone()], &out[r]);
                assert!(worst < 1e-3, "not affine: residual {worst}");
                assert!((0.7 - 1e-4..=1.3 + 1e-4).contains(&g), "gain {g}");
                assert!((-0.3 - 1e-3..=0.3 + 1e-3).contains(&o), "offset {o}");
                gains.push(g);
            }
        }
        // The two channels get their own gains, and they vary.
        assert!(gains.windows(2).any(|p| (p[0] - p[1]).abs() > 0.05));
    }

    #[test]
    fn blur_keeps_constants_and_sums_and_smooths_an_impulse_symmetrically() {
        let shape = InputShape {
            channels: 1,
            height: 9,
            width: 9,
        };
        let mut flat = vec![2.5f32; 81];
        blur(&mut flat, shape, 1.0);
        assert!(flat.iter().all(|v| (v - 2.5).abs() < 1e-5));

        let mut impulse = vec![0.0f32; 81];
        impulse[4 * 9 + 4] = 1.0;
        blur(&mut impulse, shape, 1.0);
        // Radius 3 fits inside the image: nothing reaches the clamped edge,
        // so the mass is kept.
        assert!((impulse.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let at = |y: usize, x: usize| impulse[y * 9 + x];
        assert!(at(4, 4) < 0.2 && at(4, 4) > at(4, 5) && at(4, 5) > at(4, 6));
        for (a, b) in [
            ((4, 3), (4, 5)),
            ((3, 4), (5, 4)),
            ((2, 2), (6, 6)),
            ((4, 5), (5, 4)),
        ] {
            assert!((at(a.0, a.1) - at(b.0, b.1)).abs() < 1e-6);
        }
        // The 1-D kernel at σ = 1: centre weight 1 / Σ exp(−d²/2), |d| ≤ 3.
        let z: f32 = (-3i32..=3).map(|d| (-(d * d) as f32 / 2.0).exp()).sum();
        assert!((at(4, 4) - 1.0 / (z * z)).abs() < 1e-5);
    }

    #[test]
    fn blur_below_its_threshold_and_zero_settings_change_nothing() {
        let aug = Augment {
            blur: MIN_BLUR_SIGMA * 0.99,
            ..Augment::NONE
        };
        let mut out = vec![0.0; 40];
        aug.apply(
            &image(),
            &mut out,
            SHAPE,
            &mut Xoshiro256PlusPlus::seed_from_u64(4),
        );
        assert_eq!(out, image());
    }

    #[test]
    fn noise_has_mean_zero_and_a_spread_within_its_bound() {
        let aug = Augment {
            noise: 0.5,
            ..Augment::NONE
        };
        let shape = InputShape {
            channels: 1,
            height: 64,
            width: 64,
        };
        let src = vec![1.0f32; 64 * 64];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut spreads = Vec::new();
        for _ in 0..20 {
            let mut out = vec![0.0; src.len()];
            aug.apply(&src, &mut out, shape, &mut rng);
            let n = out.len() as f64;
            let mean = out.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let sd = (out
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / n)
                .sqrt();
            // Standard error of the mean ≤ 0.5 / 64; 5 of them.
            assert!((mean - 1.0).abs() < 5.0 * 0.5 / 64.0, "mean {mean}");
            assert!(sd <= 0.5 * 1.05, "sd {sd}");
            spreads.push(sd);
        }
        assert!(spreads.iter().any(|&s| s < 0.25) && spreads.iter().any(|&s| s > 0.25));
    }

    #[test]
    fn the_same_seed_gives_the_same_photometric_draws() {
        let aug = Augment {
            color_jitter: 0.2,
            blur: 1.0,
            noise: 0.1,
            ..Augment::NONE
        };
        let run = |seed| {
            let mut out = vec![0.0; 40];
            aug.apply(
                &image(),
                &mut out,
                SHAPE,
                &mut Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            out
        };
        assert_eq!(run(6), run(6));
        assert_ne!(run(6), run(7));
    }

    #[test]
    fn photometric_settings_out_of_range_are_refused() {
        for aug in [
            Augment {
                color_jitter: 1.5,
                ..Augment::NONE
            },
            Augment {
                blur: -0.1,
                ..Augment::NONE
            },
            Augment {
                noise: f64::NAN,
                ..Augment::NONE
            },
        ] {
            assert!(aug.validate().is_err(), "{aug:?}");
        }
        assert!(Augment {
            blur: 3.0,
            ..Augment::NONE
        }
        .validate()
        .is_ok());
    }
}
