//! [`CleanupStack`]: the deletions a test still owes, run after its body.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::ledger::{Event, Intent, Ledger, LedgerRecord};
use super::managed::Managed;
use super::{Outcome, thread};
use crate::resource::{Deletion, Resource};
use crate::{Client, Error};

struct Entry {
    seq: u64,
    deletion: Deletion,
    client: Client,
}

#[derive(Default)]
struct State {
    entries: Vec<Entry>,
    next_seq: u64,
    closed: bool,
    /// Every record this stack wrote (or would have, without a ledger).
    history: Vec<(Event, Deletion)>,
}

/// The pending deletions of one test.
///
/// Guards ([`Managed`]) push onto it when dropped; the test runner calls
/// [`run`](Self::run) after the body. Once run, the stack is closed: later
/// pushes (a guard that outlived its test) go to the cleanup thread. A stack
/// dropped while deletions are still on it hands them to the cleanup thread
/// too, so nothing registered is ever silently forgotten.
pub struct CleanupStack {
    test: String,
    run_id: String,
    ledger: Option<Arc<Ledger>>,
    state: Mutex<State>,
}

impl fmt::Debug for CleanupStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("CleanupStack")
            .field("test", &self.test)
            .field("run_id", &self.run_id)
            .field("pending", &state.entries.len())
            .field("closed", &state.closed)
            .finish()
    }
}

impl CleanupStack {
    /// A stack for the test `test` of run `run_id`, recording in `ledger`
    /// (none: no ledger records).
    pub fn new(
        test: impl Into<String>,
        run_id: impl Into<String>,
        ledger: Option<Arc<Ledger>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            test: test.into(),
            run_id: run_id.into(),
            ledger,
            state: Mutex::new(State::default()),
        })
    }

    /// A stack that is closed from the start: its guards are deleted by the
    /// cleanup thread when dropped. For code that creates resources outside
    /// a test runner.
    pub fn detached(
        test: impl Into<String>,
        run_id: impl Into<String>,
        ledger: Option<Arc<Ledger>>,
    ) -> Arc<Self> {
        let stack = Self::new(test, run_id, ledger);
        stack.lock().closed = true;
        stack
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The test's name.
    pub fn test(&self) -> &str {
        &self.test
    }

    /// The run id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The ledger, if any.
    pub fn ledger(&self) -> Option<&Arc<Ledger>> {
        self.ledger.as_ref()
    }

    /// The number of deletions waiting.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no deletion is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What happened to the resources of this stack so far, in order: one
    /// entry per `created`, `deleted` or `kept` record it wrote (kept also
    /// without a ledger), for reports of what a test created and cleaned.
    /// Deletions the cleanup thread ran for it are not included.
    pub fn history(&self) -> Vec<(Event, Deletion)> {
        self.lock().history.clone()
    }

    /// Whether [`run`](Self::run) has completed (pushes now go to the
    /// cleanup thread).
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Writes a ledger record for a resource on the cloud of `client`; a
    /// failure to write is reported on stderr (it must not fail the test,
    /// but must not go unnoticed either).
    pub(crate) fn record(&self, event: Event, deletion: &Deletion, client: &Client) {
        self.record_named(event, deletion, client, None);
    }

    /// [`record`](Self::record), naming the unique name the create request
    /// carried (which settles its intent).
    fn record_named(&self, event: Event, deletion: &Deletion, client: &Client, name: Option<&str>) {
        self.lock().history.push((event, deletion.clone()));
        let record = LedgerRecord::new(event, &self.run_id, &self.test, deletion)
            .on(client.endpoint())
            .named(name);
        self.append(&record);
    }

    fn append(&self, record: &LedgerRecord) {
        if let Some(ledger) = &self.ledger {
            if let Err(error) = ledger.append(record) {
                tracing::warn!(%error, "could not write the ledger");
                eprintln!("marvin: could not write the ledger: {error}");
            }
        }
    }

    /// Writes an `intent` ledger record before a create of an `entity`
    /// named `name` is sent on the cloud of `client` (see
    /// [`Event::Intent`]), and returns it; the `created` record of the
    /// resource, made with [`manage_named`](Self::manage_named), settles it.
    pub fn intent(
        &self,
        entity: &str,
        name: &str,
        intent: Intent,
        client: &Client,
    ) -> LedgerRecord {
        let record = LedgerRecord::intent(&self.run_id, &self.test, entity, name, intent)
            .on(client.endpoint());
        self.append(&record);
        record
    }

    /// Settles `intent` (from [`intent`](Self::intent)) when its create
    /// made nothing (the cloud refused it): a `never_created` record.
    pub fn never_created(&self, intent: &LedgerRecord) {
        self.append(&LedgerRecord::never_created(intent));
    }

    /// Registers a created resource: a `created` ledger record, and a guard
    /// that deletes it through `client` (see [`Managed`]).
    pub fn manage<T: Resource>(self: &Arc<Self>, value: T, client: &Client) -> Managed<T> {
        self.manage_named(value, client, None)
    }

    /// [`manage`](Self::manage) for a resource whose create request carried
    /// the unique name `name` (after an [`intent`](Self::intent)): its
    /// `created` record names it too.
    pub fn manage_named<T: Resource>(
        self: &Arc<Self>,
        value: T,
        client: &Client,
        name: Option<&str>,
    ) -> Managed<T> {
        let deletion = value.deletion();
        if let Some(deletion) = &deletion {
            self.record_named(Event::Created, deletion, client, name);
        }
        // The guard keeps its registration's place in the order: guards
        // are dropped in reverse order of creation, which would otherwise
        // delete the first-created resource first.
        let seq = self.next_seq();
        Managed::from_parts(value, deletion, client.clone(), Arc::clone(self), seq)
    }

    /// The next registration number.
    fn next_seq(&self) -> u64 {
        let mut state = self.lock();
        let seq = state.next_seq;
        state.next_seq += 1;
        seq
    }

    /// Registers a resource known only by its deletion (a `created` ledger
    /// record), to be deleted with the stack.
    pub fn defer(&self, deletion: Deletion, client: &Client) {
        self.record(Event::Created, &deletion, client);
        self.push(deletion, client.clone());
    }

    /// Puts a deletion on the stack without a ledger record (the guards'
    /// path: their resource was recorded when registered). On a closed
    /// stack it goes to the cleanup thread instead.
    pub fn push(&self, deletion: Deletion, client: Client) {
        let seq = self.next_seq();
        self.push_at(seq, deletion, client);
    }

    /// [`push`](Self::push) at the place in the order reserved by
    /// registration number `seq` (a guard's, from [`manage`](Self::manage)).
    pub(crate) fn push_at(&self, seq: u64, deletion: Deletion, client: Client) {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            self.to_thread(deletion, client);
            return;
        }
        state.entries.push(Entry {
            seq,
            deletion,
            client,
        });
    }

    fn to_thread(&self, deletion: Deletion, client: Client) {
        thread::enqueue(thread::Job {
            deletion,
            client,
            ledger: self.ledger.clone(),
            run_id: self.run_id.clone(),
            test: self.test.clone(),
        });
    }

    /// Runs every pending deletion and closes the stack.
    ///
    /// Order: higher [`Deletion::rank`] first; within a rank, last registered
    /// first (LIFO). Ranks encode dependencies that creation order alone
    /// misses: a volume created after the VM it is attached to must still go
    /// after the VM, a firewall rule before its IP, everything before its
    /// account and domain (see [`crate::resource::rank_of`]). LIFO within a
    /// rank handles nesting of one kind (a sub-domain before its parent).
    /// Neighbours in that order of one kind that does not nest (VMs,
    /// addresses, networks, volumes: rank 40 and up) are deleted up to eight
    /// at a time, started in order; accounts, domains, offerings and the
    /// zone's infrastructure go one by one.
    ///
    /// A not-found answer counts as done. A failure does not stop the
    /// others; a failure that may pass (5xx, a failed or timed-out job,
    /// transport) or that looks like a dependency (in use, attached) is
    /// tried again after the rest of the stack has run, in rounds with a
    /// short back-off (six passes and 2.5 s of pauses at most), so that a
    /// dependent deleted later unblocks it; what still fails is reported. Deleted (and already gone)
    /// resources get a `deleted` ledger record; failed ones stay pending in
    /// the ledger for `marvin cleanup`. Deletions pushed while this runs are
    /// run too.
    pub async fn run(&self) -> CleanupReport {
        let mut report = CleanupReport::default();
        loop {
            let mut entries = {
                let mut state = self.lock();
                if state.entries.is_empty() {
                    state.closed = true;
                    break;
                }
                std::mem::take(&mut state.entries)
            };
            super::order(&mut entries, |entry| (entry.deletion.rank, entry.seq));
            let settled =
                super::run_in_order(entries, |entry| (&entry.client, &entry.deletion)).await;
            for (entry, outcome) in settled {
                match outcome {
                    Outcome::Deleted => {
                        self.record(Event::Deleted, &entry.deletion, &entry.client);
                        report.deleted.push(entry.deletion);
                    }
                    Outcome::AlreadyGone(_) => {
                        self.record(Event::Deleted, &entry.deletion, &entry.client);
                        report.already_gone.push(entry.deletion);
                    }
                    Outcome::Failed(error) => {
                        report.failures.push(CleanupFailure {
                            deletion: entry.deletion,
                            error,
                        });
                    }
                }
            }
        }
        report
    }
}

impl Drop for CleanupStack {
    fn drop(&mut self) {
        let entries = std::mem::take(&mut self.lock().entries);
        for entry in entries {
            self.to_thread(entry.deletion, entry.client);
        }
    }
}

/// What [`CleanupStack::run`] did.
#[derive(Debug, Default)]
pub struct CleanupReport {
    /// Deleted, in the order they were.
    pub deleted: Vec<Deletion>,
    /// Found already gone (not-found), which counts as done.
    pub already_gone: Vec<Deletion>,
    /// Deletions that failed, with their last error.
    pub failures: Vec<CleanupFailure>,
}

impl CleanupReport {
    /// Whether every deletion succeeded (or found its resource gone).
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty()
    }

    /// How many deletions were attempted.
    pub fn total(&self) -> usize {
        self.deleted.len() + self.already_gone.len() + self.failures.len()
    }
}

impl fmt::Display for CleanupReport {
    /// `cleanup: 3 deleted, 1 already gone, 1 failed` and one line per
    /// failure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cleanup: {} deleted, {} already gone, {} failed",
            self.deleted.len(),
            self.already_gone.len(),
            self.failures.len()
        )?;
        for failure in &self.failures {
            write!(f, "\n  {failure}")?;
        }
        Ok(())
    }
}

/// One deletion that failed.
#[derive(Debug)]
pub struct CleanupFailure {
    /// What could not be deleted.
    pub deletion: Deletion,
    /// Why.
    pub error: Error,
}

impl fmt::Display for CleanupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not delete {} {} ({}): {}",
            self.deletion.entity, self.deletion.id, self.deletion.command, self.error
        )
    }
}
