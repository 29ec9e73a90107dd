//! What the estimators need of a feature set's geometry — neighbour
//! lists, the nearest neighbour within nested subsets, a minimum spanning
//! tree — computed once per distance. None of it depends on the labels,
//! so the noise sweep reuses it with noisy labels.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use triage_data::progress::Progress;
use triage_knn::mst::{exact_mst, knn_graph_mst, SpanningForest};
use triage_knn::{search, search_within, Distance, KnnParams, Neighbors, Points};

use crate::error::BayesError;
use crate::features::Features;

/// The nearest reference point of every query within nested subsets of
/// the reference set (kNN-Extrapolate's measurements).
#[derive(Debug, Clone, PartialEq)]
pub struct Prefixes {
    /// Reference points in each subset, increasing.
    pub sizes: Vec<usize>,
    /// `nearest[s][q]`: the reference index (original order) of query q's
    /// nearest point among the first `sizes[s]` of the seeded permutation
    /// (itself excluded in leave-one-out).
    pub nearest: Vec<Vec<u32>>,
}

/// GHP's spanning tree of the reference set.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// The tree (or forest).
    pub forest: SpanningForest,
    /// `None`: exact; `Some(k)`: the MST of the k-NN graph.
    pub graph_k: Option<usize>,
}

impl Tree {
    /// Edges of the forest.
    pub fn edges_len(&self) -> usize {
        self.forest.edges.len()
    }
}

/// The label-free part of the estimates on one feature set, for one
/// distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// The distance.
    pub metric: Distance,
    /// Each query's `k_max` nearest reference points.
    pub neighbours: Neighbors,
    /// Nested-subset nearest neighbours, when kNN-Extrapolate runs.
    pub prefixes: Option<Prefixes>,
    /// The spanning tree, when GHP runs.
    pub tree: Option<Tree>,
}

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeometryPlan {
    /// Neighbours per query.
    pub k_max: usize,
    /// Nested subsets for kNN-Extrapolate (0: none).
    pub subsets: usize,
    /// Build GHP's tree.
    pub tree: bool,
    /// Points up to which the tree is exact.
    pub exact_max: usize,
    /// The k of the k-NN graph above `exact_max`.
    pub graph_k: usize,
    /// Seed of the subsets' permutation.
    pub seed: u64,
}

/// The name of a distance in documents.
pub fn metric_name(metric: Distance) -> &'static str {
    match metric {
        Distance::SquaredEuclidean => "squared-euclidean",
        Distance::Cosine => "cosine",
    }
}

/// Compute the geometry of `features` under `metric`.
///
/// # Errors
/// [`BayesError::Knn`] when the engine refuses the points (k not below
/// the reference size, say).
pub fn geometry(
    features: &Features,
    metric: Distance,
    plan: &GeometryPlan,
    progress: &dyn Progress,
) -> Result<Geometry, BayesError> {
    let what = format!("{} ({})", features.name, metric_name(metric));
    let knn_err = |source| BayesError::Knn {
        what: what.clone(),
        source,
    };
    let reference = Points::new(&features.reference.values, features.dim).map_err(knn_err)?;
    let settings = |k: usize| {
        KnnParams {
            k,
            metric,
            ..KnnParams::default()
        }
        .check()
        .map_err(knn_err)
    };
    progress.note(&format!("{what}: {}-NN search", plan.k_max));
    let neighbours = match &features.queries {
        Some(q) => {
            let queries = Points::new(&q.values, features.dim).map_err(knn_err)?;
            search(reference, queries, &settings(plan.k_max)?).map_err(knn_err)?
        }
        None => search_within(reference, &settings(plan.k_max)?).map_err(knn_err)?,
    };
    let prefixes = if plan.subsets > 0 {
        progress.note(&format!("{what}: 1-NN on {} nested subsets", plan.subsets));
        Some(prefixes(features, metric, plan, &knn_err)?)
    } else {
        None
    };
    let tree = if plan.tree {
        let n = features.reference.n();
        Some(if n <= plan.exact_max {
            progress.note(&format!(
                "{what}: exact minimum spanning tree of {n} points"
            ));
            Tree {
                forest: exact_mst(reference, metric),
                graph_k: None,
            }
        } else {
            let k = plan.graph_k.min(n - 1);
            progress.note(&format!(
                "{what}: minimum spanning tree of the {k}-NN graph of {n} points"
            ));
            let graph = if features.queries.is_none() && plan.k_max >= k {
                neighbours.clone()
            } else {
                search_within(reference, &settings(k)?).map_err(knn_err)?
            };
            Tree {
                forest: knn_graph_mst(n, &graph).map_err(knn_err)?,
                graph_k: Some(k),
            }
        })
    } else {
        None
    };
    Ok(Geometry {
        metric,
        neighbours,
        prefixes,
        tree,
    })
}

fn prefixes(
    features: &Features,
    metric: Distance,
    plan: &GeometryPlan,
    knn_err: &dyn Fn(triage_knn::KnnError) -> BayesError,
) -> Result<Prefixes, BayesError> {
    let n = features.reference.n();
    let dim = features.dim;
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(
        plan.seed ^ 0x0E77_4A90,
    ));
    let mut permuted = Vec::with_capacity(features.reference.values.len());
    for &i in &order {
        permuted.extend_from_slice(
            &features.reference.values[i as usize * dim..(i as usize + 1) * dim],
        );
    }
    let settings = KnnParams {
        k: 1,
        metric,
        ..KnnParams::default()
    }
    .check()
    .map_err(knn_err)?;
    let min = if features.queries.is_some() { 1 } else { 2 };
    let mut sizes: Vec<usize> = (1..=plan.subsets)
        .map(|s| ((n * s) as f64 / plan.subsets as f64).round() as usize)
        .map(|m| m.clamp(min.min(n), n))
        .collect();
    sizes.dedup();
    let mut nearest = Vec::with_capacity(sizes.len());
    for &m in &sizes {
        let prefix = Points::new(&permuted[..m * dim], dim).map_err(knn_err)?;
        let to_original = |nn: &Neighbors| -> Vec<u32> {
            nn.all_indices()
                .iter()
                .map(|&p| order[p as usize])
                .collect()
        };
        let row = match &features.queries {
            Some(q) => {
                let queries = Points::new(&q.values, dim).map_err(knn_err)?;
                to_original(&search(prefix, queries, &settings).map_err(knn_err)?)
            }
            None => {
                // Queries are every reference point: those in the prefix
                // leave themselves out, the others search the prefix.
                let mut by_position =
                    to_original(&search_within(prefix, &settings).map_err(knn_err)?);
                if m < n {
                    let rest = Points::new(&permuted[m * dim..], dim).map_err(knn_err)?;
                    by_position.extend(to_original(
                        &search(prefix, rest, &settings).map_err(knn_err)?,
                    ));
                }
                let mut row = vec![0u32; n];
                for (position, &nn) in by_position.iter().enumerate() {
                    row[order[position] as usize] = nn;
                }
                row
            }
        };
        nearest.push(row);
    }
    Ok(Prefixes { sizes, nearest })
}
