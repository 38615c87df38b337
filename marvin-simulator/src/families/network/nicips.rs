//! Secondary IP addresses of NICs (`addIpToNic`, `removeIpFromNic`) and
//! changing a NIC's own address (`updateVmNicIp`, served by the compute
//! family through `api::update_nic_ip`). CloudStack's
//! `NicSecondaryIpServiceImpl` and `UserVmManagerImpl.updateNicIpForVirtualMachine`.
//!
//! A secondary address comes from the same pool as NIC addresses: the
//! network's CIDR for isolated networks, its address ranges for shared
//! ones; port forwarding, static NAT and load balancing may target it.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql;

use super::nics;
use super::rules::{LOAD_BALANCING, PORT_FORWARDING};
use super::store::{self, NetworkRow};

/// CloudStack's `vm.network.nic.max.secondary.ipaddresses` default.
pub(crate) const MAX_SECONDARY_IPS_PER_NIC: i64 = 10;

/// A NIC of a user VM, as these commands need it.
struct NicRow {
    id: String,
    vm_id: String,
    network_id: String,
    ip_address: Option<String>,
}

fn find_nic(call: &Call<'_>, id: &str) -> Result<Option<NicRow>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, vm_id, network_id, ip_address FROM nics WHERE id = ?1",
            [id],
            |r| {
                Ok(NicRow {
                    id: r.get(0)?,
                    vm_id: r.get(1)?,
                    network_id: r.get(2)?,
                    ip_address: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Whether `address` is one of the secondary addresses of the NIC.
pub(crate) fn is_secondary_of(
    call: &Call<'_>,
    nic_id: &str,
    address: &str,
) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM nic_secondary_ips WHERE nic_id = ?1 AND ip_address = ?2",
            [nic_id, address],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// `addIpToNic` (async, allocated in the request): CloudStack's
/// `NicSecondaryIpServiceImpl.allocateSecondaryGuestIP`.
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let nic_id = call.required("nicid")?;
    let nic = find_nic(call, nic_id)?.ok_or_else(|| ApiError::invalid_id("nicid", nic_id))?;
    let vm = store::find_vm(call.tx, &nic.vm_id)?.ok_or_else(|| {
        ApiError::param(format!("There is no Instance with the NIC [{}]", nic.id))
    })?;
    check_access(call, &vm.account_id, &vm.id)?;
    let network = store::network(call.tx, "networkid", &nic.network_id)?;
    let count = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM nic_secondary_ips WHERE nic_id = ?1",
        &nic.id,
    )?;
    if count >= MAX_SECONDARY_IPS_PER_NIC {
        // AddIpToVmNicCmd.create turns the capacity error into this.
        return Err(ApiError::param(
            "Allocating guest IP for NIC failed : Maximum Number of IPs per NIC has been crossed.",
        ));
    }
    let requested = call.params.str("ipaddress");
    let address = match network.guest_type.as_str() {
        "Isolated" | "Shared" => nics::allocate_address(call, &network, &vm.account_id, requested)
            .map_err(|e| {
                ApiError::param(format!("Allocating guest IP for NIC failed : {}", e.text))
            })?,
        _ => {
            return Err(ApiError::internal("Failed to assign secondary IP to NIC"));
        }
    };
    let owner = store::account(call.tx, &vm.account_id)?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO nic_secondary_ips (id, nic_id, vm_id, network_id, account_id, domain_id, ip_address, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            nic.id,
            vm.id,
            network.id,
            vm.account_id,
            owner.domain_id,
            address,
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "NIC.SECONDARY.IP.ASSIGN",
        "Assigning secondary IP to NIC",
        Subject::of("IpAddress", &id, &address),
    )?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "IpAddress",
            id,
            Box::new(move |call: &mut Call<'_>| {
                Ok(Reply::Object {
                    key: "nicsecondaryip",
                    value: secondary_json(call, &job_id)?,
                })
            }),
        )
        .with_event(
            "NIC.SECONDARY.IP.ASSIGN",
            format!(
                "Associating secondary IP address to NIC with ID: {} belonging to Network with ID: {}",
                nic.id, network.id
            ),
        ),
    ))
}

fn secondary_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    call.tx
        .query_row(
            "SELECT id, ip_address, nic_id, network_id, vm_id FROM nic_secondary_ips WHERE id = ?1",
            [id],
            |r| {
                Ok(json!({
                    "id": r.get::<_, String>(0)?,
                    "ipaddress": r.get::<_, String>(1)?,
                    "nicid": r.get::<_, String>(2)?,
                    "networkid": r.get::<_, String>(3)?,
                    "virtualmachineid": r.get::<_, String>(4)?,
                }))
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))
}

/// `removeIpFromNic` (async): `NicSecondaryIpServiceImpl.releaseSecondaryIpFromNic`.
pub(crate) fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let row: Option<(String, String, String)> = call
        .tx
        .query_row(
            "SELECT vm_id, network_id, ip_address FROM nic_secondary_ips WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((vm_id, network_id, address)) = row else {
        return Err(ApiError::param("Unable to find secondary IP address by id"));
    };
    let vm = store::find_vm(call.tx, &vm_id)?
        .ok_or_else(|| ApiError::param("There is no Instance with the given secondary ip"))?;
    check_access(call, &vm.account_id, &vm.id)?;
    let network = store::network(call.tx, "networkid", &network_id)?;
    if network.guest_type == "Isolated" {
        refuse_if_targeted(call, &network, &vm.id, &address)?;
    } else if network.guest_type != "Shared" {
        return Err(ApiError::param("Not supported for this network now"));
    }
    Ok(Reply::Job(
        Job::on(
            "IpAddress",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                release(call, &id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "NIC.SECONDARY.IP.UNASSIGN",
            "Removing secondary IP from NIC".to_string(),
        ),
    ))
}

/// The refusals of an isolated network's address that rules still target.
fn refuse_if_targeted(
    call: &Call<'_>,
    network: &NetworkRow,
    vm_id: &str,
    address: &str,
) -> Result<(), ApiError> {
    let pf = call.tx.query_row(
        "SELECT COUNT(*) FROM port_forwarding_rules f JOIN firewall_rules r ON r.id = f.id
         WHERE r.network_id = ?1 AND r.purpose = ?2 AND f.vm_ip = ?3",
        params![network.id, PORT_FORWARDING, address],
        |r| r.get::<_, i64>(0),
    )?;
    if pf > 0 {
        return Err(ApiError::param(format!(
            "Can't remove the secondary IP {address} is associate with the port forwarding rule"
        )));
    }
    let nat: Option<String> = call
        .tx
        .query_row(
            "SELECT ip_id FROM ip_details WHERE static_nat_vm_id = ?1 AND static_nat_vm_ip = ?2",
            [vm_id, address],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(ip_id) = nat {
        let shown = store::find_ip(call.tx, &ip_id)?.map_or(ip_id, |ip| ip.display());
        return Err(ApiError::param(format!(
            "Can't remove the IP {address} is associate with static NAT rule public IP address ID: {shown}"
        )));
    }
    let lb = call.tx.query_row(
        "SELECT COUNT(*) FROM lb_vm_map m JOIN firewall_rules r ON r.id = m.lb_id
         WHERE m.vm_id = ?1 AND m.vm_ip = ?2 AND r.network_id = ?3 AND r.purpose = ?4",
        params![vm_id, address, network.id, LOAD_BALANCING],
        |r| r.get::<_, i64>(0),
    )?;
    if lb > 0 {
        return Err(ApiError::param(format!(
            "Can't remove the secondary IP {address} is mapped to load balancing rule"
        )));
    }
    Ok(())
}

/// Removes one secondary address (a shared network's address goes back
/// to its range).
fn release(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let row: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT network_id, ip_address FROM nic_secondary_ips WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((network_id, address)) = row {
        nics::release_address(call, &network_id, &address)?;
    }
    call.tx
        .execute("DELETE FROM nic_secondary_ips WHERE id = ?1", [id])?;
    Ok(())
}

/// Releases every secondary address of a NIC that goes.
pub(crate) fn release_all_of_nic(call: &Call<'_>, nic_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT id FROM nic_secondary_ips WHERE nic_id = ?1")?;
        let rows = stmt.query_map([nic_id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in ids {
        release(call, &id)?;
    }
    Ok(())
}

/// The `secondaryip` arrays of some NICs, by NIC id (NICs without any are
/// left out).
pub(crate) fn secondary_ips_of(
    call: &Call<'_>,
    nic_ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if nic_ids.is_empty() {
        return Ok(out);
    }
    let (list, args) = sql::id_list(nic_ids);
    let mut stmt = call.tx.prepare(&format!(
        "SELECT nic_id, id, ip_address FROM nic_secondary_ips WHERE nic_id IN ({list}) ORDER BY seq"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (nic, id, address) = row?;
        out.entry(nic)
            .or_default()
            .push(json!({ "id": id, "ipaddress": address }));
    }
    Ok(out)
}

/// Changes the address of a VM's NIC (seam: `api::update_nic_ip`); the
/// port forwarding, static NAT and load balancer rules that targeted the
/// old address follow it. Answers the VM id.
pub(crate) fn update_nic_ip(
    call: &Call<'_>,
    nic_id: &str,
    requested: Option<&str>,
) -> Result<String, ApiError> {
    let nic = find_nic(call, nic_id)?
        .ok_or_else(|| ApiError::param(format!("There is no nic for the {nic_id}")))?;
    let vm = store::find_vm(call.tx, &nic.vm_id)?
        .ok_or_else(|| ApiError::param("There is no vm with the nic"))?;
    let network = store::network(call.tx, "networkid", &nic.network_id)?;
    if !matches!(
        network.state.as_str(),
        "Allocated" | "Implemented" | "Setup"
    ) {
        return Err(ApiError::param(
            "Network is not in the right state to update vm nic ip. Correct states are: Allocated, Implemented, Setup",
        ));
    }
    let has_services =
        !store::offering_services(call.tx, "network_offering_services", &network.offering_id)?
            .is_empty();
    if has_services && vm.state != "Stopped" {
        return Err(ApiError::param(
            "VM is not Stopped, unable to update the vm nic having the specified id",
        ));
    }
    check_access(call, &vm.account_id, &vm.id)?;
    let address = match network.guest_type.as_str() {
        "Isolated" | "Shared" => nics::allocate_address(call, &network, &vm.account_id, requested)
            .map_err(|_| {
                ApiError::param(format!(
                    "Allocating ip to guest nic {} failed, please choose another ip",
                    nic.id
                ))
            })?,
        _ => {
            return Err(ApiError::param(
                "UpdateVmNicIpCmd is not supported in L2 network",
            ));
        }
    };
    if let Some(old) = &nic.ip_address {
        if network.guest_type == "Isolated" {
            retarget_rules(call, &vm.id, &network.id, old, &address)?;
        } else {
            nics::release_address(call, &network.id, old)?;
        }
    }
    call.tx.execute(
        "UPDATE nics SET ip_address = ?2 WHERE id = ?1",
        params![nic.id, address],
    )?;
    Ok(vm.id)
}

/// `updatePublicIpDnatVmIp`, `updateLoadBalancerRulesVmIp` and
/// `updatePortForwardingRulesVmIp` of `UserVmManagerImpl`.
fn retarget_rules(
    call: &Call<'_>,
    vm_id: &str,
    network_id: &str,
    old: &str,
    new: &str,
) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE ip_details SET static_nat_vm_ip = ?3 WHERE static_nat_vm_id = ?1 AND static_nat_vm_ip = ?2",
        params![vm_id, old, new],
    )?;
    call.tx.execute(
        "UPDATE lb_vm_map SET vm_ip = ?4 WHERE vm_id = ?1 AND vm_ip = ?2
           AND lb_id IN (SELECT id FROM firewall_rules WHERE network_id = ?3)",
        params![vm_id, old, network_id, new],
    )?;
    call.tx.execute(
        "UPDATE port_forwarding_rules SET vm_ip = ?4 WHERE vm_id = ?1 AND vm_ip = ?2
           AND id IN (SELECT id FROM firewall_rules WHERE network_id = ?3)",
        params![vm_id, old, network_id, new],
    )?;
    Ok(())
}
