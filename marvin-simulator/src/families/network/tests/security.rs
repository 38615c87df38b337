//! Security groups.

use super::*;

#[test]
fn security_groups_rules_and_refusals() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let group = kit
        .call(
            &alice,
            "createSecurityGroup",
            &[("name", "web"), ("description", "Web")],
        )
        .unwrap()["securitygroup"]
        .clone();
    assert_eq!(group["ingressrule"], Value::Array(Vec::new()));
    let err = kit
        .call(&alice, "createSecurityGroup", &[("name", "web")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let id = s(&group["id"]).to_string();

    let authorized = kit
        .call(
            &alice,
            "authorizeSecurityGroupIngress",
            &[
                ("securitygroupid", &id),
                ("protocol", "tcp"),
                ("startport", "22"),
                ("endport", "22"),
                ("cidrlist", "0.0.0.0/0,10.0.0.0/8"),
            ],
        )
        .unwrap()["securitygroup"]
        .clone();
    let rules = authorized["ingressrule"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["startport"], 22);
    assert_eq!(rules[0]["cidr"], "0.0.0.0/0");
    let egress = kit
        .call(
            &alice,
            "authorizeSecurityGroupEgress",
            &[("securitygroupname", "web"), ("cidrlist", "0.0.0.0/0")],
        )
        .unwrap()["securitygroup"]
        .clone();
    assert_eq!(egress["egressrule"][0]["protocol"], "all");
    let err = kit
        .call(
            &alice,
            "authorizeSecurityGroupIngress",
            &[("securitygroupid", &id), ("protocol", "tcp")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "At least one cidr or at least one security group needs to be specified"
        )
    );
    let rule = s(&rules[0]["ruleid"]).to_string();
    let err = kit
        .call(&alice, "revokeSecurityGroupEgress", &[("id", &rule)])
        .unwrap_err();
    assert_eq!(
        err.text,
        format!("Mismatch in rule type for security rule with id {rule}")
    );
    kit.call(&alice, "revokeSecurityGroupIngress", &[("id", &rule)])
        .unwrap();
    let listed = list(
        &mut kit,
        &alice,
        "listSecurityGroups",
        "securitygroup",
        &[("id", &id)],
    );
    assert_eq!(listed[0]["ingressrule"].as_array().unwrap().len(), 1);

    // In use by a VM: 536; the default group is reserved.
    let vm = vm_row(&kit, &alice, "Stopped");
    with_call(&mut kit, &alice, |call| {
        crate::families::network::securitygroups::assign(
            call,
            &vm,
            &alice.account_id,
            std::slice::from_ref(&id),
        )
    })
    .unwrap();
    with_call(&mut kit, &alice, |call| {
        crate::families::network::securitygroups::assign(call, &vm, &alice.account_id, &[])
    })
    .unwrap();
    let groups = with_call(&mut kit, &alice, |call| {
        api::security_groups_json(call, &vm)
    })
    .unwrap();
    let names: Vec<&str> = groups.iter().map(|g| s(&g["name"])).collect();
    assert_eq!(names, ["web", "default"]);
    assert_eq!(groups[1]["description"], "Default Security Group");
    let err = kit
        .call(&alice, "deleteSecurityGroup", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            536,
            "Cannot delete group when it's in use by virtual machines"
        )
    );
    let err = kit
        .call(&alice, "deleteSecurityGroup", &[("name", "default")])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "The network group default is reserved")
    );
    let vms = list(
        &mut kit,
        &alice,
        "listSecurityGroups",
        "securitygroup",
        &[("virtualmachineid", &vm)],
    );
    assert_eq!(vms.len(), 2);
    assert_eq!(vms[0]["virtualmachinecount"], 1);

    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    kit.call(&alice, "deleteSecurityGroup", &[("id", &id)])
        .unwrap();
    let bob = kit.account("bob", 0, None);
    assert!(list(&mut kit, &bob, "listSecurityGroups", "securitygroup", &[]).is_empty());
}

#[test]
fn security_groups_only_in_sg_zones() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let vm = vm_row(&kit, &alice, "Stopped");
    with_call(&mut kit, &alice, |call| {
        api::assign_security_groups(call, &vm, &alice.account_id, &[])
    })
    .unwrap();
    assert!(list(&mut kit, &alice, "listSecurityGroups", "securitygroup", &[]).is_empty());
    kit.conn
        .execute("UPDATE zones SET security_group_enabled = 1", [])
        .unwrap();
    with_call(&mut kit, &alice, |call| {
        api::assign_security_groups(call, &vm, &alice.account_id, &[])
    })
    .unwrap();
    let groups = list(&mut kit, &alice, "listSecurityGroups", "securitygroup", &[]);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["name"], "default");
}

/// An authorize job answers the group with only the rules that call added
/// (duplicates skipped), and fails with 530 when every rule was a
/// duplicate: AuthorizeSecurityGroupIngressCmd.execute and
/// ApiResponseHelper.createSecurityGroupResponseFromSecurityGroupRule.
#[test]
fn authorize_answers_only_the_rules_it_added() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let group = kit
        .call(
            &alice,
            "createSecurityGroup",
            &[("name", "web"), ("description", "Web")],
        )
        .unwrap()["securitygroup"]
        .clone();
    let id = s(&group["id"]).to_string();
    let tcp22 = |cidrs: &'static str| {
        vec![
            ("protocol", "tcp"),
            ("startport", "22"),
            ("endport", "22"),
            ("cidrlist", cidrs),
        ]
    };
    let mut first = tcp22("10.0.0.0/8");
    first.push(("securitygroupid", &id));
    kit.call(&alice, "authorizeSecurityGroupIngress", &first)
        .unwrap();
    let mut second = tcp22("10.0.0.0/8,192.168.0.0/16");
    second.push(("securitygroupid", &id));
    let answer = kit
        .call(&alice, "authorizeSecurityGroupIngress", &second)
        .unwrap()["securitygroup"]
        .clone();
    let cidrs: Vec<&str> = answer["ingressrule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["cidr"]))
        .collect();
    assert_eq!(cidrs, ["192.168.0.0/16"]);
    assert_eq!(answer["egressrule"], Value::Array(Vec::new()));
    assert_eq!(answer["description"], "Web");
    assert_eq!(answer["id"], id.as_str());

    let err = kit
        .call(&alice, "authorizeSecurityGroupIngress", &second)
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "Failed to authorize security group ingress rule(s)")
    );
    let egress = [("securitygroupid", id.as_str()), ("cidrlist", "0.0.0.0/0")];
    kit.call(&alice, "authorizeSecurityGroupEgress", &egress)
        .unwrap();
    let err = kit
        .call(&alice, "authorizeSecurityGroupEgress", &egress)
        .unwrap_err();
    assert_eq!(
        err.text,
        "Failed to authorize security group egress rule(s)"
    );
    let listed = list(
        &mut kit,
        &alice,
        "listSecurityGroups",
        "securitygroup",
        &[("id", &id)],
    );
    assert_eq!(listed[0]["ingressrule"].as_array().unwrap().len(), 2);
}

/// A group name is taken whatever its case
/// (SecurityGroupManagerImpl.createSecurityGroup: isNameInUse compares in
/// the server's case-insensitive collation).
#[test]
fn group_names_are_taken_without_case() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    kit.call(&alice, "createSecurityGroup", &[("name", "web")])
        .unwrap();
    let err = kit
        .call(&alice, "createSecurityGroup", &[("name", "WEB")])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Unable to create security group, a group with name WEB already exists."
        )
    );
}
