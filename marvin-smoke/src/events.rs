//! Events: what actions record, and who sees them.

use marvin::prelude::*;

use crate::support::{client_of, first_user, unique};

/// The events of resource `id`, over every account.
async fn events_of(client: &Client, id: &str) -> Result<Vec<Event>> {
    Event::list(client).resourceid(id).listall(true).await
}

/// How many of `events` are completed, INFO events of `kind`.
fn completed(events: &[Event], kind: &str) -> usize {
    events
        .iter()
        .filter(|e| {
            e.type_.as_deref() == Some(kind)
                && e.state.as_deref() == Some("Completed")
                && e.level.as_deref() == Some("INFO")
        })
        .count()
}

/// Creating, updating and deleting an account each record a completed
/// event (`EventTypes`: ACCOUNT.CREATE/UPDATE/DELETE, `ActionEventInterceptor`).
#[marvin::test(tags = ["smoke", "events"])]
async fn account_changes_are_recorded(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let id = account.id.clone();
    account.update(ctx.client()).newname(unique("evt")).await?;
    account.delete().await?;
    let events = events_of(ctx.client(), &id).await?;
    completed(&events, "ACCOUNT.CREATE").should().equal(1);
    completed(&events, "ACCOUNT.UPDATE").should().equal(1);
    completed(&events, "ACCOUNT.DELETE").should().equal(1);
    Ok(())
}

/// An async action records Scheduled, Started and Completed events, the
/// completion pointing at the start (`ActionEventUtils`,
/// `ApiServer.queueCommand`).
#[marvin::test(tags = ["smoke", "events", "jobs"])]
async fn an_async_action_records_its_stages(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account.disable(ctx.client()).lock(false).await?;
    let disables: Vec<Event> = events_of(ctx.client(), &account.id)
        .await?
        .into_iter()
        .filter(|e| e.type_.as_deref() == Some("ACCOUNT.DISABLE"))
        .collect();
    let mut states: Vec<String> = disables.iter().filter_map(|e| e.state.clone()).collect();
    states.sort();
    states.should().equal(vec![
        "Completed".to_string(),
        "Scheduled".to_string(),
        "Started".to_string(),
    ]);
    let started = disables
        .iter()
        .find(|e| e.state.as_deref() == Some("Started"))
        .map(|e| e.id.clone());
    let done = disables
        .iter()
        .find(|e| e.state.as_deref() == Some("Completed"))
        .and_then(|e| e.parentid.clone());
    done.should().equal(started);
    Ok(())
}

/// A user sees the events of its own actions, not those of other accounts
/// (`QueryManagerImpl.searchForEvents`, `buildACLSearchParameters`).
#[marvin::test(tags = ["smoke", "events", "security"])]
async fn a_user_sees_only_its_own_events(ctx: &mut TestContext) -> Result<()> {
    let alice = UserAccount::create(ctx).await?;
    let bob = UserAccount::create(ctx).await?;
    let alices_user = first_user(ctx, &alice).await?;
    let as_alice = client_of(ctx, &alice).await?;
    alices_user.update(&as_alice).firstname("Alice").await?;
    let seen = Event::list(&as_alice).await?;
    seen.iter()
        .any(|e| {
            e.type_.as_deref() == Some("USER.UPDATE")
                && e.resourceid.as_deref() == Some(alices_user.id.as_str())
        })
        .should()
        .equal(true);
    seen.iter()
        .any(|e| e.account == bob.name)
        .should()
        .equal(false);
    Ok(())
}

/// Creating a domain records DOMAIN.CREATE (`DomainManagerImpl.createDomain`).
#[marvin::test(tags = ["smoke", "events", "domains"])]
async fn creating_a_domain_is_recorded(ctx: &mut TestContext) -> Result<()> {
    let domain = DomainFactory::create(ctx).await?;
    let events = events_of(ctx.client(), &domain.id).await?;
    completed(&events, "DOMAIN.CREATE").should().equal(1);
    Ok(())
}

/// The event types include the account and VM actions (`EventTypes`).
#[marvin::test(tags = ["smoke", "events"])]
async fn the_event_types_are_listed(ctx: &mut TestContext) -> Result<()> {
    let names: Vec<String> = Event::list_types(ctx.client())
        .await?
        .into_iter()
        .filter_map(|t| t.name)
        .collect();
    names.should().contain("ACCOUNT.CREATE".to_string());
    names.should().contain("VM.START".to_string());
    names.should().contain("CREATE_TAGS".to_string());
    Ok(())
}

/// Events are filtered by type (`QueryManagerImpl.searchForEvents`).
#[marvin::test(tags = ["smoke", "events"])]
async fn events_are_filtered_by_type(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account
        .update(ctx.client())
        .newname(unique("typed"))
        .await?;
    let updates = Event::list(ctx.client())
        .resourceid(account.id.clone())
        .type_("ACCOUNT.UPDATE")
        .listall(true)
        .await?;
    updates.should_not().be_empty();
    updates
        .iter()
        .all(|e| e.type_.as_deref() == Some("ACCOUNT.UPDATE"))
        .should()
        .equal(true);
    Ok(())
}

/// A failed action records an ERROR event (`ActionEventInterceptor`:
/// "Error while <desc>").
#[marvin::test(tags = ["smoke", "events", "domains"])]
async fn a_failed_action_records_an_error(ctx: &mut TestContext) -> Result<()> {
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
    let errors = Event::list(ctx.client())
        .resourceid(domain.id.clone())
        .type_("DOMAIN.DELETE")
        .level("ERROR")
        .listall(true)
        .await?;
    errors.should_not().be_empty();
    Ok(())
}
