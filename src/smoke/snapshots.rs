//! Snapshots: of volumes and of whole VMs.

use marvin_core::testing::TestContext;

use super::support::{SNAPSHOT, VM_SNAPSHOT, create, deploy, find, id_of, run};
use crate::prelude::*;

async fn root_volume(ctx: &TestContext, vm: &str) -> Result<String> {
    let volumes = ctx
        .client()
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
pub async fn volume_snapshot_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let root = root_volume(ctx, vm.id()).await?;
    let snapshot = create(ctx, &SNAPSHOT, Params::new().with("volumeid", &root)).await?;
    snapshot["state"].should().equal("BackedUp");
    snapshot["volumeid"].should().equal(root.as_str());
    snapshot["volumetype"].should().equal("ROOT");
    let listed = ctx
        .client()
        .list_all("listSnapshots", Params::new().with("volumeid", &root))
        .await?;
    listed
        .iter()
        .any(|s| s["id"] == snapshot.id())
        .should()
        .equal(true);

    let id = snapshot.id().to_string();
    snapshot.delete().await?;
    find(ctx.client(), "listSnapshots", &id, Params::new())
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
        .execute(
            "revertToVMSnapshot",
            Params::new().with("vmsnapshotid", snapshot.id()),
            true,
        )
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
