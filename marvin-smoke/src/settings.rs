//! Global settings (configurations), their scopes, and the capabilities
//! the cloud reports.

use marvin::prelude::*;

use crate::support::client_of;

/// A setting of account scope (`UserVmManager.AllowUserForceStopVm`).
const ACCOUNT_SETTING: &str = "allow.user.force.stop.vm";

/// The setting `name` as listed for the given scope.
async fn setting(client: &Client, name: &str, account: Option<&Account>) -> Result<Configuration> {
    let mut list = Configuration::list(client).name(name);
    if let Some(account) = account {
        list = list.accountid(account.id.clone());
    }
    list.await?
        .into_iter()
        .find(|c| c.name.as_deref() == Some(name))
        .ok_or_else(|| Error::setup(format!("setting {name} is not listed")))
}

/// The other boolean value.
fn flipped(value: Option<&str>) -> &'static str {
    if value == Some("true") {
        "false"
    } else {
        "true"
    }
}

/// A setting changed for one account applies to it only: the global value
/// stays (`ConfigurationManagerImpl.updateConfiguration` with `accountid`).
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn an_account_scoped_setting_leaves_the_global_value(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let global = setting(ctx.client(), ACCOUNT_SETTING, None).await?;
    let value = flipped(global.value.as_deref());
    let updated = Configuration::update(ctx.client())
        .name(ACCOUNT_SETTING)
        .value(value)
        .accountid(account.id.clone())
        .await?;
    updated.value.as_deref().should().equal(Some(value));
    let scoped = setting(ctx.client(), ACCOUNT_SETTING, Some(&account)).await?;
    scoped.value.as_deref().should().equal(Some(value));
    let after = setting(ctx.client(), ACCOUNT_SETTING, None).await?;
    after.value.should().equal(global.value.clone());
    Ok(())
}

/// A scoped setting is listed with its scope (`ConfigKey.Scope`).
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn a_scoped_setting_names_its_scope(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let scoped = setting(ctx.client(), ACCOUNT_SETTING, Some(&account)).await?;
    scoped.scope.as_deref().should().equal(Some("account"));
    Ok(())
}

/// Resetting an account's setting gives it the global value again
/// (`ConfigurationManagerImpl.resetConfiguration`).
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn resetting_an_account_setting_restores_the_global_value(
    ctx: &mut TestContext,
) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let global = setting(ctx.client(), ACCOUNT_SETTING, None).await?;
    Configuration::update(ctx.client())
        .name(ACCOUNT_SETTING)
        .value(flipped(global.value.as_deref()))
        .accountid(account.id.clone())
        .await?;
    Configuration::reset(ctx.client())
        .name(ACCOUNT_SETTING)
        .accountid(account.id.clone())
        .await?;
    let scoped = setting(ctx.client(), ACCOUNT_SETTING, Some(&account)).await?;
    scoped.value.should().equal(global.value.clone());
    Ok(())
}

/// A value of the wrong type is refused with 431
/// (`ConfigurationManagerImpl.validateConfigurationValue`).
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn a_value_of_the_wrong_type_is_refused(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    Configuration::update(ctx.client())
        .name(ACCOUNT_SETTING)
        .value("maybe")
        .accountid(account.id.clone())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An unknown setting is refused with 431
/// (`ConfigurationManagerImpl.updateConfiguration`: "Config parameter with
/// name .. doesn't exist").
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn an_unknown_setting_is_refused(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    Configuration::update(ctx.client())
        .name("no.such.setting.smoke")
        .value("1")
        .accountid(account.id.clone())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A setting is listed with its default, type and category
/// (`ConfigurationManagerImpl`, `ConfigDepotImpl.populateConfigurations`).
#[marvin::test(tags = ["smoke", "settings", "admin"])]
async fn a_setting_is_listed_with_its_default(ctx: &mut TestContext) -> Result<()> {
    let listed = setting(ctx.client(), "max.account.user.vms", None).await?;
    listed.defaultvalue.as_deref().should().equal(Some("20"));
    listed.category.should_not().be_none();
    Ok(())
}

/// A user cannot change settings: 432 (`UpdateCfgCmd` is authorized for
/// admins).
#[marvin::test(tags = ["smoke", "settings", "security"])]
async fn a_user_cannot_change_settings(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    Configuration::update(&as_user)
        .name(ACCOUNT_SETTING)
        .value("true")
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}

/// The cloud reports its version and features to every user
/// (`ManagementServerImpl.listCapabilities`).
#[marvin::test(tags = ["smoke", "settings"])]
async fn capabilities_are_reported_to_users(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let capabilities = Capability::list(&as_user).await?;
    should!(capabilities).have_length(1);
    let capability = &capabilities[0];
    capability
        .cloudstackversion
        .clone()
        .unwrap_or_default()
        .should()
        .start_with("4.");
    capability.securitygroupsenabled.should_not().be_none();
    capability.apilimitmax.should_not().be_none();
    Ok(())
}
