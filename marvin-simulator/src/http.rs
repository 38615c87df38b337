//! The HTTP face: `/client/api` over axum, GET (query string) and POST
//! (query string plus form body), JSON only.
//!
//! Every answer, errors included, is a CloudStack-shaped JSON body with
//! `Content-Type: application/json; charset=UTF-8`; nothing here panics on
//! bad input. Each API request gets a tracing span with the command and the
//! caller, and one info line when answered (method, status, duration),
//! never parameter values.
//!
//! Besides the API, every listener answers `GET /` (also `/client`) with
//! the readiness of the cloud (200 or 503, see [`crate::doors`]); the
//! Ansible-style keys door also serves `/admin.json` and holds everything at
//! 503 until the cloud is ready, as that container's web server does. The
//! API's OpenAPI document and the page showing it are [`crate::docs`]'s
//! (`/client/api/openapi.json`, `/docs`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderValue, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use marvin_core::{CsErrorCode, ErrorCode};
use tracing::Instrument;

use crate::doors::{Doors, Readiness};
use crate::kernel::engine::{Answer, Body, Engine};
use crate::kernel::error::ApiError;
use crate::kernel::request::{Method, Request};

/// The content type of every answer.
pub(crate) const JSON: &str = "application/json; charset=UTF-8";

/// The largest request body accepted (user data may be 1 MiB and more).
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What a listener is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Door {
    /// The API, authenticated by keys or sessions.
    Api,
    /// The unauthenticated integration port: every caller is the root admin.
    Integration,
    /// The Ansible test container's front door: the authenticated API plus
    /// `/admin.json`, all 503 until the cloud is ready.
    AdminKeys,
}

#[derive(Clone)]
struct Listener {
    engine: Arc<Engine>,
    door: Door,
    doors: Arc<Doors>,
    body_timeout: std::time::Duration,
}

/// The router of one listener.
pub(crate) fn router(
    engine: Arc<Engine>,
    door: Door,
    doors: Arc<Doors>,
    body_timeout: std::time::Duration,
) -> Router {
    let mut router = Router::new()
        .route("/client/api", any(api))
        .route("/client/api/", any(api))
        // CloudStack's API servlet answers everything under /client/api/
        // and dispatches on `command`, so the OpenAPI document's path per
        // API (/client/api/listZones) reaches it too.
        .route("/client/api/{path}", any(api))
        .route("/client/api/openapi.json", get(crate::docs::openapi_json))
        .route("/docs", get(crate::docs::index))
        .route("/docs/", get(crate::docs::index))
        .route("/docs/{file}", get(crate::docs::asset))
        .route("/", any(ready))
        .route("/client", any(ready))
        .route("/client/", any(ready));
    if door == Door::AdminKeys {
        router = router.route("/admin.json", any(admin_json));
    }
    router.fallback(not_found).with_state(Listener {
        engine,
        door,
        doors,
        body_timeout,
    })
}

/// `GET /`: 200 once the cloud is ready, 503 before, with a small JSON
/// document saying what was found.
async fn ready(State(listener): State<Listener>) -> Response {
    let doors = Arc::clone(&listener.doors);
    let readiness = tokio::task::spawn_blocking(move || doors.readiness())
        .await
        .unwrap_or_else(|_| Readiness::Waiting("the readiness survey crashed".into()));
    let (status, body) = match readiness {
        Readiness::Ready {
            zones,
            hosts,
            templates,
        } => (
            StatusCode::OK,
            serde_json::json!({"status": "ready", "zones": zones, "hosts": hosts, "templates": templates}),
        ),
        Readiness::Waiting(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "starting", "reason": reason}),
        ),
    };
    json_response(status, body.to_string())
}

/// `/admin.json` on the keys door: the admin's `getUserKeys` keys, 503
/// until the cloud is ready.
async fn admin_json(State(listener): State<Listener>) -> Response {
    let doors = Arc::clone(&listener.doors);
    let keys = tokio::task::spawn_blocking(move || match doors.readiness() {
        Readiness::Ready { .. } => Some(doors.admin_keys()),
        Readiness::Waiting(_) => None,
    })
    .await;
    match keys {
        Ok(Some(Ok(keys))) => json_response(StatusCode::OK, keys.to_string()),
        Ok(Some(Err(error))) => respond(Answer::error("errorresponse", &error)),
        Ok(None) | Err(_) => unavailable(),
    }
}

/// The 503 of a door that the cloud is not ready behind.
fn unavailable() -> Response {
    let error = ApiError::new(
        ErrorCode::ResourceUnavailable,
        CsErrorCode::ResourceUnavailable,
        "The simulator is starting: its zones are not deployed yet",
    );
    let mut response = respond(Answer::error("errorresponse", &error));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

async fn api(State(listener): State<Listener>, request: axum::extract::Request) -> Response {
    if listener.door == Door::AdminKeys {
        let doors = Arc::clone(&listener.doors);
        let ready = tokio::task::spawn_blocking(move || doors.readiness())
            .await
            .is_ok_and(|r| matches!(r, Readiness::Ready { .. }));
        if !ready {
            return unavailable();
        }
    }
    let started = std::time::Instant::now();
    let http_method = request.method().clone();
    let (parts, body) = request.into_parts();
    let method = match parts.method {
        HttpMethod::GET => Method::Get,
        HttpMethod::POST => Method::Post,
        _ => {
            return respond(Answer::error(
                "errorresponse",
                &ApiError::new(
                    ErrorCode::MethodNotAllowed,
                    CsErrorCode::UnavailableCommand,
                    "Use GET or POST",
                ),
            ));
        }
    };
    // As in the servlet container CloudStack runs in, only a form body
    // carries parameters; any other body (or one without a type) is read,
    // then ignored, and only the query string counts.
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let is_form = content_type.as_deref().is_some_and(is_form_type);
    let body = if method == Method::Post {
        let read = tokio::time::timeout(
            listener.body_timeout,
            axum::body::to_bytes(body, BODY_LIMIT),
        );
        let refused = |text: String| {
            let error = ApiError::new(
                ErrorCode::MalformedParameter,
                CsErrorCode::InvalidParameterValue,
                text,
            );
            respond(Answer::error("errorresponse", &error))
        };
        match read.await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => {
                return refused(format!(
                    "The request body is unreadable or larger than {BODY_LIMIT} bytes"
                ));
            }
            Err(_) => {
                // Hyper closes the connection after this answer: the rest of
                // the promised body will never be read.
                let mut response = refused(format!(
                    "The request body did not arrive within {} ms",
                    listener.body_timeout.as_millis()
                ));
                response.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    HeaderValue::from_static("close"),
                );
                return response;
            }
        }
    } else {
        Bytes::new()
    };
    let ignored_body = !is_form && !body.is_empty();
    let form = (is_form && !body.is_empty()).then_some(&body[..]);
    let mut request = match Request::decode(method, parts.uri.query(), form) {
        Ok(request) => request,
        Err(error) => {
            tracing::info!(status = error.code.as_u16(), "undecodable request");
            return respond(Answer::error("errorresponse", &error));
        }
    };
    let unread = ignored_body
        .then(|| ignored_body_error(&request, content_type.as_deref()))
        .flatten();
    if let Some(error) = unread {
        return respond(Answer::error("errorresponse", &error));
    }
    for cookie in parts.headers.get_all(COOKIE) {
        if let Ok(text) = cookie.to_str() {
            request.read_cookies(text);
        }
    }
    let integration = listener.door == Door::Integration;
    request.integration = integration;
    let command: String = request
        .get("command")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let span = tracing::info_span!(
        "api",
        command = %command,
        integration,
        caller = tracing::field::Empty
    );
    let answer = listener
        .engine
        .handle(request)
        .instrument(span.clone())
        .await;
    span.in_scope(|| {
        tracing::info!(
            method = %http_method,
            status = answer.status,
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "answered"
        );
    });
    respond(answer)
}

/// Whether a `Content-Type` is a form (`application/x-www-form-urlencoded`,
/// parameters such as `; charset=UTF-8` allowed), the one body the servlet
/// reads parameters from.
fn is_form_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(FORM))
}

/// The form content type.
const FORM: &str = "application/x-www-form-urlencoded";

/// The answer to a POST whose body was ignored (not a form) when its query
/// string lacks what every call needs (`command`, `response=json`): without
/// it the caller would be told to add what it did send, in the body. A
/// query string that has them is served as CloudStack serves it, from the
/// query string alone.
fn ignored_body_error(request: &Request, content_type: Option<&str>) -> Option<ApiError> {
    let lacks = if request.get("command").is_none_or(str::is_empty) {
        "command"
    } else if !request
        .get("response")
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("json"))
    {
        "response=json"
    } else {
        return None;
    };
    let sent_as = match content_type {
        Some(sent) => {
            let shown: String = sent.chars().filter(|c| !c.is_control()).take(64).collect();
            format!("Content-Type {shown}")
        }
        None => "no Content-Type".to_owned(),
    };
    Some(ApiError::new(
        ErrorCode::UnsupportedAction,
        CsErrorCode::UnsupportedService,
        format!(
            "The request body was not read: a POST body carries parameters only with Content-Type \
             {FORM}, and this one was sent with {sent_as}. The query string alone has no {lacks}: \
             send the parameters as a form body or in the query string"
        ),
    ))
}

async fn not_found(uri: Uri) -> Response {
    let error = ApiError {
        code: ErrorCode::Other(404),
        cs_code: None,
        text: format!("No API at {}: use /client/api", uri.path()),
    };
    respond(Answer::error("errorresponse", &error))
}

fn respond(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match answer.body {
        Body::Text(text) => (status, text).into_response(),
        // Sent as it is written; an error part aborts the answer, so the
        // client sees a broken body rather than a short list.
        Body::Stream(parts) => {
            let parts = futures_util::stream::unfold(parts, |mut parts| async move {
                parts
                    .recv()
                    .await
                    .map(|part| (part.map(Bytes::from), parts))
            });
            (status, axum::body::Body::from_stream(parts)).into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    for cookie in answer.cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}
