//! Review queues end to end: `triage label-issues` finds planted wrong
//! labels, `triage label serve --queue label-issues` puts them before an
//! annotator (blind), `triage label report --corrected-manifest` writes a
//! manifest every command reads, with the labels people chose; `triage
//! profile` finds a recoloured copy, `--queue pairs` asks "same photo?",
//! and the confirmed pair shares a group in the corrected manifest.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};
use triage_data::dataset::{open_dataset, OpenOptions};
use triage_label::store::Store;

use crate::label::http::http;
use crate::label::serve;
use crate::util::{run_ok, stderr, stdout, triage};

/// The synthetic set's manifest: id → (given label, clean label).
fn manifest(data: &Path) -> HashMap<String, (String, String)> {
    let text = std::fs::read_to_string(data.join("manifest.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_owned(), (f[1].to_owned(), f[3].to_owned()))
        })
        .collect()
}

/// Answer every item the server hands `who`, choosing with `pick` (given
/// the item's dataset id and a pair's other id, looked up in the
/// database — the browser never sees them).
fn answer_all(addr: &str, db: &Path, who: &str, pick: impl Fn(&str, Option<&str>) -> u32) -> usize {
    let store = Store::open(db).unwrap();
    let items: HashMap<String, (String, Option<String>)> = store
        .items()
        .unwrap()
        .into_iter()
        .map(|i| (i.opaque, (i.item_id, i.other)))
        .collect();
    let mut n = 0;
    loop {
        let (_, state) = http(addr, "GET", &format!("/api/next?annotator={who}"), None);
        let Some(opaque) = state["item"].as_str() else {
            return n;
        };
        let (id, other) = &items[opaque];
        let body = json!({"annotator": who, "item": opaque, "class": pick(id, other.as_deref()),
                          "reaction_ms": 800, "request": format!("{who}-{n}")});
        let (status, after) = http(addr, "POST", "/api/answer", Some(&body));
        assert_eq!(status, 200, "{after}");
        n += 1;
    }
}

/// `triage label serve DATA --queue KIND FILE --db DB` on a free port.
fn serve_queue(data: &str, kind: &str, file: &Path, db: &Path) -> (std::process::Child, String) {
    serve(&[
        data,
        "--queue",
        kind,
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ])
}

#[test]
fn label_issues_queue_corrects_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("syn");
    let d = data.to_str().unwrap();
    run_ok(&[
        "synth",
        d,
        "--classes",
        "3",
        "--per-class",
        "10",
        "--size",
        "16",
        "--label-noise",
        "0.3",
        "--seed",
        "1",
    ]);
    let truth = manifest(&data);
    let classes = ["circle", "square", "triangle"];
    let planted = truth.values().filter(|(g, c)| g != c).count();
    assert!(planted >= 3, "the noise planted wrong labels");
    // A model sure of the clean class.
    let mut csv = String::from("id,label,p_circle,p_square,p_triangle\n");
    let mut ids: Vec<&String> = truth.keys().collect();
    ids.sort();
    for id in ids {
        let (given, clean) = &truth[id];
        let p: Vec<&str> = classes
            .iter()
            .map(|c| if c == clean { "0.900" } else { "0.050" })
            .collect();
        writeln!(csv, "{id},{given},{}", p.join(",")).unwrap();
    }
    let predictions = tmp.path().join("p.csv");
    std::fs::write(&predictions, csv).unwrap();
    let out = triage(&[
        "label-issues",
        "--predictions",
        predictions.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let issues = tmp.path().join("issues.json");
    std::fs::write(&issues, stdout(&out)).unwrap();
    let listed: Vec<Value> = serde_json::from_str::<Value>(&stdout(&out)).unwrap()["listed"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), planted);

    // Bad queues: exit 2, naming the file and what is wrong.
    let small = tmp.path().join("small");
    run_ok(&[
        "synth",
        small.to_str().unwrap(),
        "--classes",
        "3",
        "--per-class",
        "2",
        "--size",
        "16",
    ]);
    let two = tmp.path().join("two");
    run_ok(&[
        "synth",
        two.to_str().unwrap(),
        "--classes",
        "2",
        "--per-class",
        "2",
        "--size",
        "16",
    ]);
    let i = issues.to_str().unwrap();
    for (args, says) in [
        (vec![d, "--queue", "typos", i], "is not a queue"),
        (
            vec![d, "--queue", "pairs", i],
            "not a `triage profile --json` document",
        ),
        (
            vec![small.to_str().unwrap(), "--queue", "label-issues", i],
            "does not hold",
        ),
        (
            vec![two.to_str().unwrap(), "--queue", "label-issues", i],
            "names classes",
        ),
    ] {
        let db = tmp.path().join("bad.sqlite");
        let _ = std::fs::remove_file(&db);
        let mut full = vec![
            "label",
            "serve",
            "--no-progress",
            "--db",
            db.to_str().unwrap(),
        ];
        full.extend(args);
        let out = triage(&full);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{full:?}: {}", stderr(&out));
    }

    let db = tmp.path().join("q.sqlite");
    let (mut server, addr) = serve_queue(d, "label-issues", &issues, &db);
    let (_, classes_seen) = http(&addr, "GET", "/api/classes", None);
    assert_eq!(classes_seen["mode"], "classify");
    let class_index = |name: &str| classes.iter().position(|c| *c == name).unwrap() as u32;
    let answered = answer_all(&addr, &db, "ann", |id, _| class_index(&truth[id].1));
    assert_eq!(answered, planted, "the queue holds the listed issues");
    server.kill().unwrap();
    server.wait().unwrap();

    let manifest_out = data.join("corrected.csv");
    let corrections = tmp.path().join("corrections.csv");
    let out = triage(&[
        "label",
        "report",
        "--db",
        db.to_str().unwrap(),
        "--json",
        "--corrections-out",
        corrections.to_str().unwrap(),
        "--corrected-manifest",
        manifest_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["review"]["confirmed"], planted);
    assert!(doc["pooled"].is_null(), "no accuracy on suspects");
    assert_eq!(
        std::fs::read_to_string(&corrections)
            .unwrap()
            .lines()
            .count(),
        planted + 1
    );
    // Every command reads the corrected manifest: its labels are the clean ones.
    let corrected = open_dataset(&manifest_out, &OpenOptions::default()).unwrap();
    assert_eq!(corrected.items.len(), truth.len());
    for item in &corrected.items {
        assert_eq!(
            corrected.classes[item.label], truth[&item.id].1,
            "{}",
            item.id
        );
    }
    // The summary names the errors; a predictions file is refused on a queue.
    let out = triage(&["label", "report", "--db", db.to_str().unwrap()]);
    assert!(stdout(&out).contains("label error:"), "{}", stdout(&out));
    let out = triage(&[
        "label",
        "report",
        "--db",
        db.to_str().unwrap(),
        "--predictions",
        predictions.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("review queue"), "{}", stderr(&out));
}

#[test]
fn pairs_queue_groups_a_confirmed_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("syn");
    let d = data.to_str().unwrap();
    run_ok(&[
        "synth",
        d,
        "--classes",
        "2",
        "--per-class",
        "8",
        "--size",
        "32",
        "--seed",
        "4",
    ]);
    // A recoloured copy of one image, as a new file of the other class.
    let original = "circle/circle_00003.png";
    let mut img = image::open(data.join(original)).unwrap().to_rgb8();
    for p in img.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = c.saturating_add(12);
        }
    }
    let copy = "square/copy_of_circle.png";
    img.save(data.join(copy)).unwrap();
    std::fs::remove_file(data.join("manifest.csv")).unwrap();
    let out = triage(&["profile", d, "--json"]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    let profile = tmp.path().join("profile.json");
    std::fs::write(&profile, stdout(&out)).unwrap();
    let db = tmp.path().join("pairs.sqlite");
    let (mut server, addr) = serve_queue(d, "pairs", &profile, &db);
    let (_, c) = http(&addr, "GET", "/api/classes", None);
    assert_eq!(c["mode"], "pairs");
    let planted = |a: &str, b: Option<&str>| {
        let pair = [a, b.unwrap_or("")];
        pair.contains(&original) && pair.contains(&copy)
    };
    // Both images of a pair are served by opaque id, the second under
    // /img/ID/b; nothing sent names an item.
    let (_, next) = http(&addr, "GET", "/api/next?annotator=ann", None);
    let opaque = next["item"].as_str().unwrap().to_owned();
    for path in [format!("/img/{opaque}"), format!("/img/{opaque}/b")] {
        assert_eq!(http(&addr, "GET", &path, None).0, 200, "{path}");
    }
    for sent in [c.to_string(), next.to_string()] {
        assert!(
            !sent.contains(".png") && !sent.contains("circle_"),
            "{sent}"
        );
    }
    let answered = answer_all(&addr, &db, "ann", |a, b| u32::from(planted(a, b)));
    assert!(answered >= 1);
    server.kill().unwrap();
    server.wait().unwrap();
    let manifest_out = data.join("corrected.csv");
    let out = triage(&[
        "label",
        "report",
        "--db",
        db.to_str().unwrap(),
        "--json",
        "--corrected-manifest",
        manifest_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["review"]["confirmed"], 1, "{}", doc["review"]);
    let corrected = open_dataset(&manifest_out, &OpenOptions::default()).unwrap();
    let group = |id: &str| {
        corrected
            .items
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .group
            .clone()
    };
    assert!(group(original).is_some());
    assert_eq!(group(original), group(copy));
    let others = corrected.items.iter().filter(|i| i.group.is_some()).count();
    assert_eq!(others, 2, "only the confirmed pair is grouped");
}
