//! Snapshots of volumes, snapshot policies, and snapshots of whole VMs.

use marvin::prelude::*;

/// A snapshot of a ROOT volume ends BackedUp, is MANUAL, and is listed for
/// its volume (`VolumeApiServiceImpl.takeSnapshot`).
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn a_root_volume_snapshot_is_backed_up(ctx: &mut TestContext) -> Result<()> {
    let root = RootVolume::create(ctx).await?;
    let snapshot = SnapshotFactory::new()
        .volume(root.id.clone())
        .create(ctx)
        .await?;
    snapshot.state.as_deref().should().equal(Some("BackedUp"));
    snapshot.volumeid.should().equal(Some(root.id.clone()));
    snapshot.volumetype.as_deref().should().equal(Some("ROOT"));
    snapshot
        .intervaltype
        .as_deref()
        .should()
        .equal(Some("MANUAL"));
    let listed = Snapshot::list(ctx.client()).volumeid(&root.id).await?;
    listed
        .iter()
        .any(|s| s.id == snapshot.id)
        .should()
        .equal(true);
    Ok(())
}

/// A user's snapshot belongs to the user's account
/// (`VolumeApiServiceImpl.allocSnapshot`).
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn a_users_snapshot_is_the_users(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let snapshot = SnapshotFactory::create(&as_owner).await?;
    snapshot.account.should().equal(owner.name.clone());
    let mine = Snapshot::list(as_owner.client()).await?;
    mine.iter()
        .any(|s| s.id == snapshot.id)
        .should()
        .equal(true);
    Ok(())
}

/// A deleted snapshot is no longer listed
/// (`SnapshotManagerImpl.deleteSnapshot`).
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn a_deleted_snapshot_is_gone(ctx: &mut TestContext) -> Result<()> {
    let snapshot = SnapshotFactory::create(ctx).await?;
    let id = snapshot.id.clone();
    snapshot.delete().await?;
    Snapshot::list(ctx.client())
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A volume that is not Ready (a new, Allocated data volume) cannot be
/// snapshotted: 431, "is not in Ready state"
/// (`VolumeApiServiceImpl.allocSnapshot`).
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn an_allocated_volume_is_not_snapshotted(ctx: &mut TestContext) -> Result<()> {
    let volume = VolumeFactory::create(ctx).await?;
    volume.state.as_deref().should().equal(Some("Allocated"));
    Snapshot::create(ctx.client())
        .volumeid(&volume.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Snapshot::list(ctx.client())
        .volumeid(&volume.id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A volume created from a snapshot is a new DATADISK of the snapshot's
/// size (`VolumeApiServiceImpl.allocVolume` with `snapshotid`).
#[marvin::test(tags = ["smoke", "snapshots", "volumes"])]
async fn a_volume_is_created_from_a_snapshot(ctx: &mut TestContext) -> Result<()> {
    let root = RootVolume::create(ctx).await?;
    let snapshot = SnapshotFactory::new()
        .volume(root.id.clone())
        .create(ctx)
        .await?;
    let name = sequence("fromsnap");
    let volume = VolumeFactory::new()
        .name(name.clone())
        .with_request({
            let snapshot = snapshot.id.clone();
            move |r| {
                r.options.snapshotid = Some(snapshot.clone());
                r.options.diskofferingid = None;
            }
        })
        .create(ctx)
        .await?;
    volume.name.as_deref().should().equal(Some(name.as_str()));
    volume.type_.as_deref().should().equal(Some("DATADISK"));
    volume.size.should().equal(root.size);
    Ok(())
}

/// A snapshot policy of a volume is listed for it and gone once deleted
/// (`SnapshotManagerImpl.createPolicy`, `deletePolicies`).
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn a_snapshot_policy_is_created_listed_and_deleted(ctx: &mut TestContext) -> Result<()> {
    let root = RootVolume::create(ctx).await?;
    let policy = SnapshotPolicy::create(ctx.client())
        .intervaltype("DAILY")
        .maxsnaps(3)
        .schedule("30:02")
        .timezone("UTC")
        .volumeid(&root.id)
        .managed_by(ctx)
        .await?;
    policy.volumeid.should().equal(Some(root.id.clone()));
    policy.maxsnaps.should().equal(Some(3));
    policy.schedule.as_deref().should().equal(Some("30:02"));
    let listed = SnapshotPolicy::list(ctx.client())
        .volumeid(&root.id)
        .await?;
    listed
        .iter()
        .map(|p| p.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![policy.id.clone()]);
    let id = policy.id.clone();
    policy.delete().await?;
    SnapshotPolicy::list(ctx.client())
        .volumeid(&root.id)
        .await?
        .iter()
        .any(|p| p.id == id)
        .should()
        .equal(false);
    Ok(())
}

/// A snapshot policy with an unknown interval type is refused with 431
/// (`SnapshotManagerImpl.createPolicy`: "Unsupported interval type").
#[marvin::test(tags = ["smoke", "snapshots"])]
async fn a_snapshot_policy_needs_a_known_interval(ctx: &mut TestContext) -> Result<()> {
    let root = RootVolume::create(ctx).await?;
    SnapshotPolicy::create(ctx.client())
        .intervaltype("FORTNIGHTLY")
        .maxsnaps(3)
        .schedule("30:02")
        .timezone("UTC")
        .volumeid(&root.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A VM snapshot is Ready and names its VM; the VM, stopped, reverts to
/// it; deleted, it is gone (`VMSnapshotManagerImpl.allocVMSnapshot`,
/// `revertToSnapshot`, `deleteVMSnapshot`).
#[marvin::test(tags = ["smoke", "snapshots", "vms"])]
async fn a_vm_snapshot_is_taken_reverted_to_and_deleted(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let name = sequence("vmsnap");
    let snapshot = VMSnapshot::create(ctx.client())
        .virtualmachineid(&vm.id)
        .name(&name)
        .managed_by(ctx)
        .await?;
    snapshot.state.as_deref().should().equal(Some("Ready"));
    snapshot
        .virtualmachineid
        .should()
        .equal(Some(vm.id.clone()));
    vm.stop(ctx.client()).await?;
    let reverted = snapshot.revert_to(ctx.client()).await?;
    reverted.id.should().equal(vm.id.clone());
    let listed = VMSnapshot::list(ctx.client())
        .virtualmachineid(&vm.id)
        .await?;
    listed.should().have_length(1);
    let id = snapshot.id.clone();
    snapshot.delete().await?;
    VMSnapshot::list(ctx.client())
        .vmsnapshotid(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A volume cannot be attached to a VM that has VM snapshots: 431,
/// "please specify a VM that does not have VM snapshots"
/// (`VolumeApiServiceImpl.attachVolumeToVM`).
#[marvin::test(tags = ["smoke", "snapshots", "volumes"])]
async fn no_attach_to_a_vm_with_vm_snapshots(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let snapshot = VMSnapshot::create(ctx.client())
        .virtualmachineid(&vm.id)
        .managed_by(ctx)
        .await?;
    let _snapshot = snapshot;
    let volume = VolumeFactory::create(ctx).await?;
    volume
        .attach(ctx.client())
        .virtualmachineid(&vm.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}
