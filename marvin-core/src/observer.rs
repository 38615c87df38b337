//! The call observer hook: a callback told about every API call a client
//! makes, for per-test API traces.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use marvin_core::observer::{CallObserver, CallRecord};
//!
//! #[derive(Default)]
//! struct Trace(Mutex<Vec<String>>);
//! impl CallObserver for Trace {
//!     fn on_call(&self, record: &CallRecord) {
//!         self.0.lock().unwrap().push(record.command.clone());
//!     }
//! }
//! let trace: Arc<dyn CallObserver> = Arc::new(Trace::default());
//! # drop(trace);
//! ```

use std::time::{Duration, SystemTime};

use crate::codes::ErrorCode;

/// Receives one [`CallRecord`] per finished call.
///
/// Called on the task that made the call, after it finished: keep it quick
/// and never block. Closures `Fn(&CallRecord) + Send + Sync` implement it.
pub trait CallObserver: Send + Sync {
    /// One call finished.
    fn on_call(&self, record: &CallRecord);

    /// A call of `command` is about to be sent (nothing has gone out yet).
    /// Every call reported by [`on_call`](Self::on_call) is announced here
    /// first; a call whose future is dropped half-way is announced but
    /// never reported. The default does nothing.
    fn on_start(&self, command: &str) {
        let _ = command;
    }
}

impl<F> CallObserver for F
where
    F: Fn(&CallRecord) + Send + Sync,
{
    fn on_call(&self, record: &CallRecord) {
        self(record)
    }
}

/// What a client reports about one call.
///
/// For an async command run with `execute` this is one record covering the
/// submission and the wait, with the job id; the polls are not reported
/// one by one. Each page of a listing is one record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallRecord {
    /// The command, as called (`deployVirtualMachine`).
    pub command: String,
    /// `GET` or `POST` (of the submission).
    pub method: &'static str,
    /// The caller's parameters, with secret values masked. The client's own
    /// (`command`, `response`, keys, signature, session key) are left out.
    pub params: Vec<(String, String)>,
    /// When it started, by the wall clock (to line calls up with the
    /// cloud's events and logs).
    pub started_at: SystemTime,
    /// Wall time, including retries and the job wait.
    pub duration: Duration,
    /// The async job, if one was started or waited for.
    pub job_id: Option<String>,
    /// How it ended.
    pub outcome: CallOutcome,
    /// For a failed call, the body of the last answer it got (the error
    /// answer, or the failed job's result), redacted like every text of
    /// this crate (secret fields masked, the call's secret values scrubbed)
    /// and cut at [`RESPONSE_CHARS`]; `None` for a call that succeeded or
    /// got no answer.
    pub response: Option<String>,
    /// Whether the test expected this failure: it checked the call's
    /// result with `should().fail_with(..)`. Reports show such a rejection
    /// as expected, not as a failure. Always `false` from the client; the
    /// test's trace sets it (see [`crate::testing::ApiTrace`]).
    pub expected_failure: bool,
}

/// How many characters of a failed call's answer a [`CallRecord`] keeps.
pub const RESPONSE_CHARS: usize = 4000;

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// It succeeded.
    Ok,
    /// It failed.
    Failed {
        /// The CloudStack error code, for API errors and failed jobs.
        code: Option<ErrorCode>,
        /// The error's message (free of secrets).
        message: String,
    },
}

impl CallOutcome {
    /// True for [`CallOutcome::Ok`].
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}
