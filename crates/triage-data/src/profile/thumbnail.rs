//! A 16×16 luma thumbnail of every image, and the pixel-level test that
//! verifies pHash near-duplicate candidates.
//!
//! A 64-bit pHash keeps only the signs of 63 low DCT frequencies, so images
//! with little structure collide often: on MNIST a 7 and a 9 can share a
//! pHash, and pHash alone reports 623,098 "near-duplicate" pairs, 20,033 of
//! them between different digits. The hash is therefore only the
//! *candidate* generator; a candidate pair is confirmed when the two
//! thumbnails are close pixel by pixel ([`thumbnails_match`]).
//!
//! # Thumbnail and distance
//!
//! The thumbnail T is the luma plane resized to 16×16 by area averaging
//! (as for pHash's 32×32, see [`resize_area`]) and rounded to u8: 256
//! bytes per image. Two thumbnails are compared after removing each one's
//! mean, in levels of 255:
//!
//! MAD_c(A, B) = (1/256) Σᵢ |(Aᵢ − Ā) − (Bᵢ − B̄)|   ([`thumbnail_mad`])
//!
//! Subtracting the means makes a global brightness shift (an exposure
//! edit, `+8` levels) free, as it is for pHash, whose bits ignore the DC
//! term — C. Zauner (2010, see [`super::perceptual_hash::phash`]) counts
//! brightness changes among the content-preserving operations a perceptual
//! hash must survive. What is compared is the zero-mean structure, as in
//! zero-normalised cross-correlation (J. P. Lewis, "Fast normalized
//! cross-correlation", Vision Interface 1995). Verifying hash candidates by
//! a distance in (downscaled) pixel space follows B. Recht et al., "Do
//! CIFAR-10 classifiers generalize to CIFAR-10?" (arXiv:1806.00451, 2018),
//! who screened near-duplicates by ℓ2 distance between pixels. CIFAR-10
//! shows why the brightness shift must be free: many of its near-duplicate
//! pairs are the same photo re-toned, 20–56 levels apart in mean.
//!
//! # The test
//!
//! Two thumbnails match iff both
//!
//! 1. MAD_c(A, B) ≤ [`MAX_THUMBNAIL_MAD`] = 6 levels (2.4 % of the range),
//!    and
//! 2. MAD_c(A, B) ≤ [`MAX_RELATIVE_MAD`] · min(spread(A), spread(B)), with
//!    [`MAX_RELATIVE_MAD`] = ½ and spread(T) = (1/256) Σᵢ |Tᵢ − T̄|
//!    ([`thumbnail_spread`]), which is MAD_c between T and a blank
//!    image: the two images must be at least twice as close to each
//!    other as either is to a blank. Without this, any two nearly flat
//!    images (a small plane on an empty sky) are within a few levels of
//!    each other whatever they show. Two exactly flat thumbnails (blank
//!    images) still match.
//!
//! Both comparisons are exact (integer sums).
//!
//! # How the thresholds were chosen
//!
//! Edited copies of 3,000 CIFAR-10 and 3,000 MNIST images, MAD_c to the
//! original (p99 / max, levels):
//!
//! | edit | CIFAR-10 | MNIST |
//! |---|---|---|
//! | brightened by 8 levels (clipping at 255) | 2.5 / 3.1 | 1.8 / 2.4 |
//! | JPEG re-encode, quality 75 | 0.7 / 1.0 | 2.2 / 2.5 |
//! | ±2-level noise | 0.4 / 0.5 | 0.6 / 0.7 |
//! | 2× copy rescaled by 0.75 (as 64 → 48 px) | 0.8 / 1.0 | 2.1 / 2.5 |
//!
//! All stay under 3.2 levels and under 0.12 of the spread, so 6 and ½
//! leave a margin of about two and four. (Rescaling an image that is
//! already tiny, 32 → 24 px, blurs the thumbnail itself: MAD_c p90 6.0,
//! p99 7.6 on CIFAR-10, so some such copies are missed.)
//!
//! Among the pHash-≤-4 candidates, MNIST pairs of different digits have
//! MAD_c ≥ 5.8 (1st percentile 10, median 21): 2 of 20,033 pass. The 80
//! CIFAR-10 (train + test) candidates with the smallest MAD_c were
//! inspected by eye: those that pass are the same photo, re-toned,
//! recoloured or shifted by a pixel or two; of the 6 that condition 2
//! removes, 5 are different small objects on an empty sky and one is a
//! re-toned copy (ratio 0.52).
//! What MNIST keeps are mostly pairs of upright 1s, which at 16×16 differ
//! by 1–6 levels: pixel-close, though written by different people.
//!
//! [`resize_area`]: super::perceptual_hash::resize_area

use super::perceptual_hash::resize_area;

/// Side of the thumbnail in pixels.
pub const THUMBNAIL_SIDE: usize = 16;
/// Pixels (bytes) of a thumbnail.
pub const THUMBNAIL_LEN: usize = THUMBNAIL_SIDE * THUMBNAIL_SIDE;

/// A 16×16 luma thumbnail, row-major, one byte per pixel.
pub type Thumbnail = [u8; THUMBNAIL_LEN];

/// Largest mean-centred mean absolute difference ([`thumbnail_mad`], in
/// levels of 255) between the thumbnails of two near-duplicates.
pub const MAX_THUMBNAIL_MAD: f64 = 6.0;

/// Largest ratio of [`thumbnail_mad`] to the smaller [`thumbnail_spread`]
/// of the two thumbnails.
pub const MAX_RELATIVE_MAD: f64 = 0.5;

/// The thumbnail of a luma plane (row-major, `width · height` values in
/// [0, 255]): area-averaged to 16×16 and rounded; all zero for an empty
/// plane.
pub fn thumbnail(luma: &[f32], width: usize, height: usize) -> Thumbnail {
    let small = resize_area(luma, width, height, THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    let mut out = [0u8; THUMBNAIL_LEN];
    for (o, v) in out.iter_mut().zip(small) {
        // Round half up, avoiding the libm `round` call.
        *o = (v.clamp(0.0, 255.0) + 0.5) as u8;
    }
    out
}

/// Sum of the thumbnail's pixels (256 × its mean).
pub(crate) fn thumbnail_sum(t: &Thumbnail) -> i32 {
    t.iter().map(|&v| i32::from(v)).sum()
}

/// 65536 × the mean-centred MAD of two thumbnails with pixel sums `sa`
/// and `sb`: Σᵢ |256·(aᵢ − bᵢ) − (sa − sb)|, exact.
fn centred_sad(a: &Thumbnail, b: &Thumbnail, sa: i32, sb: i32) -> u32 {
    let shift = sa - sb;
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (256 * (i32::from(x) - i32::from(y)) - shift).unsigned_abs())
        .sum()
}

/// 65536 × the spread of a thumbnail with pixel sum `s`.
pub(crate) fn spread_sad(t: &Thumbnail, s: i32) -> u32 {
    t.iter()
        .map(|&x| (256 * i32::from(x) - s).unsigned_abs())
        .sum()
}

/// Mean-centred mean absolute difference of two thumbnails, in levels of
/// 255: (1/256) Σᵢ |(aᵢ − ā) − (bᵢ − b̄)|.
pub fn thumbnail_mad(a: &Thumbnail, b: &Thumbnail) -> f64 {
    f64::from(centred_sad(a, b, thumbnail_sum(a), thumbnail_sum(b))) / 65536.0
}

/// Mean absolute deviation of a thumbnail from its mean, in levels of 255:
/// (1/256) Σᵢ |tᵢ − t̄|, i.e. [`thumbnail_mad`] to a blank image.
pub fn thumbnail_spread(t: &Thumbnail) -> f64 {
    f64::from(spread_sad(t, thumbnail_sum(t))) / 65536.0
}

/// Whether two thumbnails are those of near-duplicates (both conditions of
/// the [module documentation](self)).
pub fn thumbnails_match(a: &Thumbnail, b: &Thumbnail) -> bool {
    let (sa, sb) = (thumbnail_sum(a), thumbnail_sum(b));
    Verifier::new(MAX_THUMBNAIL_MAD)
        .check((a, sa, spread_sad(a, sa)), (b, sb, spread_sad(b, sb)))
        .is_some()
}

/// A thumbnail with its pixel sum and 65536 × its spread.
pub(crate) type Measured<'a> = (&'a Thumbnail, i32, u32);

/// The thumbnail test with a given absolute bound, in exact integers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verifier {
    /// ⌊65536 · max_mad⌋.
    max_sad: u32,
}

impl Verifier {
    pub(crate) fn new(max_mad: f64) -> Self {
        Self {
            max_sad: (65536.0 * max_mad).floor().clamp(0.0, f64::from(u32::MAX)) as u32,
        }
    }

    /// 65536 × [`thumbnail_mad`] if the thumbnails match.
    pub(crate) fn check(&self, a: Measured<'_>, b: Measured<'_>) -> Option<u32> {
        let sad = centred_sad(a.0, b.0, a.1, b.1);
        let relative = f64::from(sad) <= MAX_RELATIVE_MAD * f64::from(a.2.min(b.2));
        (sad <= self.max_sad && relative).then_some(sad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::perceptual_hash::{hamming, phash};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A smooth random RGB scene, `size × size`, values in [0, 255].
    fn scene(seed: u64, size: u32) -> image::RgbImage {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let waves: Vec<[f64; 4]> = (0..4)
            .map(|_| {
                [
                    rng.random_range(0.5..4.0),
                    rng.random_range(0.5..4.0),
                    rng.random_range(0.0..6.3),
                    rng.random_range(20.0..50.0),
                ]
            })
            .collect();
        image::RgbImage::from_fn(size, size, |x, y| {
            let (u, v) = (
                f64::from(x) / f64::from(size),
                f64::from(y) / f64::from(size),
            );
            let mut val = 128.0;
            for [fx, fy, phase, amp] in &waves {
                val += amp * (std::f64::consts::TAU * (fx * u + fy * v) + phase).sin();
            }
            image::Rgb(std::array::from_fn(|c| {
                (val + 12.0 * c as f64).clamp(0.0, 255.0).round() as u8
            }))
        })
    }

    /// (thumbnail, pHash) of an RGB image.
    fn measure(img: &image::RgbImage) -> (Thumbnail, u64) {
        let decoded = crate::image::DecodedImage {
            width: img.width(),
            height: img.height(),
            channels: 3,
            pixels: img.as_raw().clone(),
        };
        let luma = decoded.luma();
        let (w, h) = (img.width() as usize, img.height() as usize);
        (thumbnail(&luma, w, h), phash(&luma, w, h))
    }

    fn map(img: &image::RgbImage, f: impl Fn(u32, u32, usize, u8) -> u8) -> image::RgbImage {
        image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
            let p = img.get_pixel(x, y).0;
            image::Rgb(std::array::from_fn(|c| f(x, y, c, p[c])))
        })
    }

    #[test]
    fn edited_copies_match() {
        for seed in 0..8 {
            let img = scene(seed, 64);
            let (t, h) = measure(&img);
            let brighter = map(&img, |_, _, _, v| v.saturating_add(8));
            let noisy = map(&img, |x, y, c, v| {
                let k = ((y * 64 + x) as usize * 3 + c) * 7919;
                (i32::from(v) + (k % 5) as i32 - 2).clamp(0, 255) as u8
            });
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75)
                .encode_image(&img)
                .unwrap();
            let jpeg = image::load_from_memory(&jpeg).unwrap().to_rgb8();
            let smaller =
                image::imageops::resize(&img, 48, 48, image::imageops::FilterType::Triangle);
            for (name, copy) in [
                ("+8", brighter),
                ("noise", noisy),
                ("jpeg75", jpeg),
                ("48px", smaller),
            ] {
                let (tc, hc) = measure(&copy);
                let mad = thumbnail_mad(&t, &tc);
                assert!(thumbnails_match(&t, &tc), "seed {seed} {name}: MAD {mad}");
                assert!(
                    mad < MAX_THUMBNAIL_MAD / 2.0,
                    "seed {seed} {name}: MAD {mad}"
                );
                assert!(hamming(h, hc) <= 4, "seed {seed} {name}");
            }
        }
    }

    #[test]
    fn different_scenes_do_not_match() {
        let thumbs: Vec<Thumbnail> = (0..10).map(|s| measure(&scene(100 + s, 32)).0).collect();
        for i in 0..thumbs.len() {
            for j in i + 1..thumbs.len() {
                assert!(!thumbnails_match(&thumbs[i], &thumbs[j]), "{i} {j}");
            }
        }
    }

    #[test]
    fn distance_is_mean_centred_and_exact() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let a: Thumbnail = std::array::from_fn(|_| rng.random_range(20..200));
        let shifted: Thumbnail = a.map(|v| v + 40);
        assert_eq!(thumbnail_mad(&a, &shifted), 0.0);
        assert!(thumbnails_match(&a, &shifted));
        // One pixel off by 256 levels' worth spread over the mean:
        // |256·Δ − Δ| + 255·|−Δ| = 2·255·Δ for Δ on one pixel.
        let mut b = a;
        b[0] += 10;
        assert_eq!(thumbnail_mad(&a, &b), 2.0 * 255.0 * 10.0 / 65536.0);
        // Spread of a two-level image: half the pixels 0, half 100.
        let half: Thumbnail = std::array::from_fn(|i| if i < 128 { 0 } else { 100 });
        assert_eq!(thumbnail_spread(&half), 50.0);
        assert_eq!(thumbnail_spread(&[7; THUMBNAIL_LEN]), 0.0);
        // Blank images match each other whatever their level.
        assert!(thumbnails_match(&[0; THUMBNAIL_LEN], &[255; THUMBNAIL_LEN]));
    }

    #[test]
    fn nearly_flat_images_need_a_relative_match() {
        // Two different faint patterns on a flat background: a few levels
        // apart, but as far from each other as from a blank.
        let mut a = [100u8; THUMBNAIL_LEN];
        let mut b = [100u8; THUMBNAIL_LEN];
        for i in 0..12 {
            a[40 + i] = 160;
            b[200 + i] = 160;
        }
        let mad = thumbnail_mad(&a, &b);
        assert!(mad <= MAX_THUMBNAIL_MAD, "{mad}");
        assert!(!thumbnails_match(&a, &b));
        assert!(thumbnails_match(&a, &a.map(|v| v - 30)));
    }

    #[test]
    fn match_agrees_with_the_formulas() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let (mut matched, mut relative_only) = (0, 0);
        for k in 0..2000 {
            let flat = k % 3 == 0;
            let a: Thumbnail = std::array::from_fn(|_| {
                if flat && rng.random_bool(0.9) {
                    90
                } else {
                    rng.random_range(30..230)
                }
            });
            let noise = rng.random_range(0..14);
            let shift = rng.random_range(-30..=30);
            let b: Thumbnail = a.map(|v| {
                (i32::from(v) + shift + rng.random_range(-noise..=noise)).clamp(0, 255) as u8
            });
            let mean = |t: &Thumbnail| t.iter().map(|&v| f64::from(v)).sum::<f64>() / 256.0;
            let (ma, mb) = (mean(&a), mean(&b));
            let mad = (0..256)
                .map(|i| ((f64::from(a[i]) - ma) - (f64::from(b[i]) - mb)).abs())
                .sum::<f64>()
                / 256.0;
            let spread = |t: &Thumbnail, m: f64| {
                t.iter().map(|&v| (f64::from(v) - m).abs()).sum::<f64>() / 256.0
            };
            let limit = 0.5 * spread(&a, ma).min(spread(&b, mb));
            assert!((thumbnail_mad(&a, &b) - mad).abs() < 1e-9);
            if (mad - MAX_THUMBNAIL_MAD).abs() < 1e-9 || (mad - limit).abs() < 1e-9 {
                continue;
            }
            let want = mad <= MAX_THUMBNAIL_MAD && mad <= limit;
            assert_eq!(thumbnails_match(&a, &b), want, "pair {k}: {mad} vs {limit}");
            matched += usize::from(want);
            relative_only += usize::from(mad <= MAX_THUMBNAIL_MAD && mad > limit);
        }
        assert!(
            matched > 200 && relative_only > 50,
            "{matched} {relative_only}"
        );
    }

    #[test]
    fn thumbnail_averages_areas() {
        let plane: Vec<f32> = (0..32 * 32).map(|i| ((i % 32) / 2 * 16) as f32).collect();
        let t = thumbnail(&plane, 32, 32);
        assert_eq!(t[0], 0);
        assert_eq!(t[15], 240);
        assert_eq!(t[16 + 3], 48);
        assert_eq!(thumbnail(&[], 0, 0), [0; THUMBNAIL_LEN]);
    }
}
