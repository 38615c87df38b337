//! Simulator-only admin APIs: fault injection, modelled on the Java
//! simulator's `configureSimulator` / `querySimulatorMock` /
//! `cleanupSimulatorMock`, but acting on API commands rather than agent
//! commands. `docs/simulator-faults.md` is the user documentation; the
//! engine's half (firing faults) is `crate::kernel::faults`.
//!
//! These APIs are not CloudStack's, so their precache entries are written by
//! hand in `apis.json` next to this file.

#[cfg(test)]
mod tests;

use rusqlite::OptionalExtension;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::faults::{CONFIGURE, FAULT_APIS};

/// The simulator family.
pub(crate) const FAMILY: Family = Family::new("simulator_faults", "", COMMANDS);

const COMMANDS: &[Command] = &[
    Command {
        name: CONFIGURE,
        roles: RoleSet::ADMIN,
        doc: "Simulator only: makes the next calls of an API (or a random share of them) fail with a chosen error, \
              hang, or take extra time, globally or for one zone.",
        run: configure,
    },
    Command {
        name: "listSimulatorFaults",
        roles: RoleSet::ADMIN,
        doc: "Simulator only: lists the injected faults with their remaining counts.",
        run: list,
    },
    Command {
        name: "deleteSimulatorFault",
        roles: RoleSet::ADMIN,
        doc: "Simulator only: removes an injected fault.",
        run: delete,
    },
];

/// The longest hang or delay a fault may ask for (10 minutes).
const MAX_WAIT_MS: i64 = 600_000;

fn configure(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let api = call.required("apiname")?;
    let registry = &call.served.registry;
    // The API to affect may be named in any case (unlike a command itself).
    let command = registry
        .commands()
        .into_iter()
        .find(|command| command.name.eq_ignore_ascii_case(api))
        .ok_or_else(|| ApiError::param(format!("Unknown API {api}: no fault can be set on it")))?;
    let lower = command.name.to_ascii_lowercase();
    if FAULT_APIS.contains(&lower.as_str()) {
        return Err(ApiError::param(format!(
            "Faults cannot be set on {}",
            command.name
        )));
    }
    let action = call.required("action")?.to_ascii_lowercase();
    if !["fail", "hang", "delay"].contains(&action.as_str()) {
        return Err(ApiError::param(format!(
            "Invalid action {action}: use fail, hang or delay"
        )));
    }
    let target = params
        .str("target")
        .unwrap_or("request")
        .to_ascii_lowercase();
    if !["request", "job"].contains(&target.as_str()) {
        return Err(ApiError::param(format!(
            "Invalid target {target}: use request or job"
        )));
    }
    let isasync = call
        .served
        .catalog
        .spec(command.name)
        .is_some_and(|s| s.isasync);
    if target == "job" && !isasync {
        return Err(ApiError::param(format!(
            "target=job needs an async API; {} is synchronous",
            command.name
        )));
    }
    let count = params.i64("count")?.unwrap_or(1);
    if count < 1 && count != -1 {
        return Err(ApiError::param(format!(
            "Invalid count {count}: use a positive number, or -1 for every call"
        )));
    }
    let probability = probability(params.str("probability"))?;
    let (error_code, cs_error_code, error_text, delay_ms) = match action.as_str() {
        "fail" => {
            let code = params.i64("errorcode")?.unwrap_or(530);
            if !(400..=599).contains(&code) {
                return Err(ApiError::param(format!(
                    "Invalid errorcode {code}: use an HTTP error code from 400 to 599"
                )));
            }
            let cs = match params.i64("cserrorcode")? {
                Some(cs) => Some(cs),
                None if code == 401 => None,
                None => Some(i64::from(
                    crate::kernel::faults::default_cs_code(u16::try_from(code).unwrap_or(530))
                        .as_u32(),
                )),
            };
            let text = params.str("errortext").map_or_else(
                || format!("Simulated failure of {}", command.name),
                String::from,
            );
            (Some(code), cs, Some(text), 0)
        }
        "hang" => (None, None, None, wait(params.i64("delay")?, 60_000)?),
        _ => (None, None, None, wait(params.i64("delay")?, 1_000)?),
    };
    let id = uuid::Uuid::new_v4().to_string();
    call.tx.execute(
        "INSERT INTO simulator_faults (id, api_name, api_display, action, target, remaining, error_code, cs_error_code,
                                       error_text, delay_ms, zone_id, created, probability)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        rusqlite::params![
            id,
            lower,
            command.name,
            action,
            target,
            count,
            error_code,
            cs_error_code,
            error_text,
            delay_ms,
            params.str("zoneid"),
            call.timestamp(),
            probability
        ],
    )?;
    let fault = fetch(call, &id)?.ok_or_else(|| ApiError::internal("the new fault vanished"))?;
    Ok(Reply::Object {
        key: "simulatorfault",
        value: fault,
    })
}

/// The `probability` parameter: above 0 and at most 1 (default 1).
fn probability(given: Option<&str>) -> Result<f64, ApiError> {
    let Some(text) = given else {
        return Ok(1.0);
    };
    match text.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
        _ => Err(ApiError::param(format!(
            "Invalid probability {text}: use a number above 0 and at most 1"
        ))),
    }
}

fn wait(given: Option<i64>, default: i64) -> Result<i64, ApiError> {
    let ms = given.unwrap_or(default);
    if !(0..=MAX_WAIT_MS).contains(&ms) {
        return Err(ApiError::param(format!(
            "Invalid delay {ms}: use 0 to {MAX_WAIT_MS} milliseconds"
        )));
    }
    Ok(ms)
}

const SELECT: &str = "SELECT id, api_display, action, target, remaining, fired, error_code, cs_error_code, error_text,
        delay_ms, zone_id, created, probability, matched FROM simulator_faults";

fn fetch(call: &Call<'_>, id: &str) -> Result<Option<Value>, ApiError> {
    Ok(call
        .tx
        .query_row(
            &format!("{SELECT} WHERE id = ?1 COLLATE NOCASE"),
            [id],
            to_json,
        )
        .optional()?)
}

fn to_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let mut fault = Map::new();
    let action: String = row.get(2)?;
    fault.insert("id".into(), row.get::<_, String>(0)?.into());
    fault.insert("apiname".into(), row.get::<_, String>(1)?.into());
    fault.insert("target".into(), row.get::<_, String>(3)?.into());
    fault.insert("count".into(), row.get::<_, i64>(4)?.into());
    fault.insert("fired".into(), row.get::<_, i64>(5)?.into());
    fault.insert("probability".into(), row.get::<_, f64>(12)?.into());
    fault.insert("matched".into(), row.get::<_, i64>(13)?.into());
    if let Some(code) = row.get::<_, Option<i64>>(6)? {
        fault.insert("errorcode".into(), code.into());
    }
    if let Some(code) = row.get::<_, Option<i64>>(7)? {
        fault.insert("cserrorcode".into(), code.into());
    }
    if let Some(text) = row.get::<_, Option<String>>(8)? {
        fault.insert("errortext".into(), text.into());
    }
    if action != "fail" {
        fault.insert("delay".into(), row.get::<_, i64>(9)?.into());
    }
    if let Some(zone) = row.get::<_, Option<String>>(10)? {
        fault.insert("zoneid".into(), zone.into());
    }
    fault.insert("created".into(), row.get::<_, String>(11)?.into());
    fault.insert("action".into(), action.into());
    Ok(Value::Object(fault))
}

fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut conditions = vec!["1 = 1".to_string()];
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(id) = call.params.str("id") {
        conditions.push("id = ? COLLATE NOCASE".into());
        args.push(id.to_string().into());
    }
    if let Some(api) = call.params.str("apiname") {
        conditions.push("api_name = ?".into());
        args.push(api.to_ascii_lowercase().into());
    }
    let filter = conditions.join(" AND ");
    let count: i64 = call
        .tx
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM simulator_faults WHERE {filter}"
        ))?
        .query_row(rusqlite::params_from_iter(args.iter()), |row| row.get(0))?;
    let page = call.page();
    let mut stmt = call.tx.prepare_cached(&format!(
        "{SELECT} WHERE {filter} ORDER BY seq{}",
        page.sql()
    ))?;
    let items = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), to_json)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::List {
        key: "simulatorfault",
        items,
        count: usize::try_from(count).unwrap_or(0),
    })
}

fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    let removed = call.tx.execute(
        "DELETE FROM simulator_faults WHERE id = ?1 COLLATE NOCASE",
        [id],
    )?;
    if removed == 0 {
        return Err(ApiError::invalid_id("id", id));
    }
    Ok(Reply::Success(None))
}
