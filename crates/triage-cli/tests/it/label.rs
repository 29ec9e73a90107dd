//! `triage label serve` as a process: the URL on stdout, answers over
//! HTTP, SIGKILL in the middle of a run of answers (every acknowledged
//! answer is there after a restart), a port in use (exit 2).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::util::{stderr, tiny_synth};

#[path = "../../../triage-label/tests/common/http.rs"]
pub(crate) mod http;
use http::http;

fn start(data: &str, db: &str, bind: &str) -> (Child, String) {
    serve(&[data, "--sample", "10", "--db", db, "--bind", bind])
}

/// `triage label serve ARGS… --no-progress`: the child and its address.
pub(crate) fn serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["label", "serve", "--no-progress"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    assert!(!url.is_empty(), "no URL printed");
    (child, url)
}

#[test]
fn acknowledged_answers_survive_sigkill_and_a_busy_port_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_synth(tmp.path());
    let (data, db) = (
        data.to_str().unwrap().to_owned(),
        tmp.path().join("l.sqlite"),
    );
    let db = db.to_str().unwrap().to_owned();
    let (mut server, addr) = start(&data, &db, "127.0.0.1:0");
    let mut acknowledged = 0;
    for i in 0..6 {
        let (_, state) = http(&addr, "GET", "/api/next?annotator=kim", None);
        let answer = json!({"annotator": "kim", "item": state["item"], "class": i % 2,
                            "reaction_ms": 500, "request": format!("kill-{i}")});
        let (status, _) = http(&addr, "POST", "/api/answer", Some(&answer));
        assert_eq!(status, 200);
        acknowledged += 1;
    }
    // A second server on the same port: exit 2, naming the address.
    let busy = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "label",
            "serve",
            &data,
            "--sample",
            "10",
            "--db",
            &db,
            "--bind",
            &addr,
            "--no-progress",
        ])
        .output()
        .unwrap();
    assert_eq!(busy.status.code(), Some(2), "{}", stderr(&busy));
    assert!(stderr(&busy).contains("cannot listen"), "{}", stderr(&busy));
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();
    let (mut again, addr) = start(&data, &db, "127.0.0.1:0");
    let (_, state) = http(&addr, "GET", "/api/next?annotator=kim", None);
    assert_eq!(
        state["done"], acknowledged,
        "every acknowledged answer is in the database"
    );
    // A second annotator labels the whole sample (everyone sees every item
    // without --overlap), so kim's six items have two answers each.
    for i in 0.. {
        let (_, state) = http(&addr, "GET", "/api/next?annotator=lee", None);
        if state["item"].is_null() {
            break;
        }
        let answer = json!({"annotator": "lee", "item": state["item"], "class": 0,
                            "reaction_ms": 400, "request": format!("lee-{i}")});
        assert_eq!(http(&addr, "POST", "/api/answer", Some(&answer)).0, 200);
    }
    again.kill().unwrap();
    again.wait().unwrap();
    // The report: two annotators, 6 + 10 answers, pooled accuracy with its
    // interval; the counts of the items both answered feed `triage bayes
    // --soft-labels`.
    let soft = tmp.path().join("soft.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "label",
            "report",
            "--db",
            &db,
            "--json",
            "--soft-labels-out",
            soft.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format"], "triage-human-labels");
    assert_eq!(doc["annotators"][0]["answered"], 6);
    assert_eq!(doc["annotators"][1]["answered"], 10);
    assert_eq!(doc["pooled"]["n"], 16);
    assert_eq!(doc["cohen"][0]["items"], 6);
    let p = &doc["pooled"];
    assert!(p["low"].as_f64() <= p["value"].as_f64() && p["value"].as_f64() <= p["high"].as_f64());
    let human = tmp.path().join("human.json");
    std::fs::write(&human, &out.stdout).unwrap();
    let html = tmp.path().join("r.html");
    let report = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "report",
            human.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", stderr(&report));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Human accuracy") && page.contains("humans-chart-"),
        "the report shows the humans"
    );
    let text = std::fs::read_to_string(&soft).unwrap();
    assert_eq!(text.lines().count(), 7, "{text}");
    let bayes = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["bayes", "--soft-labels", soft.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(bayes.status.success(), "{}", stderr(&bayes));
    let missing = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "label",
            "report",
            "--db",
            tmp.path().join("none.sqlite").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
