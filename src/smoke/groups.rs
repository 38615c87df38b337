//! Affinity groups and instance groups.

use marvin_core::testing::TestContext;

use super::support::{AFFINITY_GROUP, INSTANCE_GROUP, create, deploy, unique, zone};
use crate::prelude::*;

/// VMs in a host anti-affinity group run on different hosts, and the
/// group lists both (skipped on a zone with fewer than two hosts).
pub async fn host_anti_affinity(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let hosts = ctx
        .client()
        .list_all(
            "listHosts",
            Params::new()
                .with("zoneid", super::support::id_of(&zone))
                .with("type", "Routing")
                .with("state", "Up"),
        )
        .await?;
    if hosts.len() < 2 {
        ctx.skip("host anti-affinity needs at least two hosts in the zone");
    }
    let group = create(
        ctx,
        &AFFINITY_GROUP,
        Params::new()
            .with("name", unique("anti"))
            .with("type", "host anti-affinity"),
    )
    .await?;
    group["type"].should().equal("host anti-affinity");
    let first = deploy(ctx, Params::new().with("affinitygroupids", group.id())).await?;
    let second = deploy(ctx, Params::new().with("affinitygroupids", group.id())).await?;
    (first["hostid"] != second["hostid"]).should().equal(true);
    let groups = ctx
        .client()
        .list_all("listAffinityGroups", Params::new().with("id", group.id()))
        .await?;
    groups[0]["virtualmachineIds"]
        .as_array()
        .or(groups[0]["virtualmachineids"].as_array())
        .map(Vec::len)
        .unwrap_or_default()
        .should()
        .equal(2);
    Ok(())
}

/// A VM deployed into an instance group is listed by the group; the group
/// is deleted afterwards.
pub async fn instance_group(ctx: &mut TestContext) -> Result<()> {
    let group = create(
        ctx,
        &INSTANCE_GROUP,
        Params::new().with("name", unique("grp")),
    )
    .await?;
    let vm = deploy(
        ctx,
        Params::new().with("group", group["name"].as_str().unwrap_or_default()),
    )
    .await?;
    vm["groupid"].should().equal(group.id());
    let members = ctx
        .client()
        .list_all(
            "listVirtualMachines",
            Params::new().with("groupid", group.id()),
        )
        .await?;
    super::support::ids(&members)
        .should()
        .equal(vec![vm.id().to_string()]);
    Ok(())
}
