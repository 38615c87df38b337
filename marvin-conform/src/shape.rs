//! The shape of an answer: which field paths it holds and the JSON type at
//! each, with array elements merged (`listzonesresponse.zone[].name`), and
//! how two shapes differ. Values are never compared; `null` counts as an
//! absent field, not as a type.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// A JSON type, as a shape records it (`null` is absence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// `true` or `false`.
    Boolean,
    /// Any number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    fn of(value: &Value) -> Option<Self> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(Self::Boolean),
            Value::Number(_) => Some(Self::Number),
            Value::String(_) => Some(Self::String),
            Value::Array(_) => Some(Self::Array),
            Value::Object(_) => Some(Self::Object),
        }
    }

    /// The type's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Boolean => "boolean",
            Self::Number => "number",
            Self::String => "string",
            Self::Array => "array",
            Self::Object => "object",
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The paths of an answer and the types seen at each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Path → the types seen there (several when array elements disagree).
    pub types: BTreeMap<String, BTreeSet<JsonType>>,
    /// The paths of arrays that held at least one element: what lies under
    /// `path[]` is known only for those.
    pub filled_arrays: BTreeSet<String>,
}

impl Shape {
    /// The shape of `value`. The root itself is not a path; its fields are
    /// (`listzonesresponse`, `listzonesresponse.count`, ...).
    pub fn of(value: &Value) -> Self {
        let mut shape = Self::default();
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    shape.walk(item, key.clone());
                }
            }
            Value::Array(items) => {
                if !items.is_empty() {
                    shape.filled_arrays.insert(String::new());
                }
                for item in items {
                    shape.walk(item, "[]".to_owned());
                }
            }
            _ => {}
        }
        shape
    }

    fn walk(&mut self, value: &Value, path: String) {
        let Some(kind) = JsonType::of(value) else {
            return;
        };
        self.types.entry(path.clone()).or_default().insert(kind);
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    self.walk(item, format!("{path}.{key}"));
                }
            }
            Value::Array(items) => {
                if !items.is_empty() {
                    self.filled_arrays.insert(path.clone());
                }
                let inner = format!("{path}[]");
                for item in items {
                    self.walk(item, inner.clone());
                }
            }
            _ => {}
        }
    }
}

/// How a field differs between the recorded answer and the live one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeChange {
    /// The recorded answer has the field, the live one has not.
    Missing,
    /// The live answer has a field the recorded one has not.
    Extra,
    /// Both have the field, with another JSON type.
    Type,
}

/// One difference between two shapes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldDifference {
    /// What differs.
    pub change: ShapeChange,
    /// The field's path (`listzonesresponse.zone[].name`).
    pub path: String,
    /// The types recorded (`string`, `number|string`), empty when missing.
    pub recorded: String,
    /// The types answered live, empty when missing.
    pub live: String,
}

/// The differences between a recorded shape and a live one, by path.
///
/// A field missing (or extra) is reported once, at its highest path: the
/// fields under a missing object are not repeated. What lies under an array
/// is compared only when both answers hold at least one element of it (an
/// empty list tells nothing of its elements' fields).
pub fn compare(recorded: &Shape, live: &Shape) -> Vec<FieldDifference> {
    let mut differences = Vec::new();
    let paths: BTreeSet<&String> = recorded.types.keys().chain(live.types.keys()).collect();
    for path in paths {
        if !elements_comparable(path, recorded, live) {
            continue;
        }
        match (recorded.types.get(path), live.types.get(path)) {
            (Some(was), None) if !parent_in(path, &recorded.types, &live.types) => {
                differences.push(FieldDifference {
                    change: ShapeChange::Missing,
                    path: path.clone(),
                    recorded: join(was),
                    live: String::new(),
                });
            }
            (None, Some(now)) if !parent_in(path, &live.types, &recorded.types) => {
                differences.push(FieldDifference {
                    change: ShapeChange::Extra,
                    path: path.clone(),
                    recorded: String::new(),
                    live: join(now),
                });
            }
            (Some(was), Some(now)) if was != now => differences.push(FieldDifference {
                change: ShapeChange::Type,
                path: path.clone(),
                recorded: join(was),
                live: join(now),
            }),
            _ => {}
        }
    }
    differences
}

/// True when the field's parent is itself only on the `has` side (then the
/// parent is the difference, not this field).
fn parent_in(
    path: &str,
    has: &BTreeMap<String, BTreeSet<JsonType>>,
    lacks: &BTreeMap<String, BTreeSet<JsonType>>,
) -> bool {
    match parent(path) {
        Some(parent) => has.contains_key(parent) && !lacks.contains_key(parent),
        None => false,
    }
}

/// The path one level up: `a.b[]` → `a.b`, `a.b.c` → `a.b`, `a` → none.
fn parent(path: &str) -> Option<&str> {
    if let Some(array) = path.strip_suffix("[]") {
        return Some(array);
    }
    path.rfind('.').map(|dot| &path[..dot])
}

/// False when `path` lies under an array that is empty (or absent) on
/// either side.
fn elements_comparable(path: &str, recorded: &Shape, live: &Shape) -> bool {
    path.match_indices("[]").all(|(at, _)| {
        let array = &path[..at];
        recorded.filled_arrays.contains(array) && live.filled_arrays.contains(array)
    })
}

fn join(types: &BTreeSet<JsonType>) -> String {
    types.iter().map(|t| t.name()).collect::<Vec<_>>().join("|")
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn diff(recorded: Value, live: Value) -> Vec<(ShapeChange, String, String, String)> {
        compare(&Shape::of(&recorded), &Shape::of(&live))
            .into_iter()
            .map(|d| (d.change, d.path, d.recorded, d.live))
            .collect()
    }

    #[test]
    fn array_elements_merge_into_one_path() {
        let shape = Shape::of(&json!({"r": {"zone": [{"id": "a"}, {"id": "b", "tags": []}]}}));
        let paths: Vec<&str> = shape.types.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["r", "r.zone", "r.zone[]", "r.zone[].id", "r.zone[].tags"]
        );
        assert!(shape.filled_arrays.contains("r.zone"));
        assert!(!shape.filled_arrays.contains("r.zone[].tags"));
    }

    #[test]
    fn equal_shapes_with_other_values_do_not_differ() {
        let recorded = json!({"r": {"count": 2, "zone": [{"id": "a", "name": "x"}]}});
        let live = json!({"r": {"count": 7, "zone": [{"id": "b", "name": "y"}, {"id": "c", "name": "z"}]}});
        assert_eq!(diff(recorded, live), []);
    }

    #[test]
    fn missing_extra_and_type_changes_are_named_by_path() {
        let recorded = json!({"r": {"zone": [{"id": "a", "cpu": 4, "tags": {"k": "v"}}]}});
        let live = json!({"r": {"zone": [{"id": "a", "cpu": "4", "state": "Up"}]}});
        assert_eq!(
            diff(recorded, live),
            [
                (
                    ShapeChange::Type,
                    "r.zone[].cpu".into(),
                    "number".into(),
                    "string".into()
                ),
                (
                    ShapeChange::Extra,
                    "r.zone[].state".into(),
                    String::new(),
                    "string".into()
                ),
                // Reported at the object, not again for `tags.k`.
                (
                    ShapeChange::Missing,
                    "r.zone[].tags".into(),
                    "object".into(),
                    String::new()
                ),
            ]
        );
    }

    #[test]
    fn null_is_absence_and_empty_lists_hide_their_elements() {
        let recorded = json!({"r": {"a": null, "list": [], "other": [{"x": 1}]}});
        let live = json!({"r": {"list": [{"y": 1}], "other": [{"x": 1}], "b": null}});
        assert_eq!(diff(recorded, live), []);
    }

    #[test]
    fn a_field_with_mixed_types_in_elements_differs_from_one_type() {
        let recorded = json!({"r": [{"v": 1}, {"v": "1"}]});
        let live = json!({"r": [{"v": 1}]});
        assert_eq!(
            diff(recorded, live),
            [(
                ShapeChange::Type,
                "r[].v".into(),
                "number|string".into(),
                "number".into()
            )]
        );
    }
}
