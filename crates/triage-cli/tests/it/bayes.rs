//! `triage bayes` end to end: soft labels, embeddings with labels (train →
//! test), raw pixels of a dataset, the document on `--out`, and bad input
//! (exit 2 naming the file and row).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::util::{run_ok, stderr, tiny_synth, triage};

/// Embeddings CSV (`id,f0,f1`) and a predictions CSV of the same ids: two
/// classes around (0, 0) and (3, 0), deterministic jitter.
fn embeddings(dir: &Path, name: &str, n: usize, seed: u64) -> (String, String) {
    let mut emb = String::from("id,f0,f1\n");
    let mut pred = String::from("id,label,p_a,p_b\n");
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    let mut uniform = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let y = i % 2;
        let (a, b) = (uniform() * 2.0 - 1.0, uniform() * 2.0 - 1.0);
        writeln!(emb, "{name}{i},{:.5},{:.5}", 3.0 * y as f64 + 1.5 * a, b).unwrap();
        let label = ["a", "b"][y];
        writeln!(pred, "{name}{i},{label},0.5,0.5").unwrap();
    }
    let (e, p) = (
        dir.join(format!("{name}_emb.csv")),
        dir.join(format!("{name}_pred.csv")),
    );
    std::fs::write(&e, emb).unwrap();
    std::fs::write(&p, pred).unwrap();
    (e.display().to_string(), p.display().to_string())
}

#[test]
fn embeddings_train_to_test_give_every_estimate_and_write_the_document() {
    let tmp = tempfile::tempdir().unwrap();
    let (train_e, train_p) = embeddings(tmp.path(), "train", 400, 1);
    let (test_e, test_p) = embeddings(tmp.path(), "test", 200, 2);
    let out = tmp.path().join("bayes.json");
    let text = run_ok(&[
        "bayes",
        "--embeddings",
        &train_e,
        "--labels",
        &train_p,
        "--test-embeddings",
        &test_e,
        "--test-labels",
        &test_p,
        "--noise-sweep",
        "--bootstrap",
        "20",
        "--json",
        "--out",
        out.to_str().unwrap(),
        "--no-progress",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "triage-bayes");
    let set = &doc["feature_sets"][0];
    assert_eq!(set["mode"], "train-test");
    assert_eq!(set["reference_per_class"], serde_json::json!([200, 200]));
    let names: Vec<&str> = set["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["estimator"].as_str().unwrap())
        .collect();
    for e in ["knn", "1nn-knn", "knn-extrapolate", "ghp"] {
        assert!(names.contains(&e), "{e} missing from {names:?}");
    }
    assert_eq!(doc["noise_sweep"]["levels"].as_array().unwrap().len(), 4);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, doc);
    // The report reads it.
    let html = tmp.path().join("r.html");
    run_ok(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("tightest"),
        "the report does not show the estimates"
    );
}

#[test]
fn soft_labels_csv_and_pixels_of_a_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let soft = tmp.path().join("soft.csv");
    std::fs::write(
        &soft,
        "id,cat,dog,owl,count\na,3,1,0,4\nb,0,4,0,4\nc,1,1,2,4\n",
    )
    .unwrap();
    let text = run_ok(&[
        "bayes",
        "--soft-labels",
        soft.to_str().unwrap(),
        "--group",
        "pets=cat,dog",
    ]);
    assert!(text.contains("pets"), "{text}");
    assert!(text.contains("human disagreement"), "{text}");
    let data = tiny_synth(tmp.path());
    let text = run_ok(&[
        "bayes",
        "--data",
        data.to_str().unwrap(),
        "--json",
        "--no-progress",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["feature_sets"][0]["kind"], "pixels");
    assert_eq!(doc["feature_sets"][0]["mode"], "leave-one-out");
    assert_eq!(doc["feature_sets"][0]["size"], "8x8x3");
    assert!(doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["kind"] == "few-per-class"));
}

fn fails(args: &[&str]) -> String {
    let out = triage(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    stderr(&out)
}

#[test]
fn bad_input_is_named_with_its_row_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let sum = t("sum.csv", "cat,dog,count\n3,1,4\n2,2,5\n");
    let err = fails(&["bayes", "--soft-labels", &sum]);
    assert!(
        err.contains("row 1") && err.contains("sum to 4") && err.contains("5 annotations"),
        "{err}"
    );
    let negative = t("neg.csv", "cat,dog\n3,1\n2,-2\n");
    let err = fails(&["bayes", "--soft-labels", &negative]);
    assert!(
        err.contains("row 1, class 1") && err.contains("negative"),
        "{err}"
    );
    let one = t("one.csv", "cat\n3\n2\n");
    assert!(fails(&["bayes", "--soft-labels", &one]).contains("at least 2"));
    let words = t("words.csv", "cat,dog\n3,x\n");
    assert!(fails(&["bayes", "--soft-labels", &words]).contains("line 2"));
    // Embeddings: a NaN row, a class with one item, ids not in the labels.
    let labels = t(
        "labels.csv",
        "id,label,p_a,p_b\nu,a,1,0\nv,a,1,0\nw,b,0,1\nx,b,0,1\ny,a,1,0\n",
    );
    let nan = t("nan.csv", "id,f0\nu,1\nv,NaN\nw,2\nx,3\ny,4\n");
    let err = fails(&["bayes", "--embeddings", &nan, "--labels", &labels]);
    assert!(
        err.contains("nan.csv") && err.contains("not finite") || err.contains("NaN"),
        "{err}"
    );
    let single = t(
        "single.csv",
        "id,label,p_a,p_b\nu,a,1,0\nv,a,1,0\nw,b,0,1\nx,a,1,0\ny,a,1,0\n",
    );
    let emb = t("emb.csv", "id,f0\nu,1\nv,1.5\nw,2\nx,3\ny,4\n");
    let err = fails(&["bayes", "--embeddings", &emb, "--labels", &single]);
    assert!(err.contains("class `b` has 1 item"), "{err}");
    let stranger = t("stranger.csv", "id,f0\nu,1\nzz,1.5\n");
    let err = fails(&["bayes", "--embeddings", &stranger, "--labels", &labels]);
    assert!(err.contains("zz") && err.contains("hint:"), "{err}");
    assert!(fails(&["bayes"]).contains("nothing to estimate from"));
    let good = t("good.csv", "cat,dog\n3,1\n2,2\n");
    let err = fails(&[
        "bayes",
        "--soft-labels",
        &good,
        "--group",
        "pets=cat,ferret",
    ]);
    assert!(err.contains("ferret"), "{err}");
}
