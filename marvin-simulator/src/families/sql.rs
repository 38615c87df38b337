//! Small helpers the families share for SQL and for turning rows into
//! CloudStack-shaped JSON.
//!
//! Rows become JSON objects by column name: a query aliases each column to
//! the response field it fills (`SELECT z.name AS name ...`). Two suffixes on
//! an alias change how the value is rendered:
//!
//! - `flag?`: an INTEGER 0/1 rendered as a JSON boolean;
//! - `details{}`: a TEXT holding JSON, rendered as that JSON value.
//!
//! NULL columns are left out, as CloudStack leaves out null fields.

use rand::RngCore;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::family::{Call, Job, Reply};
use crate::scope::ListScope;

/// A JSON object built from a row.
pub(crate) type Object = Map<String, Value>;

/// A new uuid (v4) as text.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A random key like CloudStack's API and secret keys: 64 random bytes,
/// URL-safe base64 without padding (86 characters).
pub(crate) fn random_key() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Renders one row as an object, following the alias conventions above.
pub(crate) fn object(row: &Row<'_>, names: &[String]) -> rusqlite::Result<Object> {
    let mut out = Map::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let value = match row.get_ref(index)? {
            ValueRef::Null => continue,
            ValueRef::Integer(n) => {
                if let Some(field) = name.strip_suffix('?') {
                    out.insert(field.to_string(), Value::Bool(n != 0));
                    continue;
                }
                Value::from(n)
            }
            ValueRef::Real(f) => Value::from(f),
            ValueRef::Text(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                if let Some(field) = name.strip_suffix("{}") {
                    let parsed =
                        serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned()));
                    out.insert(field.to_string(), parsed);
                    continue;
                }
                if let Some(field) = name.strip_suffix('?') {
                    out.insert(
                        field.to_string(),
                        Value::Bool(text.eq_ignore_ascii_case("true") || text == "1"),
                    );
                    continue;
                }
                Value::String(text.into_owned())
            }
            ValueRef::Blob(_) => continue,
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// A row's `id` (empty when it has none).
pub(crate) fn id_of(row: &Object) -> String {
    row.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The `id` of each row that has one.
pub(crate) fn ids(rows: &[Object]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(String::from))
        .collect()
}

/// Runs a query and renders every row as an object.
pub(crate) fn objects(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[SqlValue],
) -> Result<Vec<Object>, ApiError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let rows = stmt.query_map(params_from_iter(args.iter()), |row| object(row, &names))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Runs a query expected to match at most one row.
pub(crate) fn first(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[SqlValue],
) -> Result<Option<Object>, ApiError> {
    Ok(objects(tx, sql, args)?.into_iter().next())
}

/// A text SQL argument.
pub(crate) fn text(value: impl Into<String>) -> SqlValue {
    SqlValue::Text(value.into())
}

/// Whether a row with this id exists in `table`.
pub(crate) fn exists(tx: &Transaction<'_>, table: &str, id: &str) -> Result<bool, ApiError> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    Ok(tx.query_row(&sql, [id], |_| Ok(())).optional()?.is_some())
}

/// Counts rows matching a condition with one argument.
pub(crate) fn count(tx: &Transaction<'_>, sql: &str, arg: &str) -> Result<i64, ApiError> {
    Ok(tx.query_row(sql, [arg], |row| row.get(0))?)
}

/// The account owning row `id` of an account-owned `table` (431 naming the
/// `id` parameter when there is no such row), once the caller is known to
/// be allowed to act on it.
pub(crate) fn checked_owner(call: &Call<'_>, table: &str, id: &str) -> Result<String, ApiError> {
    let sql = format!("SELECT account_id FROM {table} WHERE id = ?1");
    let owner: String = call
        .tx
        .query_row(&sql, [id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))?;
    crate::scope::check_access(call, &owner, id)?;
    Ok(owner)
}

/// Whether a table exists (used for optional links to later families).
pub(crate) fn table_exists(tx: &Transaction<'_>, table: &str) -> Result<bool, ApiError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A list query under construction: a `SELECT ... FROM ...` plus conditions.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    select: String,
    conditions: Vec<String>,
    args: Vec<SqlValue>,
    order: String,
}

impl Query {
    /// Starts from a `SELECT ... FROM ... [JOIN ...]` without `WHERE`.
    pub(crate) fn new(select: impl Into<String>) -> Self {
        Self {
            select: select.into(),
            conditions: Vec::new(),
            args: Vec::new(),
            order: String::new(),
        }
    }

    /// Adds a condition with `?` placeholders and their arguments.
    pub(crate) fn and(
        &mut self,
        condition: &str,
        args: impl IntoIterator<Item = SqlValue>,
    ) -> &mut Self {
        self.conditions.push(format!("({condition})"));
        self.args.extend(args);
        self
    }

    /// `column = value` when the value is given.
    pub(crate) fn eq(&mut self, column: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.and(&format!("{column} = ?"), [text(value)]);
        }
        self
    }

    /// `column = value` (case-insensitive) when the value is given.
    pub(crate) fn eq_nocase(&mut self, column: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.and(&format!("{column} = ? COLLATE NOCASE"), [text(value)]);
        }
        self
    }

    /// `column = 0/1` when the boolean parameter is given.
    pub(crate) fn flag(&mut self, column: &str, value: Option<bool>) -> &mut Self {
        if let Some(value) = value {
            self.and(
                &format!("{column} = ?"),
                [SqlValue::Integer(i64::from(value))],
            );
        }
        self
    }

    /// `column` is one of `values` (no row matches an empty list).
    pub(crate) fn any_of<S: AsRef<str>>(&mut self, column: &str, values: &[S]) -> &mut Self {
        let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
        let list = serde_json::to_string(&values).unwrap_or_else(|_| "[]".into());
        self.and(
            &format!("{column} IN (SELECT value FROM json_each(?))"),
            [text(list)],
        )
    }

    /// `column` is one of the values of a list parameter (`ids`), when the
    /// list is given.
    pub(crate) fn any_of_given(&mut self, column: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.any_of(column, values);
        }
        self
    }

    /// CloudStack's `keyword`: a substring of any of the columns.
    pub(crate) fn keyword(&mut self, columns: &[&str], keyword: Option<&str>) -> &mut Self {
        if let Some(keyword) = keyword {
            let pattern = format!("%{}%", escape_like(keyword));
            let condition = columns
                .iter()
                .map(|c| format!("{c} LIKE ? ESCAPE '\\'"))
                .collect::<Vec<_>>()
                .join(" OR ");
            self.and(&condition, columns.iter().map(|_| text(pattern.clone())));
        }
        self
    }

    /// Restricts to what the caller may see (`ListScope` over an owner column).
    pub(crate) fn scope(&mut self, scope: &ListScope, account_column: &str) -> &mut Self {
        let (condition, arg) = scope.condition(account_column);
        self.and(&condition, arg.map(SqlValue::Text));
        self
    }

    /// Sets `ORDER BY`.
    pub(crate) fn order(&mut self, order: &str) -> &mut Self {
        self.order = format!(" ORDER BY {order}");
        self
    }

    fn sql(&self) -> String {
        let mut sql = self.select.clone();
        if !self.conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conditions.join(" AND "));
        }
        sql
    }

    /// Every matching row.
    pub(crate) fn all(&self, tx: &Transaction<'_>) -> Result<Vec<Object>, ApiError> {
        objects(tx, &format!("{}{}", self.sql(), self.order), &self.args)
    }

    /// The first row whose `column` is `id`, if there is one.
    pub(crate) fn find(
        mut self,
        tx: &Transaction<'_>,
        column: &str,
        id: &str,
    ) -> Result<Option<Object>, ApiError> {
        self.eq(column, Some(id));
        Ok(self.all(tx)?.into_iter().next())
    }

    /// The row whose `column` is `id`, or 431 naming the `id` parameter.
    pub(crate) fn one(
        self,
        tx: &Transaction<'_>,
        column: &str,
        id: &str,
    ) -> Result<Object, ApiError> {
        self.find(tx, column, id)?
            .ok_or_else(|| ApiError::invalid_id("id", id))
    }

    /// The total count and the rows of the caller's page.
    pub(crate) fn page(&self, call: &Call<'_>) -> Result<(usize, Vec<Object>), ApiError> {
        let base = self.sql();
        let total: i64 = call
            .tx
            .prepare_cached(&format!("SELECT COUNT(*) FROM ({base})"))?
            .query_row(params_from_iter(self.args.iter()), |row| row.get(0))?;
        let page = call.page();
        let rows = objects(
            call.tx,
            &format!("{base}{}{}", self.order, page.sql()),
            &self.args,
        )?;
        Ok((usize::try_from(total).unwrap_or(0), rows))
    }

    /// A list reply of the caller's page, each row passed through `finish`.
    pub(crate) fn list(
        &self,
        call: &Call<'_>,
        key: &'static str,
        mut finish: impl FnMut(&Call<'_>, Object) -> Result<Value, ApiError>,
    ) -> Result<Reply, ApiError> {
        let (count, rows) = self.page(call)?;
        let items = rows
            .into_iter()
            .map(|row| finish(call, row))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reply::List { key, items, count })
    }
}

/// A list reply of items gathered and filtered in memory: `count` is
/// their total, the items only the caller's page.
pub(crate) fn page_of(call: &Call<'_>, key: &'static str, items: Vec<Value>) -> Reply {
    let count = items.len();
    let page = call.page();
    let items = items
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(0))
        .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
        .collect();
    Reply::List { key, items, count }
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Passes a row through unchanged (for [`Query::list`]).
pub(crate) fn plain(_: &Call<'_>, row: Object) -> Result<Value, ApiError> {
    Ok(Value::Object(row))
}

/// Records a Completed event whose description follows CloudStack's
/// "Successfully completed <action>" form.
pub(crate) fn completed(
    call: &Call<'_>,
    kind: &str,
    action: &str,
    subject: crate::family::Subject<'_>,
) -> Result<(), ApiError> {
    call.event(kind, &format!("Successfully completed {action}"), subject)
}

/// Records a `Created` event for the create phase of a create-style async
/// command ("Successfully created entity for <description>").
pub(crate) fn created_event(
    call: &Call<'_>,
    kind: &str,
    description: &str,
    subject: crate::family::Subject<'_>,
) -> Result<(), ApiError> {
    crate::families::events::insert(
        call,
        kind,
        "INFO",
        "Created",
        &format!("Successfully created entity for {description}"),
        subject,
        None,
    )
    .map(drop)
}

/// The state names CloudStack uses for `allocationstate`.
pub(crate) fn allocation_state(value: &str) -> Result<&'static str, ApiError> {
    match value {
        v if v.eq_ignore_ascii_case("Enabled") => Ok("Enabled"),
        v if v.eq_ignore_ascii_case("Disabled") => Ok("Disabled"),
        other => Err(ApiError::param(format!(
            "Unable to resolve Allocation State '{other}' to a supported state"
        ))),
    }
}

/// The job of a create-style async command: it answers `key` with
/// `render(call, id)`.
pub(crate) fn object_job(
    instance_type: &'static str,
    id: &str,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    answer_job(instance_type, id, None, key, render)
}

/// The job of a create-style async command whose row waits in its first
/// state: it moves row `id` of `table` to `state`, then answers `key` with
/// `render(call, id)`.
pub(crate) fn settle_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    state: &'static str,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    answer_job(instance_type, id, Some((table, state)), key, render)
}

fn answer_job(
    instance_type: &'static str,
    id: &str,
    settle: Option<(&'static str, &'static str)>,
    key: &'static str,
    render: impl FnOnce(&Call<'_>, &str) -> Result<Value, ApiError> + Send + 'static,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        instance_type,
        id,
        Box::new(move |call: &mut Call<'_>| {
            if let Some((table, state)) = settle {
                call.tx.execute(
                    &format!("UPDATE {table} SET state = ?2 WHERE id = ?1"),
                    params![job_id, state],
                )?;
            }
            Ok(Reply::Object {
                key,
                value: render(call, &job_id)?,
            })
        }),
    )
}

/// The job of an async delete: it removes row `id` of `table`.
pub(crate) fn delete_job(instance_type: &'static str, table: &'static str, id: &str) -> Job {
    removal_job(instance_type, table, id, None)
}

/// The job of an async delete refused while something uses the row: it
/// fails with `refusal(id)` when `in_use` (a `SELECT COUNT(*)` over `?1`,
/// the id) counts anything, else removes row `id` of `table`.
pub(crate) fn delete_unused_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    in_use: &'static str,
    refusal: fn(&str) -> ApiError,
) -> Job {
    removal_job(instance_type, table, id, Some((in_use, refusal)))
}

/// What refuses a delete: a `SELECT COUNT(*)` over the id, and the error
/// when it counts anything.
type InUse = (&'static str, fn(&str) -> ApiError);

fn removal_job(
    instance_type: &'static str,
    table: &'static str,
    id: &str,
    guard: Option<InUse>,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        instance_type,
        id,
        Box::new(move |call: &mut Call<'_>| {
            if let Some((in_use, refusal)) = guard {
                if count(call.tx, in_use, &job_id)? > 0 {
                    return Err(refusal(&job_id));
                }
            }
            call.tx
                .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [&job_id])?;
            Ok(Reply::Success(None))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_render_flags_json_and_skip_nulls() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        let rows = objects(
            &tx,
            "SELECT 'a' AS name, 1 AS \"ready?\", '{\"k\":1}' AS \"details{}\", NULL AS gone, 5 AS size",
            &[],
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        let row = Value::Object(rows[0].clone());
        assert_eq!(
            row,
            serde_json::json!({"name": "a", "ready": true, "details": {"k": 1}, "size": 5})
        );
    }

    #[test]
    fn random_keys_are_long_and_distinct() {
        let (a, b) = (random_key(), random_key());
        assert_eq!(a.len(), 86);
        assert_ne!(a, b);
    }

    #[test]
    fn keyword_escapes_like_wildcards() {
        assert_eq!(escape_like("50%_a"), "50\\%\\_a");
    }
}
