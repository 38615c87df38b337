//! `destroyVolume` and `recoverVolume`: a detached volume goes to the
//! Destroy state (its owner's volume and primary storage counts given
//! back) and may come back, or is expunged at once with `expunge=true`, as
//! `VolumeApiServiceImpl.destroyVolume` / `recoverVolume` do. Generated
//! entities clean volumes up with `destroyVolume expunge=true`.

use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::sql;

use super::volume::{self, Volume};
use super::volumes::{operable, volume_json};

/// States a volume is not destroyed from again
/// (`VolumeApiServiceImpl.STATES_VOLUME_CANNOT_BE_DESTROYED`).
const NOT_DESTROYABLE: &[&str] = &["Destroy", "Expunging", "Expunged", "Allocated"];

/// Whether the caller may expunge or recover volumes: admins always,
/// others when `allow.user.expunge.recover.volume` (account scope) is on.
fn may_expunge_or_recover(call: &Call<'_>) -> Result<bool, ApiError> {
    if call.caller.is_admin() {
        return Ok(true);
    }
    identity::setting_flag(
        call.tx,
        "allow.user.expunge.recover.volume",
        &[("account", &call.caller.account_id)],
    )
}

/// `VolumeApiServiceImpl.retrieveAndValidateVolume`: refusals shared by
/// every destroy.
fn validate(call: &Call<'_>, volume: &Volume) -> Result<(), ApiError> {
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
    if volume.vm_id.is_some() {
        return Err(ApiError::param(
            "Please specify a volume that is not attached to any VM.",
        ));
    }
    if matches!(volume.state.as_str(), "NotUploaded" | "UploadInProgress") {
        return Err(ApiError::param(
            "The volume is either getting uploaded or it may be initiated shortly, please wait for it to be completed",
        ));
    }
    Ok(())
}

/// `destroyVolume` (async): every check runs in the job, so refusals are
/// job failures.
pub(crate) fn destroy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let volume = operable(call, "id")?;
    let expunge = call.params.flag("expunge", false);
    let id = volume.id.clone();
    Ok(Reply::Job(
        volume::job(&id, "id", move |call, id, volume| {
            validate(call, &volume)?;
            if expunge {
                if !may_expunge_or_recover(call)? {
                    return Err(ApiError::permission(
                        "Expunging a volume can only be done by an Admin. Or when the \
                         allow.user.expunge.recover.volume key is set.",
                    ));
                }
            } else if matches!(volume.state.as_str(), "Allocated" | "Uploaded") {
                return Err(ApiError::param(
                    "The volume in Allocated/Uploaded state can only be expunged not destroyed/recovered",
                ));
            }
            volume::refuse_if_protected(call, &volume, ".")?;
            // Counts go back once: when the volume leaves the living
            // states (an Allocated one never reaches Destroy).
            let counted = !matches!(volume.state.as_str(), "Destroy" | "Expunging" | "Expunged");
            if !NOT_DESTROYABLE.contains(&volume.state.as_str()) {
                volume::set_state(call, id, "Destroy")?;
            }
            if counted && (expunge || volume.state != "Allocated") {
                volume::release_counts(call, &volume)?;
            }
            let value = volume_json(call, id)?;
            if expunge {
                volume::remove(call, &volume)?;
            }
            Ok(Reply::Object {
                key: "volume",
                value,
            })
        })
        .with_event(
            "VOLUME.DESTROY",
            format!("destroying a volume. Volume Id: {}", volume.id),
        ),
    ))
}

/// `recoverVolume` (sync): a volume in Destroy is Ready again, counted
/// against its owner's limits once more.
pub(crate) fn recover(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    if !may_expunge_or_recover(call)? {
        return Err(ApiError::permission(
            "Recovering a volume can only be done by an Admin. Or when the \
             allow.user.expunge.recover.volume key is set.",
        ));
    }
    let volume = operable(call, "id")?;
    if volume.state != "Destroy" {
        return Err(ApiError::param("Please specify a volume in Destroy state."));
    }
    limits::reserve_all(
        call,
        &volume.account_id,
        &[
            (ResourceKind::Volume, 1),
            (ResourceKind::PrimaryStorage, volume.size),
        ],
    )
    // The server turns the limit refusal into a parameter error.
    .map_err(|e| ApiError::param(e.text))?;
    volume::set_state(call, &volume.id, "Ready")?;
    event_log::completed(
        call,
        "VOLUME.RECOVER",
        &format!(
            "recovering a volume in Destroy state. Volume Id: {}",
            volume.id
        ),
        Subject::of("Volume", &volume.id, &volume.name),
    )?;
    Ok(Reply::Object {
        key: "volume",
        value: volume_json(call, &volume.id)?,
    })
}
