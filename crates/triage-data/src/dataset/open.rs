//! Opening a dataset: detecting the layout from the path and calling the
//! right reader.

use std::fs;
use std::path::Path;

use crate::image::DEFAULT_MAX_PIXELS;

use super::error::DatasetError;
use super::{cifar, idx, image_folder, manifest, Dataset};

/// How to open a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// Largest width × height of one record of a record format (IDX): a
    /// header claiming more is refused before anything is allocated.
    /// Image files are checked when decoded (`crate::decode`).
    pub max_pixels: u64,
    /// Follow symbolic links to directories while walking an image folder
    /// (each directory is read once, so link loops end). Symbolic links to
    /// files are always read; the root itself is always followed.
    pub follow_symlinks: bool,
    /// Manifest column holding each item's group (items of one group share
    /// a split); `None`: the `group` column, if any. A named column that
    /// is missing is an error.
    pub group_column: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            follow_symlinks: true,
            group_column: None,
        }
    }
}

/// Open a labelled image dataset, detecting its layout:
///
/// - a `.csv` file: a manifest `path,label[,split][,group]`;
/// - a `*-images-idx3-ubyte[.gz]` file (or its `*-labels-idx1-ubyte[.gz]`),
///   or a directory without subfolders holding such files: MNIST-style IDX;
/// - a `.bin` file, or a directory without subfolders holding
///   `data_batch_*.bin`, `test_batch.bin`, `train.bin` or `test.bin`: CIFAR
///   binary batches;
/// - any other directory: class folders, optionally under `train`, `val`
///   and `test` folders.
///
/// Files that cannot be used (other extensions, zero bytes, missing
/// manifest entries …) are listed in [`Dataset::skipped`] with the reason.
///
/// # Errors
///
/// [`DatasetError`] when the path does not exist, cannot be read, or holds
/// an invalid or empty layout; the message names the path.
pub fn open_dataset(path: &Path, options: &OpenOptions) -> Result<Dataset, DatasetError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(DatasetError::NotFound {
                path: path.to_path_buf(),
            })
        }
        Err(error) => {
            return Err(DatasetError::Io {
                path: path.to_path_buf(),
                error,
            })
        }
    };
    if metadata.is_dir() {
        // Record files are looked for only in a directory without folders:
        // a stray `test.bin` beside class folders does not make them CIFAR.
        if !holds_folders(path)? {
            if idx::holds_idx_files(path)? {
                return idx::read_dir(path, options);
            }
            if cifar::holds_batches(path)? {
                return cifar::read_dir(path);
            }
        }
        return image_folder::read(path, options);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".csv") {
        manifest::read(path, options.group_column.as_deref())
    } else if idx::is_idx_name(&name) {
        idx::read_file(path, options)
    } else if name.ends_with(".bin") {
        cifar::read_file(path)
    } else {
        Err(DatasetError::UnknownFormat {
            path: path.to_path_buf(),
        })
    }
}

/// Whether a directory holds a (non-hidden) folder.
fn holds_folders(dir: &Path) -> Result<bool, DatasetError> {
    let io_error = |error| DatasetError::Io {
        path: dir.to_path_buf(),
        error,
    };
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        if !entry.file_name().as_encoded_bytes().starts_with(b".") && entry.path().is_dir() {
            return Ok(true);
        }
    }
    Ok(false)
}
