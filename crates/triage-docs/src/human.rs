//! The human-labelling report (`triage label report --json`, format
//! `triage-human-labels`): how accurately people classified a blind
//! sample, how much they agree, and how they compare with a model on the
//! same items.
//!
//! Top-level keys: `format`, `version`, `dataset`, `sample`, `seed`,
//! `classes`, `annotators`, `pooled`, `majority`, `cohen`, `fleiss`,
//! `confusion`, `model`, `notes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a human-labelling report.
pub const HUMAN_FORMAT: &str = "triage-human-labels";
/// Version written by this build.
pub const HUMAN_VERSION: u32 = 2;

/// Default lowest attention-check pass rate kept (`--attention-min`).
pub const ATTENTION_MIN: f64 = 2.0 / 3.0;

/// A proportion with its Wilson interval (95 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Proportion {
    /// Successes.
    pub k: u64,
    /// Trials.
    pub n: u64,
    /// k / n.
    pub value: f64,
    /// Lower end of the Wilson interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// One annotator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnnotatorStats {
    /// The name they gave.
    pub name: String,
    /// Answers (undone ones excluded).
    pub answered: u64,
    /// Answers flagged "not sure".
    pub unsure: u64,
    /// Accuracy against the dataset's labels over the answers with a
    /// class (null without any).
    pub accuracy: Option<Proportion>,
    /// Median reaction time, ms.
    pub median_reaction_ms: u64,
    /// Attention checks: repeats answered the same as the first time, of
    /// the repeats answered with a class both times (null without any).
    #[serde(default)]
    pub attention: Option<Proportion>,
    /// Left out of every other figure: at least 2 attention checks and a
    /// pass rate below `attention_min`.
    #[serde(default)]
    pub excluded: bool,
}

/// Cohen's κ of two annotators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairKappa {
    /// First annotator.
    pub a: String,
    /// Second annotator.
    pub b: String,
    /// Items both gave a class.
    pub items: u64,
    /// κ (null when undefined or no shared item).
    pub kappa: Option<f64>,
}

/// Fleiss' κ over the items every annotator gave a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleissKappa {
    /// Items rated by all.
    pub items: u64,
    /// Raters.
    pub raters: u64,
    /// κ (null when undefined).
    pub kappa: Option<f64>,
}

/// Humans and a model on the same items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelComparison {
    /// The predictions file.
    pub predictions: String,
    /// Items with a majority answer and a prediction.
    pub items: u64,
    /// Majority-vote accuracy on them.
    pub human: Proportion,
    /// The model's accuracy on them.
    pub model: Proportion,
    /// Humans right, model wrong.
    pub human_only: u64,
    /// Model right, humans wrong.
    pub model_only: u64,
    /// McNemar's p-value (exact below 25 discordant items, else χ² with
    /// continuity correction).
    pub mcnemar_p: f64,
    /// Which test gave it (`exact` or `chi2`).
    pub mcnemar_method: String,
}

/// What people said of one item of a review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Label issues: the people's plurality class differs from the given
    /// label.
    LabelError,
    /// Label issues: the people's plurality class is the given label.
    LabelConfirmed,
    /// Pairs: the same photo.
    Same,
    /// Pairs: different photos.
    Different,
    /// No unique plurality answer (a tie, or "not sure" only).
    Undecided,
}

/// One reviewed item (or pair).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewItem {
    /// The item's id (for a pair, the first item).
    pub id: String,
    /// Pairs: the second item's id.
    pub other: Option<String>,
    /// Label issues: the dataset's label (never shown to the annotators).
    pub given: Option<String>,
    /// Answers per class (pairs: `different`, `same`).
    pub votes: Vec<u64>,
    /// Answers "not sure" without a class.
    pub unsure: u64,
    /// The verdict.
    pub verdict: Verdict,
    /// Label issues: the class people chose, when it is a label error.
    pub corrected: Option<String>,
}

/// A review queue's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Review {
    /// `label-issues` or `pairs`.
    pub kind: String,
    /// The file the queue was made from.
    pub file: String,
    /// Queue items with at least one answer.
    pub reviewed: u64,
    /// Queue items nobody answered yet.
    pub unreviewed: u64,
    /// Label errors confirmed (label issues) or pairs judged the same photo.
    pub confirmed: u64,
    /// Labels confirmed right, or pairs judged different photos.
    pub rejected: u64,
    /// Items without a unique plurality answer.
    pub undecided: u64,
    /// Every reviewed item, in queue order.
    pub items: Vec<ReviewItem>,
}

/// The human-labelling report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HumanLabelsDoc {
    /// Always `triage-human-labels`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The dataset sampled.
    pub dataset: String,
    /// Items in the sample.
    pub sample: u64,
    /// Seed of the sample.
    pub seed: u64,
    /// Class names.
    pub classes: Vec<String>,
    /// Items shown to every annotator (the overlap stratum); the others
    /// were shared out, one annotator each. Null: every annotator was
    /// shown the whole sample.
    #[serde(default)]
    pub overlap: Option<u64>,
    /// Attention checks (about 5 % repeats) were on.
    #[serde(default)]
    pub attention: bool,
    /// Lowest attention-check pass rate kept.
    #[serde(default = "attention_min")]
    pub attention_min: f64,
    /// Per annotator (excluded ones included, marked).
    pub annotators: Vec<AnnotatorStats>,
    /// Accuracy over every answer with a class, all annotators pooled
    /// (answers of one item are not independent: read the per-annotator
    /// and majority figures for inference).
    pub pooled: Option<Proportion>,
    /// Majority-vote accuracy over the items with a unique plurality
    /// answer.
    pub majority: Option<Proportion>,
    /// Items whose plurality answer is tied (left out of `majority`).
    pub majority_ties: u64,
    /// Cohen's κ per annotator pair.
    pub cohen: Vec<PairKappa>,
    /// Fleiss' κ, with 3 or more annotators.
    pub fleiss: Option<FleissKappa>,
    /// Rows: the dataset's label; columns: the answer (every answer with a
    /// class).
    pub confusion: Vec<Vec<u64>>,
    /// Share of answers flagged "not sure".
    pub unsure_rate: f64,
    /// Humans against a model, when a predictions file was given.
    pub model: Option<ModelComparison>,
    /// A review queue's outcome (then there is no accuracy: the items are
    /// suspects, not a random sample).
    #[serde(default)]
    pub review: Option<Review>,
    /// What is not measured, and why.
    pub notes: Vec<String>,
}

fn attention_min() -> f64 {
    ATTENTION_MIN
}

impl Document for HumanLabelsDoc {
    const FORMAT: &'static str = HUMAN_FORMAT;
    const VERSION: u32 = HUMAN_VERSION;
    const WHAT: &'static str = "human-labels";

    /// Version 1 (before the overlap stratum and attention checks) reads
    /// with every new key at its default.
    fn upgrade(value: &mut serde_json::Value) -> Result<(), DocError> {
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(1) => {
                value["version"] = serde_json::Value::from(HUMAN_VERSION);
                Ok(())
            }
            _ => Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!("no `version` (expected {HUMAN_VERSION})"),
            }),
        }
    }

    fn check(&self) -> Result<(), DocError> {
        let k = self.classes.len();
        if self.confusion.len() != k || self.confusion.iter().any(|r| r.len() != k) {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!("`confusion` is not {k} × {k}"),
            });
        }
        Ok(())
    }
}
