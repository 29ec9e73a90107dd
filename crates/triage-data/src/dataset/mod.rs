//! Labelled image datasets: one [`Dataset`] model, many readers.
//!
//! [`open_dataset`] detects the layout from the path:
//!
//! | layout | reader |
//! |---|---|
//! | `root/<class>/*.png` or `root/{train,val,test}/<class>/*` (torchvision `ImageFolder`, Keras `image_dataset_from_directory`) | `image_folder` |
//! | CSV manifest `path,label[,split][,group]`, paths relative to the manifest | `manifest` |
//! | MNIST / Fashion-MNIST IDX (`*-images-idx3-ubyte[.gz]` + labels) | `idx` |
//! | CIFAR-10/100 binary batches (`data_batch_*.bin`, `test_batch.bin`, `train.bin`, `test.bin`) | `cifar` |
//!
//! Opening reads no pixels of image files (the `crate::decode` module does);
//! record formats (IDX, CIFAR) are small and are read whole into a
//! [`RecordStore`].

mod cifar;
mod error;
mod idx;
mod image_folder;
mod item;
mod manifest;
mod open;

pub use error::DatasetError;
pub use item::{Item, Skipped, Source, Split};
pub use open::{open_dataset, OpenOptions};
pub use triage_docs::profile::DatasetFormat;

use std::path::PathBuf;

/// Raw pixels of record-based datasets (IDX, CIFAR), held in memory:
/// record i occupies `pixels[i·len .. (i+1)·len]`, `len = width·height·channels`,
/// row-major with channels interleaved (CIFAR's planar layout is converted).
///
/// The readers store one record per item, in item order: record i holds the
/// pixels of `Dataset::items[i]` (whose [`Source::Record`] index is its
/// position in its own file).
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
    /// The items, in file order (the order a tail split would cut): sorted
    /// paths for image folders (the order torchvision and Keras list them),
    /// row order for manifests, record order for IDX and CIFAR files.
    pub items: Vec<Item>,
    /// Files or rows skipped while reading, with the reason.
    pub skipped: Vec<Skipped>,
    /// Pixels of record-based formats (`Source::Record` items).
    pub records: Option<RecordStore>,
}

impl RecordStore {
    /// Bytes per record: `width · height · channels`.
    pub fn record_len(&self) -> usize {
        self.width as usize * self.height as usize * usize::from(self.channels)
    }

    /// Number of whole records held.
    pub fn len(&self) -> usize {
        match self.record_len() {
            0 => 0,
            len => self.pixels.len() / len,
        }
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pixels of record `i`, if there is one.
    pub fn record(&self, i: usize) -> Option<&[u8]> {
        let len = self.record_len();
        let start = i.checked_mul(len)?;
        self.pixels.get(start..start.checked_add(len)?)
    }
}

impl Dataset {
    /// Each item's position, by id.
    pub fn index_by_id(&self) -> std::collections::HashMap<&str, usize> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.as_str(), i))
            .collect()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no items (never true for a dataset returned by
    /// [`open_dataset`]).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of items of each class, indexed like [`Dataset::classes`].
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for item in &self.items {
            if let Some(count) = counts.get_mut(item.label) {
                *count += 1;
            }
        }
        counts
    }
}
