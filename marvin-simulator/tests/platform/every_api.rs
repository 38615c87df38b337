//! Every API of the precache answers: called once each with its required
//! parameters (values of their types; ids of objects made earlier in the
//! run or seeded, else a well-formed uuid that names nothing), as the root
//! admin. An answer is either CloudStack's envelope for the API (a list
//! key and `count` for a list, a `jobid` and a finished job for an async
//! API) or a CloudStack error: 431 when an id names nothing (never 432,
//! unknown command, nor 530); with only ids of objects that exist, a
//! business rule's refusal (deleting the seeded zone, which has hosts, is
//! 530 as in CloudStack). Generic APIs, given existing ids, always succeed.

use std::collections::HashMap;

use marvin_core::linguist::{Linguist, leading_word};
use marvin_core::schema::ApiList;
use marvin_simulator::SimulatorConfig;
use marvin_simulator::catalog::Level;
use serde_json::Value;

use crate::support::{Api, start_with};

/// How the uuids that name nothing begin (well-formed, and recognisable).
const UNKNOWN: &str = "0badc0de";

/// The order calls are made in: creators first (so that later calls find
/// what they made), removers last.
fn rank(name: &str) -> u8 {
    match leading_word(name) {
        "create" | "add" | "register" | "deploy" | "import" => 0,
        "list" | "get" | "query" | "search" | "find" => 2,
        "delete" | "remove" | "destroy" | "expunge" | "purge" | "release" | "revoke"
        | "disassociate" | "logout" => 4,
        _ => 3,
    }
}

/// A value of a parameter's type, preferring an id known for the name.
fn value(
    api: &str,
    name: &str,
    kind: &str,
    known: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let lower = name.to_ascii_lowercase();
    let single = |v: String| vec![(name.to_string(), v)];
    let unknown = || format!("{UNKNOWN}{}", &uuid::Uuid::new_v4().to_string()[8..]);
    match kind {
        "boolean" => single("false".into()),
        "integer" | "long" | "short" => single("1".into()),
        "float" | "double" => single("1.5".into()),
        "date" => single("2026-01-02".into()),
        "tzdate" => single("2026-01-02T03:04:05+0000".into()),
        "map" => vec![
            (format!("{name}[0].key"), "k".into()),
            (format!("{name}[0].value"), "v".into()),
        ],
        "uuid" => single(known.get(&lower).cloned().unwrap_or_else(unknown)),
        "list" if lower.ends_with("ids") => single(
            known
                .get(lower.trim_end_matches('s'))
                .cloned()
                .unwrap_or_else(unknown),
        ),
        _ if lower == "name" => single(format!("every-{}", api.to_ascii_lowercase())),
        _ => single("every".into()),
    }
}

/// Ids the seed holds, by the parameter names that take them.
async fn seeded(admin: &Api) -> HashMap<String, String> {
    let mut known = HashMap::new();
    for (command, key, param, extra) in [
        ("listZones", "zone", "zoneid", None),
        ("listDomains", "domain", "domainid", None),
        ("listPods", "pod", "podid", None),
        ("listClusters", "cluster", "clusterid", None),
        ("listHosts", "host", "hostid", None),
        (
            "listServiceOfferings",
            "serviceoffering",
            "serviceofferingid",
            None,
        ),
        ("listDiskOfferings", "diskoffering", "diskofferingid", None),
        (
            "listNetworkOfferings",
            "networkoffering",
            "networkofferingid",
            None,
        ),
        (
            "listTemplates",
            "template",
            "templateid",
            Some(("templatefilter", "all")),
        ),
    ] {
        let params: Vec<(&str, &str)> = extra.into_iter().collect();
        let answer = admin.ok(command, &params).await;
        if let Some(id) = answer[key][0]["id"].as_str() {
            known.insert(param.to_string(), id.to_string());
        }
    }
    known
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_answers_with_its_envelope_or_cloudstacks_error() {
    let sim = start_with(SimulatorConfig {
        job_delay: std::time::Duration::ZERO,
        ..SimulatorConfig::default()
    })
    .await;
    let admin = Api::admin(&sim);
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api-precache.json"))
        .expect("the precache is readable");
    let list = ApiList::from_json(&text).expect("the precache parses");
    let levels: HashMap<String, Level> = marvin_simulator::coverage()
        .expect("the registry builds")
        .into_iter()
        .collect();
    let linguist = Linguist::new(list.api.iter().map(|api| api.name.as_str()));
    let mut known = seeded(&admin).await;

    let mut apis: Vec<_> = list.api.iter().collect();
    apis.sort_by_key(|api| (rank(&api.name), api.name.clone()));
    let (mut answered, mut refused, mut ruled) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut removed = std::collections::HashSet::new();
    for api in apis {
        // Logging out would end nothing here (keys, not a session), and
        // login takes a password: both are tested on their own.
        if api.name == "login" || api.name == "logout" {
            continue;
        }
        let mapping = linguist.map(&api.name);
        let own_id = format!("{}id", mapping.entity.to_ascii_lowercase());
        let mut params: Vec<(String, String)> = Vec::new();
        for param in api.params.iter().filter(|p| p.required) {
            let lower = param.name.to_ascii_lowercase();
            // `id` of a verb on an entity is that entity's id.
            let known_for = if lower == "id" {
                own_id.as_str()
            } else {
                lower.as_str()
            };
            let mut with_own = known.clone();
            if let Some(id) = known.get(known_for) {
                with_own.insert(lower.clone(), id.clone());
            }
            params.extend(value(&api.name, &param.name, &param.kind, &with_own));
        }
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let (status, body) = admin.post(&api.name, &borrowed).await;
        let generic = matches!(levels.get(&api.name), Some(Level::Generic(_)));
        // An id that names nothing: made up, or of an object removed before.
        let unknown_id = params
            .iter()
            .any(|(_, v)| v.starts_with(UNKNOWN) || removed.contains(v));
        // The same key whoever serves the API: `<name>response`, or
        // CloudStack's other spelling for a few APIs.
        let key = marvin_simulator::response_key(&api.name);
        let Some(inner) = body.get(&key) else {
            failures.push(format!("{}: no {key} in {body}", api.name));
            continue;
        };
        // An error: 431 for an id naming nothing; else a CloudStack error
        // (a business rule's), except for a generic API.
        let refusal = |code: i64, text: &Value| -> Result<(), String> {
            let shaped = text.as_str().is_some_and(|t| !t.is_empty());
            if unknown_id && code == 431 && shaped {
                return Ok(());
            }
            if !unknown_id && !generic && shaped && (431..=537).contains(&code) && code != 432 {
                return Ok(());
            }
            Err(format!("{}: {code} {text}", api.name))
        };
        if status != 200 {
            let code = inner["errorcode"].as_i64().unwrap_or_default();
            match refusal(code, &inner["errortext"]) {
                Ok(()) if code == 431 => refused += 1,
                Ok(()) => ruled += 1,
                Err(failure) => failures.push(failure),
            }
            continue;
        }
        if unknown_id && generic {
            failures.push(format!("{}: an unknown id was accepted: {inner}", api.name));
            continue;
        }
        let result = if api.isasync {
            let Some(jobid) = inner["jobid"].as_str() else {
                failures.push(format!("{}: async without a jobid: {inner}", api.name));
                continue;
            };
            let job = admin.wait_job(jobid).await;
            if job["jobstatus"] != 1 {
                let code = job["jobresult"]["errorcode"].as_i64().unwrap_or_default();
                match refusal(code, &job["jobresult"]["errortext"]) {
                    Ok(()) if code == 431 => refused += 1,
                    Ok(()) => ruled += 1,
                    Err(failure) => failures.push(format!("job of {failure}")),
                }
                continue;
            }
            job["jobresult"].clone()
        } else {
            inner.clone()
        };
        let paged = api.params.iter().any(|p| p.name == "pagesize");
        if paged && result.as_object().is_some_and(|o| !o.is_empty()) {
            let object = result.as_object().expect("an object");
            let arrays = object.values().filter(|v| v.is_array()).count();
            if !object.get("count").is_some_and(Value::is_u64) || arrays != 1 {
                failures.push(format!("{}: not a list answer: {result}", api.name));
                continue;
            }
            if let Some(Level::Generic(_)) = levels.get(&api.name) {
                let expected = mapping.spelled.to_ascii_lowercase();
                if !object.get(&expected).is_some_and(Value::is_array) {
                    failures.push(format!(
                        "{}: list key is not {expected}: {result}",
                        api.name
                    ));
                    continue;
                }
            }
        }
        // Remember what creators made, by the id parameter naming it.
        if rank(&api.name) == 0 {
            if let Some(id) = result
                .as_object()
                .and_then(|o| o.values().find_map(|v| v.get("id")))
                .and_then(Value::as_str)
            {
                known
                    .entry(own_id.clone())
                    .or_insert_with(|| id.to_string());
                known
                    .entry(format!("{}id", mapping.spelled.to_ascii_lowercase()))
                    .or_insert_with(|| id.to_string());
            }
        }
        if rank(&api.name) == 4 {
            removed.extend(
                params
                    .iter()
                    .filter(|(n, _)| {
                        n.eq_ignore_ascii_case("id") || n.eq_ignore_ascii_case(&own_id)
                    })
                    .map(|(_, v)| v.clone()),
            );
        }
        answered += 1;
    }
    println!(
        "{} APIs: {answered} answered, {refused} refused with 431 (an unknown id), \
         {ruled} refused by a business rule",
        list.api.len()
    );
    assert!(
        failures.is_empty(),
        "{} APIs answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Both kinds of answer happen: not everything is refused.
    assert!(answered > list.api.len() / 2, "only {answered} answered");
}

#[tokio::test]
async fn a_user_may_call_only_the_generic_apis_cloudstack_gives_users() {
    let sim = crate::support::start().await;
    crate::support::user_with_keys(&sim, "plain", 0, "k-generic", "s-generic").await;
    let user = Api::new(sim.url(), "k-generic", "s-generic");
    let coverage: HashMap<String, Level> = marvin_simulator::coverage()
        .expect("the registry builds")
        .into_iter()
        .collect();
    let generic = |name: &str| matches!(coverage.get(name), Some(Level::Generic(_)));
    // Admin only in CloudStack (AddAnnotationCmd: authorized = {RoleType.Admin}).
    if generic("addAnnotation") {
        let (status, body) = user.call("addAnnotation", &[("annotation", "x")]).await;
        crate::support::assert_error(
            status,
            &body,
            432,
            "addannotationresponse",
            "The API addAnnotation does not exist or is not available for this account.",
        );
    }
    // For every role (ListBackupOfferingsCmd).
    if generic("listBackupOfferings") {
        let answer = user.ok("listBackupOfferings", &[]).await;
        assert!(answer.is_object());
    }
    assert!(
        generic("addAnnotation") || generic("listBackupOfferings"),
        "pick other generic APIs for this test"
    );
}
