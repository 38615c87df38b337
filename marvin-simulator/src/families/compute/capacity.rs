//! Host placement and host capacity accounting.
//!
//! A VM that is Starting, Running, Migrating or Stopping holds
//! `cpu_number * cpu_speed` MHz and `memory` MiB on its host
//! (`hosts.cpu_allocated`, `hosts.memory_allocated` in bytes). Placement
//! picks, among the zone's enabled Up routing hosts whose cluster runs the
//! hypervisor, the one with the most free memory that fits, honouring the
//! VM's host affinity and anti-affinity groups.
//!
//! All capacity arithmetic saturates instead of overflowing: in Rust with
//! `saturating_*`, in SQL by computing host totals in REAL and clamping
//! stored sums to `i64::MAX` (SQLite turns an overflowing integer sum into
//! a REAL, which an integer column cannot give back).

use rusqlite::OptionalExtension;
use rusqlite::types::Value as SqlValue;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::sql::text;

/// One MiB in bytes.
pub(crate) const MIB: i64 = 1024 * 1024;

/// `cores × MHz per core`, saturating.
pub(crate) fn cpu_mhz(cores: i64, speed: i64) -> i64 {
    cores.saturating_mul(speed)
}

/// MiB as bytes, saturating.
pub(crate) fn mib_to_bytes(mib: i64) -> i64 {
    mib.saturating_mul(MIB)
}

/// States in which a VM holds capacity on its host.
pub(crate) const ON_HOST: &[&str] = &["Starting", "Running", "Migrating", "Stopping"];

/// What a VM needs from a host.
#[derive(Debug, Clone)]
pub(crate) struct Need<'a> {
    /// The VM (None while it is being created).
    pub vm_id: Option<&'a str>,
    /// The zone.
    pub zone_id: &'a str,
    /// The hypervisor the VM's template runs on (None: any).
    pub hypervisor: Option<&'a str>,
    /// Cores.
    pub cpu_number: i64,
    /// MHz per core.
    pub cpu_speed: i64,
    /// MiB.
    pub memory: i64,
    /// A host tag the offering requires.
    pub host_tag: Option<&'a str>,
    /// Affinity groups the VM is (or will be) in.
    pub affinity_groups: &'a [String],
    /// Hosts not to use (e.g. the current host when migrating).
    pub avoid: &'a [String],
}

/// A chosen host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The host.
    pub host_id: String,
    /// Its pod.
    pub pod_id: String,
    /// Its cluster.
    pub cluster_id: String,
}

/// CloudStack's refusal when no host fits (InsufficientServerCapacity, 533).
pub(crate) fn no_host(instance_name: &str) -> ApiError {
    ApiError::capacity(format!(
        "Unable to create a deployment for VM[User|{instance_name}]"
    ))
}

/// Picks a host for `need`, or only checks `requested` when given; `None`
/// when nothing fits.
pub(crate) fn pick(
    call: &Call<'_>,
    need: &Need<'_>,
    requested: Option<&str>,
) -> Result<Option<Placement>, ApiError> {
    let mut sql = String::from(
        "SELECT h.id, h.pod_id, h.cluster_id FROM datacenter_hosts h JOIN datacenter_clusters c ON c.id = h.cluster_id
              JOIN datacenter_pods p ON p.id = h.pod_id
         WHERE h.zone_id = ? AND h.type = 'Routing' AND h.state = 'Up' AND h.resource_state = 'Enabled'
           AND c.allocation_state = 'Enabled' AND p.allocation_state = 'Enabled'
           AND h.cpu_number >= ? AND h.cpu_speed >= ?
           AND CAST(h.cpu_number AS REAL) * h.cpu_speed * CAST(c.cpu_overcommit AS REAL) - h.cpu_allocated >= ?
           AND CAST(h.memory_total AS REAL) * CAST(c.memory_overcommit AS REAL) - h.memory_allocated >= ?",
    );
    let mut args: Vec<SqlValue> = vec![
        text(need.zone_id),
        SqlValue::Integer(need.cpu_number),
        SqlValue::Integer(need.cpu_speed),
        SqlValue::Integer(cpu_mhz(need.cpu_number, need.cpu_speed)),
        SqlValue::Integer(mib_to_bytes(need.memory)),
    ];
    if let Some(hypervisor) = need
        .hypervisor
        .filter(|h| !h.eq_ignore_ascii_case("any") && !h.is_empty())
    {
        sql.push_str(" AND c.hypervisor = ? COLLATE NOCASE");
        args.push(text(hypervisor));
    }
    if let Some(tag) = need.host_tag {
        sql.push_str(" AND (',' || REPLACE(COALESCE(h.host_tags, ''), ' ', '') || ',') LIKE ?");
        args.push(text(format!("%,{},%", tag.trim())));
    }
    if let Some(host) = requested {
        sql.push_str(" AND h.id = ?");
        args.push(text(host));
    }
    for avoid in need.avoid {
        sql.push_str(" AND h.id != ?");
        args.push(text(avoid.clone()));
    }
    let this_vm = need.vm_id.unwrap_or("");
    for group in need.affinity_groups {
        let kind: Option<String> = call
            .tx
            .query_row(
                "SELECT type FROM affinity_groups WHERE id = ?1",
                [group],
                |r| r.get(0),
            )
            .optional()?;
        let others = "SELECT v.host_id FROM affinity_group_vms g JOIN vms v ON v.id = g.vm_id
                      WHERE g.group_id = ? AND v.id != ? AND v.host_id IS NOT NULL";
        match kind.as_deref() {
            Some("host anti-affinity") => {
                sql.push_str(&format!(" AND h.id NOT IN ({others})"));
                args.extend([text(group.clone()), text(this_vm)]);
            }
            Some("host affinity") => {
                sql.push_str(&format!(
                    " AND (NOT EXISTS ({others}) OR h.id IN ({others}))"
                ));
                args.extend([
                    text(group.clone()),
                    text(this_vm),
                    text(group.clone()),
                    text(this_vm),
                ]);
            }
            _ => {}
        }
    }
    sql.push_str(" ORDER BY h.memory_total - h.memory_allocated DESC, h.seq LIMIT 1");
    Ok(call
        .tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(Placement {
                host_id: r.get(0)?,
                pod_id: r.get(1)?,
                cluster_id: r.get(2)?,
            })
        })
        .optional()?)
}

/// Adds (or with negative amounts, removes) a VM's use of a host.
pub(crate) fn allocate(
    call: &Call<'_>,
    host_id: &str,
    cpu_mhz: i64,
    memory_mib: i64,
) -> Result<(), ApiError> {
    crate::families::datacenter::api::allocate_on_host(
        call.tx,
        host_id,
        cpu_mhz,
        mib_to_bytes(memory_mib),
    )
}

/// Gives back a VM's use of a host.
pub(crate) fn free(
    call: &Call<'_>,
    host_id: &str,
    cpu_mhz: i64,
    memory_mib: i64,
) -> Result<(), ApiError> {
    allocate(
        call,
        host_id,
        cpu_mhz.saturating_neg(),
        memory_mib.saturating_neg(),
    )
}
