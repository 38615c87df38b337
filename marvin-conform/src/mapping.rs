//! What a recorded run's values stand for on the live endpoint: the ids the
//! cloud gave (recorded id → live id, across all cassettes of a run) and the
//! secrets masked as placeholders (placeholder number → live value, per
//! cassette).
//!
//! Both are learnt by walking a recorded answer and the live answer to the
//! same request side by side, and applied to the parameters of later
//! requests.

use std::collections::{BTreeMap, HashMap};

use marvin_core::client::cassette::scrub;
use serde_json::Value;

/// Recorded ids → live ids.
#[derive(Debug, Clone, Default)]
pub struct IdMap {
    ids: HashMap<String, String>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The live id of a recorded one, when known.
    pub fn get(&self, recorded: &str) -> Option<&str> {
        self.ids.get(recorded).map(String::as_str)
    }

    /// How many ids are mapped.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no id is mapped.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Maps `recorded` to `live` unless it is mapped already (the first
    /// pairing wins: later answers repeat it).
    pub fn insert(&mut self, recorded: &str, live: &str) {
        self.ids
            .entry(recorded.to_owned())
            .or_insert_with(|| live.to_owned());
    }

    /// A parameter value with its ids mapped: the whole value, else each
    /// item of a comma-separated list.
    pub fn apply(&self, value: &str) -> String {
        if let Some(live) = self.get(value) {
            return live.to_owned();
        }
        if value.contains(',') {
            return value
                .split(',')
                .map(|item| self.get(item).unwrap_or(item))
                .collect::<Vec<_>>()
                .join(",");
        }
        value.to_owned()
    }
}

/// Placeholder numbers → the live values they stand for, in one cassette.
pub type Secrets = HashMap<u32, String>;

/// True for values shaped like a UUID (`8-4-4-4-12` hex digits).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// True for keys that name an id: `id`, or ending in `id` (`zoneid`,
/// `jobid`), ignoring case.
fn is_id_key(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with("id")
}

/// Walks a recorded answer and the live answer to the same request side by
/// side. Where both hold differing strings and the key names an id (or the
/// recorded value is UUID-shaped), maps the recorded id to the live one;
/// where the recorded value is a placeholder and the live answer has a
/// value, binds the placeholder to it.
///
/// Array elements are paired by `id` (equal, or mapped already), else by
/// `name`, else in order with the elements left.
pub fn learn(recorded: &Value, live: &Value, ids: &mut IdMap, secrets: &mut Secrets) {
    walk(recorded, live, "", ids, secrets);
}

fn walk(recorded: &Value, live: &Value, key: &str, ids: &mut IdMap, secrets: &mut Secrets) {
    match (recorded, live) {
        (Value::Object(was), Value::Object(now)) => {
            for (name, item) in was {
                if let Some(other) = now.get(name) {
                    walk(item, other, name, ids, secrets);
                }
            }
        }
        (Value::Array(was), Value::Array(now)) => {
            for (recorded, live) in pair_elements(was, now, ids) {
                walk(recorded, live, key, ids, secrets);
            }
        }
        (Value::String(was), now) => {
            if let Some(n) = scrub::placeholder_number(was) {
                let value = match now {
                    Value::String(text) => Some(text.clone()),
                    Value::Number(number) => Some(number.to_string()),
                    Value::Bool(flag) => Some(flag.to_string()),
                    _ => None,
                };
                // A live placeholder (an answer the capture masked) binds
                // nothing.
                if let Some(value) = value.filter(|v| scrub::placeholder_number(v).is_none()) {
                    secrets.insert(n, value);
                }
            } else if let Value::String(now) = now {
                if was != now && (is_id_key(key) || is_uuid(was)) {
                    ids.insert(was, now);
                }
            }
        }
        _ => {}
    }
}

/// Pairs the elements of a recorded list with the live list's: by `id`,
/// by `name`, then in order with the live elements left, each live element
/// used once.
fn pair_elements<'a>(
    recorded: &'a [Value],
    live: &'a [Value],
    ids: &IdMap,
) -> Vec<(&'a Value, &'a Value)> {
    let mut taken = vec![false; live.len()];
    let mut pairs: Vec<Option<usize>> = vec![None; recorded.len()];
    let field = |value: &'a Value, name: &str| value.get(name).and_then(Value::as_str);
    for (slot, element) in pairs.iter_mut().zip(recorded) {
        let Some(id) = field(element, "id") else {
            continue;
        };
        let wanted = ids.get(id).unwrap_or(id);
        if let Some(index) =
            (0..live.len()).find(|&i| !taken[i] && field(&live[i], "id") == Some(wanted))
        {
            taken[index] = true;
            *slot = Some(index);
        }
    }
    for (slot, element) in pairs.iter_mut().zip(recorded) {
        if slot.is_some() {
            continue;
        }
        let Some(name) = field(element, "name") else {
            continue;
        };
        if let Some(index) =
            (0..live.len()).find(|&i| !taken[i] && field(&live[i], "name") == Some(name))
        {
            taken[index] = true;
            *slot = Some(index);
        }
    }
    // The rest in order, each with the next live element left.
    let mut free = (0..live.len()).filter(|&i| !taken[i]);
    for slot in pairs.iter_mut().filter(|slot| slot.is_none()) {
        match free.next() {
            Some(index) => *slot = Some(index),
            None => break,
        }
    }
    pairs
        .into_iter()
        .zip(recorded)
        .filter_map(|(slot, element)| slot.map(|index| (element, &live[index])))
        .collect()
}

/// The parameters of a recorded request as sent live: ids mapped (whole
/// values and comma-separated items, map parameters such as
/// `tags[0].value` alike), placeholders replaced by their bound values.
/// A placeholder not bound yet (a password the test chose) gets a new
/// value from `invent`, bound for the rest of the cassette; a bare `***`
/// (cassettes of format 1, whose masks carry no number) gets a new value
/// each time.
pub fn live_params(
    recorded: &BTreeMap<String, String>,
    ids: &IdMap,
    secrets: &mut Secrets,
    mut invent: impl FnMut(u32) -> String,
) -> Vec<(String, String)> {
    recorded
        .iter()
        .map(|(name, value)| {
            let value = if value == marvin_core::redact::MASK {
                invent(0)
            } else {
                let mapped = ids.apply(value);
                scrub::replace_placeholders(&mapped, |n| {
                    Some(secrets.entry(n).or_insert_with(|| invent(n)).clone())
                })
            };
            (name.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    const A: &str = "6f1c2a3b-0000-4000-8000-00000000000a";
    const B: &str = "6f1c2a3b-0000-4000-8000-00000000000b";
    const X: &str = "11111111-2222-4333-8444-555555555555";
    const Y: &str = "11111111-2222-4333-8444-666666666666";

    #[test]
    fn uuids_are_recognised() {
        assert!(is_uuid(A));
        assert!(!is_uuid("6f1c2a3b-0000-4000-8000"));
        assert!(!is_uuid("zzzzzzzz-0000-4000-8000-00000000000a"));
    }

    #[test]
    fn ids_are_mapped_by_key_or_by_shape() {
        let recorded = json!({"r": {"account": {"id": "r-1", "domainid": "d-1", "name": "u1",
            "owner": A, "state": "enabled"}}});
        let live = json!({"r": {"account": {"id": "l-1", "domainid": "d-1", "name": "u2",
            "owner": B, "state": "disabled"}}});
        let (mut ids, mut secrets) = (IdMap::new(), Secrets::new());
        learn(&recorded, &live, &mut ids, &mut secrets);
        assert_eq!(ids.get("r-1"), Some("l-1"));
        assert_eq!(ids.get(A), Some(B));
        // Equal ids, names and other values are not ids to map.
        assert_eq!(ids.len(), 2);
        assert!(secrets.is_empty());
    }

    #[test]
    fn list_elements_pair_by_id_then_name_then_position() {
        let mut ids = IdMap::new();
        ids.insert("r-2", "l-2");
        let recorded = json!([
            {"name": "first", "zoneid": "rz-1"},
            {"id": "r-2", "zoneid": "rz-2"},
            {"name": "same", "zoneid": "rz-3"}
        ]);
        // The live list comes in another order.
        let live = json!([
            {"name": "same", "zoneid": "lz-3"},
            {"id": "l-2", "zoneid": "lz-2"},
            {"name": "other", "zoneid": "lz-1"}
        ]);
        learn(&recorded, &live, &mut ids, &mut Secrets::new());
        assert_eq!(ids.get("rz-2"), Some("lz-2"));
        assert_eq!(ids.get("rz-3"), Some("lz-3"));
        // Unpaired by id and name: the one element left.
        assert_eq!(ids.get("rz-1"), Some("lz-1"));
    }

    #[test]
    fn placeholders_bind_to_the_live_values_at_their_place() {
        let recorded =
            json!({"r": {"userkeys": {"apikey": "***secret-3***", "secretkey": "***secret-4***"}}});
        let live = json!({"r": {"userkeys": {"apikey": "AK", "secretkey": "SK"}}});
        let mut secrets = Secrets::new();
        learn(&recorded, &live, &mut IdMap::new(), &mut secrets);
        assert_eq!(secrets.get(&3).map(String::as_str), Some("AK"));
        assert_eq!(secrets.get(&4).map(String::as_str), Some("SK"));
        // A masked live value binds nothing.
        let mut secrets = Secrets::new();
        let live = json!({"r": {"userkeys": {"apikey": "***secret-1***"}}});
        learn(&recorded, &live, &mut IdMap::new(), &mut secrets);
        assert!(secrets.is_empty());
    }

    #[test]
    fn later_parameters_carry_mapped_ids_and_bound_secrets() {
        let mut ids = IdMap::new();
        ids.insert(X, Y);
        ids.insert("r-9", "l-9");
        let mut secrets = Secrets::from([(2, "known".to_owned())]);
        let recorded = BTreeMap::from([
            ("id".to_owned(), X.to_owned()),
            ("ids".to_owned(), format!("{X},r-9,other")),
            ("tags[0].value".to_owned(), "r-9".to_owned()),
            ("password".to_owned(), "***secret-5***".to_owned()),
            ("url".to_owned(), "nfs://u:***secret-2***@h/p".to_owned()),
            ("name".to_owned(), "kept".to_owned()),
        ]);
        let mut invented = Vec::new();
        let sent = live_params(&recorded, &ids, &mut secrets, |n| {
            invented.push(n);
            format!("new-{n}")
        });
        let sent: BTreeMap<_, _> = sent.into_iter().collect();
        assert_eq!(sent["id"], Y);
        assert_eq!(sent["ids"], format!("{Y},l-9,other"));
        assert_eq!(sent["tags[0].value"], "l-9");
        assert_eq!(sent["password"], "new-5");
        assert_eq!(sent["url"], "nfs://u:known@h/p");
        assert_eq!(sent["name"], "kept");
        assert_eq!(invented, [5]);
        // Bound for the rest of the cassette.
        assert_eq!(secrets.get(&5).map(String::as_str), Some("new-5"));
    }
}
