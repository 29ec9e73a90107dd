//! The evaluation document written by `triage evaluate --json`, read
//! leniently: every key but `classes` and `metrics` may be missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One evaluation document (see `crates/triage-cli/src/evaluation.rs`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EvaluationDoc {
    /// Number of samples.
    pub n: usize,
    /// Class names, in column order.
    pub classes: Vec<String>,
    /// Headline metrics; `None` when undefined.
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Percentile-bootstrap intervals `[low, high]` per metric.
    pub ci: BTreeMap<String, Option<[f64; 2]>>,
    /// How the intervals were made.
    pub ci_method: Option<CiMethod>,
    /// Wilson score interval of the accuracy.
    pub accuracy_wilson: Option<[f64; 2]>,
    /// Per-class scores.
    pub per_class: Vec<ClassRow>,
    /// Confusion matrix.
    pub confusion_matrix: Option<ConfusionDoc>,
    /// One-vs-rest ROC curves.
    pub roc_curves: Option<Curves<RocDoc>>,
    /// One-vs-rest precision–recall curves.
    pub pr_curves: Option<Curves<PrDoc>>,
    /// Reliability bins and calibration errors.
    pub reliability: Option<ReliabilityDoc>,
    /// Temperature scaling.
    pub temperature: Option<TemperatureDoc>,
}

impl EvaluationDoc {
    /// A metric's value, if present and defined.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics.get(key).copied().flatten()
    }

    /// A metric's interval, if present: the bootstrap interval, or for the
    /// accuracy the Wilson interval when there is no bootstrap.
    pub fn interval(&self, key: &str) -> Option<[f64; 2]> {
        let boot = self.ci.get(key).copied().flatten();
        match (boot, key) {
            (None, "accuracy") => self.accuracy_wilson,
            (b, _) => b,
        }
    }

    /// Confidence level of the intervals (0.95 when unknown).
    pub fn confidence(&self) -> f64 {
        self.ci_method.as_ref().map_or(0.95, |m| m.confidence)
    }
}

/// Bootstrap description.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CiMethod {
    /// Number of resamples.
    pub n_resamples: usize,
    /// Confidence level.
    pub confidence: f64,
}

/// Scores of one class.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClassRow {
    /// Class name.
    pub class: String,
    /// Samples of the class.
    pub support: u64,
    /// Precision.
    pub precision: Option<f64>,
    /// Recall.
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
    /// One-vs-rest ROC AUC.
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub average_precision: Option<f64>,
}

/// Confusion matrix (rows = true, columns = predicted).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConfusionDoc {
    /// Counts.
    pub counts: Vec<Vec<u64>>,
    /// Rows divided by their sums.
    pub normalized_true: Vec<Vec<Option<f64>>>,
}

/// Per-class curves and the micro average.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Curves<T> {
    /// One curve per class.
    pub per_class: Vec<T>,
    /// The micro-average curve.
    pub micro: Option<T>,
}

impl<T> Default for Curves<T> {
    fn default() -> Self {
        Self {
            per_class: Vec::new(),
            micro: None,
        }
    }
}

/// A ROC curve.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RocDoc {
    /// Class name or "micro".
    pub class: String,
    /// Area under the curve.
    pub auc: Option<f64>,
    /// False positive rates.
    pub fpr: Vec<f64>,
    /// True positive rates.
    pub tpr: Vec<f64>,
}

/// A precision–recall curve.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PrDoc {
    /// Class name or "micro".
    pub class: String,
    /// Average precision.
    pub average_precision: Option<f64>,
    /// Precision.
    pub precision: Vec<f64>,
    /// Recall.
    pub recall: Vec<f64>,
}

/// Reliability diagram data.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReliabilityDoc {
    /// Top-label expected calibration error.
    pub ece: Option<f64>,
    /// Top-label maximum calibration error.
    pub mce: Option<f64>,
    /// Equal-width bins.
    pub bins: Vec<ReliabilityBin>,
}

/// One reliability bin (lower, upper].
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ReliabilityBin {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Samples in the bin.
    pub count: f64,
    /// Mean confidence; `None` if empty.
    pub confidence: Option<f64>,
    /// Accuracy; `None` if empty.
    pub accuracy: Option<f64>,
}

/// Temperature scaling, fitted on a calibration split.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TemperatureDoc {
    /// Fitted temperature T (probabilities ∝ p^(1/T)).
    pub temperature: f64,
    /// Samples used for fitting.
    pub n_fit: usize,
    /// Held-out samples for before/after.
    pub n_eval: usize,
    /// Held-out metrics before scaling.
    pub before: CalibrationMetrics,
    /// Held-out metrics after scaling.
    pub after: CalibrationMetrics,
    /// Held-out reliability bins before scaling.
    pub bins_before: Vec<ReliabilityBin>,
    /// Held-out reliability bins after scaling.
    pub bins_after: Vec<ReliabilityBin>,
}

/// Metrics that temperature scaling changes.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CalibrationMetrics {
    /// Accuracy (unchanged by scaling).
    pub accuracy: f64,
    /// Log loss (nats).
    pub log_loss: f64,
    /// Brier score.
    pub brier: f64,
    /// Expected calibration error.
    pub ece: f64,
    /// Maximum calibration error.
    pub mce: f64,
}
