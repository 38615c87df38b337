//! [`Params`]: the ordered parameters of one API call.

use std::fmt;

use crate::redact;

/// The parameters of one API call: ordered `(name, value)` string pairs.
///
/// Names are compared ignoring ASCII case (CloudStack dispatches that way),
/// so setting `templateId` replaces an earlier `templateid`. The client adds
/// `command`, `response` and the authentication parameters itself.
///
/// Lists are comma-joined and maps are sent as `name[i].key=value`:
///
/// ```
/// use marvin_core::Params;
/// let mut p = Params::new();
/// p.set("name", "web")
///     .set_opt("displaytext", None::<&str>)
///     .set_bool("startvm", false)
///     .set_list("ids", ["a", "b"])
///     .set_map("tags", [[("key", "env"), ("value", "ci")]]);
/// let pairs: Vec<_> = p.iter().collect();
/// assert_eq!(pairs, [("name", "web"), ("startvm", "false"), ("ids", "a,b"),
///                    ("tags[0].key", "env"), ("tags[0].value", "ci")]);
/// assert_eq!(p.get("IDS"), Some("a,b"));
/// ```
///
/// `Debug` masks the values of secret parameters (see [`redact`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a parameter, replacing any earlier value of the same name
    /// (ignoring case) in place.
    pub fn set(&mut self, name: impl Into<String>, value: impl ToString) -> &mut Self {
        let name = name.into();
        let value = value.to_string();
        match self.position(&name) {
            Some(index) => self.pairs[index] = (name, value),
            None => self.pairs.push((name, value)),
        }
        self
    }

    /// [`set`](Self::set) by value, for building in one expression.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.set(name, value);
        self
    }

    /// Sets a parameter when `value` is `Some`; `None` leaves `self` unchanged.
    pub fn set_opt<T: ToString>(&mut self, name: impl Into<String>, value: Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.set(name, value);
        }
        self
    }

    /// Sets a boolean as `true` or `false` (the server reads anything but
    /// `true` as false).
    pub fn set_bool(&mut self, name: impl Into<String>, value: bool) -> &mut Self {
        self.set(name, if value { "true" } else { "false" })
    }

    /// Sets a list parameter, comma-joined. An empty list sets an empty value.
    pub fn set_list<I, T>(&mut self, name: impl Into<String>, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: ToString,
    {
        let joined = values
            .into_iter()
            .map(|value| value.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.set(name, joined)
    }

    /// Sets a map parameter as `name[i].key=value`, `i` counting the maps
    /// from 0. Replaces every earlier `name[..]` entry.
    pub fn set_map<I, M, K, V>(&mut self, name: impl Into<String>, maps: I) -> &mut Self
    where
        I: IntoIterator<Item = M>,
        M: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: ToString,
    {
        let name = name.into();
        let prefix = format!("{name}[");
        self.pairs.retain(|(existing, _)| {
            !(existing.len() >= prefix.len()
                && existing.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
        });
        for (index, map) in maps.into_iter().enumerate() {
            for (key, value) in map {
                self.pairs.push((
                    format!("{name}[{index}].{}", key.as_ref()),
                    value.to_string(),
                ));
            }
        }
        self
    }

    /// Removes a parameter (ignoring case); returns its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.position(name).map(|index| self.pairs.remove(index).1)
    }

    /// The value of a parameter (ignoring case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name)
            .map(|index| self.pairs[index].1.as_str())
    }

    /// True when the parameter is set (ignoring case).
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The pairs, in the order they were first set.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs with secret values masked, for logs and traces.
    pub fn redacted(&self) -> Vec<(String, String)> {
        redact::redact_pairs(self.iter())
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.pairs
            .iter()
            .position(|(existing, _)| existing.eq_ignore_ascii_case(name))
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(name, value)| {
                (
                    name,
                    if redact::is_secret_name(name) {
                        redact::MASK
                    } else {
                        value
                    },
                )
            }))
            .finish()
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for Params {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Params {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut params = Params::new();
        params.extend(iter);
        params
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for Params {
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        for (name, value) in iter {
            self.set(name.as_ref(), value.as_ref());
        }
    }
}

impl<'a> IntoIterator for &'a Params {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_in_place_ignoring_case() {
        let mut p = Params::from([("a", "1"), ("templateid", "x"), ("b", "2")]);
        p.set("templateId", "y");
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [("a", "1"), ("templateId", "y"), ("b", "2")]
        );
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn maps_are_indexed_from_zero_and_replaced_as_a_whole() {
        let mut p = Params::new();
        p.set_map("details", [vec![("cpuNumber", "2"), ("memory", "640")]]);
        p.set_map(
            "details",
            [vec![("cpuNumber", "1")], vec![("cpuNumber", "4")]],
        );
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [("details[0].cpuNumber", "1"), ("details[1].cpuNumber", "4")]
        );
    }

    #[test]
    fn options_lists_and_bools() {
        let mut p = Params::new();
        p.set_opt("x", Some(3))
            .set_opt("y", None::<u8>)
            .set_bool("z", true);
        p.set_list("ids", Vec::<String>::new());
        assert_eq!(p.get("x"), Some("3"));
        assert!(!p.contains("y"));
        assert_eq!(p.get("z"), Some("true"));
        assert_eq!(p.get("ids"), Some(""));
        assert_eq!(p.remove("X"), Some("3".to_owned()));
        assert!(!p.contains("x"));
    }

    #[test]
    fn debug_masks_secret_values() {
        let p = Params::new()
            .with("username", "bob")
            .with("password", "hunter22")
            .with("details[0].password", "inner-secret")
            .with("secretKey", "sk-value");
        let text = format!("{p:?}");
        assert!(text.contains("bob"));
        for secret in ["hunter22", "inner-secret", "sk-value"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(!format!("{:?}", p.redacted()).contains("hunter22"));
    }
}
