//! Async jobs: the `async_jobs` table and the two commands that read it,
//! `queryAsyncJobResult` and `listAsyncJobs` (cloudstack-protocol.md §6).
//!
//! The engine writes the rows (`crate::kernel::jobs` runs the work); handlers only
//! return [`crate::kernel::contract::Job`]. A family that lists objects with a pending
//! job adds `jobid`/`jobstatus` with [`pending_for`].
//!
//! Jobs outlive the account that submitted them, as in CloudStack (its
//! `async_job` rows are not removed with the account): the root admin can
//! still query and list them, and the answers keep the account's name.

use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::jobs::rows::PENDING;
use crate::kernel::scope::{ListScope, denied, domain_display_path};

/// The async jobs family.
pub(crate) const FAMILY: Family = Family::new("async_jobs", "", COMMANDS);

const COMMANDS: &[Command] = &[
    Command {
        name: "queryAsyncJobResult",
        roles: RoleSet::ALL,
        doc: "Shows the state of an async job and, once it has finished, its result.",
        run: query_async_job_result,
    },
    Command {
        name: "listAsyncJobs",
        roles: RoleSet::ALL,
        doc: "Lists the async jobs of the caller's account (admins: of the accounts they manage).",
        run: list_async_jobs,
    },
];

const SELECT: &str =
    "SELECT j.id, j.user_id, j.account_id, j.cmd, j.status, j.proc_status, j.result_code,
        j.result_type, j.result, j.instance_type, j.instance_id, j.created, j.completed,
        COALESCE(a.name, j.account_name), j.domain_id, d.path
    FROM async_jobs j LEFT JOIN directory_accounts a ON a.id = j.account_id
         LEFT JOIN directory_domains d ON d.id = j.domain_id";

fn query_async_job_result(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("jobid")?;
    let sql = format!("{SELECT} WHERE j.id = ?1 COLLATE NOCASE");
    let job = call
        .tx
        .prepare_cached(&sql)?
        .query_row([id], |row| {
            Ok((row_to_json(row)?, row.get::<_, Option<String>>(15)?))
        })
        .optional()?;
    let (job, domain_path) = job.ok_or_else(|| ApiError::invalid_id("jobid", id))?;
    let owner = job
        .get("accountid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    check_job_access(call, owner, domain_path.as_deref(), id)?;
    Ok(Reply::Bare(Value::Object(job)))
}

/// Who may see a job (`ApiResponseHelper.queryJobResult`): the root admin
/// any job, a domain admin the jobs of accounts in its domain tree, a user
/// only its own account's. The job's own domain decides for a domain admin,
/// so the check holds after the owner account is deleted.
fn check_job_access(
    call: &Call<'_>,
    owner_account_id: &str,
    job_domain_path: Option<&str>,
    job_id: &str,
) -> Result<(), ApiError> {
    let caller = call.caller;
    let allowed = caller.is_root_admin()
        || caller.account_id == owner_account_id
        || (caller.is_domain_admin()
            && job_domain_path.is_some_and(|path| path.starts_with(&caller.domain_path)));
    if allowed {
        Ok(())
    } else {
        Err(denied(call, job_id))
    }
}

fn list_async_jobs(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let scope = ListScope::of(call)?;
    let (condition, arg) = scope.condition("j.account_id");
    let mut args: Vec<rusqlite::types::Value> = arg.into_iter().map(Into::into).collect();
    // A deleted account's jobs stay listed wherever the scope covers the
    // domain they ran in (CloudStack's async_job_view keeps removed
    // accounts and filters on their domain).
    let condition = match scope.domain_condition("j.domain_id") {
        Some((domain_condition, domain_arg)) => {
            args.extend(domain_arg.map(Into::into));
            format!(
                "({condition} OR (j.account_id NOT IN (SELECT id FROM directory_accounts) AND {domain_condition}))"
            )
        }
        None => condition,
    };
    let mut conditions = vec![condition];
    if let Some(start) = call
        .params
        .str("startdate")
        .and_then(crate::kernel::time::parse_param)
    {
        conditions.push("j.created >= ?".into());
        args.push(crate::kernel::time::format(start.to_offset(time::UtcOffset::UTC)).into());
    }
    if let Some(keyword) = call.params.str("keyword") {
        conditions.push("(j.cmd LIKE ? ESCAPE '\\' OR j.instance_type LIKE ? ESCAPE '\\')".into());
        let pattern = format!("%{}%", crate::kernel::sql::escape_like(keyword));
        args.push(pattern.clone().into());
        args.push(pattern.into());
    }
    if let Some(id) = call.params.str("resourceid") {
        conditions.push("j.instance_id = ?".into());
        args.push(id.to_string().into());
    }
    if let Some(kind) = call.params.str("resourcetype") {
        conditions.push("j.instance_type = ? COLLATE NOCASE".into());
        args.push(kind.to_string().into());
    }
    let filter = conditions.join(" AND ");
    let count: i64 = call
        .tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM async_jobs j WHERE {filter}"))?
        .query_row(rusqlite::params_from_iter(args.iter()), |row| row.get(0))?;
    let page = call.page();
    let sql = format!("{SELECT} WHERE {filter} ORDER BY j.seq{}", page.sql());
    let mut stmt = call.tx.prepare_cached(&sql)?;
    let items = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), row_to_json)?
        .map(|row| row.map(Value::Object))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::List {
        key: "asyncjobs",
        items,
        count: usize::try_from(count).unwrap_or(0),
    })
}

fn row_to_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let mut job = Map::new();
    let status: i64 = row.get(4)?;
    job.insert("jobid".into(), row.get::<_, String>(0)?.into());
    job.insert("userid".into(), row.get::<_, String>(1)?.into());
    job.insert("accountid".into(), row.get::<_, String>(2)?.into());
    job.insert("cmd".into(), row.get::<_, String>(3)?.into());
    job.insert("jobstatus".into(), status.into());
    job.insert("jobprocstatus".into(), row.get::<_, i64>(5)?.into());
    job.insert("jobresultcode".into(), row.get::<_, i64>(6)?.into());
    if status != PENDING {
        if let Some(kind) = row.get::<_, Option<String>>(7)? {
            job.insert("jobresulttype".into(), kind.into());
        }
        if let Some(result) = row.get::<_, Option<String>>(8)? {
            job.insert(
                "jobresult".into(),
                serde_json::from_str(&result).unwrap_or(Value::String(result)),
            );
        }
    }
    let mut optional = |name: &str, index: usize| -> rusqlite::Result<()> {
        if let Some(value) = row.get::<_, Option<String>>(index)? {
            job.insert(name.into(), value.into());
        }
        Ok(())
    };
    optional("jobinstancetype", 9)?;
    optional("jobinstanceid", 10)?;
    optional("created", 11)?;
    optional("completed", 12)?;
    optional("account", 13)?;
    optional("domainid", 14)?;
    if let Some(path) = row.get::<_, Option<String>>(15)? {
        job.insert("domainpath".into(), domain_display_path(&path).into());
    }
    Ok(job)
}
