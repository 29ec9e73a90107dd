//! The 32×32 luma thumbnail the near-duplicate stage compares, and the
//! 64-dimensional descriptor it searches with.
//!
//! * Thumbnail: the luma plane area-averaged ([`resize_area`]) to 32×32
//!   and rounded, 1,024 bytes per image (kept for every decoded image;
//!   1 GiB per million images).
//! * Descriptor: the thumbnail blurred by the binomial kernel
//!   `[1, 4, 6, 4, 1] / 16` in each direction (edges replicated),
//!   averaged over 4×4 blocks to 8×8, minus its mean, divided by its L2
//!   norm (all zero for a flat image). The cosine distance between two
//!   descriptors is one minus the Pearson correlation of the blurred 8×8
//!   images: blind to brightness and contrast changes (gain and offset),
//!   and tolerant to shifts of a pixel or two and small rescaling, which
//!   the 8-pixel blocks of a 32-pixel thumbnail absorb.

use super::resize::resize_area;

/// Side of the copy thumbnail.
pub const COPY_SIDE: usize = 32;
/// Length of the copy thumbnail.
pub const COPY_LEN: usize = COPY_SIDE * COPY_SIDE;
/// Side of the descriptor grid.
pub const DESCRIPTOR_SIDE: usize = 8;
/// Dimension of the descriptor.
pub const DESCRIPTOR_DIM: usize = DESCRIPTOR_SIDE * DESCRIPTOR_SIDE;

/// A 32×32 luma thumbnail, row-major.
pub type CopyThumbnail = [u8; COPY_LEN];

/// The copy thumbnail of a luma plane (`width · height` values in
/// [0, 255]); all zero for an empty plane.
pub fn copy_thumbnail(luma: &[f32], width: usize, height: usize) -> Box<CopyThumbnail> {
    let small = resize_area(luma, width, height, COPY_SIDE, COPY_SIDE);
    let mut out = Box::new([0u8; COPY_LEN]);
    for (o, v) in out.iter_mut().zip(small) {
        *o = (v.clamp(0.0, 255.0) + 0.5) as u8;
    }
    out
}

/// The descriptor of a copy thumbnail (see the module documentation).
pub fn descriptor(t: &CopyThumbnail) -> [f32; DESCRIPTOR_DIM] {
    const K: [f32; 5] = [1.0, 4.0, 6.0, 4.0, 1.0];
    let n = COPY_SIDE as isize;
    let at = |v: isize| v.clamp(0, n - 1) as usize;
    let mut h = [0f32; COPY_LEN];
    for y in 0..COPY_SIDE {
        for x in 0..COPY_SIDE {
            let mut s = 0.0;
            for (i, w) in K.iter().enumerate() {
                s += w * f32::from(t[y * COPY_SIDE + at(x as isize + i as isize - 2)]);
            }
            h[y * COPY_SIDE + x] = s / 16.0;
        }
    }
    let mut v = [0f32; COPY_LEN];
    for y in 0..COPY_SIDE {
        for x in 0..COPY_SIDE {
            let mut s = 0.0;
            for (i, w) in K.iter().enumerate() {
                s += w * h[at(y as isize + i as isize - 2) * COPY_SIDE + x];
            }
            v[y * COPY_SIDE + x] = s / 16.0;
        }
    }
    let block = COPY_SIDE / DESCRIPTOR_SIDE;
    let mut d = [0f64; DESCRIPTOR_DIM];
    for y in 0..COPY_SIDE {
        for x in 0..COPY_SIDE {
            d[(y / block) * DESCRIPTOR_SIDE + x / block] += f64::from(v[y * COPY_SIDE + x]);
        }
    }
    let mean = d.iter().sum::<f64>() / DESCRIPTOR_DIM as f64;
    d.iter_mut().for_each(|x| *x -= mean);
    let norm = d.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut out = [0f32; DESCRIPTOR_DIM];
    // Flat (to within a hundredth of a level per block): no structure.
    if norm > 1e-2 * (block * block) as f64 {
        for (o, x) in out.iter_mut().zip(d) {
            *o = (x / norm) as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_ignores_gain_and_offset_and_flat_is_zero() {
        let mut a = [0u8; COPY_LEN];
        for (i, v) in a.iter_mut().enumerate() {
            *v = ((i * 37) % 200) as u8;
        }
        let b: CopyThumbnail = std::array::from_fn(|i| (f32::from(a[i]) * 0.5 + 40.0) as u8);
        let (da, db) = (descriptor(&a), descriptor(&b));
        let dot: f32 = da.iter().zip(&db).map(|(x, y)| x * y).sum();
        assert!(dot > 0.999, "{dot}");
        assert!(descriptor(&[77u8; COPY_LEN]).iter().all(|&x| x == 0.0));
    }

    #[test]
    fn thumbnail_of_a_small_image_is_upsampled() {
        let luma: Vec<f32> = (0..28 * 28).map(|i| (i % 28) as f32 * 9.0).collect();
        let t = copy_thumbnail(&luma, 28, 28);
        assert!(t[0] < 10 && t[31] > 230, "{} {}", t[0], t[31]);
    }
}
