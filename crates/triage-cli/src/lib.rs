//! The library behind the `triage` binary: argument types, the commands and
//! the documents they print. `main.rs` only parses and dispatches.

#![deny(missing_docs)]

pub mod args;
pub mod bayes_args;
pub mod commands;
pub mod compare_args;
pub mod knn_args;
pub mod label_args;
pub mod lint_args;
pub mod shift_args;
pub mod stdout;
pub mod sweep_args;
pub mod train_args;
