//! Virtual machines: deployment and life cycle (stop, start, reboot,
//! destroy, recover, expunge), offerings, migration, credentials, user
//! data, and isolation between accounts.

use marvin::prelude::*;

/// The state `vm` is in now, as the cloud lists it.
async fn state_of(ctx: &TestContext, vm: &VirtualMachine) -> Result<Option<String>> {
    Ok(vm.refresh(ctx.client()).await?.state)
}

/// A deployed VM runs with the offering and template it was given, on a
/// host, with one ROOT volume on device 0
/// (`UserVmManagerImpl.createVirtualMachine`, `startVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_deployed_vm_runs_with_its_offering_and_template(ctx: &mut TestContext) -> Result<()> {
    let offering = DefaultServiceOffering::create(ctx).await?;
    let template = DefaultBuiltInTemplate::create(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.state.as_deref().should().equal(Some("Running"));
    vm.serviceofferingid
        .should()
        .equal(Some(offering.id.clone()));
    vm.templateid.should().equal(Some(template.id.clone()));
    vm.hostid.should().be_some();
    let volumes = Volume::list(ctx.client()).virtualmachineid(&vm.id).await?;
    volumes.should().have_length(1);
    volumes[0].type_.as_deref().should().equal(Some("ROOT"));
    volumes[0].deviceid.should().equal(Some(0));
    Ok(())
}

/// A VM deployed with `startvm=false` stays Stopped, with no host
/// (`UserVmManagerImpl.startVirtualMachine` is not called).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_vm_deployed_without_starting_is_stopped(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::new()
        .with_request(|r| r.options.startvm = Some(false))
        .create(ctx)
        .await?;
    vm.state.as_deref().should().equal(Some("Stopped"));
    let started = vm.start(ctx.client()).await?;
    started.state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// A stopped VM is Stopped and starts Running again
/// (`VirtualMachineManagerImpl.advanceStop`, `advanceStart`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_stopped_vm_starts_again(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let stopped = vm.stop(ctx.client()).await?;
    stopped.state.as_deref().should().equal(Some("Stopped"));
    state_of(ctx, &vm)
        .await?
        .should()
        .equal(Some("Stopped".to_string()));
    let started = vm.start(ctx.client()).await?;
    started.state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// Starting a running VM is refused with 431, "is already running"
/// (`UserVmManagerImpl.startVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn starting_a_running_vm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.start(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    state_of(ctx, &vm)
        .await?
        .should()
        .equal(Some("Running".to_string()));
    Ok(())
}

/// Stopping a VM that is already stopped succeeds and leaves it Stopped
/// (`VirtualMachineManagerImpl.advanceStop` returns at once).
#[marvin::test(tags = ["smoke", "vms"])]
async fn stopping_a_stopped_vm_succeeds(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    let again = vm.stop(ctx.client()).forced(true).await?;
    again.state.as_deref().should().equal(Some("Stopped"));
    Ok(())
}

/// A running VM reboots and is Running afterwards
/// (`UserVmManagerImpl.rebootVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_running_vm_reboots(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let rebooted = vm.reboot(ctx.client()).await?;
    rebooted.state.as_deref().should().equal(Some("Running"));
    rebooted.id.should().equal(vm.id.clone());
    Ok(())
}

/// Rebooting a stopped VM is refused with 431, "is not running, unable to
/// reboot it" (`UserVmManagerImpl.rebootVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn rebooting_a_stopped_vm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    vm.reboot(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A VM destroyed without expunge is Destroyed, is recovered Stopped, and
/// starts again (`UserVmManagerImpl.destroyVm`, `recoverVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_destroyed_vm_is_recovered_stopped(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let destroyed = vm.destroy(ctx.client()).await?;
    destroyed.state.as_deref().should().equal(Some("Destroyed"));
    let recovered = vm.recover(ctx.client()).await?;
    recovered.state.as_deref().should().equal(Some("Stopped"));
    let started = vm.start(ctx.client()).await?;
    started.state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// Recovering a VM that is not Destroyed is refused with 431, "is not in
/// the right state" (`UserVmManagerImpl.recoverVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn recovering_a_running_vm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.recover(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A VM destroyed with expunge is no longer listed, even with `listall`
/// (`UserVmManagerImpl.destroyVm` then `expunge`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_vm_destroyed_with_expunge_is_gone(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.destroy(ctx.client()).expunge(true).await?;
    VirtualMachine::list(ctx.client())
        .id(&vm.id)
        .listall(true)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A destroyed VM can then be expunged, and is gone
/// (`UserVmManagerImpl.expungeVm`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_destroyed_vm_is_expunged(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.destroy(ctx.client()).await?;
    vm.expunge(ctx.client()).await?.success.should().equal(true);
    VirtualMachine::list(ctx.client())
        .id(&vm.id)
        .listall(true)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// Expunging a VM that was not destroyed fails its job with 530, "Please
/// destroy vm with specified vmId before expunge"
/// (`UserVmManagerImpl.expungeVm`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn expunging_a_running_vm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.expunge(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    state_of(ctx, &vm)
        .await?
        .should()
        .equal(Some("Running".to_string()));
    Ok(())
}

/// The compute offering changes only while the VM is stopped (431 while
/// running); the VM then has the new offering's memory
/// (`UserVmManagerImpl.upgradeVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms", "admin"])]
async fn changing_the_offering_needs_a_stopped_vm(ctx: &mut TestContext) -> Result<()> {
    let bigger = SmallServiceOffering::new().memory(1024).create(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.change_service(ctx.client())
        .serviceofferingid(&bigger.id)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    vm.stop(ctx.client()).await?;
    let changed = vm
        .change_service(ctx.client())
        .serviceofferingid(&bigger.id)
        .await?;
    changed
        .serviceofferingid
        .should()
        .equal(Some(bigger.id.clone()));
    changed.memory.should().equal(Some(1024));
    Ok(())
}

/// Scaling a stopped VM takes the same path as changing its offering: the
/// VM has the new offering (`UserVmManagerImpl.upgradeStoppedVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms", "admin"])]
async fn scaling_a_stopped_vm_changes_its_offering(ctx: &mut TestContext) -> Result<()> {
    let bigger = SmallServiceOffering::new()
        .cpunumber(2)
        .memory(2048)
        .create(ctx)
        .await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    let scaled = vm.scale(ctx.client()).serviceofferingid(&bigger.id).await?;
    vm.refresh(ctx.client())
        .await?
        .serviceofferingid
        .should()
        .equal(Some(bigger.id.clone()));
    scaled
        .serviceofferingid
        .should()
        .equal(Some(bigger.id.clone()));
    scaled.cpunumber.should().equal(Some(2));
    Ok(())
}

/// Migrating a stopped VM to a host is refused with 431, "VM is not
/// Running, unable to migrate" (`UserVmManagerImpl.migrateVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms", "admin"])]
async fn migrating_a_stopped_vm_to_a_host_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let host = vm.hostid.clone().unwrap_or_default();
    vm.stop(ctx.client()).await?;
    vm.migrate(ctx.client())
        .hostid(host)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A running VM migrates to another host of its cluster and keeps running
/// there (`UserVmManagerImpl.migrateVirtualMachine`); skipped with fewer
/// than two hosts.
#[marvin::test(tags = ["smoke", "vms", "admin"])]
async fn a_running_vm_migrates_to_another_host(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let current = vm.hostid.clone().unwrap_or_default();
    let hosts = Host::list(ctx.client())
        .zoneid(vm.zoneid.clone().unwrap_or_default())
        .type_("Routing")
        .state("Up")
        .await?;
    let Some(target) = hosts.iter().find(|h| h.id != current) else {
        ctx.skip("migration needs a second host in the zone");
    };
    let migrated = vm.migrate(ctx.client()).hostid(&target.id).await?;
    migrated.hostid.should().equal(Some(target.id.clone()));
    migrated.state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// Resetting the password of a VM whose template is not password-enabled
/// is refused with 431 (`UserVmManagerImpl.resetVMPassword`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn no_password_reset_without_a_password_template(ctx: &mut TestContext) -> Result<()> {
    let template = DefaultBuiltInTemplate::create(ctx).await?;
    if template.passwordenabled == Some(true) {
        ctx.skip("the built-in template is password-enabled");
    }
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    vm.reset_password(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A stopped VM's SSH key pair is replaced by another; the VM then names
/// the new pair (`UserVmManagerImpl.resetVMSSHKey`).
#[marvin::test(tags = ["smoke", "vms", "keypairs"])]
async fn the_ssh_key_of_a_stopped_vm_is_reset(ctx: &mut TestContext) -> Result<()> {
    let first = SshKeyPair::create(ctx).await?;
    let second = SshKeyPair::create(ctx).await?;
    let first_name = first.name.clone().unwrap_or_default();
    let second_name = second.name.clone().unwrap_or_default();
    let deploy_with = vec![first_name.clone()];
    let vm = VirtualMachineFactory::new()
        .with_request(move |r| r.options.keypairs = Some(deploy_with.clone()))
        .create(ctx)
        .await?;
    vm.keypairs
        .clone()
        .unwrap_or_default()
        .should()
        .contain(first_name.as_str());
    vm.stop(ctx.client()).await?;
    let reset = vm
        .reset_ssh_key(ctx.client())
        .keypairs([second_name.clone()])
        .await?;
    let named = reset.keypairs.clone().unwrap_or_default();
    named.should().contain(second_name.as_str());
    named.should_not().contain(first_name.as_str());
    Ok(())
}

/// Resetting the SSH key of a running VM is refused with 431, "should be
/// stopped" (`UserVmManagerImpl.resetVMSSHKey`).
#[marvin::test(tags = ["smoke", "vms", "keypairs"])]
async fn resetting_the_ssh_key_of_a_running_vm_is_refused(ctx: &mut TestContext) -> Result<()> {
    let pair = SshKeyPair::create(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.reset_ssh_key(ctx.client())
        .keypairs([pair.name.clone().unwrap_or_default()])
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// The display name of a VM changes; its host name stays
/// (`UserVmManagerImpl.updateVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn the_display_name_changes_and_the_host_name_stays(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let updated = vm
        .update(ctx.client())
        .displayname("Smoke display name")
        .await?;
    updated
        .displayname
        .as_deref()
        .should()
        .equal(Some("Smoke display name"));
    updated.name.should().equal(vm.name.clone());
    let listed = vm.refresh(ctx.client()).await?;
    listed
        .displayname
        .as_deref()
        .should()
        .equal(Some("Smoke display name"));
    Ok(())
}

/// The user data a VM was deployed with is given back by
/// getVirtualMachineUserData (`UserVmManagerImpl.getVmUserData`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn user_data_given_at_deploy_is_read_back(ctx: &mut TestContext) -> Result<()> {
    // "#cloud-config\nruncmd: [echo smoke]\n", base64.
    let userdata = "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtlY2hvIHNtb2tlXQo=";
    let vm = VirtualMachineFactory::new()
        .with_request(|r| r.options.userdata = Some(userdata.to_string()))
        .create(ctx)
        .await?;
    let read = vm.get_user_data(ctx.client()).await?;
    read.userdata.as_deref().should().equal(Some(userdata));
    read.virtualmachineid.should().equal(Some(vm.id.clone()));
    Ok(())
}

/// User data changed on a stopped VM replaces the old one
/// (`UserVmManagerImpl.updateVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn user_data_is_updated_on_a_stopped_vm(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    // "#!/bin/sh\necho updated\n", base64.
    let userdata = "IyEvYmluL3NoCmVjaG8gdXBkYXRlZAo=";
    vm.update(ctx.client()).userdata(userdata).await?;
    let read = vm.get_user_data(ctx.client()).await?;
    read.userdata.as_deref().should().equal(Some(userdata));
    Ok(())
}

/// Listing VMs by state gives only the VMs in that state
/// (`QueryManagerImpl.searchForUserVMs`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn vms_are_listed_by_state(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let running = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    let stopped = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    stopped.stop(ctx.client()).await?;
    let ids = |vms: Vec<VirtualMachine>| vms.into_iter().map(|vm| vm.id).collect::<Vec<_>>();
    let listed_running = ids(VirtualMachine::list(ctx.client())
        .networkid(&network.id)
        .state("Running")
        .await?);
    listed_running.should().equal(vec![running.id.clone()]);
    let listed_stopped = ids(VirtualMachine::list(ctx.client())
        .networkid(&network.id)
        .state("Stopped")
        .await?);
    listed_stopped.should().equal(vec![stopped.id.clone()]);
    Ok(())
}

/// A user's VM is invisible to another user, who cannot stop it (531)
/// (`AccountManagerImpl.checkAccess`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn vms_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    vm.account.should().equal(owner.name.clone());
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    let mine = VirtualMachine::list(as_owner.client()).await?;
    mine.iter().any(|v| v.id == vm.id).should().equal(true);
    let theirs = VirtualMachine::list(as_other.client()).await?;
    theirs.iter().any(|v| v.id == vm.id).should().equal(false);
    vm.stop(as_other.client())
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    state_of(ctx, &vm)
        .await?
        .should()
        .equal(Some("Running".to_string()));
    Ok(())
}

/// A user may destroy their VM but not expunge it: the job fails with
/// 530, "Account does not have permission for expunging"
/// (`UserVmManagerImpl.checkExpungeVmPermission`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn users_cannot_expunge_their_vms(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    vm.destroy(as_owner.client())
        .expunge(true)
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    let destroyed = vm.destroy(as_owner.client()).await?;
    destroyed.state.as_deref().should().equal(Some("Destroyed"));
    Ok(())
}

/// The admin cannot deploy for a disabled account: 531, "The owner of vm
/// to deploy is disabled" (`UserVmManagerImpl.createVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms", "admin"])]
async fn no_deploy_for_a_disabled_owner(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let network = GuestIsolatedNetwork::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    owner.disable(ctx.client()).lock(false).await?;
    let zone = TestZone::create(ctx).await?;
    let template = DefaultBuiltInTemplate::create(ctx).await?;
    let offering = DefaultServiceOffering::create(ctx).await?;
    VirtualMachine::create(ctx.client())
        .serviceofferingid(&offering.id)
        .templateid(&template.id)
        .zoneid(&zone.id)
        .networkids([network.id.clone()])
        .account(owner.name.clone().unwrap_or_default())
        .domainid(owner.domainid.clone().unwrap_or_default())
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    VirtualMachine::list(ctx.client())
        .account(owner.name.clone().unwrap_or_default())
        .domainid(owner.domainid.clone().unwrap_or_default())
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A restored VM gets a fresh ROOT volume from its template and keeps
/// running (`UserVmManagerImpl.restoreVMInternal`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_restored_vm_gets_a_fresh_root_volume(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let before = Volume::list(ctx.client())
        .virtualmachineid(&vm.id)
        .type_("ROOT")
        .await?;
    before.should().have_length(1);
    let restored = vm.restore(ctx.client()).await?;
    restored.state.as_deref().should().equal(Some("Running"));
    restored.templateid.should().equal(vm.templateid.clone());
    let after = Volume::list(ctx.client())
        .virtualmachineid(&vm.id)
        .type_("ROOT")
        .await?;
    after.should().have_length(1);
    after[0].id.should_not().equal(before[0].id.clone());
    Ok(())
}

/// A second VM with a host name already used in the network is refused:
/// 431, "already exists in the network domain"
/// (`UserVmManagerImpl.createVirtualMachine`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_host_name_is_unique_in_its_network(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let first = VirtualMachineFactory::new()
        .network(network.id.clone())
        .create(ctx)
        .await?;
    VirtualMachineFactory::new()
        .network(network.id.clone())
        .name(first.name.clone().unwrap_or_default())
        .create(ctx)
        .await
        .map(|vm| vm.id.clone())
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A ROOT disk size given at deploy is the ROOT volume's size, in GiB
/// (`UserVmManagerImpl.configureCustomRootDiskSize`).
#[marvin::test(tags = ["smoke", "vms", "volumes"])]
async fn the_root_disk_size_is_overridden_at_deploy(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::new()
        .with_request(|r| r.options.rootdisksize = Some(40))
        .create(ctx)
        .await?;
    let root = Volume::list(ctx.client())
        .virtualmachineid(&vm.id)
        .type_("ROOT")
        .await?;
    root.should().have_length(1);
    root[0].size.should().equal(Some(40_i64 << 30));
    Ok(())
}

/// A ROOT disk size of zero is refused with 431, "Root disk size should be
/// a positive number" (`UserVmManagerImpl.configureCustomRootDiskSize`).
#[marvin::test(tags = ["smoke", "vms", "volumes"])]
async fn a_zero_root_disk_size_is_refused(ctx: &mut TestContext) -> Result<()> {
    VirtualMachineFactory::new()
        .with_request(|r| r.options.rootdisksize = Some(0))
        .create(ctx)
        .await
        .map(|vm| vm.id.clone())
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// Destroying a VM with `volumeids` deletes those data volumes with it
/// (`UserVmManagerImpl.destroyVm`).
#[marvin::test(tags = ["smoke", "vms", "volumes"])]
async fn destroying_with_volumeids_deletes_those_volumes(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let volume = VolumeFactory::create(ctx).await?;
    volume.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    vm.destroy(ctx.client())
        .expunge(true)
        .volumeids([volume.id.clone()])
        .await?;
    let left = Volume::list(ctx.client()).id(&volume.id).await?;
    left.iter()
        .all(|v| v.state.as_deref() != Some("Ready"))
        .should()
        .equal(true);
    Ok(())
}

/// A VM with delete protection is not destroyed: 431, "has delete
/// protection enabled and cannot be deleted"; without it, it is
/// (`UserVmManagerImpl.destroyVm`, 4.20+).
#[marvin::test(tags = ["smoke", "vms"])]
async fn delete_protection_keeps_a_vm(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    crate::support::unprotect_at_cleanup::<commands::UpdateVirtualMachine, _>(ctx, &*vm);
    let protected = vm.update(ctx.client()).deleteprotection(true).await?;
    protected.deleteprotection.should().equal(Some(true));
    vm.destroy(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    state_of(ctx, &vm)
        .await?
        .should()
        .equal(Some("Running".to_string()));
    vm.update(ctx.client()).deleteprotection(false).await?;
    vm.destroy(ctx.client())
        .await?
        .state
        .as_deref()
        .should()
        .equal(Some("Destroyed"));
    Ok(())
}

/// A VM deployed into an instance group names the group, and the group's
/// listing gives the VM (`UserVmManagerImpl.addInstanceToGroup`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn a_vm_joins_an_instance_group(ctx: &mut TestContext) -> Result<()> {
    let group = InstanceGroup::create(ctx.client())
        .name(sequence("grp"))
        .managed_by(ctx)
        .await?;
    let name = group.name.clone().unwrap_or_default();
    let vm = VirtualMachineFactory::new()
        .with_request(move |r| r.options.group = Some(name.clone()))
        .create(ctx)
        .await?;
    vm.groupid.should().equal(Some(group.id.clone()));
    VirtualMachine::list(ctx.client())
        .groupid(&group.id)
        .await?
        .iter()
        .map(|v| v.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![vm.id.clone()]);
    Ok(())
}

/// An instance group is renamed (`UserVmManagerImpl.updateVmGroup`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn an_instance_group_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let group = InstanceGroup::create(ctx.client())
        .name(sequence("grp"))
        .managed_by(ctx)
        .await?;
    let name = sequence("renamed");
    let renamed = group.update(ctx.client()).name(&name).await?;
    renamed.name.as_deref().should().equal(Some(name.as_str()));
    Ok(())
}

/// A VM of a password-enabled template gets a password at deploy, and a
/// new one when its password is reset while it is stopped
/// (`UserVmManagerImpl.resetVMPassword`).
#[marvin::test(tags = ["smoke", "vms"])]
async fn the_password_of_a_stopped_vm_is_reset(ctx: &mut TestContext) -> Result<()> {
    let builtin = DefaultBuiltInTemplate::create(ctx).await?;
    let zone = TestZone::create(ctx).await?;
    let template = Template::create(ctx.client())
        .displaytext("Password-enabled smoke template")
        .format(builtin.format.clone().unwrap_or_else(|| "VHD".into()))
        .hypervisor(
            builtin
                .hypervisor
                .clone()
                .unwrap_or_else(|| "Simulator".into()),
        )
        .name(sequence("pwtpl"))
        .url("http://images.example.com/smoke-password.vhd.bz2")
        .zoneid(&zone.id)
        .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
        .passwordenabled(true)
        .managed_by(ctx)
        .await?;
    template.passwordenabled.should().equal(Some(true));
    let vm = VirtualMachineFactory::new()
        .template(template.id.clone())
        .create(ctx)
        .await?;
    let first = vm.password.as_ref().map(|p| p.expose().to_string());
    first
        .is_some()
        .should()
        .named("a password at deploy")
        .equal(true);
    vm.stop(ctx.client()).await?;
    let reset = vm.reset_password(ctx.client()).await?;
    let second = reset.password.as_ref().map(|p| p.expose().to_string());
    second
        .is_some()
        .should()
        .named("a password after the reset")
        .equal(true);
    (first != second)
        .should()
        .named("the reset password differs from the first")
        .equal(true);
    Ok(())
}
