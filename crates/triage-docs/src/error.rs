//! Errors of reading a document and of checking a configuration.

use thiserror::Error;

/// A configuration value that cannot be used (a model spec, an optimizer,
/// a schedule, training settings).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {what}: {reason}")]
pub struct ConfigError {
    /// The setting, e.g. `"dropout"` or `"one-cycle max_lr"`.
    pub what: &'static str,
    /// Why it is invalid, with the value.
    pub reason: String,
}

impl ConfigError {
    /// A new error for setting `what`.
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        Self {
            what,
            reason: reason.into(),
        }
    }
}

/// A document that cannot be read.
#[derive(Debug, Error)]
pub enum DocError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("not a valid {what} document: {source}")]
    Json {
        /// The kind of document expected.
        what: &'static str,
        /// The parser's message (with line and column).
        source: serde_json::Error,
    },
    /// A document of another kind (its `format` key differs).
    #[error("expected a {expected} document, found format `{found}`")]
    WrongFormat {
        /// The expected `format`.
        expected: &'static str,
        /// The `format` found.
        found: String,
    },
    /// A version this build of triage does not know.
    #[error("{format} version {found} is newer than this triage reads (up to {supported}); upgrade triage")]
    NewerVersion {
        /// The document format.
        format: &'static str,
        /// The version found.
        found: u64,
        /// The newest version this build reads.
        supported: u32,
    },
    /// Well-formed JSON whose content is inconsistent.
    #[error("invalid {what} document: {reason}")]
    Invalid {
        /// The kind of document.
        what: &'static str,
        /// What is wrong, naming the key.
        reason: String,
    },
}
