//! What a recorded run's values stand for on the live endpoint: the ids the
//! cloud gave (recorded id → live id, across all cassettes of a run) and the
//! secrets masked as placeholders (placeholder number → live value, per
//! cassette).
//!
//! Both are learnt by walking a recorded answer and the live answer to the
//! same request side by side, and applied to the parameters of later
//! requests.

use std::collections::{BTreeMap, HashMap, HashSet};

use marvin_core::client::cassette::scrub;
use serde_json::Value;

/// Recorded ids → live ids.
///
/// A pairing from two answers to the same request matched field by field,
/// or from list elements matched by id, by name or as the one element left
/// on each side, replaces whatever the map held: a cloud hands the same id
/// out again (a released public address keeps its id, and the next test to
/// acquire one, or a new network's source NAT, may get it while the
/// endpoint gives another), so the latest pairing is the one that holds. A
/// guess (several list elements paired by their order) is only taken for
/// an id not mapped yet, towards a live id no recorded id is mapped to.
#[derive(Debug, Clone, Default)]
pub struct IdMap {
    /// Recorded id → (live id, when it was paired: a count).
    ids: HashMap<String, (String, u64)>,
    /// The same, as each cassette paired them: (cassette, recorded id) →
    /// (live id, when). A test's own pairings hold for it over what other
    /// tests paired since (a VM placed on another host live than recorded
    /// maps the recorded host to that VM's live host; the test that
    /// placed it goes on with its own pairing).
    own: HashMap<(usize, String), (String, u64)>,
    /// The cassette whose interaction is being replayed.
    current: usize,
    paired: u64,
    /// The live ids some recorded id is (or was) mapped to.
    images: HashSet<String>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replays an interaction of cassette number `cassette` from now on:
    /// its own pairings come first.
    pub fn enter(&mut self, cassette: usize) {
        self.current = cassette;
    }

    fn entry(&self, recorded: &str) -> Option<&(String, u64)> {
        self.own
            .get(&(self.current, recorded.to_owned()))
            .or_else(|| self.ids.get(recorded))
    }

    /// The live id of a recorded one, when known (as the current cassette
    /// paired it, else as the latest pairing of any).
    pub fn get(&self, recorded: &str) -> Option<&str> {
        self.entry(recorded).map(|(live, _)| live.as_str())
    }

    /// How strongly `recorded` holds its live id, to rank claims on one
    /// live element: paired by the current cassette first, then the most
    /// recently paired.
    fn claim(&self, recorded: &str) -> (bool, u64) {
        let own = self.own.get(&(self.current, recorded.to_owned()));
        match own {
            Some(&(_, when)) => (true, when),
            None => (false, self.ids.get(recorded).map_or(0, |&(_, when)| when)),
        }
    }

    /// How many ids are mapped.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no id is mapped.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Maps `recorded` to `live`, replacing an earlier pairing. An id paired
    /// with itself is kept only when it undoes an earlier pairing.
    pub fn insert(&mut self, recorded: &str, live: &str) {
        if recorded == live && self.entry(recorded).is_none() {
            return;
        }
        self.pair(recorded, live);
    }

    /// Maps `recorded` to `live` as a guess: only when `recorded` is not
    /// mapped yet and no recorded id is mapped to `live`.
    pub fn guess(&mut self, recorded: &str, live: &str) {
        if recorded == live || self.entry(recorded).is_some() || self.images.contains(live) {
            return;
        }
        self.pair(recorded, live);
    }

    fn pair(&mut self, recorded: &str, live: &str) {
        self.images.insert(live.to_owned());
        self.paired += 1;
        let value = (live.to_owned(), self.paired);
        self.own
            .insert((self.current, recorded.to_owned()), value.clone());
        self.ids.insert(recorded.to_owned(), value);
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
/// Array elements are paired by `id` (equal, or mapped; the current
/// cassette's and the latest pairings claim a live element first), else by
/// `name`, else by order when as many are left on both sides; the ids met
/// under several elements paired only by their order are guesses
/// ([`IdMap::guess`]).
pub fn learn(recorded: &Value, live: &Value, ids: &mut IdMap, secrets: &mut Secrets) {
    walk(recorded, live, "", true, ids, secrets);
}

fn walk(
    recorded: &Value,
    live: &Value,
    key: &str,
    firm: bool,
    ids: &mut IdMap,
    secrets: &mut Secrets,
) {
    match (recorded, live) {
        (Value::Object(was), Value::Object(now)) => {
            for (name, item) in was {
                if let Some(other) = now.get(name) {
                    walk(item, other, name, firm, ids, secrets);
                }
            }
        }
        (Value::Array(was), Value::Array(now)) => {
            for (recorded, live, guess) in pair_elements(was, now, ids) {
                walk(recorded, live, key, firm && !guess, ids, secrets);
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
                if is_id_key(key) || is_uuid(was) {
                    if firm {
                        ids.insert(was, now);
                    } else {
                        ids.guess(was, now);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Pairs the elements of a recorded list with the live list's, each live
/// element used once: by `id` (equal, or mapped), then by `name`, then in
/// order with the elements left, but only when as many are left on both
/// sides (a list answered while other tests created or deleted things in
/// another order than recorded holds other elements, which must not stand
/// for each other). The flag tells a pairing by order of several elements
/// (a guess); one element left on each side is taken as the same thing
/// (a list filtered down to it).
fn pair_elements<'a>(
    recorded: &'a [Value],
    live: &'a [Value],
    ids: &IdMap,
) -> Vec<(&'a Value, &'a Value, bool)> {
    let mut taken = vec![false; live.len()];
    let mut pairs: Vec<Option<(usize, bool)>> = vec![None; recorded.len()];
    let field = |value: &'a Value, name: &str| value.get(name).and_then(Value::as_str);
    // By id, those the current test paired first, then the most recently
    // paired: two recorded ids may stand for one live id (VMs placed on
    // other hosts live than recorded map a recorded host to the live host
    // of each), and the test's own, latest pairing is the one that holds.
    let mut by_recency: Vec<usize> = (0..recorded.len()).collect();
    by_recency.sort_by_key(|&r| {
        std::cmp::Reverse(field(&recorded[r], "id").map_or((false, 0), |id| ids.claim(id)))
    });
    for r in by_recency {
        let Some(id) = field(&recorded[r], "id") else {
            continue;
        };
        let wanted = ids.get(id).unwrap_or(id);
        if let Some(index) =
            (0..live.len()).find(|&i| !taken[i] && field(&live[i], "id") == Some(wanted))
        {
            taken[index] = true;
            pairs[r] = Some((index, false));
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
            *slot = Some((index, false));
        }
    }
    let free: Vec<usize> = (0..live.len()).filter(|&i| !taken[i]).collect();
    let unpaired = pairs.iter().filter(|slot| slot.is_none()).count();
    if unpaired == free.len() {
        let guess = unpaired > 1;
        let mut free = free.into_iter();
        for slot in pairs.iter_mut().filter(|slot| slot.is_none()) {
            *slot = free.next().map(|index| (index, guess));
        }
    }
    pairs
        .into_iter()
        .zip(recorded)
        .filter_map(|(slot, element)| slot.map(|(index, guess)| (element, &live[index], guess)))
        .collect()
}

/// The parameters of a recorded request as sent live: ids mapped (whole
/// values and comma-separated items, map parameters such as
/// `tags[0].value` alike), placeholders replaced by their bound values.
/// A placeholder not bound yet (a password or the user data the test
/// chose) gets a new value from `invent`, given the parameter's name and
/// the placeholder's number, bound for the rest of the cassette; a bare
/// `***` (cassettes of format 1, whose masks carry no number) gets a new
/// value each time.
pub fn live_params(
    recorded: &BTreeMap<String, String>,
    ids: &IdMap,
    secrets: &mut Secrets,
    mut invent: impl FnMut(&str, u32) -> String,
) -> Vec<(String, String)> {
    recorded
        .iter()
        .map(|(name, value)| {
            let value = if value == marvin_core::redact::MASK {
                invent(name, 0)
            } else {
                let mapped = ids.apply(value);
                scrub::replace_placeholders(&mapped, |n| {
                    Some(secrets.entry(n).or_insert_with(|| invent(name, n)).clone())
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
    fn the_latest_pairing_of_a_reused_id_holds() {
        // A released address keeps its id and is handed out again while
        // recording; live, the second acquisition gets another address.
        let mut ids = IdMap::new();
        let answer = |id: &str| json!({"r": {"id": id}});
        learn(&answer(A), &answer(X), &mut ids, &mut Secrets::new());
        learn(&answer(A), &answer(Y), &mut ids, &mut Secrets::new());
        assert_eq!(ids.get(A), Some(Y));
    }

    #[test]
    fn a_list_holding_other_elements_pairs_none_by_order() {
        // Recorded while another test's project existed, answered live
        // before it was made: the one live element is not that project.
        let mut ids = IdMap::new();
        ids.insert("r-old", "l-old");
        let recorded =
            json!([{"id": "r-new", "name": "p-new"}, {"id": "r-gone", "name": "p-gone"}]);
        let live = json!([{"id": "l-other", "name": "p-other"}]);
        learn(&recorded, &live, &mut ids, &mut Secrets::new());
        assert_eq!(ids.get("r-new"), None);
        assert_eq!(ids.get("r-gone"), None);
        // One element left on each side is the same thing, even when its
        // recorded id stood for something else before (a source NAT
        // address reusing a released address's id).
        ids.insert("r-nat", "l-released");
        learn(
            &json!([{"id": "r-nat"}]),
            &json!([{"id": "l-nat"}]),
            &mut ids,
            &mut Secrets::new(),
        );
        assert_eq!(ids.get("r-nat"), Some("l-nat"));
    }

    #[test]
    fn the_latest_pairing_claims_a_live_element_first() {
        // Host h-b was paired with live host l-1 by one VM, then h-a by the
        // VM at hand: in a list of both hosts, h-a is l-1 and h-b the other.
        let mut ids = IdMap::new();
        ids.insert("h-b", "l-1");
        ids.insert("h-a", "l-1");
        learn(
            &json!([{"id": "h-b", "name": "rb"}, {"id": "h-a", "name": "ra"}]),
            &json!([{"id": "l-1", "name": "x1"}, {"id": "l-2", "name": "x2"}]),
            &mut ids,
            &mut Secrets::new(),
        );
        assert_eq!(ids.get("h-a"), Some("l-1"));
        assert_eq!(ids.get("h-b"), Some("l-2"));
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
        let sent = live_params(&recorded, &ids, &mut secrets, |_, n| {
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
