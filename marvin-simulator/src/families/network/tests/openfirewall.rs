//! `openfirewall` on a port a firewall rule already opens: the rule is
//! reused (FirewallManagerImpl.createRuleForAllCidrs), not a conflict.

use super::*;

fn firewall(kit: &mut Kit, who: &Caller, ip: &str, start: &str, end: &str) -> Value {
    kit.call(
        who,
        "createFirewallRule",
        &[
            ("ipaddressid", ip),
            ("protocol", "tcp"),
            ("startport", start),
            ("endport", end),
        ],
    )
    .unwrap()["firewallrule"]
        .clone()
}

fn firewall_rules(kit: &mut Kit, who: &Caller, ip: &str) -> Vec<Value> {
    list(
        kit,
        who,
        "listFirewallRules",
        "firewallrule",
        &[("ipaddressid", ip)],
    )
}

/// Marvin's standard VM set-up: a firewall rule on 22, then a port
/// forwarding rule on 22 without `openfirewall` (true by default).
#[test]
fn a_port_forwarding_rule_reuses_the_firewall_rule_on_its_ports() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm, _) = vm_on(&mut kit, &alice, &net, "Running");
    let ip = ip_id(&mut kit, &alice, &net);
    let fw = firewall(&mut kit, &alice, &ip, "22", "22");
    let rule = pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap();
    assert_eq!(rule["publicport"], "22");
    let listed = firewall_rules(&mut kit, &alice, &ip);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], fw["id"]);
    // The reused rule is the user's: deleting the PF rule leaves it.
    kit.call(
        &alice,
        "deletePortForwardingRule",
        &[("id", s(&rule["id"]))],
    )
    .unwrap();
    assert_eq!(firewall_rules(&mut kit, &alice, &ip).len(), 1);
    // Only an exact port range is reused: 21-23 overlaps 22 and conflicts.
    let err = kit
        .call(
            &alice,
            "createPortForwardingRule",
            &[
                ("ipaddressid", &ip),
                ("virtualmachineid", &vm),
                ("protocol", "tcp"),
                ("publicport", "21"),
                ("publicendport", "23"),
                ("privateport", "21"),
                ("privateendport", "23"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 537, "{}", err.text);
}

/// The same for a load balancer rule and a static NAT rule.
#[test]
fn load_balancer_and_static_nat_rules_reuse_the_firewall_rule_too() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let (vm, _) = vm_on(&mut kit, &alice, &net, "Running");
    let ip = ip_id(&mut kit, &alice, &net);
    firewall(&mut kit, &alice, &ip, "80", "80");
    kit.call(
        &alice,
        "createLoadBalancerRule",
        &[
            ("publicipid", &ip),
            ("name", "web"),
            ("algorithm", "roundrobin"),
            ("publicport", "80"),
            ("privateport", "8080"),
        ],
    )
    .unwrap();
    assert_eq!(firewall_rules(&mut kit, &alice, &ip).len(), 1);

    let nat_ip = ip_id(&mut kit, &alice, &net);
    kit.call(
        &alice,
        "enableStaticNat",
        &[("ipaddressid", &nat_ip), ("virtualmachineid", &vm)],
    )
    .unwrap();
    firewall(&mut kit, &alice, &nat_ip, "22", "25");
    kit.call(
        &alice,
        "createIpForwardingRule",
        &[
            ("ipaddressid", &nat_ip),
            ("protocol", "tcp"),
            ("startport", "22"),
            ("endport", "25"),
        ],
    )
    .unwrap();
    assert_eq!(firewall_rules(&mut kit, &alice, &nat_ip).len(), 1);
}
