//! Generic family tests. The APIs under test are chosen from those the
//! generic family serves today, so that modelling one of them elsewhere
//! does not break these tests (another API of the same shape is taken).

use serde_json::Value;

use super::plan::{self, Action};
use crate::families::testkit::{Kit, code, served};
use crate::kernel::catalog::Level;

/// Whether the generic family serves an API.
fn generic(name: &str) -> bool {
    matches!(served().registry.level(name), Some(Level::Generic(_)))
}

/// An entity whose creator, lister, updater and deleter are all generic,
/// whose creator takes only plain required parameters, and whose creator
/// is (or is not) async: (create, list, update, delete).
fn crud(isasync: bool) -> (String, String, String, String) {
    let catalog = served().catalog;
    catalog
        .apis()
        .iter()
        .filter(|api| api.name.starts_with("create") && api.isasync == isasync)
        .filter(|api| {
            api.params.iter().filter(|p| p.required).all(|p| {
                ["string", "integer", "long", "boolean"].contains(&p.kind.as_str())
                    && !p.name.contains("password")
            })
        })
        .find_map(|api| {
            let entity = &api.name["create".len()..];
            let list = [format!("list{entity}s"), format!("list{entity}es")]
                .into_iter()
                .find(|name| catalog.api(name).is_some())?;
            let names = (
                api.name.clone(),
                list,
                format!("update{entity}"),
                format!("delete{entity}"),
            );
            [&names.0, &names.1, &names.2, &names.3]
                .iter()
                .all(|name| generic(name))
                .then_some(names)
        })
        .expect("some generic entity has all four verbs")
}

/// Plain values for the creator's required parameters, with `name`.
fn required(create: &str, name: &str) -> Vec<(String, String)> {
    let api = served().catalog.api(create).expect("in the catalog");
    let mut params = vec![("name".to_string(), name.to_string())];
    for param in api.params.iter().filter(|p| p.required && p.name != "name") {
        let value = match param.kind.as_str() {
            "integer" | "long" => "7",
            "boolean" => "true",
            _ => "plain",
        };
        params.push((param.name.clone(), value.to_string()));
    }
    params
}

fn pairs(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A list answer's `count` (absent when empty).
fn count(answer: &Value) -> u64 {
    answer["count"].as_u64().unwrap_or(0)
}

/// The object inside a one-key answer.
fn object(answer: &Value) -> Value {
    answer
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .expect("an object")
}

#[test]
fn a_document_is_created_listed_updated_and_deleted() {
    let mut kit = Kit::new();
    let user = kit.account("gina", 0, None);
    let (create, list, update, delete) = crud(false);
    let plan = plan::of(served().catalog, &create).unwrap();
    assert_eq!(plan.action, Action::Create);

    let made = kit
        .call(&user, &create, &pairs(&required(&create, "Alpha-One")))
        .unwrap();
    let key = plan.key;
    assert!(
        made.get(key).is_some(),
        "{create} answers under {key}: {made}"
    );
    let doc = object(&made);
    let id = doc["id"].as_str().unwrap().to_string();
    if plan.has("account") {
        assert_eq!(doc["account"], "gina");
    }
    if plan.has("created") {
        assert!(doc["created"].is_string());
    }
    kit.call(&user, &create, &pairs(&required(&create, "beta")))
        .unwrap();

    // Names compare without regard to case; keywords are substrings.
    let found = kit.call(&user, &list, &[("name", "ALPHA-one")]).unwrap();
    assert_eq!(found["count"], 1, "{found}");
    assert_eq!(found[key][0]["id"], id.as_str());
    let found = kit.call(&user, &list, &[("keyword", "pha-O")]).unwrap();
    assert_eq!(found["count"], 1, "{found}");
    let all = kit.call(&user, &list, &[]).unwrap();
    assert_eq!(all["count"], 2);
    let page = kit
        .call(&user, &list, &[("page", "2"), ("pagesize", "1")])
        .unwrap();
    assert_eq!(page["count"], 2);
    assert_eq!(page[key].as_array().unwrap().len(), 1);

    // An update merges the fields it is given.
    let renamed = kit
        .call(&user, &update, &[("id", id.as_str()), ("name", "gamma")])
        .unwrap();
    let plan_update = plan::of(served().catalog, &update).unwrap();
    if plan_update.has("name") {
        assert_eq!(object(&renamed)["name"], "gamma");
        let found = kit.call(&user, &list, &[("name", "gamma")]).unwrap();
        assert_eq!(found["count"], 1);
    }

    // Deleting twice: the second names nothing, 431 with CloudStack's text
    // (ParamProcessWorker.translateUuidToInternalId).
    kit.call(&user, &delete, &[("id", id.as_str())]).unwrap();
    let error = kit
        .call(&user, &delete, &[("id", id.as_str())])
        .unwrap_err();
    assert_eq!(code(&error), 431);
    assert!(
        error.to_string().contains(&format!(
            "Invalid parameter id value={id} due to incorrect long value format, \
             or entity does not exist"
        )),
        "{error}"
    );
    let all = kit.call(&user, &list, &[]).unwrap();
    assert_eq!(all["count"], 1);
}

#[test]
fn documents_are_their_owners_and_admins_see_them_with_listall() {
    let mut kit = Kit::new();
    let owner = kit.account("olga", 0, None);
    let other = kit.account("omar", 0, None);
    let admin = kit.admin();
    let (create, list, update, _) = crud(false);
    let made = kit
        .call(&owner, &create, &pairs(&required(&create, "mine")))
        .unwrap();
    let id = object(&made)["id"].as_str().unwrap().to_string();

    assert_eq!(count(&kit.call(&other, &list, &[]).unwrap()), 0);
    let by_id = kit.call(&other, &list, &[("id", id.as_str())]).unwrap();
    assert_eq!(count(&by_id), 0, "{by_id}");
    let error = kit
        .call(&other, &update, &[("id", id.as_str()), ("name", "theirs")])
        .unwrap_err();
    assert_eq!(code(&error), 531);

    // The admin's own list is its account's; listall shows everyone's.
    assert_eq!(count(&kit.call(&admin, &list, &[]).unwrap()), 0);
    let everyone = kit.call(&admin, &list, &[("listall", "true")]).unwrap();
    assert_eq!(everyone["count"], 1);
}

#[test]
fn an_async_creator_runs_as_a_job_with_its_events() {
    let mut kit = Kit::new();
    let user = kit.account("ada", 0, None);
    let (create, list, _, delete) = crud(true);
    let plan = plan::of(served().catalog, &create).unwrap();
    let reply = kit
        .submit(&user, &create, &pairs(&required(&create, "later")))
        .unwrap();
    assert!(
        matches!(reply, crate::kernel::contract::Reply::Job(_)),
        "{reply:?}"
    );
    let made = kit
        .call(&user, &create, &pairs(&required(&create, "now")))
        .unwrap();
    let id = object(&made)["id"].as_str().unwrap().to_string();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", plan.event),
        1,
        "the job's Completed event"
    );
    // Only the job that ran stored its document.
    assert_eq!(kit.call(&user, &list, &[]).unwrap()["count"], 1);
    kit.call(&user, &delete, &[("id", id.as_str())]).unwrap();
    assert_eq!(count(&kit.call(&user, &list, &[]).unwrap()), 0);
}

#[test]
fn an_id_that_names_nothing_is_refused_and_one_that_exists_is_taken() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    // A generic creator whose one uuid parameter is a zone.
    let catalog = served().catalog;
    let api = catalog
        .apis()
        .iter()
        .filter(|api| generic(&api.name) && api.name.starts_with("create") && !api.isasync)
        .find(|api| {
            let uuids: Vec<_> = api
                .params
                .iter()
                .filter(|p| p.required && p.kind == "uuid")
                .collect();
            uuids.len() == 1 && uuids[0].name == "zoneid"
        })
        .expect("a generic creator taking a zone");
    let mut params: Vec<(String, String)> = api
        .params
        .iter()
        .filter(|p| p.required && p.kind != "uuid")
        .map(|p| {
            let value = if ["integer", "long"].contains(&p.kind.as_str()) {
                "3"
            } else {
                "x"
            };
            (p.name.clone(), value.to_string())
        })
        .collect();
    let missing = "0badc0de-0000-4000-8000-000000000000";
    params.push(("zoneid".into(), missing.into()));
    let error = kit.call(&admin, &api.name, &pairs(&params)).unwrap_err();
    assert_eq!(code(&error), 431, "{}: {error}", api.name);
    assert!(error.to_string().contains("Invalid parameter zoneid"));
    params.pop();
    params.push(("zoneid".into(), zone.clone()));
    let made = kit.call(&admin, &api.name, &pairs(&params)).unwrap();
    let doc = object(&made);
    let plan = plan::of(catalog, &api.name).unwrap();
    if plan.has("zoneid") {
        assert_eq!(doc["zoneid"], zone.as_str());
    }
}

#[test]
fn user_apis_are_apis_of_the_catalog_in_order() {
    let catalog = served().catalog;
    let apis = super::roles::USER_APIS;
    assert!(apis.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    for name in apis {
        assert!(catalog.api(name).is_some(), "{name} is not an API");
        assert_eq!(super::roles::of(name), crate::kernel::caller::RoleSet::ALL);
    }
    assert_eq!(
        super::roles::of("addBaremetalDhcp"),
        crate::kernel::caller::RoleSet::ADMIN
    );
}

#[test]
fn list_keys_are_the_ones_real_servers_answer_with() {
    // The recorded answers of real servers (testdata/cloudstack/responses):
    // for each generic list among them, the key of its items.
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/cloudstack/responses");
    let (mut checked, mut wrong) = (0, Vec::new());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let samples: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        for (api, body) in samples {
            if !generic(&api) || served().catalog.api(&api).is_none() {
                continue;
            }
            let plan = plan::of(served().catalog, &api).unwrap();
            let Some(inner) = body.as_object().and_then(|o| o.values().next()) else {
                continue;
            };
            let Some(inner) = inner.as_object() else {
                continue;
            };
            if inner.contains_key("jobid") || inner.contains_key("errorcode") {
                continue;
            }
            let keys: Vec<&String> = inner.keys().filter(|k| *k != "count").collect();
            if keys.len() == 1 && !plan.success {
                if keys != [plan.key] {
                    wrong.push(format!("{api}: {keys:?} != {}", plan.key));
                }
                checked += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(checked > 0, "no generic API among the recorded answers");
}

#[test]
fn a_user_gets_432_for_an_admin_only_generic_api_and_may_call_a_user_one() {
    // The role check is the dispatcher's: through the registry's roles.
    let registry = &served().registry;
    let admin_only = served()
        .catalog
        .apis()
        .iter()
        .find(|api| generic(&api.name) && api.name == "addBaremetalDhcp")
        .map(|api| registry.get(&api.name).unwrap().roles);
    if let Some(roles) = admin_only {
        assert!(!roles.allows(crate::kernel::caller::Role::User));
        assert!(roles.allows(crate::kernel::caller::Role::Admin));
    }
    for name in super::roles::USER_APIS.iter().filter(|name| generic(name)) {
        let roles = registry.get(name).unwrap().roles;
        assert!(roles.allows(crate::kernel::caller::Role::User), "{name}");
    }
}
