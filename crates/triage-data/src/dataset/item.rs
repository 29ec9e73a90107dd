//! The dataset model shared by every reader: items with an id, a source, a
//! label and an optional split and group.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A dataset split.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Training data.
    Train,
    /// Validation data.
    Val,
    /// Test data.
    Test,
}

impl Split {
    /// All splits, in order.
    pub const ALL: [Split; 3] = [Split::Train, Split::Val, Split::Test];

    /// The canonical name (`train`, `val`, `test`).
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Val => "val",
            Split::Test => "test",
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Split {
    type Err = String;

    /// Accepts `train`/`training`, `val`/`valid`/`validation`, `test`/`testing`
    /// (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "train" | "training" => Ok(Split::Train),
            "val" | "valid" | "validation" => Ok(Split::Val),
            "test" | "testing" => Ok(Split::Test),
            other => Err(format!(
                "unknown split `{other}`: expected train, val or test"
            )),
        }
    }
}

/// Where an item's pixels come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// An encoded image file (PNG, JPEG, ...).
    File(PathBuf),
    /// Record `index` of a record file (MNIST IDX, CIFAR binary batch); the
    /// pixels are held by the dataset's [`crate::dataset::RecordStore`].
    Record {
        /// The file holding the record.
        file: PathBuf,
        /// Zero-based record index in that file.
        index: usize,
    },
}

/// One labelled example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Unique id: the path relative to the dataset root, or `file#index`.
    pub id: String,
    /// Where the pixels are.
    pub source: Source,
    /// Class index into [`crate::dataset::Dataset::classes`].
    pub label: usize,
    /// The split, if the layout says.
    pub split: Option<Split>,
    /// A group (e.g. patient or video id) that must not cross splits.
    pub group: Option<String>,
}

/// A file or entry that was skipped while reading, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Skipped {
    /// The file (or `file#index`).
    pub path: String,
    /// Why it was skipped, e.g. "zero-byte file", "not an image".
    pub reason: String,
}

impl Skipped {
    /// Whether this is a data problem (an image, a row or a class folder
    /// that could not be used) rather than a file that merely sits beside
    /// the class folders and is not an image (`manifest.csv`, `synth.json`,
    /// a README): those are listed as skipped but are not corrupt.
    pub fn is_data_problem(&self) -> bool {
        use super::image_folder::{has_image_extension, NOT_IN_CLASS_FOLDER, NOT_IN_SPLIT_FOLDER};
        let beside = self.reason == NOT_IN_CLASS_FOLDER || self.reason == NOT_IN_SPLIT_FOLDER;
        !beside || has_image_extension(std::path::Path::new(&self.path))
    }
}
