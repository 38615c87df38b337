//! Instance groups: named sets of an owner's VMs (`group` on deploy and
//! update).

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::render;
use crate::kernel::scope::check_access;
use crate::kernel::sql::Query;

use super::owner::{self, Owner};

fn by_name(call: &Call<'_>, account_id: &str, name: &str) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .prepare_cached("SELECT id FROM instance_groups WHERE account_id = ?1 AND name = ?2")?
        .query_row([account_id, name], |r| r.get(0))
        .optional()?)
}

fn insert(call: &Call<'_>, owner: &Owner, name: &str) -> Result<String, ApiError> {
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO instance_groups (id, name, account_id, domain_id, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, owner.id, owner.domain_id, call.timestamp()],
    )?;
    Ok(id)
}

/// The owner's group of that name, created when missing.
pub(crate) fn find_or_create(
    call: &Call<'_>,
    owner: &Owner,
    name: &str,
) -> Result<String, ApiError> {
    match by_name(call, &owner.id, name)? {
        Some(id) => Ok(id),
        None => insert(call, owner, name),
    }
}

fn query() -> Query {
    Query::new(format!(
        "SELECT g.id AS id, g.name AS name, g.created AS created, {}, 0 AS \"hasannotations?\"
         FROM instance_groups g {}",
        owner::COLUMNS,
        owner::join("g")
    ))
}

fn clean(mut row: render::Object) -> Value {
    row.remove("accountid");
    Value::Object(row)
}

fn group_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let mut q = query();
    q.eq("g.id", Some(id));
    Ok(clean(
        q.all(call.tx)?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::invalid_id("id", id))?,
    ))
}

fn operable(call: &Call<'_>) -> Result<(String, String), ApiError> {
    let id = call.required("id")?;
    let account: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM instance_groups WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let account = account.ok_or_else(|| ApiError::invalid_id("id", id))?;
    check_access(call, &account, id)?;
    Ok((id.to_string(), account))
}

/// `createInstanceGroup`.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let owner = owner::resolve(call)?;
    if by_name(call, &owner.id, &name)?.is_some() {
        return Err(ApiError::param(format!(
            "Unable to create vm group, a group with name {name} already exists for account {}",
            owner.seq
        )));
    }
    let id = insert(call, &owner, &name)?;
    Ok(Reply::Object {
        key: "instancegroup",
        value: group_json(call, &id)?,
    })
}

/// `updateInstanceGroup`: renames a group.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let (id, account) = operable(call)?;
    if let Some(name) = call.params.str("name") {
        if by_name(call, &account, name)?.is_some_and(|other| other != id) {
            let seq: i64 =
                call.tx
                    .query_row("SELECT seq FROM identity_accounts WHERE id = ?1", [&account], |r| {
                        r.get(0)
                    })?;
            return Err(ApiError::param(format!(
                "Unable to update vm group, a group with name {name} already exists for account {seq}"
            )));
        }
        call.tx.execute(
            "UPDATE instance_groups SET name = ?2 WHERE id = ?1",
            [&id, name],
        )?;
    }
    Ok(Reply::Object {
        key: "instancegroup",
        value: group_json(call, &id)?,
    })
}

/// `deleteInstanceGroup`: its VMs leave the group.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let (id, _) = operable(call)?;
    call.tx
        .execute("UPDATE vms SET group_id = NULL WHERE group_id = ?1", [&id])?;
    call.tx
        .execute("DELETE FROM instance_groups WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `listInstanceGroups`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = query();
    owner::scope(call, &mut q, "g.account_id")?;
    q.eq("g.id", call.params.str("id"));
    q.eq("g.name", call.params.str("name"));
    q.keyword(&["g.name"], call.params.str("keyword"));
    q.order("g.name, g.rowid");
    q.list(call, "instancegroup", |_, row| Ok(clean(row)))
}
