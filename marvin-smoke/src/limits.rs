//! Resource limits and resource counts of accounts.

use marvin::prelude::*;

/// The resource type of user VMs (`Resource.ResourceType.user_vm`).
const USER_VM: i64 = 0;
/// The resource type of projects (`Resource.ResourceType.project`).
const PROJECT: i64 = 5;

/// Sets `account`'s limit of `resourcetype` to `max`.
async fn limit(
    ctx: &TestContext,
    account: &Account,
    resourcetype: i64,
    max: i64,
) -> Result<ResourceLimit> {
    ResourceLimit::update(ctx.client())
        .resourcetype(resourcetype)
        .account(account.name.clone().unwrap_or_default())
        .domainid(account.domainid.clone().unwrap_or_default())
        .max(max)
        .await
}

/// `account`'s VM count as the admin lists it.
async fn vm_total(ctx: &TestContext, account: &Account) -> Result<Option<i64>> {
    Ok(account.refresh(ctx.client()).await?.vmtotal)
}

/// An account whose VM limit is 0 cannot deploy: 535
/// (`ResourceLimitManagerImpl.checkAccountResourceLimit`, wrapped by
/// `DeployVMCmd.create`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn a_vm_limit_of_zero_blocks_deployment(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let updated = limit(ctx, &account, USER_VM, 0).await?;
    updated.max.should().equal(Some(0));
    VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ResourceAllocation);
    Ok(())
}

/// A raised limit lets the account deploy up to it, and no further
/// (`ResourceLimitManagerImpl.checkAccountResourceLimit`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn a_vm_limit_of_one_allows_one_vm(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    limit(ctx, &account, USER_VM, 1).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await?;
    vm.state.as_deref().should().equal(Some("Running"));
    VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ResourceAllocation);
    Ok(())
}

/// An account's VM count follows its deployments and deletions
/// (`ResourceLimitManagerImpl.incrementResourceCount`/`decrementResourceCount`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn the_vm_count_follows_deployments(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    vm_total(ctx, &account).await?.should().equal(Some(0));
    let vm = VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await?;
    vm_total(ctx, &account).await?.should().equal(Some(1));
    vm.delete().await?;
    vm_total(ctx, &account).await?.should().equal(Some(0));
    Ok(())
}

/// A new account has the default VM limit of 20 (`Config`:
/// `max.account.user.vms`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn a_new_account_has_the_default_vm_limit(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let limits = ResourceLimit::list(ctx.client())
        .account(account.name.clone().unwrap_or_default())
        .domainid(account.domainid.clone().unwrap_or_default())
        .resourcetype(USER_VM)
        .await?;
    should!(limits).have_length(1);
    limits[0].max.should().equal(Some(20));
    Ok(())
}

/// A limit of -1 is unlimited and is listed as -1
/// (`ResourceLimitManagerImpl.updateResourceLimit`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn minus_one_is_unlimited(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let updated = limit(ctx, &account, PROJECT, -1).await?;
    updated.max.should().equal(Some(-1));
    let listed = ResourceLimit::list(ctx.client())
        .account(account.name.clone().unwrap_or_default())
        .domainid(account.domainid.clone().unwrap_or_default())
        .resourcetype(PROJECT)
        .await?;
    listed[0].max.should().equal(Some(-1));
    Ok(())
}

/// A user cannot raise its own limits: 432 (`UpdateResourceLimitCmd` is
/// authorized for admins only).
#[marvin::test(tags = ["smoke", "limits", "security"])]
async fn a_user_cannot_change_its_limits(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = Owner::of(&account).context(ctx).await?;
    ResourceLimit::update(as_user.client())
        .resourcetype(USER_VM)
        .account(account.name.clone().unwrap_or_default())
        .domainid(account.domainid.clone().unwrap_or_default())
        .max(100)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}

/// A user may read its own limits (`ListResourceLimitsCmd` is open to
/// every role).
#[marvin::test(tags = ["smoke", "limits"])]
async fn a_user_reads_its_own_limits(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    limit(ctx, &account, USER_VM, 7).await?;
    let as_user = Owner::of(&account).context(ctx).await?;
    let limits = ResourceLimit::list(as_user.client())
        .resourcetype(USER_VM)
        .await?;
    should!(limits).have_length(1);
    limits[0].max.should().equal(Some(7));
    Ok(())
}

/// Recounting an account's resources gives what it has
/// (`ResourceLimitManagerImpl.recalculateResourceCount`).
#[marvin::test(tags = ["smoke", "limits"])]
async fn a_recount_gives_what_the_account_has(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await?;
    let counts = ResourceCount::update(ctx.client())
        .domainid(account.domainid.clone().unwrap_or_default())
        .account(account.name.clone().unwrap_or_default())
        .resourcetype(USER_VM)
        .await?;
    counts.resourcecount.should().equal(Some(1));
    Ok(())
}

/// A project's limits can be set like an account's
/// (`ResourceLimitManagerImpl.updateResourceLimit` with `projectid`).
#[marvin::test(tags = ["smoke", "limits", "projects"])]
async fn a_projects_limit_is_set(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let updated = ResourceLimit::update(ctx.client())
        .resourcetype(USER_VM)
        .projectid(project.id.clone())
        .max(3)
        .await?;
    updated.max.should().equal(Some(3));
    updated.projectid.should().equal(Some(project.id.clone()));
    Ok(())
}
