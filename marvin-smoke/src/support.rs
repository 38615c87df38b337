//! Small typed helpers the scenarios share: finding an account's users and
//! acting as them, and unique names.

use marvin::prelude::*;

/// A unique name starting with `prefix` (see `sequence`).
pub fn unique(prefix: &str) -> String {
    sequence(prefix)
}

/// The users of `account`, as the admin lists them.
pub async fn users_of(client: &Client, account: &Account) -> Result<Vec<User>> {
    User::list(client)
        .account(account.name.clone().unwrap_or_default())
        .domainid(account.domainid.clone().unwrap_or_default())
        .listall(true)
        .await
}

/// The first user of `account` (the one `createAccount` made).
pub async fn first_user(ctx: &TestContext, account: &Account) -> Result<User> {
    users_of(ctx.admin(), account)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::setup(format!("account {} has no user", account.id)))
}

/// A client acting as the first user of `account`.
pub async fn client_of(ctx: &TestContext, account: &Account) -> Result<Client> {
    let user = first_user(ctx, account).await?;
    ctx.as_user(&user.id).await
}

/// The account `id` as the admin lists it (over every domain), if any.
pub async fn account_by_id(client: &Client, id: &str) -> Result<Option<Account>> {
    Ok(Account::list(client)
        .id(id)
        .listall(true)
        .await?
        .into_iter()
        .next())
}

/// The ROOT domain.
pub async fn root_domain(client: &Client) -> Result<Domain> {
    Domain::list(client)
        .level(0)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::setup("no ROOT domain is listed"))
}

/// Lifts the delete protection of `entity` (with `C`, its update command)
/// when the test's cleanup runs, just before the entity's own deletion: a
/// test that stops between protecting and unprotecting it must not leave
/// it behind. If the test deleted it already, the step finds it gone.
pub fn unprotect_at_cleanup<C: Command, T: marvin::core::Resource>(ctx: &TestContext, entity: &T) {
    let mut step = marvin::core::Deletion::new(T::ENTITY, entity.id(), C::API, C::IS_ASYNC)
        .param("deleteprotection", "false");
    step.rank = marvin::core::resource::rank_of(T::ENTITY).saturating_add(1);
    ctx.defer_deletion(step);
}
