//! The numpy predictions formats: `.npy` pairs, a directory of them, or one
//! `.npz` archive.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use npyz::zip::result::ZipError;
use npyz::zip::ZipArchive;
use triage_stats::proba::ROW_SUM_TOLERANCE;

use super::error::{Location, PredictionsError};
use super::npy_array::{Elem, NpyArray};
use super::{
    f32_row_sum_tolerance, finish_matrix, npy_class_names, MatrixSite, Predictions, ReadOptions,
    Scores,
};

/// Array (and file stem) names.
const LABELS: &str = "labels";
const PROBS: &str = "probs";
const LOGITS: &str = "logits";

/// One array and where it came from.
#[derive(Debug)]
struct Loaded {
    /// The `.npy` file, or the `.npz` archive holding the array.
    path: PathBuf,
    /// `labels`, `probs` or `logits`.
    array: &'static str,
    npy: NpyArray,
}

/// Read a directory holding `labels.npy` and `probs.npy` or `logits.npy`.
pub(super) fn read_directory(
    dir: &Path,
    opts: &ReadOptions,
) -> Result<Predictions, PredictionsError> {
    let probs = dir.join("probs.npy");
    let logits = dir.join("logits.npy");
    let use_logits = match (probs.is_file(), logits.is_file()) {
        (true, true) => opts.logits,
        (true, false) => false,
        (false, true) => true,
        (false, false) => {
            return Err(PredictionsError::MissingArray {
                path: dir.to_path_buf(),
                name: "probs.npy".to_owned(),
            })
        }
    };
    let (scores_path, array) = if use_logits {
        (logits, LOGITS)
    } else {
        (probs, PROBS)
    };
    let labels_path = match &opts.labels_path {
        Some(path) => path.clone(),
        None => {
            let path = dir.join("labels.npy");
            if !path.is_file() {
                return Err(PredictionsError::MissingArray {
                    path: dir.to_path_buf(),
                    name: "labels.npy".to_owned(),
                });
            }
            path
        }
    };
    let scores = load_file(&scores_path, array)?;
    let labels = load_file(&labels_path, LABELS)?;
    assemble(dir, scores, labels, opts.logits || use_logits, opts)
}

/// Read a probabilities (or, if named `logits.npy`, logits) `.npy` file
/// with the labels from [`ReadOptions::labels_path`].
pub(super) fn read_npy_file(
    path: &Path,
    opts: &ReadOptions,
) -> Result<Predictions, PredictionsError> {
    let named_logits = path.file_stem().is_some_and(|stem| stem == LOGITS);
    let array = if named_logits { LOGITS } else { PROBS };
    let labels_path = opts
        .labels_path
        .as_ref()
        .ok_or_else(|| PredictionsError::MissingLabels {
            path: path.to_path_buf(),
        })?;
    let scores = load_file(path, array)?;
    let labels = load_file(labels_path, LABELS)?;
    assemble(path, scores, labels, opts.logits || named_logits, opts)
}

/// Read an `.npz` archive holding `labels` and `probs` (or `logits`).
pub(super) fn read_npz(path: &Path, opts: &ReadOptions) -> Result<Predictions, PredictionsError> {
    let file = crate::bounded_read::open_input(path).map_err(|error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let npz_error = |error: String| PredictionsError::Npz {
        path: path.to_path_buf(),
        error,
    };
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|e| npz_error(e.to_string()))?;

    let probs = read_entry(&mut zip, path, PROBS)?;
    let logits = if probs.is_none() || opts.logits {
        read_entry(&mut zip, path, LOGITS)?
    } else {
        None
    };
    let (scores, use_logits) = match (probs, logits) {
        (_, Some(logits)) => (logits, true),
        (Some(probs), None) => (probs, false),
        (None, None) => {
            return Err(PredictionsError::MissingArray {
                path: path.to_path_buf(),
                name: PROBS.to_owned(),
            })
        }
    };
    let labels = match (read_entry(&mut zip, path, LABELS)?, &opts.labels_path) {
        (Some(labels), _) => labels,
        (None, Some(labels_path)) => load_file(labels_path, LABELS)?,
        (None, None) => {
            return Err(PredictionsError::MissingArray {
                path: path.to_path_buf(),
                name: LABELS.to_owned(),
            })
        }
    };
    assemble(path, scores, labels, opts.logits || use_logits, opts)
}

fn load_file(path: &Path, array: &'static str) -> Result<Loaded, PredictionsError> {
    let bytes = crate::bounded_read::read_bounded(path, crate::bounded_read::MAX_INPUT_BYTES)
        .map_err(|error| PredictionsError::Io {
            path: path.to_path_buf(),
            error,
        })?;
    parse(path, array, bytes)
}

/// The array `name` of the archive, `None` if it has none.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    path: &Path,
    array: &'static str,
) -> Result<Option<Loaded>, PredictionsError> {
    let npz_error = |error: String| PredictionsError::Npz {
        path: path.to_path_buf(),
        error,
    };
    let mut entry = match zip.by_name(&npyz::npz::file_name_from_array_name(array)) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(npz_error(format!("array `{array}`: {error}"))),
    };
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|error| npz_error(format!("array `{array}`: {error}")))?;
    parse(path, array, bytes).map(Some)
}

fn parse(path: &Path, array: &'static str, bytes: Vec<u8>) -> Result<Loaded, PredictionsError> {
    let npy = NpyArray::parse(bytes).map_err(|reason| PredictionsError::NpyFormat {
        path: path.to_path_buf(),
        array: array.to_owned(),
        reason,
    })?;
    Ok(Loaded {
        path: path.to_path_buf(),
        array,
        npy,
    })
}

/// Check shapes and types, then build the predictions.
fn assemble(
    source: &Path,
    scores: Loaded,
    labels: Loaded,
    logits: bool,
    opts: &ReadOptions,
) -> Result<Predictions, PredictionsError> {
    let bad_dtype = |loaded: &Loaded, expected| PredictionsError::UnsupportedDtype {
        path: loaded.path.clone(),
        array: loaded.array.to_owned(),
        dtype: loaded.npy.descr.clone(),
        expected,
    };
    let bad_shape = |loaded: &Loaded, expected| PredictionsError::BadShape {
        path: loaded.path.clone(),
        array: loaded.array.to_owned(),
        shape: loaded.npy.shape.clone(),
        expected,
    };
    let mut values = scores
        .npy
        .floats()
        .ok_or_else(|| bad_dtype(&scores, "float32 or float64"))?;
    let &[n, k] = scores.npy.shape.as_slice() else {
        return Err(bad_shape(&scores, "2-D (n_samples, n_classes)"));
    };
    let label_values = labels
        .npy
        .integers()
        .ok_or_else(|| bad_dtype(&labels, "an integer type"))?;
    if labels.npy.shape.len() != 1 {
        return Err(bad_shape(&labels, "1-D (n_samples,)"));
    }
    if k < 2 {
        return Err(PredictionsError::TooFewClasses {
            path: scores.path,
            k,
        });
    }
    if label_values.len() != n {
        return Err(PredictionsError::LengthMismatch {
            labels_path: labels.path,
            probs_path: scores.path,
            labels: label_values.len(),
            rows: n,
        });
    }
    if n == 0 {
        return Err(PredictionsError::NoRows { path: scores.path });
    }
    let classes = npy_class_names(&scores.path, k, opts.class_names.as_ref())?;
    if scores.npy.fortran_order {
        values = (0..n * k).map(|i| values[(i % k) * n + i / k]).collect();
    }

    let mut label_indices = Vec::with_capacity(n);
    let mut row_error = None;
    for (row, &value) in label_values.iter().enumerate() {
        let location = Location::Row(row);
        match usize::try_from(value) {
            Ok(index) if index < k => label_indices.push(index),
            Ok(_) => {
                row_error = Some(PredictionsError::UnknownLabel {
                    path: labels.path.clone(),
                    location,
                    label: value.to_string(),
                    classes: classes.clone(),
                });
            }
            Err(_) => {
                row_error = Some(PredictionsError::NegativeLabel {
                    path: labels.path.clone(),
                    location,
                    value: i64::try_from(value).unwrap_or(i64::MIN),
                });
            }
        }
        if row_error.is_some() {
            values.truncate(row * k);
            break;
        }
    }

    let input_was_f32 = scores.npy.elem == Some(Elem::Float(4));
    let tolerance = if input_was_f32 {
        f32_row_sum_tolerance(k)
    } else {
        ROW_SUM_TOLERANCE
    };
    let site = MatrixSite {
        path: &scores.path,
        locate: &Location::Row,
        column: &|c| format!("{}[:, {c}]", scores.array),
    };
    let scores = Scores {
        logits,
        renormalize: opts.renormalize,
        tolerance,
    };
    let proba = finish_matrix(values, k, scores, row_error, &site)?;
    Ok(Predictions {
        ids: (0..n).map(|i| i.to_string()).collect(),
        paths: None,
        classes,
        labels: label_indices,
        proba,
        source: source.to_path_buf(),
        input_was_f32,
        labelled: true,
    })
}
