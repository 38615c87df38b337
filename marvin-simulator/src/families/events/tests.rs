//! `listEventTypes`: CloudStack's names (`EventTypes`,
//! `ManagementServerImpl.listEventTypes`, `ListEventTypesCmd`).

use std::collections::HashSet;

use crate::families::testkit::Kit;

fn listed_names(kit: &mut Kit, caller: &crate::kernel::caller::Caller) -> Vec<String> {
    let answer = kit.call(caller, "listEventTypes", &[]).unwrap();
    let items = answer["eventtype"].as_array().expect("eventtype items");
    assert_eq!(answer["count"], items.len());
    items
        .iter()
        .map(|item| {
            assert_eq!(item.as_object().map(|o| o.len()), Some(1), "{item}");
            item["name"].as_str().expect("a name").to_string()
        })
        .collect()
}

#[test]
fn every_caller_gets_cloudstacks_event_type_names_in_declaration_order() {
    let mut kit = Kit::new();
    let user = kit.account("reader", 0, None);
    let admin = kit.admin();
    let names = listed_names(&mut kit, &user);
    assert_eq!(names, listed_names(&mut kit, &admin));
    assert_eq!(names.len(), 577);
    assert_eq!(names.first().map(String::as_str), Some("VM.CREATE"));
    let unique: HashSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), names.len(), "no name twice");
    for name in [
        "ACCOUNT.CREATE",
        "USER.MOVE",
        "VM.START",
        "CREATE_TAGS",
        "DELETE_TAGS",
        "SNAPSHOT.ON_PRIMARY",
        "VMSNAPSHOT.REVERTTO",
        "REGISTER.USER.KEY",
        "PROJECT.ACCOUNT.ADD",
    ] {
        assert!(unique.contains(name), "{name}");
    }
    // Names the semantics of section 1.1 rule out.
    for absent in [
        "ACCOUNT.LOCK",
        "HOST.ADD",
        "SSHKEYPAIR.CREATE",
        "CREATE.TAGS",
    ] {
        assert!(!unique.contains(absent), "{absent}");
    }
}

#[test]
fn the_events_the_simulator_records_have_listed_types() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("actor", 0, None);
    kit.call(&admin, "createDomain", &[("name", "branch")])
        .unwrap();
    kit.call(
        &admin,
        "updateAccount",
        &[("id", &user.account_id), ("newname", "renamed")],
    )
    .unwrap();
    kit.call(&admin, "registerUserKeys", &[("id", &user.user_id)])
        .unwrap();
    let names: HashSet<String> = listed_names(&mut kit, &admin).into_iter().collect();
    let mut statement = kit
        .conn
        .prepare("SELECT DISTINCT type FROM events")
        .unwrap();
    let recorded: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(recorded.len() >= 4, "{recorded:?}");
    for kind in &recorded {
        assert!(
            names.contains(kind),
            "{kind} is recorded but not a CloudStack event type"
        );
    }
}
