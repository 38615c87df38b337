//! The leak check: after a run, every resource it created must be gone from
//! the cloud. The list of what it created comes from the ledger records of
//! the run (or, without a ledger, from the tests' own records); each
//! resource is then looked up on the cloud with its entity's list API.

use marvin_entities::api;
use std::collections::HashSet;

use futures_util::StreamExt;
use marvin_core::cleanup::{Event, LedgerContents};
use marvin_core::schema::ApiList;
use marvin_core::{Client, Deletion, Params};
use serde_json::Value;

use super::result::TestResult;

/// A resource the run created, to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The test that created it (the last one, when an id came back: the
    /// cloud reuses the ids of public IP addresses).
    pub test: String,
    /// How many times the run created it.
    pub creations: usize,
    /// How it is deleted (entity, id, command, key parameters).
    pub deletion: Deletion,
    /// What the run's records say became of it (`deleted`, `kept`, `not
    /// deleted`, ...).
    pub recorded: String,
}

/// A resource still on the cloud after the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The entity (`Account`).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// The test that created it.
    pub test: String,
    /// What the run's records say became of it.
    pub recorded: String,
    /// Why it counts as left (`still listed by listAccounts`).
    pub evidence: String,
}

/// A resource whose absence could not be checked on the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// The entity.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// The test that created it.
    pub test: String,
    /// Why it could not be checked.
    pub reason: String,
}

/// What the leak check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeakCheck {
    /// Where the list of created resources came from.
    pub source: String,
    /// How many resources the run created (creations: an id the cloud
    /// hands out again counts each time).
    pub created: usize,
    /// How many distinct resources (entity and id) that was.
    pub distinct: usize,
    /// How many were confirmed gone by listing them.
    pub verified_gone: usize,
    /// Resources left on the cloud.
    pub leaks: Vec<Leak>,
    /// Resources that were deleted according to the records but could not
    /// be looked up (no list API, or the lookup failed).
    pub unverified: Vec<Unverified>,
}

/// The resources of run `run_id` in a ledger, with their latest recorded
/// event, in creation order.
pub fn candidates_from_ledger(contents: &LedgerContents, run_id: &str) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = Vec::new();
    // Intents and their `never_created` ends name no object: a create
    // that succeeded is a candidate through its `created` record, one the
    // cloud refused made nothing.
    let resources = contents.records.iter().filter(|r| {
        r.run == run_id && matches!(r.event, Event::Created | Event::Deleted | Event::Kept)
    });
    for record in resources {
        let found = candidates
            .iter()
            .position(|c| c.deletion.entity == record.entity && c.deletion.id == record.id);
        match (record.event, found, &record.deletion) {
            (Event::Created, None, Some(deletion)) => candidates.push(Candidate {
                test: record.test.clone(),
                creations: 1,
                deletion: deletion.clone(),
                recorded: "not deleted".into(),
            }),
            // The same id again (a reused address): the latest creation
            // decides who owns it now.
            (Event::Created, Some(index), Some(deletion)) => {
                let candidate = &mut candidates[index];
                candidate.test = record.test.clone();
                candidate.creations += 1;
                candidate.deletion = deletion.clone();
                candidate.recorded = "not deleted".into();
            }
            (event, Some(index), _) => {
                candidates[index].recorded = match event {
                    Event::Created => "not deleted",
                    Event::Deleted => "deleted",
                    Event::Kept => "kept",
                    _ => "unknown",
                }
                .into();
            }
            _ => {}
        }
    }
    candidates
}

/// The resources the tests recorded themselves (when there is no ledger).
pub fn candidates_from_results(tests: &[TestResult]) -> Vec<Candidate> {
    tests
        .iter()
        .flat_map(|test| {
            test.resources.iter().map(|resource| Candidate {
                test: test.name.clone(),
                creations: 1,
                deletion: resource.deletion.clone(),
                recorded: resource.fate.describe(),
            })
        })
        .collect()
}

/// How to look one resource up: a list command and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The list command (`listAccounts`).
    pub command: String,
    /// Its parameters (`id`, `listall`, filters).
    pub params: Vec<(String, String)>,
    /// The field of a listed item that identifies the resource (`id`, or
    /// `name` for resources deleted by name).
    pub key: String,
    /// The value of that field.
    pub value: String,
}

/// The list API of `deletion`'s entity in `precache`, and the parameters
/// that find the resource (its key parameter, `listall=true` where the API
/// has it, the filters some lists require).
pub fn lookup(deletion: &Deletion, precache: &ApiList) -> Option<Lookup> {
    let entity = deletion.entity.as_str();
    let (command, extra): (String, &[(&str, &str)]) = match entity {
        "IpAddress" | "PublicIpAddress" => ("listPublicIpAddresses".into(), &[]),
        "Template" => ("listTemplates".into(), &[("templatefilter", "all")]),
        "Iso" => ("listIsos".into(), &[("isofilter", "all")]),
        "Firewall" | "FirewallRule" => ("listFirewallRules".into(), &[]),
        "VirtualRouter" => ("listRouters".into(), &[]),
        "VMSnapshot" => ("listVMSnapshot".into(), &[]),
        _ => (format!("list{}", plural(entity)), &[]),
    };
    let api = precache.find(&command).or_else(|| {
        let wanted = command.to_ascii_lowercase();
        precache
            .api
            .iter()
            .find(|api| api.name.to_ascii_lowercase() == wanted)
    })?;
    // The deletion's first parameter names the resource (`id`, or `name`
    // for SSH key pairs).
    let (key, value) = deletion
        .params
        .first()
        .cloned()
        .unwrap_or_else(|| ("id".into(), deletion.id.clone()));
    if !api.params.iter().any(|p| p.name == key) {
        return None;
    }
    let mut params = vec![(key.clone(), value.clone())];
    // Listed items carry their id as `id` whatever the parameter is called
    // (`vmsnapshotid`); only names stay names.
    let key = if key == "name" { key } else { "id".to_string() };
    for (name, value) in extra {
        params.push(((*name).into(), (*value).into()));
    }
    if api.params.iter().any(|p| p.name == "listall") {
        params.push(("listall".into(), "true".into()));
    }
    Some(Lookup {
        command: api.name.clone(),
        params,
        key,
        value,
    })
}

/// `Account` → `Accounts`, `IpAddress` → `IpAddresses`, `Policy` →
/// `Policies`.
fn plural(entity: &str) -> String {
    if entity.ends_with('s') || entity.ends_with('x') {
        return format!("{entity}es");
    }
    match entity.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{entity}s"),
    }
}

/// States in which a listed resource is on its way out, not left.
const GOING: [&str; 3] = ["Expunging", "Expunged", "Removed"];

/// Whether a list answer still shows the resource; its state if so.
fn listed(answer: &Value, lookup: &Lookup) -> Option<Option<String>> {
    let items = answer.as_object()?.values().find_map(Value::as_array)?;
    let item = items.iter().find(|item| {
        item.get(&lookup.key).and_then(Value::as_str) == Some(lookup.value.as_str())
    })?;
    Some(item.get("state").and_then(Value::as_str).map(String::from))
}

/// Whether the run's records say the resource was deleted: the ledger's
/// `deleted`, or, without a ledger, the test's own record of its fate
/// ([`Fate::describe`](crate::Fate::describe)).
fn recorded_gone(recorded: &str) -> bool {
    matches!(
        recorded,
        "deleted" | "deleted by the test" | "deleted by cleanup" | "already gone at cleanup"
    )
}

enum Finding {
    Gone,
    Left(String),
    Unverified(String),
}

async fn check_one(client: &Client, precache: &ApiList, candidate: &Candidate) -> Finding {
    let Some(lookup) = lookup(&candidate.deletion, precache) else {
        return if recorded_gone(&candidate.recorded) {
            Finding::Unverified(format!(
                "no list API to look a {} up; the records say it was deleted",
                candidate.deletion.entity
            ))
        } else {
            Finding::Left(format!(
                "{}; there is no list API to check",
                candidate.recorded
            ))
        };
    };
    let params: Params = lookup
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match client
        .call(api(&lookup.command))
        .params(params)
        .no_wait()
        .await
    {
        Ok(answer) => match listed(&answer, &lookup) {
            None => Finding::Gone,
            Some(Some(state)) if GOING.contains(&state.as_str()) => Finding::Gone,
            Some(Some(state)) => Finding::Left(format!(
                "still listed by {} (state {state})",
                lookup.command
            )),
            Some(None) => Finding::Left(format!("still listed by {}", lookup.command)),
        },
        Err(error) if error.is_not_found() => Finding::Gone,
        Err(error) => Finding::Unverified(format!("{} failed: {error}", lookup.command)),
    }
}

/// Looks every candidate up on the cloud (`concurrency` lookups at a time).
pub async fn check(
    client: &Client,
    precache: &ApiList,
    source: String,
    candidates: Vec<Candidate>,
    concurrency: usize,
) -> LeakCheck {
    let created = candidates.iter().map(|c| c.creations).sum();
    let mut seen = HashSet::new();
    let candidates: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| seen.insert((c.deletion.entity.clone(), c.deletion.id.clone())))
        .collect();
    let findings: Vec<Finding> = futures_util::stream::iter(&candidates)
        .map(|candidate| check_one(client, precache, candidate))
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut result = LeakCheck {
        source,
        created,
        distinct: candidates.len(),
        ..LeakCheck::default()
    };
    for (candidate, finding) in candidates.into_iter().zip(findings) {
        let Candidate {
            test,
            deletion,
            recorded,
            ..
        } = candidate;
        match finding {
            Finding::Gone => result.verified_gone += 1,
            Finding::Left(evidence) => result.leaks.push(Leak {
                entity: deletion.entity,
                id: deletion.id,
                test,
                recorded,
                evidence,
            }),
            Finding::Unverified(reason) => {
                if recorded_gone(&recorded) {
                    result.unverified.push(Unverified {
                        entity: deletion.entity,
                        id: deletion.id,
                        test,
                        reason,
                    });
                } else {
                    result.leaks.push(Leak {
                        entity: deletion.entity,
                        id: deletion.id,
                        test,
                        recorded,
                        evidence: reason,
                    });
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use marvin_core::cleanup::{Intent, LedgerRecord};
    use serde_json::json;

    use super::*;

    fn precache() -> ApiList {
        ApiList::from_json(
            r#"{"api":[
            {"name":"listAccounts","params":[{"name":"id","type":"uuid"},{"name":"listall","type":"boolean"}]},
            {"name":"listPublicIpAddresses","params":[{"name":"id","type":"uuid"}]},
            {"name":"listTemplates","params":[{"name":"id","type":"uuid"},{"name":"templatefilter","type":"string"}]},
            {"name":"listVPCs","params":[{"name":"id","type":"uuid"}]},
            {"name":"listSSHKeyPairs","params":[{"name":"name","type":"string"}]}
            ]}"#,
        )
        .unwrap()
    }

    fn pairs(lookup: &Lookup) -> Vec<(&str, &str)> {
        lookup
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn a_deletion_the_tests_recorded_without_a_ledger_counts_as_deleted() {
        use crate::Fate;
        for fate in [
            Fate::DeletedByTest,
            Fate::DeletedByCleanup,
            Fate::AlreadyGone,
        ] {
            assert!(super::recorded_gone(&fate.describe()), "{fate:?}");
        }
        assert!(super::recorded_gone("deleted"));
        for fate in [Fate::Kept, Fate::Pending, Fate::CleanupFailed("530".into())] {
            assert!(!super::recorded_gone(&fate.describe()), "{fate:?}");
        }
    }

    #[test]
    fn lookups_follow_the_entity_and_the_precache() {
        let precache = precache();
        let account = lookup(
            &Deletion::new("Account", "a1", "deleteAccount", true),
            &precache,
        )
        .unwrap();
        assert_eq!(account.command, "listAccounts");
        assert_eq!(pairs(&account), [("id", "a1"), ("listall", "true")]);
        let ip = lookup(
            &Deletion::new("IpAddress", "ip1", "disassociateIpAddress", true),
            &precache,
        )
        .unwrap();
        assert_eq!(ip.command, "listPublicIpAddresses");
        let template = lookup(
            &Deletion::new("Template", "t1", "deleteTemplate", true),
            &precache,
        )
        .unwrap();
        assert_eq!(pairs(&template), [("id", "t1"), ("templatefilter", "all")]);
        let vpc = lookup(&Deletion::new("Vpc", "v1", "deleteVPC", true), &precache).unwrap();
        assert_eq!(vpc.command, "listVPCs");
        let mut snapshot = Deletion::new("VMSnapshot", "s1", "deleteVMSnapshot", true);
        snapshot.params = vec![("vmsnapshotid".into(), "s1".into())];
        let precache_with_snapshots = ApiList::from_json(
            r#"{"api":[{"name":"listVMSnapshot","params":[{"name":"vmsnapshotid","type":"uuid"}]}]}"#,
        )
        .unwrap();
        let snapshot = lookup(&snapshot, &precache_with_snapshots).unwrap();
        assert_eq!(snapshot.command, "listVMSnapshot");
        assert_eq!(pairs(&snapshot), [("vmsnapshotid", "s1")]);
        assert_eq!(snapshot.key, "id");
        let mut key = Deletion::new("SSHKeyPair", "k1", "deleteSSHKeyPair", false);
        key.params = vec![("name".into(), "k1".into())];
        let key = lookup(&key, &precache).unwrap();
        assert_eq!((key.key.as_str(), key.value.as_str()), ("name", "k1"));
        assert!(
            lookup(
                &Deletion::new("Volume", "v1", "deleteVolume", false),
                &precache
            )
            .is_none()
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("Account"), "Accounts");
        assert_eq!(plural("IpAddress"), "IpAddresses");
        assert_eq!(plural("SnapshotPolicy"), "SnapshotPolicies");
        assert_eq!(plural("Gateway"), "Gateways");
    }

    #[test]
    fn listed_finds_the_item_and_its_state() {
        let lookup = Lookup {
            command: "listVirtualMachines".into(),
            params: Vec::new(),
            key: "id".into(),
            value: "vm1".into(),
        };
        let answer = json!({"count": 2, "virtualmachine": [
            {"id": "vm0", "state": "Running"}, {"id": "vm1", "state": "Destroyed"}]});
        assert_eq!(listed(&answer, &lookup), Some(Some("Destroyed".into())));
        assert_eq!(listed(&json!({}), &lookup), None);
        assert_eq!(
            listed(
                &json!({"count": 1, "virtualmachine": [{"id": "vm0"}]}),
                &lookup
            ),
            None
        );
    }

    #[test]
    fn the_ledger_gives_each_resource_of_the_run_with_its_last_event() {
        let d = |id: &str| Deletion::new("Account", id, "deleteAccount", true);
        let record = |event, run: &str, id: &str| LedgerRecord::new(event, run, "t", &d(id));
        let intent = |name: &str| {
            let intent = Intent {
                command: "createAccount".into(),
                param: "username".into(),
                projectid: None,
            };
            LedgerRecord::intent("r1", "t", "Account", name, intent)
        };
        let contents = LedgerContents {
            records: vec![
                record(Event::Created, "r1", "a"),
                record(Event::Created, "r2", "x"),
                record(Event::Created, "r1", "b"),
                record(Event::Deleted, "r1", "a"),
                record(Event::Created, "r1", "c"),
                record(Event::Kept, "r1", "c"),
                // An id handed out again, to another test, not deleted.
                LedgerRecord::new(Event::Created, "r1", "t2", &d("a")),
                // A create that succeeded (its intent, then `created`) and
                // one the cloud refused (its intent, then `never_created`).
                intent("user-1"),
                LedgerRecord::new(Event::Created, "r1", "t", &d("e")).named(Some("user-1")),
                intent("user-2"),
                LedgerRecord::never_created(&intent("user-2")),
            ],
            malformed_lines: 0,
        };
        let found: Vec<(String, String, String, usize)> = candidates_from_ledger(&contents, "r1")
            .into_iter()
            .map(|c| (c.deletion.id, c.recorded, c.test, c.creations))
            .collect();
        let row = |id: &str, recorded: &str, test: &str, n| {
            (id.to_string(), recorded.to_string(), test.to_string(), n)
        };
        assert_eq!(
            found,
            [
                row("a", "not deleted", "t2", 2),
                row("b", "not deleted", "t", 1),
                row("c", "kept", "t", 1),
                row("e", "not deleted", "t", 1),
            ]
        );
    }
}
