//! Corrupt files: images that failed to decode, and files the reader
//! skipped.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use triage_data::dataset::Skipped;

/// A file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorruptFile {
    /// The file (`file#index` for a record).
    pub path: String,
    /// Why, e.g. "zero-byte file" or the decoder's error.
    pub reason: String,
}

/// Files that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorruptFiles {
    /// `decode_failures + skipped`.
    pub count: usize,
    /// Items whose image failed to decode (they are left out of every
    /// pixel-based statistic, but counted in the class statistics).
    pub decode_failures: usize,
    /// Files or rows the dataset reader skipped (not items); files beside
    /// the class folders that are not images (`manifest.csv`, a README)
    /// are not counted.
    pub skipped: usize,
    /// Decode failures in file order, then skipped files; at most
    /// `max_listed`.
    pub files: Vec<CorruptFile>,
}

pub(crate) fn corrupt_files(
    failures: Vec<CorruptFile>,
    skipped: &[Skipped],
    max_listed: usize,
) -> CorruptFiles {
    let decode_failures = failures.len();
    let skipped: Vec<&Skipped> = skipped.iter().filter(|s| s.is_data_problem()).collect();
    let files = failures
        .into_iter()
        .chain(skipped.iter().map(|s| CorruptFile {
            path: s.path.clone(),
            reason: s.reason.clone(),
        }))
        .take(max_listed)
        .collect();
    CorruptFiles {
        count: decode_failures + skipped.len(),
        decode_failures,
        skipped: skipped.len(),
        files,
    }
}
