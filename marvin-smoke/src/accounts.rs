//! Accounts: creation, state changes, deletion and their refusals.

use marvin::prelude::*;

use crate::support::{account_by_id, client_of, unique};

/// A new user account is enabled, of type 0, in ROOT, with one user named
/// as asked (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_new_user_account_is_enabled_in_root(ctx: &mut TestContext) -> Result<()> {
    let username = unique("acct");
    let account = UserAccount::new()
        .username(username.clone())
        .create(ctx)
        .await?;
    account.state.as_deref().should().equal(Some("enabled"));
    account.accounttype.should().equal(Some(0));
    account.domain.as_deref().should().equal(Some("ROOT"));
    should!(account.user).have_length(1);
    account.user[0]
        .username
        .as_deref()
        .should()
        .equal(Some(username.as_str()));
    Ok(())
}

/// The account's name defaults to its first user's login name
/// (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn an_account_is_named_after_its_first_user(ctx: &mut TestContext) -> Result<()> {
    let username = unique("named");
    let account = UserAccount::new()
        .username(username.clone())
        .create(ctx)
        .await?;
    account
        .name
        .as_deref()
        .should()
        .equal(Some(username.as_str()));
    Ok(())
}

/// A deleted account is no longer listed (`AccountManagerImpl.deleteUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_deleted_account_is_no_longer_listed(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let id = account.id.clone();
    account_by_id(ctx.client(), &id).await?.should().be_some();
    account.delete().await?;
    account_by_id(ctx.client(), &id).await?.should().be_none();
    Ok(())
}

/// A second account with the same login name in the same domain is refused
/// with 431 and nothing is created (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_duplicate_account_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let username = unique("dup");
    UserAccount::new()
        .username(username.clone())
        .create(ctx)
        .await?;
    UserAccount::new()
        .username(username.clone())
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    let same = Account::list(ctx.client())
        .name(username)
        .listall(true)
        .await?;
    same.should().have_length(1);
    Ok(())
}

/// Account names are compared without case: the same login name in upper
/// case is refused with 431 (`AccountManagerImpl.createUserAccount`, the
/// case-insensitive collation of `QueryManagerImpl`'s name filters).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_duplicate_name_in_another_case_is_refused(ctx: &mut TestContext) -> Result<()> {
    let username = unique("case");
    UserAccount::new()
        .username(username.clone())
        .create(ctx)
        .await?;
    UserAccount::new()
        .username(username.to_uppercase())
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An account without a first name is refused with 431
/// (`AccountManagerImpl.createUserAccount`: "Firstname is empty").
#[marvin::test(tags = ["smoke", "accounts"])]
async fn an_account_without_a_first_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    UserAccount::new()
        .firstname("")
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An account in a domain that does not exist is refused with 431
/// (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn an_account_in_an_unknown_domain_is_refused(ctx: &mut TestContext) -> Result<()> {
    UserAccount::new()
        .with_request(|r| r.options.domainid = Some("8f1f3a52-0000-4000-8000-000000000000".into()))
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A root admin account (type 1) outside ROOT is refused with 431
/// (`AccountManagerImpl.createUserAccount`: "Invalid account type ADMIN").
#[marvin::test(tags = ["smoke", "accounts", "admin"])]
async fn a_root_admin_outside_root_is_refused(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    AdminAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A disabled account's users cannot call the API (401); enabled again
/// they can (`AccountManagerImpl.disableAccount`, `enableAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_disabled_account_is_shut_out_until_enabled(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = client_of(ctx, &account).await?;
    Zone::list(&user).await.should().be_ok();

    let disabled = account.disable(ctx.client()).lock(false).await?;
    disabled.state.as_deref().should().equal(Some("disabled"));
    Zone::list(&user)
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);

    let enabled = account.enable(ctx.client()).await?;
    enabled.state.as_deref().should().equal(Some("enabled"));
    Zone::list(&user).await.should().be_ok();
    Ok(())
}

/// A locked account is listed as `locked` and its users cannot call the
/// API (`AccountManagerImpl.lockAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_locked_account_is_listed_locked_and_shut_out(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let user = client_of(ctx, &account).await?;
    let locked = account.disable(ctx.client()).lock(true).await?;
    locked.state.as_deref().should().equal(Some("locked"));
    Zone::list(&user)
        .await
        .should()
        .fail_with(ErrorCode::Unauthorized);
    let listed = account.refresh(ctx.client()).await?;
    listed.state.as_deref().should().equal(Some("locked"));
    account.enable(ctx.client()).await?;
    Zone::list(&user).await.should().be_ok();
    Ok(())
}

/// Renaming an account changes its listed name and keeps its id
/// (`AccountManagerImpl.updateAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn renaming_an_account_keeps_its_id(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let new_name = unique("renamed");
    let updated = account
        .update(ctx.client())
        .newname(new_name.clone())
        .await?;
    updated.id.should().equal(account.id.clone());
    updated
        .name
        .as_deref()
        .should()
        .equal(Some(new_name.as_str()));
    let listed = account.refresh(ctx.client()).await?;
    listed
        .name
        .as_deref()
        .should()
        .equal(Some(new_name.as_str()));
    Ok(())
}

/// A user may not delete another account: the API is not available to the
/// User role (432, `DynamicRoleBasedAPIAccessChecker.checkAccess`).
#[marvin::test(tags = ["smoke", "accounts", "security"])]
async fn a_user_cannot_delete_another_account(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    let bob = UserAccount::create(ctx).await?;
    let as_alice = client_of(ctx, &alice).await?;
    Account::delete(&bob, &as_alice)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    account_by_id(ctx.client(), &bob.id)
        .await?
        .should()
        .be_some();
    Ok(())
}

/// A domain admin cannot delete its own account: the job fails with 431
/// (`AccountManagerImpl.deleteUserAccount`: "Deletion of your own account
/// is not allowed").
#[marvin::test(tags = ["smoke", "accounts", "security"])]
async fn an_account_cannot_delete_itself(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    let admin = DomainAdminAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    let as_admin = client_of(ctx, &admin).await?;
    Account::delete(&admin, &as_admin)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    account_by_id(ctx.client(), &admin.id)
        .await?
        .should()
        .be_some();
    Ok(())
}

/// With `listall` the root admin lists the accounts of every domain
/// (`QueryManagerImpl.searchForAccountIdsAndCount`).
#[marvin::test(tags = ["smoke", "accounts", "admin"])]
async fn the_admin_lists_every_domains_accounts_with_listall(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    let below = UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    let all = Account::list(ctx.client()).listall(true).await?;
    all.iter().any(|a| a.id == below.id).should().equal(true);
    Ok(())
}

/// An admin naming a domain lists only that domain's accounts
/// (`QueryManagerImpl.searchForAccountIdsAndCount`).
#[marvin::test(tags = ["smoke", "accounts", "admin"])]
async fn listing_by_domain_gives_that_domains_accounts(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    let below = UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    UserAccount::create(ctx).await?;
    let listed: Vec<String> = Account::list(ctx.client())
        .domainid(domain.id.clone())
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    listed.should().equal(vec![below.id.clone()]);
    Ok(())
}

/// A user lists only its own account, even with `listall`
/// (`QueryManagerImpl.searchForAccountIdsAndCount`).
#[marvin::test(tags = ["smoke", "accounts", "security"])]
async fn a_user_lists_only_its_own_account(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    UserAccount::create(ctx).await?;
    let as_alice = client_of(ctx, &alice).await?;
    let seen = Account::list(&as_alice).listall(true).await?;
    let ids: Vec<String> = seen.into_iter().map(|a| a.id).collect();
    ids.should().equal(vec![alice.id.clone()]);
    Ok(())
}

/// Listing accounts by another case of the name finds the account
/// (`QueryManagerImpl`: `name=` compares without case).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn an_account_is_found_by_its_name_in_another_case(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let shouted = account.name.clone().unwrap_or_default().to_uppercase();
    let found = Account::list(ctx.client())
        .name(shouted)
        .listall(true)
        .await?;
    let ids: Vec<String> = found.into_iter().map(|a| a.id).collect();
    ids.should().equal(vec![account.id.clone()]);
    Ok(())
}

/// A domain admin account (type 2) is created in its domain with the
/// DomainAdmin role (`AccountManagerImpl.createUserAccount`, `RoleType`).
#[marvin::test(tags = ["smoke", "accounts", "admin"])]
async fn a_domain_admin_account_gets_the_domain_admin_role(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    let admin = DomainAdminAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    admin.accounttype.should().equal(Some(2));
    admin
        .domainid
        .as_deref()
        .should()
        .equal(Some(domain.id.as_str()));
    admin
        .roletype
        .as_deref()
        .should()
        .equal(Some("DomainAdmin"));
    Ok(())
}

/// An account that manages a project cannot be deleted: the job fails
/// with 431 (`AccountManagerImpl.deleteUserAccount`: "because it manages
/// the following project(s)").
#[marvin::test(tags = ["smoke", "accounts", "projects"])]
async fn an_account_managing_a_project_is_kept(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    ProjectFactory::new().owner(&account).create(ctx).await?;
    Account::delete(&account, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    account_by_id(ctx.client(), &account.id)
        .await?
        .should()
        .be_some();
    Ok(())
}

/// A keyword finds accounts whose name contains it
/// (`QueryManagerImpl.searchForAccountIdsAndCount`: `LIKE %keyword%`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_keyword_finds_accounts_by_part_of_their_name(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let name = account.name.clone().unwrap_or_default();
    // The name without its first and last characters: a part of it.
    let part = name[1..name.len() - 1].to_string();
    let found: Vec<String> = Account::list(ctx.client())
        .keyword(part)
        .listall(true)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    found.should().contain(account.id.clone());
    Ok(())
}
