//! Reading soft labels (annotation counts or probabilities, CSV or NPY,
//! such as CIFAR-10H's `cifar10h-counts.npy`) and the class groups of the
//! binary tasks.

use std::path::{Path, PathBuf};

use triage_data::predictions::read_numeric_matrix;
use triage_stats::bayes::soft_label::SoftLabels;

use crate::error::BayesError;

/// How to read a soft-label file's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SoftKind {
    /// Integers are counts; floats are probabilities when every row sums to
    /// 1, counts when every value is whole, else refused.
    #[default]
    Auto,
    /// Annotation counts.
    Counts,
    /// Probabilities.
    Probabilities,
}

/// Soft labels read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftLabelFile {
    /// The file.
    pub path: PathBuf,
    /// The labels.
    pub labels: SoftLabels,
    /// Class names from a CSV header (`None` for NPY).
    pub classes: Option<Vec<String>>,
    /// `counts` or `probabilities`.
    pub kind: &'static str,
}

/// Columns of a soft-label CSV that are not classes.
const ID_COLUMNS: [&str; 1] = ["id"];
/// Columns stating each row's number of annotations.
const COUNT_COLUMNS: [&str; 3] = ["count", "n", "annotations"];

/// Read soft labels: a `.npy` of shape (items, classes), or a CSV with a
/// header of class names (optional `id` column, optional `count` column
/// stating each row's annotations, which must equal the row's sum).
///
/// # Errors
/// [`BayesError::Read`] for an unreadable array, [`BayesError::SoftLabelsCsv`]
/// naming the line, [`BayesError::SoftLabels`] naming the row and class.
pub fn read_soft_labels(path: &Path, kind: SoftKind) -> Result<SoftLabelFile, BayesError> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let (values, classes, integer, stated, names) = if is_npy {
        let m = read_numeric_matrix(path, "soft labels")?;
        (m.values, m.cols, m.integer, None, None)
    } else {
        let csv = read_csv(path)?;
        let k = csv.names.len();
        (csv.values, k, false, csv.stated, Some(csv.names))
    };
    // CSV rows are named by their line (the header is line 1).
    let soft_err = |source: triage_stats::bayes::soft_label::SoftLabelError| match source.row() {
        Some(row) if !is_npy => BayesError::SoftLabelsCsv {
            path: path.to_path_buf(),
            line: row as u64 + 2,
            reason: source.to_string(),
        },
        _ => BayesError::SoftLabels {
            path: path.to_path_buf(),
            source,
        },
    };
    let counts = match kind {
        SoftKind::Counts => true,
        SoftKind::Probabilities => false,
        SoftKind::Auto => {
            integer
                || stated.is_some()
                || (values.iter().all(|v| v.fract() == 0.0)
                    && values
                        .chunks(classes.max(1))
                        .any(|row| row.iter().sum::<f64>() > 1.0))
        }
    };
    let labels = if counts {
        SoftLabels::from_counts(&values, classes, stated.as_deref()).map_err(soft_err)?
    } else {
        SoftLabels::from_probabilities(&values, classes).map_err(soft_err)?
    };
    Ok(SoftLabelFile {
        path: path.to_path_buf(),
        labels,
        classes: names,
        kind: if counts { "counts" } else { "probabilities" },
    })
}

struct Csv {
    names: Vec<String>,
    values: Vec<f64>,
    stated: Option<Vec<f64>>,
}

fn read_csv(path: &Path) -> Result<Csv, BayesError> {
    let file = triage_data::bounded_read::open_input(path).map_err(|error| {
        BayesError::Read(triage_data::PredictionsError::Io {
            path: path.to_path_buf(),
            error,
        })
    })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(
        triage_data::bounded_read::Bounded::text(std::io::BufReader::new(file)),
    );
    let line_err = |line: u64, reason: String| BayesError::SoftLabelsCsv {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let header = reader
        .headers()
        .map_err(|e| line_err(1, e.to_string()))?
        .clone();
    let mut class_columns = Vec::new();
    let mut count_column = None;
    for (i, name) in header.iter().enumerate() {
        let lower = name.trim().to_ascii_lowercase();
        if ID_COLUMNS.contains(&lower.as_str()) {
            continue;
        }
        if COUNT_COLUMNS.contains(&lower.as_str()) {
            count_column = Some(i);
            continue;
        }
        class_columns.push(i);
    }
    let names: Vec<String> = class_columns
        .iter()
        .map(|&i| header[i].trim().to_owned())
        .collect();
    let mut values = Vec::new();
    let mut stated = count_column.map(|_| Vec::new());
    for (row, record) in reader.records().enumerate() {
        let line = row as u64 + 2;
        let record = record.map_err(|e| line_err(line, e.to_string()))?;
        let number = |i: usize| -> Result<f64, BayesError> {
            let text = record.get(i).unwrap_or("").trim();
            text.parse::<f64>().map_err(|_| {
                line_err(
                    line,
                    format!("column `{}`: `{text}` is not a number", &header[i]),
                )
            })
        };
        for &i in &class_columns {
            values.push(number(i)?);
        }
        if let (Some(i), Some(s)) = (count_column, stated.as_mut()) {
            s.push(number(i)?);
        }
    }
    Ok(Csv {
        names,
        values,
        stated,
    })
}

/// A binary task: a name and the positive classes.
pub type Group = (String, Vec<usize>);

/// Parse `NAME=CLASS,CLASS,…` (class names or indices) against `classes`.
///
/// # Errors
/// [`BayesError::Group`] for a missing `=`, an unknown class, an empty
/// group or one holding every class.
pub fn parse_group(text: &str, classes: &[String]) -> Result<Group, BayesError> {
    let err = |reason: String| BayesError::Group {
        group: text.to_owned(),
        reason,
    };
    let (name, members) = text
        .split_once('=')
        .ok_or_else(|| err("expected NAME=CLASS,CLASS,…".to_owned()))?;
    let mut positive = Vec::new();
    for token in members.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let index = classes
            .iter()
            .position(|c| c == token)
            .or_else(|| token.parse::<usize>().ok().filter(|&i| i < classes.len()))
            .ok_or_else(|| {
                err(format!(
                    "`{token}` is neither a class name nor an index below {} (classes: {})",
                    classes.len(),
                    classes.join(", ")
                ))
            })?;
        if !positive.contains(&index) {
            positive.push(index);
        }
    }
    positive.sort_unstable();
    if positive.is_empty() || positive.len() == classes.len() {
        return Err(err(
            "a binary task needs classes on both sides of the group".to_owned(),
        ));
    }
    Ok((name.trim().to_owned(), positive))
}
