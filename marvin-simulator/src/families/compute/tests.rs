//! Compute tests: deploy, the state machine, capacity, limits, isolation,
//! key pairs, groups.

use serde_json::Value;

use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;

/// Deploys a VM with the seed's zone, small offering and template.
pub(crate) fn deploy(
    kit: &mut Kit,
    who: &Caller,
    extra: &[(&str, &str)],
) -> Result<Value, crate::ApiError> {
    let (zone, offering, template) = (
        kit.id("zone"),
        kit.id("service_offering_small"),
        kit.id("template"),
    );
    let mut params: Vec<(&str, &str)> = vec![
        ("zoneid", &zone),
        ("serviceofferingid", &offering),
        ("templateid", &template),
    ];
    params.extend_from_slice(extra);
    kit.call(who, "deployVirtualMachine", &params)
        .map(|v| v["virtualmachine"].clone())
}

fn list_one(kit: &mut Kit, who: &Caller, id: &str) -> Value {
    let answer = kit.call(who, "listVirtualMachines", &[("id", id)]).unwrap();
    answer["virtualmachine"][0].clone()
}

fn host_allocated(kit: &Kit, host: &str) -> (i64, i64) {
    kit.conn
        .query_row(
            "SELECT cpu_allocated, memory_allocated FROM hosts WHERE id = ?1",
            [host],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn total_allocated(kit: &Kit) -> (i64, i64) {
    kit.conn
        .query_row(
            "SELECT SUM(cpu_allocated), SUM(memory_allocated) FROM hosts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn count_of(kit: &Kit, account: &str, kind: i64) -> i64 {
    kit.conn
        .query_row(
            "SELECT COALESCE((SELECT count FROM resource_counts WHERE owner_id = ?1 AND resource_type = ?2), 0)",
            rusqlite::params![account, kind],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn deploy_runs_the_vm_with_names_volume_and_capacity() {
    let mut kit = Kit::new();
    let user = kit.account("alice", 0, None);
    let vm = deploy(
        &mut kit,
        &user,
        &[("name", "web-1"), ("displayname", "Web one")],
    )
    .unwrap();
    assert_eq!(vm["state"], "Running");
    assert_eq!(vm["name"], "web-1");
    assert_eq!(vm["displayname"], "Web one");
    assert_eq!(vm["account"], "alice");
    assert_eq!(vm["cpunumber"], 1);
    assert_eq!(vm["cpuspeed"], 500);
    assert_eq!(vm["memory"], 512);
    assert_eq!(vm["zonename"], "Sandbox-simulator");
    assert_eq!(vm["hypervisor"], "Simulator");
    assert_eq!(vm["rootdevicetype"], "ROOT");
    assert!(vm.get("hostid").is_none(), "users do not see the host");
    assert!(vm.get("password").is_none());
    let id = vm["id"].as_str().unwrap().to_string();

    let admin = kit.admin();
    let seen = list_one(&mut kit, &admin, &id);
    let instance = seen["instancename"].as_str().unwrap().to_string();
    let account_seq = kit.count("SELECT seq FROM accounts WHERE name = ?1", "alice");
    let vm_seq = kit.count("SELECT seq FROM vms WHERE id = ?1", &id);
    assert_eq!(instance, format!("i-{account_seq}-{vm_seq}-VM"));
    let host = seen["hostid"].as_str().unwrap().to_string();
    assert_eq!(host_allocated(&kit, &host), (500, 512 * 1024 * 1024));

    let root = kit
        .call(&user, "listVolumes", &[("virtualmachineid", &id)])
        .unwrap();
    assert_eq!(root["count"], 1);
    assert_eq!(root["volume"][0]["type"], "ROOT");
    assert_eq!(root["volume"][0]["deviceid"], 0);
    assert_eq!(root["volume"][0]["state"], "Ready");
    assert_eq!(root["volume"][0]["size"], 2_147_483_648_i64);
    let pool = kit.id("storage_pool");
    assert_eq!(
        kit.count(
            "SELECT allocated_bytes FROM storage_pools WHERE id = ?1",
            &pool
        ),
        2_147_483_648
    );

    assert_eq!(count_of(&kit, &user.account_id, 0), 1);
    assert_eq!(count_of(&kit, &user.account_id, 8), 1);
    assert_eq!(count_of(&kit, &user.account_id, 9), 512);
    assert_eq!(count_of(&kit, &user.account_id, 2), 1);
    assert_eq!(count_of(&kit, &user.account_id, 10), 2_147_483_648);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'VM.CREATE' AND resource_id = ?1",
            &id
        ),
        2
    );
}

#[test]
fn deploy_refusals_carry_cloudstack_codes_and_texts() {
    let mut kit = Kit::new();
    let user = kit.account("bob", 0, None);
    let err = deploy(&mut kit, &user, &[("name", "1bad")]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Invalid name. Vm name can contain ASCII letters"),
        "{}",
        err.text
    );
    let err = deploy(&mut kit, &user, &[("name", "bad-")]).unwrap_err();
    assert_eq!(code(&err), 431);
    let err = deploy(&mut kit, &user, &[("keypair", "nope")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Not all specified keyparis exist")
    );
    let host = kit.id("host");
    let err = deploy(&mut kit, &user, &[("hostid", &host)]).unwrap_err();
    assert_eq!(code(&err), 531);
    let err = deploy(&mut kit, &user, &[("userdata", "!!not base64!!")]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE account_id = ?1",
            &user.account_id
        ),
        0
    );
    assert_eq!(
        count_of(&kit, &user.account_id, 0),
        0,
        "a refused deploy counts nothing"
    );
}

#[test]
fn disabled_owner_and_unknown_template_are_refused() {
    let mut kit = Kit::new();
    let user = kit.account("carol", 0, None);
    let admin = kit.admin();
    kit.conn
        .execute(
            "UPDATE accounts SET state = 'disabled' WHERE id = ?1",
            [&user.account_id],
        )
        .unwrap();
    let err = deploy(
        &mut kit,
        &admin,
        &[("account", "carol"), ("domainid", &user.domain_id)],
    )
    .unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(
        err.text
            .starts_with("The owner of vm to deploy is disabled"),
        "{}",
        err.text
    );
    let zone = kit.id("zone");
    let offering = kit.id("service_offering_small");
    let err = kit
        .call(
            &admin,
            "deployVirtualMachine",
            &[
                ("zoneid", zone.as_str()),
                ("serviceofferingid", offering.as_str()),
                ("templateid", "0b9a64c6-0000-4000-8000-000000000000"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn no_host_fits_is_533_and_counts_nothing() {
    let mut kit = Kit::new();
    let user = kit.account("dave", 0, None);
    kit.conn
        .execute("UPDATE hosts SET memory_allocated = memory_total", [])
        .unwrap();
    let err = deploy(&mut kit, &user, &[]).unwrap_err();
    assert_eq!(code(&err), 533);
    assert!(
        err.text
            .starts_with("Unable to create a deployment for VM[User|i-"),
        "{}",
        err.text
    );
    assert_eq!(count_of(&kit, &user.account_id, 0), 0);
    // Without starting, no host is needed.
    let vm = deploy(&mut kit, &user, &[("startvm", "false")]).unwrap();
    assert_eq!(vm["state"], "Stopped");
    let volumes = kit
        .call(
            &user,
            "listVolumes",
            &[("virtualmachineid", vm["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(volumes["volume"][0]["state"], "Allocated");
}

#[test]
fn storage_exhausted_is_533() {
    let mut kit = Kit::new();
    let user = kit.account("erin", 0, None);
    kit.conn
        .execute("UPDATE storage_pools SET capacity_bytes = 536870912", [])
        .unwrap();
    let err = deploy(&mut kit, &user, &[]).unwrap_err();
    assert_eq!(code(&err), 533);
}

#[test]
fn limits_refuse_with_535_and_the_semantics_text() {
    let mut kit = Kit::new();
    let user = kit.account("frank", 0, None);
    let admin = kit.admin();
    kit.call(
        &admin,
        "updateResourceLimit",
        &[
            ("resourcetype", "0"),
            ("max", "1"),
            ("account", "frank"),
            ("domainid", &user.domain_id),
        ],
    )
    .unwrap();
    deploy(&mut kit, &user, &[]).unwrap();
    let err = deploy(&mut kit, &user, &[]).unwrap_err();
    assert_eq!(code(&err), 535);
    assert_eq!(
        err.text,
        format!(
            "Maximum number of resources of type 'user_vm' for account name=frank in domain id={} has been exceeded.",
            user.domain_id
        )
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE account_id = ?1",
            &user.account_id
        ),
        1
    );
}

#[test]
fn stop_start_reboot_follow_the_state_machine() {
    let mut kit = Kit::new();
    let user = kit.account("gina", 0, None);
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let before = total_allocated(&kit);

    let err = kit
        .call(&user, "startVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.contains("is already running"), "{}", err.text);

    let stopped = kit
        .call(&user, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(stopped["virtualmachine"]["state"], "Stopped");
    assert_eq!(
        total_allocated(&kit),
        (before.0 - 500, before.1 - 512 * 1024 * 1024)
    );
    assert_eq!(list_one(&mut kit, &user, &id)["state"], "Stopped");
    // Stopping again succeeds.
    kit.call(&user, "stopVirtualMachine", &[("id", &id)])
        .unwrap();

    let err = kit
        .call(&user, "rebootVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.ends_with("is not running, unable to reboot it"),
        "{}",
        err.text
    );

    let started = kit
        .call(&user, "startVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(started["virtualmachine"]["state"], "Running");
    assert_eq!(total_allocated(&kit), before);
    kit.call(&user, "rebootVirtualMachine", &[("id", &id)])
        .unwrap();
}

#[test]
fn start_without_capacity_is_533_and_leaves_the_vm_stopped() {
    let mut kit = Kit::new();
    let user = kit.account("hank", 0, None);
    let vm = deploy(&mut kit, &user, &[("startvm", "false")]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    kit.conn
        .execute(
            "UPDATE hosts SET cpu_allocated = cpu_number * cpu_speed",
            [],
        )
        .unwrap();
    let err = kit
        .call(&user, "startVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 533);
    assert_eq!(list_one(&mut kit, &user, &id)["state"], "Stopped");
}

#[test]
fn destroy_recover_expunge_with_counts_and_permissions() {
    let mut kit = Kit::new();
    let user = kit.account("ivy", 0, None);
    let disk = kit.id("disk_offering_small");
    let vm = deploy(&mut kit, &user, &[("diskofferingid", &disk)]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    assert_eq!(count_of(&kit, &user.account_id, 2), 2);
    let before = total_allocated(&kit);

    let err = kit
        .call(
            &user,
            "destroyVirtualMachine",
            &[("id", &id), ("expunge", "true")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(
        err.text,
        "Parameter expunge can be passed by Admin only. Or when the allow.user.expunge.recover.vm key is set."
    );
    let err = kit
        .call(&user, "expungeVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);

    let destroyed = kit
        .call(&user, "destroyVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(destroyed["virtualmachine"]["state"], "Destroyed");
    assert_eq!(
        total_allocated(&kit),
        (before.0 - 500, before.1 - 512 * 1024 * 1024)
    );
    assert_eq!(count_of(&kit, &user.account_id, 0), 0);
    assert_eq!(count_of(&kit, &user.account_id, 8), 0);
    assert_eq!(
        count_of(&kit, &user.account_id, 2),
        1,
        "the data disk still counts"
    );
    // The data disk was detached and stays Ready.
    let volumes = kit
        .call(&user, "listVolumes", &[("type", "DATADISK")])
        .unwrap();
    assert_eq!(volumes["volume"][0]["state"], "Ready");
    assert!(volumes["volume"][0].get("virtualmachineid").is_none());
    // Users do not see destroyed VMs by default; admins do.
    let listed = kit.call(&user, "listVirtualMachines", &[]).unwrap();
    assert!(
        listed
            .get("virtualmachine")
            .is_none_or(|v| v.as_array().unwrap().is_empty())
    );
    let admin = kit.admin();
    assert_eq!(list_one(&mut kit, &admin, &id)["state"], "Destroyed");

    let err = kit
        .call(&user, "recoverVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let recovered = kit
        .call(&admin, "recoverVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(recovered["virtualmachine"]["state"], "Stopped");
    assert_eq!(count_of(&kit, &user.account_id, 0), 1);
    let err = kit
        .call(&admin, "recoverVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let err = kit
        .call(&admin, "expungeVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "Please destroy vm with specified vmId before expunge")
    );
    kit.call(
        &admin,
        "destroyVirtualMachine",
        &[("id", &id), ("expunge", "true")],
    )
    .unwrap();
    assert_eq!(kit.count("SELECT COUNT(*) FROM vms WHERE id = ?1", &id), 0);
    assert_eq!(count_of(&kit, &user.account_id, 2), 1);
    let pool = kit.id("storage_pool");
    assert_eq!(
        kit.count(
            "SELECT allocated_bytes FROM storage_pools WHERE id = ?1",
            &pool
        ),
        5 * 1024 * 1024 * 1024,
        "only the detached data disk is left on the pool"
    );
}

#[test]
fn other_accounts_get_531() {
    let mut kit = Kit::new();
    let alice = kit.account("alice2", 0, None);
    let mallory = kit.account("mallory", 0, None);
    let vm = deploy(&mut kit, &alice, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    for command in [
        "stopVirtualMachine",
        "destroyVirtualMachine",
        "rebootVirtualMachine",
    ] {
        let err = kit.call(&mallory, command, &[("id", &id)]).unwrap_err();
        assert_eq!(code(&err), 531, "{command}");
    }
    let listed = kit
        .call(&mallory, "listVirtualMachines", &[("id", &id)])
        .unwrap();
    assert!(
        listed
            .get("virtualmachine")
            .is_none_or(|v| v.as_array().unwrap().is_empty())
    );
}

#[test]
fn change_service_and_scale_rules() {
    let mut kit = Kit::new();
    let user = kit.account("jack", 0, None);
    let medium = kit.id("service_offering_medium");
    let small = kit.id("service_offering_small");
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let err = kit
        .call(
            &user,
            "changeServiceForVirtualMachine",
            &[("id", &id), ("serviceofferingid", &medium)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains("make sure the virtual machine is stopped"),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &user,
            "scaleVirtualMachine",
            &[("id", &id), ("serviceofferingid", &medium)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Dynamically scaling virtual machines is disabled for this zone, please contact your admin."
        )
    );
    kit.call(&user, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    let err = kit
        .call(
            &user,
            "changeServiceForVirtualMachine",
            &[("id", &id), ("serviceofferingid", &small)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.starts_with("Not upgrading vm"), "{}", err.text);
    let changed = kit
        .call(
            &user,
            "changeServiceForVirtualMachine",
            &[("id", &id), ("serviceofferingid", &medium)],
        )
        .unwrap();
    assert_eq!(
        changed["virtualmachine"]["serviceofferingname"],
        "Medium Instance"
    );
    assert_eq!(changed["virtualmachine"]["memory"], 1024);
    assert_eq!(count_of(&kit, &user.account_id, 9), 1024);
}

#[test]
fn migrate_moves_capacity_between_hosts() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let vm = deploy(&mut kit, &admin, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let from = vm["hostid"].as_str().unwrap().to_string();
    let to = if from == kit.id("host") {
        kit.id("host2")
    } else {
        kit.id("host")
    };
    let err = kit
        .call(
            &admin,
            "migrateVirtualMachine",
            &[("virtualmachineid", &id), ("hostid", &from)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let moved = kit
        .call(
            &admin,
            "migrateVirtualMachine",
            &[("virtualmachineid", &id), ("hostid", &to)],
        )
        .unwrap();
    assert_eq!(moved["virtualmachine"]["hostid"], to.as_str());
    assert_eq!(host_allocated(&kit, &from), (0, 0));
    assert_eq!(host_allocated(&kit, &to), (500, 512 * 1024 * 1024));
    kit.call(&admin, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    let err = kit
        .call(
            &admin,
            "migrateVirtualMachine",
            &[("virtualmachineid", &id), ("hostid", &from)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "VM is not Running, unable to migrate the vm with specified id"
        )
    );
}

#[test]
fn anti_affinity_spreads_and_then_refuses() {
    let mut kit = Kit::new();
    let user = kit.account("kate", 0, None);
    let group = kit
        .call(
            &user,
            "createAffinityGroup",
            &[("name", "spread"), ("type", "host anti-affinity")],
        )
        .unwrap();
    assert_eq!(group["affinitygroup"]["type"], "host anti-affinity");
    let admin = kit.admin();
    let mut hosts = Vec::new();
    for _ in 0..2 {
        let vm = deploy(&mut kit, &user, &[("affinitygroupnames", "spread")]).unwrap();
        hosts.push(list_one(&mut kit, &admin, vm["id"].as_str().unwrap())["hostid"].clone());
        assert_eq!(vm["affinitygroup"][0]["name"], "spread");
    }
    assert_ne!(hosts[0], hosts[1]);
    let err = deploy(&mut kit, &user, &[("affinitygroupnames", "spread")]).unwrap_err();
    assert_eq!(code(&err), 533);
    let listed = kit
        .call(&user, "listAffinityGroups", &[("name", "spread")])
        .unwrap();
    assert_eq!(
        listed["affinitygroup"][0]["virtualmachineIds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn ssh_key_pairs_create_register_list_delete() {
    let mut kit = Kit::new();
    let user = kit.account("leo", 0, None);
    let created = kit
        .call(&user, "createSSHKeyPair", &[("name", "k1")])
        .unwrap();
    let private = created["keypair"]["privatekey"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    let fingerprint = created["keypair"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fingerprint.split(':').count(), 16);
    let err = kit
        .call(&user, "createSSHKeyPair", &[("name", "k1")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let listed = kit.call(&user, "listSSHKeyPairs", &[]).unwrap();
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["sshkeypair"][0]["fingerprint"], fingerprint.as_str());
    assert!(listed["sshkeypair"][0].get("privatekey").is_none());

    let public: String = kit
        .conn
        .query_row(
            "SELECT public_key FROM ssh_keypairs WHERE name = 'k1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let err = kit
        .call(
            &user,
            "registerSSHKeyPair",
            &[("name", "k2"), ("publickey", &public)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431, "the same key twice");
    let err = kit
        .call(
            &user,
            "registerSSHKeyPair",
            &[("name", "k3"), ("publickey", "ssh-rsa nonsense")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Public key is invalid")
    );
    let other = crate::families::compute::keypairs::generate("x").0;
    let registered = kit
        .call(
            &user,
            "registerSSHKeyPair",
            &[("name", "k2"), ("publickey", &other)],
        )
        .unwrap();
    assert_eq!(registered["keypair"]["name"], "k2");

    let vm = deploy(&mut kit, &user, &[("keypairs", "k1,k2")]).unwrap();
    assert_eq!(vm["keypairs"], "k1,k2");
    kit.call(&user, "deleteSSHKeyPair", &[("name", "k2")])
        .unwrap();
    let err = kit
        .call(&user, "deleteSSHKeyPair", &[("name", "k2")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn reset_password_and_ssh_key_need_a_stopped_vm() {
    let mut kit = Kit::new();
    let user = kit.account("mia", 0, None);
    kit.call(&user, "createSSHKeyPair", &[("name", "k")])
        .unwrap();
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let err = kit
        .call(&user, "resetPasswordForVirtualMachine", &[("id", &id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Fail to reset password for the virtual machine, the template is not password enabled"
        )
    );
    let err = kit
        .call(
            &user,
            "resetSSHKeyForVirtualMachine",
            &[("id", &id), ("keypair", "k")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.ends_with("should be stopped to do SSH Key reset"),
        "{}",
        err.text
    );
    kit.call(&user, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    let reset = kit
        .call(
            &user,
            "resetSSHKeyForVirtualMachine",
            &[("id", &id), ("keypair", "k")],
        )
        .unwrap();
    assert_eq!(reset["virtualmachine"]["keypairs"], "k");

    let template = kit.id("template");
    kit.conn
        .execute(
            "UPDATE templates SET password_enabled = 1 WHERE id = ?1",
            [&template],
        )
        .unwrap();
    let reset = kit
        .call(&user, "resetPasswordForVirtualMachine", &[("id", &id)])
        .unwrap();
    assert_eq!(
        reset["virtualmachine"]["password"].as_str().unwrap().len(),
        6
    );
    let started = deploy(&mut kit, &user, &[]).unwrap();
    assert!(
        started["password"].is_string(),
        "a password-enabled template gives a password on deploy"
    );
}

#[test]
fn instance_groups_and_list_filters() {
    let mut kit = Kit::new();
    let user = kit.account("ned", 0, None);
    let a = deploy(&mut kit, &user, &[("name", "alpha"), ("group", "web")]).unwrap();
    let b = deploy(&mut kit, &user, &[("name", "beta"), ("startvm", "false")]).unwrap();
    assert_eq!(a["group"], "web");
    let groups = kit.call(&user, "listInstanceGroups", &[]).unwrap();
    assert_eq!(groups["count"], 1);
    let group_id = groups["instancegroup"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = kit
        .call(&user, "createInstanceGroup", &[("name", "web")])
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let by_group = kit
        .call(&user, "listVirtualMachines", &[("groupid", &group_id)])
        .unwrap();
    assert_eq!(by_group["count"], 1);
    let by_state = kit
        .call(&user, "listVirtualMachines", &[("state", "Stopped")])
        .unwrap();
    assert_eq!(by_state["virtualmachine"][0]["id"], b["id"]);
    let by_keyword = kit
        .call(&user, "listVirtualMachines", &[("keyword", "alp")])
        .unwrap();
    assert_eq!(by_keyword["count"], 1);
    let ids = format!(
        "{},{}",
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap()
    );
    let by_ids = kit
        .call(&user, "listVirtualMachines", &[("ids", &ids)])
        .unwrap();
    assert_eq!(by_ids["count"], 2);
    let page = kit
        .call(
            &user,
            "listVirtualMachines",
            &[("page", "2"), ("pagesize", "1")],
        )
        .unwrap();
    assert_eq!(
        (
            page["count"].as_i64(),
            page["virtualmachine"][0]["id"].clone()
        ),
        (Some(2), b["id"].clone())
    );

    kit.call(&user, "deleteInstanceGroup", &[("id", &group_id)])
        .unwrap();
    let after = list_one(&mut kit, &user, a["id"].as_str().unwrap());
    assert!(after.get("group").is_none());
}

#[test]
fn deleting_an_account_gives_capacity_back() {
    let mut kit = Kit::new();
    let user = kit.account("olga", 0, None);
    let admin = kit.admin();
    let before = total_allocated(&kit);
    deploy(&mut kit, &user, &[]).unwrap();
    deploy(&mut kit, &user, &[]).unwrap();
    assert_ne!(total_allocated(&kit), before);
    kit.call(&admin, "deleteAccount", &[("id", &user.account_id)])
        .unwrap();
    assert_eq!(total_allocated(&kit), before);
    assert_eq!(
        kit.count(
            "SELECT COALESCE(SUM(allocated_bytes), 0) FROM storage_pools WHERE 1 = ?1",
            "1"
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM volumes WHERE account_id = ?1",
            &user.account_id
        ),
        0
    );
    let root = kit.id("root_domain");
    assert_eq!(count_of(&kit, &root, 0), 0, "domain counts follow");
}

#[test]
fn vms_get_nics_through_the_network_seam() {
    let mut kit = Kit::new();
    let user = kit.account("nina", 0, None);
    let vm = deploy(&mut kit, &user, &[("name", "web")]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let nic = &vm["nic"][0];
    assert_eq!(nic["isdefault"], true);
    assert!(nic["ipaddress"].is_string(), "{vm}");
    assert_eq!(vm["ipaddress"], nic["ipaddress"]);
    let network = nic["networkid"].as_str().unwrap().to_string();
    let by_network = kit
        .call(&user, "listVirtualMachines", &[("networkid", &network)])
        .unwrap();
    assert_eq!(by_network["count"], 1);
    let nics = kit
        .call(&user, "listNics", &[("virtualmachineid", &id)])
        .unwrap();
    assert_eq!(nics["count"], 1);
    // The same host name is refused in the same network.
    let err = deploy(&mut kit, &user, &[("name", "web")]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("The vm with hostName web already exists in the network domain"),
        "{}",
        err.text
    );
    let admin = kit.admin();
    kit.call(
        &admin,
        "destroyVirtualMachine",
        &[("id", &id), ("expunge", "true")],
    )
    .unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM nics WHERE vm_id = ?1", &id),
        0
    );
}

#[test]
fn an_unavailable_template_is_refused() {
    let mut kit = Kit::new();
    let user = kit.account("tara", 0, None);
    let template = kit.id("template");
    kit.conn
        .execute(
            "UPDATE templates SET state = 'Inactive' WHERE id = ?1",
            [&template],
        )
        .unwrap();
    let err = deploy(&mut kit, &user, &[]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.clone()),
        (
            431,
            format!("The template {template} is not available for use")
        )
    );
}

#[test]
fn running_vms_scale_up_when_the_zone_allows_it() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("sam", 0, None);
    let zone = kit.id("zone");
    let medium = kit.id("service_offering_medium");
    kit.call(
        &admin,
        "updateConfiguration",
        &[
            ("name", "enable.dynamic.scale.vm"),
            ("value", "true"),
            ("zoneid", &zone),
        ],
    )
    .unwrap();
    let template = kit.id("template");
    kit.conn
        .execute(
            "UPDATE templates SET is_dynamically_scalable = 1 WHERE id = ?1",
            [&template],
        )
        .unwrap();
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let before = total_allocated(&kit);
    let scaled = kit
        .call(
            &user,
            "scaleVirtualMachine",
            &[("id", &id), ("serviceofferingid", &medium)],
        )
        .unwrap();
    assert_eq!(scaled["virtualmachine"]["cpuspeed"], 1000);
    assert_eq!(
        total_allocated(&kit),
        (before.0 + 500, before.1 + 512 * 1024 * 1024)
    );
    let small = kit.id("service_offering_small");
    let err = kit
        .call(
            &user,
            "scaleVirtualMachine",
            &[("id", &id), ("serviceofferingid", &small)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("While the VM is running, only scalling up it is supported."),
        "{}",
        err.text
    );
}

#[test]
fn restore_gives_a_fresh_root_volume_and_update_changes_names() {
    let mut kit = Kit::new();
    let user = kit.account("rita", 0, None);
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    let root = |kit: &mut Kit| {
        kit.call(
            &user,
            "listVolumes",
            &[("virtualmachineid", &id), ("type", "ROOT")],
        )
        .unwrap()["volume"][0]["id"]
            .clone()
    };
    let old = root(&mut kit);
    let restored = kit
        .call(&user, "restoreVirtualMachine", &[("virtualmachineid", &id)])
        .unwrap();
    assert_eq!(restored["virtualmachine"]["state"], "Running");
    assert_ne!(root(&mut kit), old);
    let pool = kit.id("storage_pool");
    assert_eq!(
        kit.count(
            "SELECT allocated_bytes FROM storage_pools WHERE id = ?1",
            &pool
        ),
        2 * 1024 * 1024 * 1024
    );

    let updated = kit
        .call(
            &user,
            "updateVirtualMachine",
            &[
                ("id", &id),
                ("displayname", "Shiny"),
                ("details[0].foo", "bar"),
            ],
        )
        .unwrap();
    assert_eq!(updated["virtualmachine"]["displayname"], "Shiny");
    assert_eq!(updated["virtualmachine"]["details"]["foo"], "bar");
    let err = kit
        .call(
            &user,
            "updateVirtualMachine",
            &[("id", &id), ("name", "-bad")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn disabling_an_account_stops_its_vms() {
    let mut kit = Kit::new();
    let user = kit.account("dora", 0, None);
    let admin = kit.admin();
    let before = total_allocated(&kit);
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    kit.call(
        &admin,
        "disableAccount",
        &[("id", &user.account_id), ("lock", "false")],
    )
    .unwrap();
    assert_eq!(total_allocated(&kit), before);
    assert_eq!(
        list_one(&mut kit, &admin, vm["id"].as_str().unwrap())["state"],
        "Stopped"
    );
    let err = kit
        .call(
            &admin,
            "startVirtualMachine",
            &[("id", vm["id"].as_str().unwrap())],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531, "the owner is disabled");
}

#[test]
fn a_chosen_address_goes_on_the_default_nic() {
    let mut kit = Kit::new();
    let user = kit.account("ada", 0, None);
    let first = deploy(&mut kit, &user, &[]).unwrap();
    let network = first["nic"][0]["networkid"].as_str().unwrap().to_string();
    let second = deploy(
        &mut kit,
        &user,
        &[("networkids", &network), ("ipaddress", "10.1.1.50")],
    )
    .unwrap();
    assert_eq!(second["nic"][0]["ipaddress"], "10.1.1.50");
    let third = deploy(
        &mut kit,
        &user,
        &[
            ("iptonetworklist[0].networkid", &network),
            ("iptonetworklist[0].ip", "10.1.1.51"),
        ],
    )
    .unwrap();
    assert_eq!(third["ipaddress"], "10.1.1.51");
    let err = deploy(
        &mut kit,
        &user,
        &[("networkids", &network), ("ipaddress", "10.1.1.50")],
    )
    .unwrap_err();
    assert!(matches!(code(&err), 431 | 533), "{err:?}");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE account_id = ?1",
            &user.account_id
        ),
        3
    );
}

/// A custom offering (CPU, speed and memory chosen at deploy time).
fn custom_offering(kit: &mut Kit) -> String {
    let admin = kit.admin();
    kit.call(
        &admin,
        "createServiceOffering",
        &[("name", "Custom"), ("displaytext", "Custom")],
    )
    .unwrap()["serviceoffering"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn custom_details<'a>(
    cpu: &'a str,
    speed: &'a str,
    memory: &'a str,
) -> [(&'static str, &'a str); 3] {
    [
        ("details[0].cpuNumber", cpu),
        ("details[0].cpuSpeed", speed),
        ("details[0].memory", memory),
    ]
}

// CloudStack reads custom values with NumbersUtil.parseInt (a 32-bit
// Integer.parseInt that falls back to -1), then range-checks them:
// UserVmManagerImpl.validateCustomParameters, 431 with these texts.
#[test]
fn custom_values_beyond_32_bits_are_refused_with_cloudstacks_texts() {
    let mut kit = Kit::new();
    let custom = custom_offering(&mut kit);
    let user = kit.account("otto", 0, None);
    let admin = kit.admin();
    let before = total_allocated(&kit);
    let huge = "4611686018427387904"; // 2^62
    let cases = [
        (
            custom_details(huge, "1000", "512"),
            "Invalid cpu cores value, specify a value between 1 and 2147483647",
        ),
        (
            custom_details("2147483648", "1000", "512"),
            "Invalid cpu cores value, specify a value between 1 and 2147483647",
        ),
        (
            custom_details("2", huge, "512"),
            "Invalid cpu speed value, specify a value between 1 and 2147483647",
        ),
        (
            custom_details("2", "1000", huge),
            "Invalid memory value, specify a value between 32 and 2147483647",
        ),
        (
            custom_details("2", "1000", "16"),
            "Invalid memory value, specify a value between 32 and 2147483647",
        ),
    ];
    // The root admin has no limits to stop the values first.
    for who in [&user, &admin] {
        for (details, text) in &cases {
            let mut params = vec![("serviceofferingid", custom.as_str())];
            params.extend_from_slice(details);
            let err = deploy(&mut kit, who, &params).unwrap_err();
            assert_eq!((code(&err), err.text.as_str()), (431, *text), "{details:?}");
        }
    }
    assert_eq!(total_allocated(&kit), before, "nothing was placed");
    assert_eq!(count_of(&kit, &admin.account_id, 8), 0, "no CPU counted");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE service_offering_id = ?1",
            &custom
        ),
        0
    );

    // A custom offering without any value is refused the same way.
    let err = deploy(&mut kit, &user, &[("serviceofferingid", &custom)]).unwrap_err();
    assert_eq!(
        err.text,
        "Need to specify custom parameter values cpu, cpu speed and memory when using custom offering"
    );
}

#[test]
fn the_largest_custom_values_are_counted_exactly_and_never_overflow() {
    let mut kit = Kit::new();
    let custom = custom_offering(&mut kit);
    let admin = kit.admin();
    let max = "2147483647";
    let mut params = vec![("serviceofferingid", custom.as_str()), ("startvm", "false")];
    params.extend_from_slice(&custom_details(max, max, max));
    let vm = deploy(&mut kit, &admin, &params).unwrap();
    assert_eq!(vm["state"], "Stopped");
    assert_eq!(vm["cpunumber"], 2_147_483_647_i64);
    assert_eq!(count_of(&kit, &admin.account_id, 8), 2_147_483_647);
    assert_eq!(count_of(&kit, &admin.account_id, 9), 2_147_483_647);
    // (2^31-1)^2 MHz fits no host: a CloudStack-shaped 533, no wrap-around.
    let before = total_allocated(&kit);
    let err = kit
        .call(
            &admin,
            "startVirtualMachine",
            &[("id", vm["id"].as_str().unwrap())],
        )
        .unwrap_err();
    assert_eq!(code(&err), 533, "{err:?}");
    assert_eq!(total_allocated(&kit), before);
}

#[test]
fn changing_to_a_custom_offering_checks_its_values_the_same_way() {
    let mut kit = Kit::new();
    let custom = custom_offering(&mut kit);
    let user = kit.account("olga", 0, None);
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    kit.call(&user, "stopVirtualMachine", &[("id", &id)])
        .unwrap();
    for command in ["changeServiceForVirtualMachine", "scaleVirtualMachine"] {
        let mut params = vec![("id", id.as_str()), ("serviceofferingid", custom.as_str())];
        params.extend_from_slice(&custom_details("4611686018427387904", "1000", "512"));
        let err = kit.call(&user, command, &params).unwrap_err();
        assert_eq!(
            (code(&err), err.text.as_str()),
            (
                431,
                "Invalid cpu cores value, specify a value between 1 and 2147483647"
            ),
            "{command}"
        );
    }
    assert_eq!(
        count_of(&kit, &user.account_id, 8),
        1,
        "the count is unchanged"
    );
    let mut params = vec![("id", id.as_str()), ("serviceofferingid", custom.as_str())];
    params.extend_from_slice(&custom_details("4", "2000", "2048"));
    let changed = kit
        .call(&user, "changeServiceForVirtualMachine", &params)
        .unwrap();
    assert_eq!(changed["virtualmachine"]["cpunumber"], 4);
    assert_eq!(count_of(&kit, &user.account_id, 8), 4);
    assert_eq!(count_of(&kit, &user.account_id, 9), 2048);
}

// validateCustomParameters: a value the offering fixes may not be given.
#[test]
fn a_value_the_offering_fixes_is_not_customizable() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let offering = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", "Fixed speed"),
                ("displaytext", "Fixed speed"),
                ("customized", "true"),
                ("cpunumber", "1"),
                ("cpuspeed", "1500"),
                ("memory", "512"),
            ],
        )
        .unwrap()["serviceoffering"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = kit.account("fritz", 0, None);
    let mut params = vec![("serviceofferingid", offering.as_str())];
    params.extend_from_slice(&custom_details("2", "2000", "1024"));
    let err = deploy(&mut kit, &user, &params).unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "The cpu speed of this offering id:{offering} is not customizable. This is predefined in the template."
            )
        )
    );
    let vm = deploy(
        &mut kit,
        &user,
        &[
            ("serviceofferingid", &offering),
            ("details[0].cpuNumber", "2"),
            ("details[0].memory", "1024"),
        ],
    )
    .unwrap();
    assert_eq!(
        (
            vm["cpunumber"].as_i64(),
            vm["cpuspeed"].as_i64(),
            vm["memory"].as_i64()
        ),
        (Some(2), Some(1500), Some(1024))
    );
}

// UserVmManagerImpl.configureCustomRootDiskSize and
// VolumeApiServiceImpl.validateVolumeSizeInBytes: at most
// storage.max.volume.size (2000 GB), the size written by
// NumbersUtil.toReadableSize (semantics §2.3).
#[test]
fn a_root_disk_beyond_the_largest_volume_is_refused_without_overflow() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let err = deploy(&mut kit, &admin, &[("rootdisksize", "2001")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Requested volume size is 1.9541 TB, but the maximum size allowed is 2000 GB."
        )
    );
    // 2^53 GiB does not fit 64 bits in bytes: still the same refusal.
    let err = deploy(&mut kit, &admin, &[("rootdisksize", "9007199254740992")]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.starts_with("Requested volume size is ")
            && err
                .text
                .ends_with(", but the maximum size allowed is 2000 GB."),
        "{}",
        err.text
    );
    let vm = deploy(&mut kit, &admin, &[("rootdisksize", "2000")]).unwrap();
    let root = kit
        .call(
            &admin,
            "listVolumes",
            &[("virtualmachineid", vm["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(root["volume"][0]["size"], 2000_i64 * 1024 * 1024 * 1024);
}
