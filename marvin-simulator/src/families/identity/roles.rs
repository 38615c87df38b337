//! Roles: the four defaults (Root Admin, Resource Admin, Domain Admin, User)
//! and roles created from a type or cloned from another role.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::caller::Role;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;

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
    event_log::completed(
        call,
        "ROLE.CREATE",
        "creating role",
        Subject::of("Role", &id, &name),
    )?;
    let mut query = super::store::role_query();
    query.eq("id", Some(&id));
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
