//! Datacenter tests: the deployDataCenter path on an empty simulator, the
//! refusals along it, and the default seed.

use serde_json::Value;

use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;

fn id(value: &Value, key: &str) -> String {
    value[key]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}.id in {value}"))
        .to_string()
}

/// Builds what Marvin's deployDataCenter builds for an advanced zone; returns
/// (zone, physical network, pod, cluster).
fn deploy(kit: &mut Kit, admin: &Caller) -> (String, String, String, String) {
    let zone = kit
        .call(
            admin,
            "createZone",
            &[
                ("name", "Z1"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "10.0.0.53"),
            ],
        )
        .unwrap();
    assert_eq!(zone["zone"]["allocationstate"], "Disabled");
    assert_eq!(zone["zone"]["guestcidraddress"], "10.1.1.0/24");
    let zone = id(&zone, "zone");
    let pn = kit
        .call(
            admin,
            "createPhysicalNetwork",
            &[
                ("zoneid", &zone),
                ("name", "PN"),
                ("vlan", "500-509"),
                ("isolationmethods", "VLAN"),
            ],
        )
        .unwrap();
    assert_eq!(pn["physicalnetwork"]["state"], "Disabled");
    let pn = id(&pn, "physicalnetwork");
    for traffic in ["Guest", "Public", "Management"] {
        let t = kit
            .call(
                admin,
                "addTrafficType",
                &[("physicalnetworkid", &pn), ("traffictype", traffic)],
            )
            .unwrap();
        assert_eq!(t["traffictype"]["traffictype"], traffic);
    }
    let providers = kit
        .call(
            admin,
            "listNetworkServiceProviders",
            &[("physicalnetworkid", &pn), ("name", "VirtualRouter")],
        )
        .unwrap();
    let nsp = providers["networkserviceprovider"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = kit
        .call(
            admin,
            "updateNetworkServiceProvider",
            &[("id", &nsp), ("state", "Enabled")],
        )
        .unwrap_err();
    assert_eq!(
        (err.job_code().as_u16(), err.text.as_str()),
        (
            530,
            "Provider is not ready, cannot Enable the provider, please configure the provider first"
        )
    );
    let elements = kit
        .call(admin, "listVirtualRouterElements", &[("nspid", &nsp)])
        .unwrap();
    let element = elements["virtualrouterelement"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let configured = kit
        .call(
            admin,
            "configureVirtualRouterElement",
            &[("id", &element), ("enabled", "true")],
        )
        .unwrap();
    assert_eq!(configured["virtualrouterelement"]["enabled"], true);
    let enabled = kit
        .call(
            admin,
            "updateNetworkServiceProvider",
            &[("id", &nsp), ("state", "Enabled")],
        )
        .unwrap();
    assert_eq!(enabled["networkserviceprovider"]["state"], "Enabled");
    let pn_enabled = kit
        .call(
            admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("state", "Enabled")],
        )
        .unwrap();
    assert_eq!(pn_enabled["physicalnetwork"]["state"], "Enabled");

    let pod = kit
        .call(
            admin,
            "createPod",
            &[
                ("zoneid", &zone),
                ("name", "P1"),
                ("gateway", "192.168.1.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "192.168.1.10"),
                ("endip", "192.168.1.100"),
            ],
        )
        .unwrap();
    assert_eq!(pod["pod"]["startip"][0], "192.168.1.10");
    let pod = id(&pod, "pod");
    let range = kit
        .call(
            admin,
            "createVlanIpRange",
            &[
                ("zoneid", &zone),
                ("vlan", "20"),
                ("gateway", "172.20.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "172.20.0.10"),
                ("endip", "172.20.0.19"),
                ("forvirtualnetwork", "true"),
            ],
        )
        .unwrap();
    assert_eq!(range["vlan"]["vlan"], "vlan://20");
    assert_eq!(range["vlan"]["physicalnetworkid"], pn.as_str());
    let cluster = kit
        .call(
            admin,
            "addCluster",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clustername", "C1"),
                ("clustertype", "CloudManaged"),
                ("hypervisor", "Simulator"),
            ],
        )
        .unwrap();
    assert_eq!(cluster["count"], 1);
    let cluster = cluster["cluster"][0]["id"].as_str().unwrap().to_string();
    (zone, pn, pod, cluster)
}

#[test]
fn deploy_datacenter_path_on_an_empty_simulator() {
    let mut kit = Kit::build(true);
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM zones WHERE name != ?1", ""),
        0
    );
    let admin = kit.admin();
    let (zone, pn, pod, cluster) = deploy(&mut kit, &admin);

    let host = kit
        .call(
            &admin,
            "addHost",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("hypervisor", "Simulator"),
                ("url", "http://sim/c1/h1"),
                ("username", "root"),
                ("password", "password"),
            ],
        )
        .unwrap();
    assert_eq!(host["count"], 1);
    let h = &host["host"][0];
    assert_eq!(
        (h["cpunumber"].as_i64(), h["cpuspeed"].as_i64()),
        (Some(4), Some(8000))
    );
    assert_eq!(h["memorytotal"], 8_589_934_592_i64);
    assert_eq!(h["cpuallocated"], "0%");
    assert_eq!(h["cpuwithoverprovisioning"], "32000");
    assert_eq!(
        (
            h["state"].as_str(),
            h["resourcestate"].as_str(),
            h["type"].as_str()
        ),
        (Some("Up"), Some("Enabled"), Some("Routing"))
    );
    assert_eq!(h["ipaddress"], "192.168.1.2");
    assert!(h["name"].as_str().unwrap().starts_with("SimulatedAgent."));

    let big = kit
        .call(
            &admin,
            "addHost",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("hypervisor", "Simulator"),
                (
                    "url",
                    "http://sim/c1/cpucore=16&cpuspeed=2000&memory=17179869184",
                ),
                ("username", "root"),
                ("password", "password"),
            ],
        )
        .unwrap();
    assert_eq!(big["host"][0]["cpunumber"], 16);
    assert_eq!(big["host"][0]["cpuspeed"], 2000);
    assert_eq!(big["host"][0]["memorytotal"], 17_179_869_184_i64);
    assert_eq!(big["host"][0]["ipaddress"], "192.168.1.3");

    let pool = kit
        .call(
            &admin,
            "createStoragePool",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("name", "primary"),
                ("url", "nfs://10.1.1.5/export/primary"),
            ],
        )
        .unwrap();
    assert_eq!(pool["storagepool"]["type"], "NetworkFilesystem");
    assert_eq!(pool["storagepool"]["scope"], "CLUSTER");
    assert_eq!(pool["storagepool"]["ipaddress"], "10.1.1.5");
    assert_eq!(pool["storagepool"]["disksizetotal"], 1_099_511_627_776_i64);
    let store = kit
        .call(
            &admin,
            "addImageStore",
            &[
                ("zoneid", &zone),
                ("provider", "NFS"),
                ("url", "nfs://10.1.1.5/export/secondary"),
            ],
        )
        .unwrap();
    assert_eq!(store["imagestore"]["providername"], "NFS");
    assert_eq!(store["imagestore"]["protocol"], "nfs");

    let enabled = kit
        .call(
            &admin,
            "updateZone",
            &[("id", &zone), ("allocationstate", "Enabled")],
        )
        .unwrap();
    assert_eq!(enabled["zone"]["allocationstate"], "Enabled");
    // Enabling added Storage traffic to the management network.
    let traffic = kit
        .call(&admin, "listTrafficTypes", &[("physicalnetworkid", &pn)])
        .unwrap();
    assert_eq!(traffic["count"], 4);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM guest_vnets WHERE physical_network_id = ?1",
            &pn
        ),
        10
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", "ZONE.CREATE"),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "PHYSICAL.NETWORK.CREATE"
        ),
        1
    );
}

#[test]
fn zone_refusals() {
    let mut kit = Kit::build(true);
    let admin = kit.admin();
    let args = [
        ("name", "Z"),
        ("networktype", "Advanced"),
        ("dns1", "8.8.8.8"),
        ("internaldns1", "8.8.4.4"),
    ];
    let zone = kit.call(&admin, "createZone", &args).unwrap();
    let zone = id(&zone, "zone");
    let err = kit.call(&admin, "createZone", &args).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "A zone with that name already exists. Please specify a unique zone name."
        )
    );
    let err = kit
        .call(
            &admin,
            "createZone",
            &[
                ("name", "Y"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8"),
                ("internaldns1", "8.8.4.4"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Please enter a valid IP address for DNS1");
    let err = kit
        .call(
            &admin,
            "updateZone",
            &[("id", &zone), ("allocationstate", "Enabled")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Cannot enable this Zone since: Unable to find the default physical network with traffic=Management in the specified zone id"
    );
    kit.call(
        &admin,
        "createPod",
        &[
            ("zoneid", &zone),
            ("name", "P"),
            ("gateway", "10.9.0.1"),
            ("netmask", "255.255.255.0"),
            ("startip", "10.9.0.2"),
        ],
    )
    .unwrap();
    let err = kit
        .call(&admin, "deleteZone", &[("id", &zone)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "The zone cannot be deleted because there are pods in this zone."
        )
    );

    let basic = kit
        .call(
            &admin,
            "createZone",
            &[
                ("name", "B"),
                ("networktype", "Basic"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.4.4"),
            ],
        )
        .unwrap();
    assert_eq!(basic["zone"]["securitygroupsenabled"], true);
    assert!(basic["zone"].get("guestcidraddress").is_none());
    let b = id(&basic, "zone");
    kit.call(&admin, "deleteZone", &[("id", &b)]).unwrap();
    assert_eq!(kit.count("SELECT COUNT(*) FROM zones WHERE id = ?1", &b), 0);
}

#[test]
fn disabled_zones_are_hidden_from_users() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    kit.call(
        &admin,
        "createZone",
        &[
            ("name", "Hidden"),
            ("networktype", "Advanced"),
            ("dns1", "8.8.8.8"),
            ("internaldns1", "8.8.4.4"),
        ],
    )
    .unwrap();
    let user = kit.account("zuser", 0, None);
    let seen = kit.call(&user, "listZones", &[]).unwrap();
    assert_eq!(seen["count"], 1);
    assert_eq!(seen["zone"][0]["name"], "Sandbox-simulator");
    let all = kit.call(&admin, "listZones", &[]).unwrap();
    assert_eq!(all["count"], 2);
    let by_name = kit
        .call(&admin, "listZones", &[("name", "Hidden")])
        .unwrap();
    assert_eq!(by_name["count"], 1);
}

#[test]
fn pod_refusals() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let pod =
        |name: &'static str, gateway: &'static str, start: &'static str, end: &'static str| {
            vec![
                ("zoneid", zone.clone()),
                ("name", name.to_string()),
                ("gateway", gateway.to_string()),
                ("netmask", "255.255.255.0".to_string()),
                ("startip", start.to_string()),
                ("endip", end.to_string()),
            ]
        };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let call = |kit: &mut Kit, v: Vec<(&'static str, String)>| {
        let refs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        kit.call(&admin, "createPod", &refs)
    };
    let err = call(
        &mut kit,
        as_refs(&pod("Sandbox-pod", "10.8.0.1", "10.8.0.2", "10.8.0.9")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        format!(
            "A pod with name: Sandbox-pod already exists in zone {zone}. Please specify a different pod name. "
        )
    );
    let err = call(
        &mut kit,
        as_refs(&pod("A", "10.8.0.1", "10.8.1.2", "10.8.1.9")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The start address of the IP range is not in the CIDR subnet."
    );
    let err = call(
        &mut kit,
        as_refs(&pod("A", "10.8.0.5", "10.8.0.2", "10.8.0.9")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The gateway shouldn't overlap start/end ip addresses"
    );
    let err = call(
        &mut kit,
        as_refs(&pod("A", "10.8.0.1", "10.8.0.9", "10.8.0.2")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The start IP address must have a lower value than the end IP address."
    );
    let err = call(
        &mut kit,
        as_refs(&pod("A", "172.16.15.250", "172.16.15.240", "172.16.15.245")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The subnet of pod A is overlapping with the subnet of pod Sandbox-pod."
    );
    let err = call(
        &mut kit,
        as_refs(&pod("A", "10.0.0.1", "10.0.0.5", "10.0.0.9")),
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The Start IP and endIP address range overlap with Public IP :10.0.0.5"
    );
    let made = call(
        &mut kit,
        as_refs(&pod("A", "10.8.0.1", "10.8.0.2", "10.8.0.9")),
    )
    .unwrap();
    assert_eq!(made["pod"]["zonename"], "Sandbox-simulator");

    let err = kit
        .call(&admin, "deletePod", &[("id", &kit.id("pod"))])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "The pod cannot be deleted because there are servers in this pod."
        )
    );
}

#[test]
fn hosts_clusters_and_maintenance() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let (zone, pod, cluster, host) = (
        kit.id("zone"),
        kit.id("pod"),
        kit.id("cluster"),
        kit.id("host"),
    );
    let base = |url: &'static str| {
        vec![
            ("zoneid", zone.clone()),
            ("podid", pod.clone()),
            ("clusterid", cluster.clone()),
            ("hypervisor", "Simulator".to_string()),
            ("url", url.to_string()),
            ("username", "root".to_string()),
            ("password", "pw".to_string()),
        ]
    };
    let add = |kit: &mut Kit, v: &[(&'static str, String)]| {
        let refs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        kit.call(&admin, "addHost", &refs)
    };
    let err = add(&mut kit, &base("http://kvm1/host")).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "Unable to add the host: Cannot find the server resources at http://kvm1/host"
        )
    );
    let err = add(&mut kit, &base("http://sim/c0/cpucore=many")).unwrap_err();
    assert_eq!(code(&err), 530);
    let mut no_password = base("http://sim/c0/h9");
    no_password.retain(|(k, _)| *k != "password");
    let err = add(&mut kit, &no_password).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Username and Password need to be provided.")
    );
    let mut by_name = base("http://sim/c9/h1?cpucore=2");
    by_name.retain(|(k, _)| *k != "clusterid");
    by_name.push(("clustername", "NewCluster".to_string()));
    let made = add(&mut kit, &by_name).unwrap();
    assert_eq!(made["host"][0]["clustername"], "NewCluster");
    assert_eq!(made["host"][0]["cpunumber"], 2);

    let err = kit
        .call(&admin, "deleteCluster", &[("id", &cluster)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            530,
            format!("Cluster: {cluster} cannot be removed. Cluster still has hosts")
        )
    );
    let err = kit
        .call(&admin, "deleteHost", &[("id", &host)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert!(err.text.ends_with("cannot be deleted as it is not in maintenance mode. Either put the host into maintenance or perform a forced deletion."));
    let err = kit
        .call(&admin, "cancelHostMaintenance", &[("id", &host)])
        .unwrap_err();
    assert_eq!(
        err.text,
        format!("Cannot perform cancelMaintenance when resource state is Enabled, hostId = {host}")
    );
    let m = kit
        .call(&admin, "prepareHostForMaintenance", &[("id", &host)])
        .unwrap();
    assert_eq!(m["host"]["resourcestate"], "Maintenance");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "MAINT.PREPARE"
        ),
        1
    );
    let c = kit
        .call(&admin, "cancelHostMaintenance", &[("id", &host)])
        .unwrap();
    assert_eq!(c["host"]["resourcestate"], "Enabled");
    kit.call(&admin, "prepareHostForMaintenance", &[("id", &host)])
        .unwrap();
    kit.call(&admin, "deleteHost", &[("id", &host)]).unwrap();
    let disabled = kit
        .call(
            &admin,
            "updateHost",
            &[("id", &kit.id("host2")), ("allocationstate", "Disable")],
        )
        .unwrap();
    assert_eq!(disabled["host"]["resourcestate"], "Disabled");
    let listed = kit
        .call(&admin, "listHosts", &[("clusterid", &cluster)])
        .unwrap();
    assert_eq!(listed["count"], 1);
}

#[test]
fn public_ranges_store_every_address_and_refuse_overlaps() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let range = |start: &'static str, end: &'static str, vlan: &'static str| {
        vec![
            ("zoneid", zone.clone()),
            ("vlan", vlan.to_string()),
            ("gateway", "10.0.0.1".to_string()),
            ("netmask", "255.255.255.0".to_string()),
            ("startip", start.to_string()),
            ("endip", end.to_string()),
        ]
    };
    let create = |kit: &mut Kit, v: Vec<(&'static str, String)>| {
        let refs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        kit.call(&admin, "createVlanIpRange", &refs)
    };
    let err = create(&mut kit, range("10.0.0.100", "10.0.0.110", "50")).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "The IP range with tag: vlan://50 already has IPs that overlap with the new range. Please specify a different start IP/end IP."
        )
    );
    let err = create(&mut kit, range("10.0.0.100", "10.0.0.110", "60")).unwrap_err();
    assert!(
        err.text.contains("has overlapped with the subnet"),
        "{}",
        err.text
    );
    let err = create(&mut kit, range("10.0.0.100", "10.0.0.110", "150")).unwrap_err();
    assert!(
        err.text
            .starts_with("The VLAN tag 150 is already being used for dynamic vlan allocation"),
        "{}",
        err.text
    );

    let other = vec![
        ("zoneid", zone.clone()),
        ("vlan", "70".to_string()),
        ("gateway", "10.5.0.1".to_string()),
        ("netmask", "255.255.255.0".to_string()),
        ("startip", "10.5.0.10".to_string()),
        ("endip", "10.5.0.29".to_string()),
    ];
    let made = create(&mut kit, other).unwrap();
    let range_id = id(&made, "vlan");
    assert_eq!(made["vlan"]["cidr"], "10.5.0.0/24");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM public_ips WHERE vlan_id = ?1 AND state = 'Free'",
            &range_id
        ),
        20
    );
    let listed = kit
        .call(&admin, "listVlanIpRanges", &[("zoneid", &zone)])
        .unwrap();
    assert_eq!(listed["count"], 2);
    assert!(listed.get("vlaniprange").is_some());

    let user = kit.account("ipowner", 0, None);
    kit.conn
        .execute(
            "UPDATE public_ips SET state = 'Allocated', account_id = ?1 WHERE vlan_id = ?2 AND address IN ('10.5.0.10', '10.5.0.11')",
            [&user.account_id, &range_id],
        )
        .unwrap();
    let err = kit
        .call(&admin, "deleteVlanIpRange", &[("id", &range_id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "2  Ips are in use. Cannot delete this vlan")
    );

    // Deleting the account gives its addresses back instead of deleting them.
    kit.call(&admin, "deleteAccount", &[("id", &user.account_id)])
        .unwrap();
    assert_eq!(kit.count("SELECT COUNT(*) FROM public_ips WHERE vlan_id = ?1 AND state = 'Free' AND account_id IS NULL", &range_id), 20);
    kit.call(&admin, "deleteVlanIpRange", &[("id", &range_id)])
        .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM public_ips WHERE vlan_id = ?1",
            &range_id
        ),
        0
    );
}

#[test]
fn guest_vlan_ranges_follow_update_physical_network() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let pn = kit.id("physical_network");
    let updated = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("vlan", "100-149,300-301")],
        )
        .unwrap();
    assert_eq!(updated["physicalnetwork"]["vlan"], "100-149,300-301");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM guest_vnets WHERE physical_network_id = ?1",
            &pn
        ),
        52
    );
    kit.conn
        .execute("UPDATE guest_vnets SET taken = 'now', account_id = 'x' WHERE physical_network_id = ?1 AND vnet = 120", [&pn])
        .unwrap();
    let err = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("vlan", "100-110")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains("has allocated vnets in the range 111-149"),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &admin,
            "updatePhysicalNetwork",
            &[("id", &pn), ("vlan", "300")],
        )
        .unwrap_err();
    assert!(
        err.text.starts_with("Please provide valid vnet range."),
        "{}",
        err.text
    );
    let err = kit
        .call(&admin, "deletePhysicalNetwork", &[("id", &pn)])
        .unwrap_err();
    assert_eq!(
        (err.job_code().as_u16(), err.text.as_str()),
        (
            530,
            "The Physical Network is not deletable because there are allocated vnets for this physical network"
        )
    );
}

#[test]
fn default_seed_is_a_ready_advanced_zone() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zones = kit.call(&admin, "listZones", &[]).unwrap();
    assert_eq!(zones["count"], 1);
    let zone = &zones["zone"][0];
    assert_eq!(zone["name"], "Sandbox-simulator");
    assert_eq!(zone["networktype"], "Advanced");
    assert_eq!(zone["allocationstate"], "Enabled");
    assert_eq!(zone["dns1"], "8.8.8.8");
    assert_eq!(zone["guestcidraddress"], "10.1.1.0/24");
    assert_eq!(zone["id"], kit.id("zone").as_str());

    let hosts = kit.call(&admin, "listHosts", &[]).unwrap();
    assert_eq!(hosts["count"], 2);
    for host in hosts["host"].as_array().unwrap() {
        assert_eq!(
            (host["cpunumber"].as_i64(), host["cpuspeed"].as_i64()),
            (Some(4), Some(8000))
        );
        assert_eq!(host["memorytotal"], 8_589_934_592_i64);
        assert_eq!(host["hypervisor"], "Simulator");
    }
    let pn = kit.id("physical_network");
    let providers = kit
        .call(
            &admin,
            "listNetworkServiceProviders",
            &[("physicalnetworkid", &pn), ("state", "Enabled")],
        )
        .unwrap();
    let names: Vec<&str> = providers["networkserviceprovider"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"VirtualRouter") && names.contains(&"VpcVirtualRouter"),
        "{names:?}"
    );
    let traffic = kit
        .call(&admin, "listTrafficTypes", &[("physicalnetworkid", &pn)])
        .unwrap();
    assert_eq!(traffic["count"], 4);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM guest_vnets WHERE physical_network_id = ?1",
            &pn
        ),
        100
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM public_ips WHERE zone_id = ?1 AND state = 'Free'",
            &kit.id("zone")
        ),
        253
    );
    let pools = kit.call(&admin, "listStoragePools", &[]).unwrap();
    assert_eq!(
        pools["storagepool"][0]["disksizetotal"],
        2_199_023_255_552_i64
    );
    let stores = kit.call(&admin, "listImageStores", &[]).unwrap();
    assert_eq!(stores["count"], 1);
    let ranges = kit.call(&admin, "listVlanIpRanges", &[]).unwrap();
    assert_eq!(ranges["vlaniprange"][0]["startip"], "10.0.0.2");
    assert_eq!(ranges["vlaniprange"][0]["endip"], "10.0.0.254");
}

#[test]
fn providers_and_traffic_types_refuse_duplicates() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let pn = kit.id("physical_network");
    let err = kit
        .call(
            &admin,
            "addTrafficType",
            &[("physicalnetworkid", &pn), ("traffictype", "Guest")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "This physical network already supports the traffic type: Guest"
        )
    );
    let err = kit
        .call(
            &admin,
            "addNetworkServiceProvider",
            &[("physicalnetworkid", &pn), ("name", "VirtualRouter")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "The 'VirtualRouter' provider already exists on physical network : Sandbox-pnet"
        )
    );
    let err = kit
        .call(
            &admin,
            "addNetworkServiceProvider",
            &[("physicalnetworkid", &pn), ("name", "Bogus")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid Network Service Provider=Bogus")
    );
    let added = kit
        .call(
            &admin,
            "addNetworkServiceProvider",
            &[("physicalnetworkid", &pn), ("name", "Netscaler")],
        )
        .unwrap();
    assert_eq!(added["networkserviceprovider"]["state"], "Disabled");
}

#[test]
fn storage_pool_and_image_store_rules() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let err = kit
        .call(
            &admin,
            "createStoragePool",
            &[
                ("zoneid", &zone),
                ("name", "z"),
                ("url", "nfs://1.2.3.4/p"),
                ("scope", "zone"),
            ],
        )
        .unwrap_err();
    assert!(
        err.text.starts_with("Missing parameter hypervisor."),
        "{}",
        err.text
    );
    let made = kit
        .call(
            &admin,
            "createStoragePool",
            &[
                ("zoneid", &zone),
                ("name", "zonewide"),
                ("url", "nfs://1.2.3.4/p"),
                ("scope", "zone"),
                ("hypervisor", "Simulator"),
                ("capacitybytes", "1000"),
            ],
        )
        .unwrap();
    assert_eq!(made["storagepool"]["scope"], "ZONE");
    let err = kit
        .call(
            &admin,
            "createStoragePool",
            &[("zoneid", &zone), ("name", "c"), ("url", "nfs://1.2.3.4/p")],
        )
        .unwrap_err();
    assert_eq!(err.text, "cluster id can't be null, if scope is cluster");
    kit.call(
        &admin,
        "deleteStoragePool",
        &[("id", &id(&made, "storagepool"))],
    )
    .unwrap();
    kit.call(
        &admin,
        "deleteImageStore",
        &[("id", &kit.id("image_store"))],
    )
    .unwrap();
}

// Host totals (cores × MHz) and the sums allocated on a host are computed
// without overflow: a host may be as large as 64-bit numbers allow
// (SimulatorDiscoverer reads the URL with Long.parseLong), and what VMs
// take from it saturates at i64::MAX instead of wrapping or turning into a
// floating-point number.
#[test]
fn a_host_of_any_size_takes_vms_without_overflow() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let (zone, pod, cluster, seeded) = (
        kit.id("zone"),
        kit.id("pod"),
        kit.id("cluster"),
        kit.id("host"),
    );
    let add = |kit: &mut Kit, url: &str| {
        kit.call(
            &admin,
            "addHost",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("hypervisor", "Simulator"),
                ("url", url),
                ("username", "root"),
                ("password", "pw"),
            ],
        )
    };
    // The host record keeps its core count in 32 bits (HostVO.cpus).
    let err = add(&mut kit, "http://sim/c1/cpucore=2147483648").unwrap_err();
    assert_eq!(code(&err), 530, "{err:?}");
    let huge = add(
        &mut kit,
        "http://sim/c1/cpucore=2147483647&cpuspeed=9223372036854775807&memory=9223372036854775807",
    )
    .unwrap();
    let huge = huge["host"][0]["id"].as_str().unwrap().to_string();
    kit.call(
        &admin,
        "updateHost",
        &[("id", &seeded), ("allocationstate", "Disable")],
    )
    .unwrap();
    let custom = kit
        .call(
            &admin,
            "createServiceOffering",
            &[("name", "Largest"), ("displaytext", "Largest")],
        )
        .unwrap()["serviceoffering"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let template = kit.id("template");
    let max = "2147483647";
    for _ in 0..3 {
        kit.call(
            &admin,
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &custom),
                ("templateid", &template),
                ("details[0].cpuNumber", max),
                ("details[0].cpuSpeed", max),
                ("details[0].memory", max),
            ],
        )
        .unwrap();
    }
    let listed = kit.call(&admin, "listHosts", &[("id", &huge)]).unwrap();
    let host = &listed["host"][0];
    assert_eq!(
        host["cpuallocatedvalue"],
        i64::MAX,
        "three VMs of (2^31-1)^2 MHz saturate"
    );
    assert_eq!(
        host["memoryallocated"],
        3 * 2_147_483_647_i64 * 1024 * 1024,
        "memory is exact"
    );
}
