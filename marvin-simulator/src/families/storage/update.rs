//! `updateVolume`: a volume's name and delete protection (anyone who may
//! act on it), and for root admins its display flag, path, state and
//! primary storage (`VolumeApiServiceImpl.updateVolume`).

use rusqlite::params;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;

use super::volume;
use super::volumes;

/// `Volume.State`'s names: the values `state` may take.
const STATES: &[&str] = &[
    "Allocated",
    "Creating",
    "Ready",
    "Migrating",
    "Snapshotting",
    "RevertSnapshotting",
    "Resizing",
    "Expunging",
    "Expunged",
    "Destroy",
    "Destroying",
    "UploadOp",
    "Copying",
    "Uploaded",
    "NotUploaded",
    "UploadInProgress",
    "UploadError",
    "UploadAbandoned",
    "Attaching",
    "Restoring",
];

/// `updateVolume` (async, event VOLUME.UPDATE).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let admin_only = [
        "path",
        "state",
        "storageid",
        "displayvolume",
        "customid",
        "chaininfo",
    ];
    if !call.caller.is_root_admin() && admin_only.iter().any(|name| p.get(name).is_some()) {
        return Err(ApiError::param(
            "The domain admin and normal user are not allowed to update volume except volume name & delete protection",
        ));
    }
    let found = volumes::operable(call, "id")?;
    let state = match p.str("state") {
        Some(state) => Some(
            STATES
                .iter()
                .find(|s| **s == state)
                .copied()
                .ok_or_else(|| ApiError::param("Invalid volume state specified"))?,
        ),
        None => None,
    };
    let pool = match p.str("storageid") {
        Some(pool_id) => {
            let zone: Option<String> = rusqlite::OptionalExtension::optional(call.tx.query_row(
                "SELECT zone_id FROM datacenter_storage_pools WHERE id = ?1",
                [pool_id],
                |r| r.get(0),
            ))?;
            let zone = zone.ok_or_else(|| ApiError::invalid_id("storageid", pool_id))?;
            if zone != found.zone_id {
                return Err(ApiError::param(
                    "Invalid storageId specified; refers to the pool outside of the volume's zone",
                ));
            }
            Some(pool_id.to_string())
        }
        None => None,
    };
    let name = p.str("name").map(str::to_string);
    let protect = p.bool("deleteprotection");
    let display = p.bool("displayvolume");
    let path = p.str("path").map(str::to_string);
    let id = found.id.clone();
    Ok(Reply::Job(
        volume::job(&id, "id", move |call, id, _| {
            let tx = call.tx;
            if let Some(path) = &path {
                tx.execute(
                    "UPDATE volumes SET path = ?2 WHERE id = ?1",
                    params![id, path],
                )?;
            }
            if let Some(state) = state {
                tx.execute(
                    "UPDATE volumes SET state = ?2 WHERE id = ?1",
                    params![id, state],
                )?;
            }
            if let Some(pool) = &pool {
                tx.execute(
                    "UPDATE volumes SET pool_id = ?2 WHERE id = ?1",
                    params![id, pool],
                )?;
            }
            if let Some(name) = &name {
                tx.execute(
                    "UPDATE volumes SET name = ?2 WHERE id = ?1",
                    params![id, name],
                )?;
            }
            if let Some(protect) = protect {
                tx.execute(
                    "UPDATE volumes SET delete_protection = ?2 WHERE id = ?1",
                    params![id, protect],
                )?;
            }
            if let Some(display) = display {
                tx.execute(
                    "UPDATE volumes SET display_volume = ?2 WHERE id = ?1",
                    params![id, display],
                )?;
            }
            Ok(Reply::Object {
                key: "volume",
                value: volumes::volume_json(call, id)?,
            })
        })
        .with_event("VOLUME.UPDATE", "updating volume"),
    ))
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
