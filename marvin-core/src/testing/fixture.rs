//! Shared fixtures: a value made once for the tests that use it (Marvin's
//! `setUpClass`, pytest's wider fixture scopes), and cleaned up after the
//! last of them.
//!
//! A [`Fixture`] is declared once, as a `static` (with
//! [`fixture!`](crate::fixture!)), and
//! asked for in tests with [`TestContext::fixture`]. What it is shared
//! across is a [`FixtureScope`]:
//!
//! - under Marvin's runner (`marvin::main!()`, `marvin smoke`), one scope
//!   per run: the fixture is made by the first test that asks (two asking
//!   at once make it once), on a cleanup stack and an API trace of its own,
//!   and deleted after the last test that declared it
//!   (`#[marvin::test(fixtures = [NAME])]`) has finished, or at the end of
//!   the run when a test used it without declaring it;
//! - anywhere else ([`run_test`](super::run_test) under cargo's own
//!   harness, a bare [`TestContext::new`]), one scope per test: the
//!   fixture is made for that test and its resources go on the test's own
//!   cleanup stack.
//!
//! A failure to make a fixture is kept: every test that asks for it gets
//! the same error, naming the fixture, and it is not made again. A
//! fixture's maker that asks for another fixture gets one of its own, made
//! on the asking fixture's stack (scopes do not nest).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use tokio::sync::OnceCell;

use super::context::TestContext;
use super::runner::{RunSettings, SkipTest, TestSpec};
use super::scenario::{CleanupEnd, ScenarioOutcome, Verdict, panic_text};
use super::trace::ApiTrace;
use crate::cleanup::{self, CleanupReport, CleanupStack, InFlight, Ledger};
use crate::{Client, Error, Result};

/// What makes a fixture's value: an `async` block on the fixture's own
/// context, boxed (what [`fixture!`](crate::fixture!) writes).
pub type FixtureFn<T> = for<'c> fn(&'c TestContext) -> LocalBoxFuture<'c, Result<T>>;

/// A value shared by the tests that use it, made once per
/// [`FixtureScope`]. Declare one with [`fixture!`](crate::fixture!) and get
/// it with [`TestContext::fixture`].
///
/// The name (`module::path::NAME`, what [`fixture!`](crate::fixture!)
/// gives) identifies the fixture in a scope and in every message about it.
pub struct Fixture<T> {
    name: &'static str,
    make: FixtureFn<T>,
}

impl<T> Fixture<T> {
    /// A fixture named `name` made by `make` (use
    /// [`fixture!`](crate::fixture!), which names it after its static).
    pub const fn new(name: &'static str, make: FixtureFn<T>) -> Self {
        Self { name, make }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> fmt::Debug for Fixture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fixture").field("name", &self.name).finish()
    }
}

/// A fixture whatever its type, as tests declare them
/// (`#[marvin::test(fixtures = [SHARED_NETWORK])]`).
pub trait SharedFixture: Sync {
    /// The fixture's name.
    fn name(&self) -> &'static str;
}

impl<T> SharedFixture for Fixture<T> {
    fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for dyn SharedFixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Declares a [`Fixture`]: a `static` named after the fixture, made by an
/// expression that can be awaited (a factory call, an `async` block) on
/// `ctx`, the fixture's own context.
///
/// ```no_run
/// use marvin_core::testing::TestContext;
/// use marvin_core::{Params, Result};
///
/// async fn zones(ctx: &TestContext) -> Result<Vec<serde_json::Value>> {
///     ctx.client().list_all("listZones", Params::new()).await
/// }
///
/// marvin_core::fixture! {
///     /// The zones, listed once for every test of the module.
///     pub static ZONES: Vec<serde_json::Value> = |ctx| zones(ctx);
/// }
///
/// # async fn demo(ctx: &TestContext) -> Result<()> {
/// let zones = ctx.fixture(&ZONES).await?;
/// println!("{} zones", zones.len());
/// # Ok(()) }
/// ```
///
/// What the maker registers for cleanup (factories do) goes on the
/// fixture's own cleanup stack: see [`crate::testing::fixture`].
#[macro_export]
macro_rules! fixture {
    ($(#[$meta:meta])* $vis:vis static $name:ident : $ty:ty = |$ctx:ident| $make:expr $(;)?) => {
        $(#[$meta])*
        $vis static $name: $crate::testing::Fixture<$ty> = $crate::testing::Fixture::new(
            ::core::concat!(::core::module_path!(), "::", ::core::stringify!($name)),
            |$ctx| ::std::boxed::Box::pin(async move {
                let made: $crate::Result<$ty> = $make.await;
                made
            }),
        );
    };
}

/// How making a fixture ended; kept for every later asker. The value is
/// taken out when the fixture is cleaned up, so that its guards go on its
/// stack.
enum Made {
    Ready(Mutex<Option<Arc<dyn Any + Send + Sync>>>),
    Failed(String),
    Skipped(String),
}

/// Where a scope's fixtures keep their resources and calls.
#[derive(Clone)]
enum Home {
    /// Each fixture gets a cleanup stack and a trace of its own (a run).
    OwnStack,
    /// The fixtures go on one test's stack and trace (a test).
    Test {
        stack: Arc<CleanupStack>,
        trace: Arc<ApiTrace>,
    },
}

/// One fixture of a scope.
struct Entry {
    name: &'static str,
    made: OnceCell<Made>,
    /// Its resources' stack and its calls (a run's scope), set when made.
    parts: Mutex<Option<(Arc<CleanupStack>, Arc<ApiTrace>)>>,
    started_at: Mutex<Option<(SystemTime, Instant)>>,
    users: Mutex<Vec<String>>,
}

#[derive(Default)]
struct State {
    entries: HashMap<&'static str, Arc<Entry>>,
    /// Per fixture, how many tests that declared it have not finished.
    declared: HashMap<String, usize>,
    /// Fixtures a test used without declaring: kept to the end of the run.
    undeclared: Vec<&'static str>,
    /// Fixtures already cleaned up.
    done: Vec<&'static str>,
    reports: Vec<FixtureReport>,
}

/// The fixtures shared by the tests of one run (or of one test): see the
/// [module documentation](self).
pub struct FixtureScope {
    client: Client,
    run_id: String,
    ledger: Option<Arc<Ledger>>,
    home: Home,
    state: Mutex<State>,
}

impl fmt::Debug for FixtureScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        let mut names: Vec<&str> = state.entries.keys().copied().collect();
        names.sort_unstable();
        f.debug_struct("FixtureScope")
            .field("run_id", &self.run_id)
            .field("fixtures", &names)
            .finish_non_exhaustive()
    }
}

impl FixtureScope {
    /// The scope of a run of `tests` under `settings`: each fixture is made
    /// with `client` (the admin client) by the first test that asks, and
    /// cleaned up by [`finished`](Self::finished) once every test that
    /// declared it has finished (or by [`finish`](Self::finish)).
    pub fn for_run<'t>(
        client: &Client,
        settings: &RunSettings,
        tests: impl IntoIterator<Item = &'t TestSpec>,
    ) -> Arc<Self> {
        let mut declared: HashMap<String, usize> = HashMap::new();
        for spec in tests {
            for name in &spec.fixtures {
                *declared.entry(name.clone()).or_default() += 1;
            }
        }
        Arc::new(Self {
            client: client.without_observer(),
            run_id: settings.run_id.clone(),
            ledger: settings
                .ledger
                .as_ref()
                .map(|path| Arc::new(Ledger::open(path))),
            home: Home::OwnStack,
            state: Mutex::new(State {
                declared,
                ..State::default()
            }),
        })
    }

    /// The scope of one test: fixtures are made on its stack and trace.
    pub(crate) fn for_test(
        client: &Client,
        run_id: &str,
        stack: Arc<CleanupStack>,
        trace: Arc<ApiTrace>,
    ) -> Arc<Self> {
        Arc::new(Self {
            client: client.without_observer(),
            run_id: run_id.to_string(),
            ledger: stack.ledger().cloned(),
            home: Home::Test { stack, trace },
            state: Mutex::new(State::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether this is a run's scope (fixtures outlive the test).
    pub(crate) fn is_run_scope(&self) -> bool {
        matches!(self.home, Home::OwnStack)
    }

    /// The value of `fixture` for the test `user` (who `declared` it or
    /// not), made now if no test made it before.
    pub(crate) async fn get<T: Send + Sync + 'static>(
        &self,
        fixture: &Fixture<T>,
        user: &str,
        declared: bool,
    ) -> Result<Arc<T>> {
        let entry = {
            let mut state = self.lock();
            if state.done.contains(&fixture.name) {
                return Err(Error::setup(format!(
                    "fixture {} was already cleaned up: the tests that declared it have \
                     finished; declare it in this test too (`#[marvin::test(fixtures = [{}])]`)",
                    fixture.name,
                    short_name(fixture.name)
                )));
            }
            if !declared && self.is_run_scope() && !state.undeclared.contains(&fixture.name) {
                state.undeclared.push(fixture.name);
            }
            Arc::clone(state.entries.entry(fixture.name).or_insert_with(|| {
                Arc::new(Entry {
                    name: fixture.name,
                    made: OnceCell::new(),
                    parts: Mutex::new(None),
                    started_at: Mutex::new(None),
                    users: Mutex::new(Vec::new()),
                })
            }))
        };
        {
            let mut users = entry.users.lock().unwrap_or_else(|p| p.into_inner());
            if !users.iter().any(|u| u == user) {
                users.push(user.to_string());
            }
        }
        let made = entry.made.get_or_init(|| self.make(&entry, fixture)).await;
        match made {
            Made::Ready(value) => {
                let value = value.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let Some(value) = value else {
                    return Err(Error::setup(format!(
                        "fixture {} was already cleaned up",
                        fixture.name
                    )));
                };
                value.downcast::<T>().map_err(|_| {
                    Error::setup(format!(
                        "two fixtures of different types are named {}",
                        fixture.name
                    ))
                })
            }
            Made::Failed(message) => Err(Error::setup(format!(
                "fixture {} could not be made (it is made once, for every test that uses it): \
                 {message}",
                fixture.name
            ))),
            Made::Skipped(reason) => std::panic::resume_unwind(Box::new(SkipTest {
                reason: format!("fixture {}: {reason}", fixture.name),
            })),
        }
    }

    /// Runs the fixture's maker once, on a context of its own; a panic or a
    /// skip inside it is kept like an error.
    async fn make<T: Send + Sync + 'static>(&self, entry: &Entry, fixture: &Fixture<T>) -> Made {
        *entry.started_at.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((SystemTime::now(), Instant::now()));
        let (stack, trace) = match &self.home {
            Home::Test { stack, trace } => (Arc::clone(stack), Arc::clone(trace)),
            Home::OwnStack => (
                CleanupStack::new(
                    format!("fixture {}", fixture.name),
                    self.run_id.clone(),
                    self.ledger.clone(),
                ),
                Arc::new(ApiTrace::new()),
            ),
        };
        *entry.parts.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Arc::clone(&stack), Arc::clone(&trace)));
        let ctx = TestContext::for_fixture(
            self.client.with_observer(Arc::clone(&trace) as _),
            fixture.name,
            &self.run_id,
            stack,
            Arc::clone(&trace),
        );
        let making = super::trace::watch(trace, (fixture.make)(&ctx));
        match AssertUnwindSafe(making).catch_unwind().await {
            Ok(Ok(value)) => Made::Ready(Mutex::new(Some(Arc::new(value)))),
            Ok(Err(error)) => Made::Failed(error.to_string()),
            Err(payload) => match payload.downcast::<SkipTest>() {
                Ok(skip) => Made::Skipped(skip.reason),
                Err(payload) => {
                    Made::Failed(format!("it panicked: {}", panic_text(payload.as_ref())))
                }
            },
        }
    }

    /// Called by the runner when the test `spec` has finished for good
    /// (after its last attempt, or without running): cleans up each
    /// fixture it declared that no other test still needs.
    pub async fn finished(&self, spec: &TestSpec) {
        let due: Vec<Arc<Entry>> = {
            let mut state = self.lock();
            let mut due = Vec::new();
            for name in &spec.fixtures {
                let Some(left) = state.declared.get_mut(name) else {
                    continue;
                };
                *left = left.saturating_sub(1);
                if *left > 0 {
                    continue;
                }
                let Some(entry) = state.entries.get(name.as_str()).cloned() else {
                    continue;
                };
                if state.undeclared.contains(&entry.name) || state.done.contains(&entry.name) {
                    continue;
                }
                state.done.push(entry.name);
                due.push(entry);
            }
            due
        };
        for entry in due {
            self.tear_down(&entry).await;
        }
    }

    /// Cleans up every fixture still standing (at the end of a run, or of
    /// a test) and returns what each fixture of the scope did, in the
    /// order they were cleaned up.
    pub async fn finish(&self) -> Vec<FixtureReport> {
        let due: Vec<Arc<Entry>> = {
            let mut state = self.lock();
            let mut names: Vec<&'static str> = state
                .entries
                .keys()
                .copied()
                .filter(|name| !state.done.contains(name))
                .collect();
            names.sort_unstable();
            state.done.extend(names.iter().copied());
            names
                .iter()
                .filter_map(|name| state.entries.get(name).cloned())
                .collect()
        };
        for entry in due {
            self.tear_down(&entry).await;
        }
        std::mem::take(&mut self.lock().reports)
    }

    /// Drops the value (its guards go on the stack), then, in a run's
    /// scope, runs the fixture's stack and keeps its report.
    async fn tear_down(&self, entry: &Entry) {
        let _in_flight = InFlight::enter();
        // The scope's copy of the value goes now (the tests that used it
        // have finished, so theirs are gone too): its guards go on the stack.
        let value_failed = match entry.made.get() {
            Some(Made::Ready(value)) => {
                drop(value.lock().unwrap_or_else(|p| p.into_inner()).take());
                None
            }
            Some(Made::Failed(message)) => Some(message.clone()),
            Some(Made::Skipped(reason)) => Some(format!("skipped: {reason}")),
            None => None,
        };
        let Home::OwnStack = self.home else {
            return;
        };
        let Some((stack, trace)) = entry.parts.lock().unwrap_or_else(|p| p.into_inner()).take()
        else {
            // Never made: asked for by nobody that got so far.
            return;
        };
        let run = AssertUnwindSafe(stack.run()).catch_unwind();
        let ran = match cleanup::termination_deadline() {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), run).await.ok(),
            None => Some(run.await),
        };
        let cleanup = match ran {
            Some(Ok(report)) => CleanupEnd::Ran(report),
            Some(Err(payload)) => CleanupEnd::Panicked(panic_text(payload.as_ref()).to_string()),
            None => CleanupEnd::CutShort,
        };
        let (started_at, started) = entry
            .started_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or((SystemTime::now(), Instant::now()));
        let verdict = match value_failed {
            Some(message) => Verdict::Failed(Error::setup(format!(
                "fixture {} could not be made: {message}",
                entry.name
            ))),
            None => Verdict::Passed,
        };
        let report = FixtureReport {
            name: entry.name.to_string(),
            users: entry
                .users
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            outcome: ScenarioOutcome {
                verdict,
                error_location: None,
                started_at,
                body_time: Duration::ZERO,
                duration: started.elapsed(),
                trace,
                cleanup,
                resources: stack.history(),
                recent_events: Vec::new(),
            },
        };
        self.lock().reports.push(report);
    }
}

/// What one fixture of a run did: who used it, its calls (cleanup
/// included), its resources and its cleanup, as a test's outcome (the
/// verdict is [`Verdict::Failed`] when it could not be made; `duration`
/// runs from its making to the end of its cleanup).
#[derive(Debug)]
pub struct FixtureReport {
    /// The fixture's name (`module::NAME`).
    pub name: String,
    /// The tests that asked for it, in the order they first did.
    pub users: Vec<String>,
    /// Its making and cleanup, as a test's outcome.
    pub outcome: ScenarioOutcome,
}

impl FixtureReport {
    /// Whether its cleanup deleted everything it made.
    pub fn cleanup_report(&self) -> Option<&CleanupReport> {
        match &self.outcome.cleanup {
            CleanupEnd::Ran(report) => Some(report),
            _ => None,
        }
    }
}

/// `NAME` of `module::NAME`.
fn short_name(name: &str) -> &str {
    name.rsplit("::").next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_users_are_counted_per_fixture() {
        let client = Client::builder("http://127.0.0.1:9/client/api")
            .keys("k", "s")
            .build()
            .unwrap();
        let settings = RunSettings {
            capabilities: None,
            run_id: "r".into(),
            ledger: None,
            selected_tags: None,
            termination_grace: None,
            hardware: false,
            chaos: None,
        };
        let specs = [
            TestSpec::new("a").with_fixtures(["m::NET", "m::VPC"]),
            TestSpec::new("b").with_fixtures(["m::NET"]),
            TestSpec::new("c"),
        ];
        let scope = FixtureScope::for_run(&client, &settings, &specs);
        let state = scope.lock();
        assert_eq!(state.declared.get("m::NET"), Some(&2));
        assert_eq!(state.declared.get("m::VPC"), Some(&1));
        assert_eq!(short_name("m::NET"), "NET");
    }
}
