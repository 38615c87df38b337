//! Volumes: create, attach, detach, resize, delete, and their rules.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    DISK_OFFERING, VOLUME, create, deploy, disk_offering, find, id_of, run, unique, zone,
};
use crate::prelude::*;

async fn data_volume(
    ctx: &TestContext,
) -> Result<marvin_core::cleanup::Managed<super::support::Raw>> {
    let zone = zone(ctx).await?;
    let offering = disk_offering(ctx).await?;
    create(
        ctx,
        &VOLUME,
        Params::new()
            .with("name", unique("vol"))
            .with("zoneid", id_of(&zone))
            .with("diskofferingid", id_of(&offering)),
    )
    .await
}

fn attach(volume: &str, vm: &str) -> Params {
    Params::new()
        .with("id", volume)
        .with("virtualmachineid", vm)
}

/// A new data volume is Allocated; attached it becomes Ready on device 1;
/// detached it has no VM; deleted it is gone.
pub async fn create_attach_detach_delete(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let volume = data_volume(ctx).await?;
    volume["state"].should().equal("Allocated");
    volume["type"].should().equal("DATADISK");
    volume["virtualmachineid"].is_null().should().equal(true);

    let attached = run(ctx, "attachVolume", attach(volume.id(), vm.id()), "volume").await?;
    attached["virtualmachineid"].should().equal(vm.id());
    attached["deviceid"].should().equal(1);
    attached["state"].should().equal("Ready");

    let detached = run(
        ctx,
        "detachVolume",
        Params::new().with("id", volume.id()),
        "volume",
    )
    .await?;
    detached["virtualmachineid"].is_null().should().equal(true);
    detached["state"].should().equal("Ready");

    let id = volume.id().to_string();
    volume.delete().await?;
    find(ctx.client(), "listVolumes", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}

/// An attached volume cannot be deleted, and a ROOT volume cannot be
/// detached (431 both).
pub async fn attached_and_root_volumes_are_protected(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let volume = data_volume(ctx).await?;
    run(ctx, "attachVolume", attach(volume.id(), vm.id()), "volume").await?;
    ctx.client()
        .call(api("deleteVolume"))
        .params(Params::new().with("id", volume.id()))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);

    let root = ctx
        .client()
        .list_all(
            "listVolumes",
            Params::new()
                .with("virtualmachineid", vm.id())
                .with("type", "ROOT"),
        )
        .await?;
    root.should().have_length(1);
    ctx.client()
        .call(api("detachVolume"))
        .params(Params::new().with("id", id_of(&root[0])))
        .await
        .should()
        .be_err();
    Ok(())
}

/// A second data volume takes the next free device id; device 3 is kept
/// for the CD-ROM.
pub async fn device_ids_skip_the_cdrom(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let mut devices = Vec::new();
    let mut volumes = Vec::new();
    for _ in 0..3 {
        let volume = data_volume(ctx).await?;
        let attached = run(ctx, "attachVolume", attach(volume.id(), vm.id()), "volume").await?;
        devices.push(attached["deviceid"].as_i64().unwrap_or(-1));
        volumes.push(volume);
    }
    devices.should().equal(vec![1, 2, 4]);
    Ok(())
}

/// A volume made from a custom disk offering can be resized to a larger
/// size.
pub async fn resize_a_custom_volume(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let custom = create(
        ctx,
        &DISK_OFFERING,
        Params::new()
            .with("name", unique("do-custom"))
            .with("displaytext", "Custom size")
            .with("customized", true),
    )
    .await?;
    let volume = create(
        ctx,
        &VOLUME,
        Params::new()
            .with("name", unique("vol"))
            .with("zoneid", id_of(&zone))
            .with("diskofferingid", custom.id())
            .with("size", 2),
    )
    .await?;
    volume["size"].should().equal(2_i64 << 30);
    let resized = run(
        ctx,
        "resizeVolume",
        Params::new().with("id", volume.id()).with("size", 4),
        "volume",
    )
    .await?;
    resized["size"].should().equal(4_i64 << 30);
    Ok(())
}
