//! Integration tests of the `triage` binary: real processes, real files.

mod evaluate;
mod util;
