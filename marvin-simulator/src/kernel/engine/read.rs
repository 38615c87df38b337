//! Reads on their own connections.
//!
//! CloudStack's list commands and the job poll only read. They run on
//! read-only connections of their own instead of the writer's, so a read
//! never queues behind a write, behind another read, or behind one large
//! answer: in SQLite's WAL mode the one writer and any number of readers
//! work at once, each reader inside its own snapshot.
//!
//! A list asked for without a page size (`pagesize=-1`) can be as large as
//! the cloud. It is produced on a blocking thread, in pages of the same
//! snapshot (one read transaction), and streamed to the client as it is
//! written: memory holds a few pages, never the whole answer, and the writer
//! is never waiting for it.
//!
//! Invariant: the handlers of read commands never write. Reader connections
//! are opened read-only, so a handler that tried would fail loudly with a
//! database error rather than change anything outside the writer's
//! transaction.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{Answer, Body, Engine, Prepared, crashed, now};
use crate::kernel::catalog::Served;
use crate::kernel::contract::{Call, Reply};
use crate::kernel::envelope;
use crate::kernel::error::ApiError;
use crate::kernel::request::Request;

/// Idle reader connections kept open for the next reads (more may be open
/// at once; the extra ones are closed when they are given back).
const IDLE_READERS: usize = 8;

/// The first page of a streamed list; the following pages double up to
/// [`STREAM_PAGE_MAX`], so a small "everything" answer costs one query and
/// a large one few.
const STREAM_PAGE_FIRST: usize = 500;

/// The largest page of a streamed list (what memory holds at most, with
/// the pages waiting in the channel).
const STREAM_PAGE_MAX: usize = 4_000;

/// Pages written but not yet sent that a streamed answer may hold.
const STREAM_PAGES_IN_FLIGHT: usize = 2;

/// How much of the database file every connection maps into memory: pages
/// are then read in place, shared by all connections through the system's
/// page cache, instead of copied into each connection's own cache.
pub(crate) const MMAP_SIZE: i64 = 1 << 30;

/// The pool of read-only connections to the simulator's database.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// Readers of the database at `path` (which the writer has opened in
    /// WAL mode).
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// An idle reader, or a new one.
    pub(crate) fn take(&self) -> rusqlite::Result<Connection> {
        if let Some(conn) = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
        {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(conn)
    }

    /// Gives a reader back for the next read.
    pub(crate) fn give(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// Whether a command only reads (CloudStack's `list*` commands and the
/// job poll), and so runs on a reader connection.
pub(crate) fn is_read(command: &str) -> bool {
    command.starts_with("list") || command == "queryAsyncJobResult"
}

/// Whether the request asks for every item at once (`pagesize=-1`).
fn unbounded(request: &Request) -> bool {
    request
        .get("pagesize")
        .and_then(|size| size.trim().parse::<i64>().ok())
        .is_some_and(|size| size < 0)
}

impl Engine {
    /// Whether `request` is served on a reader: a registered read command,
    /// not in a login session (a session call records when it was last
    /// used), and no fault armed (a fault that fires is a write).
    pub(super) fn serves_as_read(&self, request: &Request) -> bool {
        if request.jsessionid.is_some()
            || self.faults_armed.load(std::sync::atomic::Ordering::Acquire)
        {
            return false;
        }
        request
            .get("command")
            .filter(|name| is_read(name))
            .and_then(|name| self.lookup(name))
            .is_some_and(|(_, spec)| !spec.isasync)
    }

    /// Serves a read on a reader connection: bounded pages right here on
    /// the runtime's worker (like a write's short locked phase), an
    /// unbounded list on a blocking thread, streamed.
    pub(super) async fn handle_read(self: Arc<Self>, request: Request) -> Answer {
        if unbounded(&request) {
            return self.handle_streamed(request).await;
        }
        let mut conn = match self.readers.take() {
            Ok(conn) => conn,
            Err(error) => return Answer::error("errorresponse", &error.into()),
        };
        let answer = catch_unwind(AssertUnwindSafe(|| self.read_whole(&mut conn, request)))
            .unwrap_or_else(|_| crashed());
        self.readers.give(conn);
        answer
    }

    /// The checks of a read, in a read transaction of `conn`: the
    /// transaction, the admitted call and its response key, or the answer
    /// that refuses it.
    fn begin_read<'c>(
        &self,
        conn: &'c mut Connection,
        mut request: Request,
    ) -> Result<(Transaction<'c>, Prepared, String), Answer> {
        let admitted = self.preflight(&request)?;
        let key = admitted.key.clone();
        let tx = conn
            .transaction()
            .map_err(|error| Answer::error(&key, &error.into()))?;
        let written = self.written.load(std::sync::atomic::Ordering::Acquire);
        match self.admit(&tx, &mut request, admitted, now(), written) {
            Ok(prepared) => Ok((tx, prepared, key)),
            Err(error) => Err(Answer::error(&key, &error)),
        }
    }

    /// One read, whole.
    fn read_whole(&self, conn: &mut Connection, request: Request) -> Answer {
        let (tx, prepared, key) = match self.begin_read(conn, request) {
            Ok(begun) => begun,
            Err(answer) => return answer,
        };
        let reply = run(&tx, &self.served, &prepared);
        match reply {
            Ok(reply) => Answer::ok(&key, &envelope::body(reply), Vec::new()),
            Err(error) => Answer::error(&key, &error),
        }
    }

    /// An unbounded list: its first page decides the answer (an error, or
    /// a list that fits in it, is answered whole); a longer list is
    /// streamed page after page from the same snapshot.
    async fn handle_streamed(self: Arc<Self>, request: Request) -> Answer {
        let (head, answer) = oneshot::channel();
        let engine = Arc::clone(&self);
        // The blocking thread works inside the request's span (its log line).
        let span = tracing::Span::current();
        let produced = tokio::task::spawn_blocking(move || {
            let _span = span.enter();
            let mut conn = match engine.readers.take() {
                Ok(conn) => conn,
                Err(error) => {
                    let _ = head.send(Answer::error("errorresponse", &error.into()));
                    return;
                }
            };
            // A panic drops `head` (the caller answers that the handler
            // crashed) or ends the stream early.
            let _ = catch_unwind(AssertUnwindSafe(|| {
                engine.read_streamed(&mut conn, request, head);
            }));
            engine.readers.give(conn);
        });
        match answer.await {
            Ok(answer) => answer,
            Err(_) => {
                let _ = produced.await;
                crashed()
            }
        }
    }

    fn read_streamed(
        &self,
        conn: &mut Connection,
        request: Request,
        head: oneshot::Sender<Answer>,
    ) {
        let (tx, mut prepared, key) = match self.begin_read(conn, request) {
            Ok(begun) => begun,
            Err(answer) => {
                let _ = head.send(answer);
                return;
            }
        };
        let mut size = STREAM_PAGE_FIRST;
        set_page(&mut prepared, 1, size);
        let first = match run(&tx, &self.served, &prepared) {
            Ok(reply) => reply,
            Err(error) => {
                let _ = head.send(Answer::error(&key, &error));
                return;
            }
        };
        let Some(mut page) = envelope::ListPage::of(first) else {
            let _ = head.send(Answer::error(
                &key,
                &ApiError::internal("a list command answered something else than a list"),
            ));
            return;
        };
        let total = page.count;
        let mut sent = page.len;
        if page.len < size || sent >= total {
            // It fitted in one page: the ordinary answer.
            let _ = head.send(Answer::ok(&key, &page.into_inner(), Vec::new()));
            return;
        }
        let (chunks, body) = mpsc::channel(STREAM_PAGES_IN_FLIGHT);
        let stream = envelope::ListStream::new(&key, page.key, total);
        if head
            .send(Answer {
                status: 200,
                body: Body::Stream(body),
                cookies: Vec::new(),
            })
            .is_err()
        {
            return;
        }
        let mut text = stream.head();
        page.write_items(&mut text, false);
        if chunks.blocking_send(Ok(text)).is_err() {
            return;
        }
        while page.len == size && sent < total {
            // Pages double up to the largest: `sent` is then a multiple of
            // the page size, so page numbers address exactly what follows.
            size = sent.min(STREAM_PAGE_MAX);
            set_page(&mut prepared, sent / size + 1, size);
            page = match run(&tx, &self.served, &prepared).map(envelope::ListPage::of) {
                Ok(Some(page)) if page.key == stream.items_key() => page,
                outcome => {
                    let why = match outcome {
                        Err(error) => error.text,
                        Ok(_) => "a page of another shape".to_string(),
                    };
                    tracing::error!(command = prepared.command.name, %why, "a streamed list broke off");
                    let _ = chunks.blocking_send(Err(std::io::Error::other(why)));
                    return;
                }
            };
            let mut text = Vec::with_capacity(page.text_len() + 1);
            page.write_items(&mut text, true);
            sent += page.len;
            if chunks.blocking_send(Ok(text)).is_err() {
                // The client went away.
                return;
            }
        }
        let _ = chunks.blocking_send(Ok(stream.tail()));
    }
}

/// Asks the handler for page `page` of `size` items.
fn set_page(prepared: &mut Prepared, page: usize, size: usize) {
    prepared.params.insert("page", page.to_string());
    prepared.params.insert("pagesize", size.to_string());
}

/// Runs a read's handler in `tx`.
fn run(tx: &Transaction<'_>, served: &Served, prepared: &Prepared) -> Result<Reply, ApiError> {
    let mut call = Call {
        tx,
        caller: &prepared.caller,
        params: &prepared.params,
        command: prepared.command.name,
        now: now(),
        job_id: None,
        served,
    };
    (prepared.command.run)(&mut call)
}
