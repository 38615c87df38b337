//! Storage: volumes, volume snapshots and snapshot policies, VM snapshots,
//! and templates made from volumes and snapshots (cloudstack-semantics.md
//! §3).
//!
//! Layout: `volume.rs` (the row and shared operations, used by compute),
//! `pools.rs` (primary storage capacity), `volumes.rs`, `snapshots.rs`,
//! `vmsnapshots.rs`, `templates.rs` (the commands).

pub(crate) mod pools;
pub(crate) mod snapshots;
mod templates;
pub(crate) mod vmsnapshots;
pub(crate) mod volume;
pub(crate) mod volumes;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family, Handler};

/// The storage family.
#[derive(Debug)]
pub struct Storage;

impl Family for Storage {
    fn name(&self) -> &'static str {
        "storage"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        COMMANDS
    }
}

const fn all(name: &'static str, doc: &'static str, run: Handler) -> Command {
    Command {
        name,
        roles: RoleSet::ALL,
        doc,
        run,
    }
}

const COMMANDS: &[Command] = &[
    all(
        "createVolume",
        "Creates a data volume from a disk offering (with a size for custom ones) or a snapshot; it stays \
         Allocated until it is first attached.",
        volumes::create,
    ),
    all(
        "attachVolume",
        "Attaches a data volume to a running or stopped VM, at the smallest free device id unless one is given.",
        volumes::attach,
    ),
    all(
        "detachVolume",
        "Detaches a volume from its VM (a ROOT volume only while the VM is stopped).",
        volumes::detach,
    ),
    all(
        "resizeVolume",
        "Grows a volume, or shrinks it with shrinkok, to a new size or disk offering.",
        volumes::resize,
    ),
    all(
        "migrateVolume",
        "Moves a volume to another primary storage pool.",
        volumes::migrate,
    ),
    all(
        "deleteVolume",
        "Deletes a volume that is not attached to any VM.",
        volumes::delete,
    ),
    all(
        "listVolumes",
        "Lists volumes by VM, type, zone, state, tags and more.",
        volumes::list,
    ),
    all(
        "createSnapshot",
        "Takes a snapshot of a Ready volume.",
        snapshots::create,
    ),
    all(
        "deleteSnapshot",
        "Deletes a volume snapshot.",
        snapshots::delete,
    ),
    all(
        "revertSnapshot",
        "Reverts a volume to a snapshot; its VM must be stopped.",
        snapshots::revert,
    ),
    all("listSnapshots", "Lists volume snapshots.", snapshots::list),
    all(
        "createSnapshotPolicy",
        "Schedules recurring snapshots of an attached volume (hourly, daily, weekly or monthly).",
        snapshots::create_policy,
    ),
    all(
        "updateSnapshotPolicy",
        "Changes whether a snapshot policy is shown to users.",
        snapshots::update_policy,
    ),
    all(
        "deleteSnapshotPolicies",
        "Deletes snapshot policies.",
        snapshots::delete_policies,
    ),
    all(
        "listSnapshotPolicies",
        "Lists the snapshot policies of a volume or of the caller.",
        snapshots::list_policies,
    ),
    all(
        "createVMSnapshot",
        "Takes a snapshot of a running or stopped VM's disks (and memory, when running).",
        vmsnapshots::create,
    ),
    all(
        "revertToVMSnapshot",
        "Reverts a VM to one of its snapshots (running VMs to disk-and-memory ones, stopped VMs to disk ones).",
        vmsnapshots::revert,
    ),
    all(
        "deleteVMSnapshot",
        "Deletes a VM snapshot.",
        vmsnapshots::delete,
    ),
    all("listVMSnapshot", "Lists VM snapshots.", vmsnapshots::list),
    all(
        "createTemplate",
        "Creates a template from a volume whose VM is stopped, or from a volume snapshot.",
        templates::create,
    ),
    all(
        "copyTemplate",
        "Makes a template available in other zones.",
        templates::copy,
    ),
    all(
        "extractTemplate",
        "Gives a URL to download a template from.",
        templates::extract,
    ),
];
