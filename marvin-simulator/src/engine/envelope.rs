//! The response envelope: `{"<command>response": ...}` around every answer
//! (cloudstack-protocol.md §4-5).

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::family::Reply;

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

/// Wraps an inner body under its key.
pub(crate) fn wrap(key: &str, inner: Value) -> String {
    let mut object = Map::with_capacity(1);
    object.insert(key.to_string(), inner);
    Value::Object(object).to_string()
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
    wrap(key, Value::Object(inner))
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
    fn nulls_go_at_every_depth() {
        let value = without_nulls(json!({"a": null, "b": {"c": null, "d": [{"e": null, "f": 1}]}}));
        assert_eq!(value, json!({"b": {"d": [{"f": 1}]}}));
    }
}
