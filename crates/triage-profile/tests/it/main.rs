//! Integration tests of the profile: planted problems on built datasets,
//! and planted copies among real MNIST and CIFAR-10 images.

mod near_copies;
mod profile;

use std::path::{Path, PathBuf};

use triage_data::dataset::{open_dataset, Dataset, OpenOptions};

/// Open a dataset that must open.
pub(crate) fn open(path: &Path) -> Dataset {
    open_dataset(path, &OpenOptions::default())
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// `shared/data/<name>`, which the tests marked
/// `#[ignore = "needs ../shared/data"]` require: a missing file fails them
/// loudly (CI runs them with `--ignored`; a newcomer without the data sees
/// them skipped).
pub(crate) fn required_data(name: &str) -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/data"),
        here.join("../../shared/data"),
        PathBuf::from("/work/shared/data"),
    ]
    .into_iter()
    .map(|dir| dir.join(name))
    .find(|path| path.exists())
    .unwrap_or_else(|| {
        panic!("shared/data/{name} not found beside the checkout or in /work/shared/data: this test needs it")
    })
}
