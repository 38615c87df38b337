//! Settings as CloudStack's server declares them: the data file's keys,
//! defaults and types, and the settings Marvin's datacenter configs set.

use serde_json::Value;

use crate::families::testkit::{Kit, code};

/// The `globalConfig` names of one of CloudStack's datacenter configs in
/// `testdata/cloudstack/datacenter` (their `#` licence lines skipped).
fn global_config_names(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/cloudstack/datacenter")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let doc: Value = serde_json::from_str(&json).unwrap();
    doc["globalConfig"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|g| g["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_setting_the_datacenter_configs_set_exists() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let mut checked = 0;
    for file in [
        "advanced.cfg",
        "advancedsg.cfg",
        "advdualzone.cfg",
        "basic.cfg",
    ] {
        for name in global_config_names(file) {
            // CloudStack's 4.10-to-4.11 schema upgrade
            // (schema-41000to41100.sql) deletes this key, so a real
            // server answers 431 for it as we do.
            if name == "outofbandmanagement.sync.interval" {
                let err = kit
                    .call(
                        &admin,
                        "updateConfiguration",
                        &[("name", &name), ("value", "2000")],
                    )
                    .unwrap_err();
                assert_eq!(code(&err), 431);
                continue;
            }
            let list = kit
                .call(&admin, "listConfigurations", &[("name", &name)])
                .unwrap();
            let found = list["configuration"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["name"] == name.as_str());
            assert!(found, "{file}: {name} is not a setting");
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} settings checked");
}

#[test]
fn settings_carry_the_servers_defaults_types_and_dynamism() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let all = kit
        .call(&admin, "listConfigurations", &[("pagesize", "500")])
        .unwrap();
    assert!(all["count"].as_u64().unwrap() > 350, "{}", all["count"]);
    let one = |kit: &mut Kit, name: &str| -> Value {
        let list = kit
            .call(&admin, "listConfigurations", &[("name", name)])
            .unwrap();
        list["configuration"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    // Config.NetworkGcWait: Advanced, Integer, "600", not dynamic.
    let gc = one(&mut kit, "network.gc.wait");
    assert_eq!(
        (&gc["category"], &gc["value"], &gc["type"], &gc["isdynamic"]),
        (
            &Value::from("Advanced"),
            &Value::from("600"),
            &Value::from("Number"),
            &Value::from(false)
        )
    );
    // AgentManagerImpl.PingTimeout: Float "2.5", dynamic.
    let ping = one(&mut kit, "ping.timeout");
    assert_eq!(
        (&ping["value"], &ping["type"], &ping["isdynamic"]),
        (
            &Value::from("2.5"),
            &Value::from("Decimal"),
            &Value::from(true)
        )
    );
    // VMAllocationAlgorithm is a Select kind of String.
    assert_eq!(one(&mut kit, "vm.allocation.algorithm")["type"], "Select");
    assert_eq!(
        one(&mut kit, "guest.domain.suffix")["value"],
        "cloud.internal"
    );

    // The values Marvin's advanced.cfg sets are accepted ...
    for (name, value) in [
        ("ping.timeout", "1.5"),
        ("workers", "10"),
        ("secstorage.allowed.internal.sites", "10.147.28.0/24"),
        ("network.gc.wait", "60"),
    ] {
        let done = kit
            .call(
                &admin,
                "updateConfiguration",
                &[("name", name), ("value", value)],
            )
            .unwrap();
        assert_eq!(done["configuration"]["value"], value, "{name}");
    }
    // ... and a whole-number setting refuses what is not one, as
    // ConfigurationManagerImpl.validateConfigurationValue does.
    let err = kit
        .call(
            &admin,
            "updateConfiguration",
            &[("name", "network.gc.wait"), ("value", "soon")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "There was error in trying to parse value: soon. Please enter a valid integer value for parameter network.gc.wait"
        )
    );
}

#[test]
fn the_settings_data_is_sorted_and_unique() {
    let names: Vec<&str> = super::settings().iter().map(|s| s.0.as_str()).collect();
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "settings.json must be sorted by name without repeats"
    );
}
