//! Per-class thresholds, the one pass over the examples, the confident joint
//! and its calibration (cleanlab's `count.get_confident_thresholds`,
//! `count.compute_confident_joint`, `count.calibrate_confident_joint`).

use rayon::prelude::*;

use super::numeric::{cmp_f64, pairwise_sum};
use crate::proba::ProbMatrix;

/// cleanlab's `FLOATING_POINT_COMPARISON`: the slack below a threshold that
/// still counts as confident, and the boost of the given label's probability
/// in `_reduce_issues`.
pub(super) const FLOATING_POINT_COMPARISON: f64 = 1e-6;
/// cleanlab's `CONFIDENT_THRESHOLDS_LOWER_BOUND`.
const THRESHOLD_LOWER_BOUND: f64 = 2.0 * FLOATING_POINT_COMPARISON;
/// cleanlab's threshold of a class no example is labelled with (`BIG_VALUE`):
/// above every probability, so nothing is counted into that class.
pub(super) const ABSENT_CLASS_THRESHOLD: f64 = 2.0;
/// cleanlab's `TINY_VALUE`, the floor of every divisor.
pub(super) const TINY: f64 = 1e-100;

/// Examples grouped by given label, each group in index order (built only
/// for the filters that need it).
pub(super) struct ClassIndex {
    offsets: Vec<usize>,
    order: Vec<usize>,
}

impl ClassIndex {
    /// A stable counting sort of the examples by label.
    pub(super) fn new(labels: &[usize], counts: &[usize]) -> Self {
        let k = counts.len();
        let mut offsets = Vec::with_capacity(k + 1);
        offsets.push(0);
        for c in 0..k {
            offsets.push(offsets[c] + counts[c]);
        }
        let mut next = offsets[..k].to_vec();
        let mut order = vec![0usize; labels.len()];
        for (i, &l) in labels.iter().enumerate() {
            order[next[l]] = i;
            next[l] += 1;
        }
        Self { offsets, order }
    }

    /// The examples given label `c`, in increasing index order.
    pub(super) fn members(&self, c: usize) -> &[usize] {
        &self.order[self.offsets[c]..self.offsets[c + 1]]
    }
}

/// The number of examples given each label, the per-class thresholds
/// `t_c = mean{p_ic : label_i = c}` (numpy's pairwise sum over the examples
/// in index order, divided by their number; 2 for a class no example is
/// given; floored at 2·10⁻⁶), and the n-long buffer the self-confidences
/// were gathered in, for reuse.
pub(super) fn thresholds(labels: &[usize], probs: &ProbMatrix) -> (Vec<usize>, Vec<f64>, Vec<f64>) {
    let k = probs.k();
    let mut counts = vec![0usize; k];
    for &l in labels {
        counts[l] += 1;
    }
    let mut offsets = Vec::with_capacity(k + 1);
    offsets.push(0);
    for c in 0..k {
        offsets.push(offsets[c] + counts[c]);
    }
    let mut next = offsets[..k].to_vec();
    let mut self_conf = vec![0.0f64; labels.len()];
    for (&l, row) in labels.iter().zip(probs.rows()) {
        self_conf[next[l]] = row[l];
        next[l] += 1;
    }
    let thresholds = (0..k)
        .into_par_iter()
        .map(|c| {
            let t = if counts[c] == 0 {
                ABSENT_CLASS_THRESHOLD
            } else {
                pairwise_sum(&self_conf[offsets[c]..offsets[c + 1]]) / counts[c] as f64
            };
            t.max(THRESHOLD_LOWER_BOUND)
        })
        .collect();
    (counts, thresholds, self_conf)
}

/// Flag of [`ItemPass::flags`]: counted off the diagonal of the confident
/// joint (cleanlab's `indices_off_diagonal`).
pub(super) const OFF_DIAGONAL: u8 = 1;
/// Flag of [`ItemPass::flags`]: the given label wins the argmax once its
/// probability is raised by 10⁻⁶ (cleanlab's `_reduce_issues`): never an
/// issue, except for the `Low…` filters.
pub(super) const AGREES: u8 = 2;

/// Everything one pass over the examples gives.
pub(super) struct ItemPass {
    /// First argmax of each row.
    pub(super) suggested: Vec<usize>,
    /// `p[i][label_i]`.
    pub(super) self_confidence: Vec<f64>,
    /// `(p[i][label_i] − max_{c≠label_i} p[i][c] + 1) / 2`.
    pub(super) normalized_margin: Vec<f64>,
    /// [`OFF_DIAGONAL`] | [`AGREES`] bits.
    pub(super) flags: Vec<u8>,
    /// Confident counts, row-major K×K (row = given, column = guessed true
    /// label), before the diagonal is raised to 1.
    pub(super) counts: Vec<usize>,
}

/// Examples per parallel task.
const CHUNK: usize = 4096;

/// The per-example pass, parallel over chunks; counts are integers, so the
/// result is the same for any number of threads.
///
/// An example is confident in class c when `p_c ≥ t_c − 10⁻⁶`. With one
/// such class it is counted there, with several in the row's argmax (which
/// need not be one of them, as in cleanlab), with none not at all.
///
/// `spare` (n long, any content) becomes the normalized margins: reusing a
/// buffer saves the page faults of a fresh one.
pub(super) fn item_pass(
    labels: &[usize],
    probs: &ProbMatrix,
    thresholds: &[f64],
    spare: Vec<f64>,
) -> ItemPass {
    let (n, k) = (probs.n(), probs.k());
    assert_eq!(spare.len(), n, "spare buffer length");
    let cut: Vec<f64> = thresholds
        .iter()
        .map(|t| t - FLOATING_POINT_COMPARISON)
        .collect();
    let mut suggested = vec![0usize; n];
    let mut self_confidence = vec![0.0f64; n];
    let mut normalized_margin = spare;
    let mut flags = vec![0u8; n];
    let counts = (
        probs.as_slice().par_chunks(CHUNK * k),
        labels.par_chunks(CHUNK),
        suggested.par_chunks_mut(CHUNK),
        self_confidence.par_chunks_mut(CHUNK),
        normalized_margin.par_chunks_mut(CHUNK),
        flags.par_chunks_mut(CHUNK),
    )
        .into_par_iter()
        .fold(
            || vec![0usize; k * k],
            |mut counts, (rows, labels, suggested, sc, nm, flags)| {
                for (i, (row, &l)) in rows.chunks_exact(k).zip(labels).enumerate() {
                    let item = one_item(row, l, &cut);
                    suggested[i] = item.argmax;
                    sc[i] = row[l];
                    nm[i] = (row[l] - item.max_other + 1.0) / 2.0;
                    let mut f = 0;
                    if let Some(g) = item.guess {
                        counts[l * k + g] += 1;
                        if g != l {
                            f |= OFF_DIAGONAL;
                        }
                    }
                    if item.agrees {
                        f |= AGREES;
                    }
                    flags[i] = f;
                }
                counts
            },
        )
        .reduce(
            || vec![0usize; k * k],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    ItemPass {
        suggested,
        self_confidence,
        normalized_margin,
        flags,
        counts,
    }
}

struct Item {
    argmax: usize,
    max_other: f64,
    guess: Option<usize>,
    agrees: bool,
}

#[inline]
fn one_item(row: &[f64], label: usize, cut: &[f64]) -> Item {
    if row.len() > 64 {
        return one_item_wide(row, label, cut);
    }
    // One pass without data-dependent branches (K ≤ 64): the first
    // maximum, the maxima before and after the label, and the confident
    // classes as a bit set.
    let mut max = f64::NEG_INFINITY;
    let mut argmax = 0;
    let mut before = f64::NEG_INFINITY;
    let mut after = f64::NEG_INFINITY;
    let mut confident = 0u64;
    for (c, (&v, &t)) in row.iter().zip(cut).enumerate() {
        let higher = v > max;
        max = if higher { v } else { max };
        argmax = if higher { c } else { argmax };
        let b = if c < label { v } else { f64::NEG_INFINITY };
        before = if b > before { b } else { before };
        let a = if c > label { v } else { f64::NEG_INFINITY };
        after = if a > after { a } else { after };
        confident |= u64::from(v >= t) << c;
    }
    let own = row[label];
    let count = confident.count_ones();
    let only = confident.trailing_zeros() as usize;
    let guess = if count == 1 { only } else { argmax };
    // argmax of the row with p[label] += 1e-6 is `label` (first maximum).
    let boosted = own + FLOATING_POINT_COMPARISON;
    Item {
        argmax,
        max_other: if after > before { after } else { before },
        guess: (count > 0).then_some(guess),
        agrees: before < boosted && after <= boosted,
    }
}

fn one_item_wide(row: &[f64], label: usize, cut: &[f64]) -> Item {
    let mut argmax = 0;
    let mut max = row[0];
    let mut max_other = f64::NEG_INFINITY;
    let mut confident = 0usize;
    let mut first_confident = 0;
    for (c, (&v, &t)) in row.iter().zip(cut).enumerate() {
        if v > max {
            max = v;
            argmax = c;
        }
        if c != label && v > max_other {
            max_other = v;
        }
        if v >= t {
            if confident == 0 {
                first_confident = c;
            }
            confident += 1;
        }
    }
    let guess = match confident {
        0 => None,
        1 => Some(first_confident),
        _ => Some(argmax),
    };
    let boosted = row[label] + FLOATING_POINT_COMPARISON;
    let agrees =
        row[..label].iter().all(|&v| v < boosted) && row[label + 1..].iter().all(|&v| v <= boosted);
    Item {
        argmax,
        max_other,
        guess,
        agrees,
    }
}

/// cleanlab's `calibrate_confident_joint`: scale row i to the label count
/// `n_i`, then the whole matrix to `Σ n_i`, and round every row to integers
/// keeping its total ([`round_preserving_row_totals`]):
///
/// ```text
/// Q_ij = (C_ij / max(Σ_j C_ij, 1e-100)) · n_i
/// Q_ij ← (Q_ij / max(Σ_ij Q_ij, 1e-100)) · Σ_i n_i
/// ```
///
/// `cj` is row-major K×K. The grand total is numpy's pairwise sum in
/// column-major order (the memory order of cleanlab's transposed array).
pub(super) fn calibrate(cj: &[usize], label_counts: &[usize]) -> Vec<usize> {
    let k = label_counts.len();
    let total: usize = label_counts.iter().sum();
    let mut q = vec![0.0f64; k * k];
    for i in 0..k {
        let row = &cj[i * k..(i + 1) * k];
        let sum = (row.iter().sum::<usize>() as f64).max(TINY);
        for j in 0..k {
            q[i * k + j] = row[j] as f64 / sum * label_counts[i] as f64;
        }
    }
    let column_major: Vec<f64> = (0..k * k).map(|m| q[(m % k) * k + m / k]).collect();
    let grand = pairwise_sum(&column_major).max(TINY);
    q.iter_mut().for_each(|v| *v = *v / grand * total as f64);
    round_preserving_row_totals(&q, k)
}

/// cleanlab's `round_preserving_row_totals`: each row rounded half to even,
/// then, while the rounded total differs from the rounded float total, the
/// entries with the largest `x − round(x)` (to go up; ties: the last
/// position first) or the smallest (to go down; ties: the first position)
/// move by one — the order of `np.argsort(x − round(x), kind="stable")`
/// reversed or not.
pub(super) fn round_preserving_row_totals(m: &[f64], k: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(m.len());
    for row in m.chunks_exact(k) {
        out.extend(round_preserving_sum(row));
    }
    out
}

fn round_preserving_sum(floats: &[f64]) -> Vec<usize> {
    let len = floats.len();
    let mut ints: Vec<f64> = floats.iter().map(|x| x.round_ties_even()).collect();
    let target = pairwise_sum(floats).round_ties_even();
    let mut sum = pairwise_sum(&ints).round_ties_even();
    let mut order: Vec<usize> = Vec::with_capacity(len);
    // Each round moves min(|diff|, len) entries by one; bounded for safety.
    let mut rounds = 0;
    while (sum - target).abs() > FLOATING_POINT_COMPARISON && rounds < 1_000_000 {
        rounds += 1;
        let diff = (target - sum).round_ties_even();
        let up = diff >= 0.0;
        let changes = (diff.abs() as usize).min(len);
        let residual: Vec<f64> = floats.iter().zip(&ints).map(|(f, i)| f - i).collect();
        order.clear();
        order.extend(0..len);
        order.sort_by(|&a, &b| cmp_f64(residual[a], residual[b]));
        if up {
            order.reverse();
        }
        let step = if up { 1.0 } else { -1.0 };
        for &i in &order[..changes] {
            ints[i] += step;
        }
        sum = pairwise_sum(&ints).round_ties_even();
    }
    ints.iter().map(|&v| v.max(0.0) as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_row_totals_and_breaks_ties_like_numpy() {
        // 2.5 → 2 (half to even), 3.5 → 4: total 6 = round(6.0).
        assert_eq!(round_preserving_sum(&[2.5, 3.5]), vec![2, 4]);
        // Three equal thirds of 1: rounded 0, 0, 0 must gain 1; the stable
        // argsort reversed takes the last position first.
        let third = 1.0 / 3.0;
        assert_eq!(round_preserving_sum(&[third, third, third]), vec![0, 0, 1]);
        // Three thirds of 2 round to 1, 1, 1 and must lose 1: going down
        // takes the first position first.
        let x = 2.0 / 3.0;
        assert_eq!(round_preserving_sum(&[x, x, x]), vec![0, 1, 1]);
    }

    #[test]
    fn calibration_matches_label_counts() {
        // Given 0: 8 examples, confident counts 3 | 1; given 1: 4, counts 0 | 2.
        let cal = calibrate(&[3, 1, 0, 2], &[8, 4]);
        assert_eq!(cal, vec![6, 2, 0, 4]);
    }
}
