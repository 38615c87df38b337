//! Failing assertions print readable messages, with the test's API calls
//! and its cleanup report.

use super::child::{Cloud, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_should_names_the_subject_the_expectation_and_the_value() {
    let cloud = Cloud::start("should").await;
    let ran = run(cloud.fixture("assertion_fails")).await;
    assert!(!ran.success, "{}", ran.both());
    assert!(
        ran.stderr
            .contains("account.name should equal Some(\"nobody\")\n  actual: Some(\"reader\")"),
        "{}",
        ran.both()
    );
    // The API trace of the failed test, secrets masked.
    assert!(
        ran.stderr
            .contains("API calls of framework::fixtures::assertion_fails"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("createAccount"), "{}", ran.both());
    assert!(ran.stderr.contains("username=reader"), "{}", ran.both());
    // The test's own events at the moment of failure.
    assert!(
        ran.stderr.contains(
            "framework::fixtures::assertion_fails: its events (its resources and accounts, newest first):"
        ),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("ACCOUNT.CREATE"), "{}", ran.both());
    assert!(
        ran.stderr.contains("password=***"),
        "secrets are masked\n{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("cleanup: 1 deleted, 0 already gone, 0 failed"),
        "{}",
        ran.both()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_assertions_report_every_failure_together() {
    let cloud = Cloud::start("soft").await;
    let ran = run(cloud.fixture("soft_assertions_fail")).await;
    assert!(!ran.success, "{}", ran.both());
    assert!(
        ran.stderr.contains("2 of 3 soft assertions failed:"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("1) account.accounttype should equal Some(1)\n     actual: Some(0)"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("2) account.state should equal Some(\"locked\")"),
        "{}",
        ran.both()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventually_reports_the_last_value_and_the_time_waited() {
    let cloud = Cloud::start("eventually").await;
    let ran = run(cloud.fixture("eventually_times_out")).await;
    assert!(!ran.success, "{}", ran.both());
    assert!(
        ran.stderr
            .contains("eventually: the account is disabled did not hold within 300ms"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("last value: Account {"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("state: Some(\n"), "{}", ran.both());
    assert!(ran.stderr.contains("s elapsed)"), "{}", ran.both());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_returned_by_the_test_is_reported_with_its_cloud_error() {
    let cloud = Cloud::start("error").await;
    let accounts = cloud.count("listAccounts").await;
    let ran = run(cloud.fixture("returns_an_error")).await;
    assert!(!ran.success, "{}", ran.both());
    // The error came from inside a factory; the place is the test's `?`.
    let line = include_str!("fixtures.rs")
        .lines()
        .position(|l| l.contains("UserAccount::new().username(name).create(ctx).await?;"))
        .expect("the fixture's line")
        + 1;
    assert!(
        ran.stderr.contains(&format!(
            "test returned an error at tests/framework/fixtures.rs:{line}:"
        )),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains(": createAccount was rejected (431"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("cleanup: 1 deleted"), "{}", ran.both());
    assert_eq!(cloud.count("listAccounts").await, accounts);
}
