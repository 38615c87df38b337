//! The volume row and the operations VMs and volume commands share.

use rusqlite::{OptionalExtension, params};

use crate::families::compute::api::vm::next_seq;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;

use super::pools::{self, Pool};

/// The largest volume CloudStack accepts, in GiB (`storage.max.volume.size`,
/// default 2000).
pub(crate) const MAX_VOLUME_GIB: i64 = 2000;

/// Refuses a volume size (bytes) above [`MAX_VOLUME_GIB`] with
/// CloudStack's text (`VolumeApiServiceImpl.validateVolumeSizeInBytes`,
/// 431). `bytes` may be saturated at `i64::MAX` by the GiB conversion.
pub(crate) fn check_max_size(bytes: i64) -> Result<(), ApiError> {
    if bytes > MAX_VOLUME_GIB.saturating_mul(crate::families::compute::api::refs::GIB) {
        return Err(ApiError::param(format!(
            "Requested volume size is {}, but the maximum size allowed is {MAX_VOLUME_GIB} GB.",
            readable_size(bytes)
        )));
    }
    Ok(())
}

/// A size as CloudStack's `NumbersUtil.toReadableSize` writes it
/// (`12 bytes`, `1.50 KB`/`MB`/`GB` with two decimals, `1.9541 TB` with
/// four; Java divides in `float`).
pub(crate) fn readable_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    const MB: i64 = KB * 1024;
    const GB: i64 = MB * 1024;
    const TB: i64 = GB * 1024;
    #[allow(clippy::cast_precision_loss, reason = "Java divides in float too")]
    let ratio = |unit: i64| bytes as f32 / unit as f32;
    match bytes {
        0..KB => format!("{bytes} bytes"),
        KB..MB => format!("{:.2} KB", ratio(KB)),
        MB..GB => format!("{:.2} MB", ratio(MB)),
        GB..TB => format!("{:.2} GB", ratio(GB)),
        _ => format!("{:.4} TB", ratio(TB)),
    }
}

/// A volume as the code uses it.
#[derive(Debug, Clone)]
pub(crate) struct Volume {
    pub id: String,
    pub name: String,
    pub account_id: String,
    pub zone_id: String,
    pub pool_id: Option<String>,
    pub vm_id: Option<String>,
    pub volume_type: String,
    pub state: String,
    pub size: i64,
    pub disk_offering_id: Option<String>,
}

/// Refuses to delete a volume whose delete protection is on, with
/// CloudStack's text (`VolumeApiServiceImpl`; `end` is what the calling
/// path puts after it: deleteVolume ends it with a full stop, the
/// `volumeids` of destroyVirtualMachine do not).
pub(crate) fn refuse_if_protected(
    call: &Call<'_>,
    volume: &Volume,
    end: &str,
) -> Result<(), ApiError> {
    let protected: bool = call
        .tx
        .query_row(
            "SELECT delete_protection FROM volumes WHERE id = ?1",
            [&volume.id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if protected {
        return Err(ApiError::param(format!(
            "Volume [id = {}, name = {}] has delete protection enabled and cannot be deleted{end}",
            volume.id, volume.name
        )));
    }
    Ok(())
}

impl Volume {
    /// Whether this is a ROOT volume.
    pub(crate) fn is_root(&self) -> bool {
        self.volume_type == "ROOT"
    }
}

const SELECT: &str =
    "SELECT id, name, account_id, zone_id, pool_id, vm_id, device_id, volume_type, state, size,
        disk_offering_id, template_id FROM volumes";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Volume> {
    Ok(Volume {
        id: r.get(0)?,
        name: r.get(1)?,
        account_id: r.get(2)?,
        zone_id: r.get(3)?,
        pool_id: r.get(4)?,
        vm_id: r.get(5)?,
        volume_type: r.get(7)?,
        state: r.get(8)?,
        size: r.get(9)?,
        disk_offering_id: r.get(10)?,
    })
}

/// A volume by uuid.
pub(crate) fn find(call: &Call<'_>, id: &str) -> Result<Option<Volume>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// The job of an async command on a volume: `work` runs with the volume's
/// id and the volume as it is when the job runs (431 naming `param` when it
/// is gone).
pub(crate) fn job(
    id: &str,
    param: &'static str,
    work: impl FnOnce(&mut Call<'_>, &str, Volume) -> Result<Reply, ApiError> + Send + 'static,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        "Volume",
        id,
        Box::new(move |call: &mut Call<'_>| {
            let volume =
                find(call, &job_id)?.ok_or_else(|| ApiError::invalid_id(param, &job_id))?;
            work(call, &job_id, volume)
        }),
    )
}

/// The volumes attached to a VM, ROOT first, then by device id.
pub(crate) fn of_vm(call: &Call<'_>, vm_id: &str) -> Result<Vec<Volume>, ApiError> {
    let mut stmt = call.tx.prepare_cached(&format!(
        "{SELECT} WHERE vm_id = ?1 ORDER BY CASE volume_type WHEN 'ROOT' THEN 0 ELSE 1 END, device_id"
    ))?;
    let rows = stmt.query_map([vm_id], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A volume about to be created.
#[derive(Debug, Clone)]
pub(crate) struct NewVolume<'a> {
    pub name: Option<&'a str>,
    pub account_id: &'a str,
    pub domain_id: &'a str,
    pub zone_id: &'a str,
    pub vm_id: Option<&'a str>,
    pub device_id: Option<i64>,
    pub volume_type: &'a str,
    pub size: i64,
    pub disk_offering_id: Option<&'a str>,
    pub template_id: Option<&'a str>,
    pub snapshot_id: Option<&'a str>,
    pub provisioning_type: &'a str,
    pub min_iops: Option<i64>,
    pub max_iops: Option<i64>,
    /// Created on this pool at once (Ready), or Allocated when None.
    pub pool: Option<&'a Pool>,
}

/// Inserts a volume and returns its id; the name defaults to
/// `<type prefix>-<seq>`.
pub(crate) fn insert(call: &Call<'_>, id: &str, new: &NewVolume<'_>) -> Result<String, ApiError> {
    let seq = next_seq(call, "volume")?;
    let name = match new.name {
        Some(name) => name.to_string(),
        None => format!(
            "{}-{seq}",
            if new.volume_type == "ROOT" {
                "ROOT"
            } else {
                "DATA"
            }
        ),
    };
    let state = if new.pool.is_some() {
        "Ready"
    } else {
        "Allocated"
    };
    let now = call.timestamp();
    call.tx
        .prepare_cached(
            "INSERT INTO volumes (id, seq, name, account_id, domain_id, zone_id, pod_id, pool_id, vm_id, device_id,
                                  volume_type, state, size, disk_offering_id, template_id, snapshot_id,
                                  provisioning_type, min_iops, max_iops, path, created, attached)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                     ?22)",
        )?
        .execute(params![
            id,
            seq,
            name,
            new.account_id,
            new.domain_id,
            new.zone_id,
            new.pool.and_then(|p| p.pod_id.clone()),
            new.pool.map(|p| p.id.clone()),
            new.vm_id,
            new.device_id,
            new.volume_type,
            state,
            new.size,
            new.disk_offering_id,
            new.template_id,
            new.snapshot_id,
            new.provisioning_type,
            new.min_iops,
            new.max_iops,
            new.pool.map(|_| id.to_string()),
            now,
            new.vm_id.map(|_| now.clone()),
        ])?;
    if let Some(pool) = new.pool {
        pools::allocate(call, &pool.id, new.size)?;
    }
    Ok(name)
}

/// Creates an Allocated volume on a pool: it becomes Ready.
pub(crate) fn create_on(call: &Call<'_>, volume: &Volume, pool: &Pool) -> Result<(), ApiError> {
    call.tx
        .prepare_cached(
            "UPDATE volumes SET pool_id = ?2, pod_id = ?3, state = 'Ready', path = COALESCE(path, id) WHERE id = ?1",
        )?
        .execute(params![volume.id, pool.id, pool.pod_id])?;
    pools::allocate(call, &pool.id, volume.size)
}

/// Gives back what a volume counts against its owner's limits (the volume
/// and its size of primary storage).
pub(crate) fn release_counts(call: &Call<'_>, volume: &Volume) -> Result<(), ApiError> {
    limits::release_all(
        call,
        &volume.account_id,
        &[
            (ResourceKind::Volume, 1),
            (ResourceKind::PrimaryStorage, volume.size),
        ],
    )
}

/// Removes a volume row and its tags, giving its pool space back.
pub(crate) fn remove(call: &Call<'_>, volume: &Volume) -> Result<(), ApiError> {
    tags::forget(call, "Volume", &volume.id)?;
    if let Some(pool) = &volume.pool_id {
        pools::allocate(call, pool, -volume.size)?;
    }
    call.tx
        .prepare_cached("DELETE FROM volumes WHERE id = ?1")?
        .execute([&volume.id])?;
    Ok(())
}

/// Sets a volume's state.
pub(crate) fn set_state(call: &Call<'_>, id: &str, state: &str) -> Result<(), ApiError> {
    call.tx
        .prepare_cached("UPDATE volumes SET state = ?2 WHERE id = ?1")?
        .execute(params![id, state])?;
    Ok(())
}

/// Creates on storage every Allocated volume of a VM about to start on a
/// host of `cluster_id` (533 when a volume fits no pool).
pub(crate) fn materialize_for(
    call: &Call<'_>,
    vm_id: &str,
    zone_id: &str,
    cluster_id: &str,
) -> Result<(), ApiError> {
    for volume in of_vm(call, vm_id)? {
        if volume.state != "Allocated" {
            continue;
        }
        let pool = pools::pick(call, zone_id, Some(cluster_id), volume.size, None, None)?
            .ok_or_else(|| pools::no_pool(&volume.name))?;
        create_on(call, &volume, &pool)?;
    }
    Ok(())
}

/// Moves a volume that is on storage to another pool.
pub(crate) fn move_to(call: &Call<'_>, volume: &Volume, pool_id: &str) -> Result<(), ApiError> {
    if let Some(old) = &volume.pool_id {
        pools::allocate(call, old, -volume.size)?;
    }
    let pod: Option<String> = call.tx.query_row(
        "SELECT pod_id FROM datacenter_storage_pools WHERE id = ?1",
        [pool_id],
        |r| r.get(0),
    )?;
    call.tx
        .prepare_cached("UPDATE volumes SET pool_id = ?2, pod_id = ?3 WHERE id = ?1")?
        .execute(params![volume.id, pool_id, pod])?;
    pools::allocate(call, pool_id, volume.size)
}
