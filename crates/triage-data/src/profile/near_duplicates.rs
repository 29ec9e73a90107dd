//! Near-duplicates: pairs of items whose perceptual hashes ([`phash`]) are
//! within a Hamming distance *and* whose 16×16 thumbnails are close pixel
//! by pixel ([`thumbnails_match`]: mean-centred MAD ≤
//! [`MAX_THUMBNAIL_MAD`] = 6 levels and ≤ half the spread of the flatter
//! thumbnail).
//!
//! The pHash is the candidate generator: multi-index hashing (radius
//! ≤ 15) or a [`BkTree`] (larger radii) finds the pairs of distinct hashes
//! within the radius, never all n² pairs. Every candidate pair is then
//! verified on the thumbnails, since a 64-bit hash of a low-structure image
//! (e.g. an MNIST digit) is far from unique — see [`super::thumbnail`].
//!
//! Items with equal pHash share one node, and inside a node items with an
//! identical thumbnail share one *group*: a group pair is verified once
//! and its item pairs are counted from per-group tallies of splits and
//! labels, so the counts are exact while only `max_listed` pairs are
//! materialised. Pairs of exact duplicates (identical decoded pixels, hence
//! the same group) are not near-duplicates: they are reported by the
//! exact-duplicate check. Clusters are connected components of groups
//! (union–find).
//!
//! Cost: the candidate search (with radius 4 a multi-index query on 10⁵
//! uniformly random hashes takes well under a millisecond), plus one
//! 256-byte comparison per candidate pair of distinct thumbnails, about
//! 50 ns each. On MNIST (623,098 candidate pairs) and CIFAR-10 the
//! verification adds well under a second. There is no cap: a pair of
//! candidate nodes needing more than ~5·10⁶ comparisons is computed all
//! the same, and the practical bound is ~10⁸ comparisons in all (5–10 s of
//! one core), reached only when ~14,000 distinct thumbnails share one pHash
//! neighbourhood (e.g. a dataset of near-blank frames). A node's groups
//! are handed to the threads in slices of 64, so one crowded node does not
//! serialise the work.
//!
//! [`phash`]: super::perceptual_hash::phash
//! [`thumbnails_match`]: super::thumbnail::thumbnails_match

use std::ops::Range;

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bk_tree::BkTree;
use super::context::{Context, ItemRef};
use super::disjoint_set::DisjointSet;
use super::duplicates::PixelClasses;
use super::features::ImageFeatures;
use super::multi_index::MultiIndex;
use super::perceptual_hash::hamming;
use super::split_key::{SplitKey, SplitPairCounts};
use super::thumbnail::{spread_sad, thumbnail_sum, Thumbnail, Verifier, MAX_THUMBNAIL_MAD};

/// Item pairs examined per verified pair of groups when choosing the pairs
/// to list (at least `max_listed`); counts are always exact.
const LIST_SCAN_PER_GROUP_PAIR: usize = 1_000;

/// Groups of one node handled by one parallel task.
const GROUPS_PER_TASK: usize = 64;

/// A near-duplicate pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NearPair {
    /// The item first in file order.
    pub a: ItemRef,
    /// The other item.
    pub b: ItemRef,
    /// Hamming distance between their pHashes (bits).
    pub distance: u32,
    /// Mean-centred mean absolute difference of their 16×16 thumbnails
    /// (levels of 255; see [`super::thumbnail::thumbnail_mad`]).
    pub thumbnail_mad: f64,
    /// The items are in two different real splits (leakage).
    pub cross_split: bool,
    /// The items have different labels.
    pub different_labels: bool,
}

/// Near-duplicate statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NearDuplicates {
    /// The hash matched: `"phash"`.
    pub hash: String,
    /// Largest Hamming distance counted as a near-duplicate (bits of 64).
    pub max_distance: u32,
    /// Largest thumbnail difference counted as a near-duplicate
    /// ([`MAX_THUMBNAIL_MAD`], levels of 255).
    pub max_thumbnail_mad: f64,
    /// Pairs within `max_distance` that are not exact duplicates, before
    /// the thumbnail check (pHash alone).
    pub candidate_pairs: u64,
    /// Pairs within `max_distance` and `max_thumbnail_mad` that are not
    /// exact duplicates: the near-duplicates.
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
    /// thumbnail difference, pHash distance and file order; at most
    /// `max_listed`.
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

/// Listing priority of a pair: (not cross-split, same label, 65536 ×
/// thumbnail MAD, pHash distance, a, b); smaller is listed first.
type PairKey = (bool, bool, u32, u32, usize, usize);

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

/// Items of one node with one thumbnail.
struct Group {
    /// The items, in file order, as a range of `Search::group_items`.
    items: Range<usize>,
    tally: Tally,
    /// Sum of the thumbnail's pixels.
    sum: i32,
    /// 65536 × the thumbnail's spread.
    spread: u32,
    /// Pairs inside the group that are not exact duplicates (all at
    /// distance 0, MAD 0); `None` if the whole group is one image.
    within: Option<Box<PairStats>>,
}

/// What a set of tasks found.
struct Partial {
    stats: PairStats,
    candidates: u64,
    /// Union–find over groups (allocated only once an edge is found).
    components: Option<DisjointSet>,
    best: BestPairs,
}

impl Partial {
    fn new(cap: usize) -> Self {
        Self {
            stats: PairStats::default(),
            candidates: 0,
            components: None,
            best: BestPairs {
                cap,
                keys: Vec::new(),
            },
        }
    }

    fn merge(mut self, other: Partial) -> Partial {
        self.stats.add(&other.stats);
        self.candidates += other.candidates;
        self.components = match (self.components, other.components) {
            (Some(mut a), Some(b)) => {
                a.absorb(b);
                Some(a)
            }
            (a, b) => a.or(b),
        };
        self.best.keys.extend(other.best.keys);
        self.best.finish();
        self
    }
}

/// Shared, read-only inputs of the search.
struct Search<'a> {
    ctx: &'a Context<'a>,
    features: &'a [Option<ImageFeatures>],
    classes: &'a PixelClasses,
    tree: BkTree<u64, fn(&u64, &u64) -> u32>,
    /// The faster index for radii up to 15 (the BK-tree serves larger ones).
    index: Option<MultiIndex>,
    /// Groups of each node, as a range of `groups`.
    node_groups: Vec<Range<usize>>,
    groups: Vec<Group>,
    /// Items of all groups, group after group.
    group_items: Vec<usize>,
    verifier: Verifier,
    max_distance: u32,
    max_listed: usize,
}

impl Search<'_> {
    fn thumbnail(&self, g: usize) -> &Thumbnail {
        let first = self.group_items[self.groups[g].items.start];
        &self.features[first]
            .as_ref()
            .expect("grouped items are decoded")
            .thumbnail
    }

    fn items(&self, g: usize) -> &[usize] {
        &self.group_items[self.groups[g].items.clone()]
    }

    fn key(&self, a: usize, b: usize, sad: u32, distance: u32) -> PairKey {
        let (ka, kb) = (self.ctx.key(a), self.ctx.key(b));
        let cross = ka != kb && ka.is_split() && kb.is_split();
        let different = self.ctx.label(a) != self.ctx.label(b);
        (!cross, !different, sad, distance, a.min(b), a.max(b))
    }

    fn scan_limit(&self) -> usize {
        self.max_listed.max(LIST_SCAN_PER_GROUP_PAIR)
    }

    /// Nodes after `u` within the pHash radius, with their distances.
    fn neighbours(&self, u: usize) -> Vec<(usize, u32)> {
        let Some(&hash) = self.tree.get(u) else {
            return Vec::new();
        };
        let mut found = match &self.index {
            Some(index) => index.find_within(hash),
            None => self.tree.find_within(&hash, self.max_distance),
        };
        found.retain(|&(v, _)| v > u);
        found
    }

    /// Pairs inside group `g` (one thumbnail) that are not exact duplicates.
    fn within_group(&self, g: usize, out: &mut Partial) {
        let group = &self.groups[g];
        out.candidates += group.within.as_ref().map_or(0, |s| s.total);
        let Some(stats) = &group.within else {
            return;
        };
        out.stats.add(stats);
        let items = self.items(g);
        let mut scanned = 0;
        'scan: for (x, &a) in items.iter().enumerate() {
            for &b in &items[x + 1..] {
                if self.classes.class_of[a] == self.classes.class_of[b] {
                    continue;
                }
                out.best.push(self.key(a, b, 0, 0));
                scanned += 1;
                if scanned >= self.scan_limit() {
                    break 'scan;
                }
            }
        }
    }

    /// Verify the candidate pairs between groups `g` and `h` (distinct
    /// thumbnails, hence no exact duplicates), pHash distance `distance`.
    fn between_groups(&self, g: usize, h: usize, distance: u32, out: &mut Partial) {
        let (gg, gh) = (&self.groups[g], &self.groups[h]);
        out.candidates += gg.tally.n * gh.tally.n;
        let Some(sad) = self.verifier.check(
            (self.thumbnail(g), gg.sum, gg.spread),
            (self.thumbnail(h), gh.sum, gh.spread),
        ) else {
            return;
        };
        out.stats.add(&PairStats::between(&gg.tally, &gh.tally));
        out.components
            .get_or_insert_with(|| DisjointSet::new(self.groups.len()))
            .union(g, h);
        let mut scanned = 0;
        'scan: for &a in self.items(g) {
            for &b in self.items(h) {
                out.best.push(self.key(a, b, sad, distance));
                scanned += 1;
                if scanned >= self.scan_limit() {
                    break 'scan;
                }
            }
        }
    }

    /// The pairs of groups `slice` (of node `u`) with every later group of
    /// `u` and every group of the later nodes within the radius.
    fn task(&self, u: usize, slice: Range<usize>, out: &mut Partial) {
        let own = self.node_groups[u].clone();
        let found = self.neighbours(u);
        for g in slice {
            self.within_group(g, out);
            for h in g + 1..own.end {
                self.between_groups(g, h, 0, out);
            }
            for &(v, distance) in &found {
                for h in self.node_groups[v].clone() {
                    self.between_groups(g, h, distance, out);
                }
            }
        }
    }
}

/// Split the items of one node into groups of identical thumbnails:
/// (items sorted by thumbnail then file order, group ranges into them).
fn group_node<'a>(
    items: &[usize],
    features: &'a [Option<ImageFeatures>],
) -> (Vec<usize>, Vec<Range<usize>>) {
    let thumb = |i: usize| -> &'a Thumbnail {
        &features[i]
            .as_ref()
            .expect("indexed items are decoded")
            .thumbnail
    };
    let mut sorted = items.to_vec();
    if sorted.len() > 1 {
        sorted.sort_unstable_by(|&a, &b| thumb(a).cmp(thumb(b)).then(a.cmp(&b)));
    }
    let mut ranges = Vec::new();
    let mut start = 0;
    for end in 1..=sorted.len() {
        if end == sorted.len() || thumb(sorted[end]) != thumb(sorted[start]) {
            ranges.push(start..end);
            start = end;
        }
    }
    (sorted, ranges)
}

/// The tally, thumbnail measures and inner pair statistics of one group.
fn describe_group(
    ctx: &Context<'_>,
    classes: &PixelClasses,
    items: &[usize],
    range: Range<usize>,
    thumbnail: &Thumbnail,
) -> Group {
    let sum = thumbnail_sum(thumbnail);
    let tally = Tally::of(items, ctx);
    let mut by_class: Vec<(u32, usize)> = items
        .iter()
        .map(|&i| (classes.class_of[i].unwrap_or(u32::MAX), i))
        .collect();
    by_class.sort_unstable();
    let mut exact = PairStats::default();
    for class in by_class.chunk_by(|x, y| x.0 == y.0) {
        if class.len() >= 2 {
            let members: Vec<usize> = class.iter().map(|&(_, i)| i).collect();
            exact.add(&PairStats::within(&Tally::of(&members, ctx)));
        }
    }
    let mixed = by_class.first().map(|x| x.0) != by_class.last().map(|x| x.0);
    let within = mixed.then(|| {
        let mut s = PairStats::within(&tally);
        s.sub(&exact);
        Box::new(s)
    });
    Group {
        items: range,
        tally,
        sum,
        spread: spread_sad(thumbnail, sum),
        within,
    }
}

pub(crate) fn near_duplicates(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    classes: &PixelClasses,
    max_distance: u32,
    max_listed: usize,
) -> NearDuplicates {
    near_duplicates_with(
        ctx,
        features,
        classes,
        max_distance,
        MAX_THUMBNAIL_MAD,
        max_listed,
    )
}

/// [`near_duplicates`] with a given thumbnail threshold.
fn near_duplicates_with(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    classes: &PixelClasses,
    max_distance: u32,
    max_thumbnail_mad: f64,
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
    let per_node: Vec<(Vec<usize>, Vec<Group>)> = node_items
        .par_iter()
        .map(|items| {
            let (sorted, ranges) = group_node(items, features);
            let groups = ranges
                .into_iter()
                .map(|r| {
                    let first = sorted[r.start];
                    let thumb = &features[first].as_ref().expect("decoded").thumbnail;
                    describe_group(ctx, classes, &sorted[r.clone()], r, thumb)
                })
                .collect();
            (sorted, groups)
        })
        .collect();
    drop(node_items);
    let mut group_items = Vec::new();
    let mut groups = Vec::new();
    let mut node_groups = Vec::with_capacity(n_nodes);
    for (items, node) in per_node {
        let offset = group_items.len();
        let first = groups.len();
        group_items.extend(items);
        groups.extend(node.into_iter().map(|mut g| {
            g.items = g.items.start + offset..g.items.end + offset;
            g
        }));
        node_groups.push(first..groups.len());
    }
    let node_hashes: Vec<u64> = (0..n_nodes).filter_map(|u| tree.get(u).copied()).collect();
    let index = (node_hashes.len() == n_nodes)
        .then(|| MultiIndex::new(node_hashes, max_distance))
        .flatten();
    let search = Search {
        ctx,
        features,
        classes,
        tree,
        index,
        node_groups,
        groups,
        group_items,
        verifier: Verifier::new(max_thumbnail_mad),
        max_distance,
        max_listed,
    };

    // Tasks: a node's groups in slices, so that a node with thousands of
    // distinct thumbnails is spread over threads; rayon balances the rest.
    let tasks: Vec<(usize, Range<usize>)> = search
        .node_groups
        .iter()
        .enumerate()
        .flat_map(|(u, r)| {
            (r.start..r.end)
                .step_by(GROUPS_PER_TASK)
                .map(move |s| (u, s..(s + GROUPS_PER_TASK).min(r.end)))
        })
        .collect();
    let found = tasks
        .into_par_iter()
        .with_min_len(64)
        .fold(
            || Partial::new(max_listed),
            |mut out, (u, slice)| {
                search.task(u, slice, &mut out);
                out
            },
        )
        .reduce(|| Partial::new(max_listed), Partial::merge);
    let Partial {
        stats,
        candidates,
        components,
        mut best,
    } = found;
    best.finish();

    // A component of groups is a cluster if it joins two or more groups,
    // or if its single group holds two different images.
    let n_groups = search.groups.len();
    let mut cluster_sizes = Vec::new();
    if stats.total > 0 {
        let mut components = components.unwrap_or_else(|| DisjointSet::new(n_groups));
        let mut groups_in = vec![0usize; n_groups];
        let mut items_in = vec![0usize; n_groups];
        let mut mixed = vec![false; n_groups];
        for (g, group) in search.groups.iter().enumerate() {
            let r = components.find(g);
            groups_in[r] += 1;
            items_in[r] += group.items.len();
            mixed[r] |= group.within.is_some();
        }
        cluster_sizes = (0..n_groups)
            .filter(|&r| groups_in[r] >= 2 || (groups_in[r] == 1 && mixed[r]))
            .map(|r| items_in[r])
            .collect();
    }

    let listed = best
        .keys
        .iter()
        .map(
            |&(not_cross, not_different, sad, distance, a, b)| NearPair {
                a: ctx.item_ref(a),
                b: ctx.item_ref(b),
                distance,
                thumbnail_mad: f64::from(sad) / 65536.0,
                cross_split: !not_cross,
                different_labels: !not_different,
            },
        )
        .collect();
    NearDuplicates {
        hash: "phash".into(),
        max_distance,
        max_thumbnail_mad,
        candidate_pairs: candidates,
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
    use crate::dataset::Dataset;
    use crate::profile::duplicates::exact_duplicates;
    use crate::profile::test_support::{dataset, fake_features, Spec};
    use crate::profile::thumbnail::{thumbnail_mad, thumbnails_match};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Brute-force reference over all n² pairs.
    #[derive(Debug, Default)]
    struct Brute {
        candidates: u64,
        total: u64,
        cross: u64,
        diff: u64,
        by: SplitPairCounts,
        /// (clusters, items in clusters, largest cluster).
        clusters: (usize, usize, usize),
    }

    /// The thumbnail test written out: 65536 × MAD_c ≤ 65536 × 6 and
    /// 2 × MAD_c ≤ the smaller spread.
    fn reference_match(a: &Thumbnail, b: &Thumbnail) -> bool {
        let sum = |t: &Thumbnail| t.iter().map(|&v| i64::from(v)).sum::<i64>();
        let (sa, sb) = (sum(a), sum(b));
        let sad: i64 = (0..256)
            .map(|i| (256 * (i64::from(a[i]) - i64::from(b[i])) - (sa - sb)).abs())
            .sum();
        let spread = |t: &Thumbnail, s: i64| {
            t.iter()
                .map(|&v| (256 * i64::from(v) - s).abs())
                .sum::<i64>()
        };
        sad <= 6 * 65536 && 2 * sad <= spread(a, sa).min(spread(b, sb))
    }

    /// All pairs with pHash distance ≤ `t` and matching thumbnails, minus
    /// exact duplicates; clusters by union–find over items.
    fn brute(ctx: &Context<'_>, feats: &[Option<ImageFeatures>], t: u32) -> Brute {
        let mut out = Brute::default();
        let mut uf = DisjointSet::new(feats.len());
        let mut linked = vec![false; feats.len()];
        for i in 0..feats.len() {
            for j in i + 1..feats.len() {
                let (Some(a), Some(b)) = (&feats[i], &feats[j]) else {
                    continue;
                };
                if a.pixel_hash == b.pixel_hash || hamming(a.phash, b.phash) > t {
                    continue;
                }
                out.candidates += 1;
                if !reference_match(&a.thumbnail, &b.thumbnail) {
                    continue;
                }
                out.total += 1;
                let (ki, kj) = (ctx.key(i), ctx.key(j));
                out.cross += u64::from(ki != kj && ki.is_split() && kj.is_split());
                out.diff += u64::from(ctx.label(i) != ctx.label(j));
                out.by.add(ki, kj, 1);
                uf.union(i, j);
                linked[i] = true;
                linked[j] = true;
            }
        }
        let mut sizes = vec![0usize; feats.len()];
        for i in (0..feats.len()).filter(|&i| linked[i]) {
            sizes[uf.find(i)] += 1;
        }
        let sizes: Vec<usize> = sizes.into_iter().filter(|&n| n > 0).collect();
        out.clusters = (
            sizes.len(),
            sizes.iter().sum(),
            sizes.iter().copied().max().unwrap_or(0),
        );
        out
    }

    /// A random thumbnail: pixels in 40..220, or (`flat`) a faint pattern
    /// of a few pixels on a flat background.
    fn random_thumbnail(rng: &mut Xoshiro256PlusPlus, flat: bool) -> Thumbnail {
        if flat {
            let mut t = [100u8; 256];
            for _ in 0..8 {
                t[rng.random_range(0..256)] = rng.random_range(110..180);
            }
            t
        } else {
            std::array::from_fn(|_| rng.random_range(40..220))
        }
    }

    /// `t` shifted by `shift` levels, each pixel moved by up to ±`noise`.
    fn perturb(rng: &mut Xoshiro256PlusPlus, t: &Thumbnail, shift: i32, noise: i32) -> Thumbnail {
        t.map(|v| (i32::from(v) + shift + rng.random_range(-noise..=noise)).clamp(0, 255) as u8)
    }

    /// 400 items over 4 split keys and 3 labels; images drawn from a pool
    /// of 600 pixel ids (so exact duplicates occur), each a variant of one
    /// of 30 centres: pHash with 0–3 bits flipped, thumbnail shifted and
    /// noisy (noise 0–12 levels, so some variants pass the thumbnail test
    /// and some fail). Centre 0 is one crowded node of >64 distinct
    /// thumbnails; some centres are nearly flat (the relative test); some
    /// ids share the (pHash, thumbnail) of another id with other pixels;
    /// some take another centre's pHash (same hash, unrelated pixels).
    fn random_dataset(seed: u64) -> (Dataset, Vec<Option<ImageFeatures>>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let splits = ["train", "val", "test", ""];
        let specs: Vec<Spec> = (0..400)
            .map(|_| Spec::new(splits[rng.random_range(0..4)], rng.random_range(0..3)))
            .collect();
        let centres: Vec<(u64, Thumbnail)> = (0..30)
            .map(|c| (rng.random(), random_thumbnail(&mut rng, c % 7 == 3)))
            .collect();
        let mut ids: Vec<(u64, Thumbnail)> = Vec::new();
        for _ in 0..600 {
            if !ids.is_empty() && rng.random_bool(0.1) {
                let k = rng.random_range(0..ids.len());
                ids.push(ids[k]);
                continue;
            }
            let c = if rng.random_bool(0.3) {
                0
            } else {
                rng.random_range(0..centres.len())
            };
            let mut h = centres[c].0;
            if c != 0 {
                for _ in 0..rng.random_range(0..4) {
                    h ^= 1u64 << rng.random_range(0..64);
                }
            }
            if rng.random_bool(0.05) {
                h = centres[rng.random_range(0..centres.len())].0;
            }
            let noise = [0, 1, 2, 6, 9, 12][rng.random_range(0..6)];
            let shift = rng.random_range(-20..=20);
            let thumb = perturb(&mut rng, &centres[c].1, shift, noise);
            ids.push((h, thumb));
        }
        let feats = (0..400)
            .map(|i| {
                if i % 97 == 0 {
                    return None;
                }
                let pixel = rng.random_range(0..600u32);
                let (phash, thumbnail) = ids[pixel as usize];
                let mut f = fake_features(pixel, phash);
                f.thumbnail = thumbnail;
                Some(f)
            })
            .collect();
        (dataset(&specs), feats)
    }

    #[test]
    fn counts_match_brute_force() {
        for seed in [11, 12, 13] {
            let (ds, feats) = random_dataset(seed);
            let ctx = Context::new(&ds);
            let (_, classes) = exact_duplicates(&ctx, &feats, 0);
            for t in [0, 2, 4, 20] {
                let got = near_duplicates(&ctx, &feats, &classes, t, 5);
                let want = brute(&ctx, &feats, t);
                let at = format!("seed {seed}, t = {t}");
                assert!(
                    want.total > 10 && want.total < want.candidates,
                    "{at}: {want:?}"
                );
                assert_eq!(got.candidate_pairs, want.candidates, "{at}");
                assert_eq!(got.pairs, want.total, "{at}");
                assert_eq!(got.cross_split_pairs, want.cross, "{at}");
                assert_eq!(got.different_label_pairs, want.diff, "{at}");
                assert_eq!(got.pairs_by_split_pair, want.by, "{at}");
                assert_eq!(
                    (got.clusters, got.items_in_clusters, got.largest_cluster),
                    want.clusters,
                    "{at}"
                );
                assert_eq!(got.listed.len(), 5);
                // Cross-split pairs are listed first.
                if want.cross > 0 {
                    assert!(got.listed[0].cross_split);
                }
            }
        }
    }

    #[test]
    fn listed_pairs_are_verified_and_ordered() {
        let (ds, feats) = random_dataset(21);
        let ctx = Context::new(&ds);
        let (_, classes) = exact_duplicates(&ctx, &feats, 0);
        let got = near_duplicates(&ctx, &feats, &classes, 4, 100_000);
        assert_eq!(got.listed.len() as u64, got.pairs);
        let index = |id: &str| id.trim_start_matches("item").parse::<usize>().unwrap();
        let mut keys = Vec::new();
        for p in &got.listed {
            let (a, b) = (index(&p.a.id), index(&p.b.id));
            assert!(a < b);
            let (fa, fb) = (feats[a].as_ref().unwrap(), feats[b].as_ref().unwrap());
            assert_ne!(fa.pixel_hash, fb.pixel_hash);
            assert_eq!(p.distance, hamming(fa.phash, fb.phash));
            assert!(p.distance <= 4);
            assert!(thumbnails_match(&fa.thumbnail, &fb.thumbnail));
            assert_eq!(p.thumbnail_mad, thumbnail_mad(&fa.thumbnail, &fb.thumbnail));
            assert_eq!(p.different_labels, ctx.label(a) != ctx.label(b));
            keys.push((
                !p.cross_split,
                !p.different_labels,
                p.thumbnail_mad,
                p.distance,
                a,
                b,
            ));
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn equal_phash_needs_close_pixels() {
        // Items 0 and 1 share a pHash but their thumbnails differ; item 2
        // is item 0 re-toned (+30 levels, small noise), in another split.
        let ds = dataset(&[
            Spec::new("train", 0),
            Spec::new("test", 1),
            Spec::new("test", 0),
        ]);
        let ctx = Context::new(&ds);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let t0 = random_thumbnail(&mut rng, false);
        let t1 = random_thumbnail(&mut rng, false);
        let t2 = perturb(&mut rng, &t0, 30, 1);
        let feats: Vec<Option<ImageFeatures>> = [(1, t0, 0xAB), (2, t1, 0xAB), (3, t2, 0xAF)]
            .into_iter()
            .map(|(pixel, thumbnail, phash)| {
                let mut f = fake_features(pixel, phash);
                f.thumbnail = thumbnail;
                Some(f)
            })
            .collect();
        let (_, classes) = exact_duplicates(&ctx, &feats, 10);
        let near = near_duplicates(&ctx, &feats, &classes, 4, 10);
        assert_eq!(near.candidate_pairs, 3);
        assert_eq!(near.pairs, 1);
        assert_eq!(near.cross_split_pairs, 1);
        assert_eq!(near.different_label_pairs, 0);
        assert_eq!(
            (near.listed[0].a.id.as_str(), near.listed[0].b.id.as_str()),
            ("item0", "item2")
        );
        assert_eq!(near.listed[0].distance, 1);
        assert!(near.listed[0].thumbnail_mad > 0.0 && near.listed[0].thumbnail_mad < 1.0);
        assert_eq!(near.max_thumbnail_mad, MAX_THUMBNAIL_MAD);
        assert_eq!(near.clusters, 1);
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
