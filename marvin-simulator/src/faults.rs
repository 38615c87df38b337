//! Fault injection, the engine's half: before a handler runs, the first
//! matching armed fault of the command fires and loses one of its remaining
//! uses. The admin API that arms faults is the `simulator` family
//! (`configureSimulatorFault`, `listSimulatorFaults`, `deleteSimulatorFault`);
//! `docs/simulator-faults.md` describes it.
//!
//! A zone-scoped fault (armed with `zoneid`) fires only for calls whose
//! `zoneid` parameter names that zone, and wins over a global one; among
//! equals the oldest fires first.

use std::time::Duration;

use marvin_core::{CsErrorCode, ErrorCode};
use rusqlite::{OptionalExtension, Transaction};

use crate::error::ApiError;
use crate::params::Params;

/// What a fired fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Fail with this error (the request, or the job).
    Fail(ApiError),
    /// Hold the answer (or the job) for at most this long, then fail.
    Hang(Duration),
    /// Add this much time before the request (or the job) runs.
    Delay(Duration),
}

/// A fault that fired for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fired {
    /// What to do.
    pub(crate) action: Action,
    /// Whether it acts on the job of an async command rather than the request.
    pub(crate) on_job: bool,
}

/// Consumes the fault that applies to this call, if any. `isasync` tells
/// whether a `target=job` fault can act on a job (otherwise it acts on the
/// request).
pub(crate) fn take(
    tx: &Transaction<'_>,
    command: &str,
    isasync: bool,
    params: &Params,
) -> Result<Option<Fired>, ApiError> {
    let zone = params.str("zoneid").unwrap_or("");
    let found = tx
        .prepare_cached(
            "SELECT id, action, target, error_code, cs_error_code, error_text, delay_ms FROM simulator_faults
             WHERE api_name = ?1 AND remaining != 0 AND (zone_id IS NULL OR zone_id = ?2 COLLATE NOCASE)
             ORDER BY zone_id IS NULL, seq LIMIT 1",
        )?
        .query_row(rusqlite::params![command.to_ascii_lowercase(), zone], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })
        .optional()?;
    let Some((id, action, target, code, cs_code, text, delay_ms)) = found else {
        return Ok(None);
    };
    tx.prepare_cached(
        "UPDATE simulator_faults SET remaining = CASE WHEN remaining > 0 THEN remaining - 1 ELSE remaining END,
                fired = fired + 1 WHERE id = ?1",
    )?
    .execute([&id])?;
    let wait = Duration::from_millis(u64::try_from(delay_ms).unwrap_or(0));
    let action = match action.as_str() {
        "hang" => Action::Hang(wait),
        "delay" => Action::Delay(wait),
        _ => {
            let code = u16::try_from(code.unwrap_or(530)).unwrap_or(530);
            let cs_code = cs_code
                .and_then(|c| u32::try_from(c).ok())
                .map(CsErrorCode::from_u32)
                .unwrap_or_else(|| default_cs_code(code));
            let text = text.unwrap_or_else(|| format!("Simulated failure of {command}"));
            Action::Fail(ApiError {
                code: ErrorCode::from_u16(code),
                cs_code: (code != 401).then_some(cs_code),
                text,
            })
        }
    };
    Ok(Some(Fired {
        action,
        on_job: isasync && target == "job",
    }))
}

/// The error a hang ends with once its bound has passed.
pub(crate) fn hang_ended(command: &str, bound: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::InternalError,
        CsErrorCode::OperationTimedout,
        format!(
            "Simulated hang of {command} ended after {} ms",
            bound.as_millis()
        ),
    )
}

/// The `cserrorcode` that usually goes with an `errorcode`.
pub(crate) fn default_cs_code(code: u16) -> CsErrorCode {
    match code {
        405 | 432 => CsErrorCode::UnavailableCommand,
        429 => CsErrorCode::RequestLimit,
        430 | 431 => CsErrorCode::InvalidParameterValue,
        531 => CsErrorCode::PermissionDenied,
        532 => CsErrorCode::AccountLimit,
        533 => CsErrorCode::InsufficientCapacity,
        534 => CsErrorCode::ResourceUnavailable,
        535 => CsErrorCode::ResourceAllocation,
        536 => CsErrorCode::ResourceInUse,
        537 => CsErrorCode::NetworkRuleConflict,
        _ => CsErrorCode::CloudRuntime,
    }
}
