//! `attachIso` and `detachIso` (`TemplateManagerImpl.attachIso`,
//! `detachIso`): a VM's ISO drive. The ISO is an image of the templates
//! family, read through its published views.
//!
//! The VM and the ISO are resolved, and the caller's (and the VM owner's)
//! right to use the ISO checked, in the request (431/531 as HTTP errors);
//! the rules of `TemplateManagerImpl` run in the job, in its order. As in
//! CloudStack, the image is only looked at when it is mounted: a running
//! VM refuses an image that is not a ready ISO (530, from `prepareIso`), a
//! stopped VM just records it.

use rusqlite::{OptionalExtension, params};

use crate::kernel::caller::Caller;
use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;

use super::json;
use super::vm::{self, Vm};

/// The states an ISO may be attached or detached in.
const DRIVE_STATES: [&str; 2] = ["Running", "Stopped"];

/// An image as attaching it needs it.
#[derive(Debug)]
struct Image {
    id: String,
    account_id: String,
    is_public: bool,
    is_iso: bool,
    per_host: bool,
    cross_zones: bool,
    active: bool,
}

fn image(call: &Call<'_>, id: &str) -> Result<Option<Image>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, account_id, is_public, format, template_type, cross_zones, state
             FROM templates_templates WHERE id = ?1 AND removed IS NULL",
        )?
        .query_row([id], |r| {
            Ok(Image {
                id: r.get(0)?,
                account_id: r.get(1)?,
                is_public: r.get::<_, Option<i64>>(2)?.unwrap_or(0) != 0,
                is_iso: r.get::<_, String>(3)?.eq_ignore_ascii_case("ISO"),
                per_host: r.get::<_, String>(4)?.eq_ignore_ascii_case("PERHOST"),
                cross_zones: r.get::<_, Option<i64>>(5)?.unwrap_or(0) != 0,
                active: r
                    .get::<_, Option<String>>(6)?
                    .is_none_or(|s| s.eq_ignore_ascii_case("Active")),
            })
        })
        .optional()?)
}

/// The image's row for a zone, if it has one: `Some(ready)`. A cross-zone
/// image is in every zone.
fn in_zone(call: &Call<'_>, image: &Image, zone_id: &str) -> Result<Option<bool>, ApiError> {
    if image.cross_zones {
        return Ok(Some(image.active));
    }
    let ready: Option<i64> = call
        .tx
        .prepare_cached(
            "SELECT is_ready FROM templates_template_zones WHERE template_id = ?1 AND zone_id = ?2",
        )?
        .query_row([&image.id, zone_id], |r| r.get(0))
        .optional()?;
    Ok(ready.map(|ready| ready != 0 && image.active))
}

/// `DomainChecker.checkAccess` for an image: a public one is anyone's; a
/// private one only its owner's, a root admin's, or (for a project's) a
/// member's. (Launch permissions are only ever given to templates here:
/// `updateTemplatePermissions` refuses ISOs.)
fn check_use(call: &Call<'_>, account: &Account, image: &Image) -> Result<(), ApiError> {
    if image.is_public || account.root_admin || account.id == image.account_id {
        return Ok(());
    }
    if account.caller && crate::kernel::scope::is_project_member(call, &image.account_id)? {
        return Ok(());
    }
    Err(ApiError::permission(format!(
        "Account '{}' does not have permission to launch instances from Template {}",
        account.name, image.id
    )))
}

/// An account whose right to use an image is checked: the caller's, or
/// the VM owner's.
#[derive(Debug)]
struct Account {
    id: String,
    name: String,
    root_admin: bool,
    /// Whether this is the caller (whose project memberships count).
    caller: bool,
}

impl Account {
    fn of_caller(caller: &Caller) -> Self {
        Self {
            id: caller.account_id.clone(),
            name: caller.account_name.clone(),
            root_admin: caller.is_root_admin(),
            caller: true,
        }
    }
}

fn owner_of(call: &Call<'_>, vm: &Vm) -> Result<Account, ApiError> {
    if vm.account_id == call.caller.account_id {
        return Ok(Account::of_caller(call.caller));
    }
    let (name, account_type): (String, i64) = call
        .tx
        .prepare_cached("SELECT name, account_type FROM identity_accounts WHERE id = ?1")?
        .query_row([&vm.account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Account {
        id: vm.account_id.clone(),
        name,
        // CloudStack's Account.Type.ADMIN.
        root_admin: account_type == 1,
        caller: false,
    })
}

fn check_state(vm: &Vm) -> Result<(), ApiError> {
    if DRIVE_STATES.contains(&vm.state.as_str()) {
        Ok(())
    } else {
        Err(ApiError::param(
            "Please specify an instance that is either Stopped or Running.",
        ))
    }
}

fn set_iso(call: &Call<'_>, vm_id: &str, iso_id: Option<&str>) -> Result<(), ApiError> {
    call.tx
        .prepare_cached("UPDATE vms SET iso_id = ?2, last_updated = ?3 WHERE id = ?1")?
        .execute(params![vm_id, iso_id, call.timestamp()])?;
    Ok(())
}

/// What `prepareIso` refuses on a running VM: an image that is not an ISO
/// ready in the VM's zone.
fn mountable(call: &Call<'_>, image: &Image, zone_id: &str) -> Result<(), ApiError> {
    if image.is_iso && in_zone(call, image, zone_id)? == Some(true) {
        return Ok(());
    }
    Err(ApiError::internal(
        "Failed to prepare ISO ready to mount on hypervisor resource level",
    ))
}

fn iso_id_of(call: &Call<'_>, vm_id: &str) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .prepare_cached("SELECT iso_id FROM vms WHERE id = ?1")?
        .query_row([vm_id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// `attachIso`.
pub(crate) fn attach(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let iso_id = call.required("id")?.to_string();
    if !crate::kernel::sql::exists(call.tx, "templates_templates", &iso_id)? {
        return Err(ApiError::invalid_id("id", &iso_id));
    }
    // A deleted image is still found by its id, then refused.
    let iso = image(call, &iso_id)?
        .ok_or_else(|| ApiError::param(format!("Unable to find an ISO with id {iso_id}")))?;
    // The caller needs the ISO, and so does the VM's owner.
    check_use(call, &Account::of_caller(call.caller), &iso)?;
    check_use(call, &owner_of(call, &vm)?, &iso)?;
    let description = format!("attaching ISO. Vm Id: {} ISO ID: {}", vm.id, iso.id);
    Ok(Reply::Job(
        vm::job(&vm.id, move |call, id, vm| {
            let iso = image(call, &iso_id)?.ok_or_else(|| {
                ApiError::param(format!("Unable to find an ISO with id {iso_id}"))
            })?;
            if !iso.per_host && in_zone(call, &iso, &vm.zone_id)?.is_none() {
                return Err(ApiError::param(
                    "ISO is not available in the zone the instance is in.",
                ));
            }
            check_state(&vm)?;
            if vm.state == "Running" {
                mountable(call, &iso, &vm.zone_id)?;
            }
            set_iso(call, id, Some(&iso.id))?;
            json::reply(call, id)
        })
        .with_event("ISO.ATTACH", description),
    ))
}

/// `detachIso`.
pub(crate) fn detach(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let vm = vm::operable(call, "virtualmachineid")?;
    let description = match iso_id_of(call, &vm.id)? {
        Some(iso) => format!("detaching ISO. Vm Id: {} ISO Id: {iso}", vm.id),
        None => format!("detaching ISO. Vm Id: {}", vm.id),
    };
    Ok(Reply::Job(
        vm::job(&vm.id, move |call, id, vm| {
            if iso_id_of(call, id)?.is_none() {
                return Err(ApiError::param(
                    "The specified instance has no ISO attached to it.",
                ));
            }
            check_state(&vm)?;
            set_iso(call, id, None)?;
            json::reply(call, id)
        })
        .with_event("ISO.DETACH", description),
    ))
}
