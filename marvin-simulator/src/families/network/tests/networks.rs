//! Networks, NICs and the seam.

use super::*;

#[test]
fn default_network_is_created_once_and_implemented_by_the_first_nic() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let zone = kit.id("zone");
    let first = with_call(&mut kit, &alice, |call| {
        api::default_network(call, &alice.account_id, &zone)
    })
    .unwrap();
    let again = with_call(&mut kit, &alice, |call| {
        api::default_network(call, &alice.account_id, &zone)
    })
    .unwrap();
    assert_eq!(first, again);
    let networks = list(&mut kit, &alice, "listNetworks", "network", &[]);
    assert_eq!(networks.len(), 1);
    assert_eq!(networks[0]["name"], "alice-network");
    assert_eq!(networks[0]["state"], "Allocated");
    assert_eq!(networks[0]["type"], "Isolated");
    assert_eq!(networks[0]["cidr"], "10.1.1.0/24");
    assert_eq!(networks[0]["gateway"], "10.1.1.1");
    assert_eq!(
        networks[0]["networkofferingname"],
        "DefaultIsolatedNetworkOfferingWithSourceNatService"
    );
    assert!(
        networks[0].get("vlan").is_none(),
        "users do not see the VLAN"
    );

    let (vm1, nic1) = vm_on(&mut kit, &alice, &first, "Running");
    let (_, nic2) = vm_on(&mut kit, &alice, &first, "Running");
    assert_eq!(nic1["ipaddress"], "10.1.1.2");
    assert_eq!(nic2["ipaddress"], "10.1.1.3");
    assert_eq!(nic1["isdefault"], true);
    assert_eq!(nic1["deviceid"], "0");
    assert_eq!(nic1["networkid"], first.as_str());
    assert_ne!(nic1["macaddress"], nic2["macaddress"]);

    let network = &list(
        &mut kit,
        &alice,
        "listNetworks",
        "network",
        &[("id", &first)],
    )[0];
    assert_eq!(network["state"], "Implemented");
    let admin = kit.admin();
    let with_vlan = &list(
        &mut kit,
        &admin,
        "listNetworks",
        "network",
        &[("id", &first), ("listall", "true")],
    )[0];
    assert!(
        with_vlan["vlan"]
            .as_str()
            .is_some_and(|v| v.parse::<u32>().is_ok())
    );
    let ips = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("associatednetworkid", &first)],
    );
    assert_eq!(ips.len(), 1);
    assert_eq!(ips[0]["issourcenat"], true);
    assert_eq!(ips[0]["state"], "Allocated");
    let routers = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &first), ("listall", "true")],
    );
    assert_eq!(routers.len(), 1);
    assert_eq!(routers[0]["state"], "Running");
    assert_eq!(routers[0]["publicip"], ips[0]["ipaddress"]);
    assert_eq!(routers[0]["guestipaddress"], "10.1.1.1");

    let nics = with_call(&mut kit, &alice, |call| api::nics_json(call, &vm1)).unwrap();
    assert_eq!(nics.len(), 1);
    assert_eq!(nics[0]["id"], nic1["id"]);
}

#[test]
fn several_isolated_networks_make_the_default_ambiguous() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    network_id(&mut kit, &alice, "one");
    network_id(&mut kit, &alice, "two");
    let zone = kit.id("zone");
    let err = with_call(&mut kit, &alice, |call| {
        api::default_network(call, &alice.account_id, &zone)
    })
    .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "More than 1 default Isolated networks are found for account alice; please specify networkIds"
    );
}

#[test]
fn nic_addresses_are_unique_and_a_taken_address_is_refused() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let mut seen = HashSet::new();
    for _ in 0..5 {
        let (_, nic) = vm_on(&mut kit, &alice, &net, "Running");
        assert!(seen.insert(s(&nic["ipaddress"]).to_string()));
    }
    let vm = vm_row(&kit, &alice, "Running");
    let err = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm, &net, Some("10.1.1.2"), true)
    })
    .unwrap_err();
    assert_eq!(code(&err), 533);
    assert!(
        err.text
            .starts_with("Unable to acquire Guest IP address for network Ntwk["),
        "{}",
        err.text
    );
    let nic = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm, &net, Some("10.1.1.200"), true)
    })
    .unwrap();
    assert_eq!(nic["ipaddress"], "10.1.1.200");
}

#[test]
fn the_default_nic_cannot_be_removed_and_the_last_nic_shuts_the_network_down() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let a = network_id(&mut kit, &alice, "a");
    let b = network_id(&mut kit, &alice, "b");
    let (vm, default_nic) = vm_on(&mut kit, &alice, &a, "Running");
    let extra = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm, &b, None, false)
    })
    .unwrap();
    assert_eq!(extra["deviceid"], "1");
    assert_eq!(extra["isdefault"], false);

    let err = with_call(&mut kit, &alice, |call| {
        api::remove_nic(call, &vm, s(&default_nic["id"]))
    })
    .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.ends_with(", nic is default."), "{}", err.text);

    with_call(&mut kit, &alice, |call| {
        api::remove_nic(call, &vm, s(&extra["id"]))
    })
    .unwrap();
    assert_eq!(
        with_call(&mut kit, &alice, |call| api::nics_json(call, &vm))
            .unwrap()
            .len(),
        1
    );
    let state = |kit: &mut Kit, id: &str| {
        list(kit, &alice, "listNetworks", "network", &[("id", id)])[0]["state"].clone()
    };
    assert_eq!(state(&mut kit, &b), "Shutdown");
    assert_eq!(state(&mut kit, &a), "Implemented");

    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    assert!(
        with_call(&mut kit, &alice, |call| api::nics_json(call, &vm))
            .unwrap()
            .is_empty()
    );
    assert_eq!(state(&mut kit, &a), "Shutdown");
    let admin = kit.admin();
    assert!(
        list(
            &mut kit,
            &admin,
            "listRouters",
            "router",
            &[("networkid", &a), ("listall", "true")]
        )
        .is_empty()
    );
}

#[test]
fn networks_of_another_account_are_not_usable_nor_visible() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);
    let net = network_id(&mut kit, &alice, "private");
    let zone = kit.id("zone");
    let err = with_call(&mut kit, &bob, |call| {
        api::check_network_usable(call, &net, &bob.account_id, &zone)
    })
    .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(
        err.text,
        format!("Unable to use network with id= {net}, permission denied")
    );
    with_call(&mut kit, &alice, |call| {
        api::check_network_usable(call, &net, &alice.account_id, &zone)
    })
    .unwrap();
    assert!(list(&mut kit, &bob, "listNetworks", "network", &[]).is_empty());
    let err = kit
        .call(&bob, "deleteNetwork", &[("id", &net)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(&bob, "associateIpAddress", &[("networkid", &net)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
}

#[test]
fn create_network_refusals() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let err = isolated(&mut kit, &alice, "gw", &[("gateway", "10.3.0.1")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "cidr and gateway must be specified together.")
    );

    let shared = kit.id("network_offering_shared");
    let zone = kit.id("zone");
    let err = kit
        .call(
            &alice,
            "createNetwork",
            &[
                ("name", "s"),
                ("networkofferingid", &shared),
                ("zoneid", &zone),
                ("acltype", "Account"),
                ("gateway", "192.168.50.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "192.168.50.10"),
                ("endip", "192.168.50.20"),
                ("vlan", "300"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Only ROOT admin is allowed to specify vlanId or bypass vlan overlap check"
    );

    isolated(
        &mut kit,
        &alice,
        "first",
        &[("gateway", "10.3.0.1"), ("netmask", "255.255.255.0")],
    )
    .unwrap();
    let err = isolated(
        &mut kit,
        &alice,
        "second",
        &[("gateway", "10.3.0.129"), ("netmask", "255.255.255.128")],
    )
    .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.contains("overlaps"), "{}", err.text);
    let bob = kit.account("bob", 0, None);
    isolated(
        &mut kit,
        &bob,
        "same-cidr-other-account",
        &[("gateway", "10.3.0.1"), ("netmask", "255.255.255.0")],
    )
    .unwrap();

    let admin = kit.admin();
    let offering = kit.id("network_offering_isolated_sourcenat");
    kit.call(
        &admin,
        "updateNetworkOffering",
        &[("id", &offering), ("state", "Disabled")],
    )
    .unwrap();
    let err = isolated(&mut kit, &alice, "disabled", &[]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Can't use specified network offering id as its state is not Enabled"
    );
}

#[test]
fn shared_networks_get_their_range_and_a_vlan_once() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let shared = kit.id("network_offering_shared");
    let zone = kit.id("zone");
    let params = [
        ("name", "shared"),
        ("displaytext", "shared"),
        ("networkofferingid", shared.as_str()),
        ("zoneid", zone.as_str()),
        ("gateway", "192.168.50.1"),
        ("netmask", "255.255.255.0"),
        ("startip", "192.168.50.10"),
        ("endip", "192.168.50.11"),
        ("vlan", "300"),
    ];
    let net = kit.call(&admin, "createNetwork", &params).unwrap()["network"].clone();
    assert_eq!(net["type"], "Shared");
    assert_eq!(net["acltype"], "Domain");
    assert_eq!(net["state"], "Setup");
    assert_eq!(net["vlan"], "300");
    assert!(net.get("account").is_none());
    let err = kit.call(&admin, "createNetwork", &params).unwrap_err();
    assert_eq!(code(&err), 431);

    let alice = kit.account("alice", 0, None);
    let id = s(&net["id"]).to_string();
    assert_eq!(
        list(&mut kit, &alice, "listNetworks", "network", &[("id", &id)]).len(),
        1,
        "shared with ROOT and below"
    );
    let (_, nic1) = vm_on(&mut kit, &alice, &id, "Running");
    assert_eq!(s(&nic1["ipaddress"]), "192.168.50.10");
    assert_eq!(nic1["gateway"], "192.168.50.1");
    // The offering's DHCP, DNS and user data are the VirtualRouter's: the
    // network's router comes up with the first VM and takes the next
    // address (VirtualRouterElement.implement), owned by the system
    // account for a domain-wide network.
    let routers = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &id), ("listall", "true")],
    );
    assert_eq!(routers.len(), 1, "{routers:?}");
    assert_eq!(routers[0]["guestipaddress"], "192.168.50.11");
    assert_eq!(routers[0]["account"], "system");
    let vm = vm_row(&kit, &alice, "Running");
    let err = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm, &id, None, true)
    })
    .unwrap_err();
    assert_eq!(code(&err), 533);
}

#[test]
fn delete_network_is_refused_while_vms_use_it() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm, _) = vm_on(&mut kit, &alice, &net, "Stopped");
    let err = kit
        .call(&alice, "deleteNetwork", &[("id", &net)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert_eq!(err.job_code().as_u16(), 530);
    assert_eq!(err.text, "Failed to delete network");
    kit.conn
        .execute("UPDATE vms SET state = 'Destroyed' WHERE id = ?1", [&vm])
        .unwrap();
    assert_eq!(
        code(
            &kit.call(&alice, "deleteNetwork", &[("id", &net)])
                .unwrap_err()
        ),
        530
    );

    let ip = ip_id(&mut kit, &alice, &net);
    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    kit.conn
        .execute("DELETE FROM vms WHERE id = ?1", [&vm])
        .unwrap();
    kit.call(&alice, "deleteNetwork", &[("id", &net)]).unwrap();
    assert!(list(&mut kit, &alice, "listNetworks", "network", &[]).is_empty());
    assert!(
        list(
            &mut kit,
            &alice,
            "listPublicIpAddresses",
            "publicipaddress",
            &[]
        )
        .is_empty()
    );
    let admin = kit.admin();
    let freed = list(
        &mut kit,
        &admin,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", &ip), ("allocatedonly", "false")],
    );
    assert_eq!(freed[0]["state"], "Free");
    let held: i64 = kit.count(
        "SELECT COUNT(*) FROM guest_vnets WHERE network_id = ?1",
        &net,
    );
    assert_eq!(held, 0);
}

#[test]
fn restart_needs_an_implemented_network_and_cleanup_replaces_the_router() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let admin = kit.admin();
    let net = network_id(&mut kit, &alice, "net");
    let err = kit
        .call(&alice, "restartNetwork", &[("id", &net)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    vm_on(&mut kit, &alice, &net, "Running");
    let before = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &net), ("listall", "true")],
    )[0]["id"]
        .clone();
    kit.call(&alice, "restartNetwork", &[("id", &net)]).unwrap();
    let same = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &net), ("listall", "true")],
    )[0]["id"]
        .clone();
    assert_eq!(before, same);
    kit.call(
        &alice,
        "restartNetwork",
        &[("id", &net), ("cleanup", "true")],
    )
    .unwrap();
    let after = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("networkid", &net), ("listall", "true")],
    );
    assert_eq!(after.len(), 1);
    assert_ne!(after[0]["id"], before);

    let router = s(&after[0]["id"]).to_string();
    let stopped = kit.call(&admin, "stopRouter", &[("id", &router)]).unwrap();
    assert_eq!(stopped["router"]["state"], "Stopped");
    let err = kit
        .call(&admin, "rebootRouter", &[("id", &router)])
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 530);
    assert_eq!(
        kit.call(&admin, "startRouter", &[("id", &router)]).unwrap()["router"]["state"],
        "Running"
    );

    let updated = kit
        .call(
            &alice,
            "updateNetwork",
            &[
                ("id", &net),
                ("name", "renamed"),
                ("displaytext", "Renamed"),
            ],
        )
        .unwrap();
    assert_eq!(updated["network"]["name"], "renamed");
}

#[test]
fn deleting_an_account_gives_its_ips_back() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let admin = kit.admin();
    let net = network_id(&mut kit, &alice, "net");
    vm_on(&mut kit, &alice, &net, "Running");
    let ip = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "createFirewallRule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "tcp"),
            ("startport", "22"),
        ],
    )
    .unwrap();
    kit.call(&admin, "deleteAccount", &[("id", &alice.account_id)])
        .unwrap();
    let ips = list(
        &mut kit,
        &admin,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", &ip), ("allocatedonly", "false")],
    );
    assert_eq!(ips[0]["state"], "Free");
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM networks WHERE id = ?1", &net),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM firewall_rules WHERE ip_id = ?1", &ip),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM nics WHERE network_id = ?1", &net),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM routers WHERE network_id = ?1", &net),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM ip_details WHERE ip_id = ?1", &ip),
        0
    );
    // The address can be allocated again.
    let bob = kit.account("bob", 0, None);
    let bob_net = network_id(&mut kit, &bob, "net");
    let again = associate(&mut kit, &bob, &bob_net).unwrap();
    assert!(again["ipaddress"].is_string());
}

#[test]
fn events_are_recorded() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let ip = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "createFirewallRule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "tcp"),
            ("startport", "22"),
        ],
    )
    .unwrap();
    for kind in ["NETWORK.CREATE", "NET.IPASSIGN", "FIREWALL.OPEN"] {
        assert!(
            kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", kind) >= 1,
            "{kind}"
        );
    }
}

#[test]
fn tags_show_on_networks_and_rules_and_filter_lists() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let tagged = network_id(&mut kit, &alice, "tagged");
    network_id(&mut kit, &alice, "plain");
    kit.call(
        &alice,
        "createTags",
        &[
            ("resourceids", &tagged),
            ("resourcetype", "Network"),
            ("tags[0].key", "tier"),
            ("tags[0].value", "web"),
        ],
    )
    .unwrap();
    let found = list(
        &mut kit,
        &alice,
        "listNetworks",
        "network",
        &[("tags[0].key", "tier"), ("tags[0].value", "web")],
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], tagged.as_str());
    assert_eq!(found[0]["tags"][0]["key"], "tier");

    let (vm, _) = vm_on(&mut kit, &alice, &tagged, "Running");
    let ip = ip_id(&mut kit, &alice, &tagged);
    let rule = pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap();
    let rule_id = s(&rule["id"]).to_string();
    kit.call(
        &alice,
        "createTags",
        &[
            ("resourceids", &rule_id),
            ("resourcetype", "PortForwardingRule"),
            ("tags[0].key", "ssh"),
            ("tags[0].value", "yes"),
        ],
    )
    .unwrap();
    let rules = list(
        &mut kit,
        &alice,
        "listPortForwardingRules",
        "portforwardingrule",
        &[("id", &rule_id)],
    );
    assert_eq!(rules[0]["tags"][0]["value"], "yes");
    kit.call(&alice, "deletePortForwardingRule", &[("id", &rule_id)])
        .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM resource_tags WHERE resource_id = ?1",
            &rule_id
        ),
        0
    );
}

#[test]
fn implemented_networks_hold_distinct_vlans_until_shut_down() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let admin = kit.admin();
    let a = network_id(&mut kit, &alice, "a");
    let b = network_id(&mut kit, &alice, "b");
    let (vm_a, _) = vm_on(&mut kit, &alice, &a, "Running");
    vm_on(&mut kit, &alice, &b, "Running");
    let vlan = |kit: &mut Kit, id: &str| {
        list(
            kit,
            &admin,
            "listNetworks",
            "network",
            &[("id", id), ("listall", "true")],
        )[0]["vlan"]
            .clone()
    };
    let (va, vb) = (vlan(&mut kit, &a), vlan(&mut kit, &b));
    assert!(va.is_string() && vb.is_string());
    assert_ne!(va, vb);
    // Network a shuts down: its VLAN is free again and the next network gets it.
    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm_a)).unwrap();
    assert!(vlan(&mut kit, &a).is_null());
    let c = network_id(&mut kit, &alice, "c");
    vm_on(&mut kit, &alice, &c, "Running");
    assert_eq!(vlan(&mut kit, &c), va);
}
