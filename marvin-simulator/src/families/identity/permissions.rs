//! Role permissions: the ordered allow/deny rules of a custom role
//! (`RoleManagerImpl` and `RolePermissionsDaoImpl`). The kernel checks
//! every call against them (`kernel::access`); the default roles carry none
//! and refuse them.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql::Query;

use super::roles::stored_role;

/// Copies a role's rules, in order, to another role (a cloned role).
pub(super) fn copy_rules(tx: &Transaction<'_>, from: &str, to: &str) -> Result<(), ApiError> {
    let rules: Vec<(String, String, Option<String>, i64)> = tx
        .prepare(
            "SELECT rule, permission, description, sort_order FROM role_permissions
             WHERE role_id = ?1 ORDER BY sort_order",
        )?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (rule, permission, description, order) in rules {
        tx.execute(
            "INSERT INTO role_permissions (id, role_id, rule, permission, description, sort_order)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![ids::new_id(), to, rule, permission, description, order],
        )?;
    }
    Ok(())
}

/// `Rule`'s validation: API names and `*` only.
fn check_rule(rule: &str) -> Result<(), ApiError> {
    if rule.is_empty() || !rule.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'*') {
        return Err(ApiError::param(format!(
            "Only API names and wildcards are allowed, invalid rule provided: {rule}"
        )));
    }
    Ok(())
}

/// `RoleManagerImpl.getRolePermission`: `allow` or `deny`, any case.
fn permission(value: &str) -> Result<&'static str, ApiError> {
    if value.eq_ignore_ascii_case("allow") {
        Ok("allow")
    } else if value.eq_ignore_ascii_case("deny") {
        Ok("deny")
    } else {
        Err(ApiError::param(
            "Values for permission parameter should be: allow or deny",
        ))
    }
}

fn permission_query() -> Query {
    Query::new(
        "SELECT p.id, p.role_id AS roleid, r.name AS rolename, p.rule, p.permission, p.description
         FROM role_permissions p JOIN roles r ON r.id = p.role_id",
    )
}

/// `createRolePermission`: a rule added at the end of a custom role's list.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let role_id = call.required("roleid")?.to_string();
    let rule = call.required("rule")?.to_string();
    check_rule(&rule)?;
    let permission = permission(call.required("permission")?)?;
    let (role, is_default) = stored_role(call, "roleid", &role_id)?;
    if is_default {
        return Err(ApiError::permission(
            "Role permission cannot be added for Default roles",
        ));
    }
    let taken: bool = call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM role_permissions WHERE role_id = ?1 AND rule = ?2)",
        params![role_id, rule],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::permission(format!(
            "Rule already exists for the role: {}",
            role.name
        )));
    }
    // `RolePermissionsDaoImpl.persist`: one past the last rule's order.
    let order: i64 = call.tx.query_row(
        "SELECT COALESCE(MAX(sort_order) + 1, 0) FROM role_permissions WHERE role_id = ?1",
        [&role_id],
        |r| r.get(0),
    )?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO role_permissions (id, role_id, rule, permission, description, sort_order)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            role_id,
            rule,
            permission,
            call.params.get("description"),
            order
        ],
    )?;
    event_log::completed(
        call,
        "ROLE.PERMISSION.CREATE",
        "creating Role Permission",
        Subject::of("Role", &role_id, &role.name),
    )?;
    let mut query = permission_query();
    query.eq("p.id", Some(&id));
    let row = query
        .all(call.tx)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("role permission vanished"))?;
    Ok(Reply::Object {
        key: "rolepermission",
        value: serde_json::Value::Object(row),
    })
}

/// `listRolePermissions`: one role's rules in order, or every role's.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = permission_query();
    if let Some(role_id) = call.params.str("roleid") {
        stored_role(call, "roleid", role_id)?;
        query.eq("p.role_id", Some(role_id));
    }
    query.order("r.rowid, p.sort_order");
    query.list_plain(call, "rolepermission")
}

/// `updateRolePermission`: either a new order of all the role's rules
/// (`ruleorder`), or a new permission for one rule (`ruleid` with
/// `permission`).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let role_id = call.required("roleid")?.to_string();
    let (role, is_default) = stored_role(call, "roleid", &role_id)?;
    let order = call
        .params
        .str("ruleorder")
        .map(|_| call.params.list("ruleorder"));
    let rule_id = call.params.str("ruleid").map(str::to_string);
    let new_permission = call.params.str("permission").map(permission).transpose()?;
    let exclusive = || {
        ApiError::param(
            "Parameters permission and ruleid must be mutually exclusive with ruleorder",
        )
    };
    let result = if let Some(order) = order {
        if rule_id.is_some() || new_permission.is_some() {
            return Err(exclusive());
        }
        for id in &order {
            let known: bool = call.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM role_permissions WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if !known {
                return Err(ApiError::invalid_id("ruleorder", id));
            }
        }
        if is_default {
            return Err(ApiError::permission(
                "Role permission cannot be updated for Default roles",
            ));
        }
        event_log::completed(
            call,
            "ROLE.PERMISSION.UPDATE",
            "updating Role Permission order",
            Subject::of("Role", &role_id, &role.name),
        )?;
        reorder(call.tx, &role_id, &order)?
    } else if let (Some(rule_id), Some(new_permission)) = (rule_id, new_permission) {
        let owner: Option<String> = call
            .tx
            .query_row(
                "SELECT role_id FROM role_permissions WHERE id = ?1",
                [&rule_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(owner) = owner else {
            return Err(ApiError::invalid_id("ruleid", &rule_id));
        };
        if is_default {
            return Err(ApiError::permission(
                "Role permission cannot be updated for Default roles",
            ));
        }
        // `RolePermissionsDaoImpl.update`: a rule of another role is left
        // alone, and the answer says so.
        owner == role_id
            && call.tx.execute(
                "UPDATE role_permissions SET permission = ?1 WHERE id = ?2",
                params![new_permission, rule_id],
            )? == 1
    } else {
        false
    };
    Ok(Reply::Bare(json!({ "success": result })))
}

/// `RolePermissionsDaoImpl.update(role, newOrder)`: the new order must name
/// exactly the role's rules, else the reorder is refused (530).
fn reorder(tx: &Transaction<'_>, role_id: &str, order: &[String]) -> Result<bool, ApiError> {
    if order.is_empty() {
        return Ok(false);
    }
    let changed = || {
        ApiError::internal(
            "The role's rule permissions list has changed while you were making updates, aborted \
             re-ordering of rules. Please try again.",
        )
    };
    let mut current: Vec<String> = tx
        .prepare("SELECT id FROM role_permissions WHERE role_id = ?1")?
        .query_map([role_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut given = order.to_vec();
    if given.len() != current.len() {
        return Err(changed());
    }
    current.sort();
    given.sort();
    given.dedup();
    if given != current {
        return Err(changed());
    }
    for (position, id) in order.iter().enumerate() {
        tx.execute(
            "UPDATE role_permissions SET sort_order = ?1 WHERE id = ?2",
            params![position as i64, id],
        )?;
    }
    Ok(true)
}

/// `deleteRolePermission`: removes one rule of a custom role.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let role_id: Option<String> = call
        .tx
        .query_row(
            "SELECT role_id FROM role_permissions WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(role_id) = role_id else {
        return Err(ApiError::invalid_id("id", &id));
    };
    let (role, is_default) = stored_role(call, "roleid", &role_id)?;
    if is_default {
        return Err(ApiError::permission(
            "Role permission cannot be deleted for Default roles",
        ));
    }
    call.tx
        .execute("DELETE FROM role_permissions WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "ROLE.PERMISSION.DELETE",
        "deleting Role Permission",
        Subject::of("Role", &role_id, &role.name),
    )?;
    Ok(Reply::Success(None))
}
