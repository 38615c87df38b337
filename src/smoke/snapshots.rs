//! Snapshots: of volumes and of whole VMs.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    SNAPSHOT, VIRTUAL_MACHINE, VM_SNAPSHOT, client_of, create, create_with, deploy, find, id_of,
    run, user_account, vm_params,
};
use crate::prelude::*;

async fn root_volume(client: &Client, vm: &str) -> Result<String> {
    let volumes = client
        .list_all(
            "listVolumes",
            Params::new()
                .with("virtualmachineid", vm)
                .with("type", "ROOT"),
        )
        .await?;
    Ok(volumes.first().map(id_of).unwrap_or_default())
}

/// A snapshot of a ROOT volume ends BackedUp, is listed for the volume,
/// and is gone once deleted.
///
/// It runs as a user of an account of the test's own, which owns the VM,
/// its volume and the snapshot: a snapshot whose job failed can stay
/// `Allocated` (the simulator leaves it so), a state `deleteSnapshot`
/// refuses, and the account's deletion removes it whatever its state.
pub async fn volume_snapshot_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let owner = user_account(ctx).await?;
    let as_owner = client_of(ctx, &owner).await?;
    let vm = create_with(ctx, &as_owner, &VIRTUAL_MACHINE, vm_params(ctx).await?).await?;
    let root = root_volume(&as_owner, vm.id()).await?;
    let snapshot = create_with(
        ctx,
        &as_owner,
        &SNAPSHOT,
        Params::new().with("volumeid", &root),
    )
    .await?;
    snapshot["state"].should().equal("BackedUp");
    snapshot["volumeid"].should().equal(root.as_str());
    snapshot["volumetype"].should().equal("ROOT");
    snapshot["account"].should().equal(owner.text("name"));
    let listed = as_owner
        .list_all("listSnapshots", Params::new().with("volumeid", &root))
        .await?;
    listed
        .iter()
        .any(|s| s["id"] == snapshot.id())
        .should()
        .equal(true);

    let id = snapshot.id().to_string();
    snapshot.delete().await?;
    find(&as_owner, "listSnapshots", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// A VM snapshot is Ready, can be reverted to (with the VM stopped), and
/// deleted.
pub async fn vm_snapshot_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let snapshot = create(
        ctx,
        &VM_SNAPSHOT,
        Params::new()
            .with("virtualmachineid", vm.id())
            .with("name", "smoke-vmsnap"),
    )
    .await?;
    snapshot["state"].should().equal("Ready");
    snapshot["virtualmachineid"].should().equal(vm.id());

    run(
        ctx,
        "stopVirtualMachine",
        Params::new().with("id", vm.id()),
        "virtualmachine",
    )
    .await?;
    ctx.client()
        .call(api("revertToVMSnapshot"))
        .params(Params::new().with("vmsnapshotid", snapshot.id()))
        .await
        .should()
        .be_ok();
    let listed = ctx
        .client()
        .list_all(
            "listVMSnapshot",
            Params::new().with("virtualmachineid", vm.id()),
        )
        .await?;
    listed.len().should().equal(1);
    Ok(())
}
