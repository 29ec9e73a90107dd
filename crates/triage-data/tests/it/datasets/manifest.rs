//! CSV manifests.

use tempfile::tempdir;
use triage_data::dataset::{DatasetError as E, DatasetFormat, OpenOptions, Source, Split};

use super::{ids, open, open_err, skip_reason, write_bytes, write_png};

#[test]
fn rows_with_split_and_group_in_row_order() {
    let dir = tempdir().unwrap();
    let root = dir.path().join("data");
    write_png(&root.join("img/1.png"), 2, 2);
    write_png(&root.join("img/2.png"), 2, 2);
    write_png(&root.join("img/3.png"), 2, 2);
    write_png(&root.join("img/4.png"), 2, 2);
    let manifest = root.join("manifest.csv");
    write_bytes(
        &manifest,
        b"\xef\xbb\xbfnote, Path ,label,split,group\n\
          x,img/3.png,dog,train,p1\n\
          x,./img/1.png,cat,VALID,p2\n\
          x,sub/../img/2.png,cat,test,\n\
          x,img/4.png,bird,,p1\n",
    );
    let ds = open(&manifest);
    assert_eq!(ds.format, DatasetFormat::Manifest);
    assert_eq!(ds.root, manifest);
    assert_eq!(ds.classes, ["bird", "cat", "dog"]);
    assert_eq!(
        ids(&ds),
        ["img/3.png", "img/1.png", "img/2.png", "img/4.png"]
    );
    assert_eq!(
        ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
        [2, 1, 1, 0]
    );
    let splits: Vec<_> = ds.items.iter().map(|i| i.split).collect();
    assert_eq!(
        splits,
        [
            Some(Split::Train),
            Some(Split::Val),
            Some(Split::Test),
            None
        ]
    );
    let groups: Vec<_> = ds.items.iter().map(|i| i.group.as_deref()).collect();
    assert_eq!(groups, [Some("p1"), Some("p2"), None, Some("p1")]);
    assert_eq!(ds.items[2].source, Source::File(root.join("img/2.png")));
    assert!(ds.skipped.is_empty());
}

#[test]
fn integer_labels_index_classes_from_zero() {
    let dir = tempdir().unwrap();
    write_png(&dir.path().join("a.png"), 2, 2);
    write_png(&dir.path().join("b.png"), 2, 2);
    let manifest = dir.path().join("m.csv");
    write_bytes(&manifest, b"path,label\na.png,3\nb.png,1\n");
    let ds = open(&manifest);
    assert_eq!(ds.classes, ["0", "1", "2", "3"]);
    assert_eq!(ds.items.iter().map(|i| i.label).collect::<Vec<_>>(), [3, 1]);
}

#[test]
fn duplicate_and_missing_rows_are_skipped() {
    let dir = tempdir().unwrap();
    write_png(&dir.path().join("a.png"), 2, 2);
    write_png(&dir.path().join("b.png"), 2, 2);
    write_bytes(&dir.path().join("empty.png"), b"");
    let manifest = dir.path().join("m.csv");
    write_bytes(
        &manifest,
        b"path,label\na.png,cat\nmissing.png,dog\nb.png,dog\n./a.png,cat\nb.png,cat\nempty.png,cat\n",
    );
    let ds = open(&manifest);
    assert_eq!(ids(&ds), ["a.png", "b.png"]);
    // The missing file's class is still a class.
    assert_eq!(ds.classes, ["cat", "dog"]);
    assert_eq!(
        skip_reason(&ds, "missing.png"),
        Some("line 3: file not found")
    );
    assert_eq!(
        skip_reason(&ds, "empty.png"),
        Some("line 7: zero-byte file")
    );
    let dups: Vec<_> = ds
        .skipped
        .iter()
        .filter(|s| s.reason.contains("duplicate"))
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        dups,
        [
            ("a.png", "line 5: duplicate of line 2"),
            (
                "b.png",
                "line 6: duplicate of line 4 (labelled `dog` there, `cat` here)"
            )
        ]
    );
}

#[test]
fn paths_outside_the_manifest_directory_are_refused() {
    let dir = tempdir().unwrap();
    let root = dir.path().join("data");
    write_png(&dir.path().join("outside.png"), 2, 2);
    write_png(&root.join("a.png"), 2, 2);
    let opts = OpenOptions::default();

    let manifest = root.join("up.csv");
    write_bytes(&manifest, b"path,label\na.png,cat\n../outside.png,dog\n");
    let err = open_err(
        &manifest,
        &opts,
        &manifest,
        &["line 3", "`../outside.png`", "outside"],
    );
    assert!(matches!(err, E::ManifestPathEscapes { line: 3, .. }));

    let manifest = root.join("deep.csv");
    write_bytes(&manifest, b"path,label\nx/../../outside.png,dog\n");
    open_err(
        &manifest,
        &opts,
        &manifest,
        &["line 2", "x/../../outside.png"],
    );

    let manifest = root.join("absolute.csv");
    let absolute = dir.path().join("outside.png");
    let text = format!("path,label\na.png,cat\n\"{}\",dog\n", absolute.display());
    write_bytes(&manifest, text.as_bytes());
    let err = open_err(
        &manifest,
        &opts,
        &manifest,
        &["line 3", "outside the manifest"],
    );
    assert!(matches!(err, E::ManifestPathEscapes { line: 3, .. }));
}

#[test]
fn header_and_field_errors_name_the_line() {
    let dir = tempdir().unwrap();
    write_png(&dir.path().join("a.png"), 2, 2);
    let opts = OpenOptions::default();
    let cases: [(&str, &[u8], &[&str]); 6] = [
        (
            "no_label.csv",
            b"path,class\na.png,cat\n",
            &["line 1", "`label`"],
        ),
        (
            "no_path.csv",
            b"file,label\na.png,cat\n",
            &["line 1", "`path`"],
        ),
        (
            "empty_label.csv",
            b"path,label\na.png,cat\na.png, \n",
            &["line 3", "`label` is empty"],
        ),
        (
            "short_row.csv",
            b"path,label\na.png\n",
            &["line 2", "`label` is empty"],
        ),
        (
            "bad_split.csv",
            b"path,label,split\na.png,cat,holdout\n",
            &["line 2", "unknown split `holdout`"],
        ),
        ("empty.csv", b"", &["has no rows"]),
    ];
    for (name, text, parts) in cases {
        let manifest = dir.path().join(name);
        write_bytes(&manifest, text);
        open_err(&manifest, &opts, &manifest, parts);
    }

    let manifest = dir.path().join("header_only.csv");
    write_bytes(&manifest, b"path,label\n");
    let err = open_err(&manifest, &opts, &manifest, &["has no rows"]);
    assert!(matches!(err, E::ManifestEmpty { .. }));

    let manifest = dir.path().join("all_missing.csv");
    write_bytes(&manifest, b"path,label\nx.png,cat\n");
    let err = open_err(
        &manifest,
        &opts,
        &manifest,
        &["no images found", "(1 skipped)"],
    );
    assert!(matches!(err, E::NoImages { .. }));

    let manifest = dir.path().join("not_utf8.csv");
    write_bytes(&manifest, b"path,label\na.png,\xff\xfe\n");
    let err = open_err(&manifest, &opts, &manifest, &["line 2", "malformed CSV"]);
    assert!(matches!(err, E::ManifestCsv { .. }));
}
