//! Minimum spanning trees of a point set: exact (Prim on the complete
//! graph) and approximate (Kruskal on the k-nearest-neighbour graph).
//!
//! Both rank edges by the exact `f64` [`Distance`] of their end points;
//! any monotone transform of the weights (squared or not) gives the same
//! tree. Equal weights are broken by the vertex indices, so the tree is the
//! same on every machine and thread count.

use rayon::prelude::*;

use crate::distance::{squared_norm, Distance};
use crate::error::KnnError;
use crate::points::Points;
use crate::search::Neighbors;

/// Vertices per parallel chunk of a Prim step.
const PRIM_CHUNK: usize = 2048;

/// An edge of a spanning tree: its end points (`a < b`) and its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// The smaller vertex index.
    pub a: u32,
    /// The larger vertex index.
    pub b: u32,
    /// The distance between them.
    pub weight: f64,
}

impl Edge {
    fn new(u: u32, v: u32, weight: f64) -> Self {
        Self {
            a: u.min(v),
            b: u.max(v),
            weight,
        }
    }
}

/// A spanning forest: `n − components` edges.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanningForest {
    /// Number of vertices.
    pub n: usize,
    /// The edges, in the order they were added.
    pub edges: Vec<Edge>,
    /// Connected components of the forest (1 for a spanning tree).
    pub components: usize,
}

impl SpanningForest {
    /// Sum of the edge weights.
    pub fn total_weight(&self) -> f64 {
        self.edges.iter().map(|e| e.weight).sum()
    }
}

/// The exact minimum spanning tree of the complete graph on `points`,
/// edge weights the exact distance `metric`.
///
/// # Method
/// Prim's algorithm with a dense array of the cheapest connection of
/// every vertex outside the tree: n steps, each computing the distances
/// from the vertex just added to those outside (`n²/2` distances of `d`
/// coordinates in all, in parallel chunks; memory O(n), no distance
/// matrix). The next vertex is the one with the smallest connection, ties
/// to the smallest index. Starts at vertex 0. Exact distances of zero
/// (copies) are edges like any other (scipy's `minimum_spanning_tree`,
/// which reads zeros of a dense matrix as missing edges, differs there).
/// An empty set gives an empty forest with 0 components.
pub fn exact_mst(points: Points<'_>, metric: Distance) -> SpanningForest {
    let n = points.n();
    if n == 0 {
        return SpanningForest {
            n,
            edges: Vec::new(),
            components: 0,
        };
    }
    let norms: Vec<f64> = match metric {
        Distance::Cosine => (0..n).map(|i| squared_norm(points.row(i))).collect(),
        Distance::SquaredEuclidean => Vec::new(),
    };
    let distance = |u: usize, v: usize| match metric {
        Distance::SquaredEuclidean => {
            crate::distance::squared_euclidean(points.row(u), points.row(v))
        }
        Distance::Cosine => {
            crate::distance::cosine_with_norms(points.row(u), points.row(v), norms[u], norms[v])
        }
    };
    // Vertices outside the tree with their cheapest connection so far.
    let mut outside: Vec<(u32, f64, u32)> = (1..n as u32).map(|v| (v, f64::INFINITY, 0)).collect();
    let mut edges = Vec::with_capacity(n - 1);
    let mut added = 0usize;
    while !outside.is_empty() {
        let best = outside
            .par_chunks_mut(PRIM_CHUNK)
            .enumerate()
            .map(|(chunk, slots)| {
                let mut best: Option<(f64, u32, usize)> = None;
                for (offset, slot) in slots.iter_mut().enumerate() {
                    let d = distance(added, slot.0 as usize);
                    if d < slot.1 {
                        slot.1 = d;
                        slot.2 = added as u32;
                    }
                    let candidate = (slot.1, slot.0, chunk * PRIM_CHUNK + offset);
                    if best.is_none_or(|b| earlier(candidate, b)) {
                        best = Some(candidate);
                    }
                }
                best
            })
            .reduce(
                || None,
                |x, y| match (x, y) {
                    (Some(a), Some(b)) => Some(if earlier(b, a) { b } else { a }),
                    (a, None) => a,
                    (None, b) => b,
                },
            );
        let Some((_, vertex, position)) = best else {
            break;
        };
        let (_, weight, parent) = outside.swap_remove(position);
        edges.push(Edge::new(parent, vertex, weight));
        added = vertex as usize;
    }
    SpanningForest {
        n,
        edges,
        components: 1,
    }
}

/// `(weight, vertex, position)` ordered by weight, then vertex index.
fn earlier(x: (f64, u32, usize), y: (f64, u32, usize)) -> bool {
    x.0 < y.0 || (x.0 == y.0 && x.1 < y.1)
}

/// The minimum spanning forest of the k-nearest-neighbour graph: an
/// approximation of the exact tree for sets too large for it.
///
/// # Method
/// The graph has an edge between each point and each of its `k` nearest
/// neighbours ([`crate::search_within`]'s answer for the same points),
/// weighted by their exact distance; Kruskal's algorithm (edges sorted by
/// weight, then end points; union–find with path halving and union by
/// size) keeps the lightest edges that join two components. Every edge of
/// the exact tree whose end points are among each other's k nearest is
/// kept, which is most of them for moderate k (the exact tree's edges join
/// near neighbours); the graph may be disconnected, in which case the
/// forest has several [`SpanningForest::components`] and fewer than n − 1
/// edges — callers state it.
///
/// # Errors
/// [`KnnError::BadShape`] when `neighbors` does not have one row per point.
pub fn knn_graph_mst(n: usize, neighbors: &Neighbors) -> Result<SpanningForest, KnnError> {
    if neighbors.n_queries() != n {
        return Err(KnnError::BadShape {
            len: neighbors.all_indices().len(),
            dim: neighbors.k(),
        });
    }
    let mut candidates: Vec<Edge> = (0..n)
        .flat_map(|q| {
            neighbors
                .indices(q)
                .iter()
                .zip(neighbors.distances(q))
                .map(move |(&r, &d)| Edge::new(q as u32, r, d))
        })
        .filter(|e| e.a != e.b)
        .collect();
    candidates.par_sort_unstable_by(|x, y| {
        x.weight
            .total_cmp(&y.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    candidates.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    let mut sets = UnionFind::new(n);
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    for edge in candidates {
        if sets.union(edge.a as usize, edge.b as usize) {
            edges.push(edge);
            if edges.len() + 1 == n {
                break;
            }
        }
    }
    Ok(SpanningForest {
        n,
        components: n - edges.len(),
        edges,
    })
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] as usize != x {
            let grand = self.parent[self.parent[x] as usize];
            self.parent[x] = grand;
            x = grand as usize;
        }
        x
    }

    /// Join the sets of `x` and `y`; false when they were one already.
    fn union(&mut self, x: usize, y: usize) -> bool {
        let (mut x, mut y) = (self.find(x), self.find(y));
        if x == y {
            return false;
        }
        if self.size[x] < self.size[y] {
            std::mem::swap(&mut x, &mut y);
        }
        self.parent[y] = x as u32;
        self.size[x] += self.size[y];
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{search_within, KnnParams};
    use rand::{Rng, SeedableRng};

    fn random_points(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n * dim).map(|_| rng.random::<f32>()).collect()
    }

    /// Kruskal over every pair: the brute-force reference.
    fn brute_force(points: Points<'_>, metric: Distance) -> SpanningForest {
        let n = points.n();
        let mut all = Vec::new();
        for u in 0..n {
            for v in u + 1..n {
                all.push(Edge::new(
                    u as u32,
                    v as u32,
                    metric.distance(points.row(u), points.row(v)),
                ));
            }
        }
        all.sort_by(|x, y| x.weight.total_cmp(&y.weight));
        let mut sets = UnionFind::new(n);
        let edges: Vec<Edge> = all
            .into_iter()
            .filter(|e| sets.union(e.a as usize, e.b as usize))
            .collect();
        SpanningForest {
            n,
            components: n - edges.len(),
            edges,
        }
    }

    fn sorted(mut edges: Vec<Edge>) -> Vec<(u32, u32)> {
        edges.sort_by_key(|e| (e.a, e.b));
        edges.into_iter().map(|e| (e.a, e.b)).collect()
    }

    #[test]
    fn prim_equals_brute_force_kruskal() {
        for (seed, n, dim) in [(1, 2, 3), (2, 7, 2), (3, 60, 5), (4, 300, 8), (5, 2500, 3)] {
            let data = random_points(n, dim, seed);
            let points = Points::new(&data, dim).unwrap();
            for metric in [Distance::SquaredEuclidean, Distance::Cosine] {
                let prim = exact_mst(points, metric);
                let brute = brute_force(points, metric);
                assert_eq!(prim.edges.len(), n - 1);
                assert_eq!(prim.components, 1);
                assert_eq!(sorted(prim.edges.clone()), sorted(brute.edges.clone()));
                let (a, b) = (prim.total_weight(), brute.total_weight());
                assert!((a - b).abs() <= 1e-9 * b.max(1.0), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn knn_graph_forest_with_all_neighbours_is_exact() {
        let (n, dim) = (80, 4);
        let data = random_points(n, dim, 9);
        let points = Points::new(&data, dim).unwrap();
        let settings = KnnParams {
            k: n - 1,
            ..Default::default()
        }
        .check()
        .unwrap();
        let nn = search_within(points, &settings).unwrap();
        let forest = knn_graph_mst(n, &nn).unwrap();
        let exact = exact_mst(points, Distance::SquaredEuclidean);
        assert_eq!(forest.components, 1);
        assert_eq!(sorted(forest.edges), sorted(exact.edges));
    }

    #[test]
    fn knn_graph_of_two_far_clusters_is_a_forest_of_two() {
        let mut data = random_points(40, 2, 3);
        for v in &mut data[40..] {
            *v += 1000.0;
        }
        let points = Points::new(&data, 2).unwrap();
        let settings = KnnParams {
            k: 5,
            ..Default::default()
        }
        .check()
        .unwrap();
        let nn = search_within(points, &settings).unwrap();
        let forest = knn_graph_mst(40, &nn).unwrap();
        assert_eq!(forest.components, 2);
        assert_eq!(forest.edges.len(), 38);
    }

    #[test]
    fn copies_are_joined_at_distance_zero() {
        let data = [0.0f32, 0.0, 0.0, 0.0, 3.0, 4.0];
        let points = Points::new(&data, 2).unwrap();
        let tree = exact_mst(points, Distance::SquaredEuclidean);
        assert_eq!(sorted(tree.edges.clone()), vec![(0, 1), (0, 2)]);
        assert_eq!(tree.total_weight(), 25.0);
        assert_eq!(
            exact_mst(Points::new(&[], 2).unwrap(), Distance::Cosine).components,
            0
        );
    }
}
