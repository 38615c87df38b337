//! Owners and lookups the autoscale commands share: the account a create
//! acts for (`account` + `domainid`), finding an owned row the way
//! `AutoScaleManagerImpl.getEntityInDatabase` does, and the owner columns
//! of responses (through the kernel's directory views).

use rusqlite::OptionalExtension;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;

/// The account a resource is created for.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub(crate) account_id: String,
    pub(crate) domain_id: String,
}

fn account_domain(call: &Call<'_>, account_id: &str) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT domain_id FROM directory_accounts WHERE id = ?1",
            [account_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// `AccountManager.finalizeOwner`: `account` + `domainid` when given (the
/// caller must be allowed to act for that account), else the caller.
pub(crate) fn owner_of(call: &Call<'_>) -> Result<Owner, ApiError> {
    let p = call.params;
    let account_id = match (p.str("account"), p.str("domainid")) {
        (Some(name), Some(domain_id)) => {
            let found: Option<String> = call
                .tx
                .query_row(
                    "SELECT id FROM directory_accounts WHERE name = ?1 AND domain_id = ?2",
                    [name, domain_id],
                    |r| r.get(0),
                )
                .optional()?;
            let id = found.ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account {name} in domain id={domain_id}"
                ))
            })?;
            if !call.caller.is_admin() && id != call.caller.account_id {
                return Err(ApiError::permission(format!(
                    "Account '{}' does not have permission to act for account {name}",
                    call.caller.account_name
                )));
            }
            check_access(call, &id, &id)?;
            id
        }
        _ => call.caller.account_id.clone(),
    };
    let domain_id = account_domain(call, &account_id)?
        .ok_or_else(|| ApiError::internal(format!("Unable to find account {account_id}")))?;
    Ok(Owner {
        account_id,
        domain_id,
    })
}

/// The owner account of row `id` of `table`, refused like CloudStack's
/// `getEntityInDatabase`: 431 "Unable to find <what>" when there is no
/// such row, 531 when the caller may not act on it.
pub(crate) fn owned(
    call: &Call<'_>,
    table: &str,
    what: &str,
    id: &str,
) -> Result<String, ApiError> {
    let owner: Option<String> = call
        .tx
        .query_row(
            &format!("SELECT account_id FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let owner = owner.ok_or_else(|| ApiError::param(format!("Unable to find {what}")))?;
    check_access(call, &owner, id)?;
    Ok(owner)
}

/// The owner columns of a response (`account`, `domainid`, `domain`) for a
/// row aliased `t` with `account_id` and `domain_id`.
pub(crate) const OWNER_COLUMNS: &str =
    "a.name AS account, t.domain_id AS domainid, d.name AS domain";

/// The joins [`OWNER_COLUMNS`] needs.
pub(crate) const OWNER_JOINS: &str = "LEFT JOIN directory_accounts a ON a.id = t.account_id
     LEFT JOIN directory_domains d ON d.id = t.domain_id";
