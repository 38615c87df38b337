//! Service, disk, network and VPC offerings.

use std::collections::BTreeMap;

use marvin_entities::commands;

use crate::{factory, fake, sequence};

/// `(service, provider)` pairs as owned strings, for the `services` and
/// `providers` attributes: `service_providers(&[("Dhcp", "VirtualRouter")])`.
pub fn service_providers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(service, provider)| (service.to_string(), provider.to_string()))
        .collect()
}

/// The `serviceproviderlist` map entries of `(service, provider)` pairs.
fn provider_list(pairs: &[(String, String)]) -> Vec<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|(service, provider)| {
            BTreeMap::from([
                ("service".to_string(), service.clone()),
                ("provider".to_string(), provider.clone()),
            ])
        })
        .collect()
}

/// The services of an isolated network with source NAT, on the virtual router.
const ISOLATED: &[(&str, &str)] = &[
    ("Dhcp", "VirtualRouter"),
    ("Dns", "VirtualRouter"),
    ("SourceNat", "VirtualRouter"),
    ("StaticNat", "VirtualRouter"),
    ("PortForwarding", "VirtualRouter"),
    ("Firewall", "VirtualRouter"),
    ("Lb", "VirtualRouter"),
    ("UserData", "VirtualRouter"),
    ("Vpn", "VirtualRouter"),
];

/// The services of a shared network.
const SHARED: &[(&str, &str)] = &[
    ("Dhcp", "VirtualRouter"),
    ("Dns", "VirtualRouter"),
    ("UserData", "VirtualRouter"),
];

/// The services of a shared network with security groups.
const SHARED_SG: &[(&str, &str)] = &[
    ("Dhcp", "VirtualRouter"),
    ("Dns", "VirtualRouter"),
    ("UserData", "VirtualRouter"),
    ("SecurityGroup", "SecurityGroupProvider"),
];

/// The services of a VPC tier.
const VPC_TIER: &[(&str, &str)] = &[
    ("Dhcp", "VpcVirtualRouter"),
    ("Dns", "VpcVirtualRouter"),
    ("SourceNat", "VpcVirtualRouter"),
    ("StaticNat", "VpcVirtualRouter"),
    ("PortForwarding", "VpcVirtualRouter"),
    ("Lb", "VpcVirtualRouter"),
    ("UserData", "VpcVirtualRouter"),
    ("NetworkACL", "VpcVirtualRouter"),
];

/// The services of a VPC.
const VPC: &[(&str, &str)] = &[
    ("Dhcp", "VpcVirtualRouter"),
    ("Dns", "VpcVirtualRouter"),
    ("SourceNat", "VpcVirtualRouter"),
    ("StaticNat", "VpcVirtualRouter"),
    ("PortForwarding", "VpcVirtualRouter"),
    ("Lb", "VpcVirtualRouter"),
    ("UserData", "VpcVirtualRouter"),
    ("NetworkACL", "VpcVirtualRouter"),
    ("Vpn", "VpcVirtualRouter"),
];

factory! {
    /// A small compute offering: 1 CPU of 100 MHz and 100 MB of memory.
    pub SmallServiceOffering / SmallServiceOfferingBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("small"),
            /// The description.
            displaytext: String = format!("Small offering {name}"),
            /// CPUs.
            cpunumber: i64 = 1,
            /// CPU speed in MHz.
            cpuspeed: i64 = 100,
            /// Memory in MB.
            memory: i64 = 100,
        }
        build -> commands::CreateServiceOffering as marvin_entities::ServiceOffering {
            commands::CreateServiceOffering::builder()
                .displaytext(displaytext)
                .name(name)
                .into_request()
                .with_options(
                commands::CreateServiceOfferingOptions {
                    cpunumber: Some(cpunumber),
                    cpuspeed: Some(cpuspeed),
                    memory: Some(memory),
                    ..Default::default()
                },
            )
        }
    }

    /// A 10 GB disk offering on shared storage.
    pub SharedDiskOffering / DiskOfferingBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("disk"),
            /// The description.
            displaytext: String = format!("Disk offering {name}"),
            /// The size in GB.
            disksize: i64 = 10,
            /// `shared` or `local`.
            storagetype: String = "shared".to_string(),
        }
        build -> commands::CreateDiskOffering as marvin_entities::DiskOffering {
            commands::CreateDiskOffering::builder()
                .displaytext(displaytext)
                .name(name)
                .into_request()
                .with_options(
                commands::CreateDiskOfferingOptions {
                    disksize: Some(disksize),
                    storagetype: Some(storagetype),
                    ..Default::default()
                },
            )
        }
    }

    /// A 10 GB disk offering on local storage.
    pub LocalDiskOffering = SharedDiskOffering::new().storagetype("local");

    /// An isolated guest network offering with source NAT and the usual
    /// services on the virtual router; a post-generation hook enables it
    /// (set `enable(false)` to keep it disabled).
    pub DefaultIsolatedNetworkOfferingWithSourceNatService / NetworkOfferingBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("netoffering"),
            /// The description.
            displaytext: String = fake::description(),
            /// `Isolated` or `Shared`.
            guestiptype: String = "Isolated".to_string(),
            /// The traffic type.
            traffictype: String = "GUEST".to_string(),
            /// `Optional` or `Required`.
            availability: String = "Optional".to_string(),
            /// Whether networks give their VLAN.
            specifyvlan: bool = false,
            /// Whether networks give their IP ranges.
            specifyipranges: bool = false,
            /// Whether it is for VPC tiers.
            forvpc: bool = false,
            /// The services and their providers (see [`service_providers`]).
            services: Vec<(String, String)> = service_providers(ISOLATED),
            /// Whether the post-generation hook enables it.
            enable: bool = true,
        }
        build -> commands::CreateNetworkOffering as marvin_entities::NetworkOffering {
            commands::CreateNetworkOffering::builder()
                .displaytext(displaytext)
                .guestiptype(guestiptype)
                .name(name)
                .traffictype(traffictype)
                .into_request()
                .with_options(commands::CreateNetworkOfferingOptions {
                    availability: Some(availability),
                    specifyvlan: Some(specifyvlan),
                    specifyipranges: Some(specifyipranges),
                    forvpc: Some(forvpc),
                    supportedservices: Some(services.iter().map(|(s, _)| s.clone()).collect()),
                    serviceproviderlist: Some(provider_list(&services)),
                    ..Default::default()
                })
        }
        after(ctx, offering) {
            if enable {
                *offering = offering
                    .update(ctx.client())
                    .state("Enabled")
                    .await?;
            }
        }
    }

    /// A shared network offering (VLAN and IP ranges given by the network),
    /// enabled.
    pub DefaultSharedNetworkOffering = DefaultIsolatedNetworkOfferingWithSourceNatService::new()
        .guestiptype("Shared")
        .specifyvlan(true)
        .specifyipranges(true)
        .services(service_providers(SHARED));

    /// A shared network offering with the security group service, enabled.
    pub DefaultSharedNetworkOfferingWithSGService = DefaultIsolatedNetworkOfferingWithSourceNatService::new()
        .guestiptype("Shared")
        .specifyvlan(true)
        .specifyipranges(true)
        .services(service_providers(SHARED_SG));

    /// An isolated network offering for VPC tiers (VPC virtual router,
    /// network ACLs), enabled.
    pub DefaultIsolatedNetworkOfferingForVpc = DefaultIsolatedNetworkOfferingWithSourceNatService::new()
        .forvpc(true)
        .services(service_providers(VPC_TIER));

    /// A VPC offering with the VPC virtual router's services; a
    /// post-generation hook enables it.
    pub DefaultVpcOffering / VpcOfferingBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("vpcoffering"),
            /// The description.
            displaytext: String = fake::description(),
            /// The services and their providers (see [`service_providers`]).
            services: Vec<(String, String)> = service_providers(VPC),
            /// Whether the post-generation hook enables it.
            enable: bool = true,
        }
        build -> commands::CreateVPCOffering as marvin_entities::VpcOffering {
            commands::CreateVPCOffering::builder()
                .displaytext(displaytext)
                .name(name)
                .supportedservices(services.iter().map(|(s, _)| s.clone()))
                .into_request()
            .with_options(commands::CreateVPCOfferingOptions {
                serviceproviderlist: Some(provider_list(&services)),
                ..Default::default()
            })
        }
        after(ctx, offering) {
            if enable {
                *offering = offering
                    .update(ctx.client())
                    .state("Enabled")
                    .await?;
            }
        }
    }
}
