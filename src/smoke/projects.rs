//! Projects: their states and their members.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{PROJECT, create, unique, user_account};
use crate::prelude::*;

async fn project(ctx: &TestContext) -> Result<marvin_core::cleanup::Managed<super::support::Raw>> {
    let name = unique("proj");
    create(
        ctx,
        &PROJECT,
        Params::new()
            .with("name", &name)
            .with("displaytext", "Smoke project"),
    )
    .await
}

/// A new project is Active; suspended it is Suspended; activated again
/// it is Active.
pub async fn suspend_and_activate(ctx: &mut TestContext) -> Result<()> {
    let project = project(ctx).await?;
    project["state"].should().equal("Active");
    let by_id = || Params::new().with("id", project.id());
    let suspended = ctx
        .client()
        .call(api("suspendProject"))
        .params(by_id())
        .await?;
    suspended["project"]["state"].should().equal("Suspended");
    let active = ctx
        .client()
        .call(api("activateProject"))
        .params(by_id())
        .await?;
    active["project"]["state"].should().equal("Active");
    Ok(())
}

/// An account added to a project is listed as a member, and is gone from
/// the list once removed.
pub async fn add_and_remove_an_account(ctx: &mut TestContext) -> Result<()> {
    let project = project(ctx).await?;
    let member = user_account(ctx).await?;
    let name = member["name"].as_str().unwrap_or_default().to_string();
    ctx.client()
        .call(api("addAccountToProject"))
        .params(
            Params::new()
                .with("projectid", project.id())
                .with("account", &name),
        )
        .await?;
    let members = || {
        ctx.client().list_all(
            "listProjectAccounts",
            Params::new().with("projectid", project.id()),
        )
    };
    members()
        .await?
        .iter()
        .any(|m| m["account"] == name.as_str())
        .should()
        .equal(true);
    ctx.client()
        .call(api("deleteAccountFromProject"))
        .params(
            Params::new()
                .with("projectid", project.id())
                .with("account", &name),
        )
        .await?;
    members()
        .await?
        .iter()
        .any(|m| m["account"] == name.as_str())
        .should()
        .equal(false);
    Ok(())
}
