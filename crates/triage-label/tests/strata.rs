//! The overlap stratum (`--overlap M`: M items for everyone, the rest
//! shared out one annotator each) and attention checks (`--attention`:
//! repeats the browser cannot tell from new items), through the router.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use common::{dataset, spec, Client};
use serde_json::{json, Value};
use triage_data::progress::Silent;
use triage_label::report::{report, ReportInputs};
use triage_label::server::router;
use triage_label::session::attention_due;
use triage_label::{Session, SessionSpec};

fn answer(who: &str, item: &Value, class: u32, request: &str) -> Value {
    json!({"annotator": who, "item": item, "class": class, "unsure": false,
           "reaction_ms": 700, "zoomed": false, "request": request})
}

#[tokio::test]
async fn overlap_items_go_to_everyone_and_the_rest_to_one_annotator_each() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let db = tmp.path().join("labels.sqlite");
    let spec = SessionSpec {
        overlap: Some(4),
        ..spec(&data, 12)
    };
    let session = Arc::new(Session::open(&data, &db, &spec, &Silent).unwrap());
    let mut c = Client {
        app: router(session.clone(), None),
        seen: Vec::new(),
    };
    // Three annotators take turns until none has anything left.
    let who = ["ada", "bob", "cy"];
    let mut finished = [false; 3];
    let mut n = 0;
    while !finished.iter().all(|&f| f) {
        for (w, name) in who.iter().enumerate() {
            let (_, state) = c
                .json("GET", &format!("/api/next?annotator={name}"), None)
                .await;
            if state["item"].is_null() {
                finished[w] = true;
                continue;
            }
            n += 1;
            let (s, after) = c
                .json(
                    "POST",
                    "/api/answer",
                    Some(answer(name, &state["item"], 0, &format!("r{n}"))),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{after}");
        }
    }
    let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
    for a in session.store().answers().unwrap() {
        by_item.entry(a.item_id).or_default().push(a.annotator);
    }
    let answers = session.store().answers().unwrap();
    assert_eq!(answers.len(), 4 * 3 + 8, "overlap for all, the rest once");
    // Four items (the stratum) have three answers, the others one.
    let mut counts: Vec<usize> = by_item.values().map(Vec::len).collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3]);
    // Each annotator's total is the stratum plus the items they took.
    for name in who {
        let (_, state) = c
            .json("GET", &format!("/api/next?annotator={name}"), None)
            .await;
        let own = answers.iter().filter(|a| a.annotator == name).count();
        assert_eq!(state["total"].as_u64(), Some(own as u64));
        assert_eq!(state["done"].as_u64(), Some(own as u64));
        assert!(own >= 4 + 2, "the shared-out items were spread: {own}");
    }
    // Agreement exists on the stratum only; soft labels cover it.
    let classes: Vec<String> = session.classes().to_vec();
    let doc = report(&ReportInputs {
        dataset: "syn".into(),
        sample: 12,
        seed: 7,
        classes: &classes,
        answers: &answers,
        predictions: None,
        overlap: Some(4),
        attention: false,
        attention_min: triage_docs::human::ATTENTION_MIN,
        queue: None,
    });
    assert_eq!(doc.fleiss.as_ref().unwrap().items, 4);
    assert!(doc.cohen.iter().all(|p| p.items == 4));
    assert_eq!(
        triage_label::report::soft_counts(&answers, classes.len()).len(),
        4
    );
    // A database made with another overlap is refused.
    let other = SessionSpec {
        overlap: Some(5),
        ..spec.clone()
    };
    assert!(Session::open(&data, &db, &other, &Silent).is_err());
    let too_many = SessionSpec {
        overlap: Some(13),
        ..spec
    };
    let fresh = tmp.path().join("other.sqlite");
    let e = Session::open(&data, &fresh, &too_many, &Silent)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("--overlap 12"), "{e}");
}

#[tokio::test]
async fn attention_repeats_look_like_new_items_and_are_counted_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let db = tmp.path().join("labels.sqlite");
    let spec = SessionSpec {
        attention: true,
        ..spec(&data, 16)
    };
    let session = Arc::new(Session::open(&data, &db, &spec, &Silent).unwrap());
    let mut c = Client {
        app: router(session.clone(), None),
        seen: Vec::new(),
    };
    let mut first: HashMap<String, u32> = HashMap::new();
    let mut shown = Vec::new();
    for n in 0.. {
        let (_, state) = c.json("GET", "/api/next?annotator=ada", None).await;
        let mut keys: Vec<&String> = state.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["done", "item", "total"], "nothing marks a repeat");
        let Some(item) = state["item"].as_str().map(str::to_owned) else {
            break;
        };
        // Answer a repeat with another class than the first time.
        let class = match first.get(&item) {
            Some(&c) => (c + 1) % 3,
            None => (n % 3) as u32,
        };
        first.entry(item.clone()).or_insert(class);
        shown.push(item.clone());
        let (s, after) = c
            .json(
                "POST",
                "/api/answer",
                Some(answer("ada", &json!(item), class, &format!("r{n}"))),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{after}");
        assert!(n < 100, "the session ends");
    }
    let answers = session.store().answers().unwrap();
    let repeats: Vec<_> = answers.iter().filter(|a| a.repeat).collect();
    assert_eq!(repeats.len(), attention_due(16), "one in 20 after the 10th");
    assert_eq!(answers.len(), 16 + repeats.len());
    assert_eq!(shown.len(), answers.len());
    // The repeat came at least ATTENTION_GAP answers after the first showing.
    let at = shown
        .iter()
        .rposition(|o| shown.iter().filter(|x| *x == o).count() == 2);
    let again = at.unwrap();
    let once = shown.iter().position(|o| *o == shown[again]).unwrap();
    assert!(again - once > triage_label::session::ATTENTION_GAP);
    // Answering an item again when no repeat is due is refused.
    let (s, e) = c
        .json(
            "POST",
            "/api/answer",
            Some(answer("ada", &json!(shown[0]), 0, "again")),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("answered it already"));
    // The report counts the check (failed), not the repeat as an answer.
    let classes: Vec<String> = session.classes().to_vec();
    let doc = report(&ReportInputs {
        dataset: "syn".into(),
        sample: 16,
        seed: 7,
        classes: &classes,
        answers: &answers,
        predictions: None,
        overlap: None,
        attention: true,
        attention_min: triage_docs::human::ATTENTION_MIN,
        queue: None,
    });
    let ada = &doc.annotators[0];
    assert_eq!(ada.answered, 16);
    let check = ada.attention.unwrap();
    assert_eq!((check.k, check.n), (0, 1));
    assert!(!ada.excluded, "one check is not enough to exclude");
}
