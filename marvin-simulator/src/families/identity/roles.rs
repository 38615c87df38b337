//! Roles: the four defaults (Root Admin, Resource Admin, Domain Admin, User)
//! and roles created from a type or cloned from another role (with its
//! rules), updated and deleted.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::caller::Role;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;

use super::store::RoleRow;

/// `listRoles`: root admins see every role; others the public roles below
/// the admin type.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = super::store::role_query();
    if !call.caller.is_root_admin() {
        query.and("is_public = 1 AND role_type != 'Admin'", []);
    }
    query.eq("id", call.params.str("id"));
    query.eq_nocase("name", call.params.str("name"));
    query.eq_nocase("role_type", call.params.str("type"));
    query.eq_nocase("state", call.params.str("state"));
    query.keyword(&["name", "description"], call.params.str("keyword"));
    query.order("is_default DESC, rowid");
    query.list_plain(call, "role")
}

/// `createRole`: from a `type`, or as a copy of `roleid`'s type.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let role_type = match (call.params.str("type"), call.params.str("roleid")) {
        (None, None) => return Err(ApiError::param("Neither role type nor role ID is provided")),
        (Some(_), Some(_)) => {
            return Err(ApiError::param(
                "Both role type and role ID should not be specified",
            ));
        }
        (Some(kind), None) => Role::from_name(kind)
            .ok_or_else(|| ApiError::param("Invalid role type provided"))?
            .name()
            .to_string(),
        (None, Some(source)) => call
            .tx
            .query_row("SELECT role_type FROM roles WHERE id = ?1", [source], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .ok_or_else(|| ApiError::invalid_id("roleid", source))?,
    };
    let taken: Option<String> = call
        .tx
        .query_row("SELECT id FROM roles WHERE name = ?1", [&name], |r| {
            r.get(0)
        })
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::param(format!(
            "Role with name [{name}] already exists"
        )));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO roles (id, name, role_type, description, is_default, is_public) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
        params![
            id,
            name,
            role_type,
            call.params.get("description").unwrap_or_default(),
            call.params.flag("ispublic", true)
        ],
    )?;
    if let Some(source) = call.params.str("roleid") {
        // `RoleManagerImpl.createRole(name, role, ..)`: a clone takes the
        // source's rules, in their order.
        super::permissions::copy_rules(call.tx, source, &id)?;
    }
    event_log::completed(
        call,
        "ROLE.CREATE",
        "creating role",
        Subject::of("Role", &id, &name),
    )?;
    role_reply(call, &id)
}

/// `{"role": ..}` for a stored role.
fn role_reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    let mut query = super::store::role_query();
    query.eq("id", Some(id));
    let row = query
        .all(call.tx)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("role vanished"))?;
    Ok(Reply::Object {
        key: "role",
        value: Value::Object(row),
    })
}

/// A stored role named by a uuid parameter (the API layer's 431 when it
/// names none), with whether it is a default role.
pub(super) fn stored_role(
    call: &Call<'_>,
    param: &str,
    id: &str,
) -> Result<(RoleRow, bool), ApiError> {
    let role = super::store::role(call.tx, id)?.ok_or_else(|| ApiError::invalid_id(param, id))?;
    let is_default: bool =
        call.tx
            .query_row("SELECT is_default FROM roles WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
    Ok((role, is_default))
}

/// Whether an account (not removed) has the role (`AccountDao.findAccountsByRole`).
fn in_use(call: &Call<'_>, role_id: &str) -> Result<bool, ApiError> {
    Ok(call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE role_id = ?1)",
        [role_id],
        |r| r.get(0),
    )?)
}

/// `updateRole` (`RoleManagerImpl.updateRole`): a default role may only be
/// made public or private; a custom role's name, description and
/// visibility change, and its type only while no account has it.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (role, is_default) = stored_role(call, "id", &id)?;
    let name = call.params.str("name");
    let description = call.params.str("description");
    let public = call.params.bool("ispublic");
    let kind = call
        .params
        .str("type")
        .map(|kind| {
            Role::from_name(kind).ok_or_else(|| ApiError::param("Invalid role type provided"))
        })
        .transpose()?;
    if is_default {
        if public.is_none() || kind.is_some() || name.is_some() || description.is_some() {
            return Err(ApiError::permission(
                "Default roles cannot be updated (with the exception of making it private/public).",
            ));
        }
    } else if let Some(kind) = kind {
        if in_use(call, &id)? {
            return Err(ApiError::permission(
                "Found accounts that have role in use, won't allow to change role type",
            ));
        }
        call.tx.execute(
            "UPDATE roles SET role_type = ?1 WHERE id = ?2",
            params![kind.name(), id],
        )?;
    }
    if !is_default {
        if let Some(name) = name {
            let taken: bool = call.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM roles WHERE name = ?1 AND id != ?2)",
                params![name, id],
                |r| r.get(0),
            )?;
            if taken {
                return Err(ApiError::param(format!(
                    "Role with name [{name}] already exists"
                )));
            }
            call.tx.execute(
                "UPDATE roles SET name = ?1 WHERE id = ?2",
                params![name, id],
            )?;
        }
        if let Some(description) = description {
            call.tx.execute(
                "UPDATE roles SET description = ?1 WHERE id = ?2",
                params![description, id],
            )?;
        }
    }
    if let Some(public) = public {
        call.tx.execute(
            "UPDATE roles SET is_public = ?1 WHERE id = ?2",
            params![public, id],
        )?;
    }
    let shown = name
        .filter(|_| !is_default)
        .unwrap_or(&role.name)
        .to_string();
    event_log::completed(
        call,
        "ROLE.UPDATE",
        "updating Role",
        Subject::of("Role", &id, &shown),
    )?;
    role_reply(call, &id)
}

/// `deleteRole` (`RoleManagerImpl.deleteRole`): refused for the default
/// roles and for a role an account has; its rules go with it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (role, is_default) = stored_role(call, "id", &id)?;
    if is_default {
        return Err(ApiError::permission("Default roles cannot be deleted"));
    }
    if in_use(call, &id)? {
        return Err(ApiError::permission(
            "Found accounts that have role in use, won't allow to delete role",
        ));
    }
    call.tx
        .execute("DELETE FROM role_permissions WHERE role_id = ?1", [&id])?;
    call.tx.execute("DELETE FROM roles WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "ROLE.DELETE",
        "deleting Role",
        Subject::of("Role", &id, &role.name),
    )?;
    Ok(Reply::Success(None))
}

#[cfg(test)]
#[path = "roles_tests.rs"]
mod tests;
