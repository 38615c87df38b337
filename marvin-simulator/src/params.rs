//! The parameters of one call, as handlers read them.
//!
//! Names are case-insensitive for dispatch (CloudStack lower-cases them), so
//! they are stored lower-cased. Generic validation against the precache has
//! already run when a handler sees them: required parameters are present and
//! typed values parse. The typed getters still return `ApiError`s, never
//! panic.

use std::collections::BTreeMap;

use crate::error::ApiError;

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

    /// Builds parameters from pairs; later duplicates win.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut params = Self::new();
        for (name, value) in pairs {
            params.insert(name.as_ref(), value);
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
    /// order, each a field → value map.
    pub fn map(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let prefix = format!("{name}[");
        let mut entries: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (key, value) in self.values.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            let Some((index, field)) = rest.split_once("].") else {
                continue;
            };
            let Ok(index) = index.parse::<u32>() else {
                continue;
            };
            entries
                .entry(index)
                .or_default()
                .insert(field.to_string(), value.clone());
        }
        entries.into_values().collect()
    }
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
    fn numbers_report_a_parameter_error() {
        let p = Params::from_pairs([("size", "ten")]);
        assert_eq!(p.i64("size").unwrap_err().code.as_u16(), 431);
    }
}
