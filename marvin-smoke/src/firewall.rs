//! Firewall rules on public addresses, and egress rules of networks.

use marvin::prelude::*;

/// A public address of a new isolated network implemented by a running
/// VM, with the network.
async fn address_of_a_network(ctx: &TestContext) -> Result<(Managed<Network>, Managed<IpAddress>)> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let _vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    Ok((network, ip))
}

/// A firewall rule opens a port range on an address: Active, listed for
/// the address (`FirewallManagerImpl.createIngressFirewallRule`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn a_firewall_rule_opens_a_port_range(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let rule = SshFirewallRule::new()
        .ip(ip.id.clone())
        .startport(20)
        .endport(25)
        .create(ctx)
        .await?;
    rule.state.as_deref().should().equal(Some("Active"));
    rule.ipaddressid.should().equal(Some(ip.id.clone()));
    rule.startport.should().equal(Some(20));
    rule.endport.should().equal(Some(25));
    let listed = FirewallRule::list(ctx.client()).ipaddressid(&ip.id).await?;
    listed
        .iter()
        .map(|r| r.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![rule.id.clone()]);
    Ok(())
}

/// A firewall rule without a CIDR list opens to `0.0.0.0/0`
/// (`CreateFirewallRuleCmd.getSourceCidrList`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn a_firewall_rule_without_cidrs_is_open_to_all(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let rule = FirewallRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .protocol("tcp")
        .startport(8080)
        .endport(8080)
        .managed_by(ctx)
        .await?;
    rule.cidrlist.as_deref().should().equal(Some("0.0.0.0/0"));
    Ok(())
}

/// An overlapping range of the same protocol and CIDR on the same address
/// is a conflict: 537, "The range specified, .., conflicts with rule"
/// (`FirewallManagerImpl.detectRulesConflict`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn an_overlapping_firewall_rule_conflicts(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let _rule = SshFirewallRule::new().ip(ip.id.clone()).create(ctx).await?;
    FirewallRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .protocol("tcp")
        .startport(20)
        .endport(30)
        .cidrlist(["0.0.0.0/0".to_string()])
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    FirewallRule::list(ctx.client())
        .ipaddressid(&ip.id)
        .await?
        .should()
        .have_length(1);
    Ok(())
}

/// The same port range over another protocol does not conflict
/// (`FirewallManagerImpl.detectRulesConflict` compares protocols).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn the_same_ports_over_udp_do_not_conflict(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let _tcp = SshFirewallRule::new().ip(ip.id.clone()).create(ctx).await?;
    let udp = SshFirewallRule::new()
        .ip(ip.id.clone())
        .protocol("udp")
        .create(ctx)
        .await?;
    udp.protocol.as_deref().should().equal(Some("udp"));
    FirewallRule::list(ctx.client())
        .ipaddressid(&ip.id)
        .await?
        .should()
        .have_length(2);
    Ok(())
}

/// An ICMP rule keeps its type and code (`FirewallManagerImpl.createFirewallRule`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn an_icmp_rule_keeps_its_type_and_code(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let rule = FirewallRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .protocol("icmp")
        .icmptype(8)
        .icmpcode(0)
        .managed_by(ctx)
        .await?;
    rule.protocol.as_deref().should().equal(Some("icmp"));
    rule.icmptype.should().equal(Some(8));
    rule.icmpcode.should().equal(Some(0));
    Ok(())
}

/// A deleted firewall rule is no longer listed
/// (`FirewallManagerImpl.revokeIngressFirewallRule`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn a_deleted_firewall_rule_is_gone(ctx: &mut TestContext) -> Result<()> {
    let (_network, ip) = address_of_a_network(ctx).await?;
    let rule = HttpFirewallRule::new()
        .ip(ip.id.clone())
        .create(ctx)
        .await?;
    let id = rule.id.clone();
    rule.delete().await?;
    FirewallRule::list(ctx.client())
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A user cannot open a port on another account's address (531)
/// (`FirewallManagerImpl.createFirewallRule`, `AccountManagerImpl.checkAccess`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn no_firewall_rule_on_another_accounts_address(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let ip = PublicIpAddress::new().owner(&owner).create(ctx).await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    FirewallRule::create(as_other.client())
        .ipaddressid(&ip.id)
        .protocol("tcp")
        .startport(22)
        .endport(22)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// An egress rule of a network is listed for it; without a CIDR list its
/// source is the network's CIDR (`FirewallManagerImpl.createEgressFirewallRule`,
/// `CreateEgressFirewallRuleCmd.getSourceCidrList`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn an_egress_rule_defaults_to_the_network_cidr(ctx: &mut TestContext) -> Result<()> {
    let (network, _ip) = address_of_a_network(ctx).await?;
    let rule = EgressFirewallRule::create(ctx.client())
        .networkid(&network.id)
        .protocol("tcp")
        .startport(443)
        .endport(443)
        .managed_by(ctx)
        .await?;
    rule.networkid.should().equal(Some(network.id.clone()));
    rule.cidrlist.should().equal(network.cidr.clone());
    let listed = EgressFirewallRule::list(ctx.client())
        .networkid(&network.id)
        .await?;
    listed.iter().any(|r| r.id == rule.id).should().equal(true);
    Ok(())
}

/// A deleted egress rule is no longer listed for its network
/// (`FirewallManagerImpl.revokeEgressFirewallRule`).
#[marvin::test(tags = ["smoke", "firewall"])]
async fn a_deleted_egress_rule_is_gone(ctx: &mut TestContext) -> Result<()> {
    let (network, _ip) = address_of_a_network(ctx).await?;
    let rule = EgressFirewallRule::create(ctx.client())
        .networkid(&network.id)
        .protocol("udp")
        .startport(53)
        .endport(53)
        .cidrlist(["10.0.0.0/8".to_string()])
        .managed_by(ctx)
        .await?;
    rule.cidrlist.as_deref().should().equal(Some("10.0.0.0/8"));
    let id = rule.id.clone();
    rule.delete().await?;
    EgressFirewallRule::list(ctx.client())
        .networkid(&network.id)
        .await?
        .iter()
        .any(|r| r.id == id)
        .should()
        .equal(false);
    Ok(())
}
