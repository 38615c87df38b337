//! Primary storage maintenance as `StorageManagerImpl` and
//! `StoragePoolAutomationImpl` run it.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

fn vm_state(kit: &Kit, id: &str) -> String {
    kit.conn
        .query_row("SELECT state FROM vms WHERE id = ?1", [id], |r| r.get(0))
        .unwrap()
}

fn pool_state(kit: &Kit, id: &str) -> String {
    kit.conn
        .query_row("SELECT state FROM storage_pools WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

/// `StoragePoolAutomationImpl.maintain` stops the running VMs with volumes
/// on the pool and `cancelMaintain` starts them again; a stopped VM stays
/// stopped. The pool goes to Maintenance and back Up.
#[test]
fn maintenance_stops_the_pools_running_vms_and_cancelling_starts_them() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("maint", 0, None);
    let running = deploy(&mut kit, &user, &[("name", "running")]).unwrap();
    let running = running["id"].as_str().unwrap().to_string();
    let stopped = deploy(&mut kit, &user, &[("name", "stopped")]).unwrap();
    let stopped = stopped["id"].as_str().unwrap().to_string();
    kit.call(&user, "stopVirtualMachine", &[("id", &stopped)])
        .unwrap();
    let pool: String = kit
        .conn
        .query_row(
            "SELECT pool_id FROM volumes WHERE vm_id = ?1 AND volume_type = 'ROOT'",
            [&running],
            |r| r.get(0),
        )
        .unwrap();

    let answer = kit
        .call(&admin, "enableStorageMaintenance", &[("id", &pool)])
        .unwrap();
    assert_eq!(answer["storagepool"]["state"], "Maintenance");
    assert_eq!(pool_state(&kit, &pool), "Maintenance");
    assert_eq!(vm_state(&kit, &running), "Stopped");
    assert_eq!(vm_state(&kit, &stopped), "Stopped");

    let answer = kit
        .call(&admin, "cancelStorageMaintenance", &[("id", &pool)])
        .unwrap();
    assert_eq!(answer["storagepool"]["state"], "Up");
    assert_eq!(vm_state(&kit, &running), "Running");
    assert_eq!(
        vm_state(&kit, &stopped),
        "Stopped",
        "only the VMs it stopped"
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM storage_pool_work WHERE pool_id = ?1",
            &pool
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1 AND state = 'Completed'",
            "MAINT.PREPARE.PS"
        ),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1 AND state = 'Completed'",
            "MAINT.CANCEL.PS"
        ),
        1
    );
}

/// `preparePrimaryStorageForMaintenance` wants an Up (or
/// ErrorInMaintenance) pool (431); `cancelPrimaryStorageForMaintenance`
/// refuses an Up pool with a `StorageUnavailableException` (a job failure,
/// 530).
#[test]
fn maintenance_refuses_pools_in_the_wrong_state() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let pool = kit.id("storage_pool");
    let err = kit
        .call(&admin, "cancelStorageMaintenance", &[("id", &pool)])
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 530);
    assert_eq!(
        err.text,
        format!(
            "Primary storage with id {pool} is not ready to complete migration, as the status is:Up"
        )
    );
    kit.call(&admin, "enableStorageMaintenance", &[("id", &pool)])
        .unwrap();
    let err = kit
        .call(&admin, "enableStorageMaintenance", &[("id", &pool)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        format!(
            "Primary storage with id {pool} is not ready for migration, as the status is:Maintenance"
        )
    );
    let disabled = kit
        .call(&admin, "cancelStorageMaintenance", &[("id", &pool)])
        .and_then(|_| {
            kit.call(
                &admin,
                "updateStoragePool",
                &[("id", &pool), ("enabled", "false")],
            )
        });
    disabled.unwrap();
    let err = kit
        .call(&admin, "enableStorageMaintenance", &[("id", &pool)])
        .unwrap_err();
    assert!(
        err.text.ends_with("as the status is:Disabled"),
        "{}",
        err.text
    );
    let missing = "9d1c6a52-0000-4000-8000-000000000000";
    let err = kit
        .call(&admin, "enableStorageMaintenance", &[("id", missing)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
}
