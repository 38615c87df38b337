//! Cleanup end to end: after a panic, with a failing deletion, and after
//! SIGKILL (the ledger and `marvin cleanup`).

use marvin_entities::api;
use std::io::{BufRead, BufReader};
use std::process::Command;

use marvin_core::cleanup::{Event, SweepOptions, sweep};

use super::child::{Cloud, run, spawn};

/// The listings a fixture's resources show up in.
const LISTINGS: &[&str] = &[
    "listAccounts",
    "listUsers",
    "listServiceOfferings",
    "listNetworkOfferings",
    "listNetworks",
];

async fn sizes(cloud: &Cloud) -> Vec<usize> {
    let mut sizes = Vec::new();
    for listing in LISTINGS {
        sizes.push(cloud.count(listing).await);
    }
    sizes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_panics_halfway_leaves_nothing_behind() {
    let cloud = Cloud::start("panic").await;
    let before = sizes(&cloud).await;
    let ran = run(cloud.fixture("panics_halfway")).await;
    assert!(!ran.success, "the panic fails the test\n{}", ran.both());
    assert!(ran.stdout.contains("created "), "{}", ran.both());
    assert!(
        ran.stderr.contains("halfway through, on purpose"),
        "the test's own panic is reported\n{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("cleanup: 5 deleted, 0 already gone, 0 failed"),
        "{}",
        ran.both()
    );
    assert_eq!(sizes(&cloud).await, before, "{}", ran.both());
    assert!(cloud.pending().is_empty(), "{:?}", cloud.pending());
    let created = cloud
        .records()
        .iter()
        .filter(|r| r.event == Event::Created)
        .count();
    assert_eq!(created, 5, "every resource went through the ledger");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_deletion_is_reported_and_the_others_still_run() {
    let cloud = Cloud::start("failing").await;
    let accounts = cloud.count("listAccounts").await;
    let offerings = cloud.count("listServiceOfferings").await;
    let fault = cloud
        .simulator()
        .call_as_admin(
            "configureSimulatorFault",
            &[
                ("apiname", "deleteServiceOffering"),
                ("action", "fail"),
                ("count", "-1"),
                ("errorcode", "530"),
                ("errortext", "storage is on fire"),
            ],
        )
        .expect("the fault is armed");
    let ran = run(cloud.fixture("cleanup_fails_for_one")).await;
    assert!(
        !ran.success,
        "a failed cleanup fails the test\n{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("cleanup: 2 deleted, 0 already gone, 1 failed"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("could not delete ServiceOffering")
            && ran.stderr.contains("storage is on fire"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("the test passed but its cleanup failed"),
        "{}",
        ran.both()
    );
    assert_eq!(
        cloud.count("listAccounts").await,
        accounts,
        "both accounts are gone"
    );
    assert_eq!(cloud.count("listServiceOfferings").await, offerings + 1);
    let pending = cloud.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].entity, "ServiceOffering");

    // Once the cloud recovers, the ledger's sweep finishes the job.
    let id = fault["simulatorfault"]["id"]
        .as_str()
        .expect("a fault id")
        .to_string();
    cloud
        .simulator()
        .call_as_admin("deleteSimulatorFault", &[("id", &id)])
        .expect("the fault is removed");
    let options = SweepOptions::new(marvin::entities::DELETION_RULES).run(&cloud.run);
    let report = sweep(&cloud.client(), &[cloud.ledger()], &options)
        .await
        .expect("the sweep runs");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 1, "{report}");
    assert_eq!(cloud.count("listServiceOfferings").await, offerings);
    assert!(cloud.pending().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_test_is_swept_from_the_ledger_and_nothing_else_is_touched() {
    let cloud = Cloud::start("killed").await;
    // Made outside the run: the sweep must leave it alone.
    let outsider = cloud
        .client()
        .call(api("createAccount"))
        .params(
            [
                ("username", "outsider"),
                ("password", "Outside-2024"),
                ("firstname", "Out"),
                ("lastname", "Sider"),
                ("email", "out@example.com"),
                ("accounttype", "0"),
            ]
            .into_iter()
            .collect(),
        )
        .await
        .expect("an account outside the run");
    let before = sizes(&cloud).await;

    let mut child = spawn(cloud.fixture("waits_to_be_killed"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            // libtest may start the line with `test ... `.
            .find(|line| line.contains("READY "))
    })
    .await
    .expect("the reading thread");
    assert!(ready.is_some(), "the fixture got ready");
    child.kill().expect("SIGKILL");
    child.wait().expect("the child ends");

    let pending = cloud.pending();
    let kinds: Vec<&str> = pending.iter().map(|r| r.entity.as_str()).collect();
    assert_eq!(
        kinds,
        ["Account", "NetworkOffering", "Network"],
        "{pending:?}"
    );
    assert_ne!(
        sizes(&cloud).await,
        before,
        "the killed test left resources"
    );

    // `marvin cleanup`, first as a dry run.
    let marvin = |dry_run: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_marvin"));
        command
            .arg("cleanup")
            .arg("--config")
            .arg(cloud.config())
            .arg("--ledger")
            .arg(cloud.ledger())
            .arg("--run")
            .arg(&cloud.run);
        if dry_run {
            command.arg("--dry-run");
        }
        command
    };
    let dry = run(marvin(true)).await;
    assert!(dry.success, "{}", dry.both());
    assert!(
        dry.stdout
            .contains("3 pending resource(s) would be deleted"),
        "{}",
        dry.both()
    );
    assert_eq!(cloud.pending().len(), 3, "a dry run deletes nothing");

    let swept = run(marvin(false)).await;
    assert!(swept.success, "{}", swept.both());
    assert!(
        swept.stdout.contains("3 pending: 3 deleted"),
        "{}",
        swept.both()
    );
    assert_eq!(
        sizes(&cloud).await,
        before,
        "back to the state before the run"
    );
    assert!(cloud.pending().is_empty());
    let accounts = cloud.names("listAccounts").await;
    assert!(
        accounts.iter().any(|name| name == "outsider"),
        "the account made outside the run survives: {accounts:?} ({outsider})"
    );
}
