//! `triage label-issues` end to end: planted wrong labels are found and
//! ranked, the document reads back, in-sample predictions are warned
//! about, bad input exits 2.

use std::fmt::Write as _;

use triage_docs::label_issues::LabelIssuesDoc;

use crate::util::{stderr, stdout, triage, write_temp};

const CLASSES: [&str; 3] = ["cat", "dog", "bird"];
/// Rows whose label is wrong: (row, given label index).
const PLANTED: [(usize, usize); 4] = [(7, 2), (20, 0), (33, 1), (50, 0)];

/// 90 rows: row i shows class i % 3 with probability 0.7–0.88; the planted
/// rows carry another label, and the model gives their class 0.96.
fn csv() -> String {
    let mut text = String::from("id,label,p_cat,p_dog,p_bird\n");
    for i in 0..90 {
        let truth = i % 3;
        let given = PLANTED
            .iter()
            .find(|(r, _)| *r == i)
            .map_or(truth, |(_, g)| *g);
        // Thousandths, so that the printed row sums to 1 exactly. The model
        // is sure of the planted rows (above every class's threshold, the
        // mean self-confidence, or confident learning rightly ignores them).
        let top = if given == truth {
            0.7 + 0.002 * i as f64
        } else {
            0.96
        };
        let mut p = [(1.0 - top) / 2.0; 3];
        p[truth] = top;
        writeln!(
            text,
            "item{i:02},{},{:.3},{:.3},{:.3}",
            CLASSES[given], p[0], p[1], p[2]
        )
        .unwrap();
    }
    text
}

#[test]
fn planted_label_errors_are_found_worst_first() {
    let (dir, path) = write_temp("predictions.csv", &csv());
    let path = path.to_str().unwrap();
    let out = triage(&["label-issues", "--predictions", path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: LabelIssuesDoc = triage_docs::read_str(&stdout(&out)).unwrap();
    assert_eq!(doc.n, 90);
    assert_eq!(doc.issues, PLANTED.len(), "{doc:#?}");
    let mut rows: Vec<usize> = doc.listed.iter().map(|i| i.row).collect();
    rows.sort_unstable();
    assert_eq!(rows, PLANTED.map(|p| p.0));
    for issue in &doc.listed {
        assert_eq!(issue.suggested, issue.row % 3, "{issue:?}");
        assert_eq!(issue.id, format!("item{:02}", issue.row));
    }
    // Ranked by self-confidence, lowest first.
    assert!(doc
        .listed
        .windows(2)
        .all(|w| w[0].self_confidence <= w[1].self_confidence));
    assert_eq!(doc.in_sample, None);
    assert_eq!(doc.settings.filter_by, "prune_by_noise_rate");

    // The terminal summary names the worst one.
    let out = triage(&["label-issues", "--predictions", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("flagged (prune_by_noise_rate)"), "{text}");
    assert!(text.contains(&doc.listed[0].id), "{text}");

    // predict.json beside the file saying that the model predicted its own
    // training data: a warning, in the document too.
    let predict = serde_json::json!({
        "format": "triage-predict", "version": 1,
        "run": dir.path().join("run").display().to_string(),
        "checkpoint": "best.mpk", "epoch": 3, "data": "data/manifest.csv",
        "split": "train", "n": 90, "embedding_dim": 8,
        "classes": CLASSES, "skipped": []
    });
    std::fs::write(dir.path().join("predict.json"), predict.to_string()).unwrap();
    let out = triage(&["label-issues", "--predictions", path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("in-sample"), "{}", stderr(&out));
    let doc: LabelIssuesDoc = triage_docs::read_str(&stdout(&out)).unwrap();
    assert!(doc.in_sample.is_some());
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let (_dir, path) = write_temp("predictions.csv", &csv());
    let path = path.to_str().unwrap();
    let out = triage(&[
        "label-issues",
        "--predictions",
        path,
        "--filter-by",
        "prune_by_magic",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("prune_by_noise_rate"),
        "{}",
        stderr(&out)
    );

    let one_class = "id,label,p_cat,p_dog\na,cat,0.9,0.1\nb,cat,0.2,0.8\n";
    let (_d, single) = write_temp("single.csv", one_class);
    let out = triage(&["label-issues", "--predictions", single.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("single.csv"), "{}", stderr(&out));

    let out = triage(&["label-issues", "--predictions", "/nonexistent/p.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
}
