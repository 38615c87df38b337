//! The data centre: zones, pods, clusters, hosts, storage and public IP
//! ranges.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{POD, ZONE, create, find, id_of, ids, unique, user_account, zone};
use crate::prelude::*;

/// The enabled zone has pods, clusters and hosts that point at each other,
/// and its routing hosts are Up.
pub async fn topology_is_consistent(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let zone_id = id_of(&zone);
    let by_zone = || Params::new().with("zoneid", &zone_id);
    let pods = ctx.client().list_all("listPods", by_zone()).await?;
    pods.should_not().be_empty();
    let pod_ids = ids(&pods);
    let clusters = ctx.client().list_all("listClusters", by_zone()).await?;
    clusters.should_not().be_empty();
    for cluster in &clusters {
        pod_ids
            .should()
            .contain(cluster["podid"].as_str().unwrap_or_default().to_string());
    }
    let cluster_ids = ids(&clusters);
    let hosts = ctx
        .client()
        .list_all("listHosts", by_zone().with("type", "Routing"))
        .await?;
    hosts.should_not().be_empty();
    for host in &hosts {
        host["state"].should().equal("Up");
        host["zoneid"].should().equal(zone_id.as_str());
        cluster_ids
            .should()
            .contain(host["clusterid"].as_str().unwrap_or_default().to_string());
    }
    Ok(())
}

/// The zone has primary storage that is Up and a secondary (image) store.
pub async fn storage_is_up(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let zone_id = id_of(&zone);
    let pools = ctx
        .client()
        .list_all("listStoragePools", Params::new().with("zoneid", &zone_id))
        .await?;
    pools.should_not().be_empty();
    for pool in &pools {
        pool["state"].should().equal("Up");
    }
    let stores = ctx
        .client()
        .list_all("listImageStores", Params::new().with("zoneid", &zone_id))
        .await?;
    stores.should_not().be_empty();
    Ok(())
}

/// The zone has public IP ranges with a start and an end address.
pub async fn public_ip_ranges(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let ranges = ctx
        .client()
        .list_all(
            "listVlanIpRanges",
            Params::new().with("zoneid", id_of(&zone)),
        )
        .await?;
    ranges.should_not().be_empty();
    for range in &ranges {
        range["startip"].is_string().should().equal(true);
        range["endip"].is_string().should().equal(true);
    }
    Ok(())
}

/// A new zone starts Disabled and hidden from users; it cannot be deleted
/// while it has a pod (530), and can once the pod is gone.
pub async fn zone_and_pod_lifecycle(ctx: &mut TestContext) -> Result<()> {
    let new_zone = create(
        ctx,
        &ZONE,
        Params::new()
            .with("name", unique("zone"))
            .with("networktype", "Advanced")
            .with("dns1", "8.8.8.8")
            .with("internaldns1", "10.0.0.2")
            .with("guestcidraddress", "10.1.1.0/24"),
    )
    .await?;
    new_zone["allocationstate"].should().equal("Disabled");
    let account = user_account(ctx).await?;
    let as_user = super::support::client_of(ctx, &account).await?;
    let seen = ids(&as_user.list_all("listZones", Params::new()).await?);
    seen.should_not().contain(new_zone.id().to_string());

    let pod = create(
        ctx,
        &POD,
        Params::new()
            .with("zoneid", new_zone.id())
            .with("name", unique("pod"))
            .with("gateway", "192.168.50.1")
            .with("netmask", "255.255.255.0")
            .with("startip", "192.168.50.10")
            .with("endip", "192.168.50.20"),
    )
    .await?;
    pod["zoneid"].should().equal(new_zone.id());
    ctx.client()
        .call(api("deleteZone"))
        .params(Params::new().with("id", new_zone.id()))
        .await
        .should()
        .fail_with(ErrorCode::InternalError);

    pod.delete().await?;
    let id = new_zone.id().to_string();
    new_zone.delete().await?;
    find(ctx.client(), "listZones", &id, Params::new())
        .await?
        .should()
        .be_none();
    Ok(())
}
