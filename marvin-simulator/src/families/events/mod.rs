//! Events: every change records one; `listEvents` shows them, and
//! `listEventTypes` names every type CloudStack may record.
//!
//! The events themselves are recorded by the kernel ([`crate::kernel::event_log`]);
//! this family only answers for them.

use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::ListScope;

/// The events family.
pub(crate) const FAMILY: Family = Family::new("events", "", COMMANDS);

const COMMANDS: &[Command] = &[
    Command {
        name: "listEvents",
        roles: RoleSet::ALL,
        doc: "Lists the events recorded for the caller's account (admins: for the accounts they manage), newest first.",
        run: list_events,
    },
    Command {
        name: "listEventTypes",
        roles: RoleSet::ALL,
        doc: "Lists the names of every event type the management server records.",
        run: list_event_types,
    },
];

/// CloudStack's event type names: the values of the public constants of
/// `com.cloud.event.EventTypes` (`api/src/main/java/com/cloud/event/EventTypes.java`),
/// in declaration order, which is the order
/// `ManagementServerImpl.listEventTypes` reads them in (`Class.getFields`).
const EVENT_TYPES_DATA: &str = include_str!("event_types.json");

/// The names of [`EVENT_TYPES_DATA`], read once.
fn event_types() -> &'static [String] {
    static TYPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        serde_json::from_str(EVENT_TYPES_DATA).expect("event_types.json is a list of names")
    })
}

/// `listEventTypes` (`ListEventTypesCmd`): one `eventtype` per name, the
/// same for every caller, unpaged.
fn list_event_types(_call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let items: Vec<Value> = event_types()
        .iter()
        .map(|name| serde_json::json!({ "name": name }))
        .collect();
    Ok(Reply::List {
        key: "eventtype",
        count: items.len(),
        items,
    })
}

fn list_events(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let scope = ListScope::of(call)?;
    let (condition, arg) = scope.condition("e.account_id");
    let mut filter = Filter {
        conditions: vec![condition],
        args: arg.into_iter().map(SqlValue::from).collect(),
    };
    let params = call.params;
    filter.eq("e.id = ? COLLATE NOCASE", params.str("id"));
    filter.eq("e.type = ? COLLATE NOCASE", params.str("type"));
    filter.eq("e.level = ? COLLATE NOCASE", params.str("level"));
    filter.eq("e.state = ? COLLATE NOCASE", params.str("state"));
    filter.eq("e.resource_id = ?", params.str("resourceid"));
    filter.eq(
        "e.resource_type = ? COLLATE NOCASE",
        params.str("resourcetype"),
    );
    if let Some(start) = params.str("startid") {
        filter
            .conditions
            .push("(e.id = ? COLLATE NOCASE OR e.parent_id = ? COLLATE NOCASE)".into());
        filter.args.extend([
            SqlValue::from(start.to_string()),
            SqlValue::from(start.to_string()),
        ]);
    }
    if let Some(text) = params.str("startdate") {
        if let Some(at) = crate::kernel::time::parse_param(text) {
            filter.eq("e.created >= ?", Some(&utc(at)));
        }
    }
    if let Some(text) = params.str("enddate") {
        if let Some(mut at) = crate::kernel::time::parse_param(text) {
            // A date alone means the whole of that day.
            if crate::kernel::time::is_date_only(text) {
                at += time::Duration::seconds(86_399);
            }
            filter.eq("e.created <= ?", Some(&utc(at)));
        }
    }
    if let Some(keyword) = params.str("keyword") {
        let pattern = format!("%{}%", crate::kernel::sql::escape_like(keyword));
        filter
            .conditions
            .push("(e.description LIKE ? ESCAPE '\\' OR e.type LIKE ? ESCAPE '\\')".into());
        filter
            .args
            .extend([SqlValue::from(pattern.clone()), SqlValue::from(pattern)]);
    }
    if params.flag("archived", false) {
        // Events are never archived here.
        filter.conditions.push("0".into());
    }
    let condition = filter.conditions.join(" AND ");
    let count: i64 = call
        .tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM events e WHERE {condition}"))?
        .query_row(rusqlite::params_from_iter(filter.args.iter()), |row| {
            row.get(0)
        })?;
    let page = call.page();
    let sql = format!(
        "SELECT e.id, e.type, e.level, e.state, e.description, u.username, a.name, e.domain_id, d.name, d.path,
                e.created, e.parent_id, e.resource_id, e.resource_name, e.resource_type
         FROM events e LEFT JOIN directory_users u ON u.user_id = e.user_id
              LEFT JOIN directory_accounts a ON a.id = e.account_id
              LEFT JOIN directory_domains d ON d.id = e.domain_id
         WHERE {condition} ORDER BY e.seq DESC{}",
        page.sql()
    );
    let mut stmt = call.tx.prepare_cached(&sql)?;
    let names = [
        "id",
        "type",
        "level",
        "state",
        "description",
        "username",
        "account",
        "domainid",
        "domain",
        "domainpath",
        "created",
        "parentid",
        "resourceid",
        "resourcename",
        "resourcetype",
    ];
    let items = stmt
        .query_map(rusqlite::params_from_iter(filter.args.iter()), |row| {
            let mut event = Map::new();
            for (index, name) in names.iter().enumerate() {
                if let Some(value) = row.get::<_, Option<String>>(index)? {
                    let value = if *name == "domainpath" {
                        crate::kernel::scope::domain_display_path(&value)
                    } else {
                        value
                    };
                    event.insert((*name).into(), value.into());
                }
            }
            event.insert("archived".into(), false.into());
            Ok(Value::Object(event))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::List {
        key: "event",
        items,
        count: usize::try_from(count).unwrap_or(0),
    })
}

struct Filter {
    conditions: Vec<String>,
    args: Vec<SqlValue>,
}

impl Filter {
    fn eq(&mut self, condition: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.conditions.push(condition.into());
            self.args.push(SqlValue::from(value.to_string()));
        }
    }
}

fn utc(at: time::OffsetDateTime) -> String {
    crate::kernel::time::format(at.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests;
