//! Documents written by triage 0.1.0 (before documents carried `format`
//! and `version`) are still read, by the readers and by `triage report`.
//! The files under `tests/fixtures/v0.1.0/` were written by that release's
//! `evaluate`, `profile`, `synth`, `train`, `predict` and `lr-find`.

use std::path::PathBuf;

use triage_docs::Document;

use crate::util::{repo_root, run_ok};

fn fixture(name: &str) -> PathBuf {
    repo_root()
        .join("crates/triage-cli/tests/fixtures/v0.1.0")
        .join(name)
}

fn read<D: Document>(name: &str) -> D {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    // run.json had format/version already in 0.1.0; the others had none.
    let legacy = !text.contains("\"format\":\"triage-") && !text.contains("\"format\": \"triage-");
    assert!(
        legacy || name == "run/run.json",
        "{name} is not a legacy document"
    );
    triage_docs::read_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_legacy_document_is_read_and_upgraded() {
    let e: triage_docs::evaluation::EvaluationDoc = read("evaluation.json");
    assert_eq!(
        (e.format.as_str(), e.version),
        (
            "triage-evaluation",
            triage_docs::evaluation::EVALUATION_VERSION
        )
    );
    assert_eq!(e.n, 60);
    assert!(e.summary.is_none(), "version 0 had no summary");
    let p: triage_profile::DatasetProfile = read("profile.json");
    assert_eq!(
        (p.format.as_str(), p.version),
        ("triage-profile", triage_profile::PROFILE_VERSION)
    );
    assert_eq!(p.layout.name(), "manifest");
    let s: triage_synth::SynthDoc = read("synth.json");
    assert_eq!(s.classes.len(), 3);
    let r: triage_docs::run::RunMeta = read("run/run.json");
    assert_eq!(r.classes.len(), 3);
    let m: triage_docs::run::Summary = read("run/summary.json");
    assert_eq!(m.status, "completed");
    let l: triage_docs::lr_find::LrFindDoc = read("lr_find.json");
    assert!(!l.result.points.is_empty());
    for line in std::fs::read_to_string(fixture("run/log.jsonl"))
        .unwrap()
        .lines()
    {
        let _: triage_docs::training::EpochRecord = serde_json::from_str(line).unwrap();
    }
}

#[test]
fn report_reads_a_legacy_run_evaluation_and_profile() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = run_ok(&[
        "report",
        fixture("run").to_str().unwrap(),
        &format!("test={}", fixture("evaluation.json").display()),
        fixture("profile.json").to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.contains("r.html"), "{out}");
    let text = std::fs::read_to_string(&html).unwrap();
    for section in ["The data", "The model", "The training", "The performance"] {
        assert!(text.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
}
