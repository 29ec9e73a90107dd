//! What a report is made from: training run directories, evaluation
//! documents and dataset profiles, read leniently from disk.
//!
//! [`load_inputs`] takes any mix of paths, each detected by what it is: a
//! directory is a run (`run.json`), a JSON document with `profile_version`
//! is a profile, one with `metrics` and `classes` an evaluation, one of
//! format `triage-label-issues` a label-issues document, `triage-shift` a
//! shift document, `triage-bayes` a Bayes-error document. An
//! evaluation may be named (`synthetic-test=eval.json`); its predictions
//! file (for the image galleries) is `--predictions`, else
//! `<stem>.predictions.csv` beside it.

pub mod evaluation;
pub mod profile;
pub mod run;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ReportError;
pub use evaluation::EvaluationDoc;
pub use profile::ProfileDoc;
pub use run::{EpochRecord, RunDir, RunMeta, Summary};

/// Everything a report is assembled from.
#[derive(Debug, Clone, Default)]
pub struct ReportInputs {
    /// Training runs, in the order given.
    pub runs: Vec<RunDir>,
    /// Evaluations (given directly, or found in a run's `eval/`).
    pub evaluations: Vec<NamedEvaluation>,
    /// Dataset profiles (given directly, or a run's `profile.json`).
    pub profiles: Vec<NamedProfile>,
    /// Label-issues documents (`triage label-issues --json`).
    pub label_issues: Vec<NamedLabelIssues>,
    /// Shift documents (`triage shift --json`).
    pub shifts: Vec<NamedShift>,
    /// Bayes-error documents (`triage bayes --json`, or a run's
    /// `bayes.json`).
    pub bayes: Vec<NamedBayes>,
    /// Human-labelling reports (`triage label report --json`).
    pub humans: Vec<NamedHuman>,
    /// Architecture lints (`triage lint --json`).
    pub lints: Vec<NamedLint>,
    /// Model comparisons (`triage compare --json`).
    pub compares: Vec<NamedCompare>,
    /// Sweep results (`triage sweep collect`: `results.json`).
    pub sweeps: Vec<NamedSweep>,
}

/// A document with the name the report shows it under (file stem, or
/// as given) and the file it was read from.
#[derive(Debug, Clone)]
pub struct Named<D> {
    /// Display name.
    pub name: String,
    /// The JSON file.
    pub path: PathBuf,
    /// The document.
    pub doc: D,
}

impl<D: triage_docs::Document> Named<D> {
    /// Check `value` as a `D` document read from `path`.
    fn from_value(name: &str, path: &Path, value: Value) -> Result<Self, ReportError> {
        Ok(Self {
            name: name.to_owned(),
            path: path.to_path_buf(),
            doc: document_at(value, path)?,
        })
    }
}

/// A sweep's results (display name: the plan's name, or as given).
pub type NamedSweep = Named<triage_docs::sweep::SweepDoc>;

/// A model comparison.
pub type NamedCompare = Named<triage_docs::compare::CompareDoc>;

/// An architecture lint.
pub type NamedLint = Named<triage_docs::lint::LintDoc>;

/// A human-labelling report.
pub type NamedHuman = Named<triage_docs::human::HumanLabelsDoc>;

/// A Bayes-error document with its name.
#[derive(Debug, Clone)]
pub struct NamedBayes {
    /// Display name (file stem, the run's name, or as given).
    pub name: String,
    /// The JSON file.
    pub path: PathBuf,
    /// The run it belongs to, if it came from a run directory.
    pub run: Option<String>,
    /// The document.
    pub doc: triage_docs::bayes::BayesDoc,
}

/// A shift document.
pub type NamedShift = Named<triage_docs::shift::ShiftDoc>;

/// A label-issues document.
pub type NamedLabelIssues = Named<triage_docs::label_issues::LabelIssuesDoc>;

impl ReportInputs {
    /// Every file the inputs were read from (a run's `run.json`,
    /// `log.jsonl`, `summary.json`, `profile.json`; each evaluation and its
    /// predictions file; each profile), so that an output can be checked
    /// not to replace one of them.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for run in &self.runs {
            for name in [
                triage_docs::run_layout::RUN_JSON,
                triage_docs::run_layout::LOG,
                triage_docs::run_layout::SUMMARY,
                triage_docs::run_layout::PROFILE,
            ] {
                files.push(run.path.join(name));
            }
        }
        for evaluation in &self.evaluations {
            files.push(evaluation.path.clone());
            files.extend(evaluation.predictions.clone());
        }
        files.extend(self.profiles.iter().map(|p| p.path.clone()));
        files.extend(self.label_issues.iter().map(|l| l.path.clone()));
        files.extend(self.shifts.iter().map(|s| s.path.clone()));
        files.extend(self.bayes.iter().map(|b| b.path.clone()));
        files.extend(self.humans.iter().map(|h| h.path.clone()));
        files.extend(self.lints.iter().map(|l| l.path.clone()));
        files.extend(self.compares.iter().map(|c| c.path.clone()));
        files.extend(self.sweeps.iter().map(|c| c.path.clone()));
        files
    }
}

/// An evaluation document with its name and origin.
#[derive(Debug, Clone)]
pub struct NamedEvaluation {
    /// Display name (`synthetic-test`, or `<run>/<name>` for a run's).
    pub name: String,
    /// The JSON file.
    pub path: PathBuf,
    /// The run it belongs to, if it came from a run directory.
    pub run: Option<String>,
    /// The document.
    pub doc: EvaluationDoc,
    /// The predictions file it was computed from, if known (galleries).
    pub predictions: Option<PathBuf>,
}

impl NamedEvaluation {
    /// Read `path` as an evaluation named `name`; picks up
    /// `<stem>.predictions.csv` beside it.
    ///
    /// # Errors
    /// Unreadable or invalid JSON.
    pub fn read(name: String, path: &Path, run: Option<String>) -> Result<Self, ReportError> {
        let doc = read_document(path)?;
        Ok(Self::new(name, path, run, doc))
    }

    fn new(name: String, path: &Path, run: Option<String>, doc: EvaluationDoc) -> Self {
        let beside = triage_docs::run_layout::predictions_beside(path);
        Self {
            name,
            path: path.to_path_buf(),
            run,
            doc,
            predictions: beside.is_file().then_some(beside),
        }
    }
}

/// A profile document (display name: file stem, or the run's name).
pub type NamedProfile = Named<ProfileDoc>;

/// One command-line input: `[NAME=]PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Explicit name, if given.
    pub name: Option<String>,
    /// The path.
    pub path: PathBuf,
}

impl InputSpec {
    /// Parse `NAME=PATH` or `PATH`. A `=` counts as a separator only when
    /// the whole string is not an existing path and the name has no `/`.
    pub fn parse(text: &str) -> Self {
        if !Path::new(text).exists() {
            if let Some((name, path)) = text.split_once('=') {
                if !name.is_empty() && !name.contains('/') {
                    return Self {
                        name: Some(name.to_string()),
                        path: PathBuf::from(path),
                    };
                }
            }
        }
        Self {
            name: None,
            path: PathBuf::from(text),
        }
    }
}

/// Read every input. `predictions` (`[NAME=]PATH`) attaches predictions
/// files to evaluations: by name, or unnamed ones in order to the
/// evaluations given directly.
///
/// # Errors
/// Any unreadable or unrecognised input; `predictions` that match no
/// evaluation.
pub fn load_inputs(
    specs: &[InputSpec],
    predictions: &[InputSpec],
) -> Result<ReportInputs, ReportError> {
    let mut inputs = ReportInputs::default();
    let mut direct = Vec::new();
    for spec in specs {
        let stem = || {
            spec.path.file_stem().map_or_else(
                || spec.path.display().to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        };
        if spec.path.is_dir() {
            let (mut run, profile, evals) = run::read_run_dir(&spec.path)?;
            if let Some(name) = &spec.name {
                run.name.clone_from(name);
            }
            if let Some(value) = profile {
                let path = spec.path.join(triage_docs::run_layout::PROFILE);
                let doc = triage_docs::read_value(value)
                    .map_err(|source| ReportError::Doc { path, source })?;
                inputs.profiles.push(NamedProfile {
                    name: run.name.clone(),
                    path: spec.path.join(triage_docs::run_layout::PROFILE),
                    doc,
                });
            }
            let shift_path = spec.path.join(triage_docs::run_layout::SHIFT);
            if shift_path.is_file() {
                inputs.shifts.push(NamedShift {
                    name: run.name.clone(),
                    doc: read_document(&shift_path)?,
                    path: shift_path,
                });
            }
            let bayes_path = spec.path.join(triage_docs::run_layout::BAYES);
            if bayes_path.is_file() {
                inputs.bayes.push(NamedBayes {
                    name: run.name.clone(),
                    doc: read_document(&bayes_path)?,
                    path: bayes_path,
                    run: Some(run.name.clone()),
                });
            }
            let lint_path = spec.path.join(triage_docs::run_layout::LINT);
            if lint_path.is_file() {
                inputs.lints.push(NamedLint {
                    name: run.name.clone(),
                    doc: read_document(&lint_path)?,
                    path: lint_path,
                });
            }
            inputs.evaluations.extend(evals);
            inputs.runs.push(run);
            continue;
        }
        let value: Value = read_json(&spec.path, "JSON")?;
        let name = spec.name.clone().unwrap_or_else(stem);
        let format = value
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match format.as_deref() {
            f if f == Some(triage_docs::profile::PROFILE_FORMAT)
                || value.get("profile_version").is_some() =>
            {
                inputs
                    .profiles
                    .push(Named::from_value(&name, &spec.path, value)?)
            }
            Some(triage_docs::label_issues::LABEL_ISSUES_FORMAT) => inputs
                .label_issues
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::shift::SHIFT_FORMAT) => inputs
                .shifts
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::human::HUMAN_FORMAT) => inputs
                .humans
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::compare::COMPARE_FORMAT) => inputs
                .compares
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::sweep::SWEEP_FORMAT) => inputs
                .sweeps
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::lint::LINT_FORMAT) => inputs
                .lints
                .push(Named::from_value(&name, &spec.path, value)?),
            Some(triage_docs::bayes::BAYES_FORMAT) => inputs.bayes.push(NamedBayes {
                doc: document_at(value, &spec.path)?,
                name,
                path: spec.path.clone(),
                run: None,
            }),
            f if f == Some(triage_docs::evaluation::EVALUATION_FORMAT)
                || value.get("metrics").is_some() && value.get("classes").is_some() =>
            {
                direct.push(inputs.evaluations.len());
                let doc = document_at(value, &spec.path)?;
                inputs
                    .evaluations
                    .push(NamedEvaluation::new(name, &spec.path, None, doc));
            }
            _ => {
                return Err(ReportError::UnknownDocument {
                    path: spec.path.clone(),
                })
            }
        }
    }
    unique_names(&mut inputs);
    let mut unnamed = direct.into_iter();
    for p in predictions {
        let target = match &p.name {
            Some(name) => inputs.evaluations.iter().position(|e| &e.name == name),
            None => unnamed.next(),
        };
        let Some(i) = target else {
            return Err(ReportError::Usage(format!(
                "--predictions `{}` matches no evaluation given on the command line",
                p.path.display()
            )));
        };
        inputs.evaluations[i].predictions = Some(p.path.clone());
    }
    Ok(inputs)
}

/// Make evaluation and run names unique by appending ` (2)`, ` (3)`, ….
fn unique_names(inputs: &mut ReportInputs) {
    fn dedup<'a>(names: impl Iterator<Item = &'a mut String>) {
        let mut seen: Vec<String> = Vec::new();
        for name in names {
            let base = name.clone();
            let mut k = 2;
            while seen.contains(name) {
                *name = format!("{base} ({k})");
                k += 1;
            }
            seen.push(name.clone());
        }
    }
    dedup(inputs.evaluations.iter_mut().map(|e| &mut e.name));
    dedup(inputs.runs.iter_mut().map(|r| &mut r.name));
    dedup(inputs.profiles.iter_mut().map(|p| &mut p.name));
    dedup(inputs.shifts.iter_mut().map(|s| &mut s.name));
    dedup(inputs.bayes.iter_mut().map(|b| &mut b.name));
    dedup(inputs.humans.iter_mut().map(|h| &mut h.name));
    dedup(inputs.lints.iter_mut().map(|l| &mut l.name));
    dedup(inputs.compares.iter_mut().map(|c| &mut c.name));
    dedup(inputs.sweeps.iter_mut().map(|c| &mut c.name));
}

/// A JSON value read from `path` as a document: format, version and
/// consistency checked, errors naming the file.
fn document_at<D: triage_docs::Document>(value: Value, path: &Path) -> Result<D, ReportError> {
    triage_docs::read_value(value).map_err(|source| ReportError::Doc {
        path: path.to_path_buf(),
        source,
    })
}

/// Read one document file: JSON, format, version and consistency checked.
pub(crate) fn read_document<D: triage_docs::Document>(path: &Path) -> Result<D, ReportError> {
    let text =
        triage_data::bounded_read::read_document(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    triage_docs::read_str(&text).map_err(|source| ReportError::Doc {
        path: path.to_path_buf(),
        source,
    })
}

/// Read and parse one JSON file.
pub(crate) fn read_json<T: DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, ReportError> {
    let text =
        triage_data::bounded_read::read_document(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        what,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_spec_splits_names() {
        let s = InputSpec::parse("real-like=/nonexistent/e.json");
        assert_eq!(s.name.as_deref(), Some("real-like"));
        assert_eq!(s.path, PathBuf::from("/nonexistent/e.json"));
        assert_eq!(InputSpec::parse("a/b=c.json").name, None);
    }

    #[test]
    fn unknown_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, r#"{"hello": 1}"#).unwrap();
        let err = load_inputs(&[InputSpec::parse(p.to_str().unwrap())], &[]).unwrap_err();
        assert!(matches!(err, ReportError::UnknownDocument { .. }));
    }
}
