//! The library behind the `triage` binary: argument types, the commands and
//! the documents they print. `main.rs` only parses and dispatches.

pub mod args;
pub mod commands;
pub mod evaluation;
pub mod image_data;
pub mod summary;
pub mod train_args;
