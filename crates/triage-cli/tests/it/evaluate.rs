//! `triage evaluate` end to end.

use serde_json::Value;

use crate::util::{stderr, stdout, triage, write_temp};

const HEADLINE: [&str; 13] = [
    "accuracy",
    "balanced_accuracy",
    "log_loss",
    "brier",
    "ece",
    "mce",
    "roc_auc_ovr_macro",
    "roc_auc_ovr_weighted",
    "roc_auc_ovr_micro",
    "roc_auc_ovo_macro",
    "average_precision_macro",
    "cohen_kappa",
    "mcc",
];

fn evaluate_json(args: &[&str]) -> Value {
    let mut all = vec!["evaluate", "--json"];
    all.extend_from_slice(args);
    let out = triage(&all);
    assert!(out.status.success(), "triage failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn example_csv_gives_the_documented_json() {
    let doc = evaluate_json(&[
        "--predictions",
        "examples/predictions-small.csv",
        "--bootstrap",
        "200",
    ]);
    let n = doc["n"].as_u64().unwrap();
    let classes = doc["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 3);
    for key in HEADLINE {
        let v = doc["metrics"][key]
            .as_f64()
            .unwrap_or_else(|| panic!("metric {key} missing"));
        let ci = doc["ci"][key]
            .as_array()
            .unwrap_or_else(|| panic!("ci {key} missing"));
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(lo <= hi, "{key}: [{lo}, {hi}]");
        assert!(v.is_finite());
    }
    let acc = doc["metrics"]["accuracy"].as_f64().unwrap();
    let wilson = doc["accuracy_wilson"].as_array().unwrap();
    assert!(wilson[0].as_f64().unwrap() <= acc && acc <= wilson[1].as_f64().unwrap());
    let counts = doc["confusion_matrix"]["counts"].as_array().unwrap();
    let total: u64 = counts
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, n);
    assert_eq!(doc["per_class"].as_array().unwrap().len(), 3);
    assert_eq!(doc["roc_curves"]["per_class"].as_array().unwrap().len(), 3);
    assert!(doc["roc_curves"]["micro"]["fpr"].is_array());
    assert_eq!(doc["pr_curves"]["per_class"].as_array().unwrap().len(), 3);
    assert_eq!(doc["reliability"]["bins"].as_array().unwrap().len(), 15);
    let t = &doc["temperature"];
    assert!(t["temperature"].as_f64().unwrap() > 0.0);
    assert_eq!(t["before"]["accuracy"], t["after"]["accuracy"]);
    // The first ROC threshold is +inf, written as null.
    assert!(doc["roc_curves"]["per_class"][0]["thresholds"][0].is_null());
}

#[test]
fn same_seed_same_document() {
    let a = evaluate_json(&[
        "-p",
        "examples/predictions-small.csv",
        "--bootstrap",
        "100",
        "--seed",
        "4",
    ]);
    let b = evaluate_json(&[
        "-p",
        "examples/predictions-small.csv",
        "--bootstrap",
        "100",
        "--seed",
        "4",
    ]);
    assert_eq!(a, b);
}

#[test]
fn npz_input_is_read() {
    let doc = evaluate_json(&["-p", "examples/predictions-small.npz", "--bootstrap", "50"]);
    assert_eq!(doc["classes"].as_array().unwrap().len(), 5);
}

#[test]
fn summary_names_metrics_and_worst_classes() {
    let out = triage(&[
        "evaluate",
        "-p",
        "examples/predictions-small.csv",
        "--bootstrap",
        "100",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "accuracy",
        "roc_auc_ovr_macro",
        "95% CI",
        "worst classes",
        "temperature scaling",
    ] {
        assert!(text.contains(needle), "summary lacks {needle}:\n{text}");
    }
}

#[test]
fn undefined_metrics_are_null_with_a_reason() {
    // Class `c` is never the true label: macro AUC is undefined.
    let (_dir, path) =
        write_temp("p.csv", "id,label,p_a,p_b,p_c\n1,a,0.7,0.2,0.1\n2,b,0.2,0.7,0.1\n3,a,0.5,0.3,0.2\n4,b,0.4,0.4,0.2\n");
    let doc = evaluate_json(&[
        "-p",
        path.to_str().unwrap(),
        "--bootstrap",
        "20",
        "--calibrate-fraction",
        "0",
    ]);
    assert!(doc["metrics"]["roc_auc_ovr_macro"].is_null());
    assert!(doc["undefined"]["roc_auc_ovr_macro"]
        .as_str()
        .unwrap()
        .contains("class 2"));
    assert!(doc["metrics"]["roc_auc_ovr_weighted"].is_number());
    assert!(doc["temperature"].is_null());
}

fn assert_error(csv: &str, args: &[&str], needles: &[&str]) {
    let (_dir, path) = write_temp("bad.csv", csv);
    let mut all = vec![
        "evaluate",
        "-p",
        path.to_str().unwrap(),
        "--bootstrap",
        "10",
    ];
    all.extend_from_slice(args);
    let out = triage(&all);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2; stderr: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv"),
        "error does not name the file: {err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "error lacks {needle:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn nan_probability_is_reported_with_line() {
    assert_error(
        "id,label,p_a,p_b\n1,a,0.5,0.5\n2,b,NaN,1\n",
        &[],
        &["line 3"],
    );
}

#[test]
fn row_not_summing_to_one_is_refused_unless_renormalized() {
    let csv = "id,label,p_a,p_b\n1,a,0.5,0.5\n2,b,0.2,0.7\n";
    assert_error(csv, &[], &["line 3", "--renormalize"]);
    let (_dir, path) = write_temp("ok.csv", csv);
    let out = triage(&[
        "evaluate",
        "-p",
        path.to_str().unwrap(),
        "--renormalize",
        "--bootstrap",
        "10",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn bad_inputs_exit_2_without_panic() {
    assert_error("id,label,p_a,p_b\n1,zebra,0.5,0.5\n", &[], &["zebra"]);
    assert_error("id,label,p_a,p_b\n1,a,-0.5,1.5\n", &[], &["line 2"]);
    assert_error(
        "id,label,p_a,p_b\n1,a,0.5,0.5\n1,b,0.5,0.5\n",
        &[],
        &["duplicate"],
    );
    assert_error("id,label,p_a,p_b\n1,a,0.5\n", &[], &["line 2"]);
    assert_error("", &[], &[]);
    assert_error("id,label,p_a\n1,a,1.0\n", &[], &[]);
}

#[test]
fn logits_are_softmaxed() {
    let (_dir, path) = write_temp(
        "l.csv",
        "id,label,p_a,p_b\n1,a,2.0,0.0\n2,b,0.0,3.0\n3,a,1.0,1.5\n",
    );
    let doc = evaluate_json(&[
        "-p",
        path.to_str().unwrap(),
        "--logits",
        "--bootstrap",
        "10",
        "--calibrate-fraction",
        "0",
    ]);
    let expected = -(1.0f64 / (1.0 + (-2.0f64).exp())).ln()
        - (1.0 / (1.0 + (-3.0f64).exp())).ln()
        - (1.0 / (1.0 + (0.5f64).exp())).ln();
    let got = doc["metrics"]["log_loss"].as_f64().unwrap();
    assert!((got - expected / 3.0).abs() < 1e-12, "{got}");
}

#[test]
fn missing_file_is_an_error() {
    let out = triage(&["evaluate", "-p", "does/not/exist.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does/not/exist.csv"));
}

#[test]
fn one_vs_one_is_skipped_with_a_reason_above_200_classes() {
    let k = 201;
    let mut csv = String::from("id,label");
    for c in 0..k {
        csv.push_str(&format!(",p_c{c}"));
    }
    csv.push('\n');
    for i in 0..2 * k {
        let label = i % k;
        let row: Vec<String> = (0..k)
            .map(|c| {
                if c == label {
                    "0.8".to_string()
                } else {
                    format!("{}", 0.2 / 200.0)
                }
            })
            .collect();
        csv.push_str(&format!("{i},c{label},{}\n", row.join(",")));
    }
    let (_dir, path) = write_temp("wide.csv", &csv);
    let doc = evaluate_json(&[
        "-p",
        path.to_str().unwrap(),
        "--bootstrap",
        "5",
        "--renormalize",
    ]);
    assert!(doc["metrics"]["roc_auc_ovo_macro"].is_null());
    assert!(doc["undefined"]["roc_auc_ovo_macro"]
        .as_str()
        .unwrap()
        .contains("not computed for K = 201"));
    assert!(doc["metrics"]["roc_auc_ovr_macro"].is_number());
}

#[test]
fn a_profile_gives_the_accuracy_without_the_leaked_items() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Noise images; test/b/0.png is a copy of train/a/0.png (leaked).
    let mut state = 11u32;
    for (split, class) in [("train", "a"), ("train", "b"), ("test", "a"), ("test", "b")] {
        let folder = data.join(split).join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..4 {
            let img = image::RgbImage::from_fn(16, 16, |_, _| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                image::Rgb([(state >> 24) as u8, (state >> 16) as u8, (state >> 8) as u8])
            });
            img.save(folder.join(format!("{i}.png"))).unwrap();
        }
    }
    std::fs::copy(data.join("train/a/0.png"), data.join("test/b/0.png")).unwrap();
    let out = triage(&[
        "profile",
        data.to_str().unwrap(),
        "--json",
        "--no-progress",
        "--no-cache",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let profile = dir.path().join("profile.json");
    std::fs::write(&profile, &out.stdout).unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["near_duplicates"]["leaked_items"],
        serde_json::json!(["test/b/0.png"])
    );

    // Eight test predictions: the leaked one right, one other wrong.
    let mut csv = String::from("id,label,p_a,p_b\n");
    for class in ["a", "b"] {
        for i in 0..4 {
            let right = !(class == "a" && i == 1);
            let p_a = if (class == "a") == right { 0.9 } else { 0.1 };
            csv.push_str(&format!(
                "test/{class}/{i}.png,{class},{p_a},{:.1}\n",
                1.0 - p_a
            ));
        }
    }
    let (_d, predictions) = write_temp("test.csv", &csv);
    let doc = evaluate_json(&[
        "--predictions",
        predictions.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--bootstrap",
        "200",
    ]);
    let leak = &doc["leakage"];
    assert_eq!(leak["leaked"], 1, "{leak:#}");
    assert_eq!(leak["unmatched"], 0);
    assert_eq!(leak["accuracy"], 7.0 / 8.0);
    assert_eq!(leak["accuracy_clean"], 6.0 / 7.0);
    assert_eq!(leak["accuracy_leaked"], 1.0);
    let d = leak["inflation"].as_f64().unwrap();
    assert!((d - (7.0 / 8.0 - 6.0 / 7.0)).abs() < 1e-12);
    let ci = leak["inflation_ci"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= d && d <= ci[1].as_f64().unwrap());

    // The summary says it in points.
    let out = triage(&[
        "evaluate",
        "--predictions",
        predictions.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--bootstrap",
        "0",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("inflated by             +1.79 points"),
        "{}",
        stdout(&out)
    );

    // Predictions of other items than the profiled dataset's: exit 2
    // naming the row.
    let foreign = csv.replace("test/a/2.png", "elsewhere/x.png");
    let (_f, foreign) = write_temp("foreign.csv", &foreign);
    let out = triage(&[
        "evaluate",
        "--predictions",
        foreign.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("row 3: id \"elsewhere/x.png\" is not an item"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    // Not a profile: exit 2 naming the file.
    let out = triage(&[
        "evaluate",
        "--predictions",
        predictions.to_str().unwrap(),
        "--profile",
        predictions.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("test.csv"), "{}", stderr(&out));
}
