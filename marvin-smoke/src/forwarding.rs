//! Port forwarding rules: mapping public ports to a VM, their conflicts,
//! and the firewall rules they open.

use marvin::prelude::*;

/// A running VM in a new isolated network and a fresh public address of
/// that network.
async fn vm_and_address(
    ctx: &TestContext,
) -> Result<(Managed<VirtualMachine>, Managed<IpAddress>)> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    Ok((vm, ip))
}

/// Forwards `public` to `private` over `protocol`, without opening the
/// firewall, and registers the rule for cleanup.
async fn forward(
    ctx: &TestContext,
    ip: &IpAddress,
    vm: &VirtualMachine,
    protocol: &str,
    public: i64,
    private: i64,
) -> Result<Managed<PortForwardingRule>> {
    let rule = PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol(protocol)
        .publicport(public)
        .privateport(private)
        .openfirewall(false)
        .managed_by(ctx)
        .await?;
    Ok(rule)
}

/// A port forwarding rule maps a public port of the address to a port of
/// the VM, and is Active (`RulesManagerImpl.createPortForwardingRule`).
#[marvin::test(tags = ["smoke", "forwarding"])]
async fn a_public_port_is_forwarded_to_a_vm(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let rule = forward(ctx, &ip, &vm, "tcp", 2222, 22).await?;
    rule.state.as_deref().should().equal(Some("Active"));
    rule.virtualmachineid.should().equal(Some(vm.id.clone()));
    rule.ipaddressid.should().equal(Some(ip.id.clone()));
    rule.publicport.as_deref().should().equal(Some("2222"));
    rule.privateport.as_deref().should().equal(Some("22"));
    Ok(())
}

/// A second rule on the same public port and protocol conflicts: 537
/// (`FirewallManagerImpl.detectRulesConflict`).
#[marvin::test(tags = ["smoke", "forwarding"])]
async fn the_same_public_port_conflicts(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let _rule = forward(ctx, &ip, &vm, "tcp", 2222, 22).await?;
    PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol("tcp")
        .publicport(2222)
        .privateport(2200)
        .openfirewall(false)
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    Ok(())
}

/// The same public port over UDP does not conflict with a TCP rule; both
/// are listed for the address (`FirewallManagerImpl.detectRulesConflict`).
#[marvin::test(tags = ["smoke", "forwarding"])]
async fn the_same_port_over_udp_is_another_rule(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let _tcp = forward(ctx, &ip, &vm, "tcp", 5353, 53).await?;
    let udp = forward(ctx, &ip, &vm, "udp", 5353, 53).await?;
    udp.protocol.as_deref().should().equal(Some("udp"));
    PortForwardingRule::list(ctx.client())
        .ipaddressid(&ip.id)
        .await?
        .should()
        .have_length(2);
    Ok(())
}

/// With `openfirewall`, a rule opens the public port in the firewall for
/// all CIDRs (`FirewallManagerImpl.createRuleForAllCidrs`).
#[marvin::test(tags = ["smoke", "forwarding", "firewall"])]
async fn openfirewall_opens_the_public_port(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let rule = PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol("tcp")
        .publicport(8080)
        .privateport(80)
        .openfirewall(true)
        .managed_by(ctx)
        .await?;
    let _rule = rule;
    let opened = FirewallRule::list(ctx.client()).ipaddressid(&ip.id).await?;
    opened.should().have_length(1);
    opened[0].startport.should().equal(Some(8080));
    opened[0]
        .cidrlist
        .as_deref()
        .should()
        .equal(Some("0.0.0.0/0"));
    Ok(())
}

/// With `openfirewall` on a port a firewall rule already opens, that rule
/// is reused, not refused (`FirewallManagerImpl.createRuleForAllCidrs`:
/// "If firewallRule for this port range already exists, return it").
#[marvin::test(tags = ["smoke", "forwarding", "firewall"])]
async fn openfirewall_reuses_an_existing_firewall_rule(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let firewall = SshFirewallRule::new().ip(ip.id.clone()).create(ctx).await?;
    let rule = PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol("tcp")
        .publicport(22)
        .privateport(22)
        .openfirewall(true)
        .managed_by(ctx)
        .await?;
    rule.state.as_deref().should().equal(Some("Active"));
    let rules = FirewallRule::list(ctx.client()).ipaddressid(&ip.id).await?;
    rules
        .iter()
        .map(|r| r.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![firewall.id.clone()]);
    Ok(())
}

/// The private port of a rule changes (`RulesManagerImpl.updatePortForwardingRule`).
#[marvin::test(tags = ["smoke", "forwarding"])]
async fn the_private_port_of_a_rule_changes(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let rule = forward(ctx, &ip, &vm, "tcp", 2222, 22).await?;
    let updated = rule.update(ctx.client()).privateport(2022).await?;
    updated.privateport.as_deref().should().equal(Some("2022"));
    updated.publicport.as_deref().should().equal(Some("2222"));
    Ok(())
}

/// A deleted rule is no longer listed for its address
/// (`RulesManagerImpl.revokePortForwardingRule`).
#[marvin::test(tags = ["smoke", "forwarding"])]
async fn a_deleted_forwarding_rule_is_gone(ctx: &mut TestContext) -> Result<()> {
    let (vm, ip) = vm_and_address(ctx).await?;
    let rule = forward(ctx, &ip, &vm, "tcp", 2222, 22).await?;
    rule.delete().await?;
    PortForwardingRule::list(ctx.client())
        .ipaddressid(&ip.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}
