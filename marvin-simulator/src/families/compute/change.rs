//! Changes to an existing VM: update, change of service offering (stopped)
//! and scaling (running), migration, password and SSH key resets.

use rusqlite::params;
use serde_json::{Map, Value};

use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::storage::api::{pools, volume};
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::render::Object;
use crate::kernel::sql;

use super::capacity;
use super::refs::{self, ServiceOffering};
use super::vm::{self, Vm};
use super::{deploy, groups, json as vm_json, keypairs, lifecycle, owner};

fn new_offering(call: &Call<'_>, vm: &Vm) -> Result<(ServiceOffering, i64, i64, i64), ApiError> {
    let id = call.required("serviceofferingid")?;
    let offering = refs::service_offering(call, id)?
        .ok_or_else(|| ApiError::invalid_id("serviceofferingid", id))?;
    if vm.service_offering_id.as_deref() == Some(offering.id.as_str())
        && offering.cpu_number.is_some()
    {
        return Err(ApiError::param(format!(
            "Not upgrading vm {} since it already has the requested service offering ({})",
            vm.label(),
            offering.name
        )));
    }
    let (cpu, speed, memory) = deploy::compute_size(call, &offering)?;
    Ok((offering, cpu, speed, memory))
}

/// Counts the CPU and memory difference of a new size against the limits.
fn recount(call: &Call<'_>, vm: &Vm, cpu: i64, memory: i64) -> Result<(), ApiError> {
    let cpu_delta = cpu.saturating_sub(vm.cpu_number);
    let memory_delta = memory.saturating_sub(vm.memory);
    let ups: Vec<(ResourceKind, i64)> = [
        (ResourceKind::Cpu, cpu_delta),
        (ResourceKind::Memory, memory_delta),
    ]
    .into_iter()
    .filter(|(_, d)| *d > 0)
    .collect();
    limits::reserve_all(call, &vm.account_id, &ups)?;
    for (kind, delta) in [
        (ResourceKind::Cpu, cpu_delta),
        (ResourceKind::Memory, memory_delta),
    ] {
        if delta < 0 {
            limits::release(call, &vm.account_id, kind, delta.saturating_neg())?;
        }
    }
    Ok(())
}

fn apply_offering(
    call: &Call<'_>,
    vm: &Vm,
    offering: &ServiceOffering,
    size: (i64, i64, i64),
) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE vms SET service_offering_id = ?2, cpu_number = ?3, cpu_speed = ?4, memory = ?5, ha_enable = ?6,
                        last_updated = ?7 WHERE id = ?1",
        params![vm.id, offering.id, size.0, size.1, size.2, offering.ha, call.timestamp()],
    )?;
    Ok(())
}

fn upgrade_stopped(call: &Call<'_>, vm: &Vm) -> Result<(), ApiError> {
    if vm.state != "Stopped" {
        return Err(ApiError::param(format!(
            "Unable to upgrade virtual machine {}  in state {}; make sure the virtual machine is stopped",
            vm.label(),
            vm.state
        )));
    }
    let (offering, cpu, speed, memory) = new_offering(call, vm)?;
    recount(call, vm, cpu, memory)?;
    apply_offering(call, vm, &offering, (cpu, speed, memory))
}

/// `changeServiceForVirtualMachine` (sync, stopped VMs only).
pub(crate) fn change_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    upgrade_stopped(call, &vm)?;
    event_log::completed(
        call,
        "VM.UPGRADE",
        &format!("upgrading Vm. Vm Id: {}", vm.id),
        Subject::of("VirtualMachine", &vm.id, &vm.name),
    )?;
    vm_json::reply(call, &vm.id)
}

/// `scaleVirtualMachine` (async): a stopped VM changes offering; a running
/// one may only grow, when the zone allows dynamic scaling.
pub(crate) fn scale(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    call.required("serviceofferingid")?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
                if vm.state != "Running" {
                    upgrade_stopped(call, &vm)?;
                    return Ok(Reply::Object { key: "virtualmachine", value: vm_json::vm_json(call, id)? });
                }
                if !identity::setting_flag(call.tx, "enable.dynamic.scale.vm", &[("zone", &vm.zone_id)])? {
                    return Err(ApiError::permission(
                        "Dynamically scaling virtual machines is disabled for this zone, please contact your admin.",
                    ));
                }
                if !vm.dynamically_scalable {
                    return Err(ApiError::internal(format!(
                        "Unable to scale {} as it does not have tools to support dynamic scaling.",
                        vm.label()
                    )));
                }
                let (offering, cpu, speed, memory) = new_offering(call, &vm)?;
                let mhz = capacity::cpu_mhz(cpu, speed);
                let grows = mhz > vm.cpu_mhz() || memory > vm.memory;
                if !grows || cpu < vm.cpu_number || speed < vm.cpu_speed || memory < vm.memory {
                    return Err(ApiError::param(format!(
                        "While the VM is running, only scalling up it is supported. New service offering \
                         (speed={speed},cpu={cpu},memory={memory}) should have at least one value (cpu/ram) greater \
                         than old value and no resource value less than older(speed={},cpu={},memory={})",
                        vm.cpu_speed, vm.cpu_number, vm.memory
                    )));
                }
                if let Some(host) = &vm.host_id {
                    let fits: bool = call.tx.query_row(
                        "SELECT CAST(h.cpu_number AS REAL) * h.cpu_speed * CAST(c.cpu_overcommit AS REAL) - h.cpu_allocated >= ?2
                            AND CAST(h.memory_total AS REAL) * CAST(c.memory_overcommit AS REAL) - h.memory_allocated >= ?3
                            AND h.cpu_number >= ?4 AND h.cpu_speed >= ?5
                         FROM datacenter_hosts h JOIN datacenter_clusters c ON c.id = h.cluster_id WHERE h.id = ?1",
                        params![
                            host,
                            mhz.saturating_sub(vm.cpu_mhz()),
                            capacity::mib_to_bytes(memory.saturating_sub(vm.memory)),
                            cpu,
                            speed
                        ],
                        |r| r.get(0),
                    )?;
                    if !fits {
                        return Err(ApiError::internal("Failed to scale the VM"));
                    }
                    capacity::allocate(call, host, mhz.saturating_sub(vm.cpu_mhz()), memory.saturating_sub(vm.memory))?;
                }
                recount(call, &vm, cpu, memory)?;
                apply_offering(call, &vm, &offering, (cpu, speed, memory))?;
                Ok(Reply::Object { key: "virtualmachine", value: vm_json::vm_json(call, id)? })
        })
        .with_event("VM.UPGRADE", format!("Upgrading VM. Vm Id: {}", vm.id)),
    ))
}

/// `migrateVirtualMachine` (async, root admin): a running VM to another
/// host, or a stopped VM's volumes to another pool (`storageid`).
pub(crate) fn migrate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::param(call, "virtualmachineid")?;
    let host = call.params.str("hostid").map(String::from);
    if let Some(host) = &host {
        if !sql::exists(call.tx, "datacenter_hosts", host)? {
            return Err(ApiError::invalid_id("hostid", host));
        }
    }
    let storage = call.params.str("storageid").map(String::from);
    if let Some(pool) = &storage {
        if !sql::exists(call.tx, "datacenter_storage_pools", pool)? {
            return Err(ApiError::invalid_id("storageid", pool));
        }
    }
    let id = vm.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VirtualMachine",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if !call.caller.is_root_admin() {
                    return Err(ApiError::permission("No permission to migrate VM, Only Root Admin can migrate a VM!"));
                }
                let vm = vm::reload(call, &id)?;
                if vm.state == "Stopped" {
                    if let Some(pool) = &storage {
                        migrate_storage(call, &vm, pool)?;
                        return vm_json::reply(call, &id);
                    }
                }
                if vm.state != "Running" {
                    return Err(ApiError::param("VM is not Running, unable to migrate the vm with specified id"));
                }
                let current = vm.host_id.clone().unwrap_or_default();
                if host.as_deref() == Some(current.as_str()) {
                    return Err(ApiError::param(
                        "Cannot migrate VM, VM is already present on this host, please specify valid destination host \
                         to migrate the VM",
                    ));
                }
                let placement = lifecycle::find_host(call, &vm, host.as_deref(), std::slice::from_ref(&current))?
                    .ok_or_else(|| match &host {
                        Some(host) => ApiError::capacity(format!(
                            "Unable to migrate {} to host {host} as it does not have enough capacity",
                            vm.label()
                        )),
                        None => ApiError::capacity(format!(
                            "Unable to find suitable destination to migrate VM {}",
                            vm.label()
                        )),
                    })?;
                capacity::free(call, &current, vm.cpu_mhz(), vm.memory)?;
                capacity::allocate(call, &placement.host_id, vm.cpu_mhz(), vm.memory)?;
                call.tx.execute(
                    "UPDATE vms SET host_id = ?2, last_host_id = ?2, pod_id = ?3, last_updated = ?4 WHERE id = ?1",
                    params![id, placement.host_id, placement.pod_id, call.timestamp()],
                )?;
                vm_json::reply(call, &id)
            }),
        )
        .with_event("VM.MIGRATE", format!("migrating VM. Vm Id: {}", vm.id)),
    ))
}

fn migrate_storage(call: &Call<'_>, vm: &Vm, pool_id: &str) -> Result<(), ApiError> {
    for volume in volume::of_vm(call, &vm.id)? {
        if volume.pool_id.as_deref() == Some(pool_id) || volume.pool_id.is_none() {
            continue;
        }
        pools::pick(call, &vm.zone_id, None, volume.size, Some(pool_id), None)?
            .ok_or_else(|| pools::no_pool(&volume.name))?;
        crate::families::storage::api::volume::move_to(call, &volume, pool_id)?;
    }
    Ok(())
}

/// Refuses a reset (`what`: "password reset", ...) of a VM that is not
/// stopped.
fn check_resettable(vm: &Vm, what: &str) -> Result<(), ApiError> {
    if matches!(vm.state.as_str(), "Error" | "Expunging") {
        return Err(ApiError::param(format!(
            "Vm with id {} is not in the right state",
            vm.id
        )));
    }
    if vm.state != "Stopped" {
        return Err(ApiError::param(format!(
            "Vm {} should be stopped to do {what}",
            vm.label()
        )));
    }
    Ok(())
}

/// `resetPasswordForVirtualMachine` (async).
pub(crate) fn reset_password(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
                if !vm::password_enabled(call, &vm)? {
                    return Err(ApiError::param(
                        "Fail to reset password for the virtual machine, the template is not password enabled",
                    ));
                }
                check_resettable(&vm, "password reset")?;
                vm_json::reply_with_password(call, id, true)
        })
        .with_event("VM.RESETPASSWORD", format!("resetting password for Vm. Vm Id: {}", vm.id)),
    ))
}

/// `resetSSHKeyForVirtualMachine` (async).
pub(crate) fn reset_ssh_key(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let mut names = call.params.list("keypairs");
    if let Some(name) = call.params.str("keypair") {
        if !names.iter().any(|n| n == name) {
            names.insert(0, name.to_string());
        }
    }
    if names.is_empty() {
        return Err(ApiError::param("'keypair' or 'keyparis' must be specified"));
    }
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            check_resettable(&vm, "SSH Key reset")?;
            if keypairs::by_names(call, &vm.account_id, &names)?.len() != names.len() {
                return Err(ApiError::param("Not all specified keypairs exist"));
            }
            call.tx.execute(
                "UPDATE vms SET keypairs = ?2, last_updated = ?3 WHERE id = ?1",
                params![id, names.join(","), call.timestamp()],
            )?;
            vm_json::reply_with_password(call, id, vm::password_enabled(call, &vm)?)
        })
        .with_event(
            "VM.RESETSSHKEY",
            format!("resetting SSHKey for VM. Vm Id: {}", vm.id),
        ),
    ))
}

/// `updateVirtualMachine` (sync).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let params = call.params;
    let now = call.timestamp();
    if let Some(name) = params.str("name") {
        vm::check_host_name(name)?;
        call.tx
            .execute("UPDATE vms SET name = ?2 WHERE id = ?1", [&vm.id, name])?;
    }
    if let Some(display) = params.str("displayname") {
        call.tx.execute(
            "UPDATE vms SET display_name = ?2 WHERE id = ?1",
            [&vm.id, display],
        )?;
    }
    if let Some(group) = params.get("group") {
        let group_id = if group.is_empty() {
            None
        } else {
            let owner = owner::account(call, &vm.account_id)?;
            Some(groups::find_or_create(call, &owner, group)?)
        };
        call.tx.execute(
            "UPDATE vms SET group_id = ?2 WHERE id = ?1",
            params![vm.id, group_id],
        )?;
    }
    if let Some(ha) = params.bool("haenable") {
        call.tx.execute(
            "UPDATE vms SET ha_enable = ?2 WHERE id = ?1",
            params![vm.id, ha],
        )?;
    }
    if let Some(display) = params.bool("displayvm") {
        call.tx.execute(
            "UPDATE vms SET display_vm = ?2 WHERE id = ?1",
            params![vm.id, display],
        )?;
    }
    if let Some(protect) = params.bool("deleteprotection") {
        call.tx.execute(
            "UPDATE vms SET delete_protection = ?2 WHERE id = ?1",
            params![vm.id, protect],
        )?;
    }
    if let Some(scalable) = params.bool("isdynamicallyscalable") {
        call.tx.execute(
            "UPDATE vms SET dynamically_scalable = ?2 WHERE id = ?1",
            params![vm.id, scalable],
        )?;
    }
    if let Some(data) = params.str("userdata") {
        deploy::check_user_data(data)?;
        call.tx.execute(
            "UPDATE vms SET user_data = ?2 WHERE id = ?1",
            [&vm.id, data],
        )?;
    }
    if let Some(data_id) = params.str("userdataid") {
        let owner = owner::account(call, &vm.account_id)?;
        let data_id = super::userdata::usable(call, data_id, &owner)?;
        call.tx.execute(
            "UPDATE vms SET user_data_id = ?2 WHERE id = ?1",
            [&vm.id, &data_id],
        )?;
    }
    let details = params.map("details");
    if params.flag("cleanupdetails", false) || !details.is_empty() {
        let mut current: Object = if params.flag("cleanupdetails", false) {
            Map::new()
        } else {
            let text: String =
                call.tx
                    .query_row("SELECT details FROM vms WHERE id = ?1", [&vm.id], |r| {
                        r.get(0)
                    })?;
            serde_json::from_str(&text).unwrap_or_default()
        };
        for entry in details {
            for (key, value) in entry {
                current.insert(key, Value::String(value));
            }
        }
        call.tx.execute(
            "UPDATE vms SET details = ?2 WHERE id = ?1",
            [&vm.id, &Value::Object(current).to_string()],
        )?;
    }
    call.tx.execute(
        "UPDATE vms SET last_updated = ?2 WHERE id = ?1",
        [&vm.id, &now],
    )?;
    event_log::completed(
        call,
        "VM.UPDATE",
        &format!("updating Vm. Vm Id: {}", vm.id),
        Subject::of("VirtualMachine", &vm.id, &vm.name),
    )?;
    vm_json::reply(call, &vm.id)
}
