//! `run_test`: cleanup always runs, failures come out in the right order and
//! are never hidden; tags, skips, the context's services; and, from child
//! processes, the output of a failing test and termination by signal.

use marvin_core::Api;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use marvin_core::cleanup::Event;
use marvin_core::should::Should;
use marvin_core::testing::{RunSettings, TestSpec, run_test, run_test_with};
use marvin_core::{Client, Error, ErrorCode, Params};

use crate::fake::{Answer, FakeCloud, TempLedger, Thing};

fn settings(ledger: &TempLedger) -> RunSettings {
    RunSettings {
        capabilities: None,
        run_id: "run-runner".into(),
        ledger: Some(ledger.path.clone()),
        selected_tags: None,
        termination_grace: None,
        hardware: false,
        chaos: None,
    }
}

fn connect_to(
    fake: &FakeCloud,
) -> impl FnOnce() -> std::future::Ready<marvin_core::Result<Client>> {
    let client = fake.client();
    move || std::future::ready(Ok(client))
}

/// The panic message of a test run that should fail.
fn failure_of(run: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(run)).expect_err("the test should fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("a text panic")
}

#[test]
fn a_passing_test_cleans_up_everything_it_created() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("pass");
    run_test_with(
        settings(&ledger),
        TestSpec::new("t::pass"),
        connect_to(&fake),
        |ctx| {
            Box::pin(async move {
                let net = ctx.manage(Thing::new("Network", "n1"));
                let vm = ctx.manage(Thing::new("VirtualMachine", "vm1"));
                vm.id.should().equal("vm1");
                drop(net);
                ctx.cleanup().len().should().equal(1);
                Ok(())
            })
        },
    );
    assert_eq!(
        fake.deletions(),
        ["destroyVirtualMachine vm1", "deleteNetwork n1"]
    );
    assert_eq!(
        ledger.events(),
        ["created n1", "created vm1", "deleted vm1", "deleted n1"]
    );
    let records = marvin_core::cleanup::Ledger::open(&ledger.path)
        .read()
        .unwrap()
        .records;
    assert!(
        records
            .iter()
            .all(|r| r.run == "run-runner" && r.test == "t::pass")
    );
}

#[test]
fn a_panic_is_reraised_after_cleanup() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("panic");
    let message = failure_of(|| {
        run_test_with(
            settings(&ledger),
            TestSpec::new("t::panic"),
            connect_to(&fake),
            |ctx| {
                Box::pin(async move {
                    let _vm = ctx.manage(Thing::new("VirtualMachine", "vm1"));
                    "Stopped".should().named("vm.state").equal("Running");
                    Ok(())
                })
            },
        )
    });
    assert_eq!(
        message,
        "vm.state should equal \"Running\"\n  actual: \"Stopped\""
    );
    assert_eq!(fake.deletions(), ["destroyVirtualMachine vm1"]);
    assert!(ledger.pending().is_empty());
}

#[test]
fn a_failing_cleanup_does_not_hide_the_panic() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("panic-and-leak");
    fake.script("n1", &[Answer::Fail(531)]);
    let message = failure_of(|| {
        run_test_with(
            settings(&ledger),
            TestSpec::new("t::both"),
            connect_to(&fake),
            |ctx| {
                Box::pin(async move {
                    let _net = ctx.manage(Thing::new("Network", "n1"));
                    let _acc = ctx.manage(Thing::new("Account", "a1"));
                    panic!("the test's own failure");
                })
            },
        )
    });
    assert_eq!(message, "the test's own failure");
    // The failure did not stop the account's deletion; n1 is left in the ledger.
    assert_eq!(fake.deletions(), ["deleteNetwork n1", "deleteAccount a1"]);
    assert_eq!(ledger.pending(), ["n1"]);
}

#[test]
fn an_error_fails_the_test_with_its_display() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("error");
    fake.script("x", &[Answer::Fail(431)]);
    let message = failure_of(|| {
        run_test_with(
            settings(&ledger),
            TestSpec::new("t::error"),
            connect_to(&fake),
            |ctx| {
                Box::pin(async move {
                    let _vm = ctx.manage(Thing::new("VirtualMachine", "vm1"));
                    ctx.client()
                        .call(Api::described("deleteNetwork", false))
                        .params(Params::from([("id", "x")]))
                        .await?;
                    Ok(())
                })
            },
        )
    });
    assert_eq!(
        message,
        "test returned an error: deleteNetwork was rejected (431/4350): scripted failure"
    );
    assert_eq!(
        fake.deletions(),
        ["deleteNetwork x", "destroyVirtualMachine vm1"]
    );
}

#[test]
fn a_passing_test_whose_cleanup_fails_fails() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("leak");
    fake.script("n1", &[Answer::Fail(531)]);
    let message = failure_of(|| {
        run_test_with(
            settings(&ledger),
            TestSpec::new("t::leak"),
            connect_to(&fake),
            |ctx| {
                Box::pin(async move {
                    ctx.manage(Thing::new("Network", "n1"));
                    Ok(())
                })
            },
        )
    });
    assert_eq!(
        message,
        "the test passed but its cleanup failed (see above)"
    );
    assert_eq!(ledger.pending(), ["n1"]);
}

#[test]
fn tags_select_which_tests_run() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("tags");
    let mut selected = settings(&ledger);
    selected.selected_tags = Some(vec!["smoke".into(), "network".into()]);
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let spec = TestSpec::new("t::slow").with_tags(["slow"]);
    run_test_with(
        selected.clone(),
        spec,
        || async { panic!("a skipped test must not connect") },
        |_| Box::pin(async { panic!("a skipped test must not run") }),
    );
    let spec = TestSpec::new("t::smoke").with_tags(["advanced", "smoke"]);
    run_test_with(selected.clone(), spec.clone(), connect_to(&fake), |_| {
        Box::pin(async {
            RAN.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    });
    assert_eq!(RAN.load(Ordering::SeqCst), 1);
    assert_eq!(
        selected.skip_reason(&TestSpec::new("t::none")).as_deref(),
        Some("tags [] not selected by MARVIN_TAGS=smoke,network")
    );
    assert_eq!(selected.skip_reason(&spec), None);
    assert_eq!(
        settings(&ledger).skip_reason(&TestSpec::new("t::none")),
        None
    );
}

#[test]
fn hardware_tests_are_skipped_unless_hardware_is_enabled() {
    let ledger = TempLedger::new("hardware");
    let spec = TestSpec::new("t::hv").with_required_hardware(true);
    let mut with_hardware = settings(&ledger);
    assert_eq!(
        with_hardware.skip_reason(&spec).as_deref(),
        Some("needs real hardware; set MARVIN_HARDWARE=true to run it")
    );
    with_hardware.hardware = true;
    assert_eq!(with_hardware.skip_reason(&spec), None);
    assert_eq!(with_hardware.skip_reason(&TestSpec::new("t::plain")), None);
}

#[test]
fn a_body_can_skip_and_cleanup_still_runs() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("skip");
    run_test_with(
        settings(&ledger),
        TestSpec::new("t::skip"),
        connect_to(&fake),
        |ctx| {
            Box::pin(async move {
                let _vm = ctx.manage(Thing::new("VirtualMachine", "vm1"));
                ctx.skip("the zone is not an advanced zone");
            })
        },
    );
    assert_eq!(fake.deletions(), ["destroyVirtualMachine vm1"]);
}

#[test]
fn a_failed_connection_fails_the_test() {
    let ledger = TempLedger::new("connect");
    let message = failure_of(|| {
        run_test_with(
            settings(&ledger),
            TestSpec::new("t::connect"),
            || async { Client::builder("not a url").integration().build() },
            |_| Box::pin(async { Ok(()) }),
        )
    });
    message
        .should()
        .start_with("could not connect to the cloud: ");
}

#[test]
fn the_context_caches_lookups_traces_calls_and_acts_as_users() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("context");
    static INITS: AtomicUsize = AtomicUsize::new(0);
    run_test_with(
        settings(&ledger),
        TestSpec::new("t::ctx").with_tags(["smoke"]),
        connect_to(&fake),
        |ctx| {
            Box::pin(async move {
                ctx.test_name().should().equal("t::ctx");
                ctx.run_id().should().equal("run-runner");
                ctx.tags().should().equal(["smoke".to_string()]);
                let zone = |name: &'static str| {
                    move || async move {
                        INITS.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, Error>(name.to_string())
                    }
                };
                let first = ctx.cached("zone", zone("z1")).await?;
                let second = ctx.cached("zone", zone("z2")).await?;
                second.as_str().should().equal("z1");
                first.should().equal(second);
                // Another type under the same key is another slot.
                let count = ctx
                    .cached("zone", || async { Ok::<_, Error>(7u32) })
                    .await?;
                count.should().equal(std::sync::Arc::new(7));
                INITS.load(Ordering::SeqCst).should().equal(1);
                // A failed init is not cached.
                let failed = ctx
                    .cached::<u64, _, _>("offering", || async {
                        Err(Error::Setup {
                            message: "no offering".into(),
                            source: None,
                        })
                    })
                    .await;
                failed.is_err().should().equal(true);
                ctx.cached("offering", || async { Ok::<_, Error>(1u64) })
                    .await?;

                ctx.client()
                    .call(Api::unknown("listZones"))
                    .params(Params::from([("available", "true")]))
                    .await?;
                let user = ctx.as_user("u1").await?;
                user.api_key().should().equal(Some("user-api-key"));
                user.call(Api::unknown("listNetworks")).await?;
                let commands: Vec<String> =
                    ctx.trace().calls().into_iter().map(|c| c.command).collect();
                commands
                    .should()
                    .equal(vec!["listZones", "getUserKeys", "listNetworks"]);
                let rendered = ctx.trace().render("t::ctx");
                rendered.should().start_with(
                    "API calls of t::ctx (3):\n    1. listZones available=true -> ok (",
                );
                Ok(())
            })
        },
    );
}

// ----- seen from outside: child processes ---------------------------------

const SCENARIO: &str = "MARVIN_TEST_SCENARIO";
const FAKE_URL: &str = "MARVIN_TEST_FAKE_URL";

/// Not a test on its own: the body of the child processes below, chosen by
/// `MARVIN_TEST_SCENARIO`. Uses `run_test` (settings from the environment)
/// as a `#[marvin::test]` would.
#[test]
#[ignore = "helper process for the child-process tests"]
fn child_scenario() {
    let scenario = std::env::var(SCENARIO).expect("run by a child-process test");
    let url = std::env::var(FAKE_URL).unwrap();
    let connect = move || async move { Client::builder(url).integration().build() };
    match scenario.as_str() {
        "panic-with-leak" => run_test(TestSpec::new("child::panics"), connect, |ctx| {
            Box::pin(async move {
                let _net = ctx.manage(Thing::new("Network", "leaky-n1"));
                ctx.client().call(Api::unknown("listZones")).await?;
                panic!("the test's own failure");
            })
        }),
        "hang" => run_test(TestSpec::new("child::hangs"), connect, |ctx| {
            Box::pin(async move {
                let _vm = ctx.manage(Thing::new("VirtualMachine", "hung-vm1"));
                std::future::pending::<()>().await;
                Ok(())
            })
        }),
        other => panic!("unknown scenario {other}"),
    }
}

fn child(scenario: &str, fake: &FakeCloud, ledger: &TempLedger, grace: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--ignored",
            "--exact",
            "runner::child_scenario",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SCENARIO, scenario)
        .env(FAKE_URL, &fake.url)
        .env("MARVIN_LEDGER", &ledger.path)
        .env("MARVIN_RUN_ID", format!("child-{scenario}"))
        .env("MARVIN_TERM_GRACE", grace)
        .env("MARVIN_COLOR", "never")
        .env_remove("MARVIN_TAGS")
        .stdin(Stdio::null());
    command
}

#[test]
fn a_failing_test_prints_its_failure_then_cleanup_failures_then_its_trace() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("child-output");
    fake.script("leaky-n1", &[Answer::Fail(531)]);
    let output = child("panic-with-leak", &fake, &ledger, "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let panic = stderr
        .find("the test's own failure")
        .unwrap_or_else(|| panic!("no panic in:\n{stderr}"));
    let cleanup = stderr
        .find("child::panics: cleanup: 0 deleted, 0 already gone, 1 failed\n  could not delete Network leaky-n1 (deleteNetwork): deleteNetwork was rejected (531/4350): scripted failure")
        .unwrap_or_else(|| panic!("no cleanup report in:\n{stderr}"));
    let trace = stderr
        .find("API calls of child::panics (2):\n    1. listZones -> ok (")
        .unwrap_or_else(|| panic!("no trace in:\n{stderr}"));
    assert!(panic < cleanup && cleanup < trace, "{stderr}");
    assert!(
        stderr.contains("    2. deleteNetwork id=leaky-n1 -> failed 531: "),
        "{stderr}"
    );
    assert_eq!(ledger.pending(), ["leaky-n1"]);
}

/// Waits until the child has registered its resource in the ledger.
fn wait_for_created(ledger: &TempLedger, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ledger.events().iter().any(|e| e.starts_with("created")) {
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        assert!(
            Instant::now() < deadline,
            "the child never created its resource"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_with_timeout(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn sigterm_runs_pending_cleanups_before_exiting() {
    use std::io::Read;
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("child-sigterm");
    let mut process = child("hang", &fake, &ledger, "5")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_created(&ledger, &mut process);
    let killed = Command::new("kill")
        .args(["-TERM", &process.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_with_timeout(&mut process);
    let mut stderr = String::new();
    process
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("marvin: SIGTERM received: running pending cleanups"),
        "{stderr}"
    );
    assert!(
        stderr.contains("child::hangs: cleanup: 1 deleted, 0 already gone, 0 failed"),
        "{stderr}"
    );
    assert_eq!(fake.deletions(), ["destroyVirtualMachine hung-vm1"]);
    assert_eq!(ledger.events(), ["created hung-vm1", "deleted hung-vm1"]);
}

#[test]
fn after_sigkill_the_sweep_deletes_what_the_ledger_lists() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("child-sigkill");
    let mut process = child("hang", &fake, &ledger, "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_created(&ledger, &mut process);
    process.kill().unwrap();
    process.wait().unwrap();
    assert!(fake.deletions().is_empty());
    assert_eq!(ledger.pending(), ["hung-vm1"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime
        .block_on(marvin_core::cleanup::sweep(
            &fake.client(),
            std::slice::from_ref(&ledger.path),
            &marvin_core::cleanup::SweepOptions::new(crate::fake::RULES).run("child-hang"),
        ))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(fake.deletions(), ["destroyVirtualMachine hung-vm1"]);
    assert!(ledger.pending().is_empty());
    let records = marvin_core::cleanup::Ledger::open(&ledger.path)
        .read()
        .unwrap()
        .records;
    assert_eq!(records.last().map(|r| r.event), Some(Event::Deleted));
}

#[test]
fn error_codes_read_through_should() {
    // `fail_with` on a real client error (from the fake).
    let fake = FakeCloud::start();
    fake.script("n9", &[Answer::Fail(536)]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(
        fake.client()
            .call(Api::described("deleteNetwork", false))
            .params(Params::from([("id", "n9")]))
            .send(),
    );
    result.should().fail_with(ErrorCode::ResourceInUse);
    result.should_not().fail_with(ErrorCode::ParamError);
}

#[test]
fn contexts_and_guards_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<marvin_core::testing::TestContext>();
    send_sync::<marvin_core::cleanup::Managed<Thing>>();
    send_sync::<marvin_core::cleanup::CleanupStack>();
    send_sync::<marvin_core::should::SoftAssertions>();
}
