//! Resource tags: added to a VM, found by key and value, removed.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{deploy, find, unique};
use crate::prelude::*;

fn tag_params(vm: &str, key: &str, value: Option<&str>) -> Params {
    let mut params = Params::new()
        .with("resourceids", vm)
        .with("resourcetype", "UserVm");
    match value {
        Some(value) => params.set_map("tags", [[("key", key), ("value", value)]]),
        None => params.set_map("tags", [[("key", key)]]),
    };
    params
}

/// A tag added to a VM is listed for it, shown on the VM, found by key and
/// value, and gone once deleted.
pub async fn tag_a_vm(ctx: &mut TestContext) -> Result<()> {
    let vm = deploy(ctx, Params::new()).await?;
    let key = unique("owner");
    ctx.client()
        .call(api("createTags"))
        .params(tag_params(vm.id(), &key, Some("smoke-team")))
        .await?;

    let tags = ctx
        .client()
        .list_all(
            "listTags",
            Params::new().with("resourceid", vm.id()).with("key", &key),
        )
        .await?;
    tags.len().should().equal(1);
    tags[0]["value"].should().equal("smoke-team");
    tags[0]["resourcetype"].should().equal("UserVm");

    let listed = find(ctx.client(), "listVirtualMachines", vm.id(), Params::new())
        .await?
        .unwrap_or_default();
    listed["tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["key"] == key.as_str()))
        .should()
        .equal(true);

    let mut by_tag = Params::new();
    by_tag.set_map("tags", [[("key", key.as_str()), ("value", "smoke-team")]]);
    let found = ctx.client().list_all("listVirtualMachines", by_tag).await?;
    super::support::ids(&found)
        .should()
        .equal(vec![vm.id().to_string()]);

    ctx.client()
        .call(api("deleteTags"))
        .params(tag_params(vm.id(), &key, None))
        .await?;
    ctx.client()
        .list_all(
            "listTags",
            Params::new().with("resourceid", vm.id()).with("key", &key),
        )
        .await?
        .should()
        .be_empty();
    Ok(())
}
