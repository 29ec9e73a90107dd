//! Helpers to run the binary and write input files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (two levels above this crate).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Run `triage` with the arguments, from the repository root.
pub(crate) fn triage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("failed to start triage")
}

/// Run `triage` with the arguments, assert success, return stdout.
pub(crate) fn run_ok(args: &[&str]) -> String {
    let out = triage(args);
    assert!(
        out.status.success(),
        "triage {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// Stdout as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Write `text` to `name` in a fresh temporary directory.
pub(crate) fn write_temp(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// `triage synth` of 2 classes × 6 images of 8×8 into `dir/syn`.
pub(crate) fn tiny_synth(dir: &Path) -> PathBuf {
    let data = dir.join("syn");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "6",
        "--size",
        "8",
    ]);
    data
}

/// `triage synth` of 3 classes × 24 images of 16×16 with train/val/test
/// splits (a quarter each for val and test) into `dir/syn`; the manifest.
pub(crate) fn small_synth(dir: &Path) -> PathBuf {
    let out = dir.join("syn");
    run_ok(&[
        "synth",
        out.to_str().unwrap(),
        "--classes",
        "3",
        "--per-class",
        "24",
        "--size",
        "16",
        "--seed",
        "3",
        "--val",
        "0.25",
        "--test",
        "0.25",
    ]);
    out.join("manifest.csv")
}
