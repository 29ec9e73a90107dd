//! 64-bit perceptual hashes of the luma plane: pHash (DCT) for matching
//! near-duplicates, and dHash (gradient) as a cheap second opinion.
//!
//! Both hashes are bit strings compared by [`hamming`] distance: images that
//! look alike (resized, re-encoded, slightly brightened) have hashes a few
//! bits apart, unrelated images about 32 bits apart.

use std::sync::OnceLock;

/// Side of the downscaled luma image the pHash DCT runs on.
const PHASH_SIDE: usize = 32;
/// Side of the block of low frequencies kept by pHash.
const PHASH_LOW: usize = 8;
/// Luma difference below which dHash treats two pixels as equal.
const DHASH_TOLERANCE: f64 = 1e-6;

/// Number of differing bits between two 64-bit hashes.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Perceptual hash (pHash) of a luma plane (row-major, `width · height`
/// values in [0, 255]); 0 for an empty image.
///
/// 1. Resize L to 32×32 by area averaging ([`resize_area`]).
/// 2. Take the 2-D DCT-II, F(v, u) = Σ_y Σ_x f(y, x) cos(π(2x+1)u/64)
///    cos(π(2y+1)v/64), and keep the 8×8 lowest frequencies 0 ≤ u, v < 8.
/// 3. m = the median of those 64 coefficients *excluding* the DC term F(0,0)
///    (63 values, so m is one of them).
/// 4. Bit i = 8v + u is 1 iff F(v, u) > m (bit i is `1 << (63 − i)`, so the
///    hex form reads row by row like imagehash's). A tolerance of
///    10⁻⁹·(|F(0,0)| + 1) absorbs rounding, so every constant image hashes
///    to the DC bit alone.
///
/// # References
/// C. Zauner, "Implementation and benchmarking of perceptual image hash
/// functions", Master's thesis, Upper Austria University of Applied
/// Sciences, Hagenberg, 2010; the `imagehash` Python package (`phash`).
pub fn phash(luma: &[f32], width: usize, height: usize) -> u64 {
    if width == 0 || height == 0 || luma.len() < width * height {
        return 0;
    }
    let small = resize_area(luma, width, height, PHASH_SIDE, PHASH_SIDE);
    let cos = dct_table();
    // Rows first: R[y][u] = Σ_x f(y, x) cos_u(x).
    let mut rows = [[0.0f64; PHASH_LOW]; PHASH_SIDE];
    for (y, row) in rows.iter_mut().enumerate() {
        let line = &small[y * PHASH_SIDE..(y + 1) * PHASH_SIDE];
        for (u, out) in row.iter_mut().enumerate() {
            *out = line.iter().zip(&cos[u]).map(|(f, c)| f * c).sum();
        }
    }
    // Then columns: F[v][u] = Σ_y R[y][u] cos_v(y).
    let mut coeffs = [0.0f64; PHASH_LOW * PHASH_LOW];
    for v in 0..PHASH_LOW {
        for u in 0..PHASH_LOW {
            coeffs[v * PHASH_LOW + u] = (0..PHASH_SIDE).map(|y| rows[y][u] * cos[v][y]).sum();
        }
    }
    let mut ac: Vec<f64> = coeffs[1..].to_vec();
    let mid = ac.len() / 2;
    let median = *ac.select_nth_unstable_by(mid, f64::total_cmp).1;
    let tolerance = 1e-9 * (coeffs[0].abs() + 1.0);
    bits_from(coeffs.iter().map(|&c| c > median + tolerance))
}

/// Difference hash (dHash) of a luma plane; 0 for an empty image.
///
/// Resize L to 9 columns × 8 rows by area averaging; bit i = 8y + x
/// (0 ≤ x < 8) is 1 iff the pixel (y, x) is brighter than its right
/// neighbour (y, x+1) by more than 10⁻⁶ (rounding in the resize must not
/// flip bits of flat regions). Bit order as in [`phash`].
///
/// # References
/// N. Krawetz, "Kind of like that", The Hacker Factor Blog, 2013
/// (dHash); the `imagehash` Python package (`dhash`).
pub fn dhash(luma: &[f32], width: usize, height: usize) -> u64 {
    if width == 0 || height == 0 || luma.len() < width * height {
        return 0;
    }
    let small = resize_area(luma, width, height, 9, 8);
    bits_from((0..8).flat_map(|y| {
        let row = &small[y * 9..(y + 1) * 9];
        (0..8).map(move |x| row[x] > row[x + 1] + DHASH_TOLERANCE)
    }))
}

/// Pack up to 64 booleans, first one in the most significant bit.
fn bits_from(bits: impl Iterator<Item = bool>) -> u64 {
    bits.take(64)
        .enumerate()
        .fold(0u64, |h, (i, b)| if b { h | (1u64 << (63 - i)) } else { h })
}

/// The DCT-II basis cos(π(2x+1)u / 64) for u < 8, x < 32.
fn dct_table() -> &'static [[f64; PHASH_SIDE]; PHASH_LOW] {
    static TABLE: OnceLock<[[f64; PHASH_SIDE]; PHASH_LOW]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [[0.0; PHASH_SIDE]; PHASH_LOW];
        for (u, row) in t.iter_mut().enumerate() {
            for (x, c) in row.iter_mut().enumerate() {
                *c = (std::f64::consts::PI * (2 * x + 1) as f64 * u as f64
                    / (2 * PHASH_SIDE) as f64)
                    .cos();
            }
        }
        t
    })
}

/// Source pixels and weights (summing to 1) of each output position when
/// `len` samples are averaged down (or stretched) to `out` samples: output
/// j covers the source interval [j·len/out, (j+1)·len/out).
fn area_weights(len: usize, out: usize) -> Vec<Vec<(usize, f64)>> {
    let scale = len as f64 / out as f64;
    (0..out)
        .map(|j| {
            let (a, b) = (j as f64 * scale, (j + 1) as f64 * scale);
            let first = a.floor() as usize;
            let last = (b.ceil() as usize).min(len);
            (first..last)
                .filter_map(|s| {
                    let overlap = (b.min(s as f64 + 1.0) - a.max(s as f64)) / scale;
                    (overlap > 0.0).then_some((s, overlap))
                })
                .collect()
        })
        .collect()
}

/// Resize a plane by area averaging (each output pixel is the mean of the
/// source area it covers, partial pixels weighted by their overlap; as
/// OpenCV's `INTER_AREA` when shrinking). Returns `out_w · out_h` values,
/// row-major; all zero if `plane` is empty or shorter than
/// `width · height`.
pub fn resize_area(
    plane: &[f32],
    width: usize,
    height: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<f64> {
    if width == 0 || height == 0 || plane.len() < width * height {
        return vec![0.0; out_w * out_h];
    }
    let wx = area_weights(width, out_w);
    let wy = area_weights(height, out_h);
    // Horizontal pass: height × out_w.
    let mut tmp = vec![0.0f64; height * out_w];
    for (y, line) in plane.chunks_exact(width).take(height).enumerate() {
        for (x, weights) in wx.iter().enumerate() {
            tmp[y * out_w + x] = weights.iter().map(|&(s, w)| f64::from(line[s]) * w).sum();
        }
    }
    // Vertical pass: out_h × out_w.
    let mut out = vec![0.0f64; out_h * out_w];
    for (y, weights) in wy.iter().enumerate() {
        for &(s, w) in weights {
            let src = &tmp[s * out_w..(s + 1) * out_w];
            for (o, v) in out[y * out_w..(y + 1) * out_w].iter_mut().zip(src) {
                *o += v * w;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A smooth random scene: a sum of a few random low-frequency waves and
    /// blobs, `size × size`, values in [0, 255].
    fn scene(seed: u64, size: usize) -> Vec<f32> {
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
        let mut out = Vec::with_capacity(size * size);
        for y in 0..size {
            for x in 0..size {
                let (u, v) = (x as f64 / size as f64, y as f64 / size as f64);
                let mut val = 128.0;
                for [fx, fy, phase, amp] in &waves {
                    val += amp * (std::f64::consts::TAU * (fx * u + fy * v) + phase).sin();
                }
                out.push(val.clamp(0.0, 255.0).round() as f32);
            }
        }
        out
    }

    #[test]
    fn area_resize_averages_blocks() {
        // 4×2 → 2×1: means of the two 2×2 blocks.
        let plane = [0.0, 2.0, 10.0, 20.0, 4.0, 6.0, 30.0, 40.0];
        let out = resize_area(&plane, 4, 2, 2, 1);
        assert_eq!(out, vec![3.0, 25.0]);
        // 3 → 2: the middle pixel is split in halves.
        let out = resize_area(&[0.0, 3.0, 6.0], 3, 1, 2, 1);
        assert!((out[0] - 1.0).abs() < 1e-12 && (out[1] - 5.0).abs() < 1e-12);
        // Upscaling repeats pixels.
        assert_eq!(resize_area(&[5.0], 1, 1, 2, 2), vec![5.0; 4]);
    }

    #[test]
    fn phash_is_stable_under_brightening_and_resizing() {
        for seed in 0..5 {
            let img = scene(seed, 64);
            let h = phash(&img, 64, 64);
            let brighter: Vec<f32> = img.iter().map(|v| (v + 8.0).min(255.0)).collect();
            assert!(hamming(h, phash(&brighter, 64, 64)) <= 4, "seed {seed}");
            let small: Vec<f32> = resize_area(&img, 64, 64, 48, 48)
                .into_iter()
                .map(|v| v.round() as f32)
                .collect();
            assert!(hamming(h, phash(&small, 48, 48)) <= 4, "seed {seed}");
            // Small deterministic noise (±2 levels), as from re-encoding.
            let noisy: Vec<f32> = img
                .iter()
                .enumerate()
                .map(|(i, v)| (v + ((i * 7919) % 5) as f32 - 2.0).clamp(0.0, 255.0))
                .collect();
            assert!(hamming(h, phash(&noisy, 64, 64)) <= 4, "seed {seed}");
            let d = dhash(&img, 64, 64);
            assert!(hamming(d, dhash(&brighter, 64, 64)) <= 4, "seed {seed}");
        }
    }

    #[test]
    fn unrelated_images_are_far_apart() {
        let hashes: Vec<u64> = (100..110).map(|s| phash(&scene(s, 64), 64, 64)).collect();
        for i in 0..hashes.len() {
            for j in i + 1..hashes.len() {
                let d = hamming(hashes[i], hashes[j]);
                assert!(d > 10, "scenes {i} and {j} at distance {d}");
            }
        }
    }

    #[test]
    fn constant_images_hash_to_the_dc_bit() {
        assert_eq!(phash(&[77.0; 100], 10, 10), 1u64 << 63);
        assert_eq!(phash(&[0.0; 100], 10, 10), 0);
        assert_eq!(dhash(&[77.0; 100], 10, 10), 0);
        assert_eq!(phash(&[], 0, 0), 0);
    }

    #[test]
    fn dhash_reads_left_to_right_gradients() {
        // Decreasing to the right: every "left > right" bit is set.
        let plane: Vec<f32> = (0..9 * 8).map(|i| (90 - 10 * (i % 9)) as f32).collect();
        assert_eq!(dhash(&plane, 9, 8), u64::MAX);
        let rising: Vec<f32> = (0..9 * 8).map(|i| (10 * (i % 9)) as f32).collect();
        assert_eq!(dhash(&rising, 9, 8), 0);
    }

    #[test]
    fn hamming_counts_bits() {
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1010, 0b0110), 2);
    }
}
