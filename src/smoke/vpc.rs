//! VPCs: tiers inside the VPC's CIDR, ACL lists and their items.

use marvin_core::cleanup::Managed;
use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    NETWORK, NETWORK_ACL, NETWORK_ACL_LIST, Raw, VPC, create, deploy, id_of, network_offering,
    unique, zone,
};
use crate::prelude::*;

async fn vpc(ctx: &TestContext) -> Result<Managed<Raw>> {
    let zone = zone(ctx).await?;
    let offerings = ctx
        .client()
        .list_all(
            "listVPCOfferings",
            Params::new().with("name", "Default VPC offering"),
        )
        .await?;
    let offering = offerings
        .iter()
        .find(|o| o["name"] == "Default VPC offering")
        .map(id_of)
        .unwrap_or_default();
    create(
        ctx,
        &VPC,
        Params::new()
            .with("name", unique("vpc"))
            .with("displaytext", "Smoke VPC")
            .with("cidr", "10.0.0.0/16")
            .with("vpcofferingid", offering)
            .with("zoneid", id_of(&zone)),
    )
    .await
}

async fn tier_params(ctx: &TestContext, vpc: &str, gateway: &str) -> Result<Params> {
    let zone = zone(ctx).await?;
    let offering = network_offering(ctx, "DefaultIsolatedNetworkOfferingForVpcNetworks").await?;
    Ok(Params::new()
        .with("name", unique("tier"))
        .with("displaytext", "Smoke tier")
        .with("networkofferingid", id_of(&offering))
        .with("zoneid", id_of(&zone))
        .with("vpcid", vpc)
        .with("gateway", gateway)
        .with("netmask", "255.255.255.0"))
}

/// A VPC is Enabled; a tier inside its CIDR is created in it and takes
/// VMs; a tier outside the CIDR is refused (431).
pub async fn vpc_with_a_tier(ctx: &mut TestContext) -> Result<()> {
    let vpc = vpc(ctx).await?;
    vpc["state"].should().equal("Enabled");
    vpc["cidr"].should().equal("10.0.0.0/16");
    let tier = create(ctx, &NETWORK, tier_params(ctx, vpc.id(), "10.0.1.1").await?).await?;
    tier["vpcid"].should().equal(vpc.id());
    tier["cidr"].should().equal("10.0.1.0/24");
    let vm = deploy(ctx, Params::new().with("networkids", tier.id())).await?;
    vm["nic"][0]["networkid"].should().equal(tier.id());

    ctx.client()
        .call(api("createNetwork"))
        .params(tier_params(ctx, vpc.id(), "192.168.7.1").await?)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An ACL list of a VPC holds rules; a rule is listed and deleted with it.
pub async fn network_acls(ctx: &mut TestContext) -> Result<()> {
    let vpc = vpc(ctx).await?;
    let list = create(
        ctx,
        &NETWORK_ACL_LIST,
        Params::new()
            .with("name", unique("acl"))
            .with("description", "Smoke ACL")
            .with("vpcid", vpc.id()),
    )
    .await?;
    list["vpcid"].should().equal(vpc.id());
    let rule = create(
        ctx,
        &NETWORK_ACL,
        Params::new()
            .with("aclid", list.id())
            .with("protocol", "tcp")
            .with("startport", 22)
            .with("endport", 22)
            .with("cidrlist", "0.0.0.0/0")
            .with("action", "Allow")
            .with("traffictype", "Ingress"),
    )
    .await?;
    rule["action"].should().equal("Allow");
    rule["aclid"].should().equal(list.id());
    let rules = ctx
        .client()
        .list_all("listNetworkACLs", Params::new().with("aclid", list.id()))
        .await?;
    super::support::ids(&rules)
        .should()
        .equal(vec![rule.id().to_string()]);
    Ok(())
}
