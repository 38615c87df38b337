//! Autoscale VM groups (`createAutoScaleVmGroup`, `updateAutoScaleVmGroup`,
//! `enableAutoScaleVmGroup`, `disableAutoScaleVmGroup`,
//! `deleteAutoScaleVmGroup`, `listAutoScaleVmGroups`): one per load
//! balancer rule, with scale-up and scale-down policies, member bounds and
//! an evaluation interval (`AutoScaleManagerImpl.checkValidityAndPersist`).
//! States: `new` until the creating job, then `enabled`; `disabled`.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::families::network::api::{self as network, LbTarget};
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::owner::{self, OWNER_COLUMNS, OWNER_JOINS};
use super::policies::policy_json;

/// `NetUtils.DEFAULT_AUTOSCALE_POLICY_INTERVAL_TIME`, seconds.
pub(crate) const DEFAULT_INTERVAL: i64 = 30;

/// The counter sources a virtual router load balancer evaluates
/// (`VirtualRouterElement`'s `AutoScaleCounters` capability).
const ROUTER_SOURCES: &[&str] = &["cpu", "memory", "virtualrouter"];

/// The load balancer rule named by `lbruleid`, refused like
/// `getEntityInDatabase` ("Unable to find lbruleid", 531).
fn lb_rule(call: &Call<'_>, id: &str) -> Result<LbTarget, ApiError> {
    let rule = network::autoscale_target(call, id)?
        .ok_or_else(|| ApiError::param("Unable to find lbruleid"))?;
    check_access(call, &rule.account_id, &rule.id)?;
    Ok(rule)
}

/// `checkAutoScaleVmGroupName`.
fn check_name(name: Option<&str>) -> Result<(), ApiError> {
    let valid = name.is_some_and(|n| {
        (1..=255).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !valid {
        return Err(ApiError::param(
            "Invalid AutoScale VM group name. It can contain the ASCII letters 'a' through 'z', 'A' through 'Z', the digits '0' through '9' and the hyphen ('-'), must be between 1 and 255 characters long.",
        ));
    }
    Ok(())
}

/// The bounds and interval of a group.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: i64,
    max: i64,
    interval: i64,
}

fn check_bounds(b: Bounds) -> Result<(), ApiError> {
    if b.min <= 0 {
        return Err(ApiError::param(format!(
            "minmembers is an invalid value: {}",
            b.min
        )));
    }
    if b.max <= 0 {
        return Err(ApiError::param(format!(
            "maxmembers is an invalid value: {}",
            b.max
        )));
    }
    if b.min > b.max {
        return Err(ApiError::param(format!(
            "minmembers ({})cannot be greater than maxmembers ({})",
            b.min, b.max
        )));
    }
    if b.interval <= 0 {
        return Err(ApiError::param(format!(
            "interval is an invalid value: {}",
            b.interval
        )));
    }
    Ok(())
}

/// `getAutoScalePolicies`: the policies exist, are of the right action,
/// last at least the interval, and belong to the group's owner; answers the
/// counter sources their conditions use.
fn check_policies(
    call: &Call<'_>,
    ids: &[String],
    scale_up: bool,
    interval: i64,
    group_owner: &str,
) -> Result<Vec<String>, ApiError> {
    let mut sources = Vec::new();
    for id in ids {
        let row: Option<(String, String, i64)> = call
            .tx
            .query_row(
                "SELECT account_id, action, duration FROM autoscale_policies WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        // CloudStack searches the ids given and checks what it found.
        let Some((owner, action, duration)) = row else {
            continue;
        };
        if duration < interval {
            return Err(ApiError::param(format!(
                "duration : {duration} specified in a policy cannot be less than vm group's interval : {interval}"
            )));
        }
        match (scale_up, action == "ScaleUp") {
            (true, false) => {
                return Err(ApiError::param(
                    "Only scaleup policies can be specified in scaleuppolicyids",
                ));
            }
            (false, true) => {
                return Err(ApiError::param(
                    "Only scaledown policies can be specified in scaledownpolicyids",
                ));
            }
            _ => {}
        }
        check_access(call, &owner, id)?;
        if owner != group_owner {
            return Err(ApiError::permission(format!(
                "Entity {id} and the load balancer rule belong to different accounts"
            )));
        }
        let mut stmt = call.tx.prepare_cached(
            "SELECT c.source FROM autoscale_policy_conditions pc
             JOIN autoscale_conditions k ON k.id = pc.condition_id
             JOIN autoscale_counters c ON c.id = k.counter_id WHERE pc.policy_id = ?1",
        )?;
        let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
        for source in rows {
            sources.push(source?);
        }
    }
    Ok(sources)
}

fn current_policies(
    call: &Call<'_>,
    group_id: &str,
    action: &str,
) -> Result<Vec<String>, ApiError> {
    let mut stmt = call.tx.prepare_cached(
        "SELECT gp.policy_id FROM autoscale_vm_group_policies gp JOIN autoscale_policies p ON p.id = gp.policy_id
         WHERE gp.group_id = ?1 AND p.action = ?2 ORDER BY p.seq",
    )?;
    let rows = stmt.query_map([group_id, action], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What `checkValidityAndPersist` checks for a group before it is stored;
/// answers the policy ids the group is to have.
fn validate(
    call: &Call<'_>,
    name: Option<&str>,
    bounds: Bounds,
    scale_up: &[String],
    scale_down: &[String],
    profile_id: &str,
    rule: &LbTarget,
) -> Result<Vec<String>, ApiError> {
    check_name(name)?;
    check_bounds(bounds)?;
    if scale_up.is_empty() {
        return Err(ApiError::param(
            "AutoScale VM group must have at least one ScaleUp policy",
        ));
    }
    let mut sources = check_policies(call, scale_up, true, bounds.interval, &rule.account_id)?;
    if scale_down.is_empty() {
        return Err(ApiError::param(
            "AutoScale VM group must have at least one ScaleDown policy",
        ));
    }
    sources.extend(check_policies(
        call,
        scale_down,
        false,
        bounds.interval,
        &rule.account_id,
    )?);
    let profile_owner = owner::owned(call, "autoscale_vm_profiles", "vmprofileid", profile_id)?;
    if profile_owner != rule.account_id {
        return Err(ApiError::permission(format!(
            "Entity {profile_id} and the load balancer rule belong to different accounts"
        )));
    }
    if !rule.supports_lb {
        return Err(ApiError::param(
            "Vm AutoScaling is not supported by this network.",
        ));
    }
    if let Some(source) = sources
        .iter()
        .find(|s| !ROUTER_SOURCES.contains(&s.as_str()))
    {
        return Err(ApiError::param(format!(
            "AutoScale counter with source='{source}' is not supported in the network"
        )));
    }
    Ok(scale_up.iter().chain(scale_down).cloned().collect())
}

fn set_policies(call: &Call<'_>, group_id: &str, policies: &[String]) -> Result<(), ApiError> {
    call.tx.execute(
        "DELETE FROM autoscale_vm_group_policies WHERE group_id = ?1",
        [group_id],
    )?;
    for policy in policies {
        call.tx.execute(
            "INSERT OR IGNORE INTO autoscale_vm_group_policies (group_id, policy_id) VALUES (?1, ?2)",
            params![group_id, policy],
        )?;
    }
    Ok(())
}

/// `createAutoScaleVmGroup` (async, created in the request in state
/// `new`; the job enables it).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let rule = lb_rule(call, call.required("lbruleid")?)?;
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM autoscale_vm_groups WHERE lb_rule_id = ?1",
        &rule.id,
    )? > 0
    {
        return Err(ApiError::param(
            "an AutoScaleVmGroup is already attached to the lb rule, the existing vm group has to be first deleted",
        ));
    }
    if rule.has_vms {
        return Err(ApiError::param(
            "there are Vms already bound to the specified LoadBalancing Rule. User bound Vms and AutoScaled Vm Group cannot co-exist on a Load Balancing Rule",
        ));
    }
    let bounds = Bounds {
        min: p
            .i64("minmembers")?
            .ok_or_else(|| ApiError::missing(call.command, "minmembers"))?,
        max: p
            .i64("maxmembers")?
            .ok_or_else(|| ApiError::missing(call.command, "maxmembers"))?,
        interval: p.i64("interval")?.unwrap_or(DEFAULT_INTERVAL),
    };
    let profile = call.required("vmprofileid")?.to_string();
    let name = p.str("name");
    let policies = validate(
        call,
        name,
        bounds,
        &p.list("scaleuppolicyids"),
        &p.list("scaledownpolicyids"),
        &profile,
        &rule,
    )?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO autoscale_vm_groups (id, name, lb_rule_id, profile_id, zone_id, min_members, max_members,
                                          interval, state, for_display, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9, ?10, ?11, ?12)",
        params![
            id,
            name,
            rule.id,
            profile,
            rule.zone_id,
            bounds.min,
            bounds.max,
            bounds.interval,
            p.flag("fordisplay", true),
            rule.account_id,
            rule.domain_id,
            call.timestamp()
        ],
    )?;
    set_policies(call, &id, &policies)?;
    event_log::created_event(
        call,
        "AUTOSCALEVMGROUP.CREATE",
        "Creating AutoScale Instance Group",
        Subject::of("AutoScaleVmGroup", &id, name.unwrap_or_default()),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "AutoScaleVmGroup",
            "autoscale_vm_groups",
            &id,
            "enabled",
            "autoscalevmgroup",
            group_json,
        )
        .with_event(
            "AUTOSCALEVMGROUP.CREATE",
            format!("Configuring AutoScale Instance Group with ID: {id}"),
        ),
    ))
}

fn group_state(call: &Call<'_>, id: &str) -> Result<(String, String), ApiError> {
    let owner = owner::owned(call, "autoscale_vm_groups", "AutoScale Vm Group", id)?;
    let state: String = call.tx.query_row(
        "SELECT state FROM autoscale_vm_groups WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok((owner, state))
}

/// `updateAutoScaleVmGroup` (async): bounds, interval and policies change
/// only while the group is disabled.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let (_, state) = group_state(call, &id)?;
    let row = sql::objects(
        call.tx,
        "SELECT name, lb_rule_id, profile_id, min_members, max_members, interval FROM autoscale_vm_groups WHERE id = ?1",
        &[text(&id)],
    )?
    .pop()
    .ok_or_else(|| ApiError::param("Unable to find AutoScale Vm Group"))?;
    let field = |k: &str| row.get(k).and_then(Value::as_i64).unwrap_or_default();
    let string = |k: &str| {
        row.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let current_interval = field("interval");
    let up_given = p.list("scaleuppolicyids");
    let down_given = p.list("scaledownpolicyids");
    let interval = p.i64("interval")?;
    let physical = p.str("minmembers").is_some()
        || p.str("maxmembers").is_some()
        || interval.is_some_and(|i| i != current_interval)
        || !up_given.is_empty()
        || !down_given.is_empty();
    if physical && state != "disabled" {
        return Err(ApiError::param(
            "An AutoScale Vm Group can be updated with minMembers/maxMembers/Interval only when it is in disabled state",
        ));
    }
    let name = p
        .str("name")
        .filter(|n| !n.trim().is_empty())
        .map_or_else(|| string("name"), String::from);
    let bounds = Bounds {
        min: p.i64("minmembers")?.unwrap_or(field("min_members")),
        max: p.i64("maxmembers")?.unwrap_or(field("max_members")),
        interval: interval.unwrap_or(current_interval),
    };
    let up = if p.str("scaleuppolicyids").is_some() {
        up_given
    } else {
        current_policies(call, &id, "ScaleUp")?
    };
    let down = if p.str("scaledownpolicyids").is_some() {
        down_given
    } else {
        current_policies(call, &id, "ScaleDown")?
    };
    let rule = lb_rule(call, &string("lb_rule_id"))?;
    let policies = validate(
        call,
        Some(&name),
        bounds,
        &up,
        &down,
        &string("profile_id"),
        &rule,
    )?;
    call.tx.execute(
        "UPDATE autoscale_vm_groups SET name = ?2, min_members = ?3, max_members = ?4, interval = ?5 WHERE id = ?1",
        params![id, name, bounds.min, bounds.max, bounds.interval],
    )?;
    if let Some(display) = p.bool("fordisplay") {
        call.tx.execute(
            "UPDATE autoscale_vm_groups SET for_display = ?2 WHERE id = ?1",
            params![id, display],
        )?;
    }
    set_policies(call, &id, &policies)?;
    Ok(Reply::Job(
        jobs::object_job("AutoScaleVmGroup", &id, "autoscalevmgroup", group_json).with_event(
            "AUTOSCALEVMGROUP.UPDATE",
            format!("Updating AutoScale Instance Group. Instance Group ID: {id}"),
        ),
    ))
}

/// `enableAutoScaleVmGroup` (async): a disabled group becomes enabled; an
/// enabled one stays as it is.
pub(crate) fn enable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (_, state) = group_state(call, &id)?;
    if state != "enabled" && state != "disabled" {
        return Err(ApiError::param(
            "Only a AutoScale Vm Group which is in Disabled state can be enabled.",
        ));
    }
    Ok(Reply::Job(
        jobs::settle_job(
            "AutoScaleVmGroup",
            "autoscale_vm_groups",
            &id,
            "enabled",
            "autoscalevmgroup",
            group_json,
        )
        .with_event(
            "AUTOSCALEVMGROUP.ENABLE",
            format!("Enabling AutoScale Instance Group. Instance Group ID: {id}"),
        ),
    ))
}

/// `disableAutoScaleVmGroup` (async): an enabled group becomes disabled;
/// a disabled one stays as it is.
pub(crate) fn disable(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (_, state) = group_state(call, &id)?;
    if state != "enabled" && state != "disabled" {
        return Err(ApiError::param(
            "Only a AutoScale Vm Group which is in Enabled or Scaling state can be disabled.",
        ));
    }
    Ok(Reply::Job(
        jobs::settle_job(
            "AutoScaleVmGroup",
            "autoscale_vm_groups",
            &id,
            "disabled",
            "autoscalevmgroup",
            group_json,
        )
        .with_event(
            "AUTOSCALEVMGROUP.DISABLE",
            format!("Disabling AutoScale Instance Group. Instance Group ID: {id}"),
        ),
    ))
}

/// `deleteAutoScaleVmGroup` (async): a group that is not disabled goes
/// only with `cleanup=true`. Its policy links go with it; the policies,
/// the profile and the load balancer rule stay.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (_, state) = group_state(call, &id)?;
    let cleanup = call.params.bool("cleanup") == Some(true);
    if state != "new" && state != "disabled" && !cleanup {
        return Err(ApiError::param(format!(
            "Cannot delete autoscale vm group id : {id} because it is in {state} state. Please disable it or pass cleanup=true flag which will destroy all VMs."
        )));
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "AutoScaleVmGroup",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx
                    .execute("DELETE FROM autoscale_vm_groups WHERE id = ?1", [&job_id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "AUTOSCALEVMGROUP.DELETE",
            format!("Deleting AutoScale Instance Group. Instance Group ID: {id}"),
        ),
    ))
}

fn group_query() -> Query {
    Query::new(format!(
        "SELECT t.id AS id, t.name AS name, t.lb_rule_id AS lbruleid, t.profile_id AS vmprofileid,
                t.min_members AS minmembers, t.max_members AS maxmembers, t.interval AS interval,
                t.state AS state, t.for_display AS \"fordisplay?\", t.zone_id AS zoneid, t.created AS created,
                0 AS availablevirtualmachinecount, 0 AS \"hasannotations?\", {OWNER_COLUMNS}
         FROM autoscale_vm_groups t {OWNER_JOINS}"
    ))
}

fn finish_group(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    for (key, action) in [
        ("scaleuppolicies", "ScaleUp"),
        ("scaledownpolicies", "ScaleDown"),
    ] {
        let policies = current_policies(call, &id, action)?
            .iter()
            .map(|p| policy_json(call, p))
            .collect::<Result<Vec<_>, _>>()?;
        row.insert(key.into(), Value::Array(policies));
    }
    let lb = row
        .get("lbruleid")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_default();
    if let Some(rule) = network::autoscale_target(call, &lb)? {
        row.insert("associatednetworkid".into(), Value::String(rule.network_id));
        row.insert(
            "associatednetworkname".into(),
            Value::String(rule.network_name),
        );
        if let Some(ip) = rule.ip_id {
            row.insert("publicipid".into(), Value::String(ip));
        }
        if let Some(address) = rule.ip_address {
            row.insert("publicip".into(), Value::String(address));
        }
        if let Some(port) = rule.public_port {
            row.insert("publicport".into(), Value::String(port.to_string()));
        }
        row.insert(
            "privateport".into(),
            Value::String(rule.private_port.to_string()),
        );
        let provider = if rule.in_vpc {
            "VpcVirtualRouter"
        } else {
            "VirtualRouter"
        };
        row.insert("lbprovider".into(), Value::String(provider.into()));
    }
    Ok(Value::Object(row))
}

/// One group as responses show it.
pub(crate) fn group_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_group(call, group_query().one(call.tx, "t.id", id)?)
}

/// `listAutoScaleVmGroups`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = group_query();
    query.scope(&ListScope::of(call)?, "t.account_id");
    query.eq("t.id", p.str("id"));
    query.eq("t.name", p.str("name"));
    query.eq("t.lb_rule_id", p.str("lbruleid"));
    query.eq("t.profile_id", p.str("vmprofileid"));
    query.eq("t.zone_id", p.str("zoneid"));
    query.flag("t.for_display", p.bool("fordisplay"));
    if let Some(policy) = p.str("policyid") {
        query.and(
            "t.id IN (SELECT group_id FROM autoscale_vm_group_policies WHERE policy_id = ?)",
            [text(policy)],
        );
    }
    query.keyword(&["t.name"], p.str("keyword"));
    query.order("t.seq");
    query.list(call, "autoscalevmgroup", finish_group)
}
