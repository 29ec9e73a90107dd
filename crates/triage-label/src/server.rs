//! The HTTP server: the page, the class list, an annotator's next item,
//! images by opaque id, answers and undo. Every input is validated; a
//! token, when set, is checked on every request.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::session::{Refusal, Session};
use crate::store::Answer;

/// The page (inline CSS and JS, no external resource).
pub const PAGE: &str = include_str!("page.html");
/// Largest request body accepted, bytes.
pub const MAX_BODY: usize = 16 * 1024;
/// Header carrying the token (or the `token` query parameter).
pub const TOKEN_HEADER: &str = "x-triage-token";

#[derive(Clone)]
struct App {
    session: Arc<Session>,
    token: Option<Arc<str>>,
}

/// The router of a session; `token`, when given, is required on every
/// request.
pub fn router(session: Arc<Session>, token: Option<String>) -> Router {
    let app = App {
        session,
        token: token.map(Arc::from),
    };
    Router::new()
        .route("/", get(page))
        .route("/favicon.ico", get(no_icon))
        .route("/api/classes", get(classes))
        .route("/api/next", get(next))
        .route("/api/answer", post(answer))
        .route("/api/undo", post(undo))
        .route("/img/{id}", get(picture))
        .route("/img/{id}/b", get(second_picture))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The token check, and headers that keep responses out of caches and
/// other origins' frames.
async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if let Some(token) = &app.token {
        let from_header = request
            .headers()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok());
        let from_query = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
        let given = from_header.or(from_query).unwrap_or("");
        if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "a token is required: open the URL `triage label serve` printed",
            );
        }
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"),
    );
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::Bad(m) => refuse(StatusCode::BAD_REQUEST, &m),
        Refusal::NotFound => refuse(StatusCode::NOT_FOUND, "no such item"),
    }
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// Browsers ask for an icon; answer "none" rather than 404.
async fn no_icon() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn classes(State(app): State<App>) -> Response {
    let mode = match app.session.queue() {
        Some(crate::queue::QueueKind::Pairs) => "pairs",
        _ => "classify",
    };
    Json(serde_json::json!({ "classes": app.session.classes(), "mode": mode })).into_response()
}

#[derive(Deserialize)]
struct Who {
    annotator: String,
}

/// Run a blocking session call (SQLite commits wait for the disk) off the
/// async workers.
async fn blocking<T: serde::Serialize + Send + 'static>(
    app: &App,
    f: impl FnOnce(&Session) -> Result<T, Refusal> + Send + 'static,
) -> Response {
    let session = app.session.clone();
    match tokio::task::spawn_blocking(move || f(&session)).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(r)) => refusal(r),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request failed; retry",
        ),
    }
}

async fn next(State(app): State<App>, Query(who): Query<Who>) -> Response {
    blocking(&app, move |s| s.progress(&who.annotator)).await
}

async fn picture(State(app): State<App>, Path(id): Path<String>) -> Response {
    png(app, id, false).await
}

async fn second_picture(State(app): State<App>, Path(id): Path<String>) -> Response {
    png(app, id, true).await
}

async fn png(app: App, id: String, second: bool) -> Response {
    let session = app.session.clone();
    match tokio::task::spawn_blocking(move || session.image(&id, second)).await {
        Ok(Ok(png)) => {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            (headers, png).into_response()
        }
        Ok(Err(r)) => refusal(r),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request failed; retry",
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    annotator: String,
    item: String,
    class: Option<u32>,
    #[serde(default)]
    unsure: bool,
    #[serde(default)]
    reaction_ms: u64,
    #[serde(default)]
    zoomed: bool,
    request: String,
}

async fn answer(State(app): State<App>, Json(body): Json<AnswerBody>) -> Response {
    let a = Answer {
        annotator: body.annotator,
        item: body.item,
        class: body.class,
        unsure: body.unsure,
        reaction_ms: body.reaction_ms,
        zoomed: body.zoomed,
        request: body.request,
        repeat: false,
    };
    blocking(&app, move |s| s.answer(a)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UndoBody {
    annotator: String,
    request: String,
}

async fn undo(State(app): State<App>, Json(body): Json<UndoBody>) -> Response {
    blocking(&app, move |s| s.undo(&body.annotator, &body.request)).await
}
