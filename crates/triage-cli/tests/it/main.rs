//! Integration tests of the `triage` binary: real processes, real files.

mod bayes;
mod compare;
mod datasets;
mod demo;
mod evaluate;
mod hostile;
mod knn;
mod label;
mod label_issues;
mod label_queue;
mod legacy;
mod lint;
mod promises;
mod report;
mod schemas;
mod shift;
mod snapshots;
mod sweep;
mod train;
mod util;
