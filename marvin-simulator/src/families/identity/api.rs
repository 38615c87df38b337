//! What other families may use of the identity family: settings (global
//! or scoped to a zone or account), domains and accounts named by a
//! parameter, the domain access check, and the cleanup of an account that
//! a project owns; the writes others make to identity's rows (resource
//! counts and limits, scoped settings, project accounts); and the views in
//! [`VIEWS`].
//!
//! One table takes rows from other families: `account_cleanup`, where a
//! family's `schema.sql` registers what deleting or disabling an account
//! does to its own tables (`cleanup.rs` runs the rules, each with the
//! account's uuid as `?1`).

pub(crate) use super::CLOUDSTACK_VERSION;
pub(crate) use super::check_domain_access;
pub(crate) use super::cleanup::{delete_account, disable_account, set_account_enabled};
pub(crate) use super::settings::{
    RESOURCE_NAMES, account_limit, flag as setting_flag, insert_limit_fields,
    number as setting_number, resource_count, value as setting_value,
};
pub(crate) use super::store::{
    AccountRow, DOMAIN_PATH, account_by_name, default_role, domain, domain_param, root_domain,
};

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Accounts: name, type, role, domain, state, creation order (`seq`).
    "identity_accounts",
    // Domains: name, parent, path, level, state.
    "identity_domains",
    // Users, without their password and keys.
    "identity_users",
    // Global settings and their defaults.
    "identity_configurations",
    // Settings set for one zone, account, domain, ...
    "identity_configuration_values",
    // Explicit resource limits per account or domain.
    "identity_resource_limits",
    // Resource counts per account or domain.
    "identity_resource_counts",
];

/// Sets an account's or a domain's explicit limit of a resource type
/// (`-1`: unlimited).
pub(crate) fn set_resource_limit(
    tx: &rusqlite::Transaction<'_>,
    owner_id: &str,
    resource_type: i64,
    max: i64,
) -> Result<(), crate::kernel::error::ApiError> {
    tx.execute(
        "INSERT INTO resource_limits (owner_id, resource_type, max) VALUES (?1, ?2, ?3)
         ON CONFLICT (owner_id, resource_type) DO UPDATE SET max = excluded.max",
        rusqlite::params![owner_id, resource_type, max],
    )?;
    Ok(())
}

/// Adds `delta` (or, negative, takes it off) to each owner's count of a
/// resource type; a count stays within `0..=i64::MAX`.
pub(crate) fn add_to_resource_counts(
    tx: &rusqlite::Transaction<'_>,
    owners: &[String],
    resource_type: i64,
    delta: i64,
) -> Result<(), crate::kernel::error::ApiError> {
    // 9223372036854775807 is i64::MAX: SQLite turns an overflowing sum into
    // a REAL, which min() clamps back to an integer.
    let mut stmt = tx.prepare_cached(
        "INSERT INTO resource_counts (owner_id, resource_type, count) VALUES (?1, ?2, max(?3, 0))
         ON CONFLICT (owner_id, resource_type)
         DO UPDATE SET count = max(min(count + ?3, 9223372036854775807), 0)",
    )?;
    for owner in owners {
        stmt.execute(rusqlite::params![owner, resource_type, delta])?;
    }
    Ok(())
}

/// Sets an owner's count of a resource type (what a recount found).
pub(crate) fn set_resource_count(
    tx: &rusqlite::Transaction<'_>,
    owner_id: &str,
    resource_type: i64,
    count: i64,
) -> Result<(), crate::kernel::error::ApiError> {
    tx.execute(
        "INSERT INTO resource_counts (owner_id, resource_type, count) VALUES (?1, ?2, ?3)
         ON CONFLICT (owner_id, resource_type) DO UPDATE SET count = excluded.count",
        rusqlite::params![owner_id, resource_type, count],
    )?;
    Ok(())
}

/// Forgets the settings given for one zone, cluster, host, storage pool,
/// ... that is being deleted (`scope` as `configuration_values` spells it).
pub(crate) fn forget_scoped_settings(
    tx: &rusqlite::Transaction<'_>,
    scope: &str,
    scope_id: &str,
) -> Result<(), crate::kernel::error::ApiError> {
    tx.execute(
        "DELETE FROM configuration_values WHERE scope = ?1 AND scope_id = ?2",
        [scope, scope_id],
    )?;
    Ok(())
}

/// Creates the account through which a project owns its resources: type 5,
/// enabled, named `PrjAcct-<project>-<seq>` after its own creation number.
pub(crate) fn insert_project_account(
    tx: &rusqlite::Transaction<'_>,
    account_id: &str,
    project_name: &str,
    role_id: &str,
    domain_id: &str,
    created: &str,
) -> Result<(), crate::kernel::error::ApiError> {
    // The name needs the seq, which exists once the row does; the account's
    // uuid keeps the first name unique in the meantime.
    tx.execute(
        "INSERT INTO accounts (id, name, account_type, role_id, domain_id, state, created)
         VALUES (?1, ?2, 5, ?3, ?4, 'enabled', ?5)",
        rusqlite::params![
            account_id,
            format!("PrjAcct-{project_name}-{account_id}"),
            role_id,
            domain_id,
            created
        ],
    )?;
    tx.execute(
        "UPDATE accounts SET name = 'PrjAcct-' || ?2 || '-' || seq WHERE id = ?1",
        rusqlite::params![account_id, project_name],
    )?;
    Ok(())
}
