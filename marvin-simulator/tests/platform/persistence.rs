//! A file-backed database keeps its state across restarts; fixtures seed it.

use std::path::PathBuf;

use marvin_simulator::{Simulator, SimulatorConfig, StartError};

use crate::support::{Api, start_with};

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir =
        std::env::temp_dir().join(format!("marvin-sim-{}-{nanos}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_file_database_survives_a_restart() {
    let dir = scratch("db");
    let config = SimulatorConfig {
        db_path: Some(dir.join("sim.db")),
        ..SimulatorConfig::default()
    };
    let sim = start_with(config.clone()).await;
    let (key, secret) = (sim.api_key().to_string(), sim.secret_key().to_string());
    let admin = Api::admin(&sim);
    let domain = admin.ok("createDomain", &[("name", "durable")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();
    sim.shutdown().await;

    let again = start_with(config).await;
    assert_eq!(again.api_key(), key, "the seed did not run twice");
    assert_eq!(again.secret_key(), secret);
    let admin = Api::admin(&again);
    let listed = admin.ok("listDomains", &[("id", &id)]).await;
    assert_eq!(listed["domain"][0]["name"], "durable");
    again.shutdown().await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn fixtures_run_in_file_order_with_references() {
    let dir = scratch("fixtures");
    std::fs::write(
        dir.join("10-domains.json"),
        r#"[{"command": "createDomain", "params": {"name": "eng"}, "as": "eng"},
            {"command": "createDomain", "params": {"name": "web", "parentdomainid": "${eng.id}"}, "as": "web"}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("20-accounts.json"),
        r#"[{"command": "createAccount", "params": {"username": "alice", "password": "pw", "firstname": "A",
             "lastname": "L", "email": "a@example.com", "accounttype": 0, "domainid": "${web.id}"}}]"#,
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a fixture").unwrap();
    let sim = start_with(SimulatorConfig {
        fixtures: Some(dir.clone()),
        ..SimulatorConfig::default()
    })
    .await;
    let admin = Api::admin(&sim);
    let accounts = admin
        .ok("listAccounts", &[("name", "alice"), ("listall", "true")])
        .await;
    assert_eq!(accounts["count"], 1, "{accounts}");
    assert_eq!(accounts["account"][0]["domain"], "web");

    std::fs::write(
        dir.join("30-broken.json"),
        r#"[{"command": "createDomain", "params": {}}]"#,
    )
    .unwrap();
    let error = Simulator::start(SimulatorConfig {
        fixtures: Some(dir.clone()),
        ..SimulatorConfig::default()
    })
    .await
    .unwrap_err();
    assert!(
        matches!(&error, StartError::Fixture { index: 0, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("missing parameter name"),
        "{error}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_marvin_config_file_points_at_the_simulator() {
    let dir = scratch("config");
    let sim = start_with(SimulatorConfig::default()).await;
    let path = dir.join("sim.json");
    sim.write_config(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let config = marvin_core::config::Config::from_str_named(&text, "sim.json")
        .expect("marvin-core reads it");
    assert_eq!(config.mgt_svr[0].url(), sim.url());
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["mgtSvr"][0]["apiKey"], sim.api_key());
    assert_eq!(value["mgtSvr"][0]["useHttps"], false);
    assert!(!format!("{sim:?}").contains(sim.secret_key()));
    std::fs::remove_dir_all(dir).ok();
}

/// The config file carries the admin's secret key: only its owner may read
/// it, also when it replaces a file that others could read.
#[cfg(unix)]
#[tokio::test]
async fn the_marvin_config_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = scratch("private-config");
    let sim = start_with(SimulatorConfig::default()).await;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let fresh = dir.join("fresh.json");
    sim.write_config(&fresh).unwrap();
    assert_eq!(mode(&fresh), 0o600, "a new file");

    let existing = dir.join("existing.json");
    std::fs::write(&existing, "{}").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    sim.write_config(&existing).unwrap();
    assert_eq!(mode(&existing), 0o600, "a replaced world-readable file");
    let text = std::fs::read_to_string(&existing).unwrap();
    assert!(
        text.contains(sim.secret_key()),
        "the whole config was written"
    );

    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no temporary file is left behind: {left:?}");
    std::fs::remove_dir_all(dir).ok();
}
