//! Errors of the neural-network crate.

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
}

impl NnError {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            what,
            reason: reason.into(),
        }
    }
}
