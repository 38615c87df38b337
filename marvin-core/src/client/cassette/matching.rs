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
//!   run), matches a value of this run, unless either is a literal
//!   (`true`, `false`, empty, a number below 100). The pair is then bound:
//!   from there on the recorded value stands for this run's value in both
//!   directions (in later requests, and in the answers replayed, so the
//!   test sees its own names). Random data collides now and then, in either
//!   run (two fake people with one surname), so a value already bound on
//!   either side (or held by a replayed answer) may be bound a second time,
//!   at a higher cost; an equal made-up value costs a binding too (equal by
//!   chance proves nothing).
//!
//! Secrets are placeholders in the file ([`scrub::placeholder`]). A masked
//! parameter matches whatever this run sends, and its placeholder is then
//! bound to this run's value; a placeholder first met in an answer (the keys
//! of `registerUserKeys`, a private key, a reset password) is answered with
//! a made-up value of this run, bound the same way. The caller must match:
//! a request recorded as signed with the keys of placeholder N matches only
//! a request signed with the keys N is bound to (or, N unbound, with keys no
//! placeholder is bound to yet), so a call with a replaced pair of keys
//! is told from the call with the new pair.
//!
//! Values the cloud gave (ids, names it answered, job ids) must match
//! exactly; as the replayed answers are the recorded ones, a test that
//! feeds one answer into its next call sends the recorded id again. Among
//! the unused recorded interactions that match, the one with the fewest
//! bound differences wins, then the one sent first in the recording: identical requests (polls of
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
    /// Who called: the API key or session key (a placeholder when
    /// recorded, the value when sent by this run).
    pub caller: Option<String>,
}

impl Key {
    /// The key of a recorded request.
    pub(super) fn of(request: &RecordedRequest) -> Self {
        let caller = request
            .caller
            .as_ref()
            .and_then(|caller| caller.identity().map(String::from));
        Self::with_caller(request, caller)
    }

    /// The key of a request this run sends (as [`scrub::request_as_sent`]
    /// decoded it), signed by `caller`.
    pub(super) fn sent(request: &RecordedRequest, caller: Option<&str>) -> Self {
        Self::with_caller(request, caller.map(String::from))
    }

    fn with_caller(request: &RecordedRequest, caller: Option<String>) -> Self {
        Self {
            command: request.command.to_ascii_lowercase(),
            params: request
                .params
                .iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                .collect(),
            caller,
        }
    }
}

/// What a match would bind: recorded made-up values to this run's, and
/// secret placeholders to this run's secrets.
#[derive(Debug, Default)]
struct Binding {
    values: Vec<(String, String)>,
    secrets: Vec<(u32, String)>,
    /// Whether the caller was bound by this match (not before it).
    new_caller: bool,
    /// How many recorded values, bound already, take a second value.
    rebound: usize,
}

impl Binding {
    /// How far from an exact match: the fewer, the better.
    fn cost(&self) -> usize {
        self.values.len() + self.rebound + usize::from(self.new_caller)
    }
}

/// The replay state of one cassette: which interactions were used, the
/// values bound so far, and what the recording made up.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    keys: Vec<Key>,
    used: Vec<bool>,
    /// When each request was sent in the recording ([`Interaction::seq`],
    /// else its place): among equally good matches, the one sent first
    /// answers, so that requests a test sends in a fixed order (the VMs of
    /// a batch) find their own answers even when the recorded answers
    /// came in another order.
    sent: Vec<u64>,
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
    /// Secret placeholder number → this run's value.
    secret_values: HashMap<u32, String>,
    /// This run's secret value → its placeholder number.
    secret_numbers: HashMap<String, u32>,
    /// What this cassette's made-up secrets end with (unique per cassette).
    salt: Option<String>,
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
        self.sent
            .push(interaction.seq.unwrap_or(self.keys.len() as u64));
        self.keys.push(key);
        self.used.push(used);
    }

    /// How many interactions were not used yet.
    pub(super) fn unused(&self) -> usize {
        self.used.iter().filter(|used| !**used).count()
    }

    /// How `live` compares with the recorded `recorded`: `None` when it does
    /// not match, else what it would bind.
    fn compare(&self, live: &Key, recorded: &Key) -> Option<Binding> {
        if live.command != recorded.command || live.params.len() != recorded.params.len() {
            return None;
        }
        let mut binding = Binding::default();
        if let Some(recorded_caller) = &recorded.caller {
            let live_caller = live.caller.as_deref()?;
            // A bare mask (format 1) says nothing of who called.
            if let Some(n) = scrub::placeholder_number(recorded_caller) {
                match self.secret_values.get(&n) {
                    Some(bound) if bound == live_caller => {}
                    Some(_) => return None,
                    None if self.secret_numbers.contains_key(live_caller) => return None,
                    None => {
                        binding.secrets.push((n, live_caller.to_owned()));
                        binding.new_caller = true;
                    }
                }
            }
        }
        for ((name, value), (recorded_name, recorded_value)) in
            live.params.iter().zip(&recorded.params)
        {
            if name != recorded_name {
                return None;
            }
            if scrub::is_masked_param(name) {
                if let Some(n) = scrub::placeholder_number(recorded_value) {
                    if !self.secret_values.contains_key(&n) {
                        binding.secrets.push((n, value.clone()));
                    }
                }
                continue;
            }
            if self.translate(value) == recorded_value {
                // A made-up value not bound yet equals this run's by chance
                // (two runs drew the same fake first name) or by design (a
                // fixed name): either way no evidence that this is the
                // request, so it costs what a binding costs, and the request
                // sent first in the recording wins among equals.
                let unproven = self.made_up.contains(recorded_value)
                    && !is_literal(recorded_value)
                    && !self.to_live.contains_key(recorded_value);
                if unproven && !binding.values.iter().any(|(r, _)| r == recorded_value) {
                    binding.values.push((recorded_value.clone(), value.clone()));
                }
                continue;
            }
            // Random data collides now and then, in the recording (two fake
            // people with one surname) and in this run (two with one first
            // name): a recorded value already bound may stand for a second
            // value of this run, and a value of this run already bound (or
            // seen in an answer) for a second recorded one. Each costs more
            // than a first binding, so a match that keeps the bindings wins.
            let free = self.made_up.contains(recorded_value)
                && !is_literal(recorded_value)
                && !is_literal(value);
            let bind = &mut binding.values;
            let consistent = bind
                .iter()
                .all(|(r, l)| (r == recorded_value) == (l == value));
            if !free || !consistent {
                return None;
            }
            if self.to_live.contains_key(recorded_value) {
                binding.rebound += 1;
            }
            if self.to_recorded.contains_key(value) || self.served.contains(value) {
                binding.rebound += 1;
            }
            let bind = &mut binding.values;
            if !bind.iter().any(|(r, _)| r == recorded_value) {
                bind.push((recorded_value.clone(), value.clone()));
            }
        }
        Some(binding)
    }

    /// This run's value as the recording knew it.
    fn translate<'a>(&'a self, live: &'a str) -> &'a str {
        self.to_recorded.get(live).map_or(live, String::as_str)
    }

    /// Finds the interaction that answers `live`, marks it used and binds
    /// its made-up values and secrets.
    pub(super) fn lookup(&mut self, live: &Key) -> Lookup {
        let mut best: Option<(usize, Binding)> = None;
        let mut order: Vec<usize> = (0..self.keys.len()).filter(|i| !self.used[*i]).collect();
        order.sort_by_key(|index| self.sent[*index]);
        for index in order {
            let recorded = &self.keys[index];
            if let Some(binding) = self.compare(live, recorded) {
                let better = best
                    .as_ref()
                    .is_none_or(|(_, best)| binding.cost() < best.cost());
                if better {
                    let exact = binding.cost() == 0;
                    best = Some((index, binding));
                    if exact {
                        break;
                    }
                }
            }
        }
        match best {
            Some((index, binding)) => {
                self.used[index] = true;
                for (recorded, live) in binding.values {
                    self.to_recorded.insert(live.clone(), recorded.clone());
                    self.to_live.insert(recorded, live);
                }
                for (n, live) in binding.secrets {
                    self.bind_secret(n, live);
                }
                Lookup::Hit(index)
            }
            None => Lookup::Miss(self.explain_miss(live)),
        }
    }

    fn bind_secret(&mut self, n: u32, live: String) {
        if self.secret_values.contains_key(&n) {
            return;
        }
        self.secret_numbers.entry(live.clone()).or_insert(n);
        self.secret_values.insert(n, live);
    }

    /// This run's value of secret `n`: the bound one, else a new made-up
    /// value (unique to this cassette and number), bound from now on.
    fn secret_for_this_run(&mut self, n: u32) -> String {
        if let Some(value) = self.secret_values.get(&n) {
            return value.clone();
        }
        let salt = self
            .salt
            .get_or_insert_with(|| format!("{:08x}", rand::random::<u32>()))
            .clone();
        let value = format!("replayed-secret-{n}-{salt}");
        self.bind_secret(n, value.clone());
        value
    }

    /// `text` with its placeholders replaced by this run's secrets.
    fn unmask(&mut self, text: &str) -> String {
        scrub::replace_placeholders(text, |n| Some(self.secret_for_this_run(n)))
    }

    /// A recorded answer that is not JSON, for this run.
    pub(super) fn text_for_this_run(&mut self, text: &str) -> String {
        self.unmask(text)
    }

    /// Rewrites a recorded answer for this run: placeholders become this
    /// run's secrets, every string equal to a bound recorded value becomes
    /// this run's value, and a long bound value inside a longer string is
    /// replaced too. Remembers the strings served.
    pub(super) fn answer_for_this_run(&mut self, body: &Value) -> Value {
        let mut out = body.clone();
        scrub::map_strings(&mut out, &mut |s| {
            if scrub::has_placeholder(s) {
                *s = self.unmask(s);
            }
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
                caller: None,
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
            seq: None,
            answered: None,
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
                &[
                    ("username", "user-ab12-x8f2pq-0"),
                    ("password", "***secret-1***"),
                ],
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

    fn signed(mut interaction: Interaction, apikey: &str) -> Interaction {
        interaction.request.caller = Some(super::super::Caller {
            apikey: Some(apikey.into()),
            ..Default::default()
        });
        interaction
    }

    #[test]
    fn secrets_bind_to_this_run_and_tell_callers_apart() {
        let recorded = [
            signed(
                interaction(
                    "registerUserKeys",
                    &[("id", "u-1")],
                    json!({"userkeys": {"apikey": "***secret-2***", "secretkey": "***secret-3***"}}),
                ),
                "***secret-1***",
            ),
            signed(
                interaction("listZones", &[], json!({"zone": [{"id": "z-1"}]})),
                "***secret-2***",
            ),
            signed(
                interaction("listZones", &[], json!({"errorcode": 401})),
                "***secret-4***",
            ),
            signed(
                interaction(
                    "resetPasswordForVirtualMachine",
                    &[("id", "vm-1")],
                    json!({"virtualmachine": {"password": "***secret-5***"}}),
                ),
                "***secret-1***",
            ),
        ];
        let mut matcher = Matcher::new(&recorded);
        let admin = |command: &str, params: &[(&str, &str)]| {
            let mut key = key(command, params);
            key.caller = Some("ADMIN-KEY".into());
            key
        };
        assert!(matches!(
            matcher.lookup(&admin("registerUserKeys", &[("id", "u-1")])),
            Lookup::Hit(0)
        ));
        let answer = matcher.answer_for_this_run(recorded[0].response.body.as_ref().unwrap());
        let user_key = answer["userkeys"]["apikey"].as_str().unwrap().to_owned();
        assert!(user_key.starts_with("replayed-secret-2-"), "{user_key}");
        assert_ne!(
            answer["userkeys"]["secretkey"],
            answer["userkeys"]["apikey"]
        );
        // Signed with the keys answered: the call recorded with them.
        let mut as_user = key("listZones", &[]);
        as_user.caller = Some(user_key.clone());
        assert!(matches!(matcher.lookup(&as_user), Lookup::Hit(1)));
        // The admin key is bound to secret 1: it cannot be secret 4.
        assert!(matches!(
            matcher.lookup(&admin("listZones", &[])),
            Lookup::Miss(_)
        ));
        let mut as_other = key("listZones", &[]);
        as_other.caller = Some("OTHER-KEY".into());
        assert!(matches!(matcher.lookup(&as_other), Lookup::Hit(2)));
        // Two made-up secrets differ.
        assert!(matches!(
            matcher.lookup(&admin("resetPasswordForVirtualMachine", &[("id", "vm-1")])),
            Lookup::Hit(3)
        ));
        let reset = matcher.answer_for_this_run(recorded[3].response.body.as_ref().unwrap());
        let password = reset["virtualmachine"]["password"].as_str().unwrap();
        assert!(password.starts_with("replayed-secret-5-") && password != user_key);
    }

    #[test]
    fn a_secret_sent_is_what_the_answer_echoes() {
        let recorded = [interaction(
            "updateVirtualMachine",
            &[("id", "vm-1"), ("userdata", "***secret-1***")],
            json!({"virtualmachine": {"userdata": "***secret-1***"}}),
        )];
        let mut matcher = Matcher::new(&recorded);
        let live = key(
            "updateVirtualMachine",
            &[("id", "vm-1"), ("userdata", "I2Nsb3VkLWNvbmZpZw==")],
        );
        assert!(matches!(matcher.lookup(&live), Lookup::Hit(0)));
        let answer = matcher.answer_for_this_run(recorded[0].response.body.as_ref().unwrap());
        assert_eq!(answer["virtualmachine"]["userdata"], "I2Nsb3VkLWNvbmZpZw==");
    }

    #[test]
    fn a_recorded_value_made_up_twice_takes_two_values_of_this_run() {
        let recorded = [
            interaction("createAccount", &[("lastname", "Upton")], json!({})),
            interaction("createAccount", &[("lastname", "Upton")], json!({})),
        ];
        let mut matcher = Matcher::new(&recorded);
        let first = key("createAccount", &[("lastname", "Wisozk")]);
        let second = key("createAccount", &[("lastname", "Kuhn")]);
        assert!(matches!(matcher.lookup(&first), Lookup::Hit(0)));
        assert!(matches!(matcher.lookup(&second), Lookup::Hit(1)));
    }

    #[test]
    fn a_fake_value_equal_by_chance_does_not_pick_a_later_request() {
        let recorded = [
            interaction(
                "createAccount",
                &[("firstname", "Ann"), ("username", "user-r-1")],
                json!({}),
            ),
            interaction(
                "createAccount",
                &[("firstname", "Raquel"), ("username", "user-r-2")],
                json!({}),
            ),
        ];
        let mut matcher = Matcher::new(&recorded);
        // This run's first account drew the second recorded one's name.
        let first = key(
            "createAccount",
            &[("firstname", "Raquel"), ("username", "user-l-1")],
        );
        assert!(matches!(matcher.lookup(&first), Lookup::Hit(0)));
    }

    #[test]
    fn a_value_of_this_run_drawn_twice_stands_for_two_recorded_ones() {
        let recorded = [
            interaction(
                "createAccount",
                &[("firstname", "Ann")],
                json!({"account": {"firstname": "Ann"}}),
            ),
            interaction("createAccount", &[("firstname", "Tracy")], json!({})),
        ];
        let mut matcher = Matcher::new(&recorded);
        let lee = key("createAccount", &[("firstname", "Lee")]);
        assert!(matches!(matcher.lookup(&lee), Lookup::Hit(0)));
        matcher.answer_for_this_run(recorded[0].response.body.as_ref().unwrap());
        // The second account drew the same first name in this run.
        assert!(matches!(matcher.lookup(&lee), Lookup::Hit(1)));
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
