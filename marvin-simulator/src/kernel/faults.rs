//! Fault injection, the engine's half: before a handler runs, the first
//! matching armed fault of the command fires and loses one of its remaining
//! uses. The admin API that arms faults is the `simulator_faults` family
//! (`configureSimulatorFault`, `listSimulatorFaults`, `deleteSimulatorFault`);
//! `docs/simulator-faults.md` describes it.
//!
//! A zone-scoped fault (armed with `zoneid`) fires only for calls whose
//! `zoneid` parameter names that zone, and wins over a global one; among
//! equals the oldest fires first. A fault with a `probability` below 1
//! fires on each matching call with that probability; when it does not,
//! the next matching fault (in the same order) gets its chance.

use std::time::Duration;

use marvin_core::{CsErrorCode, ErrorCode};
use rusqlite::Transaction;

use crate::kernel::error::ApiError;
use crate::kernel::params::Params;

/// The command that arms faults (the engine starts looking for faults once
/// it has succeeded); the family that serves it uses these names.
pub(crate) const CONFIGURE: &str = "configureSimulatorFault";

/// The fault APIs themselves, which faults never apply to.
pub(crate) const FAULT_APIS: [&str; 3] = [
    "configuresimulatorfault",
    "listsimulatorfaults",
    "deletesimulatorfault",
];

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
    take_with(tx, command, isasync, params, &mut rand::random_bool)
}

/// [`take`] with the dice: `roll(p)` says whether a fault of probability
/// `p` (below 1) fires this time.
pub(crate) fn take_with(
    tx: &Transaction<'_>,
    command: &str,
    isasync: bool,
    params: &Params,
    roll: &mut dyn FnMut(f64) -> bool,
) -> Result<Option<Fired>, ApiError> {
    let zone = params.str("zoneid").unwrap_or("");
    let candidates = tx
        .prepare_cached(
            "SELECT id, action, target, error_code, cs_error_code, error_text, delay_ms, probability
             FROM simulator_faults
             WHERE api_name = ?1 AND remaining != 0 AND (zone_id IS NULL OR zone_id = ?2 COLLATE NOCASE)
             ORDER BY zone_id IS NULL, seq",
        )?
        .query_map(rusqlite::params![command.to_ascii_lowercase(), zone], |row| {
            Ok(Candidate {
                id: row.get(0)?,
                action: row.get(1)?,
                target: row.get(2)?,
                code: row.get(3)?,
                cs_code: row.get(4)?,
                text: row.get(5)?,
                delay_ms: row.get(6)?,
                probability: row.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for candidate in candidates {
        let fires = candidate.probability >= 1.0 || roll(candidate.probability.max(0.0));
        tx.prepare_cached(
            "UPDATE simulator_faults SET matched = matched + 1,
                    remaining = CASE WHEN ?2 AND remaining > 0 THEN remaining - 1 ELSE remaining END,
                    fired = fired + ?2 WHERE id = ?1",
        )?
        .execute(rusqlite::params![candidate.id, fires])?;
        if fires {
            return Ok(Some(candidate.fire(command, isasync)));
        }
    }
    Ok(None)
}

/// An armed fault that matches a call.
struct Candidate {
    id: String,
    action: String,
    target: String,
    code: Option<i64>,
    cs_code: Option<i64>,
    text: Option<String>,
    delay_ms: i64,
    probability: f64,
}

impl Candidate {
    fn fire(self, command: &str, isasync: bool) -> Fired {
        let wait = Duration::from_millis(u64::try_from(self.delay_ms).unwrap_or(0));
        let action = match self.action.as_str() {
            "hang" => Action::Hang(wait),
            "delay" => Action::Delay(wait),
            _ => {
                let code = u16::try_from(self.code.unwrap_or(530)).unwrap_or(530);
                let cs_code = self
                    .cs_code
                    .and_then(|c| u32::try_from(c).ok())
                    .map(CsErrorCode::from_u32)
                    .unwrap_or_else(|| default_cs_code(code));
                let text = self
                    .text
                    .unwrap_or_else(|| format!("Simulated failure of {command}"));
                Action::Fail(ApiError {
                    code: ErrorCode::from_u16(code),
                    cs_code: (code != 401).then_some(cs_code),
                    text,
                })
            }
        };
        Fired {
            action,
            on_job: isasync && self.target == "job",
        }
    }
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
