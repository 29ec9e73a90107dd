//! `triage knn`: 4 shards (2 query blocks × 2 reference blocks, and 4
//! query blocks) merged equal the unsharded search file for file; shards
//! of another search, missing shards and bad shard numbers exit 2.

use std::fs;
use std::path::Path;

use triage_data::npy_write::write_npy_f32;

use crate::util::{run_ok, stderr, triage};

fn embeddings(path: &Path, n: usize, d: usize, seed: u64) {
    let mut s = seed;
    let v: Vec<f32> = (0..n * d)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Few distinct values: duplicates and ties.
            ((s >> 33) % 7) as f32 - 3.0
        })
        .collect();
    write_npy_f32(path, &v, n, d).unwrap();
}

fn same_files(a: &Path, b: &Path) {
    for f in ["indices.npy", "distances.npy"] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} of {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn merged_shards_equal_the_whole_search() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (x, q) = (t.join("x.npy"), t.join("q.npy"));
    embeddings(&x, 203, 6, 1);
    embeddings(&q, 57, 6, 2);
    for (queries, metric, blocks) in [
        (None, "euclidean", "2"),
        (None, "cosine", "1"),
        (Some(&q), "euclidean", "4"),
        (Some(&q), "cosine", "2"),
    ] {
        let mut base = vec![
            x.to_str().unwrap().to_owned(),
            "-k".into(),
            "5".into(),
            "--metric".into(),
            metric.into(),
        ];
        if let Some(q) = queries {
            base.extend(["--queries".into(), q.to_str().unwrap().to_owned()]);
        }
        let whole = t.join(format!("whole-{metric}-{blocks}-{}", queries.is_some()));
        let mut args = vec!["knn".to_owned()];
        args.extend(base.clone());
        args.extend(["--out".into(), whole.to_str().unwrap().to_owned()]);
        run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let mut shards = Vec::new();
        for i in 0..4 {
            let dir = t.join(format!("shard-{metric}-{blocks}-{}-{i}", queries.is_some()));
            let mut args = vec!["knn".to_owned()];
            args.extend(base.clone());
            args.extend([
                "--shard".into(),
                format!("{i}/4"),
                "--reference-blocks".into(),
                blocks.into(),
                "--out".into(),
                dir.to_str().unwrap().to_owned(),
            ]);
            run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
            shards.push(dir.to_str().unwrap().to_owned());
        }
        let merged = t.join(format!("merged-{metric}-{blocks}-{}", queries.is_some()));
        let mut args = vec!["knn", "merge"];
        // In another order than written.
        args.extend(shards.iter().rev().map(String::as_str));
        args.extend(["--out", merged.to_str().unwrap()]);
        run_ok(&args);
        same_files(&whole, &merged);
        let doc: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(merged.join("knn.json")).unwrap()).unwrap();
        assert_eq!(doc["shard"], serde_json::Value::Null);
        assert_eq!(doc["rows"], if queries.is_some() { 57 } else { 203 });
    }

    // A missing shard, a shard of another search, a bad shard number.
    let shard = |i: usize, data: &Path, name: &str| {
        let dir = t.join(name);
        run_ok(&[
            "knn",
            data.to_str().unwrap(),
            "--shard",
            &format!("{i}/4"),
            "--out",
            dir.to_str().unwrap(),
        ]);
        dir.to_str().unwrap().to_owned()
    };
    let s: Vec<String> = (0..3).map(|i| shard(i, &x, &format!("m{i}"))).collect();
    let other = shard(3, &q, "other");
    let m = t.join("m").to_str().unwrap().to_owned();
    for (parts, expect) in [
        (vec![&s[0], &s[1], &s[2]], "shard 3 of 4 is missing"),
        (
            vec![&s[0], &s[1], &s[2], &other],
            "shards of different searches",
        ),
    ] {
        let mut args = vec!["knn", "merge"];
        args.extend(parts.iter().map(|p| p.as_str()));
        args.extend(["--out", &m]);
        let o = triage(&args);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
    for (shard, blocks, expect) in [
        ("4/4", "1", "numbered 0 to N − 1"),
        ("0/4", "3", "do not divide"),
    ] {
        let o = triage(&[
            "knn",
            x.to_str().unwrap(),
            "--shard",
            shard,
            "--reference-blocks",
            blocks,
            "--out",
            t.join("z").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
}
