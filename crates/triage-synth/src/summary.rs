//! What a generation run wrote.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use triage_data::dataset::Split;
use triage_docs::synth::ClassSplitCounts;

/// Count one more image in `split`.
pub(crate) fn count_one(counts: &mut ClassSplitCounts, split: Split) {
    match split {
        Split::Train => counts.train += 1,
        Split::Val => counts.val += 1,
        Split::Test => counts.test += 1,
    }
}

/// The outcome of [`crate::generate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SynthSummary {
    /// Class names, in class order.
    pub classes: Vec<String>,
    /// Images per class (by the written, possibly noisy label: what the
    /// class folders hold) and split, indexed like `classes`.
    pub counts: Vec<ClassSplitCounts>,
    /// Images per class by the clean label (the figure drawn) and split;
    /// class k totals [`crate::SynthConfig::class_counts`]`()[k]`.
    pub clean_counts: Vec<ClassSplitCounts>,
    /// Number of images whose written label differs from the clean one.
    pub flipped: usize,
    /// The Bayes error of the written labels, ρ(K−1)/K
    /// ([`crate::SynthConfig::bayes_error`]).
    pub bayes_error: f64,
    /// Number of image files written (not counting `manifest.csv` and
    /// `synth.json`).
    pub files: usize,
}
