//! Projects tests.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn project_resources_belong_to_the_project() {
    let mut kit = Kit::new();
    let alice = kit.account("pam", 0, None);
    let bob = kit.account("pete", 0, None);
    let project = kit
        .call(
            &alice,
            "createProject",
            &[("name", "apollo"), ("displaytext", "Apollo")],
        )
        .unwrap();
    let project = &project["project"];
    assert_eq!(project["state"], "Active");
    assert_eq!(project["owner"][0]["account"], "pam");
    assert_eq!(project["vmlimit"], "20");
    let project_id = project["id"].as_str().unwrap().to_string();
    let err = kit
        .call(
            &alice,
            "createProject",
            &[("name", "apollo"), ("displaytext", "Again")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let vm = deploy(&mut kit, &alice, &[("projectid", &project_id)]).unwrap();
    assert_eq!(vm["project"], "apollo");
    assert!(vm.get("account").is_none());
    // Not in the owner's own list, but in the project's.
    assert_eq!(
        kit.call(&alice, "listVirtualMachines", &[]).unwrap()["count"],
        0
    );
    assert_eq!(
        kit.call(&alice, "listVirtualMachines", &[("projectid", &project_id)])
            .unwrap()["count"],
        1
    );
    let err = kit
        .call(&bob, "listVirtualMachines", &[("projectid", &project_id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = deploy(&mut kit, &bob, &[("projectid", &project_id)]).unwrap_err();
    assert_eq!(code(&err), 531);

    kit.call(
        &alice,
        "addAccountToProject",
        &[("projectid", &project_id), ("account", "pete")],
    )
    .unwrap();
    assert_eq!(
        kit.call(&bob, "listVirtualMachines", &[("projectid", &project_id)])
            .unwrap()["count"],
        1
    );
    let members = kit
        .call(&bob, "listProjectAccounts", &[("projectid", &project_id)])
        .unwrap();
    assert_eq!(members["count"], 2);
    let err = kit
        .call(
            &alice,
            "deleteAccountFromProject",
            &[("projectid", &project_id), ("account", "pam")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    kit.call(
        &alice,
        "deleteAccountFromProject",
        &[("projectid", &project_id), ("account", "pete")],
    )
    .unwrap();

    let suspended = kit
        .call(&alice, "suspendProject", &[("id", &project_id)])
        .unwrap();
    assert_eq!(suspended["project"]["state"], "Suspended");
    assert_eq!(
        kit.call(&alice, "listVirtualMachines", &[("projectid", &project_id)])
            .unwrap()["virtualmachine"][0]["state"],
        "Stopped"
    );
    let err = deploy(&mut kit, &alice, &[("projectid", &project_id)]).unwrap_err();
    assert_eq!(code(&err), 531);
    kit.call(&alice, "activateProject", &[("id", &project_id)])
        .unwrap();

    let err = kit
        .call(&alice, "deleteProject", &[("id", &project_id)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    kit.call(
        &alice,
        "deleteProject",
        &[("id", &project_id), ("cleanup", "true")],
    )
    .unwrap();
    assert_eq!(kit.call(&alice, "listProjects", &[]).unwrap()["count"], 0);
    assert_eq!(kit.count("SELECT COUNT(*) FROM vms WHERE 1 = ?1", "1"), 0);
}

#[test]
fn invitations_when_required() {
    let mut kit = Kit::new();
    let alice = kit.account("ina", 0, None);
    let bob = kit.account("ian", 0, None);
    let admin = kit.admin();
    kit.call(
        &admin,
        "updateConfiguration",
        &[("name", "project.invite.required"), ("value", "true")],
    )
    .unwrap();
    let project = kit
        .call(
            &alice,
            "createProject",
            &[("name", "p1"), ("displaytext", "P1")],
        )
        .unwrap();
    let project_id = project["project"]["id"].as_str().unwrap().to_string();
    kit.call(
        &alice,
        "addAccountToProject",
        &[("projectid", &project_id), ("account", "ian")],
    )
    .unwrap();
    let invitations = kit.call(&bob, "listProjectInvitations", &[]).unwrap();
    assert_eq!(invitations["count"], 1);
    assert_eq!(invitations["projectinvitation"][0]["state"], "Pending");
    assert_eq!(kit.call(&bob, "listProjects", &[]).unwrap()["count"], 0);
    kit.call(
        &bob,
        "updateProjectInvitation",
        &[("projectid", &project_id)],
    )
    .unwrap();
    assert_eq!(kit.call(&bob, "listProjects", &[]).unwrap()["count"], 1);
    let err = kit
        .call(
            &bob,
            "updateProjectInvitation",
            &[("projectid", &project_id)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}
