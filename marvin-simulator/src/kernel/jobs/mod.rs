//! The second half of async commands: after the job delay, the work runs in
//! its own transaction with a fresh [`Call`] (`job_id` set), and the job row
//! records the outcome (cloudstack-protocol.md §6, semantics §0). With a
//! zero job delay and no fault aimed at the job, that happens on the
//! submitting call's connection right after it commits, before its answer
//! is sent, so that a poll made after the answer finds the job finished.
//!
//! - success: `jobstatus` 1, `jobresultcode` 0, `jobresult` = `{key: object}`
//!   or `{"success": true}`;
//! - failure: the work's changes are rolled back; `jobstatus` 2,
//!   `jobresult` = `{"errorcode", "errortext"}` with the code of
//!   [`ApiError::job_code`] (431 stays, the rest become 530), except for
//!   injected faults, which keep the chosen code.
//!
//! With a [`crate::kernel::contract::JobEvent`], `Started` is recorded when the work
//! begins (its own transaction, so it stays even when the work fails), then
//! `Completed` or an ERROR event pointing to it.

pub(crate) mod rows;
mod work;

pub(crate) use work::{delete_job, delete_unused_job, object_job, settle_job};

use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use serde_json::{Value, json};

use crate::kernel::caller::Caller;
use crate::kernel::catalog::Served;
use crate::kernel::contract::{Call, Command, Job, Reply, Subject};
use crate::kernel::engine::{self, Engine};
use crate::kernel::envelope;
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::faults::{self, Action};
use crate::kernel::params::Params;

/// A job waiting to run.
pub(crate) struct PendingJob {
    id: String,
    caller: Caller,
    params: Params,
    command: &'static Command,
    job: Job,
    delay: Duration,
    forced: Option<ApiError>,
    /// Whether an injected fault was aimed at it.
    faulted: bool,
}

impl std::fmt::Debug for PendingJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingJob")
            .field("id", &self.id)
            .field("command", &self.command.name)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

impl PendingJob {
    /// The job id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// How long to wait before the work runs.
    pub(crate) fn delay(&self) -> Duration {
        self.delay
    }

    /// Whether the work runs as soon as its call commits: no wait, and no
    /// injected fault aimed at it.
    pub(crate) fn runs_at_once(&self) -> bool {
        self.delay.is_zero() && self.forced.is_none() && !self.faulted
    }
}

/// A job to run after `delay`, changed by an injected fault aimed at jobs.
pub(crate) fn pending(
    id: String,
    caller: Caller,
    params: Params,
    command: &'static Command,
    job: Job,
    delay: Duration,
    fault: Option<Action>,
) -> PendingJob {
    let faulted = fault.is_some();
    let (delay, forced) = match fault {
        None => (delay, None),
        Some(Action::Fail(error)) => (delay, Some(error)),
        Some(Action::Delay(extra)) => (delay + extra, None),
        Some(Action::Hang(bound)) => (delay + bound, Some(faults::hang_ended(command.name, bound))),
    };
    PendingJob {
        id,
        caller,
        params,
        command,
        job,
        delay,
        forced,
        faulted,
    }
}

/// Runs a job's work and records its outcome (blocking: takes the lock).
pub(crate) fn run(engine: &Arc<Engine>, pending: PendingJob) {
    let mut conn = engine.lock();
    run_on(&mut conn, &engine.served, pending);
}

/// Runs a job's work and records its outcome on a connection the caller
/// holds.
pub(crate) fn run_on(conn: &mut Connection, served: &Served, pending: PendingJob) {
    let id = pending.id.clone();
    if let Err(error) = try_run(conn, served, pending) {
        tracing::error!(job = %id, %error, "could not record the outcome of an async job");
    }
}

fn try_run(conn: &mut Connection, served: &Served, pending: PendingJob) -> Result<(), ApiError> {
    let PendingJob {
        id,
        caller,
        params,
        command,
        job,
        forced,
        ..
    } = pending;
    let Job {
        instance_id,
        instance_type,
        work,
        event,
        on_failure,
    } = job;
    let subject = Subject {
        kind: instance_type,
        id: instance_id.as_deref(),
        name: None,
    };
    let origin = Origin {
        id: &id,
        caller: &caller,
        params: &params,
        command: command.name,
        served,
    };

    let started = match &event {
        Some(event) => {
            let tx = conn.transaction()?;
            let started = event_log::insert(
                &origin.call(&tx),
                event.kind,
                "INFO",
                "Started",
                &capitalised(&event.description),
                subject,
                None,
            )?;
            engine::commit(tx)?;
            Some(started)
        }
        None => None,
    };

    // The work's changes are kept with its success; a failure is recorded
    // in a fresh transaction once they are rolled back.
    let tx = conn.transaction()?;
    let outcome = match forced {
        Some(error) => {
            let code = error.code.as_u16();
            Err((error, code))
        }
        None => work(&mut origin.call(&tx))
            .and_then(result_of)
            .map_err(|error| {
                let code = error.job_code().as_u16();
                (error, code)
            }),
    };
    let tx = if outcome.is_ok() {
        tx
    } else {
        drop(tx);
        conn.transaction()?
    };
    let call = origin.call(&tx);
    let (status, code, result, level, done) = match outcome {
        Ok(result) => (rows::SUCCEEDED, 0, result, "INFO", "Successfully completed"),
        Err((error, code)) => (
            rows::FAILED,
            i64::from(code),
            json!({"errorcode": code, "errortext": error.text}),
            "ERROR",
            "Error while",
        ),
    };
    if let Some(on_failure) = on_failure.filter(|_| status == rows::FAILED) {
        on_failure(&call)?;
    }
    rows::finish(&tx, &id, status, code, &result, &call.timestamp())?;
    if let Some(event) = &event {
        event_log::insert(
            &call,
            event.kind,
            level,
            "Completed",
            &format!("{done} {}", event.description),
            subject,
            started.as_deref(),
        )?;
    }
    engine::commit(tx)?;
    Ok(())
}

/// What every step of a job runs as: the request that started it.
struct Origin<'a> {
    id: &'a str,
    caller: &'a Caller,
    params: &'a Params,
    command: &'static str,
    served: &'a Served,
}

impl Origin<'_> {
    /// A fresh call in `tx` (its own `now`, `job_id` set).
    fn call<'t>(&'t self, tx: &'t rusqlite::Transaction<'t>) -> Call<'t> {
        Call {
            tx,
            caller: self.caller,
            params: self.params,
            command: self.command,
            now: engine::now(),
            job_id: Some(self.id),
            served: self.served,
        }
    }
}

/// The `jobresult` of a successful reply.
fn result_of(reply: Reply) -> Result<Value, ApiError> {
    match reply {
        Reply::Job(_) => Err(ApiError::internal(
            "an async job's work answered with another job",
        )),
        other => Ok(envelope::inner(other)),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_descriptions_are_capitalised() {
        assert_eq!(
            capitalised("starting Vm. Vm Id: 1"),
            "Starting Vm. Vm Id: 1"
        );
        assert_eq!(capitalised(""), "");
    }

    #[test]
    fn results_wrap_like_sync_answers() {
        let value = result_of(Reply::Object {
            key: "account",
            value: json!({"id": "a", "x": null}),
        })
        .unwrap();
        assert_eq!(value, json!({"account": {"id": "a"}}));
        assert_eq!(
            result_of(Reply::Success(None)).unwrap(),
            json!({"success": true})
        );
    }
}
