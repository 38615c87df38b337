//! The engine: the database connections and the dispatcher every call goes
//! through.
//!
//! The database is SQLite in WAL mode: the file given to the simulator, or
//! one in a private temporary directory (removed with the engine). It has
//! one writer connection, behind a mutex, and read-only connections for
//! reads ([`read`]): list commands and the job poll never wait for a write,
//! for each other, or for one large answer.
//!
//! For each write, under the writer's mutex and in ONE transaction: the
//! `response=json` check, authentication ([`crate::kernel::auth`]), the command
//! lookup (unknown: 432, or 401 for signed calls), the role check (432),
//! generic validation ([`validate`]), fault injection ([`crate::kernel::faults`]),
//! the handler, and the envelope ([`envelope`]). A handler error rolls the
//! transaction back. Async commands get a row in `async_jobs` and their work
//! runs in its own transactions ([`crate::kernel::jobs`]): right after the call
//! commits and before its answer is sent when there is nothing to wait for
//! (a zero job delay and no fault aimed at the job), otherwise later. A read
//! goes through the same checks in a read transaction of its own.
//!
//! The mutex is a `std::sync::Mutex`, taken only in synchronous code and
//! never across an `.await`: a call's locked phases are short and run on
//! the runtime's worker, delayed job work runs in `spawn_blocking`, and the
//! waits asked for by faults happen between two locked phases.

mod private;
mod read;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use marvin_core::{CsErrorCode, ErrorCode};
use rusqlite::{Connection, Transaction};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::kernel::auth::{self, Via};
use crate::kernel::caller::Caller;
use crate::kernel::catalog::{ApiSpec, Catalog, Registry, Served};
use crate::kernel::contract::{Call, Command, Family, Job, Reply, Seed, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::error::StartError;
use crate::kernel::faults::{self, Action};
use crate::kernel::jobs::PendingJob;
use crate::kernel::jobs::rows as job_rows;
use crate::kernel::params::Params;
use crate::kernel::request::{Method, Request};
use crate::kernel::{envelope, validate};

/// The kernel's own tables, created before the families' schemas.
const KERNEL_SCHEMA: &str = include_str!("../schema.sql");

/// An HTTP answer, ready to send.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status (the `errorcode` of errors).
    pub(crate) status: u16,
    /// The JSON body.
    pub(crate) body: Body,
    /// `Set-Cookie` values.
    pub(crate) cookies: Vec<String>,
}

/// The body of an [`Answer`].
#[derive(Debug)]
pub(crate) enum Body {
    /// The whole JSON text.
    Text(String),
    /// JSON text written while it is sent (a large list, page by page): the
    /// parts in order; an error breaks the answer off.
    Stream(tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>),
}

impl Answer {
    pub(crate) fn error(key: &str, error: &ApiError) -> Self {
        Self {
            status: error.code.as_u16(),
            body: Body::Text(envelope::error(key, error)),
            cookies: Vec::new(),
        }
    }

    fn ok(key: &str, inner: &envelope::Inner, cookies: Vec<String>) -> Self {
        Self {
            status: 200,
            body: Body::Text(envelope::wrap(key, inner)),
            cookies,
        }
    }

    /// The whole body's text (empty for a streamed one).
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        match &self.body {
            Body::Text(text) => text,
            Body::Stream(_) => "",
        }
    }
}

/// What the first phase of a call decided.
#[derive(Debug)]
pub(crate) enum Flow {
    /// The answer.
    Done(Answer),
    /// Wait (a fault's delay or hang), then do `then`.
    Wait {
        /// How long.
        duration: Duration,
        /// What comes after.
        then: Then,
    },
}

/// What follows a fault's wait.
#[derive(Debug)]
pub(crate) enum Then {
    /// Run the handler.
    Proceed(Box<Prepared>),
    /// Answer this (a hang's timeout).
    Answer(Answer),
}

/// A call that passed authentication, validation and fault injection.
#[derive(Debug)]
pub(crate) struct Prepared {
    caller: Caller,
    command: &'static Command,
    spec: &'static ApiSpec,
    params: Params,
    job_fault: Option<Action>,
}

/// A request that passed the checks before authentication.
#[derive(Debug)]
struct Admitted {
    /// The command as sent.
    sent: String,
    /// The command, when it exists.
    target: Option<(&'static Command, &'static ApiSpec)>,
    /// The response key of its answers.
    key: String,
    /// The command in lower case (to recognise `login` and `logout`).
    lower: String,
    /// Whether it is `login` or `logout`.
    authenticator: bool,
}

/// A handler's success, before it becomes an answer.
struct Executed {
    inner: envelope::Inner,
    cookies: Vec<String>,
    job: Option<PendingJob>,
}

/// How the engine is opened.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// A database file (WAL); in memory when absent.
    pub(crate) db_path: Option<PathBuf>,
    /// How long a job waits before its work runs.
    pub(crate) job_delay: Duration,
    /// Seed like a fresh install (see [`Seed::empty`]).
    pub(crate) empty: bool,
}

/// The engine shared by the listeners and the job tasks.
pub(crate) struct Engine {
    /// The one writer.
    db: Mutex<Connection>,
    /// The writer's count of changes when it was last released (see
    /// [`Writer`]): what readers know of writes, for the key cache.
    written: AtomicU64,
    /// Read-only connections for reads (see [`read`]).
    readers: read::Readers,
    /// The private directory of a database that has no file of its own
    /// (removed with the engine).
    _private: Option<tempfile::TempDir>,
    pub(in crate::kernel) served: Served,
    job_delay: Duration,
    runtime: Handle,
    shutdown: watch::Receiver<bool>,
    /// Whether any fault may be armed: false until `configureSimulatorFault`
    /// succeeds (or a reopened database holds one), so that ordinary calls
    /// skip the fault lookup.
    faults_armed: AtomicBool,
    /// The owners of API keys (see [`auth::KeyCache`]).
    pub(crate) keys: Mutex<auth::KeyCache>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("job_delay", &self.job_delay)
            .finish_non_exhaustive()
    }
}

/// The locked writer. Releasing it records the writer's count of changes,
/// so that calls on reader connections know whether anything was written
/// since they last looked.
pub(crate) struct Writer<'a> {
    conn: MutexGuard<'a, Connection>,
    written: &'a AtomicU64,
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.written
            .store(self.conn.total_changes(), Ordering::Release);
    }
}

/// The current time, in UTC.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl Engine {
    /// Opens the database, creates the families' schemas and seeds a fresh
    /// one. Must run inside a tokio runtime (jobs are spawned on it).
    pub(crate) fn open(
        options: &Options,
        families: &'static [&'static Family],
        shutdown: watch::Receiver<bool>,
    ) -> Result<Arc<Self>, StartError> {
        let catalog = Catalog::global().map_err(StartError::Precache)?;
        Self::open_with(options, families, catalog, shutdown)
    }

    /// [`Engine::open`] with another catalog (tests with their own commands).
    pub(crate) fn open_with(
        options: &Options,
        families: &'static [&'static Family],
        catalog: &'static Catalog,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Arc<Self>, StartError> {
        let registry = Registry::build(families, catalog).map_err(StartError::Registry)?;
        // Without a file of its own, the database lives in a private
        // temporary directory rather than in memory: readers need a file to
        // share with the writer (WAL). Nothing there has to survive a crash,
        // so it is never synced.
        let (path, private) = match &options.db_path {
            Some(path) => (path.clone(), None),
            None => {
                let dir = private::directory().map_err(StartError::PrivateDirectory)?;
                (dir.path().join("simulator.db"), Some(dir))
            }
        };
        // The database holds secrets: a new file is its owner's only.
        private::create_owner_only(&path).map_err(StartError::PrivateDirectory)?;
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // A private database is new and nobody else opens it before it is
        // seeded: it is seeded without a journal (a faster start), then
        // switched to WAL for its readers.
        let seeding_journal = if private.is_some() { "OFF" } else { "WAL" };
        let _mode: String = conn.query_row(
            &format!("PRAGMA journal_mode = {seeding_journal}"),
            [],
            |row| row.get(0),
        )?;
        let synchronous = if private.is_some() { "OFF" } else { "NORMAL" };
        conn.pragma_update(None, "synchronous", synchronous)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "mmap_size", read::MMAP_SIZE)?;
        conn.set_prepared_statement_cache_capacity(256);
        let fresh: bool = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'simulator_meta')",
            [],
            |row| row.get(0),
        )?;
        let at = now();
        let stamp = crate::kernel::time::format(at);
        let tx = conn.transaction()?;
        if fresh {
            install(&tx, families, at, options.empty)?;
            tx.execute(
                "INSERT INTO simulator_meta (key, value) VALUES ('created', ?1)",
                [&stamp],
            )?;
        } else {
            let abandoned =
                job_rows::abandon_pending(&tx, &stamp).map_err(|error| StartError::Seed {
                    family: "kernel",
                    error,
                })?;
            if abandoned > 0 {
                tracing::info!(
                    abandoned,
                    "failed the jobs left pending by the previous run"
                );
            }
        }
        tx.commit()?;
        if private.is_some() {
            let _mode: String =
                conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        }
        let faults_armed = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM simulator_faults WHERE remaining != 0)",
                [],
                |row| row.get::<_, bool>(0),
            )
            .unwrap_or(false);
        let private_db = private.is_some();
        let written = conn.total_changes();
        Ok(Arc::new(Self {
            db: Mutex::new(conn),
            written: AtomicU64::new(written),
            readers: read::Readers::new(path),
            _private: private,
            served: Served { catalog, registry },
            job_delay: options.job_delay,
            runtime: Handle::current(),
            shutdown,
            faults_armed: AtomicBool::new(faults_armed),
            // Only a private database is written by this engine alone.
            keys: Mutex::new(auth::KeyCache::new(private_db)),
        }))
    }

    /// Locks the writer (a panicked handler does not poison it for good:
    /// its transaction was rolled back while unwinding).
    pub(crate) fn lock(&self) -> Writer<'_> {
        Writer {
            conn: self.db.lock().unwrap_or_else(PoisonError::into_inner),
            written: &self.written,
        }
    }

    /// Locks the connection from async code without blocking the worker:
    /// while another call holds it, this task yields to the others (a
    /// call holds the lock for tens of microseconds), and after a while of
    /// that it sleeps a millisecond at a time (a long job may hold it).
    async fn lock_async(&self) -> Writer<'_> {
        let mut tries = 0u32;
        loop {
            let writer = |conn| Writer {
                conn,
                written: &self.written,
            };
            match self.db.try_lock() {
                Ok(guard) => return writer(guard),
                Err(TryLockError::Poisoned(poisoned)) => return writer(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
            // No guard lives past this point: the future stays `Send`.
            if tries < 256 {
                tries += 1;
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }

    /// A registered command that the precache also knows.
    fn lookup(&self, name: &str) -> Option<(&'static Command, &'static ApiSpec)> {
        self.served.lookup(name)
    }

    /// Serves one request. The locked phases are short and synchronous and
    /// run right here on the runtime's worker (a `spawn_blocking` hop would
    /// cost more than a typical call); the waits asked for by faults happen
    /// between them, without the lock.
    pub(crate) async fn handle(self: Arc<Self>, request: Request) -> Answer {
        if self.serves_as_read(&request) {
            return self.handle_read(request).await;
        }
        // A panicking handler must still get a CloudStack-shaped answer; its
        // transaction is rolled back while unwinding.
        let flow = {
            let mut conn = self.lock_async().await;
            catch_unwind(AssertUnwindSafe(|| self.begin(&mut conn, request)))
        };
        let Ok(flow) = flow else { return crashed() };
        match flow {
            Flow::Done(answer) => answer,
            Flow::Wait { duration, then } => {
                let mut shutdown = self.shutdown.clone();
                let stopped = tokio::select! {
                    () = tokio::time::sleep(duration) => false,
                    _ = shutdown.wait_for(|stop| *stop) => true,
                };
                match then {
                    Then::Answer(answer) => answer,
                    Then::Proceed(prepared) if stopped => Answer::error(
                        &envelope::response_key(Some(prepared.command.name)),
                        &ApiError::new(
                            ErrorCode::ResourceUnavailable,
                            CsErrorCode::ResourceUnavailable,
                            "The simulator is shutting down",
                        ),
                    ),
                    Then::Proceed(prepared) => {
                        let mut conn = self.lock_async().await;
                        catch_unwind(AssertUnwindSafe(|| self.proceed(&mut conn, *prepared)))
                            .unwrap_or_else(|_| crashed())
                    }
                }
            }
        }
    }

    /// The checks before any transaction: `response=json`, a command, and
    /// `login` over POST.
    fn preflight(&self, request: &Request) -> Result<Admitted, Answer> {
        let sent = request
            .get("command")
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let target = sent.as_deref().and_then(|name| self.lookup(name));
        let key = envelope::response_key(target.map(|(command, _)| command.name));
        let fail = |error: ApiError| Err(Answer::error(&key, &error));

        if !request
            .get("response")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("json"))
        {
            return fail(ApiError::new(
                ErrorCode::UnsupportedAction,
                CsErrorCode::UnsupportedService,
                "This simulator answers only in JSON: add response=json to the request",
            ));
        }
        let Some(sent) = sent else {
            return fail(ApiError {
                code: ErrorCode::Other(400),
                cs_code: None,
                text: "no command specified".into(),
            });
        };
        let lower = sent.to_ascii_lowercase();
        if lower == "login" && request.method != Method::Post {
            return fail(ApiError::new(
                ErrorCode::MethodNotAllowed,
                CsErrorCode::UnavailableCommand,
                "Please use HTTP POST to authenticate using this API",
            ));
        }
        Ok(Admitted {
            authenticator: lower == "login" || lower == "logout",
            lower,
            sent,
            target,
            key,
        })
    }

    /// Authentication, the command lookup, the role check and validation,
    /// in `tx`: the call, or why it is refused.
    fn admit(
        &self,
        tx: &Transaction<'_>,
        request: &mut Request,
        admitted: Admitted,
        at: OffsetDateTime,
        written: u64,
    ) -> Result<Prepared, ApiError> {
        let Admitted {
            sent,
            target,
            lower,
            authenticator,
            ..
        } = admitted;
        let (caller, via) = match lower.as_str() {
            "login" => (auth::anonymous(), Via::Anonymous),
            "logout" => match auth::session(tx, request, at) {
                Ok(Some(caller)) => (caller, Via::Session),
                _ => (auth::anonymous(), Via::Anonymous),
            },
            _ => {
                let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
                keys.observe(written);
                auth::authenticate(tx, request, at, &mut keys)?
            }
        };
        // The request log's caller (the listener's span declares the field).
        tracing::Span::current().record(
            "caller",
            tracing::field::display(match caller.account_name.as_str() {
                "" => format!("anonymous ({via:?})"),
                account => format!("{account} ({via:?})"),
            }),
        );
        let Some((command, spec)) = target else {
            return Err(match via {
                Via::Integration => ApiError::unsupported(format!("Unknown API command: {sent}")),
                Via::Session => not_available(&sent),
                Via::Key | Via::Anonymous => ApiError::unauthorized(),
            });
        };
        if !authenticator && !crate::kernel::access::permits(tx, &caller, command)? {
            return Err(not_available(&sent));
        }
        let mut params = Params::from_pairs(std::mem::take(&mut request.pairs));
        validate::check(spec, &mut params, authenticator)?;
        Ok(Prepared {
            caller,
            command,
            spec,
            params,
            job_fault: None,
        })
    }

    /// The first phase: everything up to (and usually including) the handler.
    pub(crate) fn begin(self: &Arc<Self>, conn: &mut Connection, mut request: Request) -> Flow {
        let admitted = match self.preflight(&request) {
            Ok(admitted) => admitted,
            Err(answer) => return Flow::Done(answer),
        };
        let key = admitted.key.clone();
        let fail = |error: ApiError| Flow::Done(Answer::error(&key, &error));
        let authenticator = admitted.authenticator;
        let lower = admitted.lower.clone();

        let at = now();
        let tx = match conn.transaction() {
            Ok(tx) => tx,
            Err(error) => return fail(error.into()),
        };
        let written = tx.total_changes();
        let mut prepared = match self.admit(&tx, &mut request, admitted, at, written) {
            Ok(prepared) => prepared,
            Err(error) => {
                // What authentication changed stays (an expired session
                // was removed).
                let _ = tx.commit();
                return fail(error);
            }
        };
        let command = prepared.command;
        let spec = prepared.spec;
        let fired = if authenticator
            || !self.faults_armed.load(Ordering::Acquire)
            || faults::FAULT_APIS.contains(&lower.as_str())
        {
            None
        } else {
            match faults::take(&tx, command.name, spec.isasync, &prepared.params) {
                Ok(fired) => fired,
                Err(error) => return fail(error),
            }
        };
        match fired {
            None => {}
            Some(fired) if fired.on_job => prepared.job_fault = Some(fired.action),
            Some(fired) => {
                if let Err(error) = tx.commit() {
                    return fail(error.into());
                }
                tracing::info!(command = command.name, action = ?fired.action, "injected fault fired");
                return match fired.action {
                    Action::Fail(error) => fail(error),
                    Action::Hang(bound) => Flow::Wait {
                        duration: bound,
                        then: Then::Answer(Answer::error(
                            &key,
                            &faults::hang_ended(command.name, bound),
                        )),
                    },
                    Action::Delay(duration) => Flow::Wait {
                        duration,
                        then: Then::Proceed(Box::new(prepared)),
                    },
                };
            }
        }
        let (answer, job) = self.finish(tx, prepared);
        if let Some(job) = job {
            self.start_job(conn, job);
        }
        Flow::Done(answer)
    }

    /// The second phase after a fault's delay.
    pub(crate) fn proceed(self: &Arc<Self>, conn: &mut Connection, prepared: Prepared) -> Answer {
        let tx = match conn.transaction() {
            Ok(tx) => tx,
            Err(error) => {
                return Answer::error(
                    &envelope::response_key(Some(prepared.command.name)),
                    &error.into(),
                );
            }
        };
        let (answer, job) = self.finish(tx, prepared);
        if let Some(job) = job {
            self.start_job(conn, job);
        }
        answer
    }

    /// Runs the handler in `tx` and commits; gives the answer and the job
    /// to start, if there is one.
    fn finish(
        self: &Arc<Self>,
        tx: Transaction<'_>,
        prepared: Prepared,
    ) -> (Answer, Option<PendingJob>) {
        let key = envelope::response_key(Some(prepared.command.name));
        match self.execute(tx, prepared) {
            Ok(executed) => (
                Answer::ok(&key, &executed.inner, executed.cookies),
                executed.job,
            ),
            Err(error) => (Answer::error(&key, &error), None),
        }
    }

    /// Starts a job once its call has committed. A job with no wait (a zero
    /// job delay and no fault aimed at it) runs here and now, on the
    /// caller's connection, before the call's answer is sent: a client that
    /// polls right after the answer finds it finished. Others wait on the
    /// runtime ([`Engine::spawn_job`]).
    fn start_job(self: &Arc<Self>, conn: &mut Connection, job: PendingJob) {
        if !job.runs_at_once() {
            self.spawn_job(job);
            return;
        }
        // The call is committed and answered whatever the work does; a
        // panicking work leaves its job pending, as on the runtime.
        if catch_unwind(AssertUnwindSafe(|| {
            crate::kernel::jobs::run_on(conn, &self.served, job)
        }))
        .is_err()
        {
            tracing::error!("an async job's work panicked");
        }
    }

    /// The handler, the job row, the session cookies; commits on success.
    fn execute(&self, tx: Transaction<'_>, prepared: Prepared) -> Result<Executed, ApiError> {
        let Prepared {
            caller,
            command,
            spec,
            params,
            job_fault,
        } = prepared;
        let at = now();
        let reply = {
            let mut call = Call {
                tx: &tx,
                caller: &caller,
                params: &params,
                command: command.name,
                now: at,
                job_id: None,
                served: &self.served,
            };
            (command.run)(&mut call)?
        };
        let mut cookies = Vec::new();
        let mut job = None;
        let inner = if spec.isasync || matches!(reply, Reply::Job(_)) {
            let work = match reply {
                Reply::Job(work) => work,
                done => Job::detached(Box::new(move |_: &mut Call<'_>| Ok(done))),
            };
            let id = uuid::Uuid::new_v4().to_string();
            let call = Call {
                tx: &tx,
                caller: &caller,
                params: &params,
                command: command.name,
                now: at,
                job_id: Some(&id),
                served: &self.served,
            };
            job_rows::insert(
                &tx,
                &id,
                &caller,
                command.name,
                work.instance_type,
                work.instance_id.as_deref(),
                &call.timestamp(),
            )?;
            if let Some(event) = &work.event {
                let subject = Subject {
                    kind: work.instance_type,
                    id: work.instance_id.as_deref(),
                    name: None,
                };
                crate::kernel::event_log::insert(
                    &call,
                    event.kind,
                    "INFO",
                    "Scheduled",
                    &event.description,
                    subject,
                    None,
                )?;
            }
            let mut inner = Map::new();
            inner.insert("jobid".into(), id.clone().into());
            if let Some(instance) = &work.instance_id {
                inner.insert("id".into(), instance.clone().into());
            }
            job = Some(crate::kernel::jobs::pending(
                id,
                caller.clone(),
                params.clone(),
                command,
                work,
                self.job_delay,
                job_fault,
            ));
            envelope::Inner::Value(Value::Object(inner))
        } else {
            let inner = envelope::body(reply);
            match (command.name, &inner) {
                ("login", envelope::Inner::Value(inner)) => cookies = login_cookies(&tx, inner)?,
                ("logout", _) => cookies = logout_cookies(),
                _ => {}
            }
            inner
        };
        commit(tx)?;
        if command.name == faults::CONFIGURE {
            self.faults_armed.store(true, Ordering::Release);
        }
        Ok(Executed {
            inner,
            cookies,
            job,
        })
    }

    /// Starts a job's wait-then-work on the runtime.
    fn spawn_job(self: &Arc<Self>, job: PendingJob) {
        let engine = Arc::clone(self);
        let mut shutdown = self.shutdown.clone();
        self.runtime.spawn(async move {
            let wait = job.delay();
            if !wait.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
            }
            if tokio::task::spawn_blocking(move || crate::kernel::jobs::run(&engine, job))
                .await
                .is_err()
            {
                tracing::error!("an async job's work panicked");
            }
        });
    }

    /// Runs one command as the root admin through the normal dispatcher
    /// (validation, handler, envelope), finishing its job at once: for
    /// fixtures. Returns the answer inside the envelope, or for async
    /// commands the job's result.
    pub(crate) fn run_as_root(
        self: &Arc<Self>,
        command: &str,
        params: Params,
    ) -> Result<Value, ApiError> {
        Ok(self.run_as_root_inner(command, params)?.into_value())
    }

    /// [`Engine::run_as_root`], the answer as the JSON text an HTTP answer
    /// carries inside its envelope.
    pub(crate) fn run_as_root_text(
        self: &Arc<Self>,
        command: &str,
        params: Params,
    ) -> Result<String, ApiError> {
        Ok(envelope::text(&self.run_as_root_inner(command, params)?))
    }

    fn run_as_root_inner(
        self: &Arc<Self>,
        command: &str,
        mut params: Params,
    ) -> Result<envelope::Inner, ApiError> {
        let executed = {
            let mut conn = self.lock();
            let tx = conn.transaction()?;
            let caller = auth::root_admin(&tx)?;
            let (command, spec) = self
                .lookup(command)
                .ok_or_else(|| ApiError::unsupported(format!("Unknown API command: {command}")))?;
            validate::check(spec, &mut params, false)?;
            self.execute(
                tx,
                Prepared {
                    caller,
                    command,
                    spec,
                    params,
                    job_fault: None,
                },
            )?
        };
        let Some(job) = executed.job else {
            return Ok(executed.inner);
        };
        let id = job.id().to_string();
        let mut conn = self.lock();
        crate::kernel::jobs::run_on(&mut conn, &self.served, job);
        let (status, result): (i64, String) = conn.query_row(
            "SELECT status, COALESCE(result, '{}') FROM async_jobs WHERE id = ?1",
            [&id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let result: Value = serde_json::from_str(&result).unwrap_or_default();
        if status == job_rows::SUCCEEDED {
            return Ok(envelope::Inner::Value(result));
        }
        let code = result["errorcode"]
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(530);
        let text = result["errortext"]
            .as_str()
            .unwrap_or("the job failed")
            .to_string();
        Err(ApiError {
            code: ErrorCode::from_u16(code),
            cs_code: Some(faults::default_cs_code(code)),
            text,
        })
    }

    /// Runs `f` with the connection locked (tests, admin-key lookup).
    pub(crate) fn with_connection<R>(&self, f: impl FnOnce(&Connection) -> R) -> R {
        let conn = self.lock();
        f(&conn)
    }
}

/// Creates the kernel's tables, then each family's, on a fresh database and
/// inserts the families' seed, in `families` order (a family may reference
/// the tables and seed ids of earlier ones); gives the seed's ids.
pub(crate) fn install(
    tx: &Transaction<'_>,
    families: &[&Family],
    now: OffsetDateTime,
    empty: bool,
) -> Result<BTreeMap<&'static str, String>, StartError> {
    tx.execute_batch(KERNEL_SCHEMA)
        .map_err(|error| StartError::Schema {
            family: "kernel",
            error,
        })?;
    for family in families {
        tx.execute_batch(family.schema)
            .map_err(|error| StartError::Schema {
                family: family.name,
                error,
            })?;
    }
    // One look at the catalogue rather than a statement per view: preparing
    // each would parse every view again, a cost on each start.
    let views: std::collections::HashSet<String> = tx
        .prepare("SELECT name FROM sqlite_master WHERE type = 'view'")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|error| StartError::Schema {
            family: "kernel",
            error,
        })?;
    for family in families {
        if let Some(missing) = family.views.iter().find(|view| !views.contains(**view)) {
            return Err(StartError::Schema {
                family: family.name,
                error: rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                    Some(format!("no such view: {missing} (the family publishes it)")),
                ),
            });
        }
    }
    crate::kernel::directory::check(tx).map_err(|error| StartError::Schema {
        family: "kernel (no family provides the directory)",
        error,
    })?;
    let mut seed = Seed {
        tx,
        now,
        ids: BTreeMap::new(),
        empty,
    };
    for family in families {
        if let Some(insert) = family.seed {
            insert(&mut seed).map_err(|error| StartError::Seed {
                family: family.name,
                error,
            })?;
        }
    }
    Ok(seed.ids)
}

/// Commits a call's transaction with a cached statement (rusqlite's
/// `commit` parses `COMMIT` anew each time). A failed commit is rolled back
/// when `tx` drops, as with `Transaction::commit`.
pub(crate) fn commit(tx: Transaction<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached("COMMIT")?.execute([])?;
    Ok(())
}

/// 432 for a command this caller may not use (or that does not exist).
fn not_available(command: &str) -> ApiError {
    ApiError::unsupported(format!(
        "The API {command} does not exist or is not available for this account."
    ))
}

/// The answer when a handler panicked.
fn crashed() -> Answer {
    Answer::error(
        "errorresponse",
        &ApiError::internal(
            "Internal error executing command, please contact your system administrator",
        ),
    )
}

/// The cookies of a new session: `JSESSIONID` (the session's id, with the
/// `.node0` suffix Jetty adds) and `sessionkey`.
fn login_cookies(tx: &Transaction<'_>, inner: &Value) -> Result<Vec<String>, ApiError> {
    let key = inner["sessionkey"].as_str().unwrap_or_default();
    let id: String = tx.query_row(
        "SELECT id FROM sessions WHERE session_key = ?1",
        [key],
        |row| row.get(0),
    )?;
    Ok(vec![
        format!("JSESSIONID={id}.node0; Path=/client; HttpOnly"),
        format!("sessionkey={key}; Path=/client"),
    ])
}

/// Cookies that end the session in the client's jar.
fn logout_cookies() -> Vec<String> {
    vec![
        "JSESSIONID=; Path=/client; Max-Age=0; HttpOnly".to_string(),
        "sessionkey=; Path=/client; Max-Age=0".to_string(),
    ]
}
