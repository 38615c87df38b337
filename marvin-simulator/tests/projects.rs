//! Projects through the whole stack, where the precache's parameter rules
//! apply.

mod common;

use common::{Client, start};

/// `CreateProjectCmd` has taken `displaytext` as optional since 4.19
/// (`getDisplayText` falls back to the name).
#[tokio::test]
async fn create_project_without_display_text_takes_the_name() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let done = admin.job("createProject", &[("name", "plain")]).await;
    assert_eq!(done["jobstatus"], 1, "{done}");
    let project = &done["jobresult"]["project"];
    assert_eq!(project["name"], "plain");
    assert_eq!(project["displaytext"], "plain");
    let (status, body) = admin
        .call("createProject", &[("displaytext", "no name")])
        .await;
    assert_eq!(
        (status, &body["errorcode"]),
        (431, &serde_json::json!(431)),
        "{body}"
    );
}
