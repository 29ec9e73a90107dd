//! The label-issues document (`triage label-issues --json`, format
//! `triage-label-issues`): confident learning on a predictions file
//! (Northcutt, Jiang & Chuang 2021), as `triage_stats::label_issues`
//! computes it.
//!
//! Top-level keys: `format`, `version`, `source`, `n`, `classes`,
//! `settings`, `in_sample`, `label_counts`, `thresholds`,
//! `confident_joint`, `noise_matrix`, `inverse_noise_matrix`,
//! `true_label_prior`, `num_label_issues`, `num_label_issues_calibrated`,
//! `issues` (the count), `listed` (the worst first, capped).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a label-issues document.
pub const LABEL_ISSUES_FORMAT: &str = "triage-label-issues";
/// Version written by this build.
pub const LABEL_ISSUES_VERSION: u32 = 1;

/// The settings the issues were found with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelIssuesUsed {
    /// cleanlab's `filter_by` (`prune_by_noise_rate`, …).
    pub filter_by: String,
    /// cleanlab's `rank_by` (`self_confidence` or `normalized_margin`).
    pub rank_by: String,
    /// cleanlab's `frac_noise`.
    pub frac_noise: f64,
    /// cleanlab's `min_examples_per_class`.
    pub min_examples_per_class: usize,
}

/// Why the predictions may be in-sample (the model saw these items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InSample {
    /// The run whose model predicted (from `predict.json`).
    pub run: String,
    /// What was found, in words.
    pub reason: String,
}

/// One suspected label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelIssue {
    /// 1 for the worst.
    pub rank: usize,
    /// Row in the predictions file (0-based, header not counted).
    pub row: usize,
    /// The item's id.
    pub id: String,
    /// The given label (index into `classes`).
    pub given: usize,
    /// The suggested label: the model's first argmax.
    pub suggested: usize,
    /// Predicted probability of the given label.
    pub self_confidence: f64,
    /// `(p_given − max_{c≠given} p_c + 1) / 2`.
    pub normalized_margin: f64,
}

/// The label-issues document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelIssuesDoc {
    /// Always [`LABEL_ISSUES_FORMAT`].
    pub format: String,
    /// [`LABEL_ISSUES_VERSION`].
    pub version: u32,
    /// The predictions file.
    pub source: String,
    /// Examples.
    pub n: usize,
    /// Class names.
    pub classes: Vec<String>,
    /// The settings used.
    pub settings: LabelIssuesUsed,
    /// Set when the predictions are probably in-sample, which makes the
    /// method find too few issues (the model memorised the wrong labels).
    pub in_sample: Option<InSample>,
    /// Examples given each label.
    pub label_counts: Vec<usize>,
    /// Per-class thresholds (mean self-confidence of the class).
    pub thresholds: Vec<f64>,
    /// Calibrated confident joint `[given][true]`.
    pub confident_joint: Vec<Vec<usize>>,
    /// `P(given = i | true = j)` as `[given][true]`.
    pub noise_matrix: Vec<Vec<f64>>,
    /// `P(true = j | given = i)` as `[true][given]`.
    pub inverse_noise_matrix: Vec<Vec<f64>>,
    /// Estimated prior of the true labels.
    pub true_label_prior: Vec<f64>,
    /// cleanlab's `num_label_issues()` (off-diagonal estimate).
    pub num_label_issues: usize,
    /// cleanlab's calibrated off-diagonal estimate.
    pub num_label_issues_calibrated: usize,
    /// Examples flagged by the filter.
    pub issues: usize,
    /// The flagged examples, worst first, at most `--max-listed`.
    pub listed: Vec<LabelIssue>,
}

impl Document for LabelIssuesDoc {
    const FORMAT: &'static str = LABEL_ISSUES_FORMAT;
    const VERSION: u32 = LABEL_ISSUES_VERSION;
    const WHAT: &'static str = "label issues";

    fn check(&self) -> Result<(), DocError> {
        let k = self.classes.len();
        let bad = |reason: String| {
            Err(DocError::Invalid {
                what: Self::WHAT,
                reason,
            })
        };
        for (key, len) in [
            ("label_counts", self.label_counts.len()),
            ("thresholds", self.thresholds.len()),
            ("confident_joint", self.confident_joint.len()),
            ("noise_matrix", self.noise_matrix.len()),
            ("true_label_prior", self.true_label_prior.len()),
        ] {
            if len != k {
                return bad(format!("`{key}` has {len} entries for {k} classes"));
            }
        }
        if let Some(issue) = self
            .listed
            .iter()
            .find(|i| i.given >= k || i.suggested >= k || i.row >= self.n)
        {
            return bad(format!(
                "listed issue of row {} names a class or row out of range",
                issue.row
            ));
        }
        Ok(())
    }
}
