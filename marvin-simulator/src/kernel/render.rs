//! The one place that decides how values and rows become CloudStack JSON:
//! compact, fields in name order, null fields left out at every depth,
//! strings escaped as serde_json escapes them, numbers as stored. The
//! envelope writes answers with it and the store renders rows with it;
//! dates are already text in CloudStack's format ([`crate::kernel::time`]).
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

use rusqlite::Row;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

/// A JSON object built from a row.
pub(crate) type Object = Map<String, Value>;

/// Writes a JSON string (escaped as serde_json escapes).
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if plain(bytes) {
        // Nothing to escape (the common case: ids, names, dates).
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// Whether no byte of `bytes` needs escaping in a JSON string (a control
/// character, `"` or `\`), checked eight bytes at a time.
fn plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `word` is zero: its high bit in the result (exact when no
    // byte of `word` has its high bit set, which `below` checks first).
    let zero_in = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // Bytes of 0x80 and above never need escaping; the tests below are
        // exact for the others, so chunks with any are checked one by one.
        if word & HIGHS != 0 {
            if !chunk.iter().all(|&b| plain_byte(b)) {
                return false;
            }
            continue;
        }
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if below_space != 0
            || zero_in(word ^ (ONES * u64::from(b'"'))) != 0
            || zero_in(word ^ (ONES * u64::from(b'\\'))) != 0
        {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| plain_byte(b))
}

fn plain_byte(byte: u8) -> bool {
    byte >= 0x20 && byte != b'"' && byte != b'\\'
}

/// Writes a value as compact JSON, leaving null fields out at every depth:
/// the same text as `without_nulls(value)` serialized.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Object(object) => {
            out.push(b'{');
            let mut first = true;
            for (name, field) in object {
                if field.is_null() {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                write_str(out, name);
                out.push(b':');
                write_value(out, field);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        // Scalars: writing into a `Vec` cannot fail.
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// Removes null fields at every depth (CloudStack leaves them out).
pub(crate) fn without_nulls(mut value: Value) -> Value {
    strip_nulls(&mut value);
    value
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|_, v| !v.is_null());
            object.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
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
                write_str(&mut key, field);
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
        write_value(out, &Value::Object(object));
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
            write_str(out, name);
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
                        Kind::Plain => write_str(out, &text),
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
                                write_value(out, &value);
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
            Self::Value(value) => write_value(out, value),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        write_value(&mut out, &Value::Object(object));
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
}
