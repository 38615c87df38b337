//! The ROOT volumes of system VMs: owned by the system account, Ready on
//! the zone's first Up primary storage, and listed only when a root admin
//! asks `listVolumes` for `listsystemvms` (`QueryManagerImpl`).

use rusqlite::{OptionalExtension, Transaction, params};

use crate::families::compute::api::refs::GIB;
use crate::families::compute::api::vm::next_seq_in;
use crate::kernel::error::ApiError;
use crate::kernel::ids;

/// The size of a system VM's ROOT disk.
const SYSTEM_VM_ROOT_SIZE: i64 = 4 * GIB;

/// Makes the ROOT volume of a new system VM in its zone (none when the
/// zone has no Up primary storage).
pub(crate) fn create_system_vm_root(
    tx: &Transaction<'_>,
    vm_id: &str,
    zone_id: &str,
    now: &str,
) -> Result<(), ApiError> {
    let system: Option<(String, String)> = tx
        .query_row(
            "SELECT id, domain_id FROM identity_accounts WHERE name = 'system' AND account_type = 1
             ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((account_id, domain_id)) = system else {
        return Ok(());
    };
    let pool: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT id, pod_id FROM datacenter_storage_pools WHERE zone_id = ?1 AND state = 'Up'
             ORDER BY rowid LIMIT 1",
            [zone_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((pool_id, pod_id)) = pool else {
        return Ok(());
    };
    let seq = next_seq_in(tx, "volume")?;
    let id = ids::new_id();
    tx.execute(
        "INSERT INTO volumes (id, seq, name, account_id, domain_id, zone_id, pod_id, pool_id, vm_id, device_id,
                              volume_type, state, size, provisioning_type, path, created, attached, system_vm)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 'ROOT', 'Ready', ?10, 'thin', ?1, ?11, ?11, 1)",
        params![
            id,
            seq,
            format!("ROOT-{seq}"),
            account_id,
            domain_id,
            zone_id,
            pod_id,
            pool_id,
            vm_id,
            SYSTEM_VM_ROOT_SIZE,
            now
        ],
    )?;
    crate::families::datacenter::api::allocate_on_pool(tx, &pool_id, SYSTEM_VM_ROOT_SIZE)
}
