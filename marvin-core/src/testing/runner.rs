//! [`run_test`]: the one function a `#[marvin::test]` expands to a call of.

use std::future::Future;
use std::io::Write as _;
use std::panic::resume_unwind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::LocalBoxFuture;

use super::chaos::ChaosSettings;
use super::context::TestContext;
use super::scenario::{CleanupEnd, ScenarioOutcome, Verdict, run_scenario};
use crate::cleanup::{self, InFlight};
use crate::{Client, Result};

/// What a test is: its full name and its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSpec {
    /// The full name (`module_path!()` and the function name, joined by `::`).
    pub name: String,
    /// The tags (`smoke`, `advanced`, ...).
    pub tags: Vec<String>,
    /// The capabilities the backend must have for the test to run
    /// (`live`, `simulator`, or one a config declares); see
    /// [`RunSettings::capabilities`].
    pub needs: Vec<String>,
    /// Whether the test needs real hypervisors (Marvin's
    /// `required_hardware`); such tests are skipped unless
    /// `MARVIN_HARDWARE=true`.
    pub required_hardware: bool,
    /// The shared fixtures it declares (their names; see
    /// [`super::fixture`]): a run's scope cleans a fixture up once every
    /// test that declared it has finished.
    pub fixtures: Vec<String>,
}

impl TestSpec {
    /// A test without tags.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            needs: Vec::new(),
            required_hardware: false,
            fixtures: Vec::new(),
        }
    }

    /// Declares the shared fixtures the test uses (by name).
    #[must_use]
    pub fn with_fixtures<I, S>(mut self, fixtures: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fixtures = fixtures.into_iter().map(Into::into).collect();
        self
    }

    /// Declares the backend capabilities the test needs.
    #[must_use]
    pub fn with_needs<I, S>(mut self, needs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.needs = needs.into_iter().map(Into::into).collect();
        self
    }

    /// Marks the test as needing real hardware.
    #[must_use]
    pub fn with_required_hardware(mut self, required: bool) -> Self {
        self.required_hardware = required;
        self
    }

    /// Sets the tags.
    #[must_use]
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }
}

/// How tests run; [`from_env`](Self::from_env) reads the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// The run id written to the ledger.
    pub run_id: String,
    /// The ledger file; `None` writes no ledger.
    pub ledger: Option<PathBuf>,
    /// Only tests with one of these tags run; `None` runs all.
    pub selected_tags: Option<Vec<String>>,
    /// Install the SIGTERM/SIGINT handler with this grace period; `None`
    /// leaves signals alone.
    pub termination_grace: Option<Duration>,
    /// Whether tests that need real hardware run (`MARVIN_HARDWARE=true`).
    pub hardware: bool,
    /// Panics injected on purpose (`MARVIN_CHAOS_PANIC`); `None`: none.
    pub chaos: Option<ChaosSettings>,
    /// What the backend can do; a test that [needs](TestSpec::needs) a
    /// capability it lacks is skipped. `None`: not known, every test runs.
    pub capabilities: Option<Capabilities>,
}

/// What a backend can do, as named capabilities (Tempest's feature flags):
/// `live` (requests reach a cloud; a replay has no such thing), `simulator`
/// (the cloud is Marvin's simulator, with its fault APIs), and any a config
/// declares (`MARVIN_CAPABILITIES`, `--capability`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// The capabilities, lower-case.
    pub names: std::collections::BTreeSet<String>,
    /// The backend, as the skip reason names it (`a replay of DIR`).
    pub backend: String,
}

impl Capabilities {
    /// `names` of `backend`.
    pub fn new<I, S>(backend: impl Into<String>, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            names: names
                .into_iter()
                .map(|name| name.as_ref().trim().to_ascii_lowercase())
                .filter(|name| !name.is_empty())
                .collect(),
            backend: backend.into(),
        }
    }

    /// Whether `name` is among them (any case).
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(&name.trim().to_ascii_lowercase())
    }

    /// Why a test needing `needs` cannot run here, if it cannot.
    pub fn missing(&self, needs: &[String]) -> Option<String> {
        let missing: Vec<&str> = needs
            .iter()
            .filter(|need| !self.has(need))
            .map(String::as_str)
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "needs {}, which {} does not have",
                missing.join(", "),
                self.backend
            )
        })
    }
}

/// The default grace period on SIGTERM: below nextest's default 10 s
/// between SIGTERM and SIGKILL.
pub const DEFAULT_TERMINATION_GRACE: Duration = Duration::from_secs(8);

impl RunSettings {
    /// From the environment:
    /// - run id: [`cleanup::run_id`] (`MARVIN_RUN_ID`, `NEXTEST_RUN_ID`, or
    ///   generated per process);
    /// - ledger: [`cleanup::locate_ledger`] (`MARVIN_LEDGER`, `off` for
    ///   none; else `marvin/ledger.jsonl` in the target directory of the
    ///   workspace, where `marvin cleanup` looks for it too);
    /// - selected tags: `MARVIN_TAGS`, a comma-separated list (unset or
    ///   empty: every test runs);
    /// - termination grace: `MARVIN_TERM_GRACE` in seconds (`0`: no signal
    ///   handler), default [`DEFAULT_TERMINATION_GRACE`];
    /// - hardware: `MARVIN_HARDWARE=true` runs tests that need real
    ///   hypervisors;
    /// - capabilities: `MARVIN_CAPABILITIES`, comma-separated, plus `live`
    ///   unless the process replays (unset: not known, every test runs);
    /// - chaos: `MARVIN_CHAOS_PANIC=p` makes each test panic with
    ///   probability `p` at a random point (`MARVIN_CHAOS_SEED` replays a
    ///   run; see [`ChaosSettings::from_env`]). A malformed value is
    ///   reported on stderr and no panic is injected.
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        let ledger = cleanup::locate_ledger().path().map(Path::to_path_buf);
        let selected_tags = var("MARVIN_TAGS").map(|tags| {
            tags.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        });
        let termination_grace = match var("MARVIN_TERM_GRACE").map(|g| g.trim().parse::<f64>()) {
            Some(Ok(seconds)) if seconds <= 0.0 => None,
            Some(Ok(seconds)) => Some(Duration::from_secs_f64(seconds)),
            _ => Some(DEFAULT_TERMINATION_GRACE),
        };
        Self {
            run_id: cleanup::run_id().to_string(),
            ledger,
            selected_tags,
            termination_grace,
            hardware: var("MARVIN_HARDWARE").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            chaos: ChaosSettings::from_env().unwrap_or_else(|error| {
                eprintln!("marvin: ignoring the chaos settings: {error}");
                None
            }),
            capabilities: var("MARVIN_CAPABILITIES").map(|declared| {
                // What the runner finds out for itself, cargo's harness
                // takes from the process: a replay reaches no cloud.
                let live = (!crate::client::cassette::replaying()).then_some("live");
                Capabilities::new(
                    "this cloud (MARVIN_CAPABILITIES)",
                    declared.split(',').chain(live),
                )
            }),
        }
    }

    /// Why `spec` does not run under these settings, if it does not.
    pub fn skip_reason(&self, spec: &TestSpec) -> Option<String> {
        if spec.required_hardware && !self.hardware {
            return Some("needs real hardware; set MARVIN_HARDWARE=true to run it".into());
        }
        if let Some(reason) = self
            .capabilities
            .as_ref()
            .and_then(|capabilities| capabilities.missing(&spec.needs))
        {
            return Some(reason);
        }
        let selected = self.selected_tags.as_ref()?;
        // Tags match as `marvin smoke --tags` matches them: trimmed, and
        // whatever their case.
        if spec.tags.iter().any(|tag| {
            selected
                .iter()
                .any(|s| s.trim().eq_ignore_ascii_case(tag.trim()))
        }) {
            return None;
        }
        Some(format!(
            "tags [{}] not selected by MARVIN_TAGS={}",
            spec.tags.join(", "),
            selected.join(",")
        ))
    }
}

/// Whether a termination signal (SIGTERM, SIGINT) has arrived since the
/// handler was installed: a runner then starts no further test.
pub fn termination_requested() -> bool {
    cleanup::termination_deadline().is_some()
}

/// The panic payload of [`TestContext::skip`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipTest {
    /// Why the test was skipped.
    pub reason: String,
}

/// Runs one test: the function a `#[marvin::test]` expands to a call of.
///
/// With [`RunSettings::from_env`], it:
/// 1. skips the test (printing `SKIPPED <name> (<reason>)` straight to
///    stderr, so it shows even when output is captured) when none of its
///    tags is in `MARVIN_TAGS`;
/// 2. installs the termination handler (see
///    [`cleanup::install_termination_handler`]);
/// 3. builds a multi-thread tokio runtime and calls `connect` for the admin
///    client (the `marvin` crate passes one that reads `MARVIN_CONFIG` or
///    starts the embedded simulator);
/// 4. runs the test with [`run_scenario`](super::run_scenario): builds the
///    [`TestContext`], runs `body` with panics caught, always runs the
///    cleanup stack;
/// 5. prints every cleanup failure and, when the test failed, its API
///    trace and its events (read at the moment of failure);
/// 6. re-raises the body's panic, or fails with the body's error, or fails
///    because cleanup failed; a body that called [`TestContext::skip`]
///    prints `SKIPPED ...` and passes (cargo's own harness has no
///    skipped outcome; see [`ScenarioOutcome::skip_reason`]).
///
/// ```text
/// // What `#[marvin::test(tags = ["smoke"])] async fn t(ctx: &mut TestContext) -> Result<()>`
/// // becomes:
/// #[test]
/// fn t() {
///     async fn t(ctx: &mut TestContext) -> Result<()> { /* the body */ }
///     marvin_core::testing::run_test(
///         TestSpec::new(concat!(module_path!(), "::", "t")).with_tags(["smoke"]),
///         marvin::connect,
///         |ctx| Box::pin(t(ctx)),
///     )
/// }
/// ```
pub fn run_test<C, CFut, F>(spec: TestSpec, connect: C, body: F)
where
    C: FnOnce() -> CFut,
    CFut: Future<Output = Result<Client>>,
    F: for<'c> FnOnce(&'c mut TestContext) -> LocalBoxFuture<'c, Result<()>>,
{
    run_test_with(RunSettings::from_env(), spec, connect, body);
}

/// [`run_test`] with explicit settings (instead of the environment).
pub fn run_test_with<C, CFut, F>(settings: RunSettings, spec: TestSpec, connect: C, body: F)
where
    C: FnOnce() -> CFut,
    CFut: Future<Output = Result<Client>>,
    F: for<'c> FnOnce(&'c mut TestContext) -> LocalBoxFuture<'c, Result<()>>,
{
    if let Some(reason) = settings.skip_reason(&spec) {
        skipped(&spec.name, &reason);
        return;
    }
    if let Some(grace) = settings.termination_grace {
        if let Err(error) = cleanup::install_termination_handler(grace) {
            eprintln!("marvin: could not install the termination handler: {error}");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("marvin-test")
        .build()
        .expect("could not build the test's tokio runtime");
    let finished = runtime.block_on(async {
        // In flight while connecting too: a signal then waits for us.
        let _in_flight = InFlight::enter();
        let client = connect().await?;
        Ok(run_scenario(&settings, &spec, client, body).await)
    });
    // Tasks the test left running are dropped here; guards they own push
    // their deletions to the (closed) stack, hence to the cleanup thread.
    runtime.shutdown_timeout(Duration::from_secs(1));
    conclude(&spec, finished);
}

/// Prints the cleanup report and (for a failed test) the API trace and the
/// cloud's recent events, then
/// ends the test the way the harness expects: returns, or panics.
fn conclude(spec: &TestSpec, finished: Result<ScenarioOutcome>) {
    let outcome = match finished {
        Ok(outcome) => outcome,
        Err(error) => panic!("could not connect to the cloud: {error}"),
    };
    match &outcome.cleanup {
        CleanupEnd::Ran(report) if report.total() > 0 => eprintln!("{}: {report}", spec.name),
        CleanupEnd::Ran(_) => {}
        CleanupEnd::Panicked(message) => {
            eprintln!("{}: cleanup panicked: {message}", spec.name);
        }
        CleanupEnd::CutShort => eprintln!(
            "{}: cleanup cut short by the grace period; see the ledger",
            spec.name
        ),
    }
    if !outcome.verdict.is_success() && !outcome.trace.is_empty() {
        eprintln!("{}", outcome.trace.render(&spec.name));
    }
    if !outcome.recent_events.is_empty() {
        eprintln!(
            "{}: its events (its resources and accounts, newest first):",
            spec.name
        );
        for line in &outcome.recent_events {
            eprintln!("  {line}");
        }
    }
    let cleanup_failed = outcome.cleanup.failed();
    match outcome.verdict {
        Verdict::Panicked(payload) => resume_unwind(payload),
        Verdict::Failed(error) => match &outcome.error_location {
            Some(at) => panic!("test returned an error at {at}: {error}"),
            None => panic!("test returned an error: {error}"),
        },
        Verdict::Terminated => {
            // The signal handler exits the process once every running test
            // is here (or the grace period ends); finishing normally could
            // let the harness exit 0 first.
            loop {
                std::thread::park();
            }
        }
        Verdict::Skipped(reason) => {
            skipped(&spec.name, &reason);
            if cleanup_failed {
                panic!("the test was skipped but its cleanup failed (see above)");
            }
        }
        Verdict::Passed => {
            if cleanup_failed {
                panic!("the test passed but its cleanup failed (see above)");
            }
        }
    }
}

/// Prints the skip line straight to the process's stderr: the test
/// harness's output capture only takes `print!`/`eprint!` output, and a
/// skip should be seen.
fn skipped(name: &str, reason: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        super::scenario::skip_notice(name, reason)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tags: &[&str]) -> RunSettings {
        RunSettings {
            capabilities: None,
            run_id: "r".into(),
            ledger: None,
            selected_tags: Some(tags.iter().map(|t| t.to_string()).collect()),
            termination_grace: None,
            hardware: false,
            chaos: None,
        }
    }

    #[test]
    fn selected_tags_match_trimmed_and_whatever_their_case() {
        let spec = TestSpec::new("vms::deploy").with_tags(["smoke", "Network"]);
        assert_eq!(settings(&[" NETWORK "]).skip_reason(&spec), None);
        assert_eq!(settings(&["smoke"]).skip_reason(&spec), None);
        assert!(settings(&["vpc"]).skip_reason(&spec).is_some());
    }
}
