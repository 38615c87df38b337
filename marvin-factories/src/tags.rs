//! Tags naming the run and the test on what factories create:
//! `marvin:run=<run id>` and `marvin:test=<test name>`, so a person looking
//! at the cloud sees which test made what.
//!
//! Only where the cloud has `createTags` (asked with `listApis
//! name=createTags`; the answer is remembered per process and endpoint),
//! and only on the resource types CloudStack can tag. `MARVIN_TAGGING=off`
//! turns it off. Tagging is best effort: a failure is logged (tracing,
//! warn) and does not fail the factory, since the resource exists and is
//! already registered for cleanup.

use marvin_entities::api;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use marvin_core::testing::TestContext;
use marvin_core::{Params, Resource};

/// The tag key naming the run (the one `marvin cleanup --by-tag` reads).
pub const RUN_KEY: &str = marvin_core::cleanup::RUN_TAG;
/// The tag key naming the test.
pub const TEST_KEY: &str = marvin_core::cleanup::TEST_TAG;

/// The CloudStack resource type (`createTags resourcetype=`) of an entity,
/// for the entities CloudStack can tag.
pub fn resource_type(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "VirtualMachine" => "UserVm",
        "Volume" => "Volume",
        "Snapshot" => "Snapshot",
        "VMSnapshot" => "VMSnapshot",
        "Template" => "Template",
        "Iso" => "ISO",
        "Network" => "Network",
        "Vpc" => "Vpc",
        "IpAddress" => "PublicIpAddress",
        "SecurityGroup" => "SecurityGroup",
        "PortForwardingRule" => "PortForwardingRule",
        "FirewallRule" | "EgressFirewallRule" => "FirewallRule",
        "LoadBalancerRule" => "LoadBalancer",
        "NetworkACL" => "NetworkACL",
        "Project" => "Project",
        "Account" => "Account",
        _ => return None,
    })
}

/// The answer for one endpoint, computed by the first caller while the
/// others wait.
type Support = Arc<futures_util::lock::Mutex<Option<bool>>>;

/// Whether the cloud behind `ctx` has `createTags` (cached per process and
/// endpoint).
pub async fn supported(ctx: &TestContext) -> bool {
    if std::env::var("MARVIN_TAGGING").is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return false;
    }
    static CACHE: OnceLock<Mutex<HashMap<String, Support>>> = OnceLock::new();
    let cell = {
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            cache
                .entry(ctx.client().endpoint().to_string())
                .or_default(),
        )
    };
    let mut known = cell.lock().await;
    if let Some(answer) = *known {
        return answer;
    }
    let answer = match ctx
        .client()
        .call(api("listApis"))
        .params(Params::from([("name", "createTags")]))
        .await
    {
        Ok(value) => value["api"]
            .as_array()
            .is_some_and(|apis| apis.iter().any(|api| api["name"] == "createTags")),
        Err(error) => {
            // Not remembered: the next resource asks again.
            tracing::debug!(%error, "listApis name=createTags failed: not tagging");
            return false;
        }
    };
    *known = Some(answer);
    answer
}

/// Tags `resource` with the run and the test, where supported.
pub async fn tag<R: Resource + ?Sized>(ctx: &TestContext, resource: &R) {
    let Some(kind) = resource_type(R::ENTITY) else {
        return;
    };
    if resource.id().is_empty() || !supported(ctx).await {
        return;
    }
    let mut params = Params::new();
    params
        .set("resourceids", resource.id())
        .set("resourcetype", kind)
        .set("tags[0].key", RUN_KEY)
        .set("tags[0].value", ctx.run_id())
        .set("tags[1].key", TEST_KEY)
        .set("tags[1].value", ctx.test_name());
    if let Err(error) = ctx.client().call(api("createTags")).params(params).await {
        tracing::warn!(%error, entity = R::ENTITY, id = resource.id(), "could not tag");
    }
}
