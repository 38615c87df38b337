//! Failures on purpose, with the simulator's fault injection
//! (`configureSimulatorFault`; see docs/simulator-faults.md): a failed
//! async job and a refused request are reported with their codes and
//! change nothing. Each fault is scoped to a zone the scenario creates, so
//! concurrent scenarios never trip over it. On a real cloud (no fault
//! APIs) these scenarios are skipped.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{SIMULATOR_FAULT, TEMPLATE, ZONE, create, find, require_api, unique};
use crate::prelude::*;

async fn private_zone(
    ctx: &TestContext,
) -> Result<marvin_core::cleanup::Managed<super::support::Raw>> {
    create(
        ctx,
        &ZONE,
        Params::new()
            .with("name", unique("fault-zone"))
            .with("networktype", "Advanced")
            .with("dns1", "8.8.8.8")
            .with("internaldns1", "10.0.0.2"),
    )
    .await
}

/// A job that fails reports its error code and its work is not done: the
/// template is not deleted; the fault is used up, and the next deletion
/// works.
pub async fn failed_job_changes_nothing(ctx: &mut TestContext) -> Result<()> {
    require_api(ctx, "configureSimulatorFault").await?;
    let zone = private_zone(ctx).await?;
    let builtin = super::templates::builtin_template(ctx).await?;
    let template = create(
        ctx,
        &TEMPLATE,
        Params::new()
            .with("name", unique("fault-tpl"))
            .with("displaytext", "Template of a failing deletion")
            .with("url", "http://images.example.com/fault.vhd")
            .with("format", builtin["format"].as_str().unwrap_or("VHD"))
            .with(
                "hypervisor",
                builtin["hypervisor"].as_str().unwrap_or("Simulator"),
            )
            .with("ostypeid", builtin["ostypeid"].as_str().unwrap_or_default())
            .with("zoneid", zone.id()),
    )
    .await?;
    let fault = create(
        ctx,
        &SIMULATOR_FAULT,
        Params::new()
            .with("apiname", "deleteTemplate")
            .with("action", "fail")
            .with("target", "job")
            .with("errorcode", 530)
            .with("errortext", "Simulated storage failure")
            .with("zoneid", zone.id()),
    )
    .await?;
    fault["count"].should().equal(1);

    let delete = || {
        ctx.client()
            .call(api("deleteTemplate"))
            .params(
                Params::new()
                    .with("id", template.id())
                    .with("zoneid", zone.id()),
            )
            .send()
    };
    let failed = delete().await;
    match &failed {
        Err(Error::JobFailed { text, .. }) => text.should().contain("Simulated storage failure"),
        other => panic!("expected a failed job, got {other:?}"),
    }
    failed.should().fail_with(ErrorCode::InternalError);
    let still = find(
        ctx.client(),
        "listTemplates",
        template.id(),
        Params::new().with("templatefilter", "all"),
    )
    .await?;
    should!(still).be_some();

    let faults = ctx
        .client()
        .list_all("listSimulatorFaults", Params::new().with("id", fault.id()))
        .await?;
    faults[0]["fired"].should().equal(1);
    faults[0]["count"].should().equal(0);

    // Used up: the same deletion now works.
    delete().await.should().be_ok();
    Ok(())
}

/// A refused request answers the injected code (533 here) as an API error,
/// once; the same call then succeeds.
pub async fn refused_request_reports_its_code(ctx: &mut TestContext) -> Result<()> {
    require_api(ctx, "configureSimulatorFault").await?;
    let zone = private_zone(ctx).await?;
    create(
        ctx,
        &SIMULATOR_FAULT,
        Params::new()
            .with("apiname", "listPods")
            .with("action", "fail")
            .with("errorcode", 533)
            .with("zoneid", zone.id()),
    )
    .await?;
    let by_zone = || Params::new().with("zoneid", zone.id());
    let refused = ctx.client().call(api("listPods")).params(by_zone()).await;
    refused.should().fail_with(ErrorCode::InsufficientCapacity);
    ctx.client()
        .call(api("listPods"))
        .params(by_zone())
        .await
        .should()
        .be_ok();
    Ok(())
}
