//! Errors of the dataset readers.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// A dataset that cannot be opened or does not hold a valid layout.
///
/// Every message names the file or directory, and where it applies the
/// manifest line, the column and the offending value.
/// [`DatasetError::hint`] says what to do about it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The path does not exist.
    #[error("`{}` does not exist", .path.display())]
    NotFound {
        /// The path that was given.
        path: PathBuf,
    },
    /// A file or directory cannot be opened or read.
    #[error("cannot read `{}`: {error}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        error: io::Error,
    },
    /// A file that is none of the supported dataset layouts.
    #[error("`{}` is not a dataset: expected a directory, a .csv manifest, an IDX images file or a CIFAR .bin batch", .path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The directory holds nothing (hidden files aside).
    #[error("`{}` is an empty directory", .path.display())]
    EmptyDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// The directory holds files but no class folders.
    #[error("`{}` holds {files} files but no class folders", .path.display())]
    NoClassFolders {
        /// The directory.
        path: PathBuf,
        /// Number of (non-hidden) files directly in it.
        files: usize,
    },
    /// The layout was recognised but not one image was found.
    #[error("no images found in `{}` ({skipped} skipped)", .path.display())]
    NoImages {
        /// The dataset root (directory or file).
        path: PathBuf,
        /// Number of files, rows or folders skipped on the way.
        skipped: usize,
    },
    /// The manifest cannot be parsed as CSV.
    #[error("`{}`{}: malformed CSV: {error}", .path.display(), at_line(*.line))]
    ManifestCsv {
        /// The manifest.
        path: PathBuf,
        /// 1-based line of the record, where known.
        line: Option<u64>,
        /// The parser's error.
        error: csv::Error,
    },
    /// The manifest has no header line or no data rows.
    #[error("`{}` has no rows: expected a header `path,label` and one row per image", .path.display())]
    ManifestEmpty {
        /// The manifest.
        path: PathBuf,
    },
    /// A required manifest column is missing from the header.
    #[error("`{}` line 1: required column `{column}` is missing from the header", .path.display())]
    ManifestMissingColumn {
        /// The manifest.
        path: PathBuf,
        /// The missing column (`path`, `label`, or the group column asked
        /// for).
        column: String,
    },
    /// A required manifest field is empty (or the row is too short to hold it).
    #[error("`{}` line {line}: column `{column}` is empty", .path.display())]
    ManifestEmptyField {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column (`path` or `label`).
        column: &'static str,
    },
    /// A manifest path is absolute or leaves the manifest's directory.
    #[error(
        "`{}` line {line}, column `path`: `{value}` is outside the manifest's directory",
        .path.display()
    )]
    ManifestPathEscapes {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The path as written.
        value: String,
    },
    /// A manifest path is a symbolic link (or passes through one) that
    /// leads outside the manifest's directory.
    #[error(
        "`{}` line {line}, column `path`: `{value}` links to `{}`, outside the manifest's directory",
        .path.display(), .target.display()
    )]
    ManifestLinkEscapes {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The path as written (normalised).
        value: String,
        /// Where the link leads.
        target: PathBuf,
    },
    /// A manifest `split` field is not a known split name.
    #[error(
        "`{}` line {line}, column `split`: unknown split `{value}`: expected train, val or test",
        .path.display()
    )]
    ManifestUnknownSplit {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The split as written.
        value: String,
    },
    /// An IDX file starts with the wrong magic number.
    #[error(
        "`{}`: bad IDX magic number {found:#010x}, expected {expected:#010x}",
        .path.display()
    )]
    IdxBadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number for this kind of file (0x00000803 images,
        /// 0x00000801 labels).
        expected: u32,
        /// The first four bytes, big-endian.
        found: u32,
    },
    /// IDX dimensions that cannot be used.
    #[error("`{}`: IDX dimensions {}: {reason}", .path.display(), join_dims(.dims))]
    IdxDimensions {
        /// The file.
        path: PathBuf,
        /// The dimensions from its header.
        dims: Vec<u32>,
        /// What is wrong with them.
        reason: String,
    },
    /// An IDX file is shorter than its header says.
    #[error(
        "`{}` is truncated: its header needs {expected} bytes, found {actual}",
        .path.display()
    )]
    IdxTruncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header implies (header included; decompressed for `.gz`).
        expected: u64,
        /// Bytes found.
        actual: u64,
    },
    /// An IDX file is longer than its header says.
    #[error(
        "`{}` holds {actual} bytes but its header needs {expected}: trailing data",
        .path.display()
    )]
    IdxTrailingData {
        /// The file.
        path: PathBuf,
        /// Bytes the header implies (header included; decompressed for `.gz`).
        expected: u64,
        /// Bytes found.
        actual: u64,
    },
    /// IDX images and labels files hold different numbers of items.
    #[error(
        "`{}` holds {images} images but `{}` holds {labels} labels",
        .images_path.display(), .labels_path.display()
    )]
    IdxCountMismatch {
        /// The images file.
        images_path: PathBuf,
        /// The labels file.
        labels_path: PathBuf,
        /// Number of images.
        images: u64,
        /// Number of labels.
        labels: u64,
    },
    /// No labels file next to an IDX images file.
    #[error(
        "no labels for `{}`: `{}` does not exist",
        .path.display(), .labels_path.display()
    )]
    IdxMissingLabels {
        /// The images file.
        path: PathBuf,
        /// Where the labels file was looked for.
        labels_path: PathBuf,
    },
    /// A CIFAR batch whose size is not a whole number of records.
    #[error(
        "`{}` holds {size} bytes, not a multiple of the {record}-byte {variant} record",
        .path.display()
    )]
    CifarSize {
        /// The batch file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The record size (3073 for CIFAR-10, 3074 for CIFAR-100).
        record: u64,
        /// `CIFAR-10` or `CIFAR-100`.
        variant: &'static str,
    },
    /// A CIFAR label byte out of range.
    #[error(
        "`{}` record {record}: label {label} is out of range for {classes} classes",
        .path.display()
    )]
    CifarLabel {
        /// The batch file.
        path: PathBuf,
        /// Zero-based record index.
        record: usize,
        /// The label byte.
        label: u8,
        /// Number of classes of the variant (10 or 100).
        classes: usize,
    },
    /// A class-names file with the wrong number of names.
    #[error("`{}` names {found} classes, expected {expected}", .path.display())]
    ClassNames {
        /// The names file (`batches.meta.txt`).
        path: PathBuf,
        /// Non-empty lines found.
        found: usize,
        /// Number of classes of the dataset.
        expected: usize,
    },
}

impl DatasetError {
    /// What the user can do about the error, as one sentence without a
    /// final period (print it as `hint: …`), where there is advice to give.
    pub fn hint(&self) -> Option<&'static str> {
        use DatasetError as E;
        let hint = match self {
            E::NotFound { .. } => "check the path; a dataset is a directory of class folders, a .csv manifest, MNIST IDX files or CIFAR .bin batches",
            E::Io { .. } => return None,
            E::UnknownFormat { .. } => {
                "give a directory of class folders, a .csv manifest, a `*-images-idx3-ubyte[.gz]` file or a CIFAR `.bin` batch"
            }
            E::EmptyDirectory { .. } | E::NoClassFolders { .. } => {
                "put the images in one folder per class (root/<class>/*.png), optionally under train/val/test folders"
            }
            E::NoImages { .. } => {
                "supported extensions are png, jpg, jpeg, bmp, gif, webp, tif and tiff; see the skipped entries for why files were left out"
            }
            E::ManifestCsv { .. } => "check that the manifest is UTF-8 text with comma-separated fields",
            E::ManifestEmpty { .. } | E::ManifestMissingColumn { .. } => {
                "the header needs `path` and `label` columns; `split` and `group` are optional"
            }
            E::ManifestEmptyField { .. } => "every row needs a path and a label",
            E::ManifestPathEscapes { .. } => {
                "write paths relative to the manifest's directory, without `..` that leaves it; move the manifest up if the images live elsewhere"
            }
            E::ManifestLinkEscapes { .. } => {
                "copy the images under the manifest's directory, or move the manifest up to a folder that holds what the links point to"
            }
            E::ManifestUnknownSplit { .. } => {
                "splits are train, val (or valid, validation) and test; leave the field empty for none"
            }
            E::IdxBadMagic { .. } => {
                "images files start with 0x00000803 and labels files with 0x00000801 (unsigned bytes); check that the right file was given and that `.gz` files are named so"
            }
            E::IdxDimensions { .. } => "images files must hold N×rows×columns unsigned bytes of one size",
            E::IdxTruncated { .. } | E::IdxTrailingData { .. } => {
                "the file is damaged or incomplete; download it again"
            }
            E::IdxCountMismatch { .. } => "the images and labels files must come from the same set",
            E::IdxMissingLabels { .. } => {
                "put the labels file (`*-labels-idx1-ubyte[.gz]`) next to the images file"
            }
            E::CifarSize { .. } | E::CifarLabel { .. } => {
                "use the binary version of CIFAR (data_batch_*.bin, test_batch.bin for CIFAR-10; train.bin, test.bin for CIFAR-100); the file may be damaged"
            }
            E::ClassNames { .. } => "write one class name per line, in label order",
        };
        Some(hint)
    }
}

fn at_line(line: Option<u64>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

fn join_dims(dims: &[u32]) -> String {
    dims.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("×")
}
