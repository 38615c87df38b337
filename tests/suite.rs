//! The suite runner end to end against the embedded simulator: a small
//! table of scenarios that pass, fail, skip and leak, run concurrently in
//! one process; the results, the captured panic location, the leak check
//! and the coverage must say exactly that. Then retries and fail-fast, and
//! the runner's command line through `marvin smoke` (the same runner every
//! `marvin::main!()` test target has): selection errors and their exit
//! code, partitions, `--rerun-failed`, a closed stdout, a missing config,
//! an unreachable cloud, Ctrl-C.

use marvin_entities::api;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::AtomicUsize;

use marvin::prelude::*;
use marvin_core::schema::ApiList;
use marvin_core::testing::RunSettings;
// Links the bundled suite: the expectations below are counted from it.
use marvin_runner::{self as suite, FailureKind, Fate, RunOptions, Status};
use marvin_smoke as _;

mod cases {
    use marvin::prelude::*;

    /// An account made with its create call alone (no tags, no lookups):
    /// the calls and resources below are exactly that call's.
    async fn account(ctx: &TestContext) -> Result<Managed<Account>> {
        marvin::factories::send_managed(ctx, &UserAccount::build()).await
    }

    pub async fn passes(ctx: &mut TestContext) -> Result<()> {
        let account = account(ctx).await?;
        account.state.as_deref().should().equal(Some("enabled"));
        Ok(())
    }

    pub async fn fails_an_assertion(ctx: &mut TestContext) -> Result<()> {
        let account = account(ctx).await?;
        account.state.as_deref().should().equal(Some("locked"));
        Ok(())
    }

    pub async fn returns_an_error(ctx: &mut TestContext) -> Result<()> {
        ctx.client().call(api("createDomain")).await?;
        Ok(())
    }

    pub async fn skips(ctx: &mut TestContext) -> Result<()> {
        ctx.skip("the cloud lacks what this needs")
    }

    /// Keeps the account it creates: the leak check must find it.
    pub async fn leaks(ctx: &mut TestContext) -> Result<()> {
        let account = account(ctx).await?;
        let _kept = account.keep();
        Ok(())
    }

    pub async fn not_selected(_ctx: &mut TestContext) -> Result<()> {
        panic!("deselected by tag, must not run")
    }

    /// Fails its first attempt, passes the second.
    pub async fn flaky(ctx: &mut TestContext) -> Result<()> {
        let attempt = super::FLAKY_ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let account = account(ctx).await?;
        attempt.should().be_greater_than(0);
        account.state.as_deref().should().equal(Some("enabled"));
        Ok(())
    }

    /// Always fails.
    pub async fn broken(_ctx: &mut TestContext) -> Result<()> {
        Err(Error::setup("this test is broken"))
    }
}

static FLAKY_ATTEMPTS: AtomicUsize = AtomicUsize::new(0);

mod table {
    marvin_runner::scenario_table! { list, crate;
        cases {
            passes => ["runner"],
            fails_an_assertion => ["runner"],
            returns_an_error => ["runner"],
            skips => ["runner"],
            leaks => ["runner"],
            not_selected => ["other"],
            flaky => ["retry"],
            broken => ["retry"],
        }
    }
}

fn by_name<'r>(result: &'r suite::SuiteResult, name: &str) -> &'r suite::TestResult {
    result
        .tests
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no result for {name}"))
}

#[test]
fn a_run_reports_results_locations_leaks_and_coverage() {
    let endpoint = marvin::embedded_simulator().expect("the embedded simulator");
    let client = endpoint.admin_client().expect("an admin client");
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).expect("the precache");
    let dir = std::env::temp_dir().join(format!("marvin-suite-{}", std::process::id()));
    let settings = RunSettings {
        capabilities: None,
        run_id: format!("suite-test-{}", std::process::id()),
        ledger: Some(dir.join("ledger.jsonl")),
        selected_tags: Some(vec!["runner".into()]),
        termination_grace: None,
        hardware: false,
        chaos: None,
    };
    let options = RunOptions {
        suite: "runner".into(),
        jobs: 3,
        settings,
        target: endpoint.url.clone(),
        progress_bar: false,
        test_lines: false,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(suite::run_suite(
        table::SCENARIOS,
        &client,
        &precache,
        &options,
    ));

    let names: Vec<&str> = result.tests.iter().map(|t| t.name.as_str()).collect();
    names.should().equal(vec![
        "cases::passes",
        "cases::fails_an_assertion",
        "cases::returns_an_error",
        "cases::skips",
        "cases::leaks",
    ]);
    (
        result.count(Status::Passed),
        result.count(Status::Failed),
        result.count(Status::Skipped),
    )
        .should()
        .equal((2, 2, 1));

    let passed = by_name(&result, "cases::passes");
    passed.resources.len().should().equal(1);
    passed.resources[0]
        .fate
        .should()
        .equal(Fate::DeletedByCleanup);
    passed
        .calls
        .iter()
        .map(|c| c.command.as_str())
        .collect::<Vec<_>>()
        .should()
        .equal(vec!["createAccount", "deleteAccount"]);

    let failed = by_name(&result, "cases::fails_an_assertion");
    let failure = failed.failure.clone().expect("a failure");
    failure.kind.should().equal(FailureKind::Panic);
    failure
        .message
        .should()
        .contain("should equal Some(\"locked\")");
    failure
        .location
        .clone()
        .unwrap_or_default()
        .should()
        .start_with("tests/suite.rs:");
    // Its account was cleaned up all the same.
    failed.resources[0]
        .fate
        .should()
        .equal(Fate::DeletedByCleanup);

    let error = by_name(&result, "cases::returns_an_error");
    error
        .failure
        .as_ref()
        .map(|f| f.kind)
        .should()
        .equal(Some(FailureKind::Error));
    error.calls[0]
        .error
        .as_ref()
        .and_then(|e| e.code)
        .should()
        .equal(Some(431));

    by_name(&result, "cases::skips")
        .skip_reason
        .as_deref()
        .should()
        .equal(Some("the cloud lacks what this needs"));

    // The kept account is the one leak, found on the cloud.
    let kept = &by_name(&result, "cases::leaks").resources[0];
    kept.fate.should().equal(Fate::Kept);
    result.leaks.created.should().equal(3);
    result.leaks.verified_gone.should().equal(2);
    result.leaks.leaks.len().should().equal(1);
    let leak = &result.leaks.leaks[0];
    leak.id.should().equal(kept.id.clone());
    leak.recorded.should().equal("kept");
    leak.evidence
        .should()
        .start_with("still listed by listAccounts");
    result.is_success().should().equal(false);

    let create_account = result
        .coverage
        .apis
        .iter()
        .find(|a| a.name == "createAccount")
        .expect("createAccount is in the precache");
    create_account.calls.should().equal(3);
    create_account.tests.should().equal(3);

    // Leave nothing behind ourselves.
    runtime
        .block_on(
            client
                .call(api("deleteAccount"))
                .params(Params::new().with("id", &kept.id))
                .send(),
        )
        .expect("the kept account is deleted");
    let _ = std::fs::remove_dir_all(dir);
}

fn scenario(name: &str) -> &'static marvin_runner::Scenario {
    table::SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

fn in_process_options(suite: &str) -> RunOptions {
    let endpoint = marvin::embedded_simulator().expect("the embedded simulator");
    RunOptions {
        suite: suite.into(),
        jobs: 1,
        settings: RunSettings {
            capabilities: None,
            run_id: format!("{suite}-{}", std::process::id()),
            ledger: None,
            selected_tags: None,
            termination_grace: None,
            hardware: false,
            chaos: None,
        },
        target: endpoint.url.clone(),
        progress_bar: false,
        test_lines: false,
    }
}

#[test]
fn retries_rerun_failures_and_a_pass_on_a_retry_is_flaky() {
    let client = marvin::embedded_simulator()
        .unwrap()
        .admin_client()
        .unwrap();
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).unwrap();
    let selected = [scenario("cases::flaky"), scenario("cases::broken")];
    let policy = suite::RunPolicy {
        retries: 2,
        ..Default::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(suite::run_selected(
        &selected,
        &client,
        &precache,
        &in_process_options("retries"),
        policy,
    ));

    let flaky = by_name(&result, "cases::flaky");
    flaky.status.should().equal(Status::Passed);
    flaky.is_flaky().should().equal(true);
    flaky.attempts().should().equal(2);
    flaky.earlier_failures[0]
        .message
        .should()
        .contain("should be greater than");
    // Both attempts' accounts were made, and both were cleaned up.
    flaky.resources.len().should().equal(2);
    result.leaks.leaks.len().should().equal(0);

    let broken = by_name(&result, "cases::broken");
    broken.status.should().equal(Status::Failed);
    broken.attempts().should().equal(3);
    result.flaky().count().should().equal(1);
    suite::summary::render(&result)
        .should()
        .contain("Flaky (passed on a retry):\n  cases::flaky (attempt 2 passed)");
    let html = suite::html::render(&result);
    html.should().contain(">FLAKY</span>");
    html.should().contain("<p>attempt 1 failed: <code>");
}

#[test]
fn after_a_failure_fail_fast_starts_nothing_more() {
    let client = marvin::embedded_simulator()
        .unwrap()
        .admin_client()
        .unwrap();
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).unwrap();
    let selected = [
        scenario("cases::broken"),
        scenario("cases::passes"),
        scenario("cases::skips"),
    ];
    let policy = suite::RunPolicy {
        fail_fast: true,
        ..Default::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(suite::run_selected(
        &selected,
        &client,
        &precache,
        &in_process_options("fail-fast"),
        policy,
    ));
    result
        .tests
        .iter()
        .map(|t| t.status)
        .collect::<Vec<_>>()
        .should()
        .equal(vec![Status::Failed, Status::NotRun, Status::NotRun]);
    by_name(&result, "cases::passes")
        .calls
        .len()
        .should()
        .equal(0);
    suite::summary::closing_line(&result)
        .should()
        .equal("fail-fast: 0 passed, 1 failed, 0 skipped".to_string());
}

/// `marvin smoke ARGS` with its own ledger (and so its own record of the
/// last run) in `dir`.
fn smoke(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marvin"));
    command
        .arg("smoke")
        .args(args)
        .env("MARVIN_LEDGER", dir.join("ledger.jsonl"))
        .env_remove("MARVIN_CONFIG")
        .env_remove("MARVIN_TAGS")
        .env_remove("MARVIN_CHAOS_PANIC")
        .env_remove("NO_COLOR");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("marvin smoke runs")
}

/// The bundled suite as `marvin smoke` runs it: the `marvin-smoke` crate's
/// scenarios, named without the crate, in name order.
fn bundled() -> &'static [suite::Scenario] {
    static BUNDLED: std::sync::OnceLock<Vec<suite::Scenario>> = std::sync::OnceLock::new();
    BUNDLED.get_or_init(|| suite::harness::registered("marvin_smoke"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("marvin-runner-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_empty_selection_or_an_unknown_tag_is_an_error_not_a_green_run() {
    let dir = scratch("empty");
    let unknown = smoke(&dir, &["--tags", "accounts,netwrk"], &[]);
    unknown.status.code().should().equal(Some(6));
    text(&unknown.stderr)
        .should()
        .contain("no test of smoke has the tag netwrk; its tags are: accounts,");
    text(&unknown.stdout).should().equal(String::new());

    let nothing = smoke(&dir, &["no_such_scenario"], &[]);
    nothing.status.code().should().equal(Some(6));
    text(&nothing.stderr).should().contain(format!(
        "no test of smoke ({} in all) is selected by names containing `no_such_scenario`",
        bundled().len()
    ));

    // nextest lists every test binary with the same MARVIN_TAGS: there a
    // tag of another binary selects nothing here, and is no error.
    let human = smoke(&dir, &["--list", "--tags", "netwrk"], &[]);
    human.status.code().should().equal(Some(6));
    let nextest = smoke(
        &dir,
        &["--list", "--format", "terse"],
        &[("MARVIN_TAGS", "netwrk")],
    );
    nextest.status.code().should().equal(Some(0));
    text(&nextest.stdout).should().equal(String::new());

    // Tags are trimmed and match whatever their case; MARVIN_TAGS too.
    let listed = smoke(
        &dir,
        &["--list", "--format", "terse"],
        &[("MARVIN_TAGS", " VPC ")],
    );
    listed.status.code().should().equal(Some(0));
    let tagged_vpc: String = bundled()
        .iter()
        .filter(|scenario| scenario.tags.contains(&"vpc"))
        .map(|scenario| format!("{}: test\n", scenario.name))
        .collect();
    tagged_vpc.is_empty().should().equal(false);
    text(&listed.stdout).should().equal(tagged_vpc);
    let _ = std::fs::remove_dir_all(dir);
}

fn listed(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--list", "--format", "terse"];
    all.extend_from_slice(args);
    let output = smoke(dir, &all, &[]);
    output.status.code().should().equal(Some(0));
    text(&output.stdout)
        .lines()
        .map(|line| line.trim_end_matches(": test").to_string())
        .collect()
}

#[test]
fn partitions_split_the_suite_into_slices_that_cover_it_once() {
    let dir = scratch("partition");
    let mut everything = listed(&dir, &[]);
    everything.len().should().equal(bundled().len());
    everything.sort();
    for kind in ["hash", "count"] {
        let mut union = Vec::new();
        for shard in 1..=3 {
            let slice = listed(&dir, &["--partition", &format!("{kind}:{shard}/3")]);
            slice.is_empty().should().equal(false);
            union.extend(slice);
        }
        union.sort();
        union.should().equal(everything.clone());
    }
    // count: every third test in name order.
    let first = listed(&dir, &["--partition", "count:1/3"]);
    first.len().should().equal(everything.len().div_ceil(3));
    let bad = smoke(&dir, &["--partition", "hash:4/3"], &[]);
    bad.status.code().should().equal(Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rerun_failed_takes_the_previous_failures_and_fail_fast_stops_the_run() {
    let dir = scratch("rerun");
    let none = smoke(&dir, &["--rerun-failed"], &[]);
    none.status.code().should().equal(Some(2));
    text(&none.stderr)
        .should()
        .contain("--rerun-failed: no previous run of smoke is recorded");

    // Every test panics on purpose: the first fails, the rest never start.
    let chaos = [("MARVIN_CHAOS_PANIC", "1"), ("MARVIN_CHAOS_SEED", "7")];
    let run = smoke(
        &dir,
        &[
            "--tags",
            "accounts",
            "--fail-fast",
            "--jobs",
            "1",
            "--color",
            "never",
        ],
        &chaos,
    );
    run.status.code().should().equal(Some(1));
    let stdout = text(&run.stdout);
    stdout.matches("    FAIL [").count().should().equal(1);
    let accounts: Vec<&str> = bundled()
        .iter()
        .filter(|scenario| scenario.tags.contains(&"accounts"))
        .map(|scenario| scenario.name)
        .collect();
    let never_started = accounts.len() - 1;
    stdout
        .matches(" NOT RUN [")
        .count()
        .should()
        .equal(never_started);
    stdout.should().contain(format!(
        "Not run: {never_started} tests never started (not run: an earlier test failed (--fail-fast))"
    ));
    stdout
        .lines()
        .last()
        .map(String::from)
        .should()
        .equal(Some("smoke: 0 passed, 1 failed, 0 skipped".to_string()));

    // Only the failed one is rerun; once it passes nothing is left to rerun.
    listed(&dir, &["--rerun-failed"])
        .should()
        .equal(vec![accounts[0].to_string()]);
    let rerun = smoke(&dir, &["--rerun-failed"], &[]);
    rerun.status.code().should().equal(Some(0));
    text(&rerun.stdout)
        .should()
        .contain("smoke: 1 passed, 0 failed, 0 skipped");
    let again = smoke(&dir, &["--rerun-failed"], &[]);
    again.status.code().should().equal(Some(6));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_closed_stdout_ends_the_list_quietly() {
    let dir = scratch("pipe");
    // As `marvin smoke --list | head -0`: nobody reads stdout.
    let mut child = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(["smoke", "--list"])
        .env("MARVIN_LEDGER", dir.join("ledger.jsonl"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    text(&output.stderr).should().equal(String::new());
    output.status.code().should().equal(Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_missing_config_or_an_unreachable_cloud_stops_before_any_test() {
    let dir = scratch("config");
    let missing = smoke(&dir, &["--config", "nope.json"], &[]);
    missing.status.code().should().equal(Some(3));
    text(&missing.stderr)
        .should()
        .contain("nope.json: no such file");
    text(&missing.stderr)
        .should_not()
        .contain("entity not found");

    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = dir.join("cloud.json");
    std::fs::write(
        &config,
        format!(r#"{{"mgtSvr":[{{"mgtSvrIp":"127.0.0.1","port":{port},"apiKey":"k","securityKey":"s"}}]}}"#),
    )
    .unwrap();
    // No wait for a cloud that may still be starting (tests/backends.rs
    // checks the wait itself).
    let unreachable = smoke(
        &dir,
        &["--config", config.to_str().unwrap(), "--ready-timeout", "0"],
        &[],
    );
    unreachable.status.code().should().equal(Some(3));
    text(&unreachable.stderr).should().contain(
        format!("the cloud at http://127.0.0.1:{port}/client/api does not answer").as_str(),
    );
    text(&unreachable.stdout).should().equal(String::new());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ctrl_c_starts_no_further_test() {
    let dir = scratch("interrupt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(["smoke", "--jobs", "1", "--color", "never"])
        .env("MARVIN_LEDGER", dir.join("ledger.jsonl"))
        .env_remove("MARVIN_CONFIG")
        .env_remove("MARVIN_TAGS")
        .env_remove("MARVIN_CHAOS_PANIC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // The first finished test: the run is under way.
    std::io::BufRead::read_line(&mut stdout, &mut seen).unwrap();
    seen.should().contain("PASS [");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    status.code().should().equal(Some(130));
    // Only the test that was running when the signal came is stopped (and
    // reported failed); the others never start, so none of them fails.
    rest.matches("    FAIL [").count().should().be_less_than(2);
    let _ = std::fs::remove_dir_all(dir);
}
