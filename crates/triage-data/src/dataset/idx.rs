//! MNIST-style IDX files: `*-images-idx3-ubyte` (magic 0x00000803, dims
//! N × rows × columns, unsigned bytes) with `*-labels-idx1-ubyte` (magic
//! 0x00000801, dims N) next to it, either optionally gzip-compressed (the
//! content is sniffed, not the name).
//!
//! A directory may hold several sets (`train-*`, `t10k-*`): their items
//! follow each other in split order, with split Train for names holding
//! `train`, Test for `t10k` or `test`, Val for `val`. Classes are `"0"` to the
//! largest label.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use super::error::DatasetError;
use super::open::OpenOptions;
use super::{Dataset, DatasetFormat, Item, RecordStore, Skipped, Source, Split};

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;

/// Capacity reserved up front for a payload: headers are not trusted with
/// more (the vector grows as data actually arrives).
const MAX_RESERVE: u64 = 64 << 20;

/// Spellings of the images part of a file name, and the labels part that
/// replaces each.
const IMAGES_LABELS: [(&str, &str); 2] = [
    ("images-idx3-ubyte", "labels-idx1-ubyte"),
    ("images.idx3-ubyte", "labels.idx1-ubyte"),
];

/// Whether a (lowercase) file name is an IDX images or labels file.
pub(super) fn is_idx_name(lower: &str) -> bool {
    let stem = lower.strip_suffix(".gz").unwrap_or(lower);
    IMAGES_LABELS
        .iter()
        .any(|(images, labels)| stem.ends_with(images) || stem.ends_with(labels))
}

fn is_images_name(lower: &str) -> bool {
    let stem = lower.strip_suffix(".gz").unwrap_or(lower);
    IMAGES_LABELS
        .iter()
        .any(|(images, _)| stem.ends_with(images))
}

/// `name` with the part `from` (matched case-insensitively) replaced by `to`.
fn swap_part(name: &str, from: &str, to: &str) -> Option<String> {
    let at = name.to_ascii_lowercase().rfind(from)?;
    Some(format!("{}{to}{}", &name[..at], &name[at + from.len()..]))
}

/// Whether a directory holds an IDX images file.
pub(super) fn holds_idx_files(dir: &Path) -> Result<bool, DatasetError> {
    Ok(!list_images(dir)?.files.is_empty())
}

/// The images files found in a directory, and the copies left out.
struct Listing {
    /// File name and path of each images file to read.
    files: Vec<(String, PathBuf)>,
    skipped: Vec<Skipped>,
}

/// The IDX images files of a directory (plain files preferred to `.gz`
/// copies of the same set, which are skipped), with their names.
fn list_images(dir: &Path) -> Result<Listing, DatasetError> {
    let io_error = |error| DatasetError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if is_images_name(&name.to_ascii_lowercase()) && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for name in &names {
        if let Some(plain) = name
            .strip_suffix(".gz")
            .filter(|p| names.iter().any(|n| n == p))
        {
            skipped.push(Skipped {
                path: name.clone(),
                reason: format!("same set as `{plain}`, which was read"),
            });
        } else {
            files.push((name.clone(), dir.join(name)));
        }
    }
    Ok(Listing { files, skipped })
}

/// Read one images file (or the images file of a labels file) and its labels.
pub(super) fn read_file(path: &Path, options: &OpenOptions) -> Result<Dataset, DatasetError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let images = if is_images_name(&name.to_ascii_lowercase()) {
        path.to_path_buf()
    } else {
        IMAGES_LABELS
            .iter()
            .find_map(|(images, labels)| swap_part(&name, labels, images))
            .map_or_else(|| path.to_path_buf(), |n| path.with_file_name(n))
    };
    let images_name = images
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_sets(path, vec![(images_name, images)], Vec::new(), options)
}

/// Read every IDX set of a directory.
pub(super) fn read_dir(dir: &Path, options: &OpenOptions) -> Result<Dataset, DatasetError> {
    let listing = list_images(dir)?;
    read_sets(dir, listing.files, listing.skipped, options)
}

fn split_of(lower: &str) -> Option<Split> {
    if lower.contains("train") {
        Some(Split::Train)
    } else if lower.contains("t10k") || lower.contains("test") {
        Some(Split::Test)
    } else if lower.contains("val") {
        Some(Split::Val)
    } else {
        None
    }
}

fn read_sets(
    root: &Path,
    files: Vec<(String, PathBuf)>,
    skipped: Vec<Skipped>,
    options: &OpenOptions,
) -> Result<Dataset, DatasetError> {
    let mut files: Vec<(Option<Split>, String, PathBuf)> = files
        .into_iter()
        .map(|(name, path)| (split_of(&name.to_ascii_lowercase()), name, path))
        .collect();
    files.sort_by(|a, b| (a.0.is_none(), a.0, &a.1).cmp(&(b.0.is_none(), b.0, &b.1)));

    let mut store: Option<(RecordStore, PathBuf)> = None;
    let mut items = Vec::new();
    let mut max_label = 0u8;
    for (split, name, images_path) in files {
        let labels_path = labels_path_of(&images_path, &name)?;
        let images = read_array(&images_path, IMAGES_MAGIC, Some(options.max_pixels))?;
        let labels = read_array(&labels_path, LABELS_MAGIC, None)?;
        // The magic numbers fix 3 and 1 dimensions.
        let (&[n_images, rows, cols], &[n_labels]) =
            (images.dims.as_slice(), labels.dims.as_slice())
        else {
            return Err(DatasetError::IdxDimensions {
                path: images_path,
                dims: images.dims,
                reason: "expected images N×rows×columns with labels N".to_owned(),
            });
        };
        if n_images != n_labels {
            return Err(DatasetError::IdxCountMismatch {
                images_path,
                labels_path,
                images: u64::from(n_images),
                labels: u64::from(n_labels),
            });
        }
        match &mut store {
            None => {
                let records = RecordStore {
                    width: cols,
                    height: rows,
                    channels: 1,
                    pixels: images.data,
                };
                store = Some((records, images_path.clone()));
            }
            Some((records, first)) => {
                if (records.height, records.width) != (rows, cols) {
                    return Err(DatasetError::IdxDimensions {
                        path: images_path,
                        dims: images.dims,
                        reason: format!(
                            "records are {rows}×{cols} but those of `{}` are {}×{}",
                            first.display(),
                            records.height,
                            records.width
                        ),
                    });
                }
                records.pixels.extend_from_slice(&images.data);
            }
        }
        for (index, &label) in labels.data.iter().enumerate() {
            max_label = max_label.max(label);
            items.push(Item {
                id: format!("{name}#{index}"),
                source: Source::Record {
                    file: images_path.clone(),
                    index,
                },
                label: usize::from(label),
                split,
                group: None,
            });
        }
    }
    if items.is_empty() {
        return Err(DatasetError::NoImages {
            path: root.to_path_buf(),
            skipped: skipped.len(),
        });
    }
    Ok(Dataset {
        root: root.to_path_buf(),
        format: DatasetFormat::Idx,
        classes: (0..=max_label).map(|c| c.to_string()).collect(),
        items,
        skipped,
        records: store.map(|(records, _)| records),
    })
}

/// The labels file of an images file: the same name with `labels-idx1` for
/// `images-idx3`, compressed or not.
fn labels_path_of(images: &Path, name: &str) -> Result<PathBuf, DatasetError> {
    let labels_name = IMAGES_LABELS
        .iter()
        .find_map(|(images, labels)| swap_part(name, images, labels))
        .unwrap_or_else(|| format!("{name}.labels"));
    let toggled = match labels_name.strip_suffix(".gz") {
        Some(plain) => plain.to_owned(),
        None => format!("{labels_name}.gz"),
    };
    let labels = images.with_file_name(&labels_name);
    if labels.is_file() {
        return Ok(labels);
    }
    let other = images.with_file_name(toggled);
    if other.is_file() {
        return Ok(other);
    }
    Err(DatasetError::IdxMissingLabels {
        path: images.to_path_buf(),
        labels_path: labels,
    })
}

/// An IDX array: its dimensions and its bytes.
struct IdxArray {
    dims: Vec<u32>,
    data: Vec<u8>,
}

/// Read and validate an IDX file of unsigned bytes. `max_pixels`, for
/// images, bounds rows × columns.
fn read_array(path: &Path, magic: u32, max_pixels: Option<u64>) -> Result<IdxArray, DatasetError> {
    let io_error = |error| DatasetError::Io {
        path: path.to_path_buf(),
        error,
    };
    let truncated = |expected: u64, actual: u64| DatasetError::IdxTruncated {
        path: path.to_path_buf(),
        expected,
        actual,
    };
    let mut file = BufReader::new(File::open(path).map_err(io_error)?);
    let gzip = file
        .fill_buf()
        .map_err(io_error)?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };

    let mut word = [0u8; 4];
    let got = read_full(&mut reader, &mut word).map_err(io_error)?;
    if got < 4 {
        return Err(truncated(4, got as u64));
    }
    let found = u32::from_be_bytes(word);
    if found != magic {
        return Err(DatasetError::IdxBadMagic {
            path: path.to_path_buf(),
            expected: magic,
            found,
        });
    }
    let ndims = (magic & 0xff) as usize;
    let header = 4 + 4 * ndims as u64;
    let mut dims = Vec::with_capacity(ndims);
    for _ in 0..ndims {
        let got = read_full(&mut reader, &mut word).map_err(io_error)?;
        if got < 4 {
            return Err(truncated(header, 4 + 4 * dims.len() as u64 + got as u64));
        }
        dims.push(u32::from_be_bytes(word));
    }
    let bad_dims = |dims: &[u32], reason: String| DatasetError::IdxDimensions {
        path: path.to_path_buf(),
        dims: dims.to_vec(),
        reason,
    };
    if let (Some(limit), [_, rows, cols]) = (max_pixels, dims.as_slice()) {
        let pixels = u64::from(*rows) * u64::from(*cols);
        if pixels == 0 {
            return Err(bad_dims(
                &dims,
                "rows and columns must be non-zero".to_owned(),
            ));
        }
        if pixels > limit {
            return Err(bad_dims(
                &dims,
                format!("a record of {pixels} pixels exceeds the limit of {limit}"),
            ));
        }
    }
    let payload = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(u64::from(d)))
        .ok_or_else(|| bad_dims(&dims, "the product overflows".to_owned()))?;

    let mut data = Vec::with_capacity(usize::try_from(payload.min(MAX_RESERVE)).unwrap_or(0));
    match (&mut reader).take(payload).read_to_end(&mut data) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(truncated(header + payload, header + data.len() as u64));
        }
        Err(e) => return Err(io_error(e)),
    }
    let got = data.len() as u64;
    if got < payload {
        return Err(truncated(header + payload, header + got));
    }
    let extra = io::copy(&mut reader, &mut io::sink()).map_err(io_error)?;
    if extra > 0 {
        return Err(DatasetError::IdxTrailingData {
            path: path.to_path_buf(),
            expected: header + payload,
            actual: header + payload + extra,
        });
    }
    Ok(IdxArray { dims, data })
}

/// Read until `buf` is full or the input ends; the number of bytes read.
fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
