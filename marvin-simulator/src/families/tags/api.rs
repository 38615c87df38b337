//! What other families call: the `tags` array of a response, and the
//! `tags[i].key` / `tags[i].value` filter of list commands.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use crate::families::compute::api::owner;
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::render;
use crate::kernel::sql::{self, text};

const SELECT: &str = "SELECT t.key AS key, t.value AS value, t.resource_type AS resourcetype,
        t.resource_id AS resourceid, t.customer AS customer";

/// The tags of some resources of one type, by resource id (each list in
/// creation order).
pub(crate) fn tags_of(
    call: &Call<'_>,
    resource_type: &str,
    ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let (list, ids) = sql::id_list(ids);
    let mut args = vec![text(resource_type)];
    args.extend(ids);
    let rows = sql::objects(
        call.tx,
        &format!(
            "{SELECT}, {} FROM resource_tags t {}
             WHERE t.resource_type = ? AND t.resource_id IN ({list})
             ORDER BY t.seq",
            owner::COLUMNS,
            owner::join("t")
        ),
        &args,
    )?;
    for mut row in rows {
        row.remove("accountid");
        let id = row
            .get("resourceid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        out.entry(id).or_default().push(Value::Object(row));
    }
    Ok(out)
}

/// The tags of one resource.
pub(crate) fn tags_of_one(
    call: &Call<'_>,
    resource_type: &str,
    id: &str,
) -> Result<Vec<Value>, ApiError> {
    Ok(tags_of(call, resource_type, &[id.to_string()])?
        .remove(id)
        .unwrap_or_default())
}

/// Finishes the response rows of resources of `resource_type`: `each`
/// completes a row (it gets the row's id), then the row gets its `tags`.
pub(crate) fn with_tags(
    call: &Call<'_>,
    resource_type: &str,
    rows: Vec<render::Object>,
    mut each: impl FnMut(&str, &mut render::Object) -> Result<(), ApiError>,
) -> Result<Vec<Value>, ApiError> {
    let ids = sql::ids(&rows);
    let tags = tags_of(call, resource_type, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let id = sql::id_of(&row);
        each(&id, &mut row)?;
        row.insert(
            "tags".into(),
            // A resource listed once per zone (templates) has a row per zone.
            Value::Array(tags.get(&id).cloned().unwrap_or_default()),
        );
        out.push(Value::Object(row));
    }
    Ok(out)
}

/// The `tags[i].key` / `tags[i].value` filter of a list call over resources
/// of `resource_type` whose id is `id_column`: a condition every given tag
/// must match, with its arguments, or `None` when the call gives no tags.
///
/// ```ignore
/// if let Some((condition, args)) = tag_filter(call, "UserVm", "v.id") {
///     query.and(&condition, args);
/// }
/// ```
pub(crate) fn tag_filter(
    call: &Call<'_>,
    resource_type: &str,
    id_column: &str,
) -> Option<(String, Vec<SqlValue>)> {
    let tags = call.params.map("tags");
    if tags.is_empty() {
        return None;
    }
    let mut conditions = Vec::new();
    let mut args = Vec::new();
    for tag in tags {
        let key = tag.get("key").cloned();
        let value = tag.get("value").cloned();
        if key.is_none() && value.is_none() {
            continue;
        }
        let mut condition = format!(
            "{id_column} IN (SELECT resource_id FROM resource_tags WHERE resource_type = ? COLLATE NOCASE"
        );
        args.push(text(resource_type));
        if let Some(key) = key {
            condition.push_str(" AND key = ?");
            args.push(text(key));
        }
        if let Some(value) = value {
            condition.push_str(" AND value = ?");
            args.push(text(value));
        }
        condition.push(')');
        conditions.push(condition);
    }
    if conditions.is_empty() {
        return None;
    }
    Some((conditions.join(" AND "), args))
}

/// Removes the tags of a resource that is gone.
pub(crate) fn forget(call: &Call<'_>, resource_type: &str, id: &str) -> Result<(), ApiError> {
    call.tx
        .prepare_cached("DELETE FROM resource_tags WHERE resource_type = ?1 AND resource_id = ?2")?
        .execute([resource_type, id])?;
    Ok(())
}
