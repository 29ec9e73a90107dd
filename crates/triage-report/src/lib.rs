//! The triage report: everything known about a classifier — its data, its
//! training run, its evaluations — assembled into one serde model
//! ([`Report`]), ranked findings with evidence and fixes ([`findings`]),
//! and rendered as one self-contained HTML page ([`render_html`]: inline
//! CSS and SVG, thumbnails as `data:` URIs, no JavaScript) and a terminal
//! summary ([`terminal`]).
//!
//! Inputs are files written by other triage commands and read leniently
//! ([`inputs`]): `triage evaluate --json` documents, `triage profile
//! --json` documents and `triage train` run directories. This crate does
//! not depend on the training crate.
//!
//! Sections come in a fixed order ([`SectionKind::ORDER`]): the data, the
//! model, the training, the performance, how good can it get, will it
//! survive deployment, findings. A section without input says which command
//! would fill it.
//!
//! # Example
//!
//! ```
//! use triage_report::{build_report, render_html, ReportInputs, ReportOptions};
//!
//! let report = build_report(&ReportInputs::default(), &ReportOptions::default()).unwrap();
//! let html = render_html(&report);
//! assert!(html.contains("<h2>The data</h2>"));
//! assert!(html.contains("triage profile"));
//! ```

#![deny(missing_docs)]

pub mod assemble;
pub mod error;
pub mod findings;
pub mod gallery;
pub mod html;
pub mod inputs;
pub mod label_gallery;
pub mod model;
pub mod pair_gallery;
pub mod shift_gallery;
pub mod svg;
pub mod terminal;

pub use assemble::{build_report, ReportOptions};
pub use error::ReportError;
pub use findings::{Finding, Rule, Severity, RULES};
pub use html::render_html;
pub use inputs::{load_inputs, InputSpec, ReportInputs};
pub use model::{Report, Section, SectionKind};
