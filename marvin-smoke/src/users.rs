//! Users: creation, keys, state changes, updates and deletion.

use marvin::prelude::*;

use crate::support::{client_of, first_user, unique, users_of};

/// A second user joins an existing account, enabled
/// (`AccountManagerImpl.createUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_second_user_joins_the_account(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&account))
        .create(ctx)
        .await?;
    user.account.should().equal(account.name.clone());
    user.state.as_deref().should().equal(Some("enabled"));
    users_of(ctx.client(), &account)
        .await?
        .should()
        .have_length(2);
    Ok(())
}

/// A deleted user is no longer listed in its account
/// (`AccountManagerImpl.deleteUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_deleted_user_is_no_longer_listed(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&account))
        .create(ctx)
        .await?;
    users_of(ctx.client(), &account)
        .await?
        .should()
        .have_length(2);
    user.delete().await?;
    users_of(ctx.client(), &account)
        .await?
        .should()
        .have_length(1);
    Ok(())
}

/// A login name already used in the domain is refused with 530
/// (`AccountManagerImpl.createUser` throws a `CloudRuntimeException`: "The
/// user <name> already exists in domain <id>").
#[marvin::test(tags = ["smoke", "users"])]
async fn a_duplicate_login_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let taken = account.user[0].username.clone().unwrap_or_default();
    UserFactory::new()
        .account(Sub::of(&account))
        .username(taken)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    Ok(())
}

/// A disabled user cannot call the API (401) while the account's other
/// users can; enabled again it can (`AccountManagerImpl.disableUser`,
/// `enableUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_disabled_user_is_shut_out_until_enabled(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&account))
        .create(ctx)
        .await?;
    let as_user = ctx.as_user(&user.id).await?;
    let as_first = client_of(ctx, &account).await?;

    let disabled = user.disable(ctx.client()).await?;
    disabled.state.as_deref().should().equal(Some("disabled"));
    Zone::list(&as_user)
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    Zone::list(&as_first).await.should().be_ok();

    let enabled = user.enable(ctx.client()).await?;
    enabled.state.as_deref().should().equal(Some("enabled"));
    Zone::list(&as_user).await.should().be_ok();
    Ok(())
}

/// A locked user is listed `locked` and cannot call the API
/// (`AccountManagerImpl.lockUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_locked_user_is_shut_out(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&account))
        .create(ctx)
        .await?;
    let as_user = ctx.as_user(&user.id).await?;
    let locked = user.lock(ctx.client()).await?;
    locked.state.as_deref().should().equal(Some("locked"));
    Zone::list(&as_user)
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    Ok(())
}

/// A user changes its own names and e-mail (`AccountManagerImpl.updateUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_user_updates_its_own_details(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = first_user(ctx, &account).await?;
    let as_user = ctx.as_user(&user.id).await?;
    let updated = user
        .update(&as_user)
        .firstname("Ada")
        .lastname("Lovelace")
        .email("ada@example.com")
        .await?;
    updated.firstname.as_deref().should().equal(Some("Ada"));
    let listed = users_of(ctx.client(), &account).await?;
    listed[0]
        .lastname
        .as_deref()
        .should()
        .equal(Some("Lovelace"));
    listed[0]
        .email
        .as_deref()
        .should()
        .equal(Some("ada@example.com"));
    Ok(())
}

/// A user cannot change another account's user: 531
/// (`AccountManagerImpl.updateUser`, `checkAccess`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn a_user_cannot_update_another_accounts_user(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    let bob = UserAccount::create(ctx).await?;
    let bobs_user = first_user(ctx, &bob).await?;
    let as_alice = client_of(ctx, &alice).await?;
    bobs_user
        .update(&as_alice)
        .firstname("Mallory")
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    let still = first_user(ctx, &bob).await?;
    still.firstname.should().equal(bobs_user.firstname.clone());
    Ok(())
}

/// A user cannot read or make another account's user's keys: 531
/// (`AccountManagerImpl.getKeys`, `createApiKeyAndSecretKey`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn a_user_cannot_touch_another_users_keys(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    let bob = UserAccount::create(ctx).await?;
    let bobs_user = first_user(ctx, &bob).await?;
    let as_alice = client_of(ctx, &alice).await?;
    bobs_user
        .get_keys(&as_alice)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    bobs_user
        .register_keys(&as_alice)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// Registered keys sign calls; registering again replaces them and the old
/// pair is refused with 401 (`AccountManagerImpl.createApiKeyAndSecretKey`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn registering_keys_replaces_the_old_pair(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = first_user(ctx, &account).await?;
    let first = user.register_keys(ctx.client()).await?;
    let old = ctx.client().with_keys(
        first.apikey.as_deref().unwrap_or_default(),
        first
            .secretkey
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default(),
    )?;
    let own = Account::list(&old).await?;
    should!(own.len()).equal(1);
    own[0].id.should().equal(account.id.clone());

    let second = user.register_keys(ctx.client()).await?;
    // Keys are compared as booleans: a failure never prints them.
    (second.apikey != first.apikey).should().equal(true);
    Zone::list(&old)
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    let new = ctx.client().with_keys(
        second.apikey.as_deref().unwrap_or_default(),
        second
            .secretkey
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default(),
    )?;
    Zone::list(&new).await.should().be_ok();
    Ok(())
}

/// `getUserKeys` answers the keys last registered
/// (`AccountManagerImpl.getKeys`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn get_keys_answers_the_registered_pair(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = first_user(ctx, &account).await?;
    let registered = user.register_keys(ctx.client()).await?;
    let fetched = user.get_keys(ctx.client()).await?;
    (fetched.apikey.is_some() && fetched.apikey == registered.apikey)
        .should()
        .equal(true);
    Ok(())
}

/// A user lists only its own account's users
/// (`QueryManagerImpl.searchForUsers`, `AccountManagerImpl.buildACLSearchParameters`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn a_user_lists_only_its_own_users(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    let bob = UserAccount::create(ctx).await?;
    let alices_user = first_user(ctx, &alice).await?;
    let bobs_user = first_user(ctx, &bob).await?;
    let as_alice = client_of(ctx, &alice).await?;
    let seen: Vec<String> = User::list(&as_alice)
        .listall(true)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    seen.should().equal(vec![alices_user.id.clone()]);
    seen.should_not().contain(bobs_user.id.clone());
    Ok(())
}

/// A user cannot call an admin-only API: 432
/// (`DynamicRoleBasedAPIAccessChecker.checkAccess`).
#[marvin::test(tags = ["smoke", "users", "security"])]
async fn a_user_cannot_call_an_admin_api(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    Domain::create(&as_user)
        .name(unique("forbidden"))
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}

/// The users of a disabled account stay listed in it for the admin
/// (`AccountManagerImpl.disableAccount` changes the account, not its users).
#[marvin::test(tags = ["smoke", "users"])]
async fn users_of_a_disabled_account_stay_listed(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account.disable(ctx.client()).lock(false).await?;
    let users = users_of(ctx.client(), &account).await?;
    users.should().have_length(1);
    users[0].accountid.should().equal(Some(account.id.clone()));
    account.enable(ctx.client()).await?;
    Ok(())
}

/// A user moved to another account of its domain is listed there
/// (`AccountManagerImpl.moveUser`).
#[marvin::test(tags = ["smoke", "users"])]
async fn a_user_is_moved_to_another_account(ctx: &mut TestContext) -> Result<()> {
    let from = UserAccount::create(ctx).await?;
    let to = UserAccount::create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&from))
        .create(ctx)
        .await?;
    user.move_user(ctx.client())
        .accountid(to.id.clone())
        .await?;
    let moved: Vec<String> = users_of(ctx.client(), &to)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    moved.should().contain(user.id.clone());
    users_of(ctx.client(), &from).await?.should().have_length(1);
    Ok(())
}
