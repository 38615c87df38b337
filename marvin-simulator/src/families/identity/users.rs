//! Users: the logins of an account, with their API keys.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql;

use super::accounts::new_or_given;
use super::privilege::{Target, check_account_operation, verify_privilege};
use super::store::{self, AccountRow, UserRow};
use super::{check_domain_access, owner_scope};

fn user_param(call: &Call<'_>) -> Result<UserRow, ApiError> {
    let id = call.required("id")?;
    store::user(call.tx, id)?.ok_or_else(|| ApiError::invalid_id("id", id))
}

fn owner(call: &Call<'_>, user: &UserRow) -> Result<AccountRow, ApiError> {
    store::account(call.tx, &user.account_id)?
        .ok_or_else(|| ApiError::param(format!("unable to find user account {}", user.account_id)))
}

fn user_reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "user",
        value: store::user_json(call.tx, id)?,
    })
}

/// Refuses `doing` (`enabling`, `disabling`) to a user of the system
/// account (431), then checks the caller may act on the user's account:
/// ownership, rank and role (`checkAccess`,
/// `verifyCallerPrivilegeForUserOrAccountOperations`).
fn check_user_not_system(
    call: &Call<'_>,
    user: &UserRow,
    account: &AccountRow,
    doing: &str,
) -> Result<(), ApiError> {
    if account.is_system() {
        return Err(ApiError::param(format!(
            "User id : {} is a system user, {doing} is not allowed",
            user.id
        )));
    }
    check_account_operation(call, account)
}

/// `createUser`: another login for an existing, enabled account.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.required("username")?.to_string();
    let password = call.required("password")?.to_string();
    let account_name = call.required("account")?.to_string();
    let domain = match call.params.str("domainid") {
        Some(id) => store::domain_param(call.tx, "domainid", id)?,
        None => store::root_domain(call.tx)?,
    };
    if domain.state == "Inactive" {
        return Err(ApiError::internal(format!(
            "The user cannot be created as domain {} is being deleted",
            domain.name
        )));
    }
    check_domain_access(call, &domain)?;
    let account = store::account_by_name(call.tx, &account_name, &domain.id)?
        .filter(|a| a.state == "enabled")
        .ok_or_else(|| {
            ApiError::param(format!(
                "Unable to find account {account_name} in domain id={} to create user",
                domain.id
            ))
        })?;
    if account.is_system() {
        return Err(ApiError::permission(format!(
            "Account id : {} is a system account, can't add a user to it",
            account.seq
        )));
    }
    if store::username_taken(call.tx, &username, &domain.id, None)? {
        return Err(ApiError::internal(format!(
            "The user {username} already exists in domain {}",
            domain.id
        )));
    }
    // A new login for an account above the caller is a way into it.
    verify_privilege(call, &Target::of(call, &account)?)?;
    let id = new_or_given(call, "userid", "users")?;
    call.tx.execute(
        "INSERT INTO users (id, account_id, username, password, firstname, lastname, email, timezone, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'enabled', ?9)",
        params![
            id,
            account.id,
            username,
            password,
            call.params.get("firstname").unwrap_or_default(),
            call.params.get("lastname").unwrap_or_default(),
            call.params.str("email"),
            call.params.str("timezone"),
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "USER.CREATE",
        &format!("creating User. User Name: {username}, Account Name: {account_name}"),
        Subject::of("User", &id, &username),
    )?;
    user_reply(call, &id)
}

/// `updateUser`: names, email, timezone, password (users give their current
/// one), username, or a key pair.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account = owner(call, &user)?;
    if account.is_system() {
        return Err(ApiError::permission(format!(
            "user UUID : {} is a system account; update is not allowed.",
            user.id
        )));
    }
    // `AccountManagerImpl.updateUser`: who may change this user comes first.
    check_account_operation(call, &account)?;
    let api_key = call.params.str("userapikey");
    let secret_key = call.params.str("usersecretkey");
    if api_key.is_some() != secret_key.is_some() {
        return Err(ApiError::param(
            "Please provide a userApiKey/userSecretKey pair",
        ));
    }
    if let Some(key) = api_key {
        let owner: Option<String> = call
            .tx
            .query_row("SELECT id FROM users WHERE api_key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        if owner.is_some_and(|o| o != user.id) {
            return Err(ApiError::param(format!(
                "The API key [{key}] already exists in the system. Please provide a unique key."
            )));
        }
    }

    if let Some(first) = call.params.get("firstname") {
        if first.trim().is_empty() {
            return Err(ApiError::param("Firstname cannot be empty."));
        }
        call.tx.execute(
            "UPDATE users SET firstname = ?2 WHERE id = ?1",
            params![user.id, first],
        )?;
    }
    if let Some(last) = call.params.get("lastname") {
        if last.trim().is_empty() {
            return Err(ApiError::param("Lastname cannot be empty."));
        }
        call.tx.execute(
            "UPDATE users SET lastname = ?2 WHERE id = ?1",
            params![user.id, last],
        )?;
    }
    if let Some(username) = call.params.get("username") {
        if username.trim().is_empty() {
            return Err(ApiError::param("Username cannot be empty."));
        }
        if store::username_taken(call.tx, username, &account.domain_id, Some(&user.id))? {
            let domain = store::domain_param(call.tx, "domainid", &account.domain_id)?;
            return Err(ApiError::param(format!(
                "Username [{username}] already exists in domain [id={},name={}]",
                domain.id, domain.name
            )));
        }
        call.tx.execute(
            "UPDATE users SET username = ?2 WHERE id = ?1",
            params![user.id, username],
        )?;
    }
    if let Some(password) = call.params.get("password") {
        if password.trim().is_empty() {
            return Err(ApiError::param("Password cannot be empty or blank."));
        }
        if !call.caller.is_admin() {
            let Some(current) = call.params.str("currentpassword") else {
                return Err(ApiError::param(
                    "To set a new password the current password must be provided.",
                ));
            };
            let stored: String = call.tx.query_row(
                "SELECT password FROM users WHERE id = ?1",
                [&user.id],
                |r| r.get(0),
            )?;
            if stored != current {
                return Err(ApiError::param("Current password is incorrect."));
            }
        }
        call.tx.execute(
            "UPDATE users SET password = ?2 WHERE id = ?1",
            params![user.id, password],
        )?;
    }
    if let Some(email) = call.params.str("email") {
        call.tx.execute(
            "UPDATE users SET email = ?2 WHERE id = ?1",
            params![user.id, email],
        )?;
    }
    if let Some(timezone) = call.params.str("timezone") {
        call.tx.execute(
            "UPDATE users SET timezone = ?2 WHERE id = ?1",
            params![user.id, timezone],
        )?;
    }
    if let (Some(api), Some(secret)) = (api_key, secret_key) {
        call.tx.execute(
            "UPDATE users SET api_key = ?2, secret_key = ?3 WHERE id = ?1",
            params![user.id, api, secret],
        )?;
    }
    event_log::completed(
        call,
        "USER.UPDATE",
        "Updating User",
        Subject::of("User", &user.id, &user.username),
    )?;
    user_reply(call, &user.id)
}

/// `deleteUser`: the default users (system, admin) are refused.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    if user.is_default {
        return Err(ApiError::param(
            "The user is default and can't be (re)moved",
        ));
    }
    let account = owner(call, &user)?;
    if user.id == call.caller.user_id {
        return Err(ApiError::param(format!(
            "The caller is requesting to delete itself. As a security measure, ACS will not allow this operation. \
             To delete user {} (ID: {}, Domain: {}), request to another user with permission to execute the operation.",
            user.username, user.id, account.domain_id
        )));
    }
    check_account_operation(call, &account)?;
    call.tx
        .execute("DELETE FROM users WHERE id = ?1", [&user.id])?;
    event_log::completed(
        call,
        "USER.DELETE",
        "deleting User",
        Subject::of("User", &user.id, &user.username),
    )?;
    Ok(Reply::Success(None))
}

/// `moveUser` (`AccountManagerImpl.moveUser`): the user goes to another
/// account of its account's domain, named by `account` (an enabled one) or
/// by `accountid`, keeping its id, login, password, keys and state; its
/// creation time is the move's, as CloudStack stores it as a new row. The
/// default users and project users stay; moving to the user's own account
/// changes nothing and succeeds. The old account may be left without users.
pub(crate) fn move_user(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account_name = call.params.str("account").filter(|n| !n.trim().is_empty());
    let account_id = call.params.str("accountid");
    // `MoveUserCmd.execute`: a `Preconditions.checkState`, whose
    // `IllegalStateException` the API server answers with 530.
    if call.params.get("account").is_none() && account_id.is_none() {
        return Err(ApiError::internal(
            "provide either an account name or an account id!",
        ));
    }
    let by_id = match account_id {
        Some(id) => Some(
            store::account(call.tx, id)?.ok_or_else(|| ApiError::invalid_id("accountid", id))?,
        ),
        None => None,
    };
    if user.is_default {
        return Err(ApiError::param(
            "The user is default and can't be (re)moved",
        ));
    }
    let old = owner(call, &user)?;
    if old.account_type == 5 {
        return Err(ApiError::param("Project users cannot be deleted or moved."));
    }
    check_account_operation(call, &old)?;
    let by_name = match account_name {
        Some(name) => {
            store::account_by_name(call.tx, name, &old.domain_id)?.filter(|a| a.state == "enabled")
        }
        None => None,
    };
    let new = by_name.or(by_id).ok_or_else(|| {
        ApiError::internal(
            "no account name or account id. this should have been caught before this point",
        )
    })?;
    if new.domain_id != old.domain_id {
        return Err(ApiError::param(
            "moving a user from an account in one domain to an account in another domain is not supported!",
        ));
    }
    if new.id != old.id {
        call.tx.execute(
            "UPDATE users SET account_id = ?2, created = ?3 WHERE id = ?1",
            params![user.id, new.id, call.timestamp()],
        )?;
    }
    event_log::completed(
        call,
        "USER.MOVE",
        "moving User to a new account",
        Subject::of("User", &user.id, &user.username),
    )?;
    Ok(Reply::Success(None))
}

/// `enableUser`: enables the user and its account.
pub(crate) fn enable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account = owner(call, &user)?;
    check_user_not_system(call, &user, &account, "enabling")?;
    call.tx.execute(
        "UPDATE users SET state = 'enabled' WHERE id = ?1",
        [&user.id],
    )?;
    call.tx.execute(
        "UPDATE accounts SET state = 'enabled' WHERE id = ?1",
        [&account.id],
    )?;
    event_log::completed(
        call,
        "USER.ENABLE",
        "enabling User",
        Subject::of("User", &user.id, &user.username),
    )?;
    user_reply(call, &user.id)
}

/// `disableUser` (async).
pub(crate) fn disable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let id = user.id.clone();
    Ok(Reply::Job(
        Job::on(
            "User",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let user = store::user(call.tx, &id)?.ok_or_else(|| {
                    ApiError::param(format!("Unable to find active user by id {id}"))
                })?;
                let account = owner(call, &user)?;
                check_user_not_system(call, &user, &account, "disabling")?;
                call.tx.execute(
                    "UPDATE users SET state = 'disabled' WHERE id = ?1",
                    [&user.id],
                )?;
                user_reply(call, &user.id)
            }),
        )
        .with_event("USER.DISABLE", "disabling User"),
    ))
}

/// `lockUser`: locks an enabled user; the account is locked too when no
/// enabled user is left.
pub(crate) fn lock(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account = owner(call, &user)?;
    if account.is_system() {
        return Err(ApiError::permission(format!(
            "user id : {} is a system user, locking is not allowed",
            user.id
        )));
    }
    check_account_operation(call, &account)?;
    match user.state.as_str() {
        "locked" => {}
        "enabled" => {
            call.tx.execute(
                "UPDATE users SET state = 'locked' WHERE id = ?1",
                [&user.id],
            )?;
            let enabled_left = sql::count(
                call.tx,
                "SELECT COUNT(*) FROM users WHERE account_id = ?1 AND state = 'enabled'",
                &account.id,
            )?;
            if enabled_left == 0 {
                call.tx.execute(
                    "UPDATE accounts SET state = 'locked' WHERE id = ?1",
                    [&account.id],
                )?;
            }
            event_log::completed(
                call,
                "USER.LOCK",
                "locking User",
                Subject::of("User", &user.id, &user.username),
            )?;
        }
        _ => {
            return Err(ApiError::internal(format!(
                "Unable to lock user {}",
                user.id
            )));
        }
    }
    user_reply(call, &user.id)
}

/// `listUsers`: what the caller may see (never the system user).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = store::user_query();
    owner_scope(call, &mut query, "u.account_id")?;
    query.eq("u.id", call.params.str("id"));
    query.eq("u.username", call.params.str("username"));
    query.eq_nocase("u.state", call.params.str("state"));
    query.keyword(
        &["u.username", "u.firstname", "u.lastname", "a.name"],
        call.params.str("keyword"),
    );
    query.order("u.created, u.rowid");
    query.list_plain(call, "user")
}

/// `getUser`: the user owning an API key.
pub(crate) fn get(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let key = call.required("userapikey")?;
    let id: Option<String> = call
        .tx
        .query_row("SELECT id FROM users WHERE api_key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    let id = id.ok_or_else(|| ApiError::param("User with specified API key does not exist"))?;
    user_reply(call, &id)
}

/// `registerUserKeys`: a new key pair on every call.
pub(crate) fn register_keys(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account = owner(call, &user)?;
    // `AccountManagerImpl.createApiKeyAndSecretKey`: access and privilege
    // first, then the system user.
    check_account_operation(call, &account)?;
    if account.is_system() {
        return Err(ApiError::permission(format!(
            "user id : {} is system account, update is not allowed",
            user.id
        )));
    }
    let (api_key, secret_key) = (ids::random_key(), ids::random_key());
    call.tx.execute(
        "UPDATE users SET api_key = ?2, secret_key = ?3 WHERE id = ?1",
        params![user.id, api_key, secret_key],
    )?;
    event_log::completed(
        call,
        "REGISTER.USER.KEY",
        "register user keys",
        Subject::of("User", &user.id, &user.username),
    )?;
    Ok(Reply::Object {
        key: "userkeys",
        value: json!({"apikey": api_key, "secretkey": secret_key}),
    })
}

/// `getUserKeys`: the user's current key pair (empty when none).
pub(crate) fn get_keys(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = user_param(call)?;
    let account = owner(call, &user)?;
    check_account_operation(call, &account)?;
    let (api_key, secret_key): (Option<String>, Option<String>) = call.tx.query_row(
        "SELECT api_key, secret_key FROM users WHERE id = ?1",
        [&user.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut value = serde_json::Map::new();
    if let (Some(api), Some(secret)) = (api_key, secret_key) {
        value.insert("apikey".into(), api.into());
        value.insert("secretkey".into(), secret.into());
    }
    Ok(Reply::Object {
        key: "userkeys",
        value: value.into(),
    })
}
