//! `attachIso` and `detachIso` as `TemplateManagerImpl.attachIso` and
//! `TemplateManagerImpl.detachIso` answer them: the VM names its ISO until
//! it is detached, with CloudStack's refusals and `ISO.ATTACH` /
//! `ISO.DETACH` events.

use serde_json::Value;

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;

/// Registers an ISO as `who` in `zone` (`-1`: every zone), with extra
/// parameters; its id.
fn register_iso(kit: &mut Kit, who: &Caller, zone: &str, extra: &[(&str, &str)]) -> String {
    let os = kit.id("ostype_centos");
    let mut params: Vec<(&str, &str)> = vec![
        ("name", "rescue"),
        ("displaytext", "Rescue CD"),
        ("url", "http://images.example.com/rescue.iso"),
        ("zoneid", zone),
        ("ostypeid", &os),
    ];
    params.extend_from_slice(extra);
    let made = kit.call(who, "registerIso", &params).unwrap();
    made["iso"][0]["id"].as_str().unwrap().to_string()
}

fn vm_id(vm: &Value) -> String {
    vm["id"].as_str().unwrap().to_string()
}

fn attach(kit: &mut Kit, who: &Caller, iso: &str, vm: &str) -> Result<Value, crate::ApiError> {
    kit.call(who, "attachIso", &[("id", iso), ("virtualmachineid", vm)])
        .map(|answer| answer["virtualmachine"].clone())
}

fn detach(kit: &mut Kit, who: &Caller, vm: &str) -> Result<Value, crate::ApiError> {
    kit.call(who, "detachIso", &[("virtualmachineid", vm)])
        .map(|answer| answer["virtualmachine"].clone())
}

fn listed(kit: &mut Kit, who: &Caller, vm: &str) -> Value {
    kit.call(who, "listVirtualMachines", &[("id", vm)]).unwrap()["virtualmachine"][0].clone()
}

fn events(kit: &Kit, kind: &str, vm: &str) -> i64 {
    kit.count(
        &format!("SELECT COUNT(*) FROM events WHERE type = '{kind}' AND resource_id = ?1"),
        vm,
    )
}

/// `TemplateManagerImpl.attachIso` sets the VM's `iso_id`; `AttachIsoCmd`
/// answers with the VM (`UserVmResponse`: `isoid`, `isoname`,
/// `isodisplaytext`), which `listVirtualMachines` (and its `isoid` filter)
/// then shows; `detachIso` clears it. Each records its `@ActionEvent`.
#[test]
fn an_attached_iso_is_named_by_the_vm_until_it_is_detached() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let user = kit.account("iso-owner", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[]).unwrap());
    let iso = register_iso(&mut kit, &user, &zone, &[]);

    let attached = attach(&mut kit, &user, &iso, &vm).unwrap();
    assert_eq!(attached["id"], vm.as_str());
    assert_eq!(attached["isoid"], iso.as_str());
    assert_eq!(attached["isoname"], "rescue");
    assert_eq!(attached["isodisplaytext"], "Rescue CD");
    let shown = listed(&mut kit, &user, &vm);
    assert_eq!(shown["isoid"], iso.as_str());
    assert_eq!(shown["isoname"], "rescue");
    let by_iso = kit
        .call(&user, "listVirtualMachines", &[("isoid", &iso)])
        .unwrap();
    assert_eq!(by_iso["count"], 1);
    assert_eq!(events(&kit, "ISO.ATTACH", &vm), 1);

    let detached = detach(&mut kit, &user, &vm).unwrap();
    assert_eq!(detached["id"], vm.as_str());
    for field in ["isoid", "isoname", "isodisplaytext"] {
        assert!(
            detached.get(field).is_none(),
            "{field} is left after detaching"
        );
        assert!(listed(&mut kit, &user, &vm).get(field).is_none());
    }
    assert_eq!(events(&kit, "ISO.DETACH", &vm), 1);
}

/// `TemplateManagerImpl.attachIso` allows a Stopped VM as well as a Running
/// one, and attaching again replaces the ISO (it has no check for one
/// already attached: `attachISOToVM` sets `iso_id` over the old one).
#[test]
fn a_stopped_vm_takes_an_iso_and_a_second_one_replaces_it() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let user = kit.account("iso-stopped", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[("startvm", "false")]).unwrap());
    assert_eq!(listed(&mut kit, &user, &vm)["state"], "Stopped");
    let first = register_iso(&mut kit, &user, &zone, &[]);
    let second = register_iso(&mut kit, &user, &zone, &[("name", "tools")]);
    assert_eq!(
        attach(&mut kit, &user, &first, &vm).unwrap()["isoid"],
        first.as_str()
    );
    let replaced = attach(&mut kit, &user, &second, &vm).unwrap();
    assert_eq!(replaced["isoid"], second.as_str());
    assert_eq!(replaced["isoname"], "tools");
}

/// `TemplateManagerImpl.attachIso` and `detachIso`: "Please specify an
/// instance that is either Stopped or Running." (431) for any other state;
/// `detachIso` first refuses a VM with no ISO (431).
#[test]
fn a_vm_neither_running_nor_stopped_is_refused() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let user = kit.account("iso-state", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[]).unwrap());
    let iso = register_iso(&mut kit, &user, &zone, &[]);

    let err = detach(&mut kit, &user, &vm).unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "The specified instance has no ISO attached to it."
    );

    attach(&mut kit, &user, &iso, &vm).unwrap();
    kit.call(&user, "destroyVirtualMachine", &[("id", &vm)])
        .unwrap();
    let refused = "Please specify an instance that is either Stopped or Running.";
    let err = attach(&mut kit, &user, &iso, &vm).unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (431, refused));
    let err = detach(&mut kit, &user, &vm).unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (431, refused));
    assert_eq!(events(&kit, "ISO.DETACH", &vm), 0);
}

/// `TemplateManagerImpl.attachIso`: an unknown id is refused by the API
/// layer (431), a deleted ISO by "Unable to find an ISO with id" (431); on
/// a running VM, `prepareIso` refuses an image that is not an ISO, or an
/// ISO not ready in the zone: "Failed to prepare ISO ready to mount on
/// hypervisor resource level" (530).
#[test]
fn only_a_ready_iso_is_mounted_in_a_running_vm() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let template = kit.id("template");
    let user = kit.account("iso-ready", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[]).unwrap());

    let err = attach(&mut kit, &user, "0b6d3c3a-0000-4000-8000-000000000000", &vm).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.starts_with("Invalid parameter id value="),
        "{}",
        err.text
    );

    let not_mountable = "Failed to prepare ISO ready to mount on hypervisor resource level";
    let err = attach(&mut kit, &user, &template, &vm).unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (530, not_mountable));

    let downloading = register_iso(&mut kit, &user, &zone, &[]);
    kit.conn
        .execute(
            "UPDATE template_zones SET is_ready = 0, status = 'Downloading' WHERE template_id = ?1",
            [&downloading],
        )
        .unwrap();
    let err = attach(&mut kit, &user, &downloading, &vm).unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (530, not_mountable));
    assert!(listed(&mut kit, &user, &vm).get("isoid").is_none());

    let deleted = register_iso(&mut kit, &user, &zone, &[]);
    kit.call(&user, "deleteIso", &[("id", &deleted)]).unwrap();
    let err = attach(&mut kit, &user, &deleted, &vm).unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(err.text, format!("Unable to find an ISO with id {deleted}"));
    assert_eq!(events(&kit, "ISO.ATTACH", &vm), 0);
}

/// `TemplateManagerImpl.attachIso` checks the caller's and the VM owner's
/// access to the ISO (`DomainChecker.checkAccess` for a template: a
/// private image is its owner's and root admins'; a public one anyone's):
/// 531 otherwise.
#[test]
fn a_private_iso_of_another_account_is_refused() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let admin = kit.admin();
    let owner = kit.account("iso-private", 0, None);
    let other = kit.account("iso-other", 0, None);
    let private = register_iso(&mut kit, &owner, &zone, &[]);
    let vm = vm_id(&deploy(&mut kit, &other, &[]).unwrap());

    let err = attach(&mut kit, &other, &private, &vm).unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(
        err.text,
        format!(
            "Account 'iso-other' does not have permission to launch instances from Template {private}"
        )
    );
    // A root admin may use the ISO, but the VM's owner may not.
    let err = attach(&mut kit, &admin, &private, &vm).unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(err.text.starts_with("Account 'iso-other'"), "{}", err.text);

    let public = register_iso(&mut kit, &admin, &zone, &[("ispublic", "true")]);
    assert_eq!(
        attach(&mut kit, &other, &public, &vm).unwrap()["isoid"],
        public.as_str()
    );
    // The VM itself is the owner's only (531 before the ISO is looked at).
    let err = attach(&mut kit, &owner, &private, &vm).unwrap_err();
    assert_eq!(code(&err), 531);
}

/// `TemplateManagerImpl.attachIso`: "ISO is not available in the zone the
/// instance is in." (431) for an ISO registered in another zone only; a
/// cross-zone ISO is in every zone.
#[test]
fn an_iso_of_another_zone_is_refused_unless_it_is_cross_zone() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let other_zone = kit
        .call(
            &admin,
            "createZone",
            &[
                ("name", "iso-elsewhere"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "10.0.0.1"),
            ],
        )
        .unwrap()["zone"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = kit.account("iso-zone", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[]).unwrap());
    let elsewhere = register_iso(&mut kit, &admin, &other_zone, &[("ispublic", "true")]);
    let err = attach(&mut kit, &user, &elsewhere, &vm).unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "ISO is not available in the zone the instance is in."
    );

    let everywhere = register_iso(&mut kit, &admin, "-1", &[("ispublic", "true")]);
    let attached = attach(&mut kit, &user, &everywhere, &vm).unwrap();
    assert_eq!(attached["isoid"], everywhere.as_str());
}

/// `TemplateManagerImpl.deleteIso` refuses an ISO a VM has attached
/// (`templateIsDeleteable`, 431); once detached, it is deleted.
#[test]
fn an_attached_iso_is_deleted_only_once_detached() {
    let mut kit = Kit::new();
    let zone = kit.id("zone");
    let user = kit.account("iso-delete", 0, None);
    let vm = vm_id(&deploy(&mut kit, &user, &[]).unwrap());
    let iso = register_iso(&mut kit, &user, &zone, &[]);
    attach(&mut kit, &user, &iso, &vm).unwrap();
    let err = kit.call(&user, "deleteIso", &[("id", &iso)]).unwrap_err();
    assert_eq!(code(&err), 431);
    detach(&mut kit, &user, &vm).unwrap();
    kit.call(&user, "deleteIso", &[("id", &iso)]).unwrap();
}
