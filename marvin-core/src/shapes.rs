//! Response shapes: every object of every answer, interned by structure so
//! that identical shapes are one type. The code generator makes one Rust
//! type of each, the OpenAPI document one shared schema component.
//!
//! A shape is the sorted list of its fields (name and kind, nested shapes
//! by id). Descriptions don't take part in the identity: the first one seen
//! documents the field.

use std::collections::{BTreeSet, HashMap};

use crate::schema::ResponseField;

use crate::names::is_secret;

/// Index of a shape in [`Shapes`].
pub type ShapeId = usize;

/// Fields every top-level answer object carries and that say nothing about
/// its shape.
pub const JOB_FIELDS: &[&str] = &["jobid", "jobstatus"];

/// A scalar field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    /// `Option<String>`.
    Str,
    /// `Option<Secret>`: passwords, secret and private keys.
    Secret,
    /// `Option<i64>`: `integer`, `int`, `short`, `long`.
    Int,
    /// `Option<f64>`: `double`, `float`.
    Float,
    /// `Option<bool>`.
    Bool,
    /// `Option<Timestamp>`: `date`, `tzdate`.
    Date,
    /// `Option<Object>`: `map`.
    Map,
    /// `Option<Value>`: `object`, `*response` types without fields.
    Json,
}

/// The kind of a response field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// One scalar value.
    Scalar(Scalar),
    /// A list of untyped values (`list`/`set` without fields, `long[]`).
    Values,
    /// A nested object (`many`: a list of them).
    Nested {
        /// The nested shape.
        shape: ShapeId,
        /// A list of objects rather than one.
        many: bool,
    },
}

/// One field of a shape.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    /// The name in the answer.
    pub wire: String,
    /// Its description ("" when the schema has none).
    pub doc: String,
    /// Its kind.
    pub kind: Kind,
}

/// All shapes of a schema.
#[derive(Debug, Default)]
pub struct Shapes {
    shapes: Vec<Vec<RawField>>,
    index: HashMap<Vec<(String, Kind)>, ShapeId>,
}

/// The kind of a scalar CloudStack type name.
pub fn scalar(kind: Option<&str>, name: &str) -> Option<Scalar> {
    let kind = kind.unwrap_or("string").to_ascii_lowercase();
    let scalar = match kind.as_str() {
        "boolean" => Scalar::Bool,
        "integer" | "int" | "short" | "long" => Scalar::Int,
        "double" | "float" => Scalar::Float,
        "date" | "tzdate" => Scalar::Date,
        "map" => Scalar::Map,
        "list" | "set" => return None,
        k if k.ends_with("[]") => return None,
        "object" => Scalar::Json,
        k if k.ends_with("response") || k == "responseobject" => Scalar::Json,
        _ if is_secret(name) => Scalar::Secret,
        _ => Scalar::Str,
    };
    Some(scalar)
}

fn is_many(kind: Option<&str>) -> bool {
    let kind = kind.unwrap_or_default().to_ascii_lowercase();
    kind == "list" || kind == "set" || kind.ends_with("[]")
}

impl Shapes {
    /// Interns the shape of a field list (the top level of an answer or a
    /// nested object): empty `{}` entries and nameless fields are skipped,
    /// repeated names keep their first entry, fields are sorted by name.
    pub fn intern(&mut self, fields: &[ResponseField]) -> ShapeId {
        let mut seen = BTreeSet::new();
        let mut out: Vec<RawField> = Vec::new();
        for field in fields {
            let Some(name) = field.name.as_deref().filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            if !seen.insert(name.to_string()) {
                continue;
            }
            let nested: Vec<ResponseField> = field
                .response
                .iter()
                .flatten()
                .filter(|f| !f.is_empty() && f.name.is_some())
                .cloned()
                .collect();
            let kind = if !nested.is_empty() {
                Kind::Nested {
                    shape: self.intern(&nested),
                    many: is_many(field.kind.as_deref()),
                }
            } else {
                match scalar(field.kind.as_deref(), name) {
                    Some(s) => Kind::Scalar(s),
                    None => Kind::Values,
                }
            };
            out.push(RawField {
                wire: name.to_string(),
                doc: field.description.clone().unwrap_or_default(),
                kind,
            });
        }
        out.sort_by(|a, b| a.wire.cmp(&b.wire));
        let key: Vec<(String, Kind)> = out.iter().map(|f| (f.wire.clone(), f.kind)).collect();
        if let Some(&id) = self.index.get(&key) {
            // Fill in descriptions the first occurrence lacked.
            for (kept, new) in self.shapes[id].iter_mut().zip(&out) {
                if kept.doc.is_empty() && !new.doc.is_empty() {
                    kept.doc.clone_from(&new.doc);
                }
            }
            return id;
        }
        let id = self.shapes.len();
        self.shapes.push(out);
        self.index.insert(key, id);
        id
    }

    /// The fields of a shape.
    pub fn fields(&self, id: ShapeId) -> &[RawField] {
        &self.shapes[id]
    }

    /// The field names of a shape without [`JOB_FIELDS`].
    pub fn names(&self, id: ShapeId) -> BTreeSet<&str> {
        self.shapes[id]
            .iter()
            .map(|f| f.wire.as_str())
            .filter(|n| !JOB_FIELDS.contains(n))
            .collect()
    }

    /// Number of distinct shapes.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Whether no shape was interned yet.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, kind: &str) -> ResponseField {
        ResponseField {
            name: Some(name.into()),
            kind: Some(kind.into()),
            ..Default::default()
        }
    }

    fn nested(name: &str, kind: &str, fields: Vec<ResponseField>) -> ResponseField {
        ResponseField {
            response: Some(fields),
            ..field(name, kind)
        }
    }

    #[test]
    fn identical_shapes_are_interned_once_whatever_the_order_and_docs() {
        let mut shapes = Shapes::default();
        let a = shapes.intern(&[field("id", "string"), field("name", "string")]);
        let mut named = field("name", "string");
        named.description = Some("the name".into());
        let b = shapes.intern(&[named, ResponseField::default(), field("id", "string")]);
        assert_eq!(a, b);
        assert_eq!(shapes.fields(a)[1].doc, "the name");
        let c = shapes.intern(&[field("id", "long"), field("name", "string")]);
        assert_ne!(a, c);
    }

    #[test]
    fn nested_shapes_are_shared_between_parents() {
        let mut shapes = Shapes::default();
        let tags = || {
            nested(
                "tags",
                "list",
                vec![field("key", "string"), field("value", "string")],
            )
        };
        let vm = shapes.intern(&[field("id", "string"), tags()]);
        let net = shapes.intern(&[field("cidr", "string"), tags()]);
        let kind = |id: ShapeId, name: &str| {
            shapes
                .fields(id)
                .iter()
                .find(|f| f.wire == name)
                .unwrap()
                .kind
        };
        assert_eq!(kind(vm, "tags"), kind(net, "tags"));
        assert!(matches!(kind(vm, "tags"), Kind::Nested { many: true, .. }));
        assert_eq!(shapes.len(), 3);
    }

    #[test]
    fn types_map_to_scalars() {
        assert_eq!(scalar(Some("long"), "size"), Some(Scalar::Int));
        assert_eq!(scalar(Some("short"), "x"), Some(Scalar::Int));
        assert_eq!(scalar(Some("float"), "x"), Some(Scalar::Float));
        assert_eq!(scalar(Some("date"), "created"), Some(Scalar::Date));
        assert_eq!(
            scalar(Some("hypervisortype"), "hypervisor"),
            Some(Scalar::Str)
        );
        assert_eq!(scalar(Some("string"), "password"), Some(Scalar::Secret));
        assert_eq!(
            scalar(Some("resourceiconresponse"), "icon"),
            Some(Scalar::Json)
        );
        assert_eq!(scalar(Some("set"), "x"), None);
        assert_eq!(scalar(Some("long[]"), "x"), None);
        assert_eq!(scalar(None, "x"), Some(Scalar::Str));
    }

    #[test]
    fn empty_and_repeated_entries_are_dropped() {
        let mut shapes = Shapes::default();
        let id = shapes.intern(&[
            field("a", "string"),
            ResponseField::default(),
            field("a", "long"),
        ]);
        assert_eq!(shapes.fields(id).len(), 1);
        assert_eq!(shapes.fields(id)[0].kind, Kind::Scalar(Scalar::Str));
    }
}
