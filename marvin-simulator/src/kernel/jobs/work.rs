//! The jobs of the common async commands: create an object and answer it,
//! settle an object into its state, delete a row.

use rusqlite::params;
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::sql::count;

/// The job of a create-style async command: it answers `key` with
/// `render(call, id)`.
pub(crate) fn object_job(
    instance_type: &'static str,
    id: &str,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    answer_job(instance_type, id, None, key, render)
}

/// The job of a create-style async command whose row waits in its first
/// state: it moves row `id` of `table` to `state`, then answers `key` with
/// `render(call, id)`.
pub(crate) fn settle_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    state: &'static str,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    answer_job(instance_type, id, Some((table, state)), key, render)
}

fn answer_job(
    instance_type: &'static str,
    id: &str,
    settle: Option<(&'static str, &'static str)>,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        instance_type,
        id,
        Box::new(move |call: &mut Call<'_>| {
            if let Some((table, state)) = settle {
                call.tx.execute(
                    &format!("UPDATE {table} SET state = ?2 WHERE id = ?1"),
                    params![job_id, state],
                )?;
            }
            Ok(Reply::Object {
                key,
                value: render(call, &job_id)?,
            })
        }),
    )
}

/// The job of an async delete: it removes row `id` of `table`.
pub(crate) fn delete_job(instance_type: &'static str, table: &'static str, id: &str) -> Job {
    removal_job(instance_type, table, id, None)
}

/// The job of an async delete refused while something uses the row: it
/// fails with `refusal(id)` when `in_use` (a `SELECT COUNT(*)` over `?1`,
/// the id) counts anything, else removes row `id` of `table`.
pub(crate) fn delete_unused_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    in_use: &'static str,
    refusal: fn(&str) -> ApiError,
) -> Job {
    removal_job(instance_type, table, id, Some((in_use, refusal)))
}

/// What refuses a delete: a `SELECT COUNT(*)` over the id, and the error
/// when it counts anything.
type InUse = (&'static str, fn(&str) -> ApiError);

fn removal_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    guard: Option<InUse>,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        instance_type,
        id,
        Box::new(move |call: &mut Call<'_>| {
            if let Some((in_use, refusal)) = guard {
                if count(call.tx, in_use, &job_id)? > 0 {
                    return Err(refusal(&job_id));
                }
            }
            call.tx
                .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [&job_id])?;
            Ok(Reply::Success(None))
        }),
    )
}
