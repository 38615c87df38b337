//! A tiny programmable CloudStack endpoint on 127.0.0.1:0 for the client
//! tests, plus a raw TCP server that drops connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use marvin_core::signing;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub raw_query: String,
    pub raw_body: String,
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub content_type: Option<String>,
}

impl Call {
    /// Query and body parameters merged, as the servlet sees them.
    pub fn params(&self) -> Vec<(String, String)> {
        self.query.iter().chain(&self.body).cloned().collect()
    }

    /// A parameter by name (exact).
    pub fn get(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// A parameter by name, ignoring case (how the server dispatches).
    pub fn get_ci(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn command(&self) -> String {
        self.get("command").unwrap_or_default()
    }

    /// Checks the signature as `ApiServer.verifyRequest` does.
    pub fn signature_ok(&self, secret: &str) -> bool {
        let Some(signature) = self.get("signature") else {
            return false;
        };
        let params = self.params();
        let canonical =
            signing::canonical_string(params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        signing::verify_canonical(&canonical, secret, &signature)
    }
}

/// What the fake answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// `{"<command>response": inner}` with status 200.
    pub fn ok(command: &str, inner: Value) -> Self {
        let key = format!("{}response", command.to_ascii_lowercase());
        Self::json(200, json!({ key: inner }))
    }

    /// An error answer under the command's key; the status equals the code.
    pub fn error(command: &str, code: u16, cs_code: Option<u32>, text: &str) -> Self {
        let key = format!("{}response", command.to_ascii_lowercase());
        let mut inner = json!({"uuidList": [], "errorcode": code, "errortext": text});
        if let Some(cs) = cs_code {
            inner["cserrorcode"] = json!(cs);
        }
        Self::json(code, json!({ key: inner }))
    }

    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    pub fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.to_owned(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Handler = dyn Fn(&Call) -> Reply + Send + Sync;

#[derive(Clone)]
struct AppState {
    handler: Arc<Handler>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// A running fake endpoint.
pub struct FakeCloud {
    pub url: String,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl FakeCloud {
    pub async fn start(handler: impl Fn(&Call) -> Reply + Send + Sync + 'static) -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            handler: Arc::new(handler),
            calls: Arc::clone(&calls),
        };
        let app = axum::Router::new()
            .route("/client/api", any(handle))
            .with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url: format!("http://{addr}/client/api"),
            calls,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn calls_of(&self, command: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.command() == command)
            .collect()
    }
}

fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    if raw.is_empty() {
        return Vec::new();
    }
    let url = reqwest::Url::parse(&format!("http://x/?{raw}")).unwrap();
    url.query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

async fn handle(
    State(state): State<AppState>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_query = query.unwrap_or_default();
    let raw_body = String::from_utf8_lossy(&body).into_owned();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let form = content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let call = Call {
        method: method.to_string(),
        query: parse_pairs(&raw_query),
        body: if form {
            parse_pairs(&raw_body)
        } else {
            Vec::new()
        },
        raw_query,
        raw_body,
        cookie: headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        content_type,
    };
    state.calls.lock().unwrap().push(call.clone());
    let reply = (state.handler)(&call);
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .append(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

/// A raw HTTP server that closes the first `drops` connections without
/// answering, then answers every request with `body` (status 200).
pub struct FlakyServer {
    pub url: String,
    pub attempts: Arc<AtomicUsize>,
}

impl FlakyServer {
    pub async fn start(drops: usize, body: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let attempts = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&attempts);
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let body = body.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    // Read the request head (and any body).
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(n) = socket.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(end) = find(&buf, b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + length {
                                break;
                            }
                        }
                    }
                    let attempt = counter.fetch_add(1, Ordering::SeqCst);
                    if attempt < drops {
                        drop(socket);
                        return;
                    }
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                        body.len(),
                        body
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            url: format!("http://{addr}/client/api"),
            attempts,
        }
    }

    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The recorded sample bodies of `testdata/cloudstack/responses`:
/// `{command: {responsekey: inner}}`.
pub fn samples(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/cloudstack/responses")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The inner object of one sample (`samples(file)[command][<single key>]`).
pub fn sample_inner(file: &str, command: &str) -> Value {
    let all = samples(file);
    let envelope = all[command].as_object().unwrap().clone();
    envelope.into_iter().next().unwrap().1
}
