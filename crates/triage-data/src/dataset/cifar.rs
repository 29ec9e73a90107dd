//! CIFAR binary batches. CIFAR-10 (`data_batch_1.bin` … `data_batch_5.bin`,
//! `test_batch.bin`): records of 1 label byte and 3072 pixel bytes;
//! CIFAR-100 (`train.bin`, `test.bin`): records of a coarse and a fine label
//! byte and 3072 pixel bytes (the fine label is used). Pixels are 32×32,
//! planar (all red, then green, then blue), converted to interleaved RGB.
//!
//! Class names come from `batches.meta.txt` (CIFAR-10) or
//! `fine_label_names.txt` (CIFAR-100) next to the batches, one per line,
//! else `"0"`, `"1"`, ….

use std::fs;
use std::path::{Path, PathBuf};

use super::error::DatasetError;
use super::{Dataset, DatasetFormat, Item, RecordStore, Source, Split};

const SIDE: u32 = 32;
const PLANE: usize = (SIDE * SIDE) as usize;
const PIXELS: usize = 3 * PLANE;

/// CIFAR-10 or CIFAR-100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Cifar10,
    Cifar100,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Cifar10 => "CIFAR-10",
            Variant::Cifar100 => "CIFAR-100",
        }
    }

    /// Bytes before the pixels; the last of them is the label used.
    fn label_bytes(self) -> usize {
        match self {
            Variant::Cifar10 => 1,
            Variant::Cifar100 => 2,
        }
    }

    fn record_len(self) -> usize {
        self.label_bytes() + PIXELS
    }

    fn classes(self) -> usize {
        match self {
            Variant::Cifar10 => 10,
            Variant::Cifar100 => 100,
        }
    }

    fn names_file(self) -> &'static str {
        match self {
            Variant::Cifar10 => "batches.meta.txt",
            Variant::Cifar100 => "fine_label_names.txt",
        }
    }
}

/// The variant and split a batch file name stands for, with a sort key.
fn batch_of(name: &str) -> Option<(Variant, Option<Split>, u32)> {
    let lower = name.to_ascii_lowercase();
    if let Some(number) = lower
        .strip_prefix("data_batch_")
        .and_then(|rest| rest.strip_suffix(".bin"))
    {
        return Some((Variant::Cifar10, Some(Split::Train), number.parse().ok()?));
    }
    match lower.as_str() {
        "test_batch.bin" => Some((Variant::Cifar10, Some(Split::Test), u32::MAX)),
        "train.bin" => Some((Variant::Cifar100, Some(Split::Train), 0)),
        "test.bin" => Some((Variant::Cifar100, Some(Split::Test), u32::MAX)),
        _ => None,
    }
}

/// Whether a directory holds CIFAR batch files.
pub(super) fn holds_batches(dir: &Path) -> Result<bool, DatasetError> {
    Ok(!list_batches(dir)?.is_empty())
}

/// The batch files of a directory: CIFAR-10's if there are any, else
/// CIFAR-100's, in split order.
fn list_batches(dir: &Path) -> Result<Vec<Batch>, DatasetError> {
    let io_error = |error| DatasetError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut batches = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if let Some((variant, split, order)) = batch_of(&name) {
            if entry.path().is_file() {
                batches.push((
                    order,
                    Batch {
                        name,
                        path: entry.path(),
                        variant,
                        split,
                    },
                ));
            }
        }
    }
    let has_cifar10 = batches.iter().any(|(_, b)| b.variant == Variant::Cifar10);
    batches.retain(|(_, b)| (b.variant == Variant::Cifar10) == has_cifar10);
    batches.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(batches.into_iter().map(|(_, b)| b).collect())
}

/// One batch file to read.
struct Batch {
    name: String,
    path: PathBuf,
    variant: Variant,
    split: Option<Split>,
}

/// Read every batch of a directory.
pub(super) fn read_dir(dir: &Path) -> Result<Dataset, DatasetError> {
    let batches = list_batches(dir)?;
    read_batches(dir, dir, batches)
}

/// Read one batch file. Its variant comes from its name, or else from its
/// size (a multiple of 3073 bytes is CIFAR-10, of 3074 CIFAR-100).
pub(super) fn read_file(path: &Path) -> Result<Dataset, DatasetError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (variant, split) = match batch_of(&name) {
        Some((variant, split, _)) => (variant, split),
        None => {
            let size = file_size(path)?;
            let fits = |v: Variant| size % v.record_len() as u64 == 0;
            let variant = if !fits(Variant::Cifar10) && fits(Variant::Cifar100) {
                Variant::Cifar100
            } else {
                Variant::Cifar10
            };
            (variant, None)
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let batch = Batch {
        name,
        path: path.to_path_buf(),
        variant,
        split,
    };
    read_batches(path, dir, vec![batch])
}

fn file_size(path: &Path) -> Result<u64, DatasetError> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|error| DatasetError::Io {
            path: path.to_path_buf(),
            error,
        })
}

fn read_batches(root: &Path, dir: &Path, batches: Vec<Batch>) -> Result<Dataset, DatasetError> {
    let variant = batches.first().map_or(Variant::Cifar10, |b| b.variant);
    let mut records = RecordStore {
        width: SIDE,
        height: SIDE,
        channels: 3,
        pixels: Vec::new(),
    };
    let mut items = Vec::new();
    for batch in &batches {
        let record_len = batch.variant.record_len();
        let size = file_size(&batch.path)?;
        if size % record_len as u64 != 0 {
            return Err(DatasetError::CifarSize {
                path: batch.path.clone(),
                size,
                record: record_len as u64,
                variant: batch.variant.name(),
            });
        }
        let bytes = fs::read(&batch.path).map_err(|error| DatasetError::Io {
            path: batch.path.clone(),
            error,
        })?;
        records.pixels.reserve(bytes.len() / record_len * PIXELS);
        for (index, record) in bytes.chunks_exact(record_len).enumerate() {
            let (labels, planes) = record.split_at(batch.variant.label_bytes());
            let label = labels[labels.len() - 1];
            if usize::from(label) >= batch.variant.classes() {
                return Err(DatasetError::CifarLabel {
                    path: batch.path.clone(),
                    record: index,
                    label,
                    classes: batch.variant.classes(),
                });
            }
            let (red, rest) = planes.split_at(PLANE);
            let (green, blue) = rest.split_at(PLANE);
            for ((&r, &g), &b) in red.iter().zip(green).zip(blue) {
                records.pixels.extend_from_slice(&[r, g, b]);
            }
            items.push(Item {
                id: format!("{}#{index}", batch.name),
                source: Source::Record {
                    file: batch.path.clone(),
                    index,
                },
                label: usize::from(label),
                split: batch.split,
                group: None,
            });
        }
    }
    if items.is_empty() {
        return Err(DatasetError::NoImages {
            path: root.to_path_buf(),
            skipped: 0,
        });
    }
    Ok(Dataset {
        root: root.to_path_buf(),
        format: DatasetFormat::Cifar,
        classes: class_names(dir, variant)?,
        items,
        skipped: Vec::new(),
        records: Some(records),
    })
}

/// Names from the variant's names file next to the batches, else numbers.
fn class_names(dir: &Path, variant: Variant) -> Result<Vec<String>, DatasetError> {
    let path = dir.join(variant.names_file());
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((0..variant.classes()).map(|c| c.to_string()).collect());
        }
        Err(error) => return Err(DatasetError::Io { path, error }),
    };
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if names.len() != variant.classes() {
        return Err(DatasetError::ClassNames {
            path,
            found: names.len(),
            expected: variant.classes(),
        });
    }
    Ok(names)
}
