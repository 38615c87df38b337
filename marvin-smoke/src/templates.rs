//! Templates and ISOs: the built-in template, registration, updates,
//! permissions, templates made from volumes, extraction, ISOs attached to
//! VMs, and OS types.

use marvin::prelude::*;

/// Registers a template like the built-in one (same hypervisor, format and
/// OS type) from a URL in the test zone, through `ctx`'s client, and
/// registers it for cleanup.
async fn register_template(ctx: &TestContext, public: bool) -> Result<Managed<Template>> {
    let builtin = DefaultBuiltInTemplate::create(ctx).await?;
    let zone = TestZone::create(ctx).await?;
    let template = Template::create(ctx.client())
        .displaytext("Smoke template")
        .format(builtin.format.clone().unwrap_or_else(|| "VHD".into()))
        .hypervisor(
            builtin
                .hypervisor
                .clone()
                .unwrap_or_else(|| "Simulator".into()),
        )
        .name(sequence("tpl"))
        .url("http://images.example.com/smoke.vhd.bz2")
        .zoneid(&zone.id)
        .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
        .ispublic(public)
        .isextractable(true)
        .managed_by(ctx)
        .await?;
    Ok(template)
}

/// Registers an ISO from a URL in the test zone, for cleanup.
async fn register_iso(ctx: &TestContext) -> Result<Managed<Iso>> {
    let builtin = DefaultBuiltInTemplate::create(ctx).await?;
    let zone = TestZone::create(ctx).await?;
    let iso = Iso::create(ctx.client())
        .displaytext("Smoke ISO")
        .name(sequence("iso"))
        .url("http://images.example.com/smoke.iso")
        .zoneid(&zone.id)
        .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
        .managed_by(ctx)
        .await?;
    Ok(iso)
}

/// The built-in template is ready, featured and public in the test zone
/// (`TemplateManagerImpl`, the simulator's `templates.simulator.sql`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn the_builtin_template_is_ready(ctx: &mut TestContext) -> Result<()> {
    let template = DefaultBuiltInTemplate::create(ctx).await?;
    let zone = TestZone::create(ctx).await?;
    template.isready.should().equal(Some(true));
    template.isfeatured.should().equal(Some(true));
    template.ispublic.should().equal(Some(true));
    let featured = Template::list(ctx.client())
        .templatefilter("featured")
        .zoneid(&zone.id)
        .await?;
    featured
        .iter()
        .any(|t| t.id == template.id)
        .should()
        .equal(true);
    Ok(())
}

/// A registered template is a USER template of the caller's, listed with
/// the `self` filter (`TemplateManagerImpl.registerTemplate`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_registered_template_is_the_callers(ctx: &mut TestContext) -> Result<()> {
    let template = register_template(ctx, true).await?;
    template
        .templatetype
        .as_deref()
        .should()
        .equal(Some("USER"));
    let own = Template::list(ctx.client()).templatefilter("self").await?;
    own.iter().any(|t| t.id == template.id).should().equal(true);
    Ok(())
}

/// A template's display text and name change
/// (`TemplateManagerImpl.updateTemplateOrIso`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_template_is_updated(ctx: &mut TestContext) -> Result<()> {
    let template = register_template(ctx, true).await?;
    let name = sequence("renamed");
    let updated = template
        .update(ctx.client())
        .displaytext("Updated by smoke")
        .name(&name)
        .await?;
    updated
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Updated by smoke"));
    updated.name.as_deref().should().equal(Some(name.as_str()));
    Ok(())
}

/// A deleted template is no longer listed, whatever the filter
/// (`TemplateManagerImpl.deleteTemplate`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_deleted_template_is_gone(ctx: &mut TestContext) -> Result<()> {
    let template = register_template(ctx, true).await?;
    let id = template.id.clone();
    template.delete().await?;
    Template::list(ctx.client())
        .templatefilter("all")
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A user's private template is invisible to another user
/// (`QueryManagerImpl.searchForTemplatesInternal`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_private_template_is_invisible_to_others(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    let template = register_template(&as_owner, false).await?;
    template.ispublic.should().equal(Some(false));
    template.account.should().equal(owner.name.clone());
    let mine = Template::list(as_owner.client())
        .templatefilter("self")
        .await?;
    mine.iter()
        .any(|t| t.id == template.id)
        .should()
        .equal(true);
    let theirs = Template::list(as_other.client())
        .templatefilter("executable")
        .await?;
    theirs
        .iter()
        .any(|t| t.id == template.id)
        .should()
        .equal(false);
    Ok(())
}

/// A private template shared with an account is listed in its permissions
/// and seen by that account's users
/// (`TemplateManagerImpl.updateTemplateOrIsoPermissions`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_template_shared_with_an_account_is_seen_by_it(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let friend = UserAccount::create(ctx).await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let as_friend = Owner::of(&friend).context(ctx).await?;
    let template = register_template(&as_owner, false).await?;
    let friend_name = friend.name.clone().unwrap_or_default();
    template
        .update_permissions(as_owner.client())
        .accounts([friend_name.clone()])
        .op("add")
        .await?;
    let permissions = template.list_permissions(as_owner.client()).await?;
    permissions.account.should().contain(friend_name.clone());
    let shared = Template::list(as_friend.client())
        .templatefilter("sharedexecutable")
        .await?;
    shared
        .iter()
        .any(|t| t.id == template.id)
        .should()
        .equal(true);
    Ok(())
}

/// A stopped VM's ROOT volume becomes a new template of the caller's
/// (`TemplateManagerImpl.createPrivateTemplateRecord`).
#[marvin::test(tags = ["smoke", "templates", "volumes"])]
async fn a_template_is_made_from_a_root_volume(ctx: &mut TestContext) -> Result<()> {
    let builtin = DefaultBuiltInTemplate::create(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    vm.stop(ctx.client()).await?;
    let root = RootVolume::new().vm(vm.id.clone()).create(ctx).await?;
    let name = sequence("fromvol");
    let template = Template::create_template(ctx.client())
        .displaytext("Made from a ROOT volume")
        .name(&name)
        .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
        .volumeid(&root.id)
        .managed_by(ctx)
        .await?;
    template.name.as_deref().should().equal(Some(name.as_str()));
    let own = Template::list(ctx.client()).templatefilter("self").await?;
    own.iter().any(|t| t.id == template.id).should().equal(true);
    Ok(())
}

/// An extractable template is extracted: the answer has a download URL
/// (`TemplateManagerImpl.extract`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn an_extractable_template_is_extracted(ctx: &mut TestContext) -> Result<()> {
    let template = register_template(ctx, true).await?;
    let zone = TestZone::create(ctx).await?;
    let extracted = template
        .extract(ctx.client())
        .mode("HTTP_DOWNLOAD")
        .zoneid(&zone.id)
        .await?;
    extracted.url.should().satisfy("is an http URL", |url| {
        url.as_deref().is_some_and(|u| u.starts_with("http"))
    });
    Ok(())
}

/// An ISO is registered bootable from a URL, and is gone once deleted
/// (`TemplateManagerImpl.registerIso`, `deleteIso`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn an_iso_is_registered_and_deleted(ctx: &mut TestContext) -> Result<()> {
    let iso = register_iso(ctx).await?;
    iso.bootable.should().equal(Some(true));
    let id = iso.id.clone();
    iso.delete().await?;
    Iso::list(ctx.client())
        .isofilter("all")
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// An ISO attached to a VM is named by the VM; detached, it is not
/// (`TemplateManagerImpl.attachIso`, `detachIso`).
#[marvin::test(tags = ["smoke", "templates", "vms"])]
async fn an_iso_is_attached_to_a_vm_and_detached(ctx: &mut TestContext) -> Result<()> {
    let iso = register_iso(ctx).await?;
    let vm = VirtualMachineFactory::create(ctx).await?;
    let attached = iso.attach(ctx.client()).virtualmachineid(&vm.id).await?;
    attached.isoid.should().equal(Some(iso.id.clone()));
    vm.refresh(ctx.client())
        .await?
        .isoid
        .should()
        .equal(Some(iso.id.clone()));
    let detached = Iso::detach(ctx.client()).virtualmachineid(&vm.id).await?;
    detached.isoid.should().be_none();
    Ok(())
}

/// Every OS type is in a listed OS category (`ManagementServerImpl.listGuestOSByCriteria`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn os_types_have_categories(ctx: &mut TestContext) -> Result<()> {
    let types = OsType::list(ctx.client()).await?;
    types.should_not().be_empty();
    let categories: Vec<String> = OsCategory::list(ctx.client())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for os in &types {
        categories
            .should()
            .contain(os.oscategoryid.clone().unwrap_or_default());
    }
    Ok(())
}

/// A VM is deployed from a registered template once it is ready, and
/// names the template (`UserVmManagerImpl.createVirtualMachine`).
#[marvin::test(tags = ["smoke", "templates", "vms"])]
async fn a_vm_is_deployed_from_a_registered_template(ctx: &mut TestContext) -> Result<()> {
    let template = register_template(ctx, true).await?;
    let ready = Template::list(ctx.client())
        .templatefilter("self")
        .id(&template.id)
        .await?;
    ready.should().have_length(1);
    if ready[0].isready != Some(true) {
        ctx.skip("the registered template is still downloading");
    }
    let vm = VirtualMachineFactory::new()
        .template(template.id.clone())
        .create(ctx)
        .await?;
    vm.templateid.should().equal(Some(template.id.clone()));
    vm.state.as_deref().should().equal(Some("Running"));
    Ok(())
}

/// A template is copied to another zone, where it is then listed
/// (`TemplateManagerImpl.copyTemplate`); skipped with one zone.
#[marvin::test(tags = ["smoke", "templates", "admin"])]
async fn a_template_is_copied_to_another_zone(ctx: &mut TestContext) -> Result<()> {
    let zone = TestZone::create(ctx).await?;
    let zones = Zone::list(ctx.client()).await?;
    let Some(other) = zones.iter().find(|z| z.id != zone.id) else {
        ctx.skip("copying a template needs a second zone");
    };
    let template = register_template(ctx, true).await?;
    template
        .copy(ctx.client())
        .sourcezoneid(&zone.id)
        .destzoneid(&other.id)
        .await?;
    let copied = Template::list(ctx.client())
        .templatefilter("self")
        .id(&template.id)
        .zoneid(&other.id)
        .await?;
    copied.should().have_length(1);
    Ok(())
}

/// A template made public through its permissions is seen by every
/// account (`TemplateManagerImpl.updateTemplateOrIsoPermissions`).
#[marvin::test(tags = ["smoke", "templates"])]
async fn a_template_made_public_is_seen_by_all(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    let template = register_template(&as_owner, false).await?;
    template
        .update_permissions(as_owner.client())
        .ispublic(true)
        .await?;
    template
        .refresh(as_owner.client())
        .await?
        .ispublic
        .should()
        .equal(Some(true));
    let seen = Template::list(as_other.client())
        .templatefilter("executable")
        .await?;
    seen.iter()
        .any(|t| t.id == template.id)
        .should()
        .equal(true);
    Ok(())
}
