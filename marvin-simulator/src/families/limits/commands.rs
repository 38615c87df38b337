//! `listResourceLimits`, `updateResourceLimit`, `updateResourceCount`.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::families::compute::api::owner::{self, Owner};
use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::sql;

use super::api::{self, GIB, ResourceKind};

/// Whose limits a call names: an account (or project) or a domain.
enum Target {
    Account(Owner),
    Domain {
        id: String,
        name: String,
        path: String,
    },
}

fn domain_row(call: &Call<'_>, id: &str) -> Result<(String, String, String), ApiError> {
    call.tx
        .query_row(
            "SELECT id, name, path FROM identity_domains WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("domainid", id))
}

/// The account (by `account`+`domainid` or `projectid`) or, with only
/// `domainid`, the domain a limit call is about; the caller's account when
/// nothing is named.
fn target(call: &Call<'_>, domain_alone: bool) -> Result<Target, ApiError> {
    let params = call.params;
    if let Some(project) = params.str("projectid") {
        return Ok(Target::Account(owner::project(call, project)?));
    }
    if params.str("account").is_some() {
        return Ok(Target::Account(owner::resolve(call)?));
    }
    if domain_alone {
        if let Some(id) = params.str("domainid") {
            let (id, name, path) = domain_row(call, id)?;
            check_domain(call, &id, &path)?;
            return Ok(Target::Domain { id, name, path });
        }
    }
    Ok(Target::Account(owner::caller(call)?))
}

fn check_domain(call: &Call<'_>, id: &str, path: &str) -> Result<(), ApiError> {
    let caller = call.caller;
    if caller.is_root_admin() || path.starts_with(&caller.domain_path) || caller.domain_id == id {
        return Ok(());
    }
    Err(ApiError::permission(format!(
        "Account '{}' does not have permission to operate within domain id={id}",
        caller.account_name
    )))
}

fn kind_param(call: &Call<'_>) -> Result<Option<ResourceKind>, ApiError> {
    if let Some(number) = call.params.i64("resourcetype")? {
        return ResourceKind::from_number(number).map(Some).ok_or_else(|| {
            ApiError::param(format!(
                "Please specify a valid resource type. Invalid resource type: {number}"
            ))
        });
    }
    if let Some(name) = call.params.str("resourcetypename") {
        return ResourceKind::from_name(name).map(Some).ok_or_else(|| {
            ApiError::param(format!("Please specify a valid resource type name: {name}"))
        });
    }
    Ok(None)
}

fn limit_json(call: &Call<'_>, target: &Target, kind: ResourceKind) -> Result<Value, ApiError> {
    let mut out = Map::new();
    let max = match target {
        Target::Account(owner) => {
            owner.describe(call, &mut out)?;
            let limit = api::account_limit(call, &owner.id, kind)?;
            if limit >= 0 && kind.is_storage() {
                limit / GIB
            } else {
                limit
            }
        }
        Target::Domain { id, name, path } => {
            out.insert("domainid".into(), json!(id));
            out.insert("domain".into(), json!(name));
            out.insert(
                "domainpath".into(),
                json!(crate::kernel::scope::domain_display_path(path)),
            );
            let limit = api::domain_limit(call, id, kind)?;
            if limit >= 0 && kind.is_storage() {
                limit / GIB
            } else {
                limit
            }
        }
    };
    out.insert("resourcetype".into(), json!(kind.number().to_string()));
    out.insert("resourcetypename".into(), json!(kind.name()));
    out.insert("max".into(), json!(max));
    Ok(Value::Object(out))
}

/// Whose limits a caller that is not an admin lists: always its own
/// account's (`ResourceLimitManagerImpl.searchForLimits` replaces the
/// account and domain of a non-admin caller by its own), never a refusal
/// for naming another account. What it names must still exist, as
/// `ListResourceLimitsCmd` resolves it first (`finalizeAccountId`, 431).
fn own_target(call: &Call<'_>) -> Result<Target, ApiError> {
    let params = call.params;
    if let Some(name) = params.str("account") {
        let domain_id = params
            .str("domainid")
            .ok_or_else(|| ApiError::param("Account must be specified with domainId parameter"))?;
        let domain: Option<String> = call
            .tx
            .query_row(
                "SELECT id FROM identity_domains WHERE id = ?1",
                [domain_id],
                |r| r.get(0),
            )
            .optional()?;
        if domain.is_none() {
            return Err(ApiError::param("Unable to find domain by id"));
        }
        let account: Option<String> = call
            .tx
            .query_row(
                "SELECT id FROM identity_accounts WHERE name = ?1 AND domain_id = ?2 AND account_type != 5",
                [name, domain_id],
                |r| r.get(0),
            )
            .optional()?;
        if account.is_none() {
            return Err(ApiError::param(format!(
                "Unable to find account by name {name} in domain with specified id"
            )));
        }
    } else if let Some(project) = params.str("projectid") {
        if !sql::exists(call.tx, "projects_projects", project)? {
            return Err(ApiError::param("Unable to find project by id"));
        }
    }
    Ok(Target::Account(owner::caller(call)?))
}

/// `listResourceLimits`: the limits of the caller's account, of a named
/// account or project, or of a domain (`domainid` alone); users always get
/// their own account's.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let target = if call.caller.is_admin() {
        target(call, true)?
    } else {
        own_target(call)?
    };
    let kinds: Vec<ResourceKind> = match kind_param(call)? {
        Some(kind) => vec![kind],
        None => ResourceKind::ALL.to_vec(),
    };
    let mut items = kinds
        .into_iter()
        .map(|kind| limit_json(call, &target, kind))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(keyword) = call.params.str("keyword") {
        let keyword = keyword.to_ascii_lowercase();
        items.retain(|item| {
            item["resourcetypename"]
                .as_str()
                .is_some_and(|n| n.contains(&keyword))
        });
    }
    Ok(sql::page_of(call, "resourcelimit", items))
}

/// `updateResourceLimit`: sets an account's, project's or domain's limit of
/// one type (`max` -1 = unlimited, the default).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let number = call
        .params
        .i64("resourcetype")?
        .ok_or_else(|| ApiError::missing(call.command, "resourcetype"))?;
    let kind = ResourceKind::from_number(number).ok_or_else(|| {
        ApiError::param(format!(
            "Please specify a valid resource type. Invalid resource type: {number}"
        ))
    })?;
    let max = call.params.i64("max")?.unwrap_or(-1);
    if max < -1 {
        return Err(ApiError::param(
            "Please specify either '-1' for an infinite limit, or a limit that is at least '0'.",
        ));
    }
    let target = target(call, true)?;
    let owner_id = match &target {
        Target::Account(owner) => {
            if owner.seq == 1 {
                return Err(ApiError::param("Can't update system account"));
            }
            if owner.id == call.caller.account_id && !call.caller.is_root_admin() {
                return Err(ApiError::permission(format!(
                    "Unable to update resource limit for their own account {}, permission denied",
                    owner.id
                )));
            }
            crate::kernel::scope::check_access(call, &owner.id, &owner.id)?;
            owner.id.clone()
        }
        Target::Domain { id, .. } => {
            if id == &call.caller.domain_id && !call.caller.is_root_admin() {
                return Err(ApiError::permission(format!(
                    "Unable to update resource limit for domain {id}, permission denied"
                )));
            }
            let parent: Option<String> = call.tx.query_row(
                "SELECT parent_id FROM identity_domains WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if parent.is_none() {
                return Err(ApiError::param(
                    "Cannot update resource limit for ROOT domain",
                ));
            }
            id.clone()
        }
    };
    identity::set_resource_limit(call.tx, &owner_id, kind.number(), max)?;
    event_log::completed(
        call,
        "RESOURCE.LIMIT.UPDATE",
        &format!(
            "updating resource limit. Resource type: {}, max: {max}",
            kind.name()
        ),
        Subject {
            kind: Some("ResourceLimit"),
            id: None,
            name: Some(kind.name()),
        },
    )?;
    Ok(Reply::Object {
        key: "resourcelimit",
        value: limit_json(call, &target, kind)?,
    })
}

/// `updateResourceCount`: recounts what an account (or every account of a
/// domain, and the domain) really uses, and answers the new counts.
pub(crate) fn update_count(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let domain_id = call.required("domainid")?.to_string();
    let (domain_id, _, path) = domain_row(call, &domain_id)?;
    check_domain(call, &domain_id, &path)?;
    let kinds: Vec<ResourceKind> = match kind_param(call)? {
        Some(kind) => vec![kind],
        None => ResourceKind::ALL.to_vec(),
    };
    let target = target(call, true)?;
    let accounts: Vec<Owner> = match &target {
        Target::Account(owner) => {
            crate::kernel::scope::check_access(call, &owner.id, &owner.id)?;
            vec![owner.clone()]
        }
        Target::Domain { path, .. } => {
            let ids: Vec<String> = call
                .tx
                .prepare(
                    "SELECT a.id FROM identity_accounts a JOIN identity_domains d ON d.id = a.domain_id
                     WHERE substr(d.path, 1, length(?1)) = ?1 ORDER BY a.seq",
                )?
                .query_map([path], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter()
                .map(|id| owner::account(call, id))
                .collect::<Result<_, _>>()?
        }
    };
    let mut items = Vec::new();
    for account in &accounts {
        for kind in &kinds {
            let used = super::recount::usage(call, &account.id, *kind)?;
            identity::set_resource_count(call.tx, &account.id, kind.number(), used)?;
            if matches!(target, Target::Account(_)) {
                let mut out = Map::new();
                account.describe(call, &mut out)?;
                out.insert("resourcetype".into(), json!(kind.number().to_string()));
                out.insert("resourcetypename".into(), json!(kind.name()));
                out.insert("resourcecount".into(), json!(shown(*kind, used)));
                items.push(Value::Object(out));
            }
        }
    }
    // Domains count what all the accounts below them count.
    let domains: Vec<(String, String, String)> = call
        .tx
        .prepare("SELECT id, name, path FROM identity_domains ORDER BY level DESC")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, name, dpath) in &domains {
        for kind in &kinds {
            let total: i64 = call.tx.query_row(
                "SELECT CAST(TOTAL(c.count) AS INTEGER) FROM identity_resource_counts c JOIN identity_accounts a ON a.id = c.owner_id
                 JOIN identity_domains d ON d.id = a.domain_id
                 WHERE c.resource_type = ?2 AND substr(d.path, 1, length(?1)) = ?1",
                params![dpath, kind.number()],
                |r| r.get(0),
            )?;
            identity::set_resource_count(call.tx, id, kind.number(), total)?;
            if let Target::Domain { id: target_id, .. } = &target {
                if target_id == id {
                    items.push(json!({
                        "domainid": id,
                        "domain": name,
                        "domainpath": crate::kernel::scope::domain_display_path(dpath),
                        "resourcetype": kind.number().to_string(),
                        "resourcetypename": kind.name(),
                        "resourcecount": shown(*kind, total),
                    }));
                }
            }
        }
    }
    let count = items.len();
    Ok(Reply::List {
        key: "resourcecount",
        items,
        count,
    })
}

/// A count as the API shows it (GiB for storage).
fn shown(kind: ResourceKind, count: i64) -> i64 {
    if kind.is_storage() {
        count / GIB
    } else {
        count
    }
}
