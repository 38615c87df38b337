//! [`TestContext`]: what a test body gets.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::chaos::{Armed, TestObserver};
use super::fixture::{Fixture, FixtureScope};
use super::runner::{RunSettings, SkipTest, TestSpec};
use super::trace::ApiTrace;
use crate::cleanup::{CleanupStack, Ledger, LedgerRecord, Managed};
use serde_json::Value;

use crate::client::ApiCall;
use crate::resource::{Deletion, Resource};
use crate::{Client, Error, Params, Result};

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// Everything a test needs: the admin client, its identity (run id, test
/// name, tags), the cleanup stack, the API trace, and a cache for shared
/// lookups (zone, template, offerings).
///
/// The test runner builds it; factories take `&TestContext` and register
/// what they create with [`manage`](Self::manage).
pub struct TestContext {
    /// Who the test's calls act as: the admin, or a user (`acting_as`).
    client: Client,
    /// The admin client, which deletes what the test made.
    admin: Client,
    run_id: String,
    test_name: String,
    tags: Vec<String>,
    stack: Arc<CleanupStack>,
    trace: Arc<ApiTrace>,
    chaos: Option<Arc<Armed>>,
    cache: Mutex<HashMap<(TypeId, String), Slot>>,
    /// Where shared fixtures come from: the run's, or the test's own.
    fixtures: Arc<FixtureScope>,
    /// The fixtures the test declared.
    declared: Vec<String>,
}

impl fmt::Debug for TestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestContext")
            .field("test_name", &self.test_name)
            .field("run_id", &self.run_id)
            .field("tags", &self.tags)
            .field("client", &self.client)
            .field("stack", &self.stack)
            .finish_non_exhaustive()
    }
}

impl TestContext {
    /// A context for `spec` under `settings`. `client` is the admin client;
    /// the context's own copy reports every call to the test's [`ApiTrace`]
    /// (and, with [`RunSettings::chaos`], may panic before one of them: see
    /// [`crate::testing::chaos`]).
    pub fn new(client: Client, spec: &TestSpec, settings: &RunSettings) -> Self {
        let trace = Arc::new(ApiTrace::new());
        let ledger = settings
            .ledger
            .as_ref()
            .map(|path| Arc::new(Ledger::open(path)));
        let chaos = settings
            .chaos
            .as_ref()
            .and_then(|chaos| Armed::plan(chaos, &spec.name));
        let observer = TestObserver {
            trace: Arc::clone(&trace),
            chaos: chaos.clone(),
        };
        // Record and replay (`MARVIN_RECORD`, `MARVIN_REPLAY`): one cassette per test.
        let client = crate::client::cassette::attach_for_test(client, &spec.name)
            .with_observer(Arc::new(observer));
        let stack = CleanupStack::new(spec.name.clone(), settings.run_id.clone(), ledger);
        let fixtures = FixtureScope::for_test(
            &client,
            &settings.run_id,
            Arc::clone(&stack),
            Arc::clone(&trace),
        );
        Self {
            admin: client.clone(),
            client,
            run_id: settings.run_id.clone(),
            test_name: spec.name.clone(),
            tags: spec.tags.clone(),
            stack,
            trace,
            chaos,
            cache: Mutex::new(HashMap::new()),
            fixtures,
            declared: spec.fixtures.clone(),
        }
    }

    /// The context a shared fixture is made on: named `fixture NAME`, with
    /// the stack and the trace its scope gives it, and no fixtures of its
    /// own.
    pub(crate) fn for_fixture(
        client: Client,
        name: &str,
        run_id: &str,
        stack: Arc<CleanupStack>,
        trace: Arc<ApiTrace>,
    ) -> Self {
        let fixtures =
            FixtureScope::for_test(&client, run_id, Arc::clone(&stack), Arc::clone(&trace));
        Self {
            admin: client.clone(),
            client,
            run_id: run_id.to_string(),
            test_name: format!("fixture {name}"),
            tags: Vec::new(),
            stack,
            trace,
            chaos: None,
            cache: Mutex::new(HashMap::new()),
            fixtures,
            declared: Vec::new(),
        }
    }

    /// Makes the test take its shared fixtures from `scope` (a run's).
    pub(crate) fn use_fixtures(&mut self, scope: Arc<FixtureScope>) {
        self.fixtures = scope;
    }

    /// The scope the test takes its shared fixtures from.
    pub(crate) fn fixture_scope(&self) -> &Arc<FixtureScope> {
        &self.fixtures
    }

    /// The value of a shared fixture (declared with
    /// [`fixture!`](crate::fixture!)), made by the first test that asks for
    /// it and shared, read-only, with the others; see
    /// [`crate::testing::fixture`] for how long it lives.
    ///
    /// ```no_run
    /// marvin_core::fixture! {
    ///     static ZONES: Vec<serde_json::Value> =
    ///         |ctx| ctx.client().list_all("listZones", marvin_core::Params::new());
    /// }
    ///
    /// # async fn demo(ctx: &marvin_core::testing::TestContext) -> marvin_core::Result<()> {
    /// let zones = ctx.fixture(&ZONES).await?;
    /// println!("{} zones", zones.len());
    /// # Ok(()) }
    /// ```
    ///
    /// A fixture that could not be made fails every test that asks for it
    /// with the same error, naming the fixture; one whose maker skipped
    /// (`ctx.skip(..)`) skips them.
    pub async fn fixture<T: Send + Sync + 'static>(&self, fixture: &Fixture<T>) -> Result<Arc<T>> {
        let declared = self.declared.iter().any(|name| name == fixture.name());
        self.fixtures.get(fixture, &self.test_name, declared).await
    }

    /// The client the test's calls go through (its calls are traced): the
    /// admin's, or in a context from [`acting_as`](Self::acting_as) the
    /// user's.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The admin client, whatever the context acts as: cleanup deletes
    /// with it.
    pub fn admin(&self) -> &Client {
        &self.admin
    }

    /// The same test acting as the user `user_id` (as Marvin's isolation
    /// tests act as an account): [`client`](Self::client) has that user's
    /// keys (from `getUserKeys`, or registered), so what factories make
    /// through it, their sub-factories' resources included, belongs to the
    /// user's account. Cleanup, the ledger and the trace stay the test's,
    /// and deletions still go through the admin client. Lookups are cached
    /// apart, as a user may see other offerings and templates.
    ///
    /// ```no_run
    /// # async fn demo(ctx: &marvin_core::testing::TestContext, user_id: &str) -> marvin_core::Result<()> {
    /// let as_user = ctx.acting_as(user_id).await?;
    /// assert_ne!(as_user.client().api_key(), ctx.client().api_key());
    /// # Ok(()) }
    /// ```
    pub async fn acting_as(&self, user_id: &str) -> Result<TestContext> {
        Ok(Self {
            client: self.admin.for_user(user_id).await?,
            admin: self.admin.clone(),
            run_id: self.run_id.clone(),
            test_name: self.test_name.clone(),
            tags: self.tags.clone(),
            stack: Arc::clone(&self.stack),
            trace: Arc::clone(&self.trace),
            chaos: self.chaos.clone(),
            cache: Mutex::new(HashMap::new()),
            fixtures: Arc::clone(&self.fixtures),
            declared: self.declared.clone(),
        })
    }

    /// The run id (see [`crate::cleanup::run_id`]).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The test's full name (`suite::module::test`).
    pub fn test_name(&self) -> &str {
        &self.test_name
    }

    /// The test's tags.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The cleanup stack, run after the body.
    pub fn cleanup(&self) -> &Arc<CleanupStack> {
        &self.stack
    }

    /// The API calls made so far.
    pub fn trace(&self) -> &ApiTrace {
        &self.trace
    }

    /// The test's planned injected panic, if chaos is on and it has one.
    pub(crate) fn chaos(&self) -> Option<Arc<Armed>> {
        self.chaos.clone()
    }

    /// The trace, shared (it outlives the context in a test's outcome).
    pub(crate) fn trace_handle(&self) -> Arc<ApiTrace> {
        Arc::clone(&self.trace)
    }

    /// Registers a resource created with the admin client: writes a
    /// `created` ledger record and returns the guard that deletes it when
    /// the test ends (see [`Managed`]). Factories call this right after the
    /// create call returned.
    pub fn manage<T: Resource>(&self, entity: T) -> Managed<T> {
        self.stack.manage(entity, &self.admin)
    }

    /// [`manage`](Self::manage) for a resource created with another client
    /// (from [`as_user`](Self::as_user)); it is deleted with that client.
    pub fn manage_with<T: Resource>(&self, entity: T, client: &Client) -> Managed<T> {
        self.stack.manage(entity, client)
    }

    /// Sends a creating call (made with any client) and registers what it creates
    /// for cleanup (deleted with the admin client, like
    /// [`manage`](Self::manage)), at the earliest moment it can be known:
    ///
    /// - sync commands: once the answer is decoded (`decode`);
    /// - async commands: as soon as the submission is answered, from the
    ///   `id` CloudStack answers beside the `jobid` (`provisional` makes an
    ///   entity known only by that id; `None` when it cannot): the object
    ///   exists from then on, even if its job fails (a VM whose deployment
    ///   failed stays, in the Error state). When the job succeeds, the
    ///   guard's value becomes the decoded result; when it fails (or the
    ///   future is dropped, or decoding fails), the error is returned and
    ///   the object stays scheduled for deletion with the test.
    ///
    /// Factories and suites create through this, so that no failed job
    /// leaves an object no cleanup knows about. Before the request goes
    /// out, an intent record is written to the ledger when the entity is
    /// found by a unique name its request carries
    /// ([`crate::cleanup::intent_of`]): an object made while the process is
    /// killed, before its answer is back, is then still found (by that
    /// name) and deleted by `marvin cleanup`. The `created` record names it
    /// too, which settles the intent; an error answer of the cloud to the
    /// request itself (nothing made) settles it as never created.
    pub async fn create_managed<T: Resource>(
        &self,
        call: ApiCall,
        provisional: impl FnOnce(&str) -> Option<T>,
        decode: impl FnOnce(Value) -> Result<T>,
    ) -> Result<Managed<T>> {
        let intent = crate::cleanup::intent_of(T::ENTITY, call.api().name(), call.parameters())
            .map(|(name, intent)| self.stack.intent(T::ENTITY, &name, intent, &self.admin));
        self.create_registered(call, intent, provisional, decode)
            .await
    }

    /// [`create_managed`](Self::create_managed) of `call` sent with
    /// `params` (factories create through this: `send_managed`).
    pub async fn create_managed_with<T: Resource>(
        &self,
        call: ApiCall,
        params: Params,
        provisional: impl FnOnce(&str) -> Option<T>,
        decode: impl FnOnce(Value) -> Result<T>,
    ) -> Result<Managed<T>> {
        self.create_managed(call.params(params), provisional, decode)
            .await
    }

    async fn create_registered<T: Resource>(
        &self,
        call: ApiCall,
        intent: Option<LedgerRecord>,
        provisional: impl FnOnce(&str) -> Option<T>,
        decode: impl FnOnce(Value) -> Result<T>,
    ) -> Result<Managed<T>> {
        let name = intent.as_ref().and_then(|record| record.name.as_deref());
        let manage = |entity: T| self.stack.manage_named(entity, &self.admin, name);
        let mut early: Option<Managed<T>> = None;
        let answer = call
            .send_submitted(|submitted| {
                let id = submitted.get("id").and_then(Value::as_str);
                if let Some(entity) = id.filter(|id| !id.is_empty()).and_then(provisional) {
                    early = Some(manage(entity));
                }
            })
            .await;
        if let (Err(error @ Error::Api { .. }), None, Some(intent)) = (&answer, &early, &intent) {
            // The cloud answered the request itself with an error: nothing
            // was made. A gateway's 502 to 504 may hide a request that did
            // reach the cloud, so its intent stays open for the sweep.
            if !matches!(error.status(), Some(502..=504)) {
                self.stack.never_created(intent);
            }
        }
        // On any error below, `early` is dropped: its deletion goes on the
        // stack and runs with the test's cleanup.
        let entity = decode(answer?)?;
        match early {
            Some(mut managed) if Resource::id(&*managed) == entity.id() => {
                *managed = entity;
                Ok(managed)
            }
            other => {
                drop(other);
                Ok(manage(entity))
            }
        }
    }

    /// Registers a deletion with no entity value behind it (a resource made
    /// by a raw call): a `created` ledger record, deleted with the stack.
    pub fn defer_deletion(&self, deletion: Deletion) {
        self.stack.defer(deletion, &self.admin);
    }

    /// A client acting as the user `user_id` (keys from `getUserKeys`, or
    /// registered), traced like the admin client.
    pub async fn as_user(&self, user_id: &str) -> Result<Client> {
        self.admin.for_user(user_id).await
    }

    /// A value computed once per context and key, for shared lookups:
    ///
    /// ```no_run
    /// # async fn demo(ctx: &marvin_core::testing::TestContext) -> marvin_core::Result<()> {
    /// let zones = ctx
    ///     .cached("zones", || ctx.client().list_all("listZones", marvin_core::Params::new()))
    ///     .await?;
    /// println!("{} zones", zones.len());
    /// # Ok(()) }
    /// ```
    ///
    /// Concurrent callers wait for the one running `init`; a failed `init`
    /// is not cached (the next call tries again). Keys are per type: the
    /// same key may hold one value of each type.
    pub async fn cached<T, F, Fut>(&self, key: &str, init: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let slot: Slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .entry((TypeId::of::<T>(), key.to_string()))
                .or_default()
                .clone()
        };
        let value = slot
            .get_or_try_init(|| async {
                init()
                    .await
                    .map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>)
            })
            .await?;
        Ok(Arc::clone(value)
            .downcast::<T>()
            .expect("cache slots are keyed by type"))
    }

    /// Ends the test as skipped (with a visible `SKIPPED <name> (<reason>)` line; runners that can report skips report it as skipped),
    /// for tests whose needs the cloud lacks. Cleanup still runs.
    pub fn skip(&self, reason: impl Into<String>) -> ! {
        // resume_unwind does not call the panic hook: no panic message.
        std::panic::resume_unwind(Box::new(SkipTest {
            reason: reason.into(),
        }))
    }
}
