//! [`PredictionsError`]: why a predictions or embeddings file cannot be
//! read, with the file, the line or row, and a hint.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;
use triage_stats::StatsError;

/// Where in a predictions file a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a CSV file; the header is line 1, so data row `i`
    /// (zero-based) of a file without multi-line fields is on line `i + 2`.
    Line(u64),
    /// Zero-based row index into NPY/NPZ arrays (numpy's `probs[i]`),
    /// displayed 1-based with the index: `row 3 (index 2)`.
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row(index) => write!(f, "row {} (index {index})", index.saturating_add(1)),
        }
    }
}

/// A number for a message: as written for ordinary magnitudes, in
/// scientific notation for very large or small ones (`1e300`, not a
/// 301-digit integer).
pub(crate) fn short_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A predictions file that cannot be read or does not hold valid predictions.
///
/// Every message names the file, and where it applies the line (CSV) or row
/// (NPY), the column and the offending value. [`PredictionsError::hint`]
/// says what to do about it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PredictionsError {
    /// The file or directory cannot be opened or read.
    #[error("cannot read `{}`: {error}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        error: io::Error,
    },
    /// The CSV parser failed (invalid UTF-8, say).
    #[error("`{}`{}: malformed CSV: {error}", .path.display(), at_line(*.line))]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line of the record, where known.
        line: Option<u64>,
        /// The parser's error.
        error: csv::Error,
    },
    /// The CSV file has no header line.
    #[error("`{}` is empty: expected a header line", .path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file has a header (or arrays) but no samples.
    #[error("`{}` has no prediction rows", .path.display())]
    NoRows {
        /// The file.
        path: PathBuf,
    },
    /// A required CSV column is missing from the header.
    #[error("`{}` line 1: required column `{column}` is missing from the header", .path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column (`id` or `label`).
        column: &'static str,
    },
    /// A CSV header names a column that is not understood.
    #[error("`{}` line 1: unknown column `{column}` (column {position})", .path.display())]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The column name.
        column: String,
        /// 1-based position of the column in the header.
        position: usize,
        /// The column looks like a logit column and logits were not enabled.
        looks_like_logits: bool,
    },
    /// A CSV header names a column (or a class) twice.
    #[error("`{}` line 1: column `{column}` appears more than once", .path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated column name.
        column: String,
    },
    /// Fewer than two classes.
    #[error("`{}`: need at least 2 classes, found {k}", .path.display())]
    TooFewClasses {
        /// The file.
        path: PathBuf,
        /// Number of classes found.
        k: usize,
    },
    /// The class names given in the options do not fit the file.
    #[error(
        "`{}`: class names [{}] do not match the file's {} classes [{}]",
        .path.display(), .given.join(", "), .found.len(), .found.join(", ")
    )]
    ClassNamesMismatch {
        /// The file.
        path: PathBuf,
        /// The names given in [`crate::ReadOptions::class_names`].
        given: Vec<String>,
        /// The classes of the file (header names, or `0..K-1` for NPY).
        found: Vec<String>,
    },
    /// [`crate::ReadOptions::class_names`] names a class twice, or names one
    /// with the empty string.
    #[error(
        "`{}`: the class names given (--class-names) must be distinct and non-empty; `{name}` is given {count} times",
        .path.display()
    )]
    ClassNamesRepeated {
        /// The file.
        path: PathBuf,
        /// The repeated (or empty) name.
        name: String,
        /// How often it is given.
        count: usize,
    },
    /// A CSV row has a different number of fields than the header.
    #[error("`{}` line {line}: expected {expected} fields as in the header, found {found}", .path.display())]
    ColumnCount {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// Number of header fields.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// A required CSV field (`id` or `label`) is empty.
    #[error("`{}` line {line}: column `{column}` is empty", .path.display())]
    EmptyField {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// A CSV class field is not a number.
    #[error("`{}` line {line}, column `{column}`: `{value}` is not a number", .path.display())]
    BadNumber {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The field as written.
        value: String,
    },
    /// A CSV class field is a number too large for a 64-bit float.
    #[error(
        "`{}` line {line}, column `{column}`: `{value}` is beyond the range of a 64-bit float (±1.8e308)",
        .path.display()
    )]
    OutOfRange {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The field as written.
        value: String,
    },
    /// A probability or logit is NaN or infinite.
    #[error("`{}` {location}, column `{column}`: value {value} is not finite", .path.display())]
    NotFinite {
        /// The file.
        path: PathBuf,
        /// The line or row.
        location: Location,
        /// The column (`p_dog` in CSV, `probs[:, 1]` in NPY).
        column: String,
        /// The value.
        value: f64,
    },
    /// A probability is negative.
    #[error("`{}` {location}, column `{column}`: probability {} is negative", .path.display(), short_number(*value))]
    Negative {
        /// The file.
        path: PathBuf,
        /// The line or row.
        location: Location,
        /// The column (`p_dog` in CSV, `probs[:, 1]` in NPY).
        column: String,
        /// The value.
        value: f64,
    },
    /// A row of probabilities does not sum to 1 within the tolerance.
    #[error(
        "`{}` {location}: probabilities sum to {}, not 1 (tolerance {tolerance:e})",
        .path.display(), short_number(*sum)
    )]
    RowSum {
        /// The file.
        path: PathBuf,
        /// The line or row.
        location: Location,
        /// The row's sum.
        sum: f64,
        /// The tolerance that was applied.
        tolerance: f64,
    },
    /// A label is neither a class name nor a class index.
    #[error(
        "`{}` {location}: unknown label `{label}`: expected a class name ({}) or an index 0..={}",
        .path.display(), list_classes(.classes), .classes.len().saturating_sub(1)
    )]
    UnknownLabel {
        /// The file holding the label.
        path: PathBuf,
        /// The line or row.
        location: Location,
        /// The label as written.
        label: String,
        /// The class names.
        classes: Vec<String>,
    },
    /// An NPY label is negative.
    #[error("`{}` {location}: label {value} is negative", .path.display())]
    NegativeLabel {
        /// The labels file.
        path: PathBuf,
        /// The row.
        location: Location,
        /// The label.
        value: i64,
    },
    /// Two CSV rows have the same id.
    #[error(
        "`{}` line {line}: duplicate id `{id}` (first seen on line {first_line})",
        .path.display()
    )]
    DuplicateId {
        /// The file.
        path: PathBuf,
        /// The id.
        id: String,
        /// 1-based line of its first occurrence.
        first_line: u64,
        /// 1-based line of the repetition.
        line: u64,
    },
    /// NPY labels and probabilities have different numbers of samples.
    #[error(
        "`{}` has {labels} labels but `{}` has {rows} rows",
        .labels_path.display(), .probs_path.display()
    )]
    LengthMismatch {
        /// Where the labels were read.
        labels_path: PathBuf,
        /// Where the probabilities were read.
        probs_path: PathBuf,
        /// Number of labels.
        labels: usize,
        /// Number of probability rows.
        rows: usize,
    },
    /// An embeddings ids file does not list one id per row of its array.
    #[error(
        "`{}` lists {ids} ids but `{}` has {rows} rows; write one id per row",
        .ids_path.display(), .path.display()
    )]
    IdsCount {
        /// The ids file.
        ids_path: PathBuf,
        /// The embeddings array.
        path: PathBuf,
        /// Ids listed.
        ids: usize,
        /// Rows of the array.
        rows: usize,
    },
    /// A probabilities `.npy` file was given without labels.
    #[error("`{}`: no labels for this probabilities file", .path.display())]
    MissingLabels {
        /// The probabilities file.
        path: PathBuf,
    },
    /// A directory or `.npz` archive lacks a required array.
    #[error("`{}` has no `{name}`", .path.display())]
    MissingArray {
        /// The directory or archive.
        path: PathBuf,
        /// What is missing (`labels.npy`, `probs` …).
        name: String,
    },
    /// An array is not a valid `.npy` array.
    #[error("`{}`: array `{array}` is not valid .npy data: {reason}", .path.display())]
    NpyFormat {
        /// The file or archive.
        path: PathBuf,
        /// The array (`probs`, `labels`, `logits`).
        array: String,
        /// What is wrong.
        reason: String,
    },
    /// An array has a dtype that cannot be used.
    #[error("`{}`: array `{array}` has dtype {dtype}, expected {expected}", .path.display())]
    UnsupportedDtype {
        /// The file or archive.
        path: PathBuf,
        /// The array (`probs`, `labels`, `logits`).
        array: String,
        /// The numpy dtype description (`<f2`, `|b1` …).
        dtype: String,
        /// What was expected.
        expected: &'static str,
    },
    /// An array has the wrong number of dimensions.
    #[error("`{}`: array `{array}` has shape {}, expected {expected}", .path.display(), super::shape_text(shape))]
    BadShape {
        /// The file or archive.
        path: PathBuf,
        /// The array (`probs`, `labels`, `logits`).
        array: String,
        /// Its shape.
        shape: Vec<usize>,
        /// What was expected.
        expected: &'static str,
    },
    /// A `.npz` file is not a readable zip archive.
    #[error("`{}` is not a readable .npz archive: {error}", .path.display())]
    Npz {
        /// The archive.
        path: PathBuf,
        /// The zip reader's message.
        error: String,
    },
    /// Any other problem found by [`triage_stats::ProbMatrix`].
    #[error("`{}`: {error}", .path.display())]
    Stats {
        /// The file.
        path: PathBuf,
        /// The underlying error (rows are zero-based data rows).
        error: StatsError,
    },
}

impl PredictionsError {
    /// What the user can do about the error, as one sentence without a
    /// final period (print it as `hint: …`), where there is advice to give.
    pub fn hint(&self) -> Option<&'static str> {
        use PredictionsError as E;
        let hint = match self {
            E::Io { error, .. } if error.kind() == io::ErrorKind::NotFound => {
                "predictions are read from a .csv, .npy or .npz file, or a directory holding labels.npy and probs.npy"
            }
            E::Io { .. } => return None,
            E::Csv { .. } => "check that the file is UTF-8 text with comma-separated fields",
            E::Empty { .. } | E::MissingColumn { .. } => {
                "the header needs `id` and `label` columns and one `p_<class>` column per class"
            }
            E::NoRows { .. } => "write one row per sample",
            E::UnknownColumn { looks_like_logits: true, .. } => {
                "pass --logits if these columns hold logits"
            }
            E::UnknownColumn { .. } => {
                "allowed columns are `id`, `label`, `path` and one `p_<class>` per class"
            }
            E::DuplicateColumn { .. } => "rename or remove one of the columns",
            E::TooFewClasses { .. } => "give one probability column per class, at least 2",
            E::ClassNamesMismatch { .. } => {
                "give one class name per column, in column order, or leave the names out"
            }
            E::ClassNamesRepeated { .. } => "give each class its own name, once",
            E::ColumnCount { .. } => {
                "every row needs one field per header column; quote fields that contain commas"
            }
            E::EmptyField { .. } => "every row needs an id and a label",
            E::BadNumber { .. } => "write probabilities as decimal numbers such as 0.25",
            E::OutOfRange { .. } => "the scores overflow; write them as probabilities or pass finite logits with --logits",
            E::NotFinite { .. } => "the model produced NaN or infinite scores; fix them before diagnosing",
            E::Negative { .. } => "pass --logits if these are logits rather than probabilities",
            E::RowSum { sum, .. } if *sum > 0.0 => {
                "pass --renormalize to divide each row by its sum, or --logits if these are logits"
            }
            E::RowSum { .. } => "a row of zeros cannot be renormalized; fix the predictions",
            E::UnknownLabel { .. } | E::NegativeLabel { .. } => {
                "labels must be class names or class indices 0..K-1"
            }
            E::DuplicateId { .. } => "ids must be unique; remove or rename the repeated row",
            E::IdsCount { .. } => {
                "write the ids file again beside its array (`triage predict` writes both), or remove it to match rows by order"
            }
            E::LengthMismatch { .. } => {
                "labels and probabilities must hold one entry per sample, in the same order"
            }
            E::MissingLabels { .. } => {
                "pass --labels labels.npy, or give a directory holding labels.npy and probs.npy"
            }
            E::MissingArray { path, .. } if has_extension(path, "npz") => {
                "save the arrays with np.savez(path, labels=labels, probs=probs)"
            }
            E::MissingArray { .. } => {
                "the directory must hold labels.npy and probs.npy (or logits.npy)"
            }
            E::NpyFormat { .. } => "write arrays with numpy.save",
            E::UnsupportedDtype { array, .. } if array == "labels" => {
                "save labels as integers: labels.astype(np.int64)"
            }
            E::UnsupportedDtype { .. } => "save scores as floats: probs.astype(np.float64)",
            E::BadShape { .. } => "probs must have shape (n_samples, n_classes) and labels (n_samples,)",
            E::Npz { .. } => "write archives with numpy.savez or numpy.savez_compressed",
            E::Stats { .. } => return None,
        };
        Some(hint)
    }
}

fn has_extension(path: &std::path::Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn at_line(line: Option<u64>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

/// The class names for a message, at most 10 of them.
fn list_classes(classes: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = classes
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if classes.len() > SHOWN {
        text.push_str(&format!(", … {} more", classes.len() - SHOWN));
    }
    text
}
