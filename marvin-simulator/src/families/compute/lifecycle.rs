//! The VM state machine: start, stop, reboot, destroy, expunge, recover,
//! restore (cloudstack-semantics.md §2.1-2.2).
//!
//! Async commands resolve the VM and check access in the request (431/531
//! as HTTP errors); the rules of the state machine run in the job, so their
//! refusals arrive as failed jobs (431 for parameter errors, 530 for the
//! rest). Starting takes host capacity in the request (533 when no host
//! fits) and shows the VM as Starting until the job brings it to Running.

use rusqlite::params;
use serde_json::json;

use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::storage::api::pools;
use crate::families::storage::api::volume::{self, NewVolume};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;

use super::capacity::{self, Need};
use super::refs;
use super::vm::{self, Vm};
use super::{json as vm_json, net, owner};

fn affinity_of(call: &Call<'_>, vm_id: &str) -> Result<Vec<String>, ApiError> {
    let mut stmt = call
        .tx
        .prepare_cached("SELECT group_id FROM affinity_group_vms WHERE vm_id = ?1")?;
    let rows = stmt.query_map([vm_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Finds a host for a VM (its template's hypervisor, its offering's host
/// tag, its affinity groups), `requested` when given; `avoid` skips hosts.
pub(crate) fn find_host(
    call: &Call<'_>,
    vm: &Vm,
    requested: Option<&str>,
    avoid: &[String],
) -> Result<Option<capacity::Placement>, ApiError> {
    let host_tag = match &vm.service_offering_id {
        Some(id) => refs::service_offering(call, id)?.and_then(|o| o.host_tag),
        None => None,
    };
    let hypervisor = match &vm.template_id {
        Some(id) => refs::template(call, id)?.and_then(|t| t.hypervisor),
        None => None,
    };
    let groups = affinity_of(call, &vm.id)?;
    let need = Need {
        vm_id: Some(&vm.id),
        zone_id: &vm.zone_id,
        hypervisor: hypervisor.as_deref(),
        cpu_number: vm.cpu_number,
        cpu_speed: vm.cpu_speed,
        memory: vm.memory,
        host_tag: host_tag.as_deref(),
        affinity_groups: &groups,
        avoid,
    };
    capacity::pick(call, &need, requested)
}

/// `startVirtualMachine`.
pub(crate) fn start(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    for param in ["podid", "clusterid", "hostid"] {
        if call.params.str(param).is_some() && !call.caller.is_root_admin() {
            return Err(ApiError::permission(format!(
                "Parameter {param} can only be specified by a Root Admin, permission denied"
            )));
        }
    }
    if let Some(host) = call.params.str("hostid") {
        if !crate::kernel::sql::exists(call.tx, "datacenter_hosts", host)? {
            return Err(ApiError::invalid_id("hostid", host));
        }
    }
    if vm.state == "Stopped" {
        let owner = owner::account(call, &vm.account_id)?;
        if owner.state != "disabled" {
            let placement = find_host(call, &vm, call.params.str("hostid"), &[])?
                .ok_or_else(|| capacity::no_host(&vm.instance_name))?;
            volume::materialize_for(call, &vm.id, &vm.zone_id, &placement.cluster_id)
                .map_err(|_| capacity::no_host(&vm.instance_name))?;
            vm::place(call, &vm, &placement.host_id, &placement.pod_id, "Starting")?;
        }
    }
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            match vm.state.as_str() {
                "Starting" => vm::set_state(call, id, "Running")?,
                "Running" => {
                    return Err(ApiError::param(format!(
                        "The virtual machine {} ({}) is already running",
                        vm.id,
                        vm.shown_name()
                    )));
                }
                "Stopped" => {
                    let owner = owner::account(call, &vm.account_id)?;
                    return Err(ApiError::permission(format!(
                        "The owner of {} is disabled: {}",
                        vm.label(),
                        owner.id
                    )));
                }
                state => {
                    return Err(ApiError::internal(format!(
                        "Unable to start {} as it is in state {state}",
                        vm.label()
                    )));
                }
            }
            vm_json::reply_with_password(call, id, vm::password_enabled(call, &vm)?)
        })
        .with_event("VM.START", format!("starting Vm. Vm Id: {}", vm.id)),
    ))
}

/// Stops a VM now (no checks): off its host, Stopped.
pub(crate) fn stop_now(call: &Call<'_>, vm: &Vm) -> Result<(), ApiError> {
    if vm.on_host() {
        vm::unplace(call, vm, "Stopped")?;
    }
    Ok(())
}

/// Starts a stopped VM now on a host with room, with no owner or API
/// checks (what a pool's cancelled maintenance does for the VMs it
/// stopped); `false` when the VM is not stopped or no host takes it.
pub(crate) fn start_now(call: &Call<'_>, vm: &Vm) -> Result<bool, ApiError> {
    if vm.state != "Stopped" {
        return Ok(false);
    }
    let Some(placement) = find_host(call, vm, None, &[])? else {
        return Ok(false);
    };
    volume::materialize_for(call, &vm.id, &vm.zone_id, &placement.cluster_id)?;
    vm::place(call, vm, &placement.host_id, &placement.pod_id, "Running")?;
    Ok(true)
}

/// `stopVirtualMachine`.
pub(crate) fn stop(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let forced = call.params.flag("forced", false);
    let id = vm.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VirtualMachine",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if forced
                    && !call.caller.is_admin()
                    && !identity::setting_flag(call.tx, "allow.user.force.stop.vm", &[("account", &call.caller.account_id)])?
                {
                    return Err(ApiError::permission(
                        "Parameter forced can be passed by Admin only. Or when the allow.user.force.stop.vm key is set.",
                    ));
                }
                let vm = vm::reload(call, &id)?;
                stop_now(call, &vm)?;
                vm_json::reply(call, &id)
            }),
        )
        .with_event("VM.STOP", format!("stopping Vm. Vm Id: {}", vm.id)),
    ))
}

/// `rebootVirtualMachine`.
pub(crate) fn reboot(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            if vm.state != "Running" {
                return Err(ApiError::param(format!(
                    "The VM {} ({}) is not running, unable to reboot it",
                    vm.id,
                    vm.shown_name()
                )));
            }
            call.tx.execute(
                "UPDATE vms SET last_updated = ?2 WHERE id = ?1",
                params![id, call.timestamp()],
            )?;
            vm_json::reply(call, id)
        })
        .with_event("VM.REBOOT", format!("rebooting Vm. Vm Id: {}", vm.id)),
    ))
}

/// What a live (not destroyed) VM counts against its owner's limits.
fn vm_counts(vm: &Vm) -> [(ResourceKind, i64); 3] {
    [
        (ResourceKind::UserVm, 1),
        (ResourceKind::Cpu, vm.cpu_number),
        (ResourceKind::Memory, vm.memory),
    ]
}

/// Whether a VM in this state still counts against the limits.
fn counted(state: &str) -> bool {
    !matches!(state, "Destroyed" | "Expunging")
}

/// Destroys a VM now: stopped, data disks detached (they stay Ready), the
/// named data volumes deleted, the ROOT volume destroyed, counts released.
pub(crate) fn destroy_now(
    call: &Call<'_>,
    vm: &Vm,
    delete_volumes: &[String],
) -> Result<(), ApiError> {
    stop_now(call, vm)?;
    for volume in volume::of_vm(call, &vm.id)? {
        if volume.is_root() {
            if volume.state != "Destroy" {
                volume::set_state(call, &volume.id, "Destroy")?;
                volume::release_counts(call, &volume)?;
            }
        } else if delete_volumes.contains(&volume.id) {
            volume::release_counts(call, &volume)?;
            volume::remove(call, &volume)?;
        } else {
            crate::families::storage::api::detach_from_vm(call.tx, &volume.id, true)?;
        }
    }
    if counted(&vm.state) {
        limits::release_all(call, &vm.account_id, &vm_counts(vm))?;
    }
    vm::set_state(call, &vm.id, "Destroyed")
}

/// Expunges a VM now: its volumes and VM snapshots go, the network family
/// forgets it, its row is deleted.
pub(crate) fn expunge_now(call: &Call<'_>, vm: &Vm) -> Result<(), ApiError> {
    stop_now(call, vm)?;
    if counted(&vm.state) {
        limits::release_all(call, &vm.account_id, &vm_counts(vm))?;
    }
    for volume in volume::of_vm(call, &vm.id)? {
        if volume.state != "Destroy" {
            volume::release_counts(call, &volume)?;
        }
        if !volume.is_root() {
            crate::families::storage::api::detach_from_vm(call.tx, &volume.id, false)?;
            continue;
        }
        volume::remove(call, &volume)?;
    }
    crate::families::storage::api::forget_vm_snapshots(call.tx, &vm.id)?;
    net::vm_expunged(call, &vm.id)?;
    tags::forget(call, "UserVm", &vm.id)?;
    call.tx.execute("DELETE FROM vms WHERE id = ?1", [&vm.id])?;
    Ok(())
}

/// `destroyVirtualMachine`.
pub(crate) fn destroy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let volume_ids = call.params.list("volumeids");
    for id in &volume_ids {
        let volume =
            volume::find(call, id)?.ok_or_else(|| ApiError::invalid_id("volumeids", id))?;
        if volume.vm_id.as_deref() != Some(vm.id.as_str()) || volume.is_root() {
            return Err(ApiError::param(format!(
                "Please specify a volume that is attached to the VM, the volume {} is not a data volume of VM {}",
                volume.id, vm.id
            )));
        }
    }
    let expunge = call.params.flag("expunge", false);
    let id = vm.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VirtualMachine",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if expunge && !vm::may_expunge(call)? {
                    return Err(ApiError::permission(
                        "Parameter expunge can be passed by Admin only. Or when the allow.user.expunge.recover.vm \
                         key is set.",
                    ));
                }
                let vm = vm::reload(call, &id)?;
                if matches!(vm.state.as_str(), "Destroyed" | "Expunging") && !expunge {
                    return vm_json::reply(call, &id);
                }
                // UserVmManagerImpl.destroyVm: after the already-destroyed
                // return, a protected VM or data volume refuses.
                if vm::delete_protected(call, &id)? {
                    return Err(ApiError::param(format!(
                        "Instance [id = {}, name = {}] has delete protection enabled and cannot be deleted.",
                        vm.id, vm.name
                    )));
                }
                for volume_id in &volume_ids {
                    if let Some(volume) = volume::find(call, volume_id)? {
                        volume::refuse_if_protected(call, &volume, "")?;
                    }
                }
                if !matches!(vm.state.as_str(), "Destroyed" | "Expunging") {
                    destroy_now(call, &vm, &volume_ids)?;
                }
                if !expunge {
                    return vm_json::reply(call, &id);
                }
                let mut value = vm_json::vm_json(call, &id)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("state".into(), json!("Expunging"));
                }
                let vm = vm::reload(call, &id)?;
                expunge_now(call, &vm)?;
                Ok(Reply::Object { key: "virtualmachine", value })
            }),
        )
        .with_event("VM.DESTROY", format!("destroying Vm. Vm Id: {}", vm.id)),
    ))
}

/// `expungeVirtualMachine`.
pub(crate) fn expunge(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VirtualMachine",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if !vm::may_expunge(call)? {
                    return Err(ApiError::permission(
                        "Expunging a vm can only be done by an Admin. Or when the allow.user.expunge.recover.vm key \
                         is set.",
                    ));
                }
                let Some(vm) = vm::find(call, &id)? else {
                    return Ok(Reply::Success(None));
                };
                if !matches!(vm.state.as_str(), "Destroyed" | "Expunging" | "Error") {
                    return Err(ApiError::internal("Please destroy vm with specified vmId before expunge"));
                }
                expunge_now(call, &vm)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("VM.EXPUNGE", format!("expunging Vm. Vm Id: {}", vm.id)),
    ))
}

/// `recoverVirtualMachine` (sync): a Destroyed VM comes back Stopped.
pub(crate) fn recover(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    if !vm::may_expunge(call)? {
        return Err(ApiError::permission(
            "Recovering a vm can only be done by an Admin. Or when the allow.user.expunge.recover.vm key is set.",
        ));
    }
    if vm.state != "Destroyed" {
        return Err(ApiError::param(format!(
            "Vm with id {} is not in the right state",
            vm.id
        )));
    }
    let root = volume::of_vm(call, &vm.id)?
        .into_iter()
        .find(|v| v.is_root());
    let mut amounts = vm_counts(&vm).to_vec();
    if let Some(root) = &root {
        amounts.push((ResourceKind::Volume, 1));
        amounts.push((ResourceKind::PrimaryStorage, root.size));
    }
    limits::reserve_all(call, &vm.account_id, &amounts)?;
    if let Some(root) = &root {
        let state = if root.pool_id.is_some() {
            "Ready"
        } else {
            "Allocated"
        };
        volume::set_state(call, &root.id, state)?;
    }
    vm::set_state(call, &vm.id, "Stopped")?;
    event_log::completed(
        call,
        "VM.RECOVER",
        &format!("Recovering Vm. Vm Id: {}", vm.id),
        crate::kernel::contract::Subject::of("VirtualMachine", &vm.id, &vm.name),
    )?;
    vm_json::reply(call, &vm.id)
}

/// `restoreVirtualMachine`: a new ROOT volume from the (new) template.
pub(crate) fn restore(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let template_id = call.params.str("templateid").map(String::from);
    if let Some(template) = &template_id {
        refs::template(call, template)?
            .ok_or_else(|| ApiError::invalid_id("templateid", template))?;
    }
    let root_size_gb = call.params.i64("rootdisksize")?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
                if !matches!(vm.state.as_str(), "Running" | "Stopped") {
                    return Err(ApiError::internal(format!(
                        "Vm {} currently in {} state, restore vm can only execute when VM in Running or Stopped",
                        vm.id, vm.state
                    )));
                }
                let template_id = template_id.clone().or_else(|| vm.template_id.clone()).unwrap_or_default();
                let template = refs::template(call, &template_id)?
                    .ok_or_else(|| ApiError::param(format!("Cannot find template for specified id {template_id}")))?;
                if !refs::template_ready_in(call, &template.id, &vm.zone_id)? {
                    return Err(ApiError::param(format!("The template {} is not available for use", template.id)));
                }
                let old = volume::of_vm(call, id)?.into_iter().find(|v| v.is_root());
                let size = root_size_gb.map_or(template.size, refs::gib_to_bytes).max(template.size);
                let delta = size - old.as_ref().map_or(0, |v| v.size);
                limits::reserve_change(call, &vm.account_id, ResourceKind::PrimaryStorage, delta)?;
                let on_storage = old.as_ref().and_then(|v| v.pool_id.clone());
                let (domain_id, name) = (
                    call.tx.query_row("SELECT domain_id FROM vms WHERE id = ?1", [&id], |r| r.get::<_, String>(0))?,
                    old.as_ref().map_or_else(|| format!("ROOT-{}", vm.seq), |v| v.name.clone()),
                );
                if let Some(old) = &old {
                    volume::remove(call, old)?;
                }
                let pool = match &on_storage {
                    Some(previous) => Some(
                        pools::pick(call, &vm.zone_id, None, size, Some(previous), None)?
                            .or(pools::pick(call, &vm.zone_id, None, size, None, None)?)
                            .ok_or_else(|| pools::no_pool(&name))?,
                    ),
                    None => None,
                };
                volume::insert(call, &crate::kernel::ids::new_id(), &NewVolume {
                    name: Some(&name),
                    account_id: &vm.account_id,
                    domain_id: &domain_id,
                    zone_id: &vm.zone_id,
                    vm_id: Some(id),
                    device_id: Some(0),
                    volume_type: "ROOT",
                    size,
                    disk_offering_id: None,
                    template_id: Some(&template.id),
                    snapshot_id: None,
                    provisioning_type: "thin",
                    min_iops: None,
                    max_iops: None,
                    pool: pool.as_ref(),
                })?;
                call.tx.execute(
                    "UPDATE vms SET template_id = ?2, last_updated = ?3 WHERE id = ?1",
                    params![id, template.id, call.timestamp()],
                )?;
                vm_json::reply_with_password(call, id, template.password_enabled)
        })
        .with_event("VM.RESTORE", format!("restoring Vm. Vm Id: {}", vm.id)),
    ))
}
