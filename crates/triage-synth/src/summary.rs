//! What a generation run wrote.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use triage_data::dataset::Split;

/// Image counts of one class in each split.
///
/// Without held-out splits ([`crate::SynthConfig::has_splits`] is
/// false) every image counts as `train`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ClassSplitCounts {
    /// Training images.
    pub train: usize,
    /// Validation images.
    pub val: usize,
    /// Test images.
    pub test: usize,
}

impl ClassSplitCounts {
    /// The count of `split`.
    pub fn get(&self, split: Split) -> usize {
        match split {
            Split::Train => self.train,
            Split::Val => self.val,
            Split::Test => self.test,
        }
    }

    /// The count over all splits.
    pub fn total(&self) -> usize {
        self.train + self.val + self.test
    }

    /// Count one more image in `split`.
    pub(crate) fn add(&mut self, split: Split) {
        match split {
            Split::Train => self.train += 1,
            Split::Val => self.val += 1,
            Split::Test => self.test += 1,
        }
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
