//! Training-time data augmentation on host images: random crop with zero
//! padding, horizontal flip and cutout.
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
    }
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
}
