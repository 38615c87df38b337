//! Users: API keys, isolation between accounts, more users per account,
//! disabling, locking and updating them.

use marvin_core::Client;
use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    USER, client_of, create, find, first_user_id, ids, password, unique, user_account,
};
use crate::prelude::*;

fn keys_client(ctx: &TestContext, keys: &serde_json::Value) -> Result<Client> {
    Client::builder(ctx.client().endpoint())
        .keys(
            keys["apikey"].as_str().unwrap_or_default(),
            keys["secretkey"].as_str().unwrap_or_default(),
        )
        .build()
}

/// Registered keys let the user call the API and are returned by
/// `getUserKeys`; registering again replaces them, and the old pair stops
/// working (401).
pub async fn keys_are_registered_and_replaced(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user_id = first_user_id(&account);
    let first = ctx
        .client()
        .call(api("registerUserKeys"))
        .params(Params::new().with("id", &user_id))
        .await?["userkeys"]
        .clone();
    // Never compare secrets with `should().equal(..)`: a failure would
    // print them.
    first["apikey"]
        .as_str()
        .is_some_and(|k| !k.is_empty())
        .should()
        .equal(true);
    first["secretkey"]
        .as_str()
        .is_some_and(|k| !k.is_empty())
        .should()
        .equal(true);
    let fetched = ctx
        .client()
        .call(api("getUserKeys"))
        .params(Params::new().with("id", &user_id))
        .await?["userkeys"]
        .clone();
    (fetched["apikey"] == first["apikey"]).should().equal(true);

    let old = keys_client(ctx, &first)?;
    let own = old.list_all("listAccounts", Params::new()).await?;
    ids(&own).should().equal(vec![account.id().to_string()]);

    let second = ctx
        .client()
        .call(api("registerUserKeys"))
        .params(Params::new().with("id", &user_id))
        .await?["userkeys"]
        .clone();
    (second["apikey"] != first["apikey"]).should().equal(true);
    old.call(api("listZones"))
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    keys_client(ctx, &second)?
        .call(api("listZones"))
        .await
        .should()
        .be_ok();
    Ok(())
}

/// A user sees only their own account and users in lists.
pub async fn lists_show_only_the_callers_account(ctx: &mut TestContext) -> Result<()> {
    let alice = user_account(ctx).await?;
    let bob = user_account(ctx).await?;
    let as_alice = client_of(ctx, &alice).await?;

    let accounts = as_alice
        .list_all("listAccounts", Params::new().with("listall", true))
        .await?;
    ids(&accounts).should().equal(vec![alice.id().to_string()]);

    let users = as_alice.list_all("listUsers", Params::new()).await?;
    ids(&users).should().equal(vec![first_user_id(&alice)]);
    ids(&users).should_not().contain(first_user_id(&bob));
    Ok(())
}

/// A user acting on another account's user is refused with 531, and calling
/// an admin API with 432.
pub async fn acting_on_another_account_is_refused(ctx: &mut TestContext) -> Result<()> {
    let alice = user_account(ctx).await?;
    let bob = user_account(ctx).await?;
    let bobs_user = first_user_id(&bob);
    let as_alice = client_of(ctx, &alice).await?;

    as_alice
        .call(api("updateUser"))
        .params(
            Params::new()
                .with("id", &bobs_user)
                .with("firstname", "Mallory"),
        )
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    as_alice
        .call(api("registerUserKeys"))
        .params(Params::new().with("id", &bobs_user))
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    as_alice
        .call(api("getUserKeys"))
        .params(Params::new().with("id", &bobs_user))
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    as_alice
        .call(api("createDomain"))
        .params(Params::new().with("name", unique("d")))
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    as_alice
        .call(api("deleteAccount"))
        .params(Params::new().with("id", bob.id()))
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);

    // Bob is untouched.
    let bobs = find(
        ctx.client(),
        "listUsers",
        &bobs_user,
        Params::new().with("listall", true),
    )
    .await?
    .unwrap_or_default();
    bobs["firstname"].should().equal("Smoke");
    Ok(())
}

async fn second_user(
    ctx: &TestContext,
    account: &serde_json::Value,
) -> Result<marvin_core::cleanup::Managed<super::support::Raw>> {
    create(
        ctx,
        &USER,
        Params::new()
            .with("account", account["name"].as_str().unwrap_or_default())
            .with("domainid", account["domainid"].as_str().unwrap_or_default())
            .with("username", unique("second"))
            .with("firstname", "Second")
            .with("lastname", "User")
            .with("email", "second@example.com")
            .with("password", password()),
    )
    .await
}

/// An account can have more users; a deleted user is no longer listed.
pub async fn add_and_delete_a_user(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user = second_user(ctx, &account).await?;
    user["account"]
        .should()
        .equal(account["name"].as_str().unwrap_or_default());
    user["state"].should().equal("enabled");
    let in_account = || {
        ctx.client().list_all(
            "listUsers",
            Params::new()
                .with("account", account["name"].as_str().unwrap_or_default())
                .with("domainid", account["domainid"].as_str().unwrap_or_default()),
        )
    };
    in_account().await?.should().have_length(2);
    user.delete().await?;
    in_account().await?.should().have_length(1);
    Ok(())
}

/// A disabled user cannot call the API while the account's other users
/// can; enabled again it can; locked it cannot.
pub async fn disable_enable_and_lock_a_user(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user = second_user(ctx, &account).await?;
    let as_user = ctx.as_user(user.id()).await?;
    let as_first = client_of(ctx, &account).await?;

    let disabled = ctx
        .client()
        .call(api("disableUser"))
        .params(Params::new().with("id", user.id()))
        .await?;
    disabled["user"]["state"].should().equal("disabled");
    as_user
        .call(api("listZones"))
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    as_first.call(api("listZones")).await.should().be_ok();

    let enabled = ctx
        .client()
        .call(api("enableUser"))
        .params(Params::new().with("id", user.id()))
        .await?;
    enabled["user"]["state"].should().equal("enabled");
    as_user.call(api("listZones")).await.should().be_ok();

    let locked = ctx
        .client()
        .call(api("lockUser"))
        .params(Params::new().with("id", user.id()))
        .await?;
    locked["user"]["state"].should().equal("locked");
    as_user
        .call(api("listZones"))
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    Ok(())
}

/// A user's names and e-mail can be changed by the user itself.
pub async fn update_own_details(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let user_id = first_user_id(&account);
    let as_user = client_of(ctx, &account).await?;
    let updated = as_user
        .call(api("updateUser"))
        .params(
            Params::new()
                .with("id", &user_id)
                .with("firstname", "Ada")
                .with("lastname", "Lovelace")
                .with("email", "ada@example.com"),
        )
        .await?;
    updated["user"]["firstname"].should().equal("Ada");
    let listed = find(
        ctx.client(),
        "listUsers",
        &user_id,
        Params::new().with("listall", true),
    )
    .await?
    .unwrap_or_default();
    listed["lastname"].should().equal("Lovelace");
    listed["email"].should().equal("ada@example.com");
    Ok(())
}
