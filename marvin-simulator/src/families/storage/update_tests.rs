//! Delete protection of VMs and volumes and `updateVolume`, as
//! `UserVmManagerImpl.destroyVm`, `VolumeApiServiceImpl.deleteVolume` and
//! `VolumeApiServiceImpl.updateVolume` behave.

use crate::families::testkit::{Kit, code};

fn deploy(kit: &mut Kit, who: &crate::kernel::caller::Caller) -> serde_json::Value {
    let (zone, offering, template) = (
        kit.id("zone"),
        kit.id("service_offering_small"),
        kit.id("template"),
    );
    kit.call(
        who,
        "deployVirtualMachine",
        &[
            ("zoneid", &zone),
            ("serviceofferingid", &offering),
            ("templateid", &template),
        ],
    )
    .unwrap()["virtualmachine"]
        .clone()
}

#[test]
fn a_protected_vm_is_not_destroyed_until_its_protection_is_off() {
    let mut kit = Kit::new();
    let user = kit.account("keeper", 0, None);
    let vm = deploy(&mut kit, &user);
    let id = vm["id"].as_str().unwrap().to_string();
    assert_eq!(vm["deleteprotection"], false);
    let updated = kit
        .call(
            &user,
            "updateVirtualMachine",
            &[("id", &id), ("deleteprotection", "true")],
        )
        .unwrap();
    assert_eq!(updated["virtualmachine"]["deleteprotection"], true);
    let err = kit
        .call(&user, "destroyVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Instance [id = {id}, name = {}] has delete protection enabled and cannot be deleted.",
                vm["name"].as_str().unwrap()
            )
        )
    );
    kit.call(
        &user,
        "updateVirtualMachine",
        &[("id", &id), ("deleteprotection", "false")],
    )
    .unwrap();
    let destroyed = kit
        .call(&user, "destroyVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(destroyed["virtualmachine"]["state"], "Destroyed");
}

#[test]
fn a_protected_volume_is_not_deleted_and_users_may_only_rename_and_protect() {
    let mut kit = Kit::new();
    let user = kit.account("vols", 0, None);
    let admin = kit.admin();
    let (zone, offering) = (kit.id("zone"), kit.id("disk_offering_small"));
    let made = kit
        .call(
            &user,
            "createVolume",
            &[
                ("name", "data"),
                ("zoneid", &zone),
                ("diskofferingid", &offering),
            ],
        )
        .unwrap();
    let id = made["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(made["volume"]["deleteprotection"], false);

    let updated = kit
        .call(
            &user,
            "updateVolume",
            &[("id", &id), ("deleteprotection", "true"), ("name", "kept")],
        )
        .unwrap();
    assert_eq!(updated["volume"]["deleteprotection"], true);
    assert_eq!(updated["volume"]["name"], "kept");
    let err = kit.call(&user, "deleteVolume", &[("id", &id)]).unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Volume [id = {id}, name = kept] has delete protection enabled and cannot be deleted."
            )
        )
    );

    // Only root admins change the rest.
    let err = kit
        .call(
            &user,
            "updateVolume",
            &[("id", &id), ("displayvolume", "false")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "The domain admin and normal user are not allowed to update volume except volume name & delete protection"
        )
    );
    let err = kit
        .call(
            &admin,
            "updateVolume",
            &[("id", &id), ("state", "Sleeping")],
        )
        .unwrap_err();
    assert_eq!(err.text, "Invalid volume state specified");
    let hidden = kit
        .call(
            &admin,
            "updateVolume",
            &[("id", &id), ("displayvolume", "false")],
        )
        .unwrap();
    assert_eq!(hidden["volume"]["displayvolume"], false);

    kit.call(
        &user,
        "updateVolume",
        &[("id", &id), ("deleteprotection", "false")],
    )
    .unwrap();
    kit.call(&user, "deleteVolume", &[("id", &id)]).unwrap();
}

#[test]
fn destroying_a_vm_with_a_protected_data_volume_is_refused() {
    let mut kit = Kit::new();
    let user = kit.account("mixed", 0, None);
    let vm = deploy(&mut kit, &user);
    let vm_id = vm["id"].as_str().unwrap().to_string();
    let (zone, offering) = (kit.id("zone"), kit.id("disk_offering_small"));
    let made = kit
        .call(
            &user,
            "createVolume",
            &[
                ("name", "attached"),
                ("zoneid", &zone),
                ("diskofferingid", &offering),
            ],
        )
        .unwrap();
    let volume = made["volume"]["id"].as_str().unwrap().to_string();
    kit.call(
        &user,
        "attachVolume",
        &[("id", &volume), ("virtualmachineid", &vm_id)],
    )
    .unwrap();
    kit.call(
        &user,
        "updateVolume",
        &[("id", &volume), ("deleteprotection", "true")],
    )
    .unwrap();
    let err = kit
        .call(
            &user,
            "destroyVirtualMachine",
            &[("id", &vm_id), ("volumeids", &volume)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Volume [id = {volume}, name = attached] has delete protection enabled and cannot be deleted"
            )
        )
    );
}
