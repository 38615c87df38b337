//! [`run_scenario`]: one test on the caller's runtime, its outcome returned
//! as data. [`run_test`](super::run_test) is built on it; suite runners (such
//! as `marvin smoke`) call it directly to run many tests concurrently on one
//! runtime and report on them.

use std::any::Any;
use std::collections::HashSet;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;

use super::context::TestContext;
use super::fixture::FixtureScope;
use super::runner::{RunSettings, SkipTest, TestSpec};
use super::site::{self, SiteSlot};
use super::trace::ApiTrace;
use crate::cleanup::{self, CleanupReport, Event, InFlight};
use crate::client::Api;
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
    /// For a body that returned an error with `?` (in a `#[marvin::test]`),
    /// where: `tests/vms.rs:42:57` (see [`super::TrySite`]).
    pub error_location: Option<String>,
    /// When the test started (the wall clock).
    pub started_at: SystemTime,
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
    /// For a failed or panicked test, the test's own events at the moment
    /// of failure, newest first, one line each: those of the resources it
    /// created and of the accounts among them, since it started; read
    /// before cleanup. Empty otherwise or when the
    /// cloud did not answer.
    pub recent_events: Vec<String>,
}

impl ScenarioOutcome {
    /// A test that did not run: skipped with `reason`.
    fn not_run(reason: String) -> Self {
        Self {
            verdict: Verdict::Skipped(reason),
            error_location: None,
            started_at: SystemTime::now(),
            body_time: Duration::ZERO,
            duration: Duration::ZERO,
            trace: Arc::new(ApiTrace::new()),
            cleanup: CleanupEnd::Ran(CleanupReport::default()),
            resources: Vec::new(),
            recent_events: Vec::new(),
        }
    }

    /// Why the test was skipped, when it counts as skipped: its body
    /// skipped itself (or the settings skipped it) and its cleanup did not
    /// fail. A runner reports such a test as skipped, not passed (under
    /// `libtest-mimic`, as `Completion::ignored_with(reason)`).
    pub fn skip_reason(&self) -> Option<&str> {
        match &self.verdict {
            Verdict::Skipped(reason) if !self.cleanup.failed() => Some(reason),
            _ => None,
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
    run(settings, spec, client, None, body).await
}

/// [`run_scenario`] for a test of a run whose shared fixtures come from
/// `fixtures` (see [`FixtureScope::for_run`]): they outlive the test, and
/// the runner cleans them up ([`FixtureScope::finished`]). Under
/// [`run_scenario`], a test's fixtures are its own: made for it, on its
/// cleanup stack.
pub async fn run_scenario_in<F>(
    settings: &RunSettings,
    spec: &TestSpec,
    client: Client,
    fixtures: &Arc<FixtureScope>,
    body: F,
) -> ScenarioOutcome
where
    F: for<'c> FnOnce(&'c mut TestContext) -> LocalBoxFuture<'c, Result<()>>,
{
    run(settings, spec, client, Some(fixtures), body).await
}

async fn run<F>(
    settings: &RunSettings,
    spec: &TestSpec,
    client: Client,
    fixtures: Option<&Arc<FixtureScope>>,
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
    let started_at = SystemTime::now();
    let mut ctx = TestContext::new(client, spec, settings);
    if let Some(fixtures) = fixtures {
        ctx.use_fixtures(Arc::clone(fixtures));
    }
    let chaos = ctx.chaos();
    let site = SiteSlot::default();
    let trace = ctx.trace_handle();
    let verdict = {
        let body = site::watch(Arc::clone(&site), async {
            let result = body(&mut ctx).await;
            if let Some(chaos) = &chaos {
                chaos.end_of_body(&result);
            }
            result
        });
        let body = super::trace::watch(trace, body);
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
    let error_location = match verdict {
        Verdict::Failed(_) => site::recorded(&site),
        _ => None,
    };
    let recent_events = match verdict {
        Verdict::Failed(_) | Verdict::Panicked(_) => {
            let created = ctx.cleanup().history();
            let window = started_at.checked_sub(CLOCK_SKEW).unwrap_or(started_at);
            test_events(ctx.client(), &created, window).await
        }
        _ => Vec::new(),
    };
    // The test's own fixtures (not a run's) give their guards up to its
    // stack before it runs.
    if !ctx.fixture_scope().is_run_scope() {
        ctx.fixture_scope().finish().await;
    }
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
        error_location,
        started_at,
        body_time,
        duration: started.elapsed(),
        trace: ctx.trace_handle(),
        cleanup,
        resources: ctx.cleanup().history(),
        recent_events,
    }
}

/// The line a skipped test prints where its harness has no way to report
/// it as skipped (cargo's own `#[test]` harness counts it as passed):
/// `SKIPPED vms::deploy (needs real hardware)`.
pub fn skip_notice(name: &str, reason: &str) -> String {
    format!("SKIPPED {name} ({reason})")
}

/// How many events a failure report shows at most.
const SHOWN_EVENTS: usize = 20;
/// How many of the cloud's latest events are searched for the test's own.
const SEARCHED_EVENTS: usize = 500;
/// How far the cloud's clock may be behind ours: events stamped this much
/// before the test started still count as the test's.
const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// The events of one test, newest first, one line each (`created type
/// level state: description`), best effort (a cloud that does not answer
/// within two seconds gives none; the calls are left out of the test's API
/// trace).
///
/// A test's events are those stamped after `since` that concern what it
/// `created` (from its cleanup history): the event's resource is one of
/// them, or its description names one, or it belongs to one of the
/// accounts among them (an action of the test's own users). Other tests
/// running at the same time, on the same admin account, are left out: their
/// events concern other resources.
pub(crate) async fn test_events(
    client: &Client,
    created: &[(Event, Deletion)],
    since: SystemTime,
) -> Vec<String> {
    let quiet = client.without_observer();
    let read = async {
        let ids: HashSet<&str> = created
            .iter()
            .filter(|(event, _)| *event == Event::Created)
            .map(|(_, deletion)| deletion.id.as_str())
            .filter(|id| !id.is_empty())
            .collect();
        let mut accounts: HashSet<(String, String)> = HashSet::new();
        for (_, deletion) in created
            .iter()
            .filter(|(e, d)| *e == Event::Created && d.entity == "Account" && !d.id.is_empty())
        {
            let params = crate::Params::from([("id", deletion.id.as_str()), ("listall", "true")]);
            if let Ok(answer) = quiet
                .call(Api::described("listAccounts", false))
                .params(params)
                .await
            {
                for account in answer["account"].as_array().into_iter().flatten() {
                    accounts.insert((text(account, "name"), text(account, "domainid")));
                }
            }
        }
        let size = SEARCHED_EVENTS.to_string();
        let params = crate::Params::from([
            ("listall", "true"),
            ("page", "1"),
            ("pagesize", size.as_str()),
        ]);
        let answer = quiet
            .call(Api::described("listEvents", false))
            .params(params)
            .await
            .ok()?;
        let events = answer["event"].as_array().cloned().unwrap_or_default();
        Some(own_events(&events, &ids, &accounts, since))
    };
    tokio::time::timeout(Duration::from_secs(2), read)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// The events of `events` that are the test's (see [`test_events`]),
/// newest first, as lines.
fn own_events(
    events: &[serde_json::Value],
    ids: &HashSet<&str>,
    accounts: &HashSet<(String, String)>,
    since: SystemTime,
) -> Vec<String> {
    let mut own: Vec<&serde_json::Value> = events
        .iter()
        .filter(|event| match created_at(&text(event, "created")) {
            Some(at) => at >= since,
            // Unreadable stamps are not dropped: better one too many.
            None => true,
        })
        .filter(|event| {
            let resource = text(event, "resourceid");
            let description = text(event, "description");
            ids.contains(resource.as_str())
                || ids.iter().any(|id| description.contains(id))
                || accounts.contains(&(text(event, "account"), text(event, "domainid")))
        })
        .collect();
    // Newest first, whatever order the cloud lists them in.
    own.sort_by_key(|event| std::cmp::Reverse(created_at(&text(event, "created"))));
    own.iter()
        .take(SHOWN_EVENTS)
        .map(|event| {
            format!(
                "{} {} {} {}: {}",
                text(event, "created"),
                text(event, "type"),
                text(event, "level"),
                text(event, "state"),
                text(event, "description")
            )
        })
        .collect()
}

fn text(value: &serde_json::Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_string()
}

/// CloudStack's event stamp (`2026-12-06T08:21:54+0000`) as a time.
fn created_at(stamp: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    time::OffsetDateTime::parse(stamp, &format)
        .ok()
        .map(SystemTime::from)
}

/// The text of a panic payload (`&str` or `String`).
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(a non-text panic)")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(
        created: &str,
        kind: &str,
        account: &str,
        resource: &str,
        text: &str,
    ) -> serde_json::Value {
        json!({
            "created": created, "type": kind, "level": "INFO", "state": "Completed",
            "account": account, "domainid": "d1", "resourceid": resource, "description": text,
        })
    }

    fn outcome(verdict: Verdict, cleanup: CleanupEnd) -> ScenarioOutcome {
        ScenarioOutcome {
            cleanup,
            verdict,
            ..ScenarioOutcome::not_run(String::new())
        }
    }

    #[test]
    fn a_skip_is_reported_as_one_unless_its_cleanup_failed() {
        let clean = || CleanupEnd::Ran(CleanupReport::default());
        let skipped = outcome(Verdict::Skipped("no advanced zone".into()), clean());
        assert_eq!(skipped.skip_reason(), Some("no advanced zone"));
        assert!(!skipped.is_failure());
        assert_eq!(outcome(Verdict::Passed, clean()).skip_reason(), None);
        let dirty = outcome(
            Verdict::Skipped("no advanced zone".into()),
            CleanupEnd::Panicked("boom".into()),
        );
        assert_eq!(dirty.skip_reason(), None);
        assert!(dirty.is_failure());
        assert_eq!(
            skip_notice("vms::deploy", "needs real hardware"),
            "SKIPPED vms::deploy (needs real hardware)"
        );
    }

    #[test]
    fn only_the_tests_own_events_since_it_started_are_shown() {
        let since = created_at("2026-12-06T08:00:00+0000").unwrap();
        let events = [
            // Another test's, at the same time, by the same admin.
            event(
                "2026-12-06T08:00:05+0000",
                "VM.CREATE",
                "admin",
                "vm-other",
                "Deploying VM vm-other",
            ),
            // This test's VM, by the admin.
            event(
                "2026-12-06T08:00:04+0000",
                "VM.CREATE",
                "admin",
                "vm-1",
                "Deploying VM vm-1",
            ),
            // An action of the test's own account (stamped in another zone).
            event(
                "2026-12-06T09:00:03+0100",
                "USER.LOGIN",
                "acct-1",
                "",
                "user logged in",
            ),
            // A description naming the test's resource.
            event(
                "2026-12-06T08:00:02+0000",
                "NET.IPASSIGN",
                "admin",
                "",
                "Assigned ip to vm-1",
            ),
            // The test's VM id reused by an event from before it started.
            event(
                "2026-12-06T07:59:00+0000",
                "VM.DESTROY",
                "admin",
                "vm-1",
                "old",
            ),
        ];
        let ids = HashSet::from(["vm-1"]);
        let accounts = HashSet::from([("acct-1".to_string(), "d1".to_string())]);
        assert_eq!(
            own_events(&events, &ids, &accounts, since),
            [
                "2026-12-06T08:00:04+0000 VM.CREATE INFO Completed: Deploying VM vm-1",
                "2026-12-06T09:00:03+0100 USER.LOGIN INFO Completed: user logged in",
                "2026-12-06T08:00:02+0000 NET.IPASSIGN INFO Completed: Assigned ip to vm-1",
            ]
        );
    }
}
