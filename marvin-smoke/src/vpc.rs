//! VPCs: tiers inside the VPC's CIDR, network ACL lists and their rules,
//! private gateways and static routes, restarts and deletion.

use marvin::prelude::*;

/// A tier of `vpc` with the gateway `gateway` and a /26 netmask.
async fn tier(ctx: &TestContext, vpc: &Vpc, gateway: &str) -> Result<Managed<Network>> {
    DefaultVpcNetwork::new()
        .vpc(vpc.id.clone())
        .gateway(gateway.to_string())
        .netmask("255.255.255.192".to_string())
        .create(ctx)
        .await
}

/// A new VPC is Enabled with the CIDR it was given
/// (`VpcManagerImpl.createVpc`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn a_new_vpc_is_enabled(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    vpc.state.as_deref().should().equal(Some("Enabled"));
    vpc.cidr.as_deref().should().equal(Some("10.0.0.0/24"));
    let listed = Vpc::list(ctx.client()).id(&vpc.id).await?;
    listed.should().have_length(1);
    Ok(())
}

/// A tier inside the VPC's CIDR belongs to the VPC and takes VMs
/// (`VpcManagerImpl.validateNewVpcGuestNetwork`).
#[marvin::test(tags = ["smoke", "vpc", "networks"])]
async fn a_tier_inside_the_cidr_takes_vms(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let tier = tier(ctx, &vpc, "10.0.0.1").await?;
    tier.vpcid.should().equal(Some(vpc.id.clone()));
    tier.cidr.as_deref().should().equal(Some("10.0.0.0/26"));
    let vm = VpcVirtualMachine::new()
        .network(tier.id.clone())
        .create(ctx)
        .await?;
    vm.nic[0].networkid.should().equal(Some(tier.id.clone()));
    Ok(())
}

/// A tier outside the VPC's CIDR is refused: 431, "is not within vpc ..
/// cidr" (`VpcManagerImpl.validateNewVpcGuestNetwork`).
#[marvin::test(tags = ["smoke", "vpc", "networks"])]
async fn a_tier_outside_the_cidr_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    tier(ctx, &vpc, "192.168.7.1")
        .await
        .map(|tier| tier.id.clone())
        .should()
        .fail_with(ErrorCode::ParamError);
    Network::list(ctx.client())
        .vpcid(&vpc.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A tier overlapping another tier of the VPC is refused: 431, "crosses
/// other network cidr" (`VpcManagerImpl.validateNewVpcGuestNetwork`).
#[marvin::test(tags = ["smoke", "vpc", "networks"])]
async fn overlapping_tiers_are_refused(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let _first = tier(ctx, &vpc, "10.0.0.1").await?;
    DefaultVpcNetwork::new()
        .vpc(vpc.id.clone())
        .gateway("10.0.0.2".to_string())
        .netmask("255.255.255.128".to_string())
        .create(ctx)
        .await
        .map(|tier| tier.id.clone())
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// Two tiers of one VPC both take VMs, each in its own CIDR
/// (`VpcManagerImpl.createVpcGuestNetwork`).
#[marvin::test(tags = ["smoke", "vpc", "networks"])]
async fn two_tiers_of_a_vpc_take_vms(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let web = tier(ctx, &vpc, "10.0.0.1").await?;
    let db = tier(ctx, &vpc, "10.0.0.65").await?;
    db.cidr.as_deref().should().equal(Some("10.0.0.64/26"));
    let _web_vm = VpcVirtualMachine::new()
        .network(web.id.clone())
        .create(ctx)
        .await?;
    let _db_vm = VpcVirtualMachine::new()
        .network(db.id.clone())
        .create(ctx)
        .await?;
    let tiers = Network::list(ctx.client()).vpcid(&vpc.id).await?;
    tiers.should().have_length(2);
    VirtualMachine::list(ctx.client())
        .vpcid(&vpc.id)
        .await?
        .should()
        .have_length(2);
    Ok(())
}

/// An ACL list of a VPC holds its rules; a rule is listed for its list
/// (`NetworkACLServiceImpl.createNetworkACL`, `createNetworkACLItem`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn an_acl_list_holds_its_rules(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let list = NetworkACLList::create(ctx.client())
        .name(sequence("acl"))
        .vpcid(&vpc.id)
        .description("Smoke ACL")
        .managed_by(ctx)
        .await?;
    list.vpcid.should().equal(Some(vpc.id.clone()));
    let rule = NetworkACL::create(ctx.client())
        .aclid(&list.id)
        .protocol("tcp")
        .startport(22)
        .endport(22)
        .cidrlist(["0.0.0.0/0".to_string()])
        .action("Allow")
        .traffictype("Ingress")
        .managed_by(ctx)
        .await?;
    rule.action.as_deref().should().equal(Some("Allow"));
    rule.aclid.should().equal(Some(list.id.clone()));
    let rules = NetworkACL::list(ctx.client()).aclid(&list.id).await?;
    rules
        .iter()
        .map(|r| r.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![rule.id.clone()]);
    Ok(())
}

/// An ACL rule's action changes (`NetworkACLServiceImpl.updateNetworkACLItem`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn an_acl_rule_is_updated(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let list = NetworkACLList::create(ctx.client())
        .name(sequence("acl"))
        .vpcid(&vpc.id)
        .managed_by(ctx)
        .await?;
    let rule = NetworkACL::create(ctx.client())
        .aclid(&list.id)
        .protocol("tcp")
        .startport(80)
        .endport(80)
        .action("Allow")
        .traffictype("Ingress")
        .managed_by(ctx)
        .await?;
    let updated = rule.update(ctx.client()).action("Deny").await?;
    updated.action.as_deref().should().equal(Some("Deny"));
    Ok(())
}

/// A tier's ACL list is replaced by another of its VPC; the tier then
/// names it (`NetworkACLServiceImpl.replaceNetworkACL`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn a_tiers_acl_list_is_replaced(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let tier = tier(ctx, &vpc, "10.0.0.1").await?;
    let list = NetworkACLList::create(ctx.client())
        .name(sequence("acl"))
        .vpcid(&vpc.id)
        .managed_by(ctx)
        .await?;
    NetworkACLList::replace(ctx.client())
        .aclid(&list.id)
        .networkid(&tier.id)
        .await?;
    tier.refresh(ctx.client())
        .await?
        .aclid
        .should()
        .equal(Some(list.id.clone()));
    Ok(())
}

/// A VPC's name and display text change (`VpcManagerImpl.updateVpc`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn a_vpc_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let name = sequence("renamed");
    let updated = vpc
        .update(ctx.client())
        .name(&name)
        .displaytext("Renamed by smoke")
        .await?;
    updated.name.as_deref().should().equal(Some(name.as_str()));
    updated
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Renamed by smoke"));
    Ok(())
}

/// A restarted VPC stays Enabled (`VpcManagerImpl.restartVpc`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn a_restarted_vpc_stays_enabled(ctx: &mut TestContext) -> Result<()> {
    let vm = VpcVirtualMachine::create(ctx).await?;
    let vpcs = Vpc::list(ctx.client())
        .id(vm.nic[0].vpcid.clone().unwrap_or_default())
        .await?;
    vpcs.should().have_length(1);
    vpcs[0]
        .restart(ctx.client())
        .await?
        .success
        .should()
        .equal(true);
    vpcs[0]
        .refresh(ctx.client())
        .await?
        .state
        .as_deref()
        .should()
        .equal(Some("Enabled"));
    Ok(())
}

/// A VPC with tiers is not deleted: 431, "Can't delete VPC .. as its used
/// by .. networks" (`VpcManagerImpl.destroyVpc`).
#[marvin::test(tags = ["smoke", "vpc"])]
async fn a_vpc_with_tiers_is_not_deleted(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let _tier = tier(ctx, &vpc, "10.0.0.1").await?;
    Vpc::delete(&vpc, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    vpc.refresh(ctx.client()).await.should().be_ok();
    Ok(())
}

/// A private gateway of a VPC takes static routes, listed for it
/// (`VpcManagerImpl.createVpcPrivateGateway`, `createStaticRoute`).
#[marvin::test(tags = ["smoke", "vpc", "admin"])]
async fn a_private_gateway_takes_static_routes(ctx: &mut TestContext) -> Result<()> {
    let vpc = DefaultVpc::create(ctx).await?;
    let vlan = 100 + u16::try_from(std::process::id() % 3000).unwrap_or(0);
    let gateway = PrivateGateway::create(ctx.client())
        .gateway("172.16.10.1")
        .ipaddress("172.16.10.5")
        .netmask("255.255.255.0")
        .vpcid(&vpc.id)
        .vlan(format!("vlan://{vlan}"))
        .managed_by(ctx)
        .await?;
    gateway.vpcid.should().equal(Some(vpc.id.clone()));
    gateway
        .ipaddress
        .as_deref()
        .should()
        .equal(Some("172.16.10.5"));
    let route = StaticRoute::create(ctx.client())
        .cidr("192.168.50.0/24")
        .gatewayid(&gateway.id)
        .managed_by(ctx)
        .await?;
    route
        .cidr
        .as_deref()
        .should()
        .equal(Some("192.168.50.0/24"));
    let routes = StaticRoute::list(ctx.client())
        .gatewayid(&gateway.id)
        .await?;
    routes
        .iter()
        .map(|r| r.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![route.id.clone()]);
    Ok(())
}
