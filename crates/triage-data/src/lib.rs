//! Files and datasets for triage: everything that reads or writes outside
//! data, and nothing that judges it (the profile is `triage-profile`, the
//! synthetic generator `triage-synth`).
//!
//! | module | holds |
//! |---|---|
//! | [`predictions`] | predictions files (CSV, NPY, NPZ) and embeddings: read, validate, write; [`PredictionsError`] |
//! | [`dataset`] | dataset readers: image folders, CSV manifests, MNIST IDX, CIFAR batches |
//! | [`decode`], [`image`] | image decoding with decompression-bomb limits; the decoded image |
//! | [`cache`] | the decoded-image cache (memory-mapped, checksummed) |
//! | [`split`] | stratified, group-aware train/val/test splits written as a manifest |
//! | [`output`], [`output_folder`] | atomic writes, never over an input; triage replaces only files it wrote |
//! | [`bounded_read`] | readers of outside input that stop at a limit |
//! | [`memory`], [`progress`], [`escape`], [`checksum`], [`npy_write`] | memory checks, progress reporting, terminal escaping, BLAKE3 seals, `.npy` writing |
//!
//! Every diagnostic reads a *predictions file*: the true label and the
//! predicted class probabilities of each sample. [`read_predictions`] reads
//! and validates one, as CSV
//!
//! ```text
//! id,path,label,p_cat,p_dog,p_bird
//! a1,images/cat/0001.png,cat,0.91,0.06,0.03
//! ```
//!
//! or as numpy arrays (`labels.npy` + `probs.npy`, or one `.npz`), so that
//! predictions from PyTorch or any other framework can be diagnosed.
//!
//! ```
//! use triage_data::{read_predictions, ReadOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("predictions.csv");
//! std::fs::write(&path, "id,label,p_cat,p_dog\na,cat,0.9,0.1\nb,1,0.2,0.8\n")?;
//! let predictions = read_predictions(&path, &ReadOptions::default())?;
//! assert_eq!(predictions.classes, ["cat", "dog"]);
//! assert_eq!(predictions.labels, [0, 1]);
//! assert_eq!(predictions.proba.get(1, 1), 0.8);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

pub mod bounded_read;
pub mod cache;
pub mod checksum;
mod csv_lines;
pub mod dataset;
pub mod decode;
pub mod escape;
pub mod image;
pub mod memory;
pub mod npy_write;
pub mod output;
pub mod output_folder;
pub mod predictions;
pub mod progress;
pub mod split;

pub use predictions::error::{Location, PredictionsError};
pub use predictions::{
    read_predictions, write_predictions_csv, PredictionRow, Predictions, ReadOptions,
};
