//! Events: every change records one; `listEvents` shows them.
//!
//! Handlers record through [`crate::family::Call::event`]; the engine also
//! records the Scheduled/Started/Completed events of async jobs here. This is
//! the one place a later event stream hooks in.

use crate::error::ApiError;
use crate::family::{Call, Command, Family, Subject};

/// The events family.
#[derive(Debug)]
pub struct Events;

impl Family for Events {
    fn name(&self) -> &'static str {
        "events"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        &[]
    }
}

/// Inserts a Completed INFO event owned by the caller, in the call's transaction.
pub(crate) fn record(call: &Call<'_>, kind: &str, description: &str, subject: Subject<'_>) -> Result<(), ApiError> {
    insert(call, kind, "INFO", "Completed", description, subject, None)
}

/// Inserts an event with an explicit level, state and parent.
pub(crate) fn insert(
    call: &Call<'_>,
    kind: &str,
    level: &str,
    state: &str,
    description: &str,
    subject: Subject<'_>,
    parent_id: Option<&str>,
) -> Result<(), ApiError> {
    call.tx.execute(
        "INSERT INTO events (id, type, level, state, description, user_id, account_id, domain_id,
                             resource_type, resource_id, resource_name, parent_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        rusqlite::params![
            uuid::Uuid::new_v4().to_string(),
            kind,
            level,
            state,
            description,
            call.caller.user_id,
            call.caller.account_id,
            call.caller.domain_id,
            subject.kind,
            subject.id,
            subject.name,
            parent_id,
            call.timestamp(),
        ],
    )?;
    Ok(())
}
