//! Every data factory, through `#[marvin::test]`: created once by the
//! lint, deleted by the test's cleanup, each step in the ledger.

use std::collections::HashMap;

use marvin_core::cleanup::Event;

use super::child::{Cloud, run};

/// The listings the factories' resources show up in.
const LISTINGS: &[&str] = &[
    "listAccounts",
    "listUsers",
    "listDomains",
    "listProjects",
    "listServiceOfferings",
    "listDiskOfferings",
    "listNetworkOfferings",
    "listVPCOfferings",
    "listNetworks",
    "listVPCs",
    "listPublicIpAddresses",
    "listFirewallRules",
    "listSecurityGroups",
    "listVirtualMachines",
    "listLoadBalancerRules",
    "listVolumes",
    "listSnapshots",
    "listSSHKeyPairs",
    "listZones",
];

async fn sizes(cloud: &Cloud) -> HashMap<&'static str, usize> {
    let mut sizes = HashMap::new();
    for listing in LISTINGS {
        sizes.insert(*listing, cloud.count(listing).await);
    }
    sizes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_data_factory_creates_and_cleans_up() {
    let cloud = Cloud::start("lint").await;
    let before = sizes(&cloud).await;
    let ran = run(cloud.fixture("lints_every_factory")).await;
    assert!(ran.success, "{}", ran.both());
    let factories = marvin::factories::lint::FACTORIES.len();
    assert!(
        ran.stdout
            .contains(&format!("factories: {factories} created, 0 failed")),
        "{}",
        ran.both()
    );
    assert_eq!(sizes(&cloud).await, before, "{}", ran.both());
    let records = cloud.records();
    let count = |event| records.iter().filter(|r| r.event == event).count();
    assert!(count(Event::Created) > factories, "{records:?}");
    assert_eq!(count(Event::Created), count(Event::Deleted));
    assert!(cloud.pending().is_empty());
}
