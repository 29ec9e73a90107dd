//! `triage report` end to end: a hand-written run directory (the contract
//! of `triage train`), a real `triage evaluate` document and a profile.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util::{run_ok, stderr, stdout, triage};

/// Every section heading, in report order.
pub(crate) const SECTIONS: [&str; 7] = [
    "The data",
    "The model",
    "The training",
    "The performance",
    "How good can it get",
    "Will it survive deployment",
    "Findings",
];

/// `id` prefixes of every plot, table and gallery the fixture must produce.
pub(crate) const PLOTS: [&str; 15] = [
    "class-frequencies-",
    "loss-curves-",
    "accuracy-curves-",
    "lr-schedule-",
    "metrics-summary",
    "per-class-",
    "roc-",
    "pr-",
    "confusion-counts-",
    "confusion-normalized-",
    "reliability-",
    "reliability-before-",
    "reliability-after-",
    "top-losses-",
    "confused-pairs-",
];

/// Rules that must fire on the planted fixture and not on the clean one.
const PLANTED_RULES: [&str; 5] = [
    "select-on-accuracy",
    "optimizer-adadelta",
    "no-lr-schedule",
    "class-imbalance",
    "overconfidence",
];

/// A 2×2 red PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 253, 212, 154, 115, 0, 0, 0, 22, 73, 68, 65, 84, 120, 156, 99, 60, 33, 39, 199, 192, 192,
    192, 196, 192, 192, 192, 192, 192, 0, 0, 13, 4, 1, 8, 125, 113, 202, 102, 0, 0, 0, 0, 73, 69,
    78, 68, 174, 66, 96, 130,
];

fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// Evaluate `predictions` into `out` (bootstrap kept small for speed).
fn evaluate_to(predictions: &Path, out: &Path) {
    let text = run_ok(&[
        "evaluate",
        "--predictions",
        predictions.to_str().unwrap(),
        "--json",
        "--bootstrap",
        "200",
        "--no-progress",
    ]);
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(out, text).unwrap();
}

/// A run directory. `planted`: Adadelta, constant LR, selection on
/// accuracy, validation loss rising from epoch 4 while accuracy rises.
/// Otherwise SGD + Nesterov, one-cycle, selection on loss, clean curves.
fn write_run(dir: &Path, planted: bool) {
    let (optimizer, schedule, select) = if planted {
        (
            json!({"kind": "adadelta"}),
            json!({"kind": "constant", "lr": 1.0}),
            "accuracy",
        )
    } else {
        (
            json!({"kind": "sgd", "momentum": 0.9, "nesterov": true, "weight_decay": 5e-4}),
            json!({"kind": "one_cycle", "max_lr": 0.1}),
            "loss",
        )
    };
    write_json(
        &dir.join("run.json"),
        &json!({
            "format": "triage-run", "version": 1, "triage_version": "0.1.0",
            "burn_version": "0.22.1", "git_commit": null, "created": "2026-11-27T20:00:00Z",
            "command": ["triage", "train", "data"], "seed": 0, "data": "data",
            "model": {"preset": "vgg-like", "spec": {"kind": "vgg", "widths": [32, 64]}},
            "optimizer": optimizer, "schedule": schedule, "epochs": 8, "batch_size": 128,
            "select": select, "patience": null, "label_smoothing": 0.0,
            "augment": {"crop_padding": 4, "flip": true, "cutout": 0},
            "input": {"channels": 3, "height": 32, "width": 32},
            "classes": ["cat", "dog", "bird"], "train_size": 1000, "val_size": 200,
            "preprocess": {"resize": null, "channels": "rgb",
                           "normalize": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
            "val_source": "the dataset's val split"
        }),
    );
    let mut log = String::new();
    for epoch in 1..=8u32 {
        let e = f64::from(epoch);
        let train_loss = 1.2 / e;
        let val_loss = if planted {
            0.4 + 0.05 * (e - 4.0).powi(2)
        } else {
            0.3 + 0.9 / e
        };
        let lr = if planted {
            1.0
        } else {
            0.1 * (1.0 - (e - 4.0).abs() / 5.0)
        };
        log.push_str(
            &json!({"epoch": epoch, "train_loss": train_loss, "train_acc": 1.0 - 0.4 / e,
                    "val_loss": val_loss, "val_acc": 0.5 + 0.05 * e, "val_ece": 0.05,
                    "lr": lr, "images_per_sec": 900.0, "seconds": 2.0})
            .to_string(),
        );
        log.push('\n');
    }
    std::fs::write(dir.join("log.jsonl"), log).unwrap();
    write_json(
        &dir.join("summary.json"),
        &json!({"status": "completed", "best_epoch": 8,
                "best_val_loss": 0.41, "best_val_acc": 0.9, "epochs_run": 8, "select": select}),
    );
}

/// A profile document of real data (`triage synth` + `triage profile`);
/// `imbalanced` plants a 20:1 class ratio.
fn profile(imbalanced: bool) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let imbalance = if imbalanced { "20" } else { "1" };
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "3",
        "--per-class",
        "40",
        "--size",
        "12",
        "--imbalance",
        imbalance,
        "--val",
        "0.1",
        "--test",
        "0.1",
    ]);
    let text = run_ok(&[
        "profile",
        data.join("manifest.csv").to_str().unwrap(),
        "--json",
        "--no-cache",
        "--no-progress",
    ]);
    serde_json::from_str(&text).unwrap()
}

fn report(args: &[&str]) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let mut all = vec!["report", "--out", html.to_str().unwrap()];
    all.extend_from_slice(args);
    let summary = run_ok(&all);
    assert!(summary.contains("report.html"), "{summary}");
    all.push("--json");
    let json: Value = serde_json::from_str(&run_ok(&all)).unwrap();
    assert_eq!(json["format"], "triage-report");
    let text = std::fs::read_to_string(&html).unwrap();
    (text, json)
}

fn fixture(planted: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run-a");
    write_run(&run, planted);
    write_json(&run.join("profile.json"), &profile(planted));
    let root = crate::util::repo_root();
    let predictions = root.join("examples/predictions-small.csv");
    evaluate_to(&predictions, &run.join("eval/test.json"));
    std::fs::copy(&predictions, run.join("eval/test.predictions.csv")).unwrap();
    (dir, run)
}

pub(crate) fn rules(model: &Value) -> Vec<String> {
    model["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "findings")
        .and_then(|s| s["blocks"][0]["findings"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn report_has_every_section_plot_and_the_planted_findings() {
    let (_dir, run) = fixture(true);
    let (html, model) = report(&[run.to_str().unwrap(), "--title", "planted"]);
    let mut last = 0;
    for title in SECTIONS {
        let at = html
            .find(&format!("<h2>{title}</h2>"))
            .unwrap_or_else(|| panic!("section {title} missing"));
        assert!(at > last, "section {title} out of order");
        last = at;
    }
    for id in PLOTS {
        assert!(html.contains(&format!("id=\"{id}")), "{id} missing");
    }
    // Sections without input say what would fill them, and never name a
    // command that does not exist.
    assert!(html.contains("not measured in this version of triage"));
    assert!(
        html.contains("triage bayes --embeddings"),
        "the limits hint names `triage bayes`"
    );
    for missing in ["triage label", "triage lint", "triage compare"] {
        assert!(!html.contains(missing), "{missing} is not a command yet");
    }
    let fired = rules(&model);
    for rule in PLANTED_RULES {
        assert!(
            fired.iter().any(|r| r == rule),
            "{rule} did not fire: {fired:?}"
        );
        assert!(
            html.contains(&format!("data-rule=\"{rule}\"")),
            "{rule} not in HTML"
        );
    }
    let kinds: Vec<&str> = model["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "data",
            "model",
            "training",
            "performance",
            "limits",
            "deployment",
            "findings"
        ]
    );
    // No external resource and no script.
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
}

#[test]
fn clean_run_does_not_fire_the_planted_rules() {
    let (_dir, run) = fixture(false);
    let (_, model) = report(&[run.to_str().unwrap()]);
    let fired = rules(&model);
    for rule in PLANTED_RULES {
        assert!(!fired.iter().any(|r| r == rule), "{rule} fired: {fired:?}");
    }
}

#[test]
fn user_strings_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let class = "<script>alert(1)</script>";
    let file = "\"><img src=x onerror=alert(1)>.png";
    std::fs::write(dir.path().join(file), PNG).unwrap();
    // CSV quoting: the file name holds a double quote.
    let quoted = format!("\"{}\"", file.replace('"', "\"\""));
    let mut csv = format!("id,label,path,p_cat,p_{class}\n");
    for i in 0..20 {
        // Row 0's id is the file name itself; every row shows that image.
        let id = if i == 0 {
            quoted.clone()
        } else {
            format!("s{i}")
        };
        let (label, p) = if i % 2 == 0 {
            ("cat", 0.2)
        } else {
            (class, 0.7)
        };
        csv.push_str(&format!("{id},{label},{quoted},{p},{}\n", 1.0 - p));
    }
    let predictions = dir.path().join("hostile.csv");
    std::fs::write(&predictions, csv).unwrap();
    let eval = dir.path().join("hostile.json");
    evaluate_to(&predictions, &eval);
    let (html, _) = report(&[
        eval.to_str().unwrap(),
        "--predictions",
        predictions.to_str().unwrap(),
        "--title",
        class,
    ]);
    assert!(!html.contains(class), "raw class name in the HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<img src=x"), "raw file name in the HTML");
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png"));
    // The thumbnail of the hostile file was read and embedded.
    assert!(html.contains("data:image/png;base64,"));
}

#[test]
fn errors_name_the_input_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"hello\": 1}").unwrap();
    let out = triage(&[
        "report",
        bogus.to_str().unwrap(),
        "--out",
        dir.path().join("r.html").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("triage: error:") && err.contains("bogus.json"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    let _ = stdout(&out);
}

/// The size budget: a 10,000-image test set (real 64 px images behind every
/// row) gives a report under 5 MB.
#[test]
fn report_of_ten_thousand_images_stays_under_five_megabytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run_ok(&[
        "synth",
        data.to_str().unwrap(),
        "--classes",
        "10",
        "--per-class",
        "10",
        "--size",
        "64",
        "--domain",
        "real-like",
    ]);
    let manifest = std::fs::read_to_string(data.join("manifest.csv")).unwrap();
    let images: Vec<(String, String)> = manifest
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (data.join(f[0]).display().to_string(), f[1].to_string())
        })
        .collect();
    let mut classes: Vec<String> = images.iter().map(|(_, c)| c.clone()).collect();
    classes.sort();
    classes.dedup();
    let k = classes.len();
    let mut csv = String::from("id,label,path");
    for c in &classes {
        csv.push_str(&format!(",p_{c}"));
    }
    csv.push('\n');
    // Deterministic scores: the true class gets most mass in ~75 % of rows.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..10_000 {
        let (path, label) = &images[i % images.len()];
        let y = classes.iter().position(|c| c == label).unwrap();
        let hit = if next() < 0.75 {
            y
        } else {
            (y + 1 + i % (k - 1)) % k
        };
        let mut w: Vec<f64> = (0..k).map(|_| next() * 0.3).collect();
        w[hit] += 2.0;
        let sum: f64 = w.iter().sum();
        csv.push_str(&format!("{i},{label},{path}"));
        for v in &w {
            csv.push_str(&format!(",{}", v / sum));
        }
        csv.push('\n');
    }
    let predictions = dir.path().join("big.predictions.csv");
    std::fs::write(&predictions, csv).unwrap();
    let eval = dir.path().join("big.json");
    evaluate_to(&predictions, &eval);
    let html = dir.path().join("big.html");
    run_ok(&[
        "report",
        eval.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    let bytes = std::fs::metadata(&html).unwrap().len();
    let text = std::fs::read_to_string(&html).unwrap();
    let thumbnails = text.matches("data:image/png;base64,").count();
    eprintln!("10k report: {bytes} bytes, {thumbnails} thumbnails");
    assert_eq!(thumbnails, 24 + 6 * 4, "gallery caps");
    assert!(bytes < 5 * 1024 * 1024, "report is {bytes} bytes");
}

/// Every document `evaluate` writes is read back by `report`, also when a
/// metric is undefined (a class absent from the labels gives `null`s).
#[test]
fn evaluations_with_undefined_metrics_are_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "id,label,p_a,p_b,p_c\nx,a,0.7,0.2,0.1\ny,b,0.2,0.7,0.1\nz,a,0.4,0.5,0.1\nw,b,0.1,0.8,0.1\n";
    let predictions = dir.path().join("absent.csv");
    std::fs::write(&predictions, csv).unwrap();
    let eval = dir.path().join("absent.json");
    evaluate_to(&predictions, &eval);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&eval).unwrap()).unwrap();
    assert!(doc["metrics"]["roc_auc_ovr_macro"].is_null());
    assert!(doc["undefined"]["roc_auc_ovr_macro"].is_string());
    let (html, model) = report(&[eval.to_str().unwrap()]);
    assert!(html.contains("<h2>The performance</h2>"));
    assert_eq!(model["inputs"][0]["kind"], "evaluation");
}
