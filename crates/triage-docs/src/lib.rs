//! Every JSON document triage writes or reads, defined once.
//!
//! Writers and readers share these types: `triage evaluate` writes an
//! [`evaluation::EvaluationDoc`] and `triage report` reads the same type
//! back; `triage train` writes [`run::RunMeta`], [`run::Summary`] and
//! [`training::EpochRecord`] lines, and the report reads those. Each
//! document carries `format` (its kind, e.g. `triage-evaluation`) and
//! `version`, and implements [`Document`], which gives
//!
//! * [`read_str`] / [`read_value`]: parse with the format checked, older
//!   versions upgraded ([`Document::upgrade`]) and the content checked
//!   ([`Document::check`]) — inconsistent documents are refused with the
//!   key that is wrong, never half-read;
//! * [`schema`]: the JSON Schema (draft 2020-12) committed under
//!   `docs/schemas/` for users who read triage's output from Python or
//!   JavaScript.
//!
//! The dataset profile ([`profile::DatasetProfile`], format
//! `triage-profile`) and the synthetic-set summary ([`synth::SynthDoc`],
//! `triage-synth`) are defined here too and computed by the crates of
//! those names; only the report model (`triage-report`) is defined with
//! its builder, in `triage-report`, and implements the same trait.
//!
//! This crate holds types, their validation and their version upgrades:
//! no computation, no file I/O.

#![deny(missing_docs)]

pub mod bayes;
pub mod compare;
pub mod error;
pub mod evaluation;
pub mod float;
pub mod folds;
pub mod human;
pub mod knn;
pub mod label_issues;
pub mod lint;
pub mod lr_find;
pub mod model_spec;
pub mod optimizer;
pub mod output_marker;
pub mod predict;
pub mod profile;
pub mod run;
pub mod run_layout;
pub mod schedule;
pub mod severity;
pub mod shift;
pub mod sweep;
pub mod synth;
pub mod training;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use error::{ConfigError, DocError};

/// A versioned JSON document.
pub trait Document: Serialize + DeserializeOwned + JsonSchema {
    /// Value of the document's `format` key.
    const FORMAT: &'static str;
    /// The version this build writes (and the newest it reads).
    const VERSION: u32;
    /// What the document is, for messages (`"evaluation"`).
    const WHAT: &'static str;

    /// Bring `value`, a document of an older version (or one written before
    /// documents carried `format` and `version`), to [`Self::VERSION`]. The
    /// default accepts only current documents.
    ///
    /// # Errors
    ///
    /// [`DocError::Invalid`] when the document cannot be upgraded.
    fn upgrade(value: &mut Value) -> Result<(), DocError> {
        let _ = value;
        Err(DocError::Invalid {
            what: Self::WHAT,
            reason: format!(
                "no `format`/`version` keys (expected format `{}` version {})",
                Self::FORMAT,
                Self::VERSION
            ),
        })
    }

    /// Check the parsed content for consistency (lengths that must agree,
    /// values that must lie in a range).
    ///
    /// # Errors
    ///
    /// [`DocError::Invalid`] naming the key.
    fn check(&self) -> Result<(), DocError> {
        Ok(())
    }
}

/// Parse a document from JSON text.
///
/// # Errors
///
/// As [`read_value`], and [`DocError::Json`] for text that is not JSON.
pub fn read_str<D: Document>(text: &str) -> Result<D, DocError> {
    let value: Value = serde_json::from_str(text).map_err(|source| DocError::Json {
        what: D::WHAT,
        source,
    })?;
    read_value(value)
}

/// Parse a document from a JSON value: check `format`, upgrade an older
/// `version`, deserialize, then [`Document::check`].
///
/// # Errors
///
/// [`DocError::WrongFormat`], [`DocError::NewerVersion`],
/// [`DocError::Json`] for a wrong shape, [`DocError::Invalid`] for
/// inconsistent content.
pub fn read_value<D: Document>(mut value: Value) -> Result<D, DocError> {
    let format = value
        .get("format")
        .and_then(Value::as_str)
        .map(str::to_string);
    let version = value.get("version").and_then(Value::as_u64);
    match (&format, version) {
        // No `version`: a document of triage 0.1.0 (whose `format` key, if
        // any, meant something else) — the type decides whether it can be
        // upgraded.
        (_, None) => D::upgrade(&mut value)?,
        (Some(f), Some(_)) if f != D::FORMAT => {
            return Err(DocError::WrongFormat {
                expected: D::FORMAT,
                found: f.clone(),
            })
        }
        (_, Some(v)) if v > u64::from(D::VERSION) => {
            return Err(DocError::NewerVersion {
                format: D::FORMAT,
                found: v,
                supported: D::VERSION,
            })
        }
        (Some(_), Some(v)) if v == u64::from(D::VERSION) => {}
        _ => D::upgrade(&mut value)?,
    }
    let doc: D = serde_json::from_value(value).map_err(|source| DocError::Json {
        what: D::WHAT,
        source,
    })?;
    doc.check()?;
    Ok(doc)
}

/// The JSON Schema of a document, as committed under `docs/schemas/`.
pub fn schema<D: Document>() -> Value {
    serde_json::to_value(schemars::schema_for!(D)).unwrap_or(Value::Null)
}

/// Name of a document's schema file: `<format>.schema.json`.
pub fn schema_file_name<D: Document>() -> String {
    format!("{}.schema.json", D::FORMAT)
}

/// The schemas of the documents defined in this crate, as
/// `(file name, schema)`.
pub fn schemas() -> Vec<(String, Value)> {
    fn one<D: Document>() -> (String, Value) {
        (schema_file_name::<D>(), schema::<D>())
    }
    vec![
        one::<evaluation::EvaluationDoc>(),
        one::<run::RunMeta>(),
        one::<run::Summary>(),
        (
            "triage-run-log.schema.json".into(),
            serde_json::to_value(schemars::schema_for!(training::EpochRecord))
                .unwrap_or(Value::Null),
        ),
        one::<predict::PredictDoc>(),
        one::<lr_find::LrFindDoc>(),
        one::<label_issues::LabelIssuesDoc>(),
        one::<output_marker::OutputMarker>(),
        one::<folds::FoldsDoc>(),
        one::<profile::DatasetProfile>(),
        one::<synth::SynthDoc>(),
        one::<shift::ShiftDoc>(),
        one::<bayes::BayesDoc>(),
        one::<human::HumanLabelsDoc>(),
        one::<lint::LintDoc>(),
        one::<compare::CompareDoc>(),
        one::<sweep::SweepDoc>(),
        one::<knn::KnnDoc>(),
        one::<sweep::SweepTasksDoc>(),
    ]
}

/// Insert `format` and `version` keys into a legacy JSON object (for
/// [`Document::upgrade`] implementations).
pub fn stamp(value: &mut Value, format: &str, version: u32) {
    if let Some(map) = value.as_object_mut() {
        map.insert("format".into(), Value::from(format));
        map.insert("version".into(), Value::from(version));
    }
}
