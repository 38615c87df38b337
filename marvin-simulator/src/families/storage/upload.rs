//! `uploadVolume`: a data volume downloaded from a URL into secondary
//! storage, as CloudStack's `VolumeApiServiceImpl.uploadVolume` does
//! (`sanitizeFormat`, `validateVolume`, `persistVolume`): the command is
//! a plain async one, so every check runs in the job; the volume is
//! Allocated, then Uploaded once the simulated download is done.

use rusqlite::{OptionalExtension, params};

use crate::families::compute::api::{deploy, owner, refs};
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::templates::api as templates;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;

use super::volume::{self, NewVolume};

/// `uploadVolume`.
pub(crate) fn upload(_call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = ids::new_id();
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Volume",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| run(call, &job_id)),
        )
        .with_event(
            "VOLUME.UPLOAD",
            format!("uploading volume. Volume Id: {id}"),
        ),
    ))
}

/// The format as `ImageFormat` names it (`sanitizeFormat`): blank is a 530,
/// an unknown one a 431.
fn format(raw: &str) -> Result<&'static str, ApiError> {
    if raw.trim().is_empty() {
        return Err(ApiError::internal("Please provide a format"));
    }
    templates::image_format(raw).ok_or_else(|| {
        ApiError::param(format!(
            "Image format: {raw} is incorrect. Supported formats are [{}]",
            templates::image_format_names()
        ))
    })
}

fn run(call: &mut Call<'_>, id: &str) -> Result<Reply, ApiError> {
    let params = call.params;
    let format = format(params.str("format").unwrap_or(""))?;
    let name = call.required("name")?.to_string();
    let url = call.required("url")?.to_string();
    let owner = owner::resolve(call)?;
    deploy::check_owner_enabled(&owner, "volume")?;
    let zone_id = call.required("zoneid")?.to_string();
    let zone = deploy::zone(call, "zoneid", &zone_id)?;
    deploy::check_zone_enabled(call, &zone)?;
    if url.to_ascii_lowercase().contains("file://") {
        return Err(ApiError::param(
            "File:// type urls are currently unsupported",
        ));
    }
    templates::check_image_url(&url, format)?;
    let size = templates::DOWNLOADED_SIZE;
    let offering = match params.str("diskofferingid") {
        Some(offering_id) => {
            let offering = refs::disk_offering(call, offering_id)?
                .filter(|o| o.active)
                .ok_or_else(|| ApiError::param("Please specify a valid disk offering."))?;
            if !offering.customized {
                return Err(ApiError::param(
                    "Please specify a custom sized disk offering.",
                ));
            }
            offering
        }
        None => custom_offering(call)?
            .and_then(|offering_id| refs::disk_offering(call, &offering_id).transpose())
            .transpose()?
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "Unable to find custom disk offering in zone: {} for volume upload",
                    zone.id
                ))
            })?,
    };
    limits::reserve_all(
        call,
        &owner.id,
        &[
            (ResourceKind::Volume, 1),
            (ResourceKind::SecondaryStorage, size),
        ],
    )?;
    volume::insert(
        call,
        id,
        &NewVolume {
            name: Some(&name),
            account_id: &owner.id,
            domain_id: &owner.domain_id,
            zone_id: &zone.id,
            vm_id: None,
            device_id: None,
            volume_type: "DATADISK",
            size,
            disk_offering_id: Some(&offering.id),
            template_id: None,
            snapshot_id: None,
            provisioning_type: "thin",
            min_iops: offering.min_iops,
            max_iops: offering.max_iops,
            pool: None,
        },
    )?;
    // The download to secondary storage (UploadOp), done at once.
    call.tx.execute(
        "UPDATE volumes SET state = 'Uploaded' WHERE id = ?1",
        params![id],
    )?;
    super::volumes::reply(call, id)
}

/// The custom disk offering an upload without one gets
/// (`getCustomDiskOfferingIdForVolumeUpload`): `Custom` first, else the
/// oldest active custom one.
fn custom_offering(call: &Call<'_>) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id FROM offerings_disk_offerings
             WHERE customized = 1 AND removed IS NULL AND state = 'Active'
             ORDER BY name <> 'Custom', seq LIMIT 1",
        )?
        .query_row([], |r| r.get(0))
        .optional()?)
}
