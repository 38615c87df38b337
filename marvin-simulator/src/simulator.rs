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

use crate::http::Door;
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
    /// More addresses serving the same API as `bind` (CloudStack's
    /// simulator image answers on 8080 and 5050).
    pub also_bind: Vec<SocketAddr>,
    /// The address of an Ansible-test-container-style front door: the API
    /// at `/client/api` plus the admin's keys at `/admin.json`, everything
    /// 503 until the cloud is ready; none when `None`.
    pub keys_door_bind: Option<SocketAddr>,
    /// Fixed keys for the root admin (instead of the seeded random ones),
    /// so that a CI job knows them before the simulator starts.
    pub admin_keys: Option<AdminKeys>,
    /// Hold the readiness answer (`GET /`) at 503 until
    /// [`RunningSimulator::release`] (start-up work such as deploying a
    /// datacenter over the API); otherwise only the cloud's state decides.
    pub hold_ready: bool,
}

/// An API key and its secret key. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminKeys {
    /// The API key.
    pub api_key: String,
    /// The secret key.
    pub secret_key: String,
}

impl fmt::Debug for AdminKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminKeys(<redacted>)")
    }
}

impl AdminKeys {
    /// Checks both keys: 16 to 512 printable ASCII characters without
    /// spaces, as keys are sent in query strings. The error names the key
    /// at fault, never its value.
    pub fn check(&self) -> Result<(), String> {
        for (name, key) in [("API key", &self.api_key), ("secret key", &self.secret_key)] {
            if !(16..=512).contains(&key.len()) {
                return Err(format!("the {name} must be 16 to 512 characters long"));
            }
            if !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "the {name} may hold only printable ASCII characters, without spaces"
                ));
            }
        }
        Ok(())
    }
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
            also_bind: Vec::new(),
            keys_door_bind: None,
            admin_keys: None,
            hold_ready: false,
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
        if let Some(keys) = &config.admin_keys {
            keys.check().map_err(StartError::AdminKeys)?;
            engine.with_connection(|conn| set_admin_keys(conn, keys))?;
        }
        let admin = engine
            .with_connection(admin_credentials)?
            .ok_or(StartError::NoAdmin)?;
        let doors = Arc::new(crate::doors::Doors::new(
            Arc::clone(&engine),
            config.hold_ready,
            admin.user_id.clone(),
        ));

        let mut tasks = Vec::new();
        let mut listen = async |bind_to: SocketAddr, door: Door| {
            let listener = bind(bind_to).await?;
            let addr = listener.local_addr().map_err(|error| StartError::Bind {
                addr: bind_to,
                error,
            })?;
            let router = crate::http::router(
                Arc::clone(&engine),
                door,
                Arc::clone(&doors),
                config.body_timeout,
            );
            tasks.push(serve(listener, router, stopped.clone()));
            Ok::<_, StartError>(addr)
        };
        let addr = listen(config.bind, Door::Api).await?;
        let mut also_addrs = Vec::new();
        for bind_to in &config.also_bind {
            also_addrs.push(listen(*bind_to, Door::Api).await?);
        }
        let integration_addr = match config.integration_bind {
            Some(bind_to) => Some(listen(bind_to, Door::Integration).await?),
            None => None,
        };
        let keys_door_addr = match config.keys_door_bind {
            Some(bind_to) => Some(listen(bind_to, Door::AdminKeys).await?),
            None => None,
        };
        tasks.push(crate::expunger::spawn(Arc::clone(&engine), stopped.clone()));
        tasks.push(crate::provisioner::spawn(
            Arc::clone(&engine),
            stopped.clone(),
        ));
        tracing::info!(%addr, "simulator listening");
        Ok(RunningSimulator {
            addr,
            also_addrs,
            integration_addr,
            keys_door_addr,
            admin,
            engine,
            doors,
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

/// The admin user's id, name, password and keys.
#[derive(Clone, PartialEq, Eq)]
struct Admin {
    user_id: String,
    username: String,
    password: String,
    api_key: String,
    secret_key: String,
}

fn admin_credentials(conn: &rusqlite::Connection) -> Result<Option<Admin>, StartError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            &format!(
                "SELECT u.id, u.username, u.password, u.api_key, u.secret_key {ROOT_ADMIN_USERS}"
            ),
            [],
            |row| {
                Ok(Admin {
                    user_id: row.get(0)?,
                    username: row.get(1)?,
                    password: row.get(2)?,
                    api_key: row.get(3)?,
                    secret_key: row.get(4)?,
                })
            },
        )
        .optional()?)
}

/// The root admin users with keys, the one the simulator reports first.
const ROOT_ADMIN_USERS: &str = "FROM users u JOIN accounts a ON a.id = u.account_id JOIN domains d ON d.id = a.domain_id
     WHERE a.account_type = 1 AND d.parent_id IS NULL AND u.api_key IS NOT NULL AND u.secret_key IS NOT NULL
     ORDER BY (u.username = 'admin') DESC, a.seq LIMIT 1";

/// Gives the root admin (the user [`admin_credentials`] reports) fixed keys.
fn set_admin_keys(conn: &rusqlite::Connection, keys: &AdminKeys) -> Result<(), StartError> {
    let changed = conn.execute(
        &format!(
            "UPDATE users SET api_key = ?1, secret_key = ?2 WHERE id = (SELECT u.id {ROOT_ADMIN_USERS})"
        ),
        rusqlite::params![keys.api_key, keys.secret_key],
    )?;
    if changed == 0 {
        return Err(StartError::NoAdmin);
    }
    Ok(())
}

/// A simulator that is running. Dropping it stops the listeners (in the
/// background); [`RunningSimulator::shutdown`] stops them and waits.
pub struct RunningSimulator {
    addr: SocketAddr,
    also_addrs: Vec<SocketAddr>,
    integration_addr: Option<SocketAddr>,
    keys_door_addr: Option<SocketAddr>,
    admin: Admin,
    engine: Arc<Engine>,
    doors: Arc<crate::doors::Doors>,
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

    /// The addresses of the other API listeners ([`SimulatorConfig::also_bind`]).
    pub fn also_addrs(&self) -> &[SocketAddr] {
        &self.also_addrs
    }

    /// The address of the keys door ([`SimulatorConfig::keys_door_bind`]),
    /// when there is one.
    pub fn keys_door_addr(&self) -> Option<SocketAddr> {
        self.keys_door_addr
    }

    /// Ends the hold of [`SimulatorConfig::hold_ready`]: from now on the
    /// readiness answer depends only on the cloud's zones, hosts and
    /// templates.
    pub fn release(&self) {
        self.doors.release();
    }

    /// The admin user's id.
    pub fn admin_user_id(&self) -> &str {
        &self.admin.user_id
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

    /// The settings of the Python `cs` client and of CloudMonkey (`cmk`)
    /// for this simulator, as one ini document: a `[cloudstack]` section
    /// (`endpoint`, `key`, `secret`; cs's default region) and a `[core]`
    /// section choosing the `[marvin]` profile (`url`, `apikey`,
    /// `secretkey`, `username`, `password`, `domain`).
    pub fn client_ini(&self) -> String {
        let url = self.url();
        let Admin {
            username,
            password,
            api_key,
            secret_key,
            ..
        } = &self.admin;
        format!(
            "; The Python cs client (~/.cloudstack.ini) and CloudMonkey (~/.cmk/config)\n\
             [cloudstack]\nendpoint = {url}\nkey = {api_key}\nsecret = {secret_key}\n\n\
             [core]\nprofile = marvin\n\n\
             [marvin]\nurl = {url}\napikey = {api_key}\nsecretkey = {secret_key}\n\
             username = {username}\npassword = {password}\ndomain = /\ntimeout = 3600\noutput = json\n"
        )
    }

    /// Writes [`RunningSimulator::client_ini`] to a file, owner-only as
    /// [`RunningSimulator::write_config`] writes.
    pub fn write_client_ini(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        write_private(path.as_ref(), self.client_ini().as_bytes())
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
