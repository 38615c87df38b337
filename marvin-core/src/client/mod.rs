//! [`Client`]: calls to a CloudStack management server.
//!
//! One client talks to one endpoint with one identity: API keys (every
//! request signed), a login session (cookie plus `sessionkey`), or the
//! unauthenticated integration port. It is cheap to clone and safe to share
//! between tasks.
//!
//! Every call sends `response=json`, uses GET unless the call carries a
//! secret or bulky value (then a POST form, with nothing in the query), and
//! is decoded by [`crate::envelope`]. Every command is sent by one
//! builder, [`Client::call`] ([`ApiCall`]): whether it waits for a job
//! comes from the precache's [`Api`], per-call options hang off the
//! builder. Jobs are waited for by [`Client::wait_for_job`], listings are
//! paged by [`Client::list_stream`].

mod call;
pub mod cassette;
mod cookies;
mod jobs;
mod list;
mod options;
mod wire;

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument as _;

pub use call::{Api, ApiCall, ApiKind, CallOptions, Catalog};
pub use list::ListStream;
pub use options::{RequestOptions, WaitOptions};

use crate::config::{ClientSettings, Config, MAX_PAGE_SIZE, MgtServer};
use crate::envelope;
use crate::error::{Error, Result};
use crate::observer::{CallObserver, CallOutcome, CallRecord};
use crate::params::Params;
use crate::redact;
use crate::signing::Signer;

use cookies::CookieJar;
use wire::{Credentials, Prepared};

/// CloudStack's unauthenticated integration port (`integration.api.port`):
/// a config naming it without keys is served there without credentials.
pub const INTEGRATION_PORT: u16 = 8096;

/// Above this many bytes of encoded parameters a call is sent as POST.
pub const MAX_GET_BYTES: usize = 2000;

/// How a client authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMode {
    /// API key and secret key: every request is signed.
    Keys,
    /// A login session: `JSESSIONID` cookie plus the `sessionkey` parameter.
    Session,
    /// The unauthenticated integration port: no keys, no signature.
    Integration,
}

#[derive(Clone)]
enum Auth {
    Keys {
        api_key: String,
        secret_key: String,
    },
    Session {
        username: String,
        password: String,
        domain: String,
    },
    Integration,
}

impl Auth {
    fn mode(&self) -> AuthMode {
        match self {
            Self::Keys { .. } => AuthMode::Keys,
            Self::Session { .. } => AuthMode::Session,
            Self::Integration => AuthMode::Integration,
        }
    }
}

#[derive(Clone, Default)]
struct Tls {
    roots: Vec<reqwest::Certificate>,
    identity: Option<reqwest::Identity>,
    accept_invalid: bool,
}

#[derive(Clone)]
struct SessionState {
    key: String,
    generation: u64,
}

struct Shared {
    http: reqwest::Client,
    endpoint: String,
    /// `endpoint`, parsed once; each GET sets its query on a copy.
    endpoint_url: reqwest::Url,
    auth: Auth,
    /// The secret key made ready for signing (key clients).
    signer: Option<Signer>,
    settings: ClientSettings,
    tls: Tls,
    session: Mutex<Option<SessionState>>,
    /// The session's cookies (session clients), kept here rather than in
    /// reqwest's cookie store, which logs their values.
    cookies: Mutex<CookieJar>,
    generations: AtomicU64,
    login_lock: tokio::sync::Mutex<()>,
    /// Held while a user's keys are fetched or registered
    /// ([`Client::for_user`]): two callers that both found none would each
    /// register keys, and the second set invalidates the first.
    user_keys_lock: tokio::sync::Mutex<()>,
}

/// How the client turns a body into an answer (see [`envelope`]).
type Decoder<T> = fn(&str, u16, &[u8], &[&str]) -> Result<T>;

fn decode_value(command: &str, status: u16, body: &[u8], secrets: &[&str]) -> Result<Value> {
    envelope::decode_body(command, status, body, secrets)
}

fn decode_typed<T: DeserializeOwned>(
    command: &str,
    status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<T> {
    envelope::decode_body_as(command, status, body, secrets)
}

/// A CloudStack API client. Clones share the connection pool and session.
///
/// ```no_run
/// use marvin_core::client::Catalog;
/// use marvin_core::{Client, Params, Result};
/// // The generated typed layer holds the precache's (`marvin_entities::CATALOG`).
/// static APIS: Catalog = Catalog::new(&[("startVirtualMachine", true)]);
/// # async fn demo() -> Result<()> {
/// let admin = Client::builder("http://localhost:8080/client/api")
///     .keys("API-KEY", "SECRET-KEY")
///     .build()?;
/// let zones = admin.list_all("listZones", Params::new()).await?;
/// let vm = admin
///     .call(APIS.api("startVirtualMachine"))
///     .param("id", "6f0...")
///     .await?;
/// println!("{} zones, vm is {}", zones.len(), vm["virtualmachine"]["state"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    observer: Option<Arc<dyn CallObserver>>,
    /// Record and replay (see [`cassette`]).
    cassette: Option<Arc<cassette::Cassette>>,
}

/// Builds a [`Client`]; see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    url: String,
    auth: Option<Auth>,
    settings: ClientSettings,
    tls: Tls,
    error: Option<Error>,
    observer: Option<Arc<dyn CallObserver>>,
}

impl ClientBuilder {
    /// Signs every request with these keys.
    pub fn keys(mut self, api_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.auth = Some(Auth::Keys {
            api_key: api_key.into(),
            secret_key: secret_key.into(),
        });
        self
    }

    /// Logs in with a user name and password; `domain` is the domain path
    /// (`/` for ROOT, also used when empty). The login happens on the first
    /// call, or explicitly with [`Client::login`].
    pub fn credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
        domain: impl Into<String>,
    ) -> Self {
        let mut domain = domain.into();
        if domain.is_empty() {
            domain.push('/');
        }
        self.auth = Some(Auth::Session {
            username: username.into(),
            password: password.into(),
            domain,
        });
        self
    }

    /// Talks to the unauthenticated integration port (historically 8096):
    /// no keys, no signature.
    pub fn integration(mut self) -> Self {
        self.auth = Some(Auth::Integration);
        self
    }

    /// Replaces all client settings.
    pub fn settings(mut self, settings: ClientSettings) -> Self {
        self.settings = settings;
        self
    }

    /// How long async jobs may run.
    pub fn job_timeout(mut self, timeout: Duration) -> Self {
        self.settings.job_timeout = timeout;
        self
    }

    /// The longest delay between two job polls.
    pub fn poll_max(mut self, delay: Duration) -> Self {
        self.settings.poll_max = delay;
        self
    }

    /// Timeout of one HTTP request.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = timeout;
        self
    }

    /// Retries of idempotent calls after transport errors.
    pub fn retries(mut self, retries: u32) -> Self {
        self.settings.retries = retries;
        self
    }

    /// The first retry delay (it doubles, with jitter).
    pub fn retry_base(mut self, delay: Duration) -> Self {
        self.settings.retry_base = delay;
        self
    }

    /// Page size of listings (clamped to 1..=500).
    pub fn page_size(mut self, size: u32) -> Self {
        self.settings.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Signs with `signatureVersion=3` and `expires` (on by default).
    pub fn signature_v3(mut self, on: bool) -> Self {
        self.settings.signature_v3 = on;
        self
    }

    /// Trusts an extra root certificate (PEM, one or more).
    pub fn ca_cert_pem(mut self, pem: &[u8]) -> Self {
        match reqwest::Certificate::from_pem_bundle(pem) {
            Ok(certs) if !certs.is_empty() => self.tls.roots.extend(certs),
            Ok(_) => self.fail(Error::setup("no certificate in the CA PEM")),
            Err(e) => self.fail(Error::setup_with("invalid CA certificate", e.without_url())),
        }
        self
    }

    /// Trusts the root certificate(s) of a PEM file (`certCAPath`).
    pub fn ca_cert_path(self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read(path) {
            Ok(pem) => self.ca_cert_pem(&pem),
            Err(e) => self.failed(Error::setup_with(
                format!("cannot read the CA certificate {}", path.display()),
                e,
            )),
        }
    }

    /// Presents a client certificate: a PEM file with the certificate and
    /// its private key (`certPath`).
    pub fn client_cert_path(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read(path) {
            Ok(pem) => match reqwest::Identity::from_pem(&pem) {
                Ok(identity) => self.tls.identity = Some(identity),
                Err(e) => self.fail(Error::setup_with(
                    format!("invalid client certificate {}", path.display()),
                    e.without_url(),
                )),
            },
            Err(e) => self.fail(Error::setup_with(
                format!("cannot read the client certificate {}", path.display()),
                e,
            )),
        }
        self
    }

    /// Accepts any server certificate. Only for throw-away test clouds.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls.accept_invalid = accept;
        self
    }

    /// Reports every call to this observer.
    pub fn observer(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    fn failed(mut self, error: Error) -> Self {
        self.fail(error);
        self
    }

    /// Builds the client. Fails on a bad URL, unreadable certificates or
    /// when no authentication was chosen.
    pub fn build(self) -> Result<Client> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let auth = self.auth.ok_or_else(|| {
            Error::setup("no authentication: call keys(), credentials() or integration()")
        })?;
        let endpoint = normalize_endpoint(&self.url)?;
        let mut settings = self.settings;
        settings.page_size = settings.page_size.clamp(1, MAX_PAGE_SIZE);
        let mut tls = self.tls;
        tls.accept_invalid |= settings.danger_accept_invalid_certs;
        let http = build_http(&tls, &settings)?;
        Ok(Client {
            shared: Arc::new(Shared::new(http, endpoint, auth, settings, tls)?),
            observer: self.observer,
            cassette: None,
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &redact::redact_url(&self.url))
            .field("auth", &self.auth.as_ref().map(Auth::mode))
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn new(
        http: reqwest::Client,
        endpoint: String,
        auth: Auth,
        settings: ClientSettings,
        tls: Tls,
    ) -> Result<Self> {
        let endpoint_url = reqwest::Url::parse(&endpoint).map_err(|e| {
            Error::setup_with(format!("invalid URL {}", redact::redact_url(&endpoint)), e)
        })?;
        let signer = match &auth {
            Auth::Keys { secret_key, .. } => Some(Signer::new(secret_key)),
            _ => None,
        };
        Ok(Self {
            http,
            endpoint,
            endpoint_url,
            auth,
            signer,
            settings,
            tls,
            session: Mutex::new(None),
            cookies: Mutex::new(CookieJar::default()),
            generations: AtomicU64::new(0),
            login_lock: tokio::sync::Mutex::new(()),
            user_keys_lock: tokio::sync::Mutex::new(()),
        })
    }
}

fn normalize_endpoint(url: &str) -> Result<String> {
    let mut parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| Error::setup_with(format!("invalid URL {}", redact::redact_url(url)), e))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::setup(format!(
            "unsupported URL scheme {}",
            parsed.scheme()
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::setup("credentials do not belong in the URL"));
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    if parsed.path().is_empty() || parsed.path() == "/" {
        parsed.set_path("/client/api");
    }
    Ok(parsed.to_string())
}

fn build_http(tls: &Tls, settings: &ClientSettings) -> Result<reqwest::Client> {
    // No cookie store: session cookies are kept in `Shared::cookies`.
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!("marvin-rs/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(settings.request_timeout.min(Duration::from_secs(30)))
        // The API answers, it never redirects; following redirects would
        // also re-send signed URLs elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(tls.accept_invalid);
    for root in &tls.roots {
        builder = builder.add_root_certificate(root.clone());
    }
    if let Some(identity) = &tls.identity {
        builder = builder.identity(identity.clone());
    }
    builder
        .build()
        .map_err(|e| Error::setup_with("cannot build the HTTP client", e.without_url()))
}

/// What a call did, filled in while it runs (for spans and observers).
#[derive(Default)]
struct Trace {
    method: OnceLock<&'static str>,
    job_id: OnceLock<String>,
    /// The last answer's body and the secrets to scrub from it, kept (for
    /// an observer) to report the body of a failed call.
    last_answer: Mutex<Option<(Vec<u8>, Vec<String>)>>,
}

impl Trace {
    /// Keeps a failed answer's body (and the secrets to scrub from it).
    fn keep_answer<S: AsRef<str>>(&self, body: Vec<u8>, secrets: &[S]) {
        let secrets = secrets.iter().map(|s| s.as_ref().to_string()).collect();
        *self.last_answer.lock().expect("trace lock") = Some((body, secrets));
    }

    /// The last failed answer, redacted and cut for a [`CallRecord`].
    fn redacted_answer(&self) -> Option<String> {
        let last = self.last_answer.lock().expect("trace lock");
        let (body, secrets) = last.as_ref()?;
        let text = String::from_utf8_lossy(body);
        let redacted = match serde_json::from_str::<Value>(&text) {
            Ok(value) => redact::redact_json(&value).to_string(),
            Err(_) => redact::redact_text(&text),
        };
        let scrubbed = redact::scrub_values(&redacted, secrets);
        Some(redact::truncate(
            scrubbed.trim(),
            crate::observer::RESPONSE_CHARS,
        ))
    }
}

impl Client {
    /// Starts building a client for an endpoint: `http(s)://HOST:PORT/client/api`
    /// (a bare `http(s)://HOST:PORT` gets `/client/api`).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            url: url.into(),
            auth: None,
            settings: ClientSettings::default(),
            tls: Tls::default(),
            error: None,
            observer: None,
        }
    }

    /// A client for one `mgtSvr` entry: keys when it has them; else, on
    /// [`INTEGRATION_PORT`], unsigned calls to the integration listener (as
    /// Python Marvin does with `"user": "root"` and port 8096); else a
    /// login session with `user`/`passwd` in the ROOT domain; `certCAPath`
    /// and `certPath` are applied.
    pub fn from_server(server: &MgtServer, settings: &ClientSettings) -> Result<Client> {
        let mut builder = Client::builder(server.url()).settings(settings.clone());
        builder = match (
            &server.api_key,
            &server.security_key,
            &server.user,
            &server.passwd,
        ) {
            (Some(key), Some(secret), _, _) => builder.keys(key, secret),
            _ if server.port == INTEGRATION_PORT => builder.integration(),
            (_, _, Some(user), Some(passwd)) => builder.credentials(user, passwd, "/"),
            _ => {
                return Err(Error::setup(
                    "the server entry has neither keys nor user and passwd",
                ));
            }
        };
        if let Some(path) = &server.cert_ca_path {
            builder = builder.ca_cert_path(path);
        }
        if let Some(path) = &server.cert_path {
            builder = builder.client_cert_path(path);
        }
        builder.build()
    }

    /// A client for the first management server of a config, with its
    /// `marvin` settings.
    pub fn from_config(config: &Config) -> Result<Client> {
        Self::from_server(config.server(), &config.marvin)
    }

    /// The same client (sharing connections and session), reporting every
    /// call to `observer` (replacing any previous one).
    pub fn with_observer(&self, observer: Arc<dyn CallObserver>) -> Client {
        Client {
            shared: Arc::clone(&self.shared),
            observer: Some(observer),
            cassette: self.cassette.clone(),
        }
    }

    /// The same client without an observer.
    pub fn without_observer(&self) -> Client {
        Client {
            shared: Arc::clone(&self.shared),
            observer: None,
            cassette: self.cassette.clone(),
        }
    }

    /// The API endpoint (no query).
    pub fn endpoint(&self) -> &str {
        &self.shared.endpoint
    }

    /// How this client authenticates.
    pub fn auth_mode(&self) -> AuthMode {
        self.shared.auth.mode()
    }

    /// The API key of a key-signed client (not secret; the secret key is
    /// never exposed).
    pub fn api_key(&self) -> Option<&str> {
        match &self.shared.auth {
            Auth::Keys { api_key, .. } => Some(api_key),
            _ => None,
        }
    }

    /// The user name of a session client.
    pub fn username(&self) -> Option<&str> {
        match &self.shared.auth {
            Auth::Session { username, .. } => Some(username),
            _ => None,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &ClientSettings {
        &self.shared.settings
    }

    /// True when a session client is currently logged in.
    pub fn has_session(&self) -> bool {
        self.current_session().is_some()
    }

    /// Waits for an async job and returns its `jobresult`; the one waiter
    /// every async call uses.
    ///
    /// Polls `queryAsyncJobResult` once at once, then after the first poll
    /// delay, then ever less often (times the poll factor, at most a tenth
    /// of the time waited so far) up to the poll cap. A failed
    /// job is [`Error::JobFailed`], a cancelled one [`Error::JobCancelled`],
    /// and a job still pending at the timeout [`Error::JobTimeout`].
    pub async fn wait_for_job(&self, job_id: &str, options: &WaitOptions) -> Result<Value> {
        let trace = Trace::default();
        let _ = trace.job_id.set(job_id.to_owned());
        let _ = trace.method.set("GET");
        let params = Params::from([("jobid", job_id)]);
        let sent = Params::new();
        let wait = self.wait_job(None, job_id, options, &sent, &trace);
        self.observed("queryAsyncJobResult", &params, &trace, wait)
            .await
    }

    /// Logs in (session clients only): POSTs `login` with the user name,
    /// password and domain, keeps the `JSESSIONID` cookie and the session
    /// key. Returns the login answer without its `sessionkey`.
    pub async fn login(&self) -> Result<Value> {
        let params = Params::new();
        let trace = Trace::default();
        let run = async {
            let _ = trace.method.set("POST");
            let _guard = self.shared.login_lock.lock().await;
            self.login_locked().await
        };
        self.observed("login", &params, &trace, run).await
    }

    /// Ends the session (session clients; a no-op for others or when not
    /// logged in).
    pub async fn logout(&self) -> Result<()> {
        let Some(session) = self.current_session() else {
            return Ok(());
        };
        let trace = Trace::default();
        let params = Params::new();
        let run = async {
            let options = RequestOptions::default().with_retries(0);
            let result = self
                .call_retrying("logout", &params, &options, Some(&session.key), &trace)
                .await;
            let _guard = self.shared.login_lock.lock().await;
            let mut slot = self.shared.session.lock().expect("session lock");
            if slot
                .as_ref()
                .is_some_and(|s| s.generation == session.generation)
            {
                *slot = None;
            }
            drop(slot);
            match result {
                Err(e) if e.code() != Some(crate::ErrorCode::Unauthorized) => Err(e),
                _ => Ok(()),
            }
        };
        self.observed("logout", &params, &trace, run).await
    }

    /// A key-signed client on the same endpoint acting as the user `user_id`:
    /// its keys come from `getUserKeys`, or from `registerUserKeys` when the
    /// user has none yet. The new client keeps this one's settings, TLS
    /// setup and observer.
    pub async fn for_user(&self, user_id: &str) -> Result<Client> {
        let id = Params::from([("id", user_id)]);
        let keys_guard = self.shared.user_keys_lock.lock().await;
        let answer = self
            .call(Api::described("getUserKeys", false))
            .params(id.clone())
            .await?;
        let (api_key, secret_key) = match user_keys(&answer) {
            Some(keys) => keys,
            None => {
                let answer = self
                    .call(Api::described("registerUserKeys", false))
                    .params(id)
                    .await?;
                user_keys(&answer).ok_or_else(|| Error::Decode {
                    command: "registerUserKeys".to_owned(),
                    reason: "no apikey and secretkey in the answer".to_owned(),
                    snippet: envelope::snippet::<&str>(answer.to_string().as_bytes(), &[]),
                    source: None,
                })?
            }
        };
        drop(keys_guard);
        self.with_keys(api_key, secret_key)
    }

    /// The same client signing with other API keys: same endpoint,
    /// connections, settings, TLS set-up, observer and cassette (so a test's
    /// calls with keys it was given are traced and recorded like its
    /// others).
    ///
    /// ```no_run
    /// # async fn demo(admin: marvin_core::Client) -> marvin_core::Result<()> {
    /// let user = admin.with_keys("api-key", "secret-key")?;
    /// let zones = user.list_all("listZones", marvin_core::Params::new()).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_keys(
        &self,
        api_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Client> {
        let (api_key, secret_key) = (api_key.into(), secret_key.into());
        let shared = &self.shared;
        // The connections are shared; this session's cookies are not (they
        // live in this client's jar, and key clients send none).
        Ok(Client {
            shared: Arc::new(Shared::new(
                shared.http.clone(),
                shared.endpoint.clone(),
                Auth::Keys {
                    api_key,
                    secret_key,
                },
                shared.settings.clone(),
                shared.tls.clone(),
            )?),
            observer: self.observer.clone(),
            cassette: self.cassette.clone(),
        })
    }

    // ----- internals -------------------------------------------------------

    async fn observed<T, F>(
        &self,
        command: &str,
        params: &Params,
        trace: &Trace,
        run: F,
    ) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let span = tracing::debug_span!(
            "cloudstack.call",
            command = %command,
            method = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            job_id = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        if let Some(observer) = &self.observer {
            observer.on_start(command);
        }
        let started_at = std::time::SystemTime::now();
        let start = Instant::now();
        let result = run.instrument(span.clone()).await;
        let duration = start.elapsed();
        let method = trace.method.get().copied().unwrap_or("GET");
        let job_id = trace.job_id.get().cloned();
        span.record("method", method);
        span.record(
            "duration_ms",
            u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        );
        if let Some(job_id) = &job_id {
            span.record("job_id", job_id.as_str());
        }
        let outcome = match &result {
            Ok(_) => CallOutcome::Ok,
            Err(e) => CallOutcome::Failed {
                code: e.code(),
                message: e.to_string(),
            },
        };
        match &outcome {
            CallOutcome::Ok => {
                span.record("outcome", "ok");
            }
            CallOutcome::Failed { message, .. } => {
                span.record("outcome", message.as_str());
            }
        }
        span.in_scope(|| tracing::debug!(ok = outcome.is_ok(), "call finished"));
        if let Some(observer) = &self.observer {
            let response = match &outcome {
                CallOutcome::Ok => None,
                CallOutcome::Failed { .. } => trace.redacted_answer(),
            };
            observer.on_call(&CallRecord {
                command: command.to_owned(),
                method,
                params: params.redacted(),
                started_at,
                duration,
                job_id,
                outcome,
                response,
                expected_failure: false,
            });
        }
        result
    }

    /// One logical call: session handling, then retries; the answer as a
    /// [`Value`].
    async fn call_value(
        &self,
        command: &str,
        params: &Params,
        options: &RequestOptions,
        trace: &Trace,
    ) -> Result<Value> {
        self.call_decoded(command, params, options, trace, decode_value)
            .await
    }

    /// One logical call: session handling, then retries; the answer made
    /// by `decode`.
    async fn call_decoded<T>(
        &self,
        command: &str,
        params: &Params,
        options: &RequestOptions,
        trace: &Trace,
        decode: Decoder<T>,
    ) -> Result<T> {
        if !matches!(self.shared.auth, Auth::Session { .. }) || is_session_command(command) {
            return self
                .call_retrying_decoded(command, params, options, None, trace, decode)
                .await;
        }
        let session = self.ensure_session().await?;
        match self
            .call_retrying_decoded(command, params, options, Some(&session.key), trace, decode)
            .await
        {
            Err(e) if e.code() == Some(crate::ErrorCode::Unauthorized) => {
                tracing::debug!(command, "session rejected, logging in again");
                let session = self.relogin(session.generation).await?;
                self.call_retrying_decoded(
                    command,
                    params,
                    options,
                    Some(&session.key),
                    trace,
                    decode,
                )
                .await
            }
            other => other,
        }
    }

    async fn call_retrying(
        &self,
        command: &str,
        params: &Params,
        options: &RequestOptions,
        session_key: Option<&str>,
        trace: &Trace,
    ) -> Result<Value> {
        self.call_retrying_decoded(command, params, options, session_key, trace, decode_value)
            .await
    }

    async fn call_retrying_decoded<T>(
        &self,
        command: &str,
        params: &Params,
        options: &RequestOptions,
        session_key: Option<&str>,
        trace: &Trace,
        decode: Decoder<T>,
    ) -> Result<T> {
        let retries = if is_idempotent(command) {
            options.retries().unwrap_or(self.shared.settings.retries)
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            match self
                .send_once(command, params, options, session_key, trace, decode)
                .await
            {
                Err(e) if e.is_transport() && attempt < retries => {
                    let delay = self.backoff(attempt);
                    tracing::debug!(command, attempt, ?delay, error = %e, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.shared.settings.retry_base.as_secs_f64();
        let exp = base * 2f64.powi(i32::try_from(attempt.min(16)).unwrap_or(16));
        let jittered = exp * rand::rng().random_range(0.5..1.0);
        Duration::from_secs_f64(jittered.min(10.0))
    }

    async fn send_once<T>(
        &self,
        command: &str,
        params: &Params,
        options: &RequestOptions,
        session_key: Option<&str>,
        trace: &Trace,
        decode: Decoder<T>,
    ) -> Result<T> {
        let shared = &self.shared;
        let Prepared {
            method,
            mut encoded,
            signature,
        } = self.prepare(command, params, options.is_post(), session_key);
        let _ = trace.method.set(method);
        let secrets = self.secrets(params, session_key, signature.as_deref());
        let timeout = options.timeout().unwrap_or(shared.settings.request_timeout);
        let mut request = if method == "POST" {
            shared
                .http
                .post(shared.endpoint_url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=UTF-8",
                )
                .body(if self.cassette.is_some() {
                    encoded.clone()
                } else {
                    std::mem::take(&mut encoded)
                })
        } else {
            let mut url = shared.endpoint_url.clone();
            url.set_query(Some(&encoded));
            shared.http.get(url)
        };
        let session = matches!(shared.auth, Auth::Session { .. });
        if session {
            let cookie = shared.cookies.lock().expect("cookie jar lock").header();
            if let Some(cookie) = cookie {
                request = request.header(reqwest::header::COOKIE, cookie);
            }
        }
        let transport = |e| Error::transport(command, &shared.endpoint, e);
        let live = async {
            let response = request.timeout(timeout).send().await.map_err(transport)?;
            let status = response.status().as_u16();
            if session {
                self.keep_cookies(response.headers());
            }
            let body = response.bytes().await.map_err(transport)?;
            Ok((status, Vec::from(body)))
        };
        let (status, body) = match &self.cassette {
            Some(cassette) => {
                let credentials = match &shared.auth {
                    Auth::Keys {
                        api_key,
                        secret_key,
                    } => cassette::scrub::Credentials {
                        apikey: Some(api_key),
                        secretkey: Some(secret_key),
                        sessionkey: None,
                    },
                    Auth::Session { .. } | Auth::Integration => cassette::scrub::Credentials {
                        sessionkey: session_key,
                        ..Default::default()
                    },
                };
                cassette
                    .exchange(self, method, &encoded, credentials, &secrets, live)
                    .await?
            }
            None => live.await?,
        };
        let decoded = decode(command, status, &body, &secrets);
        if decoded.is_err() && self.observer.is_some() {
            trace.keep_answer(body, &secrets);
        }
        decoded
    }

    /// Stores the `Set-Cookie`s of an answer in the session's jar.
    fn keep_cookies(&self, headers: &reqwest::header::HeaderMap) {
        let mut set_cookies = headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .peekable();
        if set_cookies.peek().is_none() {
            return;
        }
        let url = &self.shared.endpoint_url;
        let https = url.scheme() == "https";
        let mut jar = self.shared.cookies.lock().expect("cookie jar lock");
        for set_cookie in set_cookies {
            jar.store(set_cookie, https, url.path());
        }
    }

    /// The values a call sends that must not show up in its errors.
    fn secrets<'a>(
        &'a self,
        params: &'a Params,
        session_key: Option<&'a str>,
        signature: Option<&'a str>,
    ) -> Vec<&'a str> {
        let mut secrets: Vec<&str> = params
            .iter()
            .filter(|(name, _)| redact::is_secret_name(name))
            .map(|(_, value)| value)
            .collect();
        match &self.shared.auth {
            Auth::Keys { secret_key, .. } => secrets.push(secret_key),
            Auth::Session { password, .. } => secrets.push(password),
            Auth::Integration => {}
        }
        secrets.extend(session_key);
        secrets.extend(signature);
        secrets
    }

    /// Builds the final parameter list (caller's, then `command`, `response`
    /// and the authentication), encodes it and picks the method.
    fn prepare(
        &self,
        command: &str,
        params: &Params,
        force_post: bool,
        session_key: Option<&str>,
    ) -> Prepared {
        let shared = &self.shared;
        let credentials = match (&shared.auth, &shared.signer) {
            (Auth::Keys { api_key, .. }, Some(signer)) => Credentials::Keys {
                api_key,
                signer,
                expires_after: shared
                    .settings
                    .signature_v3
                    .then_some(shared.settings.expires_after),
            },
            (Auth::Session { .. }, _) => Credentials::Session { key: session_key },
            _ => Credentials::None,
        };
        wire::prepare(command, params, &credentials, force_post)
    }

    fn current_session(&self) -> Option<SessionState> {
        self.shared.session.lock().expect("session lock").clone()
    }

    async fn ensure_session(&self) -> Result<SessionState> {
        if let Some(session) = self.current_session() {
            return Ok(session);
        }
        let _guard = self.shared.login_lock.lock().await;
        if let Some(session) = self.current_session() {
            return Ok(session);
        }
        self.login_locked().await?;
        self.current_session()
            .ok_or_else(|| Error::setup("the login did not leave a session"))
    }

    async fn relogin(&self, failed_generation: u64) -> Result<SessionState> {
        let _guard = self.shared.login_lock.lock().await;
        if let Some(session) = self.current_session() {
            if session.generation != failed_generation {
                return Ok(session);
            }
        }
        self.login_locked().await?;
        self.current_session()
            .ok_or_else(|| Error::setup("the login did not leave a session"))
    }

    /// Logs in; the caller holds `login_lock`.
    async fn login_locked(&self) -> Result<Value> {
        let Auth::Session {
            username,
            password,
            domain,
        } = &self.shared.auth
        else {
            return Err(Error::setup(
                "login needs a client built with credentials()",
            ));
        };
        let params = Params::from([
            ("username", username.as_str()),
            ("password", password.as_str()),
            ("domain", domain.as_str()),
        ]);
        let options = RequestOptions::post().with_retries(0);
        let mut answer = self
            .call_retrying("login", &params, &options, None, &Trace::default())
            .await?;
        let key = answer
            .as_object_mut()
            .and_then(|map| map.remove("sessionkey"))
            .and_then(|key| key.as_str().map(str::to_owned))
            .ok_or_else(|| Error::Decode {
                command: "login".to_owned(),
                reason: "no sessionkey in the login answer".to_owned(),
                snippet: envelope::snippet::<&str>(answer.to_string().as_bytes(), &[]),
                source: None,
            })?;
        let generation = self.shared.generations.fetch_add(1, Ordering::Relaxed) + 1;
        *self.shared.session.lock().expect("session lock") = Some(SessionState { key, generation });
        Ok(answer)
    }
}

fn is_idempotent(command: &str) -> bool {
    ["list", "query", "get"].iter().any(|prefix| {
        command
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    })
}

fn is_session_command(command: &str) -> bool {
    command.eq_ignore_ascii_case("login") || command.eq_ignore_ascii_case("logout")
}

fn user_keys(answer: &Value) -> Option<(String, String)> {
    let keys = answer.get("userkeys").unwrap_or(answer);
    let api_key = keys.get("apikey")?.as_str().filter(|k| !k.is_empty())?;
    let secret_key = keys.get("secretkey")?.as_str().filter(|k| !k.is_empty())?;
    Some((api_key.to_owned(), secret_key.to_owned()))
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.shared.endpoint)
            .field("auth", &self.shared.auth.mode())
            .field("username", &self.username())
            .field("logged_in", &self.has_session())
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_get_the_api_path_and_lose_queries() {
        assert_eq!(
            normalize_endpoint("http://h:8080").unwrap(),
            "http://h:8080/client/api"
        );
        assert_eq!(
            normalize_endpoint("https://h/client/api?x=1#f").unwrap(),
            "https://h/client/api"
        );
        assert!(normalize_endpoint("ftp://h").is_err());
        assert!(normalize_endpoint("http://u:p@h").is_err());
    }

    #[test]
    fn idempotent_commands_are_reads() {
        assert!(is_idempotent("listZones"));
        assert!(is_idempotent("queryAsyncJobResult"));
        assert!(is_idempotent("getUserKeys"));
        assert!(is_idempotent("ListZones"));
        assert!(!is_idempotent("li"));
        assert!(!is_idempotent("deployVirtualMachine"));
        assert!(!is_idempotent("createNetwork"));
    }

    #[test]
    fn signed_requests_verify_and_hide_nothing_twice() {
        let client = Client::builder("http://127.0.0.1:1/client/api")
            .keys("foo", "bar")
            .signature_v3(false)
            .build()
            .unwrap();
        let params = Params::from([("listAll", "true")]);
        let prepared = client.prepare("listVirtualMachines", &params, false, None);
        assert_eq!(prepared.method, "GET");
        // The first protocol vector, in the order the client sends it.
        assert_eq!(
            prepared.encoded,
            "listAll=true&command=listVirtualMachines&response=json&apiKey=foo&signature=B0d6hBsZTcFVCiioSxzwKA9Pke8%3D"
        );
    }

    #[test]
    fn unusable_certificates_and_missing_auth_are_setup_errors() {
        let err = Client::builder("https://h")
            .keys("k", "s")
            .ca_cert_path("/nonexistent/ca.pem")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Setup { .. }));
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        let err = Client::builder("https://h")
            .keys("k", "s")
            .ca_cert_pem(b"not a certificate")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Setup { .. }), "{err:?}");
        let err = Client::builder("https://h").build().unwrap_err();
        assert!(err.to_string().contains("no authentication"), "{err}");
    }

    #[test]
    fn debug_of_a_client_shows_no_secret() {
        let client = Client::builder("http://127.0.0.1:1")
            .credentials("admin", "hunter22", "")
            .build()
            .unwrap();
        let text = format!("{client:?}");
        assert!(
            text.contains("admin") && !text.contains("hunter22"),
            "{text}"
        );
        let client = Client::builder("http://127.0.0.1:1")
            .keys("ak", "sk-secret")
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains("sk-secret"));
        assert_eq!(client.api_key(), Some("ak"));
    }
}
