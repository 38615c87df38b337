//! Compute: user VMs and their lifecycle, SSH key pairs, affinity groups,
//! instance groups, registered user data and NIC commands
//! (cloudstack-semantics.md §2).
//!
//! Layout: `vm.rs` (the row and shared state changes), `deploy.rs`,
//! `lifecycle.rs` (start/stop/reboot/destroy/expunge/recover/restore),
//! `change.rs` (update/scale/migrate/resets), `iso.rs` (attaching
//! and detaching ISOs), `list.rs` + `json.rs`
//! (responses), `capacity.rs` (host placement), `owner.rs` (owners and list
//! scopes, shared with storage, tags and projects), `net.rs` (the network
//! seam), `refs.rs` (offerings and templates), `api.rs` (what other
//! families call).

mod affinity;
pub(crate) mod api;
pub(crate) mod capacity;
mod change;
pub(crate) mod deploy;
mod groups;
mod iso;
pub(crate) mod json;
pub(crate) mod keypairs;
pub(crate) mod lifecycle;
mod list;
pub(crate) mod net;
mod nics;
pub(crate) mod owner;
pub(crate) mod refs;
mod cni;
mod userdata;
mod vm_userdata;
pub(crate) mod vm;

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod iso_tests;
#[cfg(test)]
mod vm_userdata_tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family};

/// The compute family.
pub(crate) const FAMILY: Family =
    Family::new("compute", include_str!("schema.sql"), COMMANDS).publishing(api::VIEWS);

const COMMANDS: &[Command] = &[
    Command::all(
        "deployVirtualMachine",
        "Creates a VM from a template and a service offering in a zone, with its ROOT volume (and a data volume \
         from a disk offering), NICs and groups, and starts it unless startvm is false.",
        deploy::deploy,
    ),
    Command::all(
        "startVirtualMachine",
        "Starts a stopped VM on a host with enough free capacity.",
        lifecycle::start,
    ),
    Command::all(
        "stopVirtualMachine",
        "Stops a running VM, giving its host capacity back.",
        lifecycle::stop,
    ),
    Command::all(
        "rebootVirtualMachine",
        "Reboots a running VM.",
        lifecycle::reboot,
    ),
    Command::all(
        "destroyVirtualMachine",
        "Destroys a VM (it can be recovered until it is expunged); its data volumes are detached and stay.",
        lifecycle::destroy,
    ),
    Command::all(
        "expungeVirtualMachine",
        "Removes a destroyed VM for good, with its ROOT volume.",
        lifecycle::expunge,
    ),
    Command::all(
        "recoverVirtualMachine",
        "Brings a destroyed VM back, stopped.",
        lifecycle::recover,
    ),
    Command::all(
        "restoreVirtualMachine",
        "Gives a VM a fresh ROOT volume from its template or another one.",
        lifecycle::restore,
    ),
    Command::all(
        "updateVirtualMachine",
        "Changes a VM's display name, host name, group, HA flag, user data or details.",
        change::update,
    ),
    Command::all(
        "scaleVirtualMachine",
        "Moves a VM to another service offering; a running VM may only grow, where the zone allows it.",
        change::scale,
    ),
    Command::all(
        "changeServiceForVirtualMachine",
        "Moves a stopped VM to another service offering.",
        change::change_service,
    ),
    Command {
        name: "migrateVirtualMachine",
        roles: RoleSet::ADMIN,
        doc: "Moves a running VM to another host, or a stopped VM's volumes to another storage pool.",
        run: change::migrate,
    },
    Command::all(
        "resetPasswordForVirtualMachine",
        "Gives a stopped VM whose template is password-enabled a new password.",
        change::reset_password,
    ),
    Command::all(
        "resetSSHKeyForVirtualMachine",
        "Gives a stopped VM other SSH key pairs.",
        change::reset_ssh_key,
    ),
    Command::all(
        "listVirtualMachines",
        "Lists the VMs the caller may see, filtered by id, name, state, zone, template, offering, host, network, \
         group, tags and more.",
        list::list,
    ),
    Command::all(
        "createSSHKeyPair",
        "Creates an SSH key pair; its private key is returned once and not kept.",
        keypairs::create,
    ),
    Command::all(
        "registerSSHKeyPair",
        "Registers an existing SSH public key under a name.",
        keypairs::register,
    ),
    Command::all(
        "deleteSSHKeyPair",
        "Deletes an SSH key pair by name.",
        keypairs::delete,
    ),
    Command::all("listSSHKeyPairs", "Lists SSH key pairs.", keypairs::list),
    Command::all(
        "createAffinityGroup",
        "Creates a host affinity or host anti-affinity group for VMs.",
        affinity::create,
    ),
    Command::all(
        "deleteAffinityGroup",
        "Deletes an affinity group; its VMs leave it.",
        affinity::delete,
    ),
    Command::all(
        "listAffinityGroups",
        "Lists affinity groups, with the VMs in each.",
        affinity::list,
    ),
    Command::all(
        "updateVMAffinityGroup",
        "Replaces the affinity groups of a stopped VM.",
        affinity::update_vm,
    ),
    Command::all(
        "listAffinityGroupTypes",
        "Lists the kinds of affinity group.",
        affinity::list_types,
    ),
    Command::all(
        "createInstanceGroup",
        "Creates a named group for VMs.",
        groups::create,
    ),
    Command::all(
        "deleteInstanceGroup",
        "Deletes a VM group; its VMs leave it.",
        groups::delete,
    ),
    Command::all("updateInstanceGroup", "Renames a VM group.", groups::update),
    Command::all("listInstanceGroups", "Lists VM groups.", groups::list),
    Command::all(
        "registerUserData",
        "Stores named user data that VMs can use by id.",
        userdata::register,
    ),
    Command::all(
        "deleteUserData",
        "Deletes stored user data no VM uses.",
        userdata::delete,
    ),
    Command::all("listUserData", "Lists stored user data.", userdata::list),
    Command::all(
        "registerCniConfiguration",
        "Stores a CNI configuration (base64) for Kubernetes clusters, as user data kept for them.",
        cni::register,
    ),
    Command::all(
        "listCniConfiguration",
        "Lists the CNI configurations the caller may see.",
        cni::list,
    ),
    Command::all(
        "deleteCniConfiguration",
        "Deletes a CNI configuration.",
        cni::delete,
    ),
    Command::all(
        "getVirtualMachineUserData",
        "Shows the user data (base64) a VM was deployed or last updated with.",
        vm_userdata::get,
    ),
    Command::all(
        "attachIso",
        "Puts an ISO in a running or stopped VM's drive; the VM then names it (isoid, isoname, isodisplaytext).",
        iso::attach,
    ),
    Command::all(
        "detachIso",
        "Takes the ISO out of a running or stopped VM's drive.",
        iso::detach,
    ),
    Command::all(
        "addNicToVirtualMachine",
        "Adds a NIC on another network to a VM.",
        nics::add,
    ),
    Command::all(
        "removeNicFromVirtualMachine",
        "Removes a NIC that is not the default one from a VM.",
        nics::remove,
    ),
    Command::all(
        "updateDefaultNicForVirtualMachine",
        "Makes another of a VM's NICs its default NIC.",
        nics::update_default,
    ),
    Command::all("listNics", "Lists the NICs of a VM.", nics::list),
    Command::all(
        "updateVmNicIp",
        "Gives a VM's NIC another address of its network.",
        nics::update_ip,
    ),
];
