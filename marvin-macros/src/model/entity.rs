//! Entities and their methods.
//!
//! - The creator is the entity's own `create*`, `register*`, `deploy*` or
//!   `add*` API, in that order of preference (`Template`, `Iso`: `register`;
//!   `IpAddress`: `associate`); it becomes `create`.
//! - The enumerator is its own `list*` API: `list` (and `list_stream` when
//!   the API is paged), plus `refresh` when it lists by `id`.
//! - Every other API is a method named after its verb in snake case
//!   (`resetPassword` -> `reset_password`); a name that clashes, or is a
//!   keyword, takes the API's full name (`create_template`).
//! - A method takes `&self` when the entity has an id and the API takes it:
//!   as `id` or `<entity>id` (for listings only the latter, and only when
//!   required), or as the `Id` variant of its target; or when it deletes by
//!   a key the entity carries instead (`name`, `username`, `publicipid`:
//!   its only required parameter, a string field of the entity), sending
//!   the owner fields with it.
//! - `refresh` lists by `id` with the enumerator's other required
//!   parameters at the linguist's `REFRESH_PARAMS` values
//!   (`templatefilter=self`).
//! - The deletion is the first of destroy (with `expunge=true` when
//!   available), delete, disassociate, remove, release and expunge that
//!   needs nothing but the id.

use std::collections::{BTreeMap, BTreeSet};

use marvin_core::schema::Api;

use super::types::Types;
use super::{Arg, ArgKind, Command, Entity, Fill, Method, Refresh, Removal, Role};
use crate::linguist::{CREATOR_VERBS, Mapping, creator_verb_override, refresh_param};
use crate::names::{is_keyword, snake};

/// The creator and enumerator of each entity (indices into the APIs).
#[derive(Debug, Default)]
pub(crate) struct Roles {
    /// Creators by entity.
    pub(crate) creator: BTreeMap<String, usize>,
    /// Enumerators by entity.
    pub(crate) enumerator: BTreeMap<String, usize>,
}

/// Finds each entity's creator and enumerator.
pub(crate) fn roles(
    apis: &[&Api],
    mappings: &[Mapping],
    groups: &BTreeMap<String, Vec<usize>>,
) -> Roles {
    let mut roles = Roles::default();
    for (entity, members) in groups {
        let exact = |verb: &str| {
            members
                .iter()
                .copied()
                .find(|&i| mappings[i].exact && mappings[i].verb == verb)
        };
        let creator = match creator_verb_override(entity) {
            Some(verb) => exact(verb).or_else(|| CREATOR_VERBS.iter().find_map(|v| exact(v))),
            None => CREATOR_VERBS.iter().find_map(|v| exact(v)),
        };
        if let Some(index) = creator {
            roles.creator.insert(entity.clone(), index);
        }
        if let Some(index) = exact("list") {
            roles.enumerator.insert(entity.clone(), index);
        }
        debug_assert!(members.iter().all(|&i| i < apis.len()));
    }
    roles
}

/// Method names an entity reserves for itself.
const RESERVED_METHODS: &[&str] = &["create", "list", "list_stream", "refresh", "id", "deletion"];

/// APIs whose `id` names another resource than their entity (a host for
/// `discoverGpuDevices`, a cluster for the DRS plans, a secondary IP, a
/// security group rule): they stay associated functions.
const ID_OF_ANOTHER: &[&str] = &[
    "discoverGpuDevices",
    "executeClusterDrsPlan",
    "generateClusterDrsPlan",
    "removeIpFromNic",
    "revokeSecurityGroupEgress",
    "revokeSecurityGroupIngress",
];

/// The verbs of deletion, in order of preference.
const DELETING: &[&str] = &[
    "destroy",
    "delete",
    "disassociate",
    "remove",
    "release",
    "expunge",
];

/// Whether `fields` has a string field named `wire`.
fn has_text_field(fields: &[super::Field], wire: &str) -> bool {
    fields
        .iter()
        .any(|f| f.wire == wire && f.ty == super::FieldTy::Scalar(super::Scalar::Str))
}

/// The fill of a deleting verb that takes no id but one key the entity
/// carries (`deleteSSHKeyPair` by `name`, `removeVpnUser` by `username`,
/// `deleteRemoteAccessVpn` by `publicipid`), scoped by the owner
/// parameters the entity has fields for.
fn key_fill(command: &Command, fields: &[super::Field]) -> Option<Fill> {
    let deleting = DELETING.contains(&command.mapping.verb.as_str());
    let [key] = command.required.as_slice() else {
        return None;
    };
    if !deleting || command.target.is_some() || key.kind != ArgKind::Str {
        return None;
    }
    if key.wire == "id" || !has_text_field(fields, &key.wire) {
        return None;
    }
    let scope = command
        .optional
        .iter()
        .enumerate()
        .filter(|(_, a)| OWNER_PARAMS.contains(&a.wire.as_str()) && has_text_field(fields, &a.wire))
        .map(|(i, _)| i)
        .collect();
    Some(Fill::Key { required: 0, scope })
}

fn fill(entity: &str, command: &Command, fields: &[super::Field]) -> Option<Fill> {
    if ID_OF_ANOTHER.contains(&command.api.as_str()) {
        return None;
    }
    id_fill(entity, command).or_else(|| key_fill(command, fields))
}

fn id_fill(entity: &str, command: &Command) -> Option<Fill> {
    let own = format!("{}id", entity.to_ascii_lowercase());
    let spelled = format!("{}id", command.mapping.spelled.to_ascii_lowercase());
    let many = command.response.many;
    let named = |arg: &Arg| (arg.wire == own || arg.wire == spelled) && arg.kind == ArgKind::Str;
    if !many {
        if let Some(target) = &command.target {
            let by_id = &target.variants[0].args;
            if by_id.len() == 1 && by_id[0].wire == "id" && by_id[0].kind == ArgKind::Str {
                return Some(Fill::Target);
            }
        }
        for wanted in ["id", own.as_str(), spelled.as_str()] {
            if let Some(i) = command
                .required
                .iter()
                .position(|a| a.wire == wanted && a.kind == ArgKind::Str)
            {
                return Some(Fill::Required(i));
            }
        }
        for wanted in ["id", own.as_str(), spelled.as_str()] {
            if let Some(i) = command
                .optional
                .iter()
                .position(|a| a.wire == wanted && a.kind == ArgKind::Str)
            {
                return Some(Fill::Optional(i));
            }
        }
        return None;
    }
    command.required.iter().position(named).map(Fill::Required)
}

/// Builds the entities from their APIs.
pub(crate) fn build(
    groups: &BTreeMap<String, Vec<usize>>,
    roles: &Roles,
    types: &Types,
    commands: &[Command],
) -> Result<Vec<Entity>, String> {
    let mut entities = Vec::with_capacity(groups.len());
    for (name, members) in groups {
        let fields = types.entity_fields(name).cloned();
        let has_id = fields
            .as_ref()
            .is_some_and(|f| f.iter().any(|f| f.ty == super::FieldTy::Id));
        let creator = roles.creator.get(name).copied();
        let enumerator = roles.enumerator.get(name).copied();
        let mut methods = Vec::new();
        let mut used: BTreeSet<String> =
            RESERVED_METHODS.iter().map(|s| (*s).to_string()).collect();
        if let Some(command) = creator {
            methods.push(Method {
                name: "create".into(),
                command,
                role: Role::Creator,
                fill: None,
            });
        }
        if let Some(command) = enumerator {
            methods.push(Method {
                name: "list".into(),
                command,
                role: Role::Enumerator,
                fill: None,
            });
        }
        let mut verbs = Vec::new();
        for &index in members {
            if Some(index) == creator || Some(index) == enumerator {
                continue;
            }
            let command = &commands[index];
            let mut method = snake(&command.mapping.verb);
            if used.contains(&method) || is_keyword(&method) {
                method = snake(&command.api);
            }
            let base = method.clone();
            let mut n = 2;
            while !used.insert(method.clone()) {
                method = format!("{base}_{n}");
                n += 1;
            }
            let fill = if has_id {
                fill(name, command, fields.as_deref().unwrap_or_default())
            } else {
                None
            };
            verbs.push(Method {
                name: method,
                command: index,
                role: Role::Verb,
                fill,
            });
        }
        verbs.sort_by(|a, b| a.name.cmp(&b.name));
        methods.extend(verbs);

        let refresh = enumerator.filter(|_| has_id).and_then(|index| {
            let command = &commands[index];
            let fixed: Option<Vec<(String, String)>> = command
                .required
                .iter()
                .map(|a| {
                    refresh_param(&command.api, &a.wire).map(|v| (a.wire.clone(), v.to_string()))
                })
                .collect();
            let by_id = command.optional.iter().any(|a| a.wire == "id");
            fixed.filter(|_| by_id).map(|fixed| Refresh {
                command: index,
                listall: command.optional.iter().any(|a| a.wire == "listall"),
                fixed,
            })
        });
        let removal = removal(&methods, commands)
            .or_else(|| by_name(&methods, commands, fields.as_deref().unwrap_or_default()));
        entities.push(Entity {
            name: name.clone(),
            fields,
            methods,
            refresh,
            removal,
        });
    }
    Ok(entities)
}

/// The owner parameters a key unique only per owner is deleted with.
const OWNER_PARAMS: &[&str] = &["account", "domainid", "projectid"];

/// The deletion of an entity CloudStack deletes by name rather than id
/// (`deleteSSHKeyPair`): a deleting verb whose only required parameter is
/// `name`, a field of the entity too; the owner parameters it takes go
/// with it from the entity's fields.
fn by_name(methods: &[Method], commands: &[Command], fields: &[super::Field]) -> Option<Removal> {
    let has = |wire: &str| {
        fields
            .iter()
            .any(|f| f.wire == wire && f.ty == super::FieldTy::Scalar(super::Scalar::Str))
    };
    if !has("name") {
        return None;
    }
    methods.iter().find_map(|m| {
        let command = &commands[m.command];
        let deleting = DELETING.contains(&command.mapping.verb.as_str());
        let by_name = matches!(command.required.as_slice(), [a] if a.wire == "name" && a.kind == ArgKind::Str);
        (deleting && by_name && command.target.is_none()).then(|| Removal {
            command: m.command,
            id_param: "name".to_string(),
            flag: None,
            key_field: Some("name".to_string()),
            scope: command
                .optional
                .iter()
                .filter(|a| OWNER_PARAMS.contains(&a.wire.as_str()) && has(&a.wire))
                .map(|a| a.wire.clone())
                .collect(),
        })
    })
}

fn removal(methods: &[Method], commands: &[Command]) -> Option<Removal> {
    let candidates = methods.iter().filter_map(|m| {
        let command = &commands[m.command];
        let verb = command.mapping.verb.as_str();
        let rank = DELETING.iter().position(|d| *d == verb)?;
        let id_param = match m.fill.as_ref()? {
            Fill::Required(i) if command.required.len() == 1 => command.required[*i].wire.clone(),
            Fill::Optional(i) if command.required.is_empty() => command.optional[*i].wire.clone(),
            Fill::Target if command.required.is_empty() => "id".to_string(),
            _ => return None,
        };
        let takes = |flag: &str| command.optional.iter().any(|a| a.wire == flag);
        let flag = match verb {
            "destroy" if takes("expunge") => Some("expunge"),
            "delete" if takes("cleanup") => Some("cleanup"),
            _ => None,
        };
        // destroy with expunge first, then the verbs in order.
        let order = if flag == Some("expunge") { 0 } else { rank + 1 };
        Some((
            order,
            Removal {
                command: m.command,
                id_param,
                flag,
                key_field: None,
                scope: Vec::new(),
            },
        ))
    });
    candidates
        .min_by_key(|(order, _)| *order)
        .map(|(_, removal)| removal)
}
