//! Multi-index hashing: all stored 64-bit hashes within a small Hamming
//! distance of a query, found through exact matches on hash chunks.
//!
//! Reference: M. Norouzi, A. Punjani and D. J. Fleet, "Fast Search in
//! Hamming Space with Multi-Index Hashing", CVPR 2012. Split the 64 bits
//! into m = r + 1 disjoint chunks: by the pigeonhole principle two hashes
//! within distance r agree exactly on at least one chunk, so the candidates
//! are the union of m exact-match buckets, each then checked. With uniform
//! hashes a query inspects about n·m·2^(−64/m) candidates instead of the
//! BK-tree's large share of nodes at r = 4.

use std::collections::HashMap;

/// Largest radius served (16 chunks of 4 bits); larger radii need a
/// different index.
pub const MAX_RADIUS: u32 = 15;

/// An index of 64-bit hashes for radius-`r` queries.
#[derive(Debug, Clone)]
pub struct MultiIndex {
    hashes: Vec<u64>,
    /// (shift, mask) of every chunk.
    chunks: Vec<(u32, u64)>,
    tables: Vec<HashMap<u64, Vec<u32>>>,
    radius: u32,
}

impl MultiIndex {
    /// Index `hashes` (entry i is `hashes[i]`) for queries of radius
    /// `radius`; `None` when `radius` > [`MAX_RADIUS`] or there are more
    /// than `u32::MAX` hashes.
    pub fn new(hashes: Vec<u64>, radius: u32) -> Option<Self> {
        if radius > MAX_RADIUS || hashes.len() > u32::MAX as usize {
            return None;
        }
        let m = radius + 1;
        let mut chunks = Vec::with_capacity(m as usize);
        let mut shift = 0;
        for c in 0..m {
            // Spread 64 bits as evenly as possible over m chunks.
            let bits = 64 / m + u32::from(c < 64 % m);
            let mask = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            chunks.push((shift, mask));
            shift += bits;
        }
        let mut tables = vec![HashMap::new(); chunks.len()];
        for (i, &h) in hashes.iter().enumerate() {
            for (table, &(shift, mask)) in tables.iter_mut().zip(&chunks) {
                table
                    .entry((h >> shift) & mask)
                    .or_insert_with(Vec::new)
                    .push(i as u32);
            }
        }
        Some(Self {
            hashes,
            chunks,
            tables,
            radius,
        })
    }

    /// Every entry within the radius of `query`, with its distance, in
    /// increasing entry order.
    pub fn find_within(&self, query: u64) -> Vec<(usize, u32)> {
        let mut candidates: Vec<u32> = Vec::new();
        for (table, &(shift, mask)) in self.tables.iter().zip(&self.chunks) {
            if let Some(bucket) = table.get(&((query >> shift) & mask)) {
                candidates.extend_from_slice(bucket);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|i| {
                let d = (self.hashes[i as usize] ^ query).count_ones();
                (d <= self.radius).then_some((i as usize, d))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_brute_force() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut hashes: Vec<u64> = (0..1500).map(|_| next()).collect();
        // Plant close neighbours.
        for i in 0..300 {
            let base = hashes[i];
            hashes.push(base ^ (1 << (i % 64)) ^ (1 << ((i * 7) % 64)));
        }
        for radius in [0, 2, 4, 9] {
            let index = MultiIndex::new(hashes.clone(), radius).unwrap();
            for (q, &h) in hashes.iter().enumerate().step_by(7) {
                let brute: Vec<(usize, u32)> = hashes
                    .iter()
                    .enumerate()
                    .map(|(i, &o)| (i, (o ^ h).count_ones()))
                    .filter(|&(_, d)| d <= radius)
                    .collect();
                assert_eq!(index.find_within(h), brute, "query {q}, radius {radius}");
            }
        }
        assert!(MultiIndex::new(vec![1], 16).is_none());
    }
}
