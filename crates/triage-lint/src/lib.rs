//! `triage lint`: what an expert reviewer would change in a model and its
//! training setup, read without a deep-learning framework.
//!
//! Inputs: ONNX files ([`onnx`]), Keras 3 `.keras` files and Keras
//! `to_json()` output ([`keras`]), triage's own runs ([`spec`]). Each
//! becomes a layer [`graph`]; [`infer`] gives shapes, parameters,
//! multiply-accumulates and receptive fields; [`rules`] give the findings;
//! [`lint::lint`] writes the `triage-lint` document.

pub mod error;
pub mod graph;
pub mod infer;
pub mod keras;
pub mod lint;
pub mod onnx;
pub mod rules;
pub mod spec;

pub use error::LintError;
pub use lint::{lint, LintOptions};
