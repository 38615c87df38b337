//! Affinity groups: their types, host anti-affinity placement, and the
//! groups of a VM.

use marvin::prelude::*;

/// A host anti-affinity group of the caller's, registered for cleanup.
async fn anti_affinity_group(ctx: &TestContext) -> Result<Managed<AffinityGroup>> {
    let group = AffinityGroup::create(ctx.client())
        .name(sequence("anti"))
        .type_("host anti-affinity")
        .description("Smoke anti-affinity")
        .managed_by(ctx)
        .await?;
    Ok(group)
}

/// The cloud offers host affinity and host anti-affinity groups
/// (`AffinityGroupServiceImpl.listAffinityGroupTypes`).
#[marvin::test(tags = ["smoke", "affinity"])]
async fn host_affinity_types_are_offered(ctx: &mut TestContext) -> Result<()> {
    let types: Vec<String> = AffinityGroup::list_types(ctx.client())
        .await?
        .into_iter()
        .filter_map(|t| t.type_)
        .collect();
    types.should().contain("host anti-affinity".to_string());
    types.should().contain("host affinity".to_string());
    Ok(())
}

/// A new group has its type and no VMs, and is listed by name
/// (`AffinityGroupServiceImpl.createAffinityGroup`).
#[marvin::test(tags = ["smoke", "affinity"])]
async fn a_new_group_has_no_vms(ctx: &mut TestContext) -> Result<()> {
    let group = anti_affinity_group(ctx).await?;
    group
        .type_
        .as_deref()
        .should()
        .equal(Some("host anti-affinity"));
    group.virtualmachineids.should().be_empty();
    let listed = AffinityGroup::list(ctx.client())
        .name(group.name.clone().unwrap_or_default())
        .await?;
    listed.should().have_length(1);
    Ok(())
}

/// A second group with the same name is refused: 431, "Unable to create
/// affinity group, a group with name .. already exists"
/// (`AffinityGroupServiceImpl.createAffinityGroup`).
#[marvin::test(tags = ["smoke", "affinity"])]
async fn a_group_name_is_unique(ctx: &mut TestContext) -> Result<()> {
    let group = anti_affinity_group(ctx).await?;
    AffinityGroup::create(ctx.client())
        .name(group.name.clone().unwrap_or_default())
        .type_("host anti-affinity")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An unknown group type is refused with 431, "No such affinity group
/// type is supported" (`AffinityGroupServiceImpl.createAffinityGroup`).
#[marvin::test(tags = ["smoke", "affinity"])]
async fn an_unknown_group_type_is_refused(ctx: &mut TestContext) -> Result<()> {
    AffinityGroup::create(ctx.client())
        .name(sequence("odd"))
        .type_("rack affinity")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// VMs of a host anti-affinity group run on different hosts and are its
/// members (`HostAntiAffinityProcessor.process`); skipped with fewer than
/// two hosts.
#[marvin::test(tags = ["smoke", "affinity", "vms"])]
async fn anti_affine_vms_run_on_different_hosts(ctx: &mut TestContext) -> Result<()> {
    let zone = TestZone::create(ctx).await?;
    let hosts = Host::list(ctx.client())
        .zoneid(&zone.id)
        .type_("Routing")
        .state("Up")
        .await?;
    if hosts.len() < 2 {
        ctx.skip("host anti-affinity needs at least two hosts in the zone");
    }
    let group = anti_affinity_group(ctx).await?;
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let members = vec![group.id.clone()];
    let vms = VirtualMachineFactory::new()
        .network(network.id.clone())
        .with_request(move |r| r.options.affinitygroupids = Some(members.clone()))
        .create_batch(ctx, 2)
        .await?;
    vms[0].hostid.should_not().equal(vms[1].hostid.clone());
    VirtualMachine::list(ctx.client())
        .affinitygroupid(&group.id)
        .await?
        .should()
        .have_length(2);
    Ok(())
}

/// The groups of a running VM do not change: 431, "make sure the virtual
/// machine is stopped" (`AffinityGroupServiceImpl.updateVMAffinityGroups`).
#[marvin::test(tags = ["smoke", "affinity", "vms"])]
async fn a_running_vm_keeps_its_groups(ctx: &mut TestContext) -> Result<()> {
    let group = anti_affinity_group(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.update_affinity_group(ctx.client())
        .affinitygroupids([group.id.clone()])
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A stopped VM joins a group: the VM names it, and the group lists the
/// VM (`AffinityGroupServiceImpl.updateVMAffinityGroups`).
#[marvin::test(tags = ["smoke", "affinity", "vms"])]
async fn a_stopped_vm_joins_a_group(ctx: &mut TestContext) -> Result<()> {
    let group = anti_affinity_group(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    let updated = vm
        .update_affinity_group(ctx.client())
        .affinitygroupids([group.id.clone()])
        .await?;
    updated
        .affinitygroup
        .iter()
        .map(|g| g.id.clone())
        .collect::<Vec<_>>()
        .should()
        .equal(vec![group.id.clone()]);
    AffinityGroup::list(ctx.client())
        .virtualmachineid(&vm.id)
        .await?
        .iter()
        .any(|g| g.id == group.id)
        .should()
        .equal(true);
    Ok(())
}

/// A deleted group is no longer listed
/// (`AffinityGroupServiceImpl.deleteAffinityGroup`).
#[marvin::test(tags = ["smoke", "affinity"])]
async fn a_deleted_group_is_gone(ctx: &mut TestContext) -> Result<()> {
    let group = anti_affinity_group(ctx).await?;
    let id = group.id.clone();
    group.delete().await?;
    AffinityGroup::list(ctx.client())
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}
