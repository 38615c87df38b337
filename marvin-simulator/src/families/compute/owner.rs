//! Who owns what a call creates, and which owners a list shows.
//!
//! An owner is an account; a project owns its resources through its own
//! account (type 5), as in CloudStack, so isolation, limits and cleanup work
//! the same for both. Responses show `account` for ordinary owners and
//! `project`/`projectid` for projects.

use rusqlite::OptionalExtension;
use serde_json::{Map, Value, json};

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{Query, text};

/// The owner account of a resource.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    /// CloudStack's numeric account id (used in instance names).
    pub seq: i64,
    /// The account uuid.
    pub id: String,
    /// The account name.
    pub name: String,
    /// `enabled`, `disabled` or `locked`.
    pub state: String,
    /// The domain uuid.
    pub domain_id: String,
    /// The domain name.
    pub domain_name: String,
    /// The domain's stored path.
    pub domain_path: String,
    /// The project this account stands for: (uuid, name).
    pub project: Option<(String, String)>,
}

impl Owner {
    /// Adds the owner fields of a response (`account` or `project`/
    /// `projectid`, `domainid`, `domain`, `domainpath`).
    pub(crate) fn describe(
        &self,
        _call: &Call<'_>,
        out: &mut Map<String, Value>,
    ) -> Result<(), ApiError> {
        match &self.project {
            Some((id, name)) => {
                out.insert("projectid".into(), json!(id));
                out.insert("project".into(), json!(name));
            }
            None => {
                out.insert("account".into(), json!(self.name));
            }
        }
        out.insert("domainid".into(), json!(self.domain_id));
        out.insert("domain".into(), json!(self.domain_name));
        out.insert(
            "domainpath".into(),
            json!(crate::kernel::scope::domain_display_path(&self.domain_path)),
        );
        Ok(())
    }
}

/// Joins that bring the owner columns of a row whose owner column is
/// `<alias>.account_id` (aliases `a`, `d`, `p`).
pub(crate) fn join(alias: &str) -> String {
    format!(
        " JOIN identity_accounts a ON a.id = {alias}.account_id JOIN identity_domains d ON d.id = a.domain_id
          LEFT JOIN projects_projects p ON p.account_id = a.id"
    )
}

/// The owner columns of a response, for [`join`].
pub(crate) const COLUMNS: &str = "CASE WHEN a.account_type = 5 THEN NULL ELSE a.name END AS account, \
     a.id AS accountid, p.id AS projectid, p.name AS project, d.id AS domainid, d.name AS domain, \
     CASE WHEN d.path = '/' THEN 'ROOT' ELSE 'ROOT' || substr(d.path, 1, length(d.path) - 1) END AS domainpath";

/// An account by uuid.
pub(crate) fn account(call: &Call<'_>, id: &str) -> Result<Owner, ApiError> {
    find(call, "a.id = ?1", &[id])?
        .ok_or_else(|| ApiError::param(format!("Unable to find account by id {id}")))
}

fn find(call: &Call<'_>, condition: &str, args: &[&str]) -> Result<Option<Owner>, ApiError> {
    let sql = format!(
        "SELECT a.seq, a.id, a.name, a.account_type, a.state, d.id, d.name, d.path, p.id, p.name
         FROM identity_accounts a JOIN identity_domains d ON d.id = a.domain_id LEFT JOIN projects_projects p ON p.account_id = a.id
         WHERE {condition}"
    );
    Ok(call
        .tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| {
            let project_id: Option<String> = r.get(8)?;
            let project_name: Option<String> = r.get(9)?;
            Ok(Owner {
                seq: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                state: r.get(4)?,
                domain_id: r.get(5)?,
                domain_name: r.get(6)?,
                domain_path: r.get(7)?,
                project: project_id.zip(project_name),
            })
        })
        .optional()?)
}

/// The caller's own account.
pub(crate) fn caller(call: &Call<'_>) -> Result<Owner, ApiError> {
    account(call, &call.caller.account_id)
}

/// A project's account, refused when the project is unknown (431) or the
/// caller is neither an admin over it nor a member (531).
pub(crate) fn project(call: &Call<'_>, project_id: &str) -> Result<Owner, ApiError> {
    let owner = find(call, "p.id = ?1", &[project_id])?
        .ok_or_else(|| ApiError::param(format!("Unable to find project by id {project_id}")))?;
    check_project_access(call, &owner, project_id)?;
    Ok(owner)
}

/// Refuses (531) a caller that is not a member of the project nor an admin
/// over its domain.
pub(crate) fn check_project_access(
    call: &Call<'_>,
    owner: &Owner,
    project_id: &str,
) -> Result<(), ApiError> {
    let caller = call.caller;
    if caller.is_root_admin()
        || (caller.is_domain_admin() && owner.domain_path.starts_with(&caller.domain_path))
    {
        return Ok(());
    }
    let member: Option<i64> = call
        .tx
        .prepare_cached("SELECT 1 FROM projects_project_accounts WHERE project_id = ?1 AND account_id = ?2")?
        .query_row([project_id, caller.account_id.as_str()], |r| r.get(0))
        .optional()?;
    if member.is_some() {
        return Ok(());
    }
    Err(ApiError::permission(format!(
        "Account '{}' does not have permission to operate within project id={project_id}",
        caller.account_name
    )))
}

/// The owner a create call names: `projectid`, or `account` (+ `domainid`,
/// the caller's domain by default), else the caller; refused when the caller
/// may not act for it (531).
pub(crate) fn resolve(call: &Call<'_>) -> Result<Owner, ApiError> {
    let params = call.params;
    if let Some(project_id) = params.str("projectid") {
        let owner = project(call, project_id)?;
        let state: Option<String> = call
            .tx
            .query_row(
                "SELECT state FROM projects_projects WHERE id = ?1",
                [project_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(state) = state.filter(|s| s != "Active") {
            return Err(ApiError::permission(format!(
                "Can't add resources to the project id={project_id} in state={state} as it's no longer active"
            )));
        }
        return Ok(owner);
    }
    if let Some(name) = params.str("account") {
        let domain_id = params.str("domainid").unwrap_or(&call.caller.domain_id);
        if params.str("domainid").is_some()
            && call
                .tx
                .query_row("SELECT 1 FROM identity_domains WHERE id = ?1", [domain_id], |_| {
                    Ok(())
                })
                .optional()?
                .is_none()
        {
            return Err(ApiError::invalid_id("domainid", domain_id));
        }
        let owner = find(call, "a.name = ?1 AND a.domain_id = ?2", &[name, domain_id])?
            .ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account {name} in domain id={domain_id}"
                ))
            })?;
        check_access(call, &owner.id, &owner.id)?;
        return Ok(owner);
    }
    caller(call)
}

/// The owner filter of a list that may name one resource by `id`: with
/// `id` (and neither `account` nor `listall`) the resource is listed when
/// the caller may see it (`owner_of` gives its owner, `None` when there is
/// no such resource), and the list is empty otherwise, never a refusal
/// (`AccountManagerImpl.buildACLSearchParameters`, semantics §10 "List
/// scoping": a user naming another account's object gets an empty list);
/// without `id`, [`scope`].
pub(crate) fn scope_unless_id(
    call: &Call<'_>,
    query: &mut Query,
    account_column: &str,
    owner_of: impl FnOnce(&str) -> Result<Option<String>, ApiError>,
) -> Result<(), ApiError> {
    let params = call.params;
    match params.str("id") {
        Some(id) if params.str("account").is_none() && !params.flag("listall", false) => {
            if let Some(owner) = owner_of(id)? {
                if !crate::kernel::scope::can_see(call, &owner)? {
                    query.and("0 = 1", []);
                }
            }
            Ok(())
        }
        _ => scope(call, query, account_column),
    }
}

/// Restricts a list query to the owners the caller asks for and may see:
/// `projectid` (`-1`: every project the caller may see) or the usual
/// [`ListScope`], which leaves project-owned rows out.
pub(crate) fn scope(
    call: &Call<'_>,
    query: &mut Query,
    account_column: &str,
) -> Result<(), ApiError> {
    if let Some(project_id) = call.params.str("projectid") {
        if project_id == "-1" {
            if call.caller.is_root_admin() {
                query.and(
                    &format!("{account_column} IN (SELECT account_id FROM projects_projects)"),
                    [],
                );
            } else {
                query.and(
                    &format!(
                        "{account_column} IN (SELECT p.account_id FROM projects_projects p JOIN projects_project_accounts pa
                         ON pa.project_id = p.id WHERE pa.account_id = ?)"
                    ),
                    [text(&call.caller.account_id)],
                );
            }
            return Ok(());
        }
        let owner = project(call, project_id)?;
        query.and(&format!("{account_column} = ?"), [text(owner.id)]);
        return Ok(());
    }
    let scope = ListScope::of(call)?;
    query.scope(&scope, account_column);
    if call.params.str("account").is_none() {
        // Owner columns are never NULL, nor are account ids.
        query.exclude(
            account_column,
            "SELECT id FROM identity_accounts WHERE account_type = 5",
        );
    }
    Ok(())
}
