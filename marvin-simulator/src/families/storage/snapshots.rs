//! Volume snapshots (`createSnapshot`, `deleteSnapshot`, `revertSnapshot`,
//! `listSnapshots`) and snapshot policies.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::families::compute::api::{owner, vm};
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query};

use super::volume;
use super::volumes;

/// A snapshot as volume and template creation use it.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub id: String,
    pub account_id: String,
    pub zone_id: String,
    pub volume_id: String,
    pub volume_size: i64,
    pub disk_offering_id: Option<String>,
    pub state: String,
}

/// A snapshot by id.
pub(crate) fn find(call: &Call<'_>, id: &str) -> Result<Option<Snapshot>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, name, account_id, zone_id, volume_id, volume_size, disk_offering_id, state, physical_size
             FROM snapshots WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Snapshot {
                id: r.get(0)?,
                account_id: r.get(2)?,
                zone_id: r.get(3)?,
                volume_id: r.get(4)?,
                volume_size: r.get(5)?,
                disk_offering_id: r.get(6)?,
                state: r.get(7)?,
            })
        })
        .optional()?)
}

/// A backed-up snapshot the caller may use to create something (`what`:
/// `volume`, `template`).
pub(crate) fn usable(call: &Call<'_>, id: &str, what: &str) -> Result<Snapshot, ApiError> {
    let snapshot = find(call, id)?.ok_or_else(|| ApiError::invalid_id("snapshotid", id))?;
    check_access(call, &snapshot.account_id, id)?;
    if snapshot.state != "BackedUp" {
        return Err(ApiError::param(format!(
            "Snapshot id={id} is not in BackedUp state yet and can't be used for {what} creation"
        )));
    }
    Ok(snapshot)
}

fn query() -> Query {
    Query::new(format!(
        "SELECT s.id AS id, s.name AS name, {owner}, s.snapshot_type AS snapshottype,
                s.interval_type AS intervaltype, s.volume_id AS volumeid, s.volume_name AS volumename,
                s.volume_type AS volumetype, s.created AS created, s.state AS state,
                s.physical_size AS physicalsize, s.volume_size AS virtualsize, s.zone_id AS zoneid,
                z.name AS zonename, 1 AS \"revertable?\", s.location_type AS locationtype,
                s.disk_offering_id AS diskofferingid, 0 AS \"hasannotations?\",
                (SELECT j.id FROM async_jobs j WHERE j.instance_id = s.id AND j.status = 0
                 ORDER BY j.seq DESC LIMIT 1) AS jobid
         FROM snapshots s {join} JOIN datacenter_zones z ON z.id = s.zone_id",
        owner = owner::COLUMNS,
        join = owner::join("s"),
    ))
}

fn finish(call: &Call<'_>, rows: Vec<Object>) -> Result<Vec<Value>, ApiError> {
    tags::with_tags(call, "Snapshot", rows, |_, row| {
        row.remove("accountid");
        if row.contains_key("jobid") {
            row.insert("jobstatus".into(), json!(0));
        }
        Ok(())
    })
}

fn snapshot_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = query().one(call.tx, "s.id", id)?;
    Ok(finish(call, vec![row])?.remove(0))
}

/// `createSnapshot` (async, created in the request): the volume must be
/// Ready; the snapshot ends BackedUp.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = volumes::operable(call, "volumeid")?;
    if volume.state != "Ready" {
        return Err(ApiError::param(format!(
            "Volume: {} is not in Ready state but {}. Cannot take snapshot.",
            volume.id, volume.state
        )));
    }
    let policy = call.params.str("policyid").map(String::from);
    let vm_name = match &volume.vm_id {
        Some(vm_id) => vm::find(call, vm_id)?.map(|vm| vm.instance_name),
        None => None,
    };
    let stamp = call
        .now
        .format(time::macros::format_description!(
            "[year][month][day][hour][minute][second]"
        ))
        .unwrap_or_default();
    let name = match call.params.str("name") {
        Some(name) => name.to_string(),
        None => match &vm_name {
            Some(vm) => format!("{vm}_{}_{stamp}", volume.name),
            None => format!("{}_{stamp}", volume.name),
        },
    };
    limits::reserve_all(
        call,
        &volume.account_id,
        &[
            (ResourceKind::Snapshot, 1),
            (ResourceKind::SecondaryStorage, volume.size),
        ],
    )?;
    let domain_id: String = call.tx.query_row(
        "SELECT domain_id FROM volumes WHERE id = ?1",
        [&volume.id],
        |r| r.get(0),
    )?;
    let id = ids::new_id();
    let interval = match &policy {
        Some(p) => call
            .tx
            .query_row(
                "SELECT interval_type FROM snapshot_policies WHERE id = ?1",
                [p],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::invalid_id("policyid", p))?,
        None => "MANUAL".to_string(),
    };
    call.tx.execute(
        "INSERT INTO snapshots (id, name, account_id, domain_id, zone_id, volume_id, volume_name, volume_type,
                                volume_size, disk_offering_id, snapshot_type, interval_type, state, physical_size,
                                policy_id, location_type, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 'Allocated', 0, ?12, ?13, ?14)",
        params![
            id,
            name,
            volume.account_id,
            domain_id,
            volume.zone_id,
            volume.id,
            volume.name,
            volume.volume_type,
            volume.size,
            volume.disk_offering_id,
            interval,
            policy,
            call.params.str("locationtype").map(str::to_ascii_uppercase),
            call.timestamp(),
        ],
    )?;
    event_log::created_event(
        call,
        "SNAPSHOT.CREATE",
        "creating snapshot",
        Subject::of("Snapshot", &id, &name),
    )?;
    let job_id = id.clone();
    let failed_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Snapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "UPDATE snapshots SET state = 'BackedUp', physical_size = volume_size WHERE id = ?1",
                    [&job_id],
                )?;
                Ok(Reply::Object { key: "snapshot", value: snapshot_json(call, &job_id)? })
            }),
        )
        .with_event("SNAPSHOT.CREATE", format!("creating snapshot for volume: {}", volume.id))
        .with_failure(Box::new(move |call: &Call<'_>| {
            // CloudStack leaves a snapshot whose creation failed in Error,
            // where it can still be deleted.
            call.tx.execute("UPDATE snapshots SET state = 'Error' WHERE id = ?1", [&failed_id])?;
            Ok(())
        })),
    ))
}

/// `deleteSnapshot` (async).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let snapshot = find(call, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &snapshot.account_id, &id)?;
    Ok(Reply::Job(
        Job::on(
            "Snapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let Some(snapshot) = find(call, &id)? else {
                    return Ok(Reply::Success(None));
                };
                if !matches!(snapshot.state.as_str(), "BackedUp" | "Error") {
                    return Err(ApiError::param(format!(
                        "Can't delete snapshotshot {} due to it is in {} Status",
                        snapshot.id, snapshot.state
                    )));
                }
                remove(call, &snapshot)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "SNAPSHOT.DELETE",
            format!("deleting snapshot. Snapshot Id: {}", snapshot.id),
        ),
    ))
}

/// Deletes a snapshot row and gives its counts back.
pub(crate) fn remove(call: &Call<'_>, snapshot: &Snapshot) -> Result<(), ApiError> {
    limits::release_all(
        call,
        &snapshot.account_id,
        &[
            (ResourceKind::Snapshot, 1),
            (ResourceKind::SecondaryStorage, snapshot.volume_size),
        ],
    )?;
    tags::forget(call, "Snapshot", &snapshot.id)?;
    call.tx
        .execute("DELETE FROM snapshots WHERE id = ?1", [&snapshot.id])?;
    Ok(())
}

/// `revertSnapshot` (async): the volume goes back to the snapshot; its VM
/// must be stopped.
pub(crate) fn revert(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let snapshot = find(call, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &snapshot.account_id, &id)?;
    Ok(Reply::Job(
        Job::on(
            "Snapshot",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let snapshot = find(call, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
                if snapshot.state != "BackedUp" {
                    return Err(ApiError::param(format!(
                        "Snapshot {} is not in BackedUp state, unable to revert it",
                        snapshot.id
                    )));
                }
                let volume = volume::find(call, &snapshot.volume_id)?.ok_or_else(|| {
                    ApiError::param(format!("The volume of snapshot {} no longer exists", snapshot.id))
                })?;
                if let Some(vm_id) = &volume.vm_id {
                    let vm = vm::reload(call, vm_id)?;
                    if vm.state != "Stopped" {
                        return Err(ApiError::param(
                            "The VM the specified disk is attached to is not in the shutdown state.",
                        ));
                    }
                }
                if volume.state != "Ready" {
                    return Err(ApiError::param(format!("Volume {} is not in Ready state", volume.id)));
                }
                let delta = snapshot.volume_size - volume.size;
                if delta != 0 {
                    limits::add(call, &volume.account_id, ResourceKind::PrimaryStorage, delta)?;
                    if let Some(pool) = &volume.pool_id {
                        super::pools::allocate(call, pool, delta)?;
                    }
                    call.tx.execute("UPDATE volumes SET size = ?2 WHERE id = ?1", params![volume.id, snapshot.volume_size])?;
                }
                Ok(Reply::Object { key: "snapshot", value: snapshot_json(call, &id)? })
            }),
        )
        .with_event("SNAPSHOT.REVERT", format!("revert snapshot. Snapshot Id: {}", snapshot.id)),
    ))
}

/// `listSnapshots`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let mut q = query();
    owner::scope_unless_id(call, &mut q, "s.account_id", |id| {
        Ok(find(call, id)?.map(|snapshot| snapshot.account_id))
    })?;
    q.eq("s.id", params.str("id"));
    q.any_of_given("s.id", &params.list("ids"));
    q.eq("s.name", params.str("name"));
    q.eq("s.volume_id", params.str("volumeid"));
    q.eq_nocase("s.snapshot_type", params.str("snapshottype"));
    q.eq_nocase("s.interval_type", params.str("intervaltype"));
    q.eq("s.zone_id", params.str("zoneid"));
    q.keyword(&["s.name"], params.str("keyword"));
    if let Some((condition, args)) = tags::tag_filter(call, "Snapshot", "s.id") {
        q.and(&condition, args);
    }
    q.order("s.seq");
    let (count, rows) = q.page(call)?;
    Ok(Reply::List {
        key: "snapshot",
        items: finish(call, rows)?,
        count,
    })
}

/// The interval types of snapshot policies, by their number.
const INTERVALS: [&str; 4] = ["HOURLY", "DAILY", "WEEKLY", "MONTHLY"];

fn check_schedule(interval: &str, schedule: &str) -> Result<(), ApiError> {
    let parts: Vec<Option<u32>> = schedule
        .split(':')
        .map(|p| p.trim().parse::<u32>().ok())
        .collect();
    let ok = match (interval, parts.as_slice()) {
        ("HOURLY", [Some(m)]) => *m < 60,
        ("DAILY", [Some(m), Some(h)]) => *m < 60 && *h < 24,
        ("WEEKLY", [Some(m), Some(h), Some(d)]) => *m < 60 && *h < 24 && (1..=7).contains(d),
        ("MONTHLY", [Some(m), Some(h), Some(d)]) => *m < 60 && *h < 24 && (1..=28).contains(d),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::param(format!(
            "Invalid schedule: {schedule} for interval type: {interval}"
        )))
    }
}

fn policy_query() -> Query {
    Query::new(
        "SELECT sp.id AS id, sp.volume_id AS volumeid, sp.schedule AS schedule,
                CASE sp.interval_type WHEN 'HOURLY' THEN 0 WHEN 'DAILY' THEN 1 WHEN 'WEEKLY' THEN 2 ELSE 3 END
                    AS intervaltype,
                sp.max_snaps AS maxsnaps, sp.timezone AS timezone, sp.display AS \"fordisplay?\"
         FROM snapshot_policies sp",
    )
}

fn policy_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let mut row = policy_query().one(call.tx, "sp.id", id)?;
    row.insert(
        "tags".into(),
        Value::Array(tags::tags_of_one(call, "SnapshotPolicy", id)?),
    );
    Ok(Value::Object(row))
}

/// `createSnapshotPolicy` (sync): one policy per volume and interval (a
/// second call for the same interval updates it).
pub(crate) fn create_policy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = volumes::operable(call, "volumeid")?;
    let interval = call.required("intervaltype")?.to_ascii_uppercase();
    if !INTERVALS.contains(&interval.as_str()) {
        return Err(ApiError::param(format!(
            "Unsupported interval type {interval}"
        )));
    }
    let schedule = call.required("schedule")?.to_string();
    check_schedule(&interval, &schedule)?;
    let timezone = call.required("timezone")?.to_string();
    let max = call
        .params
        .i64("maxsnaps")?
        .ok_or_else(|| ApiError::missing(call.command, "maxsnaps"))?;
    if max <= 0 {
        return Err(ApiError::param("maxSnaps should be greater than 0"));
    }
    if volume.vm_id.is_none() {
        return Err(ApiError::param(format!(
            "Volume {} please attach this volume to a VM before create snapshot policy on it",
            volume.name
        )));
    }
    let display = call.params.flag("fordisplay", true);
    let domain_id: String = call.tx.query_row(
        "SELECT domain_id FROM volumes WHERE id = ?1",
        [&volume.id],
        |r| r.get(0),
    )?;
    let existing: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM snapshot_policies WHERE volume_id = ?1 AND interval_type = ?2",
            [&volume.id, &interval],
            |r| r.get(0),
        )
        .optional()?;
    let id = match existing {
        Some(id) => {
            call.tx.execute(
                "UPDATE snapshot_policies SET schedule = ?2, timezone = ?3, max_snaps = ?4, display = ?5 WHERE id = ?1",
                params![id, schedule, timezone, max, display],
            )?;
            id
        }
        None => {
            let id = ids::new_id();
            call.tx.execute(
                "INSERT INTO snapshot_policies (id, volume_id, account_id, domain_id, interval_type, schedule,
                                                timezone, max_snaps, display, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![id, volume.id, volume.account_id, domain_id, interval, schedule, timezone, max, display, call.timestamp()],
            )?;
            id
        }
    };
    event_log::completed(
        call,
        "SNAPSHOTPOLICY.CREATE",
        &format!("creating snapshot policy. Volume Id: {}", volume.id),
        Subject::of("SnapshotPolicy", &id, &interval),
    )?;
    Ok(Reply::Object {
        key: "snapshotpolicy",
        value: policy_json(call, &id)?,
    })
}

fn operable_policy(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let account: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM snapshot_policies WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let account = account.ok_or_else(|| ApiError::invalid_id("id", id))?;
    check_access(call, &account, id)
}

/// `updateSnapshotPolicy` (sync).
pub(crate) fn update_policy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    operable_policy(call, &id)?;
    if let Some(display) = call.params.bool("fordisplay") {
        call.tx.execute(
            "UPDATE snapshot_policies SET display = ?2 WHERE id = ?1",
            params![id, display],
        )?;
    }
    event_log::completed(
        call,
        "SNAPSHOTPOLICY.UPDATE",
        &format!("updating snapshot policy. Policy Id: {id}"),
        Subject::of("SnapshotPolicy", &id, &id),
    )?;
    Ok(Reply::Object {
        key: "snapshotpolicy",
        value: policy_json(call, &id)?,
    })
}

/// `deleteSnapshotPolicies` (sync): by `id` or `ids`.
pub(crate) fn delete_policies(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut ids = call.params.list("ids");
    if let Some(id) = call.params.str("id") {
        ids.push(id.to_string());
    }
    if ids.is_empty() {
        return Err(ApiError::param("No policy id (or list of ids) specified."));
    }
    for id in &ids {
        operable_policy(call, id)?;
    }
    for id in &ids {
        call.tx
            .execute("DELETE FROM snapshot_policies WHERE id = ?1", [id])?;
        tags::forget(call, "SnapshotPolicy", id)?;
        event_log::completed(
            call,
            "SNAPSHOTPOLICY.DELETE",
            &format!("deleting snapshot policy. Policy Id: {id}"),
            Subject::of("SnapshotPolicy", id, id),
        )?;
    }
    Ok(Reply::Success(None))
}

/// `listSnapshotPolicies`: the policies of a volume, or one policy by
/// `id`, both after an access check on the volume (531), as
/// `SnapshotManagerImpl.listPoliciesforVolume` does; otherwise those of
/// the owners the caller may list.
pub(crate) fn list_policies(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = policy_query();
    match (call.params.str("volumeid"), call.params.str("id")) {
        (Some(_), _) => {
            let volume = volumes::operable(call, "volumeid")?;
            q.eq("sp.volume_id", Some(&volume.id));
        }
        (None, Some(id)) => {
            let owner: Option<String> = call
                .tx
                .query_row(
                    "SELECT account_id FROM snapshot_policies WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(owner) = owner {
                check_access(call, &owner, id)?;
            }
        }
        (None, None) => owner::scope(call, &mut q, "sp.account_id")?,
    }
    q.eq("sp.id", call.params.str("id"));
    q.flag("sp.display", call.params.bool("fordisplay"));
    q.order("sp.rowid");
    q.list(call, "snapshotpolicy", |call, mut row| {
        let id = sql::id_of(&row);
        row.insert(
            "tags".into(),
            Value::Array(tags::tags_of_one(call, "SnapshotPolicy", &id)?),
        );
        Ok(Value::Object(row))
    })
}
