//! `triage demo --quick` end to end: data, two trainings, evaluations and
//! the report, with the planted problems found.

use serde_json::Value;

use crate::report::{rules, PLOTS, SECTIONS};
use crate::util::run_ok;

/// Problems the demo plants, and the rule that must find each: 4:1 class
/// imbalance and class-sorted files in the synthetic data; Adadelta at a
/// constant rate, selected on validation accuracy, for the seed model;
/// real-like deployment images unlike the synthetic training ones.
const PLANTED: [&str; 6] = [
    "covariate-shift",
    "class-imbalance",
    "sorted-order",
    "optimizer-adadelta",
    "no-lr-schedule",
    "select-on-accuracy",
];

#[test]
fn quick_demo_writes_a_complete_report_with_the_planted_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let stdout = run_ok(&[
        "demo",
        "--quick",
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html_path = out.join("report.html");
    assert!(
        stdout.contains(&html_path.display().to_string()),
        "{stdout}"
    );
    assert!(stdout.contains("findings:"), "{stdout}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    for title in SECTIONS {
        assert!(
            html.contains(&format!("<h2>{title}</h2>")),
            "section {title} missing"
        );
    }
    for id in PLOTS {
        assert!(html.contains(&format!("id=\"{id}")), "plot {id} missing");
    }
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let fired = rules(&model);
    for rule in PLANTED {
        assert!(
            fired.iter().any(|r| r == rule),
            "{rule} did not fire: {fired:?}"
        );
    }
    // Both runs, each evaluated on both sets, with the baseline's run
    // recording its choices.
    for run in ["seed-vgg-adadelta", "resnet-adamw-onecycle"] {
        for eval in ["synthetic-test", "real-like"] {
            let p = out.join(format!("runs/{run}/eval/{eval}.json"));
            assert!(p.exists(), "{} missing", p.display());
        }
    }
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("runs/resnet-adamw-onecycle/run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["select"], "loss");
    assert_eq!(meta["optimizer"]["kind"], "adam_w");
    assert_eq!(meta["augment"]["color_jitter"], 0.3);
    assert_eq!(meta["schedule"]["kind"], "one_cycle");
    // Each run's model is linted: the seed's Dropout feeds BatchNorm, the
    // baseline has nothing above "info".
    let lint = |run: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(out.join(format!("runs/{run}/lint.json"))).unwrap(),
        )
        .unwrap()
    };
    let ids = |doc: &Value, severities: &[&str]| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| severities.contains(&f["severity"].as_str().unwrap()))
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // The two models compared on each evaluation's items.
    for eval in ["synthetic-test", "real-like"] {
        let doc: triage_docs::compare::CompareDoc = triage_docs::read_str(
            &std::fs::read_to_string(out.join(format!("compare-{eval}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(doc.pairs.len(), 1);
        assert_eq!(doc.files, ["seed-vgg-adadelta", "resnet-adamw-onecycle"]);
    }
    let seed = ids(&lint("seed-vgg-adadelta"), &["warning", "critical"]);
    assert!(
        seed.contains(&"dropout-before-batchnorm".to_owned()),
        "{seed:?}"
    );
    assert_eq!(
        ids(&lint("resnet-adamw-onecycle"), &["warning", "critical"]),
        Vec::<String>::new()
    );
}
