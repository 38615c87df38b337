//! What the torture tests share: sizes, seeds, a panic recorder, a raw
//! HTTP/1.1 client (bad bytes included), signing of raw requests and the
//! check that an answer is CloudStack-shaped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use marvin_core::Client;
use marvin_core::signing::{java_url_encode, sign};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The factor applied to every size: `MARVIN_TORTURE_SCALE` (default 1).
pub fn scale() -> f64 {
    std::env::var("MARVIN_TORTURE_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(1.0)
}

/// `n` times the scale, at least 1.
pub fn scaled(n: usize) -> usize {
    ((n as f64 * scale()).round() as usize).max(1)
}

/// The seed of random runs: `MARVIN_TORTURE_SEED`, else a fresh one (printed
/// by the tests that use it, so a failure can be replayed).
pub fn seed() -> u64 {
    std::env::var("MARVIN_TORTURE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random)
}

/// A panic seen anywhere in the process.
#[derive(Debug, Clone)]
pub struct PanicRecord {
    /// The thread's name.
    pub thread: String,
    /// Message and location.
    pub what: String,
}

fn panic_log() -> &'static Mutex<Vec<PanicRecord>> {
    static LOG: OnceLock<Mutex<Vec<PanicRecord>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current().name().unwrap_or("?").to_owned();
            let what = format!(
                "{} at {}",
                info.payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default(),
                info.location().map(ToString::to_string).unwrap_or_default()
            );
            if let Some(log) = LOG.get() {
                log.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(PanicRecord { thread, what });
            }
            previous(info);
        }));
        Mutex::new(Vec::new())
    })
}

/// Installs the panic recorder (idempotent) and returns how many panics
/// were recorded so far.
pub fn panics_so_far() -> usize {
    panic_log()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .len()
}

/// Panics recorded after `mark` on server threads (tokio workers and the
/// blocking pool: the simulator's connections, handlers and jobs), not on
/// the test threads themselves.
pub fn server_panics_since(mark: usize) -> Vec<PanicRecord> {
    panic_log()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .skip(mark)
        .filter(|p| p.thread.starts_with("tokio") || p.thread == "?")
        .cloned()
        .collect()
}

/// One line per panic: thread, message, location.
pub fn describe(panics: &[PanicRecord]) -> String {
    panics
        .iter()
        .map(|p| format!("[{}] {}", p.thread, p.what))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An admin client of a simulator, with short timeouts.
pub fn client(url: &str, api_key: &str, secret_key: &str) -> Client {
    Client::builder(url)
        .keys(api_key, secret_key)
        .request_timeout(Duration::from_secs(60))
        .job_timeout(Duration::from_secs(120))
        .build()
        .expect("a client")
}

/// `name=value&...` with Java's encoding, plus the signature (v2 unless the
/// pairs hold `signatureVersion`), in the order given.
pub fn signed_query(pairs: &[(String, String)], secret_key: &str) -> String {
    let signature = sign(
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        secret_key,
    );
    let mut query = encode_pairs(pairs);
    query.push_str("&signature=");
    query.push_str(&java_url_encode(&signature));
    query
}

/// `name=value&...` with Java's encoding.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", java_url_encode(n), java_url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `expires` for signature v3, `offset` from now.
pub fn expires(offset: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + offset)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]+0000"
        ))
        .expect("a timestamp")
}

/// An HTTP answer read off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// The `Set-Cookie` headers.
    pub cookies: Vec<String>,
}

/// A keep-alive HTTP/1.1 client that sends bytes exactly as given.
#[derive(Debug)]
pub struct RawHttp {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

/// Why a raw exchange failed.
#[derive(Debug)]
pub enum RawError {
    /// The server closed the connection without an answer.
    Closed,
    /// Any other I/O error, or a malformed answer.
    Io(String),
}

impl RawHttp {
    /// A client of `addr` (connects on first use).
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, stream: None }
    }

    /// Sends one request: `method target` with `headers` and `body`. The
    /// target is raw bytes (bad escapes and bytes above 0x7F included).
    pub async fn send(
        &mut self,
        method: &str,
        target: &[u8],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<RawResponse, RawError> {
        let mut request = Vec::with_capacity(target.len() + body.len() + 256);
        request.extend_from_slice(method.as_bytes());
        request.push(b' ');
        request.extend_from_slice(target);
        request.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !body.is_empty() || method == "POST" {
            request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(body);
        // A kept-alive connection may have been closed by the server since
        // its last answer: retry once on a fresh one.
        let reused = self.stream.is_some();
        match self.exchange(&request).await {
            Err(RawError::Closed) if reused => {
                self.stream = None;
                self.exchange(&request).await
            }
            other => other,
        }
    }

    async fn exchange(&mut self, request: &[u8]) -> Result<RawResponse, RawError> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| RawError::Io(e.to_string()))?;
            stream.set_nodelay(true).ok();
            self.stream = Some(BufReader::new(stream));
        }
        let result = self.exchange_on_stream(request).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange_on_stream(&mut self, request: &[u8]) -> Result<RawResponse, RawError> {
        let stream = self.stream.as_mut().expect("connected");
        if stream.get_mut().write_all(request).await.is_err() {
            return Err(RawError::Closed);
        }
        let mut line = String::new();
        let read = stream
            .read_line(&mut line)
            .await
            .map_err(|e| RawError::Io(e.to_string()))?;
        if read == 0 {
            return Err(RawError::Closed);
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| RawError::Io(format!("bad status line {line:?}")))?;
        let (mut length, mut content_type, mut close) = (None, String::new(), false);
        let mut cookies = Vec::new();
        loop {
            let mut header = String::new();
            let read = stream
                .read_line(&mut header)
                .await
                .map_err(|e| RawError::Io(e.to_string()))?;
            if read == 0 {
                return Err(RawError::Io("headers cut short".into()));
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse::<usize>().ok(),
                    "content-type" => content_type = value.to_owned(),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    "set-cookie" => cookies.push(value.to_owned()),
                    "transfer-encoding" => {
                        return Err(RawError::Io(format!(
                            "unexpected transfer-encoding {value}"
                        )));
                    }
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length.unwrap_or(0)];
        stream
            .read_exact(&mut body)
            .await
            .map_err(|e| RawError::Io(e.to_string()))?;
        if close || length.is_none() {
            self.stream = None;
        }
        Ok(RawResponse {
            status,
            content_type,
            body,
            cookies,
        })
    }
}

/// The response key of a command: `<lower-cased name>response`, with the
/// exceptions CloudStack has.
pub fn response_key(command: &str) -> String {
    const EXCEPTIONS: &[(&str, &str)] = &[
        ("addIpToNic", "addiptovmnicresponse"),
        (
            "enableStorageMaintenance",
            "prepareprimarystorageformaintenanceresponse",
        ),
        (
            "cancelStorageMaintenance",
            "cancelprimarystoragemaintenanceresponse",
        ),
        ("activateProject", "activaterojectresponse"),
        (
            "resetSSHKeyForVirtualMachine",
            "resetSSHKeyforvirtualmachineresponse",
        ),
    ];
    EXCEPTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(command))
        .map_or_else(
            || format!("{}response", command.to_ascii_lowercase()),
            |(_, key)| (*key).to_owned(),
        )
}

/// Texts that mean the server broke, whatever the status says.
const BROKEN: &[&str] = &[
    "database is locked",
    "Internal error executing command",
    "panicked",
];

/// Checks that an answer is CloudStack-shaped: JSON, one top-level key,
/// for errors `errorcode` equal to the HTTP status, `cserrorcode` (except on
/// 401, and on 400/404 answers to requests that are not API calls),
/// `errortext`; never a 500, never a text that says the server broke.
/// `command` is the command sent (the error may also be under
/// `errorresponse`); `None` accepts any `...response` key. Returns the
/// inner object.
pub fn check_shape(response: &RawResponse, command: Option<&str>) -> Result<Value, String> {
    let text = String::from_utf8_lossy(&response.body);
    let fail = |why: &str| Err(format!("{why}: HTTP {} {text}", response.status));
    if response.status == 500 {
        return fail("HTTP 500");
    }
    if !response.content_type.starts_with("application/json") {
        return fail(&format!("content type {:?}", response.content_type));
    }
    let Ok(Value::Object(outer)) = serde_json::from_slice::<Value>(&response.body) else {
        return fail("not a JSON object");
    };
    if outer.len() != 1 {
        return fail("not exactly one top-level key");
    }
    let (key, inner) = outer.into_iter().next().expect("one key");
    if !key.to_ascii_lowercase().ends_with("response") {
        return fail("the top-level key does not end in `response`");
    }
    if response.status == 200 {
        if let Some(command) = command.filter(|c| !c.is_empty()) {
            if key != response_key(command) {
                return fail(&format!("key {key} for {command}"));
            }
        }
        return Ok(inner);
    }
    if key != "errorresponse" && command.is_some_and(|c| key != response_key(c)) {
        return fail(&format!("error under key {key} for {command:?}"));
    }
    if inner["errorcode"].as_u64() != Some(u64::from(response.status)) {
        return fail("errorcode differs from the HTTP status");
    }
    let errortext = inner["errortext"].as_str().unwrap_or_default();
    if errortext.is_empty() {
        return fail("no errortext");
    }
    let cs_optional = matches!(response.status, 401 | 400 | 404);
    if !cs_optional && inner["cserrorcode"].as_u64().is_none() {
        return fail("no cserrorcode");
    }
    if response.status == 401 && inner.get("cserrorcode").is_some() {
        return fail("a 401 with a cserrorcode");
    }
    if let Some(broken) = BROKEN.iter().find(|b| errortext.contains(*b)) {
        return fail(&format!("the server broke ({broken})"));
    }
    Ok(inner)
}

/// A fresh temporary directory for one test, removed when dropped (also
/// when the test fails) unless `MARVIN_TORTURE_KEEP` is set.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("MARVIN_TORTURE_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh temporary directory for one test.
pub fn temp_dir(what: &str) -> TempDir {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("marvin-{what}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    TempDir(dir)
}

/// A standalone `marvin simulator` (the built binary) in a child process,
/// killed when dropped.
#[derive(Debug)]
pub struct ChildSimulator {
    child: Child,
    /// The API endpoint.
    pub url: String,
    /// The admin's API key.
    pub api_key: String,
    /// The admin's secret key.
    pub secret_key: String,
    /// The Marvin config file it wrote.
    pub config: PathBuf,
}

impl Drop for ChildSimulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChildSimulator {
    /// Starts `marvin simulator --port 0` (on `db` when given), with its
    /// config and log in `dir` (`run` names them); waits for its config.
    pub fn start(dir: &Path, db: Option<&Path>, run: usize) -> ChildSimulator {
        let config = dir.join(format!("config-{run}.json"));
        let log_path = dir.join(format!("simulator-{run}.log"));
        let log = std::fs::File::create(&log_path).expect("a log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_marvin"));
        command
            .arg("simulator")
            .args(["--port", "0", "--job-delay-ms", "0"])
            .arg("--write-config")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(db) = db {
            command.arg("--db").arg(db);
        }
        let child = command.spawn().expect("marvin simulator starts");
        let mut server = ChildSimulator {
            child,
            url: String::new(),
            api_key: String::new(),
            secret_key: String::new(),
            config: config.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("marvin simulator exited with {status}: {log}");
            }
            let parsed = std::fs::read_to_string(&config)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok());
            if let Some(config) = parsed {
                let entry = &config["mgtSvr"][0];
                server.url = format!(
                    "http://{}:{}/client/api",
                    entry["mgtSvrIp"].as_str().expect("a host"),
                    entry["port"].as_u64().expect("a port")
                );
                server.api_key = entry["apiKey"].as_str().expect("a key").to_owned();
                server.secret_key = entry["securityKey"].as_str().expect("a secret").to_owned();
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "marvin simulator did not write its config"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// An admin client that gives up at once when the server is gone.
    pub fn writer_client(&self) -> Client {
        Client::builder(&self.url)
            .keys(&self.api_key, &self.secret_key)
            .retries(0)
            .request_timeout(Duration::from_secs(10))
            .job_timeout(Duration::from_secs(30))
            .build()
            .expect("a client")
    }

    /// An admin client with the usual retries.
    pub fn client(&self) -> Client {
        client(&self.url, &self.api_key, &self.secret_key)
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}
