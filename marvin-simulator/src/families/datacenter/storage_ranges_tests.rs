//! Storage network IP ranges, as CloudStack's `StorageNetworkManagerImpl`
//! (`createIpRange`, `updateIpRange`, `deleteIpRange`, `listIpRange`)
//! behaves: its refusals are `CloudRuntimeException`s, job failures with
//! 530.

use crate::families::testkit::{Kit, code};

fn create(
    kit: &mut Kit,
    extra: &[(&str, &str)],
) -> Result<serde_json::Value, crate::kernel::error::ApiError> {
    let admin = kit.admin();
    let pod = kit.id("pod");
    let mut params = vec![
        ("podid", pod.as_str()),
        ("gateway", "172.16.0.1"),
        ("netmask", "255.255.255.0"),
        ("startip", "172.16.0.10"),
    ];
    params.extend_from_slice(extra);
    kit.call(&admin, "createStorageNetworkIpRange", &params)
        .map(|v| v["storagenetworkiprange"].clone())
}

/// `createIpRange`: a pod of a zone with a storage network, a valid
/// netmask, no overlap with the pod's addresses or its other ranges.
#[test]
fn storage_ranges_are_checked_like_cloudstack() {
    let mut kit = Kit::new();
    let err = create(&mut kit, &[("netmask", "255.0.255.0")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "Invalid netmask:255.0.255.0")
    );
    let err = create(
        &mut kit,
        &[("podid", "00000000-0000-0000-0000-000000000000")],
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "Cannot find pod 00000000-0000-0000-0000-000000000000"
    );
    let range = create(&mut kit, &[("vlan", "300"), ("endip", "172.16.0.20")]).unwrap();
    assert_eq!(range["startip"], "172.16.0.10");
    assert_eq!(range["endip"], "172.16.0.20");
    assert_eq!(range["vlan"], 300);
    assert_eq!(range["podid"], kit.id("pod").as_str());
    assert_eq!(range["zoneid"], kit.id("zone").as_str());
    assert!(range["networkid"].as_str().is_some());

    let err = create(
        &mut kit,
        &[("startip", "172.16.0.15"), ("endip", "172.16.0.30")],
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        "The Storage network Start IP and endIP address range overlap with private IP :172.16.0.10 - 172.16.0.20"
    );
    let (pod_start, pod_end): (String, String) = kit
        .conn
        .query_row(
            "SELECT start_ip, end_ip FROM pods WHERE id = ?1",
            [kit.id("pod")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let err = create(&mut kit, &[("startip", &pod_start), ("endip", &pod_start)]).unwrap_err();
    assert_eq!(
        err.text,
        format!(
            "The Storage network Start IP and endIP address range overlap with private IP :{pod_start}:{pod_end}"
        )
    );
    // A single address when endip is left out.
    let single = create(&mut kit, &[("startip", "172.16.0.50")]);
    let single = single.unwrap();
    assert_eq!(single["endip"], "172.16.0.50");
}

/// Without Storage traffic in the zone there is no storage network.
#[test]
fn storage_ranges_need_a_storage_network() {
    let mut kit = Kit::new();
    kit.conn
        .execute(
            "DELETE FROM traffic_types WHERE traffic_type = 'Storage'",
            [],
        )
        .unwrap();
    let err = create(&mut kit, &[]).unwrap_err();
    assert_eq!(code(&err), 530);
    assert_eq!(
        err.text,
        format!("Cannot find storage network in zone {}", kit.id("zone"))
    );
}

/// `updateIpRange` checks the new bounds against every range of the pod,
/// the range itself included (so bounds overlapping its old ones are
/// refused, as in CloudStack); `deleteIpRange` and `listIpRange`.
#[test]
fn storage_ranges_update_list_and_delete() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let range = create(&mut kit, &[("endip", "172.16.0.20")]).unwrap();
    let id = range["id"].as_str().unwrap().to_string();
    let err = kit
        .call(
            &admin,
            "updateStorageNetworkIpRange",
            &[("id", &id), ("endip", "172.16.0.25")],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("The Storage network Start IP and endIP address range overlap")
    );
    let moved = kit
        .call(
            &admin,
            "updateStorageNetworkIpRange",
            &[
                ("id", &id),
                ("startip", "172.16.1.10"),
                ("endip", "172.16.1.20"),
                ("netmask", "255.255.0.0"),
                ("vlan", "301"),
            ],
        )
        .unwrap()["storagenetworkiprange"]
        .clone();
    assert_eq!(moved["startip"], "172.16.1.10");
    assert_eq!(moved["netmask"], "255.255.0.0");
    assert_eq!(moved["vlan"], 301);
    let err = kit
        .call(
            &admin,
            "updateStorageNetworkIpRange",
            &[
                ("id", "00000000-0000-0000-0000-000000000000"),
                ("vlan", "1"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431, "{}", err.text);

    let pod = kit.id("pod");
    let listed = kit
        .call(&admin, "listStorageNetworkIpRange", &[("podid", &pod)])
        .unwrap();
    assert_eq!(listed["count"], 1);
    kit.call(&admin, "deleteStorageNetworkIpRange", &[("id", &id)])
        .unwrap();
    assert_eq!(
        kit.call(&admin, "listStorageNetworkIpRange", &[]).unwrap()["count"],
        0
    );
    let err = kit
        .call(&admin, "deleteStorageNetworkIpRange", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431, "{}", err.text);
}
