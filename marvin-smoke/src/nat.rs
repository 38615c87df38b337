//! Static NAT: one public address mapped to one VM, and what it excludes.

use marvin::prelude::*;

/// A network with a running VM in it, and a fresh public address of it.
async fn network_vm_and_address(
    ctx: &TestContext,
) -> Result<(
    Managed<Network>,
    Managed<VirtualMachine>,
    Managed<IpAddress>,
)> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    Ok((network, vm, ip))
}

/// Static NAT maps the address to the VM: the address is static NAT and
/// names the VM (`RulesManagerImpl.enableStaticNat`).
#[marvin::test(tags = ["smoke", "nat"])]
async fn static_nat_maps_an_address_to_a_vm(ctx: &mut TestContext) -> Result<()> {
    let (_network, vm, ip) = network_vm_and_address(ctx).await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await?
        .success
        .should()
        .equal(true);
    let mapped = ip.refresh(ctx.client()).await?;
    mapped.isstaticnat.should().equal(Some(true));
    mapped.virtualmachineid.should().equal(Some(vm.id.clone()));
    Ok(())
}

/// Disabled, static NAT leaves a plain address again
/// (`RulesManagerImpl.disableStaticNat`).
#[marvin::test(tags = ["smoke", "nat"])]
async fn disabled_static_nat_leaves_a_plain_address(ctx: &mut TestContext) -> Result<()> {
    let (_network, vm, ip) = network_vm_and_address(ctx).await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await?;
    ip.disable_static_nat(ctx.client()).await?;
    let plain = ip.refresh(ctx.client()).await?;
    plain.isstaticnat.should().equal(Some(false));
    plain.virtualmachineid.should().be_none();
    Ok(())
}

/// Static NAT on the source NAT address is refused: 431, "is a sourceNat
/// ip address" (`RulesManagerImpl.isIpReadyForStaticNat`).
#[marvin::test(tags = ["smoke", "nat"])]
async fn no_static_nat_on_the_source_nat_address(ctx: &mut TestContext) -> Result<()> {
    let (network, vm, _ip) = network_vm_and_address(ctx).await?;
    let source_nat = IpAddress::list(ctx.client())
        .associatednetworkid(&network.id)
        .issourcenat(true)
        .await?;
    source_nat.should().have_length(1);
    source_nat[0]
        .enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An address with static NAT takes no port forwarding rule: 431, "has
/// static nat enabled" (`RulesManagerImpl.createPortForwardingRule`).
#[marvin::test(tags = ["smoke", "nat", "forwarding"])]
async fn no_port_forwarding_on_a_static_nat_address(ctx: &mut TestContext) -> Result<()> {
    let (_network, vm, ip) = network_vm_and_address(ctx).await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await?;
    PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol("tcp")
        .publicport(80)
        .privateport(80)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An address mapped to one VM cannot be mapped to another: 537, "as it's
/// already assigned to antoher vm" (`RulesManagerImpl.isIpReadyForStaticNat`).
#[marvin::test(tags = ["smoke", "nat"])]
async fn a_static_nat_address_serves_one_vm(ctx: &mut TestContext) -> Result<()> {
    let (network, vm, ip) = network_vm_and_address(ctx).await?;
    let second = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await?;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&second.id)
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    ip.refresh(ctx.client())
        .await?
        .virtualmachineid
        .should()
        .equal(Some(vm.id.clone()));
    Ok(())
}

/// An address with port forwarding rules takes no static NAT: 537,
/// "already has PortForwarding rules assigned"
/// (`RulesManagerImpl.isIpReadyForStaticNat`).
#[marvin::test(tags = ["smoke", "nat", "forwarding"])]
async fn no_static_nat_on_an_address_with_forwarding(ctx: &mut TestContext) -> Result<()> {
    let (_network, vm, ip) = network_vm_and_address(ctx).await?;
    let rule = PortForwardingRule::create(ctx.client())
        .ipaddressid(&ip.id)
        .virtualmachineid(&vm.id)
        .protocol("tcp")
        .publicport(2222)
        .privateport(22)
        .openfirewall(false)
        .managed_by(ctx)
        .await?;
    let _rule = rule;
    ip.enable_static_nat(ctx.client())
        .virtualmachineid(&vm.id)
        .await
        .should()
        .fail_with(ErrorCode::NetworkRuleConflict);
    Ok(())
}
