//! What the storage family offers other families: primary storage
//! placement and the volumes of a VM.

/// Primary storage pools: placement of a new volume.
pub(crate) mod pools {
    pub(crate) use super::super::pools::{no_pool, pick};
}

/// The volumes of VMs: created, moved, resized and removed with them.
pub(crate) mod volume {
    pub(crate) use super::super::volume::{
        NewVolume, check_max_size, find, insert, materialize_for, move_to, of_vm,
        refuse_if_protected, release_counts, remove, set_state,
    };
    pub(crate) use super::super::volumes::custom_size;
}

/// The ROOT volumes of system VMs (the system VMs family makes them).
pub(crate) use super::system::create_system_vm_root;

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Volumes.
    "storage_volumes",
    // VM snapshots.
    "storage_vm_snapshots",
    // Volume snapshots.
    "storage_snapshots",
    // Snapshot policies: their ids, volumes and owners, for tags.
    "storage_snapshot_policies",
];

/// Takes a data volume off its VM (it stays Ready). Destroying the VM also
/// forgets when it was attached (`clear_attached`); expunging it does not.
pub(crate) fn detach_from_vm(
    tx: &rusqlite::Transaction<'_>,
    volume_id: &str,
    clear_attached: bool,
) -> Result<(), crate::kernel::error::ApiError> {
    let statement = if clear_attached {
        "UPDATE volumes SET vm_id = NULL, device_id = NULL, attached = NULL WHERE id = ?1"
    } else {
        "UPDATE volumes SET vm_id = NULL, device_id = NULL WHERE id = ?1"
    };
    tx.execute(statement, [volume_id])?;
    Ok(())
}

/// Forgets the VM snapshots of a VM that is expunged.
pub(crate) fn forget_vm_snapshots(
    tx: &rusqlite::Transaction<'_>,
    vm_id: &str,
) -> Result<(), crate::kernel::error::ApiError> {
    tx.execute("DELETE FROM vm_snapshots WHERE vm_id = ?1", [vm_id])?;
    Ok(())
}
