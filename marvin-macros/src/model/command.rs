//! One request per API: its parameters, typed, and how its answer is read.

use std::collections::BTreeSet;

use marvin_core::schema::{Api, Param};

use super::alternatives::alternatives;
use super::{Answer, Arg, ArgKind, Command, Response, Target, Variant};
use crate::linguist::{Mapping, ONE_OBJECT_LISTINGS, leading_word};
use crate::names::{field_ident, is_secret, upper_camel};

/// Identifiers the request types and entity methods use themselves.
const RESERVED_ARGS: &[&str] = &["options", "target", "client", "extra"];

/// The Rust type of a CloudStack parameter type.
pub(crate) fn arg_kind(kind: &str, name: &str) -> ArgKind {
    match kind.to_ascii_lowercase().as_str() {
        "boolean" => ArgKind::Bool,
        "integer" | "int" | "short" | "long" => ArgKind::Int,
        "float" | "double" => ArgKind::Float,
        "list" => ArgKind::List,
        "map" => ArgKind::Map,
        _ if is_secret(name) => ArgKind::Secret,
        _ => ArgKind::Str,
    }
}

fn arg(param: &Param, idents: &mut BTreeSet<String>) -> Arg {
    let mut ident = field_ident(&param.name);
    if RESERVED_ARGS.contains(&ident.as_str()) {
        ident.push('_');
    }
    while !idents.insert(ident.clone()) {
        ident.push('_');
    }
    Arg {
        wire: param.name.clone(),
        ident,
        kind: arg_kind(&param.kind, &param.name),
        doc: param.description.trim().to_string(),
        since: param.since.clone().filter(|s| !s.is_empty()),
    }
}

/// The command of one API.
pub(crate) fn build(api: &Api, mapping: Mapping, answer: Answer) -> Result<Command, String> {
    // Repeated parameters keep their first entry (4.18 lists a few twice).
    let mut seen = BTreeSet::new();
    let mut params: Vec<&Param> = api
        .params
        .iter()
        .filter(|p| seen.insert(p.name.to_ascii_lowercase()))
        .collect();
    params.sort_by(|a, b| a.name.cmp(&b.name));

    let name = upper_camel(&api.name);
    let mut idents = BTreeSet::new();
    let target = alternatives(&api.name).and_then(|sets| {
        let usable = sets.iter().all(|(_, names)| {
            names
                .iter()
                .all(|n| params.iter().any(|p| p.name == *n && !p.required))
        });
        usable.then(|| {
            let variants = sets
                .iter()
                .map(|(variant, names)| Variant {
                    name: (*variant).to_string(),
                    args: names
                        .iter()
                        .map(|n| {
                            arg(
                                params.iter().find(|p| p.name == *n).expect("checked above"),
                                &mut idents,
                            )
                        })
                        .collect(),
                })
                .collect();
            Target {
                name: format!("{name}Target"),
                variants,
            }
        })
    });
    let in_target = |p: &Param| {
        target.as_ref().is_some_and(|t| {
            t.variants
                .iter()
                .any(|v| v.args.iter().any(|a| a.wire == p.name))
        })
    };
    let required: Vec<Arg> = params
        .iter()
        .filter(|p| p.required && !in_target(p))
        .map(|p| arg(p, &mut idents))
        .collect();
    let optional: Vec<Arg> = params
        .iter()
        .filter(|p| !p.required && !in_target(p))
        .map(|p| arg(p, &mut idents))
        .collect();

    let paged =
        params.iter().any(|p| p.name == "page") && params.iter().any(|p| p.name == "pagesize");
    // Listings: by name, or by taking `page` and `pagesize` (a sync
    // `discoverGpuDevices` lists what it found), but for the few the
    // linguist knows answer one object.
    let many = (matches!(leading_word(&api.name), "list" | "find" | "search")
        || mapping.verb.starts_with("list")
        || (paged && !api.isasync))
        && !ONE_OBJECT_LISTINGS.contains(&api.name.as_str());
    let answer = if many && answer == Answer::Success {
        Answer::Raw
    } else {
        answer
    };
    Ok(Command {
        api: api.name.clone(),
        options: (!optional.is_empty()).then(|| format!("{name}Options")),
        name,
        target,
        doc: api.description.trim().to_string(),
        since: api.since.clone().filter(|s| !s.is_empty()),
        is_async: api.isasync,
        required,
        optional,
        response: Response {
            answer,
            many,
            paged,
        },
        mapping,
    })
}

/// Makes the names of the `commands` module unique: request types first,
/// then options and target types, numbered on a clash.
pub(crate) fn name_types(mut commands: Vec<Command>) -> Result<Vec<Command>, String> {
    let mut taken = BTreeSet::new();
    for command in &commands {
        if !taken.insert(command.name.clone()) {
            return Err(format!(
                "API {} gives the request type {} twice",
                command.api, command.name
            ));
        }
    }
    let mut unique = |wanted: &str| {
        let mut name = wanted.to_string();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        name
    };
    for command in &mut commands {
        if let Some(options) = command.options.take() {
            command.options = Some(unique(&options));
        }
        if let Some(target) = &mut command.target {
            target.name = unique(&target.name);
        }
    }
    Ok(commands)
}
