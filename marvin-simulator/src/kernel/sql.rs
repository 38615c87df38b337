//! The store: the query builder and the helpers the families share to read
//! and write their tables. Rows come back rendered as CloudStack JSON by
//! [`crate::kernel::render`] (as objects, or straight as text).

use rusqlite::types::Value as SqlValue;
use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, Transaction, params_from_iter};
use serde_json::Value;

use crate::kernel::contract::{Call, Rendered, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::render::{Columns, Extras, Object};
use crate::kernel::scope::ListScope;

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
    let columns = Columns::of(&stmt, sql);
    let rows = stmt.query_map(params_from_iter(args.iter()), |row| columns.object(row))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Runs a query and writes every row as JSON text (see [`Columns::write`];
/// `extra` gives each row's extra fields).
pub(crate) fn rendered(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[SqlValue],
    skip: &[&str],
    mut extra: impl FnMut(&Columns, &Row<'_>, &mut Extras) -> Result<(), ApiError>,
) -> Result<Rendered, ApiError> {
    Ok(rendered_by(tx, sql, args, skip, |columns, row, fields| {
        extra(columns, row, fields)
    })?
    .remove(&())
    .unwrap_or_default())
}

/// Runs a query and writes every row as JSON text, in groups: `each` sets
/// a row's extra fields and names its group.
pub(crate) fn rendered_by<K: Eq + std::hash::Hash>(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[SqlValue],
    skip: &[&str],
    mut each: impl FnMut(&Columns, &Row<'_>, &mut Extras) -> Result<K, ApiError>,
) -> Result<HashMap<K, Rendered>, ApiError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let columns = Columns::of(&stmt, sql);
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut groups: HashMap<K, Rendered> = HashMap::new();
    let mut fields = Vec::new();
    while let Some(row) = rows.next()? {
        fields.clear();
        let group = each(&columns, row, &mut fields)?;
        groups
            .entry(group)
            .or_default()
            .push(|out| columns.write(row, out, skip, &mut fields))?;
    }
    Ok(groups)
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
    crate::kernel::scope::check_access(call, &owner, id)?;
    Ok(owner)
}

/// Whether a table, or a view a family publishes, exists (used for
/// optional links to later families).
pub(crate) fn table_exists(tx: &Transaction<'_>, table: &str) -> Result<bool, ApiError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1",
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
    /// The condition added by [`Query::exclude`]: its index in
    /// `conditions`, the column and the subquery.
    exclusion: Option<(usize, String, &'static str)>,
    /// What counting selects from, when not `select` (see
    /// [`Query::count_over`]).
    count_select: Option<String>,
}

impl Query {
    /// Starts from a `SELECT ... FROM ... [JOIN ...]` without `WHERE`.
    pub(crate) fn new(select: impl Into<String>) -> Self {
        Self {
            select: select.into(),
            conditions: Vec::new(),
            args: Vec::new(),
            order: String::new(),
            exclusion: None,
            count_select: None,
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

    /// `column = value` when the value is given. A name column (see
    /// [`is_name_column`]) compares without case, as every list's `name=`
    /// does in CloudStack, whose tables use a case-insensitive collation
    /// (`utf8_general_ci`): `name=SANDBOX` finds `Sandbox`, so a tool that
    /// looks a name up before creating it does not make a duplicate.
    pub(crate) fn eq(&mut self, column: &str, value: Option<&str>) -> &mut Self {
        if is_name_column(column) {
            return self.eq_nocase(column, value);
        }
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

    /// `column` is one of `ids` (text), written as [`id_list`] writes it.
    pub(crate) fn one_of(&mut self, column: &str, ids: &[String]) -> &mut Self {
        let (list, args) = id_list(ids);
        self.and(&format!("{column} IN ({list})"), args)
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
        // "Everything" is no condition at all (which lets SQLite count a
        // table without reading its rows).
        if arg.is_some() || condition != "1 = 1" {
            self.and(&condition, arg.map(SqlValue::Text));
        }
        self
    }

    /// `column NOT IN (subquery)`, for a `column` that is never NULL and a
    /// `subquery` (without parameters) that never yields NULL. Rows are
    /// filtered as by [`Query::and`]; [`Query::page`] counts the matches as
    /// the count without this condition minus the count of `column IN
    /// (subquery)`, which SQLite answers from indexes instead of testing
    /// every row (the same number under those two promises). The first
    /// exclusion of a query is counted that way, later ones as conditions.
    pub(crate) fn exclude(&mut self, column: &str, subquery: &'static str) -> &mut Self {
        if self.exclusion.is_none() {
            self.exclusion = Some((self.conditions.len(), column.to_string(), subquery));
        }
        self.and(&format!("{column} NOT IN ({subquery})"), [])
    }

    /// Counts the matches over `select` (a `SELECT ... FROM` of the main
    /// table alone) instead of the query's own `SELECT ... FROM ... JOIN`:
    /// the same number when the joins neither add nor drop rows (inner
    /// joins along non-null foreign keys) and the conditions name only the
    /// main table, and SQLite then counts without walking the joins.
    pub(crate) fn count_over(&mut self, select: impl Into<String>) -> &mut Self {
        self.count_select = Some(select.into());
        self
    }

    /// Sets `ORDER BY`.
    pub(crate) fn order(&mut self, order: &str) -> &mut Self {
        self.order = format!(" ORDER BY {order}");
        self
    }

    fn sql(&self) -> String {
        self.sql_from(&self.select)
    }

    /// `select` with the query's conditions.
    fn sql_from(&self, select: &str) -> String {
        let mut sql = select.to_string();
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

    /// Every matching row written as JSON text, in groups (see
    /// [`rendered_by`]).
    pub(crate) fn render_by<K: Eq + std::hash::Hash>(
        &self,
        tx: &Transaction<'_>,
        skip: &[&str],
        each: impl FnMut(&Columns, &Row<'_>, &mut Extras) -> Result<K, ApiError>,
    ) -> Result<HashMap<K, Rendered>, ApiError> {
        rendered_by(
            tx,
            &format!("{}{}", self.sql(), self.order),
            &self.args,
            skip,
            each,
        )
    }

    /// Every matching row written as JSON text (see [`rendered`]).
    pub(crate) fn render(
        &self,
        tx: &Transaction<'_>,
        skip: &[&str],
        extra: impl FnMut(&Columns, &Row<'_>, &mut Extras) -> Result<(), ApiError>,
    ) -> Result<Rendered, ApiError> {
        rendered(
            tx,
            &format!("{}{}", self.sql(), self.order),
            &self.args,
            skip,
            extra,
        )
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

    /// The total count and the rows of the caller's page (the count is only
    /// asked of SQLite when the page does not tell it).
    pub(crate) fn page(&self, call: &Call<'_>) -> Result<(usize, Vec<Object>), ApiError> {
        let base = self.sql();
        let page = call.page();
        let rows = objects(
            call.tx,
            &format!("{base}{}{}", self.order, page.sql()),
            &self.args,
        )?;
        let total = self.total(call.tx, &base, page, rows.len())?;
        Ok((total, rows))
    }

    /// The total count and the text of the first column (an id) of each
    /// row of the caller's page: [`Query::page`] without objects.
    pub(crate) fn page_ids(&self, call: &Call<'_>) -> Result<(usize, Vec<String>), ApiError> {
        let base = self.sql();
        let page = call.page();
        let mut stmt = call
            .tx
            .prepare_cached(&format!("{base}{}{}", self.order, page.sql()))?;
        let mut rows = stmt.query(params_from_iter(self.args.iter()))?;
        let (mut ids, mut shown) = (Vec::new(), 0);
        while let Some(row) = rows.next()? {
            shown += 1;
            if let Ok(id) = row.get_ref(0)?.as_str() {
                ids.push(id.to_string());
            }
        }
        let total = self.total(call.tx, &base, page, shown)?;
        Ok((total, ids))
    }

    /// [`Query::list`] of rows passed through unchanged, written straight
    /// to JSON text.
    pub(crate) fn list_plain(&self, call: &Call<'_>, key: &'static str) -> Result<Reply, ApiError> {
        let base = self.sql();
        let page = call.page();
        let items = rendered(
            call.tx,
            &format!("{base}{}{}", self.order, page.sql()),
            &self.args,
            &[],
            |_, _, _| Ok(()),
        )?;
        let count = self.total(call.tx, &base, page, items.len())?;
        Ok(Reply::Rendered { key, items, count })
    }

    /// How many rows match, knowing that `page` showed `shown` of them: a
    /// page that holds fewer rows than it may is the last one, and then
    /// SQLite need not count.
    fn total(
        &self,
        tx: &Transaction<'_>,
        base: &str,
        page: crate::kernel::contract::Page,
        shown: usize,
    ) -> Result<usize, ApiError> {
        let shown = i64::try_from(shown).unwrap_or(i64::MAX);
        let total = if shown < page.limit && (shown > 0 || page.offset == 0) {
            page.offset.saturating_add(shown)
        } else {
            self.count(tx, base)?
        };
        Ok(usize::try_from(total).unwrap_or(0))
    }

    /// How many rows match (`base` is [`Query::sql`]).
    fn count(&self, tx: &Transaction<'_>, base: &str) -> Result<i64, ApiError> {
        let counted;
        let (select, base) = match &self.count_select {
            Some(select) => {
                counted = self.sql_from(select);
                (select.as_str(), counted.as_str())
            }
            None => (self.select.as_str(), base),
        };
        let Some((at, column, subquery)) = &self.exclusion else {
            return Ok(tx
                .prepare_cached(&format!("SELECT COUNT(*) FROM ({base})"))?
                .query_row(params_from_iter(self.args.iter()), |row| row.get(0))?);
        };
        let others: Vec<&str> = self
            .conditions
            .iter()
            .enumerate()
            .filter(|(index, _)| index != at)
            .map(|(_, condition)| condition.as_str())
            .collect();
        let mut without = select.to_string();
        if !others.is_empty() {
            without.push_str(" WHERE ");
            without.push_str(&others.join(" AND "));
        }
        let joiner = if others.is_empty() {
            " WHERE "
        } else {
            " AND "
        };
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM ({without})) - \
             (SELECT COUNT(*) FROM ({without}{joiner}({column} IN ({subquery}))))"
        );
        // The exclusion has no parameters: the others' come twice.
        Ok(tx.prepare_cached(&sql)?.query_row(
            params_from_iter(self.args.iter().chain(self.args.iter())),
            |row| row.get(0),
        )?)
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

/// Whether a column holds a name (its last segment ends in `name`:
/// `name`, `t.name`, `u.username`, `s.display_name`), which lists compare
/// without case ([`Query::eq`]).
pub(crate) fn is_name_column(column: &str) -> bool {
    column
        .rsplit('.')
        .next()
        .is_some_and(|last| last.ends_with("name"))
}

/// How many ids [`id_list`] binds one by one.
const BOUND_IDS: usize = 100;

/// The inside of an `IN (...)` over text ids, with its arguments: `?, ?, ..`
/// bound one by one (cheaper for SQLite than a JSON array read through
/// `json_each`, which longer lists still use).
pub(crate) fn id_list(ids: &[String]) -> (String, Vec<SqlValue>) {
    if ids.len() > BOUND_IDS {
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        return ("SELECT value FROM json_each(?)".into(), vec![text(list)]);
    }
    let mut marks = String::with_capacity(ids.len() * 3);
    for index in 0..ids.len() {
        marks.push_str(if index == 0 { "?" } else { ", ?" });
    }
    (marks, ids.iter().map(|id| text(id.as_str())).collect())
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
///
/// A NUL is escaped too, and that makes the pattern match nothing: MySQL's
/// `LIKE` compares a NUL like any character (a keyword with one finds only
/// values that contain one, normally none), but SQLite's stops reading the
/// pattern at a NUL, so `%<NUL>%` would be `%` and match everything. An
/// escape with nothing after it (what SQLite sees of `\<NUL>`) never
/// matches. Values that do contain a NUL are not found either: SQLite's
/// `LIKE` cannot see past it.
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .replace('\0', "\\\0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::contract::Page;
    use rusqlite::params;

    #[test]
    fn id_lists_match_bound_or_as_json() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id TEXT NOT NULL)")
            .unwrap();
        let ids: Vec<String> = (0..700).map(|n| format!("id-{n}")).collect();
        for id in &ids {
            conn.execute("INSERT INTO t VALUES (?1)", [id]).unwrap();
        }
        for n in [0, 1, 3, BOUND_IDS, BOUND_IDS + 1, 700] {
            let (list, args) = id_list(&ids[..n]);
            assert_eq!(list.contains("json_each"), n > BOUND_IDS);
            let found: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM t WHERE id IN ({list})"),
                    params_from_iter(args.iter()),
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(found, i64::try_from(n).unwrap(), "{n}");
        }
    }

    #[test]
    fn totals_come_from_the_page_unless_it_is_full_or_past_the_end() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (id TEXT NOT NULL, account_type INTEGER NOT NULL);
             CREATE TABLE things (id TEXT NOT NULL, account_id TEXT NOT NULL, n INTEGER NOT NULL);
             INSERT INTO accounts VALUES ('a', 0), ('p', 5), ('q', 5);",
        )
        .unwrap();
        for n in 0..40 {
            let owner = ["a", "p", "q", "a", "a"][n % 5];
            conn.execute(
                "INSERT INTO things VALUES (?1, ?2, ?3)",
                params![format!("t{n}"), owner, i64::try_from(n).unwrap()],
            )
            .unwrap();
        }
        let tx = conn.transaction().unwrap();
        let direct = |query: &Query| -> usize {
            let total: i64 = tx
                .query_row(
                    &format!("SELECT COUNT(*) FROM ({})", query.sql()),
                    params_from_iter(query.args.iter()),
                    |row| row.get(0),
                )
                .unwrap();
            usize::try_from(total).unwrap()
        };
        let mut queries = Vec::new();
        let mut plain = Query::new("SELECT t.id AS id FROM things t");
        queries.push(plain.clone());
        plain.and("t.n >= ?", [SqlValue::Integer(10)]);
        queries.push(plain);
        for condition in [None, Some(7), Some(100)] {
            let mut excluded = Query::new("SELECT t.id AS id FROM things t");
            if let Some(from) = condition {
                excluded.and("t.n >= ?", [SqlValue::Integer(from)]);
            }
            excluded.exclude(
                "t.account_id",
                "SELECT id FROM accounts WHERE account_type = 5",
            );
            queries.push(excluded);
        }
        // Joined along a non-null owner that always exists: counted over
        // the main table alone, with and without conditions and exclusion.
        let joined = "SELECT t.id AS id, a.account_type AS kind FROM things t JOIN accounts a ON a.id = t.account_id";
        for condition in [None, Some(7)] {
            for exclusion in [false, true] {
                let mut query = Query::new(joined);
                query.count_over("SELECT t.id FROM things t");
                if let Some(from) = condition {
                    query.and("t.n >= ?", [SqlValue::Integer(from)]);
                }
                if exclusion {
                    query.exclude(
                        "t.account_id",
                        "SELECT id FROM accounts WHERE account_type = 5",
                    );
                }
                queries.push(query);
            }
        }
        for query in &queries {
            let want = direct(query);
            assert_eq!(
                query.count(&tx, &query.sql()).unwrap(),
                i64::try_from(want).unwrap()
            );
            for (limit, offset) in [(500, 0), (5, 0), (5, 5), (7, 21), (5, 200), (i64::MAX, 0)] {
                let page = Page { limit, offset };
                let shown: i64 = tx
                    .query_row(
                        &format!("SELECT COUNT(*) FROM ({}{})", query.sql(), page.sql()),
                        params_from_iter(query.args.iter()),
                        |row| row.get(0),
                    )
                    .unwrap();
                let shown = usize::try_from(shown).unwrap();
                assert_eq!(
                    query.total(&tx, &query.sql(), page, shown).unwrap(),
                    want,
                    "{} {page:?}",
                    query.sql()
                );
            }
        }
    }

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

    /// Name filters ignore case (CloudStack's collation); other columns
    /// (ids, states given exactly) do not.
    #[test]
    fn name_columns_compare_without_case() {
        assert!(is_name_column("z.name") && is_name_column("name"));
        assert!(is_name_column("u.username") && is_name_column("s.display_name"));
        assert!(!is_name_column("z.id") && !is_name_column("n.name_id"));
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE z (id TEXT, name TEXT); INSERT INTO z VALUES ('Ab', 'Sandbox');",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let found = |column: &str, value: &str| {
            let mut query = Query::new("SELECT z.id AS id FROM z");
            query.eq(column, Some(value));
            query.all(&tx).unwrap().len()
        };
        assert_eq!(found("z.name", "SANDBOX"), 1);
        assert_eq!(found("z.name", "sandbox"), 1);
        assert_eq!(found("z.name", "sandbo"), 0);
        assert_eq!(found("z.id", "ab"), 0);
        assert_eq!(found("z.id", "Ab"), 1);
    }

    #[test]
    fn keyword_escapes_like_wildcards() {
        assert_eq!(escape_like("50%_a"), "50\\%\\_a");
    }

    /// MySQL's `LIKE '%<NUL>%'` finds only values containing a NUL; SQLite
    /// would read `%` and find everything.
    #[test]
    fn a_nul_in_a_pattern_matches_nothing() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('alpha'), (''), ('a_b%c');",
        )
        .unwrap();
        let count = |keyword: &str| -> i64 {
            conn.query_row(
                "SELECT COUNT(*) FROM t WHERE name LIKE ? ESCAPE '\\'",
                [format!("%{}%", escape_like(keyword))],
                |row| row.get(0),
            )
            .unwrap()
        };
        for nul in ["\0", "a\0", "\0a", "al\0pha"] {
            assert_eq!(count(nul), 0, "{nul:?}");
        }
        assert_eq!(count("lph"), 1);
        assert_eq!(count("_b%"), 1);
        assert_eq!(count(""), 3);
    }
}
