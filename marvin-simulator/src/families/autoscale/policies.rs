//! Scale policies (`createAutoScalePolicy`, `updateAutoScalePolicy`,
//! `deleteAutoScalePolicy`, `listAutoScalePolicies`): an action over
//! conditions of distinct counters, held for a duration
//! (`AutoScaleManagerImpl.checkValidityAndPersist`).

use rusqlite::params;
use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::counters::condition_json;
use super::owner::{self, OWNER_COLUMNS, OWNER_JOINS};

/// `NetUtils.DEFAULT_AUTOSCALE_POLICY_QUIET_TIME`, seconds.
pub(crate) const DEFAULT_QUIET_TIME: i64 = 300;

/// `AutoScalePolicy.Action`, as answers spell it.
fn action(given: &str) -> Result<&'static str, ApiError> {
    ["ScaleUp", "ScaleDown"]
        .into_iter()
        .find(|a| a.eq_ignore_ascii_case(given))
        .ok_or_else(|| {
            ApiError::param("action is invalid. Supported actions are: [SCALEUP, SCALEDOWN]")
        })
}

fn check_times(duration: i64, quiet_time: i64) -> Result<(), ApiError> {
    if duration < 0 {
        return Err(ApiError::param(format!(
            "duration is an invalid value: {duration}"
        )));
    }
    if quiet_time < 0 {
        return Err(ApiError::param(format!(
            "quietTime is an invalid value: {quiet_time}"
        )));
    }
    Ok(())
}

/// Replaces the conditions of a policy: at least one, all found, all the
/// caller's (and the policy owner's), no counter twice.
fn set_conditions(
    call: &Call<'_>,
    policy_id: &str,
    policy_owner: &str,
    ids: &[String],
) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Err(ApiError::param(
            "AutoScale policy must have at least one condition",
        ));
    }
    let mut counters: Vec<String> = Vec::new();
    let mut found = 0;
    for id in ids {
        let row: Option<(String, String)> =
            rusqlite::OptionalExtension::optional(call.tx.query_row(
                "SELECT account_id, counter_id FROM autoscale_conditions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ))?;
        let Some((owner, counter)) = row else {
            continue;
        };
        found += 1;
        check_access(call, &owner, id)?;
        if owner != policy_owner {
            return Err(ApiError::permission(format!(
                "Entity {id} and entity {policy_id} belong to different accounts"
            )));
        }
        if counters.contains(&counter) {
            return Err(ApiError::param(
                "at least two conditions in the conditionids have the same counter. It is not right to apply two different conditions for the same counter",
            ));
        }
        counters.push(counter);
    }
    if found != ids.len() {
        return Err(ApiError::param("Unable to find the condition specified"));
    }
    call.tx.execute(
        "DELETE FROM autoscale_policy_conditions WHERE policy_id = ?1",
        [policy_id],
    )?;
    for id in ids {
        call.tx.execute(
            "INSERT INTO autoscale_policy_conditions (policy_id, condition_id) VALUES (?1, ?2)",
            params![policy_id, id],
        )?;
    }
    Ok(())
}

/// `createAutoScalePolicy` (async, created in the request). The policy
/// belongs to the caller.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let action = action(call.required("action")?)?;
    let duration = p
        .i64("duration")?
        .ok_or_else(|| ApiError::missing(call.command, "duration"))?;
    let quiet_time = p.i64("quiettime")?.unwrap_or(DEFAULT_QUIET_TIME);
    check_times(duration, quiet_time)?;
    let conditions = p.list("conditionids");
    if conditions.is_empty() {
        return Err(ApiError::missing(call.command, "conditionids"));
    }
    let owner = owner::owner_of(call)?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO autoscale_policies (id, name, action, duration, quiet_time, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            p.str("name"),
            action,
            duration,
            quiet_time,
            owner.account_id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    set_conditions(call, &id, &owner.account_id, &conditions)?;
    event_log::created_event(
        call,
        "AUTOSCALEPOLICY.CREATE",
        "creating autoscale policy",
        Subject::of("AutoScalePolicy", &id, p.str("name").unwrap_or_default()),
    )?;
    Ok(Reply::Job(
        jobs::object_job("AutoScalePolicy", &id, "autoscalepolicy", policy_json).with_event(
            "AUTOSCALEPOLICY.CREATE",
            "creating AutoScale Policy".to_string(),
        ),
    ))
}

/// `updateAutoScalePolicy` (async): only while every group using the
/// policy is disabled, and the duration stays at least their interval.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let owner = owner::owned(call, "autoscale_policies", "Auto Scale Policy", &id)?;
    let (duration, quiet_time): (i64, i64) = call.tx.query_row(
        "SELECT duration, quiet_time FROM autoscale_policies WHERE id = ?1",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let duration = p.i64("duration")?.unwrap_or(duration);
    let quiet_time = p.i64("quiettime")?.unwrap_or(quiet_time);
    let groups = sql::objects(
        call.tx,
        "SELECT g.state AS state, g.interval AS interval FROM autoscale_vm_group_policies gp
         JOIN autoscale_vm_groups g ON g.id = gp.group_id WHERE gp.policy_id = ?1",
        &[text(&id)],
    )?;
    for group in &groups {
        if group.get("state").and_then(Value::as_str) != Some("disabled") {
            return Err(ApiError::param(
                "The AutoScale Policy can be updated only if the Vm Group it is associated with is disabled in state",
            ));
        }
        let interval = group.get("interval").and_then(Value::as_i64).unwrap_or(0);
        if duration < interval {
            return Err(ApiError::param(
                "duration is less than the associated AutoScaleVmGroup's interval",
            ));
        }
    }
    check_times(duration, quiet_time)?;
    if let Some(name) = p.str("name") {
        call.tx.execute(
            "UPDATE autoscale_policies SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    call.tx.execute(
        "UPDATE autoscale_policies SET duration = ?2, quiet_time = ?3 WHERE id = ?1",
        params![id, duration, quiet_time],
    )?;
    if p.str("conditionids").is_some() {
        set_conditions(call, &id, &owner, &p.list("conditionids"))?;
    }
    Ok(Reply::Job(
        jobs::object_job("AutoScalePolicy", &id, "autoscalepolicy", policy_json).with_event(
            "AUTOSCALEPOLICY.UPDATE",
            format!("Updating AutoScale Policy. Policy Id: {id}"),
        ),
    ))
}

/// `deleteAutoScalePolicy` (async): refused while a group uses it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    owner::owned(call, "autoscale_policies", "AutoScale Policy", &id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "AutoScalePolicy",
            "autoscale_policies",
            &id,
            "SELECT COUNT(*) FROM autoscale_vm_group_policies WHERE policy_id = ?1",
            |_| {
                ApiError::param(
                    "Cannot delete AutoScale Policy when it is in use by one or more AutoScale Vm Groups",
                )
            },
        )
        .with_event(
            "AUTOSCALEPOLICY.DELETE",
            format!("Deleting AutoScale Policy. Policy Id: {id}"),
        ),
    ))
}

fn policy_query() -> Query {
    Query::new(format!(
        "SELECT t.id AS id, t.name AS name, t.action AS action, t.duration AS duration,
                t.quiet_time AS quiettime, {OWNER_COLUMNS}
         FROM autoscale_policies t {OWNER_JOINS}"
    ))
}

fn finish_policy(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    let condition_ids: Vec<String> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT pc.condition_id FROM autoscale_policy_conditions pc
             JOIN autoscale_conditions c ON c.id = pc.condition_id WHERE pc.policy_id = ?1 ORDER BY c.seq",
        )?;
        let rows = stmt.query_map([&id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let conditions = condition_ids
        .iter()
        .map(|c| condition_json(call, c))
        .collect::<Result<Vec<_>, _>>()?;
    row.insert("conditions".into(), Value::Array(conditions));
    Ok(Value::Object(row))
}

/// One policy as responses show it.
pub(crate) fn policy_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_policy(call, policy_query().one(call.tx, "t.id", id)?)
}

/// `listAutoScalePolicies`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let action = p.str("action").map(action).transpose()?;
    let mut query = policy_query();
    query.scope(&ListScope::of(call)?, "t.account_id");
    query.eq("t.id", p.str("id"));
    query.eq("t.name", p.str("name"));
    query.eq("t.action", action);
    if let Some(condition) = p.str("conditionid") {
        query.and(
            "t.id IN (SELECT policy_id FROM autoscale_policy_conditions WHERE condition_id = ?)",
            [text(condition)],
        );
    }
    if let Some(group) = p.str("vmgroupid") {
        query.and(
            "t.id IN (SELECT policy_id FROM autoscale_vm_group_policies WHERE group_id = ?)",
            [text(group)],
        );
    }
    query.keyword(&["t.name"], p.str("keyword"));
    query.order("t.seq");
    query.list(call, "autoscalepolicy", finish_policy)
}
