//! Primary storage maintenance as the datacenter family sees it: a pool's
//! state and where it sits, the hosts that mount it, and the state change.
//! The storage family runs the maintenance (its volumes' VMs), through
//! [`super::api`].

use rusqlite::{OptionalExtension, Transaction, params};

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// A primary storage pool, as maintenance reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PoolPlace {
    /// Its uuid.
    pub id: String,
    /// `Up`, `Disabled`, `PrepareForMaintenance`, `Maintenance`,
    /// `ErrorInMaintenance`, ...
    pub state: String,
    /// Its zone.
    pub zone_id: String,
    /// Its cluster, for a cluster-wide pool.
    pub cluster_id: Option<String>,
    /// `CLUSTER` or `ZONE`.
    pub scope: String,
}

/// A pool by uuid.
pub(crate) fn pool_place(tx: &Transaction<'_>, id: &str) -> Result<Option<PoolPlace>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, state, zone_id, cluster_id, scope FROM storage_pools WHERE id = ?1",
            [id],
            |r| {
                Ok(PoolPlace {
                    id: r.get(0)?,
                    state: r.get(1)?,
                    zone_id: r.get(2)?,
                    cluster_id: r.get(3)?,
                    scope: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Another pool of the same scope (the zone's zone-wide pools, or the
/// cluster's pools) that is being prepared for maintenance, if any.
pub(crate) fn pool_preparing_beside(
    tx: &Transaction<'_>,
    pool: &PoolPlace,
) -> Result<Option<String>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id FROM storage_pools
             WHERE state = 'PrepareForMaintenance' AND id != ?1 AND zone_id = ?2 AND scope = ?3
               AND (?3 = 'ZONE' OR cluster_id IS ?4)
             LIMIT 1",
            params![pool.id, pool.zone_id, pool.scope, pool.cluster_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether any Up host mounts the pool (the cluster's hosts, or the
/// zone's enabled hosts for a zone-wide pool).
pub(crate) fn pool_has_up_hosts(tx: &Transaction<'_>, pool: &PoolPlace) -> Result<bool, ApiError> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM hosts
                        WHERE state = 'Up' AND type = 'Routing' AND zone_id = ?1
                          AND (?2 = 'ZONE' AND resource_state = 'Enabled' OR cluster_id IS ?3))",
        params![pool.zone_id, pool.scope, pool.cluster_id],
        |r| r.get(0),
    )?)
}

/// Sets a pool's state.
pub(crate) fn set_pool_state(tx: &Transaction<'_>, id: &str, state: &str) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE storage_pools SET state = ?2 WHERE id = ?1",
        params![id, state],
    )?;
    Ok(())
}

/// A pool as `listStoragePools` shows it.
pub(crate) fn pool_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    super::store::storage_pool_query()
        .one(call.tx, "s.id", id)
        .map(serde_json::Value::Object)
}
