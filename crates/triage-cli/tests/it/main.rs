//! Integration tests of the `triage` binary: real processes, real files.

mod datasets;
mod demo;
mod evaluate;
mod report;
mod train;
mod util;
