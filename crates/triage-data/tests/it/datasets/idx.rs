//! MNIST-style IDX files written by the tests.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use tempfile::tempdir;
use triage_data::dataset::{DatasetError as E, DatasetFormat, OpenOptions, Source, Split};
use triage_data::decode::{decode_item, DecodeOptions};

use super::{ids, open, open_err, skip_reason, write_bytes};

/// The bytes of an IDX file.
fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Write an images file of `n` 2×3 records (record k holds k*10 + i) and
/// its labels file.
fn write_set(dir: &Path, prefix: &str, labels: &[u8], gz: bool) {
    let n = labels.len() as u32;
    let pixels: Vec<u8> = (0..n)
        .flat_map(|k| (0..6).map(move |i| (k * 10 + i) as u8))
        .collect();
    let images = idx_bytes(0x803, &[n, 2, 3], &pixels);
    let labels = idx_bytes(0x801, &[n], labels);
    let (images, labels, ext) = if gz {
        (gzip(&images), gzip(&labels), ".gz")
    } else {
        (images, labels, "")
    };
    write_bytes(
        &dir.join(format!("{prefix}-images-idx3-ubyte{ext}")),
        &images,
    );
    write_bytes(
        &dir.join(format!("{prefix}-labels-idx1-ubyte{ext}")),
        &labels,
    );
}

#[test]
fn directory_with_train_and_gzipped_test_sets() {
    let dir = tempdir().unwrap();
    write_set(dir.path(), "train", &[0, 2, 1], false);
    write_set(dir.path(), "t10k", &[1, 1], true);
    let ds = open(dir.path());
    assert_eq!(ds.format, DatasetFormat::Idx);
    assert_eq!(ds.classes, ["0", "1", "2"]);
    assert_eq!(
        ids(&ds),
        [
            "train-images-idx3-ubyte#0",
            "train-images-idx3-ubyte#1",
            "train-images-idx3-ubyte#2",
            "t10k-images-idx3-ubyte.gz#0",
            "t10k-images-idx3-ubyte.gz#1"
        ]
    );
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [0, 2, 1, 1, 1]
    );
    let splits: Vec<_> = ds.items.iter().map(|i| i.split).collect();
    assert_eq!(splits[..3], [Some(Split::Train); 3]);
    assert_eq!(splits[3..], [Some(Split::Test); 2]);
    assert_eq!(
        ds.items[4].source,
        Source::Record {
            file: dir.path().join("t10k-images-idx3-ubyte.gz"),
            index: 1
        }
    );
    let records = ds.records.as_ref().unwrap();
    assert_eq!((records.width, records.height, records.channels), (3, 2, 1));
    assert_eq!(records.len(), 5);
    // Item 4 is record 1 of the test file.
    assert_eq!(records.record(4).unwrap(), [10, 11, 12, 13, 14, 15]);

    let decoded = decode_item(&ds, 1, &DecodeOptions::default()).unwrap();
    assert_eq!((decoded.image.width, decoded.image.height), (3, 2));
    assert_eq!(decoded.image.pixels, [10, 11, 12, 13, 14, 15]);
    assert_eq!(decoded.format, None);
    assert_eq!(decoded.file_bytes, 6);
}

#[test]
fn images_or_labels_file_opens_the_set() {
    let dir = tempdir().unwrap();
    write_set(dir.path(), "train", &[0, 1], true);
    let images = dir.path().join("train-images-idx3-ubyte.gz");
    let ds = open(&images);
    assert_eq!(ds.root, images);
    assert_eq!(ds.len(), 2);
    let via_labels = open(&dir.path().join("train-labels-idx1-ubyte.gz"));
    assert_eq!(via_labels.items, ds.items);

    // A plain copy beside the .gz one is read instead, and the .gz noted.
    write_set(dir.path(), "train", &[0, 1], false);
    let ds = open(dir.path());
    assert_eq!(
        ids(&ds),
        ["train-images-idx3-ubyte#0", "train-images-idx3-ubyte#1"]
    );
    let reason = skip_reason(&ds, "train-images-idx3-ubyte.gz").unwrap();
    assert!(reason.contains("same set"), "{reason}");
}

#[test]
fn bad_magic_count_mismatch_and_size_errors_name_the_file() {
    let dir = tempdir().unwrap();
    let opts = OpenOptions::default();
    let pixels = [7u8; 12];

    let bad = dir.path().join("bad");
    let images = bad.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x801, &[2], &[0, 1]));
    write_bytes(
        &bad.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[2], &[0, 1]),
    );
    let err = open_err(
        &bad,
        &opts,
        &images,
        &["magic number 0x00000801", "expected 0x00000803"],
    );
    assert!(matches!(err, E::IdxBadMagic { .. }));

    let labels_magic = dir.path().join("lm");
    let labels = labels_magic.join("x-labels-idx1-ubyte");
    write_bytes(
        &labels_magic.join("x-images-idx3-ubyte"),
        &idx_bytes(0x803, &[2, 2, 3], &pixels),
    );
    write_bytes(&labels, &idx_bytes(0x803, &[2], &[0, 1]));
    open_err(&labels_magic, &opts, &labels, &["expected 0x00000801"]);

    let count = dir.path().join("count");
    let images = count.join("x-images-idx3-ubyte");
    let labels = count.join("x-labels-idx1-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[2, 2, 3], &pixels));
    write_bytes(&labels, &idx_bytes(0x801, &[3], &[0, 1, 2]));
    let err = open_err(&images, &opts, &images, &["2 images", "3 labels"]);
    assert!(err.to_string().contains(&labels.display().to_string()));
    assert!(matches!(
        err,
        E::IdxCountMismatch {
            images: 2,
            labels: 3,
            ..
        }
    ));

    let short = dir.path().join("short");
    let images = short.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[3, 2, 3], &pixels));
    write_bytes(
        &short.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[3], &[0, 1, 2]),
    );
    let err = open_err(
        &images,
        &opts,
        &images,
        &["truncated", "needs 34 bytes, found 28"],
    );
    assert!(matches!(
        err,
        E::IdxTruncated {
            expected: 34,
            actual: 28,
            ..
        }
    ));

    let short_gz = dir.path().join("short_gz");
    let images = short_gz.join("x-images-idx3-ubyte.gz");
    let full = gzip(&idx_bytes(0x803, &[2, 2, 3], &pixels));
    write_bytes(&images, &full[..full.len() - 12]);
    write_bytes(
        &short_gz.join("x-labels-idx1-ubyte.gz"),
        &gzip(&idx_bytes(0x801, &[2], &[0, 1])),
    );
    let err = open_dataset_err(&images);
    assert!(
        err.to_string().contains(&images.display().to_string()),
        "{err}"
    );

    let header = dir.path().join("header");
    let images = header.join("x-images-idx3-ubyte");
    write_bytes(&images, &[0, 0, 8, 3, 0, 0]);
    write_bytes(
        &header.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[0], &[]),
    );
    open_err(
        &images,
        &opts,
        &images,
        &["truncated", "needs 16 bytes, found 6"],
    );

    let long = dir.path().join("long");
    let images = long.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[1, 2, 3], &pixels));
    write_bytes(
        &long.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[1], &[0]),
    );
    let err = open_err(
        &images,
        &opts,
        &images,
        &["holds 28 bytes", "needs 22", "trailing"],
    );
    assert!(matches!(err, E::IdxTrailingData { .. }));

    let no_labels = dir.path().join("no_labels");
    let images = no_labels.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[2, 2, 3], &pixels));
    let err = open_err(
        &no_labels,
        &opts,
        &images,
        &["x-labels-idx1-ubyte` does not exist"],
    );
    assert!(matches!(err, E::IdxMissingLabels { .. }));

    let zero = dir.path().join("zero");
    let images = zero.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[2, 0, 3], &[]));
    write_bytes(
        &zero.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[2], &[0, 1]),
    );
    open_err(&images, &opts, &images, &["2×0×3", "non-zero"]);

    // A header claiming huge records is refused before any allocation.
    let huge = dir.path().join("huge");
    let images = huge.join("x-images-idx3-ubyte");
    write_bytes(&images, &idx_bytes(0x803, &[1, 100_000, 100_000], &[]));
    write_bytes(
        &huge.join("x-labels-idx1-ubyte"),
        &idx_bytes(0x801, &[1], &[0]),
    );
    open_err(&images, &opts, &images, &["exceeds the limit of 100000000"]);
}

fn open_dataset_err(path: &Path) -> E {
    triage_data::dataset::open_dataset(path, &OpenOptions::default())
        .expect_err("the open must fail")
}
