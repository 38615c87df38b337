//! NIC commands on VMs, through the network family's seam (`net.rs`).

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::sql;

use super::{json as vm_json, net, vm};

fn check_live(vm: &vm::Vm) -> Result<(), ApiError> {
    if !matches!(vm.state.as_str(), "Running" | "Stopped") {
        return Err(ApiError::internal(format!(
            "Cannot change the NICs of {} as it is in state {}",
            vm.label(),
            vm.state
        )));
    }
    Ok(())
}

/// `addNicToVirtualMachine` (async).
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let network = call.required("networkid")?.to_string();
    net::check_network_usable(call, &network, &vm.account_id, &vm.zone_id)?;
    let ip = call.params.str("ipaddress").map(String::from);
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            check_live(&vm)?;
            if sql::table_exists(call.tx, "network_nics")? {
                let existing: Option<String> = call
                    .tx
                    .query_row(
                        "SELECT id FROM network_nics WHERE vm_id = ?1 AND network_id = ?2",
                        params![id, network],
                        |r| r.get(0),
                    )
                    .optional()?;
                if existing.is_some() {
                    return Err(ApiError::internal(format!(
                        "A NIC already exists for VM: {} in network: {network}",
                        vm.instance_name
                    )));
                }
            }
            let first = net::nics_json(call, id)?.is_empty();
            net::add_nic(call, id, &network, ip.as_deref(), first)?;
            vm_json::reply(call, id)
        })
        .with_event("NIC.CREATE", format!("Creating Nic. Vm Id: {}", vm.id)),
    ))
}

/// `updateVmNicIp` (async): the checks of CloudStack's
/// `UserVmManagerImpl.updateNicIpForVirtualMachine` run in the job, as
/// there.
pub(crate) fn update_ip(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let nic = call.required("nicid")?.to_string();
    let ip = call.params.str("ipaddress").map(String::from);
    Ok(Reply::Job(
        crate::kernel::contract::Job::on(
            "Nic",
            nic.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let vm = net::update_nic_ip(call, &nic, ip.as_deref())?;
                vm_json::reply(call, &vm)
            }),
        )
        .with_event("NIC.UPDATE", "Updating NIC IP address".to_string()),
    ))
}

/// `removeNicFromVirtualMachine` (async).
pub(crate) fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let nic = call.required("nicid")?.to_string();
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            check_live(&vm)?;
            net::remove_nic(call, id, &nic)?;
            vm_json::reply(call, id)
        })
        .with_event("NIC.DELETE", format!("Removing Nic. Vm Id: {}", vm.id)),
    ))
}

/// `updateDefaultNicForVirtualMachine` (async).
pub(crate) fn update_default(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let nic = call.required("nicid")?.to_string();
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
            check_live(&vm)?;
            let current: Option<i64> = if sql::table_exists(call.tx, "network_nics")? {
                call.tx
                    .query_row(
                        "SELECT is_default FROM network_nics WHERE id = ?1 AND vm_id = ?2",
                        params![nic, id],
                        |r| r.get(0),
                    )
                    .optional()?
            } else {
                None
            };
            match current {
                None => return Err(ApiError::param(format!("There is no nic for the {nic}"))),
                Some(1) => {
                    return Err(ApiError::param(format!(
                        "The specified nic {nic} is already the default NIC of {}",
                        vm.label()
                    )));
                }
                Some(_) => {}
            }
            net::set_default_nic(call.tx, id, &nic)?;
            vm_json::reply(call, id)
        })
        .with_event(
            "NIC.UPDATE",
            format!("Updating VM default Nic. Vm Id: {}", vm.id),
        ),
    ))
}

/// `listNics`: the NICs of one VM.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let mut items: Vec<Value> = net::nics_json(call, &vm.id)?;
    if let Some(nic) = call.params.str("nicid") {
        items.retain(|n| n.get("id").and_then(Value::as_str) == Some(nic));
    }
    if let Some(network) = call.params.str("networkid") {
        items.retain(|n| n.get("networkid").and_then(Value::as_str) == Some(network));
    }
    for item in &mut items {
        if let Some(object) = item.as_object_mut() {
            object
                .entry("virtualmachineid")
                .or_insert_with(|| Value::String(vm.id.clone()));
        }
    }
    Ok(sql::page_of(call, "nic", items))
}
