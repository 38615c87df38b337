//! The network side of the seam between networking and compute: everything
//! the compute family asks of networks goes through these functions (and
//! compute names what it uses in one place, `compute::net`).
//!
//! What each side owns:
//!
//! - compute owns the `vms` table (`families/compute/schema.sql`); a VM's
//!   state is one of `Starting`, `Running`, `Stopping`, `Stopped`,
//!   `Destroyed`, `Expunging`, `Error`, and an expunged VM's row is deleted;
//! - networking owns networks, NICs, rules, load balancers, security groups,
//!   VPCs, virtual routers and VPNs, and public addresses: the
//!   `public_ips` rows, one per address of each of the datacenter family's
//!   ranges, stored with the range ([`add_public_addresses`]) and gone with
//!   it.
//!
//! The `nics` table (`families/network/schema.sql`) holds user VMs' NICs:
//! the VM, its network, address, netmask, gateway, MAC, device id and
//! whether it is the default NIC. Its `account_id` is the VM owner's, so
//! deleting an account removes its NICs with everything else it owns. NICs
//! are created and removed only here ([`add_nic`], [`remove_nic`],
//! [`vm_expunged`]); compute reads them and may move the default flag
//! between a VM's NICs.
//!
//! What compute calls, in a VM's life: [`default_network`] and
//! [`check_network_usable`] while deploying, [`add_nic`] for each network
//! (the first NIC implements the network), [`assign_security_groups`] in a
//! zone with security groups, [`rendered_nics_of_vms`],
//! [`security_groups_of_vms`] and [`static_nats_of`] to render a page of VM
//! responses with one query each, and [`vm_expunged`] when the VM goes.
//! Refusals carry CloudStack's codes and texts, as from any handler.
//!
//! The other direction is `compute::api` (a VM's owner and state). Both
//! sides count what they create against resource limits through
//! `limits::api`.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::families::datacenter::api as dc;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

use super::networks::{self, NewNetwork};
use super::store::{self, Cidr};
use super::{nicips, nics, rules, securitygroups, staticnat};

/// The network a VM deploys into when no `networkids` are given: in a zone
/// with security groups, the zone's shared SG network; otherwise the
/// account's isolated network in the zone, created as `<account>-network`
/// with the Required offering when missing. 431 with CloudStack's text when
/// there are several.
pub(crate) fn default_network(
    call: &Call<'_>,
    account_id: &str,
    zone_id: &str,
) -> Result<String, ApiError> {
    let zone = dc::zone(call.tx, "zoneid", zone_id)?;
    let owner = store::account(call.tx, account_id)?;
    if zone.security_group_enabled {
        let found: Option<String> = call
            .tx
            .query_row(
                "SELECT n.id FROM networks n JOIN identity_domains nd ON nd.id = n.domain_id
                 WHERE n.zone_id = ?1 AND n.guest_type = 'Shared'
                   AND EXISTS (SELECT 1 FROM offerings_network_offering_services s WHERE s.offering_id = n.network_offering_id
                               AND s.service = 'SecurityGroup')
                   AND (n.account_id = ?2 OR (n.acl_type = 'Domain' AND (n.domain_id = ?3
                        OR (n.subdomain_access = 1 AND substr((SELECT path FROM identity_domains WHERE id = ?3), 1,
                            length(nd.path)) = nd.path))))
                 ORDER BY n.seq LIMIT 1",
                [&zone.id, &owner.id, &owner.domain_id],
                |r| r.get(0),
            )
            .optional()?;
        return found.ok_or_else(|| {
            ApiError::param(format!(
                "Unable to find a network with security groups in zone {}",
                zone.name
            ))
        });
    }
    let mut existing = store::networks_where(
        call.tx,
        "account_id = ?1 AND guest_type = 'Isolated' AND vpc_id IS NULL",
        &owner.id,
    )?;
    existing.retain(|n| n.zone_id == zone.id);
    match existing.len() {
        1 => return Ok(existing.remove(0).id),
        n if n > 1 => {
            return Err(ApiError::param(format!(
                "More than 1 default Isolated networks are found for account {}; please specify networkIds",
                owner.name
            )));
        }
        _ => {}
    }
    create_isolated(
        call,
        account_id,
        &zone.id,
        &format!("{}-network", owner.name),
    )
}

/// Creates an isolated guest network for an account in a zone, named `name`
/// (display text too), with the Required isolated offering, counted against
/// the account's network limit: what deploying with no network does, and
/// what a Kubernetes cluster with no network gets
/// (`KubernetesClusterManagerImpl.getKubernetesClusterNetworkIfMissing`).
pub(crate) fn create_isolated(
    call: &Call<'_>,
    account_id: &str,
    zone_id: &str,
    name: &str,
) -> Result<String, ApiError> {
    let zone = dc::zone(call.tx, "zoneid", zone_id)?;
    let owner = store::account(call.tx, account_id)?;
    let required: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT id, state FROM offerings_network_offerings
             WHERE availability = 'Required' AND guest_ip_type = 'Isolated' AND removed IS NULL ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((offering_id, state)) = required else {
        return Err(ApiError::param(
            "Unable to find network offering with availability=Required to automatically create the network as a part of vm creation",
        ));
    };
    if state != "Enabled" {
        return Err(ApiError::param(format!(
            "Required network offering id={offering_id} is not in Enabled"
        )));
    }
    let offering = networks::offering(call, &offering_id)?;
    let guest: Option<String> = call.tx.query_row(
        "SELECT guest_cidr FROM datacenter_zones WHERE id = ?1",
        [&zone.id],
        |r| r.get(0),
    )?;
    let cidr = guest.as_deref().and_then(Cidr::parse).ok_or_else(|| {
        ApiError::internal(format!(
            "Can't design network {name}; guest CIDR is not configured per zone {}",
            zone.name
        ))
    })?;
    limits::check(call, &owner.id, ResourceKind::Network, 1)?;
    let id = networks::insert(
        call,
        &NewNetwork {
            name,
            display_text: name,
            zone_id: &zone.id,
            offering: &offering,
            owner: Some(&owner),
            domain_id: &owner.domain_id,
            subdomain_access: None,
            cidr: Some(cidr),
            gateway: Some(crate::kernel::ip::format(cidr.first_host())),
            vlan: None,
            vpc_id: None,
            acl_id: None,
            network_domain: Some(networks::default_network_domain(&owner)),
            display: true,
        },
    )?;
    limits::add(call, &owner.id, ResourceKind::Network, 1)?;
    Ok(id)
}

/// Deletes a network no VM uses any more, releasing its owner's count:
/// what destroying a Kubernetes cluster does to the network made for it
/// (`KubernetesClusterDestroyWorker.destroyKubernetesClusterNetwork`);
/// `false` (and nothing done) while a VM still has a NIC in it.
pub(crate) fn delete_unused(call: &Call<'_>, network_id: &str) -> Result<bool, ApiError> {
    let Some(network) = store::find_network(call.tx, network_id)? else {
        return Ok(true);
    };
    if !networks::vms_using(call, network_id)?.is_empty() {
        return Ok(false);
    }
    if let Some(owner) = &network.account_id {
        limits::release(call, owner, ResourceKind::Network, 1)?;
    }
    networks::destroy(call, &network)?;
    Ok(true)
}

/// Checks that `account_id` may deploy into the network in `zone_id`
/// (431 unknown network or other zone, 531 another account's network or a
/// domain network out of reach).
pub(crate) fn check_network_usable(
    call: &Call<'_>,
    network_id: &str,
    account_id: &str,
    zone_id: &str,
) -> Result<(), ApiError> {
    let network = store::network(call.tx, "networkids", network_id)?;
    if network.zone_id != zone_id {
        return Err(ApiError::param(format!(
            "Network id={} doesn't belong to zone {zone_id}",
            network.id
        )));
    }
    match &network.account_id {
        Some(owner) if owner == account_id => Ok(()),
        Some(_) => Err(ApiError::permission(format!(
            "Unable to use network with id= {}, permission denied",
            network.id
        ))),
        None => {
            let owner = store::account(call.tx, account_id)?;
            let reachable: bool = call.tx.query_row(
                "SELECT ?1 = ?2 OR (?3 AND substr((SELECT path FROM identity_domains WHERE id = ?1), 1,
                        length((SELECT path FROM identity_domains WHERE id = ?2))) = (SELECT path FROM identity_domains WHERE id = ?2))",
                rusqlite::params![owner.domain_id, network.domain_id, network.subdomain_access],
                |r| r.get(0),
            )?;
            if reachable {
                Ok(())
            } else {
                Err(ApiError::permission(format!(
                    "Shared network id={} is not available in domain id={}",
                    network.id, owner.domain_id
                )))
            }
        }
    }
}

/// Adds a NIC for the VM on the network: a unique guest IP in the network's
/// CIDR (or `ip`, refused with 533 when taken), a MAC, the next device id;
/// implements the network on first use. Answers the NIC as VM responses
/// show it.
pub(crate) fn add_nic(
    call: &Call<'_>,
    vm_id: &str,
    network_id: &str,
    ip: Option<&str>,
    is_default: bool,
) -> Result<Value, ApiError> {
    nics::add(call, vm_id, network_id, ip, is_default)
}

/// Removes one NIC (`removeNicFromVirtualMachine`); refuses the default NIC.
pub(crate) fn remove_nic(call: &Call<'_>, vm_id: &str, nic_id: &str) -> Result<(), ApiError> {
    nics::remove(call, vm_id, nic_id)
}

/// Changes the address of a VM's NIC (`updateVmNicIp`): a free address of
/// its network, or the one asked for; the VM must be stopped when the
/// network has services. Rules on the old address follow it. Answers the
/// VM id.
pub(crate) fn update_nic_ip(
    call: &Call<'_>,
    nic_id: &str,
    ip: Option<&str>,
) -> Result<String, ApiError> {
    nicips::update_nic_ip(call, nic_id, ip)
}

pub(crate) use super::loadbalancer::{LbTarget, autoscale_target};

/// The `nic` array of a VM response.
pub(crate) fn nics_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    nics::nics_json(call, vm_id)
}

/// Assigns the groups (or the account's `default` group, created when
/// missing) to a VM whose zone or networks use security groups; groups
/// given for a VM without security groups are refused.
pub(crate) fn assign_security_groups(
    call: &Call<'_>,
    vm_id: &str,
    account_id: &str,
    group_ids: &[String],
) -> Result<(), ApiError> {
    let sg_zone: bool = call
        .tx
        .query_row(
            "SELECT z.security_group_enabled OR EXISTS (SELECT 1 FROM nics c JOIN networks n ON n.id = c.network_id
                    JOIN offerings_network_offering_services s ON s.offering_id = n.network_offering_id
                    WHERE c.vm_id = ?1 AND s.service = 'SecurityGroup')
             FROM compute_vms v JOIN datacenter_zones z ON z.id = v.zone_id WHERE v.id = ?1",
            [vm_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if !sg_zone {
        if group_ids.is_empty() {
            return Ok(());
        }
        return Err(ApiError::param(
            "Can't create vm with security groups; security group feature is not enabled per zone",
        ));
    }
    securitygroups::assign(call, vm_id, account_id, group_ids)
}

/// The `securitygroup` array of a VM response (responses use
/// [`security_groups_of_vms`], one query for a page).
#[cfg(test)]
pub(crate) fn security_groups_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    let ids = [vm_id.to_string()];
    Ok(securitygroups::groups_of_vms(call, &ids)?
        .remove(vm_id)
        .unwrap_or_default())
}

/// The `nic` arrays of some VMs written as JSON text, with each VM's
/// `ipaddress`, by VM id; VMs without NICs are left out.
pub(crate) fn rendered_nics_of_vms(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, nics::VmNics>, ApiError> {
    nics::rendered_nics_of_vms(call, vm_ids)
}

/// The `securitygroup` arrays of some VMs, by VM id; VMs without groups
/// are left out.
pub(crate) fn security_groups_of_vms(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    securitygroups::groups_of_vms(call, vm_ids)
}

/// The public IP each of some VMs has static NAT from, by VM id:
/// (address, IP id), the lowest address when there are several.
pub(crate) fn static_nats_of(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, (String, String)>, ApiError> {
    let mut out = HashMap::new();
    if vm_ids.is_empty() {
        return Ok(out);
    }
    let (list, args) = crate::kernel::sql::id_list(vm_ids);
    let mut stmt = call.tx.prepare_cached(&format!(
        "SELECT x.static_nat_vm_id, p.address, p.id FROM ip_details x JOIN public_ips p ON p.id = x.ip_id
         WHERE x.static_nat_vm_id IN ({list}) ORDER BY p.address_num"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
    })?;
    for row in rows {
        let (vm, nat) = row?;
        out.entry(vm).or_insert(nat);
    }
    Ok(out)
}

/// The public IP a VM has static NAT from: (address, IP id) (responses use
/// [`static_nats_of`], one query for a page).
#[cfg(test)]
pub(crate) fn static_nat_of(
    call: &Call<'_>,
    vm_id: &str,
) -> Result<Option<(String, String)>, ApiError> {
    let ids = [vm_id.to_string()];
    Ok(static_nats_of(call, &ids)?.remove(vm_id))
}

/// A VM is expunged: its port forwarding rules, static NAT, LB
/// memberships, security group memberships and NICs go (networks left
/// without NICs shut down).
pub(crate) fn vm_expunged(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    rules::remove_for_vm(call, vm_id)?;
    let nat: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT ip_id FROM ip_details WHERE static_nat_vm_id = ?1")?;
        let rows = stmt.query_map([vm_id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for ip_id in nat {
        staticnat::clear(call, &ip_id)?;
    }
    securitygroups::unassign_all(call, vm_id)?;
    nics::remove_all(call, vm_id)
}

/// Stores every address of a new range (`vlan_id`, the datacenter family's
/// row), free: the range's addresses are this family's rows, made here and
/// gone with the range.
pub(crate) fn add_public_addresses(
    tx: &rusqlite::Transaction<'_>,
    vlan_id: &str,
    zone_id: &str,
    physical_network_id: Option<&str>,
    addresses: std::ops::RangeInclusive<u32>,
) -> Result<(), ApiError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO public_ips (id, vlan_id, zone_id, physical_network_id, address, address_num)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for addr in addresses {
        insert.execute(rusqlite::params![
            crate::kernel::ids::new_id(),
            vlan_id,
            zone_id,
            physical_network_id,
            crate::kernel::ip::format(addr),
            i64::from(addr)
        ])?;
    }
    Ok(())
}

/// Removes the free addresses of range `vlan_id` outside `start..=end`
/// (a range that shrinks); allocated ones are the caller's to refuse.
pub(crate) fn remove_free_public_addresses_outside(
    tx: &rusqlite::Transaction<'_>,
    vlan_id: &str,
    start: u32,
    end: u32,
) -> Result<(), ApiError> {
    tx.execute(
        "DELETE FROM public_ips WHERE vlan_id = ?1 AND state = 'Free' AND (address_num < ?2 OR address_num > ?3)",
        rusqlite::params![vlan_id, i64::from(start), i64::from(end)],
    )?;
    Ok(())
}

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Public IP addresses, free or allocated.
    "network_public_ips",
    // Guest networks.
    "network_networks",
    // User VMs' NICs.
    "network_nics",
    // Security groups.
    "network_security_groups",
    // Which VMs are in which security group.
    "network_security_group_vm_map",
    // VPCs.
    "network_vpcs",
    // Port forwarding, firewall and load balancer rules and ACL items: their
    // ids and owners, for tags.
    "network_port_forwarding_rules",
    "network_firewall_rules",
    "network_load_balancer_rules",
    "network_network_acl_items",
];

/// Makes `nic_id` the VM's default NIC (and its other NICs not).
pub(crate) fn set_default_nic(
    tx: &rusqlite::Transaction<'_>,
    vm_id: &str,
    nic_id: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE nics SET is_default = (id = ?2) WHERE vm_id = ?1",
        rusqlite::params![vm_id, nic_id],
    )?;
    Ok(())
}
