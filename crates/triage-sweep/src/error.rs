//! What can go wrong with a plan, a task or the results of a sweep.

use std::path::PathBuf;

/// An error of the sweep library; every variant names the file and what to
/// do.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The plan file could not be read.
    #[error("cannot read the plan {}: {source}", path.display())]
    ReadPlan {
        /// The plan.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The plan is not valid TOML or has a key triage does not know.
    #[error("{}: {message}", path.display())]
    Plan {
        /// The plan.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// A file of the sweep's output folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output folder holds another plan's tasks, or a task's files
    /// disagree with the plan.
    #[error("{0}")]
    Conflict(String),
    /// The data could not be opened or does not suit the plan.
    #[error("{0}")]
    Data(String),
    /// A task's predictions could not be read or disagree with the
    /// others'.
    #[error("{0}")]
    Results(String),
}
