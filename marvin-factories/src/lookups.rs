//! Lookups: factories for shared resources that tests use but do not
//! create (the zone, the ROOT domain, the built-in template, the default
//! offerings). Each is found once per test context (`ctx.cached`) and
//! returned as an `Arc` of the entity; nothing is registered for cleanup.
//!
//! As sub-factories they are the defaults of ids such as `zoneid`; pass an
//! id (`.zone("...")`) to use another.

use std::sync::Arc;

use futures_util::future::LocalBoxFuture;
use marvin_core::testing::TestContext;
use marvin_core::{Error, Result};
use marvin_entities::{self as entities, commands};

use crate::{Build, Factory, IntoSub, Sub};

/// Declares a lookup: a factory whose `create` finds a shared resource.
macro_rules! lookup {
    (
        $(#[$meta:meta])*
        $name:ident / $builder:ident -> $entity:ty, key $key:literal,
        build $build:block -> $req:ty,
        find($ctx:ident) $find:block
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl Factory for $name {
            type Builder = $builder;
            const NAME: &'static str = stringify!($name);
            fn new() -> $builder {
                $builder
            }
        }

        #[allow(clippy::new_ret_no_self)]
        impl $name {
            /// The builder (a lookup has nothing to override).
            pub fn new() -> $builder {
                $builder
            }

            /// The listing request the lookup sends.
            pub fn build() -> $req {
                $builder.build()
            }

            /// Finds the resource (once per test context).
            pub fn create(ctx: &TestContext) -> LocalBoxFuture<'_, Result<Arc<$entity>>> {
                $builder.create(ctx)
            }
        }

        #[doc = concat!("The builder of [`", stringify!($name), "`].")]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $builder;

        impl<F: Factory<Builder = $builder>> IntoSub<F> for $builder {
            fn into_sub(self) -> Sub<F> {
                Sub::With(self)
            }
        }

        impl Build for $builder {
            type Entity = $entity;
            type Output = Arc<$entity>;
            type Request = $req;

            fn build(self) -> $req $build

            fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<Arc<$entity>>> {
                Box::pin(ctx.cached(concat!("marvin-factories:", $key), move || {
                    let $ctx = ctx;
                    async move $find
                }))
            }
        }
    };
}

fn not_found(what: &str) -> Error {
    Error::setup(format!("the cloud has no {what}"))
}

/// The name or id of the zone tests run in, when not the first enabled one.
pub const ZONE_VAR: &str = "MARVIN_ZONE";

lookup! {
    /// The zone tests run in: the one named (or with the id) in
    /// `MARVIN_ZONE`, else the first enabled zone.
    TestZone / TestZoneBuilder -> entities::Zone, key "zone",
    build { commands::ListZones::default() } -> commands::ListZones,
    find(ctx) {
        let zones = entities::Zone::list(ctx.client()).await?;
        let wanted = std::env::var(ZONE_VAR).ok().filter(|v| !v.trim().is_empty());
        let found = match wanted {
            Some(wanted) => zones
                .into_iter()
                .find(|z| z.id == wanted || z.name.as_deref() == Some(wanted.as_str())),
            None => {
                let enabled = |z: &entities::Zone| {
                    z.allocationstate.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("Enabled"))
                };
                let first_enabled = zones.iter().position(enabled);
                first_enabled.map(|i| zones.into_iter().nth(i).expect("index in range"))
            }
        };
        found.ok_or_else(|| not_found("enabled zone (or the one in MARVIN_ZONE)"))
    }
}

lookup! {
    /// The ROOT domain.
    RootDomain / RootDomainBuilder -> entities::Domain, key "root-domain",
    build { commands::ListDomains::default() } -> commands::ListDomains,
    find(ctx) {
        let domains = entities::Domain::list(ctx.client()).await?;
        domains
            .into_iter()
            .find(|d| d.parentdomainid.is_none() || d.level == Some(0))
            .ok_or_else(|| not_found("ROOT domain"))
    }
}

lookup! {
    /// The cloud's built-in template (type `BUILTIN`), else the first ready
    /// featured template, in the test zone.
    DefaultBuiltInTemplate / DefaultBuiltInTemplateBuilder -> entities::Template, key "template",
    build { commands::ListTemplates::builder()
        .templatefilter("featured")
        .into_request() } -> commands::ListTemplates,
    find(ctx) {
        let zone = TestZone::create(ctx).await?;
        let mut found = None;
        for filter in ["featured", "all"] {
            let templates = entities::Template::list(ctx.client()).templatefilter(filter).zoneid(zone.id.clone())
            .await?;
            let ready = |t: &&entities::Template| t.isready != Some(false);
            let builtin = templates
                .iter()
                .filter(ready)
                .find(|t| t.templatetype.as_deref() == Some("BUILTIN"))
                .or_else(|| templates.iter().find(ready));
            if let Some(template) = builtin {
                found = Some(template.clone());
                break;
            }
        }
        found.ok_or_else(|| not_found("built-in or featured template"))
    }
}

lookup! {
    /// The default compute offering: `Small Instance` if there is one, else
    /// the non-system offering with the least memory.
    DefaultServiceOffering / DefaultServiceOfferingBuilder -> entities::ServiceOffering, key "service-offering",
    build { commands::ListServiceOfferings::default() } -> commands::ListServiceOfferings,
    find(ctx) {
        let offerings = entities::ServiceOffering::list(ctx.client()).issystem(false)
        .await?;
        let small = offerings
            .iter()
            .find(|o| o.name.as_deref() == Some("Small Instance"))
            .or_else(|| offerings.iter().min_by_key(|o| o.memory.unwrap_or(i64::MAX)));
        small.cloned().ok_or_else(|| not_found("service offering"))
    }
}

lookup! {
    /// The default disk offering: the smallest one of a fixed size.
    DefaultDiskOffering / DefaultDiskOfferingBuilder -> entities::DiskOffering, key "disk-offering",
    build { commands::ListDiskOfferings::default() } -> commands::ListDiskOfferings,
    find(ctx) {
        let offerings = entities::DiskOffering::list(ctx.client()).await?;
        offerings
            .into_iter()
            .filter(|o| o.iscustomized != Some(true) && o.disksize.unwrap_or(0) > 0)
            .min_by_key(|o| o.disksize.unwrap_or(i64::MAX))
            .ok_or_else(|| not_found("disk offering of a fixed size"))
    }
}

/// The name CloudStack gives its built-in isolated network offering.
const BUILT_IN_ISOLATED_OFFERING: &str = "DefaultIsolatedNetworkOfferingWithSourceNatService";

lookup! {
    /// The isolated network offering new networks use by default: the
    /// cloud's built-in `DefaultIsolatedNetworkOfferingWithSourceNatService`
    /// when it is enabled, else the first enabled isolated offering (not for
    /// VPC tiers) with source NAT. Shared by every network of a test, so a
    /// network costs one `createNetwork`, not an offering of its own too
    /// (make one with [`DefaultIsolatedNetworkOfferingWithSourceNatService`]
    /// when a test needs its own).
    ///
    /// [`DefaultIsolatedNetworkOfferingWithSourceNatService`]: crate::DefaultIsolatedNetworkOfferingWithSourceNatService
    IsolatedNetworkOffering / IsolatedNetworkOfferingBuilder -> entities::NetworkOffering, key "isolated-network-offering",
    build {
        commands::ListNetworkOfferings::default().with_options(commands::ListNetworkOfferingsOptions {
            guestiptype: Some("Isolated".into()),
            state: Some("Enabled".into()),
            ..Default::default()
        })
    } -> commands::ListNetworkOfferings,
    find(ctx) {
        let offerings = entities::NetworkOffering::list(ctx.client())
                .guestiptype("Isolated")
                .state("Enabled")
        .await?;
        let source_nat = |o: &&entities::NetworkOffering| {
            o.forvpc != Some(true)
                && o.service.iter().any(|s| s.name.as_deref() == Some("SourceNat"))
        };
        let found = offerings
            .iter()
            .filter(source_nat)
            .find(|o| o.name.as_deref() == Some(BUILT_IN_ISOLATED_OFFERING))
            .or_else(|| offerings.iter().find(source_nat));
        found.cloned().ok_or_else(|| not_found("enabled isolated network offering with source NAT"))
    }
}
