//! Primary storage maintenance: `enableStorageMaintenance` and
//! `cancelStorageMaintenance` (`StorageManagerImpl.preparePrimaryStorageForMaintenance`
//! and `cancelPrimaryStorageForMaintenance`, `StoragePoolAutomationImpl`).
//!
//! Entering maintenance stops the user VMs that are running (or starting,
//! or stopping) with a volume on the pool and remembers them; leaving it
//! starts those VMs again (when they still have a ROOT volume). The pool
//! goes Up → PrepareForMaintenance → Maintenance, and back to Up; without
//! an Up host that mounts it, straight to Maintenance with no VM touched.

use rusqlite::params;

use crate::families::compute::api::lifecycle;
use crate::families::compute::api::vm;
use crate::families::datacenter::api as datacenter;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;

fn pool(call: &Call<'_>) -> Result<datacenter::PoolPlace, ApiError> {
    let id = call.required("id")?;
    datacenter::pool_place(call.tx, id)?.ok_or_else(|| ApiError::invalid_id("id", id))
}

fn reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "storagepool",
        value: datacenter::pool_json(call, id)?,
    })
}

/// `enableStorageMaintenance` (async).
pub(crate) fn enable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let pool_id = pool(call)?.id;
    let id = pool_id.clone();
    let event = format!("Preparing storage pool with ID: {id} for maintenance");
    Ok(Reply::Job(
        Job::on("StoragePool", pool_id, Box::new(move |call: &mut Call<'_>| {
            let pool = datacenter::pool_place(call.tx, &id)?
                .ok_or_else(|| ApiError::invalid_id("id", &id))?;
            if let Some(other) = datacenter::pool_preparing_beside(call.tx, &pool)? {
                return Err(ApiError::internal(format!(
                    "Only one storage pool in a cluster can be in PrepareForMaintenance mode, {other} is already \
                     in  PrepareForMaintenance mode "
                )));
            }
            if pool.state != "Up" && pool.state != "ErrorInMaintenance" {
                return Err(ApiError::param(format!(
                    "Primary storage with id {id} is not ready for migration, as the status is:{}",
                    pool.state
                )));
            }
            if datacenter::pool_has_up_hosts(call.tx, &pool)? {
                datacenter::set_pool_state(call.tx, &id, "PrepareForMaintenance")?;
                for vm_id in vms_on(call, &id)? {
                    let Some(vm) = vm::find(call, &vm_id)? else {
                        continue;
                    };
                    if matches!(vm.state.as_str(), "Running" | "Starting" | "Stopping") {
                        lifecycle::stop_now(call, &vm)?;
                        call.tx.execute(
                            "INSERT OR IGNORE INTO storage_pool_work (pool_id, vm_id) VALUES (?1, ?2)",
                            params![id, vm_id],
                        )?;
                    }
                }
            }
            datacenter::set_pool_state(call.tx, &id, "Maintenance")?;
            reply(call, &id)
        }))
        .with_event("MAINT.PREPARE.PS", event),
    ))
}

/// `cancelStorageMaintenance` (async).
pub(crate) fn cancel(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let pool_id = pool(call)?.id;
    let id = pool_id.clone();
    let event = format!("Canceling maintenance mode for primary storage pool with ID: {id}");
    Ok(Reply::Job(
        Job::on("StoragePool", pool_id, Box::new(move |call: &mut Call<'_>| {
            let pool = datacenter::pool_place(call.tx, &id)?
                .ok_or_else(|| ApiError::invalid_id("id", &id))?;
            if pool.state == "Up" || pool.state == "PrepareForMaintenance" {
                // A `StorageUnavailableException`.
                return Err(ApiError::unavailable(format!(
                    "Primary storage with id {id} is not ready to complete migration, as the status is:{}",
                    pool.state
                )));
            }
            datacenter::set_pool_state(call.tx, &id, "Up")?;
            if datacenter::pool_has_up_hosts(call.tx, &pool)? {
                let stopped: Vec<String> = call
                    .tx
                    .prepare("SELECT vm_id FROM storage_pool_work WHERE pool_id = ?1 ORDER BY rowid")?
                    .query_map([&id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for vm_id in stopped {
                    if has_root(call, &vm_id)? {
                        if let Some(vm) = vm::find(call, &vm_id)? {
                            lifecycle::start_now(call, &vm)?;
                        }
                    }
                    call.tx.execute(
                        "DELETE FROM storage_pool_work WHERE pool_id = ?1 AND vm_id = ?2",
                        params![id, vm_id],
                    )?;
                }
            }
            reply(call, &id)
        }))
        .with_event("MAINT.CANCEL.PS", event),
    ))
}

/// The VMs with a volume on the pool.
fn vms_on(call: &Call<'_>, pool_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(call
        .tx
        .prepare(
            "SELECT vm_id FROM volumes WHERE pool_id = ?1 AND vm_id IS NOT NULL
             GROUP BY vm_id ORDER BY MIN(rowid)",
        )?
        .query_map([pool_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

fn has_root(call: &Call<'_>, vm_id: &str) -> Result<bool, ApiError> {
    Ok(call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM volumes WHERE vm_id = ?1 AND volume_type = 'ROOT')",
        [vm_id],
        |r| r.get(0),
    )?)
}
