//! Integration tests of the predictions reader: files written to temporary
//! directories, plus numpy-made fixtures from `tests/fixtures`.

mod csv_input;
mod datasets;
mod embeddings_input;
mod npy_input;

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use triage_data::{read_predictions, Predictions, PredictionsError, ReadOptions};

/// A temporary directory for test files.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write `text` to `name` and return its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }
}

/// Read with default options.
fn read(path: &Path) -> Result<Predictions, PredictionsError> {
    read_predictions(path, &ReadOptions::default())
}

/// The error of a read that must fail, after checking that its message
/// names `path` and contains every one of `parts`.
fn read_err(path: &Path, opts: &ReadOptions, parts: &[&str]) -> PredictionsError {
    read_err_in(path, opts, path, parts)
}

/// As [`read_err`], for an error about another file than the one read.
fn read_err_in(path: &Path, opts: &ReadOptions, file: &Path, parts: &[&str]) -> PredictionsError {
    let err = read_predictions(path, opts).expect_err("the read must fail");
    let message = err.to_string();
    let file = file.display().to_string();
    assert!(
        message.contains(&file),
        "message {message:?} does not name {file}"
    );
    for part in parts {
        assert!(message.contains(part), "message {message:?} lacks {part:?}");
    }
    assert!(
        !message.ends_with('.'),
        "message {message:?} ends with a period"
    );
    err
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
