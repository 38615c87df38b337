//! Virtual machines: deploy, the state machine (stop, start, reboot,
//! destroy, recover), scaling, isolation and updates.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    ACCOUNT, SERVICE_OFFERING, VIRTUAL_MACHINE, account_params, client_of, create, create_with,
    default_network, deploy, find, ids, run, service_offering, unique, user_account, vm_params,
};
use crate::prelude::*;

fn by_id(id: &str) -> Params {
    Params::new().with("id", id)
}

/// A deployed VM runs on a host with the offering and template it was
/// given, has a ROOT volume, and is gone once destroyed with expunge.
pub async fn deploy_and_destroy(ctx: &mut TestContext) -> Result<()> {
    let network = default_network(ctx).await?;
    let params = vm_params(ctx).await?.with("networkids", network.as_str());
    let name = params.get("name").unwrap_or_default().to_string();
    let offering = params
        .get("serviceofferingid")
        .unwrap_or_default()
        .to_string();
    let template = params.get("templateid").unwrap_or_default().to_string();
    let vm = create(ctx, &VIRTUAL_MACHINE, params).await?;
    vm["state"].should().equal("Running");
    vm["name"].should().equal(name.as_str());
    vm["serviceofferingid"].should().equal(offering.as_str());
    vm["templateid"].should().equal(template.as_str());
    vm["hostid"].is_string().should().equal(true);

    let volumes = ctx
        .client()
        .list_all(
            "listVolumes",
            Params::new().with("virtualmachineid", vm.id()),
        )
        .await?;
    volumes.should().have_length(1);
    volumes[0]["type"].should().equal("ROOT");
    volumes[0]["deviceid"].should().equal(0);

    let id = vm.id().to_string();
    vm.delete().await?;
    find(
        ctx.client(),
        "listVirtualMachines",
        &id,
        Params::new().with("listall", true),
    )
    .await?
    .should()
    .be_none();
    Ok(())
}

/// Stop then start: Stopped, then Running; starting a running VM is
/// refused with 431.
pub async fn stop_and_start(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let stopped = run(ctx, "stopVirtualMachine", by_id(vm.id()), "virtualmachine").await?;
    stopped["state"].should().equal("Stopped");
    let started = run(ctx, "startVirtualMachine", by_id(vm.id()), "virtualmachine").await?;
    started["state"].should().equal("Running");
    ctx.client()
        .call(api("startVirtualMachine"))
        .params(by_id(vm.id()))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// Only a running VM can be rebooted (431 otherwise).
pub async fn reboot_needs_a_running_vm(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let rebooted = run(
        ctx,
        "rebootVirtualMachine",
        by_id(vm.id()),
        "virtualmachine",
    )
    .await?;
    rebooted["state"].should().equal("Running");
    run(ctx, "stopVirtualMachine", by_id(vm.id()), "virtualmachine").await?;
    ctx.client()
        .call(api("rebootVirtualMachine"))
        .params(by_id(vm.id()))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A destroyed VM (without expunge) can be recovered: it comes back
/// Stopped and starts again.
pub async fn destroy_and_recover(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let destroyed = run(
        ctx,
        "destroyVirtualMachine",
        by_id(vm.id()),
        "virtualmachine",
    )
    .await?;
    destroyed["state"].should().equal("Destroyed");
    let recovered = ctx
        .client()
        .call(api("recoverVirtualMachine"))
        .params(by_id(vm.id()))
        .await?;
    recovered["virtualmachine"]["state"]
        .should()
        .equal("Stopped");
    let started = run(ctx, "startVirtualMachine", by_id(vm.id()), "virtualmachine").await?;
    started["state"].should().equal("Running");
    Ok(())
}

/// The service offering can change only while the VM is stopped (431
/// while running); the VM then has the new offering's CPU and memory.
pub async fn change_service_offering(ctx: &mut TestContext) -> Result<()> {
    let small = service_offering(ctx).await?;
    let bigger = create(
        ctx,
        &SERVICE_OFFERING,
        Params::new()
            .with("name", unique("so-bigger"))
            .with("displaytext", "Bigger")
            .with("cpunumber", small["cpunumber"].as_i64().unwrap_or(1))
            .with("cpuspeed", small["cpuspeed"].as_i64().unwrap_or(500))
            .with("memory", small["memory"].as_i64().unwrap_or(512) * 2),
    )
    .await?;
    let vm = deploy(ctx, Params::new()).await?;
    let change = || {
        ctx.client()
            .call(api("changeServiceForVirtualMachine"))
            .params(by_id(vm.id()).with("serviceofferingid", bigger.id()))
            .send()
    };
    change().await.should().fail_with(ErrorCode::ParamError);
    run(ctx, "stopVirtualMachine", by_id(vm.id()), "virtualmachine").await?;
    let changed = change().await?;
    changed["virtualmachine"]["serviceofferingid"]
        .should()
        .equal(bigger.id());
    changed["virtualmachine"]["memory"]
        .should()
        .equal(bigger["memory"].clone());
    Ok(())
}

/// A user's VM is invisible to another user, who cannot stop it (531).
pub async fn vms_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = user_account(ctx).await?;
    let other = user_account(ctx).await?;
    let as_owner = client_of(ctx, &owner).await?;
    let as_other = client_of(ctx, &other).await?;
    let vm = create_with(ctx, &as_owner, &VIRTUAL_MACHINE, vm_params(ctx).await?).await?;
    vm["account"]
        .should()
        .equal(owner["name"].as_str().unwrap_or_default());

    let mine = ids(&as_owner
        .list_all("listVirtualMachines", Params::new())
        .await?);
    mine.should().contain(vm.id().to_string());
    let theirs = ids(&as_other
        .list_all("listVirtualMachines", Params::new())
        .await?);
    theirs.should_not().contain(vm.id().to_string());
    as_other
        .call(api("stopVirtualMachine"))
        .params(by_id(vm.id()))
        .await
        .should()
        .be_err();
    let still = find(
        ctx.client(),
        "listVirtualMachines",
        vm.id(),
        Params::new().with("listall", true),
    )
    .await?
    .unwrap_or_default();
    still["state"].should().equal("Running");
    Ok(())
}

/// A user may destroy their VM but not expunge it (the job fails with
/// 530, a permission error) unless the admin allows it.
pub async fn users_cannot_expunge(ctx: &mut TestContext) -> Result<()> {
    let owner = user_account(ctx).await?;
    let as_owner = client_of(ctx, &owner).await?;
    let vm = create_with(ctx, &as_owner, &VIRTUAL_MACHINE, vm_params(ctx).await?).await?;
    as_owner
        .call(api("destroyVirtualMachine"))
        .params(by_id(vm.id()).with("expunge", true))
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    let destroyed = as_owner
        .call(api("destroyVirtualMachine"))
        .params(by_id(vm.id()))
        .await?;
    destroyed["virtualmachine"]["state"]
        .should()
        .equal("Destroyed");
    Ok(())
}

/// The admin cannot deploy for a disabled account (531).
pub async fn no_deploy_for_a_disabled_owner(ctx: &mut TestContext) -> Result<()> {
    let owner = create(ctx, &ACCOUNT, account_params(0)).await?;
    ctx.client()
        .call(api("disableAccount"))
        .params(by_id(owner.id()).with("lock", false))
        .await?;
    let params = vm_params(ctx)
        .await?
        .with("account", owner["name"].as_str().unwrap_or_default())
        .with("domainid", owner["domainid"].as_str().unwrap_or_default());
    ctx.client()
        .call(api("deployVirtualMachine"))
        .params(params)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    let owned = ctx
        .client()
        .list_all(
            "listVirtualMachines",
            Params::new()
                .with("account", owner["name"].as_str().unwrap_or_default())
                .with("domainid", owner["domainid"].as_str().unwrap_or_default()),
        )
        .await?;
    owned.should().be_empty();
    Ok(())
}

/// The display name of a VM can be changed; its host name stays.
pub async fn update_display_name(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let updated = ctx
        .client()
        .call(api("updateVirtualMachine"))
        .params(by_id(vm.id()).with("displayname", "Smoke display name"))
        .await?;
    updated["virtualmachine"]["displayname"]
        .should()
        .equal("Smoke display name");
    updated["virtualmachine"]["name"]
        .should()
        .equal(vm["name"].clone());
    let listed = find(ctx.client(), "listVirtualMachines", vm.id(), Params::new())
        .await?
        .unwrap_or_default();
    listed["displayname"].should().equal("Smoke display name");
    Ok(())
}
