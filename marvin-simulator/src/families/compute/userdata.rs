//! Registered user data (`registerUserData`, `deleteUserData`,
//! `listUserData`), usable by VMs through `userdataid`.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query};

use super::owner::{self, Owner};

/// A user data id the owner may use (its own), or 431.
pub(crate) fn usable(call: &Call<'_>, id: &str, owner: &Owner) -> Result<String, ApiError> {
    let account: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM user_data WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    match account {
        Some(account) if account == owner.id => Ok(id.to_string()),
        Some(_) => Err(ApiError::permission(format!(
            "Account '{}' does not have permission to operate with resource {id}",
            call.caller.account_name
        ))),
        None => Err(ApiError::invalid_id("userdataid", id)),
    }
}

/// `registerUserData`.
pub(crate) fn register(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let data = call.required("userdata")?.to_string();
    let owner = owner::resolve(call)?;
    insert(call, &owner, &name, &data, false)?;
    Ok(Reply::Success(None))
}

/// Stores user data (or, with `for_cks`, a CNI configuration, which
/// CloudStack keeps in the same table) for `owner` and gives its id: the
/// data must be base64 and the name new to the owner
/// (`UserDataManager.validateUserData`).
pub(crate) fn insert(
    call: &Call<'_>,
    owner: &Owner,
    name: &str,
    data: &str,
    for_cks: bool,
) -> Result<String, ApiError> {
    super::deploy::check_user_data(data)?;
    let taken: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM user_data WHERE account_id = ?1 AND name = ?2",
            [&owner.id, name],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::param(format!(
            "A userdata with name {name} already exists for this account."
        )));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO user_data (id, name, account_id, domain_id, user_data, params, created, for_cks)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            name,
            owner.id,
            owner.domain_id,
            data.trim(),
            call.params.str("params"),
            call.timestamp(),
            for_cks
        ],
    )?;
    Ok(id)
}

/// `deleteUserData`: refused while VMs use it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let found: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT account_id, name FROM user_data WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (account, name) = found.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &account, &id)?;
    // ManagementServerImpl.deleteUserData: not while a template links it.
    let linked = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM templates_templates WHERE userdata_id = ?1 AND removed IS NULL",
        &id,
    )?;
    if linked > 0 {
        return Err(ApiError::internal(format!(
            "Userdata {name} cannot be removed as it is linked to active template/templates"
        )));
    }
    let users = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM vms WHERE user_data_id = ?1",
        &id,
    )?;
    if users > 0 {
        return Err(ApiError::param(format!(
            "Userdata {id} is in use by {users} VM(s) and cannot be deleted"
        )));
    }
    call.tx
        .execute("DELETE FROM user_data WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `listUserData`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = Query::new(format!(
        "SELECT x.id AS id, x.name AS name, x.user_data AS userdata, x.params AS params, {},
                0 AS \"hasannotations?\"
         FROM user_data x {}",
        owner::COLUMNS,
        owner::join("x")
    ));
    // CNI configurations are listed by listCniConfiguration.
    q.and("x.for_cks = 0", []);
    owner::scope(call, &mut q, "x.account_id")?;
    q.eq("x.id", call.params.str("id"));
    q.eq("x.name", call.params.str("name"));
    q.keyword(&["x.name"], call.params.str("keyword"));
    q.order("x.name, x.rowid");
    q.list(call, "userdata", |_, row| Ok(Value::Object(row)))
}
