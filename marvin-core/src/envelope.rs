//! Decoding CloudStack's JSON answers: the response envelope, errors, lists,
//! single entities, success answers and async job results.
//!
//! These are pure functions over [`serde_json::Value`]; the client applies
//! them to every answer, and they are tested on real sample bodies.
//!
//! [`decode_body`] and [`decode_body_as`] read a body in one pass: the
//! envelope's other keys are skipped without building anything, the answer
//! is built straight from the bytes (a [`Value`], or the caller's type), and
//! the error check looks at the answer's own keys while it is built. Error
//! answers, which are small, are then read again the slow way to describe
//! them.
//!
//! ```
//! use marvin_core::envelope::{decode_body, list_page};
//! let body = br#"{"listzonesresponse":{"count":1,"zone":[{"id":"z1"}]}}"#;
//! let inner = decode_body("listZones", 200, body, &[] as &[&str]).unwrap();
//! let page = list_page("listZones", &inner).unwrap();
//! assert_eq!(page.count, Some(1));
//! assert_eq!(page.items[0]["id"], "z1");
//! ```

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::codes::{CsErrorCode, ErrorCode};
use crate::error::{Error, Result};
use crate::redact;

/// How many characters of a body an error shows at most.
pub const SNIPPET_CHARS: usize = 200;

/// The envelope key a command answers under: its lower-cased name followed
/// by `response` (`listZones` -> `listzonesresponse`).
pub fn response_key(command: &str) -> String {
    format!("{}response", command.to_ascii_lowercase())
}

/// Finds the answer inside an envelope. In order: the command's own key
/// (ignoring case), `errorresponse`, the single key ending in `response`
/// (ignoring case, as CloudMonkey does: a few commands answer under another
/// name, `listVPCs` under `listvpcresponse`), and finally the single key of
/// the envelope if its value is an object (as the `cs` library does).
pub fn find_response<'a>(command: &str, envelope: &'a Value) -> Option<(&'a str, &'a Value)> {
    let map = envelope.as_object()?;
    if let Some(found) = map.iter().find(|(name, _)| is_own_key(command, name)) {
        return Some((found.0.as_str(), found.1));
    }
    if let Some(found) = map.get_key_value(ERROR_RESPONSE) {
        return Some((found.0.as_str(), found.1));
    }
    let mut responses = map.iter().filter(|(name, _)| is_response_key(name));
    if let (Some(found), None) = (responses.next(), responses.next()) {
        return Some((found.0.as_str(), found.1));
    }
    if map.len() == 1 {
        let (name, value) = map.iter().next()?;
        if value.is_object() {
            return Some((name.as_str(), value));
        }
    }
    None
}

/// The envelope key of errors of unknown commands.
const ERROR_RESPONSE: &str = "errorresponse";

/// `key` is `command` + `response`, ignoring ASCII case.
fn is_own_key(command: &str, key: &str) -> bool {
    let (command, key) = (command.as_bytes(), key.as_bytes());
    key.len() == command.len() + RESPONSE.len()
        && key[..command.len()].eq_ignore_ascii_case(command)
        && key[command.len()..].eq_ignore_ascii_case(RESPONSE)
}

/// `key` ends in `response`, ignoring ASCII case.
fn is_response_key(key: &str) -> bool {
    let key = key.as_bytes();
    key.len() >= RESPONSE.len() && key[key.len() - RESPONSE.len()..].eq_ignore_ascii_case(RESPONSE)
}

const RESPONSE: &[u8] = b"response";

/// Takes the answer out of an envelope (see [`find_response`]).
pub fn take_response(command: &str, mut envelope: Value) -> Option<Value> {
    let key = find_response(command, &envelope)?.0.to_owned();
    envelope.as_object_mut()?.remove(&key)
}

/// The error carried by an answer: `errorcode` (with `cserrorcode` and
/// `errortext`) inside the envelope's object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    /// The `errorcode`.
    pub code: ErrorCode,
    /// The `cserrorcode`, if any.
    pub cs_code: Option<CsErrorCode>,
    /// The `errortext` (empty if missing).
    pub text: String,
}

/// The error in an answer, if `errorcode` is present (number or numeric
/// string).
pub fn api_fault(inner: &Value) -> Option<ApiFault> {
    let code = as_u64(inner.get("errorcode")?)?;
    let code = ErrorCode::from_u16(u16::try_from(code).unwrap_or(u16::MAX));
    let cs_code = inner
        .get("cserrorcode")
        .and_then(as_u64)
        .map(|c| CsErrorCode::from_u32(u32::try_from(c).unwrap_or(u32::MAX)));
    let text = inner
        .get("errortext")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some(ApiFault {
        code,
        cs_code,
        text,
    })
}

/// Decodes a whole answer: parses the body, finds the envelope, turns
/// `errorcode` answers and HTTP error statuses into [`Error::Api`], and
/// returns the inner object (`{"count":2,"zone":[..]}`, `{"account":{..}}`,
/// `{"jobid":".."}`, the `loginresponse` object...).
///
/// `secrets` are values the call sent that must not show up in errors.
pub fn decode_body<S: AsRef<str>>(
    command: &str,
    status: u16,
    body: &[u8],
    secrets: &[S],
) -> Result<Value> {
    decode_with(command, status, body, secrets, ValueSeed)
}

/// [`decode_body`] straight into `T`, without a [`Value`] in between: the
/// answer's object (what [`decode_body`] returns) is deserialized as `T`.
/// Keys that `T` does not declare are skipped; the envelope and the errors
/// are checked exactly as [`decode_body`] checks them. `T` must deserialize
/// from a JSON object (a struct, a map, a [`Value`]).
///
/// An answer that is not an error but does not fit `T` is an
/// [`Error::Decode`] carrying serde's message.
///
/// ```
/// use marvin_core::envelope::decode_body_as;
/// #[derive(serde::Deserialize)]
/// struct Zones { count: u64, zone: Vec<Zone> }
/// #[derive(serde::Deserialize)]
/// struct Zone { id: String }
/// let body = br#"{"listzonesresponse":{"count":1,"zone":[{"id":"z1","name":"Z"}]}}"#;
/// let zones: Zones = decode_body_as("listZones", 200, body, &[] as &[&str]).unwrap();
/// assert_eq!((zones.count, zones.zone[0].id.as_str()), (1, "z1"));
///
/// let error = br#"{"listzonesresponse":{"errorcode":431,"errortext":"bad id"}}"#;
/// let Err(err) = decode_body_as::<Zones, _>("listZones", 431, error, &[] as &[&str]) else {
///     panic!("an error answer")
/// };
/// assert_eq!(err.status(), Some(431));
/// ```
pub fn decode_body_as<T: DeserializeOwned, S: AsRef<str>>(
    command: &str,
    status: u16,
    body: &[u8],
    secrets: &[S],
) -> Result<T> {
    decode_with(command, status, body, secrets, PhantomData::<T>)
}

/// The one-pass decoder behind [`decode_body`] and [`decode_body_as`].
///
/// A 2xx answer is read once: the envelope map is walked, the answer under
/// the command's own key is built by `seed` while its keys are watched for
/// `errorcode`, every other key is skipped (kept as raw text in case the
/// fallbacks of [`find_response`] need it). Anything unusual (an error
/// status, `errorcode`, no usable key, JSON that does not fit) is handed to
/// the reference decoder over a [`Value`] tree, which describes the error;
/// if it finds none, the answer stands (or the seed's own error is the
/// reason).
fn decode_with<'de, D, S>(
    command: &str,
    status: u16,
    body: &'de [u8],
    secrets: &[S],
    seed: D,
) -> Result<D::Value>
where
    D: DeserializeSeed<'de>,
    S: AsRef<str>,
{
    if !(200..300).contains(&status) {
        // Every error status ends in an error; the reference decoder names it.
        return Err(decode_tree(command, status, body, secrets)
            .err()
            .unwrap_or_else(|| status_error(command, status, "")));
    }
    let fast = std::str::from_utf8(body)
        .map_err(|_| None)
        .and_then(|text| read_envelope(command, text, seed).map_err(Some));
    match fast {
        Ok(Read {
            value,
            saw_error_code: false,
        }) => Ok(value),
        // `errorcode` among the answer's keys: an error, unless its value is
        // not a number (then the reference decoder lets the answer stand).
        Ok(Read { value, .. }) => decode_tree(command, status, body, secrets).map(|_| value),
        Err(reason) => {
            let inner = decode_tree(command, status, body, secrets)?;
            let source = reason.unwrap_or_else(|| de::Error::custom("the answer is not UTF-8"));
            Err(Error::Decode {
                command: command.to_owned(),
                reason: format!("the answer does not have the expected shape: {source}"),
                snippet: json_snippet(&inner, secrets),
                source: Some(source),
            })
        }
    }
}

/// What [`read_envelope`] produced.
struct Read<T> {
    value: T,
    /// The answer's object had an `errorcode` key.
    saw_error_code: bool,
}

/// Reads an envelope in one pass (see [`decode_with`]).
fn read_envelope<'de, D: DeserializeSeed<'de>>(
    command: &str,
    text: &'de str,
    seed: D,
) -> serde_json::Result<Read<D::Value>> {
    let saw_error_code = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let found = deserializer.deserialize_map(EnvelopeVisitor {
        command,
        seed,
        saw_error_code: &saw_error_code,
    })?;
    deserializer.end()?;
    let value = match found {
        Found::Answer(value) => value,
        Found::Elsewhere { seed, others } => {
            // The fallbacks of `find_response`, on the raw values.
            let chosen = others
                .iter()
                .find(|(key, _)| key == ERROR_RESPONSE)
                .or_else(|| {
                    let mut responses = others.iter().filter(|(key, _)| is_response_key(key));
                    match (responses.next(), responses.next()) {
                        (Some(only), None) => Some(only),
                        _ => None,
                    }
                })
                .or_else(|| match others.as_slice() {
                    [only] if only.1.get().trim_start().starts_with('{') => Some(only),
                    _ => None,
                });
            let Some((_, raw)) = chosen else {
                return Err(de::Error::custom("no response key"));
            };
            let mut inner = serde_json::Deserializer::from_str(raw.get());
            let value = seed.deserialize(Watched {
                inner: &mut inner,
                saw_error_code: &saw_error_code,
            })?;
            inner.end()?;
            value
        }
    };
    Ok(Read {
        value,
        saw_error_code: saw_error_code.get(),
    })
}

enum Found<'de, D: DeserializeSeed<'de>> {
    /// The answer under the command's own key.
    Answer(D::Value),
    /// No own key: the other keys, raw, for the fallbacks.
    Elsewhere {
        seed: D,
        others: Vec<(String, &'de RawValue)>,
    },
}

struct EnvelopeVisitor<'a, D> {
    command: &'a str,
    seed: D,
    saw_error_code: &'a Cell<bool>,
}

impl<'de, D: DeserializeSeed<'de>> Visitor<'de> for EnvelopeVisitor<'_, D> {
    type Value = Found<'de, D>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a response envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seed = Some(self.seed);
        let mut answer = None;
        let mut others = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if answer.is_none() && is_own_key(self.command, key.as_str()) {
                let seed = seed.take().expect("the seed is used once");
                answer = Some(map.next_value_seed(WatchedSeed {
                    seed,
                    saw_error_code: self.saw_error_code,
                })?);
            } else if answer.is_some() {
                map.next_value::<de::IgnoredAny>()?;
            } else {
                let raw: &'de RawValue = map.next_value()?;
                others.push((key.into_string(), raw));
            }
        }
        Ok(match (answer, seed) {
            (Some(value), _) => Found::Answer(value),
            (None, Some(seed)) => Found::Elsewhere { seed, others },
            (None, None) => unreachable!("the seed is only taken for an answer"),
        })
    }
}

/// A map key, borrowed from the body when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(key) => key,
            Key::Owned(key) => key,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(key) => key.to_owned(),
            Key::Owned(key) => key,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(key))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key.to_owned()))
    }

    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key))
    }
}

/// Deserializes the answer with `seed`, watching its keys for `errorcode`.
struct WatchedSeed<'a, D> {
    seed: D,
    saw_error_code: &'a Cell<bool>,
}

impl<'de, D: DeserializeSeed<'de>> DeserializeSeed<'de> for WatchedSeed<'_, D> {
    type Value = D::Value;

    fn deserialize<I: Deserializer<'de>>(self, inner: I) -> Result<D::Value, I::Error> {
        self.seed.deserialize(Watched {
            inner,
            saw_error_code: self.saw_error_code,
        })
    }
}

/// A deserializer for the answer: always a JSON object, whose keys are
/// watched for `errorcode` on their way to the real visitor.
struct Watched<'a, I> {
    inner: I,
    saw_error_code: &'a Cell<bool>,
}

impl<'de, I: Deserializer<'de>> Deserializer<'de> for Watched<'_, I> {
    type Error = I::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, I::Error> {
        self.inner.deserialize_map(WatchedVisitor {
            visitor,
            saw_error_code: self.saw_error_code,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct WatchedVisitor<'a, V> {
    visitor: V,
    saw_error_code: &'a Cell<bool>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for WatchedVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(WatchedMap {
            map,
            saw_error_code: self.saw_error_code,
        })
    }
}

struct WatchedMap<'a, A> {
    map: A,
    saw_error_code: &'a Cell<bool>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WatchedMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key_seed(KeySeed)? else {
            return Ok(None);
        };
        if key.as_str() == "errorcode" {
            self.saw_error_code.set(true);
        }
        match key {
            Key::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
            Key::Owned(key) => seed.deserialize(StringDeserializer::new(key)),
        }
        .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Builds a [`Value`] as serde_json does, but fills each object from its
/// collected entries at once (a sorted bulk build of the map instead of one
/// insertion per key: about a fifth fewer instructions on large answers).
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed)?;
            entries.push((key, value));
        }
        // Equal keys: the last one wins, as with serde_json's own map.
        Ok(Value::Object(
            entries.into_iter().collect::<Map<String, Value>>(),
        ))
    }
}

/// The reference decoder: the whole body as a [`Value`] tree, then the
/// envelope and error rules on it. The fast path defers to it for every
/// error, so errors are described in one place.
fn decode_tree<S: AsRef<str>>(
    command: &str,
    status: u16,
    body: &[u8],
    secrets: &[S],
) -> Result<Value> {
    let ok_status = (200..300).contains(&status);
    let mut envelope: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(source) => {
            let snippet = snippet(body, secrets);
            if !ok_status {
                return Err(status_error(command, status, &snippet));
            }
            return Err(Error::Decode {
                command: command.to_owned(),
                reason: "not JSON".to_owned(),
                snippet,
                source: Some(source),
            });
        }
    };
    let key = find_response(command, &envelope).map(|(key, _)| key.to_owned());
    let inner = key.and_then(|key| envelope.as_object_mut()?.remove(&key));
    let Some(inner) = inner else {
        let snippet = json_snippet(&envelope, secrets);
        if !ok_status {
            return Err(status_error(command, status, &snippet));
        }
        return Err(Error::Decode {
            command: command.to_owned(),
            reason: format!("no {} key", response_key(command)),
            snippet,
            source: None,
        });
    };
    if let Some(fault) = api_fault(&inner) {
        return Err(Error::Api {
            command: command.to_owned(),
            status,
            code: fault.code,
            cs_code: fault.cs_code,
            text: redact::scrub_values(&fault.text, secrets),
        });
    }
    if !ok_status {
        return Err(status_error(
            command,
            status,
            &json_snippet(&inner, secrets),
        ));
    }
    if !inner.is_object() {
        return Err(Error::Decode {
            command: command.to_owned(),
            reason: "the answer is not an object".to_owned(),
            snippet: json_snippet(&inner, secrets),
            source: None,
        });
    }
    Ok(inner)
}

fn status_error(command: &str, status: u16, snippet: &str) -> Error {
    Error::Api {
        command: command.to_owned(),
        status,
        code: ErrorCode::from_u16(status),
        cs_code: None,
        text: format!("http status {status}: {snippet}"),
    }
}

/// A short, redacted start of a raw body.
pub fn snippet<S: AsRef<str>>(body: &[u8], secrets: &[S]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = match serde_json::from_str::<Value>(&text) {
        Ok(value) => redact::redact_json(&value).to_string(),
        Err(_) => redact::redact_text(&text),
    };
    redact::truncate(
        redact::scrub_values(&redacted, secrets).trim(),
        SNIPPET_CHARS,
    )
}

fn json_snippet<S: AsRef<str>>(value: &Value, secrets: &[S]) -> String {
    let redacted = redact::redact_json(value).to_string();
    redact::truncate(&redact::scrub_values(&redacted, secrets), SNIPPET_CHARS)
}

/// The single entity key of an answer: the one key that is not `count`.
/// `None` for `{}`, `{"count":N}` and answers with several other keys.
pub fn entity_key(inner: &Value) -> Option<&str> {
    let mut keys = inner.as_object()?.keys().filter(|key| *key != "count");
    match (keys.next(), keys.next()) {
        (Some(key), None) => Some(key),
        _ => None,
    }
}

/// The single object of an answer (`{"account":{..}}` -> the account).
pub fn single_entity(inner: &Value) -> Option<&Value> {
    inner.get(entity_key(inner)?)
}

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// The total number of matches (`count`), absent for `{}`.
    pub count: Option<u64>,
    /// The entity key the items were found under (`zone`, `virtualmachine`).
    pub key: Option<String>,
    /// The items of this page.
    pub items: Vec<Value>,
}

/// Reads a list answer: `{count, <entity>: [...]}`, `{}` (empty) or
/// `{"count":N}` (a page past the end). The items are the one array under a
/// key that is not `count`.
pub fn list_page(command: &str, inner: &Value) -> Result<ListPage> {
    let Some(map) = inner.as_object() else {
        return Err(decode_error(
            command,
            "a list answer is not an object",
            inner,
        ));
    };
    let count = map.get("count").and_then(as_u64);
    let mut arrays = map
        .iter()
        .filter(|(key, value)| *key != "count" && value.is_array());
    match (arrays.next(), arrays.next()) {
        (None, _) => Ok(ListPage {
            count,
            key: None,
            items: Vec::new(),
        }),
        (Some((key, items)), None) => Ok(ListPage {
            count,
            key: Some(key.clone()),
            items: items.as_array().cloned().unwrap_or_default(),
        }),
        (Some(_), Some(_)) => Err(decode_error(
            command,
            "several lists in a list answer",
            inner,
        )),
    }
}

/// Like [`list_page`], but takes the items out without copying them.
pub fn into_list_page(command: &str, inner: Value) -> Result<ListPage> {
    let Value::Object(mut map) = inner else {
        return Err(decode_error(
            command,
            "a list answer is not an object",
            &inner,
        ));
    };
    let count = map.get("count").and_then(as_u64);
    let keys: Vec<String> = map
        .iter()
        .filter(|(key, value)| *key != "count" && value.is_array())
        .map(|(key, _)| key.clone())
        .collect();
    match keys.as_slice() {
        [] => Ok(ListPage {
            count,
            key: None,
            items: Vec::new(),
        }),
        [key] => {
            let items = match map.remove(key) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            Ok(ListPage {
                count,
                key: Some(key.clone()),
                items,
            })
        }
        _ => Err(decode_error(
            command,
            "several lists in a list answer",
            &Value::Object(map),
        )),
    }
}

/// The `success` of a success-only answer (`{"success":true,
/// "displaytext":".."}`); accepts `true` and `"true"`.
pub fn success(inner: &Value) -> Option<bool> {
    match inner.get("success")? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// The `jobid` of an async command's first answer.
pub fn job_id(inner: &Value) -> Option<String> {
    match inner.get("jobid")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The state of an async job (`jobstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// 0: still running.
    Pending,
    /// 1: finished; `jobresult` holds the answer.
    Succeeded,
    /// 2: failed; `jobresult` holds `errorcode` and `errortext`.
    Failed,
    /// 3: cancelled.
    Cancelled,
}

/// A decoded `queryAsyncJobResult` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// The job's state.
    pub state: JobState,
    /// The `jobresultcode` (0 on success).
    pub result_code: Option<u64>,
    /// The `jobresult`, absent while pending.
    pub result: Option<Value>,
    /// The `cmd`: the Java class of the command, when sent.
    pub cmd: Option<String>,
}

impl JobStatus {
    /// The failure code: `jobresult.errorcode`, else `jobresultcode`, else 530.
    pub fn error_code(&self) -> ErrorCode {
        let from_result = self
            .result
            .as_ref()
            .and_then(|r| r.get("errorcode"))
            .and_then(as_u64);
        let code = from_result
            .or(self.result_code.filter(|c| *c != 0))
            .unwrap_or(530);
        ErrorCode::from_u16(u16::try_from(code).unwrap_or(u16::MAX))
    }

    /// The failure text: `jobresult.errortext`, or the result when it is text.
    pub fn error_text(&self) -> String {
        match &self.result {
            Some(Value::String(text)) => text.clone(),
            Some(result) => result
                .get("errortext")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            None => String::new(),
        }
    }

    /// The short name of the job's command class (`DeployVMCmdByAdmin`).
    pub fn cmd_name(&self) -> Option<&str> {
        let cmd = self.cmd.as_deref()?;
        Some(cmd.rsplit('.').next().unwrap_or(cmd))
    }
}

/// Reads a `queryAsyncJobResult` answer (the inner object).
pub fn job_status(command: &str, inner: &Value) -> Result<JobStatus> {
    let state = match inner.get("jobstatus").and_then(as_u64) {
        Some(0) => JobState::Pending,
        Some(1) => JobState::Succeeded,
        Some(2) => JobState::Failed,
        Some(3) => JobState::Cancelled,
        _ => return Err(decode_error(command, "no valid jobstatus", inner)),
    };
    Ok(JobStatus {
        state,
        result_code: inner.get("jobresultcode").and_then(as_u64),
        result: inner.get("jobresult").cloned(),
        cmd: inner.get("cmd").and_then(Value::as_str).map(str::to_owned),
    })
}

fn decode_error(command: &str, reason: &str, value: &Value) -> Error {
    Error::Decode {
        command: command.to_owned(),
        reason: reason.to_owned(),
        snippet: json_snippet::<&str>(value, &[]),
        source: None,
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An empty JSON object, the answer of an empty list.
pub fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn response_keys_are_lower_cased() {
        assert_eq!(
            response_key("deployVirtualMachine"),
            "deployvirtualmachineresponse"
        );
    }

    #[test]
    fn the_own_key_wins_then_errorresponse_then_any_response_key() {
        let env = json!({"listzonesresponse": {"count": 0}, "otherresponse": {}});
        assert_eq!(
            find_response("listZones", &env).unwrap().0,
            "listzonesresponse"
        );
        let env = json!({"errorresponse": {"errorcode": 432}});
        assert_eq!(find_response("nope", &env).unwrap().0, "errorresponse");
        let env = json!({"listvpcresponse": {"count": 0}});
        assert_eq!(
            find_response("listVPCs", &env).unwrap().0,
            "listvpcresponse"
        );
        let env = json!({"aresponse": {}, "bresponse": {}});
        assert!(find_response("listVPCs", &env).is_none());
        assert!(find_response("x", &json!([1])).is_none());
    }

    #[test]
    fn errors_in_the_body_become_api_errors() {
        let body = br#"{"listvirtualmachinesresponse":{"uuidList":[],"errorcode":431,"cserrorcode":4350,"errortext":"Unable to execute API command listvirtualmachines due to missing parameter id"}}"#;
        let err = decode_body("listVirtualMachines", 431, body, &[] as &[&str]).unwrap_err();
        match err {
            Error::Api {
                status,
                code,
                cs_code,
                text,
                ..
            } => {
                assert_eq!(status, 431);
                assert_eq!(code, ErrorCode::ParamError);
                assert_eq!(cs_code, Some(CsErrorCode::InvalidParameterValue));
                assert!(text.contains("missing parameter id"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_json_error_statuses_keep_their_status() {
        let err = decode_body(
            "listZones",
            502,
            b"<html>bad gateway</html>",
            &[] as &[&str],
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
        let err = decode_body("listZones", 200, b"<html>", &[] as &[&str]).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }

    #[test]
    fn lists_empty_and_past_the_end() {
        let page = list_page("listZones", &json!({})).unwrap();
        assert_eq!((page.count, page.items.len()), (None, 0));
        let page = list_page("listZones", &json!({"count": 7})).unwrap();
        assert_eq!((page.count, page.items.len()), (Some(7), 0));
        let page = into_list_page("listZones", json!({"count": 2, "zone": [{}, {}]})).unwrap();
        assert_eq!(
            (page.count, page.key.as_deref(), page.items.len()),
            (Some(2), Some("zone"), 2)
        );
        assert!(list_page("x", &json!({"a": [], "b": []})).is_err());
    }

    /// Both decoders, with the reference one, on one body.
    fn decode_all(command: &str, status: u16, body: &str) -> [Result<Value>; 3] {
        let body = body.as_bytes();
        [
            decode_body(command, status, body, &[] as &[&str]),
            decode_body_as::<Value, _>(command, status, body, &[] as &[&str]),
            decode_tree(command, status, body, &[] as &[&str]),
        ]
    }

    #[test]
    fn the_one_pass_decoders_agree_with_the_reference_on_odd_envelopes() {
        let bodies = [
            // Own key in another case, other keys around it, nested errorcode.
            r#"{"a":1,"ListZonesResponse":{"count":1,"zone":[{"id":"z","errorcode":7}]},"b":[2]}"#,
            // Fallbacks: errorresponse, the single *response key, the single key.
            r#"{"errorresponse":{"errorcode":432,"errortext":"Unknown API command: x"}}"#,
            r#"{"listvpcresponse":{"count":0}}"#,
            r#"{"whatever":{"count":0}}"#,
            // No usable key, not an object, an array answer, trailing bytes.
            r#"{"aresponse":{},"bresponse":{}}"#,
            r#"{"listzonesresponse":[1,2]}"#,
            r#"[{"listzonesresponse":{}}]"#,
            r#"{"listzonesresponse":{}} x"#,
            "not json",
            // errorcode: as a string, escaped, not numeric, at 200.
            r#"{"listzonesresponse":{"errorcode":"431","errortext":"bad"}}"#,
            r#"{"listzonesresponse":{"error\u0063ode":431,"errortext":"bad"}}"#,
            r#"{"listzonesresponse":{"errorcode":"none","count":0}}"#,
            // Escaped keys and values, numbers of every kind, null, deep.
            r#"{"listzonesresponse":{"n\u00e9":"\"q\"","i":-1,"u":18446744073709551615,"f":1.5e3,"z":null,"d":{"e":[{"f":[]}]}}}"#,
            // Duplicate keys: the last one wins, as in a Value.
            r#"{"listzonesresponse":{"k":1,"k":2}}"#,
        ];
        for body in bodies {
            for status in [200, 431] {
                let [fast, typed, reference] = decode_all("listZones", status, body);
                match (&fast, &reference) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{body}"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{body}"),
                    _ => panic!("{body} ({status}): {fast:?} vs {reference:?}"),
                }
                assert_eq!(
                    format!("{:?}", typed.map_err(|e| e.to_string())),
                    format!("{:?}", fast.map_err(|e| e.to_string())),
                    "{body}"
                );
            }
        }
    }

    #[test]
    fn typed_answers_are_checked_like_values() {
        #[derive(Debug, serde::Deserialize)]
        struct Zones {
            #[serde(default)]
            zone: Vec<Zone>,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Zone {
            id: String,
        }
        let decode = |status, body: &str| {
            decode_body_as::<Zones, _>("listZones", status, body.as_bytes(), &["s3cret"])
        };
        let zones = decode(
            200,
            r#"{"listzonesresponse":{"count":1,"zone":[{"id":"z1","x":[1]}]}}"#,
        )
        .unwrap();
        assert_eq!(zones.zone[0].id, "z1");
        assert!(
            decode(200, r#"{"listzonesresponse":{}}"#)
                .unwrap()
                .zone
                .is_empty()
        );
        // An error answer is an API error even at status 200, whatever T is.
        let err = decode(
            200,
            r#"{"listzonesresponse":{"uuidList":[],"errorcode":431,"cserrorcode":4350,"errortext":"no s3cret"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParamError));
        assert!(!err.to_string().contains("s3cret"), "{err}");
        // An answer of another shape is a decode error naming serde's reason.
        let err = decode(200, r#"{"listzonesresponse":{"zone":[{"name":"no id"}]}}"#).unwrap_err();
        match &err {
            Error::Decode { reason, source, .. } => {
                assert!(reason.contains("missing field `id`"), "{reason}");
                assert!(source.is_some());
            }
            other => panic!("{other:?}"),
        }
        let err = decode(200, "{\"listzonesresponse\":{\"zone\":[]}}\u{ff}").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let err =
            decode_body_as::<Zones, _>("listZones", 200, b"\xff\xfe", &[] as &[&str]).unwrap_err();
        assert!(err.to_string().contains("not JSON"), "{err}");
    }

    #[test]
    fn jobs_report_state_code_and_text() {
        let failed = json!({"jobstatus": 2, "jobresultcode": 530,
            "jobresult": {"errorcode": 530, "errortext": "boom"}});
        let status = job_status("q", &failed).unwrap();
        assert_eq!(status.state, JobState::Failed);
        assert_eq!(status.error_code(), ErrorCode::InternalError);
        assert_eq!(status.error_text(), "boom");
        assert!(job_status("q", &json!({"jobid": "x"})).is_err());
    }
}
