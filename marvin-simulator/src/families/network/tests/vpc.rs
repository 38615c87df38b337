//! VPCs, tiers, ACLs, private gateways and static routes.

use super::*;

#[test]
fn vpc_tiers_stay_inside_and_apart() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let admin = kit.admin();
    let v = vpc(&mut kit, &alice, "10.10.0.0/16");
    assert_eq!(v["state"], "Enabled");
    assert_eq!(v["cidr"], "10.10.0.0/16");
    let vpc_id = s(&v["id"]).to_string();
    let routers = list(
        &mut kit,
        &admin,
        "listRouters",
        "router",
        &[("vpcid", &vpc_id), ("listall", "true")],
    );
    assert_eq!(routers.len(), 1);
    let ips = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("vpcid", &vpc_id)],
    );
    assert_eq!(ips.len(), 1);
    assert_eq!(ips[0]["issourcenat"], true);

    let t1 = tier(&mut kit, &alice, &vpc_id, "10.10.1.1", "255.255.255.0").unwrap();
    assert_eq!(t1["vpcid"], vpc_id.as_str());
    // No `aclid`: no ACL (ApiResponseHelper.createNetworkResponse sends
    // aclid/aclname only for a tier that has one).
    assert!(
        t1.get("aclid").is_none() && t1.get("aclname").is_none(),
        "{t1}"
    );
    let err = tier(&mut kit, &alice, &vpc_id, "10.20.1.1", "255.255.255.0").unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Network cidr 10.20.1.0/24 is not within vpc [VPC ["),
        "{}",
        err.text
    );
    let err = tier(&mut kit, &alice, &vpc_id, "10.10.1.129", "255.255.255.128").unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.contains("crosses other network cidr Ntwk["),
        "{}",
        err.text
    );
    let isolated_offering = kit.id("network_offering_isolated_sourcenat");
    let zone = kit.id("zone");
    let err = kit
        .call(
            &alice,
            "createNetwork",
            &[
                ("name", "x"),
                ("networkofferingid", &isolated_offering),
                ("zoneid", &zone),
                ("vpcid", &vpc_id),
                ("gateway", "10.10.2.1"),
                ("netmask", "255.255.255.0"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Network offering can't be used for VPC networks")
    );

    let listed = list(&mut kit, &alice, "listVPCs", "vpc", &[("id", &vpc_id)]);
    assert_eq!(listed[0]["network"].as_array().unwrap().len(), 1);
    let tier_id = s(&t1["id"]).to_string();
    let (vm, nic) = vm_on(&mut kit, &alice, &tier_id, "Running");
    assert_eq!(nic["ipaddress"], "10.10.1.2");

    let err = kit
        .call(&alice, "deleteVPC", &[("id", &vpc_id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.contains("as its used by 1 networks"),
        "{}",
        err.text
    );

    // A VPC IP is bound to a tier by its first rule.
    let ip = kit
        .call(&alice, "associateIpAddress", &[("vpcid", &vpc_id)])
        .unwrap()["ipaddress"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        &alice,
        "createPortForwardingRule",
        &[
            ("ipaddressid", &ip),
            ("virtualmachineid", &vm),
            ("protocol", "tcp"),
            ("publicport", "22"),
            ("privateport", "22"),
            ("networkid", &tier_id),
        ],
    )
    .unwrap();
    let bound = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", &ip)],
    );
    assert_eq!(bound[0]["associatednetworkid"], tier_id.as_str());

    // A load balancer binds another VPC IP; deleting the tier takes the
    // rule and gives the IP back to the VPC, not to the pool.
    let lb_ip = kit
        .call(&alice, "associateIpAddress", &[("vpcid", &vpc_id)])
        .unwrap()["ipaddress"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        &alice,
        "createLoadBalancerRule",
        &[
            ("publicipid", &lb_ip),
            ("networkid", &tier_id),
            ("name", "lb"),
            ("algorithm", "roundrobin"),
            ("publicport", "80"),
            ("privateport", "80"),
        ],
    )
    .unwrap();

    with_call(&mut kit, &alice, |call| api::vm_expunged(call, &vm)).unwrap();
    kit.conn
        .execute("DELETE FROM vms WHERE id = ?1", [&vm])
        .unwrap();
    kit.call(&alice, "deleteNetwork", &[("id", &tier_id)])
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
    let kept = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", &lb_ip)],
    );
    assert_eq!(kept[0]["vpcid"], vpc_id.as_str());
    assert!(kept[0].get("associatednetworkid").is_none());
    kit.call(&alice, "deleteVPC", &[("id", &vpc_id)]).unwrap();
    assert!(list(&mut kit, &alice, "listVPCs", "vpc", &[]).is_empty());
    assert!(
        list(
            &mut kit,
            &admin,
            "listRouters",
            "router",
            &[("listall", "true")]
        )
        .is_empty()
    );
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
}

#[test]
fn network_acls_with_defaults() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let v = vpc(&mut kit, &alice, "10.10.0.0/16");
    let vpc_id = s(&v["id"]).to_string();
    let lists = list(
        &mut kit,
        &alice,
        "listNetworkACLLists",
        "networkacllist",
        &[],
    );
    let names: Vec<&str> = lists.iter().map(|l| s(&l["name"])).collect();
    assert_eq!(names, ["default_deny", "default_allow"]);

    let acl = kit
        .call(
            &alice,
            "createNetworkACLList",
            &[("name", "web"), ("vpcid", &vpc_id)],
        )
        .unwrap()["networkacllist"]
        .clone();
    let acl_id = s(&acl["id"]).to_string();
    let item = kit
        .call(
            &alice,
            "createNetworkACL",
            &[
                ("aclid", &acl_id),
                ("protocol", "tcp"),
                ("startport", "80"),
                ("number", "10"),
            ],
        )
        .unwrap()["networkacl"]
        .clone();
    assert_eq!(
        (
            item["action"].clone(),
            item["traffictype"].clone(),
            item["state"].clone()
        ),
        ("Allow".into(), "Ingress".into(), "Active".into())
    );
    let err = kit
        .call(
            &alice,
            "createNetworkACL",
            &[("aclid", &acl_id), ("protocol", "udp"), ("number", "10")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        format!("ACL item with number 10 already exists in ACL: {acl_id}")
    );
    let deny = s(&lists[0]["id"]).to_string();
    let err = kit
        .call(
            &alice,
            "createNetworkACL",
            &[("aclid", &deny), ("protocol", "tcp")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Default ACL cannot be modified")
    );

    let t = tier(&mut kit, &alice, &vpc_id, "10.10.1.1", "255.255.255.0").unwrap();
    let tier_id = s(&t["id"]).to_string();
    kit.call(
        &alice,
        "replaceNetworkACLList",
        &[("aclid", &acl_id), ("networkid", &tier_id)],
    )
    .unwrap();
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listNetworks",
            "network",
            &[("id", &tier_id)]
        )[0]["aclid"],
        acl_id.as_str()
    );
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listNetworkACLs",
            "networkacl",
            &[("networkid", &tier_id)]
        )
        .len(),
        1
    );
    let err = kit
        .call(&alice, "deleteNetworkACLList", &[("id", &acl_id)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    kit.call(
        &alice,
        "updateNetworkACLItem",
        &[("id", s(&item["id"])), ("action", "Deny")],
    )
    .unwrap();
    assert_eq!(
        list(
            &mut kit,
            &alice,
            "listNetworkACLs",
            "networkacl",
            &[("aclid", &acl_id)]
        )[0]["action"],
        "Deny"
    );
    let err = kit
        .call(&alice, "deleteNetworkACLList", &[("id", &deny)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Default Network ACL cannot be removed")
    );
}

#[test]
fn private_gateways_and_static_routes() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let v = vpc(&mut kit, &admin, "10.10.0.0/16");
    let vpc_id = s(&v["id"]).to_string();
    let gw = kit
        .call(
            &admin,
            "createPrivateGateway",
            &[
                ("vpcid", &vpc_id),
                ("gateway", "172.31.0.1"),
                ("ipaddress", "172.31.0.2"),
                ("netmask", "255.255.255.0"),
                ("vlan", "400"),
            ],
        )
        .unwrap()["privategateway"]
        .clone();
    assert_eq!(gw["state"], "Ready");
    let gw_id = s(&gw["id"]).to_string();
    let err = kit
        .call(
            &admin,
            "createStaticRoute",
            &[("gatewayid", &gw_id), ("cidr", "10.10.5.0/24")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let route = kit
        .call(
            &admin,
            "createStaticRoute",
            &[("gatewayid", &gw_id), ("cidr", "192.168.0.0/16")],
        )
        .unwrap();
    assert_eq!(route["staticroute"]["state"], "Active");
    let err = kit
        .call(&admin, "deletePrivateGateway", &[("id", &gw_id)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    kit.call(
        &admin,
        "deleteStaticRoute",
        &[("id", s(&route["staticroute"]["id"]))],
    )
    .unwrap();
    kit.call(&admin, "deletePrivateGateway", &[("id", &gw_id)])
        .unwrap();
    assert!(
        list(
            &mut kit,
            &admin,
            "listPrivateGateways",
            "privategateway",
            &[]
        )
        .is_empty()
    );
}

/// createVPC keeps the CIDR as it was given (host bits too) and refuses
/// a malformed or public one with CloudStack's texts:
/// VpcManagerImpl.createVpc (NetUtils.isValidIp4Cidr, validateGuestCidr).
#[test]
fn vpc_cidr_is_kept_as_given() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let v = vpc(&mut kit, &alice, "10.10.3.7/16");
    assert_eq!(v["cidr"], "10.10.3.7/16");
    let listed = list(&mut kit, &alice, "listVPCs", "vpc", &[("id", s(&v["id"]))]);
    assert_eq!(listed[0]["cidr"], "10.10.3.7/16");
    // Tiers are still bounded by the network the CIDR names.
    let vpc_id = s(&v["id"]).to_string();
    tier(&mut kit, &alice, &vpc_id, "10.10.1.1", "255.255.255.0").unwrap();
    let offering = kit.id("vpc_offering");
    let zone = kit.id("zone");
    for (cidr, text) in [
        ("10.0.0.0", "Invalid CIDR specified 10.0.0.0"),
        ("10.0.0.0/0", "Invalid CIDR specified 10.0.0.0/0"),
        (
            "8.8.0.0/16",
            "Guest Cidr 8.8.0.0/16 is not RFC1918 compliant",
        ),
    ] {
        let err = kit
            .call(
                &alice,
                "createVPC",
                &[
                    ("name", "v"),
                    ("displaytext", "v"),
                    ("cidr", cidr),
                    ("vpcofferingid", &offering),
                    ("zoneid", &zone),
                ],
            )
            .unwrap_err();
        assert_eq!((code(&err), err.text.as_str()), (431, text));
    }
}

/// A tier made without `aclid` has no ACL; the first item added to it by
/// `networkid` makes one for it (NetworkACLServiceImpl
/// .createAclListForNetworkAndReturnAclListId), and a private gateway
/// without `aclid` still gets default_deny
/// (VpcManagerImpl.createVpcPrivateGateway).
#[test]
fn a_tier_without_an_acl_gets_one_with_its_first_item() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let v = vpc(&mut kit, &alice, "10.10.0.0/16");
    let vpc_id = s(&v["id"]).to_string();
    let t = tier(&mut kit, &alice, &vpc_id, "10.10.1.1", "255.255.255.0").unwrap();
    let tier_id = s(&t["id"]).to_string();
    let listed = list(
        &mut kit,
        &alice,
        "listNetworks",
        "network",
        &[("id", &tier_id)],
    );
    assert!(listed[0].get("aclid").is_none(), "{}", listed[0]);
    let item = kit
        .call(
            &alice,
            "createNetworkACL",
            &[
                ("networkid", &tier_id),
                ("protocol", "tcp"),
                ("startport", "22"),
                ("endport", "22"),
            ],
        )
        .unwrap()["networkacl"]
        .clone();
    let name = format!("VPC_vpc_Tier_{}_ACL_{tier_id}", s(&t["name"]));
    assert_eq!(item["aclname"], name.as_str());
    let listed = list(
        &mut kit,
        &alice,
        "listNetworks",
        "network",
        &[("id", &tier_id)],
    );
    assert_eq!(listed[0]["aclid"], item["aclid"]);
    let lists = list(
        &mut kit,
        &alice,
        "listNetworkACLLists",
        "networkacllist",
        &[("id", s(&item["aclid"]))],
    );
    assert_eq!(lists[0]["description"], format!("ACL for {name}").as_str());
}
