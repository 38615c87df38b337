//! The lint: every data factory, created once against the simulator, and
//! everything it made deleted again by the test's cleanup.

use marvin_factories::{LintReport, lint};

use super::harness::Harness;

/// The listings whose sizes must be back to where they were.
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

async fn sizes(h: &Harness) -> Vec<(&'static str, usize)> {
    let mut sizes = Vec::new();
    for listing in LISTINGS {
        sizes.push((*listing, h.count(listing, &[]).await));
    }
    sizes
}

#[tokio::test]
async fn every_factory_is_created_and_cleaned_up() {
    let h = Harness::start("factories::lint").await;
    let before = sizes(&h).await;
    let report: LintReport = lint(&h.ctx).await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        report.results.len(),
        marvin_factories::lint::FACTORIES.len()
    );
    let cleanup = h.cleanup().await;
    assert!(cleanup.is_clean(), "{cleanup}");
    assert!(cleanup.deleted.len() > report.results.len(), "{cleanup}");
    assert_eq!(sizes(&h).await, before, "every resource is gone again");
}
