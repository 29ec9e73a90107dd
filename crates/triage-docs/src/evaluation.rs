//! The evaluation document: every metric of a predictions file, with its
//! uncertainty (`triage evaluate --json`, format `triage-evaluation`).
//!
//! Top-level keys: `format`, `version`, `n`, `classes`, `metrics`,
//! `undefined`, `ci`, `ci_method`, `accuracy_wilson`, `top_k_accuracy`,
//! `per_class`, `summary`, `leakage`, `confusion_matrix`, `roc_curves`, `pr_curves`,
//! `reliability`, `temperature`. Undefined metrics are `null`, with the
//! reason in `undefined`; the first ROC threshold (+∞) is written `null`.
//!
//! Version history: documents written before version 1 (triage 0.1.0's
//! `evaluate`) have no `format`, `version` or `summary`; they are read,
//! and `summary` is left out. Version 2 added the optional `leakage`
//! (`triage evaluate --profile`); version-1 documents are read as they are.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{stamp, DocError, Document};

/// `format` of an evaluation document.
pub const EVALUATION_FORMAT: &str = "triage-evaluation";
/// Version written by this build.
pub const EVALUATION_VERSION: u32 = 2;

macro_rules! metric_struct {
    ($(#[$meta:meta])* $name:ident, $t:ty, { $($(#[$fmeta:meta])* $field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: Option<$t>,)*
        }

        impl $name {
            /// Every key, in document order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The entry of `key`: `None` for an unknown key, `Some(None)`
            /// for a metric that is undefined or was not computed.
            pub fn get(&self, key: &str) -> Option<Option<$t>> {
                match key {
                    $(stringify!($field) => Some(self.$field),)*
                    _ => None,
                }
            }

            /// Set the entry of `key`; returns false for an unknown key.
            pub fn set(&mut self, key: &str, value: Option<$t>) -> bool {
                match key {
                    $(stringify!($field) => { self.$field = value; true })*
                    _ => false,
                }
            }

            /// `(key, value)` pairs in document order.
            pub fn entries(&self) -> Vec<(&'static str, Option<$t>)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

metric_struct!(
    /// The headline metrics (scikit-learn 1.9.1 definitions); `null` when
    /// undefined (see `undefined`).
    Metrics, f64, {
    /// Share of samples whose arg-max class is the label.
    accuracy,
    /// Mean recall over the classes present.
    balanced_accuracy,
    /// Mean negative log-likelihood (nats), probabilities clipped.
    log_loss,
    /// Multiclass Brier score: mean over samples of Σ_k (p_k − y_k)².
    brier,
    /// Top-label expected calibration error, 15 equal-width bins.
    ece,
    /// Top-label maximum calibration error.
    mce,
    /// One-vs-rest ROC AUC, unweighted mean over classes.
    roc_auc_ovr_macro,
    /// One-vs-rest ROC AUC, support-weighted mean.
    roc_auc_ovr_weighted,
    /// ROC AUC of all n·K (score, is-label) pairs.
    roc_auc_ovr_micro,
    /// One-vs-one ROC AUC (Hand & Till 2001), unweighted.
    roc_auc_ovo_macro,
    /// Average precision, unweighted mean over classes.
    average_precision_macro,
    /// Cohen's κ of predicted against true labels.
    cohen_kappa,
    /// Matthews correlation coefficient (multiclass).
    mcc,
    /// One-vs-one ROC AUC, prevalence-weighted.
    roc_auc_ovo_weighted,
    /// Average precision, support-weighted.
    average_precision_weighted,
    /// Average precision of all n·K pairs.
    average_precision_micro,
    /// ECE with 15 equal-mass bins.
    adaptive_ece,
    /// Class-wise ECE (mean over classes of the one-vs-rest ECE).
    classwise_ece,
});

metric_struct!(
    /// Percentile-bootstrap intervals `[low, high]` of the headline
    /// metrics that are resampled; `null` when not computed or undefined
    /// in too many resamples.
    Intervals, [f64; 2], {
    /// Accuracy.
    accuracy,
    /// Balanced accuracy.
    balanced_accuracy,
    /// Log loss.
    log_loss,
    /// Brier score.
    brier,
    /// ECE.
    ece,
    /// MCE.
    mce,
    /// OvR macro ROC AUC.
    roc_auc_ovr_macro,
    /// OvR weighted ROC AUC.
    roc_auc_ovr_weighted,
    /// OvR micro ROC AUC.
    roc_auc_ovr_micro,
    /// OvO macro ROC AUC.
    roc_auc_ovo_macro,
    /// Macro average precision.
    average_precision_macro,
    /// Cohen's κ.
    cohen_kappa,
    /// MCC.
    mcc,
});

/// The accuracy with and without the evaluated items that have a copy in
/// another split (`triage_stats::leakage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LeakageDoc {
    /// The profile whose `leaked_items` were used.
    pub profile: String,
    /// Leaked ids of the profile found among the predictions' ids.
    pub leaked: usize,
    /// Leaked ids of the profile not among the predictions (other splits).
    pub unmatched: usize,
    /// Accuracy on every item.
    pub accuracy: f64,
    /// Its Wilson interval.
    pub accuracy_wilson: [f64; 2],
    /// Accuracy without the leaked items.
    pub accuracy_clean: Option<f64>,
    /// Its Wilson interval.
    pub accuracy_clean_wilson: Option<[f64; 2]>,
    /// Accuracy on the leaked items alone.
    pub accuracy_leaked: Option<f64>,
    /// `accuracy − accuracy_clean` (accuracy units; × 100 for points).
    pub inflation: Option<f64>,
    /// Percentile-bootstrap interval of the inflation.
    pub inflation_ci: Option<[f64; 2]>,
    /// Bootstrap resamples in that interval.
    pub resamples: usize,
}

/// The whole evaluation. `Default` is an empty skeleton for builders and
/// tests; it does not pass [`Document::check`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EvaluationDoc {
    /// Always `triage-evaluation`.
    pub format: String,
    /// Document version (2).
    pub version: u32,
    /// Number of samples.
    pub n: usize,
    /// Class names, in column order.
    pub classes: Vec<String>,
    /// Headline metrics (null when undefined).
    pub metrics: Metrics,
    /// Why each null metric is undefined, by metric key.
    #[serde(default)]
    pub undefined: IndexMap<String, String>,
    /// Bootstrap percentile intervals per metric.
    #[serde(default)]
    pub ci: Intervals,
    /// How the intervals were made (`null` without bootstrap).
    #[serde(default)]
    pub ci_method: Option<CiMethod>,
    /// Wilson score interval of the accuracy.
    pub accuracy_wilson: [f64; 2],
    /// Top-k accuracy for k = 2, 3, 5 (where k < K), keyed by k.
    #[serde(default)]
    pub top_k_accuracy: BTreeMap<String, f64>,
    /// Per-class scores, in class order.
    pub per_class: Vec<ClassRow>,
    /// Averages over the classes that the report shows (version ≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ClassAverages>,
    /// What copies of training images cost this evaluation (version ≥ 2,
    /// with `triage evaluate --profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leakage: Option<LeakageDoc>,
    /// Confusion matrix, counts and normalised.
    pub confusion_matrix: ConfusionDoc,
    /// One-vs-rest ROC curves per class, and the micro-average curve.
    pub roc_curves: Curves<RocDoc>,
    /// One-vs-rest precision–recall curves per class, and micro.
    pub pr_curves: Curves<PrDoc>,
    /// Reliability diagram and calibration errors.
    pub reliability: ReliabilityDoc,
    /// Temperature scaling fitted on a calibration split (`null` when
    /// skipped).
    #[serde(default)]
    pub temperature: Option<TemperatureDoc>,
}

impl EvaluationDoc {
    /// A metric's value, if known and defined.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics.get(key).flatten()
    }

    /// A metric's interval: the bootstrap interval, or for the accuracy
    /// the Wilson interval when there is no bootstrap.
    pub fn interval(&self, key: &str) -> Option<[f64; 2]> {
        match (self.ci.get(key).flatten(), key) {
            (None, "accuracy") => Some(self.accuracy_wilson),
            (b, _) => b,
        }
    }

    /// Confidence level of the intervals (0.95 when no bootstrap ran).
    pub fn confidence(&self) -> f64 {
        self.ci_method.as_ref().map_or(0.95, |m| m.confidence)
    }
}

/// Bootstrap description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CiMethod {
    /// Always `percentile bootstrap`.
    pub method: String,
    /// Number of resamples B.
    pub n_resamples: usize,
    /// Seed of the resamples.
    pub seed: u64,
    /// Confidence level.
    pub confidence: f64,
    /// Resamples in which each metric was defined.
    #[serde(default)]
    pub valid_resamples: IndexMap<String, usize>,
}

/// Scores of one class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassRow {
    /// Class name.
    pub class: String,
    /// Number of samples of the class.
    pub support: u64,
    /// Precision (null if never predicted).
    pub precision: Option<f64>,
    /// Recall (null if absent).
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
    /// One-vs-rest ROC AUC.
    pub roc_auc: Option<f64>,
    /// One-vs-rest average precision.
    pub average_precision: Option<f64>,
    /// Wilson score interval of the recall (the accuracy on the class),
    /// at the document's confidence level; null for an absent class
    /// (version ≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_wilson: Option<[f64; 2]>,
    /// Wilson score interval of the precision; null when the class is
    /// never predicted (version ≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_wilson: Option<[f64; 2]>,
}

/// Averages over the classes (version ≥ 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassAverages {
    /// Unweighted mean F1 over the classes (scikit-learn `f1_score(...,
    /// average="macro")`: an undefined class F1 counts as 0).
    pub f1_macro: Option<f64>,
    /// Macro-averaged ROC curve: every class's exact one-vs-rest curve
    /// interpolated on the union of their false-positive rates, the true
    /// positive rates averaged (as scikit-learn's documentation example
    /// builds it). Computed from the unthinned curves, then thinned.
    pub roc_macro: Option<MacroRoc>,
}

/// The macro-average ROC curve, over the classes whose curve is defined
/// (a class absent from the labels has none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MacroRoc {
    /// Area under the averaged curve (trapezoids).
    pub auc: f64,
    /// False positive rates, increasing from 0 to 1.
    pub fpr: Vec<f64>,
    /// Mean true positive rates.
    pub tpr: Vec<f64>,
}

/// Confusion matrix (rows = true class, columns = predicted class).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfusionDoc {
    /// Class names of rows and columns.
    pub labels: Vec<String>,
    /// Counts.
    pub counts: Vec<Vec<u64>>,
    /// Each row divided by its sum (null for an empty row).
    pub normalized_true: Vec<Vec<Option<f64>>>,
    /// Each column divided by its sum.
    pub normalized_pred: Vec<Vec<Option<f64>>>,
    /// Divided by n.
    pub normalized_all: Vec<Vec<Option<f64>>>,
}

/// Per-class curves plus an overall one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Curves<T> {
    /// Whether curves were thinned to `--max-curve-points`.
    #[serde(default)]
    pub thinned: bool,
    /// One curve per class.
    pub per_class: Vec<T>,
    /// The micro-average curve (all n·K entries), if computed.
    pub micro: Option<T>,
}

/// A ROC curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RocDoc {
    /// Class name (or `micro`).
    pub class: String,
    /// AUC (exact, computed before any thinning).
    pub auc: Option<f64>,
    /// False positive rates (null where undefined: no negatives).
    #[serde(with = "crate::float::nan_vec")]
    #[schemars(with = "Vec<Option<f64>>")]
    pub fpr: Vec<f64>,
    /// True positive rates (null where undefined: a class without
    /// positives).
    #[serde(with = "crate::float::nan_vec")]
    #[schemars(with = "Vec<Option<f64>>")]
    pub tpr: Vec<f64>,
    /// Thresholds, decreasing; the first, +∞, is written as null.
    #[serde(with = "crate::float::thresholds")]
    #[schemars(with = "Vec<Option<f64>>")]
    pub thresholds: Vec<f64>,
}

/// A precision–recall curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PrDoc {
    /// Class name (or `micro`).
    pub class: String,
    /// Average precision.
    pub average_precision: Option<f64>,
    /// Precision (null where undefined).
    #[serde(with = "crate::float::nan_vec")]
    #[schemars(with = "Vec<Option<f64>>")]
    pub precision: Vec<f64>,
    /// Recall (null where undefined: a class without positives).
    #[serde(with = "crate::float::nan_vec")]
    #[schemars(with = "Vec<Option<f64>>")]
    pub recall: Vec<f64>,
    /// Thresholds (one fewer than points).
    pub thresholds: Vec<f64>,
}

/// One bin (lower, upper] of a reliability diagram.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReliabilityBin {
    /// Lower edge (exclusive, except 0 for the first bin).
    pub lower: f64,
    /// Upper edge (inclusive).
    pub upper: f64,
    /// (Weighted) number of samples in the bin.
    pub count: f64,
    /// Mean confidence in the bin; null if empty.
    pub confidence: Option<f64>,
    /// Accuracy in the bin; null if empty.
    pub accuracy: Option<f64>,
}

/// Reliability diagram.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReliabilityDoc {
    /// Number of equal-width bins.
    pub n_bins: usize,
    /// Top-label ECE.
    pub ece: f64,
    /// Top-label MCE.
    pub mce: f64,
    /// Equal-mass ECE.
    pub adaptive_ece: f64,
    /// Class-wise ECE.
    pub classwise_ece: f64,
    /// The bins.
    pub bins: Vec<ReliabilityBin>,
}

/// Temperature scaling result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TemperatureDoc {
    /// Fitted temperature T (probabilities ∝ p^(1/T)).
    pub temperature: f64,
    /// Whether T hit the edge of its search range.
    pub at_bound: bool,
    /// Share of samples used for fitting.
    pub calibrate_fraction: f64,
    /// Samples used for fitting.
    pub n_fit: usize,
    /// Held-out samples on which before/after are measured.
    pub n_eval: usize,
    /// Metrics on the held-out samples before scaling.
    pub before: CalibrationMetrics,
    /// Metrics on the held-out samples after scaling.
    pub after: CalibrationMetrics,
    /// Reliability bins after scaling (held-out samples).
    pub bins_after: Vec<ReliabilityBin>,
    /// Reliability bins before scaling (held-out samples).
    pub bins_before: Vec<ReliabilityBin>,
}

/// Metrics that temperature scaling changes (accuracy for reference).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CalibrationMetrics {
    /// Accuracy (unchanged by scaling).
    pub accuracy: f64,
    /// Log loss.
    pub log_loss: f64,
    /// Brier score.
    pub brier: f64,
    /// Top-label ECE.
    pub ece: f64,
    /// Top-label MCE.
    pub mce: f64,
}

impl Document for EvaluationDoc {
    const FORMAT: &'static str = EVALUATION_FORMAT;
    const VERSION: u32 = EVALUATION_VERSION;
    const WHAT: &'static str = "evaluation";

    /// Version 0 (no `format`/`version`, triage 0.1.0) has the same keys
    /// without `summary` and `recall_wilson`: stamped and read as is.
    fn upgrade(value: &mut Value) -> Result<(), DocError> {
        // Version 1 lacks only the optional `leakage`.
        if value.get("format").and_then(Value::as_str) == Some(EVALUATION_FORMAT)
            && value.get("version").and_then(Value::as_u64) == Some(1)
        {
            stamp(value, EVALUATION_FORMAT, EVALUATION_VERSION);
            return Ok(());
        }
        let legacy = value.get("format").is_none()
            && value.get("metrics").is_some()
            && value.get("classes").is_some();
        if !legacy {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!(
                    "unsupported version {}; expected {EVALUATION_VERSION}",
                    value.get("version").unwrap_or(&Value::Null)
                ),
            });
        }
        stamp(value, EVALUATION_FORMAT, EVALUATION_VERSION);
        Ok(())
    }

    fn check(&self) -> Result<(), DocError> {
        let k = self.classes.len();
        let bad = |reason: String| {
            Err(DocError::Invalid {
                what: Self::WHAT,
                reason,
            })
        };
        if k < 2 {
            return bad(format!("`classes` has {k} entries; at least 2 are needed"));
        }
        for (key, v) in self.metrics.entries() {
            if let Some(v) = v {
                if !v.is_finite() {
                    return bad(format!("`metrics.{key}` is {v}"));
                }
                let bounded = !matches!(key, "log_loss" | "cohen_kappa" | "mcc" | "brier");
                if bounded && !(0.0..=1.0).contains(&v) {
                    return bad(format!("`metrics.{key}` = {v} lies outside [0, 1]"));
                }
            }
        }
        let cm = &self.confusion_matrix;
        let square = |name: &str, rows: usize, lens: &mut dyn Iterator<Item = usize>| {
            if rows != k {
                return bad(format!(
                    "`confusion_matrix.{name}` has {rows} rows for {k} classes"
                ));
            }
            if let Some((i, len)) = lens.enumerate().find(|&(_, l)| l != k) {
                return bad(format!(
                    "`confusion_matrix.{name}` row {i} has {len} entries for {k} classes"
                ));
            }
            Ok(())
        };
        square(
            "counts",
            cm.counts.len(),
            &mut cm.counts.iter().map(Vec::len),
        )?;
        for (name, m) in [
            ("normalized_true", &cm.normalized_true),
            ("normalized_pred", &cm.normalized_pred),
            ("normalized_all", &cm.normalized_all),
        ] {
            square(name, m.len(), &mut m.iter().map(Vec::len))?;
        }
        let total = cm
            .counts
            .iter()
            .flatten()
            .try_fold(0u64, |acc, &c| acc.checked_add(c));
        let Some(total) = total else {
            return bad("`confusion_matrix.counts` sum beyond 2^64".to_string());
        };
        if total != self.n as u64 {
            return bad(format!(
                "`confusion_matrix.counts` sums to {total}, but `n` is {}",
                self.n
            ));
        }
        if self.per_class.len() != k {
            return bad(format!(
                "`per_class` has {} rows for {k} classes",
                self.per_class.len()
            ));
        }
        for (name, len) in [
            ("roc_curves.per_class", self.roc_curves.per_class.len()),
            ("pr_curves.per_class", self.pr_curves.per_class.len()),
        ] {
            if len != k && len != 0 {
                return bad(format!("`{name}` has {len} curves for {k} classes"));
            }
        }
        for c in &self.roc_curves.per_class {
            if c.fpr.len() != c.tpr.len() {
                return bad(format!(
                    "ROC curve of `{}`: {} fpr values but {} tpr values",
                    c.class,
                    c.fpr.len(),
                    c.tpr.len()
                ));
            }
        }
        for c in &self.pr_curves.per_class {
            if c.precision.len() != c.recall.len() {
                return bad(format!(
                    "PR curve of `{}`: {} precision values but {} recall values",
                    c.class,
                    c.precision.len(),
                    c.recall.len()
                ));
            }
        }
        let [lo, hi] = self.accuracy_wilson;
        if !(0.0..=1.0).contains(&lo) || !(lo..=1.0).contains(&hi) {
            return bad(format!(
                "`accuracy_wilson` [{lo}, {hi}] is not an interval in [0, 1]"
            ));
        }
        Ok(())
    }
}
