//! `triage compare` end to end: a better model is found better, a
//! difference within noise is called so (with the items it would need,
//! exit 1 under --fail-on warning), files are matched by id whatever their
//! order, the document feeds the report, and files over different items
//! exit 2 naming the ids.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use triage_docs::compare::CompareDoc;

use crate::util::{stderr, stdout, triage};

/// A predictions CSV of `n` items over 3 classes: the model is right on
/// item i when `right(i)`; rows written in reverse when `reverse`.
fn predictions(
    dir: &Path,
    name: &str,
    n: usize,
    right: impl Fn(usize) -> bool,
    reverse: bool,
) -> PathBuf {
    let mut rows = Vec::new();
    for i in 0..n {
        let label = i % 3;
        let predicted = if right(i) { label } else { (label + 1) % 3 };
        let mut p = [0.15; 3];
        p[predicted] = 0.7;
        rows.push(format!(
            "item{i},c{label},{:.2},{:.2},{:.2}",
            p[0], p[1], p[2]
        ));
    }
    if reverse {
        rows.reverse();
    }
    let mut text = String::from("id,label,p_c0,p_c1,p_c2\n");
    for r in rows {
        writeln!(text, "{r}").unwrap();
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn doc(out: &std::process::Output) -> CompareDoc {
    triage_docs::read_str(&stdout(out)).unwrap()
}

#[test]
fn better_same_and_mismatched() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // 600 items: A right on 90 %, B on 75 %, C like A but 3 items differ.
    let a = predictions(t, "a.csv", 600, |i| i % 10 != 0, false);
    let b = predictions(t, "b.csv", 600, |i| i % 4 != 0, true);
    let c = predictions(
        t,
        "c.csv",
        600,
        |i| i % 10 != 0 || i < 30 && i % 20 == 0 || i == 1 || i == 2,
        false,
    );
    let s = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let out = triage(&["compare", &s(&a), &s(&b), "--json", "--bootstrap", "500"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d = doc(&out);
    assert_eq!(d.items, 600);
    let p = &d.pairs[0];
    assert!(p.significant, "{}", p.verdict);
    assert!(
        p.verdict.contains("a.csv is more accurate"),
        "{}",
        p.verdict
    );
    let acc = &p.metrics[0];
    assert!((acc.diff - 0.15).abs() < 1e-12, "{}", acc.diff);
    // Within noise: not significant, says how many items it would need,
    // and --fail-on warning exits 1.
    let json = t.join("cmp.json");
    let out = triage(&[
        "compare",
        &s(&a),
        &s(&c),
        "--bootstrap",
        "300",
        "--fail-on",
        "warning",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no evidence of a difference"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("would need about"),
        "{}",
        stdout(&out)
    );
    // The report shows it with its finding.
    let html = t.join("r.html");
    let out = triage(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Is it really better") && page.contains("difference-not-significant"));
    // Three files: three pairs, Holm-corrected.
    let out = triage(&[
        "compare",
        &s(&a),
        &s(&b),
        &s(&c),
        "--json",
        "--bootstrap",
        "200",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d = doc(&out);
    assert_eq!(d.pairs.len(), 3);
    assert!(d
        .pairs
        .iter()
        .all(|p| p.mcnemar.p_holm >= p.mcnemar.p_value));
    // Different items, a different label: exit 2 naming them.
    let short = predictions(t, "short.csv", 590, |_| true, false);
    let out = triage(&["compare", &s(&a), &s(&short)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`item590`"), "{}", stderr(&out));
    let relabelled = t.join("relabelled.csv");
    let text = std::fs::read_to_string(&a)
        .unwrap()
        .replacen("item5,c2", "item5,c0", 1);
    std::fs::write(&relabelled, text).unwrap();
    let out = triage(&["compare", &s(&a), &s(&relabelled)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("item `item5` is labelled"),
        "{}",
        stderr(&out)
    );
    let out = triage(&["compare", &s(&a)]);
    assert_eq!(out.status.code(), Some(2));
}
