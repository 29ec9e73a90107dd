//! Near-duplicates: pairs of items whose perceptual hashes ([`phash`]) are
//! within a Hamming distance, found with multi-index hashing (radius ≤ 15)
//! or a [`BkTree`] (larger radii); never all n² pairs.
//!
//! Items with equal pHash share one tree node. Each node is queried once
//! for the nodes within the threshold, and the pairs between two nodes (or
//! inside one) are counted from per-node tallies of splits and labels, so
//! the counts are exact even when thousands of items share a hash, while
//! only `max_listed` pairs are materialised. Pairs of exact duplicates
//! (identical decoded pixels) are not near-duplicates: they are reported by
//! the exact-duplicate check.
//!
//! Cost: with radius 4, a query on 100,000 uniformly random 64-bit hashes
//! visits about 5 % of the nodes (≈ 0.2 ms per query in a release build),
//! so the search takes seconds for 10⁵ distinct hashes — far less than
//! decoding the images.
//!
//! [`phash`]: super::perceptual_hash::phash

use rayon::prelude::*;
use serde::Serialize;

use super::bk_tree::BkTree;
use super::context::{Context, ItemRef};
use super::disjoint_set::DisjointSet;
use super::duplicates::PixelClasses;
use super::features::ImageFeatures;
use super::multi_index::MultiIndex;
use super::perceptual_hash::hamming;
use super::split_key::{SplitKey, SplitPairCounts};

/// Item pairs examined per pair of hash nodes when choosing the pairs to
/// list (at least `max_listed`); counts are always exact.
const LIST_SCAN_PER_NODE_PAIR: usize = 1_000;

/// A near-duplicate pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearPair {
    /// The item first in file order.
    pub a: ItemRef,
    /// The other item.
    pub b: ItemRef,
    /// Hamming distance between their pHashes (bits).
    pub distance: u32,
    /// The items are in two different real splits (leakage).
    pub cross_split: bool,
    /// The items have different labels.
    pub different_labels: bool,
}

/// Near-duplicate statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearDuplicates {
    /// The hash matched: `"phash"`.
    pub hash: &'static str,
    /// Largest Hamming distance counted as a near-duplicate (bits of 64).
    pub max_distance: u32,
    /// Pairs of items within `max_distance` that are not exact duplicates.
    pub pairs: u64,
    /// Of those, pairs in two different real splits.
    pub cross_split_pairs: u64,
    /// Of those, pairs with different labels.
    pub different_label_pairs: u64,
    /// Pairs per pair of split keys, e.g. `{"train-train": 9, "train-test": 2}`.
    pub pairs_by_split_pair: SplitPairCounts,
    /// Connected components (≥ 2 items) of the near-duplicate graph.
    pub clusters: usize,
    /// Items in some cluster.
    pub items_in_clusters: usize,
    /// Items in the largest cluster (0 if none).
    pub largest_cluster: usize,
    /// Pairs listed: cross-split first, then different labels, then by
    /// distance and file order; at most `max_listed`.
    pub listed: Vec<NearPair>,
}

/// Split and label counts of a set of items.
struct Tally {
    n: u64,
    splits: [u64; 4],
    /// (label, count), sorted by label.
    labels: Vec<(usize, u64)>,
}

impl Tally {
    fn of(items: &[usize], ctx: &Context<'_>) -> Self {
        let mut splits = [0u64; 4];
        let mut labels: Vec<usize> = Vec::with_capacity(items.len());
        for &i in items {
            splits[ctx.key(i).index()] += 1;
            labels.push(ctx.label(i));
        }
        labels.sort_unstable();
        let mut grouped: Vec<(usize, u64)> = Vec::new();
        for l in labels {
            match grouped.last_mut() {
                Some((last, c)) if *last == l => *c += 1,
                _ => grouped.push((l, 1)),
            }
        }
        Self {
            n: items.len() as u64,
            splits,
            labels: grouped,
        }
    }
}

/// Pair counts.
#[derive(Debug, Clone, Default, PartialEq)]
struct PairStats {
    total: u64,
    cross_split: u64,
    different_labels: u64,
    by_pair: SplitPairCounts,
}

fn choose2(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

impl PairStats {
    /// All pairs with one item in `a` and one in `b` (disjoint sets).
    fn between(a: &Tally, b: &Tally) -> Self {
        let mut s = PairStats {
            total: a.n * b.n,
            ..Default::default()
        };
        for ka in SplitKey::ALL {
            for kb in SplitKey::ALL {
                let n = a.splits[ka.index()] * b.splits[kb.index()];
                if n > 0 {
                    s.by_pair.add(ka, kb, n);
                    if ka != kb && ka.is_split() && kb.is_split() {
                        s.cross_split += n;
                    }
                }
            }
        }
        let (mut i, mut j, mut same) = (0, 0, 0u64);
        while i < a.labels.len() && j < b.labels.len() {
            let ((la, ca), (lb, cb)) = (a.labels[i], b.labels[j]);
            match la.cmp(&lb) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    same += ca * cb;
                    i += 1;
                    j += 1;
                }
            }
        }
        s.different_labels = s.total - same;
        s
    }

    /// All pairs of two items of `t`.
    fn within(t: &Tally) -> Self {
        let mut s = PairStats {
            total: choose2(t.n),
            ..Default::default()
        };
        for (a, ka) in SplitKey::ALL.iter().enumerate() {
            let na = t.splits[a];
            if choose2(na) > 0 {
                s.by_pair.add(*ka, *ka, choose2(na));
            }
            for (b, kb) in SplitKey::ALL.iter().enumerate().skip(a + 1) {
                let n = na * t.splits[b];
                if n > 0 {
                    s.by_pair.add(*ka, *kb, n);
                    if ka.is_split() && kb.is_split() {
                        s.cross_split += n;
                    }
                }
            }
        }
        let same: u64 = t.labels.iter().map(|&(_, c)| choose2(c)).sum();
        s.different_labels = s.total - same;
        s
    }

    fn add(&mut self, o: &PairStats) {
        self.total += o.total;
        self.cross_split += o.cross_split;
        self.different_labels += o.different_labels;
        self.by_pair.merge(&o.by_pair);
    }

    fn sub(&mut self, o: &PairStats) {
        self.total -= o.total;
        self.cross_split -= o.cross_split;
        self.different_labels -= o.different_labels;
        for (i, a) in SplitKey::ALL.iter().enumerate() {
            for b in &SplitKey::ALL[i..] {
                self.by_pair.sub(*a, *b, o.by_pair.get(*a, *b));
            }
        }
    }
}

/// Listing priority of a pair: smaller is listed first.
type PairKey = (bool, bool, u32, usize, usize);

/// The best (smallest-key) pairs seen, at most `cap` once finished.
struct BestPairs {
    cap: usize,
    keys: Vec<PairKey>,
}

impl BestPairs {
    fn push(&mut self, key: PairKey) {
        if self.cap == 0 {
            return;
        }
        self.keys.push(key);
        if self.keys.len() >= 2 * self.cap.max(64) {
            self.finish();
        }
    }

    fn finish(&mut self) {
        self.keys.sort_unstable();
        self.keys.truncate(self.cap);
    }
}

/// What one chunk of nodes found.
struct Partial {
    stats: PairStats,
    components: Option<DisjointSet>,
    best: BestPairs,
}

/// Shared, read-only inputs of the search.
struct Search<'a> {
    ctx: &'a Context<'a>,
    classes: &'a PixelClasses,
    tree: BkTree<u64, fn(&u64, &u64) -> u32>,
    /// The faster index for radii up to 15 (the BK-tree serves larger ones).
    index: Option<MultiIndex>,
    /// Items of each node, in file order.
    node_items: Vec<Vec<usize>>,
    tallies: Vec<Tally>,
    max_distance: u32,
    max_listed: usize,
}

impl Search<'_> {
    fn key(&self, a: usize, b: usize, distance: u32) -> PairKey {
        let (ka, kb) = (self.ctx.key(a), self.ctx.key(b));
        let cross = ka != kb && ka.is_split() && kb.is_split();
        let different = self.ctx.label(a) != self.ctx.label(b);
        (!cross, !different, distance, a.min(b), a.max(b))
    }

    fn scan_limit(&self) -> usize {
        self.max_listed.max(LIST_SCAN_PER_NODE_PAIR)
    }

    /// Pairs inside node `u` (equal pHash) that are not exact duplicates.
    fn within_node(&self, u: usize, out: &mut Partial) {
        let items = &self.node_items[u];
        if items.len() < 2 {
            return;
        }
        let mut by_class: Vec<(u32, usize)> = items
            .iter()
            .map(|&i| (self.classes.class_of[i].unwrap_or(u32::MAX), i))
            .collect();
        by_class.sort_unstable();
        if by_class[0].0 == by_class[by_class.len() - 1].0 {
            return; // all identical images: no near pair
        }
        let mut stats = PairStats::within(&self.tallies[u]);
        for group in by_class.chunk_by(|x, y| x.0 == y.0) {
            if group.len() >= 2 {
                let members: Vec<usize> = group.iter().map(|&(_, i)| i).collect();
                stats.sub(&PairStats::within(&Tally::of(&members, self.ctx)));
            }
        }
        out.stats.add(&stats);
        let mut scanned = 0;
        'scan: for (x, &a) in items.iter().enumerate() {
            for &b in &items[x + 1..] {
                if self.classes.class_of[a] == self.classes.class_of[b] {
                    continue;
                }
                out.best.push(self.key(a, b, 0));
                scanned += 1;
                if scanned >= self.scan_limit() {
                    break 'scan;
                }
            }
        }
    }

    /// Pairs between node `u` and the later nodes within the threshold.
    fn between_nodes(&self, u: usize, n_nodes: usize, out: &mut Partial) {
        let Some(&hash) = self.tree.get(u) else {
            return;
        };
        let found = match &self.index {
            Some(index) => index.find_within(hash),
            None => self.tree.find_within(&hash, self.max_distance),
        };
        for (v, distance) in found {
            if v <= u {
                continue;
            }
            out.stats
                .add(&PairStats::between(&self.tallies[u], &self.tallies[v]));
            out.components
                .get_or_insert_with(|| DisjointSet::new(n_nodes))
                .union(u, v);
            let mut scanned = 0;
            'scan: for &a in &self.node_items[u] {
                for &b in &self.node_items[v] {
                    out.best.push(self.key(a, b, distance));
                    scanned += 1;
                    if scanned >= self.scan_limit() {
                        break 'scan;
                    }
                }
            }
        }
    }
}

pub(crate) fn near_duplicates(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    classes: &PixelClasses,
    max_distance: u32,
    max_listed: usize,
) -> NearDuplicates {
    let metric: fn(&u64, &u64) -> u32 = |a, b| hamming(*a, *b);
    let mut tree = BkTree::new(metric);
    let mut node_items: Vec<Vec<usize>> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let Some(f) = f else { continue };
        let node = tree.insert(f.phash);
        if node == node_items.len() {
            node_items.push(Vec::new());
        }
        node_items[node].push(i);
    }
    let n_nodes = node_items.len();
    let tallies = node_items
        .iter()
        .map(|items| Tally::of(items, ctx))
        .collect();
    let node_hashes: Vec<u64> = (0..n_nodes).filter_map(|u| tree.get(u).copied()).collect();
    let index = (node_hashes.len() == n_nodes)
        .then(|| MultiIndex::new(node_hashes, max_distance))
        .flatten();
    let search = Search {
        ctx,
        classes,
        tree,
        index,
        node_items,
        tallies,
        max_distance,
        max_listed,
    };

    // Contiguous chunks of nodes, a few per thread, each with its own
    // union–find (allocated only if it finds an edge).
    let n_chunks = (rayon::current_num_threads() * 8).clamp(1, n_nodes.max(1));
    let chunk = n_nodes.div_ceil(n_chunks).max(1);
    let partials: Vec<Partial> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let mut out = Partial {
                stats: PairStats::default(),
                components: None,
                best: BestPairs {
                    cap: max_listed,
                    keys: Vec::new(),
                },
            };
            for u in (c * chunk)..((c + 1) * chunk).min(n_nodes) {
                search.within_node(u, &mut out);
                search.between_nodes(u, n_nodes, &mut out);
            }
            out.best.finish();
            out
        })
        .collect();

    let mut stats = PairStats::default();
    let mut components = DisjointSet::new(n_nodes);
    let mut best = BestPairs {
        cap: max_listed,
        keys: Vec::new(),
    };
    for p in partials {
        stats.add(&p.stats);
        if let Some(uf) = p.components {
            components.absorb(uf);
        }
        best.keys.extend(p.best.keys);
    }
    best.finish();

    // A component of nodes is a cluster if it joins two or more nodes, or
    // if its single node holds two different images.
    let mut nodes_in = vec![0usize; n_nodes];
    let mut items_in = vec![0usize; n_nodes];
    let mut mixed = vec![false; n_nodes];
    for u in 0..n_nodes {
        let r = components.find(u);
        nodes_in[r] += 1;
        items_in[r] += search.node_items[u].len();
        let items = &search.node_items[u];
        mixed[r] |= items
            .iter()
            .any(|&i| classes.class_of[i] != classes.class_of[items[0]]);
    }
    let cluster_sizes: Vec<usize> = (0..n_nodes)
        .filter(|&r| nodes_in[r] >= 2 || (nodes_in[r] == 1 && mixed[r]))
        .map(|r| items_in[r])
        .collect();

    let listed = best
        .keys
        .iter()
        .map(|&(not_cross, not_different, distance, a, b)| NearPair {
            a: ctx.item_ref(a),
            b: ctx.item_ref(b),
            distance,
            cross_split: !not_cross,
            different_labels: !not_different,
        })
        .collect();
    NearDuplicates {
        hash: "phash",
        max_distance,
        pairs: stats.total,
        cross_split_pairs: stats.cross_split,
        different_label_pairs: stats.different_labels,
        pairs_by_split_pair: stats.by_pair,
        clusters: cluster_sizes.len(),
        items_in_clusters: cluster_sizes.iter().sum(),
        largest_cluster: cluster_sizes.iter().copied().max().unwrap_or(0),
        listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::duplicates::exact_duplicates;
    use crate::profile::test_support::{dataset, fake_features, Spec};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Brute-force reference: (pairs, cross, different labels, by pair).
    fn brute(
        ctx: &Context<'_>,
        feats: &[Option<ImageFeatures>],
        t: u32,
    ) -> (u64, u64, u64, SplitPairCounts) {
        let (mut total, mut cross, mut diff) = (0, 0, 0);
        let mut by = SplitPairCounts::default();
        for i in 0..feats.len() {
            for j in i + 1..feats.len() {
                let (Some(a), Some(b)) = (&feats[i], &feats[j]) else {
                    continue;
                };
                if a.pixel_hash == b.pixel_hash || hamming(a.phash, b.phash) > t {
                    continue;
                }
                total += 1;
                let (ki, kj) = (ctx.key(i), ctx.key(j));
                cross += u64::from(ki != kj && ki.is_split() && kj.is_split());
                diff += u64::from(ctx.label(i) != ctx.label(j));
                by.add(ki, kj, 1);
            }
        }
        (total, cross, diff, by)
    }

    #[test]
    fn counts_match_brute_force() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let splits = ["train", "val", "test", ""];
        let specs: Vec<Spec> = (0..400)
            .map(|_| Spec::new(splits[rng.random_range(0..4)], rng.random_range(0..3)))
            .collect();
        let ds = dataset(&specs);
        let ctx = Context::new(&ds);
        // 30 centre hashes; variants flip 0–3 bits; pixel ids from a small
        // pool so that exact duplicates (same pixels ⇒ same pHash) occur.
        let centres: Vec<u64> = (0..30).map(|_| rng.random()).collect();
        let mut pixel_hash_of = std::collections::HashMap::new();
        let feats: Vec<Option<ImageFeatures>> = (0..400)
            .map(|i| {
                if i % 97 == 0 {
                    return None;
                }
                let pixel: u32 = rng.random_range(0..600);
                let phash = *pixel_hash_of.entry(pixel).or_insert_with(|| {
                    let mut h = centres[rng.random_range(0..centres.len())];
                    for _ in 0..rng.random_range(0..4) {
                        h ^= 1u64 << rng.random_range(0..64);
                    }
                    h
                });
                Some(fake_features(pixel, phash))
            })
            .collect();
        let (_, classes) = exact_duplicates(&ctx, &feats, 0);
        for t in [0, 2, 4] {
            let got = near_duplicates(&ctx, &feats, &classes, t, 5);
            let (total, cross, diff, by) = brute(&ctx, &feats, t);
            assert_eq!(got.pairs, total, "t = {t}");
            assert_eq!(got.cross_split_pairs, cross);
            assert_eq!(got.different_label_pairs, diff);
            assert_eq!(got.pairs_by_split_pair, by);
            assert!(got.listed.len() <= 5);
            // Cross-split pairs are listed first.
            if cross > 0 {
                assert!(got.listed[0].cross_split);
            }
        }
    }

    #[test]
    fn clusters_and_exact_pairs() {
        // 0, 1: near (distance 1) across train/test; 2 is an exact copy of
        // 0; 3, 4 share a pHash with different pixels; 5 is alone; 6 and 7
        // are exact copies only (no near pair, no cluster).
        let ds = dataset(&[
            Spec::new("train", 0),
            Spec::new("test", 0),
            Spec::new("train", 1),
            Spec::new("val", 2),
            Spec::new("val", 2),
            Spec::new("val", 0),
            Spec::new("val", 1),
            Spec::new("val", 1),
        ]);
        let ctx = Context::new(&ds);
        let feats = vec![
            Some(fake_features(1, 0b1000)),
            Some(fake_features(2, 0b1001)),
            Some(fake_features(1, 0b1000)),
            Some(fake_features(3, u64::MAX)),
            Some(fake_features(4, u64::MAX)),
            Some(fake_features(5, 0xF0F0_F0F0_0000_0000)),
            Some(fake_features(6, 0x0F0F)),
            Some(fake_features(6, 0x0F0F)),
        ];
        let (_, classes) = exact_duplicates(&ctx, &feats, 10);
        let near = near_duplicates(&ctx, &feats, &classes, 4, 10);
        // Pairs: (0,1), (2,1), (3,4).
        assert_eq!(near.pairs, 3);
        assert_eq!(near.cross_split_pairs, 2);
        assert_eq!(near.different_label_pairs, 1);
        assert_eq!(
            near.pairs_by_split_pair
                .get(SplitKey::Train, SplitKey::Test),
            2
        );
        assert_eq!(
            near.pairs_by_split_pair.get(SplitKey::Val, SplitKey::Val),
            1
        );
        assert_eq!(near.clusters, 2);
        assert_eq!(near.items_in_clusters, 5);
        assert_eq!(near.largest_cluster, 3);
        assert_eq!(near.listed.len(), 3);
        // (1, 2) is both cross-split and between different labels.
        assert_eq!(near.listed[0].a.id, "item1");
        assert_eq!(near.listed[0].b.id, "item2");
        assert!(near.listed[0].different_labels);
        assert_eq!(near.listed[2].distance, 0);
    }
}
