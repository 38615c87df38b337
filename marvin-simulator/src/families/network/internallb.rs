//! Internal load balancers of VPC tiers (`createLoadBalancer`,
//! `deleteLoadBalancer`, `listLoadBalancers`): CloudStack's
//! `ApplicationLoadBalancerManagerImpl`. A rule balances a source port of a
//! guest address of a tier (taken from the tier like a NIC's, or given)
//! over an instance port; only the `Internal` scheme exists, and the tier's
//! offering must have its Lb service from the `InternalLbVm` provider.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::Query;

use super::networks::check_network_access;
use super::nics;
use super::store::{self, Cidr};

/// `NetUtils.isValidAlgorithm`.
const ALGORITHMS: &[&str] = &["roundrobin", "leastconn", "source"];

fn port(call: &Call<'_>, name: &str, what: &str) -> Result<i64, ApiError> {
    let value = call
        .params
        .i64(name)?
        .ok_or_else(|| ApiError::missing(call.command, name))?;
    if !(1..=65535).contains(&value) {
        return Err(ApiError::param(format!(
            "Invalid value for {what}: {value}"
        )));
    }
    Ok(value)
}

/// `createLoadBalancer` (async, created in the request in state `Add`).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    // CreateApplicationLoadBalancerCmd.getScheme
    if !call.required("scheme")?.eq_ignore_ascii_case("Internal") {
        return Err(ApiError::param(
            "Invalid value for scheme. Supported value is internal",
        ));
    }
    let network = store::find_network(call.tx, call.required("networkid")?)?
        .ok_or_else(|| ApiError::param("Can't find guest network by id"))?;
    check_network_access(call, &network)?;
    let source_network = store::find_network(call.tx, call.required("sourceipaddressnetworkid")?)?
        .ok_or_else(|| ApiError::param("Can't find source ip network by id"))?;
    // validateLbRule
    if !store::supports(call.tx, &network, "Lb")? {
        return Err(ApiError::param(
            "LB service is not supported in specified network id",
        ));
    }
    let services =
        store::offering_services(call.tx, "network_offering_services", &network.offering_id)?;
    let internal = services
        .get("Lb")
        .is_some_and(|providers| providers.iter().any(|p| p == "InternalLbVm"));
    if !internal {
        return Err(ApiError::param(format!(
            "Scheme Internal is not supported by the network offering {}",
            network.offering_id
        )));
    }
    let instance_port = port(call, "instanceport", "instance port")?;
    let source_port = port(call, "sourceport", "source port")?;
    let algorithm = call.required("algorithm")?.to_string();
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(ApiError::param(format!("Invalid algorithm: {algorithm}")));
    }
    // validateSourceIpNtwkForInternalLbRule
    let Some(cidr) = source_network.cidr.as_deref().and_then(Cidr::parse) else {
        return Err(ApiError::param(
            "Can't create the application load balancer rule for the network having NULL cidr",
        ));
    };
    let owner = store::account(call.tx, network.owner())?;
    // getSourceIp: an address another rule of the tier uses is shared.
    let source_ip = match p.str("sourceipaddress") {
        Some(requested) => {
            let shared: Option<String> = call
                .tx
                .query_row(
                    "SELECT source_ip FROM internal_lb_rules WHERE source_ip = ?1 AND source_network_id = ?2 LIMIT 1",
                    params![requested, source_network.id],
                    |r| r.get(0),
                )
                .optional()?;
            match shared {
                Some(ip) => ip,
                None => {
                    let n =
                        ip::parse(requested).filter(|n| ip::in_subnet(*n, cidr.net, cidr.prefix));
                    if n.is_none() {
                        return Err(ApiError::param(
                            "The requested IP is not in the network's CIDR subnet.",
                        ));
                    }
                    nics::allocate_address(call, &source_network, &owner.id, Some(requested))?
                }
            }
        }
        None => nics::allocate_address(call, &source_network, &owner.id, None)?,
    };
    // detectLbRulesConflicts: one rule per source address and port.
    let conflict: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM internal_lb_rules WHERE source_ip = ?1 AND source_network_id = ?2 AND source_port = ?3",
            params![source_ip, source_network.id, source_port],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = conflict {
        return Err(ApiError::conflict(format!(
            "The range specified, {source_port}-{source_port}, conflicts with rule {other} which has {source_port}-{source_port}"
        )));
    }
    let id = ids::new_id();
    let name = call.required("name")?.to_string();
    call.tx.execute(
        "INSERT INTO internal_lb_rules (id, name, description, algorithm, network_id, source_network_id, source_ip,
                                        source_port, instance_port, account_id, domain_id, state, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'Add', ?12, ?13)",
        params![
            id,
            name,
            p.str("description"),
            algorithm,
            network.id,
            source_network.id,
            source_ip,
            source_port,
            instance_port,
            owner.id,
            owner.domain_id,
            p.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "LB.CREATE",
        "creating load balancer",
        Subject::of("LoadBalancerRule", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "LoadBalancerRule",
            "internal_lb_rules",
            &id,
            "Active",
            "applicationloadbalancer",
            rule_json,
        )
        .with_event(
            "LB.CREATE",
            format!("Create load balancer {name} on ip {source_ip}"),
        ),
    ))
}

/// `deleteLoadBalancer` (async): the rule goes; its address is free again
/// once no other rule of the tier uses it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let owner: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM internal_lb_rules WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let owner = owner.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &owner, &id)?;
    Ok(Reply::Job(
        jobs::delete_job("LoadBalancerRule", "internal_lb_rules", &id)
            .with_event("LB.DELETE", format!("Deleting load balancer id={id}")),
    ))
}

fn rule_query() -> Query {
    Query::new(
        "SELECT r.id AS id, r.name AS name, r.description AS description, r.algorithm AS algorithm,
                r.network_id AS networkid, r.source_ip AS sourceipaddress,
                r.source_network_id AS sourceipaddressnetworkid, r.source_port AS sourceport,
                r.instance_port AS instanceport, r.state AS state, r.account_id AS account_id,
                r.for_display AS \"fordisplay?\", a.name AS account, r.domain_id AS domainid, d.name AS domain
         FROM internal_lb_rules r LEFT JOIN identity_accounts a ON a.id = r.account_id
              LEFT JOIN identity_domains d ON d.id = r.domain_id",
    )
}

fn finish(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let source = row.remove("sourceport").unwrap_or(Value::Null);
    let instance = row.remove("instanceport").unwrap_or(Value::Null);
    let state = row.remove("state").unwrap_or(Value::Null);
    row.remove("account_id");
    row.insert(
        "loadbalancerrule".into(),
        json!([{ "sourceport": source, "instanceport": instance, "state": state }]),
    );
    row.insert("loadbalancerinstance".into(), Value::Array(Vec::new()));
    store::attach_tags(call, "LoadBalancer", &mut row)?;
    Ok(Value::Object(row))
}

/// One internal load balancer as responses show it.
pub(crate) fn rule_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish(call, rule_query().one(call.tx, "r.id", id)?)
}

/// `listLoadBalancers`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    if let Some(scheme) = p.str("scheme") {
        if !scheme.eq_ignore_ascii_case("Internal") {
            return Err(ApiError::param(
                "Invalid value for scheme. Supported value is internal",
            ));
        }
    }
    let mut query = rule_query();
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.eq("r.id", p.str("id"));
    query.eq("r.name", p.str("name"));
    query.eq("r.source_ip", p.str("sourceipaddress"));
    query.eq("r.source_network_id", p.str("sourceipaddressnetworkid"));
    query.eq("r.network_id", p.str("networkid"));
    query.flag("r.for_display", p.bool("fordisplay"));
    store::tag_filter(call, &mut query, "LoadBalancer", "r.id");
    query.keyword(&["r.name"], p.str("keyword"));
    query.order("r.seq");
    query.list(call, "loadbalancer", finish)
}
