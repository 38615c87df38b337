//! Static NAT: `enableStaticNat` (sync) maps a public IP to one VM NIC;
//! `disableStaticNat` (async) undoes it. One VM per IP, one static NAT IP
//! per VM NIC address, never on a source NAT IP or an IP with PF/LB rules
//! (CloudStack's `isIpReadyForStaticNat`).

use rusqlite::{OptionalExtension, params};

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::scope::check_access;

use super::rules::{self, LOAD_BALANCING, PORT_FORWARDING};
use super::store;

/// `enableStaticNat` (sync).
pub(crate) fn enable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let ip = store::allocated_ip(call.tx, "ipaddressid", call.required("ipaddressid")?)?;
    let vm = store::vm(
        call.tx,
        "virtualmachineid",
        call.required("virtualmachineid")?,
    )?;
    let network_id = match (p.str("networkid"), &ip.network_id) {
        (Some(n), _) => n.to_string(),
        (None, Some(n)) => n.clone(),
        (None, None) => {
            return Err(ApiError::param(format!(
                "Unable to enable static NAT for the ipAddress id={} as ip is not associated with any network and no networkId is passed in",
                ip.id
            )));
        }
    };
    let network = store::network(call.tx, "networkid", &network_id)?;
    let Some((nic_id, Some(nic_ip))) = store::nic_in_network(call.tx, &vm.id, &network.id)? else {
        return Err(ApiError::param(
            "Vm doesn't belong to the network with specified id",
        ));
    };
    if !store::supports(call.tx, &network, "StaticNat")? {
        return Err(ApiError::param(
            "Unable to create static nat rule; StaticNat service is not supported in network with specified id",
        ));
    }
    if vm.state == "Destroyed" || vm.state == "Expunging" {
        return Err(ApiError::param(format!("Invalid user vm: {}", vm.seq)));
    }
    // Bind a VPC IP to the tier, or check the IP is on this network.
    match &ip.network_id {
        None if ip.vpc_id.is_some() && network.vpc_id == ip.vpc_id => {
            call.tx.execute(
                "UPDATE public_ips SET network_id = ?2 WHERE id = ?1",
                params![ip.id, network.id],
            )?;
        }
        None => {
            return Err(ApiError::param(format!(
                "Ip address {} is not assigned to the network {}",
                ip.display(),
                network.display(call.tx)?
            )));
        }
        Some(n) if *n != network.id => {
            return Err(ApiError::param(format!(
                "Invalid network Id={}. IP is associated with a different network than passed network id",
                network.id
            )));
        }
        Some(_) => {}
    }
    check_access(call, ip.owner(), &ip.id)?;
    check_access(call, &vm.account_id, &vm.id)?;
    if vm.account_id != ip.owner() {
        return Err(ApiError::param(format!(
            "IP address {} and vm id={} belong to different accounts",
            ip.display(),
            vm.seq
        )));
    }
    let mut vm_ip = nic_ip;
    if let Some(guest_ip) = p.str("vmguestip") {
        if guest_ip != vm_ip && !super::nicips::is_secondary_of(call, &nic_id, guest_ip)? {
            return Err(ApiError::param(format!(
                "VM ip {guest_ip} address not belongs to the vm"
            )));
        }
        vm_ip = guest_ip.to_string();
    }

    // isIpReadyForStaticNat
    if ip.is_source_nat {
        return Err(ApiError::param(format!(
            "Can't enable static, ip address {} is a sourceNat ip address",
            ip.display()
        )));
    }
    match &ip.static_nat_vm_id {
        None => {
            for (purpose, what) in [
                (PORT_FORWARDING, "PortForwarding"),
                (LOAD_BALANCING, "LoadBalancing"),
            ] {
                let n = call.tx.query_row(
                    "SELECT COUNT(*) FROM firewall_rules WHERE ip_id = ?1 AND purpose = ?2 AND state != 'Revoke'",
                    params![ip.id, purpose],
                    |r| r.get::<_, i64>(0),
                )?;
                if n > 0 {
                    return Err(ApiError::conflict(format!(
                        "Failed to enable static nat for the ip address {} as it already has {what} rules assigned",
                        ip.display()
                    )));
                }
            }
        }
        Some(other) if *other != vm.id => {
            return Err(ApiError::conflict(format!(
                "Failed to enable static for the ip address {} and vm id={} as it's already assigned to antoher vm",
                ip.display(),
                vm.seq
            )));
        }
        Some(_) => {}
    }
    let old: Option<String> = call
        .tx
        .query_row(
            "SELECT ip_id FROM ip_details WHERE static_nat_vm_id = ?1 AND static_nat_vm_ip = ?2 AND ip_id != ?3",
            params![vm.id, vm_ip, ip.id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(old) = old {
        return Err(ApiError::param(format!(
            "Failed to enable static nat for the ip address id={} as vm id={} is already associated with ip id={old}",
            ip.id, vm.seq
        )));
    }
    call.tx.execute(
        "UPDATE ip_details SET static_nat_vm_id = ?2, static_nat_vm_ip = ?3 WHERE ip_id = ?1",
        params![ip.id, vm.id, vm_ip],
    )?;
    event_log::completed(
        call,
        "STATICNAT.ENABLE",
        &format!("enabling static nat. Ip Id: {}", ip.id),
        Subject::of("IpAddress", &ip.id, &ip.address),
    )?;
    Ok(Reply::Success(None))
}

/// Clears the static NAT of an IP and removes its static NAT rules (a VPC
/// IP without rules leaves its tier).
pub(crate) fn clear(call: &Call<'_>, ip_id: &str) -> Result<(), ApiError> {
    super::ipforward::remove_for_ip(call, ip_id)?;
    call.tx.execute(
        "UPDATE ip_details SET static_nat_vm_id = NULL, static_nat_vm_ip = NULL WHERE ip_id = ?1",
        [ip_id],
    )?;
    rules::unassign_vpc_ip_if_unused(call, ip_id)
}

/// `disableStaticNat` (async).
pub(crate) fn disable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ip = store::allocated_ip(call.tx, "ipaddressid", call.required("ipaddressid")?)?;
    check_access(call, ip.owner(), &ip.id)?;
    if ip.static_nat_vm_id.is_none() {
        return Err(ApiError::param(format!(
            "One to one nat is not enabled for the ip id={}",
            ip.id
        )));
    }
    if ip.is_source_nat {
        return Err(ApiError::param(format!(
            "Can't disable static nat for the ip address {} as it's a source nat ip address",
            ip.display()
        )));
    }
    let id = ip.id.clone();
    Ok(Reply::Job(
        Job::on(
            "IpAddress",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                clear(call, &id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "STATICNAT.DISABLE",
            format!("Disabling static nat for ip id={}", ip.id),
        ),
    ))
}
