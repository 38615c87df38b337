//! Events: changes leave a trail in `listEvents`, and async jobs in
//! `listAsyncJobs`.

use marvin_core::testing::TestContext;
use marvin_entities::api;
use serde_json::Value;

use super::support::{client_of, first_user_id, user_account};
use crate::prelude::*;

async fn events_of(ctx: &TestContext, resource: &str) -> Result<Vec<Value>> {
    ctx.client()
        .list_all(
            "listEvents",
            Params::new()
                .with("resourceid", resource)
                .with("listall", true),
        )
        .await
}

fn completed(events: &[Value], kind: &str) -> usize {
    events
        .iter()
        .filter(|e| e["type"] == kind && e["state"] == "Completed" && e["level"] == "INFO")
        .count()
}

/// Creating, updating and deleting an account each record a completed
/// event for it.
pub async fn account_changes_are_recorded(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let id = account.id().to_string();
    ctx.client()
        .call(api("updateAccount"))
        .params(
            Params::new()
                .with("id", &id)
                .with("newname", super::support::unique("evt")),
        )
        .await?;
    account.delete().await?;
    let events = events_of(ctx, &id).await?;
    completed(&events, "ACCOUNT.CREATE").should().equal(1);
    completed(&events, "ACCOUNT.UPDATE").should().equal(1);
    completed(&events, "ACCOUNT.DELETE").should().equal(1);
    Ok(())
}

/// A user's events are theirs: they see the events of their own actions,
/// not those of other accounts.
pub async fn users_see_their_own_events(ctx: &mut TestContext) -> Result<()> {
    let alice = user_account(ctx).await?;
    let bob = user_account(ctx).await?;
    let alice_user = first_user_id(&alice);
    let as_alice = client_of(ctx, &alice).await?;
    as_alice
        .call(api("updateUser"))
        .params(
            Params::new()
                .with("id", &alice_user)
                .with("firstname", "Alice"),
        )
        .await?;
    let seen = as_alice.list_all("listEvents", Params::new()).await?;
    seen.iter()
        .any(|e| e["type"] == "USER.UPDATE" && e["resourceid"] == alice_user.as_str())
        .should()
        .equal(true);
    let bobs = bob["name"].as_str().unwrap_or_default();
    seen.iter()
        .any(|e| e["account"] == bobs)
        .should()
        .equal(false);
    Ok(())
}

/// An async call leaves a finished job that `listAsyncJobs` shows with its
/// command and a success status.
pub async fn async_jobs_are_listed(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let submitted = ctx
        .client()
        .call(api("disableAccount"))
        .params(Params::new().with("id", account.id()).with("lock", true))
        .no_wait()
        .await?;
    let job_id = submitted["jobid"].as_str().unwrap_or_default().to_string();
    job_id.is_empty().should().equal(false);
    let result = ctx
        .client()
        .wait_for_job(&job_id, &marvin_core::WaitOptions::new())
        .await?;
    result["account"]["state"].should().equal("locked");
    let jobs = ctx
        .client()
        .list_all("listAsyncJobs", Params::new().with("listall", true))
        .await?;
    let job = jobs
        .into_iter()
        .find(|j| j["jobid"] == job_id.as_str())
        .unwrap_or_default();
    job["cmd"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .should()
        .contain("disableaccount");
    job["jobstatus"].should().equal(1);
    Ok(())
}
