//! Internal load balancers of VPC tiers, as CloudStack's
//! `ApplicationLoadBalancerManagerImpl` (`createApplicationLoadBalancer`,
//! `validateLbRule`, `getSourceIp`, `detectLbRulesConflicts`) behaves.

use super::*;

/// An enabled VPC tier offering whose Lb is the InternalLbVm's.
fn internal_lb_offering(kit: &mut Kit) -> String {
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "VpcInternalLb"),
                ("displaytext", "tiers with an internal LB"),
                ("guestiptype", "Isolated"),
                ("traffictype", "GUEST"),
                ("forvpc", "true"),
                ("supportedservices", "Dhcp,Dns,SourceNat,NetworkACL,Lb"),
                ("serviceproviderlist[0].service", "Dhcp"),
                ("serviceproviderlist[0].provider", "VpcVirtualRouter"),
                ("serviceproviderlist[1].service", "Dns"),
                ("serviceproviderlist[1].provider", "VpcVirtualRouter"),
                ("serviceproviderlist[2].service", "SourceNat"),
                ("serviceproviderlist[2].provider", "VpcVirtualRouter"),
                ("serviceproviderlist[3].service", "NetworkACL"),
                ("serviceproviderlist[3].provider", "VpcVirtualRouter"),
                ("serviceproviderlist[4].service", "Lb"),
                ("serviceproviderlist[4].provider", "InternalLbVm"),
            ],
        )
        .unwrap()["networkoffering"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        &admin,
        "updateNetworkOffering",
        &[("id", &made), ("state", "Enabled")],
    )
    .unwrap();
    made
}

/// The id of a VPC tier on the internal LB offering.
fn internal_tier(kit: &mut Kit, who: &Caller) -> String {
    let offering = internal_lb_offering(kit);
    let v = vpc(kit, who, "10.20.0.0/16");
    let zone = kit.id("zone");
    kit.call(
        who,
        "createNetwork",
        &[
            ("name", "lb-tier"),
            ("displaytext", "lb-tier"),
            ("networkofferingid", &offering),
            ("zoneid", &zone),
            ("vpcid", s(&v["id"])),
            ("gateway", "10.20.1.1"),
            ("netmask", "255.255.255.0"),
        ],
    )
    .unwrap()["network"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn internal_lb(
    kit: &mut Kit,
    who: &Caller,
    tier: &str,
    extra: &[(&str, &str)],
) -> Result<Value, ApiError> {
    let mut params = vec![
        ("name", "app"),
        ("scheme", "Internal"),
        ("networkid", tier),
        ("sourceipaddressnetworkid", tier),
        ("sourceport", "80"),
        ("instanceport", "8080"),
        ("algorithm", "roundrobin"),
    ];
    params.extend_from_slice(extra);
    kit.call(who, "createLoadBalancer", &params)
        .map(|v| v["applicationloadbalancer"].clone())
}

/// A rule takes a free address of the tier (never a NIC's), answers its
/// ports under `loadbalancerrule`, and becomes Active with its job.
#[test]
fn internal_lbs_take_a_tier_address() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let tier = internal_tier(&mut kit, &alice);
    let lb = internal_lb(&mut kit, &alice, &tier, &[]).unwrap();
    let address = s(&lb["sourceipaddress"]).to_string();
    assert!(address.starts_with("10.20.1."), "{address}");
    assert_eq!(lb["loadbalancerrule"][0]["sourceport"], 80);
    assert_eq!(lb["loadbalancerrule"][0]["instanceport"], 8080);
    assert_eq!(lb["loadbalancerrule"][0]["state"], "Active");
    assert_eq!(lb["algorithm"], "roundrobin");
    assert_eq!(lb["networkid"], tier.as_str());
    let (_, nic) = vm_on(&mut kit, &alice, &tier, "Running");
    assert_ne!(
        nic["ipaddress"],
        address.as_str(),
        "the LB's address is taken"
    );

    // Another port on the same address shares it; the same port conflicts.
    let second = internal_lb(
        &mut kit,
        &alice,
        &tier,
        &[("sourceipaddress", &address), ("sourceport", "443")],
    )
    .unwrap();
    assert_eq!(second["sourceipaddress"], address.as_str());
    let err = internal_lb(&mut kit, &alice, &tier, &[("sourceipaddress", &address)]).unwrap_err();
    assert_eq!(code(&err), 537);
    assert!(
        err.text
            .starts_with("The range specified, 80-80, conflicts with rule")
    );
    let err =
        internal_lb(&mut kit, &alice, &tier, &[("sourceipaddress", "10.99.0.5")]).unwrap_err();
    assert_eq!(
        err.text,
        "The requested IP is not in the network's CIDR subnet."
    );

    let listed = list(
        &mut kit,
        &alice,
        "listLoadBalancers",
        "loadbalancer",
        &[("networkid", &tier)],
    );
    assert_eq!(listed.len(), 2);
    let bob = kit.account("bob", 0, None);
    assert!(list(&mut kit, &bob, "listLoadBalancers", "loadbalancer", &[]).is_empty());
    let err = kit
        .call(&bob, "deleteLoadBalancer", &[("id", s(&lb["id"]))])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    kit.call(&alice, "deleteLoadBalancer", &[("id", s(&lb["id"]))])
        .unwrap();
    let listed = list(&mut kit, &alice, "listLoadBalancers", "loadbalancer", &[]);
    assert_eq!(listed.len(), 1);
}

/// `CreateApplicationLoadBalancerCmd.getScheme` and `validateLbRule`:
/// the Internal scheme only, a tier whose Lb is the InternalLbVm's, valid
/// ports and algorithm.
#[test]
fn internal_lbs_are_validated_like_cloudstack() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let tier = internal_tier(&mut kit, &alice);
    let err = internal_lb(&mut kit, &alice, &tier, &[("scheme", "Public")]).unwrap_err();
    assert_eq!(
        err.text,
        "Invalid value for scheme. Supported value is internal"
    );
    let err = internal_lb(&mut kit, &alice, &tier, &[("sourceport", "0")]).unwrap_err();
    assert_eq!(err.text, "Invalid value for source port: 0");
    let err = internal_lb(&mut kit, &alice, &tier, &[("instanceport", "70000")]).unwrap_err();
    assert_eq!(err.text, "Invalid value for instance port: 70000");
    let err = internal_lb(&mut kit, &alice, &tier, &[("algorithm", "fastest")]).unwrap_err();
    assert_eq!(err.text, "Invalid algorithm: fastest");
    let err = internal_lb(
        &mut kit,
        &alice,
        &tier,
        &[("networkid", "00000000-0000-0000-0000-000000000000")],
    )
    .unwrap_err();
    assert_eq!(err.text, "Can't find guest network by id");

    // A tier whose Lb is the VPC router's has no internal scheme.
    let plain = network_id(&mut kit, &alice, "plain");
    let err = internal_lb(
        &mut kit,
        &alice,
        &plain,
        &[("sourceipaddressnetworkid", &plain)],
    )
    .unwrap_err();
    assert!(
        err.text
            .starts_with("Scheme Internal is not supported by the network offering"),
        "{}",
        err.text
    );
    let bob = kit.account("bob", 0, None);
    let err = internal_lb(&mut kit, &bob, &tier, &[]).unwrap_err();
    assert_eq!(code(&err), 531);
}
