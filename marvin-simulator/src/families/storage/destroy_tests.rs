//! `destroyVolume` and `recoverVolume`, as `VolumeApiServiceImpl.destroyVolume`,
//! `recoverVolume` and `retrieveAndValidateVolume` decide.

use crate::families::testkit::{Kit, code};

fn data_volume(kit: &mut Kit, who: &crate::kernel::caller::Caller) -> String {
    let (zone, offering) = (kit.id("zone"), kit.id("disk_offering_small"));
    kit.call(
        who,
        "createVolume",
        &[
            ("name", "data"),
            ("zoneid", &zone),
            ("diskofferingid", &offering),
        ],
    )
    .unwrap()["volume"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A Ready, detached data volume: attached to a new VM once, then
/// detached.
fn ready_volume(kit: &mut Kit, who: &crate::kernel::caller::Caller) -> String {
    let (zone, offering, template) = (
        kit.id("zone"),
        kit.id("service_offering_small"),
        kit.id("template"),
    );
    let vm = kit
        .call(
            who,
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .unwrap()["virtualmachine"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = data_volume(kit, who);
    kit.call(
        who,
        "attachVolume",
        &[("id", &id), ("virtualmachineid", &vm)],
    )
    .unwrap();
    kit.call(who, "detachVolume", &[("id", &id)]).unwrap();
    id
}

fn volume_count(kit: &mut Kit, account_id: &str) -> i64 {
    let admin = kit.admin();
    let listed = kit
        .call(&admin, "listAccounts", &[("id", account_id)])
        .unwrap();
    let total = &listed["account"][0]["volumetotal"];
    total
        .as_i64()
        .or_else(|| total.as_str().and_then(|t| t.parse().ok()))
        .expect("volumetotal")
}

#[test]
fn a_destroyed_volume_gives_its_count_back_and_recovers_ready() {
    let mut kit = Kit::new();
    let user = kit.account("destroyer", 0, None);
    let id = ready_volume(&mut kit, &user);
    let before = volume_count(&mut kit, &user.account_id);

    let destroyed = kit.call(&user, "destroyVolume", &[("id", &id)]).unwrap();
    assert_eq!(destroyed["volume"]["state"], "Destroy");
    assert_eq!(volume_count(&mut kit, &user.account_id), before - 1);

    let recovered = kit.call(&user, "recoverVolume", &[("id", &id)]).unwrap();
    assert_eq!(recovered["volume"]["state"], "Ready");
    assert_eq!(volume_count(&mut kit, &user.account_id), before);

    let err = kit
        .call(&user, "recoverVolume", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Please specify a volume in Destroy state.")
    );
}

#[test]
fn expunge_removes_the_volume_once_and_allocated_ones_only_expunge() {
    let mut kit = Kit::new();
    let user = kit.account("expunger", 0, None);
    let id = data_volume(&mut kit, &user);
    let before = volume_count(&mut kit, &user.account_id);

    let err = kit
        .call(&user, "destroyVolume", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "The volume in Allocated/Uploaded state can only be expunged not destroyed/recovered"
        )
    );
    // allow.user.expunge.recover.volume is true by default.
    kit.call(&user, "destroyVolume", &[("id", &id), ("expunge", "true")])
        .unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM volumes WHERE id = ?1", &id),
        0
    );
    assert_eq!(volume_count(&mut kit, &user.account_id), before - 1);

    // A Ready volume destroyed, then expunged, is counted back once.
    let ready = ready_volume(&mut kit, &user);
    let counted = volume_count(&mut kit, &user.account_id);
    kit.call(&user, "destroyVolume", &[("id", &ready)]).unwrap();
    kit.call(
        &user,
        "destroyVolume",
        &[("id", &ready), ("expunge", "true")],
    )
    .unwrap();
    assert_eq!(volume_count(&mut kit, &user.account_id), counted - 1);
}

#[test]
fn users_expunge_and_recover_only_when_the_setting_allows_it() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("limited", 0, None);
    kit.call(
        &admin,
        "updateConfiguration",
        &[
            ("name", "allow.user.expunge.recover.volume"),
            ("value", "false"),
            ("accountid", &user.account_id),
        ],
    )
    .unwrap();
    let id = ready_volume(&mut kit, &user);
    let err = kit
        .call(&user, "destroyVolume", &[("id", &id), ("expunge", "true")])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    kit.call(&user, "destroyVolume", &[("id", &id)]).unwrap();
    let err = kit
        .call(&user, "recoverVolume", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Recovering a volume can only be done by an Admin. Or when the allow.user.expunge.recover.volume key is set."
        )
    );
    kit.call(&admin, "recoverVolume", &[("id", &id)]).unwrap();
}

#[test]
fn an_attached_or_protected_volume_is_not_destroyed() {
    let mut kit = Kit::new();
    let user = kit.account("holder", 0, None);
    let id = ready_volume(&mut kit, &user);
    kit.call(
        &user,
        "updateVolume",
        &[("id", &id), ("deleteprotection", "true")],
    )
    .unwrap();
    let err = kit
        .call(&user, "destroyVolume", &[("id", &id), ("expunge", "true")])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Volume [id = {id}, name = data] has delete protection enabled and cannot be deleted."
            )
        )
    );
}
