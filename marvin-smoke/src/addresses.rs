//! Public IP addresses: source NAT, acquiring and releasing addresses, and
//! their isolation between accounts.

use marvin::prelude::*;

/// An isolated network implemented by a running VM.
async fn implemented_network(ctx: &TestContext) -> Result<Managed<Network>> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    // The VM is deleted with the test, before its network.
    drop(vm);
    Ok(network)
}

/// An implemented isolated network has exactly one source NAT address
/// (`NetworkOrchestrator.implementNetworkElementsAndResources`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn an_implemented_network_has_one_source_nat_address(ctx: &mut TestContext) -> Result<()> {
    let network = implemented_network(ctx).await?;
    let source_nat = IpAddress::list(ctx.client())
        .associatednetworkid(&network.id)
        .issourcenat(true)
        .await?;
    source_nat.should().have_length(1);
    source_nat[0].issourcenat.should().equal(Some(true));
    Ok(())
}

/// An address acquired for a network is Allocated, not source NAT, and
/// associated with the network (`IpAddressManagerImpl.allocateIp`,
/// `associateIPToGuestNetwork`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn an_acquired_address_is_allocated_to_the_network(ctx: &mut TestContext) -> Result<()> {
    let network = implemented_network(ctx).await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    ip.state.as_deref().should().equal(Some("Allocated"));
    ip.issourcenat.should().equal(Some(false));
    ip.associatednetworkid
        .should()
        .equal(Some(network.id.clone()));
    Ok(())
}

/// Two addresses acquired for a network differ
/// (`IpAddressManagerImpl.fetchNewPublicIp`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn acquired_addresses_differ(ctx: &mut TestContext) -> Result<()> {
    let network = implemented_network(ctx).await?;
    let ips = PublicIpAddress::new()
        .network(network.id.clone())
        .create_batch(ctx, 2)
        .await?;
    ips[0]
        .ipaddress
        .should_not()
        .equal(ips[1].ipaddress.clone());
    Ok(())
}

/// A released address is no longer listed for the network
/// (`IpAddressManagerImpl.disassociatePublicIpAddress`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn a_released_address_is_gone(ctx: &mut TestContext) -> Result<()> {
    let network = implemented_network(ctx).await?;
    let ip = PublicIpAddress::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let id = ip.id.clone();
    ip.delete().await?;
    let listed = IpAddress::list(ctx.client())
        .associatednetworkid(&network.id)
        .await?;
    listed.iter().any(|a| a.id == id).should().equal(false);
    Ok(())
}

/// The source NAT address of an implemented network cannot be released:
/// `NetworkServiceImpl.releaseIpAddressInternal` throws an
/// `IllegalArgumentException` ("is used for source nat purposes and can not
/// be disassociated"), which fails the job with 530
/// (`ApiAsyncJobDispatcher.runJob` maps only parameter errors to 431).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn the_source_nat_address_is_not_released(ctx: &mut TestContext) -> Result<()> {
    let network = implemented_network(ctx).await?;
    let source_nat = IpAddress::list(ctx.client())
        .associatednetworkid(&network.id)
        .issourcenat(true)
        .await?;
    source_nat.should().have_length(1);
    source_nat[0]
        .disassociate(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    source_nat[0].refresh(ctx.client()).await.should().be_ok();
    Ok(())
}

/// A user's address is invisible to another user
/// (`ManagementServerImpl.searchForIPAddresses`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn addresses_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let ip = PublicIpAddress::new().owner(&owner).create(ctx).await?;
    ip.account.should().equal(owner.name.clone());
    let as_other = Owner::of(&other).context(ctx).await?;
    let seen = IpAddress::list(as_other.client()).await?;
    seen.iter().any(|a| a.id == ip.id).should().equal(false);
    Ok(())
}

/// A user cannot acquire an address for another account's network (531)
/// (`IpAddressManagerImpl.allocateIp`, `AccountManagerImpl.checkAccess`).
#[marvin::test(tags = ["smoke", "addresses"])]
async fn no_address_for_another_accounts_network(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let network = GuestIsolatedNetwork::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    IpAddress::create(as_other.client())
        .networkid(&network.id)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}
