//! Load balancing: rules, their VMs, algorithms, stickiness and health
//! check policies, and conflicts with other rules.

use marvin::prelude::*;

/// A network with `count` running VMs and a fresh public address of it.
async fn vms_and_address(
    ctx: &TestContext,
    count: usize,
) -> Result<(Vec<Managed<VirtualMachine>>, Managed<IpAddress>)> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vms = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create_batch(ctx, count)
        .await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    Ok((vms, ip))
}

/// A load balancer rule on `ip` from port 80 to 8080 with `algorithm`,
/// registered for cleanup.
async fn balancer(
    ctx: &TestContext,
    ip: &IpAddress,
    algorithm: &str,
) -> Result<Managed<LoadBalancerRule>> {
    let rule = LoadBalancerRule::create(ctx.client())
        .algorithm(algorithm)
        .name(sequence("lb"))
        .privateport(8080)
        .publicport(80)
        .publicipid(&ip.id)
        .managed_by(ctx)
        .await?;
    Ok(rule)
}

/// The ids of the rules `vm` is assigned to.
async fn rules_of(ctx: &TestContext, vm: &VirtualMachine) -> Result<Vec<String>> {
    Ok(LoadBalancerRule::list(ctx.client())
        .virtualmachineid(&vm.id)
        .await?
        .into_iter()
        .map(|rule| rule.id)
        .collect())
}

/// A rule balances a public port of an address with its algorithm
/// (`LoadBalancingRulesManagerImpl.createPublicLoadBalancer`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn a_rule_balances_a_public_port(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    rule.algorithm.as_deref().should().equal(Some("roundrobin"));
    rule.publicip.should().equal(ip.ipaddress.clone());
    rule.publicport.as_deref().should().equal(Some("80"));
    rule.privateport.as_deref().should().equal(Some("8080"));
    Ok(())
}

/// An unknown algorithm is refused with 431, "Invalid algorithm"
/// (`LoadBalancingRulesManagerImpl.createPublicLoadBalancer`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn an_unknown_algorithm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    LoadBalancerRule::create(ctx.client())
        .algorithm("fastest-please")
        .name(sequence("lb"))
        .privateport(8080)
        .publicport(80)
        .publicipid(&ip.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    LoadBalancerRule::list(ctx.client())
        .publicipid(&ip.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// VMs assigned to a rule are its members; a removed VM is not
/// (`LoadBalancingRulesManagerImpl.assignToLoadBalancer`,
/// `removeFromLoadBalancer`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn vms_are_assigned_and_removed(ctx: &mut TestContext) -> Result<()> {
    let (vms, ip) = vms_and_address(ctx, 2).await?;
    let rule = balancer(ctx, &ip, "leastconn").await?;
    rule.assign_to(ctx.client())
        .virtualmachineids(vms.iter().map(|vm| vm.id.clone()))
        .await?
        .success
        .should()
        .equal(true);
    rules_of(ctx, &vms[0])
        .await?
        .should()
        .equal(vec![rule.id.clone()]);
    rules_of(ctx, &vms[1])
        .await?
        .should()
        .equal(vec![rule.id.clone()]);
    rule.remove_from(ctx.client())
        .virtualmachineids([vms[0].id.clone()])
        .await?;
    rules_of(ctx, &vms[0]).await?.should().be_empty();
    rules_of(ctx, &vms[1])
        .await?
        .should()
        .equal(vec![rule.id.clone()]);
    Ok(())
}

/// The algorithm and name of a rule change
/// (`LoadBalancingRulesManagerImpl.updateLoadBalancerRule`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn the_algorithm_of_a_rule_changes(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    let updated = rule.update(ctx.client()).algorithm("source").await?;
    updated.algorithm.as_deref().should().equal(Some("source"));
    rule.refresh(ctx.client())
        .await?
        .algorithm
        .as_deref()
        .should()
        .equal(Some("source"));
    Ok(())
}

/// A cookie stickiness policy of a rule is listed for it, and gone once
/// deleted (`LoadBalancingRulesManagerImpl.createLBStickinessPolicy`,
/// `deleteLBStickinessPolicy`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn a_stickiness_policy_is_created_and_deleted(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    let name = sequence("sticky");
    let created = LBStickinessPolicy::create(ctx.client())
        .lbruleid(&rule.id)
        .methodname("LbCookie")
        .name(&name)
        .await?;
    created.lbruleid.should().equal(Some(rule.id.clone()));
    let policies = LBStickinessPolicy::list(ctx.client())
        .lbruleid(&rule.id)
        .await?;
    let listed: Vec<_> = policies
        .iter()
        .flat_map(|p| p.stickinesspolicy.iter())
        .collect();
    listed.should().have_length(1);
    listed[0]
        .methodname
        .as_deref()
        .should()
        .equal(Some("LbCookie"));
    listed[0]
        .name
        .as_deref()
        .should()
        .equal(Some(name.as_str()));
    let policy_id = listed[0].id.clone().unwrap_or_default();
    commands::DeleteLBStickinessPolicy::call(ctx.client())
        .id(policy_id)
        .await?;
    LBStickinessPolicy::list(ctx.client())
        .lbruleid(&rule.id)
        .await?
        .iter()
        .flat_map(|p| p.stickinesspolicy.iter())
        .count()
        .should()
        .equal(0);
    Ok(())
}

/// A stickiness method the provider does not know is refused with 431,
/// "Stickiness method .. is not supported"
/// (`LoadBalancingRulesManagerImpl.createLBStickinessPolicy`, which asks
/// the provider to validate the rule).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn an_unknown_stickiness_method_is_refused(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    LBStickinessPolicy::create(ctx.client())
        .lbruleid(&rule.id)
        .methodname("CarrierPigeon")
        .name(sequence("sticky"))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A health check policy of a rule keeps its ping path and is listed for
/// the rule (`LoadBalancingRulesManagerImpl.createLBHealthCheckPolicy`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn a_health_check_policy_is_created(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    LBHealthCheckPolicy::create(ctx.client())
        .lbruleid(&rule.id)
        .pingpath("/healthz")
        .intervaltime(10)
        .responsetimeout(5)
        .await?;
    let policies = LBHealthCheckPolicy::list(ctx.client())
        .lbruleid(&rule.id)
        .await?;
    let listed: Vec<_> = policies
        .iter()
        .flat_map(|p| p.healthcheckpolicy.iter())
        .collect();
    listed.should().have_length(1);
    listed[0]
        .pingpath
        .as_deref()
        .should()
        .equal(Some("/healthz"));
    listed[0].healthcheckinterval.should().equal(Some(10));
    Ok(())
}

/// A load balancer rule and a port forwarding rule on overlapping public
/// ports conflict: 537 (`FirewallManagerImpl.detectRulesConflict`).
#[marvin::test(tags = ["smoke", "load_balancing", "forwarding"])]
async fn a_balanced_port_takes_no_forwarding(ctx: &mut TestContext) -> Result<()> {
    let (vms, ip) = vms_and_address(ctx, 1).await?;
    let _rule = balancer(ctx, &ip, "roundrobin").await?;
    PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vms[0].id)
        .protocol("tcp")
        .publicport(80)
        .privateport(80)
        .openfirewall(false)
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    Ok(())
}

/// An address with static NAT takes no load balancer rule: 431, "specified
/// sourceip id has static nat enabled"
/// (`LoadBalancingRulesManagerImpl.createPublicLoadBalancer`).
#[marvin::test(tags = ["smoke", "load_balancing", "nat"])]
async fn no_balancing_on_a_static_nat_address(ctx: &mut TestContext) -> Result<()> {
    let (vms, ip) = vms_and_address(ctx, 1).await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vms[0].id)
        .await?;
    LoadBalancerRule::create(ctx.client())
        .algorithm("roundrobin")
        .name(sequence("lb"))
        .privateport(8080)
        .publicport(80)
        .publicipid(&ip.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A deleted rule is no longer listed for its address
/// (`LoadBalancingRulesManagerImpl.deleteLoadBalancerRule`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn a_deleted_rule_is_gone(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    rule.delete().await?;
    LoadBalancerRule::list(ctx.client())
        .publicipid(&ip.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A rule takes one stickiness policy: a second is refused with 431,
/// "Failed to create Stickiness policy: Already policy attached"
/// (`LoadBalancingRulesManagerImpl.createLBStickinessPolicy`).
#[marvin::test(tags = ["smoke", "load_balancing"])]
async fn a_rule_takes_one_stickiness_policy(ctx: &mut TestContext) -> Result<()> {
    let (_vms, ip) = vms_and_address(ctx, 1).await?;
    let rule = balancer(ctx, &ip, "roundrobin").await?;
    LBStickinessPolicy::create(ctx.client())
        .lbruleid(&rule.id)
        .methodname("LbCookie")
        .name(sequence("sticky"))
        .await?;
    LBStickinessPolicy::create(ctx.client())
        .lbruleid(&rule.id)
        .methodname("SourceBased")
        .name(sequence("sticky"))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}
