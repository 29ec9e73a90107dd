//! The few numpy conventions the reference results depend on: pairwise
//! summation, half-to-even rounding and selections in the order of a stable
//! argsort.

use std::cmp::Ordering;

/// numpy's sum of a float64 sequence (`np.add.reduce` over one contiguous or
/// strided axis): blocks of up to 128 values are summed with eight
/// interleaved accumulators, longer sequences are split in two halves (the
/// first a multiple of 8 long) and the halves' sums added. Sequences shorter
/// than 8 are summed left to right from 0.
pub(super) fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        let mut sum = 0.0;
        for &v in values {
            sum += v;
        }
        sum
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += values[i + j];
            }
            i += 8;
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &values[whole..] {
            sum += v;
        }
        sum
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

/// Order of finite scores (NaN never reaches here: probabilities are
/// validated), `-0.0 == 0.0` as numpy compares them.
pub(super) fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// An order-preserving integer key of a finite float: `a < b ⇔ key(a) <
/// key(b)`, with `-0.0` and `0.0` equal as numpy compares them.
#[inline]
pub(super) fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits(); // −0.0 + 0.0 = +0.0
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The smallest float whose [`key`] is `k` (`-∞` for 0, below every
/// finite key), so that `x ≥ unkey(k)` ⇔ `key(x) ≥ k` for finite x.
pub(super) fn unkey(k: u64) -> f64 {
    if k == 0 {
        f64::NEG_INFINITY
    } else if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Which end of the order a selection takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// The smallest keys: `np.argsort(keys, kind="stable")[:m]`.
    Smallest,
    /// The largest keys: `np.argsort(-keys, kind="stable")[:m]`.
    Largest,
}

/// Call `pick` with the positions of the `m` smallest or largest `keys`,
/// ties at the boundary going to the earlier positions — the set a stable
/// argsort's first `m` entries form (in increasing position order).
/// `scratch` is reused between calls.
pub(super) fn select(
    keys: &[u64],
    m: usize,
    end: End,
    scratch: &mut Vec<u64>,
    mut pick: impl FnMut(usize),
) {
    let n = keys.len();
    if m == 0 {
        return;
    }
    if m >= n {
        (0..n).for_each(pick);
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(keys);
    // The m-th key from the chosen end: every key strictly beyond it is
    // taken, and the first positions holding it make up the rest. After the
    // partition, the keys beyond it are among the other m − 1 taken ones.
    match end {
        End::Smallest => {
            let (taken, &mut boundary, _) = scratch.select_nth_unstable(m - 1);
            let mut ties = m - taken.iter().filter(|&&k| k < boundary).count();
            for (i, &k) in keys.iter().enumerate() {
                if k < boundary || (k == boundary && ties > 0) {
                    ties -= usize::from(k == boundary);
                    pick(i);
                }
            }
        }
        End::Largest => {
            let (_, &mut boundary, taken) = scratch.select_nth_unstable(n - m);
            let mut ties = m - taken.iter().filter(|&&k| k > boundary).count();
            for (i, &k) in keys.iter().enumerate() {
                if k > boundary || (k == boundary && ties > 0) {
                    ties -= usize::from(k == boundary);
                    pick(i);
                }
            }
        }
    }
}

/// Sort by the key, stably (equal keys keep their order): a least
/// significant digit radix sort, 8 bits a pass, skipping the bytes every key
/// shares.
pub(super) fn radix_sort_by_key(items: &mut Vec<(u64, usize)>) {
    let mut counts = [[0usize; 256]; 8];
    for &(key, _) in items.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(key >> (8 * byte)) as usize & 0xff] += 1;
        }
    }
    let mut other = vec![(0u64, 0usize); items.len()];
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&items.len()) {
            continue; // every key has the same byte here
        }
        let mut next = [0usize; 256];
        let mut sum = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = sum;
            sum += c;
        }
        for &item in items.iter() {
            let digit = (item.0 >> (8 * byte)) as usize & 0xff;
            other[next[digit]] = item;
            next[digit] += 1;
        }
        std::mem::swap(items, &mut other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequential(values: &[f64]) -> f64 {
        values.iter().fold(0.0, |a, &b| a + b)
    }

    #[test]
    fn pairwise_sum_equals_sequential_below_eight() {
        let v = [0.1, 0.2, 0.3, 1e-17, 5.0, -2.5, 0.7];
        assert_eq!(pairwise_sum(&v), sequential(&v));
    }

    #[test]
    fn pairwise_sum_uses_eight_accumulators() {
        // 1 + 1e-16 is rounded to 1 left to right, but the eight partial sums
        // keep the small values together.
        let mut v = vec![1.0];
        v.extend(std::iter::repeat_n(1e-16, 15));
        let r0 = 1.0 + 1e-16;
        let r = 1e-16 + 1e-16;
        let want = ((r0 + r) + (r + r)) + ((r + r) + (r + r));
        assert_eq!(pairwise_sum(&v), want);
        assert_ne!(pairwise_sum(&v), sequential(&v));
    }

    #[test]
    fn radix_sort_is_stable() {
        let mut state = 99u64;
        let mut items: Vec<(u64, usize)> = (0..5000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = [0.0, 0.25, 1e-300, 0.5, 1.0][(state >> 40) as usize % 5];
                (key(v * ((state >> 20) % 3) as f64), i)
            })
            .collect();
        let mut want = items.clone();
        want.sort_by_key(|&(k, _)| k);
        radix_sort_by_key(&mut items);
        assert_eq!(items, want);
        let mut empty = Vec::new();
        radix_sort_by_key(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn keys_preserve_order() {
        let xs = [-1e300, -2.5, -1e-310, -0.0, 0.0, 1e-310, 0.3, 7.0, f64::MAX];
        for w in xs.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{w:?}");
            assert_eq!(key(w[0]) == key(w[1]), w[0] == w[1], "{w:?}");
        }
        for &c in &xs {
            for &x in &xs {
                assert_eq!(x >= unkey(key(c)), key(x) >= key(c), "{x} vs {c}");
            }
        }
        assert_eq!(unkey(0), f64::NEG_INFINITY);
    }

    fn picked(keys: &[f64], m: usize, end: End) -> Vec<usize> {
        let keys: Vec<u64> = keys.iter().map(|&x| key(x)).collect();
        let mut got = Vec::new();
        select(&keys, m, end, &mut Vec::new(), |i| got.push(i));
        got
    }

    #[test]
    fn selections_break_ties_by_position() {
        let keys = [0.5, 0.1, 0.5, 0.1, 0.9, 0.5];
        assert_eq!(picked(&keys, 3, End::Smallest), vec![0, 1, 3]);
        assert_eq!(picked(&keys, 3, End::Largest), vec![0, 2, 4]);
        assert_eq!(picked(&keys, 9, End::Largest).len(), 6);
        assert!(picked(&keys, 0, End::Smallest).is_empty());
        assert_eq!(picked(&[0.0, -0.0, 0.0], 2, End::Largest), vec![0, 1]);
        assert_eq!(cmp_f64(-0.0, 0.0), Ordering::Equal);
    }

    #[test]
    fn selections_equal_a_stable_sort() {
        // Small integer values: many ties.
        let mut state = 12345u64;
        for n in 1..60 {
            let keys: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 33) % 5) as f64
                })
                .collect();
            for m in 0..=n + 1 {
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|&a, &b| cmp_f64(keys[a], keys[b]));
                let mut want: Vec<usize> = order.iter().copied().take(m).collect();
                want.sort_unstable();
                assert_eq!(picked(&keys, m, End::Smallest), want, "n {n} m {m}");
                order.sort_by(|&a, &b| cmp_f64(keys[b], keys[a]));
                let mut want: Vec<usize> = order.iter().copied().take(m).collect();
                want.sort_unstable();
                assert_eq!(picked(&keys, m, End::Largest), want, "n {n} m {m}");
            }
        }
    }
}
