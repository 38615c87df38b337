//! Affinity groups: `host anti-affinity` (members on different hosts) and
//! `host affinity` (members on the same host), honoured by placement.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query};

use super::owner::{self, Owner};
use super::{json as vm_json, vm};

/// The group types users may create.
pub(crate) const TYPES: [&str; 2] = ["host anti-affinity", "host affinity"];

/// The groups `affinitygroupids` / `affinitygroupnames` name, checked to
/// belong to the VM's owner.
pub(crate) fn from_params(call: &Call<'_>, owner: &Owner) -> Result<Vec<String>, ApiError> {
    let ids = call.params.list("affinitygroupids");
    let names = call.params.list("affinitygroupnames");
    if !ids.is_empty() && !names.is_empty() {
        return Err(ApiError::param(
            "affinitygroupids parameter is mutually exclusive with affinitygroupnames parameter",
        ));
    }
    let mut groups = Vec::new();
    for id in ids {
        let row: Option<(String, String)> = call
            .tx
            .query_row(
                "SELECT account_id, name FROM affinity_groups WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (account, name) = row
            .ok_or_else(|| ApiError::param(format!("Unable to find affinity group by id {id}")))?;
        if account != owner.id {
            return Err(ApiError::permission(format!(
                "Affinity group {name} does not belong to the VM's account"
            )));
        }
        groups.push(id);
    }
    for name in names {
        let id: Option<String> = call
            .tx
            .query_row(
                "SELECT id FROM affinity_groups WHERE account_id = ?1 AND name = ?2",
                [&owner.id, &name],
                |r| r.get(0),
            )
            .optional()?;
        groups.push(
            id.ok_or_else(|| ApiError::param(format!("Unable to find affinity group {name}")))?,
        );
    }
    groups.dedup();
    Ok(groups)
}

fn query() -> Query {
    Query::new(format!(
        "SELECT ag.id AS id, ag.name AS name, ag.description AS description, ag.type AS type, {},
                (SELECT json_group_array(m.vm_id) FROM affinity_group_vms m WHERE m.group_id = ag.id)
                    AS \"virtualmachineIds{{}}\"
         FROM affinity_groups ag {}",
        owner::COLUMNS,
        owner::join("ag")
    ))
}

fn clean(mut row: render::Object) -> Value {
    row.remove("accountid");
    if row
        .get("virtualmachineIds")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        row.remove("virtualmachineIds");
    }
    Value::Object(row)
}

fn group_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let mut q = query();
    q.eq("ag.id", Some(id));
    Ok(clean(
        q.all(call.tx)?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::invalid_id("id", id))?,
    ))
}

/// `createAffinityGroup` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let kind = call.required("type")?.to_string();
    let owner = owner::resolve(call)?;
    if !TYPES.contains(&kind.as_str()) {
        return Err(ApiError::param(format!(
            "Unable to create affinity group, invalid affinity group type{kind}"
        )));
    }
    let taken: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM affinity_groups WHERE account_id = ?1 AND name = ?2",
            [&owner.id, &name],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::param(format!(
            "Unable to create affinity group, a group with name {name} already exists."
        )));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO affinity_groups (id, name, description, type, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            name,
            call.params.str("description"),
            kind,
            owner.id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    Ok(Reply::Job(
        jobs::object_job("AffinityGroup", &id, "affinitygroup", group_json).with_event(
            "AG.CREATE",
            format!("Creating Affinity Group. Affinity Group Id: {id}"),
        ),
    ))
}

/// `deleteAffinityGroup` (async): by id, or by name for an owner.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = match (call.params.str("id"), call.params.str("name")) {
        (Some(id), _) => {
            if !sql::exists(call.tx, "affinity_groups", id)? {
                return Err(ApiError::invalid_id("id", id));
            }
            id.to_string()
        }
        (None, Some(name)) => {
            let owner = owner::resolve(call)?;
            call.tx
                .query_row(
                    "SELECT id FROM affinity_groups WHERE account_id = ?1 AND name = ?2",
                    [&owner.id, name],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .ok_or_else(|| {
                    ApiError::param(format!("Unable to find affinity group by name {name}"))
                })?
        }
        (None, None) => {
            return Err(ApiError::param(
                "Either the affinity group Id or name must be specified",
            ));
        }
    };
    let account: String = call.tx.query_row(
        "SELECT account_id FROM affinity_groups WHERE id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    check_access(call, &account, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "AffinityGroup",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "DELETE FROM affinity_group_vms WHERE group_id = ?1",
                    [&job_id],
                )?;
                call.tx
                    .execute("DELETE FROM affinity_groups WHERE id = ?1", [&job_id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "AG.DELETE",
            format!("Deleting Affinity Group. Affinity Group Id: {id}"),
        ),
    ))
}

/// `listAffinityGroups`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = query();
    if let Some(vm_id) = call.params.str("virtualmachineid") {
        let vm = vm::param(call, "virtualmachineid")?;
        check_access(call, &vm.account_id, vm_id)?;
        q.and(
            "ag.id IN (SELECT group_id FROM affinity_group_vms WHERE vm_id = ?)",
            [sql::text(vm_id)],
        );
    } else {
        owner::scope(call, &mut q, "ag.account_id")?;
    }
    q.eq("ag.id", call.params.str("id"));
    q.eq("ag.name", call.params.str("name"));
    q.eq("ag.type", call.params.str("type"));
    q.keyword(&["ag.name"], call.params.str("keyword"));
    q.order("ag.name, ag.rowid");
    q.list(call, "affinitygroup", |_, row| Ok(clean(row)))
}

/// `listAffinityGroupTypes`.
pub(crate) fn list_types(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut items: Vec<Value> = TYPES.iter().map(|t| json!({ "type": t })).collect();
    if call.caller.is_admin() {
        items.push(json!({ "type": "ExplicitDedication" }));
    }
    if let Some(keyword) = call.params.str("keyword") {
        items.retain(|i| i["type"].as_str().is_some_and(|t| t.contains(keyword)));
    }
    let count = items.len();
    Ok(Reply::List {
        key: "affinityGroupType",
        items,
        count,
    })
}

/// `updateVMAffinityGroup` (async): replaces a stopped VM's groups.
pub(crate) fn update_vm(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "id")?;
    let owner = owner::account(call, &vm.account_id)?;
    let groups = from_params(call, &owner)?;
    let id = vm.id.clone();
    Ok(Reply::Job(
        vm::job(&id, move |call, id, vm| {
                if vm.state != "Stopped" {
                    return Err(ApiError::param(format!(
                        "Unable to update affinity groups of the virtual machine {} in state {}; make sure the \
                         virtual machine is stopped and not in an error state before updating.",
                        vm.label(),
                        vm.state
                    )));
                }
                call.tx.execute("DELETE FROM affinity_group_vms WHERE vm_id = ?1", [&id])?;
                for group in &groups {
                    call.tx.execute("INSERT INTO affinity_group_vms (group_id, vm_id) VALUES (?1, ?2)", params![group, id])?;
                }
                Ok(Reply::Object { key: "virtualmachine", value: vm_json::vm_json(call, id)? })
        })
        .with_event("VM.AG.UPDATE", format!("updating VM affinity group. Vm Id: {}", vm.id)),
    ))
}
