//! The dataset profile written by `triage profile DATA --json`: the one
//! definition in `triage-data` (next to the code that computes it), read
//! with its format and version checked (version 1 files are upgraded).

pub use triage_docs::profile::DatasetProfile as ProfileDoc;
