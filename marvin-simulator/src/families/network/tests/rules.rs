//! Firewall, port forwarding, static NAT and load balancer rules.

use super::*;

#[test]
fn firewall_rules_conflict_like_cloudstack() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let ip = ip_id(&mut kit, &alice, &net);
    let rule = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "tcp"),
                ("startport", "22"),
                ("endport", "22"),
            ],
        )
        .unwrap()["firewallrule"]
        .clone();
    assert_eq!(rule["state"], "Active");
    assert_eq!(rule["cidrlist"], "0.0.0.0/0");
    assert_eq!(rule["startport"], 22);
    let err = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "TCP"),
                ("startport", "20"),
                ("endport", "30"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text
            .starts_with("The range specified, 20-30, conflicts with rule Rule[")
            && err.text.ends_with("-Firewall-Active] which has 22-22"),
        "{}",
        err.text
    );
    kit.call(
        &alice,
        "createFirewallRule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "tcp"),
            ("startport", "22"),
            ("cidrlist", "192.168.0.0/16"),
        ],
    )
    .unwrap();
    kit.call(
        &alice,
        "createFirewallRule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "udp"),
            ("startport", "22"),
        ],
    )
    .unwrap();
    kit.call(
        &alice,
        "createFirewallRule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "icmp"),
            ("icmptype", "8"),
            ("icmpcode", "0"),
        ],
    )
    .unwrap();
    let err = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "icmp"),
                ("icmptype", "8"),
                ("icmpcode", "0"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("New rule conflicts with existing rule: Rule["),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "icmp"),
                ("startport", "22"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Can't specify start/end port when protocol is ICMP")
    );

    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listFirewallRules",
            "firewallrule",
            &[("ipaddressid", &ip)]
        )
        .len(),
        4
    );
    kit.call(&alice, "deleteFirewallRule", &[("id", s(&rule["id"]))])
        .unwrap();
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listFirewallRules",
            "firewallrule",
            &[("ipaddressid", &ip)]
        )
        .len(),
        3
    );

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(
            &bob,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "tcp"),
                ("startport", "80"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
}

#[test]
fn egress_rules_default_to_the_network_cidr() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let rule = kit
        .call(
            &alice,
            "createEgressFirewallRule",
            &[
                ("networkid", &net),
                ("protocol", "tcp"),
                ("startport", "80"),
            ],
        )
        .unwrap()["firewallrule"]
        .clone();
    assert_eq!(rule["cidrlist"], "10.1.1.0/24");
    assert_eq!(rule["networkid"], net.as_str());
    let err = kit
        .call(
            &alice,
            "createEgressFirewallRule",
            &[
                ("networkid", &net),
                ("protocol", "tcp"),
                ("startport", "80"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537);
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listEgressFirewallRules",
            "firewallrule",
            &[("networkid", &net)]
        )
        .len(),
        1
    );
    assert!(list(&mut kit, &alice, "listFirewallRules", "firewallrule", &[]).is_empty());
    kit.call(
        &alice,
        "deleteEgressFirewallRule",
        &[("id", s(&rule["id"]))],
    )
    .unwrap();
    assert!(
        list(
            &mut kit,
            &alice,
            "listEgressFirewallRules",
            "firewallrule",
            &[]
        )
        .is_empty()
    );
}

#[test]
fn port_forwarding_conflicts_and_vm_checks() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let other = network_id(&mut kit, &alice, "other");
    let (vm, nic) = vm_on(&mut kit, &alice, &net, "Running");
    let (stranger, _) = vm_on(&mut kit, &alice, &other, "Running");
    let ip = ip_id(&mut kit, &alice, &net);

    let rule = pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap();
    assert_eq!(rule["state"], "Active");
    assert_eq!(rule["publicport"], "22");
    assert_eq!(rule["vmguestip"], nic["ipaddress"]);
    assert_eq!(rule["virtualmachinename"], "vm-1");
    // openfirewall (default) opened the port too.
    let fw = list(
        &mut kit,
        &alice,
        "listFirewallRules",
        "firewallrule",
        &[("ipaddressid", &ip)],
    );
    assert_eq!(fw.len(), 1);
    assert_eq!(fw[0]["startport"], 22);

    let err = pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text
            .starts_with("The range specified, 22-22, conflicts with rule Rule["),
        "{}",
        err.text
    );
    assert!(
        err.text
            .ends_with("-PortForwarding-Active] which has 22-22"),
        "{}",
        err.text
    );
    pf(&mut kit, &alice, &ip, &vm, "udp", "22").unwrap();

    let err = pf(&mut kit, &alice, &ip, &stranger, "tcp", "80").unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Vm doesn't belong to network associated with ipAddress"
        )
    );

    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listPortForwardingRules",
            "portforwardingrule",
            &[("ipaddressid", &ip)]
        )
        .len(),
        2
    );
    kit.call(
        &alice,
        "deletePortForwardingRule",
        &[("id", s(&rule["id"]))],
    )
    .unwrap();
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listPortForwardingRules",
            "portforwardingrule",
            &[]
        )
        .len(),
        1
    );
    assert!(
        list(
            &mut kit,
            &alice,
            "listFirewallRules",
            "firewallrule",
            &[("ipaddressid", &ip)]
        )
        .len()
            == 1,
        "the tcp rule's firewall rule went with it, the udp one stays"
    );

    // Expunging the VM removes its rules.
    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    assert!(
        list(
            &mut kit,
            &alice,
            "listPortForwardingRules",
            "portforwardingrule",
            &[]
        )
        .is_empty()
    );
}

#[test]
fn static_nat_refusals() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm1, _) = vm_on(&mut kit, &alice, &net, "Running");
    let (vm2, _) = vm_on(&mut kit, &alice, &net, "Running");
    let source_nat = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("issourcenat", "true")],
    )[0]["id"]
        .clone();
    let err = kit
        .call(
            &alice,
            "enableStaticNat",
            &[("ipaddressid", s(&source_nat)), ("virtualmachineid", &vm1)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.starts_with("Can't enable static, ip address Ip[")
            && err.text.ends_with("] is a sourceNat ip address")
    );

    let with_pf = ip_id(&mut kit, &alice, &net);
    pf(&mut kit, &alice, &with_pf, &vm1, "tcp", "22").unwrap();
    let err = kit
        .call(
            &alice,
            "enableStaticNat",
            &[("ipaddressid", &with_pf), ("virtualmachineid", &vm1)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text
            .ends_with("as it already has PortForwarding rules assigned"),
        "{}",
        err.text
    );

    let nat = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "enableStaticNat",
        &[("ipaddressid", &nat), ("virtualmachineid", &vm1)],
    )
    .unwrap();
    let err = kit
        .call(
            &alice,
            "enableStaticNat",
            &[("ipaddressid", &nat), ("virtualmachineid", &vm2)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text.ends_with("as it's already assigned to antoher vm"),
        "{}",
        err.text
    );

    let another = ip_id(&mut kit, &alice, &net);
    let err = kit
        .call(
            &alice,
            "enableStaticNat",
            &[("ipaddressid", &another), ("virtualmachineid", &vm1)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains(&format!("is already associated with ip id={nat}")),
        "{}",
        err.text
    );

    let err = pf(&mut kit, &alice, &nat, &vm1, "tcp", "80").unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        format!("Unable to create port forwarding rule; ip id={nat} has static nat enabled")
    );

    // `LoadBalancingRulesManagerImpl.createPublicLoadBalancer`: an
    // `InvalidParameterValueException` (431), not a rule conflict.
    let err = kit
        .call(
            &alice,
            "createLoadBalancerRule",
            &[
                ("publicipid", nat.as_str()),
                ("name", "web"),
                ("algorithm", "roundrobin"),
                ("publicport", "80"),
                ("privateport", "8080"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Unable to create load balancer rule; specified sourceip id has static nat enabled"
        )
    );

    let listed = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("isstaticnat", "true")],
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["virtualmachineid"], vm1.as_str());
    let of = with_call(&mut kit, &alice, |call| api::static_nat_of(call, &vm1))
        .unwrap()
        .unwrap();
    assert_eq!(
        (of.1.as_str(), s(&listed[0]["ipaddress"])),
        (nat.as_str(), of.0.as_str())
    );

    kit.call(&alice, "disableStaticNat", &[("ipaddressid", &nat)])
        .unwrap();
    assert!(
        with_call(&mut kit, &alice, |call| api::static_nat_of(call, &vm1))
            .unwrap()
            .is_none()
    );
    kit.call(
        &alice,
        "enableStaticNat",
        &[("ipaddressid", &another), ("virtualmachineid", &vm1)],
    )
    .unwrap();

    // A page's NICs written as text are each VM's NICs, as the owner and
    // as the root admin (who also sees the isolation and broadcast URIs).
    let admin = kit.admin();
    for caller in [&alice, &admin] {
        let ids = vec![vm1.clone(), "no-such-vm".to_string()];
        let (mut rendered, one) = with_call(&mut kit, caller, |call| {
            Ok((
                api::rendered_nics_of_vms(call, &ids)?,
                api::nics_json(call, &vm1)?,
            ))
        })
        .unwrap();
        assert!(!one.is_empty());
        let nics = rendered.remove(&vm1).unwrap();
        assert!(rendered.is_empty(), "no NICs, no entry");
        let parsed: Value = serde_json::from_slice(&nics.json).unwrap();
        assert_eq!(parsed, Value::Array(one.clone()));
        let address = one
            .iter()
            .find(|n| n["isdefault"] == true)
            .and_then(|n| n.get("ipaddress"))
            .cloned();
        assert!(address.is_some());
        assert_eq!(nics.address, address);
        assert_eq!(
            one[0].get("isolationuri").is_some(),
            caller.is_root_admin(),
            "{parsed}"
        );
    }
}

#[test]
fn load_balancers_become_active_with_vms() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm1, _) = vm_on(&mut kit, &alice, &net, "Running");
    let (vm2, _) = vm_on(&mut kit, &alice, &net, "Running");
    let ip = ip_id(&mut kit, &alice, &net);
    let lb = |kit: &mut Kit, port: &str| {
        kit.call(
            &alice,
            "createLoadBalancerRule",
            &[
                ("publicipid", &ip),
                ("name", "web"),
                ("algorithm", "roundrobin"),
                ("publicport", port),
                ("privateport", "8080"),
            ],
        )
    };
    let rule = lb(&mut kit, "80").unwrap()["loadbalancer"].clone();
    assert_eq!(rule["state"], "Add");
    assert_eq!(rule["publicport"], "80");
    let id = s(&rule["id"]).to_string();
    let err = lb(&mut kit, "80").unwrap_err();
    assert_eq!(code(&err), 537);
    let err = pf(&mut kit, &alice, &ip, &vm1, "tcp", "80").unwrap_err();
    assert_eq!(code(&err), 537);
    let err = kit
        .call(
            &alice,
            "createLoadBalancerRule",
            &[
                ("publicipid", &ip),
                ("name", "x"),
                ("algorithm", "fastest"),
                ("publicport", "81"),
                ("privateport", "81"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid algorithm: fastest")
    );

    kit.call(
        &alice,
        "assignToLoadBalancerRule",
        &[("id", &id), ("virtualmachineids", &format!("{vm1},{vm2}"))],
    )
    .unwrap();
    let rules = list(
        &mut kit,
        &alice,
        "listLoadBalancerRules",
        "loadbalancerrule",
        &[("id", &id)],
    );
    assert_eq!(rules[0]["state"], "Active");
    let members = list(
        &mut kit,
        &alice,
        "listLoadBalancerRuleInstances",
        "loadbalancerruleinstance",
        &[("id", &id)],
    );
    assert_eq!(members.len(), 2);
    kit.call(
        &alice,
        "removeFromLoadBalancerRule",
        &[("id", &id), ("virtualmachineids", &vm2)],
    )
    .unwrap();
    let members = list(
        &mut kit,
        &alice,
        "listLoadBalancerRuleInstances",
        "loadbalancerruleinstance",
        &[("id", &id)],
    );
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["id"], vm1.as_str());

    let policy = kit
        .call(
            &alice,
            "createLBStickinessPolicy",
            &[
                ("lbruleid", &id),
                ("name", "sticky"),
                ("methodname", "LbCookie"),
            ],
        )
        .unwrap();
    assert_eq!(
        policy["stickinesspolicies"]["stickinesspolicy"][0]["methodname"],
        "LbCookie"
    );
    let health = kit
        .call(&alice, "createLBHealthCheckPolicy", &[("lbruleid", &id)])
        .unwrap();
    assert_eq!(
        health["healthcheckpolicies"]["healthcheckpolicy"][0]["pingpath"],
        "/"
    );
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listLBHealthCheckPolicies",
            "healthcheckpolicies",
            &[("lbruleid", &id)]
        )
        .len(),
        1
    );

    let nat = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "enableStaticNat",
        &[("ipaddressid", &nat), ("virtualmachineid", &vm2)],
    )
    .unwrap();
    let err = kit
        .call(
            &alice,
            "createLoadBalancerRule",
            &[
                ("publicipid", &nat),
                ("name", "n"),
                ("algorithm", "source"),
                ("publicport", "80"),
                ("privateport", "80"),
            ],
        )
        .unwrap_err();
    // A bad parameter, not a rule conflict (`static_nat_refusals`).
    assert_eq!(code(&err), 431);

    kit.call(&alice, "deleteLoadBalancerRule", &[("id", &id)])
        .unwrap();
    assert!(
        list(
            &mut kit,
            &alice,
            "listLoadBalancerRules",
            "loadbalancerrule",
            &[]
        )
        .is_empty()
    );
}

#[test]
fn a_rule_being_deleted_shows_deleting() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let ip = ip_id(&mut kit, &alice, &net);
    let rule = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "tcp"),
                ("startport", "22"),
            ],
        )
        .unwrap()["firewallrule"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Only the request half of deleteFirewallRule: the job has not run yet.
    let tx = kit.conn.transaction().unwrap();
    let params = Params::from_pairs([("id", rule.as_str())]);
    let reply = {
        let mut call = Call {
            tx: &tx,
            caller: &alice,
            params: &params,
            command: "deleteFirewallRule",
            now: OffsetDateTime::now_utc(),
            job_id: None,
            served: crate::families::testkit::served(),
        };
        crate::families::network::firewall::delete(&mut call).unwrap()
    };
    assert!(matches!(reply, crate::kernel::contract::Reply::Job(_)));
    tx.commit().unwrap();
    let listed = list(
        &mut kit,
        &alice,
        "listFirewallRules",
        "firewallrule",
        &[("id", &rule)],
    );
    assert_eq!(listed[0]["state"], "Deleting");
}

/// A rule's tags go with it also when the rule goes with its public IP
/// (`FirewallManagerImpl.removeRule` drops them through
/// `ResourceTagDao.removeByIdAndType` whichever way the rule is revoked).
#[test]
fn rules_released_with_their_ip_lose_their_tags() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let ip = ip_id(&mut kit, &alice, &net);
    let rule = kit
        .call(
            &alice,
            "createFirewallRule",
            &[
                ("ipaddressid", &ip),
                ("protocol", "tcp"),
                ("startport", "22"),
            ],
        )
        .unwrap()["firewallrule"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        &alice,
        "createTags",
        &[
            ("resourceids", &rule),
            ("resourcetype", "FirewallRule"),
            ("tags[0].key", "ssh"),
            ("tags[0].value", "yes"),
        ],
    )
    .unwrap();
    let tags = "SELECT COUNT(*) FROM resource_tags WHERE resource_id = ?1";
    assert_eq!(kit.count(tags, &rule), 1);
    kit.call(&alice, "disassociateIpAddress", &[("id", &ip)])
        .unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM firewall_rules WHERE id = ?1", &rule),
        0
    );
    assert_eq!(kit.count(tags, &rule), 0);
}
