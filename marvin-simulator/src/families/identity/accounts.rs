//! Accounts: created with their first user, enabled/disabled/locked,
//! renamed, deleted with everything they own.

use rusqlite::params;

use crate::kernel::caller::Role;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql;

use super::domains::{update_network_domain, validate_network_domain};
use super::privilege::{
    self, Target, account_type_of, check_account_operation, check_owner_access,
    role_of_account_type, verify_privilege, visible_to,
};
use super::store::{self, AccountRow};
use super::{check_domain_access, cleanup, owner_scope};

/// The text a caller that is not root admin gets in place of an internal
/// error's (`BaseCmd.USER_ERROR_MESSAGE`).
const HIDDEN_INTERNAL: &str =
    "Internal error executing command, please contact your system administrator";

/// `createAccount`: an account and its first user (the account is named
/// after the user unless `account` is given; the domain defaults to ROOT).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.params.get("username").unwrap_or_default().to_string();
    let firstname = call.params.get("firstname").unwrap_or_default().to_string();
    let lastname = call.params.get("lastname").unwrap_or_default().to_string();
    if username.is_empty() {
        return Err(ApiError::param("Username is empty"));
    }
    if firstname.is_empty() {
        return Err(ApiError::param("Firstname is empty"));
    }
    if lastname.is_empty() {
        return Err(ApiError::param("Lastname is empty"));
    }
    let password = call.required("password")?.to_string();
    let account_name = call.params.str("account").unwrap_or(&username).to_string();
    let domain = match call.params.str("domainid") {
        Some(id) => store::domain_param(call.tx, "domainid", id)?,
        None => store::root_domain(call.tx)?,
    };
    check_domain_access(call, &domain)?;
    if store::username_taken(call.tx, &username, &domain.id, None)? {
        return Err(ApiError::param(format!(
            "The user {username} already exists in domain {}",
            domain.id
        )));
    }
    let network_domain = call.params.str("networkdomain").map(String::from);
    if let Some(nd) = &network_domain {
        validate_network_domain(nd)?;
    }

    // `CreateAccountCmd`: a role the caller can see decides the account type
    // (`RoleType.getAccountTypeByRole`), else `accounttype` does; without a
    // role, the type's default role (`RoleType.getRoleByAccountType`).
    let role = match call.params.str("roleid") {
        Some(id) => {
            Some(store::role(call.tx, id)?.ok_or_else(|| ApiError::invalid_id("roleid", id))?)
        }
        None => None,
    };
    // The simulator defaults to a user account when neither is given.
    let account_type = match role.as_ref().filter(|role| visible_to(call, role)) {
        Some(role) => Some(account_type_of(role.kind)),
        None => call
            .params
            .i64("accounttype")?
            .or(role.is_none().then_some(0)),
    };

    if domain.state == "Inactive" {
        return Err(ApiError::internal(format!(
            "The account cannot be created as domain {} is being deleted",
            domain.name
        )));
    }
    if domain.parent_id.is_some() && account_type == Some(1) {
        return Err(ApiError::param(format!(
            "Invalid account type ADMIN given for an account in domain {}; unable to create user of admin \
             role type in non-ROOT domain.",
            domain.id
        )));
    }
    if store::account_by_name(call.tx, &account_name, &domain.id)?.is_some() {
        return Err(ApiError::param(format!(
            "The specified account: {account_name} already exists"
        )));
    }
    if let Some(kind) = account_type.filter(|kind| !(0..=3).contains(kind)) {
        return Err(ApiError::param(format!(
            "Invalid account type {kind} given; unable to create user"
        )));
    }
    if account_type == Some(3) && !has_private_zone(call, &domain.id)? {
        return Err(ApiError::param(format!(
            "The account cannot be created as domain {} is not associated with any private Zone",
            domain.id
        )));
    }
    let (role_id, role_kind) = match &role {
        Some(role) => (role.id.clone(), role.kind),
        None => {
            let kind = account_type
                .and_then(role_of_account_type)
                .unwrap_or(Role::User);
            (store::default_role(call.tx, kind.name())?, kind)
        }
    };

    let account_id = new_or_given(call, "accountid", "accounts")?;
    // `AccountManagerImpl.createAccount` checks the account it is about to
    // store: its type against the caller's, and its role's APIs
    // (`verifyCallerPrivilegeForUserOrAccountOperations`). The simulator
    // compares the role's real permissions, also for a role the caller
    // cannot see, so an Admin role never leaves a root admin's hands.
    verify_privilege(
        call,
        &Target {
            id: &account_id,
            name: &account_name,
            account_type,
            role: role_kind,
            stored: false,
        },
    )?;
    let account_type = account_type.unwrap_or(0);
    let user_id = new_or_given(call, "userid", "users")?;
    let now = call.timestamp();
    call.tx.execute(
        "INSERT INTO accounts (id, name, account_type, role_id, domain_id, state, network_domain, created)
         VALUES (?1, ?2, ?3, ?4, ?5, 'enabled', ?6, ?7)",
        params![account_id, account_name, account_type, role_id, domain.id, network_domain, now],
    )?;
    save_details(call, &account_id)?;
    call.tx.execute(
        "INSERT INTO users (id, account_id, username, password, firstname, lastname, email, timezone, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'enabled', ?9)",
        params![
            user_id,
            account_id,
            username,
            password,
            firstname,
            lastname,
            call.params.str("email"),
            call.params.str("timezone"),
            now
        ],
    )?;
    event_log::completed(
        call,
        "ACCOUNT.CREATE",
        &format!(
            "creating Account. Account Name: {account_name}, Domain Id:{}",
            domain.id
        ),
        Subject::of("Account", &account_id, &account_name),
    )?;
    event_log::completed(
        call,
        "USER.CREATE",
        &format!("creating User. User Name: {username}, Account Name: {account_name}"),
        Subject::of("User", &user_id, &username),
    )?;
    account_reply(call, &account_id)
}

/// Whether a zone is dedicated to the domain (`DataCenterDao.findZonesByDomainId`).
fn has_private_zone(call: &Call<'_>, domain_id: &str) -> Result<bool, ApiError> {
    Ok(sql::count(
        call.tx,
        "SELECT COUNT(*) FROM datacenter_zones WHERE domain_id = ?1",
        domain_id,
    )? > 0)
}

/// A uuid the caller chose (refused when taken) or a new one.
pub(crate) fn new_or_given(call: &Call<'_>, param: &str, table: &str) -> Result<String, ApiError> {
    match call.params.str(param) {
        Some(id) if sql::exists(call.tx, table, id)? => Err(ApiError::param(format!(
            "The uuid {id} given as {param} is already in use"
        ))),
        Some(id) => Ok(id.to_string()),
        None => Ok(ids::new_id()),
    }
}

/// Stores `accountdetails[i].<key>=<value>` entries.
fn save_details(call: &Call<'_>, account_id: &str) -> Result<(), ApiError> {
    for entry in call.params.map("accountdetails") {
        for (name, value) in entry {
            call.tx.execute(
                "INSERT INTO account_details (account_id, name, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id, name) DO UPDATE SET value = excluded.value",
                params![account_id, name, value],
            )?;
        }
    }
    Ok(())
}

/// Finds the account a command names by `id`, or by `account` + `domainid`;
/// `not_found` words the refusal CloudStack gives for a name that matches
/// nothing. An account named by `id` is checked for ownership at once (the
/// `@ACL` parameter the API dispatcher checks before the command runs, or
/// its job is queued: `ParamProcessWorker.doAccessChecks`).
fn resolve(call: &Call<'_>, not_found: &str) -> Result<AccountRow, ApiError> {
    if let Some(id) = call.params.str("id") {
        let account = store::account(call.tx, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
        check_owner_access(call, &account.id)?;
        return Ok(account);
    }
    let name = call.params.str("account");
    let domain_id = call.params.str("domainid");
    if let Some(domain_id) = domain_id {
        store::domain_param(call.tx, "domainid", domain_id)?;
    }
    let found = match (name, domain_id) {
        (Some(name), Some(domain_id)) => store::account_by_name(call.tx, name, domain_id)?,
        _ => None,
    };
    found.ok_or_else(|| {
        ApiError::param(format!(
            "{not_found} by accountId: null OR by name: {} in domain {}",
            name.unwrap_or("null"),
            domain_id.unwrap_or("null")
        ))
    })
}

fn account_reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "account",
        value: store::account_json(call.tx, id)?,
    })
}

/// Refuses `action` (`enable`, `lock`, ...) on the system account (531),
/// then checks the caller may act on the account: ownership, rank and role
/// (`checkAccess`, `verifyCallerPrivilegeForUserOrAccountOperations`).
fn check_not_system(call: &Call<'_>, account: &AccountRow, action: &str) -> Result<(), ApiError> {
    if account.is_system() {
        return Err(ApiError::permission(format!(
            "Account id : {} is a system account, {action} is not allowed",
            account.seq
        )));
    }
    check_account_operation(call, account)
}

/// `enableAccount`.
pub(crate) fn enable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let account = resolve(call, "Unable to find account")?;
    check_not_system(call, &account, "enable")?;
    call.tx.execute(
        "UPDATE accounts SET state = 'enabled' WHERE id = ?1",
        [&account.id],
    )?;
    event_log::completed(
        call,
        "ACCOUNT.ENABLE",
        "enabling account",
        Subject::of("Account", &account.id, &account.name),
    )?;
    account_reply(call, &account.id)
}

/// `lockAccount` (sync, deprecated): the account's users can no longer log in.
pub(crate) fn lock(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let account = resolve(call, "Unable to find active account")?;
    lock_now(call, &account)?;
    event_log::completed(
        call,
        "ACCOUNT.DISABLE",
        "locking account",
        Subject::of("Account", &account.id, &account.name),
    )?;
    account_reply(call, &account.id)
}

fn lock_now(call: &Call<'_>, account: &AccountRow) -> Result<(), ApiError> {
    check_not_system(call, account, "lock")?;
    call.tx.execute(
        "UPDATE accounts SET state = 'locked' WHERE id = ?1 AND state != 'locked'",
        [&account.id],
    )?;
    Ok(())
}

/// `disableAccount` (async): `lock=true` locks; otherwise the account is
/// disabled and its VMs and routers stop. An account named by `id` is
/// checked for ownership before the job exists; rank and role in the job,
/// as CloudStack does.
pub(crate) fn disable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let account = resolve(call, "Unable to find account")?;
    let lock = call.params.flag("lock", false);
    let id = account.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Account",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let account =
                    store::account(call.tx, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
                if lock {
                    lock_now(call, &account)?;
                } else {
                    check_not_system(call, &account, "disable")?;
                    if account.seq <= 2 {
                        return Err(ApiError::internal(format!(
                            "Unable to update account by accountId: {} OR by name: {} in domain {}",
                            account.seq, account.name, account.domain_id
                        )));
                    }
                    if account.state != "disabled" {
                        call.tx.execute(
                            "UPDATE accounts SET state = 'disabled' WHERE id = ?1",
                            [&account.id],
                        )?;
                        cleanup::disable_account(call.tx, &account.id)?;
                    }
                }
                account_reply(call, &account.id)
            }),
        )
        .with_event(
            "ACCOUNT.DISABLE",
            if lock {
                "locking account"
            } else {
                "disabling account"
            },
        ),
    ))
}

/// `updateAccount`: new name, network domain, role or details.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let account = resolve(call, "Unable to find account")?;
    if account.is_system() {
        return Err(ApiError::param("Can not modify system account"));
    }
    let domain = store::domain_param(call.tx, "domainid", &account.domain_id)?;
    check_domain_access(call, &domain)?;
    verify_privilege(call, &Target::of(call, &account)?)?;
    if let Some(new_name) = call.params.get("newname") {
        if new_name.is_empty() {
            return Err(ApiError::param(format!(
                "The new account name for account '{}' within domain '{}'  is empty string. Account will be not renamed.",
                account.id, account.domain_id
            )));
        }
        if let Some(existing) = store::account_by_name(call.tx, new_name, &account.domain_id)? {
            if existing.id != account.id {
                return Err(ApiError::param(format!(
                    "The account with the proposed name '{new_name}' exists in the domain '{}' with existing account id '{}'",
                    account.domain_id, existing.seq
                )));
            }
        }
        call.tx.execute(
            "UPDATE accounts SET name = ?2 WHERE id = ?1",
            params![account.id, new_name],
        )?;
    }
    update_network_domain(call, "accounts", &account.id)?;
    if let Some(role_id) = call.params.str("roleid") {
        change_role(call, &account, &domain, role_id)?;
    }
    save_details(call, &account.id)?;
    let name: String = call.tx.query_row(
        "SELECT name FROM accounts WHERE id = ?1",
        [&account.id],
        |r| r.get(0),
    )?;
    event_log::completed(
        call,
        "ACCOUNT.UPDATE",
        "updating account",
        Subject::of("Account", &account.id, &name),
    )?;
    account_reply(call, &account.id)
}

/// The `roleid` of `updateAccount` (`AccountManagerImpl.updateAccount`,
/// `validateRoleChange`): the role must be one the caller may hand out, of
/// no higher type than the caller's (nor may the account's current role
/// be), Admin-type only in ROOT; the account takes the role's type, and the
/// new role may not reach an API the caller cannot (`checkRoleEscalation`).
fn change_role(
    call: &Call<'_>,
    account: &AccountRow,
    domain: &store::DomainRow,
    role_id: &str,
) -> Result<(), ApiError> {
    let role =
        store::role(call.tx, role_id)?.ok_or_else(|| ApiError::invalid_id("roleid", role_id))?;
    let caller_role = call.caller.role;
    // `RoleService.listRoles()`: for others than root admins, the public
    // roles whose rules the caller's role covers. The Admin role has no
    // rules, so it passes here and fails below.
    let listed = call.caller.is_root_admin()
        || (role.is_public
            && (role.kind == Role::Admin || privilege::covers(call, caller_role, role.kind)?));
    if !listed {
        return Err(ApiError::param(format!(
            "Role with ID '{}' is not found or not available for the account '{}' in the domain '{}'.",
            role.id, account.name, domain.id
        )));
    }
    let current = store::role(call.tx, &account.role_id)?;
    // `RoleManagerImpl.findRole` hides Admin-type roles from non-root
    // callers; `validateRoleChange` then fails on the missing role (a
    // NullPointerException in CloudStack: 530 with the text hidden).
    let hidden = !visible_to(call, &role)
        || current
            .as_ref()
            .is_none_or(|current| !visible_to(call, current));
    if hidden {
        return Err(ApiError::internal(HIDDEN_INTERNAL));
    }
    let current = current.map_or(Role::User, |current| current.kind);
    let refused = |why: &str| {
        ApiError::permission(format!(
            "Unable to update account role to {}, as {why}",
            role.name
        ))
    };
    if caller_role != Role::Admin
        && (privilege::rank(role.kind) < privilege::rank(caller_role)
            || privilege::rank(current) < privilege::rank(caller_role))
    {
        return Err(refused(
            "either current or new role has higher privileges than the caller",
        ));
    }
    if role.kind == Role::Admin && domain.parent_id.is_some() {
        return Err(refused("the user does not belong to the ROOT domain"));
    }
    privilege::check_role_escalation(call, role.kind)?;
    call.tx.execute(
        "UPDATE accounts SET role_id = ?2, account_type = ?3 WHERE id = ?1",
        params![account.id, role.id, account_type_of(role.kind)],
    )?;
    Ok(())
}

/// `deleteAccount` (async): removes the account and everything it owns.
/// Ownership is checked before the job exists (`@ACL` on `id`); the job
/// refuses the caller's own account, the default accounts and accounts
/// above the caller (`AccountManagerImpl.deleteUserAccount`).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    store::account(call.tx, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_owner_access(call, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Account",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let Some(account) = store::account(call.tx, &job_id)? else {
                    // Already removed: CloudStack answers success.
                    return Ok(Reply::Success(None));
                };
                if account.id == call.caller.account_id {
                    return Err(ApiError::param(format!(
                        "Deletion of your own account is not allowed. To delete account {} (ID: {}, Domain: {}), \
                         request to another user with permissions to perform the operation.",
                        account.name, account.id, account.domain_id
                    )));
                }
                check_owner_access(call, &account.id)?;
                if account.is_default {
                    return Err(ApiError::param(
                        "The account is default and can't be removed",
                    ));
                }
                verify_privilege(call, &Target::of(call, &account)?)?;
                if let Some(refusal) = cleanup::deletion_refusal(call.tx, &account.id)? {
                    return Err(ApiError::param(refusal));
                }
                cleanup::delete_account(call.tx, &account.id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("ACCOUNT.DELETE", "deleting account"),
    ))
}

/// `listAccounts`: what the caller may see (never the system account).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = store::account_query();
    owner_scope(call, &mut query, "a.id")?;
    query.eq("a.id", call.params.str("id"));
    query.eq("a.name", call.params.str("name"));
    query.eq_nocase("a.state", call.params.str("state"));
    query.keyword(&["a.name"], call.params.str("keyword"));
    // Every account has exactly one domain and one role, and the
    // conditions above name only `a`: the joins need not be walked to count.
    query
        .order("a.seq")
        .count_over("SELECT a.id FROM accounts a");
    let (count, rows) = query.page(call)?;
    let items = store::finish_accounts(call.tx, rows)?;
    Ok(Reply::List {
        key: "account",
        items,
        count,
    })
}
