//! Templates made from volumes and snapshots (`createTemplate`), copied to
//! other zones (`copyTemplate`) and extracted (`extractTemplate`). The rows
//! go to the templates family's `templates` / `template_zones` tables.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use crate::families::compute::api::{deploy, owner, vm};
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::templates::api as templates;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql;

use super::{snapshots, volume};

/// `createTemplate` (async, created in the request): from a volume whose VM
/// is stopped, or from a backed-up snapshot.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let name = call.required("name")?.to_string();
    let display = params.str("displaytext").unwrap_or(&name).to_string();
    let os_type = call.required("ostypeid")?.to_string();
    if !sql::exists(call.tx, "templates_os_types", &os_type)? {
        return Err(ApiError::invalid_id("ostypeid", &os_type));
    }
    let (volume_id, snapshot_id) = (params.str("volumeid"), params.str("snapshotid"));
    let (size, zone_id, source_account, hypervisor) = match (volume_id, snapshot_id) {
        (Some(v), Some(s)) => {
            return Err(ApiError::param(format!(
                "Failed to create private template record, please specify only one of volume ID ({v}) and \
                 snapshot ID ({s})"
            )));
        }
        (None, None) => {
            return Err(ApiError::param(
                "Failed to create private template record, need to specify snapshotId or volumeId",
            ));
        }
        (Some(v), None) => {
            let volume =
                volume::find(call, v)?.ok_or_else(|| ApiError::invalid_id("volumeid", v))?;
            check_access(call, &volume.account_id, v)?;
            if volume.state != "Ready" {
                return Err(ApiError::param(format!(
                    "Volume is not in ready state: {v}"
                )));
            }
            let mut hypervisor = "Simulator".to_string();
            if let Some(vm_id) = &volume.vm_id {
                let vm = vm::reload(call, vm_id)?;
                hypervisor.clone_from(&vm.hypervisor);
                if !matches!(vm.state.as_str(), "Stopped" | "Destroyed") {
                    return Err(ApiError::param(format!(
                        "VolumeId: {v} is attached to VM {} in state {}; the VM must be stopped to create a template \
                         from its volume",
                        vm.label(),
                        vm.state
                    )));
                }
            }
            (volume.size, volume.zone_id, volume.account_id, hypervisor)
        }
        (None, Some(s)) => {
            let snapshot = snapshots::usable(call, s, "template")?;
            (
                snapshot.volume_size,
                snapshot.zone_id,
                snapshot.account_id,
                "Simulator".to_string(),
            )
        }
    };
    let owner = match (params.str("account"), params.str("projectid")) {
        (None, None) => owner::account(call, &source_account)?,
        _ => owner::resolve(call)?,
    };
    limits::reserve_all(
        call,
        &owner.id,
        &[
            (ResourceKind::Template, 1),
            (ResourceKind::SecondaryStorage, size),
        ],
    )?;
    let id = ids::new_id();
    let now = call.timestamp();
    templates::insert_user_template(
        call.tx,
        &templates::NewUserTemplate {
            id: &id,
            name: &name,
            display_text: &display,
            account_id: &owner.id,
            domain_id: &owner.domain_id,
            hypervisor: &hypervisor,
            os_type_id: &os_type,
            is_public: params.flag("ispublic", false),
            is_featured: params.flag("isfeatured", false) && call.caller.is_admin(),
            password_enabled: params.flag("passwordenabled", false),
            sshkey_enabled: params.flag("sshkeyenabled", false),
            dynamically_scalable: params.flag("isdynamicallyscalable", false),
            requires_hvm: params.flag("requireshvm", true),
            bits: params.i64("bits")?.unwrap_or(64),
            size,
            template_tag: params.str("templatetag"),
            arch: params.str("arch").unwrap_or("x86_64"),
            created: &now,
        },
    )?;
    templates::add_template_to_zone(call.tx, &id, &zone_id, false, &now)?;
    event_log::created_event(
        call,
        "TEMPLATE.CREATE",
        "creating template",
        Subject::of("Template", &id, &name),
    )?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Template",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                templates::mark_template_ready(call.tx, &job_id)?;
                Ok(Reply::Object {
                    key: "template",
                    value: templates::template_json(call, &job_id, &zone_id)?,
                })
            }),
        )
        .with_event(
            "TEMPLATE.CREATE",
            format!("creating template. Template Id: {id}"),
        ),
    ))
}

struct Image {
    account_id: String,
    cross_zones: bool,
    extractable: bool,
    public: bool,
    format: String,
    kind: String,
}

fn image(call: &Call<'_>, id: &str) -> Result<Image, ApiError> {
    call.tx
        .query_row(
            "SELECT account_id, cross_zones, is_extractable, is_public, format, kind FROM templates_templates
             WHERE id = ?1 AND removed IS NULL",
            [id],
            |r| {
                Ok(Image {
                    account_id: r.get(0)?,
                    cross_zones: r.get::<_, i64>(1)? != 0,
                    extractable: r.get::<_, i64>(2)? != 0,
                    public: r.get::<_, i64>(3)? != 0,
                    format: r.get(4)?,
                    kind: r.get(5)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))
}

fn in_zone(call: &Call<'_>, id: &str, zone: &str) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM templates_template_zones WHERE template_id = ?1 AND zone_id = ?2",
            [id, zone],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// `copyTemplate` (async): the template becomes available in other zones.
pub(crate) fn copy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let template = image(call, &id)?;
    if !template.public {
        check_access(call, &template.account_id, &id)?;
    }
    let mut destinations = call.params.list("destzoneids");
    if let Some(zone) = call.params.str("destzoneid") {
        destinations.insert(0, zone.to_string());
    }
    if destinations.is_empty() {
        return Err(ApiError::param("Please specify valid destination zone(s)."));
    }
    let source = call.params.str("sourcezoneid").map(String::from);
    if let Some(source) = &source {
        deploy::zone(call, "sourcezoneid", source)?;
        if destinations.contains(source) {
            return Err(ApiError::param(
                "Please specify different source and destination zones.",
            ));
        }
    }
    for zone in &destinations {
        deploy::zone(call, "destzoneid", zone)?;
    }
    if template.cross_zones {
        return Err(ApiError::param(format!(
            "Template {id} is cross-zone and is available in every zone already"
        )));
    }
    if let Some(source) = &source {
        if !in_zone(call, &id, source)? {
            return Err(ApiError::param(format!(
                "Template {id} is not available in the source zone {source}"
            )));
        }
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Template",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                for zone in &destinations {
                    if !in_zone(call, &job_id, zone)? {
                        templates::add_template_to_zone(
                            call.tx,
                            &job_id,
                            zone,
                            true,
                            &call.timestamp(),
                        )?;
                    }
                }
                Ok(Reply::Object {
                    key: "template",
                    value: templates::template_json(call, &job_id, &destinations[0])?,
                })
            }),
        )
        .with_event(
            "TEMPLATE.COPY",
            format!("copying template. Template Id: {id}"),
        ),
    ))
}

/// `extractTemplate` (async): answers a download URL.
pub(crate) fn extract(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let mode = call.required("mode")?.to_ascii_uppercase();
    if mode != "HTTP_DOWNLOAD" && mode != "FTP_UPLOAD" {
        return Err(ApiError::param("Please specify a valid extract Mode"));
    }
    let template = image(call, &id)?;
    if template.kind == "iso" {
        return Err(ApiError::param(format!(
            "Unable to find template with id {id}"
        )));
    }
    check_access(call, &template.account_id, &id)
        .or_else(|e| if template.public { Ok(()) } else { Err(e) })?;
    if !template.extractable
        && !call.caller.is_admin()
        && template.account_id != call.caller.account_id
    {
        return Err(ApiError::permission(format!(
            "The template:{id} is not allowed to be extracted"
        )));
    }
    let zone = match call.params.str("zoneid") {
        Some(zone) => {
            deploy::zone(call, "zoneid", zone)?;
            zone.to_string()
        }
        None => call
            .tx
            .query_row(
                "SELECT z.id FROM datacenter_zones z WHERE EXISTS (SELECT 1 FROM templates_template_zones x WHERE x.template_id = ?1
                 AND x.zone_id = z.id) OR ?2 ORDER BY z.seq LIMIT 1",
                params![id, template.cross_zones],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::param(format!("Template {id} is not available in any zone")))?,
    };
    if !template.cross_zones && !in_zone(call, &id, &zone)? {
        return Err(ApiError::param(format!(
            "Template {id} is not available in zone {zone}"
        )));
    }
    let url_param = call.params.str("url").map(String::from);
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Template",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let (name, account): (String, String) = call.tx.query_row(
                    "SELECT name, account_id FROM templates_templates WHERE id = ?1",
                    [&job_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let zone_name: String = call.tx.query_row(
                    "SELECT name FROM datacenter_zones WHERE id = ?1",
                    [&zone],
                    |r| r.get(0),
                )?;
                let url = url_param.clone().unwrap_or_else(|| {
                    format!(
                        "http://10.147.28.6/userdata/{}.{}",
                        ids::new_id(),
                        template.format.to_ascii_lowercase()
                    )
                });
                let value = json!({
                    "id": job_id,
                    "name": name,
                    "accountid": account,
                    "state": "DOWNLOAD_URL_CREATED",
                    "status": "",
                    "zoneid": zone,
                    "zonename": zone_name,
                    "extractMode": mode,
                    "url": url,
                    "created": call.timestamp(),
                    "uploadpercentage": 100,
                    "storagetype": "Image",
                });
                Ok(Reply::Object {
                    key: "template",
                    value,
                })
            }),
        )
        .with_event(
            "TEMPLATE.EXTRACT",
            format!("extracting template. Template Id: {id}"),
        ),
    ))
}
