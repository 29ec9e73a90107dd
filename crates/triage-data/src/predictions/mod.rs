//! Reading a predictions file: true labels and predicted class
//! probabilities, one row per sample.
//!
//! The format is chosen by the path:
//!
//! | path | format |
//! |------|--------|
//! | a directory | `labels.npy` with `probs.npy` or `logits.npy` |
//! | `*.npy` | probabilities (or logits); labels from [`ReadOptions::labels_path`] |
//! | `*.npz` | arrays `labels` and `probs` (or `logits`), as `np.savez` writes them |
//! | anything else | CSV with columns `id`, `label`, optional `path`, `p_<class>`… |

pub mod align;
mod csv_format;
mod csv_write;
mod embeddings;
pub mod error;
pub mod in_sample;
mod matrix;
pub mod neighbors;
mod npy_array;
pub(crate) use npy_array::shape_text;
mod npy_format;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use triage_stats::proba::ROW_SUM_TOLERANCE;
use triage_stats::{ProbMatrix, StatsError};

use self::error::{Location, PredictionsError};

pub use csv_write::{write_predictions_csv, PredictionRow};
pub use embeddings::{
    ids_path, read_embedding_ids, read_embeddings, read_embeddings_csv, read_embeddings_with_ids,
    write_embedding_ids, Embeddings, IdEmbeddings, MAX_EMBEDDINGS_BYTES,
};
pub use matrix::{read_numeric_matrix, NumericMatrix};

/// Labels and predicted probabilities read from a file, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Sample ids: the CSV `id` column, or the row index `"0"`, `"1"`, … for
    /// NPY input. Unique.
    pub ids: Vec<String>,
    /// The CSV `path` column, if the file has one.
    pub paths: Option<Vec<String>>,
    /// Class names, in column order (`"0"`..`"K-1"` for NPY input unless
    /// [`ReadOptions::class_names`] is given).
    pub classes: Vec<String>,
    /// True class index of each sample, below `classes.len()`.
    pub labels: Vec<usize>,
    /// Predicted probabilities, n × K.
    pub proba: ProbMatrix,
    /// The path that was read (file or directory).
    pub source: PathBuf,
    /// The scores were stored as float32 (NPY/NPZ input); informational.
    pub input_was_f32: bool,
    /// Every row has a label. `false` only with [`ReadOptions::unlabelled`]
    /// when a CSV file has no `label` column or empty labels: `labels` are
    /// then meaningless (0 where unknown).
    pub labelled: bool,
}

impl Predictions {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples (never true for a value returned by
    /// [`read_predictions`]).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// How to interpret a predictions file.
#[derive(Default, Clone, Debug)]
pub struct ReadOptions {
    /// The scores are logits: a numerically stable softmax is applied to
    /// each row ([`ProbMatrix::from_logits`]). CSV class columns may then be
    /// named `logit_<class>` as well as `p_<class>`. Implied by a
    /// `logits.npy` file or a `logits` array in an NPZ archive.
    pub logits: bool,
    /// Rows that do not sum to 1 are divided by their sum instead of being
    /// rejected ([`ProbMatrix::renormalized`]).
    pub renormalize: bool,
    /// A labels `.npy` file (1-D integers): required for a probabilities
    /// `.npy` file given alone; for a directory it replaces `labels.npy`,
    /// and for an `.npz` archive without a `labels` array it supplies them.
    /// Not used for CSV.
    pub labels_path: Option<PathBuf>,
    /// Class names. For NPY/NPZ input they name the K columns (default
    /// `"0"`..`"K-1"`); for CSV input they must equal the header's classes.
    pub class_names: Option<Vec<String>>,
    /// CSV: the `label` column may be missing or empty (deployment data
    /// without labels); [`Predictions::labelled`] says which.
    pub unlabelled: bool,
}

/// Read and validate a predictions file.
///
/// The format is chosen by the path (see the [module docs](self)): a
/// directory or a `.npy`/`.npz` file is read as numpy arrays, anything else
/// as CSV with a header `id,label[,path],p_<class>,…`. CSV labels are class
/// names or class indices `0..K-1` (a name matching a class wins).
///
/// Every probability must be finite and non-negative and every row must
/// sum to 1 within 1e-6, or, for float32 arrays, within
/// `max(1e-6, K·f32::EPSILON)` (a float32 softmax rounds each of the K
/// terms). Rows are checked in file order and the first problem is
/// reported.
///
/// # Errors
/// A [`PredictionsError`] naming the file, the line (CSV) or row (NPY), the
/// column and the value; [`PredictionsError::hint`] says what to do.
pub fn read_predictions(path: &Path, opts: &ReadOptions) -> Result<Predictions, PredictionsError> {
    if let Some(names) = &opts.class_names {
        check_distinct(path, names)?;
    }
    if path.is_dir() {
        return npy_format::read_directory(path, opts);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("npy") => npy_format::read_npy_file(path, opts),
        Some("npz") => npy_format::read_npz(path, opts),
        _ => csv_format::read_csv(path, opts),
    }
}

/// Class names given by the user must be distinct and non-empty.
fn check_distinct(path: &Path, names: &[String]) -> Result<(), PredictionsError> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in names {
        *counts.entry(name.as_str()).or_default() += 1;
    }
    let bad = names
        .iter()
        .find(|n| n.is_empty() || counts[n.as_str()] > 1);
    match bad {
        Some(name) => Err(PredictionsError::ClassNamesRepeated {
            path: path.to_path_buf(),
            name: name.clone(),
            count: counts[name.as_str()],
        }),
        None => Ok(()),
    }
}

/// The row-sum tolerance for scores stored as float32 (see
/// [`read_predictions`]).
fn f32_row_sum_tolerance(k: usize) -> f64 {
    ROW_SUM_TOLERANCE.max(k as f64 * f64::from(f32::EPSILON))
}

/// How the scores of a file are turned into probabilities.
#[derive(Debug, Clone, Copy)]
struct Scores {
    /// Apply a softmax to each row.
    logits: bool,
    /// Divide each row by its sum.
    renormalize: bool,
    /// Row-sum tolerance for probabilities taken as they are.
    tolerance: f64,
}

/// Where the scores of a file live, for turning a [`StatsError`] about
/// row `i`, column `c` into a [`PredictionsError`].
struct MatrixSite<'a> {
    path: &'a Path,
    /// Location of zero-based data row `i`.
    locate: &'a dyn Fn(usize) -> Location,
    /// Name of zero-based class column `c`.
    column: &'a dyn Fn(usize) -> String,
}

impl MatrixSite<'_> {
    fn error(&self, error: StatsError) -> PredictionsError {
        let path = self.path.to_path_buf();
        match error {
            StatsError::NotFinite { row, col, value } => PredictionsError::NotFinite {
                path,
                location: (self.locate)(row),
                column: (self.column)(col),
                value,
            },
            StatsError::Negative { row, col, value } => PredictionsError::Negative {
                path,
                location: (self.locate)(row),
                column: (self.column)(col),
                value,
            },
            StatsError::RowSum {
                row,
                sum,
                tolerance,
            } => PredictionsError::RowSum {
                path,
                location: (self.locate)(row),
                sum,
                tolerance,
            },
            StatsError::TooFewClasses { k } => PredictionsError::TooFewClasses { path, k },
            StatsError::Empty => PredictionsError::NoRows { path },
            error => PredictionsError::Stats { path, error },
        }
    }
}

/// Build the matrix from row-major `values`, or report the earliest problem.
///
/// `values` holds the rows read before `row_error` (a problem found while
/// reading row `values.len() / k`), or all rows. Problems in the earlier
/// rows come first, so they are validated before `row_error` is returned.
fn finish_matrix(
    values: Vec<f64>,
    k: usize,
    scores: Scores,
    row_error: Option<PredictionsError>,
    site: &MatrixSite<'_>,
) -> Result<ProbMatrix, PredictionsError> {
    if values.is_empty() {
        if let Some(error) = row_error {
            return Err(error);
        }
    }
    let matrix = if scores.logits {
        ProbMatrix::from_logits(values, k)
    } else if scores.renormalize {
        ProbMatrix::renormalized(values, k)
    } else {
        ProbMatrix::new(values, k, scores.tolerance)
    };
    let matrix = matrix.map_err(|error| site.error(error))?;
    match row_error {
        Some(error) => Err(error),
        None => Ok(matrix),
    }
}

/// The class names for `k` NPY columns: the given names, or `"0".."K-1"`.
fn npy_class_names(
    path: &Path,
    k: usize,
    given: Option<&Vec<String>>,
) -> Result<Vec<String>, PredictionsError> {
    let default: Vec<String> = (0..k).map(|c| c.to_string()).collect();
    match given {
        None => Ok(default),
        Some(names) if names.len() == k => Ok(names.clone()),
        Some(names) => Err(PredictionsError::ClassNamesMismatch {
            path: path.to_path_buf(),
            given: names.clone(),
            found: default,
        }),
    }
}
