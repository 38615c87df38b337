//! Volumes: create, attach, detach, resize, delete, upload, extract and
//! migrate, and their refusals.

use marvin::prelude::*;

/// A disk offering whose size the volume request chooses.
async fn custom_disk_offering(ctx: &TestContext) -> Result<Managed<DiskOffering>> {
    let name = sequence("custom");
    let offering = DiskOffering::create(ctx.client())
        .name(&name)
        .displaytext(format!("Custom size {name}"))
        .customized(true)
        .managed_by(ctx)
        .await?;
    Ok(offering)
}

/// The ROOT volume of `vm`.
async fn root_of(ctx: &TestContext, vm: &VirtualMachine) -> Result<Volume> {
    let volumes = Volume::list(ctx.client())
        .virtualmachineid(&vm.id)
        .type_("ROOT")
        .await?;
    volumes
        .into_iter()
        .next()
        .ok_or_else(|| Error::setup(format!("VM {} has no ROOT volume", vm.id)))
}

/// A new data volume is an Allocated DATADISK on no VM
/// (`VolumeApiServiceImpl.allocVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_new_data_volume_is_allocated(ctx: &mut TestContext) -> Result<()> {
    let volume = VolumeFactory::create(ctx).await?;
    volume.state.as_deref().should().equal(Some("Allocated"));
    volume.type_.as_deref().should().equal(Some("DATADISK"));
    volume.virtualmachineid.should().be_none();
    Ok(())
}

/// An attached data volume is Ready on device 1; detached, it is on no VM
/// and still Ready (`VolumeApiServiceImpl.attachVolumeToVM`,
/// `detachVolumeFromVM`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_volume_is_attached_and_detached(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    let attached = volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    attached
        .virtualmachineid
        .should()
        .equal(Some(vm.id.clone()));
    attached.deviceid.should().equal(Some(1));
    attached.state.as_deref().should().equal(Some("Ready"));
    let detached = volume.detach(ctx.client()).await?;
    detached.virtualmachineid.should().be_none();
    detached.state.as_deref().should().equal(Some("Ready"));
    Ok(())
}

/// A deleted volume is no longer listed (`VolumeApiServiceImpl.deleteVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_deleted_volume_is_gone(ctx: &mut TestContext) -> Result<()> {
    let volume = VolumeFactory::create(ctx).await?;
    let id = volume.id.clone();
    volume.delete().await?;
    Volume::list(ctx.client()).id(id).await?.should().be_empty();
    Ok(())
}

/// An attached volume cannot be deleted: 431, "Please specify a volume
/// that is not attached to any VM" (`VolumeApiServiceImpl.deleteVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn an_attached_volume_is_not_deleted(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    Volume::delete(&volume, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    volume
        .refresh(ctx.client())
        .await?
        .virtualmachineid
        .should()
        .equal(Some(vm.id.clone()));
    Ok(())
}

/// The ROOT volume of a running VM cannot be detached: 431, "Root volume
/// detach can happen only when vm is in states: Stopped or Destroyed"
/// (`VolumeApiServiceImpl.detachVolumeFromVM`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn the_root_volume_of_a_running_vm_stays_attached(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let root = root_of(ctx, &vm).await?;
    root.detach(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// Data volumes take the free device ids from 1 up, skipping 3, which is
/// kept for the CD-ROM (`VolumeApiServiceImpl.getDeviceId`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn device_ids_skip_the_cdrom(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volumes = VolumeFactory::create_batch(ctx, 3).await?;
    let mut devices = Vec::new();
    for volume in &volumes {
        let attached = volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
        devices.push(attached.deviceid.unwrap_or(-1));
    }
    devices.should().equal(vec![1, 2, 4]);
    Ok(())
}

/// A device id that is taken is refused: the job fails with 530,
/// "deviceId <n> is used by vol" (a `RuntimeException` in
/// `VolumeApiServiceImpl.getDeviceId`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_taken_device_id_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let first = VolumeFactory::create(ctx).await?;
    let second = VolumeFactory::create(ctx).await?;
    first
        .attach(ctx.client())
        .virtualmachineid(&vm.id)
        .deviceid(1)
        .await?;
    second
        .attach(ctx.client())
        .virtualmachineid(&vm.id)
        .deviceid(1)
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    second
        .refresh(ctx.client())
        .await?
        .virtualmachineid
        .should()
        .be_none();
    Ok(())
}

/// A volume of a custom disk offering has the size asked for and grows
/// when resized (`VolumeApiServiceImpl.resizeVolume`).
#[marvin::test(tags = ["smoke", "volumes", "admin"])]
async fn a_custom_volume_is_resized(ctx: &mut TestContext) -> Result<()> {
    let custom = custom_disk_offering(ctx).await?;
    let volume = VolumeFactory::new()
        .diskoffering(custom.id.clone())
        .with_request(|r| r.options.size = Some(2))
        .create(ctx)
        .await?;
    volume.size.should().equal(Some(2_i64 << 30));
    let resized = volume.resize(ctx.client()).size(4).await?;
    resized.size.should().equal(Some(4_i64 << 30));
    Ok(())
}

/// Shrinking a volume without `shrinkok` is refused with 431, "would
/// shrink the volume" (`VolumeApiServiceImpl.resizeVolume`).
#[marvin::test(tags = ["smoke", "volumes", "admin"])]
async fn shrinking_needs_shrinkok(ctx: &mut TestContext) -> Result<()> {
    let custom = custom_disk_offering(ctx).await?;
    let volume = VolumeFactory::new()
        .diskoffering(custom.id.clone())
        .with_request(|r| r.options.size = Some(4))
        .create(ctx)
        .await?;
    volume
        .resize(ctx.client())
        .size(2)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    volume
        .refresh(ctx.client())
        .await?
        .size
        .should()
        .equal(Some(4_i64 << 30));
    Ok(())
}

/// Destroying a VM detaches its data volumes, which stay Ready
/// (`UserVmManagerImpl.destroyVm` detaches every DATADISK).
#[marvin::test(tags = ["smoke", "volumes", "vms"])]
async fn destroying_a_vm_detaches_its_data_volumes(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    vm.destroy(ctx.client()).expunge(true).await?;
    let left = volume.refresh(ctx.client()).await?;
    left.virtualmachineid.should().be_none();
    left.state.as_deref().should().equal(Some("Ready"));
    Ok(())
}

/// A volume uploaded from a URL belongs to the caller and ends Uploaded
/// (`VolumeApiServiceImpl.uploadVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_volume_is_uploaded_from_a_url(ctx: &mut TestContext) -> Result<()> {
    let zone = TestZone::create(ctx).await?;
    let name = sequence("upload");
    let volume = Volume::upload(ctx.client())
        .format("VHD")
        .name(&name)
        .url("http://images.example.com/smoke-disk.vhd")
        .zoneid(&zone.id)
        .managed_by(ctx)
        .await?;
    volume.name.as_deref().should().equal(Some(name.as_str()));
    let listed = volume.refresh(ctx.client()).await?;
    listed.state.as_deref().should().equal(Some("Uploaded"));
    Ok(())
}

/// A detached data volume that was created on storage is extracted: the
/// answer has a download URL (`VolumeApiServiceImpl.extractVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn a_detached_volume_is_extracted(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    volume.detach(ctx.client()).await?;
    let extracted = volume
        .extract(ctx.client())
        .mode("HTTP_DOWNLOAD")
        .zoneid(vm.zoneid.clone().unwrap_or_default())
        .await?;
    extracted.url.should().satisfy("is an http URL", |url| {
        url.as_deref().is_some_and(|u| u.starts_with("http"))
    });
    Ok(())
}

/// Extracting with an unknown mode is refused with 431, "Please specify a
/// valid extract Mode" (`VolumeApiServiceImpl.extractVolume`).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn an_unknown_extract_mode_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    volume.detach(ctx.client()).await?;
    volume
        .extract(ctx.client())
        .mode("CARRIER_PIGEON")
        .zoneid(vm.zoneid.clone().unwrap_or_default())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A volume migrates to another primary storage pool of its zone
/// (`VolumeApiServiceImpl.migrateVolume`); skipped with one pool.
#[marvin::test(tags = ["smoke", "volumes", "admin"])]
async fn a_volume_migrates_to_another_pool(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    let ready = volume.detach(ctx.client()).await?;
    let pools = StoragePool::list(ctx.client())
        .zoneid(vm.zoneid.clone().unwrap_or_default())
        .await?;
    let current = ready.storageid.clone().unwrap_or_default();
    let Some(target) = pools.iter().find(|p| p.id != current) else {
        ctx.skip("volume migration needs a second storage pool");
    };
    let migrated = volume.migrate(ctx.client()).storageid(&target.id).await?;
    migrated.storageid.should().equal(Some(target.id.clone()));
    Ok(())
}

/// A volume with delete protection is not deleted: 431, "has delete
/// protection enabled and cannot be deleted"
/// (`VolumeApiServiceImpl.validateDestroyVolume`, 4.20+).
#[marvin::test(tags = ["smoke", "volumes"])]
async fn delete_protection_keeps_a_volume(ctx: &mut TestContext) -> Result<()> {
    let volume = VolumeFactory::create(ctx).await?;
    crate::support::unprotect_at_cleanup::<commands::UpdateVolume, _>(ctx, &*volume);
    let protected = volume
        .update(ctx.client())
        .id(&volume.id)
        .deleteprotection(true)
        .await?;
    protected.deleteprotection.should().equal(Some(true));
    Volume::delete(&volume, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    volume
        .update(ctx.client())
        .id(&volume.id)
        .deleteprotection(false)
        .await?;
    let id = volume.id.clone();
    volume.delete().await?;
    Volume::list(ctx.client()).id(id).await?.should().be_empty();
    Ok(())
}
