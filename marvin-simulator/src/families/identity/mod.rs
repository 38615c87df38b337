//! Identity: domains, accounts, users and their keys, roles, settings and
//! capabilities.
//!
//! The seed creates the ROOT domain, the four default roles, the system
//! account (not loginable: random password, no keys) and the `admin`
//! account with user `admin` / `password` and fresh API keys. Seed ids:
//! `root_domain`, `system_account`, `admin_account`, `admin_user`,
//! `role_admin`, `role_resource_admin`, `role_domain_admin`, `role_user`.

mod accounts;
pub(crate) mod api;
pub(crate) mod cleanup;
mod domains;
mod ldap;
mod permissions;
mod privilege;
mod roles;
mod sessions;
pub(crate) mod settings;
pub(crate) mod store;
mod users;

#[cfg(test)]
mod ldap_tests;
#[cfg(test)]
mod permission_tests;
#[cfg(test)]
mod privilege_tests;
#[cfg(test)]
mod reset_tests;
#[cfg(test)]
mod tests;

use rusqlite::params;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::ListScope;
use crate::kernel::sql::{Query, text};

use store::DomainRow;

/// The CloudStack version the simulator answers as (`listCapabilities`).
pub(crate) const CLOUDSTACK_VERSION: &str = "4.22.0.0";

/// The identity family.
pub(crate) const FAMILY: Family = Family::new("identity", include_str!("schema.sql"), COMMANDS)
    .seeded(seed_identity)
    .publishing(api::VIEWS);

const COMMANDS: &[Command] = &[
    Command::new(
        "createDomain",
        RoleSet::ADMIN,
        "Creates a domain below a parent domain (ROOT by default).",
        domains::create,
    ),
    Command::new(
        "updateDomain",
        RoleSet::ADMIN,
        "Renames a domain or changes its network domain.",
        domains::update,
    ),
    Command::new(
        "deleteDomain",
        RoleSet::ADMIN,
        "Deletes a domain; with cleanup it also removes its sub-domains and accounts.",
        domains::delete,
    ),
    Command::new(
        "listDomains",
        RoleSet::ADMINS,
        "Lists the caller's domain, or its whole subtree with listall.",
        domains::list,
    ),
    Command::new(
        "listDomainChildren",
        RoleSet::ADMINS,
        "Lists the sub-domains of a domain, recursively when asked.",
        domains::list_children,
    ),
    Command::new(
        "createAccount",
        RoleSet::ADMINS,
        "Creates an account together with its first user.",
        accounts::create,
    ),
    Command::new(
        "updateAccount",
        RoleSet::ADMINS,
        "Renames an account or changes its role, network domain or details.",
        accounts::update,
    ),
    Command::new(
        "deleteAccount",
        RoleSet::ADMINS,
        "Deletes an account and every resource it owns.",
        accounts::delete,
    ),
    Command::new(
        "enableAccount",
        RoleSet::ADMINS,
        "Enables a disabled or locked account.",
        accounts::enable,
    ),
    Command::new(
        "disableAccount",
        RoleSet::ADMINS,
        "Disables an account (stopping its machines) or, with lock, locks it.",
        accounts::disable,
    ),
    Command::new(
        "lockAccount",
        RoleSet::ADMINS,
        "Locks an account so that its users cannot log in.",
        accounts::lock,
    ),
    Command::new(
        "listAccounts",
        RoleSet::ALL,
        "Lists the accounts the caller may see, with their users and limits.",
        accounts::list,
    ),
    Command::new(
        "createUser",
        RoleSet::ADMINS,
        "Adds a user to an existing account.",
        users::create,
    ),
    Command::new(
        "updateUser",
        RoleSet::ALL,
        "Changes a user's names, email, time zone, password, username or keys.",
        users::update,
    ),
    Command::new(
        "deleteUser",
        RoleSet::ADMINS,
        "Deletes a user that is not one of the default users.",
        users::delete,
    ),
    Command::new(
        "moveUser",
        RoleSet::ADMIN,
        "Moves a user to another account of the same domain.",
        users::move_user,
    ),
    Command::new(
        "enableUser",
        RoleSet::ADMINS,
        "Enables a user and the account it belongs to.",
        users::enable,
    ),
    Command::new(
        "disableUser",
        RoleSet::ADMINS,
        "Disables a user so that it can no longer log in.",
        users::disable,
    ),
    Command::new(
        "lockUser",
        RoleSet::ADMINS,
        "Locks an enabled user.",
        users::lock,
    ),
    Command::new(
        "listUsers",
        RoleSet::ALL,
        "Lists the users the caller may see.",
        users::list,
    ),
    Command::new(
        "getUser",
        RoleSet::ADMIN,
        "Finds the user that owns an API key.",
        users::get,
    ),
    Command::new(
        "registerUserKeys",
        RoleSet::ALL,
        "Generates a new API key and secret key for a user.",
        users::register_keys,
    ),
    Command::new(
        "getUserKeys",
        RoleSet::ALL,
        "Shows a user's API key and secret key.",
        users::get_keys,
    ),
    Command::new(
        "listRoles",
        RoleSet::ALL,
        "Lists the roles accounts can have.",
        roles::list,
    ),
    Command::new(
        "createRole",
        RoleSet::ADMIN,
        "Creates a role of a given type, or like an existing role.",
        roles::create,
    ),
    Command::new(
        "updateRole",
        RoleSet::ADMIN,
        "Renames a custom role, changes its description, visibility or (while unused) its type; \
         a default role may only be made public or private.",
        roles::update,
    ),
    Command::new(
        "deleteRole",
        RoleSet::ADMIN,
        "Deletes a custom role that no account has, with its rules.",
        roles::delete,
    ),
    Command::new(
        "createRolePermission",
        RoleSet::ADMIN,
        "Adds an allow or deny rule (an API name or a pattern with *) at the end of a custom role's rules.",
        permissions::create,
    ),
    Command::new(
        "listRolePermissions",
        RoleSet::ADMIN,
        "Lists the rules of a role in the order they are checked, or of every role.",
        permissions::list,
    ),
    Command::new(
        "updateRolePermission",
        RoleSet::ADMIN,
        "Reorders all the rules of a custom role, or turns one rule to allow or deny.",
        permissions::update,
    ),
    Command::new(
        "deleteRolePermission",
        RoleSet::ADMIN,
        "Removes one rule of a custom role.",
        permissions::delete,
    ),
    Command::new(
        "ldapCreateAccount",
        RoleSet::ADMIN,
        "Creates an account for a user of the LDAP directory; without a configured directory no user is found.",
        ldap::create_account,
    ),
    Command::new(
        "linkAccountToLdap",
        RoleSet::ADMINS,
        "Links an account to an LDAP group or OU; refused while the domain has no LDAP base DN.",
        ldap::link_account,
    ),
    Command::new(
        "resetConfiguration",
        RoleSet::ADMIN,
        "Puts a setting back to its default, or removes its value for one zone, account, domain or other \
         scope so that the scope inherits again.",
        settings::reset_configuration,
    ),
    Command::new(
        "listCapabilities",
        RoleSet::ALL,
        "Describes what this cloud offers: version, features and limits.",
        settings::list_capabilities,
    ),
    Command::new(
        "listConfigurations",
        RoleSet::ADMIN,
        "Lists settings, globally or as a zone, account, domain or other scope sees them.",
        settings::list_configurations,
    ),
    Command::new(
        "updateConfiguration",
        RoleSet::ADMIN,
        "Changes a setting, globally or for one zone, account, domain or other scope.",
        settings::update_configuration,
    ),
    Command::all(
        "login",
        "Starts a session for a user name and password (POST only); later calls send the session cookie \
         and the session key instead of a signature.",
        sessions::login,
    ),
    Command::all("logout", "Ends the caller's session.", sessions::logout),
];

/// Refuses (531) an action inside a domain the caller does not manage: root
/// admins manage every domain, domain admins their subtree, users only act
/// in their own domain.
pub(crate) fn check_domain_access(call: &Call<'_>, domain: &DomainRow) -> Result<(), ApiError> {
    let caller = call.caller;
    let allowed = caller.is_root_admin()
        || (caller.is_domain_admin() && domain.path.starts_with(&caller.domain_path))
        || domain.id == caller.domain_id;
    if allowed {
        return Ok(());
    }
    Err(ApiError::permission(format!(
        "Account '{}' does not have permission to operate within domain id={}",
        caller.account_name, domain.id
    )))
}

/// The owner filter of `listAccounts`/`listUsers` (over a query joining the
/// accounts as `a`): never the system account, the `accounttype` asked for,
/// and with `id` whatever the caller may reach; an admin without `listall`,
/// `domainid` or `account` sees its own domain; otherwise [`ListScope`].
pub(crate) fn owner_scope(
    call: &Call<'_>,
    query: &mut Query,
    account_column: &str,
) -> Result<(), ApiError> {
    let caller = call.caller;
    let params = call.params;
    let domain_column = "a.domain_id";
    query.and("a.seq != 1", []);
    if let Some(kind) = params.i64("accounttype")? {
        query.and(
            "a.account_type = ?",
            [rusqlite::types::Value::Integer(kind)],
        );
    }
    let narrowed = params.flag("listall", false)
        || params.str("domainid").is_some()
        || params.str("account").is_some();
    if params.str("id").is_some() && !narrowed {
        if caller.is_root_admin() {
            return Ok(());
        }
        if caller.is_domain_admin() {
            query.and(
                &format!(
                    "{domain_column} IN (SELECT id FROM domains WHERE substr(path, 1, length(?)) = ?)"
                ),
                [text(&caller.domain_path), text(&caller.domain_path)],
            );
            return Ok(());
        }
        query.eq(account_column, Some(&caller.account_id));
        return Ok(());
    }
    if caller.is_admin() && !narrowed {
        query.eq(domain_column, Some(&caller.domain_id));
        return Ok(());
    }
    query.scope(&ListScope::of(call)?, account_column);
    Ok(())
}

fn seed_identity(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    let tx = seed.tx;
    let now = crate::kernel::time::format(seed.now);
    let root = ids::new_id();
    tx.execute(
        "INSERT INTO domains (id, name, parent_id, path, level, state, created) VALUES (?1, 'ROOT', NULL, '/', 0, 'Active', ?2)",
        params![root, now],
    )?;
    seed.ids.insert("root_domain", root.clone());

    let roles = [
        (
            "role_admin",
            "Root Admin",
            "Admin",
            "Default root admin role",
        ),
        (
            "role_resource_admin",
            "Resource Admin",
            "ResourceAdmin",
            "Default resource admin role",
        ),
        (
            "role_domain_admin",
            "Domain Admin",
            "DomainAdmin",
            "Default domain admin role",
        ),
        ("role_user", "User", "User", "Default user role"),
    ];
    for (key, name, kind, description) in roles {
        let id = ids::new_id();
        tx.execute(
            "INSERT INTO roles (id, name, role_type, description, is_default) VALUES (?1, ?2, ?3, ?4, 1)",
            params![id, name, kind, description],
        )?;
        seed.ids.insert(key, id);
    }
    let admin_role = seed.id("role_admin")?.to_string();

    let system = ids::new_id();
    tx.execute(
        "INSERT INTO accounts (seq, id, name, account_type, role_id, domain_id, state, created, is_default)
         VALUES (1, ?1, 'system', 1, ?2, ?3, 'enabled', ?4, 1)",
        params![system, admin_role, root, now],
    )?;
    tx.execute(
        "INSERT INTO users (id, account_id, username, password, firstname, lastname, state, is_default, created)
         VALUES (?1, ?2, 'system', ?3, 'system', 'cloud', 'enabled', 1, ?4)",
        params![ids::new_id(), system, ids::random_key(), now],
    )?;
    seed.ids.insert("system_account", system);

    let admin = ids::new_id();
    tx.execute(
        "INSERT INTO accounts (seq, id, name, account_type, role_id, domain_id, state, created, is_default)
         VALUES (2, ?1, 'admin', 1, ?2, ?3, 'enabled', ?4, 1)",
        params![admin, admin_role, root, now],
    )?;
    let admin_user = ids::new_id();
    tx.execute(
        "INSERT INTO users (id, account_id, username, password, firstname, lastname, api_key, secret_key, state,
                            is_default, created)
         VALUES (?1, ?2, 'admin', 'password', 'admin', 'cloud', ?3, ?4, 'enabled', 1, ?5)",
        params![admin_user, admin, ids::random_key(), ids::random_key(), now],
    )?;
    seed.ids.insert("admin_account", admin);
    seed.ids.insert("admin_user", admin_user);

    settings::seed(seed)
}
