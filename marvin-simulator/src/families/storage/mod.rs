//! Storage: volumes, volume snapshots and snapshot policies, VM snapshots,
//! and templates made from volumes and snapshots (cloudstack-semantics.md
//! §3).
//!
//! Layout: `volume.rs` (the row and shared operations, used by compute),
//! `pools.rs` (primary storage capacity), `volumes.rs`, `snapshots.rs`,
//! `vmsnapshots.rs`, `volume_templates.rs` (the commands).

pub(crate) mod api;
mod destroy;
mod extract;
mod maintenance;
pub(crate) mod pools;
pub(crate) mod snapshots;
mod system;
mod update;
mod upload;
pub(crate) mod vmsnapshots;
pub(crate) mod volume;
mod volume_templates;
pub(crate) mod volumes;

#[cfg(test)]
mod destroy_tests;
#[cfg(test)]
mod maintenance_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod upload_tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family};

/// The storage family.
pub(crate) const FAMILY: Family =
    Family::new("storage", include_str!("schema.sql"), COMMANDS).publishing(api::VIEWS);

const COMMANDS: &[Command] = &[
    Command::all(
        "createVolume",
        "Creates a data volume from a disk offering (with a size for custom ones) or a snapshot; it stays \
         Allocated until it is first attached.",
        volumes::create,
    ),
    Command::all(
        "attachVolume",
        "Attaches a data volume to a running or stopped VM, at the smallest free device id unless one is given.",
        volumes::attach,
    ),
    Command::all(
        "detachVolume",
        "Detaches a volume from its VM (a ROOT volume only while the VM is stopped).",
        volumes::detach,
    ),
    Command::all(
        "resizeVolume",
        "Grows a volume, or shrinks it with shrinkok, to a new size or disk offering.",
        volumes::resize,
    ),
    Command::all(
        "migrateVolume",
        "Moves a volume to another primary storage pool.",
        volumes::migrate,
    ),
    Command::all(
        "deleteVolume",
        "Deletes a volume that is not attached to any VM.",
        volumes::delete,
    ),
    Command::all(
        "destroyVolume",
        "Destroys a detached volume (recoverable until expunged), or expunges it at once with expunge=true.",
        destroy::destroy,
    ),
    Command::all(
        "recoverVolume",
        "Brings a destroyed volume back to Ready.",
        destroy::recover,
    ),
    Command::all(
        "listVolumes",
        "Lists volumes by VM, type, zone, state, tags and more.",
        volumes::list,
    ),
    Command::all(
        "createSnapshot",
        "Takes a snapshot of a Ready volume.",
        snapshots::create,
    ),
    Command::all(
        "deleteSnapshot",
        "Deletes a volume snapshot.",
        snapshots::delete,
    ),
    Command::all(
        "revertSnapshot",
        "Reverts a volume to a snapshot; its VM must be stopped.",
        snapshots::revert,
    ),
    Command::all(
        "updateVolume",
        "Renames a volume or turns its delete protection on or off; root admins may also set its display \
         flag, path, state and primary storage.",
        update::update,
    ),
    Command::all(
        "uploadVolume",
        "Downloads a data volume from a URL into secondary storage; it is Uploaded once the download is done.",
        upload::upload,
    ),
    Command::all("listSnapshots", "Lists volume snapshots.", snapshots::list),
    Command::all(
        "createSnapshotPolicy",
        "Schedules recurring snapshots of an attached volume (hourly, daily, weekly or monthly).",
        snapshots::create_policy,
    ),
    Command::all(
        "updateSnapshotPolicy",
        "Changes whether a snapshot policy is shown to users.",
        snapshots::update_policy,
    ),
    Command::all(
        "deleteSnapshotPolicies",
        "Deletes snapshot policies.",
        snapshots::delete_policies,
    ),
    Command::all(
        "listSnapshotPolicies",
        "Lists the snapshot policies of a volume or of the caller.",
        snapshots::list_policies,
    ),
    Command::all(
        "createVMSnapshot",
        "Takes a snapshot of a running or stopped VM's disks (and memory, when running).",
        vmsnapshots::create,
    ),
    Command::all(
        "revertToVMSnapshot",
        "Reverts a VM to one of its snapshots (running VMs to disk-and-memory ones, stopped VMs to disk ones).",
        vmsnapshots::revert,
    ),
    Command::all(
        "deleteVMSnapshot",
        "Deletes a VM snapshot.",
        vmsnapshots::delete,
    ),
    Command::all("listVMSnapshot", "Lists VM snapshots.", vmsnapshots::list),
    Command::all(
        "createTemplate",
        "Creates a template from a volume whose VM is stopped, or from a volume snapshot.",
        volume_templates::create,
    ),
    Command::all(
        "copyTemplate",
        "Makes a template available in other zones.",
        volume_templates::copy,
    ),
    Command::new(
        "enableStorageMaintenance",
        RoleSet::ADMIN,
        "Puts a primary storage pool into maintenance, stopping the running VMs that have volumes on it.",
        maintenance::enable,
    ),
    Command::new(
        "cancelStorageMaintenance",
        RoleSet::ADMIN,
        "Takes a primary storage pool out of maintenance and starts again the VMs its maintenance stopped.",
        maintenance::cancel,
    ),
    Command::all(
        "extractVolume",
        "Gives a URL to download a volume that is detached or whose VM is stopped.",
        extract::extract,
    ),
    Command::all(
        "extractTemplate",
        "Gives a URL to download a template from.",
        volume_templates::extract,
    ),
];
