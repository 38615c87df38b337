//! Zones, pods, clusters, hosts and storage, as the root admin.

use marvin::prelude::*;

use crate::support::client_of;

/// The zone the tests run in.
async fn zone(ctx: &TestContext) -> Result<Zone> {
    let zone = TestZone::create(ctx).await?;
    Ok((*zone).clone())
}

/// The zone's pods, clusters and hosts point at each other, and its routing
/// hosts are Up (`ResourceManagerImpl`, `QueryManagerImpl.searchForServers`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn the_topology_is_consistent(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let pods = Pod::list(ctx.client()).zoneid(zone.id.clone()).await?;
    pods.should_not().be_empty();
    let pod_ids: Vec<String> = pods.iter().map(|p| p.id.clone()).collect();
    let clusters = Cluster::list(ctx.client()).zoneid(zone.id.clone()).await?;
    clusters.should_not().be_empty();
    for cluster in &clusters {
        pod_ids
            .should()
            .contain(cluster.podid.clone().unwrap_or_default());
    }
    let cluster_ids: Vec<String> = clusters.iter().map(|c| c.id.clone()).collect();
    let hosts = Host::list(ctx.client())
        .zoneid(zone.id.clone())
        .type_("Routing")
        .await?;
    hosts.should_not().be_empty();
    for host in &hosts {
        host.state.as_deref().should().equal(Some("Up"));
        host.zoneid.should().equal(Some(zone.id.clone()));
        cluster_ids
            .should()
            .contain(host.clusterid.clone().unwrap_or_default());
    }
    Ok(())
}

/// The zone has primary storage that is Up
/// (`QueryManagerImpl.searchForStoragePools`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn primary_storage_is_up(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let pools = StoragePool::list(ctx.client())
        .zoneid(zone.id.clone())
        .await?;
    pools.should_not().be_empty();
    for pool in &pools {
        pool.state.as_deref().should().equal(Some("Up"));
    }
    Ok(())
}

/// The zone has a secondary (image) store
/// (`QueryManagerImpl.searchForImageStores`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn the_zone_has_an_image_store(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let stores = ImageStore::list(ctx.client())
        .zoneid(zone.id.clone())
        .await?;
    stores.should_not().be_empty();
    Ok(())
}

/// The zone has public IP ranges with a start and an end
/// (`ConfigurationManagerImpl.searchForVlans`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn the_zone_has_public_ip_ranges(ctx: &mut TestContext) -> Result<()> {
    let zone = zone(ctx).await?;
    let ranges = VlanIpRange::list(ctx.client())
        .zoneid(zone.id.clone())
        .await?;
    ranges.should_not().be_empty();
    for range in &ranges {
        range.startip.should_not().be_none();
        range.endip.should_not().be_none();
    }
    Ok(())
}

/// A new zone starts Disabled (`ConfigurationManagerImpl.createZone`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn a_new_zone_starts_disabled(ctx: &mut TestContext) -> Result<()> {
    let new_zone = AdvancedZone::create(ctx).await?;
    new_zone
        .allocationstate
        .as_deref()
        .should()
        .equal(Some("Disabled"));
    Ok(())
}

/// A disabled zone is hidden from users (`QueryManagerImpl.listDataCenters`
/// lists only Enabled zones to non-admins).
#[marvin::test(tags = ["smoke", "infrastructure", "security"])]
async fn a_disabled_zone_is_hidden_from_users(ctx: &mut TestContext) -> Result<()> {
    let new_zone = AdvancedZone::create(ctx).await?;
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let seen: Vec<String> = Zone::list(&as_user)
        .await?
        .into_iter()
        .map(|z| z.id)
        .collect();
    seen.should_not().contain(new_zone.id.clone());
    Ok(())
}

/// A zone without a physical network for management traffic cannot be
/// enabled: 431 (`ConfigurationManagerImpl.editZone`: "Cannot enable this
/// Zone since: Unable to find the default physical network ..").
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn a_bare_zone_cannot_be_enabled(ctx: &mut TestContext) -> Result<()> {
    let new_zone = AdvancedZone::create(ctx).await?;
    new_zone
        .update(ctx.client())
        .allocationstate("Enabled")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    let listed = Zone::list(ctx.client()).id(new_zone.id.clone()).await?;
    listed[0]
        .allocationstate
        .as_deref()
        .should()
        .equal(Some("Disabled"));
    Ok(())
}

/// A zone is renamed (`ConfigurationManagerImpl.editZone`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn a_zone_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let new_zone = AdvancedZone::create(ctx).await?;
    let new_name = sequence("renamed-zone");
    let updated = new_zone.update(ctx.client()).name(new_name.clone()).await?;
    updated.name.should().equal(Some(new_name));
    Ok(())
}

/// A zone with a pod cannot be deleted: 530; without it, it can
/// (`ConfigurationManagerImpl.checkIfZoneIsDeletable`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn a_zone_with_a_pod_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let new_zone = AdvancedZone::create(ctx).await?;
    let pod = Pod::create(ctx.client())
        .zoneid(new_zone.id.clone())
        .name(sequence("pod"))
        .gateway("192.168.50.1")
        .netmask("255.255.255.0")
        .startip("192.168.50.10")
        .endip("192.168.50.20")
        .managed_by(ctx)
        .await?;
    pod.zoneid.should().equal(Some(new_zone.id.clone()));
    Zone::delete(&new_zone, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    pod.delete().await?;
    let id = new_zone.id.clone();
    new_zone.delete().await?;
    let left: Vec<String> = Zone::list(ctx.client())
        .await?
        .into_iter()
        .map(|z| z.id)
        .collect();
    left.should_not().contain(id);
    Ok(())
}

/// A second zone of the same name is refused with 431
/// (`ConfigurationManagerImpl.checkZoneParameters`).
#[marvin::test(tags = ["smoke", "infrastructure", "admin"])]
async fn a_duplicate_zone_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let first = AdvancedZone::create(ctx).await?;
    AdvancedZone::new()
        .name(first.name.clone().unwrap_or_default())
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// Hosts are for admins: a user is refused with 432 (`ListHostsCmd` is
/// authorized for the Admin role).
#[marvin::test(tags = ["smoke", "infrastructure", "security"])]
async fn a_user_cannot_list_hosts(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    Host::list(&as_user)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}
