//! What a failing test reports about itself under cargo's own harness:
//! where its error was returned, and its own events.

use marvin_core::Params;

use super::child::{Cloud, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_returned_with_a_question_mark_names_its_line_and_only_the_tests_events() {
    let cloud = Cloud::start("question-mark").await;
    // Another test's work on the same cloud, by the same admin, within the
    // time window of the fixture.
    let other = cloud
        .client()
        .request(
            "createDomain",
            Params::new().with("name", "not-the-fixtures"),
        )
        .await
        .expect("a domain");
    let other_id = other["domain"]["id"].as_str().expect("an id").to_string();

    let ran = run(cloud.fixture("fails_with_question_mark")).await;
    let output = ran.both();
    assert!(!ran.success, "{output}");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.split("fails at line ").nth(1))
        .unwrap_or_else(|| panic!("the fixture printed its line\n{output}"));
    assert!(
        output.contains(&format!(
            "test returned an error at tests/framework/fixtures.rs:{line}:"
        )),
        "{output}"
    );
    let events: Vec<&str> = output
        .lines()
        .skip_while(|l| !l.contains(": its events (its resources and accounts, newest first):"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e.contains("ACCOUNT.CREATE") && e.contains("creating Account")),
        "the account the test created is among its events\n{output}"
    );
    assert!(!output.contains(&other_id), "{output}");
    assert!(!output.contains("not-the-fixtures"), "{output}");
}
