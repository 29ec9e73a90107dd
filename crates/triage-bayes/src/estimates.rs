//! The estimates of one feature set under one distance, from its
//! [`Geometry`] and a labelling (the true labels, or noisy ones in the
//! sweep).

use triage_docs::bayes::{BayesEstimate, Estimator, Interval};
use triage_knn::Distance;
use triage_stats::bayes::extrapolate::{extrapolate, intrinsic_dimension, spread, MIN_SPREAD};
use triage_stats::bayes::ghp::ghp;
use triage_stats::bayes::knn::{knn_bracket, one_nn_from_knn, NeighborLabels};
use triage_stats::bayes::{Bracket, Estimate};

use crate::error::BayesError;
use crate::geometry::{metric_name, Geometry};

/// Which estimators run, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatorPlan {
    /// The k of the k-NN estimates.
    pub k: Vec<usize>,
    /// Run 1NN-kNN at the largest k (needs k ≥ 2).
    pub one_nn_knn: bool,
    /// kNN-Extrapolate's order (0: not run).
    pub extrapolate_order: usize,
    /// Bootstrap resamples of kNN-Extrapolate's interval.
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence of every interval.
    pub confidence: f64,
}

/// Labels of the reference and query items.
#[derive(Debug, Clone, Copy)]
pub struct Labelling<'a> {
    /// Reference labels.
    pub reference: &'a [u32],
    /// Query labels (the reference's in leave-one-out).
    pub queries: &'a [u32],
}

/// `feature set / estimator / metric / k`, the key of an estimate in the
/// tightest bracket and the noise sweep.
pub fn estimate_key(set: &str, e: &BayesEstimate) -> String {
    match e.k {
        Some(k) => format!("{set} / {} / {} / k={k}", e.estimator.name(), e.metric),
        None => format!("{set} / {} / {}", e.estimator.name(), e.metric),
    }
}

fn interval(e: Estimate) -> Interval {
    Interval {
        value: e.value,
        low: e.low,
        high: e.high,
    }
}

fn stats_err(what: &str) -> impl Fn(triage_stats::StatsError) -> BayesError + '_ {
    move |source| BayesError::Stats {
        what: what.to_owned(),
        source,
    }
}

/// The intrinsic dimension of the points from their neighbours' distances
/// (Levina–Bickel; Euclidean distances, for cosine the chord √(2·d) between
/// normalised points); `None` with fewer than 3 neighbours.
pub fn neighbour_dimension(geometry: &Geometry) -> Option<f64> {
    let to_euclidean = |d: f64| match geometry.metric {
        Distance::SquaredEuclidean => d.max(0.0).sqrt(),
        Distance::Cosine => (2.0 * d.max(0.0)).sqrt(),
    };
    let distances: Vec<f64> = geometry
        .neighbours
        .all_distances()
        .iter()
        .map(|&d| to_euclidean(d))
        .collect();
    intrinsic_dimension(&distances, geometry.neighbours.k())
}

/// Every estimate the plan asks for on `geometry` with `labels`, among
/// `classes` classes and features of dimension `dim`, and notes on what
/// could not be estimated and why.
///
/// # Errors
/// [`BayesError::Stats`] when a statistic refuses its input.
pub fn estimates(
    geometry: &Geometry,
    labels: Labelling<'_>,
    classes: usize,
    dim: usize,
    plan: &EstimatorPlan,
) -> Result<(Vec<BayesEstimate>, Vec<String>), BayesError> {
    let mut notes = Vec::new();
    let metric = metric_name(geometry.metric).to_owned();
    let k_max = geometry.neighbours.k();
    let neighbour_labels: Vec<u32> = geometry
        .neighbours
        .all_indices()
        .iter()
        .map(|&r| labels.reference[r as usize])
        .collect();
    let lists =
        NeighborLabels::new(&neighbour_labels, k_max, classes).map_err(stats_err("k-NN"))?;
    let mut out = Vec::new();
    let entry = |estimator, k, b: Bracket, how: &str, note: Option<String>| BayesEstimate {
        estimator,
        metric: metric.clone(),
        k,
        upper: interval(b.upper),
        lower: interval(b.lower),
        interval: how.to_owned(),
        note,
    };
    let n = labels.queries.len() as u64;
    for &k in &plan.k {
        let wrong = lists.wrong(k, labels.queries).map_err(stats_err("k-NN"))?;
        let count = wrong.iter().filter(|&&w| w).count() as u64;
        let b = knn_bracket(count, n, classes, k, plan.confidence).map_err(stats_err("k-NN"))?;
        let bound = if classes == 2 && k > 1 {
            "Devroye"
        } else {
            "Cover–Hart"
        };
        out.push(entry(
            Estimator::Knn,
            Some(k),
            b,
            "wilson",
            Some(format!(
                "upper: the {k}-NN error (asymptotically at least the Bayes error; a finite sample overestimates it); lower: the {bound} bound from it"
            )),
        ));
    }
    if plan.one_nn_knn && k_max >= 2 {
        let b = one_nn_from_knn(&lists, k_max, plan.confidence).map_err(stats_err("1NN-kNN"))?;
        out.push(entry(
            Estimator::OneNnKnn,
            Some(k_max),
            b,
            "t",
            Some(format!("the 1-NN error estimated from the class mix of {k_max}-neighbourhoods (label-free), Cover–Hart lower bound")),
        ));
    }
    if let (Some(prefixes), true) = (&geometry.prefixes, plan.extrapolate_order > 0) {
        let wrong: Vec<Vec<bool>> = prefixes
            .nearest
            .iter()
            .map(|row| {
                row.iter()
                    .zip(labels.queries)
                    .map(|(&r, &y)| labels.reference[r as usize] != y)
                    .collect()
            })
            .collect();
        let sizes: Vec<f64> = prefixes.sizes.iter().map(|&s| s as f64).collect();
        let metric_name = metric_name(geometry.metric);
        match neighbour_dimension(geometry) {
            None => notes.push(format!(
                "knn-extrapolate ({metric_name}) not run: the intrinsic dimension needs k ≥ 3 neighbours"
            )),
            Some(d_eff) if sizes.len() < 2 || spread(&sizes, d_eff) < MIN_SPREAD => notes.push(format!(
                "knn-extrapolate ({metric_name}) not run: at intrinsic dimension {d_eff:.1} the terms n^(−2/d) vary by {:.1} % over {} … {} points (at least {:.0} % needed), so R_∞ is not identifiable",
                100.0 * spread(&sizes, d_eff),
                prefixes.sizes[0],
                prefixes.sizes[prefixes.sizes.len() - 1],
                100.0 * MIN_SPREAD
            )),
            Some(d_eff) => {
                let (b, fit) = extrapolate(
                    &sizes,
                    &wrong,
                    d_eff.round().max(1.0) as usize,
                    classes,
                    plan.extrapolate_order,
                    plan.bootstrap,
                    plan.seed,
                    plan.confidence,
                )
                .map_err(stats_err("kNN-Extrapolate"))?;
                let how = if plan.bootstrap > 0 {
                    format!("bootstrap over queries (B = {})", plan.bootstrap)
                } else {
                    "none".to_owned()
                };
                out.push(entry(
                    Estimator::KnnExtrapolate,
                    Some(1),
                    b,
                    &how,
                    Some(format!(
                        "1-NN error on {} nested subsets ({} … {} points) fitted by R_n = R_∞ + Σ b_i n^(−(i+2)/d), order {}, with d = {} the intrinsic dimension (Levina–Bickel from the {k_max}-NN distances; FeeBee uses the features' {dim}) (b = [{}]); R_∞ is the upper estimate",
                        sizes.len(),
                        prefixes.sizes[0],
                        prefixes.sizes[prefixes.sizes.len() - 1],
                        plan.extrapolate_order,
                        d_eff.round().max(1.0),
                        fit.coefficients
                            .iter()
                            .map(|b| format!("{b:.3}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
            }
        }
    }
    if let Some(tree) = &geometry.tree {
        let g = ghp(
            tree.forest.edges.iter().map(|e| (e.a, e.b)),
            labels.reference,
            plan.confidence,
        )
        .map_err(stats_err("GHP"))?;
        let how = match tree.graph_k {
            None => format!("exact Euclidean MST of {} points", tree.forest.n),
            Some(k) => format!(
                "APPROXIMATE: the MST of the {k}-NN graph of {} points ({} component(s), {} edges), not the exact tree",
                tree.forest.n, tree.forest.components, tree.edges_len()
            ),
        };
        out.push(entry(
            Estimator::Ghp,
            tree.graph_k,
            g.bracket,
            "wilson over the tree's edges (approximate: edges treated as independent)",
            Some(format!(
                "{how}; {} of {} edges join different classes; upper = cross edges / n, lower its Cover–Hart inverse",
                g.cross_edges, g.edges
            )),
        ));
    }
    Ok((out, notes))
}
