//! Static NAT rules, port forwarding updates, secondary NIC addresses and
//! NIC address changes, customer gateway updates.

use super::*;

/// A network with a running VM and a public IP with static NAT to it:
/// (network, vm, ip).
fn nat_setup(kit: &mut Kit, who: &Caller) -> (String, String, String) {
    let net = network_id(kit, who, "net");
    let (vm, _) = vm_on(kit, who, &net, "Running");
    let ip = ip_id(kit, who, &net);
    kit.call(
        who,
        "enableStaticNat",
        &[("ipaddressid", &ip), ("virtualmachineid", &vm)],
    )
    .unwrap();
    (net, vm, ip)
}

fn nat_rule(
    kit: &mut Kit,
    who: &Caller,
    ip: &str,
    start: &str,
    end: &str,
) -> Result<Value, ApiError> {
    kit.call(
        who,
        "createIpForwardingRule",
        &[
            ("ipaddressid", ip),
            ("protocol", "tcp"),
            ("startport", start),
            ("endport", end),
        ],
    )
    .map(|v| v["ipforwardingrule"].clone())
}

/// `RulesManagerImpl.createStaticNatRule`: only on an IP with static NAT
/// (537 otherwise), opening the firewall by default
/// (`CreateIpForwardingRuleCmd.getOpenFirewall`).
#[test]
fn static_nat_rules_need_static_nat_and_open_the_firewall() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let (net, vm, ip) = nat_setup(&mut kit, &alice);
    let plain = ip_id(&mut kit, &alice, &net);
    let err = nat_rule(&mut kit, &alice, &plain, "22", "22").unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text.starts_with("Can't do static nat on ip address: "),
        "{}",
        err.text
    );

    let rule = nat_rule(&mut kit, &alice, &ip, "22", "25").unwrap();
    assert_eq!(rule["state"], "Active");
    assert_eq!(rule["protocol"], "tcp");
    assert_eq!(rule["virtualmachineid"], vm.as_str());
    // IpForwardingRuleResponse: startport/endport, not the PF fields.
    assert_eq!(rule["startport"], 22);
    assert_eq!(rule["endport"], 25);
    assert_eq!(rule["publicport"], Value::Null);
    assert!(rule["ipaddress"].as_str().is_some_and(|a| !a.is_empty()));
    assert!(rule["virtualmachinename"].as_str().is_some());
    let firewall = list(
        &mut kit,
        &alice,
        "listFirewallRules",
        "firewallrule",
        &[("ipaddressid", &ip)],
    );
    assert_eq!(firewall.len(), 1, "{firewall:?}");
    assert_eq!(firewall[0]["cidrlist"], "0.0.0.0/0");

    let by_vm = list(
        &mut kit,
        &alice,
        "listIpForwardingRules",
        "ipforwardingrule",
        &[("virtualmachineid", &vm)],
    );
    assert_eq!(by_vm.len(), 1);
    assert_eq!(by_vm[0]["id"], rule["id"]);
    let event = kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", "NET.RULEADD");
    assert!(event >= 2, "NET.RULEADD recorded ({event})");
}

/// `CreateIpForwardingRuleCmd.create` refuses the deprecated cidrlist;
/// `FirewallManagerImpl.detectRulesConflict` refuses overlapping static
/// NAT rules on one IP.
#[test]
fn static_nat_rules_refuse_cidrs_and_overlaps() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let (_, _, ip) = nat_setup(&mut kit, &alice);
    let err = kit
        .call(
            &alice,
            "createIpForwardingRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "tcp"),
                ("startport", "80"),
                ("cidrlist", "10.0.0.0/8"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.starts_with("Parameter cidrList is deprecated"));

    nat_rule(&mut kit, &alice, &ip, "80", "90").unwrap();
    let err = kit
        .call(
            &alice,
            "createIpForwardingRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "udp"),
                ("startport", "85"),
                ("openfirewall", "false"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text
            .starts_with("The range specified, 85-85, conflicts with rule"),
        "{}",
        err.text
    );
    let err = nat_rule(&mut kit, &alice, &ip, "100", "90").unwrap_err();
    assert_eq!(err.text, "Start port can't be bigger than end port");
}

/// `RulesManagerImpl.disableStaticNat` revokes the IP's static NAT rules;
/// `revokeStaticNatRule` refuses an unknown rule and another owner.
#[test]
fn static_nat_rules_go_with_static_nat_and_stay_private() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);
    let (_, _, ip) = nat_setup(&mut kit, &alice);
    let rule = nat_rule(&mut kit, &alice, &ip, "22", "22").unwrap();
    let rule_id = s(&rule["id"]).to_string();

    assert!(
        list(
            &mut kit,
            &bob,
            "listIpForwardingRules",
            "ipforwardingrule",
            &[]
        )
        .is_empty()
    );
    let err = kit
        .call(&bob, "deleteIpForwardingRule", &[("id", &rule_id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(&bob, "listIpForwardingRules", &[("ipaddressid", &ip)])
        .unwrap_err();
    assert_eq!(code(&err), 531);

    kit.call(&alice, "disableStaticNat", &[("ipaddressid", &ip)])
        .unwrap();
    assert!(
        list(
            &mut kit,
            &alice,
            "listIpForwardingRules",
            "ipforwardingrule",
            &[]
        )
        .is_empty()
    );
    assert!(
        list(
            &mut kit,
            &alice,
            "listFirewallRules",
            "firewallrule",
            &[("ipaddressid", &ip)]
        )
        .is_empty(),
        "the firewall rule opened for it went too"
    );
    let err = kit
        .call(&alice, "deleteIpForwardingRule", &[("id", &rule_id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(err.text, format!("Unable to find {rule_id}"));

    // A rule deleted by itself leaves the static NAT in place.
    kit.call(
        &alice,
        "enableStaticNat",
        &[
            ("ipaddressid", &ip),
            ("virtualmachineid", s(&rule["virtualmachineid"])),
        ],
    )
    .unwrap();
    let again = nat_rule(&mut kit, &alice, &ip, "22", "22").unwrap();
    kit.call(&alice, "deleteIpForwardingRule", &[("id", s(&again["id"]))])
        .unwrap();
    let listed = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", &ip)],
    );
    assert_eq!(listed[0]["isstaticnat"], true);
}

/// `RulesManagerImpl.updatePortForwardingRule`: private ranges keep the
/// public range's size; vmguestip needs virtualmachineid; a VM of the
/// rule's network takes the rule over.
#[test]
fn port_forwarding_rules_update_like_cloudstack() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm1, _) = vm_on(&mut kit, &alice, &net, "Running");
    let (vm2, nic2) = vm_on(&mut kit, &alice, &net, "Running");
    let ip = ip_id(&mut kit, &alice, &net);
    let rule = kit
        .call(
            &alice,
            "createPortForwardingRule",
            &[
                ("ipaddressid", &ip),
                ("virtualmachineid", &vm1),
                ("protocol", "tcp"),
                ("publicport", "8000"),
                ("publicendport", "8001"),
                ("privateport", "8000"),
                ("privateendport", "8001"),
            ],
        )
        .unwrap()["portforwardingrule"]
        .clone();
    let id = s(&rule["id"]).to_string();
    let err = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[
                ("id", &id),
                ("privateport", "9000"),
                ("privateendport", "9005"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Unable to update the private port range of port forwarding rule as  the provided port range is not consistent with the port range : 8000 to 8001"
    );
    let err = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[("id", &id), ("privateport", "9000")],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("Unable to update the private port range")
    );
    let err = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[
                ("id", &id),
                ("privateport", "70000"),
                ("privateendport", "70001"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "privatePort is an invalid value: 70000");
    let err = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[("id", &id), ("vmguestip", "10.1.1.9")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "vmguestip should be set along with virtualmachineid"
    );

    let updated = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[
                ("id", &id),
                ("privateport", "9000"),
                ("privateendport", "9001"),
                ("virtualmachineid", &vm2),
            ],
        )
        .unwrap()["portforwardingrule"]
        .clone();
    assert_eq!(updated["privateport"], "9000");
    assert_eq!(updated["privateendport"], "9001");
    assert_eq!(updated["publicport"], "8000");
    assert_eq!(updated["virtualmachineid"], vm2.as_str());
    assert_eq!(updated["vmguestip"], nic2["ipaddress"]);
    assert_eq!(updated["state"], "Active");

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(
            &bob,
            "updatePortForwardingRule",
            &[("id", &id), ("fordisplay", "false")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(
            &alice,
            "updatePortForwardingRule",
            &[("id", "00000000-0000-0000-0000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Unable to find 00000000-0000-0000-0000-000000000000"
    );
}

/// `NicSecondaryIpServiceImpl.allocateSecondaryGuestIP`: a free address of
/// the NIC's network (never the NIC's own), shown in the NIC's
/// `secondaryip`; at most `vm.network.nic.max.secondary.ipaddresses` (10).
#[test]
fn secondary_addresses_come_from_the_network_and_are_bounded() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm, nic) = vm_on(&mut kit, &alice, &net, "Running");
    let nic_id = s(&nic["id"]).to_string();
    let added = kit
        .call(&alice, "addIpToNic", &[("nicid", &nic_id)])
        .unwrap()["nicsecondaryip"]
        .clone();
    assert_eq!(added["nicid"], nic_id.as_str());
    assert_eq!(added["virtualmachineid"], vm.as_str());
    assert_eq!(added["networkid"], net.as_str());
    assert_ne!(added["ipaddress"], nic["ipaddress"]);
    let err = kit
        .call(
            &alice,
            "addIpToNic",
            &[("nicid", &nic_id), ("ipaddress", s(&nic["ipaddress"]))],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431, "{}", err.text);
    assert!(
        err.text
            .starts_with("Allocating guest IP for NIC failed : ")
    );
    // Another VM cannot get an address taken as a secondary one.
    let vm2 = vm_row(&kit, &alice, "Running");
    let taken = s(&added["ipaddress"]).to_string();
    let err = with_call(&mut kit, &alice, |call| {
        api::add_nic(call, &vm2, &net, Some(&taken), true)
    })
    .unwrap_err();
    assert_eq!(code(&err), 533);

    let nics = list(
        &mut kit,
        &alice,
        "listNics",
        "nic",
        &[("virtualmachineid", &vm)],
    );
    assert_eq!(nics[0]["secondaryip"][0]["ipaddress"], added["ipaddress"]);
    assert_eq!(nics[0]["secondaryip"][0]["id"], added["id"]);
    let vms = list(
        &mut kit,
        &alice,
        "listVirtualMachines",
        "virtualmachine",
        &[("id", &vm)],
    );
    assert_eq!(vms[0]["nic"][0]["secondaryip"][0]["id"], added["id"]);

    for _ in 1..10 {
        kit.call(&alice, "addIpToNic", &[("nicid", &nic_id)])
            .unwrap();
    }
    let err = kit
        .call(&alice, "addIpToNic", &[("nicid", &nic_id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Allocating guest IP for NIC failed : Maximum Number of IPs per NIC has been crossed."
    );

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(&bob, "addIpToNic", &[("nicid", &nic_id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(&bob, "removeIpFromNic", &[("id", s(&added["id"]))])
        .unwrap_err();
    assert_eq!(code(&err), 531);
}

/// `NicSecondaryIpServiceImpl.releaseSecondaryIpFromNic`: refused while a
/// port forwarding rule or static NAT targets the address; rules may
/// target a secondary address (`RulesManagerImpl`, vmguestip).
#[test]
fn secondary_addresses_in_use_cannot_be_removed() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm, nic) = vm_on(&mut kit, &alice, &net, "Running");
    let extra = kit
        .call(&alice, "addIpToNic", &[("nicid", s(&nic["id"]))])
        .unwrap()["nicsecondaryip"]
        .clone();
    let address = s(&extra["ipaddress"]).to_string();
    let ip = ip_id(&mut kit, &alice, &net);
    let rule = kit
        .call(
            &alice,
            "createPortForwardingRule",
            &[
                ("ipaddressid", &ip),
                ("virtualmachineid", &vm),
                ("vmguestip", &address),
                ("protocol", "tcp"),
                ("publicport", "22"),
                ("privateport", "22"),
            ],
        )
        .unwrap()["portforwardingrule"]
        .clone();
    assert_eq!(rule["vmguestip"], address.as_str());
    let err = kit
        .call(&alice, "removeIpFromNic", &[("id", s(&extra["id"]))])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        format!(
            "Can't remove the secondary IP {address} is associate with the port forwarding rule"
        )
    );
    kit.call(
        &alice,
        "deletePortForwardingRule",
        &[("id", s(&rule["id"]))],
    )
    .unwrap();

    let nat = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "enableStaticNat",
        &[
            ("ipaddressid", &nat),
            ("virtualmachineid", &vm),
            ("vmguestip", &address),
        ],
    )
    .unwrap();
    let err = kit
        .call(&alice, "removeIpFromNic", &[("id", s(&extra["id"]))])
        .unwrap_err();
    assert!(
        err.text.starts_with(&format!(
            "Can't remove the IP {address} is associate with static NAT rule"
        )),
        "{}",
        err.text
    );
    kit.call(&alice, "disableStaticNat", &[("ipaddressid", &nat)])
        .unwrap();
    kit.call(&alice, "removeIpFromNic", &[("id", s(&extra["id"]))])
        .unwrap();
    let nics = list(
        &mut kit,
        &alice,
        "listNics",
        "nic",
        &[("virtualmachineid", &vm)],
    );
    assert_eq!(nics[0]["secondaryip"], serde_json::json!([]));
    let err = kit
        .call(&alice, "removeIpFromNic", &[("id", s(&extra["id"]))])
        .unwrap_err();
    assert_eq!(err.text, "Unable to find secondary IP address by id");
    // A NIC's secondary addresses go with the NIC.
    kit.call(&alice, "addIpToNic", &[("nicid", s(&nic["id"]))])
        .unwrap();
    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM nic_secondary_ips WHERE vm_id = ?1",
            &vm
        ),
        0
    );
}

/// `UserVmManagerImpl.updateNicIpForVirtualMachine`: a VM on a network
/// with services must be stopped; the rules on the old address follow.
#[test]
fn nic_addresses_change_on_stopped_vms_and_rules_follow() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (_, running_nic) = vm_on(&mut kit, &alice, &net, "Running");
    let err = kit
        .call(&alice, "updateVmNicIp", &[("nicid", s(&running_nic["id"]))])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "VM is not Stopped, unable to update the vm nic having the specified id"
    );

    let (vm, nic) = vm_on(&mut kit, &alice, &net, "Stopped");
    let ip = ip_id(&mut kit, &alice, &net);
    pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap();
    let err = kit
        .call(
            &alice,
            "updateVmNicIp",
            &[
                ("nicid", s(&nic["id"])),
                ("ipaddress", s(&running_nic["ipaddress"])),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        format!(
            "Allocating ip to guest nic {} failed, please choose another ip",
            s(&nic["id"])
        )
    );
    let vm_json = kit
        .call(
            &alice,
            "updateVmNicIp",
            &[("nicid", s(&nic["id"])), ("ipaddress", "10.1.1.200")],
        )
        .unwrap()["virtualmachine"]
        .clone();
    assert_eq!(vm_json["id"], vm.as_str());
    assert_eq!(vm_json["nic"][0]["ipaddress"], "10.1.1.200");
    let rules = list(
        &mut kit,
        &alice,
        "listPortForwardingRules",
        "portforwardingrule",
        &[("ipaddressid", &ip)],
    );
    assert_eq!(rules[0]["vmguestip"], "10.1.1.200");

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(&bob, "updateVmNicIp", &[("nicid", s(&nic["id"]))])
        .unwrap_err();
    assert_eq!(code(&err), 531);
}

/// `Site2SiteVpnManagerImpl.updateCustomerGateway`: every setting is
/// replaced, refused while a connection is not in `Error`, names and
/// addresses stay unique per account, policies and lifetimes are checked.
#[test]
fn customer_gateways_update_like_cloudstack() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let create = |kit: &mut Kit, name: &str, gateway: &str| {
        kit.call(
            &alice,
            "createVpnCustomerGateway",
            &[
                ("name", name),
                ("gateway", gateway),
                ("cidrlist", "192.168.0.0/24"),
                ("ipsecpsk", "shared-secret"),
                ("ikepolicy", "aes128-sha1;modp1536"),
                ("esppolicy", "aes128-sha1"),
            ],
        )
        .unwrap()["vpncustomergateway"]
            .clone()
    };
    let first = create(&mut kit, "first", "203.0.113.10");
    create(&mut kit, "second", "203.0.113.11");
    let id = s(&first["id"]).to_string();
    let update = |kit: &mut Kit, extra: &[(&str, &str)]| {
        let mut params = vec![
            ("id", id.as_str()),
            ("gateway", "203.0.113.20"),
            ("cidrlist", "192.168.1.0/24,192.168.2.0/24"),
            ("ipsecpsk", "another-secret"),
            ("ikepolicy", "aes256-sha256;modp2048"),
            ("esppolicy", "aes256-sha256"),
        ];
        params.extend_from_slice(extra);
        kit.call(&alice, "updateVpnCustomerGateway", &params)
    };
    let err = update(&mut kit, &[("name", "second")]).unwrap_err();
    assert_eq!(
        err.text,
        "The customer gateway with name second already existed!"
    );
    let err = update(&mut kit, &[("gateway", "203.0.113.11")]).unwrap_err();
    assert_eq!(
        err.text,
        "The customer gateway with ip 203.0.113.11 already existed in the system!"
    );
    let err = update(&mut kit, &[("ikepolicy", "rot13-sha1")]).unwrap_err();
    assert_eq!(
        err.text,
        "The customer gateway IKE policyrot13-sha1 is invalid!"
    );
    let err = update(&mut kit, &[("ikelifetime", "90000")]).unwrap_err();
    assert_eq!(
        err.text,
        "The IKE lifetime 90000 of vpn connection is invalid!"
    );
    let err = update(&mut kit, &[("cidrlist", "192.168.1.0")]).unwrap_err();
    assert_eq!(code(&err), 431);

    let updated = update(&mut kit, &[("dpd", "true")]).unwrap()["vpncustomergateway"].clone();
    assert_eq!(
        updated["name"], "VPN-203.0.113.20",
        "a missing name is made from the gateway"
    );
    assert_eq!(updated["gateway"], "203.0.113.20");
    assert_eq!(updated["cidrlist"], "192.168.1.0/24,192.168.2.0/24");
    assert_eq!(updated["ikepolicy"], "aes256-sha256;modp2048");
    assert_eq!(updated["dpd"], true);
    assert_eq!(updated["ikelifetime"], 86400);

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(
            &bob,
            "updateVpnCustomerGateway",
            &[
                ("id", &id),
                ("gateway", "203.0.113.30"),
                ("cidrlist", "10.9.0.0/24"),
                ("ipsecpsk", "x"),
                ("ikepolicy", "aes128-sha1"),
                ("esppolicy", "aes128-sha1"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);

    // A connection that is not in Error blocks the update.
    let v = vpc(&mut kit, &alice, "10.10.0.0/16");
    let gw = kit
        .call(&alice, "createVpnGateway", &[("vpcid", s(&v["id"]))])
        .unwrap()["vpngateway"]
        .clone();
    kit.call(
        &alice,
        "createVpnConnection",
        &[
            ("s2svpngatewayid", s(&gw["id"])),
            ("s2scustomergatewayid", &id),
        ],
    )
    .unwrap();
    let err = update(&mut kit, &[]).unwrap_err();
    assert_eq!(
        err.text,
        "Unable to update customer gateway with connections in non-Error state!"
    );
}
