//! The filters that choose the examples with label issues (cleanlab's
//! `filter._keep_at_least_n_per_class`, `_reduce_prune_counts`,
//! `_prune_by_count`, `_prune_by_class` and the `low_…` filters).

use rayon::prelude::*;

use super::confident_joint::ClassIndex;
use super::numeric::{key, pairwise_sum, select, unkey, End};
use crate::proba::ProbMatrix;

/// cleanlab's pruning matrix, row-major K×K with `m[t * k + g]` = how many
/// examples given label g are pruned as truly t (`t ≠ g`), and
/// `m[g * k + g]` the examples of class g that are kept. It is the
/// transposed calibrated joint with:
///
/// 1. (`_keep_at_least_n_per_class`) each diagonal count raised to at least
///    `min_examples`, the raise `d_g` taken evenly from the column's
///    non-zero cells: `m_tg ← max(m_tg − d_g / max(nnz_g − 1, 1), 0)`, where
///    `nnz_g` counts the non-zero cells of column g (diagonal included);
/// 2. (`_reduce_prune_counts`) off-diagonal cells multiplied by
///    `frac_noise`, the diagonal given what they lost (numpy's pairwise
///    column sums);
/// 3. every cell truncated towards zero to an integer.
pub(super) fn prune_count_matrix(
    cal: &[usize],
    k: usize,
    min_examples: usize,
    frac_noise: f64,
) -> Vec<usize> {
    // pcm = cal.T
    let pcm = |t: usize, g: usize| cal[g * k + t];
    let mut m = vec![0.0f64; k * k];
    for g in 0..k {
        let diag = pcm(g, g);
        let new_diag = diag.max(min_examples);
        let raise = (new_diag - diag) as f64;
        let nonzero = (0..k).filter(|&t| pcm(t, g) != 0).count();
        let spread = (nonzero as f64 - 1.0).max(1.0);
        for t in 0..k {
            let v = pcm(t, g) as f64 - raise / spread;
            m[t * k + g] = if v < 0.0 { 0.0 } else { v };
        }
        m[g * k + g] = new_diag as f64;
    }
    let mut reduced = m.clone();
    for (at, v) in reduced.iter_mut().enumerate() {
        if at / k != at % k {
            *v *= frac_noise;
        }
    }
    for g in 0..k {
        let lost: Vec<f64> = (0..k).map(|t| m[t * k + g] - reduced[t * k + g]).collect();
        reduced[g * k + g] = m[g * k + g] + pairwise_sum(&lost);
    }
    // numpy's astype(int) truncates towards zero; every value is ≥ 0.
    reduced.iter().map(|&v| v as usize).collect()
}

/// Whether the pruning filters look at class `g` at all: it needs more than
/// `min_examples` examples, and more than one (cleanlab computes a mask for
/// a class of a single example but never applies it).
fn prunable(size: usize, min_examples: usize) -> bool {
    size > min_examples && size > 1
}

/// Most sampled or candidate margins held at once: 2²².
const MAX_BUFFER: usize = 1 << 22;
/// Rows are sampled in blocks of this many consecutive rows…
const SAMPLE_BLOCK: usize = 64;
/// …one block in at least this many (more when K is large, so that at most
/// [`MAX_BUFFER`] margins are sampled).
const SAMPLE_EVERY: usize = 16;
/// Rows per parallel task of the passes over all rows.
const CHUNK: usize = 16_384;

/// One sampled block: (cell, margin key) pairs and the rows of each class.
type SampledBlock = (Vec<(u32, u64)>, Vec<usize>);

/// One (given g, true t) cell of the pruning matrix to prune from.
struct Cell {
    g: usize,
    t: usize,
    /// How many examples to choose, `m_tg > 0`.
    m: usize,
    /// Margins whose key is below this are not kept as candidates (0:
    /// every margin is kept).
    cutoff: u64,
    /// Whether the pass over all rows collects this cell's candidates
    /// (otherwise it is selected over all of class g's margins).
    streamed: bool,
}

/// `"prune_by_noise_rate"`: in each given class g, for each t ≠ g with
/// `m_tg > 0`, the `m_tg` examples with the largest margin `p_t − p_g`
/// (ties: the smaller index).
///
/// Exact, and without reading each class's scattered rows once per target:
///
/// 1. a sample of the rows (blocks of 64 consecutive rows, one block in 16
///    or more) gives every cell a sample of its margins and a cutoff with,
///    by the sample, `m` plus three standard deviations of margins at or
///    above it;
/// 2. one parallel pass over all rows keeps every cell's margins at or
///    above its cutoff, in index order;
/// 3. the `m` largest of a cell's kept margins are chosen, ties by index.
///
/// A cell whose sample says its cutoff keeps too much (heavy ties; or more
/// than [`MAX_BUFFER`] candidates in all), or whose kept margins turn out
/// fewer than `m`, is selected over all its class's margins instead. The
/// chosen sets never depend on the sample or the schedule.
pub(super) fn prune_by_noise_rate(
    counts: &[usize],
    labels: &[usize],
    probs: &ProbMatrix,
    pcm: &[usize],
    min_examples: usize,
    mask: &mut [bool],
) {
    let (n, k) = (probs.n(), probs.k());
    let mut cells: Vec<Cell> = Vec::new();
    let mut first_cell = vec![0usize; k + 1];
    for g in 0..k {
        first_cell[g] = cells.len();
        if prunable(counts[g], min_examples) {
            for t in (0..k).filter(|&t| t != g && pcm[t * k + g] > 0) {
                cells.push(Cell {
                    g,
                    t,
                    m: pcm[t * k + g],
                    cutoff: 0,
                    streamed: false,
                });
            }
        }
    }
    first_cell[k] = cells.len();
    if cells.is_empty() {
        return;
    }

    // 1. Sample, in parallel blocks: (cell, margin key) pairs.
    let every = SAMPLE_EVERY.max((n * (k - 1)).div_ceil(MAX_BUFFER));
    let blocks: Vec<usize> = (0..n.div_ceil(SAMPLE_BLOCK)).step_by(every).collect();
    let sampled_blocks: Vec<SampledBlock> = blocks
        .par_iter()
        .map(|&b| {
            let mut found = Vec::new();
            let mut rows_of = vec![0usize; k];
            let (from, to) = (b * SAMPLE_BLOCK, ((b + 1) * SAMPLE_BLOCK).min(n));
            for (i, &g) in (from..to).zip(&labels[from..to]) {
                rows_of[g] += 1;
                let row = probs.row(i);
                for c in first_cell[g]..first_cell[g + 1] {
                    found.push((c as u32, key(row[cells[c].t] - row[g])));
                }
            }
            (found, rows_of)
        })
        .collect();
    let mut sampled = vec![0usize; k];
    let mut samples: Vec<Vec<u64>> = (0..cells.len()).map(|_| Vec::new()).collect();
    for (found, rows_of) in sampled_blocks {
        sampled.iter_mut().zip(rows_of).for_each(|(a, b)| *a += b);
        for (c, m) in found {
            samples[c as usize].push(m);
        }
    }
    let mut budget = MAX_BUFFER;
    for (cell, sample) in cells.iter_mut().zip(&mut samples) {
        let size = counts[cell.g];
        let s = sampled[cell.g];
        // The q-th largest of s sampled margins has about q·n_g/s margins at
        // or above it; the sample should hold m·s/n_g of the m largest.
        let hits = (cell.m * s) as f64 / size as f64;
        let q = (hits + 3.0 * hits.sqrt()).ceil() as usize + 3;
        let expected = if q >= s {
            size
        } else {
            let at = s - q;
            cell.cutoff = *sample.select_nth_unstable(at).1;
            let kept = sample.iter().filter(|&&v| v >= cell.cutoff).count();
            (kept * size).div_ceil(s)
        };
        let slack = 2 * cell.m + 8 * size.div_ceil(s.max(1)) + 64;
        cell.streamed = expected <= slack && expected <= budget;
        if cell.streamed {
            budget -= expected;
        }
    }
    drop(samples);

    // 2. Candidates of the streamed cells: (cell, margin key, index), each
    // chunk in index order.
    // Compared as floats (`margin ≥ c` ⇔ `key(margin) ≥ key(c)`), the key
    // computed only for what is kept.
    let streamed: Vec<Vec<(u32, usize, f64)>> = (0..k)
        .map(|g| {
            (first_cell[g]..first_cell[g + 1])
                .filter(|&c| cells[c].streamed)
                .map(|c| (c as u32, cells[c].t, unkey(cells[c].cutoff)))
                .collect()
        })
        .collect();
    let pieces: Vec<Vec<(u32, u64, usize)>> = probs
        .as_slice()
        .par_chunks(CHUNK * k)
        .zip(labels.par_chunks(CHUNK))
        .enumerate()
        .map(|(chunk, (rows, labels))| {
            let mut found = Vec::new();
            for (j, (row, &g)) in rows.chunks_exact(k).zip(labels).enumerate() {
                let own = row[g];
                for &(c, t, cutoff) in &streamed[g] {
                    let margin = row[t] - own;
                    if margin >= cutoff {
                        found.push((c, key(margin), chunk * CHUNK + j));
                    }
                }
            }
            found
        })
        .collect();
    // Group by cell, keeping index order (a stable counting sort).
    let mut start = vec![0usize; cells.len() + 1];
    for &(c, _, _) in pieces.iter().flatten() {
        start[c as usize + 1] += 1;
    }
    for c in 0..cells.len() {
        start[c + 1] += start[c];
    }
    let mut next = start.clone();
    let mut keys = vec![0u64; start[cells.len()]];
    let mut index = vec![0usize; start[cells.len()]];
    for (c, m, i) in pieces.into_iter().flatten() {
        let at = &mut next[c as usize];
        keys[*at] = m;
        index[*at] = i;
        *at += 1;
    }

    // 3. Choose, per cell; the class index only if some cell needs all of
    // its class's margins.
    let complete = |c: usize| cells[c].streamed && start[c + 1] - start[c] >= cells[c].m;
    let classes = (!(0..cells.len()).all(complete)).then(|| ClassIndex::new(labels, counts));
    let chosen: Vec<Vec<usize>> = (0..cells.len())
        .into_par_iter()
        .map_init(Vec::new, |scratch, c| {
            let cell = &cells[c];
            let (keys, index) = (
                &keys[start[c]..start[c + 1]],
                &index[start[c]..start[c + 1]],
            );
            let mut chosen = Vec::with_capacity(cell.m);
            if complete(c) {
                select(keys, cell.m, End::Largest, scratch, |at| {
                    chosen.push(index[at])
                });
            } else {
                let members = classes.as_ref().expect("built when needed").members(cell.g);
                let all: Vec<u64> = members
                    .iter()
                    .map(|&i| {
                        let row = probs.row(i);
                        key(row[cell.t] - row[cell.g])
                    })
                    .collect();
                select(&all, cell.m, End::Largest, scratch, |at| {
                    chosen.push(members[at])
                });
            }
            chosen
        })
        .collect();
    for i in chosen.into_iter().flatten() {
        mask[i] = true;
    }
}

/// `"prune_by_class"`: in each given class g, the `n_g − m_gg` examples with
/// the smallest `p_g` (ties: the smaller index).
pub(super) fn prune_by_class(
    classes: &ClassIndex,
    counts: &[usize],
    self_confidence: &[f64],
    pcm: &[usize],
    min_examples: usize,
    mask: &mut [bool],
) {
    let k = counts.len();
    let chosen: Vec<Vec<usize>> = (0..k)
        .into_par_iter()
        .map(|g| {
            let members = classes.members(g);
            let mut chosen = Vec::new();
            if prunable(counts[g], min_examples) {
                let issues = members.len().saturating_sub(pcm[g * k + g]);
                let keys: Vec<u64> = members.iter().map(|&i| key(self_confidence[i])).collect();
                select(&keys, issues, End::Smallest, &mut Vec::new(), |at| {
                    chosen.push(members[at]);
                });
            }
            chosen
        })
        .collect();
    for i in chosen.into_iter().flatten() {
        mask[i] = true;
    }
}

/// The `low_…` filters: the `m` examples with the smallest score (ties: the
/// smaller index), `np.argsort(scores, kind="stable")[:m]`.
pub(super) fn lowest(scores: &[f64], m: usize, mask: &mut [bool]) {
    let keys: Vec<u64> = scores.par_iter().map(|&s| key(s)).collect();
    select(&keys, m, End::Smallest, &mut Vec::new(), |i| mask[i] = true);
}

#[cfg(test)]
mod tests {
    use super::*;

    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The definition: per cell, a stable sort of the class's margins.
    fn naive(labels: &[usize], probs: &ProbMatrix, pcm: &[usize], min: usize) -> Vec<bool> {
        let (n, k) = (probs.n(), probs.k());
        let mut mask = vec![false; n];
        for g in 0..k {
            let members: Vec<usize> = (0..n).filter(|&i| labels[i] == g).collect();
            if !prunable(members.len(), min) {
                continue;
            }
            for t in (0..k).filter(|&t| t != g) {
                let mut order = members.clone();
                let margin = |i: usize| probs.get(i, t) - probs.get(i, g);
                order.sort_by(|&a, &b| margin(b).partial_cmp(&margin(a)).unwrap());
                for &i in order.iter().take(pcm[t * k + g]) {
                    mask[i] = true;
                }
            }
        }
        mask
    }

    #[test]
    fn streamed_and_fallback_cells_equal_the_definition() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for (n, k, decimals) in [
            (40_000, 4, None),
            (40_000, 4, Some(1)),
            (3_000, 6, Some(2)),
            (500, 3, None),
        ] {
            let labels: Vec<usize> = (0..n).map(|_| rng.random_range(0..k)).collect();
            let mut data: Vec<f64> = (0..n * k).map(|_| rng.random::<f64>()).collect();
            for row in data.chunks_exact_mut(k) {
                let s: f64 = row.iter().sum();
                row.iter_mut().for_each(|v| *v /= s);
                if let Some(d) = decimals {
                    let scale = 10f64.powi(d);
                    row.iter_mut()
                        .for_each(|v| *v = (*v * scale).round() / scale);
                    let s: f64 = row.iter().sum();
                    row.iter_mut().for_each(|v| *v /= s);
                }
            }
            let probs = ProbMatrix::new(data, k, 1e-9).unwrap();
            let mut counts = vec![0; k];
            labels.iter().for_each(|&l| counts[l] += 1);
            // Small, middling and huge cells, and empty ones.
            let pcm: Vec<usize> = (0..k * k)
                .map(|c| match c % 5 {
                    0 => 0,
                    1 => 1 + c % 3,
                    2 => n / (8 * k),
                    3 => n / k / 2,
                    _ => n,
                })
                .collect();
            for min in [1, n / k] {
                let mut got = vec![false; n];
                prune_by_noise_rate(&counts, &labels, &probs, &pcm, min, &mut got);
                assert_eq!(
                    got,
                    naive(&labels, &probs, &pcm, min),
                    "n {n} k {k} {decimals:?} min {min}"
                );
            }
        }
    }

    #[test]
    fn keeps_at_least_n_and_truncates() {
        // Calibrated joint (given × true): given 0 = [1, 2, 1], ...
        let cal = [1, 2, 1, 0, 5, 0, 0, 0, 6];
        // Column 0 of cal.T = row 0 of cal: diagonal 1 → 3, raise 2 spread
        // over nnz − 1 = 2 cells: 2 − 1 = 1 and 1 − 1 = 0.
        let m = prune_count_matrix(&cal, 3, 3, 1.0);
        assert_eq!((m[0], m[3], m[6]), (3, 1, 0));
        // frac_noise = 0.5: the off-diagonal 1 becomes 0.5 → 0 (truncated),
        // the diagonal 3 + 0.5 → 3.
        let m = prune_count_matrix(&cal, 3, 3, 0.5);
        assert_eq!((m[0], m[3], m[6]), (3, 0, 0));
        // Columns of other classes are untouched with n = 1.
        let m = prune_count_matrix(&cal, 3, 1, 1.0);
        assert_eq!(m, vec![1, 0, 0, 2, 5, 0, 1, 0, 6]);
    }
}
