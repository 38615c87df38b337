//! `updateVlanIpRange`, as CloudStack's
//! `ConfigurationManagerImpl.updateVlanAndPublicIpRange` behaves.

use serde_json::Value;

use crate::families::testkit::{Kit, code};

fn count_addresses(kit: &Kit, range: &str) -> i64 {
    kit.count(
        "SELECT COUNT(*) FROM network_public_ips WHERE vlan_id = ?1",
        range,
    )
}

fn s(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// A range grows and shrinks; its address rows follow; the answer is the
/// range under `vlan`; an unknown id is 431.
#[test]
fn ranges_grow_and_shrink_with_their_addresses() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let range = kit.id("public_range");
    assert_eq!(count_addresses(&kit, &range), 253);
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", "00000000-0000-0000-0000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Please specify a valid IP range id.")
    );

    let shrunk = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[
                ("id", &range),
                ("startip", "10.0.0.10"),
                ("endip", "10.0.0.99"),
            ],
        )
        .unwrap()["vlan"]
        .clone();
    assert_eq!(shrunk["startip"], "10.0.0.10");
    assert_eq!(shrunk["endip"], "10.0.0.99");
    assert_eq!(count_addresses(&kit, &range), 90);
    let grown = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[
                ("id", &range),
                ("startip", "10.0.0.5"),
                ("endip", "10.0.0.120"),
            ],
        )
        .unwrap()["vlan"]
        .clone();
    assert_eq!(grown["endip"], "10.0.0.120");
    assert_eq!(count_addresses(&kit, &range), 116);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "VLAN.IP.RANGE.UPDATE"
        ),
        2
    );

    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[
                ("id", &range),
                ("startip", "10.0.0.50"),
                ("endip", "10.0.0.40"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Please specify a valid IP range.");
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("startip", "10.0.0.1")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "The gateway ip should not be the part of the ip range being added."
    );
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("endip", "10.0.1.5")],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("Please ensure that your end IP is in the same subnet")
    );
}

/// `checkAllocatedIpsAreWithinVlanRange` and the gateway/netmask checks:
/// addresses in use keep the range around them and its subnet.
#[test]
fn addresses_in_use_pin_the_range() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let alice = kit.account("alice", 0, None);
    let range = kit.id("public_range");
    let offering = kit.id("network_offering_isolated_sourcenat");
    let zone = kit.id("zone");
    let network = s(&kit
        .call(
            &alice,
            "createNetwork",
            &[
                ("name", "n"),
                ("displaytext", "n"),
                ("networkofferingid", &offering),
                ("zoneid", &zone),
            ],
        )
        .unwrap()["network"]["id"])
    .to_string();
    let ip = kit
        .call(&alice, "associateIpAddress", &[("networkid", &network)])
        .unwrap()["ipaddress"]["ipaddress"]
        .clone();
    let address = s(&ip).to_string();
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("startip", "10.0.0.200")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        format!(
            "The start IP address must be less than or equal to {address} which is already in use. The end IP address must be greater than or equal to {address} which is already in use. There are 1 IPs already allocated in this range."
        )
    );
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("gateway", "10.0.0.254")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Unable to change gateway to 10.0.0.254 because some IPs are in use"
    );
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("netmask", "255.255.0.0")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Unable to change netmask to 255.255.0.0 because some IPs are in use"
    );
    let err = kit
        .call(
            &admin,
            "updateVlanIpRange",
            &[("id", &range), ("startipv6", "fd00::2")],
        )
        .unwrap_err();
    assert_eq!(err.text, "IPv6 is not support in this IP range.");
    // Shrinking around the address in use is fine.
    kit.call(
        &admin,
        "updateVlanIpRange",
        &[("id", &range), ("endip", &address)],
    )
    .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM network_public_ips WHERE vlan_id = ?1 AND state != 'Free'",
            &range
        ),
        1
    );
}
