//! Writing a predictions CSV in the format [`super::read_predictions`]
//! reads: header `id,label,path,p_<class>…`, labels by class name, one row
//! per sample, probabilities in Rust's shortest round-trip notation (so a
//! file read back gives the same `f64`s).
//!
//! The file is written to a temporary name beside the target and renamed,
//! so a crash never leaves half a file under the final name.

use std::io;
use std::path::Path;

/// One row of a predictions file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionRow<'a> {
    /// The sample id (unique in the file).
    pub id: &'a str,
    /// True class index, below the number of classes; `None` writes an
    /// empty label (unlabelled data, read back with
    /// `ReadOptions::unlabelled`).
    pub label: Option<usize>,
    /// The image path, or empty.
    pub path: &'a str,
    /// Predicted probabilities, one per class, summing to 1.
    pub probs: &'a [f64],
}

/// Write `rows` to `path` as a predictions CSV with class names `classes`.
///
/// # Errors
///
/// I/O errors; [`io::ErrorKind::InvalidInput`] for a row whose label or
/// number of probabilities does not fit `classes`.
pub fn write_predictions_csv<'a>(
    path: &Path,
    classes: &[String],
    rows: impl IntoIterator<Item = PredictionRow<'a>>,
) -> io::Result<()> {
    crate::output::write_atomic_with(path, |file| write_rows(file, classes, rows))
}

fn write_rows<'a>(
    file: &mut std::fs::File,
    classes: &[String],
    rows: impl IntoIterator<Item = PredictionRow<'a>>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(file);
    let mut header = vec!["id".to_string(), "label".into(), "path".into()];
    header.extend(classes.iter().map(|c| format!("p_{c}")));
    w.write_record(&header).map_err(io::Error::other)?;
    for (i, row) in rows.into_iter().enumerate() {
        if row.label.is_some_and(|l| l >= classes.len()) || row.probs.len() != classes.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "row {i} (`{}`): label {:?} and {} probabilities for {} classes",
                    row.id,
                    row.label,
                    row.probs.len(),
                    classes.len()
                ),
            ));
        }
        let mut record = vec![
            row.id.to_string(),
            row.label.map_or_else(String::new, |l| classes[l].clone()),
            row.path.to_string(),
        ];
        record.extend(row.probs.iter().map(|p| format!("{p}")));
        w.write_record(&record).map_err(io::Error::other)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predictions::{read_predictions, ReadOptions};

    #[test]
    fn written_files_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let classes = vec!["cat".to_string(), "dog, big".to_string(), "0".to_string()];
        // Awkward values: shortest round-trip notation must give the same bits.
        let probs = [
            [0.1, 0.2, 0.7],
            [1.0 / 3.0, 1.0 / 3.0, 1.0 - 2.0 / 3.0],
            [1e-300, 0.5 - 1e-17, 0.5],
        ];
        let ids = ["a", "b,\"quoted\"", "c"];
        let labels = [2, 0, 1];
        let rows = (0..3).map(|i| PredictionRow {
            id: ids[i],
            label: Some(labels[i]),
            path: if i == 0 { "images/a.png" } else { "" },
            probs: &probs[i],
        });
        write_predictions_csv(&path, &classes, rows).unwrap();
        let back = read_predictions(&path, &ReadOptions::default()).unwrap();
        assert_eq!(back.classes, classes);
        assert_eq!(back.ids, ids);
        assert_eq!(back.labels, labels);
        for (i, row) in probs.iter().enumerate() {
            assert_eq!(back.proba.row(i), row.as_slice());
        }
        assert_eq!(back.paths.unwrap()[0], "images/a.png");
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_row_that_does_not_fit_is_refused_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let classes = vec!["a".to_string(), "b".to_string()];
        let rows = [PredictionRow {
            id: "x",
            label: Some(2),
            path: "",
            probs: &[0.5, 0.5],
        }];
        let err = write_predictions_csv(&path, &classes, rows).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
