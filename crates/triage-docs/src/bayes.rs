//! The Bayes-error document (`triage bayes --json`, format
//! `triage-bayes`): how low the error of any classifier can go on this
//! data, estimated several ways, each with its interval and the
//! assumptions it rests on.
//!
//! Top-level keys: `format`, `version`, `classes`, `settings`,
//! `feature_sets` (k-NN family and GHP estimates per set of features:
//! raw pixels, each embeddings file), `tightest` (the smallest upper
//! estimate and the largest lower bound over feature sets), `soft_labels`
//! (Ishida et al.'s binary estimates and the multiclass plug-in),
//! `noise_sweep` (FeeBee's self-check) and `warnings`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a Bayes-error document.
pub const BAYES_FORMAT: &str = "triage-bayes";
/// Version written by this build.
pub const BAYES_VERSION: u32 = 1;

/// A value with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Interval {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the interval (at `settings.confidence`).
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// The settings the estimates ran with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BayesSettings {
    /// Confidence of every interval.
    pub confidence: f64,
    /// The k of the k-NN estimates (1 always; the others as asked).
    pub k: Vec<usize>,
    /// Distances used: `squared-euclidean`, `cosine`.
    pub metrics: Vec<String>,
    /// kNN-Extrapolate's model order (0: not run).
    pub extrapolate_order: usize,
    /// Points up to which GHP's spanning tree is exact; above, the MST of
    /// the k-NN graph is used (see the estimate's `note`).
    pub ghp_exact_max: usize,
    /// Bootstrap resamples of kNN-Extrapolate's interval.
    pub bootstrap: usize,
    /// Seed of every random choice (subsets, bootstrap, label noise).
    pub seed: u64,
    /// Items per class below which an estimate is flagged (`warnings`).
    pub min_per_class: usize,
}

/// Where a feature set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureKind {
    /// Raw pixels of a dataset, scaled to [0, 1].
    Pixels,
    /// An embeddings file (any framework).
    Embeddings,
}

/// How neighbours were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NeighbourMode {
    /// Each test item's neighbours among the training items.
    TrainTest,
    /// Each item's neighbours among the other items of one set.
    LeaveOneOut,
}

/// The estimator of an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Estimator {
    /// k-NN error (upper) and the Cover–Hart / Devroye bound (lower).
    Knn,
    /// 1NN-kNN: the 1-NN error estimated from k-neighbourhoods' class mix.
    #[serde(rename = "1nn-knn")]
    OneNnKnn,
    /// kNN-Extrapolate: the 1-NN error fitted over nested subsets and
    /// extrapolated to n → ∞.
    KnnExtrapolate,
    /// Generalised Henze–Penrose bounds from a minimum spanning tree.
    Ghp,
}

impl Estimator {
    /// Its name in the document and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Knn => "knn",
            Estimator::OneNnKnn => "1nn-knn",
            Estimator::KnnExtrapolate => "knn-extrapolate",
            Estimator::Ghp => "ghp",
        }
    }
}

/// One estimate: an upper estimate of the Bayes error and a lower bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BayesEstimate {
    /// The estimator.
    pub estimator: Estimator,
    /// The distance (`squared-euclidean` or `cosine`).
    pub metric: String,
    /// Neighbours (k-NN and 1NN-kNN; the graph's k for an approximate GHP).
    pub k: Option<usize>,
    /// The upper estimate with its interval.
    pub upper: Interval,
    /// The lower bound with its interval.
    pub lower: Interval,
    /// How the interval was computed (`wilson`, `t`, `bootstrap`, …).
    pub interval: String,
    /// What the estimate assumes or approximates, in words.
    pub note: Option<String>,
}

/// The estimates on one set of features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeatureSet {
    /// A short name (the file's stem, or `pixels`).
    pub name: String,
    /// Pixels or embeddings.
    pub kind: FeatureKind,
    /// The file or dataset read.
    pub path: String,
    /// The labels file of the query (test) items, when given: the
    /// predictions file whose evaluation the report compares with.
    #[serde(default)]
    pub query_labels: Option<String>,
    /// Values per item.
    pub dim: usize,
    /// For pixels: the size the images were measured at (`WxHxC`).
    pub size: Option<String>,
    /// Train → test or leave-one-out.
    pub mode: NeighbourMode,
    /// Reference (training) items per class.
    pub reference_per_class: Vec<usize>,
    /// Query (test) items per class (the reference set's own in
    /// leave-one-out).
    pub query_per_class: Vec<usize>,
    /// The estimates.
    pub estimates: Vec<BayesEstimate>,
    /// What was not estimated on this set, and why.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sourced {
    /// The value with its interval.
    pub estimate: Interval,
    /// `feature set / estimator / metric / k`.
    pub from: String,
}

/// The tightest bracket over feature sets (FeeBee's recipe: the minimum
/// over embeddings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tightest {
    /// The smallest upper estimate.
    pub upper: Sourced,
    /// The largest lower bound.
    pub lower: Sourced,
}

/// One binary task of the soft-label estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BinarySoftLabel {
    /// The task's name (`animals`, or the group as given).
    pub name: String,
    /// The positive classes (indices) against the rest.
    pub positive: Vec<usize>,
    /// mean(min(c, 1 − c)) with its t-interval.
    pub estimate: Interval,
}

/// The soft-label estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SoftLabelEstimates {
    /// The file read.
    pub path: String,
    /// `counts` or `probabilities`.
    pub kind: String,
    /// Items.
    pub n: usize,
    /// Annotations in all (counts only).
    pub annotations: Option<u64>,
    /// Items whose most common answer is each class.
    pub majority_per_class: Vec<usize>,
    /// Binary tasks (Ishida et al.), one per group given.
    pub binary: Vec<BinarySoftLabel>,
    /// mean(1 − max p): how often a random annotator disagrees with the
    /// item's most common answer. Human disagreement, not an error
    /// against the dataset's labels.
    pub plugin_disagreement: Interval,
}

/// One estimate at one noise level of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoisyEstimate {
    /// `feature set / estimator / metric / k`.
    pub from: String,
    /// The upper estimate on the noisy labels.
    pub upper: f64,
    /// The lower bound on the noisy labels.
    pub lower: f64,
    /// Whether the upper estimate's interval meets the feasible band.
    pub upper_inside: bool,
    /// Whether the lower bound's interval meets the feasible band.
    pub lower_inside: bool,
}

/// One noise level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoiseLevel {
    /// Share of labels replaced by uniformly random ones.
    pub rho: f64,
    /// ρ(C−1)/C.
    pub band_low: f64,
    /// SOTA + ρ((C−1)/C − SOTA).
    pub band_high: f64,
    /// Every estimate on the noisy labels.
    pub estimates: Vec<NoisyEstimate>,
}

/// An estimator's FeeBee score: mean distance outside the band over the
/// noise levels (0 is perfect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoiseScore {
    /// `feature set / estimator / metric / k`.
    pub from: String,
    /// Score of the upper estimate.
    pub upper: f64,
    /// Score of the lower bound.
    pub lower: f64,
}

/// FeeBee's self-check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoiseSweep {
    /// The best error known for the task (SOTA), the band's upper anchor.
    pub sota_error: f64,
    /// Where it came from (`--sota-error`, or the smallest upper estimate).
    pub sota_source: String,
    /// The noise levels.
    pub levels: Vec<NoiseLevel>,
    /// Scores per estimate.
    pub scores: Vec<NoiseScore>,
}

/// A warning about the estimates' validity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BayesWarning {
    /// Stable id (`few-per-class`, `approximate-mst`, …).
    pub kind: String,
    /// What is wrong and what it means.
    pub message: String,
}

/// The Bayes-error document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BayesDoc {
    /// Always `triage-bayes`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// Class names, in label order.
    pub classes: Vec<String>,
    /// The settings.
    pub settings: BayesSettings,
    /// Estimates per feature set.
    pub feature_sets: Vec<FeatureSet>,
    /// The tightest bracket over feature sets (none without features).
    pub tightest: Option<Tightest>,
    /// Soft-label estimates, when soft labels were given.
    pub soft_labels: Option<SoftLabelEstimates>,
    /// The noise sweep, when asked for.
    pub noise_sweep: Option<NoiseSweep>,
    /// Warnings.
    pub warnings: Vec<BayesWarning>,
}

impl Document for BayesDoc {
    const FORMAT: &'static str = BAYES_FORMAT;
    const VERSION: u32 = BAYES_VERSION;
    const WHAT: &'static str = "Bayes-error";

    fn check(&self) -> Result<(), DocError> {
        let bad = |reason: String| {
            Err(DocError::Invalid {
                what: Self::WHAT,
                reason,
            })
        };
        let k = self.classes.len();
        let in_unit = |i: &Interval| {
            [i.value, i.low, i.high]
                .iter()
                .all(|v| v.is_finite() && (-1e-12..=1.0 + 1e-12).contains(v))
        };
        for set in &self.feature_sets {
            if set.reference_per_class.len() != k || set.query_per_class.len() != k {
                return bad(format!(
                    "`feature_sets.{}` counts per class do not have {k} entries",
                    set.name
                ));
            }
            for e in &set.estimates {
                if !in_unit(&e.upper) || !in_unit(&e.lower) {
                    return bad(format!(
                        "`feature_sets.{}.{}` has a value outside [0, 1]",
                        set.name,
                        e.estimator.name()
                    ));
                }
            }
        }
        if let Some(s) = &self.soft_labels {
            if s.majority_per_class.len() != k {
                return bad(format!(
                    "`soft_labels.majority_per_class` does not have {k} entries"
                ));
            }
            if s.binary.iter().any(|b| b.positive.iter().any(|&c| c >= k)) {
                return bad("`soft_labels.binary` names a class out of range".to_owned());
            }
        }
        Ok(())
    }
}
