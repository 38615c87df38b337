//! OS categories and OS types: a built-in set like a fresh install's.

use rusqlite::params;

use crate::kernel::contract::{Call, Reply, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql::{self, Query};

/// CloudStack's guest OS categories and types as data: the categories in
/// the server's id order (`guest_os_category`), and each type as
/// `[category number, name]` in `guest_os` id order (the base set of
/// `setup/db/templates.sql`, then types later schema upgrades added).
const OS_DATA: &str = include_str!("os_types.json");

/// The shape of [`OS_DATA`].
#[derive(serde::Deserialize)]
struct OsData {
    categories: Vec<String>,
    types: Vec<(usize, String)>,
}

/// Inserts the built-in categories and types; returns the id of
/// "CentOS 5.6 (64-bit)" (the built-in template's OS).
pub(crate) fn seed(seed: &Seed<'_>) -> Result<String, ApiError> {
    let now = crate::kernel::time::format(seed.now);
    let mut category = seed.tx.prepare(
        "INSERT INTO os_categories (id, name, is_featured, created) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut kind = seed
        .tx
        .prepare("INSERT INTO os_types (id, name, category_id) VALUES (?1, ?2, ?3)")?;
    let data: OsData = serde_json::from_str(OS_DATA)
        .map_err(|e| ApiError::internal(format!("os_types.json: {e}")))?;
    let mut category_ids = Vec::with_capacity(data.categories.len());
    for name in &data.categories {
        let category_id = ids::new_id();
        let featured = matches!(name.as_str(), "CentOS" | "Debian" | "Ubuntu" | "Windows");
        category.execute(params![category_id, name, featured, now])?;
        category_ids.push(category_id);
    }
    let mut centos = None;
    for (number, os) in &data.types {
        let category_id = number
            .checked_sub(1)
            .and_then(|i| category_ids.get(i))
            .ok_or_else(|| ApiError::internal(format!("OS type {os} names no category")))?;
        let id = ids::new_id();
        kind.execute(params![id, os, category_id])?;
        if os == "CentOS 5.6 (64-bit)" {
            centos = Some(id);
        }
    }
    centos.ok_or_else(|| ApiError::internal("the built-in OS types lack CentOS 5.6 (64-bit)"))
}

/// `listOsTypes`.
pub(crate) fn list_types(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = Query::new(
        "SELECT t.id AS id, t.name AS name, t.name AS description, t.category_id AS oscategoryid,
                c.name AS oscategoryname, t.is_user_defined AS \"isuserdefined?\", t.for_display AS \"fordisplay?\"
         FROM os_types t JOIN os_categories c ON c.id = t.category_id",
    );
    query.eq("t.id", p.str("id"));
    let ids = p.list("ids");
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        query.and(
            &format!("t.id IN ({marks})"),
            ids.into_iter().map(sql::text),
        );
    }
    query.eq("t.category_id", p.str("oscategoryid"));
    query.eq("t.name", p.str("description"));
    query.flag("t.for_display", p.bool("fordisplay"));
    query.keyword(&["t.name"], p.str("keyword"));
    query.order("t.seq");
    query.list_plain(call, "ostype")
}

/// `listOsCategories`.
pub(crate) fn list_categories(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = Query::new(
        "SELECT c.id AS id, c.name AS name, c.is_featured AS \"isfeatured?\", c.created AS created FROM os_categories c",
    );
    query.eq("c.id", p.str("id"));
    query.eq("c.name", p.str("name"));
    query.flag("c.is_featured", p.bool("isfeatured"));
    query.keyword(&["c.name"], p.str("keyword"));
    query.order("c.seq");
    query.list_plain(call, "oscategory")
}

#[cfg(test)]
#[path = "os_tests.rs"]
mod tests;
