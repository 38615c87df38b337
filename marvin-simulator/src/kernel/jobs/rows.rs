//! The `async_jobs` table: one row per call of an async command, written by
//! the engine and read by the families that answer for jobs.

use rusqlite::{OptionalExtension, Transaction};
use serde_json::Value;

use crate::kernel::caller::Caller;
use crate::kernel::error::ApiError;

/// Job status codes (`jobstatus`).
pub(crate) const PENDING: i64 = 0;
/// Succeeded.
pub(crate) const SUCCEEDED: i64 = 1;
/// Failed.
pub(crate) const FAILED: i64 = 2;

/// The id of the pending job working on an object, if any (for the
/// `jobid`/`jobstatus` fields of list answers).
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "for families whose lists show pending jobs")
)]
pub(crate) fn pending_for(
    tx: &Transaction<'_>,
    instance_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(tx
        .prepare_cached("SELECT id FROM async_jobs WHERE instance_id = ?1 AND status = 0 ORDER BY seq DESC LIMIT 1")?
        .query_row([instance_id], |row| row.get(0))
        .optional()?)
}

/// Inserts a pending job.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    caller: &Caller,
    cmd: &str,
    instance_type: Option<&str>,
    instance_id: Option<&str>,
    created: &str,
) -> Result<(), ApiError> {
    tx.prepare_cached(
        "INSERT INTO async_jobs (id, user_id, account_id, account_name, domain_id, cmd, instance_type, instance_id,
                                 created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![
        id,
        caller.user_id,
        caller.account_id,
        caller.account_name,
        caller.domain_id,
        cmd,
        instance_type,
        instance_id,
        created
    ])?;
    Ok(())
}

/// Records a job's outcome: `status` 1 with `result_code` 0, or 2 with the
/// error code; `result` is the `jobresult`.
pub(crate) fn finish(
    tx: &Transaction<'_>,
    id: &str,
    status: i64,
    result_code: i64,
    result: &Value,
    completed: &str,
) -> Result<(), ApiError> {
    tx.prepare_cached(
        "UPDATE async_jobs SET status = ?2, result_code = ?3, result_type = 'object', result = ?4, completed = ?5
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, status, result_code, result.to_string(), completed])?;
    Ok(())
}

/// Fails every job still pending (their work was lost with the previous
/// process), as a restarted management server does.
pub(crate) fn abandon_pending(tx: &Transaction<'_>, completed: &str) -> Result<usize, ApiError> {
    let result = serde_json::json!({
        "errorcode": 530,
        "errortext": "The job was cancelled because the simulator restarted before it finished",
    });
    Ok(tx.execute(
        "UPDATE async_jobs SET status = ?1, result_code = 530, result_type = 'object', result = ?2, completed = ?3
         WHERE status = 0",
        rusqlite::params![FAILED, result.to_string(), completed],
    )?)
}
