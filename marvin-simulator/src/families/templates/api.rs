//! What other families call: the response of a template (or ISO) in one
//! zone, as `listTemplates` shows it (the storage family answers
//! `createTemplate` and `copyTemplate` with it).

use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

use super::images::{self, Kind};

/// Image `id` as listed in `zone_id` (431 naming `id` when it is not there).
pub(crate) fn template_json(call: &Call<'_>, id: &str, zone_id: &str) -> Result<Value, ApiError> {
    let stored: Option<String> = call
        .tx
        .query_row("SELECT kind FROM templates WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let kind = Kind::of_stored(stored.as_deref().unwrap_or_default());
    let mut query = images::query(kind);
    query.eq("z.id", Some(zone_id));
    let row = query.one(call.tx, "t.id", id)?;
    Ok(images::finish(call, kind, vec![row])?
        .into_iter()
        .next()
        .unwrap_or(Value::Null))
}

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Templates and ISOs.
    "templates_templates",
    // Where each template is, and whether it is ready.
    "templates_template_zones",
    // Guest OS types.
    "templates_os_types",
];

/// Forgets a zone that is being deleted: no template is in it any more.
pub(crate) fn forget_zone(tx: &rusqlite::Transaction<'_>, zone_id: &str) -> Result<(), ApiError> {
    tx.execute("DELETE FROM template_zones WHERE zone_id = ?1", [zone_id])?;
    Ok(())
}

/// A user template made from a volume or a snapshot (`createTemplate`):
/// a RAW `USER` template, not extractable, in no zone yet.
#[derive(Debug)]
pub(crate) struct NewUserTemplate<'a> {
    /// Its id.
    pub(crate) id: &'a str,
    /// Its name and display text.
    pub(crate) name: &'a str,
    /// The display text.
    pub(crate) display_text: &'a str,
    /// The owner and its domain.
    pub(crate) account_id: &'a str,
    /// The owner's domain.
    pub(crate) domain_id: &'a str,
    /// The hypervisor of the source.
    pub(crate) hypervisor: &'a str,
    /// The guest OS type.
    pub(crate) os_type_id: &'a str,
    /// Flags as given.
    pub(crate) is_public: bool,
    /// Featured (admins only).
    pub(crate) is_featured: bool,
    /// Password enabled.
    pub(crate) password_enabled: bool,
    /// SSH key enabled.
    pub(crate) sshkey_enabled: bool,
    /// Dynamically scalable.
    pub(crate) dynamically_scalable: bool,
    /// Requires HVM.
    pub(crate) requires_hvm: bool,
    /// 32 or 64.
    pub(crate) bits: i64,
    /// Size in bytes.
    pub(crate) size: i64,
    /// Optional tag.
    pub(crate) template_tag: Option<&'a str>,
    /// CPU architecture.
    pub(crate) arch: &'a str,
    /// When it was made.
    pub(crate) created: &'a str,
}

/// Stores a user template made from a volume or a snapshot.
pub(crate) fn insert_user_template(
    tx: &rusqlite::Transaction<'_>,
    t: &NewUserTemplate<'_>,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO templates (id, kind, name, display_text, account_id, domain_id, format, hypervisor, os_type_id,
                                template_type, is_public, is_featured, is_extractable, password_enabled,
                                sshkey_enabled, is_dynamically_scalable, requires_hvm, bits, cross_zones, size,
                                template_tag, arch, created)
         VALUES (?1, 'template', ?2, ?3, ?4, ?5, 'RAW', ?6, ?7, 'USER', ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14, 0, ?15,
                 ?16, ?17, ?18)",
        rusqlite::params![
            t.id,
            t.name,
            t.display_text,
            t.account_id,
            t.domain_id,
            t.hypervisor,
            t.os_type_id,
            t.is_public,
            t.is_featured,
            t.password_enabled,
            t.sshkey_enabled,
            t.dynamically_scalable,
            t.requires_hvm,
            t.bits,
            t.size,
            t.template_tag,
            t.arch,
            t.created
        ],
    )?;
    Ok(())
}

/// Puts a template in a zone: ready (`Download Complete`) or still being
/// made (`Creating`).
pub(crate) fn add_template_to_zone(
    tx: &rusqlite::Transaction<'_>,
    template_id: &str,
    zone_id: &str,
    ready: bool,
    created: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO template_zones (template_id, zone_id, status, is_ready, created)
         VALUES (?1, ?2, CASE WHEN ?3 THEN 'Download Complete' ELSE 'Creating' END, ?3, ?4)",
        rusqlite::params![template_id, zone_id, ready, created],
    )?;
    Ok(())
}

/// A template being made is ready in every zone it is in.
pub(crate) fn mark_template_ready(
    tx: &rusqlite::Transaction<'_>,
    template_id: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE template_zones SET status = 'Download Complete', is_ready = 1 WHERE template_id = ?1",
        [template_id],
    )?;
    Ok(())
}

/// Whether `id` is a template (not an ISO) that is not deleted.
pub(crate) fn template_exists(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<bool, ApiError> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM templates WHERE id = ?1 AND kind = 'template' AND removed IS NULL",
        )?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The image format `raw` names (any case), as CloudStack's `ImageFormat`
/// knows it: the volume upload checks it too.
pub(crate) fn image_format(raw: &str) -> Option<&'static str> {
    images::format_named(raw)
}

/// The image formats, comma separated (the text of a refused format).
pub(crate) fn image_format_names() -> String {
    images::format_names()
}

/// Checks an image URL for a format like CloudStack's
/// `UriUtils.validateUrl` (scheme, and an extension that fits the format).
pub(crate) fn check_image_url(url: &str, format: &str) -> Result<(), ApiError> {
    images::check_url(url, format)
}

/// The size the simulated secondary storage gives a downloaded image.
pub(crate) const DOWNLOADED_SIZE: i64 = images::SIMULATED_SIZE;
