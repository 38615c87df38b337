//! `changeServiceForRouter`, as CloudStack's
//! `VirtualNetworkApplianceManagerImpl.upgradeRouter` behaves.

use super::*;

fn system_offering(kit: &mut Kit, name: &str, storage: &str) -> String {
    let admin = kit.admin();
    s(&kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", name),
                ("displaytext", name),
                ("cpunumber", "2"),
                ("cpuspeed", "1000"),
                ("memory", "1024"),
                ("issystem", "true"),
                ("systemvmtype", "domainrouter"),
                ("storagetype", storage),
            ],
        )
        .unwrap()["serviceoffering"]["id"])
    .to_string()
}

/// Only a stopped router changes offering, only to a system offering of
/// the same storage type; the listing shows the new offering.
#[test]
fn routers_change_offering_only_when_stopped() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    vm_on(&mut kit, &alice, &net, "Running");
    let router = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &net), ("listall", "true")],
    )[0]
    .clone();
    let id = s(&router["id"]).to_string();
    let bigger = system_offering(&mut kit, "Bigger router", "shared");

    let err = kit
        .call(
            &admin,
            "changeServiceForRouter",
            &[("id", &id), ("serviceofferingid", &bigger)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.starts_with("Unable to upgrade router VM[DomainRouter|")
            && err.text.ends_with(
                "] in state Running; make sure the router is stopped and not in an error state before upgrading."
            ),
        "{}",
        err.text
    );
    kit.call(&admin, "stopRouter", &[("id", &id)]).unwrap();

    let small = kit.id("service_offering_small");
    let err = kit
        .call(
            &admin,
            "changeServiceForRouter",
            &[("id", &id), ("serviceofferingid", &small)],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        format!("Cannot upgrade router vm to a non system service offering {small}")
    );
    let local = system_offering(&mut kit, "Local router", "local");
    let err = kit
        .call(
            &admin,
            "changeServiceForRouter",
            &[("id", &id), ("serviceofferingid", &local)],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("Can't upgrade, due to new local storage status : true is different"),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &admin,
            "changeServiceForRouter",
            &[
                ("id", "00000000-0000-0000-0000-000000000000"),
                ("serviceofferingid", &bigger),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Unable to find router with id 00000000-0000-0000-0000-000000000000"
    );

    let changed = kit
        .call(
            &admin,
            "changeServiceForRouter",
            &[("id", &id), ("serviceofferingid", &bigger)],
        )
        .unwrap()["router"]
        .clone();
    assert_eq!(changed["serviceofferingid"], bigger.as_str());
    assert_eq!(changed["serviceofferingname"], "Bigger router");
    assert_eq!(changed["state"], "Stopped");
    let listed = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("id", &id), ("listall", "true")],
    );
    assert_eq!(listed[0]["serviceofferingid"], bigger.as_str());
}
