//! Zones (for tests of the datacenter itself; everyday tests use the
//! [`TestZone`](crate::TestZone) lookup).

use marvin_entities::commands;

use crate::{factory, sequence};

factory! {
    /// A new advanced zone (DNS 8.8.8.8), disabled until it has pods, hosts
    /// and storage.
    pub AdvancedZone / ZoneBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("zone"),
            /// `Advanced` or `Basic`.
            networktype: String = "Advanced".to_string(),
            /// The public DNS server.
            dns1: String = "8.8.8.8".to_string(),
            /// The internal DNS server.
            internaldns1: String = "8.8.8.8".to_string(),
            /// The guest CIDR (advanced zones).
            guestcidraddress: String = "10.1.0.0/16".to_string(),
        }
        build -> commands::CreateZone as marvin_entities::Zone {
            let advanced = networktype.eq_ignore_ascii_case("Advanced");
            commands::CreateZone::builder()
                .dns1(dns1)
                .internaldns1(internaldns1)
                .name(name)
                .networktype(networktype)
                .into_request()
                .with_options(
                commands::CreateZoneOptions {
                    guestcidraddress: advanced.then_some(guestcidraddress),
                    ..Default::default()
                },
            )
        }
    }

    /// A new basic zone: [`AdvancedZone`] with network type `Basic`.
    pub BasicZone = AdvancedZone::new().networktype("Basic");
}
