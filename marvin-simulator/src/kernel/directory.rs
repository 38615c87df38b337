//! The directory: who a user is, and which accounts a domain covers. The
//! kernel needs it to authenticate calls and to scope lists, but it does
//! not own users, accounts or domains; the family that does provides three
//! views with these names and columns, which is all the kernel reads of it:
//!
//! - `directory_users`: `user_id`, `username`, `api_key`, `secret_key`,
//!   `user_state`, `user_created`, `account_id`, `account_name`,
//!   `account_type`, `account_state`, `account_seq`, `domain_id`,
//!   `domain_path`, `domain_parent_id`, `role_type` (one row per user);
//! - `directory_accounts`: `id`, `name`, `domain_id`, `domain_path`;
//! - `directory_domains`: `id`, `path` (`/` for ROOT, `/a/b/` below).
//!
//! Start-up fails when they are missing ([`check`]).

use rusqlite::Transaction;

/// Fails when a view of the directory is missing or lacks a column.
pub(crate) fn check(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.prepare(
        "SELECT user_id, username, api_key, secret_key, user_state, user_created, account_id,
                account_name, account_type, account_state, account_seq, domain_id, domain_path,
                domain_parent_id, role_type
         FROM directory_users LIMIT 0",
    )?;
    tx.prepare("SELECT id, name, domain_id, domain_path FROM directory_accounts LIMIT 0")?;
    tx.prepare("SELECT id, path FROM directory_domains LIMIT 0")?;
    Ok(())
}
