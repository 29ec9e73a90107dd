//! The architecture and training-setup lint (`triage lint --json`, format
//! `triage-lint`): the model's layer table with shapes, parameters and
//! multiply-accumulates, its receptive field and stage profile, and the
//! findings an expert reviewer would raise, each with its evidence, fix
//! and reference.
//!
//! Top-level keys: `format`, `version`, `source`, `model_format`, `input`,
//! `layers`, `totals`, `stages`, `setup`, `findings`, `unknown_ops`,
//! `notes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::severity::Severity;
use crate::{DocError, Document};

/// `format` of a lint document.
pub const LINT_FORMAT: &str = "triage-lint";
/// Version written by this build.
pub const LINT_VERSION: u32 = 1;

/// A tensor shape as the lint infers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShapeDoc {
    /// A feature map, channels × height × width.
    Map {
        /// Channels.
        c: u64,
        /// Height.
        h: u64,
        /// Width.
        w: u64,
    },
    /// A vector of features.
    Vector {
        /// Length.
        n: u64,
    },
    /// Not inferred (an unknown operator upstream, or no input shape).
    Unknown,
}

/// One layer of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LayerDoc {
    /// The layer's name in the model file.
    pub name: String,
    /// Its type, in triage's words (`conv 3×3/2`, `batchnorm`, `dropout 0.3`).
    pub kind: String,
    /// Output shape.
    pub shape: ShapeDoc,
    /// Trainable parameters.
    pub params: u64,
    /// Multiply-accumulates per image.
    pub macs: u64,
    /// Receptive field on the input, pixels (spatial layers).
    pub receptive_field: Option<u64>,
    /// Stage: how many spatial down-samplings precede the layer.
    pub stage: u64,
}

/// Totals of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Trainable parameters.
    pub params: u64,
    /// Multiply-accumulates per image.
    pub macs: u64,
    /// Weight layers (convolutions and dense layers) on the longest path.
    pub depth: u64,
    /// Receptive field of the last feature map before the head, pixels.
    pub receptive_field: Option<u64>,
    /// Parameters of the dense layers.
    pub dense_params: u64,
}

/// One stage (between two spatial down-samplings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageDoc {
    /// Stage index (0: before the first down-sampling).
    pub stage: u64,
    /// Channels at the stage's end.
    pub channels: Option<u64>,
    /// Spatial size (height × width) in the stage.
    pub size: Option<(u64, u64)>,
    /// Multiply-accumulates of the stage's layers.
    pub macs: u64,
}

/// A training setup as the lint read it (any field may be unknown).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SetupDoc {
    /// Where it came from (`run.json`, a Keras `compile_config`, flags).
    pub from: Vec<String>,
    /// Optimizer name, lower case (`sgd`, `adam`, `adamw`, `adadelta`, …).
    pub optimizer: Option<String>,
    /// Momentum (SGD).
    pub momentum: Option<f64>,
    /// Nesterov momentum.
    pub nesterov: Option<bool>,
    /// Weight decay.
    pub weight_decay: Option<f64>,
    /// Weight decay is decoupled from the gradient (AdamW).
    pub decoupled_decay: Option<bool>,
    /// Learning-rate schedule (`constant`, `cosine`, `onecycle`, `step`, …).
    pub schedule: Option<String>,
    /// Batch size.
    pub batch_size: Option<u64>,
    /// What the best epoch is chosen on (`loss`, `accuracy`, `last`).
    pub select: Option<String>,
    /// Training data shuffled every epoch.
    pub shuffle: Option<bool>,
    /// How the validation set is cut (`tail`, `random`, `stratified`,
    /// `given`).
    pub validation_split: Option<String>,
    /// The loss takes logits (applies the softmax itself).
    pub loss_from_logits: Option<bool>,
    /// An L2 penalty is added to the loss (Keras `kernel_regularizer`),
    /// which adaptive optimizers rescale per weight.
    pub l2_in_loss: Option<bool>,
}

/// A finding of the lint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LintFinding {
    /// Rule id (kebab-case, stable).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// One-line statement.
    pub title: String,
    /// Why it matters.
    pub explanation: String,
    /// What in the model or setup shows it (layer names, numbers).
    pub evidence: String,
    /// What to change.
    pub fix: String,
    /// Where the rule comes from.
    pub reference: String,
}

/// An operator the lint does not understand (skipped; the lint went on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnknownOp {
    /// Operator or layer class.
    pub op: String,
    /// How many nodes.
    pub count: u64,
}

/// The lint document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LintDoc {
    /// Always `triage-lint`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The model file (or run directory) linted.
    pub source: String,
    /// `onnx`, `keras`, `keras-json` or `triage-spec`.
    pub model_format: String,
    /// Input shape (channels, height, width), if known.
    pub input: Option<(u64, u64, u64)>,
    /// Every layer, in topological order.
    pub layers: Vec<LayerDoc>,
    /// Totals.
    pub totals: Totals,
    /// Per stage: channels, size, multiply-accumulates.
    pub stages: Vec<StageDoc>,
    /// The training setup, when one was given.
    pub setup: Option<SetupDoc>,
    /// Findings, most severe first.
    pub findings: Vec<LintFinding>,
    /// Operators listed and skipped.
    pub unknown_ops: Vec<UnknownOp>,
    /// What the lint could not see, and why.
    pub notes: Vec<String>,
}

impl Document for LintDoc {
    const FORMAT: &'static str = LINT_FORMAT;
    const VERSION: u32 = LINT_VERSION;
    const WHAT: &'static str = "lint";

    fn check(&self) -> Result<(), DocError> {
        if self.findings.iter().any(|f| f.id.is_empty()) {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: "a finding without an `id`".to_owned(),
            });
        }
        Ok(())
    }
}
