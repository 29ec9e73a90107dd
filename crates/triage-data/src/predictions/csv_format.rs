//! The CSV predictions format: `id,label[,path],p_<class>,…` with a header.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use super::error::{Location, PredictionsError};
use super::{finish_matrix, MatrixSite, Predictions, ReadOptions, Scores};
use crate::bounded_read::{open_input, Bounded};
use crate::csv_lines::{track_lines, Lines};
use triage_stats::proba::ROW_SUM_TOLERANCE;

/// Prefix of a probability column.
const PROB_PREFIX: &str = "p_";
/// Prefix of a logit column (accepted with [`ReadOptions::logits`]).
const LOGIT_PREFIX: &str = "logit_";

/// Read a CSV predictions file.
pub(super) fn read_csv(path: &Path, opts: &ReadOptions) -> Result<Predictions, PredictionsError> {
    let file = open_input(path).map_err(|error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let (tracked, lines) = track_lines(Bounded::text(BufReader::new(file)));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(tracked);
    let header = reader
        .headers()
        .map_err(|error| csv_error(path, &lines, error))?
        .clone();
    if header.iter().all(str::is_empty) {
        return Err(PredictionsError::Empty {
            path: path.to_path_buf(),
        });
    }
    let layout = Layout::parse(path, &header, opts)?;
    let k = layout.classes.len();

    let mut rows = Rows::default();
    let mut row_error = None;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                row_error = Some(csv_error(path, &lines, error));
                break;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_of(p));
        if let Err(error) = rows.push(path, &layout, &record, line, opts.unlabelled) {
            row_error = Some(error);
            break;
        }
    }
    if rows.labels.is_empty() && row_error.is_none() {
        return Err(PredictionsError::NoRows {
            path: path.to_path_buf(),
        });
    }

    let site = MatrixSite {
        path,
        locate: &|row| Location::Line(rows.lines.get(row).copied().unwrap_or(0)),
        column: &|col| layout.class_columns.get(col).cloned().unwrap_or_default(),
    };
    let values = std::mem::take(&mut rows.values);
    let scores = Scores {
        logits: opts.logits,
        renormalize: opts.renormalize,
        tolerance: ROW_SUM_TOLERANCE,
    };
    let proba = finish_matrix(values, k, scores, row_error, &site)?;
    Ok(Predictions {
        ids: rows.ids,
        paths: layout.path.map(|_| rows.paths),
        classes: layout.classes,
        labels: rows.labels,
        proba,
        source: path.to_path_buf(),
        input_was_f32: false,
        labelled: rows.missing_labels == 0,
    })
}

fn csv_error(path: &Path, lines: &Lines, error: csv::Error) -> PredictionsError {
    let line = error.position().map(|p| lines.line_of(p));
    PredictionsError::Csv {
        path: path.to_path_buf(),
        line,
        error,
    }
}

/// Which header column holds what.
#[derive(Debug)]
struct Layout {
    /// Number of header fields.
    width: usize,
    id: usize,
    /// `None`: no label column (allowed with [`ReadOptions::unlabelled`]).
    label: Option<usize>,
    path: Option<usize>,
    /// Field index of each class column, in class order.
    class_fields: Vec<usize>,
    /// Header name of each class column (`p_dog`).
    class_columns: Vec<String>,
    /// Class names (`dog`).
    classes: Vec<String>,
    /// Class name → index, for labels written as names.
    class_index: HashMap<String, usize>,
}

impl Layout {
    fn parse(
        path: &Path,
        header: &csv::StringRecord,
        opts: &ReadOptions,
    ) -> Result<Self, PredictionsError> {
        let file = || path.to_path_buf();
        let mut id = None;
        let mut label = None;
        let mut path_column = None;
        let mut class_fields = Vec::new();
        let mut class_columns = Vec::new();
        let mut classes = Vec::new();
        let mut class_index = HashMap::new();
        for (field, name) in header.iter().enumerate() {
            let duplicate = || PredictionsError::DuplicateColumn {
                path: file(),
                column: name.to_owned(),
            };
            let slot = match name {
                "id" => Some(&mut id),
                "label" => Some(&mut label),
                "path" => Some(&mut path_column),
                _ => None,
            };
            if let Some(slot) = slot {
                if slot.replace(field).is_some() {
                    return Err(duplicate());
                }
                continue;
            }
            let class = name.strip_prefix(PROB_PREFIX).or_else(|| {
                opts.logits
                    .then(|| name.strip_prefix(LOGIT_PREFIX))
                    .flatten()
            });
            match class {
                Some(class) if !class.is_empty() => {
                    if class_index
                        .insert(class.to_owned(), classes.len())
                        .is_some()
                    {
                        return Err(duplicate());
                    }
                    class_fields.push(field);
                    class_columns.push(name.to_owned());
                    classes.push(class.to_owned());
                }
                _ => {
                    return Err(PredictionsError::UnknownColumn {
                        path: file(),
                        column: name.to_owned(),
                        position: field + 1,
                        looks_like_logits: !opts.logits && name.starts_with(LOGIT_PREFIX),
                    })
                }
            }
        }
        let id = id.ok_or(PredictionsError::MissingColumn {
            path: file(),
            column: "id",
        })?;
        if label.is_none() && !opts.unlabelled {
            return Err(PredictionsError::MissingColumn {
                path: file(),
                column: "label",
            });
        }
        if classes.len() < 2 {
            return Err(PredictionsError::TooFewClasses {
                path: file(),
                k: classes.len(),
            });
        }
        if let Some(given) = &opts.class_names {
            if *given != classes {
                return Err(PredictionsError::ClassNamesMismatch {
                    path: file(),
                    given: given.clone(),
                    found: classes,
                });
            }
        }
        Ok(Self {
            width: header.len(),
            id,
            label,
            path: path_column,
            class_fields,
            class_columns,
            classes,
            class_index,
        })
    }

    /// The class index of a label: a class name, else an index below K.
    fn label_index(&self, label: &str) -> Option<usize> {
        if let Some(&index) = self.class_index.get(label) {
            return Some(index);
        }
        label
            .parse::<usize>()
            .ok()
            .filter(|&index| index < self.classes.len())
    }
}

/// The data rows read so far.
#[derive(Debug, Default)]
struct Rows {
    ids: Vec<String>,
    paths: Vec<String>,
    labels: Vec<usize>,
    /// Row-major scores.
    values: Vec<f64>,
    /// 1-based line of each row.
    lines: Vec<u64>,
    /// Id → line of its first row.
    seen: HashMap<String, u64>,
    /// Rows without a label (only with [`ReadOptions::unlabelled`]).
    missing_labels: usize,
}

impl Rows {
    /// Check one record and append it; nothing is appended on error.
    fn push(
        &mut self,
        path: &Path,
        layout: &Layout,
        record: &csv::StringRecord,
        line: u64,
        unlabelled: bool,
    ) -> Result<(), PredictionsError> {
        let file = || path.to_path_buf();
        if record.len() != layout.width {
            return Err(PredictionsError::ColumnCount {
                path: file(),
                line,
                expected: layout.width,
                found: record.len(),
            });
        }
        let field = |index: usize| record.get(index).unwrap_or_default();
        let id = field(layout.id);
        if id.is_empty() {
            return Err(PredictionsError::EmptyField {
                path: file(),
                line,
                column: "id",
            });
        }
        if let Some(&first_line) = self.seen.get(id) {
            return Err(PredictionsError::DuplicateId {
                path: file(),
                id: id.to_owned(),
                first_line,
                line,
            });
        }
        let label = layout.label.map_or("", field);
        if label.is_empty() && unlabelled {
            // Unknown label: recorded as class 0, the file as unlabelled.
            self.missing_labels += 1;
        }
        let label = if label.is_empty() && unlabelled {
            "0"
        } else {
            label
        };
        if label.is_empty() {
            return Err(PredictionsError::EmptyField {
                path: file(),
                line,
                column: "label",
            });
        }
        let label = layout
            .label_index(label)
            .ok_or_else(|| PredictionsError::UnknownLabel {
                path: file(),
                location: Location::Line(line),
                label: label.to_owned(),
                classes: layout.classes.clone(),
            })?;
        let start = self.values.len();
        for (&index, column) in layout.class_fields.iter().zip(&layout.class_columns) {
            let text = field(index);
            match text.parse::<f64>() {
                // `1e400` parses as +inf: name the overflow, not "inf".
                Ok(value) if value.is_infinite() && !spells_infinity(text) => {
                    self.values.truncate(start);
                    return Err(PredictionsError::OutOfRange {
                        path: file(),
                        line,
                        column: column.clone(),
                        value: text.to_owned(),
                    });
                }
                Ok(value) => self.values.push(value),
                Err(_) => {
                    self.values.truncate(start);
                    return Err(PredictionsError::BadNumber {
                        path: file(),
                        line,
                        column: column.clone(),
                        value: text.to_owned(),
                    });
                }
            }
        }
        self.seen.insert(id.to_owned(), line);
        self.ids.push(id.to_owned());
        if let Some(index) = layout.path {
            self.paths.push(field(index).to_owned());
        }
        self.labels.push(label);
        self.lines.push(line);
        Ok(())
    }
}

/// Whether a field that parsed as ±∞ says so (`inf`, `-Infinity`), rather
/// than overflowing (`1e400`).
fn spells_infinity(text: &str) -> bool {
    let t = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
    t == "inf" || t == "infinity"
}
