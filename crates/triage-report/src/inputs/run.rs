//! A training run directory written by `triage train`: `run.json`,
//! `log.jsonl`, `summary.json`, optionally `profile.json` and
//! `eval/<name>.json` (+ `eval/<name>.predictions.csv`).

use std::path::{Path, PathBuf};
use triage_docs::run_layout as layout;

use serde_json::Value;

use crate::error::ReportError;
use crate::inputs::{read_document, read_json, NamedEvaluation};

pub use triage_docs::run::{RunMeta, Summary};
pub use triage_docs::training::EpochRecord;

/// A whole run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// Display name (the directory's name).
    pub name: String,
    /// The directory.
    pub path: PathBuf,
    /// `run.json`.
    pub config: RunMeta,
    /// `log.jsonl`, in file order (empty when missing).
    pub log: Vec<EpochRecord>,
    /// `summary.json`, when present.
    pub summary: Option<Summary>,
}

/// Read a run directory; its `profile.json` and `eval/*.json` are returned
/// beside it so that they join the other inputs.
///
/// # Errors
/// A missing or invalid `run.json`, an unreadable log line.
pub(crate) fn read_run_dir(
    dir: &Path,
) -> Result<(RunDir, Option<Value>, Vec<NamedEvaluation>), ReportError> {
    let run_json = dir.join(layout::RUN_JSON);
    if !run_json.is_file() {
        return Err(ReportError::NotARunDir {
            path: dir.to_path_buf(),
        });
    }
    let config: RunMeta = read_document(&run_json)?;
    let log = read_log(&dir.join(layout::LOG))?;
    let summary_path = dir.join(layout::SUMMARY);
    let summary = if summary_path.is_file() {
        Some(read_document(&summary_path)?)
    } else {
        None
    };
    let profile_path = dir.join(layout::PROFILE);
    let profile = if profile_path.is_file() {
        Some(read_json(&profile_path, "profile")?)
    } else {
        None
    };
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let evaluations = read_eval_dir(&dir.join(layout::EVAL_DIR), &name)?;
    let run = RunDir {
        name,
        path: dir.to_path_buf(),
        config,
        log,
        summary,
    };
    Ok((run, profile, evaluations))
}

/// `eval/<name>.json` files of a run, sorted by name, named `<run>/<name>`.
fn read_eval_dir(dir: &Path, run: &str) -> Result<Vec<NamedEvaluation>, ReportError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
            let name = format!("{run}/{}", stem.unwrap_or_default());
            NamedEvaluation::read(name, p, Some(run.to_string()))
        })
        .collect()
}

/// Read `log.jsonl` (missing file: empty log; blank lines skipped).
fn read_log(path: &Path) -> Result<Vec<EpochRecord>, ReportError> {
    let text = match triage_data::bounded_read::read_document(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ReportError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| ReportError::LogLine {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// A valid `run.json` for tests.
#[cfg(test)]
pub(crate) fn sample_meta() -> RunMeta {
    use triage_docs::model_spec::{InputShape, ModelKind, ModelSpec};
    use triage_docs::optimizer::OptimizerSpec;
    use triage_docs::run::{ModelRef, Normalization, Preprocess, RUN_FORMAT, RUN_VERSION};
    use triage_docs::schedule::Schedule;
    use triage_docs::training::TrainConfig;
    RunMeta {
        format: RUN_FORMAT.into(),
        version: RUN_VERSION,
        triage_version: "0.1.0".into(),
        burn_version: "0.22.1".into(),
        git_commit: None,
        created: "2026-12-01T00:00:00Z".into(),
        command: vec!["triage".into(), "train".into()],
        data: "data".into(),
        model: ModelRef {
            preset: Some("resnet20".into()),
            spec: ModelSpec::new(ModelKind::Resnet),
        },
        train: TrainConfig::new(
            2,
            32,
            0,
            Schedule::OneCycle { max_lr: 0.1 },
            OptimizerSpec::Sgd {
                momentum: 0.9,
                nesterov: true,
                weight_decay: 5e-4,
            },
        ),
        input: InputShape {
            channels: 1,
            height: 8,
            width: 8,
        },
        classes: vec!["a".into(), "b".into()],
        preprocess: Preprocess {
            resize: None,
            channels: "gray".into(),
            normalize: Normalization {
                mean: vec![0.5],
                std: vec![0.25],
            },
        },
        train_size: 10,
        val_size: 2,
        val_source: "the dataset's val split".into(),
    }
}
