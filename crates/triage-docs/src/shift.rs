//! The shift document (`triage shift --json`, format `triage-shift`):
//! whether deployment (target) data differ from training (source) data,
//! how, how much, and what the target's class priors probably are, as
//! `triage_stats::shift` computes them.
//!
//! Top-level keys: `format`, `version`, `source`, `target`, `settings`,
//! `notes`, `properties` (KS per image property), `mmd`, `c2st`, `bbsd`,
//! `label_shift`, `verdict`. A test that could not run on the inputs
//! given is `null`, with the reason in `notes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a shift document.
pub const SHIFT_FORMAT: &str = "triage-shift";
/// Version written by this build.
pub const SHIFT_VERSION: u32 = 1;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShiftSide {
    /// The path given (`--source` / `--target`).
    pub path: String,
    /// What it was read as: `dataset`, `predictions` or `embeddings`.
    pub kind: String,
    /// Items read.
    pub n: usize,
    /// Items used by the tests after the `max_per_side` subsample.
    pub used: usize,
    /// Predictions file read for this side, if any.
    pub predictions: Option<String>,
    /// Embeddings file read for this side, if any.
    pub embeddings: Option<String>,
}

/// The settings the tests ran with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShiftSettings {
    /// Significance level of every verdict.
    pub alpha: f64,
    /// The level each covariate test is judged at: `alpha` divided by the
    /// number of covariate tests that ran (Bonferroni over properties, MMD,
    /// classifier test and BBSD; BBSD halves it again over its KS and χ²
    /// parts). Label shift is its own question, judged at `alpha`.
    pub alpha_per_test: f64,
    /// Items per side at most (seeded subsample above).
    pub max_per_side: usize,
    /// MMD permutations.
    pub permutations: usize,
    /// Label-shift bootstrap resamples.
    pub bootstrap: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Images resized to this `WxH` before measuring (`--resize`).
    pub resize: Option<String>,
    /// Images converted to grey before measuring (`--grayscale`).
    pub grayscale: bool,
}

/// A histogram of one variable on both sides, over shared bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SharedHistogram {
    /// Bin edges (bins + 1, increasing).
    pub edges: Vec<f64>,
    /// Source counts per bin.
    pub source: Vec<u64>,
    /// Target counts per bin.
    pub target: Vec<u64>,
}

/// The KS test of one image property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PropertyTest {
    /// Property name (`brightness`, `noise`, …; the profile's definitions).
    pub property: String,
    /// Source median.
    pub source_median: f64,
    /// Target median.
    pub target_median: f64,
    /// KS statistic D.
    pub ks: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Bonferroni-adjusted p-value (× the number of properties tested).
    pub p_adjusted: f64,
    /// Wasserstein-1 distance, the property's units.
    pub wasserstein: f64,
    /// Standardised mean difference (target − source); `null` when both
    /// sides are constant.
    pub smd: Option<f64>,
    /// Shift at α after Bonferroni.
    pub shifted: bool,
    /// Overlaid histograms.
    pub histogram: SharedHistogram,
}

/// Image-property drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PropertyShift {
    /// One test per property, in the profile's order.
    pub tests: Vec<PropertyTest>,
    /// The shifted properties, largest |SMD| first.
    pub drifted: Vec<String>,
    /// The drift in plain words ("deployment images are blurrier and
    /// noisier"); `null` when nothing drifted.
    pub summary: Option<String>,
}

/// The MMD permutation test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MmdResult {
    /// What the points are (embeddings file, pixel thumbnails, softmax).
    pub representation: String,
    /// Their dimension.
    pub dims: usize,
    /// Source points.
    pub n_source: usize,
    /// Target points.
    pub n_target: usize,
    /// Unbiased MMD².
    pub mmd2: f64,
    /// Permutation p-value (1 + k)/(1 + B).
    pub p_value: f64,
    /// Kernel σ² (median heuristic).
    pub sigma2: f64,
    /// Permutations B.
    pub permutations: usize,
    /// Mean of the permuted MMD².
    pub null_mean: f64,
    /// 95th percentile of the permuted MMD².
    pub null_q95: f64,
    /// p < α.
    pub shifted: bool,
    /// Seconds the test took.
    pub seconds: f64,
}

/// An item of a C2ST gallery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoredItem {
    /// Item id (or row number).
    pub id: String,
    /// Held-out P(target).
    pub score: f64,
}

/// The classifier two-sample test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct C2stResult {
    /// What the classifier saw.
    pub representation: String,
    /// Points per side.
    pub per_side: usize,
    /// Held-out AUC.
    pub auc: f64,
    /// DeLong interval, low end.
    pub auc_low: f64,
    /// DeLong interval, high end.
    pub auc_high: f64,
    /// Held-out accuracy.
    pub accuracy: f64,
    /// One-sided binomial p-value of the accuracy against ½.
    pub p_value: f64,
    /// p < α.
    pub shifted: bool,
    /// Target items most unlike the source (highest P(target)).
    pub most_unlike: Vec<ScoredItem>,
    /// Source items most like the target.
    pub most_like: Vec<ScoredItem>,
}

/// KS of one softmax output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutputTest {
    /// Class name.
    pub class: String,
    /// KS statistic.
    pub ks: f64,
    /// p-value (unadjusted).
    pub p_value: f64,
}

/// Black-box shift detection on the model's outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BbsdResult {
    /// KS per softmax output.
    pub outputs: Vec<OutputTest>,
    /// Bonferroni-adjusted smallest p-value.
    pub ks_p_adjusted: f64,
    /// χ² on predicted-label counts.
    pub chi2: f64,
    /// Its degrees of freedom.
    pub chi2_dof: usize,
    /// Its p-value.
    pub chi2_p_value: f64,
    /// Cramér's V of the predicted-label table.
    pub cramers_v: f64,
    /// Predicted-label counts on the source.
    pub source_counts: Vec<u64>,
    /// Predicted-label counts on the target.
    pub target_counts: Vec<u64>,
    /// Either test below α (each at α/2).
    pub shifted: bool,
}

/// Label-shift estimation and correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelShiftResult {
    /// Class names.
    pub classes: Vec<String>,
    /// Source label frequencies.
    pub source_priors: Vec<f64>,
    /// BBSE's target priors; `null` when the confusion matrix is singular.
    pub bbse_priors: Option<Vec<f64>>,
    /// Their bootstrap intervals `[low, high]` per class.
    pub bbse_intervals: Option<Vec<[f64; 2]>>,
    /// σ_min of the source confusion matrix.
    pub sigma_min: Option<f64>,
    /// σ_min below a tenth of a perfect classifier's: BBSE is unreliable.
    pub sigma_min_small: bool,
    /// EM (MLLS + BCTS) target priors.
    pub em_priors: Vec<f64>,
    /// Their bootstrap intervals.
    pub em_intervals: Option<Vec<[f64; 2]>>,
    /// EM iterations.
    pub em_iterations: usize,
    /// BCTS β = 1/T.
    pub bcts_beta: f64,
    /// Likelihood-ratio statistic of "no label shift".
    pub lr_statistic: f64,
    /// Its degrees of freedom.
    pub lr_dof: usize,
    /// Its p-value.
    pub lr_p_value: f64,
    /// p < α.
    pub shifted: bool,
    /// Largest |q̂ − π| over classes (EM).
    pub max_prior_change: f64,
    /// Significant, but the largest prior change is too small to matter
    /// (below 0.01; see `triage_shift::NEGLIGIBLE_PRIOR`).
    pub negligible: bool,
    /// Expected target accuracy of the model as it is.
    pub expected_accuracy: f64,
    /// Expected target accuracy after the prior correction.
    pub expected_accuracy_adjusted: f64,
    /// Target label frequencies, when the target had labels.
    pub target_priors_observed: Option<Vec<f64>>,
    /// L1 error of EM's priors against them.
    pub em_l1_error: Option<f64>,
    /// L1 error of BBSE's priors against them.
    pub bbse_l1_error: Option<f64>,
    /// Accuracy on the labelled target as it is.
    pub accuracy_observed: Option<f64>,
    /// Accuracy on the labelled target after the correction.
    pub accuracy_adjusted_observed: Option<f64>,
    /// Where the corrected predictions were written (`--adjusted-out`).
    pub adjusted_predictions: Option<String>,
}

/// The overall answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShiftVerdict {
    /// Some covariate test fired.
    pub covariate_shift: bool,
    /// The label-shift test fired (`null`: not run).
    pub label_shift: Option<bool>,
    /// The tests that fired (`properties`, `mmd`, `c2st`, `bbsd`,
    /// `label_shift`).
    pub detected_by: Vec<String>,
    /// Tests that fired with a negligible effect (large n).
    pub negligible: Vec<String>,
    /// One sentence.
    pub summary: String,
}

/// The shift document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShiftDoc {
    /// Always [`SHIFT_FORMAT`].
    pub format: String,
    /// [`SHIFT_VERSION`].
    pub version: u32,
    /// The training side.
    pub source: ShiftSide,
    /// The deployment side.
    pub target: ShiftSide,
    /// Settings.
    pub settings: ShiftSettings,
    /// What was done to the inputs and why a test did not run.
    pub notes: Vec<String>,
    /// Image-property drift (datasets on both sides).
    pub properties: Option<PropertyShift>,
    /// MMD test.
    pub mmd: Option<MmdResult>,
    /// Classifier two-sample test.
    pub c2st: Option<C2stResult>,
    /// BBSD (predictions on both sides).
    pub bbsd: Option<BbsdResult>,
    /// Label shift (labelled source predictions and target predictions).
    pub label_shift: Option<LabelShiftResult>,
    /// The answer.
    pub verdict: ShiftVerdict,
}

impl Document for ShiftDoc {
    const FORMAT: &'static str = SHIFT_FORMAT;
    const VERSION: u32 = SHIFT_VERSION;
    const WHAT: &'static str = "shift";

    fn check(&self) -> Result<(), DocError> {
        let bad = |reason: String| {
            Err(DocError::Invalid {
                what: Self::WHAT,
                reason,
            })
        };
        if let Some(p) = &self.properties {
            for t in &p.tests {
                let h = &t.histogram;
                if h.edges.len() != h.source.len() + 1 || h.source.len() != h.target.len() {
                    return bad(format!(
                        "`properties.{}.histogram` has mismatched lengths",
                        t.property
                    ));
                }
            }
        }
        if let Some(l) = &self.label_shift {
            let k = l.classes.len();
            if l.source_priors.len() != k || l.em_priors.len() != k {
                return bad(format!("`label_shift` priors do not have {k} entries"));
            }
            if l.bbse_priors.as_ref().is_some_and(|p| p.len() != k) {
                return bad(format!(
                    "`label_shift.bbse_priors` does not have {k} entries"
                ));
            }
        }
        if let Some(b) = &self.bbsd {
            if b.source_counts.len() != b.target_counts.len()
                || b.outputs.len() != b.source_counts.len()
            {
                return bad("`bbsd` counts and outputs differ in length".into());
            }
        }
        Ok(())
    }
}
