//! Domains: a tree under ROOT, with stored paths `/`, `/a/`, `/a/b/`.

use rusqlite::params;
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql::{self, text};

use super::store::{self, DomainRow};
use super::{check_domain_access, cleanup};

/// `createDomain`: a child of `parentdomainid` (ROOT by default).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let parent = match call.params.str("parentdomainid") {
        Some(id) => store::domain_param(call.tx, "parentdomainid", id)?,
        None => store::root_domain(call.tx)?,
    };
    if parent.state == "Inactive" {
        return Err(ApiError::internal(format!(
            "The domain cannot be created as the parent domain {} is being deleted",
            parent.name
        )));
    }
    check_domain_access(call, &parent)?;
    if name.contains('/') {
        return Err(ApiError::param(format!(
            "Domain name {name} can't contain '/'"
        )));
    }
    let network_domain = call.params.str("networkdomain");
    if let Some(nd) = network_domain {
        validate_network_domain(nd)?;
    }
    let duplicate: i64 = call.tx.query_row(
        "SELECT COUNT(*) FROM domains WHERE parent_id = ?1 AND name = ?2",
        [&parent.id, &name],
        |r| r.get(0),
    )?;
    if duplicate > 0 {
        return Err(ApiError::param(format!(
            "Domain with name [{name}] already exists for the parent with ID [{}].",
            parent.id
        )));
    }
    let id = match call.params.str("domainid") {
        Some(id) if sql::exists(call.tx, "domains", id)? => {
            return Err(ApiError::param(format!(
                "A domain with uuid {id} already exists"
            )));
        }
        Some(id) => id.to_string(),
        None => ids::new_id(),
    };
    let path = format!("{}{name}/", parent.path);
    call.tx.execute(
        "INSERT INTO domains (id, name, parent_id, path, level, state, network_domain, created)
         VALUES (?1, ?2, ?3, ?4, ?5, 'Active', ?6, ?7)",
        params![
            id,
            name,
            parent.id,
            path,
            parent.level + 1,
            network_domain,
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "DOMAIN.CREATE",
        &format!(
            "creating Domain. Domain Name: {name}, Parent DomainId: {}",
            parent.id
        ),
        Subject::of("Domain", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "domain",
        value: store::domain_json(call.tx, &id)?,
    })
}

/// Applies `networkdomain` to row `id` of `table` (`accounts` or
/// `domains`) when the parameter is given: validated, or cleared when empty.
pub(crate) fn update_network_domain(
    call: &Call<'_>,
    table: &str,
    id: &str,
) -> Result<(), ApiError> {
    if let Some(nd) = call.params.get("networkdomain") {
        let nd = (!nd.is_empty()).then_some(nd);
        if let Some(nd) = nd {
            validate_network_domain(nd)?;
        }
        call.tx.execute(
            &format!("UPDATE {table} SET network_domain = ?2 WHERE id = ?1"),
            params![id, nd],
        )?;
    }
    Ok(())
}

/// Refuses network domains CloudStack would refuse (labels of 1-63
/// characters from letters, digits and hyphens, not starting or ending with a
/// hyphen; 190 characters in all).
pub(crate) fn validate_network_domain(value: &str) -> Result<(), ApiError> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if value.len() <= 190 && value.split('.').all(label_ok) {
        return Ok(());
    }
    Err(ApiError::param(
        "Invalid network domain. Total length should not exceed 190 chars. Each domain label must be between 1 and 63 \
         characters long. It can contain ASCII letters 'a' through 'z', the digits '0' through '9', and the hyphen ('-'); \
         it cannot start or end with \"-\".",
    ))
}

/// `updateDomain`: renames a domain (paths below follow) or changes its
/// network domain.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let domain = store::domain_param(call.tx, "id", &id)?;
    check_domain_access(call, &domain)?;
    if let Some(name) = call.params.str("name") {
        if domain.parent_id.is_none() {
            return Err(ApiError::param(
                "ROOT domain can not be edited with a new name",
            ));
        }
        if name.contains('/') {
            return Err(ApiError::param(format!(
                "Domain name {name} can't contain '/'"
            )));
        }
        let duplicate: i64 = call.tx.query_row(
            "SELECT COUNT(*) FROM domains WHERE parent_id = ?1 AND name = ?2 AND id != ?3",
            [domain.parent_id.as_deref().unwrap_or_default(), name, &id],
            |r| r.get(0),
        )?;
        if duplicate > 0 {
            return Err(ApiError::param(format!(
                "Failed to update domain id={id}; domain with name {name} already exists in the system"
            )));
        }
        let parent_path = &domain.path[..domain.path.len() - domain.name.len() - 1];
        let new_path = format!("{parent_path}{name}/");
        call.tx.execute(
            "UPDATE domains SET path = ?2 || substr(path, length(?1) + 1) WHERE substr(path, 1, length(?1)) = ?1",
            params![domain.path, new_path],
        )?;
        call.tx.execute(
            "UPDATE domains SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    update_network_domain(call, "domains", &id)?;
    let name: String = call
        .tx
        .query_row("SELECT name FROM domains WHERE id = ?1", [&id], |r| {
            r.get(0)
        })?;
    event_log::completed(
        call,
        "DOMAIN.UPDATE",
        "updating Domain",
        Subject::of("Domain", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "domain",
        value: store::domain_json(call.tx, &id)?,
    })
}

/// `deleteDomain` (async): ROOT is refused; a domain with accounts or
/// sub-domains is refused unless `cleanup=true`, which removes them all.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    store::domain_param(call.tx, "id", &id)?;
    let cleanup = call.params.flag("cleanup", false);
    let job_id = id.clone();
    let description = format!("deleting Domain. Domain Id: {id}");
    Ok(Reply::Job(
        Job::on(
            "Domain",
            id,
            Box::new(move |call: &mut Call<'_>| delete_now(call, &job_id, cleanup)),
        )
        .with_event("DOMAIN.DELETE", description),
    ))
}

fn delete_now(call: &mut Call<'_>, id: &str, cleanup: bool) -> Result<Reply, ApiError> {
    let Some(domain) = store::domain(call.tx, id)? else {
        return Err(ApiError::param(format!(
            "Failed to delete domain {id}, domain not found"
        )));
    };
    if domain.parent_id.is_none() {
        return Err(ApiError::permission("Can't delete ROOT domain"));
    }
    check_domain_access(call, &domain)?;
    call.tx
        .execute("UPDATE domains SET state = 'Inactive' WHERE id = ?1", [id])?;
    let subtree = subtree(call, &domain)?;
    let accounts = sql::objects(
        call.tx,
        "SELECT a.id AS id FROM accounts a JOIN domains d ON d.id = a.domain_id
         WHERE substr(d.path, 1, length(?1)) = ?1",
        &[text(&domain.path)],
    )?;
    if cleanup {
        for account in &accounts {
            if let Some(account_id) = account.get("id").and_then(Value::as_str) {
                cleanup::delete_account(call.tx, account_id)?;
            }
        }
        for child in subtree.iter().rev() {
            call.tx
                .execute("DELETE FROM domains WHERE id = ?1", [child])?;
        }
    } else {
        if subtree.len() > 1 || !accounts.is_empty() {
            return Err(ApiError::internal(format!(
                "Delete failed on domain {} (id: {}); Please make sure all users and sub domains have been removed \
                 from the domain before deleting",
                domain.name, domain.id
            )));
        }
        call.tx.execute("DELETE FROM domains WHERE id = ?1", [id])?;
    }
    Ok(Reply::Success(None))
}

/// The domain and everything below it, parents before children.
fn subtree(call: &Call<'_>, domain: &DomainRow) -> Result<Vec<String>, ApiError> {
    let rows = sql::objects(
        call.tx,
        "SELECT id FROM domains WHERE substr(path, 1, length(?1)) = ?1 ORDER BY level, path",
        &[text(&domain.path)],
    )?;
    Ok(sql::ids(&rows))
}

/// `listDomains`, as QueryManagerImpl.searchForDomainIdsAndCount scopes
/// it: by `id` that domain; else every domain for a root admin, and for
/// others their own domain, or with `listall` its whole subtree. Each
/// domain comes with its limit fields, as a real answer has them.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let caller_path = call.caller.domain_path.clone();
    let mut query = store::domain_query();
    if let Some(id) = call.params.str("id") {
        let domain = store::domain_param(call.tx, "id", id)?;
        check_domain_access(call, &domain)?;
        query.eq("d.id", Some(id));
    } else if call.caller.is_root_admin() {
        // No condition: the root admin's list has every domain.
    } else if call.params.flag("listall", false) {
        query.and(
            "substr(d.path, 1, length(?)) = ?",
            [text(&caller_path), text(&caller_path)],
        );
    } else {
        query.eq("d.id", Some(&call.caller.domain_id));
    }
    query.eq("d.name", call.params.str("name"));
    if let Some(level) = call.params.i64("level")? {
        query.and("d.level = ?", [rusqlite::types::Value::Integer(level)]);
    }
    query.keyword(&["d.name"], call.params.str("keyword"));
    query.order("d.level, d.path");
    let (count, rows) = query.page(call)?;
    let ids = sql::ids(&rows);
    let facts = super::settings::LimitFacts::load(call.tx, &ids)?;
    let items = rows
        .into_iter()
        .map(|mut row| {
            let id = sql::id_of(&row);
            facts.insert_domain_fields(&mut row, &id);
            Value::Object(row)
        })
        .collect();
    Ok(Reply::List {
        key: "domain",
        items,
        count,
    })
}

/// `listDomainChildren`: the children of a domain (the caller's by default),
/// or all its descendants with `isrecursive`.
pub(crate) fn list_children(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let domain = match call.params.str("id") {
        Some(id) => store::domain_param(call.tx, "id", id)?,
        None => store::domain_param(call.tx, "id", &call.caller.domain_id.clone())?,
    };
    check_domain_access(call, &domain)?;
    let mut query = store::domain_query();
    if call.params.flag("isrecursive", false) {
        query.and(
            "substr(d.path, 1, length(?)) = ? AND d.id != ?",
            [text(&domain.path), text(&domain.path), text(&domain.id)],
        );
    } else {
        query.eq("d.parent_id", Some(&domain.id));
    }
    query.eq("d.name", call.params.str("name"));
    query.keyword(&["d.name"], call.params.str("keyword"));
    query.order("d.level, d.path");
    query.list_plain(call, "domain")
}
