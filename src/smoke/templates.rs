//! Templates, ISOs and OS types.

use marvin_entities::api;
use std::sync::Arc;

use marvin_core::testing::TestContext;
use serde_json::Value;

use super::support::{
    ISO, TEMPLATE, create, create_with, find, id_of, ids, unique, user_account, zone,
};
use crate::prelude::*;

/// The cloud's featured (built-in) template that is ready (cached per test).
pub(crate) async fn builtin_template(ctx: &TestContext) -> Result<Arc<Value>> {
    ctx.cached("builtin-template", || async {
        let templates = ctx
            .client()
            .list_all(
                "listTemplates",
                Params::new().with("templatefilter", "featured"),
            )
            .await?;
        templates
            .into_iter()
            .find(|t| t["isready"] == true)
            .ok_or_else(|| Error::setup("the cloud has no ready featured template"))
    })
    .await
}

/// Parameters to register a template like the built-in one (same
/// hypervisor, format and OS type) from a URL, in the first zone.
async fn template_params(ctx: &TestContext) -> Result<Params> {
    let builtin = builtin_template(ctx).await?;
    let zone = zone(ctx).await?;
    Ok(Params::new()
        .with("name", unique("tpl"))
        .with("displaytext", "Smoke template")
        .with("url", "http://images.example.com/smoke.vhd.bz2")
        .with("format", builtin["format"].as_str().unwrap_or("VHD"))
        .with(
            "hypervisor",
            builtin["hypervisor"].as_str().unwrap_or("Simulator"),
        )
        .with("ostypeid", builtin["ostypeid"].as_str().unwrap_or_default())
        .with("zoneid", id_of(&zone)))
}

/// The built-in template is ready, featured and public in a zone of the
/// cloud.
pub async fn builtin_template_is_ready(ctx: &mut TestContext) -> Result<()> {
    let template = builtin_template(ctx).await?;
    template["isready"].should().equal(true);
    template["isfeatured"].should().equal(true);
    template["ispublic"].should().equal(true);
    let zones = ids(&ctx.client().list_all("listZones", Params::new()).await?);
    zones
        .should()
        .contain(template["zoneid"].as_str().unwrap_or_default().to_string());
    Ok(())
}

/// A registered template is listed as the caller's own, takes a new
/// display text, and is gone once deleted.
pub async fn register_update_delete(ctx: &mut TestContext) -> Result<()> {
    let params = template_params(ctx).await?;
    let name = params.get("name").unwrap_or_default().to_string();
    let template = create(ctx, &TEMPLATE, params).await?;
    template["name"].should().equal(name.as_str());
    template["templatetype"].should().equal("USER");
    let own = ctx
        .client()
        .list_all(
            "listTemplates",
            Params::new().with("templatefilter", "self"),
        )
        .await?;
    ids(&own).should().contain(template.id().to_string());

    let updated = ctx
        .client()
        .call(api("updateTemplate"))
        .params(
            Params::new()
                .with("id", template.id())
                .with("displaytext", "Updated by smoke"),
        )
        .await?;
    updated["template"]["displaytext"]
        .should()
        .equal("Updated by smoke");

    let id = template.id().to_string();
    template.delete().await?;
    find(
        ctx.client(),
        "listTemplates",
        &id,
        Params::new().with("templatefilter", "all"),
    )
    .await?
    .should()
    .be_none();
    Ok(())
}

/// A user's private template is invisible to another user.
pub async fn private_template_is_invisible_to_others(ctx: &mut TestContext) -> Result<()> {
    let owner = user_account(ctx).await?;
    let other = user_account(ctx).await?;
    let as_owner = super::support::client_of(ctx, &owner).await?;
    let as_other = super::support::client_of(ctx, &other).await?;
    let template = create_with(
        ctx,
        &as_owner,
        &TEMPLATE,
        template_params(ctx).await?.with("ispublic", false),
    )
    .await?;
    template["ispublic"].should().equal(false);
    template["account"]
        .should()
        .equal(owner["name"].as_str().unwrap_or_default());

    let mine = as_owner
        .list_all(
            "listTemplates",
            Params::new().with("templatefilter", "self"),
        )
        .await?;
    ids(&mine).should().contain(template.id().to_string());
    let theirs = as_other
        .list_all(
            "listTemplates",
            Params::new().with("templatefilter", "executable"),
        )
        .await?;
    ids(&theirs).should_not().contain(template.id().to_string());
    Ok(())
}

/// An ISO is registered from a URL and deleted.
pub async fn register_and_delete_iso(ctx: &mut TestContext) -> Result<()> {
    let builtin = builtin_template(ctx).await?;
    let zone = zone(ctx).await?;
    let iso = create(
        ctx,
        &ISO,
        Params::new()
            .with("name", unique("iso"))
            .with("displaytext", "Smoke ISO")
            .with("url", "http://images.example.com/smoke.iso")
            .with("ostypeid", builtin["ostypeid"].as_str().unwrap_or_default())
            .with("zoneid", id_of(&zone)),
    )
    .await?;
    iso["bootable"].should().equal(true);
    let id = iso.id().to_string();
    iso.delete().await?;
    find(
        ctx.client(),
        "listIsos",
        &id,
        Params::new().with("isofilter", "all"),
    )
    .await?
    .should()
    .be_none();
    Ok(())
}

/// OS types are listed, each in a listed OS category.
pub async fn os_types_have_categories(ctx: &mut TestContext) -> Result<()> {
    let types = ctx.client().list_all("listOsTypes", Params::new()).await?;
    types.should_not().be_empty();
    let categories = ids(&ctx
        .client()
        .list_all("listOsCategories", Params::new())
        .await?);
    for os in &types {
        categories
            .should()
            .contain(os["oscategoryid"].as_str().unwrap_or_default().to_string());
    }
    Ok(())
}
