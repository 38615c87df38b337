//! Autoscale family tests: each rule of CloudStack's
//! `AutoScaleManagerImpl` the family models, with its code and text.

use serde_json::Value;

use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;
use crate::kernel::error::ApiError;

fn s(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn counter(kit: &mut Kit, who: &Caller, source: &str) -> String {
    let listed = kit
        .call(
            who,
            "listCounters",
            &[("source", source), ("provider", "VirtualRouter")],
        )
        .unwrap();
    s(&listed["counter"][0]["id"]).to_string()
}

fn condition(kit: &mut Kit, who: &Caller, counter: &str) -> String {
    s(&kit
        .call(
            who,
            "createCondition",
            &[
                ("counterid", counter),
                ("relationaloperator", "GT"),
                ("threshold", "80"),
            ],
        )
        .unwrap()["condition"]["id"])
    .to_string()
}

fn policy(kit: &mut Kit, who: &Caller, action: &str, conditions: &str) -> Result<Value, ApiError> {
    kit.call(
        who,
        "createAutoScalePolicy",
        &[
            ("action", action),
            ("duration", "60"),
            ("conditionids", conditions),
        ],
    )
    .map(|v| v["autoscalepolicy"].clone())
}

fn profile(kit: &mut Kit, who: &Caller) -> Result<Value, ApiError> {
    let zone = kit.id("zone");
    let offering = kit.id("service_offering_small");
    let template = kit.id("template");
    kit.call(
        who,
        "createAutoScaleVmProfile",
        &[
            ("zoneid", &zone),
            ("serviceofferingid", &offering),
            ("templateid", &template),
        ],
    )
    .map(|v| v["autoscalevmprofile"].clone())
}

/// An isolated network, a public IP and a load balancer rule on port 80:
/// (network, lb rule).
fn lb_rule(kit: &mut Kit, who: &Caller) -> (String, String) {
    let offering = kit.id("network_offering_isolated_sourcenat");
    let zone = kit.id("zone");
    let network = s(&kit
        .call(
            who,
            "createNetwork",
            &[
                ("name", "web"),
                ("displaytext", "web"),
                ("networkofferingid", &offering),
                ("zoneid", &zone),
            ],
        )
        .unwrap()["network"]["id"])
    .to_string();
    let ip = s(&kit
        .call(who, "associateIpAddress", &[("networkid", &network)])
        .unwrap()["ipaddress"]["id"])
    .to_string();
    let rule = s(&kit
        .call(
            who,
            "createLoadBalancerRule",
            &[
                ("publicipid", &ip),
                ("name", "web"),
                ("algorithm", "roundrobin"),
                ("publicport", "80"),
                ("privateport", "8080"),
            ],
        )
        .unwrap()["loadbalancer"]["id"])
    .to_string();
    (network, rule)
}

/// Everything a group needs: (lb rule, profile, scale-up, scale-down).
fn group_parts(kit: &mut Kit, who: &Caller) -> (String, String, String, String) {
    let (_, rule) = lb_rule(kit, who);
    let cpu = counter(kit, who, "cpu");
    let memory = counter(kit, who, "memory");
    let up_condition = condition(kit, who, &cpu);
    let down_condition = condition(kit, who, &memory);
    let up = s(&policy(kit, who, "ScaleUp", &up_condition).unwrap()["id"]).to_string();
    let down = s(&policy(kit, who, "scaledown", &down_condition).unwrap()["id"]).to_string();
    let profile = s(&profile(kit, who).unwrap()["id"]).to_string();
    (rule, profile, up, down)
}

fn group(
    kit: &mut Kit,
    who: &Caller,
    parts: &(String, String, String, String),
    extra: &[(&str, &str)],
) -> Result<Value, ApiError> {
    let mut params = vec![
        ("name", "web-group"),
        ("lbruleid", parts.0.as_str()),
        ("vmprofileid", parts.1.as_str()),
        ("scaleuppolicyids", parts.2.as_str()),
        ("scaledownpolicyids", parts.3.as_str()),
        ("minmembers", "1"),
        ("maxmembers", "3"),
    ];
    params.extend_from_slice(extra);
    kit.call(who, "createAutoScaleVmGroup", &params)
        .map(|v| v["autoscalevmgroup"].clone())
}

/// The counters of a fresh CloudStack; `AutoScaleManagerImpl.createCounter`
/// checks source and provider; `deleteCounter` refuses a counter in use.
#[test]
fn counters_are_seeded_checked_and_kept_while_used() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let alice = kit.account("alice", 0, None);
    let all = kit.call(&alice, "listCounters", &[]).unwrap();
    let names: Vec<&str> = all["counter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["name"]))
        .collect();
    assert!(names.contains(&"VM CPU - average percentage"), "{names:?}");
    assert!(names.contains(&"Response Time - microseconds"));
    let cpu = kit
        .call(
            &alice,
            "listCounters",
            &[("source", "cpu"), ("provider", "virtualrouter")],
        )
        .unwrap();
    assert_eq!(cpu["count"], 1);
    assert_eq!(cpu["counter"][0]["value"], "vm.cpu.average.percentage");
    let err = kit
        .call(&alice, "listCounters", &[("provider", "Nobody")])
        .unwrap_err();
    assert_eq!(
        err.text,
        "The Provider Nobody does not exist; Unable to list Counter"
    );

    let err = kit
        .call(
            &admin,
            "createCounter",
            &[
                ("name", "x"),
                ("source", "disk"),
                ("value", "v"),
                ("provider", "VirtualRouter"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "The Source DISK does not exist; Unable to create Counter"
        )
    );
    let err = kit
        .call(
            &admin,
            "createCounter",
            &[
                ("name", "x"),
                ("source", "cpu"),
                ("value", "v"),
                ("provider", "Nobody"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "The Provider Nobody does not exist; Unable to create Counter"
    );
    let made = kit
        .call(
            &admin,
            "createCounter",
            &[
                ("name", "custom"),
                ("source", "CPU"),
                ("value", "my.cpu"),
                ("provider", "virtualrouter"),
            ],
        )
        .unwrap()["counter"]
        .clone();
    assert_eq!(made["source"], "cpu");
    assert_eq!(made["provider"], "VirtualRouter");
    let id = s(&made["id"]).to_string();
    condition(&mut kit, &alice, &id);
    let err = kit
        .call(&admin, "deleteCounter", &[("id", &id)])
        .unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (536, "Counter is in use."));
    let err = kit
        .call(
            &admin,
            "deleteCounter",
            &[("id", "00000000-0000-0000-0000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(err.text, "Unable to find Counter");
}

/// `createCondition` / `updateCondition`: operator and threshold checks,
/// counters that exist; `deleteCondition` refuses a condition in a policy.
#[test]
fn conditions_are_checked_and_kept_while_used() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);
    let cpu = counter(&mut kit, &alice, "cpu");
    let make = |kit: &mut Kit, op: &str, threshold: &str, counter: &str| {
        kit.call(
            &alice,
            "createCondition",
            &[
                ("counterid", counter),
                ("relationaloperator", op),
                ("threshold", threshold),
            ],
        )
    };
    let err = make(&mut kit, "bigger", "1", &cpu).unwrap_err();
    assert_eq!(
        err.text,
        "The Operator BIGGER does not exist; Unable to create Condition."
    );
    let err = make(&mut kit, "GT", "-1", &cpu).unwrap_err();
    assert_eq!(
        err.text,
        "The threshold -1 must be equal to or greater than 0."
    );
    let err = make(&mut kit, "GT", "1", "00000000-0000-0000-0000-000000000000").unwrap_err();
    assert_eq!(err.text, "Unable to find counter");
    let made = make(&mut kit, "ge", "75", &cpu).unwrap()["condition"].clone();
    assert_eq!(made["relationaloperator"], "GE");
    assert_eq!(made["threshold"], 75);
    assert_eq!(made["counterid"], cpu.as_str());
    assert_eq!(made["counter"][0]["id"], cpu.as_str());
    assert_eq!(made["account"], "alice");
    let id = s(&made["id"]).to_string();

    assert_eq!(kit.call(&bob, "listConditions", &[]).unwrap()["count"], 0);
    let err = kit
        .call(&bob, "deleteCondition", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);

    kit.call(
        &alice,
        "updateCondition",
        &[
            ("id", &id),
            ("relationaloperator", "LT"),
            ("threshold", "10"),
        ],
    )
    .unwrap();
    let listed = kit.call(&alice, "listConditions", &[("id", &id)]).unwrap();
    assert_eq!(listed["condition"][0]["relationaloperator"], "LT");
    assert_eq!(listed["condition"][0]["threshold"], 10);

    policy(&mut kit, &alice, "ScaleUp", &id).unwrap();
    let err = kit
        .call(&alice, "deleteCondition", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            536,
            "Cannot delete Condition when it is in use by one or more AutoScale Policies."
        )
    );
}

/// `createAutoScalePolicy`: a valid action, at least one condition, no
/// counter twice, times not negative; `deleteAutoScalePolicy` refuses a
/// policy a group uses.
#[test]
fn policies_need_conditions_of_distinct_counters() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let cpu = counter(&mut kit, &alice, "cpu");
    let first = condition(&mut kit, &alice, &cpu);
    let second = condition(&mut kit, &alice, &cpu);
    let err = policy(&mut kit, &alice, "grow", &first).unwrap_err();
    assert_eq!(
        err.text,
        "action is invalid. Supported actions are: [SCALEUP, SCALEDOWN]"
    );
    let err = policy(&mut kit, &alice, "ScaleUp", &format!("{first},{second}")).unwrap_err();
    assert!(
        err.text
            .starts_with("at least two conditions in the conditionids have the same counter")
    );
    let err = policy(
        &mut kit,
        &alice,
        "ScaleUp",
        "00000000-0000-0000-0000-000000000000",
    )
    .unwrap_err();
    assert_eq!(err.text, "Unable to find the condition specified");
    let err = kit
        .call(
            &alice,
            "createAutoScalePolicy",
            &[
                ("action", "ScaleUp"),
                ("duration", "-5"),
                ("conditionids", &first),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "duration is an invalid value: -5");
    let err = kit
        .call(
            &alice,
            "createAutoScalePolicy",
            &[("action", "ScaleUp"), ("duration", "5")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let made = policy(&mut kit, &alice, "scaleup", &first).unwrap();
    assert_eq!(made["action"], "ScaleUp");
    assert_eq!(made["quiettime"], 300);
    assert_eq!(made["duration"], 60);
    assert_eq!(made["conditions"][0]["id"], first.as_str());
    let listed = kit
        .call(&alice, "listAutoScalePolicies", &[("conditionid", &first)])
        .unwrap();
    assert_eq!(listed["count"], 1);

    let bob = kit.account("bob", 0, None);
    let err = policy(&mut kit, &bob, "ScaleUp", &first).unwrap_err();
    assert_eq!(code(&err), 531, "another account's condition");
}

/// `createAutoScaleVmProfile`: a zone, a fixed compute offering, a
/// template, supported deploy parameters, a grace period not negative.
#[test]
fn profiles_are_checked_and_kept_while_used() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let zone = kit.id("zone");
    let offering = kit.id("service_offering_small");
    let template = kit.id("template");
    let create = |kit: &mut Kit, extra: &[(&str, &str)]| {
        let mut params = vec![
            ("zoneid", zone.as_str()),
            ("serviceofferingid", offering.as_str()),
            ("templateid", template.as_str()),
        ];
        params.extend_from_slice(extra);
        kit.call(&alice, "createAutoScaleVmProfile", &params)
    };
    let err = create(
        &mut kit,
        &[("templateid", "00000000-0000-0000-0000-000000000000")],
    )
    .unwrap_err();
    assert_eq!(err.text, "Unable to use the given template.");
    let err = create(
        &mut kit,
        &[("serviceofferingid", "00000000-0000-0000-0000-000000000000")],
    )
    .unwrap_err();
    assert_eq!(err.text, "Unable to find service offering by id");
    let err = create(&mut kit, &[("expungevmgraceperiod", "-1")]).unwrap_err();
    assert_eq!(err.text, "Expunge Vm Grace Period cannot be less than 0.");
    let err = create(
        &mut kit,
        &[
            ("otherdeployparams[0].name", "hostname"),
            ("otherdeployparams[0].value", "x"),
        ],
    )
    .unwrap_err();
    assert!(
        err.text
            .starts_with("Unsupported otherdeployparams key: hostname."),
        "{}",
        err.text
    );

    let made = create(
        &mut kit,
        &[
            ("otherdeployparams[0].name", "rootdisksize"),
            ("otherdeployparams[0].value", "20"),
        ],
    )
    .unwrap()["autoscalevmprofile"]
        .clone();
    assert_eq!(made["expungevmgraceperiod"], 120);
    assert_eq!(made["otherdeployparams"]["rootdisksize"], "20");
    assert_eq!(made["templateid"], template.as_str());
    let listed = kit
        .call(
            &alice,
            "listAutoScaleVmProfiles",
            &[("otherdeployparams", "rootdisk")],
        )
        .unwrap();
    assert_eq!(listed["count"], 1);
}

/// `createAutoScaleVmGroup` / `checkValidityAndPersist`: bounds, interval,
/// both kinds of policies, durations against the interval, one group per
/// rule and no hand-assigned VMs; the group is enabled by its job.
#[test]
fn groups_need_policies_bounds_and_a_free_rule() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let parts = group_parts(&mut kit, &alice);
    let err = group(&mut kit, &alice, &parts, &[("minmembers", "0")]).unwrap_err();
    assert_eq!(err.text, "minmembers is an invalid value: 0");
    let err = group(&mut kit, &alice, &parts, &[("minmembers", "4")]).unwrap_err();
    assert_eq!(
        err.text,
        "minmembers (4)cannot be greater than maxmembers (3)"
    );
    let err = group(&mut kit, &alice, &parts, &[("interval", "0")]).unwrap_err();
    assert_eq!(err.text, "interval is an invalid value: 0");
    let err = group(&mut kit, &alice, &parts, &[("interval", "90")]).unwrap_err();
    assert_eq!(
        err.text,
        "duration : 60 specified in a policy cannot be less than vm group's interval : 90"
    );
    let swapped = (
        parts.0.clone(),
        parts.1.clone(),
        parts.3.clone(),
        parts.2.clone(),
    );
    let err = group(&mut kit, &alice, &swapped, &[]).unwrap_err();
    assert_eq!(
        err.text,
        "Only scaleup policies can be specified in scaleuppolicyids"
    );
    let err = group(&mut kit, &alice, &parts, &[("name", "not a hostname")]).unwrap_err();
    assert!(err.text.starts_with("Invalid AutoScale VM group name."));

    let made = group(&mut kit, &alice, &parts, &[]).unwrap();
    assert_eq!(made["state"], "enabled");
    assert_eq!(made["interval"], 30);
    assert_eq!(made["lbruleid"], parts.0.as_str());
    assert_eq!(made["publicport"], "80");
    assert_eq!(made["privateport"], "8080");
    assert_eq!(made["lbprovider"], "VirtualRouter");
    assert_eq!(made["scaleuppolicies"][0]["id"], parts.2.as_str());
    assert_eq!(made["scaledownpolicies"][0]["id"], parts.3.as_str());
    assert!(made["publicip"].as_str().is_some());

    let err = group(&mut kit, &alice, &parts, &[]).unwrap_err();
    assert_eq!(
        err.text,
        "an AutoScaleVmGroup is already attached to the lb rule, the existing vm group has to be first deleted"
    );
    let err = kit
        .call(&alice, "deleteAutoScalePolicy", &[("id", &parts.2)])
        .unwrap_err();
    assert_eq!(
        err.text,
        "Cannot delete AutoScale Policy when it is in use by one or more AutoScale Vm Groups"
    );
    let err = kit
        .call(&alice, "deleteAutoScaleVmProfile", &[("id", &parts.1)])
        .unwrap_err();
    assert_eq!(
        err.text,
        "Cannot delete AutoScale Vm Profile when it is in use by one more vm groups"
    );
}

/// The VM router's `AutoScaleCounters` capability: SNMP counters are a
/// NetScaler's (`validateAutoScaleCounters`).
#[test]
fn groups_on_a_router_refuse_netscaler_counters() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let mut parts = group_parts(&mut kit, &alice);
    let listed = kit
        .call(&alice, "listCounters", &[("source", "snmp")])
        .unwrap();
    let snmp = s(&listed["counter"][0]["id"]).to_string();
    let snmp_condition = condition(&mut kit, &alice, &snmp);
    parts.2 = s(&policy(&mut kit, &alice, "ScaleUp", &snmp_condition).unwrap()["id"]).to_string();
    let err = group(&mut kit, &alice, &parts, &[]).unwrap_err();
    assert_eq!(
        err.text,
        "AutoScale counter with source='snmp' is not supported in the network"
    );
}

/// Enabled groups change bounds, policies and conditions only once
/// disabled; delete needs disabled or cleanup=true; other accounts are
/// refused.
#[test]
fn group_states_gate_updates_and_deletion() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let parts = group_parts(&mut kit, &alice);
    let made = group(&mut kit, &alice, &parts, &[]).unwrap();
    let id = s(&made["id"]).to_string();

    let err = kit
        .call(
            &alice,
            "updateAutoScaleVmGroup",
            &[("id", &id), ("maxmembers", "5")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "An AutoScale Vm Group can be updated with minMembers/maxMembers/Interval only when it is in disabled state"
    );
    let condition_id = {
        let listed = kit
            .call(&alice, "listConditions", &[("policyid", &parts.2)])
            .unwrap();
        s(&listed["condition"][0]["id"]).to_string()
    };
    let err = kit
        .call(
            &alice,
            "updateCondition",
            &[
                ("id", &condition_id),
                ("relationaloperator", "GT"),
                ("threshold", "90"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 536);
    assert!(
        err.text
            .ends_with("as it is being used in 1 vm groups NOT in Disabled state.")
    );
    let err = kit
        .call(
            &alice,
            "updateAutoScalePolicy",
            &[("id", &parts.2), ("duration", "120")],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("The AutoScale Policy can be updated only if the Vm Group")
    );
    let err = kit
        .call(&alice, "deleteAutoScaleVmGroup", &[("id", &id)])
        .unwrap_err();
    assert!(
        err.text.contains("because it is in enabled state."),
        "{}",
        err.text
    );

    let bob = kit.account("bob", 0, None);
    let err = kit
        .call(&bob, "disableAutoScaleVmGroup", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(
        kit.call(&bob, "listAutoScaleVmGroups", &[]).unwrap()["count"],
        0
    );

    let disabled = kit
        .call(&alice, "disableAutoScaleVmGroup", &[("id", &id)])
        .unwrap()["autoscalevmgroup"]
        .clone();
    assert_eq!(disabled["state"], "disabled");
    let updated = kit
        .call(
            &alice,
            "updateAutoScaleVmGroup",
            &[("id", &id), ("maxmembers", "5"), ("name", "renamed")],
        )
        .unwrap()["autoscalevmgroup"]
        .clone();
    assert_eq!(updated["maxmembers"], 5);
    assert_eq!(updated["name"], "renamed");
    let err = kit
        .call(
            &alice,
            "updateAutoScaleVmGroup",
            &[("id", &id), ("minmembers", "6")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "minmembers (6)cannot be greater than maxmembers (5)"
    );
    let err = kit
        .call(
            &alice,
            "updateAutoScalePolicy",
            &[("id", &parts.2), ("duration", "10")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "duration is less than the associated AutoScaleVmGroup's interval"
    );
    kit.call(
        &alice,
        "updateAutoScalePolicy",
        &[("id", &parts.2), ("duration", "120"), ("name", "up")],
    )
    .unwrap();

    let enabled = kit
        .call(&alice, "enableAutoScaleVmGroup", &[("id", &id)])
        .unwrap()["autoscalevmgroup"]
        .clone();
    assert_eq!(enabled["state"], "enabled");
    assert_eq!(enabled["scaleuppolicies"][0]["duration"], 120);
    kit.call(
        &alice,
        "deleteAutoScaleVmGroup",
        &[("id", &id), ("cleanup", "true")],
    )
    .unwrap();
    assert_eq!(
        kit.call(&alice, "listAutoScaleVmGroups", &[]).unwrap()["count"],
        0
    );
    // The policies and the profile are free again.
    kit.call(&alice, "deleteAutoScalePolicy", &[("id", &parts.2)])
        .unwrap();
    kit.call(&alice, "deleteAutoScaleVmProfile", &[("id", &parts.1)])
        .unwrap();
}

/// A rule with hand-assigned VMs cannot take a group
/// (`createAutoScaleVmGroup`), and deleting the account removes the
/// account's autoscale objects.
#[test]
fn groups_refuse_rules_with_vms_and_go_with_their_account() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let parts = group_parts(&mut kit, &alice);
    kit.conn
        .execute(
            "INSERT INTO lb_vm_map (lb_id, vm_id, vm_ip) VALUES (?1, 'some-vm', '10.1.1.5')",
            [&parts.0],
        )
        .unwrap();
    let err = group(&mut kit, &alice, &parts, &[]).unwrap_err();
    assert!(
        err.text
            .starts_with("there are Vms already bound to the specified LoadBalancing Rule.")
    );
    kit.conn
        .execute("DELETE FROM lb_vm_map WHERE lb_id = ?1", [&parts.0])
        .unwrap();
    group(&mut kit, &alice, &parts, &[]).unwrap();

    let admin = kit.admin();
    kit.call(&admin, "deleteAccount", &[("id", &alice.account_id)])
        .unwrap();
    for table in [
        "autoscale_vm_groups",
        "autoscale_policies",
        "autoscale_vm_profiles",
        "autoscale_conditions",
    ] {
        assert_eq!(
            kit.count(
                &format!("SELECT COUNT(*) FROM {table} WHERE account_id = ?1"),
                &alice.account_id
            ),
            0,
            "{table}"
        );
    }
}
