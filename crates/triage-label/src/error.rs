//! Why a labelling session could not start or an answer was refused.

use std::path::PathBuf;

use thiserror::Error;

/// Why a labelling session could not start.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The dataset could not be opened.
    #[error("failed to open the dataset `{path}`")]
    Open {
        /// The path given.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: triage_data::dataset::DatasetError,
    },
    /// The database could not be opened or written.
    #[error("{path}: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database belongs to another dataset or sample.
    #[error("{db} was made for {theirs}, not for {ours}; use another --db, or the same dataset and settings")]
    OtherDataset {
        /// The database file.
        db: PathBuf,
        /// What the database holds.
        theirs: String,
        /// What was asked for.
        ours: String,
    },
    /// More items asked for than the dataset can give.
    #[error("--sample {asked} but {path} has {usable} decodable item(s)")]
    SampleTooLarge {
        /// The dataset.
        path: PathBuf,
        /// Items asked for.
        asked: usize,
        /// Items available.
        usable: usize,
    },
    /// A setting out of range.
    #[error("{name}: {reason}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A review queue's file is unusable, or names an item the dataset
    /// does not hold.
    #[error("{path}: {reason}")]
    Queue {
        /// The queue's document.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The address could not be bound (a port in use).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl LabelError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            LabelError::OtherDataset { .. } => {
                "a database records one dataset's sample; start a new one with another --db path"
            }
            LabelError::SampleTooLarge { .. } => "ask for fewer items with --sample",
            LabelError::Bind { .. } => "choose another port with --bind 127.0.0.1:PORT",
            LabelError::Queue { .. } => {
                "give the document `triage label-issues --json` or `triage profile --json` wrote for this dataset"
            }
            _ => return None,
        })
    }
}
