//! Rules on public addresses: firewall, port forwarding, static NAT, load
//! balancing, and egress rules; their conflicts (537) and refusals.

use marvin_core::cleanup::Managed;
use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    EGRESS_FIREWALL_RULE, FIREWALL_RULE, LOAD_BALANCER_RULE, PORT_FORWARDING_RULE, Raw, create,
    deploy, find, isolated_network, public_ip, unique,
};
use crate::prelude::*;

/// An isolated network with a running VM in it, and a fresh public IP of
/// that network.
async fn network_vm_and_ip(
    ctx: &TestContext,
) -> Result<(Managed<Raw>, Managed<Raw>, Managed<Raw>)> {
    let network = isolated_network(ctx).await?;
    let vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let ip = public_ip(ctx, network.id()).await?;
    Ok((network, vm, ip))
}

fn firewall(ip: &str, start: u16, end: u16) -> Params {
    Params::new()
        .with("ipaddressid", ip)
        .with("protocol", "tcp")
        .with("startport", start)
        .with("endport", end)
        .with("cidrlist", "0.0.0.0/0")
}

fn forward(ip: &str, vm: &str, public: u16, private: u16) -> Params {
    Params::new()
        .with("ipaddressid", ip)
        .with("virtualmachineid", vm)
        .with("protocol", "tcp")
        .with("publicport", public)
        .with("privateport", private)
}

/// A firewall rule opens a port range on an address; an overlapping range
/// on the same address is a conflict (537); deleted, the rule is gone.
pub async fn firewall_rule(ctx: &mut TestContext) -> Result<()> {
    let (_network, _vm, ip) = network_vm_and_ip(ctx).await?;
    let rule = create(ctx, &FIREWALL_RULE, firewall(ip.id(), 22, 22)).await?;
    rule["state"].should().equal("Active");
    rule["ipaddressid"].should().equal(ip.id());
    rule["startport"].should().equal(22);
    ctx.client()
        .call(api("createFirewallRule"))
        .params(firewall(ip.id(), 20, 30))
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    let id = rule.id().to_string();
    rule.delete().await?;
    find(ctx.client(), "listFirewallRules", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// A port forwarding rule maps a public port to the VM; a second rule on
/// the same public port conflicts (537), the same port over UDP does not.
pub async fn port_forwarding(ctx: &mut TestContext) -> Result<()> {
    let (_network, vm, ip) = network_vm_and_ip(ctx).await?;
    let rule = create(
        ctx,
        &PORT_FORWARDING_RULE,
        forward(ip.id(), vm.id(), 2222, 22),
    )
    .await?;
    rule["state"].should().equal("Active");
    rule["virtualmachineid"].should().equal(vm.id());
    rule["publicport"].should().equal("2222");
    ctx.client()
        .call(api("createPortForwardingRule"))
        .params(forward(ip.id(), vm.id(), 2222, 2200))
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    let udp = create(
        ctx,
        &PORT_FORWARDING_RULE,
        forward(ip.id(), vm.id(), 2222, 22).with("protocol", "udp"),
    )
    .await?;
    udp["protocol"].should().equal("udp");
    let rules = ctx
        .client()
        .list_all(
            "listPortForwardingRules",
            Params::new().with("ipaddressid", ip.id()),
        )
        .await?;
    rules.len().should().equal(2);
    Ok(())
}

/// Static NAT maps an address to one VM; it cannot be enabled on the
/// source NAT address (431), and an address with static NAT takes no port
/// forwarding (431, "has static nat enabled"); disabled, the address is
/// plain again.
pub async fn static_nat(ctx: &mut TestContext) -> Result<()> {
    let (network, vm, ip) = network_vm_and_ip(ctx).await?;
    let enable = |address: String| {
        ctx.client()
            .call(api("enableStaticNat"))
            .params(
                Params::new()
                    .with("ipaddressid", address)
                    .with("virtualmachineid", vm.id()),
            )
            .send()
    };
    enable(ip.id().to_string()).await?;
    let mapped = find(
        ctx.client(),
        "listPublicIpAddresses",
        ip.id(),
        Params::new(),
    )
    .await?
    .unwrap_or_default();
    mapped["isstaticnat"].should().equal(true);
    mapped["virtualmachineid"].should().equal(vm.id());

    ctx.client()
        .call(api("createPortForwardingRule"))
        .params(forward(ip.id(), vm.id(), 80, 80))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);

    let source_nat = ctx
        .client()
        .list_all(
            "listPublicIpAddresses",
            Params::new()
                .with("associatednetworkid", network.id())
                .with("issourcenat", true),
        )
        .await?;
    let source_nat = source_nat
        .first()
        .map(super::support::id_of)
        .unwrap_or_default();
    enable(source_nat)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);

    ctx.client()
        .call(api("disableStaticNat"))
        .params(Params::new().with("ipaddressid", ip.id()))
        .await?;
    let plain = find(
        ctx.client(),
        "listPublicIpAddresses",
        ip.id(),
        Params::new(),
    )
    .await?
    .unwrap_or_default();
    plain["isstaticnat"].should().equal(false);
    Ok(())
}

/// A load balancer rule takes VMs and lists them as its instances; an
/// unknown algorithm is refused (431).
pub async fn load_balancer(ctx: &mut TestContext) -> Result<()> {
    let (network, first, ip) = network_vm_and_ip(ctx).await?;
    let second = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let rule_params = |algorithm: &str| {
        Params::new()
            .with("publicipid", ip.id())
            .with("name", unique("lb"))
            .with("algorithm", algorithm)
            .with("publicport", 80)
            .with("privateport", 8080)
    };
    ctx.client()
        .call(api("createLoadBalancerRule"))
        .params(rule_params("fastest-please"))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    let rule = create(ctx, &LOAD_BALANCER_RULE, rule_params("roundrobin")).await?;
    rule["algorithm"].should().equal("roundrobin");
    rule["publicip"].should().equal(ip["ipaddress"].clone());

    let members = format!("{},{}", first.id(), second.id());
    ctx.client()
        .call(api("assignToLoadBalancerRule"))
        .params(
            Params::new()
                .with("id", rule.id())
                .with("virtualmachineids", &members),
        )
        .await?;
    let instances = || {
        ctx.client().list_all(
            "listLoadBalancerRuleInstances",
            Params::new().with("id", rule.id()),
        )
    };
    instances().await?.len().should().equal(2);
    ctx.client()
        .call(api("removeFromLoadBalancerRule"))
        .params(
            Params::new()
                .with("id", rule.id())
                .with("virtualmachineids", first.id()),
        )
        .await?;
    let left = super::support::ids(&instances().await?);
    left.should().equal(vec![second.id().to_string()]);
    Ok(())
}

/// An egress rule of a network is listed for it and deleted.
pub async fn egress_rule(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    let _vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let rule = create(
        ctx,
        &EGRESS_FIREWALL_RULE,
        Params::new()
            .with("networkid", network.id())
            .with("protocol", "tcp")
            .with("startport", 443)
            .with("endport", 443),
    )
    .await?;
    rule["networkid"].should().equal(network.id());
    let rules = ctx
        .client()
        .list_all(
            "listEgressFirewallRules",
            Params::new().with("networkid", network.id()),
        )
        .await?;
    super::support::ids(&rules)
        .should()
        .contain(rule.id().to_string());
    Ok(())
}
