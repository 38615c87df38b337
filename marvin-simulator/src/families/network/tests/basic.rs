//! Basic zones: the one shared network with security groups, untagged and
//! without a range of its own, whose addresses come from pod-scoped ranges.

use super::*;

/// A Basic zone with a Guest physical network and a pod; answers (zone,
/// pod).
fn basic_zone(kit: &mut Kit, admin: &Caller, name: &str) -> (String, String) {
    let zone = kit
        .call(
            admin,
            "createZone",
            &[
                ("name", name),
                ("networktype", "Basic"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.8.8"),
                ("securitygroupenabled", "true"),
            ],
        )
        .unwrap()["zone"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let physical = kit
        .call(
            admin,
            "createPhysicalNetwork",
            &[("zoneid", &zone), ("name", "pnet")],
        )
        .unwrap();
    let physical = physical["physicalnetwork"]["id"]
        .as_str()
        .or_else(|| physical["id"].as_str())
        .unwrap_or_default()
        .to_string();
    kit.call(
        admin,
        "addTrafficType",
        &[("physicalnetworkid", &physical), ("traffictype", "Guest")],
    )
    .unwrap();
    let pod = kit
        .call(
            admin,
            "createPod",
            &[
                ("zoneid", &zone),
                ("name", "pod"),
                ("gateway", "172.16.15.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "172.16.15.2"),
                ("endip", "172.16.15.254"),
            ],
        )
        .unwrap()["pod"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (zone, pod)
}

fn sg_offering(kit: &mut Kit, admin: &Caller) -> String {
    list(
        kit,
        admin,
        "listNetworkOfferings",
        "networkoffering",
        &[("name", "DefaultSharedNetworkOfferingWithSGService")],
    )[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// NetworkServiceImpl.createGuestNetwork asks a shared network for a start
/// and end address only when `allow.empty.start.end.ipaddress` says so; a
/// Basic zone's network never has them (its addresses are the pods' ranges,
/// ConfigurationManagerImpl.createVlanAndPublicIpRange with podid), and it
/// is untagged, so the offering's specifyvlan asks for no VLAN either.
#[test]
fn a_basic_zone_network_needs_no_range_nor_vlan_and_takes_pod_range_addresses() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let (zone, pod) = basic_zone(&mut kit, &admin, "basic");
    let offering = sg_offering(&mut kit, &admin);
    let network = kit
        .call(
            &admin,
            "createNetwork",
            &[
                ("zoneid", &zone),
                ("name", "guestNetworkForBasicZone"),
                ("displaytext", "guestNetworkForBasicZone"),
                ("networkofferingid", &offering),
            ],
        )
        .unwrap()["network"]
        .clone();
    assert_eq!(network["type"], "Shared");
    assert_eq!(network["zonename"], "basic");
    let services: Vec<&str> = network["service"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(services.contains(&"SecurityGroup"), "{services:?}");
    assert!(!services.contains(&"SourceNat"), "{services:?}");
    let network_id = s(&network["id"]).to_string();

    let range = kit
        .call(
            &admin,
            "createVlanIpRange",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("networkid", &network_id),
                ("gateway", "60.147.41.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "60.147.41.2"),
                ("endip", "60.147.41.254"),
                ("forvirtualnetwork", "false"),
            ],
        )
        .unwrap()["vlan"]
        .clone();
    assert_eq!(range["podid"], pod.as_str());
    assert_eq!(range["forvirtualnetwork"], false);

    let zones = list(&mut kit, &admin, "listZones", "zone", &[("id", &zone)]);
    assert_eq!(zones[0]["networktype"], "Basic");
    assert_eq!(zones[0]["securitygroupsenabled"], true);

    let alice = kit.account("alice", 0, None);
    let vm = vm_row(&kit, &alice, "Running");
    let nic = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm, &network_id, None, true)
    })
    .unwrap();
    assert_eq!(nic["ipaddress"], "60.147.41.2");
    assert_eq!(nic["gateway"], "60.147.41.1");
    // NetworkOrchestrator.createGuestNetwork: one guest network per Basic
    // zone, shared without source NAT, with aclType Domain.
    let second = kit
        .call(
            &admin,
            "createNetwork",
            &[
                ("zoneid", &zone),
                ("name", "another"),
                ("displaytext", "another"),
                ("networkofferingid", &offering),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&second), 431);
    assert!(
        second
            .to_string()
            .contains("Can't have more than one Guest network in zone with network type Basic"),
        "{second}"
    );
    let untagged = list(
        &mut kit,
        &admin,
        "listNetworks",
        "network",
        &[("id", &network_id), ("listall", "true")],
    );
    assert_eq!(untagged[0]["vlan"], "untagged");
}

/// The same request in an Advanced zone is refused as CloudStack refuses a
/// shared network without addresses when the setting is off, and an
/// offering with specifyvlan without a VLAN (NetworkServiceImpl
/// .createGuestNetwork).
#[test]
fn an_advanced_zone_shared_network_still_needs_its_range() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let offering = sg_offering(&mut kit, &admin);
    let zone = kit.id("zone");
    let error = kit
        .call(
            &admin,
            "createNetwork",
            &[
                ("zoneid", &zone),
                ("name", "shared"),
                ("displaytext", "shared"),
                ("networkofferingid", &offering),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&error), 431);
    assert!(
        error
            .to_string()
            .contains("Either IPv4 or IPv6 start and end address are mandatory"),
        "{error}"
    );
}

#[test]
fn a_basic_zone_takes_only_a_shared_offering_without_source_nat_and_domain_acl() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let (zone, _) = basic_zone(&mut kit, &admin, "basic");
    let isolated = kit.id("network_offering_isolated_sourcenat");
    let error = kit
        .call(
            &admin,
            "createNetwork",
            &[
                ("zoneid", &zone),
                ("name", "isolated"),
                ("displaytext", "isolated"),
                ("networkofferingid", &isolated),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&error), 431);
    assert!(
        error
            .to_string()
            .contains("Only AclType=Domain can be specified for network creation in Basic zone"),
        "{error}"
    );
    let offering = sg_offering(&mut kit, &admin);
    let error = kit
        .call(
            &admin,
            "createNetwork",
            &[
                ("zoneid", &zone),
                ("name", "mine"),
                ("displaytext", "mine"),
                ("networkofferingid", &offering),
                ("acltype", "Account"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&error), 431, "{error}");
}
