//! The process-wide cleanup thread: deletions that no test runner will run
//! (guards outside a test, or that outlived theirs) are executed here, on a
//! dedicated `std::thread` with its own current-thread tokio runtime.
//!
//! Why a thread and not `tokio::spawn` from `Drop`: the runtime a guard is
//! dropped in may be shutting down (spawning then panics or the task never
//! runs), and blocking inside `Drop` can deadlock a runtime. Sending on a
//! channel is neither.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::ledger::{Event, Ledger};
use super::stack::{CleanupFailure, CleanupReport};
use super::{Outcome, execute};
use crate::Client;
use crate::resource::Deletion;

pub(crate) struct Job {
    pub(crate) deletion: Deletion,
    pub(crate) client: Client,
    pub(crate) ledger: Option<Arc<Ledger>>,
    pub(crate) run_id: String,
    pub(crate) test: String,
}

struct Worker {
    sender: Sender<Job>,
    /// Jobs queued or running, and what the finished ones did since the
    /// last flush.
    state: Mutex<(usize, CleanupReport)>,
    idle: Condvar,
}

fn worker() -> &'static Worker {
    static WORKER: OnceLock<Worker> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("marvin-cleanup".into())
            .spawn(move || run(receiver))
            .expect("could not start the marvin cleanup thread");
        Worker {
            sender,
            state: Mutex::new((0, CleanupReport::default())),
            idle: Condvar::new(),
        }
    })
}

/// Queues a deletion for the cleanup thread (starting it on first use).
pub(crate) fn enqueue(job: Job) {
    let worker = worker();
    worker.state.lock().unwrap_or_else(|p| p.into_inner()).0 += 1;
    if let Err(mpsc::SendError(job)) = worker.sender.send(job) {
        // The thread is gone (it only ends with the process): report the leak.
        finish(
            worker,
            &job,
            Outcome::Failed(crate::Error::Setup {
                message: "the cleanup thread is not running".into(),
                source: None,
            }),
        );
    }
}

fn run(receiver: Receiver<Job>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("could not build the cleanup thread's runtime");
    while let Ok(job) = receiver.recv() {
        // A panic (a bug) must neither kill the thread nor leave `flush`
        // waiting for a job that never finishes.
        // Retried like a stack's deletions (a lone deletion has no
        // dependents to wait for, but its failure may be passing).
        let run = std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                super::run_rounds(
                    vec![()],
                    super::RetryPolicy::DEFAULT,
                    |()| None::<()>,
                    async |()| execute(&job.client, &job.deletion).await,
                )
                .await
                .pop()
                .map_or_else(
                    || Outcome::Failed(crate::Error::setup("the cleanup thread lost a deletion")),
                    |(_, outcome)| outcome,
                )
            })
        });
        let outcome = std::panic::catch_unwind(run).unwrap_or_else(|_| {
            Outcome::Failed(crate::Error::Setup {
                message: "the cleanup thread panicked while deleting".into(),
                source: None,
            })
        });
        finish(worker(), &job, outcome);
    }
}

fn finish(worker: &Worker, job: &Job, outcome: Outcome) {
    if !matches!(outcome, Outcome::Failed(_)) {
        if let Some(ledger) = &job.ledger {
            let endpoint = job.client.endpoint();
            if let Err(error) = ledger.record(
                Event::Deleted,
                &job.run_id,
                &job.test,
                endpoint,
                &job.deletion,
            ) {
                eprintln!("marvin: could not write the ledger: {error}");
            }
        }
    }
    let mut state = worker.state.lock().unwrap_or_else(|p| p.into_inner());
    match outcome {
        Outcome::Deleted => state.1.deleted.push(job.deletion.clone()),
        Outcome::AlreadyGone(_) => state.1.already_gone.push(job.deletion.clone()),
        Outcome::Failed(error) => {
            let failure = CleanupFailure {
                deletion: job.deletion.clone(),
                error,
            };
            tracing::warn!(test = %job.test, "{failure}");
            eprintln!("marvin: cleanup of {}: {failure}", job.test);
            state.1.failures.push(failure);
        }
    }
    state.0 -= 1;
    if state.0 == 0 {
        worker.idle.notify_all();
    }
}

/// Waits until the cleanup thread has run every queued deletion, and
/// returns what it did since the previous flush (at once when nothing is
/// queued). Call it at the end of a process that used guards outside
/// a test runner.
pub fn flush() -> CleanupReport {
    flush_timeout(Duration::MAX).unwrap_or_default()
}

/// [`flush`] waiting at most `timeout`; `None` if deletions were still
/// running then.
pub fn flush_timeout(timeout: Duration) -> Option<CleanupReport> {
    let worker = worker();
    let deadline = Instant::now().checked_add(timeout);
    let mut state = worker.state.lock().unwrap_or_else(|p| p.into_inner());
    while state.0 > 0 {
        let wait = match deadline {
            None => Duration::from_secs(3600),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                left
            }
        };
        state = worker
            .idle
            .wait_timeout(state, wait)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    Some(std::mem::take(&mut state.1))
}
