//! VM snapshots: `createVMSnapshot`, `revertToVMSnapshot`,
//! `deleteVMSnapshot`, `listVMSnapshot`.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::families::compute::api::{owner, vm};
use crate::families::identity::api as identity;
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query};

fn query() -> Query {
    Query::new(format!(
        "SELECT s.id AS id, s.name AS name, s.display_name AS displayname, s.description AS description,
                s.vm_id AS virtualmachineid, m.name AS virtualmachinename, s.state AS state, s.type AS type,
                s.current AS \"current?\", s.parent_id AS parent, ps.name AS parentName, s.created AS created,
                s.zone_id AS zoneid, {owner}
         FROM vm_snapshots s {join} LEFT JOIN compute_vms m ON m.id = s.vm_id LEFT JOIN vm_snapshots ps ON ps.id = s.parent_id",
        owner = owner::COLUMNS,
        join = owner::join("s"),
    ))
}

fn finish(call: &Call<'_>, rows: Vec<Object>) -> Result<Vec<Value>, ApiError> {
    tags::with_tags(call, "VMSnapshot", rows, |_, row| {
        row.remove("accountid");
        Ok(())
    })
}

fn snapshot_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = query()
        .find(call.tx, "s.id", id)?
        .ok_or_else(|| ApiError::invalid_id("vmsnapshotid", id))?;
    Ok(finish(call, vec![row])?.remove(0))
}

struct Row {
    id: String,
    vm_id: String,
    account_id: String,
    state: String,
    kind: String,
    current: bool,
    parent: Option<String>,
}

fn find(call: &Call<'_>, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, vm_id, account_id, state, type, current, parent_id FROM vm_snapshots WHERE id = ?1",
            [id],
            |r| {
                Ok(Row {
                    id: r.get(0)?,
                    vm_id: r.get(1)?,
                    account_id: r.get(2)?,
                    state: r.get(3)?,
                    kind: r.get(4)?,
                    current: r.get::<_, i64>(5)? != 0,
                    parent: r.get(6)?,
                })
            },
        )
        .optional()?)
}

fn operable(call: &Call<'_>) -> Result<Row, ApiError> {
    let id = call.required("vmsnapshotid")?;
    let row = find(call, id)?.ok_or_else(|| ApiError::invalid_id("vmsnapshotid", id))?;
    check_access(call, &row.account_id, id)?;
    Ok(row)
}

/// `createVMSnapshot` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    if !matches!(vm.state.as_str(), "Running" | "Stopped") {
        return Err(ApiError::param(format!(
            "Creating vm snapshot failed due to VM:{} is not in the running or Stopped state",
            vm.id
        )));
    }
    let memory = call.params.flag("snapshotmemory", false);
    if memory && vm.state != "Running" {
        return Err(ApiError::param(
            "Can not snapshot memory when VM is not in Running state",
        ));
    }
    let max = identity::setting_number(call.tx, "vmsnapshot.max", &[], 10)?;
    let existing = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM vm_snapshots WHERE vm_id = ?1",
        &vm.id,
    )?;
    if existing >= max {
        return Err(ApiError::internal(format!(
            "Creating vm snapshot failed due to a VM can just have : {max} VM snapshots. Please delete old ones"
        )));
    }
    let stamp = call
        .now
        .format(time::macros::format_description!(
            "[year][month][day][hour][minute][second]"
        ))
        .unwrap_or_default();
    let name = format!("{}_VS_{stamp}", vm.instance_name);
    let display = call
        .params
        .str("name")
        .map_or_else(|| name.clone(), String::from);
    let domain_id: String =
        call.tx
            .query_row("SELECT domain_id FROM compute_vms WHERE id = ?1", [&vm.id], |r| {
                r.get(0)
            })?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vm_snapshots (id, name, display_name, description, vm_id, account_id, domain_id, zone_id, type,
                                   state, current, service_offering_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'Allocated', 0, ?10, ?11)",
        params![
            id,
            name,
            display,
            call.params.str("description"),
            vm.id,
            vm.account_id,
            domain_id,
            vm.zone_id,
            if memory { "DiskAndMemory" } else { "Disk" },
            vm.service_offering_id,
            call.timestamp()
        ],
    )?;
    let job_id = id.clone();
    let vm_id = vm.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VMSnapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let parent: Option<String> = call
                    .tx
                    .query_row("SELECT id FROM vm_snapshots WHERE vm_id = ?1 AND current = 1", [&vm_id], |r| r.get(0))
                    .optional()?;
                call.tx.execute("UPDATE vm_snapshots SET current = 0 WHERE vm_id = ?1", [&vm_id])?;
                call.tx.execute(
                    "UPDATE vm_snapshots SET state = 'Ready', current = 1, parent_id = ?2 WHERE id = ?1",
                    params![job_id, parent],
                )?;
                Ok(Reply::Object { key: "vmsnapshot", value: snapshot_json(call, &job_id)? })
            }),
        )
        .with_event("VMSNAPSHOT.CREATE", format!("creating VM snapshot. Vm Id: {}", vm.id)),
    ))
}

/// `revertToVMSnapshot` (async): a running VM reverts to a disk-and-memory
/// snapshot, a stopped VM to a disk snapshot.
pub(crate) fn revert(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let snapshot = operable(call)?;
    let id = snapshot.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VMSnapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let snapshot = find(call, &id)?.ok_or_else(|| ApiError::invalid_id("vmsnapshotid", &id))?;
                if snapshot.state != "Ready" {
                    return Err(ApiError::param(
                        "VM Snapshot reverting failed due to vm snapshot is not in the Ready state.",
                    ));
                }
                let vm = vm::reload(call, &snapshot.vm_id)?;
                if !matches!(vm.state.as_str(), "Running" | "Stopped") {
                    return Err(ApiError::param(
                        "VM Snapshot reverting failed due to vm is not in the state of Running or Stopped.",
                    ));
                }
                let running = vm.state == "Running";
                if (running && snapshot.kind == "Disk") || (!running && snapshot.kind == "DiskAndMemory") {
                    return Err(ApiError::param(
                        "VM Snapshot revert not allowed. This will result in VM state change. You can revert running \
                         VM to disk and memory type snapshot and stopped VM to disk type snapshot",
                    ));
                }
                call.tx.execute("UPDATE vm_snapshots SET current = (id = ?2) WHERE vm_id = ?1", [&vm.id, &id])?;
                Ok(Reply::Object { key: "virtualmachine", value: vm::vm_json(call, &vm.id)? })
            }),
        )
        .with_event("VMSNAPSHOT.REVERTTO", format!("Revert to VM snapshot. VM snapshot Id: {}", snapshot.id)),
    ))
}

/// `deleteVMSnapshot` (async).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let snapshot = operable(call)?;
    let id = snapshot.id.clone();
    Ok(Reply::Job(
        Job::on(
            "VMSnapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let Some(snapshot) = find(call, &id)? else {
                    return Ok(Reply::Success(None));
                };
                if !matches!(snapshot.state.as_str(), "Ready" | "Expunging" | "Error") {
                    return Err(ApiError::param(format!(
                        "Can't delete the vm snapshotshot {id} due to it is not in Created or Ready or Expunging State"
                    )));
                }
                call.tx.execute("UPDATE vm_snapshots SET parent_id = ?2 WHERE parent_id = ?1", params![
                    id,
                    snapshot.parent
                ])?;
                if snapshot.current {
                    if let Some(parent) = &snapshot.parent {
                        call.tx.execute("UPDATE vm_snapshots SET current = 1 WHERE id = ?1", [parent])?;
                    }
                }
                call.tx.execute("DELETE FROM vm_snapshots WHERE id = ?1", [&id])?;
                tags::forget(call, "VMSnapshot", &id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("VMSNAPSHOT.DELETE", format!("Delete vm snapshots. VM snapshot Id: {}", snapshot.id)),
    ))
}

/// `listVMSnapshot`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let mut q = query();
    if params.str("virtualmachineid").is_some() {
        let vm = vm::operable(call, "virtualmachineid")?;
        q.eq("s.vm_id", Some(&vm.id));
    } else {
        owner::scope(call, &mut q, "s.account_id")?;
    }
    q.eq("s.id", params.str("vmsnapshotid"));
    q.any_of_given("s.id", &params.list("vmsnapshotids"));
    q.eq("s.display_name", params.str("name"));
    q.eq_nocase("s.state", params.str("state"));
    q.keyword(&["s.display_name", "s.name"], params.str("keyword"));
    if let Some((condition, args)) = tags::tag_filter(call, "VMSnapshot", "s.id") {
        q.and(&condition, args);
    }
    q.order("s.seq");
    let (count, rows) = q.page(call)?;
    Ok(Reply::List {
        key: "vmSnapshot",
        items: finish(call, rows)?,
        count,
    })
}
