//! What changed between two `listApis` snapshots: APIs, parameters and
//! answer fields added, removed, made required or optional, or retyped, and
//! which of those changes break a client written against the old one.
//!
//! ```
//! use marvin_core::openapi::diff::{diff, What};
//! use marvin_core::schema::ApiList;
//! let old = ApiList::from_json(r#"{"api":[{"name":"listZones",
//!     "params":[{"name":"id","type":"uuid"}]}]}"#).unwrap();
//! let new = ApiList::from_json(r#"{"api":[{"name":"listZones",
//!     "params":[{"name":"id","type":"uuid","required":true}]}]}"#).unwrap();
//! let changes = diff(&old, &new);
//! assert_eq!(changes[0].what, What::ParamRequired);
//! assert!(changes[0].breaking);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::schema::{Api, ApiList, Param, ResponseField};

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    /// An API the new snapshot adds.
    ApiAdded,
    /// An API the new snapshot no longer has (breaking).
    ApiRemoved,
    /// An API that became asynchronous or synchronous (breaking).
    AsyncChanged,
    /// A new parameter (breaking when required).
    ParamAdded,
    /// A parameter the API no longer takes (breaking).
    ParamRemoved,
    /// An optional parameter became required (breaking).
    ParamRequired,
    /// A required parameter became optional.
    ParamOptional,
    /// A parameter's type changed (breaking).
    ParamRetyped,
    /// A new answer field.
    FieldAdded,
    /// An answer field the API no longer answers with (breaking).
    FieldRemoved,
    /// An answer field's type changed (breaking).
    FieldRetyped,
}

impl What {
    fn label(self) -> &'static str {
        match self {
            Self::ApiAdded => "API added",
            Self::ApiRemoved => "API removed",
            Self::AsyncChanged => "async changed",
            Self::ParamAdded => "parameter added",
            Self::ParamRemoved => "parameter removed",
            Self::ParamRequired => "parameter made required",
            Self::ParamOptional => "parameter made optional",
            Self::ParamRetyped => "parameter retyped",
            Self::FieldAdded => "field added",
            Self::FieldRemoved => "field removed",
            Self::FieldRetyped => "field retyped",
        }
    }
}

/// One change between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The kind of change.
    pub what: What,
    /// The API concerned.
    pub api: String,
    /// The parameter, or the answer field's path (`nic.ipaddress`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The old type (or async flag), for retypings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new type (or async flag), for retypings; the type of an addition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Whether a client of the old snapshot may fail against the new one.
    pub breaking: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.breaking { "!" } else { " " };
        write!(f, "{mark} {}: {}", self.what.label(), self.api)?;
        if let Some(item) = &self.item {
            write!(f, " {item}")?;
        }
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => write!(f, " ({old} -> {new})"),
            (None, Some(new)) => write!(f, " ({new})"),
            _ => Ok(()),
        }
    }
}

fn change(what: What, api: &str, item: Option<&str>, breaking: bool) -> Change {
    Change {
        what,
        api: api.to_string(),
        item: item.map(str::to_string),
        old: None,
        new: None,
        breaking,
    }
}

/// Every change from `old` to `new`, sorted by API, then kind, then item.
/// Names compare ignoring case, as CloudStack reads them.
pub fn diff(old: &ApiList, new: &ApiList) -> Vec<Change> {
    let index = |list: &ApiList| -> BTreeMap<String, Api> {
        list.api
            .iter()
            .map(|a| (a.name.to_ascii_lowercase(), a.clone()))
            .collect()
    };
    let (old, new) = (index(old), index(new));
    let mut changes = Vec::new();
    for (key, api) in &old {
        match new.get(key) {
            None => changes.push(change(What::ApiRemoved, &api.name, None, true)),
            Some(now) => compare(api, now, &mut changes),
        }
    }
    for (key, api) in &new {
        if !old.contains_key(key) {
            changes.push(change(What::ApiAdded, &api.name, None, false));
        }
    }
    changes.sort_by(|a, b| (&a.api, a.what, &a.item).cmp(&(&b.api, b.what, &b.item)));
    changes
}

/// Whether any change breaks old clients.
pub fn is_breaking(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.breaking)
}

fn compare(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let name = new.name.as_str();
    if old.isasync != new.isasync {
        changes.push(Change {
            old: Some(old.isasync.to_string()),
            new: Some(new.isasync.to_string()),
            ..change(What::AsyncChanged, name, None, true)
        });
    }
    let params = |api: &Api| -> BTreeMap<String, Param> {
        api.params
            .iter()
            .map(|p| (p.name.to_ascii_lowercase(), p.clone()))
            .collect()
    };
    let (before, after) = (params(old), params(new));
    for (key, was) in &before {
        let Some(now) = after.get(key) else {
            changes.push(change(What::ParamRemoved, name, Some(&was.name), true));
            continue;
        };
        if !was.required && now.required {
            changes.push(change(What::ParamRequired, name, Some(&now.name), true));
        }
        if was.required && !now.required {
            changes.push(change(What::ParamOptional, name, Some(&now.name), false));
        }
        if wire_type(&was.kind) != wire_type(&now.kind) {
            changes.push(Change {
                old: Some(was.kind.clone()),
                new: Some(now.kind.clone()),
                ..change(What::ParamRetyped, name, Some(&now.name), true)
            });
        }
    }
    for (key, now) in &after {
        if !before.contains_key(key) {
            changes.push(Change {
                new: Some(if now.required {
                    format!("{}, required", now.kind)
                } else {
                    now.kind.clone()
                }),
                ..change(What::ParamAdded, name, Some(&now.name), now.required)
            });
        }
    }
    let (before, after) = (fields(&old.response), fields(&new.response));
    for (path, was) in &before {
        match after.get(path) {
            None => changes.push(change(What::FieldRemoved, name, Some(path), true)),
            Some(now) if wire_type(was) != wire_type(now) => changes.push(Change {
                old: Some(was.clone()),
                new: Some(now.clone()),
                ..change(What::FieldRetyped, name, Some(path), true)
            }),
            Some(_) => {}
        }
    }
    for (path, now) in &after {
        if !before.contains_key(path) {
            changes.push(Change {
                new: Some(now.clone()),
                ..change(What::FieldAdded, name, Some(path), false)
            });
        }
    }
}

/// The type a value has on the wire: snapshots name the same wire type in
/// several ways (`uuid`, `date`, `state` and `string` are all strings; `set`
/// and `list` are both lists; `int`, `short` and `integer` one integer), and
/// only a change between these counts as a retyping.
pub fn wire_type(kind: &str) -> &'static str {
    let kind = kind.to_ascii_lowercase();
    match kind.as_str() {
        "boolean" => "boolean",
        "int" | "integer" | "short" => "integer",
        "long" => "long",
        "float" | "double" => "number",
        "list" | "set" => "list",
        k if k.ends_with("[]") => "list",
        "map" => "map",
        "object" | "responseobject" => "object",
        _ => "string",
    }
}

/// Every answer field by path (`nic.ipaddress`), with its type; the first
/// of repeated names wins, as the shapes keep it.
fn fields(list: &[ResponseField]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(list, "", &mut out);
    out
}

fn walk(list: &[ResponseField], prefix: &str, out: &mut BTreeMap<String, String>) {
    for field in list {
        let Some(name) = field.name.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let path = format!("{prefix}{}", name.to_ascii_lowercase());
        if out.contains_key(&path) {
            continue;
        }
        let kind = field.kind.clone().unwrap_or_else(|| "string".into());
        out.insert(path.clone(), kind);
        if let Some(nested) = &field.response {
            walk(nested, &format!("{path}."), out);
        }
    }
}

/// The changes as text: one line each, breaking ones marked with `!`, and a
/// closing count.
pub fn render_text(changes: &[Change]) -> String {
    let mut text = String::new();
    for change in changes {
        text.push_str(&change.to_string());
        text.push('\n');
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    text.push_str(&format!("{} changes, {breaking} breaking\n", changes.len()));
    text
}

/// The changes as a JSON document: `{"breaking": n, "changes": [...]}`.
pub fn render_json(changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "breaking": breaking,
        "total": changes.len(),
        "changes": changes,
    }))
    .expect("changes always serialise");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> ApiList {
        ApiList::from_json(text).unwrap()
    }

    #[test]
    fn every_kind_of_change_is_found_and_classed() {
        let old = list(
            r#"{"api":[
            {"name":"gone"},
            {"name":"kept","isasync":false,
             "params":[{"name":"a","type":"string"},{"name":"b","type":"long","required":true},
                       {"name":"c","type":"string"},{"name":"d","type":"uuid"},
                       {"name":"g","type":"uuid"},{"name":"h","type":"set"}],
             "response":[{"name":"x","type":"string"},{"name":"nic","type":"list",
                          "response":[{"name":"ip","type":"string"}]}]}]}"#,
        );
        let new = list(
            r#"{"api":[
            {"name":"added"},
            {"name":"kept","isasync":true,
             "params":[{"name":"a","type":"string","required":true},{"name":"b","type":"long"},
                       {"name":"C","type":"integer"},{"name":"e","type":"string"},
                       {"name":"f","type":"string","required":true},
                       {"name":"g","type":"string"},{"name":"h","type":"list"}],
             "response":[{"name":"y","type":"string"},{"name":"nic","type":"list",
                          "response":[{"name":"ip","type":"long"}]}]}]}"#,
        );
        let changes = diff(&old, &new);
        let found: Vec<(What, Option<&str>, bool)> = changes
            .iter()
            .map(|c| (c.what, c.item.as_deref(), c.breaking))
            .collect();
        assert_eq!(
            found,
            [
                (What::ApiAdded, None, false),
                (What::ApiRemoved, None, true),
                (What::AsyncChanged, None, true),
                (What::ParamAdded, Some("e"), false),
                (What::ParamAdded, Some("f"), true),
                (What::ParamRemoved, Some("d"), true),
                (What::ParamRequired, Some("a"), true),
                (What::ParamOptional, Some("b"), false),
                (What::ParamRetyped, Some("C"), true),
                (What::FieldAdded, Some("y"), false),
                (What::FieldRemoved, Some("x"), true),
                (What::FieldRetyped, Some("nic.ip"), true),
            ]
        );
        assert!(is_breaking(&changes));
        let text = render_text(&changes);
        assert!(
            text.contains("! parameter retyped: kept C (string -> integer)\n"),
            "{text}"
        );
        assert!(text.ends_with("12 changes, 8 breaking\n"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&render_json(&changes)).unwrap();
        assert_eq!(json["breaking"], 8);
        assert_eq!(json["changes"][0]["what"], "api-added");
    }

    #[test]
    fn identical_snapshots_have_no_changes() {
        let doc = list(r#"{"api":[{"name":"a","params":[{"name":"p","type":"string"}]}]}"#);
        let changes = diff(&doc, &doc);
        assert!(changes.is_empty());
        assert!(!is_breaking(&changes));
    }
}
