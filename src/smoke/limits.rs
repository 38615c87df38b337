//! Resource limits and counts of accounts.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{VIRTUAL_MACHINE, client_of, create_with, find, user_account, vm_params};
use crate::prelude::*;

/// An account whose VM limit is 0 cannot deploy (535); with the limit
/// raised it can.
pub async fn vm_limit_blocks_deploy(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let limit = |max: i64| {
        ctx.client()
            .call(api("updateResourceLimit"))
            .params(
                Params::new()
                    .with("account", account["name"].as_str().unwrap_or_default())
                    .with("domainid", account["domainid"].as_str().unwrap_or_default())
                    .with("resourcetype", 0)
                    .with("max", max),
            )
            .send()
    };
    let updated = limit(0).await?;
    updated["resourcelimit"]["max"].should().equal(0);
    as_user
        .call(api("deployVirtualMachine"))
        .params(vm_params(ctx).await?)
        .await
        .should()
        .fail_with(ErrorCode::ResourceAllocation);

    limit(1).await?;
    let vm = create_with(ctx, &as_user, &VIRTUAL_MACHINE, vm_params(ctx).await?).await?;
    vm["state"].should().equal("Running");
    // The one VM allowed is used: the next is refused again.
    as_user
        .call(api("deployVirtualMachine"))
        .params(vm_params(ctx).await?)
        .await
        .should()
        .fail_with(ErrorCode::ResourceAllocation);
    Ok(())
}

/// An account's VM count follows its deployments.
pub async fn counts_follow_deployments(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let vm_total = || async {
        let listed = find(
            ctx.client(),
            "listAccounts",
            account.id(),
            Params::new().with("listall", true),
        )
        .await?
        .unwrap_or_default();
        Ok::<_, Error>(listed["vmtotal"].as_i64().unwrap_or(-1))
    };
    vm_total().await?.should().equal(0);
    let vm = create_with(ctx, &as_user, &VIRTUAL_MACHINE, vm_params(ctx).await?).await?;
    vm_total().await?.should().equal(1);
    vm.delete().await?;
    vm_total().await?.should().equal(0);
    Ok(())
}
