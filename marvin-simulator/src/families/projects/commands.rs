//! Project commands: create, activate, suspend, update, delete, list, and
//! their members and invitations.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::families::compute::api::owner::{self, Owner};
use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql::{self, Query, text};

/// A project row.
#[derive(Debug, Clone)]
struct Project {
    id: String,
    account_id: String,
    domain_id: String,
    state: String,
}

fn find(call: &Call<'_>, id: &str) -> Result<Option<Project>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, name, account_id, domain_id, state FROM projects WHERE id = ?1",
            [id],
            |r| {
                Ok(Project {
                    id: r.get(0)?,
                    account_id: r.get(2)?,
                    domain_id: r.get(3)?,
                    state: r.get(4)?,
                })
            },
        )
        .optional()?)
}

fn param(call: &Call<'_>, name: &str) -> Result<Project, ApiError> {
    let id = call.required(name)?;
    find(call, id)?.ok_or_else(|| ApiError::invalid_id(name, id))
}

/// Whether the caller administers the project: root admin, a domain admin
/// above it, or a member with the Admin role.
fn is_manager(call: &Call<'_>, project: &Project) -> Result<bool, ApiError> {
    let caller = call.caller;
    if caller.is_root_admin() {
        return Ok(true);
    }
    if caller.is_domain_admin() {
        let path: String = call.tx.query_row(
            "SELECT path FROM identity_domains WHERE id = ?1",
            [&project.domain_id],
            |r| r.get(0),
        )?;
        if path.starts_with(&caller.domain_path) {
            return Ok(true);
        }
    }
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM project_accounts WHERE project_id = ?1 AND account_id = ?2 AND role = 'Admin'",
            [&project.id, &caller.account_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn check_manager(call: &Call<'_>, project: &Project) -> Result<(), ApiError> {
    if is_manager(call, project)? {
        return Ok(());
    }
    Err(ApiError::permission(format!(
        "Account '{}' does not have permission to operate within project id={}",
        call.caller.account_name, project.id
    )))
}

fn query() -> Query {
    Query::new(
        "SELECT p.id AS id, p.name AS name, p.display_text AS displaytext, p.domain_id AS domainid, d.name AS domain,
                CASE WHEN d.path = '/' THEN 'ROOT' ELSE 'ROOT' || substr(d.path, 1, length(d.path) - 1) END
                    AS domainpath,
                a.name AS projectaccountname, p.state AS state, p.created AS created, p.account_id AS accountid
         FROM projects p JOIN identity_accounts a ON a.id = p.account_id JOIN identity_domains d ON d.id = p.domain_id",
    )
}

fn finish(call: &Call<'_>, mut row: Map<String, Value>) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    let account = row
        .remove("accountid")
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let owners = sql::objects(
        call.tx,
        "SELECT a.name AS account, a.id AS accountid FROM project_accounts pa JOIN identity_accounts a ON a.id = pa.account_id
         WHERE pa.project_id = ?1 AND pa.role = 'Admin' ORDER BY pa.created",
        &[text(&id)],
    )?;
    row.insert(
        "owner".into(),
        Value::Array(owners.into_iter().map(Value::Object).collect()),
    );
    identity::insert_limit_fields(call.tx, &mut row, &account)?;
    let (running, stopped): (i64, i64) = call.tx.query_row(
        "SELECT COALESCE(SUM(state = 'Running'), 0), COALESCE(SUM(state = 'Stopped'), 0) FROM compute_vms WHERE account_id = ?1",
        [&account],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.insert("vmrunning".into(), json!(running));
    row.insert("vmstopped".into(), json!(stopped));
    row.insert(
        "tags".into(),
        Value::Array(tags::tags_of_one(call, "Project", &id)?),
    );
    Ok(Value::Object(row))
}

fn project_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = query().one(call.tx, "p.id", id)?;
    finish(call, row)
}

fn reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "project",
        value: project_json(call, id)?,
    })
}

/// The job of an async command on a project: `work` runs, then the job
/// answers the project.
fn project_job(
    id: &str,
    work: impl FnOnce(&mut Call<'_>, &str) -> Result<(), ApiError> + Send + 'static,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        "Project",
        id,
        Box::new(move |call: &mut Call<'_>| {
            work(call, &job_id)?;
            reply(call, &job_id)
        }),
    )
}

/// `createProject` (async): a project, its account, and its owner as the
/// first (Admin) member.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let display = call.params.str("displaytext").unwrap_or(&name).to_string();
    let owner: Owner = match call.params.str("accountid") {
        Some(id) => {
            let owner = owner::account(call, id)?;
            crate::kernel::scope::check_access(call, &owner.id, id)?;
            owner
        }
        None => owner::resolve(call)?,
    };
    if !call.caller.is_admin()
        && !identity::setting_flag(
            call.tx,
            "allow.user.create.projects",
            &[("domain", &owner.domain_id)],
        )?
    {
        return Err(ApiError::permission(
            "Regular user is not permitted to create a project",
        ));
    }
    let taken = call
        .tx
        .query_row(
            "SELECT 1 FROM projects WHERE domain_id = ?1 AND name = ?2",
            [&owner.domain_id, &name],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(ApiError::param(format!(
            "Project with name {name} already exists in domain id={}",
            owner.domain_id
        )));
    }
    limits::reserve(call, &owner.id, ResourceKind::Project, 1)?;
    let id = ids::new_id();
    let account_id = ids::new_id();
    let now = call.timestamp();
    let role = identity::default_role(call.tx, "User")?;
    identity::insert_project_account(call.tx, &account_id, &name, &role, &owner.domain_id, &now)?;
    call.tx.execute(
        "INSERT INTO projects (id, name, display_text, account_id, domain_id, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, 'Active', ?6)",
        params![id, name, display, account_id, owner.domain_id, now],
    )?;
    call.tx.execute(
        "INSERT INTO project_accounts (project_id, account_id, user_id, role, created) VALUES (?1, ?2, ?3, 'Admin', ?4)",
        params![id, owner.id, call.params.str("userid"), now],
    )?;
    Ok(Reply::Job(project_job(&id, |_, _| Ok(())).with_event(
        "PROJECT.CREATE",
        format!("creating project. Project Id: {id}"),
    )))
}

/// The member that owns the project (its first Admin member).
fn owner_of(call: &Call<'_>, project: &Project) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT account_id FROM project_accounts WHERE project_id = ?1 AND role = 'Admin' ORDER BY created LIMIT 1",
            [&project.id],
            |r| r.get(0),
        )
        .optional()?)
}

/// `activateProject` (async).
pub(crate) fn activate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "id")?;
    check_manager(call, &project)?;
    let id = project.id.clone();
    Ok(Reply::Job(
        project_job(&id, move |call, id| {
            if let Some(project) = find(call, id)? {
                identity::set_account_enabled(call.tx, &project.account_id, true)?;
            }
            call.tx
                .execute("UPDATE projects SET state = 'Active' WHERE id = ?1", [&id])?;
            Ok(())
        })
        .with_event(
            "PROJECT.ACTIVATE",
            format!("activating project. Project Id: {}", project.id),
        ),
    ))
}

/// `suspendProject` (async): its VMs stop.
pub(crate) fn suspend(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "id")?;
    check_manager(call, &project)?;
    let id = project.id.clone();
    Ok(Reply::Job(
        project_job(&id, move |call, id| {
            let project = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
            if project.state != "Suspended" {
                identity::disable_account(call.tx, &project.account_id)?;
                identity::set_account_enabled(call.tx, &project.account_id, false)?;
                call.tx.execute(
                    "UPDATE projects SET state = 'Suspended' WHERE id = ?1",
                    [&id],
                )?;
            }
            Ok(())
        })
        .with_event(
            "PROJECT.SUSPEND",
            format!("suspending project. Project Id: {}", project.id),
        ),
    ))
}

/// `updateProject` (async): display text, name, or a new owner (a member
/// becomes Admin).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "id")?;
    check_manager(call, &project)?;
    let display = call.params.str("displaytext").map(String::from);
    let name = call.params.str("name").map(String::from);
    let new_owner = match call.params.str("account") {
        Some(account) => {
            let domain = call
                .params
                .str("domainid")
                .unwrap_or(&project.domain_id)
                .to_string();
            let found = identity::account_by_name(call.tx, account, &domain)?.ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account name={account} in domain id={domain}"
                ))
            })?;
            Some(found.id)
        }
        None => None,
    };
    let id = project.id.clone();
    Ok(Reply::Job(
        project_job(&id, move |call, id| {
                if let Some(display) = &display {
                    call.tx.execute("UPDATE projects SET display_text = ?2 WHERE id = ?1", params![id, display])?;
                }
                if let Some(name) = &name {
                    call.tx.execute("UPDATE projects SET name = ?2 WHERE id = ?1", params![id, name])?;
                }
                if let Some(account) = &new_owner {
                    let member = call
                        .tx
                        .query_row(
                            "SELECT 1 FROM project_accounts WHERE project_id = ?1 AND account_id = ?2",
                            params![id, account],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    if !member {
                        limits::reserve(call, account, ResourceKind::Project, 1)?;
                        call.tx.execute(
                            "INSERT INTO project_accounts (project_id, account_id, role, created)
                             VALUES (?1, ?2, 'Admin', ?3)",
                            params![id, account, call.timestamp()],
                        )?;
                    }
                    call.tx.execute(
                        "UPDATE project_accounts SET role = CASE WHEN account_id = ?2 THEN 'Admin' ELSE 'Regular' END
                         WHERE project_id = ?1",
                        params![id, account],
                    )?;
                }
                Ok(())
        })
        .with_event("PROJECT.UPDATE", format!("updating project. Project Id: {}", project.id)),
    ))
}

/// `deleteProject` (async): refused while the project owns resources,
/// unless `cleanup`; then everything it owns goes.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "id")?;
    check_manager(call, &project)?;
    let clean = call.params.flag("cleanup", false);
    let id = project.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Project",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let Some(project) = find(call, &id)? else {
                    return Ok(Reply::Success(None));
                };
                let mut left = Vec::new();
                for (table, what) in [
                    ("compute_vms", "vms"),
                    ("storage_volumes", "volumes"),
                    ("network_networks", "networks"),
                    ("network_vpcs", "vpcs"),
                ] {
                    if sql::table_exists(call.tx, table)? {
                        let n = sql::count(
                            call.tx,
                            &format!("SELECT COUNT(*) FROM \"{table}\" WHERE account_id = ?1"),
                            &project.account_id,
                        )?;
                        if n > 0 {
                            left.push(format!("{n} {what}"));
                        }
                    }
                }
                if !left.is_empty() && !clean {
                    return Err(ApiError::internal(format!(
                        "Can't delete the project yet because it has resources: {}",
                        left.join(", ")
                    )));
                }
                let members: Vec<String> = call
                    .tx
                    .prepare("SELECT account_id FROM project_accounts WHERE project_id = ?1 AND role = 'Admin'")?
                    .query_map([&id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for member in members {
                    limits::release(call, &member, ResourceKind::Project, 1)?;
                }
                tags::forget(call, "Project", &id)?;
                call.tx.execute("DELETE FROM project_invitations WHERE project_id = ?1", [&id])?;
                call.tx.execute("DELETE FROM project_accounts WHERE project_id = ?1", [&id])?;
                identity::delete_account(call.tx, &project.account_id)?;
                call.tx.execute("DELETE FROM projects WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("PROJECT.DELETE", format!("deleting project. Project Id: {}", project.id)),
    ))
}

/// `listProjects`: root admins see all with `listall`, domain admins their
/// tree, everyone else the projects they belong to.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let caller = call.caller;
    let mut q = query();
    let listall = params.flag("listall", false);
    let wide = listall || params.str("id").is_some();
    if caller.is_root_admin() && wide {
        // Everything.
    } else if caller.is_domain_admin() && wide {
        q.and(
            "d.path LIKE ? ESCAPE '\\'",
            [text(format!("{}%", sql::escape_like(&caller.domain_path)))],
        );
    } else {
        q.and(
            "p.id IN (SELECT project_id FROM project_accounts WHERE account_id = ?)",
            [text(&caller.account_id)],
        );
    }
    q.eq("p.id", params.str("id"));
    q.eq("p.name", params.str("name"));
    q.eq("p.display_text", params.str("displaytext"));
    q.eq("p.domain_id", params.str("domainid"));
    q.eq_nocase("p.state", params.str("state"));
    if let Some(account) = params.str("account") {
        q.and(
            "p.id IN (SELECT pa.project_id FROM project_accounts pa JOIN identity_accounts a2 ON a2.id = pa.account_id
             WHERE a2.name = ?)",
            [text(account)],
        );
    }
    q.keyword(&["p.name", "p.display_text"], params.str("keyword"));
    if let Some((condition, args)) = tags::tag_filter(call, "Project", "p.id") {
        q.and(&condition, args);
    }
    q.order("p.seq");
    q.list(call, "project", finish)
}

fn account_param(call: &Call<'_>, project: &Project) -> Result<identity::AccountRow, ApiError> {
    let name = call.required("account")?;
    identity::account_by_name(call.tx, name, &project.domain_id)?.ok_or_else(|| {
        ApiError::param(format!(
            "Unable to find account name={name} in domain id={}",
            project.domain_id
        ))
    })
}

/// `addAccountToProject` (async): a member, or an invitation when
/// `project.invite.required` is set.
pub(crate) fn add_account(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "projectid")?;
    // `ProjectManagerImpl.addAccountToProject` asks for an active project
    // before it looks the account up.
    if project.state != "Active" {
        return Err(ApiError::param(format!(
            "Can't add account to the specified project id in state={} as it's no longer active",
            project.state
        )));
    }
    check_manager(call, &project)?;
    if call.params.str("account").is_none() && call.params.str("email").is_none() {
        return Err(ApiError::param("Either accountName or email is required"));
    }
    let account = match call.params.str("account") {
        Some(_) => Some(account_param(call, &project)?),
        None => None,
    };
    let role = match call.params.str("roletype") {
        Some(r) if r.eq_ignore_ascii_case("Admin") => "Admin",
        Some(r) if r.eq_ignore_ascii_case("Regular") => "Regular",
        Some(r) => return Err(ApiError::param(format!("Invalid project role type {r}"))),
        None => "Regular",
    };
    let email = call.params.str("email").map(String::from);
    let id = project.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Project",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if let Some(account) = &account {
                    let member = call
                        .tx
                        .query_row(
                            "SELECT 1 FROM project_accounts WHERE project_id = ?1 AND account_id = ?2",
                            [&id, &account.id],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    if member {
                        return Err(ApiError::param(format!(
                            "Account {} is already assigned to the project id={id}",
                            account.name
                        )));
                    }
                }
                if identity::setting_flag(call.tx, "project.invite.required", &[])? {
                    call.tx.execute(
                        "INSERT INTO project_invitations (id, project_id, account_id, domain_id, email, token, state,
                                                          created)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Pending', ?7)",
                        params![
                            ids::new_id(),
                            id,
                            account.as_ref().map(|a| a.id.clone()),
                            account.as_ref().map_or_else(
                                || call.caller.domain_id.clone(),
                                |a| a.domain_id.clone()
                            ),
                            email,
                            ids::new_id(),
                            call.timestamp()
                        ],
                    )?;
                    return Ok(Reply::Success(None));
                }
                let Some(account) = &account else {
                    return Err(ApiError::param("Project invitations are off: give an account, not an email"));
                };
                if role == "Admin" {
                    limits::reserve(call, &account.id, ResourceKind::Project, 1)?;
                }
                call.tx.execute(
                    "INSERT INTO project_accounts (project_id, account_id, role, created) VALUES (?1, ?2, ?3, ?4)",
                    params![id, account.id, role, call.timestamp()],
                )?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("PROJECT.ACCOUNT.ADD", format!("adding account to project. Project Id: {}", project.id)),
    ))
}

/// `deleteAccountFromProject` (async): not the project's owner.
pub(crate) fn delete_account(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "projectid")?;
    check_manager(call, &project)?;
    let account = account_param(call, &project)?;
    let id = project.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Project",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let project = find(call, &id)?.ok_or_else(|| ApiError::invalid_id("projectid", &id))?;
                let role: Option<String> = call
                    .tx
                    .query_row(
                        "SELECT role FROM project_accounts WHERE project_id = ?1 AND account_id = ?2",
                        [&id, &account.id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(role) = role else {
                    return Err(ApiError::param(format!(
                        "Account {} is not assigned to the project id={id}",
                        account.name
                    )));
                };
                if owner_of(call, &project)?.as_deref() == Some(account.id.as_str()) {
                    return Err(ApiError::param(format!(
                        "Unable to delete account {} from the project id={id} as the account is the owner of the \
                         project",
                        account.name
                    )));
                }
                if role == "Admin" {
                    limits::release(call, &account.id, ResourceKind::Project, 1)?;
                }
                call.tx.execute(
                    "DELETE FROM project_accounts WHERE project_id = ?1 AND account_id = ?2",
                    [&id, &account.id],
                )?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("PROJECT.ACCOUNT.REMOVE", format!("removing account from project. Project Id: {}", project.id)),
    ))
}

/// `listProjectAccounts`.
pub(crate) fn list_accounts(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "projectid")?;
    let member = call
        .tx
        .query_row(
            "SELECT 1 FROM project_accounts WHERE project_id = ?1 AND account_id = ?2",
            [&project.id, &call.caller.account_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !member {
        check_manager(call, &project)?;
    }
    let mut q = Query::new(
        "SELECT pa.project_id AS projectid, p.name AS project, a.id AS accountid, a.name AS account,
                a.account_type AS accounttype, pa.role AS role, d.id AS domainid, d.name AS domain,
                CASE WHEN d.path = '/' THEN 'ROOT' ELSE 'ROOT' || substr(d.path, 1, length(d.path) - 1) END
                    AS domainpath
         FROM project_accounts pa JOIN projects p ON p.id = pa.project_id JOIN identity_accounts a ON a.id = pa.account_id
              JOIN identity_domains d ON d.id = a.domain_id",
    );
    q.eq("pa.project_id", Some(&project.id));
    q.eq("a.name", call.params.str("account"));
    q.eq_nocase("pa.role", call.params.str("role"));
    q.keyword(&["a.name"], call.params.str("keyword"));
    q.order("pa.created, a.seq");
    q.list_plain(call, "projectaccount")
}

/// `listProjectInvitations`.
pub(crate) fn list_invitations(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let mut q = Query::new(
        "SELECT i.id AS id, i.project_id AS projectid, p.name AS project, a.name AS account, i.domain_id AS domainid,
                d.name AS domain, i.email AS email, i.state AS state
         FROM project_invitations i JOIN projects p ON p.id = i.project_id LEFT JOIN identity_accounts a ON a.id = i.account_id
              JOIN identity_domains d ON d.id = i.domain_id",
    );
    if !call.caller.is_root_admin() {
        q.and(
            "(i.account_id = ? OR i.project_id IN (SELECT project_id FROM project_accounts WHERE account_id = ?
              AND role = 'Admin'))",
            [text(&call.caller.account_id), text(&call.caller.account_id)],
        );
    }
    q.eq("i.id", params.str("id"));
    q.eq("i.project_id", params.str("projectid"));
    q.eq_nocase("i.state", params.str("state"));
    if params.flag("activeonly", false) {
        q.and("i.state = 'Pending'", []);
    }
    q.order("i.created");
    q.list_plain(call, "projectinvitation")
}

/// `updateProjectInvitation` (async): the caller (or the named account)
/// accepts or declines.
pub(crate) fn update_invitation(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let project = param(call, "projectid")?;
    let account_id = match call.params.str("account") {
        Some(_) => {
            let account = account_param(call, &project)?;
            crate::kernel::scope::check_access(call, &account.id, &account.id)?;
            account.id
        }
        None => call.caller.account_id.clone(),
    };
    let accept = call.params.flag("accept", true);
    let token = call.params.str("token").map(String::from);
    let id = project.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Project",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let invitation: Option<(String, Option<String>)> = call
                    .tx
                    .query_row(
                        "SELECT id, token FROM project_invitations WHERE project_id = ?1 AND account_id = ?2
                           AND state = 'Pending'",
                        [&id, &account_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let Some((invitation, expected)) = invitation else {
                    let name: String =
                        call.tx.query_row("SELECT name FROM identity_accounts WHERE id = ?1", [&account_id], |r| r.get(0))?;
                    return Err(ApiError::param(format!(
                        "Unable to find invitation for account name={name} to the project id={id}"
                    )));
                };
                if let (Some(given), Some(expected)) = (&token, &expected) {
                    if given != expected {
                        return Err(ApiError::param("Invalid token passed"));
                    }
                }
                let state = if accept { "Completed" } else { "Declined" };
                call.tx.execute("UPDATE project_invitations SET state = ?2 WHERE id = ?1", [&invitation, state])?;
                if accept {
                    call.tx.execute(
                        "INSERT OR IGNORE INTO project_accounts (project_id, account_id, role, created)
                         VALUES (?1, ?2, 'Regular', ?3)",
                        params![id, account_id, call.timestamp()],
                    )?;
                }
                Ok(Reply::Success(None))
            }),
        )
        .with_event("PROJECT.INVITATION.UPDATE", format!("updating project invitation. Project Id: {}", project.id)),
    ))
}

/// `deleteProjectInvitation` (async).
pub(crate) fn delete_invitation(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let project: Option<String> = call
        .tx
        .query_row(
            "SELECT project_id FROM project_invitations WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let project = project.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    let project = find(call, &project)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_manager(call, &project)?;
    Ok(Reply::Job(
        Job::on(
            "Project",
            project.id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx
                    .execute("DELETE FROM project_invitations WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "PROJECT.INVITATION.REMOVE",
            format!("removing project invitation. Project Id: {}", project.id),
        ),
    ))
}

#[cfg(test)]
#[path = "owner_tests.rs"]
mod owner_tests;
