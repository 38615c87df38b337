//! What a failing test reports about itself under cargo's own harness:
//! where its error was returned, and its own events.

use marvin_core::Params;
use marvin_entities::api;

use super::child::{Cloud, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_returned_with_a_question_mark_names_its_line_and_only_the_tests_events() {
    let cloud = Cloud::start("question-mark").await;
    // Another test's work on the same cloud, by the same admin, within the
    // time window of the fixture.
    let other = cloud
        .client()
        .call(api("createDomain"))
        .params(Params::new().with("name", "not-the-fixtures"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_the_test_expected_is_marked_and_a_failed_call_keeps_its_answer() {
    use marvin::prelude::*;
    use marvin_core::testing::{RunSettings, TestSpec, run_scenario};

    let cloud = Cloud::start("expected").await;
    let mut settings = RunSettings::from_env();
    settings.ledger = None;
    settings.selected_tags = None;
    settings.termination_grace = None;
    settings.chaos = None;
    let spec = TestSpec::new("framework::reports::expected");
    let outcome = run_scenario(&settings, &spec, cloud.client(), |ctx| {
        Box::pin(async move {
            // Refused for the missing names, with a password that must not
            // show in the kept answer.
            let params = Params::new()
                .with("username", "someone")
                .with("password", "not-for-reports-1")
                .with("email", "a@example.com")
                .with("accounttype", 0);
            let refused = ctx
                .client()
                .call(api("createAccount"))
                .params(params.clone())
                .await;
            refused.should().fail_with(ErrorCode::ParamError);
            // The same rejection, not checked: a failure of the test.
            let _ = ctx.client().call(api("createAccount")).params(params).await;
            Ok(())
        })
    })
    .await;
    assert!(outcome.verdict.is_success(), "{:?}", outcome.verdict);
    let calls = outcome.trace.calls();
    let marks: Vec<(&str, bool)> = calls
        .iter()
        .map(|c| (c.command.as_str(), c.expected_failure))
        .collect();
    assert_eq!(marks, [("createAccount", true), ("createAccount", false)]);
    for call in &calls {
        let response = call.response.as_deref().expect("the answer is kept");
        assert!(response.contains("\"errorcode\":431"), "{response}");
        assert!(!response.contains("not-for-reports-1"), "{response}");
    }
    let text = outcome.trace.render("framework::reports::expected");
    assert!(text.contains("-> rejected as expected, 431: "), "{text}");
    assert!(text.contains("-> failed 431: "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn question_marks_of_every_shape_still_work_in_a_test() {
    let cloud = Cloud::start("shapes").await;
    let ran = run(cloud.fixture("question_marks_of_every_shape")).await;
    assert!(ran.success, "{}", ran.both());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_the_test_returns_itself_names_its_return() {
    let cloud = Cloud::start("return").await;
    let ran = run(cloud.fixture("returns_its_own_error")).await;
    let output = ran.both();
    assert!(!ran.success, "{output}");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.split("returns at line ").nth(1))
        .unwrap_or_else(|| panic!("the fixture printed its line\n{output}"));
    assert!(
        output.contains(&format!(
            "test returned an error at tests/framework/fixtures.rs:{line}:"
        )),
        "{output}"
    );
}
