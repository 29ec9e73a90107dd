//! Embeddings files: an `.npy` array of N × D floats (`<f4` or `<f8`,
//! C order), row i for item i — as `triage predict --embeddings` writes
//! them, or `np.save` from any framework.

use std::path::Path;

use super::error::{Location, PredictionsError};

use super::npy_array::NpyArray;

/// Largest embeddings file read, bytes (8 GiB).
pub const MAX_EMBEDDINGS_BYTES: u64 = 8 << 30;

/// An N × D matrix of finite features, stored as `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    /// Rows.
    pub n: usize,
    /// Row length.
    pub dim: usize,
    /// Row-major values.
    pub rows: Vec<f32>,
}

/// Read an embeddings `.npy` file.
///
/// # Errors
/// [`PredictionsError::Io`], [`PredictionsError::NpyFormat`] (not a
/// well-formed array, Fortran order, larger than
/// [`MAX_EMBEDDINGS_BYTES`]), [`PredictionsError::UnsupportedDtype`]
/// (not float), [`PredictionsError::BadShape`] (not 2-D with D ≥ 1), and
/// [`PredictionsError::NotFinite`] for the first NaN/±∞ (row and column).
pub fn read_embeddings(path: &Path) -> Result<Embeddings, PredictionsError> {
    let io = |error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    };
    let npy = |reason: String| PredictionsError::NpyFormat {
        path: path.to_path_buf(),
        array: "embeddings".into(),
        reason,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_EMBEDDINGS_BYTES {
        return Err(npy(format!(
            "{size} bytes, more than the {MAX_EMBEDDINGS_BYTES}-byte limit"
        )));
    }
    let bytes = crate::bounded_read::read_bounded(path, MAX_EMBEDDINGS_BYTES).map_err(io)?;
    let array = NpyArray::parse(bytes).map_err(npy)?;
    if array.fortran_order {
        return Err(npy(
            "Fortran order; save it with np.ascontiguousarray".into()
        ));
    }
    if array.shape.len() != 2 || array.shape[1] == 0 {
        return Err(PredictionsError::BadShape {
            path: path.to_path_buf(),
            array: "embeddings".into(),
            shape: array.shape.clone(),
            expected: "(n_items, dim) with dim ≥ 1",
        });
    }
    let (n, dim) = (array.shape[0], array.shape[1]);
    let values = array
        .floats()
        .ok_or_else(|| PredictionsError::UnsupportedDtype {
            path: path.to_path_buf(),
            array: "embeddings".into(),
            dtype: array.descr.clone(),
            expected: "float32 or float64",
        })?;
    let mut rows = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        let f = v as f32;
        if !f.is_finite() {
            return Err(PredictionsError::NotFinite {
                path: path.to_path_buf(),
                location: Location::Row(i / dim),
                column: format!("embeddings[:, {}]", i % dim),
                value: v,
            });
        }
        rows.push(f);
    }
    Ok(Embeddings { n, dim, rows })
}

/// Embeddings with the item id of each row.
#[derive(Debug, Clone, PartialEq)]
pub struct IdEmbeddings {
    /// The id of each row.
    pub ids: Vec<String>,
    /// The rows.
    pub matrix: Embeddings,
}

/// Read an embeddings CSV: a header `id,<D feature names>`, then one row per
/// item: its id and D numbers (any order of the items; each id once).
///
/// # Errors
/// [`PredictionsError::Io`], [`PredictionsError::Csv`],
/// [`PredictionsError::Empty`], [`PredictionsError::MissingColumn`] (no `id`
/// first or no feature column), [`PredictionsError::NoRows`],
/// [`PredictionsError::ColumnCount`], [`PredictionsError::EmptyField`],
/// [`PredictionsError::BadNumber`], [`PredictionsError::NotFinite`] and
/// [`PredictionsError::DuplicateId`], each naming the line.
pub fn read_embeddings_csv(path: &Path) -> Result<IdEmbeddings, PredictionsError> {
    let file = crate::bounded_read::open_input(path).map_err(|error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(crate::bounded_read::Bounded::text(std::io::BufReader::new(
            file,
        )));
    let mut records = reader.records();
    let csv_error = |line: Option<u64>, error| PredictionsError::Csv {
        path: path.to_path_buf(),
        line,
        error,
    };
    let header = match records.next() {
        None => {
            return Err(PredictionsError::Empty {
                path: path.to_path_buf(),
            })
        }
        Some(h) => h.map_err(|e| csv_error(Some(1), e))?,
    };
    if header.get(0).map(str::trim) != Some("id") || header.len() < 2 {
        return Err(PredictionsError::MissingColumn {
            path: path.to_path_buf(),
            column: if header.get(0).map(str::trim) == Some("id") {
                "<feature>"
            } else {
                "id"
            },
        });
    }
    let names: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
    let dim = names.len();
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    let mut first_line: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (i, record) in records.enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| csv_error(Some(line), e))?;
        if record.len() != dim + 1 {
            return Err(PredictionsError::ColumnCount {
                path: path.to_path_buf(),
                line,
                expected: dim + 1,
                found: record.len(),
            });
        }
        let id = record[0].trim();
        if id.is_empty() {
            return Err(PredictionsError::EmptyField {
                path: path.to_path_buf(),
                line,
                column: "id",
            });
        }
        if let Some(&first) = first_line.get(id) {
            return Err(PredictionsError::DuplicateId {
                path: path.to_path_buf(),
                id: id.to_string(),
                first_line: first,
                line,
            });
        }
        first_line.insert(id.to_string(), line);
        for (field, name) in record.iter().skip(1).zip(&names) {
            let value: f64 = field
                .trim()
                .parse()
                .map_err(|_| PredictionsError::BadNumber {
                    path: path.to_path_buf(),
                    line,
                    column: name.clone(),
                    value: field.to_string(),
                })?;
            if !value.is_finite() || (value as f32).is_infinite() {
                return Err(PredictionsError::NotFinite {
                    path: path.to_path_buf(),
                    location: Location::Line(line),
                    column: name.clone(),
                    value,
                });
            }
            rows.push(value as f32);
        }
        ids.push(id.to_string());
    }
    if ids.is_empty() {
        return Err(PredictionsError::NoRows {
            path: path.to_path_buf(),
        });
    }
    Ok(IdEmbeddings {
        matrix: Embeddings {
            n: ids.len(),
            dim,
            rows,
        },
        ids,
    })
}

/// Embeddings from `path` in either form triage reads: a CSV
/// `id,<features…>` (ids from the file, [`read_embeddings_csv`]) or a 2-D
/// `.npy` ([`read_embeddings`]) whose ids, when `triage predict` wrote
/// them, are in [`ids_path`] beside it (`None` without that file).
///
/// # Errors
///
/// As the readers; [`PredictionsError::IdsCount`] when the ids file does
/// not list one id per row.
pub fn read_embeddings_with_ids(
    path: &Path,
) -> Result<(Embeddings, Option<Vec<String>>), PredictionsError> {
    if path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("csv"))
    {
        let read = read_embeddings_csv(path)?;
        return Ok((read.matrix, Some(read.ids)));
    }
    let matrix = read_embeddings(path)?;
    let ids_file = ids_path(path);
    if !ids_file.is_file() {
        return Ok((matrix, None));
    }
    let ids = read_embedding_ids(&ids_file)?;
    if ids.len() != matrix.n {
        return Err(PredictionsError::IdsCount {
            ids_path: ids_file,
            path: path.to_path_buf(),
            ids: ids.len(),
            rows: matrix.n,
        });
    }
    Ok((matrix, Some(ids)))
}

/// The ids file beside an embeddings `.npy`: `<stem>.ids.csv` (header
/// `id`, one id per row, the rows' ids in order), as `triage predict`
/// writes `embeddings.ids.csv` beside `embeddings.npy`.
pub fn ids_path(npy: &Path) -> std::path::PathBuf {
    let stem = npy
        .file_stem()
        .map_or_else(|| "embeddings".into(), |s| s.to_string_lossy().into_owned());
    npy.with_file_name(format!("{stem}.ids.csv"))
}

/// Write the ids of the rows of an embeddings file ([`ids_path`]).
///
/// # Errors
///
/// The I/O error.
pub fn write_embedding_ids<'a>(
    path: &Path,
    ids: impl IntoIterator<Item = &'a str>,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id"]).map_err(std::io::Error::other)?;
    for id in ids {
        w.write_record([id]).map_err(std::io::Error::other)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    crate::output::write_atomic(path, &bytes)
}

/// Read an ids file written by [`write_embedding_ids`].
///
/// # Errors
///
/// [`PredictionsError::Io`], [`PredictionsError::Csv`] and
/// [`PredictionsError::MissingColumn`] for a file without an `id` header.
pub fn read_embedding_ids(path: &Path) -> Result<Vec<String>, PredictionsError> {
    let file = crate::bounded_read::open_input(path).map_err(|error| PredictionsError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(
        crate::bounded_read::Bounded::text(std::io::BufReader::new(file)),
    );
    let csv_error = |error| PredictionsError::Csv {
        path: path.to_path_buf(),
        line: None,
        error,
    };
    let header = reader.headers().map_err(csv_error)?;
    if header.get(0) != Some("id") {
        return Err(PredictionsError::MissingColumn {
            path: path.to_path_buf(),
            column: "id",
        });
    }
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        ids.push(record.get(0).unwrap_or_default().to_string());
    }
    Ok(ids)
}
