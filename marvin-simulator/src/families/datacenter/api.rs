//! What other families may use of the datacenter family: zones, hypervisor
//! names, the hypervisors of a zone.

use rusqlite::params;

pub(crate) use super::hypervisor_name;
pub(crate) use super::store::{ZoneRow, zone};

use crate::kernel::error::ApiError;
use crate::kernel::sql;

/// The hypervisor types a zone's clusters run, each once, in the order
/// their first cluster was added; `None` when there is no such zone.
pub(crate) fn zone_hypervisors(
    tx: &rusqlite::Transaction<'_>,
    zone_id: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    if !sql::exists(tx, "zones", zone_id)? {
        return Ok(None);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT hypervisor FROM clusters WHERE zone_id = ?1 GROUP BY hypervisor ORDER BY MIN(rowid)",
    )?;
    let names = stmt
        .query_map(params![zone_id], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Some(names))
}
