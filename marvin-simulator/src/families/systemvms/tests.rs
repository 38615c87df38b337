//! System VMs appear in a ready zone, once each, and list by filters.

use crate::families::testkit::Kit;

fn provision(kit: &mut Kit) -> usize {
    let tx = kit.conn.transaction().unwrap();
    let made = super::api::provision(&tx, "2026-01-01T00:00:00+0000").unwrap();
    tx.commit().unwrap();
    made
}

#[test]
fn a_ready_zone_gets_one_secondary_storage_vm_and_one_console_proxy() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let none = kit.call(&admin, "listSystemVms", &[]).unwrap();
    assert_eq!(none["count"], 0, "{none}");
    assert_eq!(provision(&mut kit), 2);
    assert_eq!(provision(&mut kit), 0, "made twice");
    let all = kit.call(&admin, "listSystemVms", &[]).unwrap();
    assert_eq!(all["count"], 2);
    let vms = all["systemvm"].as_array().unwrap();
    let ssvm = &vms[0];
    assert_eq!(ssvm["systemvmtype"], "secondarystoragevm");
    assert!(ssvm["name"].as_str().unwrap().starts_with("s-"));
    assert_eq!(ssvm["state"], "Running");
    assert_eq!(ssvm["agentstate"], "Up");
    assert_eq!(ssvm["zoneid"], kit.id("zone").as_str());
    assert_eq!(ssvm["zonename"], "Sandbox-simulator");
    assert!(ssvm["hostid"].is_string() && ssvm["podid"].is_string());
    assert!(
        ssvm["linklocalip"]
            .as_str()
            .unwrap()
            .starts_with("169.254.")
    );
    assert!(ssvm.get("activeviewersessions").is_none());
    let cpvm = &vms[1];
    assert_eq!(cpvm["systemvmtype"], "consoleproxy");
    assert!(cpvm["name"].as_str().unwrap().starts_with("v-"));
    assert_eq!(cpvm["activeviewersessions"], 0);
    assert_ne!(ssvm["privateip"], cpvm["privateip"]);

    let proxies = kit
        .call(&admin, "listSystemVms", &[("systemvmtype", "consoleproxy")])
        .unwrap();
    assert_eq!(proxies["count"], 1);
    let by_id = kit
        .call(
            &admin,
            "listSystemVms",
            &[("id", ssvm["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(by_id["systemvm"][0]["name"], ssvm["name"]);
}

#[test]
fn a_zone_without_hosts_gets_none() {
    let mut kit = Kit::build(true);
    assert_eq!(provision(&mut kit), 0);
}

/// Each system VM gets a ROOT volume that `listVolumes` shows a root
/// admin only with `listsystemvms=true`, as
/// `QueryManagerImpl.searchForVolumesInternal` leaves out the volumes of
/// secondary storage VMs and console proxies otherwise.
#[test]
fn system_vm_root_volumes_list_only_with_listsystemvms() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    assert_eq!(provision(&mut kit), 2);
    let vms = kit.call(&admin, "listSystemVms", &[]).unwrap();
    let vm_ids: Vec<String> = vms["systemvm"]
        .as_array()
        .unwrap()
        .iter()
        .map(|vm| vm["id"].as_str().unwrap().to_string())
        .collect();
    let plain = kit
        .call(&admin, "listVolumes", &[("listall", "true")])
        .unwrap();
    assert_eq!(plain["count"].as_i64().unwrap_or(0), 0, "{plain}");
    let with = kit
        .call(
            &admin,
            "listVolumes",
            &[("listall", "true"), ("listsystemvms", "true")],
        )
        .unwrap();
    assert_eq!(with["count"], 2, "{with}");
    for volume in with["volume"].as_array().unwrap() {
        assert_eq!(volume["type"], "ROOT");
        assert_eq!(volume["state"], "Ready");
        assert!(
            vm_ids.contains(&volume["virtualmachineid"].as_str().unwrap().to_string()),
            "{volume}"
        );
    }
    // A user asking for them sees none (shouldListSystemVms needs a root admin).
    let user = kit.account("curious", 0, None);
    let theirs = kit
        .call(&user, "listVolumes", &[("listsystemvms", "true")])
        .unwrap();
    assert_eq!(theirs["count"].as_i64().unwrap_or(0), 0, "{theirs}");
}
