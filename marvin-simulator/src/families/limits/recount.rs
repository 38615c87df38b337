//! What an account really uses, recounted from the resource tables
//! (`updateResourceCount`). Tables of families that are not present count
//! as empty. Sums saturate at `i64::MAX` (`CAST(TOTAL(..) AS INTEGER)`)
//! where SQLite's `SUM` would fail with an integer overflow.

use rusqlite::OptionalExtension;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::sql;

use super::api::ResourceKind;

/// VM states that count against `user_vm`, `cpu` and `memory`.
const LIVE_VM: &str = "state NOT IN ('Destroyed', 'Expunging', 'Error')";

fn has_column(call: &Call<'_>, table: &str, column: &str) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn scalar(call: &Call<'_>, table: &str, sql_text: &str, account_id: &str) -> Result<i64, ApiError> {
    if !sql::table_exists(call.tx, table)? || !has_column(call, table, "account_id")? {
        return Ok(0);
    }
    Ok(call
        .tx
        .query_row(sql_text, [account_id], |r| r.get::<_, Option<i64>>(0))?
        .unwrap_or(0))
}

/// The recounted usage of one type (storage in bytes).
pub(crate) fn usage(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
) -> Result<i64, ApiError> {
    match kind {
        ResourceKind::UserVm => scalar(
            call,
            "compute_vms",
            &format!("SELECT COUNT(*) FROM compute_vms WHERE account_id = ?1 AND {LIVE_VM}"),
            account_id,
        ),
        ResourceKind::Cpu => scalar(
            call,
            "compute_vms",
            &format!(
                "SELECT CAST(TOTAL(cpu_number) AS INTEGER) FROM compute_vms WHERE account_id = ?1 AND {LIVE_VM}"
            ),
            account_id,
        ),
        ResourceKind::Memory => scalar(
            call,
            "compute_vms",
            &format!(
                "SELECT CAST(TOTAL(memory) AS INTEGER) FROM compute_vms WHERE account_id = ?1 AND {LIVE_VM}"
            ),
            account_id,
        ),
        ResourceKind::Volume => scalar(
            call,
            "storage_volumes",
            "SELECT COUNT(*) FROM storage_volumes WHERE account_id = ?1 AND state NOT IN ('Destroy', 'Expunging', 'Expunged')",
            account_id,
        ),
        ResourceKind::PrimaryStorage => scalar(
            call,
            "storage_volumes",
            "SELECT CAST(TOTAL(size) AS INTEGER) FROM storage_volumes WHERE account_id = ?1 AND state NOT IN ('Destroy', 'Expunging', 'Expunged')",
            account_id,
        ),
        ResourceKind::Snapshot => scalar(
            call,
            "storage_snapshots",
            "SELECT COUNT(*) FROM storage_snapshots snapshots WHERE account_id = ?1 AND state NOT IN ('Destroyed', 'Error')",
            account_id,
        ),
        ResourceKind::SecondaryStorage => {
            let snapshots = scalar(
                call,
                "storage_snapshots",
                "SELECT CAST(TOTAL(physical_size) AS INTEGER) FROM storage_snapshots snapshots WHERE account_id = ?1 AND state NOT IN ('Destroyed', 'Error')",
                account_id,
            )?;
            let templates = if sql::table_exists(call.tx, "templates_templates")?
                && has_column(call, "templates_templates", "size")?
            {
                scalar(
                    call,
                    "templates_templates",
                    "SELECT CAST(TOTAL(size) AS INTEGER) FROM templates_templates WHERE account_id = ?1 AND template_type = 'USER'",
                    account_id,
                )
                .unwrap_or(0)
            } else {
                0
            };
            Ok(snapshots.saturating_add(templates))
        }
        ResourceKind::Template => {
            if sql::table_exists(call.tx, "templates_templates")?
                && has_column(call, "templates_templates", "template_type")?
            {
                scalar(
                    call,
                    "templates_templates",
                    "SELECT COUNT(*) FROM templates_templates WHERE account_id = ?1 AND template_type = 'USER'",
                    account_id,
                )
            } else {
                scalar(
                    call,
                    "templates_templates",
                    "SELECT COUNT(*) FROM templates_templates WHERE account_id = ?1",
                    account_id,
                )
            }
        }
        ResourceKind::Project => scalar(
            call,
            "projects_project_accounts",
            "SELECT COUNT(*) FROM projects_project_accounts WHERE account_id = ?1 AND role = 'Admin'",
            account_id,
        ),
        ResourceKind::Network => scalar(
            call,
            "network_networks",
            "SELECT COUNT(*) FROM network_networks WHERE account_id = ?1",
            account_id,
        ),
        ResourceKind::Vpc => scalar(
            call,
            "network_vpcs",
            "SELECT COUNT(*) FROM network_vpcs WHERE account_id = ?1",
            account_id,
        ),
        ResourceKind::PublicIp => scalar(
            call,
            "network_public_ips",
            "SELECT COUNT(*) FROM network_public_ips WHERE account_id = ?1 AND state IN ('Allocated', 'Allocating')",
            account_id,
        ),
    }
}
