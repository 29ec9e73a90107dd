//! Snapshot tests (insta) of what users read: `--help` of every command,
//! the message of each main failure path, and every JSON document on a
//! fixed fixture. Volatile values (temporary paths, times, versions of the
//! build, numbers that come out of training) are replaced by placeholders.
//!
//! After an intended change: `INSTA_UPDATE=always cargo test -p
//! triage-cli --test it snapshots`, review the diff, commit.

use std::path::Path;

use serde_json::Value;

use crate::util::{stderr, stdout, triage};

const COMMANDS: [&str; 17] = [
    "demo",
    "evaluate",
    "label-issues",
    "profile",
    "split",
    "synth",
    "report",
    "train",
    "predict",
    "lr-find",
    "shift",
    "bayes",
    "label",
    "lint",
    "compare",
    "sweep",
    "knn",
];

#[test]
fn help_of_every_command() {
    insta::assert_snapshot!("help", stdout(&triage(&["--help"])));
    for cmd in COMMANDS {
        let out = triage(&[cmd, "--help"]);
        assert!(out.status.success(), "{cmd} --help failed");
        insta::assert_snapshot!(format!("help_{cmd}"), stdout(&out));
    }
}

/// Replace the temporary folder by `[TMP]`.
fn scrub(text: &str, tmp: &Path) -> String {
    let real = tmp.canonicalize().unwrap_or_else(|_| tmp.to_path_buf());
    text.replace(&real.display().to_string(), "[TMP]")
        .replace(&tmp.display().to_string(), "[TMP]")
}

/// Run a failing command; its exit code must be 2 and stderr is returned.
fn fails(args: &[&str], tmp: &Path) -> String {
    let out = triage(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    scrub(&stderr(&out), tmp)
}

const SMALL_CSV: &str = "id,label,p_cat,p_dog,p_bird
a,cat,0.8,0.1,0.1
b,cat,0.6,0.3,0.1
c,cat,0.2,0.7,0.1
d,dog,0.1,0.8,0.1
e,dog,0.3,0.4,0.3
f,dog,0.5,0.4,0.1
g,bird,0.1,0.1,0.8
h,bird,0.2,0.2,0.6
i,bird,0.3,0.3,0.4
j,cat,0.9,0.05,0.05
k,dog,0.05,0.9,0.05
l,bird,0.4,0.4,0.2
";

#[test]
fn main_failure_messages() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let p = |name: &str| t.join(name).display().to_string();
    std::fs::write(t.join("small.csv"), SMALL_CSV).unwrap();
    std::fs::write(
        t.join("nan.csv"),
        "id,label,p_a,p_b\nx,a,0.5,0.5\n\ny,b,NaN,0.5\n",
    )
    .unwrap();
    std::fs::write(t.join("bogus.json"), "{\"hello\": 1}").unwrap();
    std::fs::write(t.join("soft_sum.csv"), "cat,dog,count\n3,1,4\n2,2,5\n").unwrap();
    std::fs::write(t.join("notjson.json"), "{\"metrics\": [").unwrap();
    std::fs::write(
        t.join("plan.toml"),
        "[sweep]\nname = \"p\"\ndata = \"d\"\n\n[[config]]\nname = \"a\"\nepoch = 3\n",
    )
    .unwrap();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "evaluate_missing_file",
            vec!["evaluate".into(), "--predictions".into(), p("none.csv")],
        ),
        (
            "evaluate_nan",
            vec!["evaluate".into(), "--predictions".into(), p("nan.csv")],
        ),
        (
            "label_issues_nan",
            vec!["label-issues".into(), "--predictions".into(), p("nan.csv")],
        ),
        (
            "profile_embeddings_missing",
            vec![
                "profile".into(),
                p("nowhere"),
                "--embeddings".into(),
                p("none.npy"),
            ],
        ),
        (
            "evaluate_confidence",
            vec![
                "evaluate".into(),
                "--predictions".into(),
                p("small.csv"),
                "--confidence".into(),
                "1.7".into(),
            ],
        ),
        (
            "evaluate_bootstrap_too_large",
            vec![
                "evaluate".into(),
                "--predictions".into(),
                p("small.csv"),
                "--bootstrap".into(),
                "1000000000000".into(),
            ],
        ),
        (
            "report_unknown_document",
            vec![
                "report".into(),
                p("bogus.json"),
                "--out".into(),
                p("r.html"),
            ],
        ),
        (
            "report_not_json",
            vec![
                "report".into(),
                p("notjson.json"),
                "--out".into(),
                p("r.html"),
            ],
        ),
        ("profile_missing", vec!["profile".into(), p("nowhere")]),
        (
            "bayes_soft_label_count_sum",
            vec!["bayes".into(), "--soft-labels".into(), p("soft_sum.csv")],
        ),
        (
            "train_unknown_model",
            vec![
                "train".into(),
                p("nowhere"),
                "--model".into(),
                "resnet999".into(),
                "--out".into(),
                p("run"),
            ],
        ),
        ("sweep_unknown_key", vec!["sweep".into(), p("plan.toml")]),
        (
            "knn_bad_shard",
            vec![
                "knn".into(),
                p("x.npy"),
                "--shard".into(),
                "8/8".into(),
                "--out".into(),
                p("k"),
            ],
        ),
        (
            "predict_not_a_run",
            vec![
                "predict".into(),
                p("nowhere"),
                p("nowhere"),
                "--out".into(),
                p("pred"),
            ],
        ),
    ];
    for (name, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        insta::assert_snapshot!(format!("error_{name}"), fails(&args, t));
    }
}

#[test]
fn report_refuses_an_inconsistent_evaluation() {
    // A ragged confusion matrix once panicked the report (index out of
    // bounds); it is refused naming the key.
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    std::fs::write(t.join("small.csv"), SMALL_CSV).unwrap();
    let text = stdout(&triage(&[
        "evaluate",
        "--predictions",
        t.join("small.csv").to_str().unwrap(),
        "--json",
        "--bootstrap",
        "0",
    ]));
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["confusion_matrix"]["counts"][1] = serde_json::json!([1]);
    std::fs::write(t.join("ragged.json"), doc.to_string()).unwrap();
    let err = fails(
        &[
            "report",
            t.join("ragged.json").to_str().unwrap(),
            "--out",
            t.join("r.html").to_str().unwrap(),
        ],
        t,
    );
    insta::assert_snapshot!("error_report_ragged_confusion", err);
    doc["confusion_matrix"]["counts"][1] = serde_json::json!([0, 3, 1]);
    doc["metrics"]["accuracy"] = serde_json::json!(7.5);
    std::fs::write(t.join("acc.json"), doc.to_string()).unwrap();
    let err = fails(
        &[
            "report",
            t.join("acc.json").to_str().unwrap(),
            "--out",
            t.join("r.html").to_str().unwrap(),
        ],
        t,
    );
    assert!(
        err.contains("metrics.accuracy") && err.contains("7.5"),
        "{err}"
    );
}

/// Every number in `v` (at any depth) under one of `keys` becomes `"[n]"`.
fn redact(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if keys.contains(&k.as_str()) {
                    *x = redacted(x);
                } else {
                    redact(x, keys);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| redact(x, keys)),
        _ => {}
    }
}

fn redacted(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, x)| (k.clone(), redacted(x))).collect())
        }
        _ => Value::from("[redacted]"),
    }
}

/// Floats rounded to 10 significant digits: the last bits of a sum can
/// depend on how rayon split the work, which is not what a snapshot is for
/// (exact values are checked against scikit-learn by the golden tests).
fn round_floats(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(0.0);
            let rounded: f64 = format!("{x:.9e}").parse().unwrap_or(x);
            *v = Value::from(rounded);
        }
        Value::Array(items) => items.iter_mut().for_each(round_floats),
        Value::Object(map) => map.values_mut().for_each(round_floats),
        _ => {}
    }
}

fn pretty(v: &Value, tmp: &Path) -> String {
    let mut v = v.clone();
    round_floats(&mut v);
    scrub(&serde_json::to_string_pretty(&v).unwrap(), tmp)
}

fn json_of(args: &[&str]) -> Value {
    let out = triage(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn documents_on_fixed_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let s = |p: &Path| p.display().to_string();
    std::fs::write(t.join("small.csv"), SMALL_CSV).unwrap();

    // Pure computations: snapshotted whole.
    let eval = json_of(&[
        "evaluate",
        "--predictions",
        &s(&t.join("small.csv")),
        "--json",
        "--bootstrap",
        "50",
    ]);
    insta::assert_snapshot!("doc_evaluation", pretty(&eval, t));
    let data = t.join("data");
    let synth = json_of(&[
        "synth",
        &s(&data),
        "--classes",
        "2",
        "--per-class",
        "6",
        "--size",
        "12",
        "--val",
        "0.2",
        "--test",
        "0.2",
        "--json",
    ]);
    let mut versioned = synth.clone();
    redact(&mut versioned, &["triage_version"]);
    insta::assert_snapshot!("doc_synth", pretty(&versioned, t));
    let manifest = s(&data.join("manifest.csv"));
    let profile = json_of(&[
        "profile",
        &manifest,
        "--json",
        "--no-cache",
        "--no-progress",
    ]);
    insta::assert_snapshot!("doc_profile", pretty(&profile, t));
    std::fs::write(t.join("eval.json"), eval.to_string()).unwrap();
    let mut report = json_of(&[
        "report",
        &s(&t.join("eval.json")),
        "--out",
        &s(&t.join("r.html")),
        "--json",
    ]);
    redact(&mut report, &["generator"]);
    insta::assert_snapshot!("doc_report", pretty(&report, t));

    // Training: the numbers depend on floating-point kernels, so only the
    // shape of the documents is snapshotted.
    let run = t.join("run");
    let out = triage(&[
        "train",
        &manifest,
        "--model",
        "linear",
        "--epochs",
        "2",
        "--batch-size",
        "4",
        "--out",
        &s(&run),
        "--no-progress",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let volatile = [
        "created",
        "command",
        "git_commit",
        "triage_version",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "val_ece",
        "images_per_sec",
        "seconds",
        "best_val_loss",
        "best_val_acc",
        "mean",
        "std",
        "lr",
    ];
    for file in ["run.json", "summary.json"] {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(run.join(file)).unwrap()).unwrap();
        redact(&mut v, &volatile);
        insta::assert_snapshot!(format!("doc_{file}"), pretty(&v, t));
    }
    let log = std::fs::read_to_string(run.join("log.jsonl")).unwrap();
    let mut lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines.iter_mut().for_each(|v| redact(v, &volatile));
    insta::assert_snapshot!("doc_log.jsonl", pretty(&Value::Array(lines), t));
    let pred = t.join("pred");
    let out = triage(&[
        "predict",
        &s(&run),
        &manifest,
        "--out",
        &s(&pred),
        "--split",
        "test",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(pred.join("predict.json")).unwrap()).unwrap();
    insta::assert_snapshot!("doc_predict.json", pretty(&v, t));
    let lr = t.join("lr");
    let mut v = json_of(&[
        "lr-find",
        &manifest,
        "--model",
        "linear",
        "--batch-size",
        "4",
        "--steps",
        "6",
        "--out",
        &s(&lr),
        "--json",
    ]);
    redact(
        &mut v,
        &["loss", "smoothed", "steepest", "valley", "diverged"],
    );
    insta::assert_snapshot!("doc_lr_find", pretty(&v, t));
}

/// `--fail-on`: what a CI log shows when the gate trips (exit 1, the
/// findings on stderr) and when it does not (exit 0, nothing on stderr).
#[test]
fn fail_on_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let csv = t.join("p.csv");
    std::fs::write(&csv, SMALL_CSV).unwrap();
    let run = |threshold: &str| {
        triage(&[
            "evaluate",
            "--predictions",
            csv.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--fail-on",
            threshold,
        ])
    };
    let tripped = run("warning");
    assert_eq!(tripped.status.code(), Some(1), "{}", stderr(&tripped));
    insta::assert_snapshot!("fail_on_tripped", scrub(&stderr(&tripped), t));
    let passed = run("critical");
    assert_eq!(passed.status.code(), Some(0), "{}", stderr(&passed));
    insta::assert_snapshot!("fail_on_not_tripped", scrub(&stderr(&passed), t));
}
