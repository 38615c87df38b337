//! Primary storage capacity: which pool a volume goes to, and the pools'
//! `allocated_bytes`.
//!
//! A pool holds `capacity_bytes` times `storage.overprovisioning.factor`
//! for thin NFS pools (CloudStack's over-provisioning), the raw capacity for
//! other types.

use rusqlite::{OptionalExtension, params};

use crate::families::identity::api as identity;
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// A pool chosen for a volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pool {
    pub id: String,
    pub pod_id: Option<String>,
}

fn factor(call: &Call<'_>) -> Result<f64, ApiError> {
    Ok(
        identity::setting_value(call.tx, "storage.overprovisioning.factor", &[])?
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|f| *f > 0.0)
            .unwrap_or(1.0),
    )
}

/// Picks the pool with the most free space in the zone that `size` bytes
/// fit in: zone-wide pools, or pools of `cluster_id` when given (any
/// cluster otherwise); `only` restricts to one pool, `avoid` skips one.
pub(crate) fn pick(
    call: &Call<'_>,
    zone_id: &str,
    cluster_id: Option<&str>,
    size: i64,
    only: Option<&str>,
    avoid: Option<&str>,
) -> Result<Option<Pool>, ApiError> {
    let factor = factor(call)?;
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, pod_id FROM datacenter_storage_pools
             WHERE zone_id = ?1 AND state = 'Up'
               AND (?2 IS NULL OR scope = 'ZONE' OR cluster_id = ?2)
               AND (?4 IS NULL OR id = ?4) AND (?5 IS NULL OR id != ?5)
               AND capacity_bytes * (CASE WHEN type = 'NetworkFilesystem' THEN ?6 ELSE 1.0 END)
                   - allocated_bytes >= ?3
             ORDER BY capacity_bytes * (CASE WHEN type = 'NetworkFilesystem' THEN ?6 ELSE 1.0 END)
                      - allocated_bytes DESC, rowid
             LIMIT 1",
        )?
        .query_row(
            params![zone_id, cluster_id, size, only, avoid, factor],
            |r| {
                Ok(Pool {
                    id: r.get(0)?,
                    pod_id: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// Counts `bytes` more (or, negative, fewer) on a pool.
pub(crate) fn allocate(call: &Call<'_>, pool_id: &str, bytes: i64) -> Result<(), ApiError> {
    crate::families::datacenter::api::allocate_on_pool(call.tx, pool_id, bytes)
}

/// The refusal when no pool can hold a volume (533).
pub(crate) fn no_pool(volume_name: &str) -> ApiError {
    ApiError::capacity(format!(
        "Unable to find suitable primary storage when creating volume {volume_name}"
    ))
}
