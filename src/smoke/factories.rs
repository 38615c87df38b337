//! The data factories (`marvin::factories`) against the cloud: what they
//! make is what CloudStack then reports.

use marvin_core::testing::TestContext;

use super::support::find;
use crate::prelude::*;

/// A factory-made user account is enabled with a normal account type; a
/// user made for it joins it.
pub async fn account_and_user(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account.state.should().have_value("enabled");
    account.accounttype.should().have_value(0);
    let user = UserFactory::new()
        .account(Sub::of(&account))
        .create(ctx)
        .await?;
    user.account.should().equal(account.name.clone());
    let users = ctx
        .client()
        .list_all(
            "listUsers",
            Params::new()
                .with("account", account.name.as_deref().unwrap_or_default())
                .with("domainid", account.domainid.as_deref().unwrap_or_default()),
        )
        .await?;
    users.len().should().equal(2);
    Ok(())
}

/// A VM with static NAT runs, and its public address maps to it on the
/// cloud.
pub async fn vm_with_static_nat(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineWithStaticNat::create(ctx).await?;
    vm.state.should().have_value("Running");
    let public = vm.public_ip().unwrap_or_default().to_string();
    public.is_empty().should().equal(false);
    let address = find(
        ctx.client(),
        "listPublicIpAddresses",
        &vm.ip.id,
        Params::new(),
    )
    .await?
    .unwrap_or_default();
    address["ipaddress"].should().equal(public.as_str());
    address["isstaticnat"].should().equal(true);
    address["virtualmachineid"]
        .should()
        .equal(vm.vm.id.as_str());
    Ok(())
}

/// Three VMs made at once run, each on its own network, with distinct
/// names.
pub async fn vms_in_a_batch(ctx: &mut TestContext) -> Result<()> {
    let vms = VirtualMachineFactory::create_batch(ctx, 3).await?;
    let mut names: Vec<String> = vms.iter().filter_map(|vm| vm.name.clone()).collect();
    names.sort();
    names.dedup();
    names.len().should().equal(3);
    for vm in &vms {
        vm.state.should().have_value("Running");
    }
    Ok(())
}
