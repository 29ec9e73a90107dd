//! Errors of the synthetic dataset generator.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// A synthetic dataset that cannot be generated: an invalid configuration,
/// an unusable output directory or a failed write.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SynthError {
    /// A configuration field is out of range.
    #[error("invalid synth config: `{field}` {message}")]
    InvalidConfig {
        /// The field of [`crate::SynthConfig`].
        field: &'static str,
        /// What is wrong, with the value, e.g. "must be in 2..=26, got 30".
        message: String,
    },
    /// The output directory exists and is not empty.
    #[error("output directory `{}` is not empty: choose a new or empty directory", .path.display())]
    OutputNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// The output path exists and is not a directory.
    #[error("output path `{}` exists and is not a directory", .path.display())]
    OutputNotDirectory {
        /// The path.
        path: PathBuf,
    },
    /// A file or directory cannot be created, read or written.
    #[error("cannot write `{}`: {error}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        error: io::Error,
    },
    /// An image cannot be encoded (or, for the JPEG artefacts of
    /// [`crate::Domain::RealLike`], decoded again).
    #[error("cannot encode `{}`: {error}", .path.display())]
    Encode {
        /// The image file (the in-memory JPEG round trip names the sample,
        /// `<class>#<index>`).
        path: PathBuf,
        /// The codec's error.
        error: ::image::ImageError,
    },
    /// `synth.json` cannot be serialized.
    #[error("cannot serialize `{}`: {error}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The serializer's error.
        error: serde_json::Error,
    },
}

impl From<triage_docs::ConfigError> for SynthError {
    fn from(e: triage_docs::ConfigError) -> Self {
        SynthError::InvalidConfig {
            field: e.what,
            message: e.reason,
        }
    }
}

impl SynthError {
    /// An [`SynthError::Io`] about `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, error: io::Error) -> Self {
        SynthError::Io {
            path: path.into(),
            error,
        }
    }
}
