//! Roles and role permissions: the default roles, custom roles, their
//! rules, and the access the rules decide.

use marvin::prelude::*;

use crate::support::{client_of, unique};

/// A custom role of `kind` (`Admin`, `DomainAdmin`, `User`, ..).
async fn custom_role(ctx: &TestContext, kind: &str) -> Result<Managed<Role>> {
    let role = Role::create(ctx.client())
        .name(unique("role"))
        .type_(kind)
        .description("A role of the smoke suite")
        .managed_by(ctx)
        .await?;
    Ok(role)
}

/// A rule of `role` for the API of `C`.
async fn rule<C: Command>(
    ctx: &TestContext,
    role: &Role,
    permission: &str,
) -> Result<RolePermission> {
    RolePermission::create(ctx.client())
        .roleid(role.id.clone())
        .rule(C::API)
        .permission(permission)
        .await
}

/// A user account with `role`.
async fn account_with(ctx: &TestContext, role: &Role) -> Result<Managed<Account>> {
    let role_id = role.id.clone();
    UserAccount::new()
        .with_request(move |r| r.options.roleid = Some(role_id.clone()))
        .create(ctx)
        .await
}

/// The four default roles are listed with their types
/// (`RoleType`: Admin, ResourceAdmin, DomainAdmin, User).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn the_default_roles_are_listed(ctx: &mut TestContext) -> Result<()> {
    let roles = Role::list(ctx.client()).await?;
    for (name, kind) in [
        ("Root Admin", "Admin"),
        ("Resource Admin", "ResourceAdmin"),
        ("Domain Admin", "DomainAdmin"),
        ("User", "User"),
    ] {
        let found = roles
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
            .and_then(|r| r.type_.clone());
        found.should().equal(Some(kind.to_string()));
    }
    Ok(())
}

/// A custom role keeps its name and type (`RoleManagerImpl.createRole`).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_custom_role_keeps_its_type(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    role.type_.as_deref().should().equal(Some("User"));
    role.isdefault.should().equal(Some(false));
    let listed = Role::list(ctx.client()).id(role.id.clone()).await?;
    listed.should().have_length(1);
    Ok(())
}

/// A second role of the same name is refused with 431
/// (`RoleManagerImpl.createRole`: "Role with name [..] already exists").
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_duplicate_role_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    Role::create(ctx.client())
        .name(role.name.clone().unwrap_or_default())
        .type_("User")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A default role cannot be deleted: 531
/// (`RoleManagerImpl.deleteRole`: "Default roles cannot be deleted").
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_default_role_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let user_role = Role::list(ctx.client())
        .name("User")
        .await?
        .into_iter()
        .find(|r| r.isdefault == Some(true))
        .ok_or_else(|| Error::setup("no default User role"))?;
    user_role
        .delete(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// A role an account has cannot be deleted: 531
/// (`RoleManagerImpl.deleteRole`: "Found accounts that have role in use").
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_role_in_use_cannot_be_deleted(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    let account = account_with(ctx, &role).await?;
    account.roleid.should().equal(Some(role.id.clone()));
    Role::delete(&role, ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    // Without its account the role can go.
    account.delete().await?;
    Role::delete(&role, ctx.client()).await?;
    Ok(())
}

/// An unused custom role can be renamed (`RoleManagerImpl.updateRole`).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_custom_role_is_renamed(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    let new_name = unique("renamed-role");
    let updated = role.update(ctx.client()).name(new_name.clone()).await?;
    updated.name.should().equal(Some(new_name));
    Ok(())
}

/// Rules are listed in the order they were added
/// (`RolePermissionsDaoImpl.persist`).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn rules_are_listed_in_order(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    rule::<commands::ListZones>(ctx, &role, "allow").await?;
    rule::<commands::ListTemplates>(ctx, &role, "deny").await?;
    let rules: Vec<Option<String>> = RolePermission::list(ctx.client())
        .roleid(role.id.clone())
        .await?
        .into_iter()
        .map(|r| r.rule)
        .collect();
    rules.should().equal(vec![
        Some(<commands::ListZones as Command>::API.to_string()),
        Some(<commands::ListTemplates as Command>::API.to_string()),
    ]);
    Ok(())
}

/// A second rule for the same API in one role is refused: 531
/// (`RoleManagerImpl.createRolePermission`: "Rule already exists").
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_duplicate_rule_is_refused(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    rule::<commands::ListZones>(ctx, &role, "allow").await?;
    rule::<commands::ListZones>(ctx, &role, "deny")
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// A permission other than allow or deny is refused with 431
/// (`RoleManagerImpl.getRolePermission`).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_rule_needs_allow_or_deny(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    rule::<commands::ListZones>(ctx, &role, "maybe")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A default role takes no rules: 531 (`RoleManagerImpl.createRolePermission`).
#[marvin::test(tags = ["smoke", "roles", "admin"])]
async fn a_default_role_takes_no_rules(ctx: &mut TestContext) -> Result<()> {
    let user_role = Role::list(ctx.client())
        .name("User")
        .await?
        .into_iter()
        .find(|r| r.isdefault == Some(true))
        .ok_or_else(|| Error::setup("no default User role"))?;
    rule::<commands::ListZones>(ctx, &user_role, "deny")
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}

/// A deny rule takes an API away from the role's accounts: 432
/// (`DynamicRoleBasedAPIAccessChecker.checkAccess`).
#[marvin::test(tags = ["smoke", "roles", "security"])]
async fn a_deny_rule_takes_an_api_away(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    rule::<commands::ListZones>(ctx, &role, "deny").await?;
    let account = account_with(ctx, &role).await?;
    let as_member = client_of(ctx, &account).await?;
    Zone::list(&as_member)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    // APIs without a rule follow the role's type.
    Account::list(&as_member).await.should().be_ok();
    // The role is deleted before accounts in cleanup: its account goes first.
    account.delete().await?;
    Ok(())
}

/// An allow rule gives an API beyond the role's type
/// (`DynamicRoleBasedAPIAccessChecker.checkAccess`).
#[marvin::test(tags = ["smoke", "roles", "security"])]
async fn an_allow_rule_gives_an_api(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    rule::<commands::ListHosts>(ctx, &role, "allow").await?;
    let account = account_with(ctx, &role).await?;
    let plain = UserAccount::create(ctx).await?;
    let as_member = client_of(ctx, &account).await?;
    let as_plain = client_of(ctx, &plain).await?;
    Host::list(&as_member).await.should().be_ok();
    Host::list(&as_plain)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    // The role is deleted before accounts in cleanup: its account goes first.
    account.delete().await?;
    Ok(())
}

/// Deleting a rule gives the decision back to the role's type
/// (`RoleManagerImpl.deleteRolePermission`).
#[marvin::test(tags = ["smoke", "roles", "security"])]
async fn deleting_a_rule_restores_the_type_default(ctx: &mut TestContext) -> Result<()> {
    let role = custom_role(ctx, "User").await?;
    let deny = rule::<commands::ListZones>(ctx, &role, "deny").await?;
    let account = account_with(ctx, &role).await?;
    let as_member = client_of(ctx, &account).await?;
    Zone::list(&as_member)
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    deny.delete(ctx.client()).await?;
    Zone::list(&as_member).await.should().be_ok();
    // The role is deleted before accounts in cleanup: its account goes first.
    account.delete().await?;
    Ok(())
}

/// A user cannot make roles: 432 (`DynamicRoleBasedAPIAccessChecker`).
#[marvin::test(tags = ["smoke", "roles", "security"])]
async fn a_user_cannot_create_a_role(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    Role::create(&as_user)
        .name(unique("role"))
        .type_("Admin")
        .await
        .should()
        .fail_with(ErrorCode::UnsupportedAction);
    Ok(())
}
