//! The real MNIST and CIFAR-10 test sets from `shared/data`: ignored by
//! default (`--include-ignored` runs them; CI does), failing loudly when the
//! data is missing.

use std::fs::File;

use flate2::read::GzDecoder;
use tempfile::tempdir;
use triage_data::dataset::{DatasetFormat, Split};
use triage_data::decode::{decode_file, decode_item, DecodeOptions};
use triage_data::image::ColorMode;

use super::{open, required_data, shared_data, skip_reason};

#[test]
#[ignore = "needs ../shared/data"]
fn mnist_test_set() {
    let images = required_data("mnist/t10k-images-idx3-ubyte.gz");
    let ds = open(&images);
    assert_eq!(ds.format, DatasetFormat::Idx);
    assert_eq!(ds.len(), 10_000);
    assert_eq!(
        ds.classes,
        (0..10).map(|c| c.to_string()).collect::<Vec<_>>()
    );
    let counts = ds.class_counts();
    assert_eq!(counts.iter().sum::<usize>(), 10_000);
    assert_eq!(
        counts,
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    assert!(ds.items.iter().all(|i| i.split == Some(Split::Test)));
    let records = ds.records.as_ref().unwrap();
    assert_eq!(
        (records.width, records.height, records.channels),
        (28, 28, 1)
    );
    assert_eq!(records.len(), 10_000);

    assert_eq!(ds.items[0].label, 7);
    let seven = decode_item(&ds, 0, &DecodeOptions::default()).unwrap();
    assert_eq!(
        (seven.image.width, seven.image.height, seven.image.channels),
        (28, 28, 1)
    );
    assert_eq!(seven.mode, ColorMode::Gray);
    let ink = seven.image.pixels.iter().filter(|&&v| v > 128).count();
    assert!((50..300).contains(&ink), "{ink} inked pixels");
    // foolbox's sample of test image 0 holds the same pixels.
    if let Some(sample) = shared_data("foolbox_samples/mnist_00_7.png") {
        let png = decode_file(&sample, &DecodeOptions::default()).unwrap();
        assert_eq!(png.image, seven.image);
    }
}

#[test]
#[ignore = "needs ../shared/data"]
fn cifar10_test_jpegs_as_an_image_folder() {
    let tarball = required_data("cifar10/cifar10-test-jpg.tar.gz");
    // 10,000 small files: unpacked in memory (tmpfs) where there is one,
    // as creating them on a disk is slow on some machines.
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempdir())
        .unwrap();
    tar::Archive::new(GzDecoder::new(File::open(&tarball).unwrap()))
        .unpack(dir.path())
        .unwrap();

    // The root holds `test/<class>/*.jpg` and `test_index.csv`.
    let ds = open(dir.path());
    assert_eq!(ds.format, DatasetFormat::ImageFolder);
    assert_eq!(
        ds.classes,
        [
            "airplane",
            "automobile",
            "bird",
            "cat",
            "deer",
            "dog",
            "frog",
            "horse",
            "ship",
            "truck"
        ]
    );
    assert_eq!(ds.len(), 10_000);
    assert_eq!(ds.class_counts(), [1000; 10]);
    assert!(ds.items.iter().all(|i| i.split == Some(Split::Test)));
    assert_eq!(ds.items[0].id, "test/airplane/0000.jpg");
    assert_eq!(ds.items[9_999].id, "test/truck/0999.jpg");
    assert_eq!(
        skip_reason(&ds, "test_index.csv"),
        Some("not inside a split folder")
    );
    assert_eq!(ds.skipped.len(), 1);
    for index in [0, 1234, 5678, 9_999] {
        let decoded = decode_item(&ds, index, &DecodeOptions::default()).unwrap();
        let image = &decoded.image;
        assert_eq!((image.width, image.height, image.channels), (32, 32, 3));
        assert_eq!(decoded.format, Some("jpeg"));
        assert_eq!(decoded.extension_mismatch, None);
    }

    // The index inside the tarball is a manifest in test_batch order.
    let manifest = open(&dir.path().join("test_index.csv"));
    assert_eq!(manifest.len(), 10_000);
    assert_eq!(manifest.classes.len(), 10);
    assert_eq!(manifest.items[0].id, "test/cat/0000.jpg");
    assert_eq!(manifest.items[0].label, 3);
    assert_eq!(manifest.class_counts(), [1000; 10]);
}
