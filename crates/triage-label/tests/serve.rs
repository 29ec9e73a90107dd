//! The labelling server through its router: blindness (no response body
//! or header names an item, its file or its label), idempotent answers,
//! undo and resume, validation of every input, path traversal, the token,
//! and a database made for another dataset.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use common::{dataset, spec, Client};
use serde_json::{json, Value};
use triage_data::progress::Silent;
use triage_label::server::router;
use triage_label::{LabelError, Session, SessionSpec};

fn answer(item: &Value, class: u32, request: &str) -> Value {
    json!({"annotator": "ada", "item": item, "class": class, "unsure": false,
           "reaction_ms": 900, "zoomed": false, "request": request})
}

#[tokio::test]
async fn blind_idempotent_undo_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let db = tmp.path().join("labels.sqlite");
    let session = Arc::new(Session::open(&data, &db, &spec(&data, 10), &Silent).unwrap());
    let mut c = Client {
        app: router(session.clone(), None),
        seen: Vec::new(),
    };
    let (s, page) = c.send("GET", "/", None).await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads nothing from outside"
    );
    let (_, classes) = c.json("GET", "/api/classes", None).await;
    assert_eq!(classes["classes"].as_array().unwrap().len(), 3);
    let (_, state) = c.json("GET", "/api/next?annotator=ada", None).await;
    assert_eq!(
        (state["total"].as_u64(), state["done"].as_u64()),
        (Some(10), Some(0))
    );
    let mut answered = Vec::new();
    for i in 0..10 {
        let (_, state) = c.json("GET", "/api/next?annotator=ada", None).await;
        let mut keys: Vec<&String> = state.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["done", "item", "total"],
            "the state names nothing else"
        );
        let item = state["item"].clone();
        let (s, png) = c
            .send("GET", &format!("/img/{}", item.as_str().unwrap()), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(png.starts_with(b"\x89PNG"));
        let request = format!("req-{i}");
        let (s, after) = c
            .json(
                "POST",
                "/api/answer",
                Some(answer(&item, (i % 3) as u32, &request)),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{after}");
        // A retry of the same request stores nothing more.
        let (s, again) = c
            .json(
                "POST",
                "/api/answer",
                Some(answer(&item, (i % 3) as u32, &request)),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["done"], after["done"]);
        answered.push(item);
    }
    assert_eq!(session.store().answers().unwrap().len(), 10);
    // Undo the last answer: the page goes back to that item.
    let (_, state) = c
        .json(
            "POST",
            "/api/undo",
            Some(json!({"annotator": "ada", "request": "undo-1"})),
        )
        .await;
    assert_eq!(state["done"], 9);
    assert_eq!(state["item"], answered[9]);
    let (_, same) = c
        .json(
            "POST",
            "/api/undo",
            Some(json!({"annotator": "ada", "request": "undo-1"})),
        )
        .await;
    assert_eq!(same["done"], 9, "a retried undo undoes once");
    // Reopening the database resumes where the annotator left off.
    let mut c_seen = std::mem::take(&mut c.seen);
    drop(c);
    let reopened = Arc::new(Session::open(&data, &db, &spec(&data, 10), &Silent).unwrap());
    let mut c2 = Client {
        app: router(reopened, None),
        seen: Vec::new(),
    };
    let (_, state) = c2.json("GET", "/api/next?annotator=ada", None).await;
    assert_eq!(
        (state["done"].clone(), state["item"].clone()),
        (json!(9), answered[9].clone())
    );
    // Blind: no item id, file name or stem appears in anything sent.
    let stored = reopened_answers(&db, &data);
    assert_eq!(stored.len(), 9);
    c_seen.extend(c2.seen);
    for id in stored {
        let stem = Path::new(&id)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for text in &c_seen {
            assert!(
                !text.contains(&id) && !text.contains(&stem),
                "`{id}` leaked in {text}"
            );
        }
    }
}

fn reopened_answers(db: &Path, data: &Path) -> Vec<String> {
    let s = Session::open(data, db, &spec(data, 10), &Silent).unwrap();
    s.store()
        .answers()
        .unwrap()
        .into_iter()
        .map(|a| a.item_id)
        .collect()
}

#[tokio::test]
async fn every_input_is_validated_and_paths_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let db = tmp.path().join("labels.sqlite");
    let session = Arc::new(Session::open(&data, &db, &spec(&data, 5), &Silent).unwrap());
    let mut c = Client {
        app: router(session.clone(), None),
        seen: Vec::new(),
    };
    let (_, state) = c.json("GET", "/api/next?annotator=bo", None).await;
    let item = state["item"].clone();
    let long = "x".repeat(65);
    for (body, want) in [
        (
            json!({"annotator": "bo", "item": item, "class": 3, "request": "r1"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"annotator": "bo", "item": item, "class": null, "request": "r2"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"annotator": long, "item": item, "class": 0, "request": "r3"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"annotator": "bo", "item": "../../etc/passwd", "class": 0, "request": "r4"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"annotator": "bo", "item": "0123456789abcdef0123456789abcdef", "class": 0, "request": "r5"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"annotator": "bo", "item": item, "class": 0, "request": "has space"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"annotator": "bo\u{7}", "item": item, "class": 0, "request": "r6"}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (s, v) = c.json("POST", "/api/answer", Some(body.clone())).await;
        assert_eq!(s, want, "{body} → {v}");
    }
    let (s, _) = c
        .send(
            "POST",
            "/api/answer",
            Some(json!({"annotator": "bo", "item": item, "class": 0, "request": "r7", "label": 2})),
        )
        .await;
    assert!(s.is_client_error(), "unknown fields are refused");
    let (s, _) = c
        .send(
            "POST",
            "/api/answer",
            Some(json!({"annotator": "x".repeat(20_000)})),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    for uri in [
        "/img/..%2F..%2FCargo.toml",
        "/img/../../Cargo.toml",
        "/img/syn%2Fmanifest.csv",
        "/img/0123456789abcdef0123456789abcdeg",
    ] {
        let (s, _) = c.send("GET", uri, None).await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND,
            "{uri}: {s}"
        );
    }
    let (s, _) = c.send("DELETE", "/api/answer", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        session.store().answers().unwrap().is_empty(),
        "nothing invalid was stored"
    );
}

#[tokio::test]
async fn a_token_guards_every_route() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let session =
        Arc::new(Session::open(&data, &tmp.path().join("db"), &spec(&data, 3), &Silent).unwrap());
    let mut c = Client {
        app: router(session, Some("s3cret".into())),
        seen: Vec::new(),
    };
    for uri in ["/", "/api/classes", "/api/next?annotator=a"] {
        assert_eq!(
            c.send("GET", uri, None).await.0,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
        assert_eq!(c.send("GET", uri, None).await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        c.send("GET", "/api/classes?token=s3cret", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        c.send("GET", "/api/next?annotator=a&token=wrong", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn another_dataset_or_too_large_a_sample_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = dataset(tmp.path());
    let db = tmp.path().join("labels.sqlite");
    Session::open(&data, &db, &spec(&data, 4), &Silent).unwrap();
    let other = SessionSpec {
        seed: 8,
        ..spec(&data, 4)
    };
    match Session::open(&data, &db, &other, &Silent) {
        Err(LabelError::OtherDataset { theirs, ours, .. }) => {
            assert!(theirs.contains("seed 7") && ours.contains("seed 8"));
        }
        other => panic!("{:?}", other.err()),
    }
    let err = Session::open(
        &data,
        &tmp.path().join("b.sqlite"),
        &spec(&data, 100),
        &Silent,
    )
    .err()
    .unwrap();
    assert!(
        matches!(
            err,
            LabelError::SampleTooLarge {
                asked: 100,
                usable: 18,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn classes_beyond_the_keyboard_still_have_buttons_and_answers() {
    // 40 classes: keys reach 35 (1–9, a–z); the rest are answered by
    // button, which posts the class index like any other.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("many");
    for c in 0..40 {
        let dir = data.join(format!("class{c:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..2u8 {
            let img = image::GrayImage::from_pixel(4, 4, image::Luma([c as u8 * 6 + i]));
            img.save(dir.join(format!("{i}.png"))).unwrap();
        }
    }
    let session =
        Arc::new(Session::open(&data, &tmp.path().join("db"), &spec(&data, 80), &Silent).unwrap());
    let mut c = Client {
        app: router(session.clone(), None),
        seen: Vec::new(),
    };
    let (_, classes) = c.json("GET", "/api/classes", None).await;
    assert_eq!(classes["classes"].as_array().unwrap().len(), 40);
    let (_, state) = c.json("GET", "/api/next?annotator=zed", None).await;
    let (s, after) = c
        .json(
            "POST",
            "/api/answer",
            Some(json!({"annotator": "zed", "item": state["item"], "class": 39, "request": "far"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(session.store().answers().unwrap()[0].class, Some(39));
    let (s, _) = c.json("POST", "/api/answer", Some(json!({"annotator": "zed", "item": after["item"], "class": 40, "request": "beyond"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
