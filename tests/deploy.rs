//! `marvin deploy` / `marvin export` through the library: a two-zone
//! datacenter built on an empty simulator, checked with list calls and the
//! whole smoke suite, a rollback after an injected failure, and an export round
//! trip.

use marvin_entities::api;
use std::path::PathBuf;
use std::time::Duration;

use marvin_deploy::{self as deploy, DataCenter, DeployError};
// Links the bundled suite, whose scenarios run on the deployed cloud.
use marvin_core::schema::ApiList;
use marvin_core::testing::RunSettings;
use marvin_core::{Client, Config, Params};
use marvin_runner::{self as suite, RunOptions, Status};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use marvin_smoke as _;
use serde_json::{Value, json};

async fn empty_simulator() -> RunningSimulator {
    Simulator::start(SimulatorConfig {
        empty: true,
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts")
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("marvin-deploy-{}-{name}", uuid::Uuid::new_v4()))
}

/// The simulator's Marvin config, written to a file and loaded back.
fn config_of(sim: &RunningSimulator) -> (Config, PathBuf) {
    let path = temp_path("cloud.json");
    sim.write_config(&path).expect("config written");
    (Config::from_path(&path).expect("config loads"), path)
}

fn zone_json(n: u32) -> Value {
    json!({
        "name": format!("Zone{n}"),
        "networktype": "Advanced",
        "dns1": "8.8.8.8",
        "internaldns1": "10.0.0.2",
        "guestcidraddress": "10.1.1.0/24",
        "physical_networks": [{
            "name": format!("PN{n}"),
            "vlan": format!("{}-{}", 100 * n, 100 * n + 20),
            "isolationmethods": ["VLAN"],
            "traffictypes": [{"typ": "Guest"}, {"typ": "Management"}, {"typ": "Public"}],
            "providers": [{"name": "VirtualRouter", "broadcastdomainrange": "ZONE"},
                          {"name": "VpcVirtualRouter"}],
            "some_unknown_key": "ignored"
        }],
        "ipranges": [{"vlan": "untagged", "gateway": format!("172.{n}.0.1"),
                      "netmask": "255.255.255.0", "startip": format!("172.{n}.0.10"),
                      "endip": format!("172.{n}.0.60")}],
        "pods": [{
            "name": format!("Pod{n}"),
            "gateway": format!("192.168.{n}.1"), "netmask": "255.255.255.0",
            "startip": format!("192.168.{n}.10"), "endip": format!("192.168.{n}.50"),
            "clusters": [{
                "clustername": format!("C{n}"), "hypervisor": "Simulator",
                "clustertype": "CloudManaged",
                "hosts": [{"url": "http://sim/c1/h1", "username": "root", "password": "password"},
                          {"url": "http://sim/c1/h2", "username": "root", "password": "password"}],
                "primaryStorages": [{"name": format!("primary{n}"),
                                     "url": format!("nfs://10.0.{n}.5/primary")}]
            }]
        }],
        "secondaryStorages": [{"url": format!("nfs://10.0.{n}.5/secondary"), "provider": "NFS"}]
    })
}

/// Marvin's format, with a comment line, `mgtSvr` and unknown keys.
fn datacenter_text(sim: &RunningSimulator) -> String {
    let mut document = sim.marvin_config();
    document["zones"] = json!([zone_json(1), zone_json(2)]);
    document["dbSvr"] = json!({"dbSvr": "localhost"});
    document["globalConfig"] = json!([{"name": "expunge.delay", "value": 60}]);
    format!(
        "# a two-zone datacenter\n{}",
        serde_json::to_string_pretty(&document).unwrap()
    )
}

async fn names(client: &Client, command: &str, key: &str) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all(command, Params::new())
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .iter()
        .map(|item| item[key].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

async fn count(client: &Client, command: &str, params: Params) -> usize {
    client
        .list_all(command, params)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_zones_are_deployed_and_pass_the_smoke_suite() {
    let sim = empty_simulator().await;
    let (config, config_path) = config_of(&sim);
    let client = Client::from_config(&config).unwrap();
    let datacenter = DataCenter::from_str_named(&datacenter_text(&sim), "dc").unwrap();
    assert_eq!(datacenter.zones.len(), 2);

    let mut lines = Vec::new();
    let deployment = deploy::deploy(&client, &datacenter, &mut |line| {
        lines.push(line.to_string())
    })
    .await
    .expect("deployed");
    assert_eq!(deployment.zones.len(), 2);
    assert_eq!(lines.len(), deployment.steps);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("addHost http://sim/c1/h2 to C2"))
    );

    assert_eq!(
        names(&client, "listZones", "name").await,
        ["Zone1", "Zone2"]
    );
    let zones = client.list_all("listZones", Params::new()).await.unwrap();
    assert!(zones.iter().all(|z| z["allocationstate"] == "Enabled"));
    assert_eq!(
        names(&client, "listPhysicalNetworks", "name").await,
        ["PN1", "PN2"]
    );
    let networks = client
        .list_all("listPhysicalNetworks", Params::new())
        .await
        .unwrap();
    assert!(
        networks.iter().all(|n| n["state"] == "Enabled"),
        "{networks:?}"
    );
    assert_eq!(names(&client, "listPods", "name").await, ["Pod1", "Pod2"]);
    assert_eq!(names(&client, "listClusters", "name").await, ["C1", "C2"]);
    assert_eq!(
        count(&client, "listHosts", Params::from([("type", "Routing")])).await,
        4
    );
    assert_eq!(
        names(&client, "listStoragePools", "name").await,
        ["primary1", "primary2"]
    );
    assert_eq!(count(&client, "listImageStores", Params::new()).await, 2);
    assert_eq!(count(&client, "listVlanIpRanges", Params::new()).await, 2);
    for (_, zone_id) in &deployment.zones {
        let network = client
            .list_all(
                "listPhysicalNetworks",
                Params::from([("zoneid", zone_id.as_str())]),
            )
            .await
            .unwrap();
        let network_id = network[0]["id"].as_str().unwrap();
        let mut enabled: Vec<String> = client
            .list_all(
                "listNetworkServiceProviders",
                Params::from([("physicalnetworkid", network_id), ("state", "Enabled")]),
            )
            .await
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        enabled.sort();
        assert_eq!(
            enabled,
            ["ConfigDrive", "VirtualRouter", "VpcVirtualRouter"]
        );
        let hosts = Params::from([("zoneid", zone_id.as_str()), ("type", "Routing")]);
        assert_eq!(count(&client, "listHosts", hosts).await, 2);
    }
    let expunge = client
        .call(api("listConfigurations"))
        .params(Params::from([("name", "expunge.delay")]))
        .await
        .unwrap();
    assert_eq!(expunge["configuration"][0]["value"], "60");

    // The smoke suite, on the deployed cloud.
    let mut settings = RunSettings::from_env();
    settings.ledger = None;
    // The whole suite (every scenario is tagged `smoke`): none of it assumes
    // a single zone.
    settings.selected_tags = Some(vec!["smoke".into()]);
    let options = RunOptions {
        suite: "smoke".into(),
        jobs: 4,
        settings,
        target: sim.url(),
        progress_bar: false,
        test_lines: false,
    };
    let precache = ApiList::from_json(marvin_simulator::catalog::PRECACHE).unwrap();
    let scenarios = suite::harness::registered("marvin_smoke");
    let result = suite::run_suite(&scenarios, &client, &precache, &options).await;
    let failed: Vec<String> = result
        .tests
        .iter()
        .filter(|t| t.status == Status::Failed)
        .map(|t| format!("{}: {:?}", t.name, t.failure))
        .collect();
    assert_eq!(result.tests.len(), scenarios.len());
    assert!(
        failed.is_empty(),
        "failed on the deployed cloud: {failed:#?}"
    );
    assert!(
        result.leaks.leaks.is_empty(),
        "leaks: {:?}",
        result.leaks.leaks
    );
    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failing_step_rolls_back_everything_it_built() {
    let sim = empty_simulator().await;
    let (config, config_path) = config_of(&sim);
    let client = Client::from_config(&config).unwrap();
    let datacenter = DataCenter::from_str_named(&datacenter_text(&sim), "dc").unwrap();
    // The first zone is complete when the second zone's first host fails:
    // a zero delay takes the first two addHost calls, the failure the third.
    for (action, count) in [("delay", "2"), ("fail", "1")] {
        client
            .call(api("configureSimulatorFault"))
            .params(Params::from([
                ("apiname", "addHost"),
                ("action", action),
                ("count", count),
                ("delay", "0"),
                ("errortext", "no such host"),
            ]))
            .await
            .unwrap();
    }
    let error = deploy::deploy(&client, &datacenter, &mut |_| {})
        .await
        .expect_err("the injected fault stops the deployment");
    let DeployError::Step {
        step,
        source,
        rolled_back,
        rollback_failures,
    } = &error
    else {
        panic!("not a step error: {error}");
    };
    assert_eq!(step, "addHost http://sim/c1/h1 to C2");
    assert!(source.to_string().contains("no such host"), "{source}");
    assert!(rollback_failures.is_empty(), "{rollback_failures:?}");
    // Zone1: zone, physical network, pod, cluster, 2 hosts, pool, range,
    // image store; Zone2: zone, physical network, pod, cluster.
    assert_eq!(*rolled_back, 13, "{error}");
    for command in [
        "listZones",
        "listPhysicalNetworks",
        "listPods",
        "listClusters",
        "listHosts",
        "listStoragePools",
        "listImageStores",
        "listVlanIpRanges",
    ] {
        assert_eq!(count(&client, command, Params::new()).await, 0, "{command}");
    }
    let _ = std::fs::remove_file(config_path);
    sim.shutdown().await;
}

#[tokio::test]
async fn export_deploy_export_round_trips() {
    let first = empty_simulator().await;
    let (config, first_path) = config_of(&first);
    let client = Client::from_config(&config).unwrap();
    let datacenter = DataCenter::from_str_named(&datacenter_text(&first), "dc").unwrap();
    deploy::deploy(&client, &datacenter, &mut |_| {})
        .await
        .unwrap();
    let exported = deploy::export(&client).await.unwrap();
    assert_eq!(exported.zones.len(), 2);
    assert_eq!(exported.zones[0].pods[0].clusters[0].hosts.len(), 2);
    assert!(exported.to_json().to_string().find("password").is_none());

    // Through a file, as `marvin export -o` and `marvin deploy --config` do.
    let file = temp_path("exported.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&exported.to_json()).unwrap(),
    )
    .unwrap();
    let reread = DataCenter::from_path(&file).unwrap();
    assert_eq!(reread, exported);

    let second = empty_simulator().await;
    let (config, second_path) = config_of(&second);
    let other = Client::from_config(&config).unwrap();
    deploy::deploy(&other, &reread, &mut |_| {}).await.unwrap();
    let again = deploy::export(&other).await.unwrap();
    pretty_assertions::assert_eq!(again.to_json(), exported.to_json());

    for path in [file, first_path, second_path] {
        let _ = std::fs::remove_file(path);
    }
    first.shutdown().await;
    second.shutdown().await;
}
