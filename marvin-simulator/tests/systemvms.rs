//! A ready zone's system VMs appear shortly after start-up, as CloudStack's
//! system VM managers start them, and only root admins list them.

// This binary lists only; the shared job helpers stay unused here.
#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use common::{Client, start};

#[tokio::test]
async fn the_default_zone_gets_its_system_vms() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let started = Instant::now();
    let vms = loop {
        let listed = admin.ok("listSystemVms", &[]).await;
        if listed["count"] == 2 {
            break listed["systemvm"].as_array().unwrap().clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no system VMs: {listed}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut kinds: Vec<&str> = vms
        .iter()
        .map(|vm| vm["systemvmtype"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["consoleproxy", "secondarystoragevm"]);
    assert!(vms.iter().all(|vm| vm["state"] == "Running"));
}

#[tokio::test]
async fn an_empty_simulator_has_none() {
    let sim = start(true).await;
    let admin = Client::admin(&sim);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let listed = admin.ok("listSystemVms", &[]).await;
    assert_eq!(listed["count"].as_u64().unwrap_or(0), 0, "{listed}");
}
