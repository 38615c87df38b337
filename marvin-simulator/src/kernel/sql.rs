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

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use rand::RngCore;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{OptionalExtension, Row, Transaction, params_from_iter};
use serde_json::{Map, Value};

use crate::kernel::contract::{Call, Rendered, Reply};
use crate::kernel::envelope;
use crate::kernel::error::ApiError;
use crate::kernel::scope::ListScope;

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

/// How a column's value becomes a field (the alias conventions above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// As stored.
    Plain,
    /// `flag?`: a boolean.
    Flag,
    /// `details{}`: JSON text.
    Json,
}

/// One column of a query, as a field of the objects it renders.
#[derive(Debug)]
struct Column {
    /// The alias as written (the key of values rendered as stored).
    name: String,
    /// The alias without its suffix.
    field: String,
    /// `"<field>":`, as JSON.
    key: Vec<u8>,
    kind: Kind,
}

/// The columns of a statement, worked out once per SQL text (see
/// [`Columns::of`]) rather than once per row, with the order in which their
/// fields sort: objects are built from sorted fields, and rows are written
/// as JSON text in that order.
#[derive(Debug)]
pub(crate) struct Columns {
    columns: Vec<Column>,
    order: Vec<usize>,
    /// Whether two columns have the same field (rows are then written
    /// through [`Columns::object`]).
    shared_fields: bool,
}

/// How many SQL texts the per-thread column cache keeps before it starts
/// over.
const COLUMN_CACHE: usize = 512;

thread_local! {
    static COLUMNS: std::cell::RefCell<HashMap<String, Rc<Columns>, BuildSqlHasher>> =
        std::cell::RefCell::new(HashMap::default());
}

/// Hashes SQL texts (our own, so no defence against chosen keys is needed)
/// eight bytes at a time: several times cheaper than the default hasher
/// on texts of a kilobyte.
#[derive(Debug, Default, Clone, Copy)]
struct SqlHasher(u64);

type BuildSqlHasher = std::hash::BuildHasherDefault<SqlHasher>;

impl SqlHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for SqlHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for byte in chunks.remainder() {
            self.add(u64::from(*byte));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Columns {
    /// The columns of a statement prepared from `sql`: cached per thread by
    /// SQL text (a text names its columns with its aliases; the count is
    /// checked in case a `*` meets another schema).
    pub(crate) fn of(stmt: &rusqlite::Statement<'_>, sql: &str) -> Rc<Self> {
        COLUMNS.with(|cache| {
            if let Some(found) = cache.borrow().get(sql) {
                if found.columns.len() == stmt.column_count() {
                    return Rc::clone(found);
                }
            }
            let columns = Rc::new(Self::read(stmt));
            let mut cache = cache.borrow_mut();
            if cache.len() >= COLUMN_CACHE {
                cache.clear();
            }
            cache.insert(sql.to_string(), Rc::clone(&columns));
            columns
        })
    }

    fn read(stmt: &rusqlite::Statement<'_>) -> Self {
        let columns: Vec<Column> = stmt
            .column_names()
            .into_iter()
            .map(|name| {
                let (field, kind) = if let Some(field) = name.strip_suffix('?') {
                    (field, Kind::Flag)
                } else if let Some(field) = name.strip_suffix("{}") {
                    (field, Kind::Json)
                } else {
                    (name, Kind::Plain)
                };
                let mut key = Vec::with_capacity(field.len() + 3);
                envelope::write_str(&mut key, field);
                key.push(b':');
                Column {
                    name: name.to_string(),
                    field: field.to_string(),
                    key,
                    kind,
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..columns.len()).collect();
        // Stable: of two columns with the same field, the later one wins.
        order.sort_by(|&a, &b| columns[a].field.cmp(&columns[b].field));
        let shared_fields = order
            .windows(2)
            .any(|pair| columns[pair[0]].field == columns[pair[1]].field);
        Self {
            columns,
            order,
            shared_fields,
        }
    }

    /// The index of the column whose field is `field`.
    pub(crate) fn index(&self, field: &str) -> Option<usize> {
        self.columns.iter().rposition(|c| c.field == field)
    }

    /// Renders one row as an object, following the alias conventions above.
    pub(crate) fn object(&self, row: &Row<'_>) -> rusqlite::Result<Object> {
        let mut fields: Vec<(String, Value)> = Vec::with_capacity(self.columns.len());
        for &index in &self.order {
            let column = &self.columns[index];
            if let Some((key, value)) = convert(column, row.get_ref(index)?) {
                fields.push((key.to_string(), value));
            }
        }
        // Sorted (unless an integer came in a `{}` column or a real in a
        // `?` one), so this is a linear build; equal keys keep the last.
        Ok(fields.into_iter().collect())
    }

    /// The value the object of this row has under `field`, if any.
    pub(crate) fn value(&self, row: &Row<'_>, field: &str) -> rusqlite::Result<Option<Value>> {
        // The last column that gives the field wins.
        for index in self.order.iter().rev() {
            let column = &self.columns[*index];
            if column.field != field && column.name != field {
                continue;
            }
            if let Some((key, value)) = convert(column, row.get_ref(*index)?) {
                if key == field {
                    return Ok(Some(value));
                }
            }
        }
        Ok(None)
    }

    /// Writes one row as JSON text: exactly what the envelope writes for
    /// the object [`Columns::object`] builds, after the columns named in
    /// `skip` are removed and the `extra` fields are set (replacing the
    /// columns of the same name; of two extras with one key, the later
    /// one). Nothing is allocated per field.
    pub(crate) fn write(
        &self,
        row: &Row<'_>,
        out: &mut Vec<u8>,
        skip: &[&str],
        extra: &mut Vec<(&str, Field)>,
    ) -> rusqlite::Result<()> {
        // Sorted by key, the last of equal keys kept (callers that give
        // them in order skip the sort).
        if !extra.is_sorted_by(|a, b| a.0 < b.0) {
            extra.sort_by(|a, b| a.0.cmp(b.0));
            let mut index = 0;
            while index + 1 < extra.len() {
                if extra[index].0 == extra[index + 1].0 {
                    extra.remove(index);
                } else {
                    index += 1;
                }
            }
        }
        let mark = out.len();
        if !self.shared_fields && self.write_sorted(row, out, skip, extra)? {
            return Ok(());
        }
        // A value whose type moves its key (an integer in a `{}` column, a
        // real in a `?` one), or two columns for one field: the long way.
        out.truncate(mark);
        let mut object = self.object(row)?;
        for name in skip {
            object.remove(*name);
        }
        for (name, value) in extra.drain(..) {
            object.insert(name.to_string(), value.into_value());
        }
        envelope::write_value(out, &Value::Object(object));
        Ok(())
    }

    /// [`Columns::write`] in one pass over the sorted columns; `false` when
    /// a value's key is not its column's field (nothing useful written).
    fn write_sorted(
        &self,
        row: &Row<'_>,
        out: &mut Vec<u8>,
        skip: &[&str],
        extra: &[(&str, Field)],
    ) -> rusqlite::Result<bool> {
        out.push(b'{');
        let mut first = true;
        let mut extras = extra.iter().peekable();
        let put_extra = |out: &mut Vec<u8>, first: &mut bool, name: &str, value: &Field| {
            if value.is_null() {
                return;
            }
            if !*first {
                out.push(b',');
            }
            *first = false;
            envelope::write_str(out, name);
            out.push(b':');
            value.write(out);
        };
        for &index in &self.order {
            let column = &self.columns[index];
            let field = column.field.as_str();
            while let Some((name, value)) = extras.next_if(|(name, _)| *name < field) {
                put_extra(out, &mut first, name, value);
            }
            let value = row.get_ref(index)?;
            let replaced = extras.next_if(|(name, _)| *name == field);
            if replaced.is_some() || skip.contains(&field) {
                if moves_key(value, column.kind) {
                    return Ok(false);
                }
                if let Some((name, value)) = replaced {
                    put_extra(out, &mut first, name, value);
                }
                continue;
            }
            let start = out.len();
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(&column.key);
            match (value, column.kind) {
                (ValueRef::Null | ValueRef::Blob(_), _) => {
                    out.truncate(start);
                    continue;
                }
                (ValueRef::Integer(n), Kind::Flag) => {
                    out.extend_from_slice(if n != 0 { b"true" } else { b"false" });
                }
                (ValueRef::Integer(n), Kind::Plain) => {
                    let _ = serde_json::to_writer(&mut *out, &n);
                }
                (ValueRef::Real(f), Kind::Plain) => {
                    if !f.is_finite() {
                        // `Value::from` makes it a null, which is left out.
                        out.truncate(start);
                        continue;
                    }
                    let _ = serde_json::to_writer(&mut *out, &f);
                }
                (ValueRef::Integer(_) | ValueRef::Real(_), _) => return Ok(false),
                (ValueRef::Text(bytes), kind) => {
                    let text = utf8(bytes);
                    match kind {
                        Kind::Plain => envelope::write_str(out, &text),
                        Kind::Flag => {
                            out.extend_from_slice(if flag_text(&text) { b"true" } else { b"false" })
                        }
                        Kind::Json => match text.as_ref() {
                            "{}" | "[]" => out.extend_from_slice(text.as_bytes()),
                            _ => {
                                let value = json_text(text);
                                if value.is_null() {
                                    out.truncate(start);
                                    continue;
                                }
                                envelope::write_value(out, &value);
                            }
                        },
                    }
                }
            }
            first = false;
        }
        for (name, value) in extras {
            put_extra(out, &mut first, name, value);
        }
        out.push(b'}');
        Ok(true)
    }
}

/// The key and value a column gives an object (`None`: no field).
fn convert<'c>(column: &'c Column, value: ValueRef<'_>) -> Option<(&'c str, Value)> {
    Some(match value {
        ValueRef::Null | ValueRef::Blob(_) => return None,
        ValueRef::Integer(n) => match column.kind {
            Kind::Flag => (column.field.as_str(), Value::Bool(n != 0)),
            _ => (column.name.as_str(), Value::from(n)),
        },
        ValueRef::Real(f) => (column.name.as_str(), Value::from(f)),
        ValueRef::Text(bytes) => {
            let text = utf8(bytes);
            match column.kind {
                Kind::Json => (column.field.as_str(), json_text(text)),
                Kind::Flag => (column.field.as_str(), Value::Bool(flag_text(&text))),
                Kind::Plain => (column.name.as_str(), Value::String(text.into_owned())),
            }
        }
    })
}

/// An extra field of a row written by [`Columns::write`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    /// A value (null fields left out when written).
    Value(Value),
    /// JSON text already written the envelope's way.
    Json(Vec<u8>),
}

impl From<Value> for Field {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

impl Field {
    fn is_null(&self) -> bool {
        matches!(self, Self::Value(Value::Null))
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::Value(value) => envelope::write_value(out, value),
            Self::Json(text) => out.extend_from_slice(text),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Self::Value(value) => value,
            Self::Json(text) => serde_json::from_slice(&text).unwrap_or_default(),
        }
    }
}

/// The extra fields of one row (see [`Columns::write`]).
pub(crate) type Extras = Vec<(&'static str, Field)>;

/// Whether a value is rendered under its column's full name rather than
/// its field (a number in a `{}` column, a real in a `?` one).
fn moves_key(value: ValueRef<'_>, kind: Kind) -> bool {
    matches!(
        (value, kind),
        (ValueRef::Integer(_) | ValueRef::Real(_), Kind::Json) | (ValueRef::Real(_), Kind::Flag)
    )
}

/// A text column's value (invalid UTF-8 replaced).
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A `flag?` column's text as a boolean.
fn flag_text(text: &str) -> bool {
    text.eq_ignore_ascii_case("true") || text == "1"
}

/// A JSON column's value: the JSON it holds, else the text itself.
fn json_text(text: Cow<'_, str>) -> Value {
    match text.as_ref() {
        "{}" => Value::Object(Map::new()),
        "[]" => Value::Array(Vec::new()),
        _ => serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned())),
    }
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
    /// The condition added by [`Query::exclude`]: its index in
    /// `conditions`, the column and the subquery.
    exclusion: Option<(usize, String, &'static str)>,
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
        let mut without = self.select.clone();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::contract::Page;
    use rusqlite::params;

    /// What the envelope writes for a row: its object, `skip` removed,
    /// `extra` set in order, nulls left out.
    fn expected(
        columns: &Columns,
        row: &Row<'_>,
        skip: &[&str],
        extra: &[(&str, Field)],
    ) -> String {
        let mut object = columns.object(row).unwrap();
        for name in skip {
            object.remove(*name);
        }
        for (name, value) in extra {
            object.insert((*name).to_string(), value.clone().into_value());
        }
        let mut out = Vec::new();
        envelope::write_value(&mut out, &Value::Object(object));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn written_rows_are_the_objects_they_stand_for() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let queries = [
            "SELECT 'a' AS name, 1 AS \"ready?\", '{\"k\":1,\"n\":null,\"a\":[null,{\"z\":null}]}' AS \"details{}\",
                    NULL AS gone, 5 AS size, 2.5 AS ratio, 'é\"\\\n' AS quoted",
            // A value whose type moves its key.
            "SELECT 3 AS \"details{}\", 'x' AS a, 1.5 AS \"flag?\"",
            "SELECT 'x' AS a, 2.5 AS \"details{}\"",
            // Two columns for one field.
            "SELECT 'z' AS b, 'y' AS b, NULL AS c, 'w' AS c",
            "SELECT 1 AS \"x?\", 'text' AS x",
            "SELECT 'null' AS \"j{}\", 'not json' AS \"k{}\", '[]' AS \"l{}\", 'TRUE' AS \"f?\", '0' AS \"g?\",
                    X'FF' AS blob, CAST(X'C328' AS TEXT) AS bad, 1e999 AS inf, -7 AS neg",
            "SELECT NULL AS only",
        ];
        let skips: [&[&str]; 3] = [&[], &["name", "a", "b"], &["details", "j", "zzz"]];
        let value = |value: Value| Field::Value(value);
        let extras: [Vec<(&str, Field)>; 5] = [
            vec![],
            vec![("size", value(Value::Null)), ("a", value(Value::Null))],
            vec![
                ("zzz", value(serde_json::json!([null, {"n": null}]))),
                ("name", value(serde_json::json!("over"))),
                ("aaa", value(serde_json::json!({"n": null, "m": 1}))),
                ("details", value(serde_json::json!(true))),
            ],
            vec![
                ("dup", value(serde_json::json!(1))),
                ("b", value(serde_json::json!(0))),
                ("dup", value(serde_json::json!(2))),
            ],
            // Already in order, one written as text.
            vec![
                ("a", Field::Json(br#"[{"x":1},{"y":"z"}]"#.to_vec())),
                ("size", value(serde_json::json!(null))),
                ("zz", value(serde_json::json!(0))),
            ],
        ];
        for sql in queries {
            let mut stmt = conn.prepare(sql).unwrap();
            let columns = Columns::of(&stmt, sql);
            let mut rows = stmt.query([]).unwrap();
            let row = rows.next().unwrap().unwrap();
            for skip in skips {
                for extra in &extras {
                    let want = expected(&columns, row, skip, extra);
                    let mut fields = extra.clone();
                    let mut out = b"[".to_vec();
                    columns.write(row, &mut out, skip, &mut fields).unwrap();
                    assert_eq!(
                        String::from_utf8(out[1..].to_vec()).unwrap(),
                        want,
                        "{sql} {skip:?} {extra:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn values_are_the_fields_of_the_object() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sql =
            "SELECT 'a' AS name, 1 AS \"ready?\", NULL AS gone, 'x' AS b, NULL AS b, 2.5 AS \"f?\"";
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = Columns::of(&stmt, sql);
        let mut rows = stmt.query([]).unwrap();
        let row = rows.next().unwrap().unwrap();
        let object = columns.object(row).unwrap();
        for field in ["name", "ready", "gone", "b", "f", "f?", "nothing"] {
            assert_eq!(
                columns.value(row, field).unwrap().as_ref(),
                object.get(field),
                "{field}"
            );
        }
    }

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
    fn columns_are_cached_by_sql_text() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sql = "SELECT 1 AS a, 2 AS \"b?\"";
        let stmt = conn.prepare(sql).unwrap();
        let first = Columns::of(&stmt, sql);
        assert!(Rc::ptr_eq(&first, &Columns::of(&stmt, sql)));
        assert_eq!(first.index("b"), Some(1));
        // The same text over another column count is read again.
        let other = conn.prepare("SELECT 1 AS a").unwrap();
        assert_eq!(Columns::of(&other, sql).columns.len(), 1);
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
