//! `triage synth`, `triage profile` and `triage split` end to end.

use std::path::Path;

use serde_json::Value;

use crate::util::{run_ok, stderr, triage};

fn profile_json(data: &Path, cache: &Path) -> Value {
    let text = run_ok(&[
        "profile",
        data.to_str().unwrap(),
        "--json",
        "--no-progress",
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    serde_json::from_str(&text).expect("profile --json prints one JSON document")
}

#[test]
fn synth_then_profile_then_split() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cache = dir.path().join("cache");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "3",
        "--per-class",
        "40",
        "--imbalance",
        "4",
        "--seed",
        "1",
    ]);
    let doc = profile_json(&data, &cache);
    assert_eq!(doc["n_items"], 40 + 20 + 10);
    for key in [
        "classes",
        "duplicates",
        "near_duplicates",
        "corrupt_files",
        "properties",
        "warnings",
    ] {
        assert!(doc.get(key).is_some(), "profile JSON lacks `{key}`");
    }
    let ratio = doc["imbalance_ratio"].as_f64().unwrap();
    assert!((ratio - 4.0).abs() < 1e-9, "{ratio}");
    // The cache was written, and a second run reuses it with the same result.
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    assert_eq!(profile_json(&data, &cache), doc);

    // Split the class folders into a manifest, then profile the manifest.
    let manifest = data.join("split.csv");
    run_ok(&[
        "split",
        data.to_str().unwrap(),
        "--val",
        "0.2",
        "--test",
        "0.2",
        "--seed",
        "5",
    ]);
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.starts_with("path,label,split\n"), "{text}");
    let split = profile_json(&manifest, &cache);
    assert_eq!(split["n_items"], 70);
    let test = split["splits"]["test"].as_u64().unwrap();
    assert!(
        (12..=16).contains(&test),
        "test split holds {test} of 70 items"
    );
    for class in split["classes"].as_array().unwrap() {
        assert!(class["counts"]["test"].as_u64().unwrap() >= 2, "{class}");
    }
    // An existing manifest is not overwritten without --force.
    let again = triage(&["split", data.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"));
}

#[test]
fn profile_reports_planted_problems() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "20",
        "--test",
        "0.25",
    ]);
    // Leakage: a training image copied into the test split.
    let train_dir = data.join("train/circle");
    let first = std::fs::read_dir(&train_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::copy(&first, data.join("test/circle/leaked.png")).unwrap();
    // A zero-byte file, a truncated PNG and a JPEG named .png.
    std::fs::write(data.join("train/circle/empty.png"), b"").unwrap();
    let bytes = std::fs::read(&first).unwrap();
    std::fs::write(
        data.join("train/square/truncated.png"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    let jpeg_dir = dir.path().join("jpeg");
    run_ok(&[
        "synth",
        jpeg_dir.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "1",
        "--format",
        "jpeg",
    ]);
    let jpeg = std::fs::read_dir(jpeg_dir.join("circle"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::copy(jpeg, data.join("train/square/actually_jpeg.png")).unwrap();

    let doc = profile_json(&data, &dir.path().join("cache"));
    assert!(
        doc["duplicates"]["cross_split_groups"].as_u64().unwrap() >= 1,
        "{}",
        doc["duplicates"]
    );
    let corrupt = doc["corrupt_files"]["files"].to_string();
    assert!(
        corrupt.contains("empty.png") && corrupt.contains("zero-byte"),
        "{corrupt}"
    );
    assert!(corrupt.contains("truncated.png"), "{corrupt}");
    let mismatches = doc["extension_mismatches"].to_string();
    assert!(
        mismatches.contains("actually_jpeg.png") && mismatches.contains("jpeg"),
        "{mismatches}"
    );
    let kinds: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"leakage"), "{kinds:?}");
    assert!(kinds.contains(&"corrupt_files"), "{kinds:?}");
}

#[test]
fn profile_terminal_summary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "5",
    ]);
    let text = run_ok(&[
        "profile",
        data.to_str().unwrap(),
        "--no-cache",
        "--no-progress",
    ]);
    for needle in [
        "class",
        "imbalance",
        "duplicates",
        "near-duplicates",
        "brightness",
    ] {
        assert!(text.contains(needle), "summary lacks {needle}:\n{text}");
    }
}

#[test]
fn dataset_errors_exit_2_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = triage(&["profile", missing.to_str().unwrap(), "--no-cache"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));

    let manifest = dir.path().join("m.csv");
    std::fs::write(&manifest, "path,label\n../../etc/passwd,cat\n").unwrap();
    let out = triage(&["profile", manifest.to_str().unwrap(), "--no-cache"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("m.csv") && err.contains("line 2"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = triage(&["synth", dir.path().to_str().unwrap(), "--classes", "40"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("classes"), "{}", stderr(&out));
}

#[test]
fn synth_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        run_ok(&[
            "synth",
            out.to_str().unwrap(),
            "--classes",
            "3",
            "--per-class",
            "4",
            "--domain",
            "real-like",
            "--seed",
            "9",
        ]);
    }
    let manifest = std::fs::read_to_string(a.join("manifest.csv")).unwrap();
    for line in manifest.lines().skip(1) {
        let path = line.split(',').next().unwrap();
        assert_eq!(
            std::fs::read(a.join(path)).unwrap(),
            std::fs::read(b.join(path)).unwrap(),
            "{path}"
        );
    }
}

#[test]
fn embeddings_give_the_candidates_and_bad_ones_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "10",
        "--seed",
        "3",
    ]);
    let n = profile_json(&data, &dir.path().join("cache"))["n_items"]
        .as_u64()
        .unwrap() as usize;
    let profile_with = |emb: &Path| {
        triage(&[
            "profile",
            data.to_str().unwrap(),
            "--json",
            "--no-progress",
            "--no-cache",
            "--embeddings",
            emb.to_str().unwrap(),
        ])
    };
    // One row per item: the candidates come from the embeddings.
    let good = dir.path().join("good.npy");
    let rows: Vec<f32> = (0..n * 4).map(|i| ((i * 7919) % 97) as f32).collect();
    triage_data::npy_write::write_npy_f32(&good, &rows, n, 4).unwrap();
    let out = profile_with(&good);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["near_duplicates"]["candidates_from"], "embeddings");
    assert!(doc["near_duplicates"]["descriptor"]
        .as_str()
        .unwrap()
        .contains("good.npy"));

    // A row short: exit 2 naming the file and both counts, no JSON.
    let short = dir.path().join("short.npy");
    triage_data::npy_write::write_npy_f32(&short, &rows[..(n - 1) * 4], n - 1, 4).unwrap();
    let out = profile_with(&short);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("short.npy"), "{err}");
    assert!(
        err.contains(&(n - 1).to_string()) && err.contains(&n.to_string()),
        "{err}"
    );

    // A CSV with an id column, rows in any order: matched to the items.
    let mut ids: Vec<String> = Vec::new();
    let mut stack = vec![data.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "png") {
                let rel = path.strip_prefix(&data).unwrap();
                ids.push(rel.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    ids.sort();
    ids.reverse();
    assert_eq!(ids.len(), n);
    let csv_of = |ids: &[String]| {
        let mut text = String::from("id,e0,e1\n");
        for (r, id) in ids.iter().enumerate() {
            text.push_str(&format!("{id},{},{}\n", r % 7, (r * 3) % 5));
        }
        text
    };
    let with_ids = dir.path().join("emb.csv");
    std::fs::write(&with_ids, csv_of(&ids)).unwrap();
    let out = profile_with(&with_ids);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["near_duplicates"]["candidates_from"], "embeddings");
    // An item without a row, and a row of no item: exit 2 naming them.
    std::fs::write(&with_ids, csv_of(&ids[1..])).unwrap();
    let out = profile_with(&with_ids);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("no row for item `{}`", ids[0])),
        "{}",
        stderr(&out)
    );
    let mut extra = ids.clone();
    extra.push("elsewhere/x.png".into());
    std::fs::write(&with_ids, csv_of(&extra)).unwrap();
    let out = profile_with(&with_ids);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`elsewhere/x.png`, which is not an item"),
        "{}",
        stderr(&out)
    );

    // A NaN: exit 2 naming its row.
    let mut bad = rows.clone();
    bad[4 * 3 + 1] = f32::NAN;
    let nan = dir.path().join("nan.npy");
    triage_data::npy_write::write_npy_f32(&nan, &bad, n, 4).unwrap();
    let out = profile_with(&nan);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("row 4 (index 3)"), "{}", stderr(&out));
}

#[test]
fn split_keeps_the_groups_of_a_named_column_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::util::tiny_synth(dir.path());
    // The synthetic manifest with a `patient` column: 4 patients.
    let text = std::fs::read_to_string(data.join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},patient\n", lines.next().unwrap());
    for (i, line) in lines.enumerate() {
        out.push_str(&format!("{line},p{}\n", i % 4));
    }
    let manifest = data.join("patients.csv");
    std::fs::write(&manifest, out).unwrap();
    let split = dir.path().join("split.csv");
    let args = |column: &str| {
        vec![
            "split".to_string(),
            manifest.display().to_string(),
            "--group-column".into(),
            column.into(),
            "--out".into(),
            split.display().to_string(),
            "--force".into(),
        ]
    };
    let a = args("patient");
    let o = crate::util::triage(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("4 groups kept whole"), "{}", stderr(&o));
    // Every patient's items share one split.
    let written = std::fs::read_to_string(&split).unwrap();
    let mut header = written.lines().next().unwrap().split(',');
    let split_col = header.position(|h| h == "split").unwrap();
    let group_col = written
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == "group")
        .unwrap();
    let mut seen = std::collections::HashMap::new();
    for line in written.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let first = seen
            .entry(f[group_col].to_string())
            .or_insert(f[split_col].to_string());
        assert_eq!(first, f[split_col], "{line}");
    }
    assert_eq!(seen.len(), 4);
    // A column that is not there is named.
    let a = args("ward");
    let o = crate::util::triage(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`ward`"), "{}", stderr(&o));
}
