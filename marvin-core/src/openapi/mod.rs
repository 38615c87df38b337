//! An OpenAPI 3.1 document from a `listApis` snapshot, and the differences
//! between two snapshots ([`diff`]).
//!
//! Every API is one path named after it (`/listZones`) under the server URL
//! `/client/api`, and one operation: `GET` with query parameters, or `POST`
//! with a form body for the APIs that carry a secret (`login`,
//! `createAccount`), which should stay out of URLs and logs. CloudStack
//! dispatches on the `command` parameter, not on the path: every operation
//! declares it, fixed to its API's name, so a client may send the request
//! to the server URL itself (`/client/api?command=listZones`).
//!
//! The answers' objects are the shared shapes of [`crate::shapes`], one
//! schema component each, named after the entity or field that first shows
//! them; the operations are tagged with the linguist's entity
//! ([`crate::linguist`]). CloudStack's conventions are extensions:
//! `x-cloudstack-async` (the operation answers with a job id, its result has
//! the shape `x-cloudstack-jobresult`), `x-cloudstack-since`,
//! `x-cloudstack-list-key` (the key of a list answer's items) and
//! `x-cloudstack-encoding` (how a map parameter is sent).
//!
//! ```
//! use marvin_core::schema::ApiList;
//! let doc = r#"{"api":[{"name":"listZones","isasync":false,
//!     "params":[{"name":"id","type":"uuid"},{"name":"pagesize","type":"integer"}],
//!     "response":[{"name":"id","type":"string"},{"name":"name","type":"string"}]}]}"#;
//! let openapi = marvin_core::openapi::document(&ApiList::from_json(doc).unwrap(), "4.22");
//! let op = &openapi["paths"]["/listZones"]["get"];
//! assert_eq!(op["tags"][0], "Zone");
//! assert_eq!(op["x-cloudstack-list-key"], "zone");
//! assert!(openapi["components"]["schemas"]["Zone"].is_object());
//! ```

pub mod diff;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use crate::linguist::{Linguist, Mapping, leading_word};
use crate::names::{is_secret, singular, upper_camel};
use crate::schema::{Api, ApiList, Param};
use crate::shapes::{Kind, Scalar, ShapeId, Shapes};

/// Where the rustdoc of the signing rules is published.
pub const SIGNING_DOCS: &str = "https://docs.rs/marvin-core/latest/marvin_core/signing/";

/// Answer keys that are not the linguist's spelling of the entity, as real
/// servers answer (the recorded answers of `testdata/cloudstack/responses`;
/// the simulator's generic family answers under the same keys).
const ANSWER_KEYS: &[(&str, &str)] = &[
    ("dedicateGuestVlanRange", "dedicatedguestvlanrange"),
    ("getKubernetesClusterConfig", "clusterconfig"),
    ("listHypervisorCapabilities", "hypervisorCapabilities"),
];

/// APIs whose answer holds its fields straight in the envelope
/// (`{"loginresponse": {"sessionkey": ..}}`), not under an entity key, as
/// real servers answer (the recorded `login` and `logout` of
/// `testdata/cloudstack/responses`) and the simulator does.
const BARE_ANSWERS: &[&str] = &["login", "logout", "queryAsyncJobResult", "quotaIsEnabled"];

/// The key under which an API's answer holds its object, or a list answer
/// its items: the entity as the API name spells it, lower-cased
/// (`listZones` -> `zone`), with the few exceptions real servers make.
pub fn answer_key(api: &str, mapping: &Mapping) -> String {
    if let Some((_, key)) = ANSWER_KEYS.iter().find(|(name, _)| *name == api) {
        return (*key).to_string();
    }
    if api.starts_with("getUploadParamsFor") {
        return "getuploadparams".to_string();
    }
    mapping.spelled.to_ascii_lowercase()
}

/// Whether an API is a listing: its verb is `list` or it pages.
pub fn is_list(api: &Api, mapping: &Mapping) -> bool {
    leading_word(&mapping.verb) == "list"
        || mapping.verb == "list"
        || api
            .params
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case("pagesize"))
}

/// Whether an API is sent as a form `POST` (it carries a secret).
pub fn is_post(api: &Api) -> bool {
    api.params.iter().any(|p| is_secret(&p.name))
}

/// The JSON schema of a request parameter's CloudStack type.
pub fn param_schema(param: &Param) -> Value {
    let kind = param.kind.to_ascii_lowercase();
    let mut schema = match kind.as_str() {
        "boolean" => json!({"type": "boolean"}),
        "integer" | "int" | "short" => json!({"type": "integer", "format": "int32"}),
        "long" => json!({"type": "integer", "format": "int64"}),
        "float" | "double" => json!({"type": "number", "format": kind}),
        "uuid" => json!({"type": "string", "format": "uuid"}),
        "date" | "tzdate" => {
            json!({"type": "string", "x-cloudstack-format": "yyyy-MM-dd or yyyy-MM-dd'T'HH:mm:ssZ"})
        }
        "list" => json!({"type": "array", "items": {"type": "string"}}),
        "map" => json!({
            "type": "array",
            "items": {"type": "object", "additionalProperties": {"type": "string"}},
            "x-cloudstack-encoding": "indexed-map",
        }),
        _ => json!({"type": "string"}),
    };
    if let (Some(length), Some("string")) = (param.length, schema["type"].as_str())
        && length > 0
    {
        schema["maxLength"] = json!(length);
    }
    if is_secret(&param.name) && schema["type"] == "string" {
        schema["format"] = json!("password");
    }
    schema
}

/// The description of a parameter, with how lists and maps are sent.
fn param_description(param: &Param) -> String {
    let mut text = param.description.trim().to_string();
    let note = match param.kind.to_ascii_lowercase().as_str() {
        "list" => Some(
            "A list is sent as one value, its items joined with commas (`ids=a,b,c`).".to_string(),
        ),
        "map" => Some(format!(
            "A map is sent as indexed keys, one index per entry counting from 0, each of the \
             entry's keys after a dot: `{0}[0].key=k1&{0}[0].value=v1&{0}[1].key=k2&{0}[1].value=v2`.",
            param.name
        )),
        _ => None,
    };
    if let Some(note) = note {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&note);
    }
    text
}

/// Names the shapes: each becomes one component, named after the entity
/// whose answer first shows it, or after the field that holds it.
struct Names {
    by_shape: HashMap<ShapeId, String>,
    taken: BTreeSet<String>,
}

impl Names {
    fn name(&mut self, shape: ShapeId, candidates: &[String]) -> String {
        if let Some(name) = self.by_shape.get(&shape) {
            return name.clone();
        }
        let mut chosen = None;
        for candidate in candidates.iter().filter(|c| !c.is_empty()) {
            if !self.taken.contains(candidate) {
                chosen = Some(candidate.clone());
                break;
            }
        }
        let name = chosen.unwrap_or_else(|| {
            let base = candidates
                .iter()
                .find(|c| !c.is_empty())
                .cloned()
                .unwrap_or_else(|| "Object".into());
            (2..)
                .map(|n| format!("{base}{n}"))
                .find(|c| !self.taken.contains(c))
                .expect("a free name")
        });
        self.taken.insert(name.clone());
        self.by_shape.insert(shape, name.clone());
        name
    }
}

fn type_name(text: &str) -> String {
    let mut name = upper_camel(text);
    name.retain(|c| c.is_ascii_alphanumeric());
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'X');
    }
    name
}

fn scalar_schema(scalar: Scalar) -> Value {
    match scalar {
        Scalar::Str => json!({"type": "string"}),
        Scalar::Secret => json!({"type": "string", "format": "password"}),
        Scalar::Int => json!({"type": "integer", "format": "int64"}),
        Scalar::Float => json!({"type": "number"}),
        Scalar::Bool => json!({"type": "boolean"}),
        Scalar::Date => json!({"type": "string", "x-cloudstack-format": "yyyy-MM-dd'T'HH:mm:ssZ"}),
        Scalar::Map => json!({"type": "object"}),
        Scalar::Json => json!({}),
    }
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Builds the components of the shapes, naming nested ones after their
/// field; returns the component of every top-level shape asked.
struct Components {
    names: Names,
    schemas: BTreeMap<String, Value>,
}

impl Components {
    fn schema_of(&mut self, shapes: &Shapes, shape: ShapeId, candidates: &[String]) -> String {
        let known = self.names.by_shape.contains_key(&shape);
        let name = self.names.name(shape, candidates);
        if known {
            return name;
        }
        let mut properties = Map::new();
        for field in shapes.fields(shape) {
            let mut schema = match field.kind {
                Kind::Scalar(scalar) => scalar_schema(scalar),
                Kind::Values => json!({"type": "array", "items": {}}),
                Kind::Nested {
                    shape: nested,
                    many,
                } => {
                    let base = type_name(&singular(&upper_camel(&field.wire)));
                    let owned = format!("{name}{base}");
                    let inner = self.schema_of(shapes, nested, &[base, owned]);
                    if many {
                        json!({"type": "array", "items": reference(&inner)})
                    } else {
                        reference(&inner)
                    }
                }
            };
            // In 3.1 a reference may carry a description beside it.
            if !field.doc.trim().is_empty() {
                schema["description"] = json!(field.doc.trim());
            }
            properties.insert(field.wire.clone(), schema);
        }
        self.schemas.insert(
            name.clone(),
            json!({"type": "object", "properties": properties}),
        );
        name
    }
}

/// The OpenAPI 3.1 document of a `listApis` snapshot; `version` is the
/// document's `info.version` (the CloudStack version it describes).
pub fn document(list: &ApiList, version: &str) -> Value {
    let mut apis: Vec<&Api> = list.api.iter().collect();
    apis.sort_by(|a, b| a.name.cmp(&b.name));
    let linguist = Linguist::new(apis.iter().map(|a| a.name.as_str()));
    let mappings: Vec<Mapping> = apis.iter().map(|a| linguist.map(&a.name)).collect();

    let mut shapes = Shapes::default();
    let tops: Vec<ShapeId> = apis.iter().map(|a| shapes.intern(&a.response)).collect();
    // Enumerators name their entity's shape first, then the exact verbs.
    let mut order: Vec<usize> = (0..apis.len()).collect();
    order.sort_by_key(|&i| {
        let m = &mappings[i];
        let rank = if m.exact && m.verb == "list" {
            0
        } else if m.exact {
            1
        } else {
            2
        };
        (rank, apis[i].name.clone())
    });
    let mut components = Components {
        names: Names {
            by_shape: HashMap::new(),
            taken: ["AsyncJob", "CloudStackError", "Success"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        },
        schemas: BTreeMap::new(),
    };
    let mut top_names: Vec<Option<String>> = vec![None; apis.len()];
    for &i in &order {
        if shapes.fields(tops[i]).is_empty() {
            continue;
        }
        let entity = mappings[i].entity.clone();
        let with_verb = format!("{entity}{}", upper_camel(&mappings[i].verb));
        let own = format!("{}Answer", upper_camel(&apis[i].name));
        top_names[i] = Some(components.schema_of(&shapes, tops[i], &[entity, with_verb, own]));
    }

    let mut paths = Map::new();
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for (i, api) in apis.iter().enumerate() {
        let mapping = &mappings[i];
        tags.insert(mapping.entity.clone());
        let operation = operation(api, mapping, top_names[i].as_deref());
        let method = if is_post(api) { "post" } else { "get" };
        paths.insert(format!("/{}", api.name), json!({ method: operation }));
    }

    let mut schemas = Map::new();
    schemas.insert(
        "AsyncJob".into(),
        json!({
            "type": "object",
            "description": "The answer of an asynchronous API: the job to poll with queryAsyncJobResult.",
            "required": ["jobid"],
            "properties": {
                "jobid": {"type": "string", "format": "uuid", "description": "The job's id."},
                "id": {"type": "string", "description": "The id of the object the job works on, when it has one."},
            },
        }),
    );
    schemas.insert(
        "CloudStackError".into(),
        json!({
            "type": "object",
            "description": "A failed call. The HTTP status is the errorcode.",
            "required": ["errorcode", "errortext"],
            "properties": {
                "errorcode": {"type": "integer", "description": "The HTTP status: 401 unauthorized, 431 bad parameter, 432 unsupported API, 530 internal error, ..."},
                "cserrorcode": {"type": "integer", "description": "CloudStack's own error code (4250 server error, 9999 unknown, ...)."},
                "errortext": {"type": "string", "description": "What went wrong."},
                "uuidList": {"type": "array", "items": {}, "description": "The objects the error is about."},
            },
        }),
    );
    schemas.insert(
        "Success".into(),
        json!({
            "type": "object",
            "description": "The answer of an API that only succeeds or fails.",
            "properties": {
                "success": {"type": "boolean"},
                "displaytext": {"type": "string"},
            },
        }),
    );
    for (name, schema) in components.schemas {
        schemas.insert(name, schema);
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Apache CloudStack API",
            "version": version,
            "description": "Generated by Marvin for Rust from a listApis snapshot. Each API is one \
                path named after it; CloudStack dispatches on the `command` parameter, so a \
                request may go to the server URL itself (`/client/api?command=listZones`). Add \
                `response=json` for JSON answers.",
        },
        "servers": [{"url": "/client/api", "description": "The management server's API endpoint."}],
        "security": [{"apiKey": [], "signature": []}, {"sessionKey": []}],
        "tags": tags.iter().map(|t| json!({"name": t, "description": format!("APIs of {t}")})).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "response": {
                    "name": "response",
                    "in": "query",
                    "required": false,
                    "description": "The answer's format; CloudStack answers XML without it.",
                    "schema": {"type": "string", "enum": ["json", "xml"], "default": "json"},
                },
            },
            "responses": {
                "Error": {
                    "description": "A failed call: one key (the command's response key, or errorresponse) holding the error.",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "minProperties": 1,
                        "maxProperties": 1,
                        "additionalProperties": reference("CloudStackError"),
                    }}},
                },
            },
            "securitySchemes": {
                "apiKey": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "apiKey",
                    "description": "The user's API key; every keyed call carries `signature` too.",
                },
                "signature": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "signature",
                    "description": format!(
                        "HMAC-SHA1 of the request under the user's secret key, base64-encoded: \
                         every parameter but `signature`, names sorted, values URL-encoded as \
                         Java's URLEncoder does (space as %20), joined with `&`, lower-cased. \
                         `expires` (ISO 8601) and `signatureVersion=3` bound its lifetime. \
                         The rules, with test vectors: {SIGNING_DOCS}"
                    ),
                },
                "sessionKey": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "sessionkey",
                    "description": "A session: `login` (POST username, password, domain) answers \
                        with `sessionkey` and sets the JSESSIONID cookie; every later call sends \
                        both, the key as the `sessionkey` parameter. `logout` ends it.",
                },
            },
        },
    })
}

fn operation(api: &Api, mapping: &Mapping, shape: Option<&str>) -> Value {
    let post = is_post(api);
    let mut parameters = vec![
        json!({
            "name": "command",
            "in": "query",
            "required": true,
            "description": "The API, on which CloudStack dispatches.",
            "schema": {"type": "string", "const": api.name, "enum": [api.name], "default": api.name},
        }),
        json!({"$ref": "#/components/parameters/response"}),
    ];
    let mut seen = BTreeSet::new();
    let params: Vec<&Param> = api
        .params
        .iter()
        .filter(|p| {
            let lower = p.name.to_ascii_lowercase();
            lower != "command" && lower != "response" && seen.insert(lower)
        })
        .collect();
    let mut body = Map::new();
    let mut body_required = Vec::new();
    let mut encoding = Map::new();
    for param in &params {
        let mut schema = param_schema(param);
        let description = param_description(param);
        if post {
            if !description.is_empty() {
                schema["description"] = json!(description);
            }
            if param.kind.eq_ignore_ascii_case("list") {
                encoding.insert(
                    param.name.clone(),
                    json!({"style": "form", "explode": false}),
                );
            }
            body.insert(param.name.clone(), schema);
            if param.required {
                body_required.push(param.name.clone());
            }
            continue;
        }
        let mut entry = json!({
            "name": param.name,
            "in": "query",
            "required": param.required,
            "schema": schema,
        });
        if !description.is_empty() {
            entry["description"] = json!(description);
        }
        if param.kind.eq_ignore_ascii_case("list") {
            entry["style"] = json!("form");
            entry["explode"] = json!(false);
        }
        if let Some(since) = &param.since {
            entry["x-cloudstack-since"] = json!(since);
        }
        parameters.push(entry);
    }

    let listed = is_list(api, mapping);
    let key = answer_key(&api.name, mapping);
    let item = shape.map(reference);
    let inner = if api.isasync {
        reference("AsyncJob")
    } else if BARE_ANSWERS.contains(&api.name.as_str()) {
        item.clone().unwrap_or_else(|| reference("Success"))
    } else if listed {
        let items = item.clone().unwrap_or_else(|| json!({}));
        json!({
            "type": "object",
            "properties": {
                "count": {"type": "integer", "description": "How many items match, across all pages."},
                key.clone(): {"type": "array", "items": items},
            },
        })
    } else {
        match &item {
            Some(item) if !is_success(api) => json!({
                "type": "object",
                "properties": {key.clone(): item},
            }),
            _ => reference("Success"),
        }
    };
    let envelope = format!("{}response", api.name.to_ascii_lowercase());
    let mut op = json!({
        "operationId": api.name,
        "tags": [mapping.entity],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "The answer.",
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": [envelope],
                    "properties": {envelope.clone(): inner},
                }}},
            },
            "4XX": {"$ref": "#/components/responses/Error"},
            "5XX": {"$ref": "#/components/responses/Error"},
        },
        "x-cloudstack-async": api.isasync,
    });
    let description = api.description.trim();
    if !description.is_empty() {
        op["summary"] = json!(first_sentence(description));
        op["description"] = json!(description);
    }
    if let Some(since) = &api.since {
        op["x-cloudstack-since"] = json!(since);
    }
    if listed {
        op["x-cloudstack-list-key"] = json!(key);
    }
    if api.isasync
        && let Some(item) = item
    {
        op["x-cloudstack-jobresult"] = item;
    }
    if post {
        let mut schema = json!({"type": "object", "properties": body});
        if !body_required.is_empty() {
            schema["required"] = json!(body_required);
        }
        let mut media = json!({"schema": schema});
        if !encoding.is_empty() {
            media["encoding"] = Value::Object(encoding);
        }
        op["requestBody"] = json!({
            "required": !body_required.is_empty(),
            "content": {"application/x-www-form-urlencoded": media},
        });
    }
    if api.name == "login" {
        op["security"] = json!([]);
    }
    op
}

fn is_success(api: &Api) -> bool {
    let names: BTreeSet<&str> = api
        .response
        .iter()
        .filter_map(|f| f.name.as_deref())
        .collect();
    names.contains("success") && names.iter().all(|n| *n == "success" || *n == "displaytext")
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.find(". ") {
        Some(end) => line[..=end].trim().to_string(),
        None => line.trim().to_string(),
    }
}

#[cfg(test)]
mod tests;
