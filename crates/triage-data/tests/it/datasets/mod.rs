//! Dataset readers and image decoding: fixtures written to temporary
//! directories by the tests, plus the real MNIST and CIFAR-10 test sets from
//! `shared/data` when present.

mod cifar;
mod decode;
mod idx;
mod image_folder;
mod manifest;
mod real_data;

use std::fs;
use std::path::{Path, PathBuf};

use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use triage_data::dataset::{open_dataset, Dataset, DatasetError, OpenOptions};

/// Write a gray PNG of `width`×`height` (pixel value `x + y`), creating
/// parent folders.
fn write_png(path: &Path, width: u32, height: u32) {
    parent_dirs(path);
    GrayImage::from_fn(width, height, |x, y| Luma([(x + y) as u8]))
        .save_with_format(path, ImageFormat::Png)
        .expect("write a PNG");
}

/// Write an RGB JPEG of `width`×`height`, creating parent folders.
fn write_jpeg(path: &Path, width: u32, height: u32) {
    parent_dirs(path);
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 8) as u8, (y * 8) as u8, 128])
    })
    .save_with_format(path, ImageFormat::Jpeg)
    .expect("write a JPEG");
}

/// Write `bytes` to `path`, creating parent folders.
fn write_bytes(path: &Path, bytes: &[u8]) {
    parent_dirs(path);
    fs::write(path, bytes).expect("write a test file");
}

fn parent_dirs(path: &Path) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folders");
    }
}

/// Open with default options; the open must succeed.
pub(crate) fn open(path: &Path) -> Dataset {
    open_dataset(path, &OpenOptions::default())
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// The error of an open that must fail, after checking that its message
/// names `file` and contains every one of `parts`, and that it has a hint.
fn open_err(path: &Path, options: &OpenOptions, file: &Path, parts: &[&str]) -> DatasetError {
    let err = open_dataset(path, options).expect_err("the open must fail");
    let message = err.to_string();
    let file = file.display().to_string();
    assert!(
        message.contains(&file),
        "message {message:?} does not name {file}"
    );
    for part in parts {
        assert!(message.contains(part), "message {message:?} lacks {part:?}");
    }
    assert!(
        !message.ends_with('.'),
        "message {message:?} ends with a period"
    );
    assert!(err.hint().is_some(), "no hint for {message:?}");
    err
}

/// The reason a path was skipped, if it was.
fn skip_reason<'a>(dataset: &'a Dataset, path: &str) -> Option<&'a str> {
    dataset
        .skipped
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.as_str())
}

fn ids(dataset: &Dataset) -> Vec<&str> {
    dataset.items.iter().map(|i| i.id.as_str()).collect()
}

/// `shared/data/<name>`, which the tests marked
/// `#[ignore = "needs ../shared/data"]` require: a missing file fails them
/// loudly (CI runs them with `--include-ignored`; a newcomer without the
/// data sees them skipped).
pub(crate) fn required_data(name: &str) -> PathBuf {
    shared_data(name).unwrap_or_else(|| {
        panic!("shared/data/{name} not found beside the checkout or in /work/shared/data: this test needs it")
    })
}

/// `shared/data/<name>` beside the checkout (as CI lays it out) or in the
/// workplace, if present.
pub(crate) fn shared_data(name: &str) -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/data"),
        here.join("../../shared/data"),
        PathBuf::from("/work/shared/data"),
    ]
    .into_iter()
    .map(|dir| dir.join(name))
    .find(|path| path.exists())
}
