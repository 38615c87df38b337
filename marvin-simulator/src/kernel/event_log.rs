//! Events: every change records one (`listEvents` answers for them).
//!
//! Handlers record through [`Call::event`] and the helpers below; the
//! engine records the Scheduled/Started/Completed events of async jobs
//! here. This is the one place a later event stream hooks in.

use crate::kernel::contract::{Call, Subject};
use crate::kernel::error::ApiError;

/// Inserts a Completed INFO event owned by the caller, in the call's transaction.
pub(crate) fn record(
    call: &Call<'_>,
    kind: &str,
    description: &str,
    subject: Subject<'_>,
) -> Result<(), ApiError> {
    insert(call, kind, "INFO", "Completed", description, subject, None).map(drop)
}

/// Inserts an event with an explicit level, state and parent; returns its id.
pub(crate) fn insert(
    call: &Call<'_>,
    kind: &str,
    level: &str,
    state: &str,
    description: &str,
    subject: Subject<'_>,
    parent_id: Option<&str>,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::new_v4().to_string();
    call.tx.prepare_cached(
        "INSERT INTO events (id, type, level, state, description, user_id, account_id, domain_id,
                             resource_type, resource_id, resource_name, parent_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(rusqlite::params![
            id,
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
        ])?;
    Ok(id)
}

/// Records a Completed event whose description follows CloudStack's
/// "Successfully completed <action>" form.
pub(crate) fn completed(
    call: &Call<'_>,
    kind: &str,
    action: &str,
    subject: Subject<'_>,
) -> Result<(), ApiError> {
    call.event(kind, &format!("Successfully completed {action}"), subject)
}

/// Records a `Created` event for the create phase of a create-style async
/// command ("Successfully created entity for <description>").
pub(crate) fn created_event(
    call: &Call<'_>,
    kind: &str,
    description: &str,
    subject: Subject<'_>,
) -> Result<(), ApiError> {
    insert(
        call,
        kind,
        "INFO",
        "Created",
        &format!("Successfully created entity for {description}"),
        subject,
        None,
    )
    .map(drop)
}
