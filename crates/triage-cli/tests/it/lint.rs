//! `triage lint` end to end: the fixtures' verdicts and exit codes
//! (`--fail-on`), the document read back and by `triage report`, a triage
//! run directory, and bad input (exit 2, naming the file and the problem).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use triage_docs::lint::LintDoc;

use crate::util::{repo_root, stderr, stdout, triage};

fn fixture(name: &str) -> String {
    repo_root()
        .join("crates/triage-lint/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn fixtures_fail_or_pass_and_the_report_shows_the_lint() {
    let seed = fixture("vgg_like_train.onnx");
    let out = triage(&["lint", &seed, "--fail-on", "warning"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("dropout-before-batchnorm"));
    assert!(stderr(&out).contains("check failed"));
    let resnet = fixture("resnet20.keras");
    let out = triage(&["lint", &resnet, "--fail-on", "warning"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The JSON document reads back; `triage report` puts it in "The model".
    let tmp = tempfile::tempdir().unwrap();
    let doc_path = tmp.path().join("lint.json");
    let out = triage(&[
        "lint",
        &seed,
        "--json",
        "--out",
        doc_path.to_str().unwrap(),
        "--optimizer",
        "adam",
        "--weight-decay",
        "1e-4",
        "--loss-from-logits",
        "true",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: LintDoc = triage_docs::read_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = doc.findings.iter().map(|f| f.id.as_str()).collect();
    assert!(
        ids.contains(&"double-softmax") && ids.contains(&"adam-l2"),
        "{ids:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&doc_path).unwrap().trim(),
        stdout(&out).trim()
    );
    let html = tmp.path().join("r.html");
    let out = triage(&[
        "report",
        doc_path.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Architecture lint") && page.contains("double-softmax"));
}

#[test]
fn a_triage_run_directory_is_linted() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    let text = std::fs::read_to_string(
        repo_root().join("crates/triage-cli/tests/fixtures/v0.1.0/run/run.json"),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["model"]["spec"] = serde_json::json!({"kind": "vgg", "widths": [64, 128, 256],
        "block_dropout": 0.3, "halve_after_pool": true, "dropout": 0.0});
    v["optimizer"] = serde_json::json!({"kind": "adadelta"});
    v["select"] = serde_json::json!("accuracy");
    v["input"] = serde_json::json!({"channels": 3, "height": 32, "width": 32});
    std::fs::write(run.join("run.json"), v.to_string()).unwrap();
    let out = triage(&["lint", run.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: LintDoc = triage_docs::read_str(&stdout(&out)).unwrap();
    assert_eq!(doc.model_format, "triage-spec");
    let ids: Vec<&str> = doc.findings.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "channels-shrink-after-downsampling",
        "dropout-before-batchnorm",
        "adaptive-optimizer",
        "select-on-accuracy",
        "small-batch-batchnorm",
    ] {
        assert!(ids.contains(&id), "{id}: {ids:?}");
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

#[test]
fn bad_models_exit_2_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let onnx = std::fs::read(fixture("vgg_like_train.onnx")).unwrap();
    let keras = std::fs::read(fixture("vgg_like.keras")).unwrap();
    // A zip without config.json.
    let mut empty_zip = Vec::new();
    zip_without_config(&mut empty_zip);
    let cycle = serde_json::json!({"class_name": "Functional", "config": {"layers": [
        {"class_name": "Dense", "name": "a", "config": {"units": 2}, "inbound_nodes": [[["b", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "b", "config": {"units": 2}, "inbound_nodes": [[["a", 0, 0, {}]]]}]}});
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (
            write(tmp.path(), "cut.onnx", &onnx[..onnx.len() / 2]),
            vec![],
            "not a protobuf ONNX model",
        ),
        (
            write(tmp.path(), "cut.keras", &keras[..keras.len() / 2]),
            vec![],
            "not a readable zip",
        ),
        (
            write(tmp.path(), "none.keras", &empty_zip),
            vec![],
            "without `config.json`",
        ),
        (
            write(tmp.path(), "cycle.json", cycle.to_string().as_bytes()),
            vec![],
            "cycle",
        ),
        (
            write(
                tmp.path(),
                "other.json",
                b"{\"format\": \"triage-evaluation\"}",
            ),
            vec![],
            "expected `Sequential` or `Functional`",
        ),
        (
            PathBuf::from(fixture("resnet20_train.onnx")),
            vec!["--max-bytes", "1000"],
            "above the limit",
        ),
        (tmp.path().join("missing.onnx"), vec![], "cannot read"),
    ];
    for (path, extra, says) in cases {
        let mut args = vec!["lint", path.to_str().unwrap()];
        args.extend(extra);
        let out = triage(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

/// A valid zip archive holding only `metadata.json`.
fn zip_without_config(out: &mut Vec<u8>) {
    // Stored (uncompressed) entry: local header, data, central directory,
    // end record (APPNOTE 4.3).
    let name = b"metadata.json";
    let data = b"{}";
    let crc = crc32(data);
    let mut local = Vec::new();
    local.extend_from_slice(b"PK\x03\x04");
    local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    local.extend_from_slice(&crc.to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&[0, 0]);
    local.extend_from_slice(name);
    local.extend_from_slice(data);
    let mut central = Vec::new();
    central.extend_from_slice(b"PK\x01\x02");
    central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    central.extend_from_slice(&crc.to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(name.len() as u16).to_le_bytes());
    central.extend_from_slice(&[0; 12]);
    central.extend_from_slice(&0u32.to_le_bytes());
    central.extend_from_slice(name);
    out.extend_from_slice(&local);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&(local.len() as u32).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
