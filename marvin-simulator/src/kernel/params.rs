//! The parameters of one call, as handlers read them.
//!
//! Names are case-insensitive for dispatch (CloudStack lower-cases them), so
//! they are stored lower-cased. Generic validation against the precache has
//! already run when a handler sees them: required parameters are present and
//! typed values parse. The typed getters still return `ApiError`s, never
//! panic.

use std::collections::BTreeMap;

use crate::kernel::error::ApiError;

/// Request parameters with lower-cased names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Empty parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds parameters from pairs. A name given twice (in any case) keeps
    /// its first value, as every other reader of a request's parameters
    /// does ([`crate::kernel::request::find`]): the request decoder has already
    /// reduced a request to one value per exactly spelled name, the way
    /// CloudStack's servlet does, so only names that differ in case are left.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut params = Self::new();
        for (name, value) in pairs {
            params
                .values
                .entry(name.as_ref().to_ascii_lowercase())
                .or_insert_with(|| value.into());
        }
        params
    }

    /// Sets a parameter.
    pub fn insert(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_ascii_lowercase(), value.into());
    }

    /// Removes a parameter.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.values.remove(&name.to_ascii_lowercase())
    }

    /// All parameters, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A raw value. `name` must be lower case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A non-empty string value.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// A string the command cannot do without.
    pub fn required(&self, command: &str, name: &str) -> Result<&str, ApiError> {
        self.str(name)
            .ok_or_else(|| ApiError::missing(command, name))
    }

    /// A boolean as Java's `Boolean.valueOf` reads it: only a case-insensitive
    /// `true` is true, anything else is false, never an error.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A boolean with a default.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        self.bool(name).unwrap_or(default)
    }

    /// An integer (`integer`, `long`, `short` parameters).
    pub fn i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.str(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                ApiError::param(format!(
                    "Unable to parse parameter {name} value={v} as a number"
                ))
            }),
        }
    }

    /// A comma-separated list (`list` parameters), empty items dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A map parameter sent as `name[i].field=value`, as the entries in index
    /// order, each a field → value map. Indexes are Java `int`s, so `[-1]`
    /// and `[007]` are indexes too (`[007]` the same as `[7]`); names that
    /// are not well-formed entries ([`parse_name`]) are not part of any map
    /// (generic validation refuses them before a handler runs).
    pub fn map(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let prefix = format!("{name}[");
        let mut entries: BTreeMap<i32, BTreeMap<String, String>> = BTreeMap::new();
        for (key, value) in self.values.range(prefix.clone()..) {
            if !key.starts_with(&prefix) {
                break;
            }
            let ParamName::MapEntry(entry) = parse_name(key) else {
                continue;
            };
            entries
                .entry(entry.index)
                .or_default()
                .insert(entry.field.to_string(), value.clone());
        }
        entries.into_values().collect()
    }
}

/// One entry of a map parameter: `base[index].field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MapEntry<'a> {
    /// The map parameter's name, before the `[`.
    pub(crate) base: &'a str,
    /// The index, a Java `int`.
    pub(crate) index: i32,
    /// What follows the first `.` (may be empty).
    pub(crate) field: &'a str,
}

/// What a parameter name is, as CloudStack's dispatcher reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamName<'a> {
    /// A plain name (also one that starts with `[`).
    Plain,
    /// `base[index].field`.
    MapEntry(MapEntry<'a>),
    /// A name CloudStack refuses with 430 ("Unable to decode parameter").
    Malformed,
}

/// Reads a parameter name as CloudStack's dispatcher does
/// (`ParamUnpackWorker.handle`): a name with a `[` after its first character
/// is a map entry, which needs exactly one `[` and one `]` after it, a `.`
/// after the `]` (the field is everything after the first `.`), and an index
/// that Java's `Integer.parseInt` reads (an optional sign and decimal digits
/// within `i32`).
pub(crate) fn parse_name(name: &str) -> ParamName<'_> {
    let (Some(open), Some(last_open)) = (name.find('['), name.rfind('[')) else {
        return ParamName::Plain;
    };
    if open != last_open {
        return ParamName::Malformed;
    }
    if open == 0 {
        return ParamName::Plain;
    }
    let entry = || {
        let close = name.find(']')?;
        if close < open || Some(close) != name.rfind(']') {
            return None;
        }
        let dot = name.find('.').filter(|&dot| dot > close)?;
        Some(MapEntry {
            base: &name[..open],
            index: name[open + 1..close].parse().ok()?,
            field: &name[dot + 1..],
        })
    };
    entry().map_or(ParamName::Malformed, ParamName::MapEntry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive() {
        let p = Params::from_pairs([("zoneId", "z1")]);
        assert_eq!(p.get("zoneid"), Some("z1"));
    }

    #[test]
    fn booleans_follow_java_value_of() {
        let p = Params::from_pairs([("a", "TRUE"), ("b", "yes"), ("c", "1")]);
        assert_eq!(p.bool("a"), Some(true));
        assert_eq!(p.bool("b"), Some(false));
        assert_eq!(p.bool("c"), Some(false));
        assert_eq!(p.bool("d"), None);
    }

    #[test]
    fn maps_group_by_index_in_order() {
        let p = Params::from_pairs([
            ("tags[1].key", "b"),
            ("tags[0].key", "a"),
            ("tags[0].value", "1"),
            ("tags[1].value", "2"),
            ("tagsx", "no"),
        ]);
        let tags = p.map("tags");
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0]["key"], "a");
        assert_eq!(tags[1]["value"], "2");
    }

    #[test]
    fn a_name_given_twice_keeps_its_first_value() {
        let p = Params::from_pairs([("name", "first"), ("NAME", "second"), ("name", "third")]);
        assert_eq!(p.get("name"), Some("first"));
    }

    #[test]
    fn map_indexes_are_java_ints() {
        let p = Params::from_pairs([
            ("tags[007].key", "seven"),
            ("tags[-1].key", "minus one"),
            ("tags[+2].key", "two"),
            ("tags[2147483648].key", "out of range"),
            ("tags[0].", "empty field"),
        ]);
        let tags = p.map("tags");
        let keys: Vec<Option<&str>> = tags
            .iter()
            .map(|entry| entry.get("key").map(String::as_str))
            .collect();
        assert_eq!(
            keys,
            [Some("minus one"), None, Some("two"), Some("seven")],
            "ordered by index; the out-of-range index is no entry"
        );
        assert_eq!(tags[1].get("").map(String::as_str), Some("empty field"));
    }

    /// The cases of CloudStack's `ParamUnpackWorker.handle`.
    #[test]
    fn map_entry_names_follow_cloudstacks_unpacking() {
        let entry = |base, index, field| ParamName::MapEntry(MapEntry { base, index, field });
        assert_eq!(parse_name("tags[0].key"), entry("tags", 0, "key"));
        assert_eq!(parse_name("tags[-3].a.b"), entry("tags", -3, "a.b"));
        assert_eq!(parse_name("tags[1]x.key"), entry("tags", 1, "key"));
        assert_eq!(parse_name("tags[0]."), entry("tags", 0, ""));
        for plain in ["name", "[0].key", "a]b"] {
            assert_eq!(parse_name(plain), ParamName::Plain, "{plain}");
        }
        for malformed in [
            "tags[4294967296].key",
            "tags[2147483648].key",
            "tags[x].key",
            "tags[].key",
            "tags[ 1].key",
            "tags[1.5].key",
            "tags[0]key",
            "tags[0",
            "tags]0[.key",
            "tags[0][1].key",
            "tags[0].a]b",
            "a.b[0].c",
            "[[0].key",
        ] {
            assert_eq!(parse_name(malformed), ParamName::Malformed, "{malformed}");
        }
    }

    #[test]
    fn numbers_report_a_parameter_error() {
        let p = Params::from_pairs([("size", "ten")]);
        assert_eq!(p.i64("size").unwrap_err().code.as_u16(), 431);
    }
}
