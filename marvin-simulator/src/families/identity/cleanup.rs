//! What happens to an account's resources when it is deleted or disabled.
//!
//! Deletion is discovered, not listed: every table with an `account_id`
//! column loses the account's rows, so the tables of later families are
//! covered without touching this file. A family whose rows must survive or
//! be released instead (events, public IPs) says so with a row in
//! `account_cleanup` from its own `schema.sql`.

use rusqlite::{OptionalExtension, Transaction};
use serde_json::Value;

use crate::kernel::error::ApiError;
use crate::kernel::sql;

/// Removes an account and everything it owns (rules first, then the
/// discovered tables in reverse creation order, then the account itself).
pub(crate) fn delete_account(tx: &Transaction<'_>, account_id: &str) -> Result<(), ApiError> {
    let rules = sql::objects(
        tx,
        "SELECT table_name, statement FROM account_cleanup WHERE event = 'delete' ORDER BY seq",
        &[],
    )?;
    let mut ruled: Vec<String> = Vec::new();
    for rule in &rules {
        if let Some(table) = rule.get("table_name").and_then(Value::as_str) {
            ruled.push(table.to_string());
        }
        if let Some(statement) = rule.get("statement").and_then(Value::as_str) {
            tx.execute(statement, [account_id])?;
        }
    }
    let tables = sql::objects(
        tx,
        "SELECT m.name AS name FROM sqlite_master m
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name != 'accounts'
           AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'account_id')
         ORDER BY m.rowid DESC",
        &[],
    )?;
    for table in tables
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
    {
        if ruled.iter().any(|r| r == table) {
            continue;
        }
        tx.execute(
            &format!("DELETE FROM \"{table}\" WHERE account_id = ?1"),
            [account_id],
        )?;
    }
    // The rule in schema.sql has already taken these counts off the
    // domains above the account.
    tx.execute(
        "DELETE FROM resource_counts WHERE owner_id = ?1",
        [account_id],
    )?;
    tx.execute(
        "DELETE FROM resource_limits WHERE owner_id = ?1",
        [account_id],
    )?;
    tx.execute(
        "DELETE FROM configuration_values WHERE scope = 'account' AND scope_id = ?1",
        [account_id],
    )?;
    tx.execute("DELETE FROM accounts WHERE id = ?1", [account_id])?;
    Ok(())
}

/// Why deleting an account through deleteAccount is refused, if it is: the
/// first text a `refuse` rule of `account_cleanup` answers (a family's
/// query over its own tables, given the account id). Domain clean-up does
/// not ask, as CloudStack's `cleanupDomain` does not.
pub(crate) fn deletion_refusal(
    tx: &Transaction<'_>,
    account_id: &str,
) -> Result<Option<String>, ApiError> {
    let rules = sql::objects(
        tx,
        "SELECT statement FROM account_cleanup WHERE event = 'refuse' AND statement IS NOT NULL ORDER BY seq",
        &[],
    )?;
    for statement in rules
        .iter()
        .filter_map(|r| r.get("statement").and_then(Value::as_str))
    {
        let text: Option<String> = tx
            .query_row(statement, [account_id], |r| r.get(0))
            .optional()?;
        if text.is_some() {
            return Ok(text);
        }
    }
    Ok(None)
}

/// Marks an account enabled or disabled (a project's account follows its
/// project: `ProjectManagerImpl.suspendProject` disables it,
/// `activateProject` enables it again).
pub(crate) fn set_account_enabled(
    tx: &Transaction<'_>,
    account_id: &str,
    enabled: bool,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE accounts SET state = ?2 WHERE id = ?1",
        rusqlite::params![account_id, if enabled { "enabled" } else { "disabled" }],
    )?;
    Ok(())
}

/// Runs the `disable` hooks (stop the account's VMs and routers).
pub(crate) fn disable_account(tx: &Transaction<'_>, account_id: &str) -> Result<(), ApiError> {
    let hooks = sql::objects(
        tx,
        "SELECT statement FROM account_cleanup WHERE event = 'disable' AND statement IS NOT NULL ORDER BY seq",
        &[],
    )?;
    for statement in hooks
        .iter()
        .filter_map(|h| h.get("statement").and_then(Value::as_str))
    {
        tx.execute(statement, [account_id])?;
    }
    Ok(())
}
