//! Scores sorted once, descending, with tie groups marked: the shared core of
//! ROC curves, AUCs and average precision, unweighted or with integer
//! bootstrap weights.
//!
//! Sorting costs O(m log m) once (an LSD radix sort on the IEEE-754 bits of the
//! scores); every weighted AUC or AP afterwards is a single O(m) pass over the
//! sorted entries, so a bootstrap resample of an AUC does not sort again.

use rayon::prelude::*;

/// Flag bit: the entry is a positive.
const POSITIVE: u32 = 1 << 31;
/// Flag bit: the entry is the last of its tie group (equal scores).
const GROUP_END: u32 = 1 << 30;
/// Mask of the sample index.
const SAMPLE: u32 = GROUP_END - 1;

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
        is_positive: impl Fn(usize) -> bool,
        sample_of: impl Fn(usize) -> usize,
    ) -> Self {
        Self::from_sorted_keys(&sorted_keys(scores), is_positive, sample_of)
    }

    /// Build from `(key, entry)` pairs already sorted by [`sorted_keys`] (or
    /// merged with [`merge_sorted_keys`]).
    pub fn from_sorted_keys(
        keyed: &[(u64, u32)],
        is_positive: impl Fn(usize) -> bool,
        sample_of: impl Fn(usize) -> usize,
    ) -> Self {
        let m = keyed.len();
        let mut entries = Vec::with_capacity(m);
        let mut thresholds = Vec::new();
        let mut positives = 0u64;
        for (j, &(key, e)) in keyed.iter().enumerate() {
            let e = e as usize;
            let mut packed = sample_of(e) as u32 & SAMPLE;
            if is_positive(e) {
                packed |= POSITIVE;
                positives += 1;
            }
            let last = j + 1 == m || keyed[j + 1].0 != key;
            if last {
                packed |= GROUP_END;
                thresholds.push(score_of_key(key));
            }
            entries.push(packed);
        }
        Self {
            entries,
            thresholds,
            positives,
            negatives: m as u64 - positives,
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
        let (mut tp, mut fp, mut gp, mut gn, mut area) = (0u64, 0u64, 0u64, 0u64, 0.0f64);
        for &packed in &self.entries {
            let w = match weights {
                Some(ws) => ws[(packed & SAMPLE) as usize] as u64,
                None => 1,
            };
            if packed & POSITIVE != 0 {
                gp += w;
            } else {
                gn += w;
            }
            if packed & GROUP_END != 0 {
                // Twice the area, in integer units, is exact; convert per group.
                area += gn as f64 * (2 * tp + gp) as f64;
                tp += gp;
                fp += gn;
                gp = 0;
                gn = 0;
            }
        }
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
        let (mut tp, mut fp, mut gp, mut gn) = (0u64, 0u64, 0u64, 0u64);
        let mut sum = 0.0f64;
        for &packed in &self.entries {
            let w = match weights {
                Some(ws) => ws[(packed & SAMPLE) as usize] as u64,
                None => 1,
            };
            if packed & POSITIVE != 0 {
                gp += w;
            } else {
                gn += w;
            }
            if packed & GROUP_END != 0 {
                tp += gp;
                fp += gn;
                if gp > 0 {
                    sum += gp as f64 * (tp as f64 / (tp + fp) as f64);
                }
                gp = 0;
                gn = 0;
            }
        }
        if tp == 0 {
            return None;
        }
        Some(sum / tp as f64)
    }
}

/// Pair every score with its entry index and sort by descending score.
///
/// The key of a finite f64 flips all bits of non-negative numbers and only
/// the sign bit of negative ones: its *ascending* unsigned order is the
/// *descending* order of the score. -0.0 is folded onto 0.0 so that they tie,
/// as in numpy (`np.diff == 0`). The sort is an LSD radix sort (radsort).
pub fn sorted_keys(scores: impl ExactSizeIterator<Item = f64>) -> Vec<(u64, u32)> {
    debug_assert!(scores.len() <= MAX_ENTRIES);
    let mut keyed: Vec<(u64, u32)> = scores
        .enumerate()
        .map(|(e, s)| (descending_key(s), e as u32))
        .collect();
    radsort::sort_by_key(&mut keyed, |&(key, _)| key);
    keyed
}

/// Merge lists sorted by key into one sorted list (pairwise, in parallel):
/// O(m log L) for m entries in L lists, much cheaper than sorting again.
pub fn merge_sorted_keys(mut lists: Vec<Vec<(u64, u32)>>) -> Vec<(u64, u32)> {
    while lists.len() > 1 {
        let mut pairs = Vec::with_capacity(lists.len().div_ceil(2));
        let mut it = lists.into_iter();
        while let Some(a) = it.next() {
            pairs.push((a, it.next()));
        }
        lists = pairs
            .into_par_iter()
            .map(|(a, b)| match b {
                Some(b) => merge_two(&a, &b),
                None => a,
            })
            .collect();
    }
    lists.pop().unwrap_or_default()
}

fn merge_two(a: &[(u64, u32)], b: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j].0 < a[i].0 {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn descending_key(score: f64) -> u64 {
    let score = if score == 0.0 { 0.0 } else { score };
    let bits = score.to_bits();
    if bits >> 63 == 0 {
        !bits & !(1 << 63)
    } else {
        bits
    }
}

fn score_of_key(key: u64) -> f64 {
    if key >> 63 == 0 {
        f64::from_bits(!key & !(1 << 63))
    } else {
        f64::from_bits(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(scores: &[f64], y: &[bool]) -> SortedScores {
        SortedScores::new(scores.iter().copied(), |e| y[e], |e| e)
    }

    #[test]
    fn key_orders_descending_and_roundtrips() {
        let values = [
            3.5,
            1.0,
            0.0,
            -0.0,
            -1.0,
            -7.25,
            1e-300,
            f64::MAX,
            -f64::MAX,
        ];
        let mut sorted_values = values.to_vec();
        sorted_values.sort_by_key(|&v| descending_key(v));
        for w in sorted_values.windows(2) {
            assert!(w[0] >= w[1], "{w:?}");
        }
        for v in values {
            let back = score_of_key(descending_key(v));
            assert_eq!(back, if v == 0.0 { 0.0 } else { v });
        }
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
    fn merging_equals_sorting() {
        let a = sorted_keys([0.5, 0.1, 0.9].into_iter());
        let b = sorted_keys([0.5, 0.7].into_iter())
            .into_iter()
            .map(|(k, e)| (k, e + 3))
            .collect();
        let c = sorted_keys([0.2].into_iter())
            .into_iter()
            .map(|(k, e)| (k, e + 5))
            .collect();
        let merged = merge_sorted_keys(vec![a, b, c]);
        let keys: Vec<f64> = merged.iter().map(|&(k, _)| score_of_key(k)).collect();
        assert_eq!(keys, vec![0.9, 0.7, 0.5, 0.5, 0.2, 0.1]);
        assert_eq!(merged.len(), 6);
    }

    #[test]
    fn single_class_is_none() {
        let s = sorted(&[0.1, 0.2], &[true, true]);
        assert_eq!(s.auc(None), None);
        let s = sorted(&[0.1, 0.2], &[false, false]);
        assert_eq!(s.average_precision(None), None);
    }
}
