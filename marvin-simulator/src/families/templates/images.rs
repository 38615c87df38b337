//! Templates and ISOs: registered from a URL and, in the simulator, ready
//! at once (status `Download Complete` for templates, `Successfully
//! Installed` for ISOs, like the Java simulator); listed once per zone.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use crate::families::identity::api::{self as identity, DOMAIN_PATH};
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

/// Templates or ISOs: the two share a table and most rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Template,
    Iso,
}

impl Kind {
    fn stored(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Iso => "iso",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Iso => "iso",
        }
    }

    fn event(self, action: &str) -> &'static str {
        match (self, action) {
            (Self::Template, "create") => "TEMPLATE.CREATE",
            (Self::Template, "update") => "TEMPLATE.UPDATE",
            (Self::Template, _) => "TEMPLATE.DELETE",
            (Self::Iso, "create") => "ISO.CREATE",
            (Self::Iso, "update") => "ISO.UPDATE",
            (Self::Iso, _) => "ISO.DELETE",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Self::Template => "Download Complete",
            Self::Iso => "Successfully Installed",
        }
    }

    fn resource(self) -> &'static str {
        match self {
            Self::Template => "Template",
            Self::Iso => "Iso",
        }
    }

    /// The tags family's resource type.
    fn tag_type(self) -> &'static str {
        match self {
            Self::Template => "Template",
            Self::Iso => "ISO",
        }
    }

    /// The kind of a stored image.
    pub(crate) fn of_stored(kind: &str) -> Self {
        if kind == "iso" {
            Self::Iso
        } else {
            Self::Template
        }
    }
}

/// The size the simulator reports for a downloaded image (as the Java
/// simulator's mock storage does).
pub(crate) const SIMULATED_SIZE: i64 = 5 * 1024 * 1024;

/// The format CloudStack's `ImageFormat` names, whatever the case `raw`
/// is in.
pub(super) fn format_named(raw: &str) -> Option<&'static str> {
    FORMATS
        .iter()
        .map(|(f, _)| *f)
        .find(|f| f.eq_ignore_ascii_case(raw))
}

/// The formats, comma separated, in `ImageFormat`'s order.
pub(super) fn format_names() -> String {
    FORMATS
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Image formats CloudStack knows, with their file extensions.
const FORMATS: &[(&str, &[&str])] = &[
    ("QCOW2", &["qcow2"]),
    ("RAW", &["raw", "img"]),
    ("VHD", &["vhd"]),
    ("VHDX", &["vhdx"]),
    ("OVA", &["ova"]),
    ("ISO", &["iso"]),
    ("VMDK", &["vmdk"]),
    ("TAR", &["tar"]),
    ("ZIP", &["zip"]),
    ("DIR", &[""]),
    ("BAREMETAL", &["baremetal"]),
];

/// The query behind image responses (one row per zone the image is in);
/// [`finish`] completes its rows.
pub(super) fn query(kind: Kind) -> Query {
    let mut query = Query::new(format!(
        "SELECT t.id AS id, t.name AS name, t.display_text AS displaytext, t.is_public AS \"ispublic?\",
                t.created AS created, COALESCE(tz.is_ready, 1) AS \"isready?\",
                t.password_enabled AS \"passwordenabled?\", t.format AS format, t.is_featured AS \"isfeatured?\",
                t.cross_zones AS \"crossZones?\", t.os_type_id AS ostypeid, o.name AS ostypename,
                CASE WHEN a.account_type = 5 THEN NULL ELSE a.name END AS account, t.account_id AS accountid,
                pr.id AS projectid, pr.name AS project, z.id AS zoneid, z.name AS zonename,
                CASE WHEN z.id IS NULL THEN NULL ELSE COALESCE(tz.status, '{status}') END AS status,
                t.size AS size, t.size AS physicalsize, t.template_type AS templatetype, t.hypervisor AS hypervisor,
                d.name AS domain, t.domain_id AS domainid, {DOMAIN_PATH} AS domainpath,
                t.is_extractable AS \"isextractable?\", COALESCE(t.details, '{{}}') AS \"details{{}}\", t.bits AS bits,
                t.sshkey_enabled AS \"sshkeyenabled?\", t.is_dynamically_scalable AS \"isdynamicallyscalable?\",
                t.direct_download AS \"directdownload?\", t.deploy_as_is AS \"deployasis?\",
                t.requires_hvm AS \"requireshvm?\", t.url AS url, t.checksum AS checksum,
                t.template_tag AS templatetag, t.arch AS arch,
                t.userdata_id AS userdataid, ud.name AS userdataname, ud.params AS userdataparams,
                t.userdata_policy AS userdatapolicy,
                CASE WHEN t.kind = 'iso' THEN t.bootable END AS \"bootable?\",
                0 AS \"hasannotations?\", t.removed AS removed,
                CASE WHEN z.id IS NULL THEN NULL ELSE json_array(json_object(
                    'downloadState', CASE WHEN COALESCE(tz.is_ready, 1) = 1 THEN 'DOWNLOADED' ELSE 'CREATING' END,
                    'datastore', (SELECT s.name FROM datacenter_image_stores s WHERE s.zone_id = z.id ORDER BY s.created LIMIT 1),
                    'downloadPercent', CASE WHEN COALESCE(tz.is_ready, 1) = 1 THEN '100' ELSE '0' END))
                END AS \"downloaddetails{{}}\"
         FROM templates t
         LEFT JOIN datacenter_zones z ON (t.cross_zones = 1
              OR EXISTS (SELECT 1 FROM template_zones x WHERE x.template_id = t.id AND x.zone_id = z.id))
         LEFT JOIN template_zones tz ON tz.template_id = t.id AND tz.zone_id = z.id
         LEFT JOIN identity_accounts a ON a.id = t.account_id
         LEFT JOIN projects_projects pr ON pr.account_id = t.account_id
         LEFT JOIN identity_domains d ON d.id = t.domain_id
         LEFT JOIN os_types o ON o.id = t.os_type_id
         LEFT JOIN compute_user_data ud ON ud.id = t.userdata_id",
        status = kind.status()
    ));
    query.eq("t.kind", Some(kind.stored()));
    query
}

/// Completes response rows of [`query`] with their tags.
pub(super) fn finish(
    call: &Call<'_>,
    kind: Kind,
    rows: Vec<Object>,
) -> Result<Vec<Value>, ApiError> {
    tags::with_tags(call, kind.tag_type(), rows, |_, _| Ok(()))
}

/// An image's response rows (one per zone; one without a zone when it is in
/// none yet).
pub(super) fn rows(call: &Call<'_>, kind: Kind, id: &str) -> Result<Vec<Value>, ApiError> {
    let mut q = query(kind);
    q.eq("t.id", Some(id));
    q.order("z.seq");
    finish(call, kind, q.all(call.tx)?)
}

/// The owner, type and name of an image the caller names.
struct Image {
    account_id: String,
    template_type: String,
    cross_zones: bool,
}

fn image(call: &Call<'_>, kind: Kind, id: &str) -> Result<Image, ApiError> {
    call.tx
        .query_row(
            "SELECT account_id, template_type, cross_zones FROM templates
             WHERE id = ?1 AND kind = ?2 AND removed IS NULL",
            [id, kind.stored()],
            |r| {
                Ok(Image {
                    account_id: r.get(0)?,
                    template_type: r.get(1)?,
                    cross_zones: r.get(2)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))
}

/// Checks a URL like CloudStack's `UriUtils.validateUrl`.
pub(super) fn check_url(url: &str, format: &str) -> Result<(), ApiError> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https" | "file")) {
        return Err(ApiError::param(format!(
            "Unsupported scheme for url: {url}"
        )));
    }
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let compressed = [".zip", ".bz2", ".gz"]
        .iter()
        .any(|ext| path.ends_with(ext));
    let extensions = FORMATS
        .iter()
        .find(|(f, _)| *f == format)
        .map(|(_, e)| *e)
        .unwrap_or(&[]);
    let correct = extensions
        .iter()
        .any(|ext| ext.is_empty() || path.ends_with(&format!(".{ext}")));
    if !correct && !compressed {
        return Err(ApiError::param(format!(
            "Please specify a valid URL. URL:{url} is an invalid for the format {}",
            format.to_ascii_lowercase()
        )));
    }
    Ok(())
}

/// The zones an image is registered in: `None` for all zones (cross-zone).
fn target_zones(call: &Call<'_>, required: bool) -> Result<Option<Vec<String>>, ApiError> {
    let mut zones = call.params.list("zoneids");
    if let Some(zone) = call.params.str("zoneid") {
        if zone == "-1" {
            return Ok(None);
        }
        zones.insert(0, zone.to_string());
    }
    if zones.is_empty() {
        if required {
            return Err(ApiError::param(
                "Either zoneid or zoneids parameters have to be specified",
            ));
        }
        return Ok(None);
    }
    for zone in &zones {
        let state: Option<String> = call
            .tx
            .query_row(
                "SELECT allocation_state FROM datacenter_zones zones WHERE id = ?1",
                [zone],
                |r| r.get(0),
            )
            .optional()?;
        match state {
            None => return Err(ApiError::invalid_id("zoneid", zone)),
            Some(state) if state == "Disabled" && !call.caller.is_root_admin() => {
                return Err(ApiError::permission(format!(
                    "Cannot perform this operation, Zone is currently disabled: {zone}"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(Some(zones))
}

/// The account an image is registered for: `account`+`domainid` for
/// admins, the caller otherwise.
fn owner(call: &Call<'_>) -> Result<(String, String), ApiError> {
    let p = call.params;
    match (p.str("account"), p.str("domainid")) {
        (Some(name), domain) if call.caller.is_admin() => {
            let domain = match domain {
                Some(d) => identity::domain_param(call.tx, "domainid", d)?,
                None => identity::domain_param(call.tx, "domainid", &call.caller.domain_id)?,
            };
            crate::families::identity::api::check_domain_access(call, &domain)?;
            let account =
                identity::account_by_name(call.tx, name, &domain.id)?.ok_or_else(|| {
                    ApiError::param(format!(
                        "Unable to find account {name} in domain {}",
                        domain.id
                    ))
                })?;
            Ok((account.id, domain.id))
        }
        _ => Ok((
            call.caller.account_id.clone(),
            call.caller.domain_id.clone(),
        )),
    }
}

fn details(call: &Call<'_>) -> Option<String> {
    let mut map = Map::new();
    for entry in call.params.map("details") {
        for (k, v) in entry {
            map.insert(k, Value::String(v));
        }
    }
    (!map.is_empty()).then(|| Value::Object(map).to_string())
}

fn os_type(call: &Call<'_>, required: bool) -> Result<Option<String>, ApiError> {
    match call.params.str("ostypeid") {
        Some(id) if sql::exists(call.tx, "os_types", id)? => Ok(Some(id.to_string())),
        Some(id) => Err(ApiError::invalid_id("ostypeid", id)),
        None if required => Err(ApiError::param("Please pass a valid GuestOS Id")),
        None => Ok(None),
    }
}

/// `registerTemplate` / `registerIso` (both answer as a list, one item per
/// zone).
pub(crate) fn register(call: &mut Call<'_>, kind: Kind) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let url = call.required("url")?.to_string();
    let bootable = kind == Kind::Template || p.flag("bootable", true);
    let (format, hypervisor) = match kind {
        Kind::Template => {
            let raw = call.required("format")?;
            let format = FORMATS
                .iter()
                .map(|(f, _)| *f)
                .find(|f| f.eq_ignore_ascii_case(raw))
                .ok_or_else(|| {
                    ApiError::param(format!(
                        "Image format is incorrect {raw}. Supported formats are {}",
                        FORMATS
                            .iter()
                            .map(|(f, _)| *f)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            let raw = call.required("hypervisor")?;
            let hv = crate::families::datacenter::api::hypervisor_name(raw).ok_or_else(|| {
                ApiError::param(format!(
                    "Hypervisor Type: {raw} is invalid. Supported Hypervisor types are XenServer, KVM, VMware, Hyperv, \
                     VirtualBox, Parralels, BareMetal, Simulator, Ovm, Ovm3, LXC, Custom, External"
                ))
            })?;
            (format, Some(hv))
        }
        Kind::Iso => ("ISO", None),
    };
    check_url(&url, format)?;
    let os = os_type(call, kind == Kind::Iso && bootable)?;
    let zones = target_zones(call, true)?;
    let (account_id, domain_id) = owner(call)?;
    let is_admin = call.caller.is_admin();
    let featured = p.flag("isfeatured", false);
    if featured && !call.caller.is_root_admin() {
        return Err(ApiError::permission(
            "Parameter isfeatured can only be specified by a Root Admin, permission denied",
        ));
    }
    let public = p.flag("ispublic", false);
    if public
        && !is_admin
        && !crate::families::identity::api::setting_flag(
            call.tx,
            "allow.public.user.templates",
            &[("account", &account_id)],
        )?
    {
        return Err(ApiError::param(
            "Only private templates/ISO can be created.",
        ));
    }
    let template_type = match p.str("templatetype") {
        Some(t) if is_admin => ["USER", "BUILTIN", "SYSTEM", "ROUTING", "PERHOST"]
            .into_iter()
            .find(|x| x.eq_ignore_ascii_case(t))
            .ok_or_else(|| ApiError::param(format!("Invalid template type {t}")))?,
        Some(_) => {
            return Err(ApiError::permission(
                "Parameter templatetype can only be specified by admin",
            ));
        }
        None if p.flag("isrouting", false) && is_admin => "ROUTING",
        None => "USER",
    };
    let id = ids::new_id();
    let now = call.timestamp();
    call.tx.execute(
        "INSERT INTO templates (id, kind, name, display_text, account_id, domain_id, format, hypervisor, os_type_id, url,
             checksum, template_type, is_public, is_featured, is_extractable, password_enabled, sshkey_enabled,
             is_dynamically_scalable, requires_hvm, bootable, bits, cross_zones, size, template_tag, direct_download,
             deploy_as_is, arch, details, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
                 ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
        params![
            id,
            kind.stored(),
            name,
            display_text,
            account_id,
            domain_id,
            format,
            hypervisor,
            os,
            url,
            p.str("checksum"),
            template_type,
            public,
            featured,
            p.flag("isextractable", false),
            p.flag("passwordenabled", false),
            p.flag("sshkeyenabled", false),
            p.flag("isdynamicallyscalable", false),
            p.flag("requireshvm", true),
            bootable,
            p.i64("bits")?.unwrap_or(64),
            zones.is_none(),
            SIMULATED_SIZE,
            p.str("templatetag"),
            p.flag("directdownload", false),
            p.flag("deployasis", false),
            p.str("arch").unwrap_or("x86_64"),
            details(call),
            now
        ],
    )?;
    for zone in zones.iter().flatten() {
        call.tx.execute(
            "INSERT OR IGNORE INTO template_zones (template_id, zone_id, status, created) VALUES (?1, ?2, ?3, ?4)",
            params![id, zone, kind.status(), now],
        )?;
    }
    let what = if kind == Kind::Template {
        "registering template"
    } else {
        "registering iso"
    };
    event_log::completed(
        call,
        kind.event("create"),
        what,
        Subject::of(kind.resource(), &id, &name),
    )?;
    let items: Vec<Value> = rows(call, kind, &id)?
        .into_iter()
        .filter(|r| r.get("zoneid").is_some())
        .collect();
    let count = items.len();
    Ok(Reply::List {
        key: kind.key(),
        items,
        count,
    })
}

/// `updateTemplate` / `updateIso`.
pub(crate) fn update(call: &mut Call<'_>, kind: Kind) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let found = image(call, kind, &id)?;
    check_access(call, &found.account_id, &id)?;
    if !call.caller.is_admin() && found.template_type != "USER" {
        return Err(crate::kernel::scope::denied(call, &id));
    }
    let os = os_type(call, false)?;
    if let Some(os) = os {
        call.tx.execute(
            "UPDATE templates SET os_type_id = ?2 WHERE id = ?1",
            params![id, os],
        )?;
    }
    for (param, column) in [("name", "name"), ("displaytext", "display_text")] {
        if let Some(value) = p.str(param) {
            call.tx.execute(
                &format!("UPDATE templates SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if let Some(raw) = p.str("format") {
        let format = FORMATS
            .iter()
            .map(|(f, _)| *f)
            .find(|f| f.eq_ignore_ascii_case(raw))
            .ok_or_else(|| ApiError::param(format!("Image format: {raw} is incorrect")))?;
        call.tx.execute(
            "UPDATE templates SET format = ?2 WHERE id = ?1",
            params![id, format],
        )?;
    }
    let flags = [
        ("passwordenabled", "password_enabled"),
        ("sshkeyenabled", "sshkey_enabled"),
        ("isdynamicallyscalable", "is_dynamically_scalable"),
        ("requireshvm", "requires_hvm"),
        ("bootable", "bootable"),
    ];
    for (param, column) in flags {
        if let Some(value) = p.bool(param) {
            call.tx.execute(
                &format!("UPDATE templates SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if let Some(key) = p.i64("sortkey")? {
        call.tx.execute(
            "UPDATE templates SET sort_key = ?2 WHERE id = ?1",
            params![id, key],
        )?;
    }
    if let Some(kind_value) = p.str("templatetype") {
        if !call.caller.is_root_admin() {
            return Err(ApiError::permission(
                "Parameter templatetype can only be specified by a Root Admin",
            ));
        }
        let value = ["USER", "BUILTIN", "SYSTEM", "ROUTING", "PERHOST"]
            .into_iter()
            .find(|x| x.eq_ignore_ascii_case(kind_value))
            .ok_or_else(|| ApiError::param(format!("Invalid template type {kind_value}")))?;
        call.tx.execute(
            "UPDATE templates SET template_type = ?2 WHERE id = ?1",
            params![id, value],
        )?;
    }
    if let Some(details) = details(call) {
        call.tx.execute(
            "UPDATE templates SET details = ?2 WHERE id = ?1",
            params![id, details],
        )?;
    }
    let name: String =
        call.tx
            .query_row("SELECT name FROM templates WHERE id = ?1", [&id], |r| {
                r.get(0)
            })?;
    let what = if kind == Kind::Template {
        "updating template"
    } else {
        "updating iso"
    };
    event_log::completed(
        call,
        kind.event("update"),
        what,
        Subject::of(kind.resource(), &id, &name),
    )?;
    let value = rows(call, kind, &id)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::invalid_id("id", &id))?;
    Ok(Reply::Object {
        key: kind.key(),
        value,
    })
}

/// `deleteTemplate` / `deleteIso` (async): from one zone, or everywhere.
pub(crate) fn delete(call: &mut Call<'_>, kind: Kind) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    image(call, kind, &id)?;
    let zone = call
        .params
        .str("zoneid")
        .filter(|z| *z != "-1")
        .map(String::from);
    if let Some(zone) = &zone {
        if !sql::exists(call.tx, "datacenter_zones", zone)? {
            return Err(ApiError::invalid_id("zoneid", zone));
        }
    }
    let forced = call.params.flag("forced", false);
    let job_id = id.clone();
    let what = if kind == Kind::Template {
        "deleting template"
    } else {
        "deleting iso"
    };
    Ok(Reply::Job(
        Job::on(
            kind.resource(),
            id,
            Box::new(move |call: &mut Call<'_>| {
                let found = image(call, kind, &job_id)?;
                check_access(call, &found.account_id, &job_id)?;
                if found.template_type == "SYSTEM" {
                    return Err(ApiError::param("The DomR template cannot be deleted."));
                }
                if !call.caller.is_admin() && found.template_type != "USER" {
                    return Err(crate::kernel::scope::denied(call, &job_id));
                }
                let column = if kind == Kind::Template { "template_id" } else { "iso_id" };
                let users = if forced || !sql::table_exists(call.tx, "compute_vms")? { None } else { users_of(call, column, &job_id)? };
                if let Some(names) = users {
                    return Err(ApiError::param(match kind {
                        Kind::Template => format!(
                            "Unable to delete template with id: {job_id} because VM instances: [{names}] are using it."
                        ),
                        Kind::Iso => format!("Unable to delete iso with id: {job_id} because it is attached to VMs: [{names}]"),
                    }));
                }
                match (&zone, found.cross_zones) {
                    (Some(zone), false) => {
                        call.tx.execute(
                            "DELETE FROM template_zones WHERE template_id = ?1 AND zone_id = ?2",
                            [&job_id, zone],
                        )?;
                        let left = sql::count(call.tx, "SELECT COUNT(*) FROM template_zones WHERE template_id = ?1", &job_id)?;
                        if left == 0 {
                            remove(call, &job_id)?;
                        }
                    }
                    _ => remove(call, &job_id)?,
                }
                Ok(Reply::Success(None))
            }),
        )
        .with_event(kind.event("delete"), what),
    ))
}

fn remove(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    call.tx
        .execute("DELETE FROM template_zones WHERE template_id = ?1", [id])?;
    call.tx.execute(
        "UPDATE templates SET removed = ?2, state = 'Inactive' WHERE id = ?1",
        params![id, call.timestamp()],
    )?;
    Ok(())
}

/// The names of the VMs that use an image (through `column` of `vms`).
fn users_of(call: &Call<'_>, column: &str, id: &str) -> Result<Option<String>, ApiError> {
    let has_column: bool = call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('vms') WHERE name = ?1)",
        [column],
        |r| r.get(0),
    )?;
    if !has_column {
        return Ok(None);
    }
    let names = sql::objects(
        call.tx,
        &format!("SELECT name FROM compute_vms WHERE {column} = ?1 ORDER BY name"),
        &[text(id)],
    )?;
    if names.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        names
            .iter()
            .filter_map(|n| n.get("name").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(","),
    ))
}

/// `listTemplates` (`templatefilter`) / `listIsos` (`isofilter`).
pub(crate) fn list(call: &mut Call<'_>, kind: Kind) -> Result<Reply, ApiError> {
    let p = call.params;
    let filter = match kind {
        Kind::Template => call.required("templatefilter")?.to_string(),
        Kind::Iso => p.str("isofilter").unwrap_or("selfexecutable").to_string(),
    };
    let filter = [
        "featured",
        "self",
        "selfexecutable",
        "sharedexecutable",
        "executable",
        "community",
        "all",
    ]
    .into_iter()
    .find(|f| f.eq_ignore_ascii_case(&filter))
    .ok_or_else(|| ApiError::param(format!("Please specify a valid {} filter", kind.key())))?;
    if filter == "all" && !call.caller.is_root_admin() {
        return Err(ApiError::param("Filter all can be specified by admin only"));
    }
    let mut query = query(kind);
    query.and("z.id IS NOT NULL", []);
    if !(p.flag("showremoved", false) && call.caller.is_admin()) {
        query.and("t.removed IS NULL", []);
    }
    // `id` widens an admin's list past their own account, as `listall`
    // does (ListScope::of, after AccountManagerImpl.buildACLSearchParameters).
    let narrowed = p.flag("listall", false)
        || p.str("domainid").is_some()
        || p.str("account").is_some()
        || p.str("id").is_some();
    let mine = || -> Result<(String, Option<String>), ApiError> {
        if narrowed {
            let (condition, arg) = ListScope::of(call)?.condition("t.account_id");
            Ok((condition, arg))
        } else {
            Ok((
                "t.account_id = ?".into(),
                Some(call.caller.account_id.clone()),
            ))
        }
    };
    match filter {
        "self" | "selfexecutable" => {
            let (condition, arg) = mine()?;
            query.and(&condition, arg.map(text));
        }
        "featured" => {
            query.and("t.is_featured = 1 AND t.is_public = 1", []);
        }
        "community" => {
            query.and("t.is_public = 1 AND t.is_featured = 0", []);
        }
        "executable" => {
            let (condition, arg) = mine()?;
            query.and(&format!("t.is_public = 1 OR {condition}"), arg.map(text));
        }
        "sharedexecutable" => {
            // Shared with the caller's account (`updateTemplatePermissions`
            // op=add).
            query.and(
                "t.id IN (SELECT template_id FROM template_launch_permissions WHERE account_id = ?)",
                [text(call.caller.account_id.clone())],
            );
        }
        _ => {
            if narrowed {
                let (condition, arg) = ListScope::of(call)?.condition("t.account_id");
                query.and(&condition, arg.map(text));
            }
        }
    }
    if !call.caller.is_admin() {
        query.and("t.template_type NOT IN ('SYSTEM', 'ROUTING')", []);
    }
    query.eq("t.id", p.str("id"));
    query.any_of_given("t.id", &p.list("ids"));
    query.eq("t.name", p.str("name"));
    query.eq("z.id", p.str("zoneid"));
    query.eq_nocase("t.hypervisor", p.str("hypervisor"));
    query.eq_nocase("t.template_type", p.str("templatetype"));
    query.eq("t.arch", p.str("arch"));
    if let Some(category) = p.str("oscategoryid") {
        query.eq("o.category_id", Some(category));
    }
    if let Some(ready) = p.bool("isready") {
        query.and(
            "COALESCE(tz.is_ready, 1) = ?",
            [rusqlite::types::Value::Integer(i64::from(ready))],
        );
    }
    if kind == Kind::Iso {
        query.flag("t.bootable", p.bool("bootable"));
        query.flag("t.is_public", p.bool("ispublic"));
    }
    query.keyword(&["t.name", "t.display_text"], p.str("keyword"));
    query.order("t.sort_key, t.seq, z.seq");
    let (count, rows) = query.page(call)?;
    Ok(Reply::List {
        key: kind.key(),
        items: finish(call, kind, rows)?,
        count,
    })
}
