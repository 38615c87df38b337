//! Guest networks: isolated networks with their VMs and routers, shared and
//! L2 networks, updates, restarts, deletion, and isolation between
//! accounts.

use std::net::Ipv4Addr;

use marvin::prelude::*;

/// Whether the IPv4 address `ip` lies in `cidr` (`a.b.c.d/n`).
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else {
        return false;
    };
    match (
        ip.parse::<Ipv4Addr>(),
        net.parse::<Ipv4Addr>(),
        bits.parse::<u32>(),
    ) {
        (Ok(ip), Ok(net), Ok(bits)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        _ => false,
    }
}

/// The address of the default NIC of `vm`.
fn default_address(vm: &VirtualMachine) -> String {
    vm.nic
        .iter()
        .find(|nic| nic.isdefault == Some(true))
        .and_then(|nic| nic.ipaddress.clone())
        .unwrap_or_default()
}

/// A network offering of the cloud's, by name.
async fn offering_named(ctx: &TestContext, name: &str) -> Result<NetworkOffering> {
    NetworkOffering::list(ctx.client())
        .name(name)
        .await?
        .into_iter()
        .find(|o| o.name.as_deref() == Some(name))
        .ok_or_else(|| Error::setup(format!("the cloud has no network offering {name}")))
}

/// A new isolated network is Allocated; a VM in it has its default NIC
/// there, with an address in the network's CIDR
/// (`NetworkOrchestrator.allocateNic`, `GuestNetworkGuru.allocate`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn a_vm_gets_an_address_in_its_network(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    network.state.as_deref().should().equal(Some("Allocated"));
    network.type_.as_deref().should().equal(Some("Isolated"));
    let cidr = network.cidr.clone().unwrap_or_default();
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    vm.nic.should().have_length(1);
    vm.nic[0].networkid.should().equal(Some(network.id.clone()));
    vm.nic[0].isdefault.should().equal(Some(true));
    let address = default_address(&vm);
    in_cidr(&address, &cidr)
        .should()
        .named(format!("{address} in {cidr}"))
        .equal(true);
    Ok(())
}

/// The first VM implements an isolated network, with a running virtual
/// router (`NetworkOrchestrator.implementNetwork`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn the_first_vm_implements_the_network(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let _vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let implemented = network.refresh(ctx.client()).await?;
    implemented
        .state
        .as_deref()
        .should()
        .equal(Some("Implemented"));
    let routers = VirtualRouter::list(ctx.client())
        .networkid(&network.id)
        .listall(true)
        .await?;
    routers.should_not().be_empty();
    routers[0].state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// Each VM of a network gets its own address
/// (`IpAddressManagerImpl.acquireGuestIpAddress`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn vms_of_a_network_get_distinct_addresses(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vms = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create_batch(ctx, 3)
        .await?;
    let mut addresses: Vec<String> = vms.iter().map(|vm| default_address(vm)).collect();
    addresses.sort();
    addresses.dedup();
    addresses.should().have_length(3);
    Ok(())
}

/// A network with a VM is not deleted (the job fails, 530); once the VM
/// is expunged it is (`NetworkOrchestrator.destroyNetwork`,
/// `DeleteNetworkCmd.execute`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn a_network_in_use_is_not_deleted(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    Network::delete(&network, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    network.refresh(ctx.client()).await.should().be_ok();
    vm.delete().await?;
    let id = network.id.clone();
    network.delete().await?;
    Network::list(ctx.client())
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A user neither sees another account's network nor deploys into it
/// (531) (`AccountManagerImpl.checkAccess`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn networks_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let network = GuestIsolatedNetwork::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    network.account.should().equal(owner.name.clone());
    let as_other = Owner::of(&other).context(ctx).await?;
    let seen = Network::list(as_other.client()).await?;
    seen.iter()
        .any(|n| n.id == network.id)
        .should()
        .equal(false);
    let zone = TestZone::create(ctx).await?;
    let template = DefaultBuiltInTemplate::create(ctx).await?;
    let offering = DefaultServiceOffering::create(ctx).await?;
    VirtualMachine::create(as_other.client())
        .serviceofferingid(&offering.id)
        .templateid(&template.id)
        .zoneid(&zone.id)
        .networkids([network.id.clone()])
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// A restarted network with cleanup stays Implemented
/// (`NetworkServiceImpl.restartNetwork`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn a_restarted_network_stays_implemented(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let _vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    network.restart(ctx.client()).cleanup(true).await?;
    let restarted = network.refresh(ctx.client()).await?;
    restarted
        .state
        .as_deref()
        .should()
        .equal(Some("Implemented"));
    Ok(())
}

/// A network's name and display text change
/// (`NetworkServiceImpl.updateGuestNetwork`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn a_network_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let name = sequence("renamed");
    let updated = network
        .update(ctx.client())
        .name(&name)
        .displaytext("Renamed by smoke")
        .await?;
    updated.name.as_deref().should().equal(Some(name.as_str()));
    let listed = network.refresh(ctx.client()).await?;
    listed
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Renamed by smoke"));
    Ok(())
}

/// An isolated network given a gateway and netmask has the CIDR they make
/// (`NetworkServiceImpl.createGuestNetwork`, `GuestNetworkGuru.design`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn an_isolated_network_takes_the_given_cidr(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::new()
        .with_request(|r| {
            r.options.gateway = Some("10.77.3.1".into());
            r.options.netmask = Some("255.255.255.0".into());
        })
        .create(ctx)
        .await?;
    network.cidr.as_deref().should().equal(Some("10.77.3.0/24"));
    network.gateway.as_deref().should().equal(Some("10.77.3.1"));
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    in_cidr(&default_address(&vm), "10.77.3.0/24")
        .should()
        .equal(true);
    Ok(())
}

/// A shared network has the VLAN and address range it was given; a VM in
/// it gets an address from that range
/// (`NetworkServiceImpl.createGuestNetwork`, `DirectNetworkGuru`).
#[marvin::test(tags = ["smoke", "networks", "admin"])]
async fn a_shared_network_gives_addresses_from_its_range(ctx: &mut TestContext) -> Result<()> {
    let network = SharedNetwork::create(ctx).await?;
    network.type_.as_deref().should().equal(Some("Shared"));
    let gateway = network.gateway.clone().unwrap_or_default();
    let subnet = gateway.trim_end_matches(".1").to_string();
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let address = default_address(&vm);
    let host: u8 = address
        .strip_prefix(&format!("{subnet}."))
        .and_then(|h| h.parse().ok())
        .unwrap_or_default();
    host.should().be_between(10, 250);
    Ok(())
}

/// An L2 network has no CIDR and no gateway, and takes VMs
/// (`NetworkServiceImpl.createGuestNetwork` for `L2` offerings).
#[marvin::test(tags = ["smoke", "networks"])]
async fn an_l2_network_has_no_addressing(ctx: &mut TestContext) -> Result<()> {
    let offering = offering_named(ctx, "DefaultL2NetworkOffering").await?;
    let zone = TestZone::create(ctx).await?;
    let network = Network::create(ctx.client())
        .name(sequence("l2"))
        .networkofferingid(&offering.id)
        .zoneid(&zone.id)
        .displaytext("Smoke L2 network")
        .managed_by(ctx)
        .await?;
    network.type_.as_deref().should().equal(Some("L2"));
    network.cidr.should().be_none();
    let vm = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    vm.nic[0].networkid.should().equal(Some(network.id.clone()));
    Ok(())
}

/// Networks are listed by type: an isolated network is not among the
/// shared ones (`NetworkServiceImpl.searchForNetworks`).
#[marvin::test(tags = ["smoke", "networks"])]
async fn networks_are_listed_by_type(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let isolated = Network::list(ctx.client()).type_("Isolated").await?;
    isolated
        .iter()
        .any(|n| n.id == network.id)
        .should()
        .equal(true);
    let shared = Network::list(ctx.client()).type_("Shared").await?;
    shared
        .iter()
        .any(|n| n.id == network.id)
        .should()
        .equal(false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::in_cidr;

    #[test]
    fn addresses_in_and_out_of_a_cidr() {
        assert!(in_cidr("10.1.1.17", "10.1.1.0/24"));
        assert!(!in_cidr("10.1.2.17", "10.1.1.0/24"));
        assert!(in_cidr("192.168.0.1", "0.0.0.0/0"));
        assert!(!in_cidr("nonsense", "10.1.1.0/24"));
    }
}
