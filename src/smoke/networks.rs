//! Guest networks: isolated networks, their VMs, addresses and routers.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    client_of, deploy, find, isolated_network, isolated_network_with, public_ip, user_account,
    vm_params,
};
use crate::prelude::*;

/// Whether `ip` lies in `cidr` (IPv4).
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let parse = |text: &str| -> Option<u32> {
        let octets: Vec<u8> = text
            .split('.')
            .map(|o| o.parse().ok())
            .collect::<Option<_>>()?;
        (octets.len() == 4)
            .then(|| u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]))
    };
    let Some((net, bits)) = cidr.split_once('/') else {
        return false;
    };
    match (parse(ip), parse(net), bits.parse::<u32>()) {
        (Some(ip), Some(net), Ok(bits)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            ip & mask == net & mask
        }
        _ => false,
    }
}

/// A new isolated network is Allocated; a VM deployed into it gets its
/// default NIC there, with an address inside the network's CIDR, and the
/// network is Implemented with a running virtual router.
pub async fn isolated_network_with_a_vm(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    network["state"].should().equal("Allocated");
    network["type"].should().equal("Isolated");
    let cidr = network["cidr"].as_str().unwrap_or_default().to_string();

    let vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let nics = vm["nic"].as_array().cloned().unwrap_or_default();
    nics.len().should().equal(1);
    nics[0]["networkid"].should().equal(network.id());
    nics[0]["isdefault"].should().equal(true);
    let address = nics[0]["ipaddress"].as_str().unwrap_or_default();
    in_cidr(address, &cidr)
        .should()
        .named(format!("{address} in {cidr}"))
        .equal(true);

    let implemented = find(ctx.client(), "listNetworks", network.id(), Params::new())
        .await?
        .unwrap_or_default();
    implemented["state"].should().equal("Implemented");
    let routers = ctx
        .client()
        .list_all("listRouters", Params::new().with("networkid", network.id()))
        .await?;
    routers.should_not().be_empty();
    routers[0]["state"].should().equal("Running");
    Ok(())
}

/// Each VM of a network gets its own address.
pub async fn vms_get_distinct_addresses(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    let mut addresses = Vec::new();
    let mut vms = Vec::new();
    for _ in 0..3 {
        let vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
        addresses.push(
            vm["nic"][0]["ipaddress"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        vms.push(vm);
    }
    let mut unique_addresses = addresses.clone();
    unique_addresses.sort();
    unique_addresses.dedup();
    unique_addresses.len().should().equal(3);
    Ok(())
}

/// A network with a VM cannot be deleted (the job fails); once the VM is
/// expunged it can.
pub async fn network_in_use_is_not_deleted(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    let vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    ctx.client()
        .call(api("deleteNetwork"))
        .params(Params::new().with("id", network.id()))
        .await
        .should()
        .be_err();
    find(ctx.client(), "listNetworks", network.id(), Params::new())
        .await?
        .should()
        .be_some();
    vm.delete().await?;
    let id = network.id().to_string();
    network.delete().await?;
    find(ctx.client(), "listNetworks", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// A user cannot deploy into another account's network (531), nor see it.
pub async fn networks_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = user_account(ctx).await?;
    let other = user_account(ctx).await?;
    let as_owner = client_of(ctx, &owner).await?;
    let as_other = client_of(ctx, &other).await?;
    let network = isolated_network_with(ctx, &as_owner).await?;
    network["account"]
        .should()
        .equal(owner["name"].as_str().unwrap_or_default());

    let seen = as_other.list_all("listNetworks", Params::new()).await?;
    super::support::ids(&seen)
        .should_not()
        .contain(network.id().to_string());
    as_other
        .call(api("deployVirtualMachine"))
        .params(vm_params(ctx).await?.with("networkids", network.id()))
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// Once implemented, an isolated network has exactly one source NAT
/// address; further addresses are not source NAT and are all different.
pub async fn source_nat_and_more_addresses(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    let _vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let addresses = ctx
        .client()
        .list_all(
            "listPublicIpAddresses",
            Params::new().with("associatednetworkid", network.id()),
        )
        .await?;
    addresses
        .iter()
        .filter(|a| a["issourcenat"] == true)
        .count()
        .should()
        .equal(1);

    let first = public_ip(ctx, network.id()).await?;
    let second = public_ip(ctx, network.id()).await?;
    first["issourcenat"].should().equal(false);
    first["state"].should().equal("Allocated");
    first["associatednetworkid"].should().equal(network.id());
    (first["ipaddress"] != second["ipaddress"])
        .should()
        .equal(true);

    let released = first.id().to_string();
    first.delete().await?;
    let listed = ctx
        .client()
        .list_all(
            "listPublicIpAddresses",
            Params::new().with("associatednetworkid", network.id()),
        )
        .await?;
    super::support::ids(&listed).should_not().contain(released);
    Ok(())
}

/// Restarting a network keeps it Implemented.
pub async fn restart_network(ctx: &mut TestContext) -> Result<()> {
    let network = isolated_network(ctx).await?;
    let _vm = deploy(ctx, Params::new().with("networkids", network.id())).await?;
    let restarted = ctx
        .client()
        .call(api("restartNetwork"))
        .params(Params::new().with("id", network.id()).with("cleanup", true))
        .await;
    restarted.should().be_ok();
    let listed = find(ctx.client(), "listNetworks", network.id(), Params::new())
        .await?
        .unwrap_or_default();
    listed["state"].should().equal("Implemented");
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
