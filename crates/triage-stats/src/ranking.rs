//! Scores sorted once, descending, with tie groups marked: the shared core of
//! ROC curves, AUCs and average precision, unweighted or with integer
//! bootstrap weights.
//!
//! Sorting costs O(m log m) once (an LSD radix sort on the IEEE-754 bits of the
//! scores); every weighted AUC or AP afterwards is a single O(m) pass over the
//! sorted entries, so a bootstrap resample of an AUC does not sort again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::key_sort::{score_of_key, sorted_keys};

/// Flag bit: the entry is a positive.
const POSITIVE: u32 = 1 << 31;
/// Flag bit: the entry is the last of its tie group (equal scores).
const GROUP_END: u32 = 1 << 30;
/// Mask of the sample index.
const SAMPLE: u32 = GROUP_END - 1;

/// Id flag of a positive in flagged `(key, id)` pairs; the id's other bits
/// are the sample index.
pub const ID_POSITIVE: u32 = 1 << 31;

/// Entries per parallel task.
const PARALLEL_CHUNK: usize = 1 << 16;

/// Largest number of entries a [`SortedScores`] can hold (2³⁰ − 1).
pub const MAX_ENTRIES: usize = SAMPLE as usize;

/// One binary scoring problem (positives versus negatives), sorted by score,
/// descending.
///
/// Each entry refers to a *sample* (for bootstrap weights): for one-vs-rest the
/// entry is the sample; for the micro average the n·K entries of sample i all
/// refer to i; for one-vs-one only the samples of the two classes appear.
#[derive(Debug, Clone)]
pub struct SortedScores {
    /// Packed entries: sample index | POSITIVE | GROUP_END.
    entries: Vec<u32>,
    /// Distinct scores, one per tie group, descending.
    thresholds: Vec<f64>,
    positives: u64,
    negatives: u64,
}

/// Positive and negative (weighted) counts at the end of each tie group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    /// Cumulative true positives at each distinct threshold.
    pub tps: Vec<f64>,
    /// Cumulative false positives at each distinct threshold.
    pub fps: Vec<f64>,
    /// The distinct thresholds (scores), descending.
    pub thresholds: Vec<f64>,
}

impl SortedScores {
    /// Sort `scores` (each finite) with their labels `is_positive`, and the
    /// sample each entry belongs to (`sample_of(entry)`).
    ///
    /// # Panics
    /// Never for valid input; callers check that scores are finite and that
    /// there are at most [`MAX_ENTRIES`] entries (the metric functions do).
    pub fn new(
        scores: impl ExactSizeIterator<Item = f64>,
        is_positive: impl Fn(usize) -> bool + Sync,
        sample_of: impl Fn(usize) -> usize + Sync,
    ) -> Self {
        Self::from_sorted_keys(&sorted_keys(scores), is_positive, sample_of)
    }

    /// Build from `(key, entry)` pairs sorted by key (see [`crate::key_sort`]).
    pub fn from_sorted_keys(
        keyed: &[(u64, u32)],
        is_positive: impl Fn(usize) -> bool + Sync,
        sample_of: impl Fn(usize) -> usize + Sync,
    ) -> Self {
        let m = keyed.len();
        let mut entries = vec![0u32; m];
        // Chunks are independent: an entry ends its tie group when the next
        // key (possibly in the next chunk) differs.
        let parts: Vec<(Vec<f64>, u64)> = entries
            .par_chunks_mut(PARALLEL_CHUNK)
            .enumerate()
            .map(|(chunk, out)| {
                let start = chunk * PARALLEL_CHUNK;
                let mut thresholds = Vec::new();
                let mut positives = 0u64;
                for (offset, slot) in out.iter_mut().enumerate() {
                    let j = start + offset;
                    let (key, e) = keyed[j];
                    let e = e as usize;
                    let mut packed = sample_of(e) as u32 & SAMPLE;
                    if is_positive(e) {
                        packed |= POSITIVE;
                        positives += 1;
                    }
                    if j + 1 == m || keyed[j + 1].0 != key {
                        packed |= GROUP_END;
                        thresholds.push(score_of_key(key));
                    }
                    *slot = packed;
                }
                (thresholds, positives)
            })
            .collect();
        let positives = parts.iter().map(|p| p.1).sum::<u64>();
        let thresholds = parts.into_iter().flat_map(|p| p.0).collect();
        Self {
            entries,
            thresholds,
            positives,
            negatives: m as u64 - positives,
        }
    }

    /// Build from sorted pairs whose id is `sample | ID_POSITIVE` for a
    /// positive and `sample` for a negative.
    pub fn from_flagged(keyed: &[(u64, u32)]) -> Self {
        Self::from_sorted_keys(
            keyed,
            |e| e as u32 & ID_POSITIVE != 0,
            |e| (e as u32 & !ID_POSITIVE) as usize,
        )
    }

    /// One problem made of several sorted, flagged lists (as
    /// [`SortedScores::from_flagged`]) by a k-way merge, in parallel over
    /// key ranges: the micro average reuses the per-class sorts this way.
    pub fn merge_flagged(lists: &[Vec<(u64, u32)>]) -> Self {
        let total: usize = lists.iter().map(Vec::len).sum();
        let segments = if total >= 1 << 18 {
            rayon::current_num_threads() * 4
        } else {
            1
        };
        let longest = lists
            .iter()
            .max_by_key(|l| l.len())
            .map_or(&[][..], |l| &l[..]);
        let mut pivots: Vec<u64> = (1..segments)
            .filter_map(|s| longest.get(s * longest.len() / segments).map(|p| p.0))
            .collect();
        pivots.dedup();
        // Equal keys fall on the same side of every pivot, so tie groups
        // never straddle two segments.
        let bounds: Vec<Vec<usize>> = lists
            .iter()
            .map(|l| {
                std::iter::once(0)
                    .chain(pivots.iter().map(|&p| l.partition_point(|x| x.0 < p)))
                    .chain(std::iter::once(l.len()))
                    .collect()
            })
            .collect();
        let parts: Vec<(Vec<u32>, Vec<f64>, u64)> = (0..=pivots.len())
            .into_par_iter()
            .map(|s| {
                let slices: Vec<&[(u64, u32)]> = lists
                    .iter()
                    .zip(&bounds)
                    .map(|(l, b)| &l[b[s]..b[s + 1]])
                    .collect();
                merge_segment(&slices)
            })
            .collect();
        let positives = parts.iter().map(|p| p.2).sum::<u64>();
        let mut entries = Vec::with_capacity(total);
        let mut thresholds = Vec::new();
        for (e, t, _) in parts {
            entries.extend_from_slice(&e);
            thresholds.extend_from_slice(&t);
        }
        Self {
            entries,
            thresholds,
            positives,
            negatives: total as u64 - positives,
        }
    }

    /// Number of positive entries.
    pub fn positives(&self) -> u64 {
        self.positives
    }

    /// Number of negative entries.
    pub fn negatives(&self) -> u64 {
        self.negatives
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Cumulative counts at each distinct threshold (scikit-learn's
    /// `_binary_clf_curve`), each entry weighted by `weight(sample)`.
    pub fn group_counts(&self, weight: impl Fn(usize) -> f64) -> GroupCounts {
        let mut tps = Vec::with_capacity(self.thresholds.len());
        let mut fps = Vec::with_capacity(self.thresholds.len());
        let (mut tp, mut fp) = (0.0, 0.0);
        for &packed in &self.entries {
            let w = weight((packed & SAMPLE) as usize);
            if packed & POSITIVE != 0 {
                tp += w;
            } else {
                fp += w;
            }
            if packed & GROUP_END != 0 {
                tps.push(tp);
                fps.push(fp);
            }
        }
        GroupCounts {
            tps,
            fps,
            thresholds: self.thresholds.clone(),
        }
    }

    /// Area under the ROC curve with integer-valued weights per sample
    /// (`weights = None` means all 1), or `None` when the weighted positives
    /// or negatives are zero.
    ///
    /// AUC = Σ_groups n_g·(TP_before + p_g/2) / (P·N), where p_g and n_g are
    /// the (weighted) positives and negatives of a tie group: the trapezoid
    /// under scikit-learn's ROC curve, a tied positive–negative pair counting
    /// ½ (the Mann–Whitney U statistic with mid-ranks).
    pub fn auc(&self, weights: Option<&[u32]>) -> Option<f64> {
        // Twice the area, in integer units, is exact; convert per group.
        let mut area = 0.0f64;
        let (tp, fp) = self.fold_groups(weights, |tp_before, _, gp, gn| {
            area += gn as f64 * (2 * tp_before + gp) as f64;
        });
        if tp == 0 || fp == 0 {
            return None;
        }
        Some(area / (2.0 * tp as f64 * fp as f64))
    }

    /// Average precision (scikit-learn's `average_precision_score`):
    /// AP = Σ_n (R_n − R_{n−1})·P_n over the distinct thresholds in descending
    /// order, with precision P_n = TP_n/(TP_n+FP_n) and recall R_n = TP_n/P.
    /// `None` when there are no (weighted) positives.
    pub fn average_precision(&self, weights: Option<&[u32]>) -> Option<f64> {
        let mut sum = 0.0f64;
        let (tp, _) = self.fold_groups(weights, |tp_before, fp_before, gp, gn| {
            if gp > 0 {
                let (tp, fp) = (tp_before + gp, fp_before + gn);
                sum += gp as f64 * (tp as f64 / (tp + fp) as f64);
            }
        });
        if tp == 0 {
            return None;
        }
        Some(sum / tp as f64)
    }

    /// One pass over the tie groups in descending score order, calling
    /// `group(tp_before, fp_before, positives, negatives)` with the weighted
    /// counts of each group; returns the totals (TP, FP).
    fn fold_groups(
        &self,
        weights: Option<&[u32]>,
        mut group: impl FnMut(u64, u64, u64, u64),
    ) -> (u64, u64) {
        let (mut tp, mut fp, mut gp, mut gn) = (0u64, 0u64, 0u64, 0u64);
        for &packed in &self.entries {
            let w = match weights {
                Some(ws) => u64::from(ws[(packed & SAMPLE) as usize]),
                None => 1,
            };
            if packed & POSITIVE != 0 {
                gp += w;
            } else {
                gn += w;
            }
            if packed & GROUP_END != 0 {
                group(tp, fp, gp, gn);
                tp += gp;
                fp += gn;
                gp = 0;
                gn = 0;
            }
        }
        (tp, fp)
    }
}

/// K-way merge of sorted flagged slices into packed entries, thresholds and
/// the positive count (a linear scan of the heads: K is the class count).
fn merge_segment(slices: &[&[(u64, u32)]]) -> (Vec<u32>, Vec<f64>, u64) {
    let total: usize = slices.iter().map(|s| s.len()).sum();
    let mut out = MergedEntries::with_capacity(total);
    if slices.len() <= LINEAR_MERGE_MAX {
        // Keys of finite scores are below u64::MAX, which marks an exhausted
        // slice; the minimum is found without branches (cmov-friendly).
        let head_key = |slice: &[(u64, u32)], at: usize| slice.get(at).map_or(u64::MAX, |p| p.0);
        let mut heads = vec![0usize; slices.len()];
        let mut head_keys: Vec<u64> = slices.iter().map(|s| head_key(s, 0)).collect();
        for _ in 0..total {
            let (best, key) =
                head_keys
                    .iter()
                    .enumerate()
                    .fold(
                        (0, u64::MAX),
                        |(b, bk), (j, &k)| if k < bk { (j, k) } else { (b, bk) },
                    );
            out.push(key, slices[best][heads[best]].1);
            heads[best] += 1;
            head_keys[best] = head_key(slices[best], heads[best]);
        }
    } else {
        // Many lists (many classes): a binary heap of the heads, O(log L).
        let mut heap: BinaryHeap<Reverse<(u64, usize, usize)>> = slices
            .iter()
            .enumerate()
            .filter_map(|(j, s)| s.first().map(|p| Reverse((p.0, j, 0))))
            .collect();
        while let Some(Reverse((key, j, at))) = heap.pop() {
            out.push(key, slices[j][at].1);
            if let Some(next) = slices[j].get(at + 1) {
                heap.push(Reverse((next.0, j, at + 1)));
            }
        }
    }
    out.finish()
}

/// Up to this many lists, [`merge_segment`] scans the heads linearly.
const LINEAR_MERGE_MAX: usize = 16;

/// Packed entries, thresholds and positives built in merged order.
struct MergedEntries {
    entries: Vec<u32>,
    thresholds: Vec<f64>,
    positives: u64,
    previous: Option<u64>,
}

impl MergedEntries {
    fn with_capacity(total: usize) -> Self {
        Self {
            entries: Vec::with_capacity(total),
            thresholds: Vec::new(),
            positives: 0,
            previous: None,
        }
    }

    /// Append the next entry (flagged id) of key `key`.
    fn push(&mut self, key: u64, id: u32) {
        if let Some(prev) = self.previous.filter(|&p| p != key) {
            if let Some(last) = self.entries.last_mut() {
                *last |= GROUP_END;
            }
            self.thresholds.push(score_of_key(prev));
        }
        let positive = id & ID_POSITIVE != 0;
        self.positives += u64::from(positive);
        self.entries
            .push((id & !ID_POSITIVE & SAMPLE) | if positive { POSITIVE } else { 0 });
        self.previous = Some(key);
    }

    fn finish(mut self) -> (Vec<u32>, Vec<f64>, u64) {
        if let (Some(prev), Some(last)) = (self.previous, self.entries.last_mut()) {
            *last |= GROUP_END;
            self.thresholds.push(score_of_key(prev));
        }
        (self.entries, self.thresholds, self.positives)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(scores: &[f64], y: &[bool]) -> SortedScores {
        SortedScores::new(scores.iter().copied(), |e| y[e], |e| e)
    }

    #[test]
    fn sklearn_docstring_example() {
        // roc_curve([1,1,2,2], [0.1,0.4,0.35,0.8], pos_label=2)
        let s = sorted(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
        let g = s.group_counts(|_| 1.0);
        assert_eq!(g.thresholds, vec![0.8, 0.4, 0.35, 0.1]);
        assert_eq!(g.tps, vec![1.0, 1.0, 2.0, 2.0]);
        assert_eq!(g.fps, vec![0.0, 1.0, 1.0, 2.0]);
        assert_eq!(s.auc(None), Some(0.75));
    }

    #[test]
    fn ties_count_half() {
        let s = sorted(&[0.5, 0.5], &[true, false]);
        assert_eq!(s.auc(None), Some(0.5));
        assert_eq!(s.average_precision(None), Some(0.5));
    }

    #[test]
    fn weights_equal_repeated_samples() {
        let scores = [0.9, 0.8, 0.8, 0.3, 0.1];
        let y = [true, false, true, false, true];
        let w = [2u32, 0, 1, 3, 1];
        let mut rep_s = vec![];
        let mut rep_y = vec![];
        for i in 0..5 {
            for _ in 0..w[i] {
                rep_s.push(scores[i]);
                rep_y.push(y[i]);
            }
        }
        let weighted = sorted(&scores, &y);
        let repeated = sorted(&rep_s, &rep_y);
        assert_eq!(weighted.auc(Some(&w)), repeated.auc(None));
        assert_eq!(
            weighted.average_precision(Some(&w)),
            repeated.average_precision(None)
        );
    }

    #[test]
    fn merged_lists_equal_one_sort() {
        use crate::key_sort::{descending_key, sort_pairs};
        let mut x: u64 = 5;
        for n_lists in [3usize, 40] {
            let mut lists = vec![vec![]; n_lists];
            let mut all = vec![];
            for i in 0..3000u32 {
                for (c, list) in lists.iter_mut().enumerate() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let score = (x % 50) as f64 / 50.0;
                    let id = i | if (i as usize) % 3 == c {
                        ID_POSITIVE
                    } else {
                        0
                    };
                    list.push((descending_key(score), id));
                    all.push((descending_key(score), id));
                }
            }
            let lists: Vec<Vec<(u64, u32)>> = lists.iter().map(|l| sort_pairs(l)).collect();
            let merged = SortedScores::merge_flagged(&lists);
            let direct = SortedScores::from_flagged(&sort_pairs(&all));
            assert_eq!(merged.thresholds, direct.thresholds);
            assert_eq!(merged.positives(), direct.positives());
            assert_eq!(merged.auc(None), direct.auc(None));
            assert_eq!(
                merged.average_precision(None),
                direct.average_precision(None)
            );
            let w: Vec<u32> = (0..3000).map(|i| (i % 4) as u32).collect();
            assert_eq!(merged.auc(Some(&w)), direct.auc(Some(&w)));
        }
    }

    #[test]
    fn single_class_is_none() {
        let s = sorted(&[0.1, 0.2], &[true, true]);
        assert_eq!(s.auc(None), None);
        let s = sorted(&[0.1, 0.2], &[false, false]);
        assert_eq!(s.average_precision(None), None);
    }
}
