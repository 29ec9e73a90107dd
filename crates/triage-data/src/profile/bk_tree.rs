//! A BK-tree: a metric tree for "every value within distance t of q"
//! queries with an integer metric, such as Hamming distance on hashes.
//!
//! Each node holds one distinct value; the children of a node are keyed by
//! their distance to it. By the triangle inequality, a query with radius t
//! at distance d from a node need only visit children keyed d−t ..= d+t.
//! Insertion and search are iterative (an explicit stack), so degenerate,
//! deep trees cannot overflow the call stack, and the nodes live in one
//! vector, so dropping the tree is not recursive either.
//!
//! # References
//! W. A. Burkhard and R. M. Keller, "Some approaches to best-match file
//! searching", Communications of the ACM 16(4):230–236, 1973.

/// A BK-tree over values `T` with an integer metric `D`.
///
/// `distance` must be a metric: d(a, b) = 0 iff a = b, symmetric, and
/// satisfying the triangle inequality; otherwise searches can miss values.
/// Equal values are stored once: [`BkTree::insert`] returns the index of the
/// node holding the value, so callers can attach their own payloads.
#[derive(Debug, Clone)]
pub struct BkTree<T, D> {
    nodes: Vec<Node<T>>,
    distance: D,
}

#[derive(Debug, Clone)]
struct Node<T> {
    value: T,
    /// (distance to this node's value, child node index).
    children: Vec<(u32, usize)>,
}

impl<T, D: Fn(&T, &T) -> u32> BkTree<T, D> {
    /// An empty tree with the given metric.
    pub fn new(distance: D) -> Self {
        Self {
            nodes: Vec::new(),
            distance,
        }
    }

    /// Number of distinct values (nodes).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree holds no value.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The value held by node `index` (indices are 0..len in insertion
    /// order of distinct values).
    pub fn get(&self, index: usize) -> Option<&T> {
        self.nodes.get(index).map(|n| &n.value)
    }

    /// Insert `value` and return the index of the node that holds it: a new
    /// node, or the existing one if an equal value (distance 0) is stored.
    ///
    /// Cost: one distance per level descended.
    pub fn insert(&mut self, value: T) -> usize {
        if self.nodes.is_empty() {
            self.nodes.push(Node {
                value,
                children: Vec::new(),
            });
            return 0;
        }
        let mut current = 0;
        loop {
            let d = (self.distance)(&value, &self.nodes[current].value);
            if d == 0 {
                return current;
            }
            let next = self.nodes[current]
                .children
                .iter()
                .find(|&&(k, _)| k == d)
                .map(|&(_, child)| child);
            match next {
                Some(child) => current = child,
                None => {
                    let index = self.nodes.len();
                    self.nodes.push(Node {
                        value,
                        children: Vec::new(),
                    });
                    self.nodes[current].children.push((d, index));
                    return index;
                }
            }
        }
    }

    /// Every stored value within `max_distance` of `query`, as
    /// `(node index, distance)`, sorted by node index.
    pub fn find_within(&self, query: &T, max_distance: u32) -> Vec<(usize, u32)> {
        let mut found = Vec::new();
        if self.nodes.is_empty() {
            return found;
        }
        let mut stack = vec![0usize];
        while let Some(index) = stack.pop() {
            let node = &self.nodes[index];
            let d = (self.distance)(query, &node.value);
            if d <= max_distance {
                found.push((index, d));
            }
            let (lo, hi) = (
                d.saturating_sub(max_distance),
                d.saturating_add(max_distance),
            );
            stack.extend(
                node.children
                    .iter()
                    .filter(|&&(k, _)| k >= lo && k <= hi)
                    .map(|&(_, child)| child),
            );
        }
        found.sort_unstable();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::perceptual_hash::hamming;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn hamming_ref(a: &u64, b: &u64) -> u32 {
        hamming(*a, *b)
    }

    #[test]
    fn matches_brute_force_on_random_hashes() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        // Clustered hashes, so that small radii find something: 200 centres,
        // each with ~10 variants with a few flipped bits, plus exact repeats.
        let centres: Vec<u64> = (0..200).map(|_| rng.random()).collect();
        let mut values: Vec<u64> = (0..2000)
            .map(|_| {
                let mut h = centres[rng.random_range(0..centres.len())];
                for _ in 0..rng.random_range(0..6) {
                    h ^= 1u64 << rng.random_range(0..64);
                }
                h
            })
            .collect();
        values.extend_from_within(..50);

        let mut tree = BkTree::new(hamming_ref);
        let nodes: Vec<usize> = values.iter().map(|&v| tree.insert(v)).collect();
        let mut distinct = values.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(tree.len(), distinct.len());
        for (v, &n) in values.iter().zip(&nodes) {
            assert_eq!(tree.get(n), Some(v));
        }

        for radius in [0, 1, 4, 8, 20] {
            for q in values.iter().step_by(7).chain(centres.iter()) {
                let got: Vec<u64> = tree
                    .find_within(q, radius)
                    .into_iter()
                    .map(|(i, d)| {
                        let v = *tree.get(i).unwrap();
                        assert_eq!(d, hamming(v, *q));
                        v
                    })
                    .collect();
                let mut got_sorted = got.clone();
                got_sorted.sort_unstable();
                let want: Vec<u64> = distinct
                    .iter()
                    .copied()
                    .filter(|v| hamming(*v, *q) <= radius)
                    .collect();
                assert_eq!(got_sorted, want, "radius {radius}");
            }
        }
    }

    #[test]
    fn deep_degenerate_tree_does_not_overflow() {
        // With the discrete metric every new value descends the whole
        // chain: a tree of depth n.
        let mut tree = BkTree::new(|a: &u32, b: &u32| u32::from(a != b));
        let n = 5_000;
        for v in 0..n {
            tree.insert(v);
        }
        assert_eq!(tree.len(), n as usize);
        assert_eq!(tree.find_within(&17, 0), vec![(17, 0)]);
        assert_eq!(tree.find_within(&(n + 1), 1).len(), n as usize);
        drop(tree);
    }

    #[test]
    fn empty_tree_finds_nothing() {
        let tree = BkTree::new(hamming_ref);
        assert!(tree.is_empty());
        assert!(tree.find_within(&0, 64).is_empty());
        assert_eq!(tree.get(0), None);
    }
}
