//! `marvin deploy` with CloudStack's setup/dev/basic.cfg as it is: the
//! Basic path of deployDataCenter.createZones (the SecurityGroupProvider
//! enabled, `guestNetworkForBasicZone` on
//! `DefaultSharedNetworkOfferingWithSGService`, a pod-scoped guest range per
//! pod through `createVlanIpRange` with `podid` and `networkid`), then a VM
//! deployed into the zone, the export of the ranges, and a rollback; and
//! setup/dev/advancedsg.cfg (an Advanced zone with security groups).

use std::path::PathBuf;
use std::time::Duration;

use marvin_core::{Client, Config, Params};
use marvin_deploy::{self as deploy, DataCenter};
use marvin_entities::api;
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

async fn empty_simulator() -> RunningSimulator {
    Simulator::start(SimulatorConfig {
        empty: true,
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts")
}

fn client_of(sim: &RunningSimulator) -> (Client, PathBuf) {
    let path =
        std::env::temp_dir().join(format!("marvin-deploy-basic-{}.json", uuid::Uuid::new_v4()));
    sim.write_config(&path).expect("config written");
    let config = Config::from_path(&path).expect("config loads");
    (Client::from_config(&config).unwrap(), path)
}

fn basic_cfg() -> DataCenter {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/cloudstack/datacenter/basic.cfg"
    );
    DataCenter::from_path(std::path::Path::new(path)).expect("basic.cfg reads")
}

async fn one(client: &Client, command: &str, params: Params) -> Value {
    let mut items = client
        .list_all(command, params)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert_eq!(items.len(), 1, "{command}: {items:?}");
    items.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_cfg_deploys_unchanged_and_a_vm_gets_a_pod_address_and_its_security_group() {
    let sim = empty_simulator().await;
    let (client, config_path) = client_of(&sim);
    let mut lines = Vec::new();
    let deployment = deploy::deploy(&client, &basic_cfg(), &mut |line| {
        lines.push(line.to_string())
    })
    .await
    .unwrap_or_else(|e| panic!("deployed: {e}\n{}", lines.join("\n")));
    assert_eq!(deployment.zones.len(), 1);
    for step in [
        "updateNetworkServiceProvider SecurityGroupProvider on Sandbox-pnet state=Enabled",
        "createNetwork guestNetworkForBasicZone in Sandbox-simulator",
        "createVlanIpRange 60.147.41.2-60.147.41.254 in POD0",
    ] {
        assert!(
            lines.iter().any(|l| l.ends_with(step)),
            "{step}: {lines:#?}"
        );
    }

    let zone = one(&client, "listZones", Params::new()).await;
    assert_eq!(zone["networktype"], "Basic");
    assert_eq!(zone["securitygroupsenabled"], true);
    assert_eq!(zone["allocationstate"], "Enabled");
    let zone_id = zone["id"].as_str().unwrap().to_string();

    let network = one(
        &client,
        "listNetworks",
        Params::from([("zoneid", zone_id.as_str())]),
    )
    .await;
    assert_eq!(network["name"], "guestNetworkForBasicZone");
    assert_eq!(network["type"], "Shared");
    assert_eq!(
        network["networkofferingname"],
        "DefaultSharedNetworkOfferingWithSGService"
    );
    let services: Vec<&str> = network["service"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(services.contains(&"SecurityGroup"), "{services:?}");
    assert!(!services.contains(&"SourceNat"), "{services:?}");

    let pod = one(&client, "listPods", Params::new()).await;
    let range = one(
        &client,
        "listVlanIpRanges",
        Params::from([("zoneid", zone_id.as_str())]),
    )
    .await;
    assert_eq!(range["podid"], pod["id"]);
    assert_eq!(range["networkid"], network["id"]);
    assert_eq!(range["forvirtualnetwork"], false);

    // Templates and an offering the empty simulator lacks come from the
    // zone's image store; register one as tests would.
    let offering = client
        .list_all("listServiceOfferings", Params::new())
        .await
        .unwrap();
    let template = client
        .list_all(
            "listTemplates",
            Params::from([("templatefilter", "all"), ("zoneid", zone_id.as_str())]),
        )
        .await
        .unwrap();
    let template = template
        .iter()
        .find(|t| t["isready"] == true)
        .unwrap_or_else(|| panic!("a ready template: {template:?}"));
    let vm = client
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", zone_id.as_str()),
            ("serviceofferingid", offering[0]["id"].as_str().unwrap()),
            ("templateid", template["id"].as_str().unwrap()),
        ]))
        .await
        .unwrap_or_else(|e| panic!("deployVirtualMachine: {e}"));
    let vm = &vm["virtualmachine"];
    // DeployVMCmd.create: "Can't specify network Ids in Basic zone".
    let refused = client
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", zone_id.as_str()),
            ("serviceofferingid", offering[0]["id"].as_str().unwrap()),
            ("templateid", template["id"].as_str().unwrap()),
            ("networkids", network["id"].as_str().unwrap()),
        ]))
        .await
        .expect_err("networkids are refused in a Basic zone");
    assert_eq!(refused.status(), Some(431), "{refused}");
    assert!(
        refused
            .text()
            .is_some_and(|t| t == "Can't specify network Ids in Basic zone"),
        "{refused}"
    );
    let nic = &vm["nic"][0];
    assert_eq!(nic["networkid"], network["id"], "{vm}");
    assert_eq!(nic["gateway"], "60.147.41.1", "{vm}");
    let address = nic["ipaddress"].as_str().unwrap_or_default();
    assert!(address.starts_with("60.147.41."), "{vm}");
    let groups: Vec<&str> = vm["securitygroup"]
        .as_array()
        .map(|g| g.iter().filter_map(|g| g["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(groups, ["default"], "{vm}");

    // `marvin export` writes the pod's guest range back as guestIpRanges.
    let exported = deploy::export(&client).await.expect("exported");
    let zone = &exported.zones[0];
    assert!(zone.is_basic());
    assert_eq!(
        zone.pods[0].guest_ip_ranges,
        basic_cfg().zones[0].pods[0].guest_ip_ranges
    );

    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failing_basic_zone_step_rolls_back_the_guest_network_and_its_ranges() {
    let sim = empty_simulator().await;
    let (client, config_path) = client_of(&sim);
    client
        .call(api("configureSimulatorFault"))
        .params(Params::from([
            ("apiname", "addHost"),
            ("action", "fail"),
            ("count", "1"),
            ("errortext", "no such host"),
        ]))
        .await
        .unwrap();
    let error = deploy::deploy(&client, &basic_cfg(), &mut |_| {})
        .await
        .expect_err("the injected fault stops the deployment");
    let deploy::DeployError::Step {
        step,
        rolled_back,
        rollback_failures,
        ..
    } = &error
    else {
        panic!("not a step error: {error}");
    };
    assert_eq!(step, "addHost http://sim/c0/h0 to C0");
    assert!(rollback_failures.is_empty(), "{rollback_failures:?}");
    // Zone, physical network, guest network, pod, guest range, cluster.
    assert_eq!(*rolled_back, 6, "{error}");
    for command in [
        "listZones",
        "listNetworks",
        "listPods",
        "listVlanIpRanges",
        "listClusters",
    ] {
        let left = client.list_all(command, Params::new()).await.unwrap();
        assert!(left.is_empty(), "{command}: {left:?}");
    }
    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}

/// setup/dev/advancedsg.cfg: an Advanced zone with security groups, whose
/// one shared SG network holds the zone's range (deployDataCenter.createZones).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advancedsg_cfg_deploys_unchanged_with_its_shared_sg_network() {
    let sim = empty_simulator().await;
    let (client, config_path) = client_of(&sim);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/cloudstack/datacenter/advancedsg.cfg"
    );
    let datacenter = DataCenter::from_path(std::path::Path::new(path)).expect("advancedsg.cfg");
    let mut lines = Vec::new();
    deploy::deploy(&client, &datacenter, &mut |line| {
        lines.push(line.to_string())
    })
    .await
    .unwrap_or_else(|e| panic!("deployed: {e}\n{}", lines.join("\n")));
    assert!(
        !lines.iter().any(|l| l.contains("createVlanIpRange")),
        "{lines:#?}"
    );

    let zone = one(&client, "listZones", Params::new()).await;
    assert_eq!(zone["networktype"], "Advanced");
    assert_eq!(zone["securitygroupsenabled"], true);
    let zone_id = zone["id"].as_str().unwrap().to_string();
    let network = one(
        &client,
        "listNetworks",
        Params::from([("zoneid", zone_id.as_str())]),
    )
    .await;
    assert_eq!(network["name"], "Shared SG enabled network");
    assert_eq!(network["type"], "Shared");

    let offering = client
        .list_all("listServiceOfferings", Params::new())
        .await
        .unwrap();
    let templates = client
        .list_all(
            "listTemplates",
            Params::from([("templatefilter", "all"), ("zoneid", zone_id.as_str())]),
        )
        .await
        .unwrap();
    let template = templates
        .iter()
        .find(|t| t["isready"] == true)
        .expect("a ready template");
    let vm = client
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", zone_id.as_str()),
            ("serviceofferingid", offering[0]["id"].as_str().unwrap()),
            ("templateid", template["id"].as_str().unwrap()),
            ("networkids", network["id"].as_str().unwrap()),
        ]))
        .await
        .unwrap_or_else(|e| panic!("deployVirtualMachine: {e}"));
    let vm = &vm["virtualmachine"];
    assert_eq!(vm["nic"][0]["gateway"], "10.147.31.1", "{vm}");
    let address = vm["nic"][0]["ipaddress"].as_str().unwrap_or_default();
    assert!(address.starts_with("10.147.31.15"), "{vm}");
    assert_eq!(vm["securitygroup"][0]["name"], "default", "{vm}");

    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}

/// A Basic zone with two pods: a VM takes its address from the range of the
/// pod it is placed in (DirectPodBasedNetworkGuru.reserve).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vm_in_a_basic_zone_takes_its_pods_range() {
    let sim = empty_simulator().await;
    let (client, config_path) = client_of(&sim);
    let mut datacenter = basic_cfg();
    let mut second = datacenter.zones[0].pods[0].clone();
    second.name = "POD1".into();
    second.gateway = "172.16.16.1".into();
    second.startip = "172.16.16.2".into();
    second.endip = Some("172.16.16.254".into());
    second.guest_ip_ranges[0].gateway = "60.147.42.1".into();
    second.guest_ip_ranges[0].startip = "60.147.42.2".into();
    second.guest_ip_ranges[0].endip = "60.147.42.254".into();
    second.clusters[0].clustername = "C1".into();
    second.clusters[0].hosts.truncate(1);
    second.clusters[0].hosts[0].url = "http://sim/c1/h0".into();
    second.clusters[0].primary_storages[0].name = "PS1".into();
    datacenter.zones[0].pods.push(second);
    deploy::deploy(&client, &datacenter, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("deployed: {e}"));

    let offering = client
        .list_all("listServiceOfferings", Params::new())
        .await
        .unwrap();
    let templates = client
        .list_all("listTemplates", Params::from([("templatefilter", "all")]))
        .await
        .unwrap();
    let template = templates
        .iter()
        .find(|t| t["isready"] == true)
        .expect("a ready template");
    for (pod, prefix) in [("POD0", "60.147.41."), ("POD1", "60.147.42.")] {
        let pod = one(&client, "listPods", Params::from([("name", pod)])).await;
        let pod_id = pod["id"].as_str().unwrap();
        let host = &client
            .list_all(
                "listHosts",
                Params::from([("podid", pod_id), ("type", "Routing")]),
            )
            .await
            .unwrap()[0];
        let vm = client
            .call(api("deployVirtualMachine"))
            .params(Params::from([
                ("zoneid", pod["zoneid"].as_str().unwrap()),
                ("serviceofferingid", offering[0]["id"].as_str().unwrap()),
                ("templateid", template["id"].as_str().unwrap()),
                ("hostid", host["id"].as_str().unwrap()),
            ]))
            .await
            .unwrap_or_else(|e| panic!("deployVirtualMachine: {e}"));
        let vm = &vm["virtualmachine"];
        let address = vm["nic"][0]["ipaddress"].as_str().unwrap_or_default();
        assert!(address.starts_with(prefix), "{vm}");
        assert_eq!(vm["podid"].as_str().unwrap_or(pod_id), pod_id, "{vm}");
    }
    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}
