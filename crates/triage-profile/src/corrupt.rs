//! Corrupt files: images that failed to decode, and files the reader
//! skipped.

use triage_docs::profile::{CorruptFile, CorruptFiles};

use triage_data::dataset::Skipped;

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
