//! Resource tags: added, found by key and value, shown on their resource,
//! and removed.

use marvin::prelude::*;

use crate::support::{client_of, unique};

/// The resource type of user VMs in tag calls (`ResourceObjectType.UserVm`).
const USER_VM: &str = "UserVm";

/// Tags `vm` with `key` = `value`.
async fn tag(client: &Client, vm: &VirtualMachine, key: &str, value: &str) -> Result<Success> {
    Tag::create(client)
        .resourceids([vm.id.clone()])
        .resourcetype(USER_VM)
        .tags([[("key", key), ("value", value)]])
        .await
}

/// The tags of `vm` with `key`.
async fn tags_of(client: &Client, vm: &VirtualMachine, key: &str) -> Result<Vec<Tag>> {
    Tag::list(client)
        .resourceid(vm.id.clone())
        .key(key)
        .listall(true)
        .await
}

/// A tag on a VM is listed with its value and type
/// (`TaggedResourceManagerImpl.createTags`).
#[marvin::test(tags = ["smoke", "tags"])]
async fn a_tag_on_a_vm_is_listed(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let key = unique("owner");
    tag(ctx.client(), &vm, &key, "smoke-team").await?;
    let tags = tags_of(ctx.client(), &vm, &key).await?;
    should!(tags).have_length(1);
    tags[0].value.as_deref().should().equal(Some("smoke-team"));
    tags[0]
        .resourcetype
        .as_deref()
        .should()
        .equal(Some(USER_VM));
    Ok(())
}

/// A VM shows its tags (`UserVmJoinDaoImpl`: the response's `tags`).
#[marvin::test(tags = ["smoke", "tags"])]
async fn a_vm_shows_its_tags(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let key = unique("shown");
    tag(ctx.client(), &vm, &key, "yes").await?;
    let fresh = vm.refresh(ctx.client()).await?;
    fresh
        .tags
        .iter()
        .any(|t| t.key.as_deref() == Some(key.as_str()))
        .should()
        .equal(true);
    Ok(())
}

/// VMs are found by a tag's key and value
/// (`QueryManagerImpl.searchForUserVMs` with `tags`).
#[marvin::test(tags = ["smoke", "tags"])]
async fn vms_are_found_by_tag(ctx: &mut TestContext) -> Result<()> {
    let tagged = VirtualMachineFactory::create(ctx).await?;
    VirtualMachineFactory::create(ctx).await?;
    let key = unique("find");
    tag(ctx.client(), &tagged, &key, "me").await?;
    let found: Vec<String> = VirtualMachine::list(ctx.client())
        .tags([[("key", key.as_str()), ("value", "me")]])
        .listall(true)
        .await?
        .into_iter()
        .map(|vm| vm.id)
        .collect();
    found.should().equal(vec![tagged.id.clone()]);
    Ok(())
}

/// A deleted tag is no longer listed (`TaggedResourceManagerImpl.deleteTags`).
#[marvin::test(tags = ["smoke", "tags"])]
async fn a_deleted_tag_is_gone(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let key = unique("gone");
    tag(ctx.client(), &vm, &key, "soon").await?;
    Tag::delete(ctx.client())
        .resourceids([vm.id.clone()])
        .resourcetype(USER_VM)
        .tags([[("key", key.as_str())]])
        .await?;
    tags_of(ctx.client(), &vm, &key).await?.should().be_empty();
    Ok(())
}

/// A second tag with the same key on a resource fails the job with 530
/// (`TaggedResourceManagerImpl.createTags` throws a
/// `CloudRuntimeException`: "tag <key> already on <type> with id <id>").
#[marvin::test(tags = ["smoke", "tags"])]
async fn a_duplicate_key_is_refused(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineFactory::create(ctx).await?;
    let key = unique("twice");
    tag(ctx.client(), &vm, &key, "one").await?;
    tag(ctx.client(), &vm, &key, "two")
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    Ok(())
}

/// A user cannot tag another account's VM: the permission error fails the
/// job with 530 (`TaggedResourceManagerImpl.createTags`, `checkAccess`;
/// `ApiAsyncJobDispatcher.runJob` reports it as 530).
#[marvin::test(tags = ["smoke", "tags", "security"])]
async fn a_user_cannot_tag_another_accounts_vm(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    let outsider = UserAccount::create(ctx).await?;
    let as_outsider = client_of(ctx, &outsider).await?;
    tag(&as_outsider, &vm, &unique("mine"), "no")
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    Ok(())
}

/// A user sees the tags of its own resources only
/// (`QueryManagerImpl.listTags`, `buildACLSearchParameters`).
#[marvin::test(tags = ["smoke", "tags", "security"])]
async fn a_user_sees_only_its_own_tags(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&owner)
        .create(ctx)
        .await?;
    let key = unique("private");
    tag(ctx.client(), &vm, &key, "x").await?;
    let as_owner = client_of(ctx, &owner).await?;
    tags_of(&as_owner, &vm, &key).await?.should().have_length(1);
    let outsider = UserAccount::create(ctx).await?;
    let as_outsider = client_of(ctx, &outsider).await?;
    tags_of(&as_outsider, &vm, &key).await?.should().be_empty();
    Ok(())
}

/// A network is tagged and its tag listed by resource type
/// (`TaggedResourceManagerImpl.createTags`, `ResourceObjectType.Network`).
#[marvin::test(tags = ["smoke", "tags", "network"])]
async fn a_network_is_tagged(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    let key = unique("net");
    Tag::create(ctx.client())
        .resourceids([network.id.clone()])
        .resourcetype("Network")
        .tags([[("key", key.as_str()), ("value", "tier-1")]])
        .await?;
    let tags = Tag::list(ctx.client())
        .resourcetype("Network")
        .key(key)
        .listall(true)
        .await?;
    should!(tags).have_length(1);
    tags[0].resourceid.should().equal(Some(network.id.clone()));
    tags[0].value.as_deref().should().equal(Some("tier-1"));
    Ok(())
}

/// One key on two VMs is listed once for each
/// (`QueryManagerImpl.listTags` by `key`).
#[marvin::test(tags = ["smoke", "tags"])]
async fn one_key_on_two_vms_is_listed_twice(ctx: &mut TestContext) -> Result<()> {
    let first = VirtualMachineFactory::create(ctx).await?;
    let second = VirtualMachineFactory::create(ctx).await?;
    let key = unique("shared");
    Tag::create(ctx.client())
        .resourceids([first.id.clone(), second.id.clone()])
        .resourcetype(USER_VM)
        .tags([[("key", key.as_str()), ("value", "both")]])
        .await?;
    let mut tagged: Vec<String> = Tag::list(ctx.client())
        .key(key)
        .listall(true)
        .await?
        .into_iter()
        .filter_map(|t| t.resourceid)
        .collect();
    tagged.sort();
    let mut expected = vec![first.id.clone(), second.id.clone()];
    expected.sort();
    tagged.should().equal(expected);
    Ok(())
}
