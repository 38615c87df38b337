//! Shared fixtures on Marvin's runner: made once for the tests that share
//! them (also when two ask at the same moment), cleaned up after the last
//! test that declared them, a failure to make one reported to each of its
//! users, and the resources of a killed run's fixture in the ledger for
//! `marvin cleanup`.
//!
//! The tests below run `#[marvin::test]`s of this module through the runner
//! (`marvin_runner::run_selected`), in process or in a child process, each
//! against a simulator of its own. Those tests are `#[ignore]`d and do
//! nothing unless a runner of this module drives them.

use marvin_entities::api;
use std::io::{BufRead, BufReader};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

use marvin::prelude::*;
use marvin_core::cleanup::{Event, SweepOptions, sweep};
use marvin_core::schema::ApiList;
use marvin_core::testing::RunSettings;
use marvin_runner::{self as suite, RunOptions, RunPolicy, Status};

use super::child::{Cloud, spawn};

/// Set by the runs below: the module's tests do their work only then.
static DRIVEN: AtomicBool = AtomicBool::new(false);

/// How many times each fixture's maker started.
static NETWORK_MAKES: AtomicUsize = AtomicUsize::new(0);
static BROKEN_MAKES: AtomicUsize = AtomicUsize::new(0);

/// The network id each user of [`SHARED_NETWORK`] saw.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// The domain id the user of [`SOLO_DOMAIN`] saw.
static SOLO_SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Holds the two users of the fixture until both are about to ask for it.
static BOTH_ASK: LazyLock<tokio::sync::Barrier> = LazyLock::new(|| tokio::sync::Barrier::new(2));

/// A network over a network offering made for it.
struct SharedNetwork {
    network: Managed<marvin::entities::Network>,
    _offering: Managed<marvin::entities::NetworkOffering>,
}

async fn shared_network(ctx: &TestContext) -> Result<SharedNetwork> {
    NETWORK_MAKES.fetch_add(1, Ordering::SeqCst);
    let offering = DefaultIsolatedNetworkOfferingWithSourceNatService::create(ctx).await?;
    let network = GuestIsolatedNetwork::new()
        .offering(offering.id.as_str())
        .create(ctx)
        .await?;
    Ok(SharedNetwork {
        network,
        _offering: offering,
    })
}

marvin::fixture! {
    /// The network the tests of this module share.
    static SHARED_NETWORK: SharedNetwork = |ctx| shared_network(ctx);
}

marvin::fixture! {
    /// A domain for one test.
    static SOLO_DOMAIN: Managed<marvin::entities::Domain> = |ctx| DomainFactory::create(ctx);
}

marvin::fixture! {
    /// Makes a domain, then fails: the domain must still be cleaned up.
    static BROKEN_NETWORK: Managed<marvin::entities::Network> = |ctx| async move {
        BROKEN_MAKES.fetch_add(1, Ordering::SeqCst);
        let _domain = DomainFactory::create(ctx).await?;
        // No parameters: refused by the cloud.
        ctx.client().call(api("createNetwork")).await?;
        unreachable!("createNetwork without parameters was accepted")
    };
}

/// Returns early unless a runner of this module runs the test.
macro_rules! only_when_driven {
    () => {
        if !DRIVEN.load(Ordering::SeqCst) {
            println!("run by the shared fixture tests only");
            return Ok(());
        }
    };
}

async fn use_the_network_with_the_other(ctx: &TestContext) -> Result<()> {
    BOTH_ASK.wait().await;
    let shared = ctx.fixture(&SHARED_NETWORK).await?;
    shared
        .network
        .state
        .as_deref()
        .should()
        .equal(Some("Allocated"));
    SEEN.lock().unwrap().push(shared.network.id.clone());
    Ok(())
}

#[marvin::test(fixtures = [SHARED_NETWORK])]
#[ignore = "run by the shared fixture tests"]
async fn first_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    use_the_network_with_the_other(ctx).await
}

#[marvin::test(fixtures = [SHARED_NETWORK])]
#[ignore = "run by the shared fixture tests"]
async fn second_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    use_the_network_with_the_other(ctx).await
}

#[marvin::test(fixtures = [SOLO_DOMAIN])]
#[ignore = "run by the shared fixture tests"]
async fn only_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let domain = ctx.fixture(&SOLO_DOMAIN).await?;
    SOLO_SEEN.lock().unwrap().push(domain.id.clone());
    Ok(())
}

/// Runs after [`only_user`] (one job): the fixture is gone by then.
#[marvin::test]
#[ignore = "run by the shared fixture tests"]
async fn after_the_last_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let seen = SOLO_SEEN.lock().unwrap().clone();
    seen.len().should().equal(1);
    let listed = ctx
        .client()
        .list_all("listDomains", Params::new().with("listall", "true"))
        .await?;
    listed
        .iter()
        .any(|domain| domain["id"] == seen[0].as_str())
        .should()
        .equal(false);
    Ok(())
}

#[marvin::test(fixtures = [BROKEN_NETWORK])]
#[ignore = "run by the shared fixture tests"]
async fn first_broken_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    ctx.fixture(&BROKEN_NETWORK).await?;
    Ok(())
}

#[marvin::test(fixtures = [BROKEN_NETWORK])]
#[ignore = "run by the shared fixture tests"]
async fn second_broken_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    ctx.fixture(&BROKEN_NETWORK).await?;
    Ok(())
}

#[marvin::test(fixtures = [SHARED_NETWORK])]
#[ignore = "run by the shared fixture tests"]
async fn waits_to_be_killed(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let shared = ctx.fixture(&SHARED_NETWORK).await?;
    println!("READY {}", shared.network.id);
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    Ok(())
}

/// The registered tests of this module named `names`, in that order.
fn scenarios(names: &[&str]) -> Vec<suite::Scenario> {
    let all = marvin_runner::harness::registered("framework");
    names
        .iter()
        .map(|name| {
            let full = format!("shared_fixtures::{name}");
            *all.iter()
                .find(|s| s.name == full)
                .unwrap_or_else(|| panic!("no registered test {full}"))
        })
        .collect()
}

/// Runs `names` on the runner against `cloud`, `jobs` at a time, with the
/// cloud's ledger and run id.
async fn run_on(cloud: &Cloud, names: &[&str], jobs: usize) -> suite::SuiteResult {
    DRIVEN.store(true, Ordering::SeqCst);
    let selected = scenarios(names);
    let selected: Vec<&suite::Scenario> = selected.iter().collect();
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).expect("the precache");
    let options = RunOptions {
        suite: "shared-fixtures".into(),
        jobs,
        settings: RunSettings {
            capabilities: None,
            run_id: cloud.run.clone(),
            ledger: Some(cloud.ledger()),
            selected_tags: None,
            termination_grace: None,
            hardware: false,
            chaos: None,
        },
        target: cloud.simulator().url(),
        progress_bar: false,
        test_lines: false,
    };
    suite::run_selected(
        &selected,
        &cloud.client(),
        &precache,
        &options,
        RunPolicy::default(),
    )
    .await
}

fn commands(calls: &[suite::ApiCall]) -> Vec<&str> {
    calls.iter().map(|c| c.command.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tests_at_once_share_one_fixture_made_once_and_cleaned_up_after() {
    let cloud = Cloud::start("shared").await;
    let networks = cloud.count("listNetworks").await;
    let offerings = cloud.count("listNetworkOfferings").await;
    let result = run_on(&cloud, &["first_user", "second_user"], 2).await;

    for test in &result.tests {
        assert_eq!(test.status, Status::Passed, "{test:#?}");
        assert!(
            !commands(&test.calls).contains(&"createNetwork"),
            "{test:#?}"
        );
        assert!(test.resources.is_empty(), "{test:#?}");
    }
    assert_eq!(NETWORK_MAKES.load(Ordering::SeqCst), 1);
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1], "both tests got the same network");

    // The fixture's own report: one network made, then deleted.
    assert_eq!(result.fixtures.len(), 1, "{:#?}", result.fixtures);
    let fixture = &result.fixtures[0];
    assert_eq!(fixture.name, "framework::shared_fixtures::SHARED_NETWORK");
    let mut users = fixture.users.clone();
    users.sort();
    assert_eq!(
        users,
        [
            "shared_fixtures::first_user",
            "shared_fixtures::second_user"
        ]
    );
    let calls = commands(&fixture.result.calls);
    assert_eq!(
        calls.iter().filter(|c| **c == "createNetwork").count(),
        1,
        "{calls:?}"
    );
    assert!(calls.contains(&"deleteNetwork"), "{calls:?}");
    assert_eq!(fixture.result.status, Status::Passed, "{fixture:#?}");
    assert!(
        fixture.result.resources.iter().all(|r| r.fate.is_gone()),
        "{fixture:#?}"
    );

    // The cloud saw one network created, and nothing is left of it.
    let events = cloud
        .client()
        .list_all("listEvents", Params::new().with("listall", "true"))
        .await
        .expect("the events");
    let created = events
        .iter()
        .filter(|e| e["type"] == "NETWORK.CREATE")
        .count();
    assert_eq!(created, 1, "{events:#?}");
    assert_eq!(cloud.count("listNetworks").await, networks);
    assert_eq!(cloud.count("listNetworkOfferings").await, offerings);
    assert!(result.leaks.leaks.is_empty(), "{:#?}", result.leaks);
    assert!(result.leaks.created >= 2, "{:#?}", result.leaks);
    assert!(cloud.pending().is_empty(), "{:?}", cloud.pending());
    let recorded: Vec<_> = cloud
        .records()
        .into_iter()
        .filter(|r| r.event == Event::Created)
        .map(|r| (r.entity, r.test))
        .collect();
    assert!(
        recorded.contains(&(
            "Network".to_string(),
            "fixture framework::shared_fixtures::SHARED_NETWORK".to_string()
        )),
        "{recorded:?}"
    );
    assert!(result.is_success());
    let html = suite::html::render(&result);
    assert!(html.contains("Shared fixtures (1)"));
    let junit = suite::junit::render(&result);
    assert!(
        junit.contains(
            "name=\"fixture framework::shared_fixtures::SHARED_NETWORK\" classname=\"shared-fixtures.fixtures\""
        ),
        "{junit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_is_cleaned_up_once_its_last_declared_user_has_finished() {
    let cloud = Cloud::start("countdown").await;
    let domains = cloud.count("listDomains").await;
    let result = run_on(&cloud, &["only_user", "after_the_last_user"], 1).await;
    for test in &result.tests {
        assert_eq!(test.status, Status::Passed, "{test:#?}");
    }
    assert_eq!(result.fixtures.len(), 1);
    assert_eq!(cloud.count("listDomains").await, domains);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_that_cannot_be_made_fails_each_user_naming_it_and_is_made_once() {
    let cloud = Cloud::start("broken").await;
    let domains = cloud.count("listDomains").await;
    let result = run_on(&cloud, &["first_broken_user", "second_broken_user"], 2).await;
    assert_eq!(BROKEN_MAKES.load(Ordering::SeqCst), 1);
    for test in &result.tests {
        assert_eq!(test.status, Status::Failed, "{test:#?}");
        let message = &test.failure.as_ref().expect("a failure").message;
        assert!(
            message
                .contains("fixture framework::shared_fixtures::BROKEN_NETWORK could not be made")
                && message.contains("createNetwork"),
            "{message}"
        );
    }
    let fixture = &result.fixtures[0];
    assert_eq!(fixture.result.status, Status::Failed);
    // What it made before failing is cleaned up all the same.
    assert_eq!(cloud.count("listDomains").await, domains);
    assert!(result.leaks.leaks.is_empty(), "{:#?}", result.leaks);
}

/// In a child process: the runner on [`waits_to_be_killed`] against the
/// cloud of `MARVIN_CONFIG`, with `MARVIN_LEDGER` and `MARVIN_RUN_ID`.
#[test]
#[ignore = "run as a child process by the shared fixture tests"]
fn a_run_to_be_killed() {
    if std::env::var_os("MARVIN_FIXTURE").is_none() {
        return;
    }
    DRIVEN.store(true, Ordering::SeqCst);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let client = marvin::__private::connect().await.expect("the cloud");
        let selected = scenarios(&["waits_to_be_killed"]);
        let selected: Vec<&suite::Scenario> = selected.iter().collect();
        let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).unwrap();
        let mut settings = RunSettings::from_env();
        settings.termination_grace = None;
        let options = RunOptions {
            suite: "killed".into(),
            jobs: 1,
            settings,
            target: client.endpoint().to_string(),
            progress_bar: false,
            test_lines: false,
        };
        let _ = suite::run_selected(
            &selected,
            &client,
            &precache,
            &options,
            RunPolicy::default(),
        )
        .await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runs_fixture_resources_are_in_the_ledger_and_swept() {
    let cloud = Cloud::start("fixture-killed").await;
    let networks = cloud.count("listNetworks").await;
    let offerings = cloud.count("listNetworkOfferings").await;
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(exe);
    command
        .args([
            "--ignored",
            "--exact",
            "shared_fixtures::a_run_to_be_killed",
            "--nocapture",
        ])
        .env("MARVIN_FIXTURE", "1")
        .env("MARVIN_CONFIG", cloud.config())
        .env("MARVIN_LEDGER", cloud.ledger())
        .env("MARVIN_RUN_ID", &cloud.run)
        .env_remove("MARVIN_TAGS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = spawn(command);
    let stdout = child.stdout.take().expect("stdout is piped");
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(|line| line.ok())
            .find(|line| line.contains("READY "))
    })
    .await
    .expect("the reading thread");
    assert!(ready.is_some(), "the child got ready");
    child.kill().expect("SIGKILL");
    child.wait().expect("the child ends");

    let pending = cloud.pending();
    let fixture_test = "fixture framework::shared_fixtures::SHARED_NETWORK";
    let mut kinds: Vec<(&str, &str)> = pending
        .iter()
        .map(|r| (r.entity.as_str(), r.test.as_str()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [("Network", fixture_test), ("NetworkOffering", fixture_test)],
        "{pending:?}"
    );
    assert_eq!(cloud.count("listNetworks").await, networks + 1);

    let options = SweepOptions::new(marvin::entities::DELETION_RULES).run(&cloud.run);
    let report = sweep(&cloud.client(), &[cloud.ledger()], &options)
        .await
        .expect("the sweep runs");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 2, "{report}");
    assert_eq!(cloud.count("listNetworks").await, networks);
    assert_eq!(cloud.count("listNetworkOfferings").await, offerings);
    assert!(cloud.pending().is_empty());
}

static PER_TEST_MAKES: AtomicUsize = AtomicUsize::new(0);

marvin::fixture! {
    /// A domain, for the test outside the runner.
    static PER_TEST_DOMAIN: Managed<marvin::entities::Domain> = |ctx| async move {
        PER_TEST_MAKES.fetch_add(1, Ordering::SeqCst);
        DomainFactory::create(ctx).await
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_runner_a_fixture_is_the_tests_own_and_cleaned_up_with_it() {
    use marvin_core::testing::{CleanupEnd, TestSpec, run_scenario};

    let cloud = Cloud::start("per-test").await;
    let domains = cloud.count("listDomains").await;
    let settings = RunSettings {
        capabilities: None,
        run_id: cloud.run.clone(),
        ledger: Some(cloud.ledger()),
        selected_tags: None,
        termination_grace: None,
        hardware: false,
        chaos: None,
    };
    let spec = TestSpec::new("framework::shared_fixtures::alone");
    let outcome = run_scenario(&settings, &spec, cloud.client(), |ctx| {
        Box::pin(async move {
            let first = ctx.fixture(&PER_TEST_DOMAIN).await?;
            let again = ctx.fixture(&PER_TEST_DOMAIN).await?;
            first.id.should().equal(again.id.clone());
            Ok(())
        })
    })
    .await;
    assert!(outcome.verdict.is_success(), "{outcome:#?}");
    assert_eq!(PER_TEST_MAKES.load(Ordering::SeqCst), 1);
    // Its calls, resources and cleanup are the test's.
    let commands: Vec<String> = outcome
        .trace
        .calls()
        .iter()
        .map(|c| c.command.clone())
        .filter(|c| !c.starts_with("list"))
        .collect();
    assert_eq!(commands, ["createDomain", "deleteDomain"], "{commands:?}");
    let CleanupEnd::Ran(report) = &outcome.cleanup else {
        panic!("{outcome:#?}")
    };
    assert_eq!(report.deleted.len(), 1, "{report}");
    assert_eq!(cloud.count("listDomains").await, domains);
    assert!(
        cloud
            .records()
            .iter()
            .all(|r| r.test == "framework::shared_fixtures::alone"),
        "{:?}",
        cloud.records()
    );
}

/// The domain id the users of [`LATE_DOMAIN`] saw.
static LATE_SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

marvin::fixture! {
    /// A domain one test uses without declaring it.
    static LATE_DOMAIN: Managed<marvin::entities::Domain> = |ctx| DomainFactory::create(ctx);
}

#[marvin::test]
#[ignore = "run by the shared fixture tests"]
async fn undeclared_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let domain = ctx.fixture(&LATE_DOMAIN).await?;
    LATE_SEEN.lock().unwrap().push(domain.id.clone());
    Ok(())
}

#[marvin::test(fixtures = [LATE_DOMAIN])]
#[ignore = "run by the shared fixture tests"]
async fn declared_user(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let domain = ctx.fixture(&LATE_DOMAIN).await?;
    LATE_SEEN.lock().unwrap().push(domain.id.clone());
    Ok(())
}

/// Runs after both users: the fixture an undeclared user asked for stays
/// to the end of the run.
#[marvin::test]
#[ignore = "run by the shared fixture tests"]
async fn still_there(ctx: &mut TestContext) -> Result<()> {
    only_when_driven!();
    let seen = LATE_SEEN.lock().unwrap().clone();
    seen.len().should().equal(2);
    seen[0].should().equal(seen[1].clone());
    let listed = ctx
        .client()
        .list_all("listDomains", Params::new().with("listall", "true"))
        .await?;
    listed
        .iter()
        .any(|domain| domain["id"] == seen[0].as_str())
        .should()
        .equal(true);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_used_without_being_declared_stays_to_the_end_of_the_run() {
    let cloud = Cloud::start("undeclared").await;
    let domains = cloud.count("listDomains").await;
    let result = run_on(
        &cloud,
        &["undeclared_user", "declared_user", "still_there"],
        1,
    )
    .await;
    for test in &result.tests {
        assert_eq!(test.status, Status::Passed, "{test:#?}");
    }
    assert_eq!(result.fixtures.len(), 1);
    assert_eq!(result.fixtures[0].users.len(), 2);
    assert_eq!(cloud.count("listDomains").await, domains);
    assert!(result.is_success(), "{:#?}", result.leaks);
}
