//! What the labelling tests share: a small synthetic dataset, a session
//! spec and a client that drives the router and keeps everything it was
//! sent (headers and bodies), for the blindness checks.

#![allow(dead_code)] // each test file uses part of it

pub(crate) mod http;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use triage_label::SessionSpec;
use triage_synth::{generate, SynthConfig};

pub(crate) fn dataset(dir: &Path) -> PathBuf {
    let data = dir.join("syn");
    generate(
        &SynthConfig {
            classes: 3,
            per_class: 6,
            size: 8,
            ..SynthConfig::default()
        },
        &data,
    )
    .unwrap();
    data
}

pub(crate) fn spec(data: &Path, sample: usize) -> SessionSpec {
    SessionSpec {
        dataset: data.display().to_string(),
        sample,
        seed: 7,
        ..SessionSpec::default()
    }
}

pub(crate) struct Client {
    pub(crate) app: axum::Router,
    pub(crate) seen: Vec<String>,
}

impl Client {
    pub(crate) async fn send(
        &mut self,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let response = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        for (k, v) in response.headers() {
            self.seen.push(format!("{k}: {}", v.to_str().unwrap_or("")));
        }
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        self.seen.push(String::from_utf8_lossy(&bytes).into_owned());
        (status, bytes)
    }

    pub(crate) async fn json(
        &mut self,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (s, b) = self.send(method, uri, body).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
}
