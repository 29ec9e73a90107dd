//! Why a model could not be linted.

use std::path::PathBuf;

use thiserror::Error;

/// Why a model could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LintError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Larger than the limit: not loaded.
    #[error("`{path}` is {bytes} bytes, above the limit of {limit} bytes: not loaded")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a model file of a known kind.
    #[error("`{path}` is not {expected}: {reason}")]
    NotAModel {
        /// The file.
        path: PathBuf,
        /// What it should have been.
        expected: &'static str,
        /// What was found.
        reason: String,
    },
    /// The layers do not form a usable graph.
    #[error("`{path}`: {reason}")]
    Graph {
        /// The file.
        path: PathBuf,
        /// What is wrong (a cycle, a dangling input, a duplicate name).
        reason: String,
    },
}

impl LintError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            LintError::TooLarge { .. } => {
                "export the model without its weights (the lint needs only the graph and the weight shapes), or raise --max-bytes"
            }
            LintError::NotAModel { .. } => {
                "give an ONNX file (torch.onnx.export, tf2onnx), a Keras 3 `.keras` file, Keras `model.to_json()` output, or a triage run directory"
            }
            _ => return None,
        })
    }
}
