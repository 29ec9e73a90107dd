//! Labelled image datasets: one [`Dataset`] model, many readers.
//!
//! | layout | reader |
//! |---|---|
//! | `root/<class>/*.png` or `root/{train,val,test}/<class>/*` (torchvision `ImageFolder`, Keras `image_dataset_from_directory`) | `image_folder` |
//! | CSV manifest `path,label[,split][,group]`, paths relative to the manifest | `manifest` |
//! | MNIST / Fashion-MNIST IDX (`*-images-idx3-ubyte[.gz]` + labels) | `idx` |
//! | CIFAR-10/100 binary batches (`data_batch_*.bin`, `test_batch.bin`, `train.bin`, `test.bin`) | `cifar` |

mod item;

pub use item::{Item, Skipped, Source, Split};

use std::path::PathBuf;

/// The on-disk layout a dataset was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetFormat {
    /// Class folders (optionally under split folders).
    ImageFolder,
    /// CSV manifest.
    Manifest,
    /// MNIST-style IDX files.
    Idx,
    /// CIFAR binary batches.
    Cifar,
}

/// Raw pixels of record-based datasets (IDX, CIFAR), held in memory:
/// record i occupies `pixels[i·len .. (i+1)·len]`, `len = width·height·channels`,
/// row-major with channels interleaved (CIFAR's planar layout is converted).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordStore {
    /// Width of every record.
    pub width: u32,
    /// Height of every record.
    pub height: u32,
    /// Channels of every record (1 or 3).
    pub channels: u8,
    /// All records, concatenated.
    pub pixels: Vec<u8>,
}

/// A labelled dataset: items, class names and what was skipped on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// The path that was opened.
    pub root: PathBuf,
    /// The layout it had.
    pub format: DatasetFormat,
    /// Class names; `Item::label` indexes this.
    pub classes: Vec<String>,
    /// The items, in file order (the order a tail split would cut).
    pub items: Vec<Item>,
    /// Files or rows skipped while reading, with the reason.
    pub skipped: Vec<Skipped>,
    /// Pixels of record-based formats (`Source::Record` items).
    pub records: Option<RecordStore>,
}
