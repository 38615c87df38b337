//! The response envelope: `{"<command>response": ...}` around every answer
//! (cloudstack-protocol.md §4-5).

use serde_json::{Map, Value, json};

use crate::kernel::contract::{Rendered, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::render::{without_nulls, write_str, write_value};

/// Commands whose response key is not `<lower-cased name>response`, as the
/// CloudStack server names them (its `getCommandName()`; the last two keep
/// real typos and mixed case, seen in recorded answers).
const RESPONSE_KEYS: &[(&str, &str)] = &[
    ("addIpToNic", "addiptovmnicresponse"),
    (
        "enableStorageMaintenance",
        "prepareprimarystorageformaintenanceresponse",
    ),
    (
        "cancelStorageMaintenance",
        "cancelprimarystoragemaintenanceresponse",
    ),
    ("activateProject", "activaterojectresponse"),
    (
        "resetSSHKeyForVirtualMachine",
        "resetSSHKeyforvirtualmachineresponse",
    ),
];

/// The key of the answers (and errors) of a command; `errorresponse` when
/// the command is unknown.
pub(crate) fn response_key(command: Option<&str>) -> String {
    let Some(command) = command else {
        return "errorresponse".into();
    };
    if let Some((_, key)) = RESPONSE_KEYS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(command))
    {
        return (*key).into();
    }
    let mut key = command.to_ascii_lowercase();
    key.push_str("response");
    key
}

/// The body inside the envelope of a sync answer, ready to be written.
#[derive(Debug)]
pub(crate) enum Inner {
    /// A value; its null fields are left out when it is written.
    Value(Value),
    /// A list whose items are already JSON text.
    Rendered {
        /// The entity key.
        key: &'static str,
        /// The items.
        items: Rendered,
        /// The total number of matches.
        count: usize,
    },
}

impl Inner {
    /// The body as a value, without null fields (what [`inner`] gives).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Self::Value(value) => without_nulls(value),
            Self::Rendered { key, items, count } => list_value(key, items.to_values(), count),
        }
    }
}

/// The body of a non-job reply, for [`wrap`]: like [`inner`], but lists
/// rendered as text stay text and nulls are left out while writing.
pub(crate) fn body(reply: Reply) -> Inner {
    match reply {
        Reply::Rendered { key, items, count } => Inner::Rendered { key, items, count },
        Reply::Object { key, value } => {
            let mut object = Map::with_capacity(1);
            object.insert(key.into(), value);
            Inner::Value(Value::Object(object))
        }
        Reply::List { key, items, count } => Inner::Value(list_value(key, items, count)),
        Reply::Success(text) => Inner::Value(success(text)),
        Reply::Bare(value) => Inner::Value(value),
        Reply::Job(_) => Inner::Value(json!({})),
    }
}

/// `{"count": N, "<key>": [...]}`, each part only when it is not empty.
fn list_value(key: &str, items: Vec<Value>, count: usize) -> Value {
    let mut object = Map::with_capacity(2);
    if count > 0 {
        object.insert("count".into(), count.into());
    }
    if !items.is_empty() {
        object.insert(key.into(), Value::Array(items));
    }
    Value::Object(object)
}

/// The body inside the envelope for a non-job reply.
pub(crate) fn inner(reply: Reply) -> Value {
    match reply {
        Reply::Object { key, value } => {
            let mut object = Map::with_capacity(1);
            object.insert(key.into(), without_nulls(value));
            Value::Object(object)
        }
        Reply::List { key, items, count } => {
            let mut object = Map::with_capacity(2);
            if count > 0 {
                object.insert("count".into(), count.into());
            }
            if !items.is_empty() {
                object.insert(
                    key.into(),
                    Value::Array(items.into_iter().map(without_nulls).collect()),
                );
            }
            Value::Object(object)
        }
        Reply::Rendered { key, items, count } => list_value(key, items.to_values(), count),
        Reply::Success(text) => success(text),
        Reply::Bare(value) => without_nulls(value),
        Reply::Job(_) => json!({}),
    }
}

/// `{"success": true}` plus `displaytext` when given.
pub(crate) fn success(text: Option<String>) -> Value {
    match text {
        Some(text) => json!({"success": true, "displaytext": text}),
        None => json!({"success": true}),
    }
}

/// Wraps an inner body under its key: `{"<key>":<inner>}`, compact, null
/// fields left out at every depth.
pub(crate) fn wrap(key: &str, inner: &Inner) -> String {
    let mut out = Vec::with_capacity(capacity(inner) + key.len() + 8);
    out.push(b'{');
    write_str(&mut out, key);
    out.push(b':');
    write_inner(&mut out, inner);
    out.push(b'}');
    // Only JSON written from `str`s went in.
    String::from_utf8(out).unwrap_or_default()
}

/// An inner body alone, as [`wrap`] writes it.
pub(crate) fn text(inner: &Inner) -> String {
    let mut out = Vec::with_capacity(capacity(inner));
    write_inner(&mut out, inner);
    String::from_utf8(out).unwrap_or_default()
}

fn capacity(inner: &Inner) -> usize {
    match inner {
        Inner::Rendered { items, .. } => items.text().len() + 64,
        Inner::Value(_) => 512,
    }
}

fn write_inner(out: &mut Vec<u8>, inner: &Inner) {
    match inner {
        Inner::Value(value) => write_value(out, value),
        Inner::Rendered { key, items, count } => {
            // The two fields of the object, in key order.
            let count_first = "count" < *key;
            // (An items key named `count` replaces the count.)
            let replaced = *key == "count" && !items.is_empty();
            out.push(b'{');
            let mut first = true;
            for part in if count_first { [0, 1] } else { [1, 0] } {
                if part == 0 && *count > 0 && !replaced {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    out.extend_from_slice(b"\"count\":");
                    out.extend_from_slice(count.to_string().as_bytes());
                }
                if part == 1 && !items.is_empty() {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    write_str(out, key);
                    out.extend_from_slice(b":[");
                    out.extend_from_slice(items.text());
                    out.push(b']');
                }
            }
            out.push(b'}');
        }
    }
}

/// One page of a list reply, for an answer written page by page.
#[derive(Debug)]
pub(crate) struct ListPage {
    /// The entity key of the items.
    pub(crate) key: &'static str,
    items: PageItems,
    /// How many items the page holds.
    pub(crate) len: usize,
    /// The total number of matches.
    pub(crate) count: usize,
}

#[derive(Debug)]
enum PageItems {
    Values(Vec<Value>),
    Rendered(Rendered),
}

impl ListPage {
    /// The page of a list reply (`None` for other replies).
    pub(crate) fn of(reply: Reply) -> Option<Self> {
        match reply {
            Reply::List { key, items, count } => Some(Self {
                key,
                len: items.len(),
                items: PageItems::Values(items),
                count,
            }),
            Reply::Rendered { key, items, count } => Some(Self {
                key,
                len: items.len(),
                items: PageItems::Rendered(items),
                count,
            }),
            _ => None,
        }
    }

    /// The page as a whole answer's body.
    pub(crate) fn into_inner(self) -> Inner {
        match self.items {
            PageItems::Values(items) => body(Reply::List {
                key: self.key,
                items,
                count: self.count,
            }),
            PageItems::Rendered(items) => body(Reply::Rendered {
                key: self.key,
                items,
                count: self.count,
            }),
        }
    }

    /// About how many bytes the items take.
    pub(crate) fn text_len(&self) -> usize {
        match &self.items {
            PageItems::Values(items) => items.len() * 512,
            PageItems::Rendered(items) => items.text().len(),
        }
    }

    /// Writes the items, comma-separated, after a comma when `more` (items
    /// were written before).
    pub(crate) fn write_items(&self, out: &mut Vec<u8>, more: bool) {
        if self.len == 0 {
            return;
        }
        if more {
            out.push(b',');
        }
        match &self.items {
            PageItems::Rendered(items) => out.extend_from_slice(items.text()),
            PageItems::Values(items) => {
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    write_value(out, item);
                }
            }
        }
    }
}

/// The frame of a list answer written page by page: the same text as the
/// whole answer (`{"<cmd>response":{"count":N,"<key>":[...]}}`, fields in
/// key order), in three parts: [`ListStream::head`], the items, and
/// [`ListStream::tail`].
#[derive(Debug)]
pub(crate) struct ListStream {
    response_key: String,
    items_key: &'static str,
    count: usize,
}

impl ListStream {
    /// The frame of a list of `count` items under `items_key`.
    pub(crate) fn new(response_key: &str, items_key: &'static str, count: usize) -> Self {
        Self {
            response_key: response_key.to_string(),
            items_key,
            count,
        }
    }

    /// The entity key of the items.
    pub(crate) fn items_key(&self) -> &'static str {
        self.items_key
    }

    fn count_first(&self) -> bool {
        "count" < self.items_key
    }

    /// Everything before the first item.
    pub(crate) fn head(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.response_key.len() + self.items_key.len() + 32);
        out.push(b'{');
        write_str(&mut out, &self.response_key);
        out.extend_from_slice(b":{");
        if self.count_first() {
            out.extend_from_slice(b"\"count\":");
            out.extend_from_slice(self.count.to_string().as_bytes());
            out.push(b',');
        }
        write_str(&mut out, self.items_key);
        out.extend_from_slice(b":[");
        out
    }

    /// Everything after the last item.
    pub(crate) fn tail(&self) -> Vec<u8> {
        let mut out = b"]".to_vec();
        if !self.count_first() {
            out.extend_from_slice(b",\"count\":");
            out.extend_from_slice(self.count.to_string().as_bytes());
        }
        out.extend_from_slice(b"}}");
        out
    }
}

/// The error body: `{"<key>": {"uuidList": [], "errorcode": .., "cserrorcode": .., "errortext": ..}}`.
pub(crate) fn error(key: &str, error: &ApiError) -> String {
    let mut inner = Map::with_capacity(4);
    inner.insert("uuidList".into(), json!([]));
    inner.insert("errorcode".into(), error.code.as_u16().into());
    if let Some(cs) = error.cs_code {
        inner.insert("cserrorcode".into(), cs.as_u32().into());
    }
    inner.insert("errortext".into(), error.text.clone().into());
    wrap(key, &Inner::Value(Value::Object(inner)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_command_with_exceptions() {
        assert_eq!(response_key(Some("listZones")), "listzonesresponse");
        assert_eq!(response_key(Some("addIpToNic")), "addiptovmnicresponse");
        assert_eq!(response_key(Some("ADDIPTONIC")), "addiptovmnicresponse");
        assert_eq!(response_key(None), "errorresponse");
    }

    #[test]
    fn list_shapes() {
        let empty = inner(Reply::List {
            key: "zone",
            items: vec![],
            count: 0,
        });
        assert_eq!(empty, json!({}));
        let past_end = inner(Reply::List {
            key: "zone",
            items: vec![],
            count: 3,
        });
        assert_eq!(past_end, json!({"count": 3}));
        let page = inner(Reply::List {
            key: "zone",
            items: vec![json!({"id": "a", "x": null})],
            count: 3,
        });
        assert_eq!(page, json!({"count": 3, "zone": [{"id": "a"}]}));
    }

    #[test]
    fn errors_carry_both_codes_except_401() {
        let body = error("listzonesresponse", &ApiError::param("bad"));
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["listzonesresponse"]["errorcode"], 431);
        assert_eq!(value["listzonesresponse"]["cserrorcode"], 4350);
        assert_eq!(value["listzonesresponse"]["uuidList"], json!([]));
        let body = error("errorresponse", &ApiError::unauthorized());
        let value: Value = serde_json::from_str(&body).unwrap();
        assert!(value["errorresponse"].get("cserrorcode").is_none());
    }

    #[test]
    fn wrapping_is_compact_json_under_the_key_without_nulls() {
        let inner = json!({"count": 1, "zone": [{"name": "a\"b", "id": "é", "x": null, "y": [null, {"z": null}]}]});
        let body = wrap("listzonesresponse", &Inner::Value(inner.clone()));
        assert_eq!(
            body,
            json!({"listzonesresponse": without_nulls(inner)}).to_string()
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain".into(),
            "0123456789abcdef-0123456789abcdef".into(),
            "a\"b".into(),
            "back\\slash".into(),
            "tab\tnew\nline".into(),
            "\u{7f}del".into(),
            "é ü 日本 🦀".into(),
            "éééé\"éééé".into(),
            "12345678\u{1}".into(),
        ];
        // Every byte value that can stand alone, at every offset of a chunk.
        for byte in 0u8..0x80 {
            for offset in 0..9 {
                let mut text = "x".repeat(offset);
                text.push(char::from(byte));
                text.push_str("yyyyyyyy");
                samples.push(text);
            }
        }
        for text in samples {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn rendered_lists_wrap_like_value_lists() {
        for key in ["zone", "affinitygroup", "count"] {
            for (texts, count) in [
                (vec![], 0),
                (vec![], 7),
                (vec![r#"{"a":1}"#], 1),
                (vec![r#"{"a":1}"#, r#"{"b":"x"}"#], 9),
            ] {
                let mut items = Rendered::default();
                for text in &texts {
                    items
                        .push(|out| {
                            out.extend_from_slice(text.as_bytes());
                            Ok::<(), ()>(())
                        })
                        .unwrap();
                }
                let values: Vec<Value> = texts
                    .iter()
                    .map(|t| serde_json::from_str(t).unwrap())
                    .collect();
                let expected = wrap(
                    "r",
                    &body(Reply::List {
                        key,
                        items: values.clone(),
                        count,
                    }),
                );
                let rendered = Inner::Rendered { key, items, count };
                assert_eq!(wrap("r", &rendered), expected, "{key} {texts:?} {count}");
                assert_eq!(
                    rendered.into_value(),
                    inner(Reply::List {
                        key,
                        items: values,
                        count
                    })
                );
            }
        }
    }

    #[test]
    fn nulls_go_at_every_depth() {
        let value = without_nulls(json!({"a": null, "b": {"c": null, "d": [{"e": null, "f": 1}]}}));
        assert_eq!(value, json!({"b": {"d": [{"f": 1}]}}));
    }
}
