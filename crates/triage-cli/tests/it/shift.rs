//! `triage shift` end to end: predictions files in, the document, the
//! prior-corrected predictions, `--fail-on`, bad input, and the report.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::util::{run_ok, stderr, triage};

/// A predictions CSV of `n` items drawn with `priors` over cat/dog/owl, a
/// model whose outputs depend on the class only; `labelled: false` leaves
/// the label column empty.
fn predictions(path: &Path, n: usize, priors: [f64; 3], labelled: bool, seed: u64) {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    let mut uniform = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let classes = ["cat", "dog", "owl"];
    let mut text = String::from("id,label,p_cat,p_dog,p_owl\n");
    for i in 0..n {
        let u = uniform();
        let y = if u < priors[0] {
            0
        } else if u < priors[0] + priors[1] {
            1
        } else {
            2
        };
        let w: Vec<f64> = (0..3)
            .map(|c| (if c == y { 2.0 } else { 0.0 } + 2.0 * uniform()).exp())
            .collect();
        let s: f64 = w.iter().sum();
        let label = if labelled { classes[y] } else { "" };
        writeln!(
            text,
            "item{i},{label},{:.6},{:.6},{:.6}",
            w[0] / s,
            w[1] / s,
            1.0 - (w[0] / s * 1e6).round() / 1e6 - (w[1] / s * 1e6).round() / 1e6
        )
        .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn shift_finds_label_shift_writes_corrected_predictions_and_feeds_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("val.csv"), tmp.path().join("deploy.csv"));
    predictions(&source, 1500, [0.6, 0.3, 0.1], true, 1);
    predictions(&target, 1500, [0.1, 0.3, 0.6], false, 2);
    let adjusted = tmp.path().join("adjusted.csv");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let args = [
        "shift",
        "--source",
        &s(&source),
        "--target",
        &s(&target),
        "--bootstrap",
        "30",
        "--adjusted-out",
        &s(&adjusted),
        "--no-progress",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let text = run_ok(&json_args);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "triage-shift");
    assert_eq!(doc["verdict"]["label_shift"], true);
    assert!(doc["mmd"].is_null(), "no embeddings were given");
    let em = doc["label_shift"]["em_priors"].as_array().unwrap();
    assert!((em[2].as_f64().unwrap() - 0.6).abs() < 0.06, "{em:?}");
    assert_eq!(
        doc["label_shift"]["adjusted_predictions"],
        adjusted.display().to_string()
    );
    // The corrected predictions are a predictions file of the same items.
    let back = std::fs::read_to_string(&adjusted).unwrap();
    assert_eq!(back.lines().count(), 1501);
    assert!(back.lines().nth(1).unwrap().starts_with("item0,,"));

    // The summary, and --fail-on: label shift is a warning.
    let out = triage(&args);
    assert_eq!(out.status.code(), Some(0));
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(summary.contains("label shift detected by"), "{summary}");
    assert!(summary.contains("owl"), "{summary}");
    let mut gate = args.to_vec();
    gate.extend(["--fail-on", "warning"]);
    let out = triage(&gate);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("label-shift"), "{}", stderr(&out));

    // The report shows it in "Will it survive deployment".
    let doc_path = tmp.path().join("shift.json");
    std::fs::write(&doc_path, &text).unwrap();
    let html = tmp.path().join("report.html");
    run_ok(&["report", &s(&doc_path), "--out", &s(&html)]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Shift <code>shift</code>") || page.contains("Shift `shift`"),
        "no shift heading"
    );
    assert!(page.contains("target (EM)"), "no priors table");
    assert!(page.contains("label shift"), "no finding");
}

#[test]
fn shift_refuses_bad_input_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("val.csv");
    predictions(&source, 100, [0.6, 0.3, 0.1], true, 3);
    let s = source.to_str().unwrap();
    let missing = tmp.path().join("nope.csv");
    for (args, expected) in [
        (
            vec![
                "shift",
                "--source",
                s,
                "--target",
                missing.to_str().unwrap(),
            ],
            "nope.csv",
        ),
        (vec!["shift", "--source", s], "no test can run"),
        (
            vec!["shift", "--source", s, "--target", s, "--alpha", "2"],
            "alpha 2",
        ),
        (
            vec!["shift", "--source", s, "--target", s, "--adjusted-out", s],
            "val.csv",
        ),
    ] {
        let out = triage(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The input named as output is untouched.
    assert!(std::fs::read_to_string(&source)
        .unwrap()
        .starts_with("id,label,"));
}

/// `triage synth` of 3 classes in `domain` into `tmp/<domain>`.
fn synth(tmp: &Path, domain: &str, per_class: usize, size: u32) -> std::path::PathBuf {
    let dir = tmp.join(domain);
    run_ok(&[
        "synth",
        dir.to_str().unwrap(),
        "--classes",
        "3",
        "--per-class",
        &per_class.to_string(),
        "--size",
        &size.to_string(),
        "--domain",
        domain,
    ]);
    dir
}

#[test]
fn shift_compares_the_images_of_two_datasets() {
    let tmp = tempfile::tempdir().unwrap();
    let (clean, real) = (
        synth(tmp.path(), "clean", 40, 24),
        synth(tmp.path(), "real-like", 40, 24),
    );
    let text = run_ok(&[
        "shift",
        "--source-data",
        clean.to_str().unwrap(),
        "--target-data",
        real.to_str().unwrap(),
        "--json",
        "--no-progress",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["verdict"]["covariate_shift"], true);
    assert_eq!(doc["properties"]["tests"].as_array().unwrap().len(), 7);
    let words = doc["properties"]["summary"].as_str().unwrap();
    assert!(words.starts_with("deployment images are"), "{words}");
    let path = tmp.path().join("shift.json");
    std::fs::write(&path, &text).unwrap();
    let html = tmp.path().join("r.html");
    run_ok(&[
        "report",
        path.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"shift-hist-"), "no property histogram");
    assert!(page.contains(words), "the words are not in the report");
}

/// A predictions file (uniform outputs, the `path` column set) and an
/// embeddings CSV (2 features, the second offset by `offset`) of every
/// image of the synthetic set `dir`.
fn files_of(dir: &Path, offset: f64, out: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let manifest = std::fs::read_to_string(dir.join("manifest.csv")).unwrap();
    let mut preds = String::from("id,label,path,p_circle,p_square,p_triangle\n");
    let mut emb = String::from("id,f0,f1\n");
    for (i, line) in manifest.lines().skip(1).enumerate() {
        let mut f = line.split(',');
        let (file, label) = (f.next().unwrap(), f.next().unwrap());
        let path = dir.join(file);
        writeln!(preds, "{file},{label},{},0.4,0.3,0.3", path.display()).unwrap();
        let jitter = ((i * 7919) % 101) as f64 / 101.0;
        writeln!(emb, "{file},{jitter:.4},{:.4}", offset + jitter).unwrap();
    }
    let (p, e) = (out.with_extension("csv"), out.with_extension("emb.csv"));
    std::fs::write(&p, preds).unwrap();
    std::fs::write(&e, emb).unwrap();
    (p, e)
}

#[test]
fn the_report_shows_the_deployment_images_most_unlike_training() {
    let tmp = tempfile::tempdir().unwrap();
    let (clean, real) = (
        synth(tmp.path(), "clean", 30, 16),
        synth(tmp.path(), "real-like", 30, 16),
    );
    let (sp, se) = files_of(&clean, 0.0, &tmp.path().join("source"));
    let (tp, te) = files_of(&real, 0.8, &tmp.path().join("target"));
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let text = run_ok(&[
        "shift",
        "--source",
        &s(&sp),
        "--target",
        &s(&tp),
        "--source-embeddings",
        &s(&se),
        "--target-embeddings",
        &s(&te),
        "--tests",
        "c2st",
        "--json",
        "--no-progress",
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["c2st"]["shifted"], true, "{}", doc["c2st"]);
    let path = tmp.path().join("shift.json");
    std::fs::write(&path, &text).unwrap();
    let html = tmp.path().join("r.html");
    run_ok(&["report", &s(&path), "--out", &s(&html)]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"shift-unlike-"), "no gallery");
    assert!(page.contains("id=\"shift-like-"), "no gallery");
    assert!(
        page.matches("data:image/png;base64").count() >= 24,
        "the tiles have no images"
    );
}
