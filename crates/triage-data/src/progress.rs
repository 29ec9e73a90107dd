//! Progress of long library calls, reported to whoever draws it (the CLI
//! draws progress bars on stderr; the Python package, later, a notebook
//! bar). Libraries never print.

/// Messages and stages of steps. Every method defaults to doing nothing;
/// implementations must be callable from several threads at once.
pub trait Progress: Sync {
    /// A line worth telling the user (dataset size, cache state, skipped
    /// files).
    fn note(&self, message: &str) {
        let _ = message;
    }
    /// A stage of `len` steps begins (`"decode"`, `"profile"`).
    fn stage(&self, name: &str, len: u64) {
        let _ = (name, len);
    }
    /// One step of the current stage is done.
    fn step(&self) {}
    /// The current stage ended.
    fn done(&self) {}
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
