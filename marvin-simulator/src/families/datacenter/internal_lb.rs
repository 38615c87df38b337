//! Internal load balancer elements (`listInternalLoadBalancerElements`,
//! `configureInternalLoadBalancerElement`): the element behind each
//! physical network's `InternalLbVm` provider, kept beside the virtual
//! router elements as CloudStack keeps both in `virtual_router_providers`
//! (`InternalLoadBalancerElement`). The provider can be enabled only once
//! its element is.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::sql::Query;

/// The element kind of the `InternalLbVm` provider.
pub(crate) const KIND: &str = "InternalLbVm";

fn element_query() -> Query {
    let mut query = Query::new(
        "SELECT e.id AS id, e.nsp_id AS nspid, e.enabled AS \"enabled?\" FROM virtual_router_elements e",
    );
    query.eq("e.kind", Some(KIND));
    query
}

/// `listInternalLoadBalancerElements`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = element_query();
    query.eq("e.id", p.str("id"));
    query.eq("e.nsp_id", p.str("nspid"));
    query.flag("e.enabled", p.bool("enabled"));
    query.order("e.rowid");
    query.list_plain(call, "internalloadbalancerelement")
}

/// `configureInternalLoadBalancerElement` (async): enables or disables
/// the element (`InternalLoadBalancerElement.configureInternalLoadBalancerElement`).
pub(crate) fn configure(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let enabled = call
        .params
        .bool("enabled")
        .ok_or_else(|| ApiError::missing(call.command, "enabled"))?;
    let known: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM virtual_router_elements WHERE id = ?1 AND kind = ?2",
            params![id, KIND],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        return Err(ApiError::param(format!(
            "Can't find {KIND} element with network service provider id {id} to be used as a provider for {KIND}"
        )));
    }
    let job_id = id;
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            call.tx.execute(
                "UPDATE virtual_router_elements SET enabled = ?2 WHERE id = ?1",
                params![job_id, enabled],
            )?;
            Ok(Reply::Object {
                key: "internalloadbalancerelement",
                value: Value::Object(element_query().one(call.tx, "e.id", &job_id)?),
            })
        }))
        .with_event(
            "NETWORK.ELEMENT.CONFIGURE",
            "configuring internal load balancer element",
        ),
    ))
}
