//! Offerings: compute (service), disk, network and VPC offerings.
//!
//! The seed holds what a fresh CloudStack install has
//! (cloudstack-semantics.md §6). Seed ids: `service_offering_small`,
//! `service_offering_medium`, `service_offering_router`,
//! `disk_offering_small`, `disk_offering_medium`, `disk_offering_large`,
//! `disk_offering_custom`, `network_offering_isolated_sourcenat` (the
//! Required one), `network_offering_isolated`, `network_offering_shared`,
//! `network_offering_shared_sg`, `network_offering_vpc`,
//! `network_offering_vpc_nolb`, `network_offering_l2`,
//! `network_offering_l2_vlan`, `vpc_offering`, `vpc_offering_redundant`.

pub(crate) mod api;
mod compute;
mod io;
mod network;
mod store;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rusqlite::params;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;

/// The offerings family.
pub(crate) const FAMILY: Family =
    Family::new("offerings", include_str!("schema.sql"), COMMANDS)
        .seeded(seed_offerings)
        .publishing(api::VIEWS);

const COMMANDS: &[Command] = &[
    Command::new(
        "createServiceOffering",
        RoleSet::ADMIN,
        "Creates a compute offering: fixed CPU, speed and memory, or chosen at deploy time.",
        compute::create_service,
    ),
    Command::new(
        "updateServiceOffering",
        RoleSet::ADMIN,
        "Renames a compute offering or changes its state, tags, order, domains or zones.",
        compute::update_service,
    ),
    Command::new(
        "deleteServiceOffering",
        RoleSet::ADMIN,
        "Removes a compute offering from use.",
        compute::delete_service,
    ),
    Command::new(
        "listServiceOfferings",
        RoleSet::ALL,
        "Lists the compute offerings the caller may use.",
        compute::list_service,
    ),
    Command::new(
        "createDiskOffering",
        RoleSet::ADMIN,
        "Creates a disk offering of a fixed size, or of a size chosen when the volume is created.",
        compute::create_disk,
    ),
    Command::new(
        "updateDiskOffering",
        RoleSet::ADMIN,
        "Renames a disk offering or changes its state, tags, visibility, order, domains or zones.",
        compute::update_disk,
    ),
    Command::new(
        "deleteDiskOffering",
        RoleSet::ADMIN,
        "Removes a disk offering from use.",
        compute::delete_disk,
    ),
    Command::new(
        "listDiskOfferings",
        RoleSet::ALL,
        "Lists the disk offerings the caller may use.",
        compute::list_disk,
    ),
    Command::new(
        "createNetworkOffering",
        RoleSet::ADMIN,
        "Creates a network offering: guest type, services and their providers; it starts disabled.",
        network::create,
    ),
    Command::new(
        "updateNetworkOffering",
        RoleSet::ADMIN,
        "Enables or disables a network offering or changes its name, availability, tags, domains or zones.",
        network::update,
    ),
    Command::new(
        "deleteNetworkOffering",
        RoleSet::ADMIN,
        "Removes a network offering that is neither a default one nor used by a network.",
        network::delete,
    ),
    Command::new(
        "listNetworkOfferings",
        RoleSet::ALL,
        "Lists network offerings, filtered by type, state, services and more.",
        network::list,
    ),
    Command::new(
        "createVPCOffering",
        RoleSet::ADMIN,
        "Creates a VPC offering with its services and providers; it starts disabled.",
        network::create_vpc,
    ),
    Command::new(
        "updateVPCOffering",
        RoleSet::ADMIN,
        "Enables or disables a VPC offering or changes its name, text, domains or zones.",
        network::update_vpc,
    ),
    Command::new(
        "deleteVPCOffering",
        RoleSet::ADMIN,
        "Removes a VPC offering that is neither a default one nor used by a VPC.",
        network::delete_vpc,
    ),
    Command::new(
        "listVPCOfferings",
        RoleSet::ALL,
        "Lists VPC offerings.",
        network::list_vpc,
    ),
];

const ISOLATED_SOURCE_NAT: &[&str] = &[
    "Dhcp",
    "Dns",
    "UserData",
    "Firewall",
    "Gateway",
    "Lb",
    "SourceNat",
    "StaticNat",
    "PortForwarding",
    "Vpn",
];
const VPC_SERVICES: &[&str] = &[
    "Dhcp",
    "Dns",
    "UserData",
    "NetworkACL",
    "Gateway",
    "Lb",
    "SourceNat",
    "StaticNat",
    "PortForwarding",
    "Vpn",
];
const VPC_SERVICES_NO_LB: &[&str] = &[
    "Dhcp",
    "Dns",
    "UserData",
    "NetworkACL",
    "Gateway",
    "SourceNat",
    "StaticNat",
    "PortForwarding",
    "Vpn",
];
const BASIC_SERVICES: &[&str] = &["Dhcp", "Dns", "UserData"];

struct DefaultNetworkOffering {
    key: &'static str,
    name: &'static str,
    text: &'static str,
    guest_type: &'static str,
    availability: &'static str,
    specify_vlan: bool,
    specify_ip_ranges: bool,
    for_vpc: bool,
    services: &'static [&'static str],
    provider: &'static str,
    security_groups: bool,
}

const DEFAULT_NETWORK_OFFERINGS: &[DefaultNetworkOffering] = &[
    DefaultNetworkOffering {
        key: "network_offering_shared_sg",
        name: "DefaultSharedNetworkOfferingWithSGService",
        text: "Offering for Shared Security group enabled networks",
        guest_type: "Shared",
        availability: "Optional",
        specify_vlan: true,
        specify_ip_ranges: true,
        for_vpc: false,
        services: BASIC_SERVICES,
        provider: "VirtualRouter",
        security_groups: true,
    },
    DefaultNetworkOffering {
        key: "network_offering_shared",
        name: "DefaultSharedNetworkOffering",
        text: "Offering for Shared networks",
        guest_type: "Shared",
        availability: "Optional",
        specify_vlan: true,
        specify_ip_ranges: true,
        for_vpc: false,
        services: BASIC_SERVICES,
        provider: "VirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_isolated_sourcenat",
        name: "DefaultIsolatedNetworkOfferingWithSourceNatService",
        text: "Offering for Isolated networks with Source Nat service enabled",
        guest_type: "Isolated",
        availability: "Required",
        specify_vlan: false,
        specify_ip_ranges: false,
        for_vpc: false,
        services: ISOLATED_SOURCE_NAT,
        provider: "VirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_isolated",
        name: "DefaultIsolatedNetworkOffering",
        text: "Offering for Isolated networks with no Source Nat service",
        guest_type: "Isolated",
        availability: "Optional",
        specify_vlan: true,
        specify_ip_ranges: true,
        for_vpc: false,
        services: BASIC_SERVICES,
        provider: "VirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_vpc",
        name: "DefaultIsolatedNetworkOfferingForVpcNetworks",
        text: "Offering for Isolated VPC networks with Source Nat service enabled",
        guest_type: "Isolated",
        availability: "Optional",
        specify_vlan: false,
        specify_ip_ranges: false,
        for_vpc: true,
        services: VPC_SERVICES,
        provider: "VpcVirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_vpc_nolb",
        name: "DefaultIsolatedNetworkOfferingForVpcNetworksNoLB",
        text: "Offering for Isolated VPC networks with Source Nat service enabled and without LB",
        guest_type: "Isolated",
        availability: "Optional",
        specify_vlan: false,
        specify_ip_ranges: false,
        for_vpc: true,
        services: VPC_SERVICES_NO_LB,
        provider: "VpcVirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_l2",
        name: "DefaultL2NetworkOffering",
        text: "Offering for L2 networks",
        guest_type: "L2",
        availability: "Optional",
        specify_vlan: false,
        specify_ip_ranges: false,
        for_vpc: false,
        services: &[],
        provider: "VirtualRouter",
        security_groups: false,
    },
    DefaultNetworkOffering {
        key: "network_offering_l2_vlan",
        name: "DefaultL2NetworkOfferingVlan",
        text: "Offering for L2 networks VLAN",
        guest_type: "L2",
        availability: "Optional",
        specify_vlan: true,
        specify_ip_ranges: false,
        for_vpc: false,
        services: &[],
        provider: "VirtualRouter",
        security_groups: false,
    },
];

fn seed_offerings(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    let tx = seed.tx;
    let now = crate::kernel::time::format(seed.now);

    /// (seed id, name, cpus, MHz, MiB, system VM type of system offerings)
    type DefaultService = (
        &'static str,
        &'static str,
        i64,
        i64,
        i64,
        Option<&'static str>,
    );
    let services: [DefaultService; 3] = [
        (
            "service_offering_small",
            "Small Instance",
            1,
            500,
            512,
            None,
        ),
        (
            "service_offering_medium",
            "Medium Instance",
            1,
            1000,
            1024,
            None,
        ),
        (
            "service_offering_router",
            "System Offering For Software Router",
            1,
            500,
            256,
            Some("domainrouter"),
        ),
    ];
    for (key, name, cpu, speed, memory, vm_type) in services {
        let system = vm_type.is_some();
        let id = ids::new_id();
        tx.execute(
            "INSERT INTO service_offerings (id, name, display_text, cpu_number, cpu_speed, memory, is_system,
                                            system_vm_type, default_use, created)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8)",
            params![id, name, cpu, speed, memory, system, vm_type, now],
        )?;
        seed.ids.insert(key, id);
    }

    let disks = [
        ("disk_offering_small", "Small", "Small Disk, 5 GB", 5, false),
        (
            "disk_offering_medium",
            "Medium",
            "Medium Disk, 20 GB",
            20,
            false,
        ),
        (
            "disk_offering_large",
            "Large",
            "Large Disk, 100 GB",
            100,
            false,
        ),
        ("disk_offering_custom", "Custom", "Custom Disk", 0, true),
    ];
    for (key, name, text, size, customized) in disks {
        let id = ids::new_id();
        tx.execute(
            "INSERT INTO disk_offerings (id, name, display_text, disk_size, customized, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, name, text, size, customized, now],
        )?;
        seed.ids.insert(key, id);
    }

    for offering in DEFAULT_NETWORK_OFFERINGS {
        let id = ids::new_id();
        let has_lb = offering.services.contains(&"Lb");
        tx.execute(
            "INSERT INTO network_offerings (id, name, display_text, guest_ip_type, availability, state, specify_vlan,
                 specify_ip_ranges, conserve_mode, egress_default_policy, for_vpc, is_default, public_lb, created)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Enabled', ?6, ?7, ?8, 0, ?9, 1, ?10, ?11)",
            params![
                id,
                offering.name,
                offering.text,
                offering.guest_type,
                offering.availability,
                offering.specify_vlan,
                offering.specify_ip_ranges,
                !offering.for_vpc,
                offering.for_vpc,
                has_lb,
                now
            ],
        )?;
        let mut map: BTreeMap<&'static str, Vec<&'static str>> = offering
            .services
            .iter()
            .map(|s| (*s, vec![offering.provider]))
            .collect();
        if offering.security_groups {
            map.insert("SecurityGroup", vec!["SecurityGroupProvider"]);
        }
        network::insert_services(tx, "network_offering_services", &id, &map)?;
        seed.ids.insert(offering.key, id);
    }

    for (key, name, redundant) in [
        ("vpc_offering", "Default VPC offering", false),
        ("vpc_offering_redundant", "Redundant VPC offering", true),
    ] {
        let id = ids::new_id();
        tx.execute(
            "INSERT INTO vpc_offerings (id, name, display_text, state, is_default, redundant_router, created)
             VALUES (?1, ?2, ?2, 'Enabled', 1, ?3, ?4)",
            params![id, name, redundant, now],
        )?;
        let map: BTreeMap<&'static str, Vec<&'static str>> = VPC_SERVICES
            .iter()
            .map(|s| (*s, vec!["VpcVirtualRouter"]))
            .collect();
        network::insert_services(tx, "vpc_offering_services", &id, &map)?;
        seed.ids.insert(key, id);
    }
    Ok(())
}
