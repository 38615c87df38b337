//! Isolation: which accounts' resources a caller may see and act on.
//!
//! Every account-owned table stores its owner's account uuid; these helpers
//! (reading accounts and domains through [`crate::kernel::directory`])
//! turn the caller and the list parameters (`listall`, `isrecursive`,
//! `domainid`, `account`) into an SQL condition, and check an action on one
//! resource. Root admins see everything they ask for; domain admins their
//! domain tree; users only their own account (cloudstack-protocol.md §7-8).

use rusqlite::OptionalExtension;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// Refuses (531/4365) an action on a resource owned by another account,
/// unless the caller is root admin, a domain admin above the owner, or a
/// user who is a member of the project that owner account stands for (as
/// CloudStack's `DomainChecker.checkAccess` asks
/// `ProjectManagerImpl.canAccessProjectAccount` for a project's account;
/// managing the project itself is the projects family's own check).
pub fn check_access(
    call: &Call<'_>,
    owner_account_id: &str,
    resource_id: &str,
) -> Result<(), ApiError> {
    if can_see(call, owner_account_id)? || is_project_member(call, owner_account_id)? {
        Ok(())
    } else {
        Err(denied(call, resource_id))
    }
}

/// Whether the caller may see (and act on) a resource of this owner
/// account: root admins always, domain admins when the owner's domain is in
/// their tree, users only their own account's. Lists use it to leave out
/// what a caller names by `id` but may not see (an empty list, as
/// CloudStack's `buildACLSearchParameters` gives), where actions refuse.
pub fn can_see(call: &Call<'_>, owner_account_id: &str) -> Result<bool, ApiError> {
    let caller = call.caller;
    if caller.is_root_admin() || caller.account_id == owner_account_id {
        return Ok(true);
    }
    if caller.is_domain_admin() {
        let owner_path: Option<String> = call
            .tx
            .query_row(
                "SELECT d.path FROM directory_accounts a JOIN directory_domains d ON d.id = a.domain_id WHERE a.id = ?1",
                [owner_account_id],
                |row| row.get(0),
            )
            .optional()?;
        return Ok(owner_path.is_some_and(|path| path.starts_with(&caller.domain_path)));
    }
    Ok(false)
}

/// Whether the caller, an ordinary user, is a member of the project whose
/// account is `owner_account_id`: its account is, either as a whole (no
/// user named) or through this very user (`directory_project_members`).
pub fn is_project_member(call: &Call<'_>, owner_account_id: &str) -> Result<bool, ApiError> {
    let caller = call.caller;
    if caller.role != crate::kernel::caller::Role::User {
        return Ok(false);
    }
    let member: Option<i64> = call
        .tx
        .prepare_cached(
            "SELECT 1 FROM directory_projects p JOIN directory_project_members m ON m.project_id = p.id
             WHERE p.account_id = ?1 AND m.account_id = ?2 AND (m.user_id IS NULL OR m.user_id = ?3)
             LIMIT 1",
        )?
        .query_row(
            [owner_account_id, caller.account_id.as_str(), caller.user_id.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(member.is_some())
}

/// The 531 answer for an action on someone else's resource.
pub fn denied(call: &Call<'_>, resource_id: &str) -> ApiError {
    ApiError::permission(format!(
        "Account '{}' does not have permission to operate with resource {resource_id}",
        call.caller.account_name
    ))
}

/// A condition on an owner-account column, for list queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListScope {
    kind: ScopeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ScopeKind {
    Everything,
    Account(String),
    Domain(String),
    DomainTree(String),
}

impl ListScope {
    /// The scope a list call asks for, refused with 531 when it reaches
    /// outside what the caller may see.
    pub fn of(call: &Call<'_>) -> Result<Self, ApiError> {
        let caller = call.caller;
        let params = call.params;
        let listall = params.flag("listall", false);
        let recursive = params.flag("isrecursive", false);

        let domain = match params.str("domainid") {
            Some(id) => {
                Some(domain_path(call, id)?.ok_or_else(|| ApiError::invalid_id("domainid", id))?)
            }
            None => None,
        };
        if let Some((_, path)) = &domain {
            let inside = caller.is_root_admin()
                || (caller.is_domain_admin() && path.starts_with(&caller.domain_path));
            let own_domain = path == &caller.domain_path;
            if !inside && !own_domain {
                return Err(ApiError::permission(format!(
                    "Account '{}' does not have permission to access the domain",
                    caller.account_name
                )));
            }
        }

        if let Some(name) = params.str("account") {
            let domain_id = domain
                .as_ref()
                .map_or(caller.domain_id.as_str(), |(id, _)| id.as_str());
            let account: Option<String> = call
                .tx
                .query_row(
                    "SELECT id FROM directory_accounts WHERE name = ?1 AND domain_id = ?2",
                    [name, domain_id],
                    |row| row.get(0),
                )
                .optional()?;
            let account = account.ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account {name} in domain {domain_id}"
                ))
            })?;
            if !caller.is_admin() && account != caller.account_id {
                return Err(ApiError::permission(format!(
                    "Account '{}' does not have permission to access account {name}",
                    caller.account_name
                )));
            }
            return Ok(Self {
                kind: ScopeKind::Account(account),
            });
        }

        if !caller.is_admin() {
            return Ok(Self {
                kind: ScopeKind::Account(caller.account_id.clone()),
            });
        }
        // An admin naming one object by `id` is not narrowed to their own
        // account: AccountManagerImpl.buildACLSearchParameters adds the
        // caller's account only when no `id` is given (root admins then
        // reach everything, domain admins their subtree).
        let wide = listall || params.str("id").is_some();
        let kind = match domain {
            Some((_, path)) if recursive || listall => ScopeKind::DomainTree(path),
            Some((id, _)) => ScopeKind::Domain(id),
            None if wide && caller.is_root_admin() => ScopeKind::Everything,
            None if wide => ScopeKind::DomainTree(caller.domain_path.clone()),
            None => ScopeKind::Account(caller.account_id.clone()),
        };
        Ok(Self { kind })
    }

    /// The SQL condition over `account_column` and its one argument.
    ///
    /// ```ignore
    /// let (cond, arg) = scope.condition("v.account_id");
    /// let sql = format!("SELECT ... WHERE {cond}");
    /// ```
    pub fn condition(&self, account_column: &str) -> (String, Option<String>) {
        match &self.kind {
            ScopeKind::Everything => ("1 = 1".into(), None),
            ScopeKind::Account(id) => (format!("{account_column} = ?"), Some(id.clone())),
            ScopeKind::Domain(id) => (
                format!(
                    "{account_column} IN (SELECT id FROM directory_accounts WHERE domain_id = ?)"
                ),
                Some(id.clone()),
            ),
            // A prefix test without LIKE: exact, and whole even for a path
            // with a NUL in it (which SQLite's LIKE cannot see past).
            ScopeKind::DomainTree(path) => (
                format!(
                    "{account_column} IN (SELECT a.id FROM directory_accounts a \
                     JOIN directory_domains d ON d.id = a.domain_id WHERE instr(d.path, ?) = 1)"
                ),
                Some(path.clone()),
            ),
        }
    }
}

impl ListScope {
    /// The same scope as a condition over a domain-id column and its one
    /// argument, for rows that outlive their owner account (async jobs);
    /// `None` for a scope of one account, which a deleted account is never.
    pub fn domain_condition(&self, domain_column: &str) -> Option<(String, Option<String>)> {
        match &self.kind {
            ScopeKind::Everything => Some(("1 = 1".into(), None)),
            ScopeKind::Account(_) => None,
            ScopeKind::Domain(id) => Some((format!("{domain_column} = ?"), Some(id.clone()))),
            // A path prefix test without LIKE: instr() = 1 means "starts with".
            ScopeKind::DomainTree(path) => Some((
                format!(
                    "{domain_column} IN (SELECT id FROM directory_domains WHERE instr(path, ?) = 1)"
                ),
                Some(path.clone()),
            )),
        }
    }
}

fn domain_path(call: &Call<'_>, id: &str) -> Result<Option<(String, String)>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, path FROM directory_domains WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// A domain's path as CloudStack shows it (`ROOT`, `ROOT/a/b`) from the
/// stored form (`/`, `/a/b/`).
pub(crate) fn domain_display_path(stored: &str) -> String {
    let inner = stored.trim_matches('/');
    if inner.is_empty() {
        "ROOT".into()
    } else {
        format!("ROOT/{inner}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_paths_display_like_cloudstack() {
        assert_eq!(domain_display_path("/"), "ROOT");
        assert_eq!(domain_display_path("/a/b/"), "ROOT/a/b");
    }
}
