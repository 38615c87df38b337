//! Projects: their states, their members and who sees them.

use marvin::prelude::*;

use crate::support::{client_of, unique};

/// The ids of the projects `client`'s caller sees.
async fn visible_projects(client: &Client) -> Result<Vec<String>> {
    Ok(Project::list(client)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// A new project is Active, with its display text
/// (`ProjectManagerImpl.createProject`).
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_new_project_is_active(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::new()
        .displaytext("Smoke project")
        .create(ctx)
        .await?;
    project.state.as_deref().should().equal(Some("Active"));
    project
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Smoke project"));
    Ok(())
}

/// A suspended project is Suspended; activated again it is Active
/// (`ProjectManagerImpl.suspendProject`, `activateProject`).
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_project_is_suspended_and_activated(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let suspended = project.suspend(ctx.client()).await?;
    suspended.state.as_deref().should().equal(Some("Suspended"));
    let active = project.activate(ctx.client()).await?;
    active.state.as_deref().should().equal(Some("Active"));
    Ok(())
}

/// An account added to a project sees it; removed, it does not
/// (`ProjectManagerImpl.addAccountToProject`, `deleteAccountFromProject`).
#[marvin::test(tags = ["smoke", "projects"])]
async fn an_account_joins_and_leaves_a_project(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let member = UserAccount::create(ctx).await?;
    let name = member.name.clone().unwrap_or_default();
    let as_member = client_of(ctx, &member).await?;
    visible_projects(&as_member)
        .await?
        .should_not()
        .contain(project.id.clone());
    project
        .add_account(ctx.client())
        .account(name.clone())
        .await?;
    visible_projects(&as_member)
        .await?
        .should()
        .contain(project.id.clone());
    project.delete_account(ctx.client()).account(name).await?;
    visible_projects(&as_member)
        .await?
        .should_not()
        .contain(project.id.clone());
    Ok(())
}

/// An account cannot be added to a suspended project: 431
/// (`ProjectManagerImpl.addAccountToProject`: "Can't add account to the
/// specified project id in state=Suspended").
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_suspended_project_takes_no_accounts(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let member = UserAccount::create(ctx).await?;
    project.suspend(ctx.client()).await?;
    project
        .add_account(ctx.client())
        .account(member.name.clone().unwrap_or_default())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A project's display text can be changed (`ProjectManagerImpl.updateProject`).
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_projects_display_text_is_changed(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let updated = project
        .update(ctx.client())
        .displaytext("Renamed project")
        .await?;
    updated
        .displaytext
        .as_deref()
        .should()
        .equal(Some("Renamed project"));
    Ok(())
}

/// A deleted project is no longer listed (`ProjectManagerImpl.deleteProject`).
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_deleted_project_is_no_longer_listed(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let id = project.id.clone();
    project.delete().await?;
    let left: Vec<String> = Project::list(ctx.client())
        .listall(true)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    left.should_not().contain(id);
    Ok(())
}

/// A second project of the same name in a domain is refused with 431
/// (`ProjectManagerImpl.createProject`: "Project with name .. already exists").
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_duplicate_project_name_is_refused(ctx: &mut TestContext) -> Result<()> {
    let name = unique("proj");
    ProjectFactory::new().name(name.clone()).create(ctx).await?;
    ProjectFactory::new()
        .name(name)
        .create(ctx)
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A user may make a project of its own and sees it
/// (`ProjectManagerImpl.createProject`, `allow.user.create.projects`
/// defaults to true).
#[marvin::test(tags = ["smoke", "projects"])]
async fn a_user_makes_its_own_project(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let project = ProjectFactory::new().owner(&account).create(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    visible_projects(&as_user)
        .await?
        .should()
        .contain(project.id.clone());
    project.domainid.should().equal(account.domainid.clone());
    Ok(())
}

/// Another account's project is not listed for a user
/// (`QueryManagerImpl.listProjects`: members only).
#[marvin::test(tags = ["smoke", "projects", "security"])]
async fn a_user_does_not_see_others_projects(ctx: &mut TestContext) -> Result<()> {
    let project = ProjectFactory::create(ctx).await?;
    let outsider = UserAccount::create(ctx).await?;
    let as_outsider = client_of(ctx, &outsider).await?;
    let seen: Vec<String> = Project::list(&as_outsider)
        .listall(true)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    seen.should_not().contain(project.id.clone());
    Ok(())
}
