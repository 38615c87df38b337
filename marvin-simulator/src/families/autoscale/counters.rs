//! Counters (`createCounter`, `deleteCounter`, `listCounters`) and
//! conditions (`createCondition`, `updateCondition`, `deleteCondition`,
//! `listConditions`): CloudStack's `AutoScaleManagerImpl`.

use rusqlite::params;
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Seed, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::ListScope;
use crate::kernel::sql::{self, Query, text};

use super::owner::{self, OWNER_COLUMNS, OWNER_JOINS};

/// `Counter.Source`.
pub(crate) const SOURCES: &[&str] = &["netscaler", "snmp", "cpu", "memory", "virtualrouter"];

/// The network service providers a counter may name (`Network.Provider`).
const PROVIDERS: &[&str] = &[
    "VirtualRouter",
    "VpcVirtualRouter",
    "Netscaler",
    "ElasticLoadBalancerVm",
    "InternalLbVm",
    "F5BigIp",
    "JuniperSRX",
    "PaloAlto",
    "Ovs",
    "Tungsten",
    "Nsx",
    "Netris",
];

/// `Condition.Operator`.
const OPERATORS: &[&str] = &["EQ", "GT", "LT", "GE", "LE"];

/// The counters of a fresh install (CloudStack 4.18's upgrade adds the
/// virtual router ones for both router providers).
pub(crate) fn seed(seed: &Seed<'_>) -> Result<(), ApiError> {
    let now = crate::kernel::time::format(seed.now);
    let mut counters = vec![
        (
            "Linux User CPU - percentage",
            "snmp",
            "1.3.6.1.4.1.2021.11.9.0",
            "Netscaler",
        ),
        (
            "Linux User RAM - percentage",
            "snmp",
            "1.3.6.1.4.1.2021.4.6.0",
            "Netscaler",
        ),
        (
            "Response Time - microseconds",
            "netscaler",
            "RESPTIME",
            "Netscaler",
        ),
    ];
    for provider in ["VirtualRouter", "VpcVirtualRouter"] {
        counters.extend([
            (
                "VM CPU - average percentage",
                "cpu",
                "vm.cpu.average.percentage",
                provider,
            ),
            (
                "VM Memory - average percentage",
                "memory",
                "vm.memory.average.percentage",
                provider,
            ),
            (
                "Public Network - mbps received per vm",
                "virtualrouter",
                "public.network.received.average.mbps",
                provider,
            ),
            (
                "Public Network - mbps transmit per vm",
                "virtualrouter",
                "public.network.transmit.average.mbps",
                provider,
            ),
            (
                "Load Balancer - average connections per vm",
                "virtualrouter",
                "virtual.network.lb.average.connections",
                provider,
            ),
        ]);
    }
    for (name, source, value, provider) in counters {
        seed.tx.execute(
            "INSERT INTO autoscale_counters (id, name, source, value, provider, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![ids::new_id(), name, source, value, provider, now],
        )?;
    }
    Ok(())
}

fn provider_named(name: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(name))
}

/// `createCounter` (async, created in the request; root admins only).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let source = call.required("source")?;
    let Some(source) = SOURCES
        .iter()
        .copied()
        .find(|s| s.eq_ignore_ascii_case(source))
    else {
        return Err(ApiError::param(format!(
            "The Source {} does not exist; Unable to create Counter",
            source.to_ascii_uppercase()
        )));
    };
    let provider_param = call.required("provider")?;
    let provider = provider_named(provider_param).ok_or_else(|| {
        ApiError::param(format!(
            "The Provider {provider_param} does not exist; Unable to create Counter"
        ))
    })?;
    let name = call.required("name")?.to_string();
    let value = call.required("value")?.to_string();
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO autoscale_counters (id, name, source, value, provider, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, name, source, value, provider, call.timestamp()],
    )?;
    event_log::created_event(
        call,
        "COUNTER.CREATE",
        "Counter",
        Subject::of("Counter", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::object_job("Counter", &id, "counter", counter_json)
            .with_event("COUNTER.CREATE", format!("creating counter: {name}")),
    ))
}

/// `deleteCounter` (async): refused (536, `ResourceInUseException`) while
/// a condition uses it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    if !sql::exists(call.tx, "autoscale_counters", &id)? {
        return Err(ApiError::param("Unable to find Counter"));
    }
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "Counter",
            "autoscale_counters",
            &id,
            "SELECT COUNT(*) FROM autoscale_conditions WHERE counter_id = ?1",
            |_| ApiError::in_use("Counter is in use."),
        )
        .with_event("COUNTER.DELETE", format!("deleting counter: {id}")),
    ))
}

fn counter_query() -> Query {
    Query::new(
        "SELECT c.id AS id, c.name AS name, c.source AS source, c.value AS value, c.provider AS provider,
                NULL AS zoneid
         FROM autoscale_counters c",
    )
}

fn counter_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    counter_query().one(call.tx, "c.id", id).map(Value::Object)
}

/// `listCounters`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let provider = match p.str("provider") {
        Some(given) => Some(provider_named(given).ok_or_else(|| {
            ApiError::param(format!(
                "The Provider {given} does not exist; Unable to list Counter"
            ))
        })?),
        None => None,
    };
    let mut query = counter_query();
    query.eq("c.id", p.str("id"));
    query.eq("c.name", p.str("name"));
    query.eq_nocase("c.source", p.str("source"));
    query.eq("c.provider", provider);
    query.keyword(&["c.name"], p.str("keyword"));
    query.order("c.seq");
    query.list(call, "counter", |_, row| Ok(Value::Object(row)))
}

fn operator(call: &Call<'_>, verb: &str) -> Result<&'static str, ApiError> {
    let given = call.required("relationaloperator")?.to_ascii_uppercase();
    OPERATORS
        .iter()
        .copied()
        .find(|o| *o == given)
        .ok_or_else(|| {
            ApiError::param(format!(
                "The Operator {given} does not exist; Unable to {verb} Condition."
            ))
        })
}

fn threshold(call: &Call<'_>) -> Result<i64, ApiError> {
    let threshold = call
        .params
        .i64("threshold")?
        .ok_or_else(|| ApiError::missing(call.command, "threshold"))?;
    if threshold < 0 {
        return Err(ApiError::param(format!(
            "The threshold {threshold} must be equal to or greater than 0."
        )));
    }
    Ok(threshold)
}

/// `createCondition` (async, created in the request).
pub(crate) fn create_condition(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let owner = owner::owner_of(call)?;
    let op = operator(call, "create")?;
    let threshold = threshold(call)?;
    let counter = call.required("counterid")?.to_string();
    if !sql::exists(call.tx, "autoscale_counters", &counter)? {
        return Err(ApiError::param("Unable to find counter"));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO autoscale_conditions (id, counter_id, threshold, operator, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            counter,
            threshold,
            op,
            owner.account_id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "CONDITION.CREATE",
        "Condition",
        Subject::of("Condition", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::object_job("Condition", &id, "condition", condition_json)
            .with_event("CONDITION.CREATE", "creating condition".to_string()),
    ))
}

/// `updateCondition` (async): refused (536) while a group that is not
/// disabled uses a policy with the condition.
pub(crate) fn update_condition(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    owner::owned(call, "autoscale_conditions", "Condition", &id)?;
    let op = operator(call, "update")?;
    let threshold = threshold(call)?;
    let live = call.tx.query_row(
        "SELECT COUNT(DISTINCT g.id) FROM autoscale_policy_conditions pc
         JOIN autoscale_vm_group_policies gp ON gp.policy_id = pc.policy_id
         JOIN autoscale_vm_groups g ON g.id = gp.group_id
         WHERE pc.condition_id = ?1 AND g.state != 'disabled'",
        [&id],
        |r| r.get::<_, i64>(0),
    )?;
    if live > 0 {
        return Err(ApiError::in_use(format!(
            "Cannot update condition {id} as it is being used in {live} vm groups NOT in Disabled state."
        )));
    }
    call.tx.execute(
        "UPDATE autoscale_conditions SET operator = ?2, threshold = ?3 WHERE id = ?1",
        params![id, op, threshold],
    )?;
    Ok(Reply::Job(
        Job::on(
            "Condition",
            id.clone(),
            Box::new(|_: &mut Call<'_>| Ok(Reply::Success(None))),
        )
        .with_event("CONDITION.UPDATE", format!("update a condition: {id}")),
    ))
}

/// `deleteCondition` (async): refused (536) while a policy uses it.
pub(crate) fn delete_condition(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    owner::owned(call, "autoscale_conditions", "Condition", &id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "Condition",
            "autoscale_conditions",
            &id,
            "SELECT COUNT(*) FROM autoscale_policy_conditions WHERE condition_id = ?1",
            |_| {
                ApiError::in_use(
                    "Cannot delete Condition when it is in use by one or more AutoScale Policies.",
                )
            },
        )
        .with_event("CONDITION.DELETE", format!("delete a condition: {id}")),
    ))
}

fn condition_query() -> Query {
    Query::new(format!(
        "SELECT t.id AS id, CAST(t.threshold AS TEXT) AS threshold, t.operator AS relationaloperator,
                t.counter_id AS counterid, c.name AS countername, NULL AS zoneid, {OWNER_COLUMNS}
         FROM autoscale_conditions t JOIN autoscale_counters c ON c.id = t.counter_id {OWNER_JOINS}"
    ))
}

fn finish_condition(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    if let Some(Value::String(counter)) = row.get("counterid").cloned() {
        row.insert(
            "counter".into(),
            Value::Array(vec![counter_json(call, &counter)?]),
        );
    }
    // The threshold is a long in CloudStack's answer.
    if let Some(Value::String(t)) = row.get("threshold").cloned() {
        if let Ok(n) = t.parse::<i64>() {
            row.insert("threshold".into(), Value::from(n));
        }
    }
    Ok(Value::Object(row))
}

/// One condition as responses show it.
pub(crate) fn condition_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_condition(call, condition_query().one(call.tx, "t.id", id)?)
}

/// `listConditions`.
pub(crate) fn list_conditions(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = condition_query();
    query.scope(&ListScope::of(call)?, "t.account_id");
    query.eq("t.id", p.str("id"));
    query.eq("t.counter_id", p.str("counterid"));
    if let Some(policy) = p.str("policyid") {
        query.and(
            "t.id IN (SELECT condition_id FROM autoscale_policy_conditions WHERE policy_id = ?)",
            [text(policy)],
        );
    }
    query.order("t.seq");
    query.list(call, "condition", finish_condition)
}
