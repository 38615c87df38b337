//! Storage tests: volumes (device ids, attach/detach/delete rules, resize,
//! capacity), snapshots, policies, VM snapshots, templates.

use serde_json::Value;

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;

const GIB: i64 = 1024 * 1024 * 1024;

fn create_volume(
    kit: &mut Kit,
    who: &Caller,
    extra: &[(&str, &str)],
) -> Result<Value, crate::ApiError> {
    let zone = kit.id("zone");
    let mut params: Vec<(&str, &str)> = vec![("zoneid", &zone)];
    params.extend_from_slice(extra);
    kit.call(who, "createVolume", &params)
        .map(|v| v["volume"].clone())
}

fn pool_allocated(kit: &Kit) -> i64 {
    let pool = kit.id("storage_pool");
    kit.count(
        "SELECT allocated_bytes FROM storage_pools WHERE id = ?1",
        &pool,
    )
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

#[test]
fn create_attach_detach_delete_with_device_ids() {
    let mut kit = Kit::new();
    let user = kit.account("vera", 0, None);
    let small = kit.id("disk_offering_small");
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let vm_id = id(&vm);

    let err = create_volume(&mut kit, &user, &[("name", "x")]).unwrap_err();
    assert_eq!(code(&err), 431);
    let custom = kit.id("disk_offering_custom");
    let err = create_volume(&mut kit, &user, &[("diskofferingid", &custom)]).unwrap_err();
    assert_eq!(code(&err), 431);

    let mut volumes = Vec::new();
    for n in 0..3 {
        let name = format!("d{n}");
        let volume = create_volume(
            &mut kit,
            &user,
            &[("diskofferingid", &small), ("name", &name)],
        )
        .unwrap();
        assert_eq!(volume["state"], "Allocated");
        assert_eq!(volume["size"], 5 * GIB);
        volumes.push(id(&volume));
    }
    let before = pool_allocated(&kit);
    let mut devices = Vec::new();
    for volume in &volumes {
        let attached = kit
            .call(
                &user,
                "attachVolume",
                &[("id", volume), ("virtualmachineid", &vm_id)],
            )
            .unwrap();
        assert_eq!(attached["volume"]["state"], "Ready");
        assert_eq!(attached["volume"]["virtualmachineid"], vm_id.as_str());
        devices.push(attached["volume"]["deviceid"].as_i64().unwrap());
    }
    assert_eq!(devices, vec![1, 2, 4], "device 3 is kept for the CD-ROM");
    assert_eq!(pool_allocated(&kit), before + 3 * 5 * GIB);

    let err = kit
        .call(&user, "deleteVolume", &[("id", &volumes[1])])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Please specify a volume that is not attached to any VM."
        )
    );
    let err = kit
        .call(
            &user,
            "attachVolume",
            &[("id", &volumes[1]), ("virtualmachineid", &vm_id)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    kit.call(&user, "detachVolume", &[("id", &volumes[1])])
        .unwrap();
    let again = create_volume(&mut kit, &user, &[("diskofferingid", &small)]).unwrap();
    let attached = kit
        .call(
            &user,
            "attachVolume",
            &[("id", &id(&again)), ("virtualmachineid", &vm_id)],
        )
        .unwrap();
    assert_eq!(attached["volume"]["deviceid"], 2, "the freed id is reused");

    kit.call(&user, "deleteVolume", &[("id", &volumes[1])])
        .unwrap();
    assert_eq!(pool_allocated(&kit), before + 3 * 5 * GIB);
    let listed = kit
        .call(&user, "listVolumes", &[("virtualmachineid", &vm_id)])
        .unwrap();
    assert_eq!(listed["count"], 4);

    // ROOT detach only while the VM is stopped.
    let root = kit
        .call(
            &user,
            "listVolumes",
            &[("virtualmachineid", &vm_id), ("type", "ROOT")],
        )
        .unwrap();
    let root_id = root["volume"][0]["id"].as_str().unwrap().to_string();
    let err = kit
        .call(&user, "detachVolume", &[("id", &root_id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Root volume detach can happen only when vm is in states: Stopped or Destroyed"
        )
    );
}

#[test]
fn a_vm_takes_at_most_six_data_disks() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let small = kit.id("disk_offering_small");
    let vm = deploy(&mut kit, &admin, &[("startvm", "false")]).unwrap();
    let vm_id = id(&vm);
    for _ in 0..6 {
        let volume = create_volume(&mut kit, &admin, &[("diskofferingid", &small)]).unwrap();
        let attached = kit
            .call(
                &admin,
                "attachVolume",
                &[("id", &id(&volume)), ("virtualmachineid", &vm_id)],
            )
            .unwrap();
        assert_eq!(
            attached["volume"]["state"], "Allocated",
            "a never-started VM's disks stay Allocated"
        );
    }
    let volume = create_volume(&mut kit, &admin, &[("diskofferingid", &small)]).unwrap();
    let err = kit
        .call(
            &admin,
            "attachVolume",
            &[("id", &id(&volume)), ("virtualmachineid", &vm_id)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "The specified VM already has the maximum number of data disks (6) attached. Please specify another VM."
    );
    // Starting the VM creates every disk on storage.
    let before = pool_allocated(&kit);
    kit.call(&admin, "startVirtualMachine", &[("id", &vm_id)])
        .unwrap();
    assert_eq!(pool_allocated(&kit), before + 2 * GIB + 6 * 5 * GIB);
}

#[test]
fn volume_limits_and_resize_rules() {
    let mut kit = Kit::new();
    let user = kit.account("walt", 0, None);
    let admin = kit.admin();
    let custom = kit.id("disk_offering_custom");
    kit.call(
        &admin,
        "updateResourceLimit",
        &[
            ("resourcetype", "10"),
            ("max", "10"),
            ("account", "walt"),
            ("domainid", &user.domain_id),
        ],
    )
    .unwrap();
    let err = create_volume(
        &mut kit,
        &user,
        &[("diskofferingid", &custom), ("size", "11")],
    )
    .unwrap_err();
    assert_eq!(code(&err), 535);
    assert!(err.text.contains("'primary_storage'"), "{}", err.text);
    let volume = create_volume(
        &mut kit,
        &user,
        &[("diskofferingid", &custom), ("size", "4")],
    )
    .unwrap();
    let volume_id = id(&volume);
    let err = kit
        .call(&user, "resizeVolume", &[("id", &volume_id), ("size", "2")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        format!(
            "Going from existing size of {} to size of {} would shrink the volume.Need to sign off by supplying the \
             shrinkok parameter with value of true.",
            4 * GIB,
            2 * GIB
        )
    );
    let resized = kit
        .call(&user, "resizeVolume", &[("id", &volume_id), ("size", "8")])
        .unwrap();
    assert_eq!(resized["volume"]["size"], 8 * GIB);
    let err = kit
        .call(&user, "resizeVolume", &[("id", &volume_id), ("size", "12")])
        .unwrap_err();
    // Refused inside the job: the engine reports it with job code 530.
    assert_eq!((code(&err), err.job_code().as_u16()), (535, 530));
    kit.call(
        &user,
        "resizeVolume",
        &[("id", &volume_id), ("size", "2"), ("shrinkok", "true")],
    )
    .unwrap();
    let count: i64 = kit.count(
        "SELECT count FROM resource_counts WHERE owner_id = ?1 AND resource_type = 10",
        &user.account_id,
    );
    assert_eq!(count, 2 * GIB);
}

#[test]
fn snapshots_need_ready_volumes_and_revert_needs_a_stopped_vm() {
    let mut kit = Kit::new();
    let user = kit.account("xena", 0, None);
    let small = kit.id("disk_offering_small");
    let fresh = create_volume(&mut kit, &user, &[("diskofferingid", &small)]).unwrap();
    let err = kit
        .call(&user, "createSnapshot", &[("volumeid", &id(&fresh))])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .ends_with("is not in Ready state but Allocated. Cannot take snapshot."),
        "{}",
        err.text
    );

    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let vm_id = id(&vm);
    let root = kit
        .call(&user, "listVolumes", &[("virtualmachineid", &vm_id)])
        .unwrap();
    let root_id = root["volume"][0]["id"].as_str().unwrap().to_string();
    let snapshot = kit
        .call(&user, "createSnapshot", &[("volumeid", &root_id)])
        .unwrap();
    let snap = &snapshot["snapshot"];
    assert_eq!(snap["state"], "BackedUp");
    assert_eq!(snap["intervaltype"], "MANUAL");
    assert_eq!(snap["volumeid"], root_id.as_str());
    let snap_id = id(snap);
    assert_eq!(
        kit.call(&user, "listSnapshots", &[("volumeid", &root_id)])
            .unwrap()["count"],
        1
    );

    let err = kit
        .call(&user, "revertSnapshot", &[("id", &snap_id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "The VM the specified disk is attached to is not in the shutdown state."
        )
    );
    kit.call(&user, "stopVirtualMachine", &[("id", &vm_id)])
        .unwrap();
    kit.call(&user, "revertSnapshot", &[("id", &snap_id)])
        .unwrap();

    let from_snapshot = kit
        .call(
            &user,
            "createVolume",
            &[("snapshotid", &snap_id), ("name", "restored")],
        )
        .unwrap();
    assert_eq!(from_snapshot["volume"]["size"], 2 * GIB);

    let ostype = kit.id("ostype_centos");
    let template = kit
        .call(
            &user,
            "createTemplate",
            &[
                ("name", "mine"),
                ("displaytext", "Mine"),
                ("ostypeid", &ostype),
                ("snapshotid", &snap_id),
            ],
        )
        .unwrap();
    assert_eq!(template["template"]["isready"], true);
    assert_eq!(template["template"]["templatetype"], "USER");

    kit.call(&user, "deleteSnapshot", &[("id", &snap_id)])
        .unwrap();
    assert_eq!(kit.call(&user, "listSnapshots", &[]).unwrap()["count"], 0);
}

#[test]
fn templates_from_volumes_need_a_stopped_vm_and_can_be_extracted() {
    let mut kit = Kit::new();
    let user = kit.account("yuri", 0, None);
    let ostype = kit.id("ostype_centos");
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let vm_id = id(&vm);
    let root = kit
        .call(&user, "listVolumes", &[("virtualmachineid", &vm_id)])
        .unwrap();
    let root_id = root["volume"][0]["id"].as_str().unwrap().to_string();
    let params = [
        ("name", "golden"),
        ("displaytext", "Golden"),
        ("ostypeid", ostype.as_str()),
        ("volumeid", root_id.as_str()),
    ];
    let err = kit.call(&user, "createTemplate", &params).unwrap_err();
    assert_eq!(code(&err), 431);
    kit.call(&user, "stopVirtualMachine", &[("id", &vm_id)])
        .unwrap();
    let template = kit.call(&user, "createTemplate", &params).unwrap();
    let template_id = id(&template["template"]);
    assert_eq!(template["template"]["size"], 2 * GIB);
    assert_eq!(template["template"]["account"], "yuri");

    let deployed = deploy(&mut kit, &user, &[]);
    assert!(deployed.is_ok());
    let extracted = kit
        .call(
            &user,
            "extractTemplate",
            &[("id", &template_id), ("mode", "HTTP_DOWNLOAD")],
        )
        .unwrap();
    assert_eq!(extracted["template"]["state"], "DOWNLOAD_URL_CREATED");
    assert!(
        extracted["template"]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
}

#[test]
fn snapshot_policies_validate_their_schedule() {
    let mut kit = Kit::new();
    let user = kit.account("zoe", 0, None);
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let root = kit
        .call(&user, "listVolumes", &[("virtualmachineid", &id(&vm))])
        .unwrap();
    let root_id = root["volume"][0]["id"].as_str().unwrap().to_string();
    let base = [
        ("volumeid", root_id.as_str()),
        ("intervaltype", "DAILY"),
        ("timezone", "UTC"),
        ("maxsnaps", "3"),
    ];
    let mut bad = base.to_vec();
    bad.push(("schedule", "99:01"));
    let err = kit.call(&user, "createSnapshotPolicy", &bad).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid schedule: 99:01 for interval type: DAILY")
    );
    let mut good = base.to_vec();
    good.push(("schedule", "30:02"));
    let policy = kit.call(&user, "createSnapshotPolicy", &good).unwrap();
    assert_eq!(policy["snapshotpolicy"]["intervaltype"], 1);
    assert_eq!(policy["snapshotpolicy"]["maxsnaps"], 3);
    let listed = kit
        .call(&user, "listSnapshotPolicies", &[("volumeid", &root_id)])
        .unwrap();
    assert_eq!(listed["count"], 1);
    kit.call(
        &user,
        "deleteSnapshotPolicies",
        &[("id", &id(&policy["snapshotpolicy"]))],
    )
    .unwrap();
    assert_eq!(
        kit.call(&user, "listSnapshotPolicies", &[("volumeid", &root_id)])
            .unwrap()["count"],
        0
    );
}

#[test]
fn vm_snapshots_block_attach_and_revert_by_state() {
    let mut kit = Kit::new();
    let user = kit.account("quinn", 0, None);
    let small = kit.id("disk_offering_small");
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let vm_id = id(&vm);
    let snapshot = kit
        .call(&user, "createVMSnapshot", &[("virtualmachineid", &vm_id)])
        .unwrap();
    let snap = &snapshot["vmsnapshot"];
    assert_eq!(
        (
            snap["state"].as_str(),
            snap["type"].as_str(),
            snap["current"].as_bool()
        ),
        (Some("Ready"), Some("Disk"), Some(true))
    );
    let snap_id = id(snap);

    let volume = create_volume(&mut kit, &user, &[("diskofferingid", &small)]).unwrap();
    let err = kit
        .call(
            &user,
            "attachVolume",
            &[("id", &id(&volume)), ("virtualmachineid", &vm_id)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Unable to attach volume, please specify a VM that does not have VM snapshots"
        )
    );
    let err = kit
        .call(&user, "revertToVMSnapshot", &[("vmsnapshotid", &snap_id)])
        .unwrap_err();
    assert_eq!(
        code(&err),
        431,
        "a running VM cannot go back to a disk-only snapshot"
    );
    kit.call(&user, "stopVirtualMachine", &[("id", &vm_id)])
        .unwrap();
    let reverted = kit
        .call(&user, "revertToVMSnapshot", &[("vmsnapshotid", &snap_id)])
        .unwrap();
    assert_eq!(reverted["virtualmachine"]["id"], vm_id.as_str());
    let listed = kit
        .call(&user, "listVMSnapshot", &[("virtualmachineid", &vm_id)])
        .unwrap();
    assert_eq!(listed["vmSnapshot"][0]["id"], snap_id.as_str());
    kit.call(&user, "deleteVMSnapshot", &[("vmsnapshotid", &snap_id)])
        .unwrap();
    kit.call(
        &user,
        "attachVolume",
        &[("id", &id(&volume)), ("virtualmachineid", &vm_id)],
    )
    .unwrap();
}
