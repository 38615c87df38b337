//! What the generic family makes of one API: its entity, what its verb does,
//! the key of its answer and the fields the answer has, read once per API
//! from the catalog and the linguist, then kept for the process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use marvin_core::linguist::{Linguist, leading_word};
use marvin_core::openapi::answer_key;
use marvin_core::schema::{Api, ResponseField};

use crate::kernel::catalog::Catalog;
use crate::kernel::error::ApiError;

/// What a verb does to the entity's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Stores a new document.
    Create,
    /// Lists documents.
    List,
    /// Merges the given fields into a document.
    Update,
    /// Removes a document.
    Delete,
    /// Anything else: a state change, or an answer about a document.
    Other,
}

/// The generic reading of one API.
#[derive(Debug)]
pub(super) struct Plan {
    /// The entity its documents are stored under (`AutoScalePolicy`).
    pub(super) entity: &'static str,
    /// The key of the answer's object, or of a list's items
    /// (`autoscalepolicy`): the entity as the API spells it, lower-cased,
    /// as CloudStack names its response objects.
    pub(super) key: &'static str,
    /// What the verb does.
    pub(super) action: Action,
    /// CloudStack's style of event type (`AUTOSCALEPOLICY.CREATE`).
    pub(super) event: &'static str,
    /// The verb as a word of an event's description (`creating`).
    pub(super) doing: &'static str,
    /// The parameter naming the document acted on (`id`, `vmgroupid`).
    pub(super) target: Option<&'static str>,
    /// The state a document takes (`enable` → `Enabled`), when the answer
    /// has a `state` field.
    pub(super) state: Option<&'static str>,
    /// Whether the answer is `{"success": true}` (with `displaytext`).
    pub(super) success: bool,
    /// The answer's top-level fields, lower-cased, with their types.
    pub(super) fields: HashMap<String, String>,
    /// The parameters that take a uuid (lower-cased).
    pub(super) uuids: Vec<String>,
    /// The list parameters that take uuids (`*ids`, lower-cased).
    pub(super) uuid_lists: Vec<String>,
    /// The APIs that create or list the entity: when a family models any of
    /// them, the entity's objects live in that family, not here.
    pub(super) relatives: Vec<&'static str>,
}

impl Plan {
    /// Whether the answer has this (lower-case) field.
    pub(super) fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }
}

/// The verbs that make an object.
const CREATORS: &[&str] = &["create", "add", "register", "deploy", "import"];
/// The verbs that remove one.
const REMOVERS: &[&str] = &["delete", "remove", "destroy", "expunge", "purge"];
/// The state a verb leaves its object in.
const STATES: &[(&str, &str)] = &[
    ("activate", "Active"),
    ("archive", "Archived"),
    ("cancel", "Cancelled"),
    ("disable", "Disabled"),
    ("enable", "Enabled"),
    ("lock", "Locked"),
    ("reboot", "Running"),
    ("revoke", "Revoked"),
    ("start", "Running"),
    ("stop", "Stopped"),
    ("suspend", "Suspended"),
];

/// APIs whose schema lists fields but whose real answer is
/// `{"success": true}` (`testdata/cloudstack/responses`).
const SUCCESS: &[&str] = &["resetApiLimit"];

/// The linguist over the catalog's names, and each entity's creators and
/// listers.
struct Reading {
    linguist: Linguist,
    relatives: HashMap<String, Vec<&'static str>>,
}

fn reading(catalog: &'static Catalog) -> &'static Reading {
    static READING: OnceLock<Reading> = OnceLock::new();
    READING.get_or_init(|| {
        let linguist = Linguist::new(catalog.apis().iter().map(|api| api.name.as_str()));
        let mut relatives: HashMap<String, Vec<&'static str>> = HashMap::new();
        for api in catalog.apis() {
            let mapping = linguist.map(&api.name);
            if mapping.exact
                && (CREATORS.contains(&mapping.verb.as_str()) || mapping.verb == "list")
            {
                relatives
                    .entry(mapping.entity)
                    .or_default()
                    .push(api.name.as_str());
            }
        }
        Reading {
            linguist,
            relatives,
        }
    })
}

/// The plan of an API of the catalog (made on its first call).
pub(super) fn of(catalog: &'static Catalog, name: &str) -> Result<&'static Plan, ApiError> {
    static PLANS: Mutex<Option<HashMap<&'static str, &'static Plan>>> = Mutex::new(None);
    let api = catalog
        .api(name)
        .ok_or_else(|| ApiError::unsupported(format!("Unknown API command: {name}")))?;
    let mut plans = PLANS.lock().unwrap_or_else(PoisonError::into_inner);
    let plans = plans.get_or_insert_with(HashMap::new);
    if let Some(plan) = plans.get(api.name.as_str()) {
        return Ok(plan);
    }
    let plan: &'static Plan = Box::leak(Box::new(make(reading(catalog), api)));
    plans.insert(api.name.as_str(), plan);
    Ok(plan)
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn make(reading: &Reading, api: &'static Api) -> Plan {
    let mapping = reading.linguist.map(&api.name);
    let word = leading_word(&mapping.verb);
    let word = if word.is_empty() {
        mapping.verb.as_str()
    } else {
        word
    };
    let paged = api
        .params
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("pagesize"));
    let action = if word == "list" || paged {
        Action::List
    } else if mapping.exact && CREATORS.contains(&mapping.verb.as_str()) {
        Action::Create
    } else if mapping.exact && mapping.verb == "update" {
        Action::Update
    } else if mapping.exact && REMOVERS.contains(&mapping.verb.as_str()) {
        Action::Delete
    } else {
        Action::Other
    };
    let fields: HashMap<String, String> = api
        .response
        .iter()
        .filter_map(|field: &ResponseField| {
            let name = field.name.as_deref()?.to_ascii_lowercase();
            Some((name, field.kind.clone().unwrap_or_else(|| "string".into())))
        })
        .collect();
    let success = SUCCESS.contains(&api.name.as_str())
        || fields.is_empty()
        || (fields.contains_key("success")
            && fields.keys().all(|f| f == "success" || f == "displaytext"));
    let params: Vec<String> = api
        .params
        .iter()
        .map(|p| p.name.to_ascii_lowercase())
        .collect();
    let spelled = mapping.spelled.to_ascii_lowercase();
    let entity_lower = mapping.entity.to_ascii_lowercase();
    let target = match action {
        Action::Create | Action::List => None,
        _ => [
            "id".to_string(),
            format!("{spelled}id"),
            format!("{entity_lower}id"),
        ]
        .into_iter()
        .find(|candidate| params.contains(candidate))
        .map(leak),
    };
    let state = STATES
        .iter()
        .find(|(verb, _)| *verb == word)
        .map(|(_, state)| *state)
        .filter(|_| fields.contains_key("state"));
    let doing = match action {
        Action::Create => "creating",
        Action::List => "listing",
        Action::Update => "updating",
        Action::Delete => "deleting",
        Action::Other => "changing",
    };
    Plan {
        entity: leak(mapping.entity.clone()),
        // The key real servers answer under, as the OpenAPI document names it.
        key: leak(answer_key(&api.name, &mapping)),
        action,
        event: leak(format!(
            "{}.{}",
            entity_lower.to_ascii_uppercase(),
            word.to_ascii_uppercase()
        )),
        doing,
        target,
        state,
        success,
        fields,
        uuids: api
            .params
            .iter()
            .filter(|p| p.kind.eq_ignore_ascii_case("uuid"))
            .map(|p| p.name.to_ascii_lowercase())
            .collect(),
        uuid_lists: api
            .params
            .iter()
            .filter(|p| p.kind.eq_ignore_ascii_case("list"))
            .map(|p| p.name.to_ascii_lowercase())
            .filter(|name| name.ends_with("ids"))
            .collect(),
        relatives: reading
            .relatives
            .get(&mapping.entity)
            .cloned()
            .unwrap_or_default(),
    }
}
