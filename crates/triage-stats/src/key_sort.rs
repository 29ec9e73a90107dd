//! Sorting scores by descending value, fast: the one O(m log m) step behind
//! every ROC curve, AUC and average precision.
//!
//! A score becomes a `u64` key whose ascending order is the score's
//! descending order; entries are `(key, id)` pairs. Sorting is a two-stage
//! radix sort (see [`sort_pairs`]). Callers sort independent lists in
//! parallel (one per class) and merge them where one order over all entries
//! is needed ([`crate::ranking::SortedScores::merge_flagged`]).

/// Upper 32 bits of a key.
const HIGH_HALF: u64 = 0xFFFF_FFFF_0000_0000;

/// The sort key of a finite f64: all bits flipped for non-negative numbers,
/// only the sign bit for negative ones, so that the *ascending* unsigned order
/// is the *descending* order of the score. -0.0 is folded onto 0.0 so that
/// they tie, as in numpy (`np.diff == 0`).
pub fn descending_key(score: f64) -> u64 {
    let score = if score == 0.0 { 0.0 } else { score };
    let bits = score.to_bits();
    if bits >> 63 == 0 {
        !bits & !(1 << 63)
    } else {
        bits
    }
}

/// The score a key was made from (inverse of [`descending_key`]).
pub fn score_of_key(key: u64) -> f64 {
    if key >> 63 == 0 {
        f64::from_bits(!key & !(1 << 63))
    } else {
        f64::from_bits(key)
    }
}

/// Pair every score with its entry index and sort by descending score.
pub fn sorted_keys(scores: impl ExactSizeIterator<Item = f64>) -> Vec<(u64, u32)> {
    let pairs: Vec<(u64, u32)> = scores
        .enumerate()
        .map(|(e, s)| (descending_key(s), e as u32))
        .collect();
    sort_pairs(&pairs)
}

/// Sort `(key, id)` pairs by key, ascending (the order of equal keys is
/// unspecified).
///
/// Stage 1 is an LSD radix sort ([`sort_by_high_half`]) of 8-byte words holding
/// the key's upper 32 bits and the pair's position; stage 2 sorts each run
/// whose upper halves are equal by the full key (short runs for real-valued
/// scores; runs of identical keys are detected and skipped).
pub fn sort_pairs(pairs: &[(u64, u32)]) -> Vec<(u64, u32)> {
    debug_assert!(pairs.len() <= u32::MAX as usize);
    let mut packed: Vec<u64> = pairs
        .iter()
        .enumerate()
        .map(|(pos, &(key, _))| (key & HIGH_HALF) | pos as u64)
        .collect();
    sort_by_high_half(&mut packed);
    let mut out: Vec<(u64, u32)> = packed
        .iter()
        .map(|&word| pairs[(word as u32) as usize])
        .collect();
    let mut start = 0;
    while start < out.len() {
        let high = out[start].0 & HIGH_HALF;
        let mut end = start + 1;
        let mut all_equal = true;
        while end < out.len() && out[end].0 & HIGH_HALF == high {
            all_equal &= out[end].0 == out[start].0;
            end += 1;
        }
        if !all_equal {
            out[start..end].sort_unstable_by_key(|&(key, _)| key);
        }
        start = end;
    }
    out
}

/// Stable LSD radix sort of words by their upper 32 bits: three 11-bit
/// digits, counted in one pass; a digit that is the same in every word (the
/// top exponent bits of probabilities, say) costs no pass.
pub fn sort_by_high_half(words: &mut Vec<u64>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    const SHIFTS: [u32; 3] = [32, 32 + BITS, 32 + 2 * BITS];
    let digit = |word: u64, shift: u32| ((word >> shift) as usize) & (BUCKETS - 1);
    let mut counts = vec![[0usize; BUCKETS]; SHIFTS.len()];
    for &word in words.iter() {
        for (count, &shift) in counts.iter_mut().zip(&SHIFTS) {
            count[digit(word, shift)] += 1;
        }
    }
    let mut buffer = vec![0u64; words.len()];
    for (count, &shift) in counts.iter().zip(&SHIFTS) {
        if count.contains(&words.len()) {
            continue;
        }
        let mut offsets = [0usize; BUCKETS];
        let mut sum = 0;
        for (offset, &c) in offsets.iter_mut().zip(count.iter()) {
            *offset = sum;
            sum += c;
        }
        for &word in words.iter() {
            let d = digit(word, shift);
            buffer[offsets[d]] = word;
            offsets[d] += 1;
        }
        std::mem::swap(words, &mut buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn radix_sort_by_high_half_is_stable_and_ordered() {
        let mut x: u64 = 17;
        let mut words: Vec<u64> = (0..10_000u64)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x & HIGH_HALF & 0x8FFF_F0FF_0000_0000) | i
            })
            .collect();
        let mut expected = words.clone();
        expected.sort_by_key(|w| w >> 32); // stable
        sort_by_high_half(&mut words);
        assert_eq!(words, expected);
    }

    #[test]
    fn two_stage_sort_orders_runs_with_equal_high_halves() {
        // Values differing only in the low 32 bits of their keys, plus ties.
        let base = 0.3f64;
        let mut scores: Vec<f64> = (0..50u64)
            .map(|i| f64::from_bits(base.to_bits() + (i * 7919) % 50))
            .collect();
        scores.extend([0.9, 0.1, 0.3, 0.3, -0.0, 0.0]);
        let sorted = sorted_keys(scores.iter().copied());
        assert_eq!(sorted.len(), scores.len());
        let values: Vec<f64> = sorted.iter().map(|&(k, _)| score_of_key(k)).collect();
        for w in values.windows(2) {
            assert!(w[0] >= w[1], "{w:?}");
        }
        for &(k, e) in &sorted {
            let s = scores[e as usize];
            assert_eq!(score_of_key(k), if s == 0.0 { 0.0 } else { s });
        }
    }
}
