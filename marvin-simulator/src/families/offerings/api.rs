//! What other families may use of the offerings family: whether a compute
//! offering exists and whether its size is left to the user.

use rusqlite::{OptionalExtension, Transaction};

use crate::kernel::error::ApiError;

/// Whether the user compute offering `id` (not removed, not a system
/// VM's) is dynamic: CPU count, speed or memory is chosen at deployment
/// (CloudStack's `ServiceOffering.isDynamic`). `None` when there is no
/// such offering.
pub(crate) fn compute_offering_dynamic(
    tx: &Transaction<'_>,
    id: &str,
) -> Result<Option<bool>, ApiError> {
    Ok(tx
        .prepare_cached(
            "SELECT cpu_number IS NULL OR cpu_speed IS NULL OR memory IS NULL
             FROM service_offerings WHERE id = ?1 AND removed IS NULL AND is_system = 0",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Compute offerings, system ones included.
    "offerings_service_offerings",
    // Disk offerings.
    "offerings_disk_offerings",
    // Network offerings.
    "offerings_network_offerings",
    // The services of each network offering and their providers (with
    // `rowid`, their order).
    "offerings_network_offering_services",
    // VPC offerings.
    "offerings_vpc_offerings",
    // The services of each VPC offering and their providers (with
    // `rowid`, their order).
    "offerings_vpc_offering_services",
];
