//! Reads of the offerings and templates families' tables that the VM and
//! volume code needs. Their column names live here only.

use rusqlite::OptionalExtension;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// One GiB in bytes.
pub(crate) const GIB: i64 = 1024 * 1024 * 1024;

/// A size in GiB as bytes, saturating at `i64::MAX` instead of
/// overflowing (sizes are `long` parameters; callers check the result
/// against CloudStack's maximum where CloudStack does).
pub(crate) fn gib_to_bytes(gib: i64) -> i64 {
    gib.saturating_mul(GIB)
}

/// A service offering as placement and limits see it.
#[derive(Debug, Clone)]
pub(crate) struct ServiceOffering {
    pub id: String,
    pub name: String,
    /// None for a custom offering.
    pub cpu_number: Option<i64>,
    pub cpu_speed: Option<i64>,
    pub memory: Option<i64>,
    /// The range a custom CPU count must fall in (`mincpunumber`,
    /// `maxcpunumber` of createServiceOffering).
    pub min_cpu: Option<i64>,
    pub max_cpu: Option<i64>,
    /// The range a custom memory size (MiB) must fall in (`minmemory`,
    /// `maxmemory`).
    pub min_memory: Option<i64>,
    pub max_memory: Option<i64>,
    pub host_tag: Option<String>,
    pub ha: bool,
    pub dynamic_scaling: bool,
    /// The root disk size the offering sets, in bytes.
    pub root_disk_size: Option<i64>,
    pub active: bool,
}

/// A disk offering.
#[derive(Debug, Clone)]
pub(crate) struct DiskOffering {
    pub id: String,
    pub name: String,
    /// Bytes (the table keeps GiB); 0 for a custom offering.
    pub size: i64,
    pub customized: bool,
    pub provisioning: String,
    pub min_iops: Option<i64>,
    pub max_iops: Option<i64>,
    pub active: bool,
}

/// A template (or ISO).
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub id: String,
    /// Bytes (the ROOT disk size it gives).
    pub size: i64,
    pub password_enabled: bool,
    pub hypervisor: Option<String>,
    pub is_iso: bool,
    pub dynamically_scalable: bool,
}

pub(crate) fn service_offering(
    call: &Call<'_>,
    id: &str,
) -> Result<Option<ServiceOffering>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, name, cpu_number, cpu_speed, memory, host_tags, offer_ha, dynamic_scaling_enabled,
                    root_disk_size, CASE WHEN removed IS NULL AND is_system = 0 THEN state ELSE 'Inactive' END,
                    min_cpu, max_cpu, min_memory, max_memory
             FROM offerings_service_offerings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(ServiceOffering {
                id: r.get(0)?,
                name: r.get(1)?,
                cpu_number: r.get(2)?,
                cpu_speed: r.get(3)?,
                memory: r.get(4)?,
                host_tag: r.get::<_, Option<String>>(5)?.filter(|t| !t.is_empty()),
                ha: r.get::<_, Option<i64>>(6)?.unwrap_or(0) != 0,
                dynamic_scaling: r.get::<_, Option<i64>>(7)?.unwrap_or(1) != 0,
                root_disk_size: r.get::<_, Option<i64>>(8)?.filter(|s| *s > 0).map(gib_to_bytes),
                active: r.get::<_, Option<String>>(9)?.is_none_or(|s| s.eq_ignore_ascii_case("active")),
                min_cpu: r.get(10)?,
                max_cpu: r.get(11)?,
                min_memory: r.get(12)?,
                max_memory: r.get(13)?,
            })
        })
        .optional()?)
}

pub(crate) fn disk_offering(call: &Call<'_>, id: &str) -> Result<Option<DiskOffering>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, name, disk_size, customized, provisioning_type, min_iops, max_iops,
                    CASE WHEN removed IS NULL THEN state ELSE 'Inactive' END
             FROM offerings_disk_offerings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(DiskOffering {
                id: r.get(0)?,
                name: r.get(1)?,
                size: gib_to_bytes(r.get::<_, Option<i64>>(2)?.unwrap_or(0)),
                customized: r.get::<_, Option<i64>>(3)?.unwrap_or(0) != 0,
                provisioning: r
                    .get::<_, Option<String>>(4)?
                    .unwrap_or_else(|| "thin".into()),
                min_iops: r.get(5)?,
                max_iops: r.get(6)?,
                active: r
                    .get::<_, Option<String>>(7)?
                    .is_none_or(|s| s.eq_ignore_ascii_case("active")),
            })
        })
        .optional()?)
}

pub(crate) fn template(call: &Call<'_>, id: &str) -> Result<Option<Template>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, name, account_id, size, password_enabled, hypervisor, kind, is_dynamically_scalable,
                    os_type_id
             FROM templates_templates WHERE id = ?1 AND removed IS NULL",
        )?
        .query_row([id], |r| {
            let kind: Option<String> = r.get(6)?;
            Ok(Template {
                id: r.get(0)?,
                size: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                password_enabled: r.get::<_, Option<i64>>(4)?.unwrap_or(0) != 0,
                hypervisor: r.get(5)?,
                is_iso: kind.is_some_and(|k| k.eq_ignore_ascii_case("iso")),
                dynamically_scalable: r.get::<_, Option<i64>>(7)?.unwrap_or(0) != 0,
            })
        })
        .optional()?)
}

/// Whether a template is ready for use in a zone.
pub(crate) fn template_ready_in(
    call: &Call<'_>,
    template_id: &str,
    zone_id: &str,
) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT 1 FROM templates_templates t WHERE t.id = ?1 AND t.removed IS NULL AND t.state = 'Active'
               AND (t.cross_zones = 1 OR EXISTS (SELECT 1 FROM templates_template_zones z
                                                 WHERE z.template_id = t.id AND z.zone_id = ?2 AND z.is_ready = 1))",
        )?
        .query_row([template_id, zone_id], |_| Ok(()))
        .optional()?
        .is_some())
}
