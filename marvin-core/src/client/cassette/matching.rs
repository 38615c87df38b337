//! Which recorded interaction answers a request on replay.
//!
//! A request matches a recorded one when the command is the same (ignoring
//! case), the parameter names are the same (ignoring case; the parameters
//! of [`IGNORED`] left out), and every value matches:
//!
//! - a value equal to the recorded one (after the map below) matches;
//! - a secret or user-data value (masked in the file) matches whatever it is;
//! - a value the recorded test **made up** may differ, one to one: a
//!   recorded value that first appears in a request, never in an earlier
//!   answer of the recording (names from `sequence()`, fake e-mails and
//!   descriptions carry the run and random parts, so they differ on every
//!   run), matches a value of this run that no replayed answer held, unless
//!   either is a literal (`true`, `false`, empty, a number below 100). The
//!   pair is then bound: from there on the recorded value stands for this
//!   run's value in both directions (in later requests, and in the answers
//!   replayed, so the test sees its own names).
//!
//! Values the cloud gave (ids, names it answered, job ids) must match
//! exactly; as the replayed answers are the recorded ones, a test that
//! feeds one answer into its next call sends the recorded id again. Among
//! the unused recorded interactions that match, the one with the fewest
//! bound differences wins, then the earliest: identical requests (polls of
//! one job) are answered in the recorded order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::scrub;
use super::{Interaction, RecordedRequest};

/// Parameters that never take part in matching (and are not recorded):
/// the authentication, which differs on every run, and the answer format.
pub const IGNORED: [&str; 6] = [
    "apikey",
    "signature",
    "signatureversion",
    "expires",
    "sessionkey",
    "response",
];

/// True when `name` is one of [`IGNORED`] (ignoring case).
pub(super) fn is_ignored(name: &str) -> bool {
    IGNORED
        .iter()
        .any(|ignored| ignored.eq_ignore_ascii_case(name))
}

/// Values that must match exactly even when the test made them up.
fn is_literal(value: &str) -> bool {
    value.is_empty()
        || value.eq_ignore_ascii_case("true")
        || value.eq_ignore_ascii_case("false")
        || (value.len() <= 2 && value.bytes().all(|b| b.is_ascii_digit()))
}

/// A request as matching sees it: command and parameters by lower-cased
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Key {
    pub command: String,
    pub params: BTreeMap<String, String>,
}

impl Key {
    pub(super) fn of(request: &RecordedRequest) -> Self {
        Self {
            command: request.command.to_ascii_lowercase(),
            params: request
                .params
                .iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                .collect(),
        }
    }
}

/// The replay state of one cassette: which interactions were used, the
/// values bound so far, and what the recording made up.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    keys: Vec<Key>,
    used: Vec<bool>,
    /// Recorded values the recorded test made up (first seen in a request).
    made_up: HashSet<String>,
    /// Every string the recording's answers held so far (for `made_up`).
    answered: HashSet<String>,
    /// Recorded value → this run's value.
    to_live: HashMap<String, String>,
    /// This run's value → recorded value.
    to_recorded: HashMap<String, String>,
    /// Strings of the answers replayed to this run.
    served: HashSet<String>,
}

/// The outcome of a lookup.
#[derive(Debug)]
pub(super) enum Lookup {
    /// The index of the interaction that answers.
    Hit(usize),
    /// No interaction answers; the text says why, with a diff against the
    /// nearest recorded request.
    Miss(String),
}

impl Matcher {
    /// A matcher over recorded interactions, none used yet.
    pub(super) fn new(interactions: &[Interaction]) -> Self {
        let mut matcher = Self::default();
        for interaction in interactions {
            matcher.push(interaction, false);
        }
        matcher
    }

    /// Adds an interaction (`used`: recorded by this run, never replayed).
    pub(super) fn push(&mut self, interaction: &Interaction, used: bool) {
        let key = Key::of(&interaction.request);
        for (name, value) in &key.params {
            if !scrub::is_masked_param(name) && !self.answered.contains(value) {
                self.made_up.insert(value.clone());
            }
        }
        if let Some(body) = &interaction.response.body {
            strings(body, &mut |s| {
                self.answered.insert(s.to_owned());
            });
        }
        self.keys.push(key);
        self.used.push(used);
    }

    /// How many interactions were not used yet.
    pub(super) fn unused(&self) -> usize {
        self.used.iter().filter(|used| !**used).count()
    }

    /// How `live` compares with the recorded `recorded`: `None` when it does
    /// not match, else the pairs it would bind.
    fn compare(&self, live: &Key, recorded: &Key) -> Option<Vec<(String, String)>> {
        if live.command != recorded.command || live.params.len() != recorded.params.len() {
            return None;
        }
        let mut bind: Vec<(String, String)> = Vec::new();
        for ((name, value), (recorded_name, recorded_value)) in
            live.params.iter().zip(&recorded.params)
        {
            if name != recorded_name {
                return None;
            }
            if scrub::is_masked_param(name) || self.translate(value) == recorded_value {
                continue;
            }
            let free = self.made_up.contains(recorded_value)
                && !is_literal(recorded_value)
                && !is_literal(value)
                && !self.to_live.contains_key(recorded_value)
                && !self.to_recorded.contains_key(value)
                && !self.served.contains(value);
            let consistent = bind
                .iter()
                .all(|(r, l)| (r == recorded_value) == (l == value));
            if !free || !consistent {
                return None;
            }
            if !bind.iter().any(|(r, _)| r == recorded_value) {
                bind.push((recorded_value.clone(), value.clone()));
            }
        }
        Some(bind)
    }

    /// This run's value as the recording knew it.
    fn translate<'a>(&'a self, live: &'a str) -> &'a str {
        self.to_recorded.get(live).map_or(live, String::as_str)
    }

    /// Finds the interaction that answers `live`, marks it used and binds
    /// its made-up values.
    pub(super) fn lookup(&mut self, live: &Key) -> Lookup {
        let mut best: Option<(usize, Vec<(String, String)>)> = None;
        for (index, recorded) in self.keys.iter().enumerate() {
            if self.used[index] {
                continue;
            }
            if let Some(bind) = self.compare(live, recorded) {
                let better = best
                    .as_ref()
                    .is_none_or(|(_, best_bind)| bind.len() < best_bind.len());
                if better {
                    let exact = bind.is_empty();
                    best = Some((index, bind));
                    if exact {
                        break;
                    }
                }
            }
        }
        match best {
            Some((index, bind)) => {
                self.used[index] = true;
                for (recorded, live) in bind {
                    self.to_recorded.insert(live.clone(), recorded.clone());
                    self.to_live.insert(recorded, live);
                }
                Lookup::Hit(index)
            }
            None => Lookup::Miss(self.explain_miss(live)),
        }
    }

    /// Rewrites a recorded answer for this run: every string equal to a
    /// bound recorded value becomes this run's value, and a long bound
    /// value inside a longer string is replaced too. Remembers the strings
    /// served.
    pub(super) fn answer_for_this_run(&mut self, body: &Value) -> Value {
        let mut out = body.clone();
        map_strings(&mut out, &mut |s| {
            if let Some(live) = self.to_live.get(s.as_str()) {
                *s = live.clone();
                return;
            }
            for (recorded, live) in &self.to_live {
                if recorded.len() >= LONG_VALUE && s.contains(recorded.as_str()) {
                    *s = s.replace(recorded.as_str(), live);
                }
            }
        });
        strings(&out, &mut |s| {
            self.served.insert(s.to_owned());
        });
        out
    }

    /// The miss message: the request, and a diff against the nearest
    /// recorded request of the same command.
    fn explain_miss(&self, live: &Key) -> String {
        let mut text = format!("no recorded answer for {}", describe(live));
        let nearest = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.command == live.command)
            .min_by_key(|(index, key)| (self.distance(live, key), self.used[*index]));
        match nearest {
            Some((index, recorded)) => {
                let state = if self.used[index] {
                    "already replayed"
                } else {
                    "not replayed yet"
                };
                let _ = writeln!(
                    text,
                    "\nnearest recorded request (interaction #{index}, {state}); - recorded, + this run:"
                );
                let _ = writeln!(text, "  command={}", recorded.command);
                let names: std::collections::BTreeSet<&String> =
                    recorded.params.keys().chain(live.params.keys()).collect();
                for name in names {
                    let shown = |value: &str| {
                        if scrub::is_masked_param(name) {
                            crate::redact::MASK.to_owned()
                        } else {
                            value.to_owned()
                        }
                    };
                    let was = recorded.params.get(name).map(|v| shown(v));
                    let is = live.params.get(name).map(|v| shown(self.translate(v)));
                    if was == is {
                        let _ = writeln!(text, "  {name}={}", was.unwrap_or_default());
                        continue;
                    }
                    if let Some(was) = was {
                        let _ = writeln!(text, "- {name}={was}");
                    }
                    if let Some(is) = is {
                        let _ = writeln!(text, "+ {name}={is}");
                    }
                }
            }
            None => {
                let mut commands: Vec<&str> =
                    self.keys.iter().map(|k| k.command.as_str()).collect();
                commands.sort_unstable();
                commands.dedup();
                let _ = write!(
                    text,
                    "\nthe cassette has no {} request (it holds: {})",
                    live.command,
                    if commands.is_empty() {
                        "nothing".to_owned()
                    } else {
                        commands.join(", ")
                    }
                );
            }
        }
        text.trim_end().to_owned()
    }

    /// How many parameters differ (after translation).
    fn distance(&self, live: &Key, recorded: &Key) -> usize {
        let names: HashSet<&String> = live.params.keys().chain(recorded.params.keys()).collect();
        names
            .into_iter()
            .filter(
                |name| match (live.params.get(*name), recorded.params.get(*name)) {
                    (Some(l), Some(r)) => !scrub::is_masked_param(name) && self.translate(l) != r,
                    _ => true,
                },
            )
            .count()
    }
}

/// Bound values at least this long are replaced inside longer strings too
/// (they are unique enough not to hit anything else).
const LONG_VALUE: usize = 12;

/// `command(name=value, ...)` with secrets masked.
fn describe(key: &Key) -> String {
    let params: Vec<String> = key
        .params
        .iter()
        .map(|(name, value)| {
            if scrub::is_masked_param(name) {
                format!("{name}={}", crate::redact::MASK)
            } else {
                format!("{name}={value}")
            }
        })
        .collect();
    format!("{}({})", key.command, params.join(", "))
}

/// Calls `f` on every string of a JSON value.
pub(super) fn strings(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|item| strings(item, f)),
        Value::Object(map) => map.values().for_each(|item| strings(item, f)),
        _ => {}
    }
}

fn map_strings(value: &mut Value, f: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|item| map_strings(item, f)),
        Value::Object(map) => map.values_mut().for_each(|item| map_strings(item, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::RecordedResponse;
    use super::*;

    fn interaction(command: &str, params: &[(&str, &str)], body: Value) -> Interaction {
        Interaction {
            request: RecordedRequest {
                method: "GET".into(),
                command: command.into(),
                params: params
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                    .collect(),
            },
            response: RecordedResponse {
                status: 200,
                body: Some(body),
                text: None,
            },
        }
    }

    fn key(command: &str, params: &[(&str, &str)]) -> Key {
        Key::of(&interaction(command, params, Value::Null).request)
    }

    #[test]
    fn made_up_names_bind_once_and_ids_must_match() {
        let recorded = [
            interaction(
                "createAccount",
                &[("username", "user-ab12-x8f2pq-0"), ("password", "***")],
                json!({"account": {"id": "acc-1", "name": "user-ab12-x8f2pq-0"}}),
            ),
            interaction(
                "listAccounts",
                &[("id", "acc-1"), ("name", "user-ab12-x8f2pq-0")],
                json!({"account": [{"id": "acc-1"}]}),
            ),
        ];
        let mut matcher = Matcher::new(&recorded);
        let live = key(
            "createAccount",
            &[("username", "user-zz99-q1w2e3-4"), ("password", "s3cret!")],
        );
        assert!(matches!(matcher.lookup(&live), Lookup::Hit(0)));
        let answer = matcher.answer_for_this_run(recorded[0].response.body.as_ref().unwrap());
        assert_eq!(answer["account"]["name"], "user-zz99-q1w2e3-4");
        // A server id that differs is a miss, with the diff.
        let wrong = key(
            "listAccounts",
            &[("id", "acc-2"), ("name", "user-zz99-q1w2e3-4")],
        );
        let Lookup::Miss(text) = matcher.lookup(&wrong) else {
            panic!("a foreign id matched");
        };
        assert!(
            text.contains("- id=acc-1") && text.contains("+ id=acc-2"),
            "{text}"
        );
        assert!(text.contains("  name=user-ab12-x8f2pq-0"), "{text}");
        let right = key(
            "listAccounts",
            &[("id", "acc-1"), ("name", "user-zz99-q1w2e3-4")],
        );
        assert!(matches!(matcher.lookup(&right), Lookup::Hit(1)));
    }

    #[test]
    fn identical_requests_replay_in_order_and_run_out() {
        let poll = |status: i64| {
            interaction(
                "queryAsyncJobResult",
                &[("jobid", "j1")],
                json!({"jobstatus": status}),
            )
        };
        let recorded = [poll(0), poll(0), poll(1)];
        let mut matcher = Matcher::new(&recorded);
        let live = key("queryAsyncJobResult", &[("jobid", "j1")]);
        let order: Vec<usize> = (0..3)
            .map(|_| match matcher.lookup(&live) {
                Lookup::Hit(index) => index,
                Lookup::Miss(text) => panic!("{text}"),
            })
            .collect();
        assert_eq!(order, [0, 1, 2]);
        let Lookup::Miss(text) = matcher.lookup(&live) else {
            panic!("a fourth poll was answered");
        };
        assert!(text.contains("already replayed"), "{text}");
    }

    #[test]
    fn literals_and_changed_names_never_bind() {
        let recorded = [interaction(
            "listZones",
            &[("available", "true"), ("page", "1")],
            json!({}),
        )];
        let mut matcher = Matcher::new(&recorded);
        assert!(matches!(
            matcher.lookup(&key("listZones", &[("available", "false"), ("page", "1")])),
            Lookup::Miss(_)
        ));
        assert!(matches!(
            matcher.lookup(&key("listZones", &[("available", "true"), ("page", "2")])),
            Lookup::Miss(_)
        ));
        assert!(matches!(
            matcher.lookup(&key("listZones", &[("AVAILABLE", "true"), ("page", "1")])),
            Lookup::Hit(0)
        ));
        let Lookup::Miss(text) = matcher.lookup(&key("listHosts", &[])) else {
            panic!("another command matched");
        };
        assert!(text.contains("holds: listzones"), "{text}");
    }

    #[test]
    fn a_value_from_an_answer_is_not_made_up() {
        let recorded = [
            interaction("listZones", &[], json!({"zone": [{"id": "z-1"}]})),
            interaction("listPods", &[("zoneid", "z-1xxxxxxxx")], json!({})),
            interaction("listHosts", &[("zoneid", "z-1")], json!({})),
        ];
        let mut matcher = Matcher::new(&recorded);
        assert!(matches!(
            matcher.lookup(&key("listZones", &[])),
            Lookup::Hit(0)
        ));
        assert!(matches!(
            matcher.lookup(&key("listHosts", &[("zoneid", "z-9")])),
            Lookup::Miss(_)
        ));
    }
}
