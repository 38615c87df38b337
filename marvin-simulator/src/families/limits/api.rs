//! The resource-limit seam every family calls before it creates something:
//! [`reserve`] counts a resource against the owner account and every domain
//! above it, refusing with 535 when a limit would be exceeded; [`release`]
//! gives it back.
//!
//! Limits come from `resource_limits` (an explicit row for an account or a
//! domain), else for accounts from the `max.account.*` settings (root admins
//! are unlimited); domains without an explicit row are unlimited. Counts are
//! kept in `resource_counts` for accounts and domains alike.

use rusqlite::{OptionalExtension, params};

use crate::families::identity::api as identity;
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// CloudStack's resource types (`Resource.ResourceType`), by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ResourceKind {
    /// 0 `user_vm`.
    UserVm = 0,
    /// 1 `public_ip`.
    PublicIp = 1,
    /// 2 `volume`.
    Volume = 2,
    /// 3 `snapshot`.
    Snapshot = 3,
    /// 4 `template`.
    Template = 4,
    /// 5 `project`.
    Project = 5,
    /// 6 `network`.
    Network = 6,
    /// 7 `vpc`.
    Vpc = 7,
    /// 8 `cpu` (cores).
    Cpu = 8,
    /// 9 `memory` (MiB).
    Memory = 9,
    /// 10 `primary_storage` (bytes in counts, GiB in limits).
    PrimaryStorage = 10,
    /// 11 `secondary_storage` (bytes in counts, GiB in limits).
    SecondaryStorage = 11,
}

impl ResourceKind {
    /// Every type, in number order.
    pub(crate) const ALL: [Self; 12] = [
        Self::UserVm,
        Self::PublicIp,
        Self::Volume,
        Self::Snapshot,
        Self::Template,
        Self::Project,
        Self::Network,
        Self::Vpc,
        Self::Cpu,
        Self::Memory,
        Self::PrimaryStorage,
        Self::SecondaryStorage,
    ];

    /// The type number.
    pub(crate) fn number(self) -> i64 {
        self as i64
    }

    /// The type of a number, if it names one.
    pub(crate) fn from_number(number: i64) -> Option<Self> {
        usize::try_from(number)
            .ok()
            .and_then(|i| Self::ALL.get(i))
            .copied()
    }

    /// The type of a name (`user_vm`, `primary_storage`, ...).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }

    /// CloudStack's name (`user_vm`).
    pub(crate) fn name(self) -> &'static str {
        identity::RESOURCE_NAMES[self as usize]
    }

    /// Storage types: counted in bytes, limited in GiB.
    pub(crate) fn is_storage(self) -> bool {
        matches!(self, Self::PrimaryStorage | Self::SecondaryStorage)
    }
}

/// One GiB, the unit of storage limits.
pub(crate) const GIB: i64 = 1024 * 1024 * 1024;

struct Owner {
    name: String,
    account_type: i64,
    domain_id: String,
}

fn owner(call: &Call<'_>, account_id: &str) -> Result<Owner, ApiError> {
    call.tx
        .prepare_cached(
            "SELECT name, account_type, domain_id FROM identity_accounts WHERE id = ?1",
        )?
        .query_row([account_id], |r| {
            Ok(Owner {
                name: r.get(0)?,
                account_type: r.get(1)?,
                domain_id: r.get(2)?,
            })
        })
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("Unable to find account {account_id}")))
}

/// The domains from `domain_id` up to ROOT, nearest first.
pub(crate) fn domain_chain(call: &Call<'_>, domain_id: &str) -> Result<Vec<String>, ApiError> {
    let mut chain = Vec::new();
    let mut next = Some(domain_id.to_string());
    while let Some(id) = next {
        next = call
            .tx
            .prepare_cached("SELECT parent_id FROM identity_domains WHERE id = ?1")?
            .query_row([&id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten();
        chain.push(id);
        if chain.len() > 64 {
            break;
        }
    }
    Ok(chain)
}

/// An account's limit for a type in the unit counts use (bytes for storage);
/// -1 = unlimited.
pub(crate) fn account_limit(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
) -> Result<i64, ApiError> {
    let owner = owner(call, account_id)?;
    let limit = identity::account_limit(call.tx, account_id, owner.account_type, kind.number())?;
    Ok(in_count_unit(kind, limit))
}

/// A domain's explicit limit (-1 = unlimited), in the unit counts use.
pub(crate) fn domain_limit(
    call: &Call<'_>,
    domain_id: &str,
    kind: ResourceKind,
) -> Result<i64, ApiError> {
    let limit: Option<i64> = call
        .tx
        .prepare_cached(
            "SELECT max FROM identity_resource_limits WHERE owner_id = ?1 AND resource_type = ?2",
        )?
        .query_row(params![domain_id, kind.number()], |r| r.get(0))
        .optional()?;
    Ok(in_count_unit(kind, limit.unwrap_or(-1)))
}

fn in_count_unit(kind: ResourceKind, limit: i64) -> i64 {
    if limit >= 0 && kind.is_storage() {
        limit.saturating_mul(GIB)
    } else {
        limit
    }
}

/// How much of a type an owner (account or domain) uses.
pub(crate) fn count(call: &Call<'_>, owner_id: &str, kind: ResourceKind) -> Result<i64, ApiError> {
    identity::resource_count(call.tx, owner_id, kind.number())
}

/// The refusal for an account over its limit (semantics §7).
fn exceeded(
    call: &Call<'_>,
    account_id: &str,
    owner: &Owner,
    kind: ResourceKind,
) -> Result<ApiError, ApiError> {
    let project: Option<String> =
        if owner.account_type == 5 && crate::kernel::sql::table_exists(call.tx, "projects_projects")? {
            call.tx
                .query_row(
                    "SELECT name FROM projects_projects WHERE account_id = ?1",
                    [account_id],
                    |r| r.get(0),
                )
                .optional()?
        } else {
            None
        };
    let who = match project {
        Some(name) => format!("project name={name}"),
        None => format!("account name={}", owner.name),
    };
    Ok(ApiError::allocation(format!(
        "Maximum number of resources of type '{}' for {who} in domain id={} has been exceeded.",
        kind.name(),
        owner.domain_id
    )))
}

/// Checks that `amount` more of a type fits the account's and its domains'
/// limits, without counting it (535 otherwise).
pub(crate) fn check(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
    amount: i64,
) -> Result<(), ApiError> {
    if amount <= 0 {
        return Ok(());
    }
    let owner = owner(call, account_id)?;
    let limit = in_count_unit(
        kind,
        identity::account_limit(call.tx, account_id, owner.account_type, kind.number())?,
    );
    if limit >= 0 && count(call, account_id, kind)?.saturating_add(amount) > limit {
        return Err(exceeded(call, account_id, &owner, kind)?);
    }
    for domain in domain_chain(call, &owner.domain_id)? {
        let limit = domain_limit(call, &domain, kind)?;
        if limit >= 0 && count(call, &domain, kind)?.saturating_add(amount) > limit {
            return Err(ApiError::allocation(format!(
                "Maximum number of resources of type '{}' for domain id={domain} has been exceeded.",
                kind.name()
            )));
        }
    }
    Ok(())
}

/// Reserves `amount` of a type for an account (and its domains), refusing
/// with 535 (RESOURCE_ALLOCATION_ERROR, cs 4370) when a limit would be
/// exceeded. Storage amounts are in bytes.
pub(crate) fn reserve(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
    amount: i64,
) -> Result<(), ApiError> {
    check(call, account_id, kind, amount)?;
    add(call, account_id, kind, amount)
}

/// Counts a change of `delta` of a type: a growth is reserved (535 when a
/// limit would be exceeded), a shrink given back.
pub(crate) fn reserve_change(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
    delta: i64,
) -> Result<(), ApiError> {
    if delta > 0 {
        reserve(call, account_id, kind, delta)
    } else {
        release(call, account_id, kind, delta.saturating_neg())
    }
}

/// Reserves several amounts at once: nothing is counted unless all fit.
pub(crate) fn reserve_all(
    call: &Call<'_>,
    account_id: &str,
    amounts: &[(ResourceKind, i64)],
) -> Result<(), ApiError> {
    for (kind, amount) in amounts {
        check(call, account_id, *kind, *amount)?;
    }
    for (kind, amount) in amounts {
        add(call, account_id, *kind, *amount)?;
    }
    Ok(())
}

/// Gives back `amount` of a type (counts never go below zero).
pub(crate) fn release(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
    amount: i64,
) -> Result<(), ApiError> {
    add(call, account_id, kind, amount.saturating_neg())
}

/// Gives back several amounts.
pub(crate) fn release_all(
    call: &Call<'_>,
    account_id: &str,
    amounts: &[(ResourceKind, i64)],
) -> Result<(), ApiError> {
    for (kind, amount) in amounts {
        release(call, account_id, *kind, *amount)?;
    }
    Ok(())
}

/// Adds `delta` to the account's count and to each of its domains' counts,
/// without checking limits.
pub(crate) fn add(
    call: &Call<'_>,
    account_id: &str,
    kind: ResourceKind,
    delta: i64,
) -> Result<(), ApiError> {
    if delta == 0 {
        return Ok(());
    }
    let domain_id: Option<String> = call
        .tx
        .prepare_cached("SELECT domain_id FROM identity_accounts WHERE id = ?1")?
        .query_row([account_id], |r| r.get(0))
        .optional()?;
    let mut owners = vec![account_id.to_string()];
    if let Some(domain_id) = domain_id {
        owners.extend(domain_chain(call, &domain_id)?);
    }
    identity::add_to_resource_counts(call.tx, &owners, kind.number(), delta)
}
