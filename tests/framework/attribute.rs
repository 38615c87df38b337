//! `#[marvin::test]` end to end: tag selection, required hardware, skips,
//! and cleanup with its ledger records.

use marvin_core::cleanup::Event;

use super::child::{Cloud, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_select_tests() {
    let cloud = Cloud::start("tags").await;
    let accounts = cloud.count("listAccounts").await;

    let mut other = cloud.fixture("tagged_smoke");
    other.env("MARVIN_TAGS", "advanced,basic");
    let ran = run(other).await;
    assert!(ran.success, "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "SKIPPED framework::fixtures::tagged_smoke (tags [smoke, accounts] not selected by MARVIN_TAGS=advanced,basic)"
        ),
        "{}",
        ran.both()
    );
    assert!(
        !ran.stdout.contains("ran "),
        "a skipped test does not run\n{}",
        ran.both()
    );
    assert!(cloud.records().is_empty(), "nothing was created");

    let mut selected = cloud.fixture("tagged_smoke");
    selected.env("MARVIN_TAGS", "basic, accounts");
    let ran = run(selected).await;
    assert!(ran.success, "{}", ran.both());
    assert!(
        ran.stdout
            .contains("ran framework::fixtures::tagged_smoke as "),
        "{}",
        ran.both()
    );
    assert_eq!(cloud.count("listAccounts").await, accounts, "cleaned up");
    let events: Vec<(Event, String)> = cloud
        .records()
        .into_iter()
        .map(|r| (r.event, r.test))
        .collect();
    let test = "framework::fixtures::tagged_smoke".to_string();
    // The intent comes first: written before the create is sent.
    assert_eq!(
        events,
        [
            (Event::Intent, test.clone()),
            (Event::Created, test.clone()),
            (Event::Deleted, test)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tests_that_need_hardware_are_skipped_unless_asked_for() {
    let cloud = Cloud::start("hardware").await;
    let ran = run(cloud.fixture("needs_hardware")).await;
    assert!(ran.success, "{}", ran.both());
    assert!(
        ran.stderr
            .contains("SKIPPED framework::fixtures::needs_hardware (needs real hardware"),
        "{}",
        ran.both()
    );
    assert!(!ran.stdout.contains("ran on hardware"));

    let mut asked = cloud.fixture("needs_hardware");
    asked.env("MARVIN_HARDWARE", "true");
    let ran = run(asked).await;
    assert!(ran.success, "{}", ran.both());
    assert!(ran.stdout.contains("ran on hardware"), "{}", ran.both());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_skips_itself_passes_and_is_still_cleaned_up() {
    let cloud = Cloud::start("skip").await;
    let accounts = cloud.count("listAccounts").await;
    let ran = run(cloud.fixture("skips_itself")).await;
    assert!(ran.success, "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "SKIPPED framework::fixtures::skips_itself (the zone has no security groups)"
        ),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("created "), "{}", ran.both());
    assert_eq!(cloud.count("listAccounts").await, accounts, "cleaned up");
    assert!(cloud.pending().is_empty());
}
