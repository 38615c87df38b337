//! The model of the generated API: every naming and shape decision is made
//! here, from the precache; the emitters only turn it into tokens.
//!
//! - [`shapes`]: answer objects interned by structure;
//! - [`types`]: which shape becomes which Rust type, and its name;
//! - [`command`]: one request per API (required, optional and alternative
//!   parameters, the answer type, how it is sent);
//! - [`entity`]: the entities, their creator, enumerator, verbs, refresh
//!   and deletion.

mod alternatives;
mod command;
mod entity;
mod shapes;
mod types;

use std::collections::BTreeMap;

use marvin_core::schema::{Api, ApiList};

pub(crate) use self::shapes::Scalar;
use self::shapes::Shapes;
pub(crate) use self::types::entity_type;
use crate::linguist::{Linguist, Mapping};

/// Where a generated type lives, relative to the macro's invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Module {
    /// Next to the invocation: the entities.
    Root,
    /// `responses`: other answer shapes and nested objects.
    Responses,
}

/// A generated answer type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef {
    /// Its module.
    pub(crate) module: Module,
    /// Its name.
    pub(crate) name: String,
}

/// The Rust type of an answer field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldTy {
    /// `String`: an entity's id.
    Id,
    /// `Option<scalar>`.
    Scalar(Scalar),
    /// `Vec<Value>`.
    Values,
    /// `Vec<String>`: a list of ids or names.
    Strings,
    /// `Option<T>`.
    Object(TypeRef),
    /// `Vec<T>`.
    Objects(TypeRef),
}

/// A field of a generated answer type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The name in the answer.
    pub(crate) wire: String,
    /// The Rust field name.
    pub(crate) ident: String,
    /// The Rust type.
    pub(crate) ty: FieldTy,
    /// The description.
    pub(crate) doc: String,
}

/// An answer type that is not an entity (module `responses`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Struct {
    /// Its name.
    pub(crate) name: String,
    /// Where it appears (for its rustdoc).
    pub(crate) doc: String,
    /// Its fields, sorted by wire name.
    pub(crate) fields: Vec<Field>,
}

/// How a request parameter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgKind {
    /// `String`.
    Str,
    /// `Secret`.
    Secret,
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `Vec<String>`, sent comma-joined.
    List,
    /// `Vec<BTreeMap<String, String>>`, sent as `name[i].key=value`.
    Map,
}

/// A request parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    /// The CloudStack name.
    pub(crate) wire: String,
    /// The Rust name.
    pub(crate) ident: String,
    /// The Rust type.
    pub(crate) kind: ArgKind,
    /// The description.
    pub(crate) doc: String,
    /// The version that introduced it.
    pub(crate) since: Option<String>,
}

/// One set of alternative required parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    /// The variant name (`Id`, `Name`).
    pub(crate) name: String,
    /// Its parameters.
    pub(crate) args: Vec<Arg>,
}

/// The alternative required parameter sets of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// The enum's name (`DisableAccountTarget`).
    pub(crate) name: String,
    /// The sets; the first is the by-id one.
    pub(crate) variants: Vec<Variant>,
}

/// What a command answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A generated type.
    Type(TypeRef),
    /// `Success`.
    Success,
    /// The raw JSON (`Value`): answers without fields.
    Raw,
}

/// How a command's answer is read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    /// The type of one item.
    pub(crate) answer: Answer,
    /// A list of items (`Vec<T>`), not one.
    pub(crate) many: bool,
    /// Listed across all pages (the command takes `page` and `pagesize`).
    pub(crate) paged: bool,
}

/// One API command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Command {
    /// The API name (`deployVirtualMachine`).
    pub(crate) api: String,
    /// The request type (`DeployVirtualMachine`).
    pub(crate) name: String,
    /// The options type, when the API has optional parameters.
    pub(crate) options: Option<String>,
    /// The alternative parameter sets, if any.
    pub(crate) target: Option<Target>,
    /// The API description.
    pub(crate) doc: String,
    /// The version that introduced it.
    pub(crate) since: Option<String>,
    /// Whether the API answers with a job.
    pub(crate) is_async: bool,
    /// Required parameters, alphabetical.
    pub(crate) required: Vec<Arg>,
    /// Optional parameters, alphabetical.
    pub(crate) optional: Vec<Arg>,
    /// The answer.
    pub(crate) response: Response,
    /// The linguist's reading of the name.
    pub(crate) mapping: Mapping,
}

/// The part a method plays on its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `create`: brings the entity into existence.
    Creator,
    /// `list`: enumerates entities.
    Enumerator,
    /// Any other API of the entity.
    Verb,
}

/// Which parameters an instance method fills from `self`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fill {
    /// The required parameter at this index.
    Required(usize),
    /// The optional parameter at this index.
    Optional(usize),
    /// The `Id` variant of the target.
    Target,
    /// The required parameter at `required` from the entity's field of the
    /// same name, its key where the API takes no id (`name` of a key pair,
    /// `username` of a VPN user, `publicipid` of a remote access VPN),
    /// with the optional owner parameters at `scope` from their fields.
    Key {
        /// The required parameter.
        required: usize,
        /// The optional owner parameters (`account`, `domainid`,
        /// `projectid`) the entity has fields for.
        scope: Vec<usize>,
    },
}

/// A method of an entity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Method {
    /// The Rust name.
    pub(crate) name: String,
    /// Index into [`Model::commands`].
    pub(crate) command: usize,
    /// Its part.
    pub(crate) role: Role,
    /// What it fills from `self` (instance methods only).
    pub(crate) fill: Option<Fill>,
}

/// How an entity lists itself by id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refresh {
    /// The enumerator (index into [`Model::commands`]).
    pub(crate) command: usize,
    /// The enumerator takes `listall`.
    pub(crate) listall: bool,
    /// Required parameters sent with a fixed value (`templatefilter`).
    pub(crate) fixed: Vec<(String, String)>,
}

/// How an entity is deleted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Removal {
    /// The deleting command (index into [`Model::commands`]).
    pub(crate) command: usize,
    /// The parameter that takes the id.
    pub(crate) id_param: String,
    /// A boolean sent as `true` too: `expunge` for a destroy, `cleanup`
    /// for a delete that empties what it deletes (a domain's accounts, a
    /// project's resources), so that what a killed run made inside it
    /// without recording does not block the deletion.
    pub(crate) flag: Option<&'static str>,
    /// The field that gives the key when it is not the id (`name` for key
    /// pairs, which CloudStack deletes by name).
    pub(crate) key_field: Option<String>,
    /// The owner parameters (wire names, fields of the same name) sent
    /// with a key unique only within its owner.
    pub(crate) scope: Vec<String>,
}

/// An entity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entity {
    /// Its name.
    pub(crate) name: String,
    /// Its fields; `None` for entities no answer describes (a unit struct
    /// that only groups associated functions).
    pub(crate) fields: Option<Vec<Field>>,
    /// The methods: creator, enumerator, then verbs by name.
    pub(crate) methods: Vec<Method>,
    /// `refresh`, when the enumerator lists by id.
    pub(crate) refresh: Option<Refresh>,
    /// The deletion of a resource of this kind.
    pub(crate) removal: Option<Removal>,
}

impl Entity {
    /// Whether it has an `id` (and so implements `Resource`).
    pub(crate) fn has_id(&self) -> bool {
        self.fields
            .as_ref()
            .is_some_and(|fields| fields.iter().any(|f| f.ty == FieldTy::Id))
    }
}

/// The whole generated API.
#[derive(Debug)]
pub(crate) struct Model {
    /// Entities, by name.
    pub(crate) entities: Vec<Entity>,
    /// Commands, by API name.
    pub(crate) commands: Vec<Command>,
    /// Answer types that are not entities, by name.
    pub(crate) structs: Vec<Struct>,
}

impl Model {
    /// Builds the model of a schema. Errors name the API concerned.
    pub(crate) fn build(list: &ApiList) -> Result<Self, String> {
        let mut apis: Vec<&Api> = list.api.iter().collect();
        apis.sort_by(|a, b| a.name.cmp(&b.name));
        let linguist = Linguist::new(apis.iter().map(|a| a.name.as_str()));
        let mappings: Vec<Mapping> = apis.iter().map(|a| linguist.map(&a.name)).collect();
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, mapping) in mappings.iter().enumerate() {
            groups
                .entry(mapping.entity.clone())
                .or_default()
                .push(index);
        }

        let mut shapes = Shapes::default();
        let tops: Vec<_> = apis
            .iter()
            .map(|api| shapes.intern(&api.response))
            .collect();
        let roles = entity::roles(&apis, &mappings, &groups);
        let types = types::Types::build(&apis, &mappings, &groups, &roles, &shapes, &tops);

        let commands = apis
            .iter()
            .zip(mappings)
            .enumerate()
            .map(|(index, (api, mapping))| command::build(api, mapping, types.answer(index)))
            .collect::<Result<Vec<_>, _>>()?;
        let commands = command::name_types(commands)?;
        let entities = entity::build(&groups, &roles, &types, &commands)?;
        Ok(Self {
            entities,
            commands,
            structs: types.into_structs(),
        })
    }

    /// The command of an API.
    #[cfg(test)]
    pub(crate) fn command(&self, api: &str) -> &Command {
        self.commands
            .iter()
            .find(|c| c.api == api)
            .unwrap_or_else(|| panic!("no command {api}"))
    }

    /// An entity.
    #[cfg(test)]
    pub(crate) fn entity(&self, name: &str) -> &Entity {
        self.entities
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no entity {name}"))
    }
}

#[cfg(test)]
mod tests;
