//! Area-averaging resize of a luma plane (as OpenCV's `INTER_AREA` when
//! shrinking), used to make the 32×32 copy thumbnails.

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
pub(crate) fn resize_area(
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
}
