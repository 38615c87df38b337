//! Domains: the tree, duplicate names, renaming, deletion rules and what a
//! domain admin may see.

use marvin::prelude::*;

use crate::support::{account_by_id, client_of, root_domain, unique};

/// The domain `id` if it is listed among every domain (a deleted domain's
/// id no longer resolves, so it is not asked for by id).
async fn listed_domain(client: &Client, id: &str) -> Result<Option<Domain>> {
    Ok(Domain::list(client)
        .listall(true)
        .await?
        .into_iter()
        .find(|d| d.id == id))
}

/// A domain admin account in `domain`.
async fn domain_admin_of(ctx: &TestContext, domain: &Domain) -> Result<Managed<Account>> {
    let domain_id = domain.id.clone();
    DomainAdminAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await
}

/// A sub-domain hangs below its parent: its level, parent and path follow
/// the tree (`DomainManagerImpl.createDomain`, `ApiResponseHelper`'s path).
#[marvin::test(tags = ["smoke", "domains"])]
async fn a_sub_domain_follows_its_parent(ctx: &mut TestContext) -> Result<()> {
    let parent = DomainFactory::create(ctx).await?;
    let child = DomainFactory::new()
        .parent(Sub::of(&parent))
        .create(ctx)
        .await?;
    parent.level.should().equal(Some(1));
    parent.path.should().equal(Some(format!(
        "ROOT/{}",
        parent.name.clone().unwrap_or_default()
    )));
    child.level.should().equal(Some(2));
    child.parentdomainid.should().equal(Some(parent.id.clone()));
    child.path.should().equal(Some(format!(
        "ROOT/{}/{}",
        parent.name.clone().unwrap_or_default(),
        child.name.clone().unwrap_or_default()
    )));
    Ok(())
}

/// A parent lists its sub-domains as its children
/// (`DomainManagerImpl.searchForDomainChildren`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn a_parent_lists_its_children(ctx: &mut TestContext) -> Result<()> {
    let parent = DomainFactory::create(ctx).await?;
    let child = DomainFactory::new()
        .parent(Sub::of(&parent))
        .create(ctx)
        .await?;
    let children: Vec<String> = Domain::list_children(ctx.client())
        .id(parent.id.clone())
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    children.should().equal(vec![child.id.clone()]);
    Ok(())
}

/// A second domain of the same name under the same parent is refused with
/// 431; under another parent the name is free
/// (`DomainManagerImpl.createDomain`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn a_duplicate_name_under_one_parent_is_refused(ctx: &mut TestContext) -> Result<()> {
    let name = unique("dup");
    let first = DomainFactory::new().name(name.clone()).create(ctx).await?;
    DomainFactory::new()
        .name(name.clone())
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    let nested = DomainFactory::new()
        .name(name.clone())
        .parent(Sub::of(&first))
        .create(ctx)
        .await?;
    nested.name.should().equal(Some(name));
    Ok(())
}

/// A domain that still has an account is not deleted without `cleanup`:
/// the job fails with 530 and the domain stays Active
/// (`DomainManagerImpl.deleteDomain`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn a_non_empty_domain_needs_cleanup(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    Domain::delete(&domain, ctx.client())
        .cleanup(false)
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    let still = listed_domain(ctx.client(), &domain.id).await?;
    still
        .and_then(|d| d.state)
        .should()
        .equal(Some("Active".to_string()));
    Ok(())
}

/// With `cleanup` a domain goes with its accounts
/// (`DomainManagerImpl.deleteDomain`, `cleanupDomain`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn cleanup_deletes_a_domain_with_its_accounts(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let domain_id = domain.id.clone();
    let account = UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(domain_id.clone()))
        .create(ctx)
        .await?;
    Domain::delete(&domain, ctx.client()).cleanup(true).await?;
    listed_domain(ctx.client(), &domain.id)
        .await?
        .should()
        .be_none();
    account_by_id(ctx.client(), &account.id)
        .await?
        .should()
        .be_none();
    Ok(())
}

/// With `cleanup` a domain goes with its sub-domains
/// (`DomainManagerImpl.cleanupDomain`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn cleanup_deletes_a_domain_with_its_sub_domains(ctx: &mut TestContext) -> Result<()> {
    let parent = DomainFactory::create(ctx).await?;
    let child = DomainFactory::new()
        .parent(Sub::of(&parent))
        .create(ctx)
        .await?;
    Domain::delete(&parent, ctx.client()).cleanup(true).await?;
    listed_domain(ctx.client(), &child.id)
        .await?
        .should()
        .be_none();
    Ok(())
}

/// Renaming a domain renames its path too (`DomainManagerImpl.updateDomain`).
#[marvin::test(tags = ["smoke", "domains"])]
async fn renaming_a_domain_renames_its_path(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let new_name = unique("renamed");
    let updated = domain.update(ctx.client()).name(new_name.clone()).await?;
    updated.name.should().equal(Some(new_name.clone()));
    updated
        .path
        .should()
        .equal(Some(format!("ROOT/{new_name}")));
    Ok(())
}

/// The ROOT domain cannot be deleted: 531 "Can't delete ROOT domain"
/// (`DomainManagerImpl.deleteDomain`; inside the job a permission error
/// is reported as 530, `ApiAsyncJobDispatcher.runJob`).
#[marvin::test(tags = ["smoke", "domains", "admin"])]
async fn the_root_domain_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let root = root_domain(ctx.client()).await?;
    root.name.as_deref().should().equal(Some("ROOT"));
    Domain::delete(&root, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    listed_domain(ctx.client(), &root.id)
        .await?
        .should()
        .be_some();
    Ok(())
}

/// A domain admin sees its domain and the ones below, not their siblings
/// (`QueryManagerImpl.searchForDomainIdsAndCount`).
#[marvin::test(tags = ["smoke", "domains", "security"])]
async fn a_domain_admin_sees_only_its_subtree(ctx: &mut TestContext) -> Result<()> {
    let managed = DomainFactory::create(ctx).await?;
    let below = DomainFactory::new()
        .parent(Sub::of(&managed))
        .create(ctx)
        .await?;
    let sibling = DomainFactory::create(ctx).await?;
    let admin = domain_admin_of(ctx, &managed).await?;
    let as_admin = client_of(ctx, &admin).await?;
    let visible: Vec<String> = Domain::list(&as_admin)
        .listall(true)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    visible.should().contain(managed.id.clone());
    visible.should().contain(below.id.clone());
    visible.should_not().contain(sibling.id.clone());
    Ok(())
}

/// A domain admin cannot make an account outside its subtree: 531
/// (`AccountManagerImpl.createUserAccount`, `checkAccess` on the domain).
#[marvin::test(tags = ["smoke", "domains", "security"])]
async fn a_domain_admin_cannot_create_outside_its_subtree(ctx: &mut TestContext) -> Result<()> {
    let managed = DomainFactory::create(ctx).await?;
    let sibling = DomainFactory::create(ctx).await?;
    let admin = domain_admin_of(ctx, &managed).await?;
    let as_admin = Owner::of(&admin).context(ctx).await?;
    let sibling_id = sibling.id.clone();
    UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(sibling_id.clone()))
        .create(&as_admin)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// A domain admin may make accounts inside its subtree
/// (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "domains", "security"])]
async fn a_domain_admin_creates_accounts_below_it(ctx: &mut TestContext) -> Result<()> {
    let managed = DomainFactory::create(ctx).await?;
    let below = DomainFactory::new()
        .parent(Sub::of(&managed))
        .create(ctx)
        .await?;
    let admin = domain_admin_of(ctx, &managed).await?;
    let as_admin = Owner::of(&admin).context(ctx).await?;
    let below_id = below.id.clone();
    let inside = UserAccount::new()
        .with_request(move |r| r.options.domainid = Some(below_id.clone()))
        .create(&as_admin)
        .await?;
    inside.domainid.should().equal(Some(below.id.clone()));
    Ok(())
}

/// Listing domains is for admins: a user is refused with 432
/// (`ListDomainsCmd` is authorized for the Admin and DomainAdmin roles).
#[marvin::test(tags = ["smoke", "domains", "security"])]
async fn a_user_cannot_list_domains(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    Domain::list(&as_user)
        .listall(true)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}
