//! CIFAR binary batches written by the tests.

use std::path::Path;

use tempfile::tempdir;
use triage_data::dataset::{DatasetError as E, DatasetFormat, OpenOptions, Source, Split};
use triage_data::decode::{decode_item, DecodeOptions};

use super::{ids, open, open_err, write_bytes};

/// A record: the label bytes, then planar R, G, B planes where pixel i of
/// record k has R = k + i, G = 100 + i, B = 200 + k (all mod 256).
fn record(labels: &[u8], k: u8) -> Vec<u8> {
    let mut bytes = labels.to_vec();
    bytes.extend((0..1024).map(|i| (i as u8).wrapping_add(k)));
    bytes.extend((0..1024).map(|i| (i as u8).wrapping_add(100)));
    bytes.extend((0..1024).map(|_| 200u8.wrapping_add(k)));
    bytes
}

fn batch(labels: &[&[u8]]) -> Vec<u8> {
    labels
        .iter()
        .enumerate()
        .flat_map(|(k, l)| record(l, k as u8))
        .collect()
}

#[test]
fn cifar10_batch_file_is_converted_to_interleaved_rgb() {
    let dir = tempdir().unwrap();
    let path = dir.path().join("data_batch_1.bin");
    write_bytes(&path, &batch(&[&[3], &[0], &[9]]));
    let ds = open(&path);
    assert_eq!(ds.format, DatasetFormat::Cifar);
    assert_eq!(
        ds.classes,
        (0..10).map(|c| c.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(
        ids(&ds),
        [
            "data_batch_1.bin#0",
            "data_batch_1.bin#1",
            "data_batch_1.bin#2"
        ]
    );
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [3, 0, 9]
    );
    assert!(ds.items.iter().all(|i| i.split == Some(Split::Train)));
    assert_eq!(
        ds.items[2].source,
        Source::Record {
            file: path.clone(),
            index: 2
        }
    );

    let records = ds.records.as_ref().unwrap();
    assert_eq!(
        (records.width, records.height, records.channels),
        (32, 32, 3)
    );
    assert_eq!(records.len(), 3);
    // Record 2, pixel (x = 5, y = 1): i = 37.
    let rgb = &records.record(2).unwrap()[37 * 3..38 * 3];
    assert_eq!(rgb, [39, 137, 202]);

    let decoded = decode_item(&ds, 2, &DecodeOptions::default()).unwrap();
    assert_eq!(
        (
            decoded.image.width,
            decoded.image.height,
            decoded.image.channels
        ),
        (32, 32, 3)
    );
    assert_eq!(&decoded.image.pixels[37 * 3..38 * 3], [39, 137, 202]);
    assert_eq!(decoded.file_bytes, 3072);
}

#[test]
fn cifar10_directory_with_class_names() {
    let dir = tempdir().unwrap();
    write_bytes(&dir.path().join("test_batch.bin"), &batch(&[&[1]]));
    write_bytes(&dir.path().join("data_batch_2.bin"), &batch(&[&[2]]));
    write_bytes(&dir.path().join("data_batch_10.bin"), &batch(&[&[4]]));
    write_bytes(&dir.path().join("data_batch_1.bin"), &batch(&[&[0], &[5]]));
    let names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
    write_bytes(&dir.path().join("batches.meta.txt"), names.as_bytes());
    let ds = open(dir.path());
    assert_eq!(ds.classes[0], "airplane");
    assert_eq!(ds.classes[9], "truck");
    assert_eq!(
        ids(&ds),
        [
            "data_batch_1.bin#0",
            "data_batch_1.bin#1",
            "data_batch_2.bin#0",
            "data_batch_10.bin#0",
            "test_batch.bin#0"
        ]
    );
    let splits: Vec<_> = ds.items.iter().map(|i| i.split).collect();
    assert_eq!(splits[4], Some(Split::Test));
    assert_eq!(ds.records.as_ref().unwrap().len(), 5);
}

#[test]
fn cifar100_uses_fine_labels() {
    let dir = tempdir().unwrap();
    write_bytes(
        &dir.path().join("train.bin"),
        &batch(&[&[19, 99], &[0, 42]]),
    );
    write_bytes(&dir.path().join("test.bin"), &batch(&[&[3, 7]]));
    let ds = open(dir.path());
    assert_eq!(ds.classes.len(), 100);
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [99, 42, 7]
    );
    assert_eq!(ids(&ds), ["train.bin#0", "train.bin#1", "test.bin#0"]);
    // The planes follow both label bytes.
    let rgb = &ds.records.as_ref().unwrap().record(1).unwrap()[..3];
    assert_eq!(rgb, [1, 100, 201]);
}

#[test]
fn wrong_size_bad_label_and_bad_names_are_errors() {
    let dir = tempdir().unwrap();
    let opts = OpenOptions::default();

    let path = dir.path().join("data_batch_1.bin");
    let mut bytes = batch(&[&[1], &[2]]);
    bytes.truncate(3073 + 100);
    write_bytes(&path, &bytes);
    let err = open_err(
        &path,
        &opts,
        &path,
        &["3173 bytes", "3073-byte CIFAR-10 record"],
    );
    assert!(matches!(
        err,
        E::CifarSize {
            size: 3173,
            record: 3073,
            ..
        }
    ));
    // Opening the directory reports the same file.
    open_err(dir.path(), &opts, &path, &["3073-byte"]);

    let hundred = dir.path().join("c100");
    let path = hundred.join("train.bin");
    write_bytes(&path, &vec![0; 3073 * 2]);
    open_err(
        &hundred,
        &opts,
        &path,
        &["6146 bytes", "3074-byte CIFAR-100 record"],
    );

    let labels = dir.path().join("labels");
    let path = labels.join("test_batch.bin");
    write_bytes(&path, &batch(&[&[1], &[10]]));
    let err = open_err(&path, &opts, &path, &["record 1", "label 10", "10 classes"]);
    assert!(matches!(
        err,
        E::CifarLabel {
            record: 1,
            label: 10,
            ..
        }
    ));

    let names = dir.path().join("names");
    write_bytes(&names.join("test_batch.bin"), &batch(&[&[1]]));
    let meta = names.join("batches.meta.txt");
    write_bytes(&meta, b"cat\ndog\nbird\n");
    let err = open_err(&names, &opts, &meta, &["names 3 classes", "expected 10"]);
    assert!(matches!(
        err,
        E::ClassNames {
            found: 3,
            expected: 10,
            ..
        }
    ));
}

#[test]
fn batch_names_beside_class_folders_do_not_make_a_cifar_dataset() {
    let dir = tempdir().unwrap();
    super::write_png(&dir.path().join("cat/a.png"), 2, 2);
    write_bytes(&dir.path().join("test.bin"), &batch(&[&[0, 1]]));
    let ds = open(dir.path());
    assert_eq!(ds.format, DatasetFormat::ImageFolder);
    assert_eq!(ids(&ds), ["cat/a.png"]);
}

#[test]
fn unknown_batch_name_is_sized_up() {
    let dir = tempdir().unwrap();
    let path = dir.path().join("mine.bin");
    write_bytes(&path, &batch(&[&[0, 5], &[1, 6]]));
    let ds = open(&path);
    assert_eq!(ds.classes.len(), 100);
    assert!(ds.items.iter().all(|i| i.split.is_none()));
    assert_eq!(ds.items.iter().map(|i| i.label).collect::<Vec<_>>(), [5, 6]);
    assert!(Path::new(&ds.root).ends_with("mine.bin"));
}
