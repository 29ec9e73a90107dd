//! Errors of the report library.

use std::path::PathBuf;

/// What can go wrong while reading the inputs of a report or writing it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file could not be parsed as the document it should be.
    #[error("`{path}` is not a valid {what} document: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the file was expected to be ("evaluation", "run.json", …).
        what: &'static str,
        /// The parser's message.
        #[source]
        source: serde_json::Error,
    },
    /// A document that fails its format, version or consistency checks.
    #[error("`{path}`")]
    Doc {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        #[source]
        source: triage_docs::DocError,
    },
    /// A line of `log.jsonl` is not a valid epoch record.
    #[error("`{path}` line {line} is not a valid epoch record: {source}")]
    LogLine {
        /// The log file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        #[source]
        source: serde_json::Error,
    },
    /// A JSON input is neither a profile nor an evaluation document.
    #[error("`{path}` is neither a profile (`format` `triage-profile`) nor an evaluation (`format` `triage-evaluation`) document")]
    UnknownDocument {
        /// The file.
        path: PathBuf,
    },
    /// A directory given as input holds no `run.json`.
    #[error("`{path}` is a directory without `run.json`: not a training run directory")]
    NotARunDir {
        /// The directory.
        path: PathBuf,
    },
    /// A predictions file for the galleries could not be read.
    #[error("failed to read predictions `{path}`")]
    Predictions {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: triage_data::PredictionsError,
    },
    /// The predictions file does not match its evaluation.
    #[error("predictions `{path}` have classes {found:?} but the evaluation has {expected:?}")]
    PredictionsMismatch {
        /// The predictions file.
        path: PathBuf,
        /// The evaluation's classes.
        expected: Vec<String>,
        /// The predictions' classes.
        found: Vec<String>,
    },
    /// `--predictions` given without an evaluation to attach it to.
    #[error("{0}")]
    Usage(String),
}

impl ReportError {
    /// A hint for the user when the fix is known.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::UnknownDocument { .. } => Some(
                "give evaluation JSON written by `triage evaluate --predictions FILE --json`, profile JSON written by `triage profile DATA --json`, label issues written by `triage label-issues --predictions FILE --json`, or a run directory written by `triage train`",
            ),
            Self::NotARunDir { .. } => Some("a run directory holds run.json, log.jsonl and summary.json as `triage train` writes them"),
            Self::PredictionsMismatch { .. } => Some("pass the predictions file the evaluation was computed from"),
            Self::Predictions { source, .. } => source.hint(),
            _ => None,
        }
    }
}
