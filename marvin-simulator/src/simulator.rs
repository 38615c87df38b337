//! Starting and stopping a simulator: embedded in a test process or
//! standalone (`marvin simulator`).

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::kernel::engine::{Engine, Options};
use crate::kernel::error::ApiError;
pub use crate::kernel::error::StartError;
use crate::kernel::params::Params;

/// How to start a simulator. `Default` is the embedded test setup: an
/// ephemeral port on 127.0.0.1, an in-memory database, the default seed,
/// a 15 ms job delay, no integration listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatorConfig {
    /// The address of the API listener (port 0: any free port).
    pub bind: SocketAddr,
    /// A database file to keep the state in (WAL mode); in memory when
    /// `None`. An existing file is reused as it is: no schema, no seed.
    pub db_path: Option<PathBuf>,
    /// The address of the unauthenticated integration listener (CloudStack's
    /// port 8096), where every caller is the root admin; none when `None`.
    pub integration_bind: Option<SocketAddr>,
    /// How long an async job stays pending before its work runs; zero runs it
    /// on the submitting call's connection, so the job is finished by the
    /// time the answer (with its `jobid`) arrives.
    pub job_delay: Duration,
    /// Start like a fresh install: accounts, roles, offerings and templates,
    /// but no zone or other infrastructure (for `marvin deploy`).
    pub empty: bool,
    /// A directory of fixture files run after seeding (see the crate docs).
    pub fixtures: Option<PathBuf>,
    /// How long a POST body may take to arrive in full; a body still
    /// incomplete then (a `Content-Length` that promised more) is answered
    /// 430 (a malformed request) and its connection closed, as Jetty's 30 s idle timeout would.
    pub body_timeout: Duration,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            db_path: None,
            integration_bind: None,
            job_delay: Duration::from_millis(15),
            empty: false,
            fixtures: None,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

/// The default [`SimulatorConfig::body_timeout`].
pub(crate) const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The entry point.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Starts a simulator (inside a tokio runtime): opens and seeds the
    /// database, runs the fixtures, binds the listeners.
    pub async fn start(config: SimulatorConfig) -> Result<RunningSimulator, StartError> {
        let (stop, stopped) = watch::channel(false);
        let options = Options {
            db_path: config.db_path.clone(),
            job_delay: config.job_delay,
            empty: config.empty,
        };
        let engine = Engine::open(&options, crate::families::ALL, stopped.clone())?;
        if let Some(dir) = &config.fixtures {
            run_fixtures(&engine, dir)?;
        }
        let admin = engine
            .with_connection(admin_credentials)?
            .ok_or(StartError::NoAdmin)?;

        let listener = bind(config.bind).await?;
        let addr = listener.local_addr().map_err(|error| StartError::Bind {
            addr: config.bind,
            error,
        })?;
        let mut tasks = vec![serve(
            listener,
            crate::http::router(Arc::clone(&engine), false, config.body_timeout),
            stopped.clone(),
        )];
        let mut integration_addr = None;
        if let Some(bind_to) = config.integration_bind {
            let listener = bind(bind_to).await?;
            integration_addr = Some(listener.local_addr().map_err(|error| StartError::Bind {
                addr: bind_to,
                error,
            })?);
            tasks.push(serve(
                listener,
                crate::http::router(Arc::clone(&engine), true, config.body_timeout),
                stopped,
            ));
        }
        tracing::info!(%addr, "simulator listening");
        Ok(RunningSimulator {
            addr,
            integration_addr,
            admin,
            engine,
            stop,
            tasks,
        })
    }

    /// Starts the embedded default: ephemeral port, in memory, default zone.
    pub async fn start_default() -> Result<RunningSimulator, StartError> {
        Self::start(SimulatorConfig::default()).await
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| StartError::Bind { addr, error })
}

fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "the simulator's listener failed");
        }
    })
}

/// The admin user's name, password and keys.
#[derive(Clone, PartialEq, Eq)]
struct Admin {
    username: String,
    password: String,
    api_key: String,
    secret_key: String,
}

fn admin_credentials(conn: &rusqlite::Connection) -> Result<Option<Admin>, StartError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT u.username, u.password, u.api_key, u.secret_key
             FROM users u JOIN accounts a ON a.id = u.account_id JOIN domains d ON d.id = a.domain_id
             WHERE a.account_type = 1 AND d.parent_id IS NULL AND u.api_key IS NOT NULL AND u.secret_key IS NOT NULL
             ORDER BY (u.username = 'admin') DESC, a.seq LIMIT 1",
            [],
            |row| Ok(Admin { username: row.get(0)?, password: row.get(1)?, api_key: row.get(2)?, secret_key: row.get(3)? }),
        )
        .optional()?)
}

/// A simulator that is running. Dropping it stops the listeners (in the
/// background); [`RunningSimulator::shutdown`] stops them and waits.
pub struct RunningSimulator {
    addr: SocketAddr,
    integration_addr: Option<SocketAddr>,
    admin: Admin,
    engine: Arc<Engine>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("url", &self.url())
            .field("integration_addr", &self.integration_addr)
            .field("api_key", &self.admin.api_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

impl RunningSimulator {
    /// The API endpoint, `http://127.0.0.1:PORT/client/api`.
    pub fn url(&self) -> String {
        endpoint(self.addr)
    }

    /// The address of the API listener.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port of the API listener.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The endpoint of the integration listener, when there is one.
    pub fn integration_url(&self) -> Option<String> {
        self.integration_addr.map(endpoint)
    }

    /// The admin user's API key.
    pub fn api_key(&self) -> &str {
        &self.admin.api_key
    }

    /// The admin user's secret key.
    pub fn secret_key(&self) -> &str {
        &self.admin.secret_key
    }

    /// The admin user's name (for session logins).
    pub fn admin_username(&self) -> &str {
        &self.admin.username
    }

    /// The admin user's password (for session logins).
    pub fn admin_password(&self) -> &str {
        &self.admin.password
    }

    /// A Marvin config document for this simulator:
    /// `{"mgtSvr":[{"mgtSvrIp":..,"port":..,"apiKey":..,"securityKey":..,"user":..,"passwd":..,"useHttps":false}]}`.
    pub fn marvin_config(&self) -> Value {
        json!({"mgtSvr": [{
            "mgtSvrIp": host(self.addr),
            "port": self.addr.port(),
            "apiKey": self.admin.api_key,
            "securityKey": self.admin.secret_key,
            "user": self.admin.username,
            "passwd": self.admin.password,
            "useHttps": false,
        }]})
    }

    /// Writes [`RunningSimulator::marvin_config`] to a file (pretty JSON).
    ///
    /// The file holds the admin's secret key and password, so only its
    /// owner may read it (mode 0600 on Unix), from its first byte on: the
    /// text goes to a new private file beside `path`, which then replaces
    /// `path` in one step. An existing file's permissions are not kept, and
    /// a reader never sees a half-written file.
    pub fn write_config(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let mut text =
            serde_json::to_string_pretty(&self.marvin_config()).map_err(std::io::Error::other)?;
        text.push('\n');
        write_private(path.as_ref(), text.as_bytes())
    }

    /// Runs `f` with the database connection locked: for tests that set up
    /// state directly (keep it short; every API call waits meanwhile).
    pub fn with_db<R>(&self, f: impl FnOnce(&rusqlite::Connection) -> R) -> R {
        self.engine.with_connection(f)
    }

    /// Runs one API command as the root admin without HTTP, through the same
    /// validation and handler as a request; async commands finish before it
    /// returns (their job result is returned).
    pub fn call_as_admin(&self, command: &str, params: &[(&str, &str)]) -> Result<Value, ApiError> {
        self.engine.run_as_root(
            command,
            Params::from_pairs(params.iter().map(|(n, v)| (*n, v.to_string()))),
        )
    }

    /// [`RunningSimulator::call_as_admin`], the answer as the JSON text an
    /// HTTP client receives inside the envelope (`{"count": .., ...}`),
    /// without building a `Value`.
    pub fn call_as_admin_text(
        &self,
        command: &str,
        params: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        self.engine.run_as_root_text(
            command,
            Params::from_pairs(params.iter().map(|(n, v)| (*n, v.to_string()))),
        )
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        self.shutdown().await;
    }

    /// Serves until Ctrl-C (the standalone `marvin simulator`).
    pub async fn serve_forever(self) {
        self.serve_until(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await;
    }

    /// Stops the listeners and waits for them to finish (requests in flight
    /// get their answer; hanging faults end at once; pending jobs stop).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn host(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    }
}

fn endpoint(addr: SocketAddr) -> String {
    format!("http://{}:{}/client/api", host(addr), addr.port())
}

/// Runs the fixture files of `dir` (see the crate docs for the format).
fn run_fixtures(engine: &Arc<Engine>, dir: &Path) -> Result<(), StartError> {
    let failure = |file: &Path, index: usize, message: String| StartError::Fixture {
        file: file.to_path_buf(),
        index,
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| failure(dir, 0, e.to_string()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut results: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| failure(&file, 0, e.to_string()))?;
        let calls: Vec<crate::fixtures::FixtureCall> = serde_json::from_str(&text)
            .map_err(|e| failure(&file, 0, format!("not a fixture document: {e}")))?;
        for (index, call) in calls.into_iter().enumerate() {
            let params = call
                .params(&results)
                .map_err(|message| failure(&file, index, message))?;
            let answer = engine.run_as_root(&call.command, params).map_err(|error| {
                failure(&file, index, format!("{} failed: {error}", call.command))
            })?;
            if let Some(name) = call.name {
                results.insert(name, crate::fixtures::result_object(answer));
            }
        }
    }
    Ok(())
}

/// Writes `contents` to `path` through a new owner-only file in the same
/// directory (`tempfile` creates it with mode 0600 on Unix), renamed over
/// `path` (atomic on one file system).
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;

    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
