//! The directory: who a user is, and which accounts a domain covers. The
//! kernel needs it to authenticate calls and to scope lists (and the
//! families over kernel services, to name who an event or a job is about),
//! but it does
//! not own users, accounts or domains; the family that does provides these
//! views with these names and columns, which is all the kernel reads of it:
//!
//! - `directory_users`: `user_id`, `username`, `api_key`, `secret_key`,
//!   `user_state`, `user_created`, `account_id`;
//! - `directory_accounts`: `id`, `name`, `domain_id`, `account_type`,
//!   `state`, `seq` (creation order), `role_id`;
//! - `directory_domains`: `id`, `name`, `path` (`/` for ROOT, `/a/b/`
//!   below), `parent_id`;
//! - `directory_roles`: `id`, `role_type`;
//! - `directory_role_rules`: `role_id`, `rule`, `permission` (`allow` or
//!   `deny`), `sort_order` (the rules a role's calls are checked against,
//!   [`crate::kernel::access`]);
//! - `directory_projects`: `id`, `account_id` (the account that owns a
//!   project's resources);
//! - `directory_project_members`: `project_id`, `account_id` (a member
//!   account), `user_id` (the one member user when only a user of that
//!   account was added, else NULL), `role` (`Admin` or `Regular`): the
//!   members may act on the project's resources ([`crate::kernel::scope`]).
//!
//! Each view is one table's columns under these names, so that SQLite
//! folds it into the query that reads it (a view over a join would be
//! materialized when it is the right side of a `LEFT JOIN`).
//!
//! Start-up fails when they are missing ([`check`]).

use rusqlite::Transaction;

/// Fails when a view of the directory is missing or lacks a column.
pub(crate) fn check(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for probe in [
        "SELECT user_id, username, api_key, secret_key, user_state, user_created, account_id
         FROM directory_users LIMIT 0",
        "SELECT id, name, domain_id, account_type, state, seq, role_id FROM directory_accounts LIMIT 0",
        "SELECT id, name, path, parent_id FROM directory_domains LIMIT 0",
        "SELECT id, role_type FROM directory_roles LIMIT 0",
        "SELECT role_id, rule, permission, sort_order FROM directory_role_rules LIMIT 0",
        "SELECT id, account_id FROM directory_projects LIMIT 0",
        "SELECT project_id, account_id, user_id, role FROM directory_project_members LIMIT 0",
    ] {
        tx.prepare(probe)?;
    }
    Ok(())
}
