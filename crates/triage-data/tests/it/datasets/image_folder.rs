//! Class folders, with and without split folders.

use std::fs;
use std::os::unix::fs::symlink;

use tempfile::tempdir;
use triage_data::dataset::{DatasetError as E, DatasetFormat, OpenOptions, Source, Split};

use super::{ids, open, open_err, skip_reason, write_bytes, write_jpeg, write_png};

#[test]
fn class_folders_without_splits() {
    let dir = tempdir().unwrap();
    let root = dir.path();
    write_png(&root.join("cat/b.png"), 4, 4);
    write_png(&root.join("cat/a.PNG"), 4, 4);
    write_png(&root.join("cat/sub/c.png"), 4, 4);
    write_jpeg(&root.join("dog/x.jpeg"), 8, 8);
    write_bytes(&root.join("dog/notes.txt"), b"not an image");
    write_bytes(&root.join("dog/.DS_Store"), b"hidden");
    write_bytes(&root.join("dog/empty.png"), b"");
    write_png(&root.join(".hidden_class/z.png"), 2, 2);
    fs::create_dir_all(root.join("bird")).unwrap();
    write_bytes(&root.join("README.md"), b"# data");

    let ds = open(root);
    assert_eq!(ds.format, DatasetFormat::ImageFolder);
    assert_eq!(ds.root, root);
    assert_eq!(ds.classes, ["bird", "cat", "dog"]);
    assert_eq!(
        ids(&ds),
        ["cat/a.PNG", "cat/b.png", "cat/sub/c.png", "dog/x.jpeg"]
    );
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [1, 1, 1, 2]
    );
    assert!(ds
        .items
        .iter()
        .all(|i| i.split.is_none() && i.group.is_none()));
    assert_eq!(ds.items[0].source, Source::File(root.join("cat/a.PNG")));
    assert_eq!(ds.class_counts(), [0, 3, 1]);
    assert!(ds.records.is_none());

    assert_eq!(
        skip_reason(&ds, "dog/notes.txt"),
        Some("not an image extension")
    );
    assert_eq!(skip_reason(&ds, "dog/empty.png"), Some("zero-byte file"));
    assert_eq!(
        skip_reason(&ds, "bird"),
        Some("class folder `bird` holds no images")
    );
    assert_eq!(
        skip_reason(&ds, "README.md"),
        Some("not inside a class folder")
    );
    assert_eq!(ds.skipped.len(), 4, "{:?}", ds.skipped);
}

#[test]
fn split_folders_hold_class_folders() {
    let dir = tempdir().unwrap();
    let root = dir.path();
    write_png(&root.join("train/dog/1.png"), 2, 2);
    write_png(&root.join("train/cat/1.png"), 2, 2);
    write_png(&root.join("train/cat/2.png"), 2, 2);
    write_png(&root.join("validation/cat/3.png"), 2, 2);
    write_png(&root.join("test/dog/4.png"), 2, 2);
    write_png(&root.join("test/fox/5.png"), 2, 2);
    write_bytes(&root.join("index.csv"), b"x");
    write_bytes(&root.join("test/stray.png"), b"x");
    fs::create_dir_all(root.join("val")).unwrap();

    let ds = open(root);
    assert_eq!(ds.classes, ["cat", "dog", "fox"]);
    assert_eq!(
        ids(&ds),
        [
            "train/cat/1.png",
            "train/cat/2.png",
            "train/dog/1.png",
            "validation/cat/3.png",
            "test/dog/4.png",
            "test/fox/5.png"
        ]
    );
    let splits: Vec<_> = ds.items.iter().map(|i| i.split).collect();
    use Split::{Test, Train, Val};
    assert_eq!(
        splits,
        [
            Some(Train),
            Some(Train),
            Some(Train),
            Some(Val),
            Some(Test),
            Some(Test)
        ]
    );
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [0, 0, 1, 0, 1, 2]
    );
    assert_eq!(
        skip_reason(&ds, "index.csv"),
        Some("not inside a split folder")
    );
    assert_eq!(
        skip_reason(&ds, "test/stray.png"),
        Some("not inside a class folder")
    );
    assert_eq!(
        skip_reason(&ds, "val"),
        Some("split folder `val` holds no class folders")
    );
}

#[test]
fn split_named_folders_of_images_are_classes() {
    // `train` and `test` hold images directly: they are classes.
    let dir = tempdir().unwrap();
    write_png(&dir.path().join("train/a.png"), 2, 2);
    write_png(&dir.path().join("test/b.png"), 2, 2);
    let ds = open(dir.path());
    assert_eq!(ds.classes, ["test", "train"]);
    assert!(ds.items.iter().all(|i| i.split.is_none()));
}

#[test]
fn symlink_loops_end_and_are_reported() {
    let dir = tempdir().unwrap();
    let root = dir.path();
    write_png(&root.join("cat/a.png"), 2, 2);
    write_png(&root.join("dog/b.png"), 2, 2);
    symlink(root, root.join("cat/loop")).unwrap();
    symlink(root.join("cat"), root.join("dog/cats")).unwrap();
    symlink(root.join("nowhere"), root.join("dog/broken.png")).unwrap();
    write_png(&dir.path().join("elsewhere/c.png"), 2, 2);
    let outside = tempdir().unwrap();
    write_png(&outside.path().join("d.png"), 2, 2);
    symlink(outside.path(), root.join("dog/linked")).unwrap();

    let ds = open(root);
    assert_eq!(
        ids(&ds),
        [
            "cat/a.png",
            "dog/b.png",
            "dog/linked/d.png",
            "elsewhere/c.png"
        ]
    );
    let loop_reason = skip_reason(&ds, "cat/loop").expect("the loop is reported");
    assert!(
        loop_reason.contains("loop") && loop_reason.contains("`.`"),
        "{loop_reason}"
    );
    let repeat = skip_reason(&ds, "dog/cats").expect("the second link is reported");
    assert!(repeat.contains("same directory as `cat`"), "{repeat}");
    assert!(skip_reason(&ds, "dog/broken.png")
        .unwrap()
        .contains("broken symbolic link"));

    let no_follow = OpenOptions {
        follow_symlinks: false,
        ..OpenOptions::default()
    };
    let ds = triage_data::dataset::open_dataset(root, &no_follow).unwrap();
    assert_eq!(ids(&ds), ["cat/a.png", "dog/b.png", "elsewhere/c.png"]);
    assert_eq!(
        skip_reason(&ds, "dog/linked"),
        Some("symbolic link to a directory, not followed")
    );
}

#[test]
fn non_utf8_names_are_kept_and_colliding_ids_skipped() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir().unwrap();
    let cat = dir.path().join("cat");
    write_png(&cat.join(OsStr::from_bytes(b"\xff.png")), 2, 2);
    write_png(&cat.join(OsStr::from_bytes(b"\xfe.png")), 2, 2);
    write_png(&cat.join("ok.png"), 2, 2);
    let ds = open(dir.path());
    assert_eq!(ids(&ds), ["cat/ok.png", "cat/\u{fffd}.png"]);
    // The kept one is the first in byte order.
    assert_eq!(
        ds.items[1].source,
        Source::File(cat.join(OsStr::from_bytes(b"\xfe.png")))
    );
    let reason = skip_reason(&ds, "cat/\u{fffd}.png").expect("the collision is reported");
    assert!(reason.contains("already used"), "{reason}");
}

#[test]
fn missing_and_empty_paths_are_errors_naming_the_path() {
    let dir = tempdir().unwrap();
    let opts = OpenOptions::default();
    let missing = dir.path().join("no/such/dataset");
    let err = open_err(&missing, &opts, &missing, &["does not exist"]);
    assert!(matches!(err, E::NotFound { .. }));

    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    write_bytes(&empty.join(".gitkeep"), b"");
    let err = open_err(&empty, &opts, &empty, &["empty directory"]);
    assert!(matches!(err, E::EmptyDirectory { .. }));

    let flat = dir.path().join("flat");
    write_png(&flat.join("a.png"), 2, 2);
    write_png(&flat.join("b.png"), 2, 2);
    let err = open_err(&flat, &opts, &flat, &["2 files", "no class folders"]);
    assert!(matches!(err, E::NoClassFolders { files: 2, .. }));

    let imageless = dir.path().join("imageless");
    write_bytes(&imageless.join("cat/a.txt"), b"text");
    fs::create_dir_all(imageless.join("dog")).unwrap();
    let err = open_err(
        &imageless,
        &opts,
        &imageless,
        &["no images found", "(3 skipped)"],
    );
    assert!(matches!(err, E::NoImages { skipped: 3, .. }));

    let other = dir.path().join("labels.json");
    write_bytes(&other, b"{}");
    let err = open_err(&other, &opts, &other, &["is not a dataset"]);
    assert!(matches!(err, E::UnknownFormat { .. }));
}
