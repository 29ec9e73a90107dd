//! CSV manifests: a header with `path` and `label` columns, optional `split`
//! and `group` columns (others are ignored), one row per image, paths
//! relative to the manifest's directory.
//!
//! ```text
//! path,label,split,group
//! images/0001.png,cat,train,patient-7
//! images/0002.png,dog,test,patient-9
//! ```
//!
//! Classes are the sorted distinct labels, unless every label is a
//! non-negative integer (at most [`MAX_INTEGER_LABEL`]): then they are
//! `"0"` to the largest label. Items keep the row order. Rows whose file is
//! missing or repeats an earlier row are skipped with the reason; a path
//! that is absolute or leaves the manifest's directory is an error.

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use super::error::DatasetError;
use super::{Dataset, DatasetFormat, Item, Skipped, Source, Split};
use crate::csv_lines::track_lines;

/// Largest integer label read as a class index; manifests with a larger
/// integer label use the labels as names.
pub(crate) const MAX_INTEGER_LABEL: u64 = 65_535;

/// One data row, checked.
struct Row {
    line: u64,
    rel: PathBuf,
    id: String,
    label: String,
    split: Option<Split>,
    group: Option<String>,
}

/// Column positions in the header.
struct Columns {
    path: usize,
    label: usize,
    split: Option<usize>,
    group: Option<usize>,
}

/// Read a manifest.
pub(super) fn read(manifest: &Path, group_column: Option<&str>) -> Result<Dataset, DatasetError> {
    let csv_error = |line: Option<u64>, error: csv::Error| match error.kind() {
        csv::ErrorKind::Io(io) => DatasetError::Io {
            path: manifest.to_path_buf(),
            error: std::io::Error::new(io.kind(), io.to_string()),
        },
        _ => DatasetError::ManifestCsv {
            path: manifest.to_path_buf(),
            line,
            error,
        },
    };
    let file = crate::bounded_read::open_input(manifest).map_err(|error| DatasetError::Io {
        path: manifest.to_path_buf(),
        error,
    })?;
    let (tracked, lines) = track_lines(crate::bounded_read::Bounded::text(file));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(tracked);
    let header = reader.headers().map_err(|e| csv_error(Some(1), e))?;
    let columns = find_columns(manifest, header, group_column)?;

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| lines.line_of(p));
            csv_error(line, e)
        })?;
        let line = record.position().map_or(0, |p| lines.line_of(p));
        rows.push(check_row(manifest, &columns, &record, line)?);
    }
    if rows.is_empty() {
        return Err(DatasetError::ManifestEmpty {
            path: manifest.to_path_buf(),
        });
    }

    let (classes, labels) = classes_of(&rows);
    let base = manifest.parent().unwrap_or(Path::new(""));
    // Links are resolved before the escape check: a symbolic link inside
    // the folder must not lead outside it (to `/etc/passwd`, say).
    let base_resolved = fs::canonicalize(if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    })
    .map_err(|error| DatasetError::Io {
        path: base.to_path_buf(),
        error,
    })?;
    let mut first_line: HashMap<&str, (u64, &str)> = HashMap::new();
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    for (row, label) in rows.iter().zip(labels) {
        let line = row.line;
        let mut skip = |reason: String| {
            skipped.push(Skipped {
                path: row.id.clone(),
                reason: format!("line {line}: {reason}"),
            });
        };
        if let Some(&(first, first_label)) = first_line.get(row.id.as_str()) {
            if first_label == row.label {
                skip(format!("duplicate of line {first}"));
            } else {
                skip(format!(
                    "duplicate of line {first} (labelled `{first_label}` there, `{}` here)",
                    row.label
                ));
            }
            continue;
        }
        first_line.insert(&row.id, (line, &row.label));
        let file = base.join(&row.rel);
        match fs::metadata(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                skip("file not found".to_owned());
            }
            Err(e) => skip(format!("cannot read: {e}")),
            Ok(m) if !m.is_file() => skip("not a file".to_owned()),
            Ok(m) if m.len() == 0 => skip("zero-byte file".to_owned()),
            Ok(_) => {
                let resolved = fs::canonicalize(&file).map_err(|error| DatasetError::Io {
                    path: file.clone(),
                    error,
                })?;
                if !resolved.starts_with(&base_resolved) {
                    return Err(DatasetError::ManifestLinkEscapes {
                        path: manifest.to_path_buf(),
                        line,
                        value: row.rel.display().to_string(),
                        target: resolved,
                    });
                }
                items.push(Item {
                    id: row.id.clone(),
                    source: Source::File(file),
                    label,
                    split: row.split,
                    group: row.group.clone(),
                });
            }
        }
    }
    if items.is_empty() {
        return Err(DatasetError::NoImages {
            path: manifest.to_path_buf(),
            skipped: skipped.len(),
        });
    }
    Ok(Dataset {
        root: manifest.to_path_buf(),
        format: DatasetFormat::Manifest,
        classes,
        items,
        skipped,
        records: None,
    })
}

fn find_columns(
    manifest: &Path,
    header: &csv::StringRecord,
    group_column: Option<&str>,
) -> Result<Columns, DatasetError> {
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(DatasetError::ManifestEmpty {
            path: manifest.to_path_buf(),
        });
    }
    let position = |name: &str| {
        header.iter().position(|h| {
            h.trim_start_matches('\u{feff}')
                .trim()
                .eq_ignore_ascii_case(name)
        })
    };
    let required = |name: &str| {
        position(name).ok_or_else(|| DatasetError::ManifestMissingColumn {
            path: manifest.to_path_buf(),
            column: name.to_string(),
        })
    };
    Ok(Columns {
        path: required("path")?,
        label: required("label")?,
        split: position("split"),
        group: match group_column {
            Some(name) => Some(required(name)?),
            None => position("group"),
        },
    })
}

fn check_row(
    manifest: &Path,
    columns: &Columns,
    record: &csv::StringRecord,
    line: u64,
) -> Result<Row, DatasetError> {
    let field = |i: usize| record.get(i).map_or("", str::trim);
    let required = |i: usize, column: &'static str| match field(i) {
        "" => Err(DatasetError::ManifestEmptyField {
            path: manifest.to_path_buf(),
            line,
            column,
        }),
        value => Ok(value),
    };
    let value = required(columns.path, "path")?;
    let label = required(columns.label, "label")?.to_owned();
    let rel = normalize(value).ok_or_else(|| DatasetError::ManifestPathEscapes {
        path: manifest.to_path_buf(),
        line,
        value: value.to_owned(),
    })?;
    let split = match columns.split.map(field) {
        None | Some("") => None,
        Some(split) => {
            Some(
                split
                    .parse::<Split>()
                    .map_err(|_| DatasetError::ManifestUnknownSplit {
                        path: manifest.to_path_buf(),
                        line,
                        value: split.to_owned(),
                    })?,
            )
        }
    };
    let group = match columns.group.map(field) {
        None | Some("") => None,
        Some(group) => Some(group.to_owned()),
    };
    let id = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Ok(Row {
        line,
        rel,
        id,
        label,
        split,
        group,
    })
}

/// The path with `.` and `..` resolved lexically, or `None` when it is
/// absolute or `..` leaves the manifest's directory.
fn normalize(value: &str) -> Option<PathBuf> {
    let mut parts = Vec::new();
    for component in Path::new(value).components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return None,
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part),
        }
    }
    Some(parts.iter().collect())
}

/// Class names and the label index of each row.
fn classes_of(rows: &[Row]) -> (Vec<String>, Vec<usize>) {
    let integers: Option<Vec<u64>> = rows
        .iter()
        .map(|r| {
            r.label
                .parse::<u64>()
                .ok()
                .filter(|&v| v <= MAX_INTEGER_LABEL)
        })
        .collect();
    if let Some(integers) = integers {
        let max = integers.iter().copied().max().unwrap_or(0);
        let classes = (0..=max).map(|c| c.to_string()).collect();
        // Every value is at most MAX_INTEGER_LABEL, so it fits usize.
        let labels = integers.into_iter().map(|v| v as usize).collect();
        return (classes, labels);
    }
    let mut classes: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    classes.sort();
    classes.dedup();
    let labels = rows
        .iter()
        .map(|r| classes.binary_search(&r.label).unwrap_or(0))
        .collect();
    (classes, labels)
}
