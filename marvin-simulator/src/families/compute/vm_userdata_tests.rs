//! `getVirtualMachineUserData` as `UserVmManagerImpl.getVmUserData`
//! answers: the VM's user data to whoever may access the VM.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn a_vms_user_data_is_shown_to_its_owner_and_admins_only() {
    let mut kit = Kit::new();
    let owner = kit.account("ud-owner", 0, None);
    let other = kit.account("ud-other", 0, None);
    let vm = deploy(&mut kit, &owner, &[("userdata", "aGVsbG8gd29ybGQ=")]).unwrap();
    let vm = vm["id"].as_str().unwrap().to_string();
    let shown = kit
        .call(
            &owner,
            "getVirtualMachineUserData",
            &[("virtualmachineid", &vm)],
        )
        .unwrap();
    assert_eq!(
        shown["virtualmachineuserdata"]["userdata"],
        "aGVsbG8gd29ybGQ="
    );
    assert_eq!(
        shown["virtualmachineuserdata"]["virtualmachineid"],
        vm.as_str()
    );
    let admin = kit.admin();
    kit.call(
        &admin,
        "getVirtualMachineUserData",
        &[("virtualmachineid", &vm)],
    )
    .unwrap();
    let err = kit
        .call(
            &other,
            "getVirtualMachineUserData",
            &[("virtualmachineid", &vm)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(
            &owner,
            "getVirtualMachineUserData",
            &[("virtualmachineid", "0b6d3c3a-0000-4000-8000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}
