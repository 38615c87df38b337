//! Domains: the tree, duplicate names, renaming, deletion rules and what a
//! domain admin may see.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{ACCOUNT, DOMAIN, account_params, client_of, create, find, ids, unique};
use crate::prelude::*;

async fn domain(
    ctx: &TestContext,
    name: &str,
    parent: Option<&str>,
) -> Result<marvin_core::cleanup::Managed<super::support::Raw>> {
    let mut params = Params::new().with("name", name);
    params.set_opt("parentdomainid", parent);
    create(ctx, &DOMAIN, params).await
}

/// Sub-domains hang below their parent: level, parent id and path follow
/// the tree, and the parent lists them as children.
pub async fn tree(ctx: &mut TestContext) -> Result<()> {
    let (parent_name, child_name) = (unique("parent"), unique("child"));
    let parent = domain(ctx, &parent_name, None).await?;
    let child = domain(ctx, &child_name, Some(parent.id())).await?;
    parent["level"].should().equal(1);
    parent["path"]
        .should()
        .equal(format!("ROOT/{parent_name}").as_str());
    child["level"].should().equal(2);
    child["parentdomainid"].should().equal(parent.id());
    child["path"]
        .should()
        .equal(format!("ROOT/{parent_name}/{child_name}").as_str());

    let children = ctx
        .client()
        .list_all("listDomainChildren", Params::new().with("id", parent.id()))
        .await?;
    ids(&children).should().equal(vec![child.id().to_string()]);
    let all = ctx
        .client()
        .list_all("listDomains", Params::new().with("listall", true))
        .await?;
    ids(&all).should().contain(child.id().to_string());
    Ok(())
}

/// A second domain with the same name under the same parent is refused
/// with 431; under another parent the name is free.
pub async fn duplicate_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let name = unique("dup");
    let first = domain(ctx, &name, None).await?;
    ctx.client()
        .call(api("createDomain"))
        .params(Params::new().with("name", &name))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    let nested = domain(ctx, &name, Some(first.id())).await?;
    nested["name"].should().equal(name.as_str());
    Ok(())
}

/// A domain that still has an account is not deleted without `cleanup`
/// (the job fails with 530 and the domain stays); with `cleanup=true` the
/// domain and its account go.
pub async fn delete_non_empty_needs_cleanup(ctx: &mut TestContext) -> Result<()> {
    let parent = domain(ctx, &unique("busy"), None).await?;
    let account = create(
        ctx,
        &ACCOUNT,
        account_params(0).with("domainid", parent.id()),
    )
    .await?;

    ctx.client()
        .call(api("deleteDomain"))
        .params(Params::new().with("id", parent.id()).with("cleanup", false))
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    let still = find(
        ctx.client(),
        "listDomains",
        parent.id(),
        Params::new().with("listall", true),
    )
    .await?
    .unwrap_or_default();
    still["state"].should().equal("Active");

    let (domain_id, account_id) = (parent.id().to_string(), account.id().to_string());
    parent.delete().await?;
    find(
        ctx.client(),
        "listDomains",
        &domain_id,
        Params::new().with("listall", true),
    )
    .await?
    .should()
    .be_none();
    find(
        ctx.client(),
        "listAccounts",
        &account_id,
        Params::new().with("listall", true),
    )
    .await?
    .should()
    .be_none();
    Ok(())
}

/// Renaming a domain renames its path too.
pub async fn rename(ctx: &mut TestContext) -> Result<()> {
    let parent = domain(ctx, &unique("old"), None).await?;
    let new_name = unique("new");
    let updated = ctx
        .client()
        .call(api("updateDomain"))
        .params(
            Params::new()
                .with("id", parent.id())
                .with("name", &new_name),
        )
        .await?;
    updated["domain"]["name"].should().equal(new_name.as_str());
    updated["domain"]["path"]
        .should()
        .equal(format!("ROOT/{new_name}").as_str());
    Ok(())
}

/// The ROOT domain cannot be deleted.
pub async fn root_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let domains = ctx
        .client()
        .list_all("listDomains", Params::new().with("name", "ROOT"))
        .await?;
    let root = domains
        .iter()
        .find(|d| d["level"] == 0)
        .map(super::support::id_of)
        .unwrap_or_default();
    root.is_empty().should().equal(false);
    ctx.client()
        .call(api("deleteDomain"))
        .params(Params::new().with("id", &root))
        .await
        .should()
        .be_err();
    let still = find(ctx.client(), "listDomains", &root, Params::new()).await?;
    should!(still).be_some();
    Ok(())
}

/// A domain admin sees its own domain and the ones below, not their
/// siblings, and cannot create accounts outside its tree (531).
pub async fn domain_admin_sees_only_its_subtree(ctx: &mut TestContext) -> Result<()> {
    let managed = domain(ctx, &unique("managed"), None).await?;
    let below = domain(ctx, &unique("below"), Some(managed.id())).await?;
    let sibling = domain(ctx, &unique("sibling"), None).await?;
    let admin = create(
        ctx,
        &ACCOUNT,
        account_params(2).with("domainid", managed.id()),
    )
    .await?;
    admin["accounttype"].should().equal(2);
    let as_admin = client_of(ctx, &admin).await?;

    let visible = ids(&as_admin
        .list_all("listDomains", Params::new().with("listall", true))
        .await?);
    visible.should().contain(managed.id().to_string());
    visible.should().contain(below.id().to_string());
    visible.should_not().contain(sibling.id().to_string());

    as_admin
        .call(api("createAccount"))
        .params(account_params(0).with("domainid", sibling.id()))
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    // Inside its tree it may: the account is deleted with the domain.
    let inside = super::support::create_with(
        ctx,
        &as_admin,
        &ACCOUNT,
        account_params(0).with("domainid", below.id()),
    )
    .await?;
    inside["domainid"].should().equal(below.id());
    Ok(())
}
