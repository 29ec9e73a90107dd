//! Errors of the neural-network crate.

use std::path::PathBuf;

use thiserror::Error;

/// A configuration or an input that training cannot work with.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum NnError {
    /// A hyperparameter is out of its valid range.
    #[error("invalid {what}: {reason}")]
    InvalidConfig {
        /// The hyperparameter, e.g. `"one-cycle max_lr"`.
        what: &'static str,
        /// Why it is invalid, with the value.
        reason: String,
    },
    /// Inputs that must have one entry per sample do not.
    #[error("{what} have different lengths: expected {expected}, got {got}")]
    LengthMismatch {
        /// What was compared.
        what: &'static str,
        /// The length of the first input.
        expected: usize,
        /// The length of the second input.
        got: usize,
    },
    /// A label is not a class index of the model.
    #[error("label {label} is out of range for a model with {num_classes} classes")]
    LabelOutOfRange {
        /// The offending label (the smallest or largest one).
        label: i64,
        /// Number of model outputs K; labels must lie in `0..K`.
        num_classes: usize,
    },
    /// No training samples.
    #[error("no training samples")]
    Empty,
    /// A tensor could not be read back from the device.
    #[error("failed to read a tensor back: {0}")]
    TensorRead(String),
    /// The training loss became NaN or infinite.
    #[error("training diverged: the loss is {loss} at epoch {epoch}, batch {batch}")]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// The non-finite loss.
        loss: f64,
    },
    /// The model's outputs on the validation set became NaN or infinite
    /// after an epoch whose training loss was still finite (the weights
    /// blew up in its last updates).
    #[error("training diverged: after epoch {epoch} the model's validation logits are not finite ({row_col})")]
    DivergedOnValidation {
        /// 1-based epoch.
        epoch: usize,
        /// Where the first non-finite value is, e.g. `row 0, column 3`.
        row_col: String,
    },
    /// A model's outputs (logits) hold NaN or infinite values.
    #[error("the model's logits are not finite: row {row}, column {col} is {value}")]
    NonFiniteLogits {
        /// 0-based sample.
        row: usize,
        /// 0-based class.
        col: usize,
        /// The value.
        value: f32,
    },
    /// A file of a run could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A checkpoint or run file is not what triage wrote.
    #[error("{path}: not a valid triage {what}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the file should be (`checkpoint`, `run.json`, ...).
        what: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// The images do not match what the model was trained on.
    #[error("images are {got:?} but the model was trained on {expected:?}")]
    ShapeMismatch {
        /// The model's input shape.
        expected: crate::model::InputShape,
        /// The images' shape.
        got: crate::model::InputShape,
    },
}

impl NnError {
    pub(crate) fn io(path: &std::path::Path, error: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            message: error.to_string(),
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            what,
            reason: reason.into(),
        }
    }
}

impl From<triage_docs::ConfigError> for NnError {
    fn from(e: triage_docs::ConfigError) -> Self {
        Self::InvalidConfig {
            what: e.what,
            reason: e.reason,
        }
    }
}
