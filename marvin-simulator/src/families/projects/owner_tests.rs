//! A project's owner and a suspended project, as CloudStack treats them
//! (`AccountManagerImpl.deleteUserAccount`, `ProjectManagerImpl.suspendProject`,
//! `UserVmManagerImpl.startVirtualMachine`).

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn the_admin_of_a_project_cannot_be_deleted_until_the_project_is_gone() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let owner = kit.account("lead", 0, None);
    let made = kit
        .call(
            &owner,
            "createProject",
            &[("name", "apollo"), ("displaytext", "Apollo")],
        )
        .unwrap();
    let project = made["project"]["id"].as_str().unwrap().to_string();
    let err = kit
        .call(&admin, "deleteAccount", &[("id", &owner.account_id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Unable to delete account [{}], because it manages the following project(s): [{project}]. \
                 Please, remove the account from these projects or demote it to a regular project role first.",
                owner.account_id
            )
        )
    );
    kit.call(&owner, "deleteProject", &[("id", &project)])
        .unwrap();
    kit.call(&admin, "deleteAccount", &[("id", &owner.account_id)])
        .unwrap();
}

#[test]
fn a_suspended_projects_vms_do_not_start() {
    let mut kit = Kit::new();
    let owner = kit.account("sleeper", 0, None);
    let made = kit
        .call(
            &owner,
            "createProject",
            &[("name", "dormant"), ("displaytext", "Dormant")],
        )
        .unwrap();
    let project = made["project"]["id"].as_str().unwrap().to_string();
    let vm = deploy(&mut kit, &owner, &[("projectid", &project)]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    kit.call(&owner, "suspendProject", &[("id", &project)])
        .unwrap();
    let listed = kit
        .call(
            &owner,
            "listVirtualMachines",
            &[("id", &id), ("projectid", &project)],
        )
        .unwrap();
    assert_eq!(listed["virtualmachine"][0]["state"], "Stopped");
    // A permission refusal inside the job (530 once the job runner has
    // it); asked by a root admin, whom no access check stops first.
    let admin = kit.admin();
    let err = kit
        .call(&admin, "startVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(
        err.text.starts_with("The owner of VM[User|") && err.text.contains("] is disabled: "),
        "{}",
        err.text
    );
}

/// A suspended project takes no new member until it is activated again:
/// `ProjectManagerImpl.addAccountToProject` refuses a project that is not
/// Active with an `InvalidParameterValueException` (431).
#[test]
fn a_suspended_project_takes_no_accounts() {
    let mut kit = Kit::new();
    let owner = kit.account("keeper", 0, None);
    kit.account("joiner", 0, None);
    let made = kit
        .call(
            &owner,
            "createProject",
            &[("name", "resting"), ("displaytext", "Resting")],
        )
        .unwrap();
    let project = made["project"]["id"].as_str().unwrap().to_string();
    kit.call(&owner, "suspendProject", &[("id", &project)])
        .unwrap();
    let join = [("projectid", project.as_str()), ("account", "joiner")];
    let err = kit.call(&owner, "addAccountToProject", &join).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Can't add account to the specified project id in state=Suspended as it's no longer active"
        )
    );
    let members = kit
        .call(&owner, "listProjectAccounts", &[("projectid", &project)])
        .unwrap();
    assert_eq!(members["count"], 1);
    kit.call(&owner, "activateProject", &[("id", &project)])
        .unwrap();
    kit.call(&owner, "addAccountToProject", &join).unwrap();
    let members = kit
        .call(&owner, "listProjectAccounts", &[("projectid", &project)])
        .unwrap();
    assert_eq!(members["count"], 2);
}

/// A member of a project acts on the project's VMs by id, as CloudStack's
/// `DomainChecker.checkAccess` allows through
/// `ProjectManagerImpl.canAccessProjectAccount`; an account outside the
/// project is refused with the checker's text (531).
#[test]
fn a_project_member_starts_and_stops_the_projects_vm_and_a_stranger_may_not() {
    let mut kit = Kit::new();
    let owner = kit.account("pilot", 0, None);
    let member = kit.account("crew", 0, None);
    let stranger = kit.account("tourist", 0, None);
    let made = kit
        .call(
            &owner,
            "createProject",
            &[("name", "gemini"), ("displaytext", "Gemini")],
        )
        .unwrap();
    let project = made["project"]["id"].as_str().unwrap().to_string();
    kit.call(
        &owner,
        "addAccountToProject",
        &[("projectid", &project), ("account", "crew")],
    )
    .unwrap();
    let vm = deploy(&mut kit, &owner, &[("projectid", &project)]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let stopped = kit
        .call(&member, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(stopped["virtualmachine"]["state"], "Stopped");
    let started = kit
        .call(&member, "startVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(started["virtualmachine"]["state"], "Running");
    let err = kit
        .call(&stranger, "stopVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            531,
            format!("Account 'tourist' does not have permission to operate with resource {id}")
        )
    );
}
