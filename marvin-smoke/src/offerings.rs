//! Service (compute) and disk offerings.

use marvin::prelude::*;

use crate::support::{client_of, unique};

/// A service offering keeps its CPU and memory
/// (`ConfigurationManagerImpl.createServiceOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_service_offering_keeps_its_sizes(ctx: &mut TestContext) -> Result<()> {
    let offering = SmallServiceOffering::new()
        .cpunumber(2)
        .cpuspeed(500)
        .memory(512)
        .create(ctx)
        .await?;
    offering.cpunumber.should().equal(Some(2));
    offering.cpuspeed.should().equal(Some(500));
    offering.memory.should().equal(Some(512));
    Ok(())
}

/// A service offering is renamed (`ConfigurationManagerImpl.updateServiceOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_service_offering_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let offering = SmallServiceOffering::create(ctx).await?;
    let new_name = unique("so-renamed");
    let updated = offering
        .update(ctx.client())
        .name(new_name.clone())
        .displaytext("Renamed")
        .await?;
    updated.name.should().equal(Some(new_name));
    let listed = ServiceOffering::list(ctx.client())
        .id(offering.id.clone())
        .await?;
    listed[0]
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Renamed"));
    Ok(())
}

/// A deleted service offering is no longer listed
/// (`ConfigurationManagerImpl.deleteServiceOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_deleted_service_offering_is_not_listed(ctx: &mut TestContext) -> Result<()> {
    let offering = SmallServiceOffering::create(ctx).await?;
    let id = offering.id.clone();
    offering.delete().await?;
    let left: Vec<String> = ServiceOffering::list(ctx.client())
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    left.should_not().contain(id);
    Ok(())
}

/// A service offering with less than 32 MB of memory is refused with 431
/// (`CreateServiceOfferingCmd`/`ConfigurationManagerImpl.createServiceOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn too_little_memory_is_refused(ctx: &mut TestContext) -> Result<()> {
    SmallServiceOffering::new()
        .memory(16)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A service offering with no CPU is refused with 431
/// (`ConfigurationManagerImpl.createServiceOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn no_cpu_is_refused(ctx: &mut TestContext) -> Result<()> {
    SmallServiceOffering::new()
        .cpunumber(0)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// The install's service offerings are there: "Small Instance" of 1 CPU at
/// 500 MHz and 512 MB (`ConfigurationServerImpl`).
#[marvin::test(tags = ["smoke", "offerings"])]
async fn the_small_instance_offering_is_there(ctx: &mut TestContext) -> Result<()> {
    let small = ServiceOffering::list(ctx.client())
        .name("Small Instance")
        .await?;
    should!(small).have_length(1);
    small[0].cpunumber.should().equal(Some(1));
    small[0].cpuspeed.should().equal(Some(500));
    small[0].memory.should().equal(Some(512));
    Ok(())
}

/// A user sees the public service offerings
/// (`QueryManagerImpl.searchForServiceOfferings`).
#[marvin::test(tags = ["smoke", "offerings"])]
async fn a_user_sees_public_offerings(ctx: &mut TestContext) -> Result<()> {
    let offering = SmallServiceOffering::create(ctx).await?;
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let seen: Vec<String> = ServiceOffering::list(&as_user)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    seen.should().contain(offering.id.clone());
    Ok(())
}

/// A user cannot create offerings: 432 (`CreateServiceOfferingCmd` is
/// authorized for the Admin role).
#[marvin::test(tags = ["smoke", "offerings", "security"])]
async fn a_user_cannot_create_an_offering(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = Owner::of(&account).context(ctx).await?;
    SmallServiceOffering::create(&as_user)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}

/// A disk offering keeps its size and is not custom
/// (`ConfigurationManagerImpl.createDiskOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_disk_offering_keeps_its_size(ctx: &mut TestContext) -> Result<()> {
    let offering = SharedDiskOffering::new().disksize(5).create(ctx).await?;
    offering.disksize.should().equal(Some(5));
    offering.iscustomized.should().equal(Some(false));
    Ok(())
}

/// A disk offering is renamed, and once deleted is not listed
/// (`ConfigurationManagerImpl.updateDiskOffering`, `deleteDiskOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_disk_offering_is_renamed_and_deleted(ctx: &mut TestContext) -> Result<()> {
    let offering = SharedDiskOffering::create(ctx).await?;
    let new_name = unique("do-renamed");
    let updated = offering.update(ctx.client()).name(new_name.clone()).await?;
    updated.name.should().equal(Some(new_name));
    let id = offering.id.clone();
    offering.delete().await?;
    let left: Vec<String> = DiskOffering::list(ctx.client())
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    left.should_not().contain(id);
    Ok(())
}

/// A disk offering without a size but `customized` is a custom one
/// (`ConfigurationManagerImpl.createDiskOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_customized_disk_offering_has_no_size(ctx: &mut TestContext) -> Result<()> {
    let offering = DiskOffering::create(ctx.client())
        .name(unique("do-custom"))
        .displaytext("Custom size")
        .customized(true)
        .managed_by(ctx)
        .await?;
    offering.iscustomized.should().equal(Some(true));
    Ok(())
}

/// A disk offering of a fixed size below 1 GB is refused with 431
/// (`ConfigurationManagerImpl.createDiskOffering`).
#[marvin::test(tags = ["smoke", "offerings", "admin"])]
async fn a_disk_offering_below_one_gb_is_refused(ctx: &mut TestContext) -> Result<()> {
    SharedDiskOffering::new()
        .disksize(0)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// The install's isolated offering with source NAT is Enabled and
/// Required (`ConfigurationServerImpl`'s default network offerings).
#[marvin::test(tags = ["smoke", "offerings", "network"])]
async fn the_default_isolated_offering_is_required(ctx: &mut TestContext) -> Result<()> {
    let name = "DefaultIsolatedNetworkOfferingWithSourceNatService";
    let offering = NetworkOffering::list(ctx.client())
        .name(name)
        .await?
        .into_iter()
        .find(|o| o.name.as_deref() == Some(name))
        .ok_or_else(|| Error::setup("no default isolated offering"))?;
    offering.state.as_deref().should().equal(Some("Enabled"));
    offering
        .availability
        .as_deref()
        .should()
        .equal(Some("Required"));
    offering
        .guestiptype
        .as_deref()
        .should()
        .equal(Some("Isolated"));
    Ok(())
}

/// A default network offering cannot be deleted: 431
/// (`ConfigurationManagerImpl.deleteNetworkOffering`: "Default network
/// offering can't be deleted").
#[marvin::test(tags = ["smoke", "offerings", "network", "admin"])]
async fn a_default_network_offering_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let name = "DefaultIsolatedNetworkOfferingWithSourceNatService";
    let offering = NetworkOffering::list(ctx.client())
        .name(name)
        .await?
        .into_iter()
        .find(|o| o.name.as_deref() == Some(name))
        .ok_or_else(|| Error::setup("no default isolated offering"))?;
    offering
        .delete(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A new network offering starts Disabled and is enabled by an update
/// (`ConfigurationManagerImpl.createNetworkOffering`, `updateNetworkOffering`).
#[marvin::test(tags = ["smoke", "offerings", "network", "admin"])]
async fn a_network_offering_starts_disabled(ctx: &mut TestContext) -> Result<()> {
    let offering = DefaultIsolatedNetworkOfferingWithSourceNatService::new()
        .enable(false)
        .create(ctx)
        .await?;
    offering.state.as_deref().should().equal(Some("Disabled"));
    let enabled = offering.update(ctx.client()).state("Enabled").await?;
    enabled.state.as_deref().should().equal(Some("Enabled"));
    Ok(())
}

/// A new VPC offering starts Disabled and is enabled by an update
/// (`VpcManagerImpl.createVpcOffering`, `updateVpcOffering`).
#[marvin::test(tags = ["smoke", "offerings", "vpc", "admin"])]
async fn a_vpc_offering_starts_disabled(ctx: &mut TestContext) -> Result<()> {
    let offering = DefaultVpcOffering::new().enable(false).create(ctx).await?;
    offering.state.as_deref().should().equal(Some("Disabled"));
    let enabled = offering.update(ctx.client()).state("Enabled").await?;
    enabled.state.as_deref().should().equal(Some("Enabled"));
    Ok(())
}
