//! Settings and capabilities.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::user_account;
use crate::prelude::*;

/// An account-scoped setting.
const ACCOUNT_SETTING: &str = "allow.user.force.stop.vm";

async fn setting(ctx: &TestContext, params: Params) -> Result<serde_json::Value> {
    let items = ctx
        .client()
        .list_all("listConfigurations", params.with("name", ACCOUNT_SETTING))
        .await?;
    Ok(items
        .into_iter()
        .find(|c| c["name"] == ACCOUNT_SETTING)
        .unwrap_or_default())
}

/// A setting changed for one account applies to that account only: the
/// global value stays as it was.
pub async fn account_scoped_setting(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let global = setting(ctx, Params::new()).await?;
    let before = global["value"].as_str().unwrap_or_default().to_string();
    let flipped = if before == "true" { "false" } else { "true" };

    let updated = ctx
        .client()
        .call(api("updateConfiguration"))
        .params(
            Params::new()
                .with("name", ACCOUNT_SETTING)
                .with("value", flipped)
                .with("accountid", account.id()),
        )
        .await?;
    updated["configuration"]["value"].should().equal(flipped);
    let scoped = setting(ctx, Params::new().with("accountid", account.id())).await?;
    scoped["value"].should().equal(flipped);
    let global_after = setting(ctx, Params::new()).await?;
    global_after["value"].should().equal(before.as_str());
    Ok(())
}

/// A value of the wrong type and an unknown setting are refused with 431.
pub async fn bad_values_are_refused(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    ctx.client()
        .call(api("updateConfiguration"))
        .params(
            Params::new()
                .with("name", ACCOUNT_SETTING)
                .with("value", "maybe")
                .with("accountid", account.id()),
        )
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    ctx.client()
        .call(api("updateConfiguration"))
        .params(
            Params::new()
                .with("name", "no.such.setting.smoke")
                .with("value", "1")
                .with("accountid", account.id()),
        )
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// The cloud reports its version and features to everyone.
pub async fn capabilities(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let as_user = super::support::client_of(ctx, &account).await?;
    let answer = as_user.call(api("listCapabilities")).await?;
    let capability = &answer["capability"];
    capability["cloudstackversion"]
        .as_str()
        .unwrap_or_default()
        .should()
        .start_with("4.");
    capability["securitygroupsenabled"]
        .is_boolean()
        .should()
        .equal(true);
    capability["apilimitmax"].is_null().should().equal(false);
    Ok(())
}
