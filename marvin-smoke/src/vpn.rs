//! VPNs: remote access VPNs on a network's source NAT address, their
//! users, and site-to-site VPN gateways of VPCs.

use marvin::prelude::*;

/// The source NAT address of a new isolated network implemented by a
/// running VM.
async fn source_nat_address(ctx: &TestContext) -> Result<IpAddress> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let _vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    IpAddress::list(ctx.client())
        .associatednetworkid(&network.id)
        .issourcenat(true)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::setup(format!("network {} has no source NAT address", network.id)))
}

/// A remote access VPN on a source NAT address runs on that address, with
/// a pre-shared key (`RemoteAccessVpnManagerImpl.createRemoteAccessVpn`,
/// `startRemoteAccessVpn`).
#[marvin::test(tags = ["smoke", "vpn"])]
async fn a_remote_access_vpn_runs_on_the_source_nat_address(ctx: &mut TestContext) -> Result<()> {
    let ip = source_nat_address(ctx).await?;
    let vpn = RemoteAccessVpn::create(ctx.client())
        .publicipid(&ip.id)
        .managed_by(ctx)
        .await?;
    vpn.publicipid.should().equal(Some(ip.id.clone()));
    vpn.publicip.should().equal(ip.ipaddress.clone());
    vpn.state.as_deref().should().equal(Some("Running"));
    vpn.presharedkey
        .as_deref()
        .is_some_and(|key| !key.is_empty())
        .should()
        .equal(true);
    let listed = RemoteAccessVpn::list(ctx.client())
        .publicipid(&ip.id)
        .await?;
    listed.should().have_length(1);
    Ok(())
}

/// A deleted remote access VPN is no longer listed for its address
/// (`RemoteAccessVpnManagerImpl.destroyRemoteAccessVpnForIp`).
#[marvin::test(tags = ["smoke", "vpn"])]
async fn a_deleted_remote_access_vpn_is_gone(ctx: &mut TestContext) -> Result<()> {
    let ip = source_nat_address(ctx).await?;
    let vpn = RemoteAccessVpn::create(ctx.client())
        .publicipid(&ip.id)
        .managed_by(ctx)
        .await?;
    let _vpn = vpn;
    RemoteAccessVpn::delete(&_vpn, ctx.client())
        .await?
        .success
        .should()
        .equal(true);
    RemoteAccessVpn::list(ctx.client())
        .publicipid(&ip.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A VPN user is listed by name and gone once removed
/// (`RemoteAccessVpnManagerImpl.addVpnUser`, `removeVpnUser`).
#[marvin::test(tags = ["smoke", "vpn"])]
async fn a_vpn_user_is_added_and_removed(ctx: &mut TestContext) -> Result<()> {
    let ip = source_nat_address(ctx).await?;
    let vpn = RemoteAccessVpn::create(ctx.client())
        .publicipid(&ip.id)
        .managed_by(ctx)
        .await?;
    let _vpn = vpn;
    let username = sequence("vpnuser").replace('-', "");
    let user = VpnUser::create(ctx.client())
        .username(&username)
        .password("Smoke-pass-1")
        .managed_by(ctx)
        .await?;
    user.username
        .as_deref()
        .should()
        .equal(Some(username.as_str()));
    VpnUser::list(ctx.client())
        .username(&username)
        .await?
        .should()
        .have_length(1);
    VpnUser::remove(&user, ctx.client()).await?;
    VpnUser::list(ctx.client())
        .username(&username)
        .await?
        .iter()
        .filter(|u| u.state.as_deref() != Some("Revoke"))
        .count()
        .should()
        .equal(0);
    Ok(())
}

/// A VPC has one site-to-site VPN gateway, on its source NAT address
/// (`Site2SiteVpnManagerImpl.createVpnGateway`).
#[marvin::test(tags = ["smoke", "vpn", "vpc"])]
async fn a_vpc_gets_a_site_to_site_vpn_gateway(ctx: &mut TestContext) -> Result<()> {
    let vm = VpcVirtualMachine::create(ctx).await?;
    let vpc = vm.nic[0].vpcid.clone().unwrap_or_default();
    let gateway = VpnGateway::create(ctx.client())
        .vpcid(&vpc)
        .managed_by(ctx)
        .await?;
    gateway.vpcid.should().equal(Some(vpc.clone()));
    VpnGateway::list(ctx.client())
        .vpcid(&vpc)
        .await?
        .should()
        .have_length(1);
    VpnGateway::create(ctx.client())
        .vpcid(&vpc)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}
