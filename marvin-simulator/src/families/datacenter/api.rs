//! What other families may use of the datacenter family: zones, hypervisor
//! names, the hypervisors of a zone, primary storage pools as maintenance
//! sees and changes them.

use rusqlite::params;

pub(crate) use super::hypervisor_name;
pub(crate) use super::maintenance::{
    PoolPlace, pool_has_up_hosts, pool_json, pool_place, pool_preparing_beside, set_pool_state,
};
pub(crate) use super::store::{ZoneRow, zone};

use crate::kernel::error::ApiError;
use crate::kernel::sql;

/// The hypervisor types a zone's clusters run, each once, in the order
/// their first cluster was added; `None` when there is no such zone.
pub(crate) fn zone_hypervisors(
    tx: &rusqlite::Transaction<'_>,
    zone_id: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    if !sql::exists(tx, "zones", zone_id)? {
        return Ok(None);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT hypervisor FROM clusters WHERE zone_id = ?1 GROUP BY hypervisor ORDER BY MIN(rowid)",
    )?;
    let names = stmt
        .query_map(params![zone_id], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Some(names))
}

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Zones.
    "datacenter_zones",
    // Hosts, with their allocated CPU and memory.
    "datacenter_hosts",
    // Pods.
    "datacenter_pods",
    // Clusters.
    "datacenter_clusters",
    // Primary storage pools (with `rowid`, their creation order).
    "datacenter_storage_pools",
    // IP ranges (VLANs), dedicated or not.
    "datacenter_vlans",
    // Guest VLANs of physical networks and who holds them.
    "datacenter_guest_vnets",
    // Physical networks.
    "datacenter_physical_networks",
    // Traffic types of physical networks.
    "datacenter_traffic_types",
    // Secondary storage (image stores).
    "datacenter_image_stores",
];

/// Adds (or, negative, takes back) a VM's use of a host: CPU in MHz and
/// memory in bytes, kept within `0..=i64::MAX`.
pub(crate) fn allocate_on_host(
    tx: &rusqlite::Transaction<'_>,
    host_id: &str,
    cpu_mhz: i64,
    memory_bytes: i64,
) -> Result<(), ApiError> {
    // 9223372036854775807 is i64::MAX: an overflowing sum becomes a REAL in
    // SQLite, which min() turns back into the clamped integer.
    tx.prepare_cached(
        "UPDATE hosts SET cpu_allocated = max(0, min(cpu_allocated + ?2, 9223372036854775807)),
                          memory_allocated = max(0, min(memory_allocated + ?3, 9223372036854775807))
         WHERE id = ?1",
    )?
    .execute(params![host_id, cpu_mhz, memory_bytes])?;
    Ok(())
}

/// Counts `bytes` more (or, negative, fewer) on a primary storage pool.
pub(crate) fn allocate_on_pool(
    tx: &rusqlite::Transaction<'_>,
    pool_id: &str,
    bytes: i64,
) -> Result<(), ApiError> {
    tx.prepare_cached(
        "UPDATE storage_pools SET allocated_bytes = max(0, allocated_bytes + ?2) WHERE id = ?1",
    )?
    .execute(params![pool_id, bytes])?;
    Ok(())
}

/// The IP range of a shared network (`createNetwork` with `startip`): a
/// range bound to the network, not for public use.
#[derive(Debug)]
pub(crate) struct NetworkRange<'a> {
    /// The range's id.
    pub(crate) id: &'a str,
    /// Its zone.
    pub(crate) zone_id: &'a str,
    /// Its physical network, if the network has one.
    pub(crate) physical_network_id: Option<&'a str>,
    /// The network it belongs to.
    pub(crate) network_id: &'a str,
    /// `vlan://<tag>` or `vlan://untagged`.
    pub(crate) vlan_tag: &'a str,
    /// Gateway, netmask and CIDR of the range.
    pub(crate) gateway: &'a str,
    /// The netmask.
    pub(crate) netmask: &'a str,
    /// The CIDR.
    pub(crate) cidr: &'a str,
    /// First and last address.
    pub(crate) start_ip: &'a str,
    /// The last address.
    pub(crate) end_ip: &'a str,
    /// When it was made.
    pub(crate) created: &'a str,
}

/// Stores a shared network's range (its addresses are the network family's
/// rows, which go with the range).
pub(crate) fn add_network_range(
    tx: &rusqlite::Transaction<'_>,
    range: &NetworkRange<'_>,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO vlans (id, zone_id, physical_network_id, network_id, vlan_tag, gateway, netmask, cidr, start_ip,
                            end_ip, for_virtual_network, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11)",
        params![
            range.id,
            range.zone_id,
            range.physical_network_id,
            range.network_id,
            range.vlan_tag,
            range.gateway,
            range.netmask,
            range.cidr,
            range.start_ip,
            range.end_ip,
            range.created
        ],
    )?;
    Ok(())
}

/// Removes the ranges bound to a network (their addresses go with them).
pub(crate) fn remove_network_ranges(
    tx: &rusqlite::Transaction<'_>,
    network_id: &str,
) -> Result<(), ApiError> {
    tx.execute("DELETE FROM vlans WHERE network_id = ?1", [network_id])?;
    Ok(())
}

/// Gives a free guest VLAN of a physical network to a network (and, for
/// an account's network, to the account); a taken one stays as it is.
pub(crate) fn take_guest_vnet(
    tx: &rusqlite::Transaction<'_>,
    physical_network_id: &str,
    vnet: i64,
    account_id: Option<&str>,
    network_id: &str,
    taken: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE guest_vnets SET account_id = ?3, network_id = ?4, taken = ?5
         WHERE physical_network_id = ?1 AND vnet = ?2 AND taken IS NULL",
        params![physical_network_id, vnet, account_id, network_id, taken],
    )?;
    Ok(())
}

/// Gives a network's guest VLANs back to their physical network.
pub(crate) fn release_guest_vnets(
    tx: &rusqlite::Transaction<'_>,
    network_id: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE guest_vnets SET account_id = NULL, network_id = NULL, taken = NULL WHERE network_id = ?1",
        [network_id],
    )?;
    Ok(())
}
