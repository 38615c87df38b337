//! Offerings tests: defaults, refusals, state changes and visibility.

use serde_json::Value;

use crate::families::testkit::{Kit, code};

fn names(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn service_names(offering: &Value) -> Vec<String> {
    offering["service"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn default_offerings_of_a_fresh_install() {
    let mut kit = Kit::build(true);
    let admin = kit.admin();
    let services = kit.call(&admin, "listServiceOfferings", &[]).unwrap();
    assert_eq!(
        names(&services, "serviceoffering"),
        ["Small Instance", "Medium Instance"]
    );
    let small = &services["serviceoffering"][0];
    assert_eq!(
        (
            small["cpunumber"].as_i64(),
            small["cpuspeed"].as_i64(),
            small["memory"].as_i64()
        ),
        (Some(1), Some(500), Some(512))
    );
    assert_eq!(small["displaytext"], "Small Instance");
    assert_eq!(small["iscustomized"], false);
    let system = kit
        .call(&admin, "listServiceOfferings", &[("issystem", "true")])
        .unwrap();
    assert_eq!(system["serviceoffering"][0]["systemvmtype"], "domainrouter");

    let disks = kit.call(&admin, "listDiskOfferings", &[]).unwrap();
    assert_eq!(
        names(&disks, "diskoffering"),
        ["Small", "Medium", "Large", "Custom"]
    );
    assert_eq!(disks["diskoffering"][1]["disksize"], 20);
    assert_eq!(disks["diskoffering"][3]["iscustomized"], true);

    let networks = kit.call(&admin, "listNetworkOfferings", &[]).unwrap();
    assert_eq!(networks["count"], 8);
    let required = kit
        .call(
            &admin,
            "listNetworkOfferings",
            &[("availability", "Required")],
        )
        .unwrap();
    let offering = &required["networkoffering"][0];
    assert_eq!(
        offering["name"],
        "DefaultIsolatedNetworkOfferingWithSourceNatService"
    );
    assert_eq!(offering["state"], "Enabled");
    assert_eq!(
        offering["id"],
        kit.id("network_offering_isolated_sourcenat").as_str()
    );
    let services = service_names(offering);
    for s in [
        "Dhcp",
        "Dns",
        "UserData",
        "Firewall",
        "Gateway",
        "Lb",
        "SourceNat",
        "StaticNat",
        "PortForwarding",
        "Vpn",
    ] {
        assert!(
            services.contains(&s.to_string()),
            "{s} missing from {services:?}"
        );
    }
    let source_nat = offering["service"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "SourceNat")
        .unwrap();
    assert_eq!(source_nat["provider"][0]["name"], "VirtualRouter");
    assert_eq!(source_nat["capability"][0]["value"], "peraccount");
    let sg = kit
        .call(
            &admin,
            "listNetworkOfferings",
            &[("supportedservices", "SecurityGroup")],
        )
        .unwrap();
    assert_eq!(
        names(&sg, "networkoffering"),
        ["DefaultSharedNetworkOfferingWithSGService"]
    );
    let vpc = kit
        .call(&admin, "listNetworkOfferings", &[("forvpc", "true")])
        .unwrap();
    assert_eq!(vpc["count"], 2);

    let vpcs = kit.call(&admin, "listVPCOfferings", &[]).unwrap();
    assert_eq!(
        names(&vpcs, "vpcoffering"),
        ["Default VPC offering", "Redundant VPC offering"]
    );
    assert_eq!(vpcs["vpcoffering"][0]["isdefault"], true);
}

#[test]
fn service_offering_rules() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", "Big"),
                ("displaytext", "Big one"),
                ("cpunumber", "4"),
                ("cpuspeed", "2000"),
                ("memory", "4096"),
                ("offerha", "true"),
                ("hosttags", "fast"),
            ],
        )
        .unwrap();
    let offering = &made["serviceoffering"];
    assert_eq!(
        (
            offering["cpunumber"].as_i64(),
            offering["offerha"].as_bool()
        ),
        (Some(4), Some(true))
    );
    assert_eq!(offering["hosttags"], "fast");
    assert_eq!(offering["state"], "Active");
    let id = offering["id"].as_str().unwrap().to_string();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "SERVICE.OFFERING.CREATE"
        ),
        1
    );

    let err = kit
        .call(
            &admin,
            "createServiceOffering",
            &[("name", "Half"), ("displaytext", "h"), ("cpunumber", "2")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "For creating a custom compute offering cpu, cpu speed and memory all should be null"
        )
    );
    let err = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", "Tiny"),
                ("displaytext", "t"),
                ("cpunumber", "1"),
                ("cpuspeed", "100"),
                ("memory", "16"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        format!(
            "Failed to create service offering Tiny: specify the memory value between 32 and {} MB",
            i32::MAX
        )
    );
    let custom = kit
        .call(
            &admin,
            "createServiceOffering",
            &[("name", "Custom"), ("displaytext", "c")],
        )
        .unwrap();
    assert_eq!(custom["serviceoffering"]["iscustomized"], true);
    assert!(custom["serviceoffering"].get("cpunumber").is_none());
    let err = kit
        .call(
            &admin,
            "createServiceOffering",
            &[("name", "S"), ("displaytext", "s"), ("storagetype", "nvme")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Invalid storage type nvme specified, valid types are: 'local' and 'shared'"
    );

    let updated = kit
        .call(
            &admin,
            "updateServiceOffering",
            &[("id", &id), ("name", "Bigger"), ("state", "Inactive")],
        )
        .unwrap();
    assert_eq!(updated["serviceoffering"]["name"], "Bigger");
    assert_eq!(updated["serviceoffering"]["state"], "Inactive");
    let active = kit
        .call(&admin, "listServiceOfferings", &[("name", "Bigger")])
        .unwrap();
    assert_eq!(active["count"], 0);
    let all = kit
        .call(
            &admin,
            "listServiceOfferings",
            &[("name", "Bigger"), ("state", "all")],
        )
        .unwrap();
    assert_eq!(all["count"], 1);
    kit.call(&admin, "deleteServiceOffering", &[("id", &id)])
        .unwrap();
    let gone = kit
        .call(
            &admin,
            "listServiceOfferings",
            &[("id", &id), ("state", "all")],
        )
        .unwrap();
    assert_eq!(gone["count"], 0);
    let err = kit
        .call(&admin, "deleteServiceOffering", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let err = kit
        .call(
            &admin,
            "deleteServiceOffering",
            &[("id", &kit.id("service_offering_router"))],
        )
        .unwrap_err();
    assert_eq!(err.text, "Default service offerings cannot be deleted");
}

#[test]
fn domain_restricted_offerings_are_hidden_from_other_domains() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let d = kit
        .call(&admin, "createDomain", &[("name", "private")])
        .unwrap();
    let domain = d["domain"]["id"].as_str().unwrap().to_string();
    let made = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", "Private"),
                ("displaytext", "p"),
                ("cpunumber", "1"),
                ("cpuspeed", "100"),
                ("memory", "128"),
                ("domainid", &domain),
            ],
        )
        .unwrap();
    assert_eq!(made["serviceoffering"]["domain"], "private");
    let inside = kit.account("insider", 0, Some(&domain));
    let outside = kit.account("outsider", 0, None);
    let seen = kit
        .call(&inside, "listServiceOfferings", &[("name", "Private")])
        .unwrap();
    assert_eq!(seen["count"], 1);
    let unseen = kit
        .call(&outside, "listServiceOfferings", &[("name", "Private")])
        .unwrap();
    assert_eq!(unseen["count"], 0);
}

#[test]
fn disk_offering_rules() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let err = kit
        .call(
            &admin,
            "createDiskOffering",
            &[("name", "Zero"), ("displaytext", "z"), ("disksize", "0")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Please specify a disk size of at least 1 Gb.")
    );
    let err = kit
        .call(
            &admin,
            "createDiskOffering",
            &[("name", "Huge"), ("displaytext", "h"), ("disksize", "5000")],
        )
        .unwrap_err();
    assert_eq!(err.text, "The maximum size for a disk is 2000 Gb.");
    let sized = kit
        .call(
            &admin,
            "createDiskOffering",
            &[("name", "Ten"), ("displaytext", "t"), ("disksize", "10")],
        )
        .unwrap();
    assert_eq!(
        (
            sized["diskoffering"]["disksize"].as_i64(),
            sized["diskoffering"]["iscustomized"].as_bool()
        ),
        (Some(10), Some(false))
    );
    let custom = kit
        .call(
            &admin,
            "createDiskOffering",
            &[("name", "Any"), ("displaytext", "a")],
        )
        .unwrap();
    assert_eq!(custom["diskoffering"]["iscustomized"], true);
    let id = sized["diskoffering"]["id"].as_str().unwrap().to_string();
    kit.call(
        &admin,
        "updateDiskOffering",
        &[("id", &id), ("displaytext", "Ten GB")],
    )
    .unwrap();
    kit.call(&admin, "deleteDiskOffering", &[("id", &id)])
        .unwrap();
    let listed = kit
        .call(&admin, "listDiskOfferings", &[("id", &id)])
        .unwrap();
    assert_eq!(listed["count"], 0);
}

#[test]
fn network_offering_rules_and_states() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let base = [
        ("name", "MyIso"),
        ("displaytext", "mine"),
        ("guestiptype", "Isolated"),
        ("traffictype", "GUEST"),
    ];
    let mut params: Vec<(&str, &str)> = base.to_vec();
    params.extend([
        ("supportedservices", "Dhcp,Dns,SourceNat,PortForwarding"),
        ("serviceproviderlist[0].service", "Dhcp"),
        ("serviceproviderlist[0].provider", "VirtualRouter"),
        ("serviceproviderlist[1].service", "SourceNat"),
        ("serviceproviderlist[1].provider", "VirtualRouter"),
        ("serviceproviderlist[2].service", "PortForwarding"),
        ("serviceproviderlist[2].provider", "VirtualRouter"),
        ("serviceproviderlist[3].service", "Dns"),
        ("serviceproviderlist[3].provider", "VirtualRouter"),
        ("servicecapabilitylist[0].service", "SourceNat"),
        (
            "servicecapabilitylist[0].capabilitytype",
            "SupportedSourceNatTypes",
        ),
        ("servicecapabilitylist[0].capabilityvalue", "perzone"),
    ]);
    let made = kit.call(&admin, "createNetworkOffering", &params).unwrap();
    let offering = &made["networkoffering"];
    assert_eq!(offering["state"], "Disabled");
    assert_eq!(offering["egressdefaultpolicy"], true);
    assert_eq!(offering["traffictype"], "Guest");
    let services = service_names(offering);
    assert!(
        services.contains(&"Gateway".to_string()) && services.contains(&"Firewall".to_string()),
        "{services:?}"
    );
    let source_nat = offering["service"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "SourceNat")
        .unwrap();
    assert_eq!(source_nat["capability"][0]["value"], "perzone");
    let id = offering["id"].as_str().unwrap().to_string();

    let user = kit.account("netuser", 0, None);
    let hidden = kit
        .call(&user, "listNetworkOfferings", &[("id", &id)])
        .unwrap();
    assert_eq!(hidden["count"], 0);
    let enabled = kit
        .call(
            &admin,
            "updateNetworkOffering",
            &[("id", &id), ("state", "Enabled")],
        )
        .unwrap();
    assert_eq!(enabled["networkoffering"]["state"], "Enabled");
    let shown = kit
        .call(&user, "listNetworkOfferings", &[("id", &id)])
        .unwrap();
    assert_eq!(shown["count"], 1);

    let err = kit
        .call(
            &admin,
            "updateNetworkOffering",
            &[("id", &id), ("availability", "Required")],
        )
        .unwrap_err();
    let seq = kit.count(
        "SELECT seq FROM network_offerings WHERE id = ?1",
        &kit.id("network_offering_isolated_sourcenat"),
    );
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!("System already has network offering id={seq} with availability Required")
        )
    );
    let err = kit
        .call(
            &admin,
            "updateNetworkOffering",
            &[("id", &id), ("state", "Broken")],
        )
        .unwrap_err();
    assert_eq!(err.text, "Incorrect state value: Broken");

    let mut shared: Vec<(&str, &str)> = vec![
        ("name", "Sh"),
        ("displaytext", "s"),
        ("guestiptype", "Shared"),
        ("traffictype", "Guest"),
        ("supportedservices", "Dhcp"),
    ];
    let err = kit
        .call(&admin, "createNetworkOffering", &shared)
        .unwrap_err();
    assert_eq!(
        err.text,
        "SpecifyIpRanges should always be true for Shared network offerings"
    );
    shared.push(("specifyipranges", "true"));
    kit.call(&admin, "createNetworkOffering", &shared).unwrap();

    let err = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "X"),
                ("displaytext", "x"),
                ("guestiptype", "Isolated"),
                ("traffictype", "Guest"),
                ("supportedservices", "SecurityGroup"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Security group service is supported for network offerings with guest ip type Shared"
    );
    let err = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "X"),
                ("displaytext", "x"),
                ("guestiptype", "Isolated"),
                ("traffictype", "Guest"),
                ("supportedservices", "Teleport"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Invalid service Teleport");
    let err = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "X"),
                ("displaytext", "x"),
                ("guestiptype", "Bridged"),
                ("traffictype", "Guest"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Invalid \"type\" parameter is given; can have Shared and Isolated values"
    );
    let err = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "X"),
                ("displaytext", "x"),
                ("guestiptype", "Isolated"),
                ("traffictype", "Guest"),
                ("supportedservices", "Dhcp"),
                ("serviceproviderlist[0].service", "Lb"),
                ("serviceproviderlist[0].provider", "VirtualRouter"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Service Lb is not enabled for the network offering, can't add a provider to it"
    );
    let err = kit
        .call(
            &admin,
            "createNetworkOffering",
            &[
                ("name", "X"),
                ("displaytext", "x"),
                ("guestiptype", "Isolated"),
                ("traffictype", "Public"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Only traffic type Guest is supported in the current release"
    );

    let err = kit
        .call(
            &admin,
            "deleteNetworkOffering",
            &[("id", &kit.id("network_offering_l2"))],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Default network offering can't be deleted")
    );
    kit.call(&admin, "deleteNetworkOffering", &[("id", &id)])
        .unwrap();
    let gone = kit
        .call(&admin, "listNetworkOfferings", &[("id", &id)])
        .unwrap();
    assert_eq!(gone["count"], 0);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "NETWORK.OFFERING.DELETE"
        ),
        1
    );
}

#[test]
fn vpc_offering_rules() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createVPCOffering",
            &[
                ("name", "MyVpc"),
                ("displaytext", "mine"),
                ("supportedservices", "Dhcp,Dns,Lb"),
            ],
        )
        .unwrap();
    let offering = &made["vpcoffering"];
    assert_eq!(offering["state"], "Disabled");
    let services = service_names(offering);
    assert!(
        services.contains(&"SourceNat".to_string()) && services.contains(&"NetworkACL".to_string()),
        "{services:?}"
    );
    assert_eq!(
        offering["service"][0]["provider"][0]["name"],
        "VpcVirtualRouter"
    );
    let id = offering["id"].as_str().unwrap().to_string();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "VPC.OFFERING.CREATE"
        ),
        1
    );
    let err = kit
        .call(
            &admin,
            "createVPCOffering",
            &[
                ("name", "Bad"),
                ("displaytext", "b"),
                ("supportedservices", "Firewall"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Service Firewall is not supported by VPC")
    );
    let enabled = kit
        .call(
            &admin,
            "updateVPCOffering",
            &[("id", &id), ("state", "Enabled")],
        )
        .unwrap();
    assert_eq!(enabled["vpcoffering"]["state"], "Enabled");
    let err = kit
        .call(
            &admin,
            "deleteVPCOffering",
            &[("id", &kit.id("vpc_offering"))],
        )
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 431);
    kit.call(&admin, "deleteVPCOffering", &[("id", &id)])
        .unwrap();
    let listed = kit.call(&admin, "listVPCOfferings", &[]).unwrap();
    assert_eq!(listed["count"], 2);
}

/// createVPCOffering takes the Connectivity capabilities DistributedRouter
/// and RegionLevelVpc and answers them (distributedvpcrouter,
/// supportsregionLevelvpc), as VpcManagerImpl.createVpcOffering reads them
/// (findCapabilityForService); a value other than true/false and another
/// service are refused with its texts.
#[test]
fn vpc_offerings_take_the_connectivity_capabilities() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let capability = |kind: &'static str, service: &'static str, value: &'static str| {
        vec![
            ("name", "Region"),
            ("displaytext", "region"),
            (
                "supportedservices",
                "Dhcp,Dns,SourceNat,NetworkACL,Connectivity",
            ),
            ("servicecapabilitylist[0].service", service),
            ("servicecapabilitylist[0].capabilitytype", kind),
            ("servicecapabilitylist[0].capabilityvalue", value),
        ]
    };
    let made = kit
        .call(
            &admin,
            "createVPCOffering",
            &capability("RegionLevelVpc", "Connectivity", "true"),
        )
        .unwrap();
    assert_eq!(
        made["vpcoffering"]["supportsregionLevelvpc"], true,
        "{made}"
    );
    assert_eq!(made["vpcoffering"]["distributedvpcrouter"], false);
    let made = kit
        .call(
            &admin,
            "createVPCOffering",
            &capability("DistributedRouter", "Connectivity", "TRUE"),
        )
        .unwrap();
    assert_eq!(made["vpcoffering"]["distributedvpcrouter"], true, "{made}");
    let listed = kit
        .call(
            &admin,
            "listVPCOfferings",
            &[("id", made["vpcoffering"]["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(listed["vpcoffering"][0]["distributedvpcrouter"], true);

    let err = kit
        .call(
            &admin,
            "createVPCOffering",
            &capability("RegionLevelVpc", "Connectivity", "yes"),
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid Capability value:yes specified.")
    );
    let err = kit
        .call(
            &admin,
            "createVPCOffering",
            &capability("DistributedRouter", "SourceNat", "true"),
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Invalid Service: SourceNat specified. Capability Connectivity can be specified only for service DistributedRouter"
    );
}
