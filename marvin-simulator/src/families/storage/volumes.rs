//! Volume commands: create, attach, detach, resize, migrate, delete, list
//! (cloudstack-semantics.md §3).

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::families::compute::api::deploy;
use crate::families::compute::api::owner;
use crate::families::compute::api::refs;
use crate::families::compute::api::vm;
use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query, text};

use super::pools;
use super::volume::{self, NewVolume, Volume};

/// The most data disks a VM may have (hypervisor capabilities unknown).
const MAX_DATA_DISKS: i64 = 6;

/// The query behind volume responses; add conditions on `v.`.
pub(crate) fn query() -> Query {
    Query::new(format!(
        "SELECT v.id AS id, v.name AS name, v.zone_id AS zoneid, z.name AS zonename, v.volume_type AS type,
                v.device_id AS deviceid, v.vm_id AS virtualmachineid, m.name AS vmname,
                COALESCE(m.display_name, m.name) AS vmdisplayname, m.state AS vmstate, m.instance_name AS vminstancename,
                v.provisioning_type AS provisioningtype, v.size AS size, v.size AS virtualsize, v.min_iops AS miniops,
                v.max_iops AS maxiops, v.created AS created, v.attached AS attached, v.state AS state, {owner},
                v.disk_offering_id AS diskofferingid, o.name AS diskofferingname,
                o.display_text AS diskofferingdisplaytext, so.id AS serviceofferingid,
                so.name AS serviceofferingname, so.display_text AS serviceofferingdisplaytext,
                sp.name AS storage, v.pool_id AS storageid,
                sp.type AS storagetype_raw, 'Simulator' AS hypervisor, v.template_id AS templateid,
                t.name AS templatename, t.display_text AS templatedisplaytext, v.snapshot_id AS snapshotid,
                v.state = 'Destroy' AS \"destroyed?\", 0 AS \"isextractable?\", v.display_volume AS \"displayvolume?\", v.delete_protection AS \"deleteprotection?\",
                v.path AS path, v.pod_id AS podid, p2.name AS podname,
                (SELECT j.id FROM async_jobs j WHERE j.instance_id = v.id AND j.status = 0
                 ORDER BY j.seq DESC LIMIT 1) AS jobid
         FROM volumes v {join} JOIN datacenter_zones z ON z.id = v.zone_id LEFT JOIN compute_vms m ON m.id = v.vm_id
              LEFT JOIN offerings_disk_offerings o ON o.id = v.disk_offering_id
              -- A ROOT volume answers with its VM's compute offering
              -- (VolumeJoinDaoImpl.newVolumeResponse).
              LEFT JOIN offerings_service_offerings so ON so.id = m.service_offering_id AND v.volume_type = 'ROOT'
              LEFT JOIN datacenter_storage_pools sp ON sp.id = v.pool_id LEFT JOIN templates_templates t ON t.id = v.template_id
              LEFT JOIN datacenter_pods p2 ON p2.id = v.pod_id",
        owner = owner::COLUMNS,
        join = owner::join("v"),
    ))
}

fn finish(call: &Call<'_>, rows: Vec<Object>) -> Result<Vec<Value>, ApiError> {
    let full = call.caller.is_root_admin();
    tags::with_tags(call, "Volume", rows, |_, row| {
        row.remove("accountid");
        row.remove("storagetype_raw");
        row.insert("storagetype".into(), json!("shared"));
        if !full {
            for field in [
                "storage",
                "storageid",
                "path",
                "podid",
                "podname",
                "vminstancename",
            ] {
                row.remove(field);
            }
        }
        if row.contains_key("jobid") {
            row.insert("jobstatus".into(), json!(0));
        }
        Ok(())
    })
}

/// One volume's response object.
pub(crate) fn volume_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = query().one(call.tx, "v.id", id)?;
    Ok(finish(call, vec![row])?.remove(0))
}

pub(super) fn reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "volume",
        value: volume_json(call, id)?,
    })
}

/// A volume named by a parameter that the caller may act on.
pub(crate) fn operable(call: &Call<'_>, param: &str) -> Result<Volume, ApiError> {
    let id = call.required(param)?;
    let volume = volume::find(call, id)?.ok_or_else(|| ApiError::invalid_id(param, id))?;
    check_access(call, &volume.account_id, id)?;
    Ok(volume)
}

/// A custom disk size in GB within `custom.diskoffering.size.min`/`max`,
/// as bytes (431 with CloudStack's text otherwise).
pub(crate) fn custom_size(call: &Call<'_>, gb: i64) -> Result<i64, ApiError> {
    let min = identity::setting_number(call.tx, "custom.diskoffering.size.min", &[], 1)?;
    let max = identity::setting_number(call.tx, "custom.diskoffering.size.max", &[], 1024)?;
    if gb < min || gb > max {
        return Err(ApiError::param(format!(
            "Volume size: {gb}GB is out of allowed range. Max: {max} Min:{min}"
        )));
    }
    Ok(refs::gib_to_bytes(gb))
}

/// `createVolume` (async, created in the request): from a disk offering
/// (custom size in GB) or a snapshot; Allocated until first attached.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let snapshot = match params.str("snapshotid") {
        Some(id) => Some(super::snapshots::usable(call, id, "volume")?),
        None => None,
    };
    let offering = match params.str("diskofferingid") {
        Some(id) => Some(
            refs::disk_offering(call, id)?
                .ok_or_else(|| ApiError::invalid_id("diskofferingid", id))?,
        ),
        None => None,
    };
    if offering.is_none() && snapshot.is_none() {
        return Err(ApiError::param(
            "Either disk Offering Id or snapshot Id must be passed whilst creating volume",
        ));
    }
    if let Some(offering) = &offering {
        if !offering.active {
            return Err(ApiError::param(format!(
                "Please specify a valid disk offering. {} is not active",
                offering.name
            )));
        }
    }
    let size_gb = params.i64("size")?;
    let size = match (&snapshot, &offering) {
        (Some(snapshot), _) => snapshot.volume_size,
        (None, Some(offering)) if offering.customized => match size_gb {
            Some(gb) => custom_size(call, gb)?,
            None => {
                return Err(ApiError::param(
                    "This disk offering requires a custom size specified",
                ));
            }
        },
        (None, Some(offering)) => {
            if size_gb.is_some_and(|gb| refs::gib_to_bytes(gb) != offering.size) {
                return Err(ApiError::param(
                    "This disk offering does not allow custom size",
                ));
            }
            offering.size
        }
        (None, None) => 0,
    };
    let zone_id = match (&snapshot, params.str("zoneid")) {
        (Some(snapshot), _) => snapshot.zone_id.clone(),
        (None, Some(zone)) => zone.to_string(),
        (None, None) => return Err(ApiError::missing(call.command, "zoneid")),
    };
    let zone = deploy::zone(call, "zoneid", &zone_id)?;
    deploy::check_zone_enabled(call, &zone)?;
    let owner = owner::resolve(call)?;
    deploy::check_owner_enabled(&owner, "volume")?;
    let attach_to = match params.str("virtualmachineid") {
        Some(id) => {
            let vm =
                vm::find(call, id)?.ok_or_else(|| ApiError::invalid_id("virtualmachineid", id))?;
            check_access(call, &vm.account_id, id)?;
            Some(vm.id)
        }
        None => None,
    };
    limits::reserve_all(
        call,
        &owner.id,
        &[
            (ResourceKind::Volume, 1),
            (ResourceKind::PrimaryStorage, size),
        ],
    )?;
    let id = ids::new_id();
    let name = params
        .str("name")
        .map(String::from)
        .unwrap_or_else(|| id.clone());
    volume::insert(
        call,
        &id,
        &NewVolume {
            name: Some(&name),
            account_id: &owner.id,
            domain_id: &owner.domain_id,
            zone_id: &zone.id,
            vm_id: None,
            device_id: None,
            volume_type: "DATADISK",
            size,
            disk_offering_id: offering.as_ref().map(|o| o.id.as_str()).or(snapshot
                .as_ref()
                .and_then(|s| s.disk_offering_id.as_deref())),
            template_id: None,
            snapshot_id: snapshot.as_ref().map(|s| s.id.as_str()),
            provisioning_type: offering
                .as_ref()
                .map_or("thin", |o| o.provisioning.as_str()),
            min_iops: params
                .i64("miniops")?
                .or(offering.as_ref().and_then(|o| o.min_iops)),
            max_iops: params
                .i64("maxiops")?
                .or(offering.as_ref().and_then(|o| o.max_iops)),
            pool: None,
        },
    )?;
    if let Some(display) = params.bool("displayvolume") {
        call.tx.execute(
            "UPDATE volumes SET display_volume = ?2 WHERE id = ?1",
            params![id, display],
        )?;
    }
    event_log::created_event(
        call,
        "VOLUME.CREATE",
        "creating volume",
        Subject::of("Volume", &id, &name),
    )?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Volume",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if let Some(vm_id) = &attach_to {
                    attach_now(call, &job_id, vm_id, None)?;
                }
                reply(call, &job_id)
            }),
        )
        .with_event("VOLUME.CREATE", format!("creating volume. Volume Id: {id}")),
    ))
}

/// The device id a new data disk gets: the smallest free one from 1,
/// skipping 3 (the CD-ROM).
pub(crate) fn next_device_id(call: &Call<'_>, vm_id: &str) -> Result<i64, ApiError> {
    let used: Vec<i64> = call
        .tx
        .prepare_cached("SELECT device_id FROM volumes WHERE vm_id = ?1 AND device_id IS NOT NULL")?
        .query_map([vm_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((1..).find(|d| *d != 3 && !used.contains(d)).unwrap_or(1))
}

/// Attaches a volume to a VM with CloudStack's rules (in a job).
fn attach_now(
    call: &Call<'_>,
    volume_id: &str,
    vm_id: &str,
    device: Option<i64>,
) -> Result<(), ApiError> {
    let volume =
        volume::find(call, volume_id)?.ok_or_else(|| ApiError::invalid_id("id", volume_id))?;
    let vm = vm::reload(call, vm_id)?;
    if !matches!(vm.state.as_str(), "Running" | "Stopped") {
        return Err(ApiError::param(
            "Please specify a VM that is either running or stopped.",
        ));
    }
    if vm.zone_id != volume.zone_id {
        return Err(ApiError::param(
            "Please specify a VM that is in the same zone as the volume.",
        ));
    }
    if volume.is_root() || volume.vm_id.is_some() {
        return Err(ApiError::param(
            "Please specify a volume that is not attached to any VM.",
        ));
    }
    if !matches!(volume.state.as_str(), "Allocated" | "Ready" | "Uploaded") {
        return Err(ApiError::param(
            "Volume state must be in Allocated, Ready or in Uploaded state",
        ));
    }
    let data_disks = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM volumes WHERE vm_id = ?1 AND volume_type = 'DATADISK'",
        vm_id,
    )?;
    if data_disks >= MAX_DATA_DISKS {
        return Err(ApiError::param(format!(
            "The specified VM already has the maximum number of data disks ({MAX_DATA_DISKS}) attached. Please \
             specify another VM."
        )));
    }
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM vm_snapshots WHERE vm_id = ?1",
        vm_id,
    )? > 0
    {
        return Err(ApiError::param(
            "Unable to attach volume, please specify a VM that does not have VM snapshots",
        ));
    }
    if volume.account_id != vm.account_id {
        return Err(ApiError::permission(format!(
            "Unable to attach volume {} to VM {}: they belong to different accounts",
            volume.id, vm.id
        )));
    }
    let device = match device {
        Some(d) if d <= 0 || d == 3 || d > 15 => {
            return Err(ApiError::internal("deviceId should be 1,2,4-15"));
        }
        Some(d) => {
            let taken = call
                .tx
                .query_row(
                    "SELECT 1 FROM volumes WHERE vm_id = ?1 AND device_id = ?2",
                    params![vm_id, d],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if taken {
                return Err(ApiError::internal(format!(
                    "deviceId {d} is used by VM {}",
                    vm.name
                )));
            }
            d
        }
        None => next_device_id(call, vm_id)?,
    };
    // An Allocated volume is created on primary storage, an Uploaded one
    // copied there from secondary storage.
    if matches!(volume.state.as_str(), "Allocated" | "Uploaded") {
        let root_pool: Option<String> = call
            .tx
            .query_row(
                "SELECT pool_id FROM volumes WHERE vm_id = ?1 AND volume_type = 'ROOT'",
                [vm_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if root_pool.is_some() {
            let cluster: Option<String> = match &vm.host_id {
                Some(host) => call
                    .tx
                    .query_row("SELECT cluster_id FROM datacenter_hosts WHERE id = ?1", [host], |r| {
                        r.get(0)
                    })
                    .optional()?,
                None => None,
            };
            let pool = pools::pick(
                call,
                &vm.zone_id,
                cluster.as_deref(),
                volume.size,
                None,
                None,
            )?
            .ok_or_else(|| pools::no_pool(&volume.name))?;
            volume::create_on(call, &volume, &pool)?;
        }
    }
    call.tx.execute(
        "UPDATE volumes SET vm_id = ?2, device_id = ?3, attached = ?4 WHERE id = ?1",
        params![volume.id, vm_id, device, call.timestamp()],
    )?;
    Ok(())
}

/// `attachVolume` (async).
pub(crate) fn attach(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = operable(call, "id")?;
    let vm = vm::operable(call, "virtualmachineid")?;
    let device = call.params.i64("deviceid")?;
    let (id, vm_id) = (volume.id.clone(), vm.id.clone());
    Ok(Reply::Job(
        Job::on(
            "Volume",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                attach_now(call, &id, &vm_id, device)?;
                reply(call, &id)
            }),
        )
        .with_event(
            "VOLUME.ATTACH",
            format!(
                "attaching volume. Volume Id: {}, Vm Id: {}",
                volume.id, vm.id
            ),
        ),
    ))
}

/// `detachVolume` (async): by `id`, or by `virtualmachineid` + `deviceid`.
pub(crate) fn detach(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = match call.params.str("id") {
        Some(_) => operable(call, "id")?,
        None => {
            let vm = vm::operable(call, "virtualmachineid")?;
            let device = call.params.i64("deviceid")?.ok_or_else(|| {
                ApiError::param(
                    "Please provide either a volume id, or a tuple(device id, instance id)",
                )
            })?;
            let id: Option<String> = call
                .tx
                .query_row(
                    "SELECT id FROM volumes WHERE vm_id = ?1 AND device_id = ?2",
                    params![vm.id, device],
                    |r| r.get(0),
                )
                .optional()?;
            let id = id.ok_or_else(|| {
                ApiError::param("Unable to find volume with the given device id and instance")
            })?;
            volume::find(call, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?
        }
    };
    let id = volume.id.clone();
    Ok(Reply::Job(
        volume::job(&id, "id", move |call, id, volume| {
                let Some(vm_id) = volume.vm_id.clone() else {
                    return Err(ApiError::param("Please specify a volume that is attached to a VM."));
                };
                let vm = vm::reload(call, &vm_id)?;
                if volume.is_root() {
                    if !matches!(vm.state.as_str(), "Stopped" | "Destroyed") {
                        return Err(ApiError::param(
                            "Root volume detach can happen only when vm is in states: Stopped or Destroyed",
                        ));
                    }
                } else if !matches!(vm.state.as_str(), "Running" | "Stopped" | "Destroyed") {
                    return Err(ApiError::param("Please specify a VM that is either running or stopped."));
                }
                if sql::count(call.tx, "SELECT COUNT(*) FROM vm_snapshots WHERE vm_id = ?1", &vm_id)? > 0 {
                    return Err(ApiError::param(
                        "Unable to detach volume, please specify a VM that does not have VM snapshots",
                    ));
                }
                call.tx.execute(
                    "UPDATE volumes SET vm_id = NULL, device_id = NULL, attached = NULL WHERE id = ?1",
                    [&id],
                )?;
                reply(call, id)
        })
        .with_event("VOLUME.DETACH", format!("detaching volume. Volume Id: {}", volume.id)),
    ))
}

/// `resizeVolume` (async): a new size (GB) or disk offering; shrinking
/// needs `shrinkok`.
pub(crate) fn resize(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = operable(call, "id")?;
    let new_offering = match call.params.str("diskofferingid") {
        Some(id) => Some(
            refs::disk_offering(call, id)?
                .ok_or_else(|| ApiError::invalid_id("diskofferingid", id))?,
        ),
        None => None,
    };
    let size_gb = call.params.i64("size")?;
    let shrink_ok = call.params.flag("shrinkok", false);
    let id = volume.id.clone();
    Ok(Reply::Job(
        volume::job(&id, "id", move |call, id, volume| {
                if !matches!(volume.state.as_str(), "Ready" | "Allocated") {
                    return Err(ApiError::param(format!(
                        "Volume should be in ready or allocated state before attempting a resize. Volume {} is in \
                         state {}.",
                        volume.name, volume.state
                    )));
                }
                let current = match &volume.disk_offering_id {
                    Some(o) => refs::disk_offering(call, o)?,
                    None => None,
                };
                let new_size = match (&new_offering, size_gb) {
                    (Some(o), _) if !o.customized => o.size,
                    (_, Some(gb)) => refs::gib_to_bytes(gb),
                    (Some(_), None) => {
                        return Err(ApiError::param("New disk offering is customized, please specify a size"));
                    }
                    (None, None) => return Err(ApiError::param("No new size or disk offering was given")),
                };
                if new_offering.is_none() && !volume.is_root() && current.as_ref().is_some_and(|o| !o.customized) {
                    return Err(ApiError::param(
                        "To change a volume's size without providing a new disk offering, its current disk offering \
                         must be customizable or it must be a root volume (if providing a disk offering, make sure it \
                         is different from the current disk offering).",
                    ));
                }
                if new_size < volume.size && !shrink_ok {
                    return Err(ApiError::param(format!(
                        "Going from existing size of {} to size of {new_size} would shrink the volume.Need to sign off \
                         by supplying the shrinkok parameter with value of true.",
                        volume.size
                    )));
                }
                let delta = new_size - volume.size;
                limits::reserve_change(call, &volume.account_id, ResourceKind::PrimaryStorage, delta)?;
                if let Some(pool) = &volume.pool_id {
                    if delta > 0 && pools::pick(call, &volume.zone_id, None, delta, Some(pool), None)?.is_none() {
                        return Err(ApiError::capacity(format!(
                            "Unable to resize volume {}: the storage pool does not have enough capacity",
                            volume.name
                        )));
                    }
                    pools::allocate(call, pool, delta)?;
                }
                call.tx.execute(
                    "UPDATE volumes SET size = ?2, disk_offering_id = COALESCE(?3, disk_offering_id) WHERE id = ?1",
                    params![id, new_size, new_offering.as_ref().map(|o| o.id.clone())],
                )?;
                reply(call, id)
        })
        .with_event("VOLUME.RESIZE", format!("resizing volume. Volume Id: {}", volume.id)),
    ))
}

/// `migrateVolume` (async): to another primary storage pool.
pub(crate) fn migrate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = operable(call, "volumeid")?;
    let pool_id = call.required("storageid")?.to_string();
    if !sql::exists(call.tx, "datacenter_storage_pools", &pool_id)? {
        return Err(ApiError::invalid_id("storageid", &pool_id));
    }
    let live = call.params.flag("livemigrate", false);
    let id = volume.id.clone();
    Ok(Reply::Job(
        volume::job(&id, "volumeid", move |call, id, volume| {
                if volume.state != "Ready" {
                    return Err(ApiError::param("Volume must be in ready state"));
                }
                if volume.pool_id.as_deref() == Some(pool_id.as_str()) {
                    return Err(ApiError::param(format!(
                        "Volume {} is already on the storage pool {pool_id}",
                        volume.name
                    )));
                }
                if let Some(vm_id) = &volume.vm_id {
                    let vm = vm::reload(call, vm_id)?;
                    if vm.state == "Running" && !live {
                        return Err(ApiError::param(format!(
                            "Volume {} is attached to a running VM; migrate it with livemigrate=true or stop the VM",
                            volume.name
                        )));
                    }
                }
                pools::pick(call, &volume.zone_id, None, volume.size, Some(&pool_id), None)?
                    .ok_or_else(|| pools::no_pool(&volume.name))?;
                volume::move_to(call, &volume, &pool_id)?;
                reply(call, id)
        })
        .with_event("VOLUME.MIGRATE", format!("migrating volume. Volume Id: {}", volume.id)),
    ))
}

/// `deleteVolume` (sync): refused while attached.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = operable(call, "id")?;
    if volume.vm_id.is_some() {
        return Err(ApiError::param(
            "Please specify a volume that is not attached to any VM.",
        ));
    }
    volume::refuse_if_protected(call, &volume, ".")?;
    let busy = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM snapshots WHERE volume_id = ?1 AND state IN ('Allocated', 'Creating', 'BackingUp')",
        &volume.id,
    )?;
    if busy > 0 {
        return Err(ApiError::param(
            "There are snapshot operations in progress on the volume, unable to delete it",
        ));
    }
    if volume.state != "Destroy" {
        volume::release_counts(call, &volume)?;
    }
    volume::remove(call, &volume)?;
    event_log::completed(
        call,
        "VOLUME.DELETE",
        &format!("deleting volume. Volume Id: {}", volume.id),
        Subject::of("Volume", &volume.id, &volume.name),
    )?;
    Ok(Reply::Success(None))
}

/// `listVolumes`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    // Filter and page on `volumes` alone, then render the page's rows.
    let mut q = Query::new("SELECT v.id AS id FROM volumes v");
    // A VM the caller may not see is no refusal: the usual scoping leaves
    // its volumes out (QueryManagerImpl.searchForVolumeIdsAndCount checks
    // no access on `virtualmachineid`, it only filters).
    if let Some(vm_id) = params.str("virtualmachineid") {
        if vm::find(call, vm_id)?.is_none() {
            return Err(ApiError::invalid_id("virtualmachineid", vm_id));
        }
        q.eq("v.vm_id", Some(vm_id));
    }
    owner::scope_unless_id(call, &mut q, "v.account_id", |id| {
        Ok(volume::find(call, id)?.map(|volume| volume.account_id))
    })?;
    q.eq("v.id", params.str("id"));
    q.any_of_given("v.id", &params.list("ids"));
    q.eq("v.name", params.str("name"));
    q.eq_nocase("v.volume_type", params.str("type"));
    q.eq("v.zone_id", params.str("zoneid"));
    q.eq("v.disk_offering_id", params.str("diskofferingid"));
    q.eq_nocase("v.state", params.str("state"));
    if call.caller.is_root_admin() {
        q.eq("v.pool_id", params.str("storageid"));
        q.eq("v.pod_id", params.str("podid"));
        if let Some(host) = params.str("hostid") {
            q.and(
                "v.vm_id IN (SELECT id FROM compute_vms WHERE host_id = ?)",
                [text(host)],
            );
        }
        q.flag("v.display_volume", params.bool("displayvolume"));
    } else {
        q.and("v.display_volume = 1", []);
    }
    q.and("v.state NOT IN ('Expunged', 'Expunging')", []);
    // The volumes of system VMs only for a root admin who asks for them
    // (QueryManagerImpl.searchForVolumesInternal, shouldListSystemVms).
    if !(call.caller.is_root_admin() && params.bool("listsystemvms") == Some(true)) {
        q.and("v.system_vm = 0", []);
    }
    q.keyword(&["v.name", "v.state"], params.str("keyword"));
    if let Some((condition, args)) = tags::tag_filter(call, "Volume", "v.id") {
        q.and(&condition, args);
    }
    q.order("v.seq");
    let (count, rows) = q.page(call)?;
    let ids = sql::ids(&rows);
    let mut page = query();
    page.any_of("v.id", &ids).order("v.seq");
    let rows = page.all(call.tx)?;
    Ok(Reply::List {
        key: "volume",
        items: finish(call, rows)?,
        count,
    })
}

#[cfg(test)]
#[path = "offering_fields_tests.rs"]
mod offering_fields_tests;
