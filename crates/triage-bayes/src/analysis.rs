//! The whole estimate: feature sets, soft labels, the tightest bracket,
//! the noise sweep, the warnings, assembled into a [`BayesDoc`].

use triage_data::progress::Progress;
use triage_docs::bayes::{
    BayesDoc, BayesEstimate, BayesSettings, BayesWarning, BinarySoftLabel, Estimator, FeatureSet,
    Interval, NoiseLevel, NoiseScore, NoiseSweep, NoisyEstimate, SoftLabelEstimates, Sourced,
    Tightest, BAYES_FORMAT, BAYES_VERSION,
};
use triage_knn::Distance;
use triage_stats::bayes::noise::{distance_outside, feasible_band, with_label_noise};

use crate::error::BayesError;
use crate::estimates::{estimate_key, estimates, EstimatorPlan, Labelling};
use crate::features::Features;
use crate::geometry::{geometry, metric_name, Geometry, GeometryPlan};
use crate::soft_labels::{Group, SoftLabelFile};

/// Default k of the k-NN estimates.
pub const DEFAULT_K: [usize; 3] = [1, 5, 10];
/// Default points up to which GHP's tree is exact (Prim, n²/2 distances,
/// memory O(n)); above, the MST of the k-NN graph.
pub const DEFAULT_GHP_EXACT_MAX: usize = 10_000;
/// Default k of the k-NN graph of an approximate GHP tree.
pub const DEFAULT_GHP_GRAPH_K: usize = 10;
/// Items per class below which the estimates are flagged: Wheat et al.
/// (2025) need about 1000 per class for ±5 % bounds at 95 %.
pub const DEFAULT_MIN_PER_CLASS: usize = 1_000;
/// Default bootstrap resamples of kNN-Extrapolate.
pub const DEFAULT_BOOTSTRAP: usize = 200;

/// What `triage bayes` estimates from.
#[derive(Debug, Clone, Default)]
pub struct BayesInputs {
    /// Feature sets (pixels, embeddings), all of the same classes.
    pub features: Vec<Features>,
    /// Soft labels with the binary tasks to estimate.
    pub soft_labels: Option<(SoftLabelFile, Vec<Group>)>,
}

/// Settings of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct BayesOptions {
    /// Distances (default both).
    pub metrics: Vec<Distance>,
    /// k of the k-NN estimates (default 1, 5, 10).
    pub k: Vec<usize>,
    /// Run 1NN-kNN at the largest k.
    pub one_nn_knn: bool,
    /// kNN-Extrapolate's order (default 5; 0: not run).
    pub extrapolate_order: usize,
    /// kNN-Extrapolate's nested subsets (default 10).
    pub subsets: usize,
    /// Run GHP.
    pub ghp: bool,
    /// GHP's exact limit.
    pub ghp_exact_max: usize,
    /// GHP's graph k above it.
    pub ghp_graph_k: usize,
    /// Bootstrap resamples (kNN-Extrapolate).
    pub bootstrap: usize,
    /// Seed of everything random.
    pub seed: u64,
    /// Confidence of every interval.
    pub confidence: f64,
    /// Items per class below which a warning is given.
    pub min_per_class: usize,
    /// Noise levels of the sweep (empty: no sweep).
    pub noise_levels: Vec<f64>,
    /// The best error a classifier is known to reach on this task (a
    /// model's test error, or the state of the art): the sweep band's
    /// anchor (default: the smallest upper estimate), and the check that
    /// no lower bound lies above it.
    pub sota_error: Option<f64>,
}

impl Default for BayesOptions {
    fn default() -> Self {
        Self {
            metrics: vec![Distance::SquaredEuclidean, Distance::Cosine],
            k: DEFAULT_K.to_vec(),
            one_nn_knn: true,
            extrapolate_order: triage_stats::bayes::extrapolate::DEFAULT_ORDER,
            subsets: triage_stats::bayes::extrapolate::DEFAULT_SUBSETS,
            ghp: true,
            ghp_exact_max: DEFAULT_GHP_EXACT_MAX,
            ghp_graph_k: DEFAULT_GHP_GRAPH_K,
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: 0,
            confidence: 0.95,
            min_per_class: DEFAULT_MIN_PER_CLASS,
            noise_levels: Vec::new(),
            sota_error: None,
        }
    }
}

impl BayesOptions {
    fn check(&self) -> Result<(), BayesError> {
        let bad = |name, reason: String| Err(BayesError::Setting { name, reason });
        if self.metrics.is_empty() {
            return bad("metrics", "give at least one distance".to_owned());
        }
        if self.k.is_empty() || self.k.contains(&0) {
            return bad("k", format!("every k must be at least 1, got {:?}", self.k));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return bad(
                "confidence",
                format!("must be in (0, 1), got {}", self.confidence),
            );
        }
        if self.extrapolate_order != 0
            && !(3..=triage_stats::bayes::extrapolate::MAX_ORDER).contains(&self.extrapolate_order)
        {
            return bad(
                "extrapolate-order",
                format!(
                    "must be 0 (off) or 3..={}, got {}",
                    triage_stats::bayes::extrapolate::MAX_ORDER,
                    self.extrapolate_order
                ),
            );
        }
        if self.extrapolate_order != 0 && self.subsets < 2 {
            return bad(
                "subsets",
                format!(
                    "kNN-Extrapolate needs at least 2 subsets, got {}",
                    self.subsets
                ),
            );
        }
        if let Some(r) = self.noise_levels.iter().find(|r| !(0.0..=1.0).contains(*r)) {
            return bad(
                "noise-levels",
                format!("a noise level is a share in [0, 1], got {r}"),
            );
        }
        if let Some(s) = self.sota_error.filter(|s| !(0.0..1.0).contains(s)) {
            return bad("sota-error", format!("an error rate in [0, 1), got {s}"));
        }
        if self.ghp_graph_k == 0 {
            return bad("ghp-graph-k", "must be at least 1".to_owned());
        }
        Ok(())
    }
}

struct Prepared<'a> {
    features: &'a Features,
    geometries: Vec<Geometry>,
}

/// Estimate the Bayes error from `inputs`.
///
/// # Errors
/// [`BayesError`] for settings out of range, feature sets or soft labels
/// that disagree on the classes, a class with fewer than 2 items, fewer
/// than 2 classes, a statistic that refuses its input.
pub fn analyze(
    inputs: &BayesInputs,
    options: &BayesOptions,
    progress: &dyn Progress,
) -> Result<BayesDoc, BayesError> {
    options.check()?;
    let classes = common_classes(inputs)?;
    let mut warnings = Vec::new();
    let k_max = options.k.iter().copied().max().unwrap_or(1);
    let mut prepared = Vec::new();
    for features in &inputs.features {
        check_classes(features, &classes)?;
        let reference_n = features.reference.n();
        let plan = GeometryPlan {
            k_max: k_max.min(reference_n.saturating_sub(1)).max(1),
            subsets: if options.extrapolate_order > 0 {
                options.subsets
            } else {
                0
            },
            tree: options.ghp,
            exact_max: options.ghp_exact_max,
            graph_k: options.ghp_graph_k,
            seed: options.seed,
        };
        if options.ghp && reference_n > options.ghp_exact_max {
            warnings.push(BayesWarning {
                kind: "approximate-mst".to_owned(),
                message: format!(
                    "{}: {reference_n} training items exceed the exact GHP limit of {}; its tree is the MST of the {}-NN graph, an approximation (raise --ghp-exact-max for the exact tree: n²/2 distances)",
                    features.name, options.ghp_exact_max, options.ghp_graph_k
                ),
            });
        }
        let geometries = options
            .metrics
            .iter()
            .map(|&m| geometry(features, m, &plan, progress))
            .collect::<Result<Vec<_>, _>>()?;
        prepared.push(Prepared {
            features,
            geometries,
        });
    }
    let plan = EstimatorPlan {
        k: options.k.clone(),
        one_nn_knn: options.one_nn_knn,
        extrapolate_order: options.extrapolate_order,
        bootstrap: options.bootstrap,
        seed: options.seed,
        confidence: options.confidence,
    };
    let mut feature_sets = Vec::new();
    for p in &prepared {
        let f = p.features;
        let labels = Labelling {
            reference: &f.reference.labels,
            queries: &f.query_rows().labels,
        };
        let (mut all, mut notes) = (Vec::new(), Vec::new());
        for g in &p.geometries {
            let (list, why) = estimates(g, labels, classes.len(), f.dim, &plan)?;
            all.extend(list);
            notes.extend(why);
        }
        let reference_per_class = f.per_class(&f.reference);
        let query_per_class = f.per_class(f.query_rows());
        few_per_class(f, &reference_per_class, &classes, options, &mut warnings);
        feature_sets.push(FeatureSet {
            name: f.name.clone(),
            kind: f.kind,
            path: f.path.display().to_string(),
            query_labels: f.query_labels.as_ref().map(|p| p.display().to_string()),
            dim: f.dim,
            size: f.size.clone(),
            mode: f.mode(),
            reference_per_class,
            query_per_class,
            estimates: all,
            notes,
        });
    }
    if let Some(achieved) = options.sota_error {
        lower_above_achieved(&feature_sets, achieved, &mut warnings);
    }
    let tightest = tightest(&feature_sets);
    let soft_labels = inputs
        .soft_labels
        .as_ref()
        .map(|(file, groups)| soft_estimates(file, groups, options))
        .transpose()?;
    let noise_sweep = if options.noise_levels.is_empty() || prepared.is_empty() {
        None
    } else {
        Some(sweep(
            &prepared,
            &feature_sets,
            &tightest,
            classes.len(),
            options,
            &plan,
            progress,
        )?)
    };
    Ok(BayesDoc {
        format: BAYES_FORMAT.to_owned(),
        version: BAYES_VERSION,
        classes,
        settings: BayesSettings {
            confidence: options.confidence,
            k: options.k.clone(),
            metrics: options
                .metrics
                .iter()
                .map(|&m| metric_name(m).to_owned())
                .collect(),
            extrapolate_order: options.extrapolate_order,
            ghp_exact_max: options.ghp_exact_max,
            bootstrap: options.bootstrap,
            seed: options.seed,
            min_per_class: options.min_per_class,
        },
        feature_sets,
        tightest,
        soft_labels,
        noise_sweep,
        warnings,
    })
}

fn common_classes(inputs: &BayesInputs) -> Result<Vec<String>, BayesError> {
    let mut classes: Option<(Vec<String>, String)> = None;
    for f in &inputs.features {
        match &classes {
            None => classes = Some((f.classes.clone(), f.path.display().to_string())),
            Some((c, from)) if *c != f.classes => {
                return Err(BayesError::Inconsistent {
                    what: format!(
                        "{from} has classes [{}] but {} has [{}]; every feature set must describe the same classes",
                        c.join(", "),
                        f.path.display(),
                        f.classes.join(", ")
                    ),
                })
            }
            Some(_) => {}
        }
    }
    if let Some((file, _)) = &inputs.soft_labels {
        let k = file.labels.classes();
        match &classes {
            Some((c, from)) if c.len() != k => {
                return Err(BayesError::Inconsistent {
                    what: format!(
                        "{} has {k} class columns but {from} has {} classes",
                        file.path.display(),
                        c.len()
                    ),
                })
            }
            Some(_) => {}
            None => {
                let names = file
                    .classes
                    .clone()
                    .unwrap_or_else(|| (0..k).map(|i| i.to_string()).collect());
                classes = Some((names, String::new()));
            }
        }
    }
    classes.map(|(c, _)| c).ok_or(BayesError::Setting {
        name: "inputs",
        reason: "nothing to estimate from: give a dataset, embeddings or soft labels".to_owned(),
    })
}

fn check_classes(f: &Features, classes: &[String]) -> Result<(), BayesError> {
    for (side, rows) in [
        ("reference", Some(&f.reference)),
        ("query", f.queries.as_ref()),
    ] {
        let Some(rows) = rows else { continue };
        let counts = f.per_class(rows);
        let present = counts.iter().filter(|&&c| c > 0).count();
        if present < 2 {
            return Err(BayesError::TooFewClasses {
                path: f.path.clone(),
                k: present,
            });
        }
        if let Some(c) = counts.iter().position(|&c| c == 1) {
            return Err(BayesError::ClassTooSmall {
                path: f.path.clone(),
                class: classes[c].clone(),
                n: 1,
                side,
            });
        }
    }
    Ok(())
}

fn few_per_class(
    f: &Features,
    per_class: &[usize],
    classes: &[String],
    options: &BayesOptions,
    warnings: &mut Vec<BayesWarning>,
) {
    let Some((c, &n)) = per_class
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .min_by_key(|(_, &n)| n)
    else {
        return;
    };
    if n < options.min_per_class {
        warnings.push(BayesWarning {
            kind: "few-per-class".to_owned(),
            message: format!(
                "{}: class `{}` has {n} training items, fewer than the {} per class the k-NN estimators need for tight bounds; a finite sample overestimates the 1-NN error, so the upper estimates are loose",
                f.name, classes[c], options.min_per_class
            ),
        });
    }
}

/// A lower bound whose whole interval lies above an error a classifier
/// achieved cannot hold: the features do not support the asymptotic
/// bound at this sample size (1-NN far from its limit, as on raw pixels).
fn lower_above_achieved(sets: &[FeatureSet], achieved: f64, warnings: &mut Vec<BayesWarning>) {
    for set in sets {
        let wrong: Vec<String> = set
            .estimates
            .iter()
            .filter(|e| e.lower.low > achieved)
            .map(|e| {
                format!(
                    "{} ({:.2} %)",
                    estimate_key(&set.name, e),
                    100.0 * e.lower.value
                )
            })
            .collect();
        if !wrong.is_empty() {
            warnings.push(BayesWarning {
                kind: "lower-above-achieved-error".to_owned(),
                message: format!(
                    "{}: {} lower bound(s) lie above the error {:.2} % a classifier achieved ({}): on these features the nearest-neighbour error is far from its limit, so their lower bounds do not hold; read their upper estimates only",
                    set.name,
                    wrong.len(),
                    100.0 * achieved,
                    wrong.join("; ")
                ),
            });
        }
    }
}

/// The k-NN estimate with the smallest upper value over feature sets and
/// distances, with its own lower bound (FeeBee's minimum over
/// transformations: a transformation can only raise the Bayes error, so
/// the feature set with the smallest estimate is the most informative).
fn tightest(sets: &[FeatureSet]) -> Option<Tightest> {
    let (set, e) = sets
        .iter()
        .flat_map(|s| s.estimates.iter().map(move |e| (s, e)))
        .filter(|(_, e)| e.estimator == Estimator::Knn)
        .min_by(|a, b| a.1.upper.value.total_cmp(&b.1.upper.value))?;
    let from = estimate_key(&set.name, e);
    Some(Tightest {
        upper: Sourced {
            estimate: e.upper,
            from: from.clone(),
        },
        lower: Sourced {
            estimate: e.lower,
            from,
        },
    })
}

fn soft_estimates(
    file: &SoftLabelFile,
    groups: &[Group],
    options: &BayesOptions,
) -> Result<SoftLabelEstimates, BayesError> {
    let s = &file.labels;
    let stats_err = |what: &str| {
        let what = format!("{}: {what}", file.path.display());
        move |source| BayesError::Stats { what, source }
    };
    let mut binary = Vec::new();
    for (name, positive) in groups {
        let mask: Vec<bool> = (0..s.classes()).map(|c| positive.contains(&c)).collect();
        let e = s
            .binary_error(&mask, options.confidence)
            .map_err(stats_err(name))?;
        binary.push(BinarySoftLabel {
            name: name.clone(),
            positive: positive.clone(),
            estimate: Interval {
                value: e.value,
                low: e.low,
                high: e.high,
            },
        });
    }
    let p = s
        .plugin_disagreement(options.confidence)
        .map_err(stats_err("plug-in"))?;
    let majority = s.majority_counts();
    Ok(SoftLabelEstimates {
        path: file.path.display().to_string(),
        kind: file.kind.to_owned(),
        n: s.n(),
        annotations: s
            .annotations()
            .map(|a| a.iter().sum::<f64>().round() as u64),
        majority_per_class: majority,
        binary,
        plugin_disagreement: Interval {
            value: p.value,
            low: p.low,
            high: p.high,
        },
    })
}

#[allow(clippy::too_many_arguments)]
fn sweep(
    prepared: &[Prepared<'_>],
    sets: &[FeatureSet],
    tightest: &Option<Tightest>,
    classes: usize,
    options: &BayesOptions,
    plan: &EstimatorPlan,
    progress: &dyn Progress,
) -> Result<NoiseSweep, BayesError> {
    let (sota, source) = match (options.sota_error, tightest) {
        (Some(s), _) => (s, "--sota-error".to_owned()),
        (None, Some(t)) => (
            t.upper.estimate.value,
            format!("the smallest upper estimate ({})", t.upper.from),
        ),
        (None, None) => (0.0, "none known: 0".to_owned()),
    };
    let quiet = EstimatorPlan {
        bootstrap: 0,
        ..plan.clone()
    };
    let mut levels = Vec::new();
    for (level, &rho) in options.noise_levels.iter().enumerate() {
        progress.note(&format!("noise sweep: ρ = {rho}"));
        let band = feasible_band(rho, classes, sota);
        let mut noisy_estimates = Vec::new();
        for (p, set) in prepared.iter().zip(sets) {
            let f = p.features;
            let seed = options.seed ^ (0x5EED_0000 + level as u64);
            let reference = with_label_noise(&f.reference.labels, classes, rho, seed);
            let queries = f
                .queries
                .as_ref()
                .map(|q| with_label_noise(&q.labels, classes, rho, seed ^ 0xFFFF));
            let labels = Labelling {
                reference: &reference,
                queries: queries.as_deref().unwrap_or(&reference),
            };
            for g in &p.geometries {
                for e in estimates(g, labels, classes, f.dim, &quiet)?.0 {
                    noisy_estimates.push(noisy(&set.name, &e, band));
                }
            }
        }
        levels.push(NoiseLevel {
            rho,
            band_low: band.0,
            band_high: band.1,
            estimates: noisy_estimates,
        });
    }
    let mut scores: Vec<NoiseScore> = Vec::new();
    if let Some(first) = levels.first() {
        for (i, e) in first.estimates.iter().enumerate() {
            let outside = |pick: fn(&NoisyEstimate) -> f64| -> f64 {
                levels
                    .iter()
                    .map(|l| {
                        distance_outside(pick(&l.estimates[i]), (l.band_low, l.band_high), classes)
                    })
                    .sum::<f64>()
                    / levels.len() as f64
            };
            scores.push(NoiseScore {
                from: e.from.clone(),
                upper: outside(|n| n.upper),
                lower: outside(|n| n.lower),
            });
        }
    }
    Ok(NoiseSweep {
        sota_error: sota,
        sota_source: source,
        levels,
        scores,
    })
}

fn noisy(set: &str, e: &BayesEstimate, band: (f64, f64)) -> NoisyEstimate {
    // Consistent with the band when the interval meets it: the point
    // estimate alone would leave the band by sampling noise.
    let inside = |i: &Interval| i.low <= band.1 + 1e-12 && i.high >= band.0 - 1e-12;
    NoisyEstimate {
        from: estimate_key(set, e),
        upper: e.upper.value,
        lower: e.lower.value,
        upper_inside: inside(&e.upper),
        lower_inside: inside(&e.lower),
    }
}
