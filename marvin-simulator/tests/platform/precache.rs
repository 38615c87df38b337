//! The precache generator: `api-precache.json` is the `listApis` answer of
//! exactly the commands the simulator serves.
//!
//! For each registered command, the schema comes from (first match):
//! 1. a hand-written `src/families/*/apis.json` (simulator-only APIs);
//! 2. the real 4.18 answer `testdata/cloudstack/listApis-4.18.json`
//!    (types, lengths, required, since, related, response fields);
//! 3. the 4.22 rebuild `testdata/cloudstack/listApis-4.22.json`, with types taken
//!    from the 4.18 parameters of the same name where there are any, else
//!    `*id` strings as uuid and length 255.
//!
//! Every other API of the 4.22 schema is in the file too, read as in 3:
//! the generic family answers it from that entry.
//!
//! API descriptions are the commands' `doc`; parameter and field
//! descriptions come from the describer (our own words). Hand-written
//! entries keep their own parameter and field descriptions.
//!
//! `MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache`
//! rewrites the file and the copies that marvin-simulator and
//! marvin-entities compile from (each crate's own `api-precache.json`, so
//! that their packages carry it); without it the tests check that the file
//! is up to date and the copies identical to it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use marvin_core::schema::{Api, ApiList, Param, ResponseField};
use serde_json::Value;

use crate::describe::Describer;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn precache_path() -> PathBuf {
    manifest_dir().join("../api-precache.json")
}

/// The copies that crates compiling the precache carry in their own
/// directory, so that their published packages hold it too.
fn packaged_copies() -> [PathBuf; 2] {
    [
        manifest_dir().join("api-precache.json"),
        manifest_dir().join("../marvin-entities/api-precache.json"),
    ]
}

fn blessing() -> bool {
    std::env::var("MARVIN_BLESS").is_ok_and(|v| v == "1")
}

fn cloudstack_dir() -> PathBuf {
    manifest_dir().join("../testdata/cloudstack")
}

/// The hand-written entries of every family (`src/families/*/apis.json`).
fn hand_written() -> Vec<Api> {
    let mut apis = Vec::new();
    let families = manifest_dir().join("src/families");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&families)
        .expect("src/families is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("apis.json"))
        .filter(|path| path.exists())
        .collect();
    dirs.sort();
    for path in dirs {
        let text = std::fs::read_to_string(&path).expect("apis.json is readable");
        let list = ApiList::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        apis.extend(list.api);
    }
    apis
}

/// Parameters the 4.22 rebuild marks required only because the Go SDK does.
fn sdk_required(text: &str) -> HashSet<(String, String)> {
    let doc: Value = serde_json::from_str(text).expect("the 4.22 schema is JSON");
    let mut out = HashSet::new();
    for api in doc["listapisresponse"]["api"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for param in api["params"].as_array().into_iter().flatten() {
            if param["sdkrequired"] == Value::Bool(true) {
                out.insert((
                    api["name"].as_str().unwrap_or_default().to_string(),
                    param["name"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    out
}

fn read_schema(file: &str) -> String {
    let path = cloudstack_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Generates the precache document.
pub fn generate() -> String {
    let real_text = read_schema("listApis-4.18.json");
    let newer_text = read_schema("listApis-4.22.json");
    let real = ApiList::from_json(&real_text).expect("the 4.18 answer parses");
    let newer = ApiList::from_json(&newer_text).expect("the 4.22 schema parses");
    let sdk_only = sdk_required(&newer_text);
    let hand = hand_written();
    let describer = Describer::new(
        real.api
            .iter()
            .chain(&newer.api)
            .chain(&hand)
            .map(|api| api.name.as_str()),
    );
    let types = parameter_types(&real);

    let commands = marvin_simulator::registered_commands().expect("no duplicate commands");
    let mut apis = Vec::with_capacity(commands.len());
    for command in commands {
        let exact = |list: &[Api]| list.iter().find(|api| api.name == command.name).cloned();
        let api = if let Some(api) = exact(&hand) {
            Api {
                description: command.doc.to_string(),
                related: Some(api.related.clone().unwrap_or_default()),
                ..api
            }
        } else if let Some(api) = exact(&real.api) {
            describe(&describer, command.doc, api, |_| None)
        } else if let Some(api) = exact(&newer.api) {
            let name = api.name.clone();
            let mut api = describe(&describer, command.doc, api, |param| {
                types.get(&param.to_ascii_lowercase()).cloned()
            });
            for param in &mut api.params {
                if sdk_only.contains(&(name.clone(), param.name.clone())) {
                    param.required = false;
                }
            }
            api
        } else {
            panic!(
                "{} has no schema in the CloudStack files: write its listApis entry in an apis.json of its family",
                command.name
            );
        };
        apis.push(api);
    }
    // Every other API of the 4.22 schema: the generic family answers it.
    let modeled: HashSet<String> = apis.iter().map(|api| api.name.clone()).collect();
    for api in &newer.api {
        if modeled.contains(&api.name) {
            continue;
        }
        let name = api.name.clone();
        let doc = describer.api(&name);
        let mut api = describe(&describer, &doc, api.clone(), |param| {
            types.get(&param.to_ascii_lowercase()).cloned()
        });
        for param in &mut api.params {
            if sdk_only.contains(&(name.clone(), param.name.clone())) {
                param.required = false;
            }
        }
        apis.push(api);
    }
    let mut list = ApiList {
        count: 0,
        api: apis,
    };
    list.normalize();
    list.to_pretty_json()
}

/// The most common (type, length) of each parameter name in the real answer.
fn parameter_types(real: &ApiList) -> HashMap<String, (String, u32)> {
    let mut counts: HashMap<String, BTreeMap<(String, u32), usize>> = HashMap::new();
    for api in &real.api {
        for param in &api.params {
            *counts
                .entry(param.name.to_ascii_lowercase())
                .or_default()
                .entry((param.kind.clone(), param.length.unwrap_or(255)))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(name, seen)| {
            let best = seen
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
            Some((name, best.0))
        })
        .collect()
}

/// One API with our descriptions; `known_type` maps a parameter name to a
/// (type, length) to use instead of the source's.
fn describe(
    describer: &Describer,
    doc: &str,
    source: Api,
    known_type: impl Fn(&str) -> Option<(String, u32)>,
) -> Api {
    let entity = describer.entity(&source.name);
    let mut seen = HashSet::new();
    let params = source
        .params
        .into_iter()
        .filter(|param| seen.insert(param.name.to_ascii_lowercase()))
        .map(|param| {
            let (kind, length) = match known_type(&param.name) {
                Some(found) => found,
                None => {
                    let lower = param.name.to_ascii_lowercase();
                    let kind = if param.kind == "string"
                        && lower.ends_with("id")
                        && param.length.is_none()
                    {
                        "uuid".to_string()
                    } else {
                        param.kind.clone()
                    };
                    (kind, param.length.unwrap_or(255))
                }
            };
            Param {
                description: describer.param(&entity, &param.name, &kind),
                kind,
                length: Some(length),
                ..param
            }
        })
        .collect();
    Api {
        name: source.name,
        description: doc.to_string(),
        isasync: source.isasync,
        since: source.since,
        related: Some(source.related.unwrap_or_default()),
        params,
        response: fields(describer, &entity, source.response),
    }
}

fn fields(describer: &Describer, entity: &str, source: Vec<ResponseField>) -> Vec<ResponseField> {
    let mut seen = HashSet::new();
    source
        .into_iter()
        .filter(|field| !field.is_empty())
        .filter(|field| seen.insert(field.name.clone()))
        .map(|field| {
            let name = field.name.clone().unwrap_or_default();
            let kind = field.kind.clone().unwrap_or_else(|| "string".into());
            let nested_entity = describer.words(&name.to_ascii_lowercase());
            ResponseField {
                description: Some(describer.field(entity, &name, &kind)),
                response: field
                    .response
                    .map(|nested| fields(describer, &nested_entity, nested)),
                kind: Some(kind),
                name: Some(name),
            }
        })
        .collect()
}

fn first_difference(committed: &str, generated: &str) -> String {
    let (Ok(old), Ok(new)) = (ApiList::from_json(committed), ApiList::from_json(generated)) else {
        return "the committed file is not a listApis document".into();
    };
    let old_names: Vec<&str> = old.api.iter().map(|a| a.name.as_str()).collect();
    let new_names: Vec<&str> = new.api.iter().map(|a| a.name.as_str()).collect();
    let added: Vec<&&str> = new_names
        .iter()
        .filter(|n| !old_names.contains(n))
        .collect();
    let removed: Vec<&&str> = old_names
        .iter()
        .filter(|n| !new_names.contains(n))
        .collect();
    let changed: Vec<&str> = new
        .api
        .iter()
        .filter(|api| old.api.iter().any(|o| o.name == api.name && o != *api))
        .map(|api| api.name.as_str())
        .collect();
    format!("new APIs {added:?}, removed APIs {removed:?}, changed APIs {changed:?}")
}

#[test]
fn precache_is_up_to_date() {
    let generated = generate();
    let path = precache_path();
    if blessing() {
        for path in std::iter::once(path).chain(packaged_copies()) {
            std::fs::write(&path, &generated).expect("api-precache.json is writable");
            println!("wrote {}", path.display());
        }
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "api-precache.json is out of date ({}); regenerate it with \
         MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache",
        first_difference(&committed, &generated)
    );
}

#[test]
fn packaged_precache_copies_match_the_workspace_precache() {
    if blessing() {
        // precache_is_up_to_date is rewriting them.
        return;
    }
    let canonical = std::fs::read(precache_path()).expect("api-precache.json exists");
    for copy in packaged_copies() {
        let text = std::fs::read(&copy).unwrap_or_default();
        assert!(
            text == canonical,
            "{} differs from the workspace's api-precache.json; rewrite the copies with \
             MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache",
            copy.display()
        );
    }
}

#[test]
fn precache_descriptions_are_complete_for_cloudmonkey() {
    let text = std::fs::read_to_string(precache_path()).expect("api-precache.json exists");
    let list = ApiList::from_json(&text).expect("it parses");
    assert_eq!(list.count, list.api.len());
    for api in &list.api {
        assert!(
            !api.description.is_empty(),
            "{} has no description",
            api.name
        );
        for param in &api.params {
            assert!(
                !param.description.is_empty(),
                "{}.{} has no description",
                api.name,
                param.name
            );
            assert!(
                param.length.is_some(),
                "{}.{} has no length",
                api.name,
                param.name
            );
        }
    }
}
