//! Which answer shape becomes which Rust type, and what it is called.
//!
//! - An entity's struct is the shape of its enumerator's answer (else of
//!   its creator's), widened by the fields of every other API of the entity
//!   whose answer has all of those fields (`createSSHKeyPair` adds
//!   `privatekey` to `SSHKeyPair`, `listVirtualMachinesMetrics` its metrics
//!   to `VirtualMachine`).
//! - An API answers its entity when its fields lie between the entity's
//!   base fields and the widened ones; any entity whose base fields are
//!   exactly the answer's (`createVMFromBackup` answers a `VirtualMachine`);
//!   `Success` for `{success, displaytext}`; the raw JSON when the schema
//!   lists no fields. Otherwise the answer gets its own struct,
//!   `<Api>Response`, named after the first API (alphabetically) giving it,
//!   or as the linguist's `ANSWER_NAMES` say.
//! - An API the linguist's `ANSWERS` name answers that entity, whatever its
//!   fields (`scaleVirtualMachine` answers a `VirtualMachine`), and widens
//!   it as the entity's own APIs do.
//! - A list field without element fields is `Vec<String>` when the
//!   linguist's `is_string_list` says so (ids, account names), else raw.
//! - Nested objects equal to an entity's base fields reuse the entity; the
//!   others are named after the field, singular (`tags` -> `Tag`), then
//!   prefixed by their first owner (`VirtualMachineNic`) when the name is
//!   taken, then numbered. `jobid`/`jobstatus` never count in comparisons.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use marvin_core::schema::Api;

use super::entity::Roles;
use super::shapes::{Kind, RawField, ShapeId, Shapes};
use super::{Answer, Field, FieldTy, Module, Struct, TypeRef};
use crate::linguist::{Mapping, answer_name, answered_entity, is_string_list};
use crate::names::{field_ident, singular, upper_camel};

/// Names the crate root already uses.
pub(crate) const RESERVED_ROOT: &[&str] = &[
    "Call",
    "Command",
    "Decode",
    "ListStream",
    "Object",
    "Secret",
    "Success",
    "Timestamp",
];

/// The struct name of an entity.
pub(crate) fn entity_type(entity: &str) -> String {
    if RESERVED_ROOT.contains(&entity) {
        format!("{entity}Entity")
    } else {
        entity.to_string()
    }
}

fn success_like(names: &BTreeSet<&str>) -> bool {
    names.contains("success") && names.iter().all(|n| *n == "success" || *n == "displaytext")
}

/// The outcome: answers per API, entity fields, other structs.
#[derive(Debug)]
pub(crate) struct Types {
    answers: Vec<Answer>,
    entity_fields: BTreeMap<String, Vec<Field>>,
    structs: Vec<Struct>,
}

/// The naming state while types are resolved.
struct Namer<'s> {
    shapes: &'s Shapes,
    by_names: BTreeMap<BTreeSet<&'s str>, String>,
    entity_names: BTreeMap<String, String>,
    taken: BTreeSet<String>,
    named: HashMap<ShapeId, TypeRef>,
    queue: VecDeque<(ShapeId, String)>,
    docs: HashMap<ShapeId, String>,
}

impl<'s> Namer<'s> {
    fn unique(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// The type of a nested shape met as field `wire` of `owner`.
    fn nested(&mut self, shape: ShapeId, wire: &str, owner: &str) -> TypeRef {
        if let Some(found) = self.named.get(&shape) {
            return found.clone();
        }
        if let Some(entity) = self.by_names.get(&self.shapes.names(shape)) {
            let found = TypeRef {
                module: Module::Root,
                name: entity_type(entity),
            };
            self.named.insert(shape, found.clone());
            return found;
        }
        let single = singular(wire).to_ascii_lowercase();
        let base = self
            .entity_names
            .get(&single)
            .cloned()
            .unwrap_or_else(|| upper_camel(&single));
        let wanted = if self.taken.contains(&base) {
            format!("{owner}{base}")
        } else {
            base
        };
        let name = self.unique(&wanted);
        self.docs
            .insert(shape, format!("The `{wire}` objects of `{owner}`."));
        let found = TypeRef {
            module: Module::Responses,
            name: name.clone(),
        };
        self.named.insert(shape, found.clone());
        self.queue.push_back((shape, name));
        found
    }

    /// The fields of a struct, with unique identifiers and resolved types.
    fn fields(&mut self, raw: &[RawField], owner: &str, entity: bool) -> Vec<Field> {
        let mut idents = BTreeSet::from(["extra".to_string()]);
        raw.iter()
            .map(|f| {
                let mut ident = field_ident(&f.wire);
                while !idents.insert(ident.clone()) {
                    ident.push('_');
                }
                let ty = match f.kind {
                    Kind::Scalar(_) if entity && f.wire == "id" => FieldTy::Id,
                    Kind::Scalar(s) => FieldTy::Scalar(s),
                    Kind::Values if is_string_list(&f.wire) => FieldTy::Strings,
                    Kind::Values => FieldTy::Values,
                    Kind::Nested { shape, many } => {
                        let t = self.nested(shape, &f.wire, owner);
                        if many {
                            FieldTy::Objects(t)
                        } else {
                            FieldTy::Object(t)
                        }
                    }
                };
                Field {
                    wire: f.wire.clone(),
                    ident,
                    ty,
                    doc: f.doc.clone(),
                }
            })
            .collect()
    }
}

impl Types {
    /// Decides every answer type and names them.
    pub(crate) fn build(
        apis: &[&Api],
        mappings: &[Mapping],
        groups: &BTreeMap<String, Vec<usize>>,
        roles: &Roles,
        shapes: &Shapes,
        tops: &[ShapeId],
    ) -> Self {
        // Base shape and widened fields of each entity.
        let mut base: BTreeMap<&str, ShapeId> = BTreeMap::new();
        for entity in groups.keys() {
            let candidates = [roles.enumerator.get(entity), roles.creator.get(entity)];
            for &index in candidates.into_iter().flatten() {
                let names = shapes.names(tops[index]);
                if !names.is_empty() && !success_like(&names) {
                    base.insert(entity, tops[index]);
                    break;
                }
            }
        }
        let mut widened: BTreeMap<&str, Vec<RawField>> = BTreeMap::new();
        for (&entity, &shape) in &base {
            let base_names = shapes.names(shape);
            let mut fields = shapes.fields(shape).to_vec();
            // The entity's own APIs, and those the linguist knows answer it.
            let answering =
                (0..apis.len()).filter(|&i| answered_entity(&apis[i].name) == Some(entity));
            for index in groups[entity].iter().copied().chain(answering) {
                if shapes.names(tops[index]).is_superset(&base_names) {
                    for field in shapes.fields(tops[index]) {
                        if !fields.iter().any(|f| f.wire == field.wire) {
                            fields.push(field.clone());
                        }
                    }
                }
            }
            fields.sort_by(|a, b| a.wire.cmp(&b.wire));
            // A field reads as the entity's own list (else create) API
            // describes it: an identical shape met first elsewhere (a VM
            // answered by `addNicToVirtualMachine`) carries that API's texts.
            let own = [roles.enumerator.get(entity), roles.creator.get(entity)];
            for &index in own.into_iter().flatten() {
                for field in &mut fields {
                    let described = apis[index].response.iter().find_map(|f| {
                        (f.name.as_deref() == Some(field.wire.as_str()))
                            .then(|| f.description.as_deref().unwrap_or_default().trim())
                            .filter(|d| !d.is_empty())
                    });
                    if let Some(doc) = described {
                        field.doc = doc.to_string();
                    }
                }
                if apis[index].response.iter().any(|f| f.name.is_some()) {
                    break;
                }
            }
            widened.insert(entity, fields);
        }
        let mut by_names: BTreeMap<BTreeSet<&str>, String> = BTreeMap::new();
        for (&entity, &shape) in &base {
            by_names
                .entry(shapes.names(shape))
                .or_insert_with(|| entity.to_string());
        }

        let mut namer = Namer {
            shapes,
            by_names,
            entity_names: groups
                .keys()
                .map(|e| (e.to_ascii_lowercase(), entity_type(e)))
                .collect(),
            taken: groups
                .keys()
                .map(|e| entity_type(e))
                .chain(RESERVED_ROOT.iter().map(|s| (*s).to_string()))
                .collect(),
            named: HashMap::new(),
            queue: VecDeque::new(),
            docs: HashMap::new(),
        };

        // Answers, naming the APIs' own shapes in API order.
        let mut answers = Vec::with_capacity(apis.len());
        let mut users: HashMap<ShapeId, Vec<&str>> = HashMap::new();
        for (index, api) in apis.iter().enumerate() {
            let shape = tops[index];
            let names = shapes.names(shape);
            let entity = mappings[index].entity.as_str();
            let own = base.get(entity).filter(|&&b| {
                let widened_names: BTreeSet<&str> =
                    widened[entity].iter().map(|f| f.wire.as_str()).collect();
                names.is_superset(&shapes.names(b)) && names.is_subset(&widened_names)
            });
            let known = answered_entity(&api.name).filter(|e| base.contains_key(e));
            let answer = if let Some(known) = known {
                Answer::Type(TypeRef {
                    module: Module::Root,
                    name: entity_type(known),
                })
            } else if names.is_empty() {
                Answer::Raw
            } else if success_like(&names) {
                Answer::Success
            } else if own.is_some() {
                Answer::Type(TypeRef {
                    module: Module::Root,
                    name: entity_type(entity),
                })
            } else if let Some(other) = namer.by_names.get(&names) {
                Answer::Type(TypeRef {
                    module: Module::Root,
                    name: entity_type(other),
                })
            } else {
                users.entry(shape).or_default().push(&api.name);
                let found = match namer.named.get(&shape) {
                    Some(found) => found.clone(),
                    None => {
                        let wanted = answer_name(&api.name).map_or_else(
                            || format!("{}Response", upper_camel(&api.name)),
                            str::to_string,
                        );
                        let name = namer.unique(&wanted);
                        let found = TypeRef {
                            module: Module::Responses,
                            name: name.clone(),
                        };
                        namer.named.insert(shape, found.clone());
                        namer.queue.push_back((shape, name));
                        found
                    }
                };
                Answer::Type(found)
            };
            answers.push(answer);
        }
        for (shape, apis) in &users {
            let list: Vec<String> = apis.iter().map(|a| format!("`{a}`")).collect();
            namer
                .docs
                .insert(*shape, format!("The answer of {}.", list.join(", ")));
        }

        // Entity structs, then every queued struct (nested ones join the queue).
        let mut entity_fields = BTreeMap::new();
        for (entity, raw) in &widened {
            let fields = namer.fields(raw, &entity_type(entity), true);
            entity_fields.insert((*entity).to_string(), fields);
        }
        let mut structs = Vec::new();
        while let Some((shape, name)) = namer.queue.pop_front() {
            let fields = namer.fields(shapes.fields(shape), &name, false);
            let doc = namer.docs.get(&shape).cloned().unwrap_or_default();
            structs.push(Struct { name, doc, fields });
        }
        structs.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            answers,
            entity_fields,
            structs,
        }
    }

    /// The answer type of API `index`.
    pub(crate) fn answer(&self, index: usize) -> Answer {
        self.answers[index].clone()
    }

    /// The fields of an entity that an answer describes.
    pub(crate) fn entity_fields(&self, entity: &str) -> Option<&Vec<Field>> {
        self.entity_fields.get(entity)
    }

    /// The non-entity structs, by name.
    pub(crate) fn into_structs(self) -> Vec<Struct> {
        self.structs
    }
}
