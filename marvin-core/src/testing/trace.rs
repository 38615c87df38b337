//! [`ApiTrace`]: the API calls of one test, printed when it fails.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::Error;
use crate::observer::{CallObserver, CallOutcome, CallRecord};

tokio::task_local! {
    /// The trace of the test whose body runs on this task.
    static CURRENT: Arc<ApiTrace>;
}

/// How many calls the printed trace shows at most (the latest ones).
const SHOWN: usize = 50;
/// How many characters of a parameter value are shown.
const VALUE_CHARS: usize = 60;
/// How many characters of a failed call's answer are shown.
const ANSWER_CHARS: usize = 300;

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

    /// Marks the latest failed call that `error` came from (same command,
    /// same job, same message) as expected by the test; `false` when no
    /// such call is in the trace.
    pub fn expect_failure(&self, error: &Error) -> bool {
        let message = error.to_string();
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let found = calls.iter_mut().rev().find(|call| {
            !call.expected_failure
                && Some(call.command.as_str()) == error.command()
                && (error.job_id().is_none() || call.job_id.as_deref() == error.job_id())
                && matches!(&call.outcome, CallOutcome::Failed { message: m, .. } if *m == message)
        });
        match found {
            Some(call) => {
                call.expected_failure = true;
                true
            }
            None => false,
        }
    }

    /// The trace as text, one call per line (the last 50 calls):
    ///
    /// ```text
    /// API calls of smoke::vm (2):
    ///     1. listZones available=true -> ok (3 ms)
    ///     2. deployVirtualMachine zoneid=z1 templateid=t1 -> failed 533: no capacity (120 ms, job 7c1)
    ///          answer: {"jobstatus":2,"jobresultcode":533,"jobresult":{"errorcode":533,...}}
    /// ```
    ///
    /// A failed call shows the answer it got (redacted, cut at 300
    /// characters); a rejection the test expected is shown as such.
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
                CallOutcome::Failed { code, message } if call.expected_failure => match code {
                    Some(code) => format!("rejected as expected, {code}: {message}"),
                    None => format!("rejected as expected: {message}"),
                },
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
            if let Some(answer) = call.response.as_deref().filter(|_| !call.expected_failure) {
                let answer = crate::redact::truncate(answer, ANSWER_CHARS);
                let _ = write!(out, "\n         answer: {answer}");
            }
        }
        out
    }
}

/// Runs `body` (a test's body) with `trace` as the trace that
/// [`expect_failure`] marks calls in.
pub(crate) async fn watch<F: Future>(trace: Arc<ApiTrace>, body: F) -> F::Output {
    CURRENT.scope(trace, body).await
}

/// Marks the call `error` came from as a rejection the running test
/// expected (what `should().fail_with(..)` does when it passes), so that
/// reports do not show it as a failure. Outside a test, does nothing.
pub fn expect_failure(error: &Error) {
    let _ = CURRENT.try_with(|trace| trace.expect_failure(error));
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::ErrorCode;

    fn refused(command: &str, text: &str) -> Error {
        Error::Api {
            command: command.into(),
            status: 431,
            code: ErrorCode::ParamError,
            cs_code: None,
            text: text.into(),
        }
    }

    fn record(command: &str, error: Option<&Error>) -> CallRecord {
        CallRecord {
            command: command.into(),
            method: "GET",
            params: Vec::new(),
            started_at: SystemTime::UNIX_EPOCH,
            duration: Duration::from_millis(2),
            job_id: None,
            outcome: match error {
                None => CallOutcome::Ok,
                Some(error) => CallOutcome::Failed {
                    code: error.code(),
                    message: error.to_string(),
                },
            },
            response: error.map(|_| "{\"errorcode\":431}".to_string()),
            expected_failure: false,
        }
    }

    #[test]
    fn an_expected_rejection_is_marked_and_shown_as_expected() {
        let trace = ApiTrace::new();
        let duplicate = refused("createAccount", "duplicate");
        let missing = refused("createAccount", "missing email");
        trace.on_call(&record("createAccount", Some(&missing)));
        trace.on_call(&record("listAccounts", None));
        trace.on_call(&record("createAccount", Some(&duplicate)));
        assert!(trace.expect_failure(&duplicate));
        // Only the call it came from; a second mark finds no other.
        assert!(!trace.expect_failure(&duplicate));
        let expected: Vec<bool> = trace.calls().iter().map(|c| c.expected_failure).collect();
        assert_eq!(expected, [false, false, true]);
        let text = trace.render("accounts::dup");
        assert!(
            text.contains(
                "-> failed 431: createAccount was rejected (431): missing email (2 ms)\n         answer: {\"errorcode\":431}"
            ),
            "{text}"
        );
        // Only failed calls the test did not expect show their answer.
        assert_eq!(text.matches("answer:").count(), 1, "{text}");
        assert!(
            text.contains(
                "-> rejected as expected, 431: createAccount was rejected (431): duplicate"
            ),
            "{text}"
        );
    }
}
