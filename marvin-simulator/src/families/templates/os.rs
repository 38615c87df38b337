//! OS categories and OS types: a built-in set like a fresh install's.

use rusqlite::params;

use crate::kernel::contract::{Call, Reply, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql::{self, Query};

/// The built-in categories and their OS types.
const BUILT_IN: &[(&str, &[&str])] = &[
    (
        "CentOS",
        &[
            "CentOS 5.3 (64-bit)",
            "CentOS 5.5 (64-bit)",
            "CentOS 5.6 (64-bit)",
            "CentOS 6.0 (64-bit)",
            "CentOS 6.5 (64-bit)",
            "CentOS 7",
            "CentOS 8",
        ],
    ),
    (
        "Debian",
        &[
            "Debian GNU/Linux 9 (64-bit)",
            "Debian GNU/Linux 10 (64-bit)",
            "Debian GNU/Linux 11 (64-bit)",
            "Debian GNU/Linux 12 (64-bit)",
        ],
    ),
    (
        "Oracle",
        &["Oracle Linux 7", "Oracle Linux 8", "Oracle Linux 9"],
    ),
    (
        "RedHat",
        &[
            "Red Hat Enterprise Linux 7.0",
            "Red Hat Enterprise Linux 8.0",
            "Red Hat Enterprise Linux 9.0",
        ],
    ),
    (
        "SUSE",
        &[
            "SUSE Linux Enterprise Server 12 SP5 (64-bit)",
            "SUSE Linux Enterprise Server 15 (64-bit)",
        ],
    ),
    (
        "Windows",
        &[
            "Windows 10 (64-bit)",
            "Windows 11 (64-bit)",
            "Windows Server 2016 (64-bit)",
            "Windows Server 2019 (64-bit)",
            "Windows Server 2022 (64-bit)",
        ],
    ),
    (
        "Other",
        &[
            "Other (32-bit)",
            "Other (64-bit)",
            "Other Linux (32-bit)",
            "Other Linux (64-bit)",
            "Other PV (64-bit)",
        ],
    ),
    ("Novel", &["Novell Netware 6.x"]),
    ("Unix", &["FreeBSD 12 (64-bit)", "FreeBSD 13 (64-bit)"]),
    (
        "Ubuntu",
        &[
            "Ubuntu 18.04 LTS",
            "Ubuntu 20.04 LTS",
            "Ubuntu 22.04 LTS",
            "Ubuntu 24.04 LTS",
        ],
    ),
    ("None", &[]),
];

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
    let mut centos = None;
    for (name, types) in BUILT_IN {
        let category_id = ids::new_id();
        let featured = matches!(*name, "CentOS" | "Debian" | "Ubuntu" | "Windows");
        category.execute(params![category_id, name, featured, now])?;
        for os in *types {
            let id = ids::new_id();
            kind.execute(params![id, os, category_id])?;
            if *os == "CentOS 5.6 (64-bit)" {
                centos = Some(id);
            }
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
