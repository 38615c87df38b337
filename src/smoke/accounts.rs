//! Accounts: creation, duplicate names, disabling, locking, enabling and
//! deletion.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{ACCOUNT, account_params, client_of, create, find, user_account};
use crate::prelude::*;

/// A user account is created enabled, named after its first user, in the
/// ROOT domain; once deleted, it is no longer listed.
pub async fn create_and_delete(ctx: &mut TestContext) -> Result<()> {
    let params = account_params(0);
    let username = params.get("username").unwrap_or_default().to_string();
    let account = create(ctx, &ACCOUNT, params).await?;
    account["name"].should().equal(username.as_str());
    account["state"].should().equal("enabled");
    account["accounttype"].should().equal(0);
    account["domain"].should().equal("ROOT");
    account["user"]
        .as_array()
        .map(Vec::len)
        .should()
        .have_value(1);
    account["user"][0]["username"]
        .should()
        .equal(username.as_str());

    let listed = find(
        ctx.client(),
        "listAccounts",
        account.id(),
        Params::new().with("listall", true),
    )
    .await?;
    should!(listed).be_some();

    let id = account.id().to_string();
    account.delete().await?;
    let gone = find(
        ctx.client(),
        "listAccounts",
        &id,
        Params::new().with("listall", true),
    )
    .await?;
    should!(gone).be_none();
    Ok(())
}

/// A second account with the same user name in the same domain is refused
/// with 431, and nothing is created.
pub async fn duplicate_username_is_refused(ctx: &mut TestContext) -> Result<()> {
    let first = account_params(0);
    let username = first.get("username").unwrap_or_default().to_string();
    create(ctx, &ACCOUNT, first).await?;

    let mut second = account_params(0);
    second.set("username", &username);
    let refused = ctx.client().call(api("createAccount")).params(second).await;
    refused.should().fail_with(ErrorCode::ParamError);

    let same_name = ctx
        .client()
        .list_all(
            "listAccounts",
            Params::new().with("name", &username).with("listall", true),
        )
        .await?;
    same_name.should().have_length(1);
    Ok(())
}

/// An account without a first name is refused with 431.
pub async fn missing_names_are_refused(ctx: &mut TestContext) -> Result<()> {
    let mut params = account_params(0);
    params.set("firstname", "");
    let refused = ctx.client().call(api("createAccount")).params(params).await;
    refused.should().fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A disabled account's users cannot call the API (401); enabled again,
/// they can.
pub async fn disable_and_enable(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user = client_of(ctx, &account).await?;
    user.call(api("listZones")).await.should().be_ok();

    let disabled = ctx
        .client()
        .call(api("disableAccount"))
        .params(Params::new().with("id", account.id()).with("lock", false))
        .await?;
    disabled["account"]["state"].should().equal("disabled");
    user.call(api("listZones"))
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);

    let enabled = ctx
        .client()
        .call(api("enableAccount"))
        .params(Params::new().with("id", account.id()))
        .await?;
    enabled["account"]["state"].should().equal("enabled");
    user.call(api("listZones")).await.should().be_ok();
    Ok(())
}

/// A locked account's users cannot call the API either; the account stays
/// listed as `locked` until it is enabled.
pub async fn lock_and_enable(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user = client_of(ctx, &account).await?;

    let locked = ctx
        .client()
        .call(api("disableAccount"))
        .params(Params::new().with("id", account.id()).with("lock", true))
        .await?;
    locked["account"]["state"].should().equal("locked");
    user.call(api("listZones"))
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    let listed = find(
        ctx.client(),
        "listAccounts",
        account.id(),
        Params::new().with("listall", true),
    )
    .await?
    .unwrap_or_default();
    listed["state"].should().equal("locked");

    ctx.client()
        .call(api("enableAccount"))
        .params(Params::new().with("id", account.id()))
        .await?;
    user.call(api("listZones")).await.should().be_ok();
    Ok(())
}

/// Renaming an account changes its listed name; its id stays.
pub async fn rename(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let new_name = super::support::unique("renamed");
    let updated = ctx
        .client()
        .call(api("updateAccount"))
        .params(
            Params::new()
                .with("id", account.id())
                .with("newname", &new_name),
        )
        .await?;
    updated["account"]["name"].should().equal(new_name.as_str());
    updated["account"]["id"].should().equal(account.id());
    Ok(())
}
