//! The comparison of models on the same items (`triage compare --json`,
//! format `triage-compare`): per pair of prediction files, McNemar's test,
//! paired bootstrap intervals of metric differences, DeLong's AUC test,
//! the items a difference of the observed size would need, and a verdict
//! in words; p-values Holm-corrected across pairs.
//!
//! Top-level keys: `format`, `version`, `files`, `items`, `classes`,
//! `alpha`, `resamples`, `seed`, `pairs`, `notes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a comparison document.
pub const COMPARE_FORMAT: &str = "triage-compare";
/// Version written by this build.
pub const COMPARE_VERSION: u32 = 1;

/// McNemar's test of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McNemarDoc {
    /// Items only the first model got right.
    pub only_a: u64,
    /// Items only the second got right.
    pub only_b: u64,
    /// Exact two-sided binomial p-value.
    pub p_exact: f64,
    /// Continuity-corrected χ² statistic.
    pub chi2: f64,
    /// Its p-value.
    pub p_chi2: f64,
    /// The p-value reported: exact below 25 discordant items, χ² above.
    pub p_value: f64,
    /// `exact` or `chi2`.
    pub method: String,
    /// `p_value` Holm-corrected across the pairs compared.
    pub p_holm: f64,
}

/// A metric of both models and the paired bootstrap interval of their
/// difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricDiffDoc {
    /// `accuracy`, `log_loss`, `brier`, `macro_auc` or `ece`.
    pub metric: String,
    /// The first model's value.
    pub a: f64,
    /// The second's.
    pub b: f64,
    /// a − b.
    pub diff: f64,
    /// Lower end of the interval of the difference (null when undefined).
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Higher is better (accuracy, AUC) or worse (the losses, ECE).
    pub higher_is_better: bool,
    /// Resamples where the metric was defined.
    pub valid_resamples: u64,
}

/// DeLong's test for one class (one-vs-rest; the positive class of a
/// binary problem).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeLongDoc {
    /// The class whose scores are compared.
    pub class: String,
    /// AUC of the first model.
    pub auc_a: f64,
    /// AUC of the second.
    pub auc_b: f64,
    /// Standard error of the difference.
    pub se: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Holm-corrected across the classes of the pair.
    pub p_holm: f64,
}

/// One pair of prediction files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairDoc {
    /// The first file's name.
    pub a: String,
    /// The second's.
    pub b: String,
    /// McNemar's test on correctness.
    pub mcnemar: McNemarDoc,
    /// Paired bootstrap differences.
    pub metrics: Vec<MetricDiffDoc>,
    /// DeLong's AUC tests (one for a binary problem, one per class
    /// otherwise).
    pub delong: Vec<DeLongDoc>,
    /// Test items McNemar's test would need to detect the observed
    /// accuracy difference (α, 80 % power); null when there is none.
    pub items_needed: Option<f64>,
    /// The difference is significant at `alpha` (Holm-corrected McNemar).
    pub significant: bool,
    /// The verdict in words.
    pub verdict: String,
}

/// The comparison document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CompareDoc {
    /// Always `triage-compare`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The prediction files as given (the demo: the runs' names).
    pub files: Vec<String>,
    /// Items every file covers.
    pub items: u64,
    /// Class names.
    pub classes: Vec<String>,
    /// Significance level.
    pub alpha: f64,
    /// Bootstrap resamples.
    pub resamples: u64,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Every pair, in the order given.
    pub pairs: Vec<PairDoc>,
    /// What to keep in mind.
    pub notes: Vec<String>,
}

impl Document for CompareDoc {
    const FORMAT: &'static str = COMPARE_FORMAT;
    const VERSION: u32 = COMPARE_VERSION;
    const WHAT: &'static str = "comparison";

    fn check(&self) -> Result<(), DocError> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!("`alpha` {} is not in (0, 1)", self.alpha),
            });
        }
        Ok(())
    }
}
