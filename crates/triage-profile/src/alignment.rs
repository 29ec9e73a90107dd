//! Verification of a near-duplicate candidate: the best normalised
//! cross-correlation of two copy thumbnails over small shifts and scale
//! changes.
//!
//! For thumbnails A and B (32×32 luma, [`super::copy_thumbnail`]), the
//! window W is A's central 24×24 pixels (a 4-pixel margin). For each scale
//! s ∈ {1, 0.9, 0.95, 1.05, 1.1}, B_s is B magnified by s about its centre
//! (bilinear, edges replicated: `B_s(y, x) = B((y − c)/s + c, (x − c)/s + c)`,
//! c = 15.5), and for each shift (dx, dy) ∈ {−2, …, 2}² the score is the
//! Pearson correlation of W with the 24×24 window of B_s moved by (dx, dy):
//!
//! `ncc = Σ (a − ā)(b − b̄) / √(Σ (a − ā)² · Σ (b − b̄)²)`
//!
//! The result is the best of the 125 alignments: 1 for a copy that differs
//! by gain and offset, close to 1 after a shift of ≤ 2 pixels (≈ 6 % of a
//! 32-pixel image) or a crop and rescale by ≤ 10 %. A window whose
//! standard deviation is below [`MIN_STD`] levels (a flat image) has no
//! score. `Σ (a − ā) b` is accumulated in `f32` in a fixed order (eight
//! lanes); `Σ b` and `Σ b²` of every window come from `f64` summed-area
//! tables of B_s; so the score is the same on every machine. Cost: 125 ×
//! 576 multiply-adds and five bilinear resamplings per pair.

use super::copy_thumbnail::{CopyThumbnail, COPY_LEN, COPY_SIDE};

/// Margin left out of A's window, pixels.
pub const MARGIN: usize = 4;
/// Largest shift tried, pixels (each direction).
pub const MAX_SHIFT: usize = 2;
/// Scales tried (B magnified by s).
pub const SCALES: [f32; 5] = [1.0, 0.9, 0.95, 1.05, 1.1];
/// Smallest standard deviation of a window with a score, levels of 255.
pub const MIN_STD: f32 = 1.0;

const WIN: usize = COPY_SIDE - 2 * MARGIN;
const N: usize = WIN * WIN;

/// The best alignment of B onto A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Its correlation, in [−1, 1].
    pub score: f64,
    /// Horizontal shift of B, pixels.
    pub dx: i8,
    /// Vertical shift of B, pixels.
    pub dy: i8,
    /// Magnification of B.
    pub scale: f32,
}

impl Alignment {
    /// No shift and no rescaling.
    pub fn is_identity(&self) -> bool {
        self.dx == 0 && self.dy == 0 && self.scale == 1.0
    }
}

/// Bilinear sampling positions of one scale: for each output row (and
/// column), the two source rows and the weight of the second.
struct Taps {
    lo: [usize; COPY_SIDE],
    hi: [usize; COPY_SIDE],
    frac: [f32; COPY_SIDE],
}

impl Taps {
    fn new(s: f32) -> Self {
        let c = (COPY_SIDE as f32 - 1.0) / 2.0;
        let last = COPY_SIDE - 1;
        let mut taps = Taps {
            lo: [0; COPY_SIDE],
            hi: [0; COPY_SIDE],
            frac: [0.0; COPY_SIDE],
        };
        for i in 0..COPY_SIDE {
            let src = ((i as f32 - c) / s + c).clamp(0.0, last as f32);
            let lo = src.floor() as usize;
            taps.lo[i] = lo;
            taps.hi[i] = (lo + 1).min(last);
            taps.frac[i] = src - lo as f32;
        }
        taps
    }
}

/// The taps of every scale in [`SCALES`], computed once.
fn taps() -> &'static [Taps; SCALES.len()] {
    static TAPS: std::sync::OnceLock<[Taps; SCALES.len()]> = std::sync::OnceLock::new();
    TAPS.get_or_init(|| SCALES.map(Taps::new))
}

fn rescaled(b: &[f32; COPY_LEN], t: &Taps) -> [f32; COPY_LEN] {
    let mut out = [0f32; COPY_LEN];
    for y in 0..COPY_SIDE {
        let (y0, y1, fy) = (t.lo[y], t.hi[y], t.frac[y]);
        for x in 0..COPY_SIDE {
            let (x0, x1, fx) = (t.lo[x], t.hi[x], t.frac[x]);
            let top = b[y0 * COPY_SIDE + x0] * (1.0 - fx) + b[y0 * COPY_SIDE + x1] * fx;
            let bottom = b[y1 * COPY_SIDE + x0] * (1.0 - fx) + b[y1 * COPY_SIDE + x1] * fx;
            out[y * COPY_SIDE + x] = top * (1.0 - fy) + bottom * fy;
        }
    }
    out
}

/// Entries of a summed-area table.
const SAT: usize = (COPY_SIDE + 1) * (COPY_SIDE + 1);

/// Summed-area tables of `b` and `b²` in `f64`: entry (y, x) of the
/// (33 × 33) tables sums the rows above y and the columns left of x.
fn summed_areas(b: &[f32; COPY_LEN]) -> ([f64; SAT], [f64; SAT]) {
    const S: usize = COPY_SIDE + 1;
    let mut s1 = [0f64; SAT];
    let mut s2 = [0f64; SAT];
    for y in 0..COPY_SIDE {
        let (mut r1, mut r2) = (0f64, 0f64);
        for x in 0..COPY_SIDE {
            let v = f64::from(b[y * COPY_SIDE + x]);
            r1 += v;
            r2 += v * v;
            s1[(y + 1) * S + x + 1] = s1[y * S + x + 1] + r1;
            s2[(y + 1) * S + x + 1] = s2[y * S + x + 1] + r2;
        }
    }
    (s1, s2)
}

/// The sum of a summed-area table over the window at (x0, y0).
fn window_total(t: &[f64], x0: usize, y0: usize) -> f64 {
    const S: usize = COPY_SIDE + 1;
    let (x1, y1) = (x0 + WIN, y0 + WIN);
    t[y1 * S + x1] - t[y0 * S + x1] - t[y1 * S + x0] + t[y0 * S + x0]
}

/// The best alignment of `b` onto `a` (see the module documentation);
/// `None` if A's window or every window of B is flat.
pub fn best_alignment(a: &CopyThumbnail, b: &CopyThumbnail) -> Option<Alignment> {
    // A's window, mean-centred.
    let mut wa = [0f32; N];
    for y in 0..WIN {
        for x in 0..WIN {
            wa[y * WIN + x] = f32::from(a[(y + MARGIN) * COPY_SIDE + x + MARGIN]);
        }
    }
    let mean_a = wa.iter().sum::<f32>() / N as f32;
    wa.iter_mut().for_each(|v| *v -= mean_a);
    let na = wa.iter().map(|v| v * v).sum::<f32>();
    let min_ss = MIN_STD * MIN_STD * N as f32;
    if na < min_ss {
        return None;
    }
    // B centred on its own mean (keeps the f32 sums well conditioned).
    let mean_b = b.iter().map(|&v| f32::from(v)).sum::<f32>() / COPY_LEN as f32;
    let bf: [f32; COPY_LEN] = std::array::from_fn(|i| f32::from(b[i]) - mean_b);
    let mut best: Option<Alignment> = None;
    let min_ss = f64::from(min_ss);
    for (&s, t) in SCALES.iter().zip(taps()) {
        let bs = if s == 1.0 { bf } else { rescaled(&bf, t) };
        let (s1, s2) = summed_areas(&bs);
        for dy in -(MAX_SHIFT as isize)..=MAX_SHIFT as isize {
            for dx in -(MAX_SHIFT as isize)..=MAX_SHIFT as isize {
                let (x0, y0) = (
                    (MARGIN as isize + dx) as usize,
                    (MARGIN as isize + dy) as usize,
                );
                let sb = window_total(&s1, x0, y0);
                let vb = window_total(&s2, x0, y0) - sb * sb / N as f64;
                if vb < min_ss {
                    continue;
                }
                // Σ (a − ā) b = Σ (a − ā)(b − b̄): A's window is centred.
                let sab = cross_sum(&wa, &bs, x0, y0);
                let score = f64::from(sab) / (f64::from(na) * vb).sqrt();
                if best.is_none_or(|b| score > b.score) {
                    best = Some(Alignment {
                        score: score.clamp(-1.0, 1.0),
                        dx: dx as i8,
                        dy: dy as i8,
                        scale: s,
                    });
                }
            }
        }
    }
    best
}

/// Σ a·b over the window of `b` at (x0, y0), eight lanes accumulated
/// separately and then summed in lane order.
fn cross_sum(wa: &[f32; N], b: &[f32; COPY_LEN], x0: usize, y0: usize) -> f32 {
    let mut ab = [0f32; 8];
    for y in 0..WIN {
        let start = (y0 + y) * COPY_SIDE + x0;
        let brow = &b[start..start + WIN];
        let arow = &wa[y * WIN..(y + 1) * WIN];
        for (ac, bc) in arow.chunks_exact(8).zip(brow.chunks_exact(8)) {
            for l in 0..8 {
                ab[l] += ac[l] * bc[l];
            }
        }
    }
    ab.iter().fold(0.0f32, |acc, x| acc + x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(seed: u32) -> CopyThumbnail {
        std::array::from_fn(|i| {
            let (y, x) = ((i / COPY_SIDE) as f32, (i % COPY_SIDE) as f32);
            let s = seed as f32;
            (128.0
                + 60.0 * ((x * 0.31 + s).sin() * (y * 0.23 + 2.0 * s).cos())
                + 40.0 * ((x + y) * 0.17 * (1.0 + s * 0.1)).sin()) as u8
        })
    }

    #[test]
    fn a_shifted_copy_with_new_gain_scores_one_at_its_shift() {
        let a = scene(1);
        let b: CopyThumbnail = std::array::from_fn(|i| {
            let (y, x) = (i / COPY_SIDE, i % COPY_SIDE);
            let (sy, sx) = ((y + 30) % 32, (x + 1) % 32); // b(y, x) = a(y − 2, x + 1)
            (f32::from(a[sy * COPY_SIDE + sx]) * 0.8 + 20.0) as u8
        });
        let al = best_alignment(&a, &b).unwrap();
        assert!(al.score > 0.99, "{al:?}");
        assert_eq!((al.dx, al.dy, al.scale), (-1, 2, 1.0));
        assert!(best_alignment(&a, &a).unwrap().is_identity());
    }

    #[test]
    fn different_scenes_score_low_and_flat_has_no_score() {
        let al = best_alignment(&scene(1), &scene(7)).unwrap();
        assert!(al.score < 0.8, "{al:?}");
        assert!(best_alignment(&[9u8; COPY_LEN], &scene(1)).is_none());
        assert!(best_alignment(&scene(1), &[9u8; COPY_LEN]).is_none());
    }
}
