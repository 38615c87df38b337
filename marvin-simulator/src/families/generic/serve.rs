//! The one handler of the generic family: the verb's semantics over the
//! `generic_documents` table (see the family's documentation).

use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

use super::plan::{self, Action, Plan};
use crate::kernel::catalog::Level;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{Query, text};

/// Serves any API the registry hands to the generic family.
pub(super) fn serve(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let plan = plan::of(call.served.catalog, call.command)?;
    let isasync = call
        .served
        .catalog
        .spec(call.command)
        .is_some_and(|spec| spec.isasync);
    for param in &plan.uuids {
        if Some(param.as_str()) == plan.target {
            continue;
        }
        if let Some(id) = call.params.str(param) {
            if !ids::known(call.tx, id)? {
                return Err(ApiError::invalid_id(param, id));
            }
        }
    }
    for param in &plan.uuid_lists {
        for id in call.params.list(param) {
            if !ids::known(call.tx, &id)? {
                return Err(ApiError::invalid_id(param, &id));
            }
        }
    }
    match plan.action {
        Action::List => list(call, plan),
        Action::Create => create(call, plan, isasync),
        Action::Update | Action::Delete | Action::Other => act(call, plan, isasync),
    }
}

/// Who owns a new document.
#[derive(Debug, Clone)]
struct Owner {
    account_id: String,
    account: String,
    domain_id: String,
    domain: String,
    project_id: Option<String>,
}

/// The caller's account, or the one `account` (in `domainid`, else the
/// caller's domain) names when an admin creates for another account.
fn owner(call: &Call<'_>) -> Result<Owner, ApiError> {
    let caller = call.caller;
    let (account_id, domain_id) = match call.params.str("account") {
        Some(name) => {
            let domain_id = call
                .params
                .str("domainid")
                .unwrap_or(caller.domain_id.as_str());
            let id: Option<String> = call
                .tx
                .query_row(
                    "SELECT id FROM directory_accounts WHERE name = ?1 AND domain_id = ?2",
                    [name, domain_id],
                    |row| row.get(0),
                )
                .optional()?;
            let id = id.ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account {name} in domain {domain_id}"
                ))
            })?;
            check_access(call, &id, &id)?;
            (id, domain_id.to_string())
        }
        None => (caller.account_id.clone(), caller.domain_id.clone()),
    };
    let (account, domain): (String, String) = call.tx.query_row(
        "SELECT a.name, d.name FROM directory_accounts a JOIN directory_domains d ON d.id = a.domain_id
         WHERE a.id = ?1",
        [&account_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(Owner {
        account_id,
        account,
        domain_id,
        domain,
        project_id: call.params.str("projectid").map(str::to_owned),
    })
}

/// Parameter names whose values are never kept (nor answered).
fn secret(name: &str) -> bool {
    ["password", "secret", "privatekey", "token"]
        .iter()
        .any(|word| name.contains(word))
}

/// A parameter's text as the JSON type of the answer's field.
fn typed(kind: &str, value: &str) -> Value {
    match kind.to_ascii_lowercase().as_str() {
        "boolean" => Value::Bool(value.eq_ignore_ascii_case("true")),
        "integer" | "int" | "long" | "short" => value
            .parse::<i64>()
            .map_or_else(|_| Value::String(value.into()), Value::from),
        "double" | "float" => value
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(value.into()), Value::Number),
        "list" => Value::Array(
            value
                .split(',')
                .filter(|item| !item.is_empty())
                .map(|item| Value::String(item.into()))
                .collect(),
        ),
        _ => Value::String(value.into()),
    }
}

/// The given parameters that are fields of the answer, typed as the
/// answer's fields (maps merged into one object; `tags` apart).
fn fields_of(call: &Call<'_>, plan: &Plan) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in call.params.iter() {
        if name.contains('[') || secret(name) || name == "tags" {
            continue;
        }
        match plan.fields.get(name).map(String::as_str) {
            Some("map") | None => {}
            Some(kind) => {
                out.insert(name.to_string(), typed(kind, value));
            }
        }
    }
    for (name, kind) in &plan.fields {
        if kind != "map" || name == "tags" || secret(name) {
            continue;
        }
        let mut merged = Map::new();
        for entry in call.params.map(name) {
            match (entry.get("key"), entry.get("value")) {
                (Some(key), Some(value)) if entry.len() == 2 => {
                    merged.insert(key.clone(), Value::String(value.clone()));
                }
                _ => {
                    for (key, value) in entry {
                        merged.insert(key, Value::String(value));
                    }
                }
            }
        }
        if !merged.is_empty() {
            out.insert(name.clone(), Value::Object(merged));
        }
    }
    out
}

/// The `tags` of a new document, as CloudStack answers resource tags.
fn tags_of(call: &Call<'_>, plan: &Plan, id: &str, owner: &Owner) -> Value {
    let tags: Vec<Value> = call
        .params
        .map("tags")
        .into_iter()
        .filter_map(|entry| {
            let key = entry.get("key")?;
            Some(serde_json::json!({
                "key": key,
                "value": entry.get("value").cloned().unwrap_or_default(),
                "resourcetype": plan.entity,
                "resourceid": id,
                "account": owner.account,
                "domainid": owner.domain_id,
                "domain": owner.domain,
                "projectid": owner.project_id,
            }))
        })
        .collect();
    Value::Array(tags)
}

fn create(call: &mut Call<'_>, plan: &'static Plan, isasync: bool) -> Result<Reply, ApiError> {
    let owner = owner(call)?;
    let id = uuid::Uuid::new_v4().to_string();
    let description = format!("{} {}. Id: {id}", plan.doing, plan.entity);
    if isasync {
        let work_id = id.clone();
        let work = Box::new(move |call: &mut Call<'_>| insert(call, plan, &owner, &work_id));
        return Ok(Reply::Job(
            Job::on(plan.entity, &id, work).with_event(plan.event, description),
        ));
    }
    let reply = insert(call, plan, &owner, &id)?;
    let name = call.params.str("name").unwrap_or_default();
    call.event(
        plan.event,
        &description,
        Subject::of(plan.entity, &id, name),
    )?;
    Ok(reply)
}

/// Stores a new document and answers it.
fn insert(
    call: &Call<'_>,
    plan: &'static Plan,
    owner: &Owner,
    id: &str,
) -> Result<Reply, ApiError> {
    let mut doc = fields_of(call, plan);
    doc.insert("id".into(), Value::String(id.into()));
    let owned: [(&str, Option<&str>); 6] = [
        ("account", Some(&owner.account)),
        ("accountid", Some(&owner.account_id)),
        ("domainid", Some(&owner.domain_id)),
        ("domain", Some(&owner.domain)),
        ("domainname", Some(&owner.domain)),
        ("projectid", owner.project_id.as_deref()),
    ];
    for (field, value) in owned {
        if let Some(value) = value.filter(|_| plan.has(field)) {
            doc.insert(field.into(), Value::String(value.into()));
        }
    }
    let created = call.timestamp();
    if plan.has("created") {
        doc.insert("created".into(), Value::String(created.clone()));
    }
    if plan.has("tags") {
        doc.insert("tags".into(), tags_of(call, plan, id, owner));
    }
    let name = call.params.str("name");
    call.tx
        .prepare_cached(
            "INSERT INTO generic_documents
                 (id, entity, account_id, domain_id, project_id, name, document, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(rusqlite::params![
            id,
            plan.entity,
            owner.account_id,
            owner.domain_id,
            owner.project_id,
            name,
            Value::Object(doc.clone()).to_string(),
            created,
        ])?;
    Ok(Reply::Object {
        key: plan.key,
        value: Value::Object(doc),
    })
}

/// Names that a list reads itself, not as a field of the answer.
const LIST_OWN: &[&str] = &[
    "id",
    "ids",
    "name",
    "keyword",
    "account",
    "domainid",
    "domain",
    "projectid",
    "project",
    "tags",
    "listall",
    "isrecursive",
    "page",
    "pagesize",
];

fn list(call: &mut Call<'_>, plan: &'static Plan) -> Result<Reply, ApiError> {
    let params = call.params;
    let scope = ListScope::of(call)?;
    let mut query = Query::new(r#"SELECT id, document AS "document{}" FROM generic_documents"#);
    query.eq("entity", Some(plan.entity));
    query.scope(&scope, "account_id");
    match params.str("projectid") {
        Some("-1") => {
            query.and("project_id IS NOT NULL", []);
        }
        Some(project) => {
            query.eq("project_id", Some(project));
        }
        None => {
            query.and("project_id IS NULL", []);
        }
    }
    query.eq("id", params.str("id"));
    query.any_of_given("id", &params.list("ids"));
    query.eq_nocase("name", params.str("name"));
    query.keyword(&["name"], params.str("keyword"));
    if plan.has("tags") {
        for tag in params.map("tags") {
            let (Some(key), Some(value)) = (tag.get("key"), tag.get("value")) else {
                continue;
            };
            query.and(
                "EXISTS (SELECT 1 FROM json_each(document, '$.tags') t
                 WHERE json_extract(t.value, '$.key') = ? AND json_extract(t.value, '$.value') = ?)",
                [text(key.as_str()), text(value.as_str())],
            );
        }
    }
    for (name, value) in params.iter() {
        if LIST_OWN.contains(&name) || plan.fields.get(name).is_none_or(|kind| kind != "string") {
            continue;
        }
        query.and(
            "json_extract(document, ?) = ?",
            [text(format!("$.\"{name}\"")), text(value)],
        );
    }
    query.order("seq");
    query.list(call, plan.key, |_, mut row| {
        Ok(row
            .remove("document")
            .or_else(|| row.remove("document{}"))
            .unwrap_or(Value::Null))
    })
}

/// Whether the entity's objects are the generic family's: no family models
/// an API that creates or lists them.
fn ours(call: &Call<'_>, plan: &Plan) -> bool {
    plan.relatives
        .iter()
        .all(|name| !matches!(call.served.registry.level(name), Some(Level::Modeled(_))))
}

/// A document of the plan's entity, checked for access; 431 naming the
/// parameter when there is none.
fn load(
    call: &Call<'_>,
    plan: &Plan,
    param: &str,
    id: &str,
) -> Result<Map<String, Value>, ApiError> {
    let row: Option<(String, String)> = call
        .tx
        .prepare_cached(
            "SELECT account_id, document FROM generic_documents WHERE id = ?1 AND entity = ?2",
        )?
        .query_row([id, plan.entity], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (owner, document) = row.ok_or_else(|| ApiError::invalid_id(param, id))?;
    check_access(call, &owner, id)?;
    match serde_json::from_str(&document) {
        Ok(Value::Object(doc)) => Ok(doc),
        _ => Err(ApiError::internal(format!(
            "the document of {id} is damaged"
        ))),
    }
}

fn act(call: &mut Call<'_>, plan: &'static Plan, isasync: bool) -> Result<Reply, ApiError> {
    let target = plan
        .target
        .and_then(|param| call.params.str(param).map(|id| (param, id.to_string())));
    let ours = ours(call, plan);
    match &target {
        Some((param, id)) if ours => {
            load(call, plan, param, id)?;
        }
        Some((param, id)) if !ids::known(call.tx, id)? => {
            return Err(ApiError::invalid_id(param, id));
        }
        _ => {}
    }
    let id = target.as_ref().map(|(_, id)| id.clone());
    let description = format!(
        "{} {}. Id: {}",
        plan.doing,
        plan.entity,
        id.as_deref().unwrap_or("-")
    );
    if isasync {
        let work_target = target.clone().filter(|_| ours);
        let work = Box::new(move |call: &mut Call<'_>| apply(call, plan, work_target.as_ref()));
        let job = match &id {
            Some(id) => Job::on(plan.entity, id, work),
            None => Job::detached(work),
        };
        return Ok(Reply::Job(job.with_event(plan.event, description)));
    }
    let reply = apply(call, plan, target.as_ref().filter(|_| ours))?;
    if plan.action != Action::Other || plan.state.is_some() {
        let subject = id.as_deref().map_or_else(Subject::default, |id| Subject {
            kind: Some(plan.entity),
            id: Some(id),
            name: None,
        });
        call.event(plan.event, &description, subject)?;
    }
    Ok(reply)
}

/// The change itself: on the stored document when there is one (`target`),
/// else an answer from the parameters alone (an object another family
/// keeps, or an API about no object).
fn apply(
    call: &Call<'_>,
    plan: &'static Plan,
    target: Option<&(&'static str, String)>,
) -> Result<Reply, ApiError> {
    let Some((param, id)) = target else {
        if plan.success || plan.action == Action::Delete {
            return Ok(Reply::Success(None));
        }
        let mut doc = fields_of(call, plan);
        if let Some(id) = plan.target.and_then(|param| call.params.str(param)) {
            if plan.has("id") {
                doc.insert("id".into(), Value::String(id.into()));
            }
        }
        return Ok(Reply::Object {
            key: plan.key,
            value: Value::Object(doc),
        });
    };
    let mut doc = load(call, plan, param, id)?;
    if plan.action == Action::Delete {
        call.tx
            .prepare_cached("DELETE FROM generic_documents WHERE id = ?1")?
            .execute([id])?;
        return Ok(Reply::Success(None));
    }
    if plan.action == Action::Update {
        for (name, value) in fields_of(call, plan) {
            if name != "id" {
                doc.insert(name, value);
            }
        }
    }
    if let Some(state) = plan.state {
        doc.insert("state".into(), Value::String(state.into()));
    }
    let name = doc.get("name").and_then(Value::as_str).map(str::to_owned);
    call.tx
        .prepare_cached("UPDATE generic_documents SET document = ?1, name = ?2 WHERE id = ?3")?
        .execute(rusqlite::params![
            Value::Object(doc.clone()).to_string(),
            name,
            id
        ])?;
    if plan.success {
        return Ok(Reply::Success(None));
    }
    Ok(Reply::Object {
        key: plan.key,
        value: Value::Object(doc),
    })
}
