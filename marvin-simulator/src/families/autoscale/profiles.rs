//! Autoscale VM profiles (`createAutoScaleVmProfile`,
//! `updateAutoScaleVmProfile`, `deleteAutoScaleVmProfile`,
//! `listAutoScaleVmProfiles`): the zone, compute offering, template and
//! deployment parameters of a group's VMs
//! (`AutoScaleManagerImpl.checkValidityAndPersist`).

use std::collections::BTreeMap;

use rusqlite::params;
use serde_json::Value;

use crate::families::datacenter::api as dc;
use crate::families::offerings::api as offerings;
use crate::families::templates::api as templates;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::ListScope;
use crate::kernel::sql::{self, Query, text};

use super::owner::{self, OWNER_COLUMNS, OWNER_JOINS};

/// `NetUtils.DEFAULT_AUTOSCALE_EXPUNGE_VM_GRACE_PERIOD`, seconds.
pub(crate) const DEFAULT_EXPUNGE_GRACE_PERIOD: i64 = 120;

/// The `otherdeployparams` keys CloudStack accepts.
const DEPLOY_PARAMS: &[&str] = &[
    "rootdisksize",
    "diskofferingid",
    "disksize",
    "securitygroupids",
    "overridediskofferingid",
    "keypairs",
    "affinitygroupids",
    "networkids",
];

/// A map parameter (`name[i].name` / `name[i].value`, or `key`/`value`)
/// as CloudStack stores it: `key=value&key=value`.
fn pairs(call: &Call<'_>, name: &str) -> Option<Vec<(String, String)>> {
    let entries = call.params.map(name);
    if entries.is_empty() {
        return None;
    }
    Some(
        entries
            .into_iter()
            .filter_map(|entry: BTreeMap<String, String>| {
                let key = entry.get("name").or_else(|| entry.get("key"))?.clone();
                let value = entry.get("value").cloned().unwrap_or_default();
                Some((key, value))
            })
            .collect(),
    )
}

fn joined(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn check_deploy_params(pairs: &[(String, String)]) -> Result<(), ApiError> {
    for (key, _) in pairs {
        if !DEPLOY_PARAMS.contains(&key.as_str()) {
            return Err(ApiError::param(format!(
                "Unsupported otherdeployparams key: {key}. Supported values are [{}]",
                DEPLOY_PARAMS.join(", ")
            )));
        }
    }
    Ok(())
}

fn check_offering(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let dynamic = offerings::compute_offering_dynamic(call.tx, id)?
        .ok_or_else(|| ApiError::param("Unable to find service offering by id"))?;
    if dynamic {
        return Err(ApiError::param(
            "Unable to use dynamic service offering in AutoScale vm profile",
        ));
    }
    Ok(())
}

fn check_template(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    if !templates::template_exists(call.tx, id)? {
        return Err(ApiError::param("Unable to use the given template."));
    }
    Ok(())
}

fn check_grace(period: i64) -> Result<(), ApiError> {
    if period < 0 {
        return Err(ApiError::param(
            "Expunge Vm Grace Period cannot be less than 0.",
        ));
    }
    Ok(())
}

/// `createAutoScaleVmProfile` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let owner = owner::owner_of(call)?;
    let zone = call.required("zoneid")?;
    dc::zone(call.tx, "zoneid", zone).map_err(|_| ApiError::param("Unable to find zone by id"))?;
    let offering = call.required("serviceofferingid")?.to_string();
    check_offering(call, &offering)?;
    let template = call.required("templateid")?.to_string();
    check_template(call, &template)?;
    let grace = p
        .i64("expungevmgraceperiod")?
        .unwrap_or(DEFAULT_EXPUNGE_GRACE_PERIOD);
    check_grace(grace)?;
    let deploy = pairs(call, "otherdeployparams").unwrap_or_default();
    check_deploy_params(&deploy)?;
    let counter_params = pairs(call, "counterparam").unwrap_or_default();
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO autoscale_vm_profiles (id, zone_id, service_offering_id, template_id, other_deploy_params,
                                            counter_params, user_data, expunge_grace_period, autoscale_user_id,
                                            for_display, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            id,
            zone,
            offering,
            template,
            joined(&deploy),
            joined(&counter_params),
            p.str("userdata"),
            grace,
            p.str("autoscaleuserid"),
            p.flag("fordisplay", true),
            owner.account_id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "AUTOSCALEVMPROFILE.CREATE",
        "creating autoscale vm profile",
        Subject::of("AutoScaleVmProfile", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::object_job(
            "AutoScaleVmProfile",
            &id,
            "autoscalevmprofile",
            profile_json,
        )
        .with_event(
            "AUTOSCALEVMPROFILE.CREATE",
            "creating AutoScale Vm Profile".to_string(),
        ),
    ))
}

/// `updateAutoScaleVmProfile` (async): what the VMs are made of changes
/// only while every group using the profile is disabled.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    owner::owned(call, "autoscale_vm_profiles", "Auto Scale Vm Profile", &id)?;
    let physical = [
        "templateid",
        "autoscaleuserid",
        "expungevmgraceperiod",
        "userdata",
    ]
    .iter()
    .any(|name| p.str(name).is_some())
        || pairs(call, "counterparam").is_some()
        || pairs(call, "otherdeployparams").is_some();
    let live = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM autoscale_vm_groups WHERE profile_id = ?1 AND state != 'disabled'",
        &id,
    )?;
    if physical && live > 0 {
        return Err(ApiError::param(
            "The AutoScale Vm Profile can be updated only if the Vm Group it is associated with is disabled in state",
        ));
    }
    if let Some(offering) = p.str("serviceofferingid") {
        check_offering(call, offering)?;
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET service_offering_id = ?2 WHERE id = ?1",
            params![id, offering],
        )?;
    }
    if let Some(template) = p.str("templateid") {
        check_template(call, template)?;
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET template_id = ?2 WHERE id = ?1",
            params![id, template],
        )?;
    }
    if let Some(grace) = p.i64("expungevmgraceperiod")? {
        check_grace(grace)?;
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET expunge_grace_period = ?2 WHERE id = ?1",
            params![id, grace],
        )?;
    }
    if let Some(deploy) = pairs(call, "otherdeployparams") {
        check_deploy_params(&deploy)?;
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET other_deploy_params = ?2 WHERE id = ?1",
            params![id, joined(&deploy)],
        )?;
    }
    if let Some(counter_params) = pairs(call, "counterparam") {
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET counter_params = ?2 WHERE id = ?1",
            params![id, joined(&counter_params)],
        )?;
    }
    for (param, column) in [
        ("userdata", "user_data"),
        ("autoscaleuserid", "autoscale_user_id"),
    ] {
        if let Some(value) = p.str(param) {
            call.tx.execute(
                &format!("UPDATE autoscale_vm_profiles SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if let Some(display) = p.bool("fordisplay") {
        call.tx.execute(
            "UPDATE autoscale_vm_profiles SET for_display = ?2 WHERE id = ?1",
            params![id, display],
        )?;
    }
    Ok(Reply::Job(
        jobs::object_job(
            "AutoScaleVmProfile",
            &id,
            "autoscalevmprofile",
            profile_json,
        )
        .with_event(
            "AUTOSCALEVMPROFILE.UPDATE",
            format!("Updating AutoScale Vm Profile. Vm Profile Id: {id}"),
        ),
    ))
}

/// `deleteAutoScaleVmProfile` (async): refused while a group uses it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    owner::owned(call, "autoscale_vm_profiles", "AutoScale Vm Profile", &id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "AutoScaleVmProfile",
            "autoscale_vm_profiles",
            &id,
            "SELECT COUNT(*) FROM autoscale_vm_groups WHERE profile_id = ?1",
            |_| {
                ApiError::param(
                    "Cannot delete AutoScale Vm Profile when it is in use by one more vm groups",
                )
            },
        )
        .with_event(
            "AUTOSCALEVMPROFILE.DELETE",
            format!("Deleting AutoScale Vm Profile. Vm Profile Id: {id}"),
        ),
    ))
}

fn profile_query() -> Query {
    Query::new(format!(
        "SELECT t.id AS id, t.zone_id AS zoneid, t.service_offering_id AS serviceofferingid,
                t.template_id AS templateid, t.other_deploy_params AS otherdeployparams,
                t.counter_params AS counterparams, t.user_data AS userdata,
                t.expunge_grace_period AS expungevmgraceperiod, t.autoscale_user_id AS autoscaleuserid,
                t.for_display AS \"fordisplay?\", {OWNER_COLUMNS}
         FROM autoscale_vm_profiles t {OWNER_JOINS}"
    ))
}

fn finish_profile(_: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    // `otherdeployparams` answers as a map, as CloudStack's response does.
    let text = row
        .remove("otherdeployparams")
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let map: serde_json::Map<String, Value> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    row.insert("otherdeployparams".into(), Value::Object(map));
    row.remove("counterparams");
    Ok(Value::Object(row))
}

/// One profile as responses show it.
pub(crate) fn profile_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_profile(call, profile_query().one(call.tx, "t.id", id)?)
}

/// `listAutoScaleVmProfiles`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = profile_query();
    query.scope(&ListScope::of(call)?, "t.account_id");
    query.eq("t.id", p.str("id"));
    query.eq("t.template_id", p.str("templateid"));
    query.eq("t.service_offering_id", p.str("serviceofferingid"));
    query.eq("t.zone_id", p.str("zoneid"));
    query.flag("t.for_display", p.bool("fordisplay"));
    if let Some(fragment) = p.str("otherdeployparams") {
        query.and(
            "t.other_deploy_params LIKE ? ESCAPE '\\'",
            [text(format!("%{}%", sql::escape_like(fragment)))],
        );
    }
    query.order("t.seq");
    query.list(call, "autoscalevmprofile", finish_profile)
}
