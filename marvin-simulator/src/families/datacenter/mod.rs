//! Datacenter: zones, physical networks (traffic types, service providers,
//! router elements, guest VLANs), pods, clusters, hosts, primary storage,
//! image stores and public IP ranges: the path of Marvin's
//! `deployDataCenter`.
//!
//! The default seed (skipped for an empty simulator) is one Advanced zone,
//! `Sandbox-simulator`, ready to use. Seed ids: `zone`, `physical_network`,
//! `pod`, `cluster`, `host`, `host2`, `storage_pool`, `image_store`,
//! `public_range`.

pub(crate) mod api;
mod clusters;
mod hosts;
mod internal_lb;
mod maintenance;
mod network;
mod pods;
mod providers;
mod storage;
mod storage_ranges;
pub(crate) mod store;
mod vlan_update;
mod vlans;
mod zones;

#[cfg(test)]
mod fidelity_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod internal_lb_tests;
#[cfg(test)]
mod storage_ranges_tests;
#[cfg(test)]
mod vlan_update_tests;

use rusqlite::params;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::ip;

/// The state names CloudStack uses for `allocationstate`.
pub(crate) fn allocation_state(value: &str) -> Result<&'static str, ApiError> {
    match value {
        v if v.eq_ignore_ascii_case("Enabled") => Ok("Enabled"),
        v if v.eq_ignore_ascii_case("Disabled") => Ok("Disabled"),
        other => Err(ApiError::param(format!(
            "Unable to resolve Allocation State '{other}' to a supported state"
        ))),
    }
}

/// CloudStack's spelling of a hypervisor type, if the name is one.
pub(crate) fn hypervisor_name(name: &str) -> Option<&'static str> {
    clusters::hypervisor(name)
}

/// The datacenter family.
pub(crate) const FAMILY: Family =
    Family::new("datacenter", include_str!("schema.sql"), COMMANDS)
        .seeded(seed)
        .publishing(api::VIEWS);

/// The datacenter family's part of the seed.
fn seed(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    if seed.empty {
        return Ok(());
    }
    seed_zone(seed)
}

const COMMANDS: &[Command] = &[
    Command::admin(
        "createZone",
        "Creates a zone, disabled until it is set up and enabled.",
        zones::create,
    ),
    Command::admin(
        "updateZone",
        "Changes a zone's settings or enables and disables it.",
        zones::update,
    ),
    Command::admin(
        "deleteZone",
        "Deletes a zone that holds nothing any more.",
        zones::delete,
    ),
    Command {
        name: "listZones",
        roles: RoleSet::ALL,
        doc: "Lists the zones the caller may use (all of them for the root admin).",
        run: zones::list,
    },
    Command::admin(
        "createPhysicalNetwork",
        "Creates a physical network in a zone, with its default service providers.",
        network::create_physical_network,
    ),
    Command::admin(
        "updatePhysicalNetwork",
        "Enables or disables a physical network or changes its guest VLAN ranges, speed or tags.",
        network::update_physical_network,
    ),
    Command::admin(
        "deletePhysicalNetwork",
        "Deletes a physical network whose VLANs, networks and addresses are unused.",
        network::delete_physical_network,
    ),
    Command::admin(
        "listPhysicalNetworks",
        "Lists physical networks.",
        network::list_physical_networks,
    ),
    Command::admin(
        "addTrafficType",
        "Lets a physical network carry a kind of traffic.",
        network::add_traffic_type,
    ),
    Command::admin(
        "updateTrafficType",
        "Changes the hypervisor network labels of a traffic type.",
        network::update_traffic_type,
    ),
    Command::admin(
        "deleteTrafficType",
        "Removes a kind of traffic from a physical network.",
        network::delete_traffic_type,
    ),
    Command::admin(
        "listTrafficTypes",
        "Lists the kinds of traffic a physical network carries.",
        network::list_traffic_types,
    ),
    Command::admin(
        "addNetworkServiceProvider",
        "Adds a network service provider to a physical network.",
        network::add_provider,
    ),
    Command::admin(
        "updateNetworkServiceProvider",
        "Enables, disables or shuts down a network service provider, or changes its services.",
        network::update_provider,
    ),
    Command::admin(
        "deleteNetworkServiceProvider",
        "Removes a network service provider from a physical network.",
        network::delete_provider,
    ),
    Command::admin(
        "listNetworkServiceProviders",
        "Lists the network service providers of physical networks.",
        network::list_providers,
    ),
    Command::admin(
        "listVirtualRouterElements",
        "Lists the virtual router elements behind router providers.",
        network::list_router_elements,
    ),
    Command::admin(
        "configureVirtualRouterElement",
        "Enables or disables a virtual router element.",
        network::configure_router_element,
    ),
    Command::admin(
        "listInternalLoadBalancerElements",
        "Lists the internal load balancer elements behind InternalLbVm providers.",
        internal_lb::list,
    ),
    Command::admin(
        "configureInternalLoadBalancerElement",
        "Enables or disables an internal load balancer element.",
        internal_lb::configure,
    ),
    Command::admin(
        "createPod",
        "Creates a pod with its management subnet and reserved range.",
        pods::create,
    ),
    Command::admin(
        "updatePod",
        "Changes a pod's name, gateway, netmask or allocation state.",
        pods::update,
    ),
    Command::admin(
        "deletePod",
        "Deletes a pod that has no clusters, hosts or volumes left.",
        pods::delete,
    ),
    Command::admin("listPods", "Lists pods.", pods::list),
    Command::admin(
        "addCluster",
        "Adds a cluster of one hypervisor type to a pod.",
        clusters::add,
    ),
    Command::admin(
        "updateCluster",
        "Changes a cluster's name, type or allocation and managed state.",
        clusters::update,
    ),
    Command::admin(
        "deleteCluster",
        "Deletes a cluster that has no hosts or storage pools left.",
        clusters::delete,
    ),
    Command::admin("listClusters", "Lists clusters.", clusters::list),
    Command::admin(
        "addHost",
        "Adds a simulated host to a cluster from an http://sim/ URL.",
        hosts::add,
    ),
    Command::admin(
        "updateHost",
        "Enables or disables a host or changes its name or tags.",
        hosts::update,
    ),
    Command::admin(
        "deleteHost",
        "Deletes a host in maintenance (or any host when forced).",
        hosts::delete,
    ),
    Command::admin("listHosts", "Lists hosts with their capacity.", hosts::list),
    Command::admin(
        "prepareHostForMaintenance",
        "Puts a host into maintenance.",
        hosts::prepare_maintenance,
    ),
    Command::admin(
        "cancelHostMaintenance",
        "Takes a host out of maintenance.",
        hosts::cancel_maintenance,
    ),
    Command::admin(
        "createStoragePool",
        "Adds primary storage to a cluster or a whole zone.",
        storage::create_pool,
    ),
    Command::admin(
        "updateStoragePool",
        "Changes a storage pool's name, tags or capacity, or enables and disables it.",
        storage::update_pool,
    ),
    Command::admin(
        "deleteStoragePool",
        "Deletes a storage pool that holds no volumes.",
        storage::delete_pool,
    ),
    Command::admin(
        "listStoragePools",
        "Lists primary storage pools.",
        storage::list_pools,
    ),
    Command::admin(
        "addImageStore",
        "Adds secondary storage for templates, ISOs and snapshots.",
        storage::add_image_store,
    ),
    Command::admin(
        "deleteImageStore",
        "Deletes a secondary storage.",
        storage::delete_image_store,
    ),
    Command::admin(
        "listImageStores",
        "Lists secondary storages.",
        storage::list_image_stores,
    ),
    Command::admin(
        "listStorageProviders",
        "Lists the storage providers of a type: primary, image or image cache.",
        providers::list,
    ),
    Command::admin(
        "createVlanIpRange",
        "Adds a range of public or shared-network addresses, optionally on a VLAN.",
        vlans::create,
    ),
    Command::admin(
        "deleteVlanIpRange",
        "Deletes an address range none of whose addresses is in use.",
        vlans::delete,
    ),
    Command::admin("listVlanIpRanges", "Lists address ranges.", vlans::list),
    Command::admin(
        "updateVlanIpRange",
        "Grows, shrinks or re-addresses a range; addresses in use stay inside it.",
        vlan_update::update,
    ),
    Command::admin(
        "createStorageNetworkIpRange",
        "Gives a pod a range of storage network addresses.",
        storage_ranges::create,
    ),
    Command::admin(
        "updateStorageNetworkIpRange",
        "Changes the addresses, netmask or VLAN of a storage network range.",
        storage_ranges::update,
    ),
    Command::admin(
        "deleteStorageNetworkIpRange",
        "Deletes a storage network range.",
        storage_ranges::delete,
    ),
    Command::admin(
        "listStorageNetworkIpRange",
        "Lists storage network ranges.",
        storage_ranges::list,
    ),
];

/// Seeds the default zone: everything `deployDataCenter` would have built.
fn seed_zone(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    let tx = seed.tx;
    let now = crate::kernel::time::format(seed.now);
    let zone = ids::new_id();
    tx.execute(
        "INSERT INTO zones (id, name, network_type, dns1, dns2, internal_dns1, guest_cidr, allocation_state,
                            zone_token, created)
         VALUES (?1, 'Sandbox-simulator', 'Advanced', '8.8.8.8', '8.8.4.4', '8.8.8.8', ?2, 'Enabled', ?3, ?4)",
        params![zone, zones::DEFAULT_GUEST_CIDR, ids::new_id(), now],
    )?;

    let physical = ids::new_id();
    tx.execute(
        "INSERT INTO physical_networks (id, zone_id, name, isolation_methods, broadcast_domain_range, state, created)
         VALUES (?1, ?2, 'Sandbox-pnet', 'VLAN', 'ZONE', 'Enabled', ?3)",
        params![physical, zone, now],
    )?;
    for traffic in ["Guest", "Public", "Management", "Storage"] {
        tx.execute(
            "INSERT INTO traffic_types (id, physical_network_id, traffic_type) VALUES (?1, ?2, ?3)",
            params![ids::new_id(), physical, traffic],
        )?;
    }
    network::add_default_providers(tx, &physical, true)?;
    network::set_vnets(tx, &physical, "100-199")?;

    let pod = ids::new_id();
    tx.execute(
        "INSERT INTO pods (id, zone_id, name, gateway, netmask, cidr, start_ip, end_ip, allocation_state, created)
         VALUES (?1, ?2, 'Sandbox-pod', '172.16.15.1', '255.255.255.0', '172.16.15.0/24', '172.16.15.2',
                 '172.16.15.200', 'Enabled', ?3)",
        params![pod, zone, now],
    )?;
    let cluster = ids::new_id();
    tx.execute(
        "INSERT INTO clusters (id, zone_id, pod_id, name, hypervisor, created)
         VALUES (?1, ?2, ?3, 'Sandbox-cluster', 'Simulator', ?4)",
        params![cluster, zone, pod, now],
    )?;
    let mut host_ids = Vec::new();
    for (n, address) in ["172.16.15.201", "172.16.15.202"].into_iter().enumerate() {
        let id = ids::new_id();
        let guid = ids::new_id();
        tx.execute(
            "INSERT INTO hosts (id, name, zone_id, pod_id, cluster_id, hypervisor, ip_address, url, cpu_number,
                                cpu_speed, memory_total, local_storage, guid, version, created, last_pinged)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Simulator', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            params![
                id,
                format!("SimulatedAgent.{guid}"),
                zone,
                pod,
                cluster,
                address,
                format!("http://sim/c0/h{n}"),
                hosts::DEFAULT_CORES,
                hosts::DEFAULT_SPEED,
                hosts::DEFAULT_MEMORY,
                hosts::DEFAULT_LOCAL_STORAGE,
                guid,
                crate::families::identity::api::CLOUDSTACK_VERSION,
                now
            ],
        )?;
        host_ids.push(id);
    }
    let pool = ids::new_id();
    tx.execute(
        "INSERT INTO storage_pools (id, zone_id, pod_id, cluster_id, name, url, path, ip_address, scope, type,
                                    hypervisor, capacity_bytes, created)
         VALUES (?1, ?2, ?3, ?4, 'Sandbox-primary', 'nfs://10.147.28.6/export/home/sandbox/primary',
                 '/export/home/sandbox/primary', '10.147.28.6', 'CLUSTER', 'NetworkFilesystem', 'Simulator', ?5, ?6)",
        params![pool, zone, pod, cluster, 2 * storage::DEFAULT_POOL_CAPACITY, now],
    )?;
    let image_store = ids::new_id();
    tx.execute(
        "INSERT INTO image_stores (id, zone_id, name, url, protocol, provider, scope, created)
         VALUES (?1, ?2, 'Sandbox-secondary', 'nfs://10.147.28.6/export/home/sandbox/secondary', 'nfs', 'NFS',
                 'ZONE', ?3)",
        params![image_store, zone, now],
    )?;
    let range = vlans::insert_range(
        tx,
        &vlans::NewRange {
            zone_id: &zone,
            pod_id: None,
            physical_network_id: Some(&physical),
            network_id: None,
            vlan: "vlan://50",
            gateway: "10.0.0.1",
            netmask: "255.255.255.0",
            start: ip::parse("10.0.0.2").unwrap_or(0),
            end: ip::parse("10.0.0.254").unwrap_or(0),
            prefix: 24,
            for_virtual_network: true,
            for_system_vms: false,
            account_id: None,
            domain_id: None,
            created: &now,
        },
    )?;

    let mut hosts = host_ids.into_iter();
    seed.ids.insert("zone", zone);
    seed.ids.insert("physical_network", physical);
    seed.ids.insert("pod", pod);
    seed.ids.insert("cluster", cluster);
    seed.ids.insert("host", hosts.next().unwrap_or_default());
    seed.ids.insert("host2", hosts.next().unwrap_or_default());
    seed.ids.insert("storage_pool", pool);
    seed.ids.insert("image_store", image_store);
    seed.ids.insert("public_range", range);
    Ok(())
}
