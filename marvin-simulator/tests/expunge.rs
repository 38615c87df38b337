//! The expunge thread: a destroyed VM stays until `expunge.delay` has
//! passed, then goes at the next run (every `expunge.interval` seconds), as
//! `UserVmManagerImpl`'s expunge task does.

mod common;

use std::time::{Duration, Instant};

use common::{Client, start};

async fn listed(admin: &Client, id: &str) -> usize {
    admin
        .ok("listVirtualMachines", &[("id", id), ("listall", "true")])
        .await["virtualmachine"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn destroyed_vms_are_expunged_after_the_delay() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offering = admin.ok("listServiceOfferings", &[]).await["serviceoffering"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let template = admin
        .ok("listTemplates", &[("templatefilter", "featured")])
        .await["template"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deployed = admin
        .job(
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .await;
    let id = deployed["jobresult"]["virtualmachine"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let destroyed = admin.job("destroyVirtualMachine", &[("id", &id)]).await;
    assert_eq!(
        destroyed["jobresult"]["virtualmachine"]["state"],
        "Destroyed"
    );

    // With the defaults (a day) the destroyed VM stays.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(listed(&admin, &id).await, 1, "expunged before its delay");

    for name in ["expunge.delay", "expunge.interval"] {
        admin
            .ok("updateConfiguration", &[("name", name), ("value", "1")])
            .await;
    }
    let started = Instant::now();
    while listed(&admin, &id).await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the destroyed VM was not expunged"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Its ROOT volume went with it.
    let volumes = admin.ok("listVolumes", &[("listall", "true")]).await;
    let left = volumes["volume"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["virtualmachineid"] == id.as_str())
        .count();
    assert_eq!(left, 0, "{volumes}");
}
