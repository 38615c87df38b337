//! The results of a suite run, as plain data: what the summary, the JUnit
//! file and the HTML report are rendered from.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use marvin_core::cleanup::Event;
use marvin_core::observer::{CallOutcome, CallRecord};
use marvin_core::testing::{
    ChaosSettings, CleanupEnd, FixtureReport, ScenarioOutcome, Verdict, chaos,
};
use marvin_core::{Deletion, ErrorCode};

use super::coverage::Coverage;
use super::leaks::LeakCheck;

/// The result of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The body passed and cleanup deleted everything.
    Passed,
    /// The body failed (error, panic, signal) or cleanup failed.
    Failed,
    /// Skipped: by the test itself, or because the cloud (or the settings)
    /// cannot run it.
    Skipped,
    /// Never started: an earlier failure stopped the run (`--fail-fast`) or
    /// a termination signal arrived first. Not a failure.
    NotRun,
}

impl Status {
    /// `passed`, `failed`, `skipped` or `not run`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::NotRun => "not run",
        }
    }
}

/// Why a test failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The body panicked: a failed assertion, usually.
    Panic,
    /// The body panicked on purpose: a panic injected by
    /// `MARVIN_CHAOS_PANIC` (see `marvin_core::testing::chaos`).
    Chaos,
    /// The body returned an error.
    Error,
    /// The body passed (or skipped) but cleanup failed.
    Cleanup,
    /// A termination signal stopped it.
    Terminated,
}

impl FailureKind {
    /// A short name (`panic`, `chaos`, `error`, `cleanup`, `terminated`),
    /// used as the JUnit failure type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Panic => "panic",
            Self::Chaos => "chaos",
            Self::Error => "error",
            Self::Cleanup => "cleanup",
            Self::Terminated => "terminated",
        }
    }
}

/// A test's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind.
    pub kind: FailureKind,
    /// The message (the panic message, the error's display, or the cleanup
    /// failures).
    pub message: String,
    /// Where it panicked (`marvin-smoke/src/accounts.rs:42:5`), when known.
    pub location: Option<String>,
}

/// How a call of a test ended, when it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// The CloudStack error code (`431`), if the server gave one.
    pub code: Option<u16>,
    /// The error's message (free of secrets).
    pub message: String,
    /// The body of the answer it failed with, redacted (see
    /// `marvin_core::observer::CallRecord::response`).
    pub response: Option<String>,
    /// Whether the test expected the rejection (`should().fail_with(..)`):
    /// reports show it as expected, not as a failure.
    pub expected: bool,
}

/// One API call a test made (parameters with secrets masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// The command (`createAccount`).
    pub command: String,
    /// The parameters, secret values masked.
    pub params: Vec<(String, String)>,
    /// When it started, by the wall clock.
    pub started_at: Option<SystemTime>,
    /// Wall time, including the job wait for async commands.
    pub duration: Duration,
    /// The async job, if any.
    pub job_id: Option<String>,
    /// The failure, for a failed call.
    pub error: Option<CallError>,
}

impl From<&CallRecord> for ApiCall {
    fn from(record: &CallRecord) -> Self {
        let error = match &record.outcome {
            CallOutcome::Failed { code, message } => Some(CallError {
                code: code.map(ErrorCode::as_u16),
                message: message.clone(),
                response: record.response.clone(),
                expected: record.expected_failure,
            }),
            _ => None,
        };
        Self {
            command: record.command.clone(),
            params: record.params.clone(),
            started_at: Some(record.started_at),
            duration: record.duration,
            job_id: record.job_id.clone(),
            error,
        }
    }
}

/// What became of a resource a test created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// The test deleted it itself.
    DeletedByTest,
    /// The cleanup stack deleted it after the test.
    DeletedByCleanup,
    /// Cleanup found it already gone (deleted along with its owner).
    AlreadyGone,
    /// The test kept it on purpose.
    Kept,
    /// Cleanup could not delete it; the last error.
    CleanupFailed(String),
    /// Nothing deleted it (cleanup was cut short).
    Pending,
}

impl Fate {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Self::DeletedByTest => "deleted by the test".into(),
            Self::DeletedByCleanup => "deleted by cleanup".into(),
            Self::AlreadyGone => "already gone at cleanup".into(),
            Self::Kept => "kept".into(),
            Self::CleanupFailed(error) => format!("cleanup failed: {error}"),
            Self::Pending => "not deleted".into(),
        }
    }

    /// Whether the resource is (as far as the test knows) gone.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            Self::DeletedByTest | Self::DeletedByCleanup | Self::AlreadyGone
        )
    }
}

/// A resource a test created, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedResource {
    /// The entity (`Account`).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// How it is deleted (its command and key parameters).
    pub deletion: Deletion,
    /// What became of it.
    pub fate: Fate,
}

/// The result of one test, ready for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// `module::function`.
    pub name: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Passed, failed or skipped.
    pub status: Status,
    /// Wall time of body and cleanup.
    pub duration: Duration,
    /// Why it failed.
    pub failure: Option<Failure>,
    /// Why it was skipped.
    pub skip_reason: Option<String>,
    /// Cleanup problems (also for a test that failed for another reason).
    pub cleanup_problems: Vec<String>,
    /// Its API calls, cleanup included.
    pub calls: Vec<ApiCall>,
    /// The resources it created.
    pub resources: Vec<CreatedResource>,
    /// When it started, by the wall clock (`None` if it did not run).
    pub started_at: Option<SystemTime>,
    /// For a failed test, its own events at the moment of failure, newest
    /// first (see `marvin_core::testing::ScenarioOutcome::recent_events`).
    pub events: Vec<String>,
    /// The failures of the attempts before the last one (`--retries`): a
    /// test that passed after failing is flaky.
    pub earlier_failures: Vec<Failure>,
}

impl TestResult {
    /// The result of a test from its outcome; `location` is where it
    /// panicked, if the runner captured it.
    pub fn from_outcome(
        name: &str,
        tags: &[&str],
        outcome: ScenarioOutcome,
        location: Option<String>,
    ) -> Self {
        let cleanup_problems = cleanup_problems(&outcome.cleanup);
        let resources = created_resources(&outcome);
        let (status, failure, skip_reason) = match outcome.verdict {
            Verdict::Passed | Verdict::Skipped(_) if !cleanup_problems.is_empty() => (
                Status::Failed,
                Some(Failure {
                    kind: FailureKind::Cleanup,
                    message: format!(
                        "the test's own checks passed, but its cleanup failed:\n{}",
                        cleanup_problems.join("\n")
                    ),
                    location: None,
                }),
                None,
            ),
            Verdict::Passed => (Status::Passed, None, None),
            Verdict::Skipped(reason) => (Status::Skipped, None, Some(reason)),
            Verdict::Failed(error) => (
                Status::Failed,
                Some(Failure {
                    kind: FailureKind::Error,
                    message: format!("the test returned an error: {error}"),
                    location: outcome.error_location.clone(),
                }),
                None,
            ),
            Verdict::Panicked(ref payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(a non-text panic)".into());
                let kind = if chaos::is_chaos_panic(&message) {
                    FailureKind::Chaos
                } else {
                    FailureKind::Panic
                };
                (
                    Status::Failed,
                    Some(Failure {
                        kind,
                        message,
                        location,
                    }),
                    None,
                )
            }
            Verdict::Terminated => (
                Status::Failed,
                Some(Failure {
                    kind: FailureKind::Terminated,
                    message: "stopped by a termination signal".into(),
                    location: None,
                }),
                None,
            ),
            // Verdict is non-exhaustive: a kind this runner does not know.
            ref other => (
                Status::Failed,
                Some(Failure {
                    kind: FailureKind::Error,
                    message: format!("unknown outcome: {other:?}"),
                    location: None,
                }),
                None,
            ),
        };
        Self {
            name: name.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            status,
            duration: outcome.duration,
            failure,
            skip_reason,
            cleanup_problems,
            calls: outcome.trace.calls().iter().map(ApiCall::from).collect(),
            resources,
            started_at: Some(outcome.started_at),
            events: outcome.recent_events,
            earlier_failures: Vec::new(),
        }
    }

    /// The result of a shared fixture, reported like a test named
    /// `fixture NAME` with the tag `fixture`: its calls (making and
    /// cleanup), its resources, and a failure when it could not be made or
    /// its cleanup failed.
    pub fn from_fixture(report: FixtureReport) -> FixtureResult {
        let name = format!("fixture {}", report.name);
        let result = Self::from_outcome(&name, &["fixture"], report.outcome, None);
        FixtureResult {
            name: report.name,
            users: report.users,
            result,
        }
    }

    /// A test that was not run: skipped for `reason`.
    pub fn skipped(name: &str, tags: &[&str], reason: String) -> Self {
        Self {
            name: name.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            status: Status::Skipped,
            duration: Duration::ZERO,
            failure: None,
            skip_reason: Some(reason),
            cleanup_problems: Vec::new(),
            calls: Vec::new(),
            resources: Vec::new(),
            started_at: None,
            events: Vec::new(),
            earlier_failures: Vec::new(),
        }
    }

    /// A test that never started, for `reason`.
    pub fn not_run(name: &str, tags: &[&str], reason: String) -> Self {
        Self {
            status: Status::NotRun,
            ..Self::skipped(name, tags, reason)
        }
    }

    /// How many times it ran (1 without retries; 0 if it never started).
    pub fn attempts(&self) -> usize {
        match self.status {
            Status::NotRun => 0,
            _ => self.earlier_failures.len() + 1,
        }
    }

    /// Whether it passed only after failing (`--retries`).
    pub fn is_flaky(&self) -> bool {
        self.status == Status::Passed && !self.earlier_failures.is_empty()
    }

    /// Adds the calls, resources and failures of an earlier (failed)
    /// attempt to this (later) attempt's result.
    pub fn after_attempt(mut self, earlier: TestResult) -> Self {
        let mut calls = earlier.calls;
        calls.append(&mut self.calls);
        self.calls = calls;
        let mut resources = earlier.resources;
        resources.append(&mut self.resources);
        self.resources = resources;
        let mut failures = earlier.earlier_failures;
        failures.extend(earlier.failure);
        failures.append(&mut self.earlier_failures);
        self.earlier_failures = failures;
        self.duration += earlier.duration;
        // The attempts together started with the first one (the report's
        // time bar spans them all).
        self.started_at = earlier.started_at.or(self.started_at);
        self
    }
}

fn cleanup_problems(cleanup: &CleanupEnd) -> Vec<String> {
    match cleanup {
        CleanupEnd::Ran(report) => report.failures.iter().map(ToString::to_string).collect(),
        CleanupEnd::Panicked(message) => vec![format!("cleanup panicked: {message}")],
        CleanupEnd::CutShort => {
            vec!["cleanup was cut short by the grace period; see the ledger".into()]
        }
        other => vec![format!("unknown cleanup outcome: {other:?}")],
    }
}

/// Each created resource with its fate, in creation order.
fn created_resources(outcome: &ScenarioOutcome) -> Vec<CreatedResource> {
    let key = |entity: &str, id: &str| format!("{entity}\u{0}{id}");
    let mut by_cleanup: HashMap<String, Fate> = HashMap::new();
    if let CleanupEnd::Ran(report) = &outcome.cleanup {
        for d in &report.deleted {
            by_cleanup.insert(key(&d.entity, &d.id), Fate::DeletedByCleanup);
        }
        for d in &report.already_gone {
            by_cleanup.insert(key(&d.entity, &d.id), Fate::AlreadyGone);
        }
        for f in &report.failures {
            by_cleanup.insert(
                key(&f.deletion.entity, &f.deletion.id),
                Fate::CleanupFailed(f.error.to_string()),
            );
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut resources: HashMap<String, CreatedResource> = HashMap::new();
    for (event, deletion) in &outcome.resources {
        let k = key(&deletion.entity, &deletion.id);
        match event {
            Event::Created => {
                if !resources.contains_key(&k) {
                    order.push(k.clone());
                }
                resources.insert(
                    k,
                    CreatedResource {
                        entity: deletion.entity.clone(),
                        id: deletion.id.clone(),
                        deletion: deletion.clone(),
                        fate: Fate::Pending,
                    },
                );
            }
            Event::Deleted | Event::Kept => {
                if let Some(resource) = resources.get_mut(&k) {
                    resource.fate = match (event, by_cleanup.get(&k)) {
                        (Event::Kept, _) => Fate::Kept,
                        (_, Some(fate)) => fate.clone(),
                        _ => Fate::DeletedByTest,
                    };
                }
            }
            _ => {}
        }
    }
    // Failed deletions leave no event: their fate comes from the report.
    for (k, resource) in &mut resources {
        if resource.fate == Fate::Pending {
            if let Some(fate @ Fate::CleanupFailed(_)) = by_cleanup.get(k) {
                resource.fate = fate.clone();
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| resources.remove(&k))
        .collect()
}

/// What a shared fixture of the run did, and for whom.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureResult {
    /// The fixture's name (`module::NAME`).
    pub name: String,
    /// The tests that asked for it, in the order they first did.
    pub users: Vec<String>,
    /// Its making and cleanup as a test's result (named `fixture NAME`):
    /// calls, resources, and a failure when it could not be made or its
    /// cleanup failed.
    pub result: TestResult,
}

/// The result of a whole suite run.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteResult {
    /// The suite's name (`smoke`).
    pub suite: String,
    /// The run id (in the ledger and in resource names).
    pub run_id: String,
    /// Where it ran: the endpoint URL, and whether it is the embedded
    /// simulator.
    pub target: String,
    /// When it started (RFC 3339, UTC).
    pub started: String,
    /// Wall time of the whole run, leak check included.
    pub wall: Duration,
    /// How many tests ran at once.
    pub jobs: usize,
    /// The selected tags (empty: all).
    pub tags: Vec<String>,
    /// One result per selected test, in table order.
    pub tests: Vec<TestResult>,
    /// One result per shared fixture the tests asked for, in the order
    /// they were cleaned up.
    pub fixtures: Vec<FixtureResult>,
    /// What the leak check found.
    pub leaks: LeakCheck,
    /// Which APIs the run exercised.
    pub coverage: Coverage,
    /// The injected panics of the run (`MARVIN_CHAOS_PANIC`), if on.
    pub chaos: Option<ChaosSettings>,
}

impl SuiteResult {
    /// How many tests ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.tests.iter().filter(|t| t.status == status).count()
    }

    /// The tests that failed, in table order.
    pub fn failed(&self) -> impl Iterator<Item = &TestResult> {
        self.tests.iter().filter(|t| t.status == Status::Failed)
    }

    /// The `n` slowest tests that ran, slowest first.
    pub fn slowest(&self, n: usize) -> Vec<&TestResult> {
        let mut ran: Vec<&TestResult> = self
            .tests
            .iter()
            .filter(|t| !matches!(t.status, Status::Skipped | Status::NotRun))
            .collect();
        ran.sort_by(|a, b| b.duration.cmp(&a.duration).then(a.name.cmp(&b.name)));
        ran.truncate(n);
        ran
    }

    /// The tests that failed by an injected panic (`MARVIN_CHAOS_PANIC`).
    pub fn chaos_panics(&self) -> usize {
        self.failed()
            .filter(|t| t.failure.as_ref().map(|f| f.kind) == Some(FailureKind::Chaos))
            .count()
    }

    /// The tests that passed only after failing (`--retries`).
    pub fn flaky(&self) -> impl Iterator<Item = &TestResult> {
        self.tests.iter().filter(|t| t.is_flaky())
    }

    /// Whether every test passed or was skipped, every shared fixture was
    /// cleaned up, and nothing leaked.
    pub fn is_success(&self) -> bool {
        self.count(Status::Failed) == 0
            && self.leaks.leaks.is_empty()
            && self.fixture_cleanup_failures().next().is_none()
    }

    /// The shared fixtures whose cleanup failed.
    pub fn fixture_cleanup_failures(&self) -> impl Iterator<Item = &FixtureResult> {
        self.fixtures
            .iter()
            .filter(|f| !f.result.cleanup_problems.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use marvin_core::Error;
    use marvin_core::cleanup::{CleanupFailure, CleanupReport};
    use marvin_core::testing::ApiTrace;

    use super::*;

    fn deletion(entity: &str, id: &str) -> Deletion {
        Deletion::new(entity, id, &format!("delete{entity}"), false)
    }

    fn outcome(verdict: Verdict, cleanup: CleanupEnd, events: &[(Event, &str)]) -> ScenarioOutcome {
        ScenarioOutcome {
            verdict,
            error_location: None,
            started_at: std::time::SystemTime::UNIX_EPOCH,
            body_time: Duration::from_millis(10),
            duration: Duration::from_millis(12),
            trace: Arc::new(ApiTrace::new()),
            cleanup,
            resources: events
                .iter()
                .map(|(e, id)| (*e, deletion("Account", id)))
                .collect(),
            recent_events: Vec::new(),
        }
    }

    #[test]
    fn fates_follow_the_history_and_the_cleanup_report() {
        let report = CleanupReport {
            deleted: vec![deletion("Account", "b")],
            already_gone: vec![deletion("Account", "c")],
            failures: vec![CleanupFailure {
                deletion: deletion("Account", "d"),
                error: Error::setup("refused"),
            }],
        };
        let events = [
            (Event::Created, "a"),
            (Event::Created, "b"),
            (Event::Created, "c"),
            (Event::Created, "d"),
            (Event::Created, "e"),
            (Event::Deleted, "a"),
            (Event::Kept, "e"),
            (Event::Deleted, "c"),
            (Event::Deleted, "b"),
        ];
        let result = TestResult::from_outcome(
            "accounts::x",
            &["smoke"],
            outcome(Verdict::Passed, CleanupEnd::Ran(report), &events),
            None,
        );
        let fates: Vec<(String, Fate)> = result
            .resources
            .iter()
            .map(|r| (r.id.clone(), r.fate.clone()))
            .collect();
        assert_eq!(
            fates,
            [
                ("a".into(), Fate::DeletedByTest),
                ("b".into(), Fate::DeletedByCleanup),
                ("c".into(), Fate::AlreadyGone),
                (
                    "d".into(),
                    Fate::CleanupFailed("client setup: refused".into())
                ),
                ("e".into(), Fate::Kept),
            ]
        );
        // Its checks passed, but cleanup failed: the test fails.
        assert_eq!(result.status, Status::Failed);
        let failure = result.failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Cleanup);
        assert!(failure.message.contains("could not delete Account d"));
    }

    #[test]
    fn a_panic_keeps_its_message_and_location() {
        let result = TestResult::from_outcome(
            "accounts::y",
            &[],
            outcome(
                Verdict::Panicked(Box::new("state should equal \"enabled\"".to_string())),
                CleanupEnd::Ran(CleanupReport::default()),
                &[],
            ),
            Some("marvin-smoke/src/accounts.rs:10:5".into()),
        );
        assert_eq!(result.status, Status::Failed);
        assert_eq!(
            result.failure,
            Some(Failure {
                kind: FailureKind::Panic,
                message: "state should equal \"enabled\"".into(),
                location: Some("marvin-smoke/src/accounts.rs:10:5".into()),
            })
        );
        assert_eq!(result.duration, Duration::from_millis(12));
    }

    #[test]
    fn a_retried_test_started_with_its_first_attempt() {
        let at = |ms| Some(std::time::SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
        let mut first = TestResult::skipped("vms::x", &[], String::new());
        first.started_at = at(100);
        first.duration = Duration::from_millis(40);
        let mut second = first.clone();
        second.started_at = at(150);
        let both = second.after_attempt(first);
        assert_eq!(both.started_at, at(100));
        assert_eq!(both.duration, Duration::from_millis(80));
    }

    #[test]
    fn an_error_returned_with_a_question_mark_keeps_its_place() {
        let mut failed = outcome(
            Verdict::Failed(Error::setup("refused")),
            CleanupEnd::Ran(CleanupReport::default()),
            &[],
        );
        failed.error_location = Some("tests/vms.rs:42:57".into());
        let result = TestResult::from_outcome("vms::deploy", &[], failed, None);
        let failure = result.failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Error);
        assert_eq!(failure.location.as_deref(), Some("tests/vms.rs:42:57"));
    }

    #[test]
    fn an_injected_panic_is_marked_as_chaos() {
        let message = format!("{} injected panic before API call 2", chaos::CHAOS_MARKER);
        let result = TestResult::from_outcome(
            "accounts::y",
            &[],
            outcome(
                Verdict::Panicked(Box::new(message.clone())),
                CleanupEnd::Ran(CleanupReport::default()),
                &[],
            ),
            None,
        );
        assert_eq!(result.status, Status::Failed);
        let failure = result.failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Chaos);
        assert_eq!(failure.kind.as_str(), "chaos");
        assert_eq!(failure.message, message);
    }

    #[test]
    fn a_skip_is_a_skip() {
        let result = TestResult::from_outcome(
            "vms::z",
            &[],
            outcome(
                Verdict::Skipped("no advanced zone".into()),
                CleanupEnd::Ran(CleanupReport::default()),
                &[],
            ),
            None,
        );
        assert_eq!(result.status, Status::Skipped);
        assert_eq!(result.skip_reason.as_deref(), Some("no advanced zone"));
    }
}
