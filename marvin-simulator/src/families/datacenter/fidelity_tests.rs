//! Datacenter answers and defaults checked against CloudStack's server
//! code (each test names the method it follows).

use serde_json::Value;

use crate::families::testkit::Kit;

fn first<'a>(answer: &'a Value, key: &str) -> &'a Value {
    &answer[key]
}

/// createPod without `endip` ends its range one address below the
/// broadcast address: ConfigurationManagerImpl.createPod fills it with
/// NetUtils.getIpRangeEndIpFromCidr (start of the CIDR + size - 2).
#[test]
fn a_pod_without_an_end_ip_stops_below_the_broadcast_address() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let pod = kit
        .call(
            &admin,
            "createPod",
            &[
                ("zoneid", &zone),
                ("name", "P-open"),
                ("gateway", "10.9.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "10.9.0.2"),
            ],
        )
        .unwrap();
    let pod = first(&pod, "pod");
    assert_eq!(pod["startip"][0], "10.9.0.2");
    assert_eq!(pod["endip"][0], "10.9.0.254", "{pod}");
}

/// updatePhysicalNetwork with `tags=` empty clears the tags: the API layer
/// turns the empty value into an empty list, and
/// NetworkServiceImpl.updatePhysicalNetwork stores any list it is given.
#[test]
fn an_empty_tags_parameter_clears_a_physical_networks_tags() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let pn = kit.id("physical_network");
    let tagged = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("tags", "fast")],
        )
        .unwrap();
    assert_eq!(first(&tagged, "physicalnetwork")["tags"], "fast");
    let cleared = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("tags", "")],
        )
        .unwrap();
    assert!(
        first(&cleared, "physicalnetwork").get("tags").is_none(),
        "{cleared}"
    );
    let listed = kit
        .call(&admin, "listPhysicalNetworks", &[("id", &pn)])
        .unwrap();
    assert!(
        listed["physicalnetwork"][0].get("tags").is_none(),
        "{listed}"
    );
    // Left out, the tags stay.
    kit.call(
        &admin,
        "updatePhysicalNetwork",
        &[("id", &pn), ("tags", "slow")],
    )
    .unwrap();
    let kept = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("networkspeed", "10G")],
        )
        .unwrap();
    assert_eq!(first(&kept, "physicalnetwork")["tags"], "slow");
}

/// createVlanIpRange keeps the IPv6 half of a dual-stack range and answers
/// it (VlanIpRangeResponse ip6gateway, ip6cidr, startipv6, endipv6),
/// `endipv6` defaulting to `startipv6`, and refuses a bad IPv6 gateway or
/// CIDR with ConfigurationManagerImpl.createVlanAndPublicIpRange's texts.
#[test]
fn a_vlan_range_keeps_its_ipv6_part() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let base = [
        ("zoneid", zone.as_str()),
        ("vlan", "77"),
        ("gateway", "172.30.0.1"),
        ("netmask", "255.255.255.0"),
        ("startip", "172.30.0.10"),
        ("endip", "172.30.0.20"),
        ("ip6gateway", "fd00:77::1"),
        ("ip6cidr", "fd00:77::/64"),
        ("startipv6", "fd00:77::10"),
    ];
    let range = kit.call(&admin, "createVlanIpRange", &base).unwrap();
    let vlan = first(&range, "vlan");
    assert_eq!(vlan["ip6gateway"], "fd00:77::1", "{vlan}");
    assert_eq!(vlan["ip6cidr"], "fd00:77::/64");
    assert_eq!(vlan["startipv6"], "fd00:77::10");
    assert_eq!(vlan["endipv6"], "fd00:77::10");
    let listed = kit
        .call(
            &admin,
            "listVlanIpRanges",
            &[("id", vlan["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(listed["vlaniprange"][0]["startipv6"], "fd00:77::10");
    // An IPv4-only range answers no IPv6 fields.
    let v4 = kit
        .call(
            &admin,
            "createVlanIpRange",
            &[
                ("zoneid", zone.as_str()),
                ("vlan", "78"),
                ("gateway", "172.31.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "172.31.0.10"),
            ],
        )
        .unwrap();
    assert!(first(&v4, "vlan").get("ip6gateway").is_none(), "{v4}");

    for (name, value, text) in [
        (
            "ip6gateway",
            "not-an-address",
            "Please specify a valid IPv6 gateway",
        ),
        ("ip6cidr", "fd00:79::", "Please specify a valid IPv6 CIDR"),
    ] {
        let mut params = base.to_vec();
        params.retain(|(k, _)| *k != "vlan" && *k != "startip" && *k != "endip");
        params.extend([
            ("vlan", "79"),
            ("gateway", "172.29.0.1"),
            ("startip", "172.29.0.10"),
            (name, value),
        ]);
        let err = kit.call(&admin, "createVlanIpRange", &params).unwrap_err();
        assert_eq!(
            (crate::families::testkit::code(&err), err.text.as_str()),
            (431, text)
        );
    }
}

/// `name=` finds an object whatever the case, on every list: CloudStack
/// compares with `=` (QueryManagerImpl, ManagementServerImpl
/// .searchForClusters) in tables of a case-insensitive collation.
#[test]
fn name_filters_ignore_case() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    kit.call(&admin, "createDomain", &[("name", "Engineering")])
        .unwrap();
    let (offering, zone) = (kit.id("vpc_offering"), kit.id("zone"));
    kit.call(
        &admin,
        "createVPC",
        &[
            ("name", "MixedCase"),
            ("displaytext", "v"),
            ("cidr", "10.20.0.0/16"),
            ("vpcofferingid", &offering),
            ("zoneid", &zone),
        ],
    )
    .unwrap();
    let lists = [
        ("listZones", "zone", "name"),
        ("listPods", "pod", "name"),
        ("listClusters", "cluster", "name"),
        ("listHosts", "host", "name"),
        ("listPhysicalNetworks", "physicalnetwork", "name"),
        ("listDomains", "domain", "name"),
        ("listServiceOfferings", "serviceoffering", "name"),
        ("listNetworkOfferings", "networkoffering", "name"),
        ("listAccounts", "account", "name"),
        ("listVPCs", "vpc", "name"),
    ];
    for (command, key, param) in lists {
        let all = kit.call(&admin, command, &[]).unwrap();
        let name = all[key]
            .as_array()
            .and_then(|items| items.last())
            .and_then(|item| item["name"].as_str())
            .unwrap_or_else(|| panic!("{command}: nothing listed in {all}"))
            .to_string();
        for asked in [name.to_uppercase(), name.to_lowercase()] {
            let found = kit.call(&admin, command, &[(param, &asked)]).unwrap();
            let names: Vec<&str> = found[key]
                .as_array()
                .map(|items| items.iter().filter_map(|i| i["name"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                names.iter().any(|n| n.eq_ignore_ascii_case(&name)),
                "{command} {param}={asked}: {found}"
            );
        }
    }
}

/// Names taken are taken whatever their case: CloudStack's lookups by name
/// (ConfigurationManagerImpl.checkZoneParameters, createPod,
/// ResourceManagerImpl.discoverCluster) compare in a case-insensitive
/// collation, so "find then create" with another case is refused.
#[test]
fn zone_pod_and_cluster_names_are_taken_without_case() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let zones = kit.call(&admin, "listZones", &[("id", &zone)]).unwrap();
    let zone_name = zones["zone"][0]["name"].as_str().unwrap().to_uppercase();
    let err = kit
        .call(
            &admin,
            "createZone",
            &[
                ("name", &zone_name),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "10.0.0.53"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (crate::families::testkit::code(&err), err.text.as_str()),
        (
            431,
            "A zone with that name already exists. Please specify a unique zone name."
        )
    );
    let pods = kit.call(&admin, "listPods", &[("zoneid", &zone)]).unwrap();
    let pod = pods["pod"][0]["id"].as_str().unwrap().to_string();
    let pod_name = pods["pod"][0]["name"].as_str().unwrap().to_lowercase();
    let err = kit
        .call(
            &admin,
            "createPod",
            &[
                ("zoneid", &zone),
                ("name", &pod_name),
                ("gateway", "10.9.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "10.9.0.2"),
            ],
        )
        .unwrap_err();
    assert_eq!(crate::families::testkit::code(&err), 431, "{}", err.text);
    let clusters = kit
        .call(&admin, "listClusters", &[("podid", &pod)])
        .unwrap();
    let cluster_name = clusters["cluster"][0]["name"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let err = kit
        .call(
            &admin,
            "addCluster",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clustername", &cluster_name),
                ("clustertype", "CloudManaged"),
                ("hypervisor", "Simulator"),
            ],
        )
        .unwrap_err();
    assert_eq!(crate::families::testkit::code(&err), 530, "{}", err.text);
}
