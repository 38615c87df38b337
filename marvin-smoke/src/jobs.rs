//! Async jobs: submitted, waited for, listed; failures and refusals with
//! their codes (the simulator's fault injection where a failure is needed).

use marvin::prelude::*;

use crate::support::client_of;

/// A job submitted without waiting is finished later with the verb's typed
/// answer (`ApiServer.queueCommand`, `AsyncJobManagerImpl`).
#[marvin::test(tags = ["smoke", "jobs"])]
async fn a_submitted_job_is_waited_for_later(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let job = account.disable(ctx.client()).lock(true).no_wait().await?;
    job.job_id().is_empty().should().equal(false);
    let locked = job.wait(ctx.client()).await?;
    locked.id.should().equal(account.id.clone());
    locked.state.as_deref().should().equal(Some("locked"));
    Ok(())
}

/// A finished job is listed with its command and a success status
/// (`QueryManagerImpl.searchForAsyncJobs`).
#[marvin::test(tags = ["smoke", "jobs"])]
async fn a_finished_job_is_listed(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let job = account.disable(ctx.client()).lock(true).no_wait().await?;
    let job_id = job.job_id().to_string();
    job.wait(ctx.client()).await?;
    let listed = AsyncJob::list(ctx.client())
        .listall(true)
        .await?
        .into_iter()
        .find(|j| j.jobid.as_deref() == Some(job_id.as_str()));
    let listed = listed.ok_or_else(|| Error::setup("the job is not listed"))?;
    listed
        .cmd
        .unwrap_or_default()
        .to_ascii_lowercase()
        .should()
        .contain("disableaccount");
    listed.jobstatus.should().equal(Some(1));
    Ok(())
}

/// A job's result is queried by its id (`ApiServer.queryAsyncJobResult`).
#[marvin::test(tags = ["smoke", "jobs"])]
async fn a_jobs_result_is_queried(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let job = account.disable(ctx.client()).lock(true).no_wait().await?;
    let job_id = job.job_id().to_string();
    job.wait(ctx.client()).await?;
    let result = AsyncJob::query_result(ctx.client()).jobid(job_id).await?;
    result.jobstatus.should().equal(Some(1));
    result.jobresultcode.should().equal(Some(0));
    Ok(())
}

/// Querying a job that does not exist is refused with 431
/// (`ApiServer.queryAsyncJobResult`: the id does not resolve).
#[marvin::test(tags = ["smoke", "jobs"])]
async fn an_unknown_job_is_refused(ctx: &mut TestContext) -> Result<()> {
    AsyncJob::query_result(ctx.client())
        .jobid("5d1f7e4a-0000-4000-8000-000000000000")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A user does not see another account's jobs
/// (`QueryManagerImpl.searchForAsyncJobs`, `buildACLSearchParameters`).
#[marvin::test(tags = ["smoke", "jobs", "security"])]
async fn a_user_does_not_see_others_jobs(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let job = account.disable(ctx.client()).lock(true).no_wait().await?;
    let job_id = job.job_id().to_string();
    job.wait(ctx.client()).await?;
    let outsider = UserAccount::create(ctx).await?;
    let as_outsider = client_of(ctx, &outsider).await?;
    AsyncJob::list(&as_outsider)
        .listall(true)
        .await?
        .iter()
        .any(|j| j.jobid.as_deref() == Some(job_id.as_str()))
        .should()
        .equal(false);
    Ok(())
}

/// An injected refusal answers its code (533 here) once; the same call
/// then works (the simulator's `configureSimulatorFault`, scoped to a zone
/// of the test's own so no other test meets it).
#[marvin::test(tags = ["smoke", "jobs", "simulator", "admin"])]
async fn an_injected_refusal_reports_its_code_once(ctx: &mut TestContext) -> Result<()> {
    let zone = AdvancedZone::create(ctx).await?;
    let fault = SimulatorFault::configure(ctx.client())
        .apiname(<commands::ListPods as Command>::API)
        .action("fail")
        .errorcode(533)
        .zoneid(zone.id.clone())
        .managed_by(ctx)
        .await?;
    fault.count.should().equal(Some(1));
    Pod::list(ctx.client())
        .zoneid(zone.id.clone())
        .await
        .should()
        .fail_with(ErrorCode::InsufficientCapacity);
    Pod::list(ctx.client())
        .zoneid(zone.id.clone())
        .await
        .should()
        .be_ok();
    Ok(())
}

/// A call failed on purpose reports the injected code and changes
/// nothing; the fault is then used up and the same call works (the
/// simulator's `listSimulatorFaults` counts it as fired).
#[marvin::test(tags = ["smoke", "jobs", "simulator", "admin"])]
async fn an_injected_failure_changes_nothing_and_is_used_up(ctx: &mut TestContext) -> Result<()> {
    let zone = AdvancedZone::create(ctx).await?;
    let fault = SimulatorFault::configure(ctx.client())
        .apiname(<commands::CreatePod as Command>::API)
        .action("fail")
        .errorcode(530)
        .errortext("Simulated failure")
        .zoneid(zone.id.clone())
        .managed_by(ctx)
        .await?;
    let new_pod = || {
        Pod::create(ctx.client())
            .zoneid(zone.id.clone())
            .name(sequence("pod"))
            .gateway("192.168.60.1")
            .netmask("255.255.255.0")
            .startip("192.168.60.10")
            .endip("192.168.60.20")
    };
    new_pod().await.should().fail_with(ErrorCode::InternalError);
    Pod::list(ctx.client())
        .zoneid(zone.id.clone())
        .await?
        .should()
        .be_empty();
    let fired = SimulatorFault::list(ctx.client())
        .id(fault.id.clone())
        .await?;
    fired[0].fired.should().equal(Some(1));
    fired[0].count.should().equal(Some(0));
    let pod = ctx.manage(new_pod().await?);
    pod.zoneid.should().equal(Some(zone.id.clone()));
    Ok(())
}

/// A user may query its own job (`AsyncJobManagerImpl.queryJob`).
#[marvin::test(tags = ["smoke", "jobs"])]
async fn a_user_queries_its_own_job(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await?;
    let as_owner = client_of(ctx, &account).await?;
    let job = vm.stop(&as_owner).no_wait().await?;
    let job_id = job.job_id().to_string();
    job.wait(&as_owner).await?;
    let result = AsyncJob::query_result(&as_owner).jobid(job_id).await?;
    result.jobstatus.should().equal(Some(1));
    Ok(())
}

/// A user cannot query another account's job: 531
/// (`AsyncJobManagerImpl.queryJob`, `checkAccess` on the job's owner).
#[marvin::test(tags = ["smoke", "jobs", "security"])]
async fn a_user_cannot_query_another_accounts_job(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let vm = VirtualMachineFactory::new()
        .owner(&account)
        .create(ctx)
        .await?;
    let as_owner = client_of(ctx, &account).await?;
    let job = vm.stop(&as_owner).no_wait().await?;
    let job_id = job.job_id().to_string();
    job.wait(&as_owner).await?;
    let outsider = UserAccount::create(ctx).await?;
    let as_outsider = client_of(ctx, &outsider).await?;
    AsyncJob::query_result(&as_outsider)
        .jobid(job_id)
        .await
        .should()
        .fail_with(ErrorCode::AccountError);
    Ok(())
}
