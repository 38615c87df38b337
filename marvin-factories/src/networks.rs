//! Guest networks, VPCs and VPC tiers.

use marvin_entities::commands;

use crate::{
    DefaultIsolatedNetworkOfferingForVpc, DefaultSharedNetworkOffering, DefaultVpcOffering,
    IsolatedNetworkOffering, TestZone, factory, fake, sequence, unique_in,
};

factory! {
    /// An isolated guest network in the test zone, over the test's
    /// [`IsolatedNetworkOffering`] (the cloud's built-in one, shared by the
    /// test's networks).
    pub GuestIsolatedNetwork / GuestIsolatedNetworkBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The network offering.
            offering: IsolatedNetworkOffering,
        }
        fields {
            /// The name (unique).
            name: String = sequence("net"),
            /// The description.
            displaytext: String = fake::description(),
        }
        build -> commands::CreateNetwork as marvin_entities::Network {
            commands::CreateNetwork::builder()
                .name(name)
                .networkofferingid(offering.id_string())
                .zoneid(zone.id_string())
                .into_request()
                .with_options(
                commands::CreateNetworkOptions {
                    displaytext: Some(displaytext),
                    ..Default::default()
                },
            )
        }
    }

    /// A shared network in the test zone, over a new
    /// [`DefaultSharedNetworkOffering`], on its own VLAN with its own
    /// `10.x.y.0/24` range (gateway `.1`, addresses `.10` to `.250`), both
    /// from [`unique_in`].
    pub SharedNetwork / SharedNetworkBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The network offering.
            offering: DefaultSharedNetworkOffering,
        }
        fields {
            /// The name (unique).
            name: String = sequence("shared"),
            /// The description.
            displaytext: String = fake::description(),
            /// The VLAN id (distinct within the process).
            vlan: i64 = unique_in(100..4000),
            /// The first three octets of the range, `10.x.y` (distinct within
            /// the process).
            subnet: String = {
                let n = unique_in(0..150 * 256);
                format!("10.{}.{}", 100 + n / 256, n % 256)
            },
            /// The gateway.
            gateway: String = format!("{subnet}.1"),
            /// The netmask.
            netmask: String = "255.255.255.0".to_string(),
            /// The first address.
            startip: String = format!("{subnet}.10"),
            /// The last address.
            endip: String = format!("{subnet}.250"),
        }
        build -> commands::CreateNetwork as marvin_entities::Network {
            commands::CreateNetwork::builder()
                .name(name)
                .networkofferingid(offering.id_string())
                .zoneid(zone.id_string())
                .into_request()
                .with_options(
                commands::CreateNetworkOptions {
                    displaytext: Some(displaytext),
                    vlan: Some(vlan.to_string()),
                    gateway: Some(gateway),
                    netmask: Some(netmask),
                    startip: Some(startip),
                    endip: Some(endip),
                    ..Default::default()
                },
            )
        }
    }

    /// A VPC in the test zone with the CIDR `10.0.0.0/24`, over a new
    /// [`DefaultVpcOffering`].
    pub DefaultVpc / DefaultVpcBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The VPC offering.
            offering: DefaultVpcOffering,
        }
        fields {
            /// The name (unique).
            name: String = sequence("vpc"),
            /// The description.
            displaytext: String = fake::description(),
            /// The CIDR of the VPC.
            cidr: String = "10.0.0.0/24".to_string(),
        }
        build -> commands::CreateVPC as marvin_entities::Vpc {
            commands::CreateVPC::builder()
                .cidr(cidr)
                .displaytext(displaytext)
                .name(name)
                .vpcofferingid(offering.id_string())
                .zoneid(zone.id_string())
                .into_request()
        }
    }

    /// A tier of a new [`DefaultVpc`]: gateway `10.0.0.1`, netmask
    /// `255.255.255.192` (a /26), over a new
    /// [`DefaultIsolatedNetworkOfferingForVpc`].
    pub DefaultVpcNetwork / DefaultVpcNetworkBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The VPC.
            vpc: DefaultVpc,
            /// The network offering.
            offering: DefaultIsolatedNetworkOfferingForVpc,
        }
        fields {
            /// The name (unique).
            name: String = sequence("tier"),
            /// The description.
            displaytext: String = fake::description(),
            /// The gateway.
            gateway: String = "10.0.0.1".to_string(),
            /// The netmask.
            netmask: String = "255.255.255.192".to_string(),
        }
        build -> commands::CreateNetwork as marvin_entities::Network {
            commands::CreateNetwork::builder()
                .name(name)
                .networkofferingid(offering.id_string())
                .zoneid(zone.id_string())
                .into_request()
                .with_options(
                commands::CreateNetworkOptions {
                    displaytext: Some(displaytext),
                    gateway: Some(gateway),
                    netmask: Some(netmask),
                    vpcid: Some(vpc.id_string()),
                    ..Default::default()
                },
            )
        }
    }
}
