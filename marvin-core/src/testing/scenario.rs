//! [`run_scenario`]: one test on the caller's runtime, its outcome returned
//! as data. [`run_test`](super::run_test) is built on it; suite runners (such
//! as `marvin smoke`) call it directly to run many tests concurrently on one
//! runtime and report on them.

use std::any::Any;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;

use super::context::TestContext;
use super::runner::{RunSettings, SkipTest, TestSpec};
use super::trace::ApiTrace;
use crate::cleanup::{self, CleanupReport, Event, InFlight};
use crate::resource::Deletion;
use crate::{Client, Error, Result};

/// How a test's body ended.
#[non_exhaustive]
pub enum Verdict {
    /// The body returned `Ok(())`.
    Passed,
    /// The body returned an error.
    Failed(Error),
    /// The body panicked (a failed assertion, usually); the payload is kept
    /// so that a caller can re-raise it unchanged.
    Panicked(Box<dyn Any + Send>),
    /// The body skipped itself ([`TestContext::skip`]), or the settings
    /// skip the test (it did not run); the reason.
    Skipped(String),
    /// A termination signal stopped the body.
    Terminated,
}

impl Verdict {
    /// The panic message, for a body that panicked with a text payload.
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            Self::Panicked(payload) => Some(panic_text(payload.as_ref())),
            _ => None,
        }
    }

    /// Whether the body passed or skipped itself.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Passed | Self::Skipped(_))
    }
}

impl fmt::Debug for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passed => f.write_str("Passed"),
            Self::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
            Self::Panicked(payload) => f
                .debug_tuple("Panicked")
                .field(&panic_text(payload.as_ref()))
                .finish(),
            Self::Skipped(reason) => f.debug_tuple("Skipped").field(reason).finish(),
            Self::Terminated => f.write_str("Terminated"),
        }
    }
}

/// How a test's cleanup stack ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum CleanupEnd {
    /// It ran; what it did.
    Ran(CleanupReport),
    /// It panicked (a bug in a deletion); the panic message.
    Panicked(String),
    /// The grace period after a termination signal ended first; what was
    /// left is pending in the ledger.
    CutShort,
}

impl CleanupEnd {
    /// Whether a deletion failed, cleanup panicked or it was cut short.
    pub fn failed(&self) -> bool {
        match self {
            Self::Ran(report) => !report.is_clean(),
            Self::Panicked(_) | Self::CutShort => true,
        }
    }
}

/// Everything about one finished test: how the body ended, how long it
/// took, the API calls it made (cleanup included), its cleanup, and what
/// happened to each resource it registered.
#[derive(Debug)]
pub struct ScenarioOutcome {
    /// How the body ended.
    pub verdict: Verdict,
    /// Wall time of the body alone.
    pub body_time: Duration,
    /// Wall time of body and cleanup.
    pub duration: Duration,
    /// The test's API calls (secrets masked), cleanup calls included.
    pub trace: Arc<ApiTrace>,
    /// How cleanup ended.
    pub cleanup: CleanupEnd,
    /// The ledger events of the test's resources, in order: `created` when
    /// registered, `deleted` when deleted (by the test or by cleanup), `kept`
    /// when kept (see [`crate::cleanup::CleanupStack::history`]).
    pub resources: Vec<(Event, Deletion)>,
    /// For a failed or panicked test, the cloud's most recent events at the
    /// moment of failure (one line each), read before cleanup; empty
    /// otherwise or when the cloud did not answer.
    pub recent_events: Vec<String>,
}

impl ScenarioOutcome {
    /// A test that did not run: skipped with `reason`.
    fn not_run(reason: String) -> Self {
        Self {
            verdict: Verdict::Skipped(reason),
            body_time: Duration::ZERO,
            duration: Duration::ZERO,
            trace: Arc::new(ApiTrace::new()),
            cleanup: CleanupEnd::Ran(CleanupReport::default()),
            resources: Vec::new(),
            recent_events: Vec::new(),
        }
    }

    /// Whether the test counts as failed: its body failed, panicked or was
    /// terminated, or its cleanup failed.
    pub fn is_failure(&self) -> bool {
        !self.verdict.is_success() || self.cleanup.failed()
    }
}

/// Runs one test on the current tokio runtime and returns what happened,
/// printing nothing and re-raising nothing.
///
/// 1. When `settings` skip the test (tags, hardware), returns a
///    [`Verdict::Skipped`] outcome without calling the cloud.
/// 2. Builds the [`TestContext`] on `client` (the admin client) and runs
///    `body` with panics caught; a termination signal (with the handler of
///    [`cleanup::install_termination_handler`]) stops it. With
///    [`RunSettings::chaos`], the body may panic on purpose at a random
///    point ([`super::chaos`]); that is a [`Verdict::Panicked`] whose message
///    starts with [`super::chaos::CHAOS_MARKER`].
/// 3. Always runs the cleanup stack afterwards (cut short by the grace
///    period after a signal), catching a panic inside it.
///
/// Many tests may run concurrently on one runtime, each with its own
/// context, cleanup stack and trace. A panic's message still goes through
/// the process's panic hook (callers that want it elsewhere install their
/// own hook).
pub async fn run_scenario<F>(
    settings: &RunSettings,
    spec: &TestSpec,
    client: Client,
    body: F,
) -> ScenarioOutcome
where
    F: for<'c> FnOnce(&'c mut TestContext) -> LocalBoxFuture<'c, Result<()>>,
{
    if let Some(reason) = settings.skip_reason(spec) {
        return ScenarioOutcome::not_run(reason);
    }
    let _in_flight = InFlight::enter();
    let started = Instant::now();
    let mut ctx = TestContext::new(client, spec, settings);
    let chaos = ctx.chaos();
    let verdict = {
        let body = async {
            let result = body(&mut ctx).await;
            if let Some(chaos) = &chaos {
                chaos.end_of_body(&result);
            }
            result
        };
        let run = AssertUnwindSafe(body).catch_unwind();
        tokio::select! {
            biased;
            result = run => match result {
                Ok(Ok(())) => Verdict::Passed,
                Ok(Err(error)) => Verdict::Failed(error),
                Err(payload) => match payload.downcast::<SkipTest>() {
                    Ok(skip) => Verdict::Skipped(skip.reason),
                    Err(payload) => Verdict::Panicked(payload),
                },
            },
            () = cleanup::terminated() => Verdict::Terminated,
        }
    };
    if let Some(chaos) = &chaos {
        chaos.disarm();
    }
    let body_time = started.elapsed();
    let recent_events = match verdict {
        Verdict::Failed(_) | Verdict::Panicked(_) => recent_events(ctx.client()).await,
        _ => Vec::new(),
    };
    // The body's future is gone: every guard it held is on the stack now.
    // A panic inside cleanup (a bug) must not replace the test's outcome.
    let run = AssertUnwindSafe(ctx.cleanup().run()).catch_unwind();
    let ran = match cleanup::termination_deadline() {
        Some(deadline) => tokio::time::timeout_at(deadline.into(), run).await.ok(),
        None => Some(run.await),
    };
    let cleanup = match ran {
        Some(Ok(report)) => CleanupEnd::Ran(report),
        Some(Err(payload)) => CleanupEnd::Panicked(panic_text(payload.as_ref()).to_string()),
        None => CleanupEnd::CutShort,
    };
    ScenarioOutcome {
        verdict,
        body_time,
        duration: started.elapsed(),
        trace: ctx.trace_handle(),
        cleanup,
        resources: ctx.cleanup().history(),
        recent_events,
    }
}

/// How many events a failure report shows.
const RECENT_EVENTS: usize = 10;

/// The cloud's latest events, one line each (`created type level state:
/// description`), best effort: a cloud that does not answer within two
/// seconds gives none. The call is left out of the test's API trace.
async fn recent_events(client: &Client) -> Vec<String> {
    let size = RECENT_EVENTS.to_string();
    let params = crate::Params::from([
        ("listall", "true"),
        ("page", "1"),
        ("pagesize", size.as_str()),
    ]);
    let quiet = client.without_observer();
    let read = tokio::time::timeout(Duration::from_secs(2), quiet.request("listEvents", params));
    let Ok(Ok(answer)) = read.await else {
        return Vec::new();
    };
    let field = |event: &serde_json::Value, name: &str| {
        event[name].as_str().unwrap_or_default().to_string()
    };
    let mut events: Vec<serde_json::Value> =
        answer["event"].as_array().cloned().unwrap_or_default();
    // Newest first, whatever order the cloud lists them in.
    events.sort_by_key(|event| std::cmp::Reverse(field(event, "created")));
    events
        .iter()
        .take(RECENT_EVENTS)
        .map(|event| {
            format!(
                "{} {} {} {}: {}",
                field(event, "created"),
                field(event, "type"),
                field(event, "level"),
                field(event, "state"),
                field(event, "description")
            )
        })
        .collect()
}

/// The text of a panic payload (`&str` or `String`).
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(a non-text panic)")
}
