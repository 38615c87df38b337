//! [`ApiTrace`]: the API calls of one test, printed when it fails.

use std::fmt::Write as _;
use std::sync::Mutex;

use crate::observer::{CallObserver, CallOutcome, CallRecord};

/// How many calls the printed trace shows at most (the latest ones).
const SHOWN: usize = 50;
/// How many characters of a parameter value are shown.
const VALUE_CHARS: usize = 60;

/// A [`CallObserver`] that keeps every call a test's clients make: command,
/// parameters (secrets already masked by the client), duration, job and
/// outcome.
#[derive(Debug, Default)]
pub struct ApiTrace {
    calls: Mutex<Vec<CallRecord>>,
}

impl CallObserver for ApiTrace {
    fn on_call(&self, record: &CallRecord) {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(record.clone());
    }
}

impl ApiTrace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// The calls so far, in order.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The number of calls so far.
    pub fn len(&self) -> usize {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no call was made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trace as text, one call per line (the last 50 calls):
    ///
    /// ```text
    /// API calls of smoke::vm (2):
    ///     1. listZones available=true -> ok (3 ms)
    ///     2. deployVirtualMachine zoneid=z1 templateid=t1 -> failed 533: no capacity (120 ms, job 7c1)
    /// ```
    pub fn render(&self, test: &str) -> String {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = format!("API calls of {test} ({}):", calls.len());
        let skipped = calls.len().saturating_sub(SHOWN);
        if skipped > 0 {
            let _ = write!(out, "\n    ... {skipped} earlier call(s)");
        }
        for (index, call) in calls.iter().enumerate().skip(skipped) {
            let _ = write!(out, "\n  {:>3}. {}", index + 1, call.command);
            for (name, value) in &call.params {
                let value = crate::redact::truncate(value, VALUE_CHARS);
                let _ = write!(out, " {name}={value}");
            }
            let outcome = match &call.outcome {
                CallOutcome::Ok => "ok".to_string(),
                CallOutcome::Failed {
                    code: Some(code),
                    message,
                } => format!("failed {code}: {message}"),
                CallOutcome::Failed {
                    code: None,
                    message,
                } => format!("failed: {message}"),
            };
            let _ = write!(out, " -> {outcome} ({} ms", call.duration.as_millis());
            if let Some(job) = &call.job_id {
                let _ = write!(out, ", job {job}");
            }
            out.push(')');
        }
        out
    }
}
