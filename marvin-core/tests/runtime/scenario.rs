//! `run_scenario`: many tests on one runtime, each outcome returned as data
//! (verdict, trace, cleanup, resource history) instead of printed.

use futures_util::future::join_all;
use marvin_core::Api;
use marvin_core::should::Should;
use marvin_core::testing::{CleanupEnd, RunSettings, TestSpec, Verdict, run_scenario};
use marvin_core::{Error, ErrorCode};

use crate::fake::{Answer, FakeCloud, TempLedger, Thing};

fn settings(ledger: &TempLedger) -> RunSettings {
    RunSettings {
        capabilities: None,
        run_id: "run-scenario".into(),
        ledger: Some(ledger.path.clone()),
        selected_tags: None,
        termination_grace: None,
        hardware: false,
        chaos: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn outcomes_of_concurrent_tests_are_kept_apart() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("scenario-concurrent");
    fake.script("leaky", &[Answer::Fail(531)]);
    let settings = settings(&ledger);
    let client = fake.client();
    let spec_pass = TestSpec::new("t::pass");
    let spec_error = TestSpec::new("t::error");
    let spec_panic = TestSpec::new("t::panic");
    let spec_leak = TestSpec::new("t::leak");
    let (passed, failed, panicked, leaky) = runtime().block_on(async {
        let passed = run_scenario(&settings, &spec_pass, client.clone(), |ctx| {
            Box::pin(async move {
                let vm = ctx.manage(Thing::new("VirtualMachine", "vm1"));
                ctx.client().call(Api::unknown("listZones")).await?;
                vm.delete().await?;
                ctx.manage(Thing::new("Network", "n1"));
                Ok(())
            })
        });
        let failed = run_scenario(&settings, &spec_error, client.clone(), |_| {
            Box::pin(async {
                Err(Error::Setup {
                    message: "no zone".into(),
                    source: None,
                })
            })
        });
        let panicked = run_scenario(&settings, &spec_panic, client.clone(), |_| {
            Box::pin(async { panic!("the scenario's own failure") })
        });
        let leaky = run_scenario(&settings, &spec_leak, client.clone(), |ctx| {
            Box::pin(async move {
                ctx.manage(Thing::new("Network", "leaky"));
                Ok(())
            })
        });
        let mut all = join_all([
            Box::pin(passed) as futures_util::future::LocalBoxFuture<'_, _>,
            Box::pin(failed),
            Box::pin(panicked),
            Box::pin(leaky),
        ])
        .await
        .into_iter();
        (
            all.next().unwrap(),
            all.next().unwrap(),
            all.next().unwrap(),
            all.next().unwrap(),
        )
    });

    matches!(passed.verdict, Verdict::Passed)
        .should()
        .equal(true);
    passed.is_failure().should().equal(false);
    let commands: Vec<String> = passed
        .trace
        .calls()
        .into_iter()
        .map(|c| c.command)
        .collect();
    commands
        .should()
        .equal(vec!["listZones", "destroyVirtualMachine", "deleteNetwork"]);
    let history: Vec<String> = passed
        .resources
        .iter()
        .map(|(event, d)| format!("{event:?} {}", d.id))
        .collect();
    history.should().equal(vec![
        "Created vm1",
        "Deleted vm1",
        "Created n1",
        "Deleted n1",
    ]);
    passed.duration.should().be_at_least(passed.body_time);

    match &failed.verdict {
        Verdict::Failed(error) => error.to_string().should().contain("no zone"),
        other => panic!("expected a failure, got {other:?}"),
    }
    failed.is_failure().should().equal(true);

    panicked
        .verdict
        .panic_message()
        .should()
        .have_value("the scenario's own failure");

    matches!(leaky.verdict, Verdict::Passed)
        .should()
        .equal(true);
    leaky.is_failure().should().equal(true);
    match &leaky.cleanup {
        CleanupEnd::Ran(report) => {
            report.failures.len().should().equal(1);
            report.failures[0]
                .error
                .code()
                .should()
                .have_value(ErrorCode::AccountError);
        }
        other => panic!("expected a cleanup report, got {other:?}"),
    }
    ledger.pending().should().equal(vec!["leaky".to_string()]);
}

#[test]
fn a_test_the_settings_skip_does_not_run() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("scenario-skip");
    let mut settings = settings(&ledger);
    settings.selected_tags = Some(vec!["smoke".into()]);
    let outcome = runtime().block_on(run_scenario(
        &settings,
        &TestSpec::new("t::other").with_tags(["advanced"]),
        fake.client(),
        |_| Box::pin(async { panic!("must not run") }),
    ));
    match outcome.verdict {
        Verdict::Skipped(reason) => reason.should().contain("not selected"),
        other => panic!("expected a skip, got {other:?}"),
    }
    outcome.trace.is_empty().should().equal(true);
    fake.calls().should().be_empty();
    ledger.events().should().be_empty();
}

#[test]
fn guards_are_deleted_last_created_first_whatever_order_they_drop_in() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("scenario-order");
    let settings = settings(&ledger);
    let spec = TestSpec::new("t::order");
    let outcome = runtime().block_on(run_scenario(&settings, &spec, fake.client(), |ctx| {
        Box::pin(async move {
            let first = ctx.manage(Thing::new("Network", "first"));
            let second = ctx.manage(Thing::new("Network", "second"));
            // As locals do at the end of a scope: the last created drops
            // first. The order of deletion must not follow the drops.
            drop(second);
            drop(first);
            Ok(())
        })
    }));
    outcome.is_failure().should().equal(false);
    fake.deletions()
        .should()
        .equal(vec!["deleteNetwork second", "deleteNetwork first"]);
}
