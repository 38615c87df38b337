//! Offerings: service (compute), disk, network and VPC offerings.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    DISK_OFFERING, NETWORK_OFFERING, SERVICE_OFFERING, VPC_OFFERING, create, find, unique,
};
use crate::prelude::*;

/// A service offering is created with its CPU and memory, renamed, and
/// deleted (then no longer listed).
pub async fn service_offering_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let name = unique("so");
    let offering = create(
        ctx,
        &SERVICE_OFFERING,
        Params::new()
            .with("name", &name)
            .with("displaytext", "Smoke compute offering")
            .with("cpunumber", 1)
            .with("cpuspeed", 500)
            .with("memory", 512),
    )
    .await?;
    offering["name"].should().equal(name.as_str());
    offering["cpunumber"].should().equal(1);
    offering["cpuspeed"].should().equal(500);
    offering["memory"].should().equal(512);

    let renamed = unique("so-renamed");
    let updated = ctx
        .client()
        .call(api("updateServiceOffering"))
        .params(
            Params::new()
                .with("id", offering.id())
                .with("name", &renamed)
                .with("displaytext", "Renamed"),
        )
        .await?;
    updated["serviceoffering"]["name"]
        .should()
        .equal(renamed.as_str());
    let listed = find(
        ctx.client(),
        "listServiceOfferings",
        offering.id(),
        Params::new(),
    )
    .await?
    .unwrap_or_default();
    listed["displaytext"].should().equal("Renamed");

    let id = offering.id().to_string();
    offering.delete().await?;
    find(ctx.client(), "listServiceOfferings", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// A service offering with less than 32 MB of memory, or no CPU, is
/// refused with 431.
pub async fn service_offering_limits_are_checked(ctx: &mut TestContext) -> Result<()> {
    let base = || {
        Params::new()
            .with("name", unique("so-bad"))
            .with("displaytext", "bad")
            .with("cpuspeed", 500)
    };
    ctx.client()
        .call(api("createServiceOffering"))
        .params(base().with("cpunumber", 1).with("memory", 16))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    ctx.client()
        .call(api("createServiceOffering"))
        .params(base().with("cpunumber", 0).with("memory", 512))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A disk offering keeps its size, can be renamed, and is gone once
/// deleted.
pub async fn disk_offering_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let offering = create(
        ctx,
        &DISK_OFFERING,
        Params::new()
            .with("name", unique("do"))
            .with("displaytext", "Smoke disk offering")
            .with("disksize", 5),
    )
    .await?;
    offering["disksize"].should().equal(5);
    offering["iscustomized"].should().equal(false);

    let renamed = unique("do-renamed");
    let updated = ctx
        .client()
        .call(api("updateDiskOffering"))
        .params(
            Params::new()
                .with("id", offering.id())
                .with("name", &renamed),
        )
        .await?;
    updated["diskoffering"]["name"]
        .should()
        .equal(renamed.as_str());

    let id = offering.id().to_string();
    offering.delete().await?;
    find(ctx.client(), "listDiskOfferings", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// A disk offering without a size is a custom one; a size below 1 GB is
/// refused with 431.
pub async fn custom_disk_offering(ctx: &mut TestContext) -> Result<()> {
    let custom = create(
        ctx,
        &DISK_OFFERING,
        Params::new()
            .with("name", unique("do-custom"))
            .with("displaytext", "Custom size")
            .with("customized", true),
    )
    .await?;
    custom["iscustomized"].should().equal(true);
    ctx.client()
        .call(api("createDiskOffering"))
        .params(
            Params::new()
                .with("name", unique("do-zero"))
                .with("displaytext", "zero")
                .with("disksize", 0),
        )
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// The default isolated offering with source NAT is enabled and required,
/// and cannot be deleted.
pub async fn default_network_offering(ctx: &mut TestContext) -> Result<()> {
    let offerings = ctx
        .client()
        .list_all(
            "listNetworkOfferings",
            Params::new().with("name", "DefaultIsolatedNetworkOfferingWithSourceNatService"),
        )
        .await?;
    let offering = offerings
        .into_iter()
        .find(|o| o["name"] == "DefaultIsolatedNetworkOfferingWithSourceNatService")
        .unwrap_or_default();
    offering["state"].should().equal("Enabled");
    offering["availability"].should().equal("Required");
    offering["guestiptype"].should().equal("Isolated");
    ctx.client()
        .call(api("deleteNetworkOffering"))
        .params(Params::new().with("id", super::support::id_of(&offering)))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A new network offering starts Disabled, can be enabled, and is deleted.
pub async fn network_offering_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let services = [
        "Dhcp",
        "Dns",
        "UserData",
        "SourceNat",
        "StaticNat",
        "PortForwarding",
    ];
    let mut params = Params::new()
        .with("name", unique("no"))
        .with("displaytext", "Smoke isolated offering")
        .with("guestiptype", "Isolated")
        .with("traffictype", "GUEST");
    params.set_list("supportedservices", services);
    params.set_map(
        "serviceproviderlist",
        services.map(|service| [("service", service), ("provider", "VirtualRouter")]),
    );
    let offering = create(ctx, &NETWORK_OFFERING, params).await?;
    offering["state"].should().equal("Disabled");
    offering["guestiptype"].should().equal("Isolated");

    let enabled = ctx
        .client()
        .call(api("updateNetworkOffering"))
        .params(
            Params::new()
                .with("id", offering.id())
                .with("state", "Enabled"),
        )
        .await?;
    enabled["networkoffering"]["state"]
        .should()
        .equal("Enabled");
    let listed = find(
        ctx.client(),
        "listNetworkOfferings",
        offering.id(),
        Params::new(),
    )
    .await?
    .unwrap_or_default();
    listed["state"].should().equal("Enabled");
    Ok(())
}

/// A VPC offering starts Disabled, can be enabled, and is deleted.
pub async fn vpc_offering_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let services = [
        "Dhcp",
        "Dns",
        "SourceNat",
        "NetworkACL",
        "StaticNat",
        "PortForwarding",
        "UserData",
    ];
    let mut params = Params::new()
        .with("name", unique("vpco"))
        .with("displaytext", "Smoke VPC offering");
    params.set_list("supportedservices", services);
    params.set_map(
        "serviceproviderlist",
        services.map(|service| [("service", service), ("provider", "VpcVirtualRouter")]),
    );
    let offering = create(ctx, &VPC_OFFERING, params).await?;
    offering["state"].should().equal("Disabled");
    let enabled = ctx
        .client()
        .call(api("updateVPCOffering"))
        .params(
            Params::new()
                .with("id", offering.id())
                .with("state", "Enabled"),
        )
        .await?;
    enabled["vpcoffering"]["state"].should().equal("Enabled");
    Ok(())
}
