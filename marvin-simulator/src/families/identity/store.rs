//! Identity storage: the SQL that reads domains, accounts, users and roles,
//! and their CloudStack response shapes.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction};
use serde_json::{Map, Value, json};

use crate::kernel::caller::Role;
use crate::kernel::error::ApiError;
use crate::kernel::render::Object;
use crate::kernel::sql::{self, Query};

use super::settings;

/// `ROOT` for the root domain, `ROOT/a/b` below (CloudStack's display path).
pub(crate) const DOMAIN_PATH: &str =
    "CASE WHEN d.path = '/' THEN 'ROOT' ELSE 'ROOT' || substr(d.path, 1, length(d.path) - 1) END";

/// A domain row as the code uses it.
#[derive(Debug, Clone)]
pub(crate) struct DomainRow {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub level: i64,
    pub state: String,
}

/// An account row as the code uses it.
#[derive(Debug, Clone)]
pub(crate) struct AccountRow {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub state: String,
    pub is_default: bool,
    /// 0 user, 1 root admin, 2 domain admin, 3 resource admin, 5 project.
    pub account_type: i64,
    pub role_id: String,
}

impl AccountRow {
    /// The system account (CloudStack's account id 1).
    pub(crate) fn is_system(&self) -> bool {
        self.seq == 1
    }
}

/// A role row as the code uses it.
#[derive(Debug, Clone)]
pub(crate) struct RoleRow {
    pub id: String,
    pub name: String,
    /// The role's type; a custom role has the permissions of its type.
    pub kind: Role,
    pub is_public: bool,
}

/// A user row as the code uses it.
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub id: String,
    pub account_id: String,
    pub username: String,
    pub state: String,
    pub is_default: bool,
}

pub(crate) fn domain(tx: &Transaction<'_>, id: &str) -> Result<Option<DomainRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, name, parent_id, path, level, state FROM domains WHERE id = ?1",
            [id],
            |r| {
                Ok(DomainRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    parent_id: r.get(2)?,
                    path: r.get(3)?,
                    level: r.get(4)?,
                    state: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// The root domain.
pub(crate) fn root_domain(tx: &Transaction<'_>) -> Result<DomainRow, ApiError> {
    let id: String = tx.query_row("SELECT id FROM domains WHERE path = '/'", [], |r| r.get(0))?;
    domain(tx, &id)?.ok_or_else(|| ApiError::internal("the ROOT domain is missing"))
}

/// A domain by uuid, or 431 naming the parameter.
pub(crate) fn domain_param(
    tx: &Transaction<'_>,
    param: &str,
    id: &str,
) -> Result<DomainRow, ApiError> {
    domain(tx, id)?.ok_or_else(|| ApiError::invalid_id(param, id))
}

const ACCOUNT_ROW: &str =
    "SELECT seq, id, name, domain_id, state, is_default, account_type, role_id FROM accounts";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        seq: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        domain_id: r.get(3)?,
        state: r.get(4)?,
        is_default: r.get::<_, i64>(5)? != 0,
        account_type: r.get(6)?,
        role_id: r.get(7)?,
    })
}

pub(crate) fn account(tx: &Transaction<'_>, id: &str) -> Result<Option<AccountRow>, ApiError> {
    Ok(tx
        .query_row(&format!("{ACCOUNT_ROW} WHERE id = ?1"), [id], account_row)
        .optional()?)
}

pub(crate) fn account_by_name(
    tx: &Transaction<'_>,
    name: &str,
    domain_id: &str,
) -> Result<Option<AccountRow>, ApiError> {
    Ok(tx
        .query_row(
            &format!("{ACCOUNT_ROW} WHERE name = ?1 AND domain_id = ?2"),
            [name, domain_id],
            account_row,
        )
        .optional()?)
}

pub(crate) fn user(tx: &Transaction<'_>, id: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, account_id, username, state, is_default FROM users WHERE id = ?1",
            [id],
            |r| {
                Ok(UserRow {
                    id: r.get(0)?,
                    account_id: r.get(1)?,
                    username: r.get(2)?,
                    state: r.get(3)?,
                    is_default: r.get::<_, i64>(4)? != 0,
                })
            },
        )
        .optional()?)
}

/// Whether a username is taken in a domain (usernames are unique per domain).
pub(crate) fn username_taken(
    tx: &Transaction<'_>,
    username: &str,
    domain_id: &str,
    except_user: Option<&str>,
) -> Result<bool, ApiError> {
    let found: Option<String> = tx
        .query_row(
            "SELECT u.id FROM users u JOIN accounts a ON a.id = u.account_id
             WHERE u.username = ?1 AND a.domain_id = ?2 AND u.id != ?3",
            [username, domain_id, except_user.unwrap_or("")],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// The query behind domain responses; add conditions on `d.`.
pub(crate) fn domain_query() -> Query {
    Query::new(format!(
        "SELECT d.id AS id, d.name AS name, d.level AS level, d.parent_id AS parentdomainid,
                p.name AS parentdomainname, {DOMAIN_PATH} AS path,
                EXISTS (SELECT 1 FROM domains c WHERE c.parent_id = d.id) AS \"haschild?\",
                d.state AS state, d.network_domain AS networkdomain, d.created AS created,
                0 AS \"hasannotations?\"
         FROM domains d LEFT JOIN domains p ON p.id = d.parent_id"
    ))
}

/// One domain's response object.
pub(crate) fn domain_json(tx: &Transaction<'_>, id: &str) -> Result<Value, ApiError> {
    let row = domain_query().one(tx, "d.id", id)?;
    Ok(Value::Object(row))
}

/// The query behind account responses; add conditions on `a.`.
pub(crate) fn account_query() -> Query {
    Query::new(format!(
        "SELECT a.id AS id, a.name AS name, a.account_type AS accounttype, a.role_id AS roleid,
                r.name AS rolename, r.role_type AS roletype, a.domain_id AS domainid, d.name AS domain,
                {DOMAIN_PATH} AS domainpath, a.state AS state, a.network_domain AS networkdomain,
                a.created AS created, a.is_default AS \"isdefault?\", 0 AS \"iscleanuprequired?\"
         FROM accounts a JOIN domains d ON d.id = a.domain_id JOIN roles r ON r.id = a.role_id"
    ))
}

/// Completes an account row: users, details and resource limits.
pub(crate) fn finish_account(tx: &Transaction<'_>, row: Object) -> Result<Value, ApiError> {
    finish_accounts(tx, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("an account row went missing"))
}

/// Completes account rows (a page of `listAccounts`): users, details and
/// resource limits, each read for all the rows in one go.
pub(crate) fn finish_accounts(
    tx: &Transaction<'_>,
    rows: Vec<Object>,
) -> Result<Vec<Value>, ApiError> {
    let ids = sql::ids(&rows);
    let mut users: HashMap<String, Vec<Value>> = HashMap::new();
    let mut query = user_query();
    query
        .one_of("u.account_id", &ids)
        .order("u.created, u.rowid");
    for user in query.all(tx)? {
        let account = user
            .get("accountid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        users.entry(account).or_default().push(Value::Object(user));
    }

    let mut details: HashMap<String, Map<String, Value>> = HashMap::new();
    let (list, args) = sql::id_list(&ids);
    for detail in sql::objects(
        tx,
        &format!(
            "SELECT account_id, name, value FROM account_details WHERE account_id IN ({list}) ORDER BY name"
        ),
        &args,
    )? {
        let (Some(account), Some(name), Some(value)) = (
            detail.get("account_id").and_then(Value::as_str),
            detail.get("name").and_then(Value::as_str),
            detail.get("value"),
        ) else {
            continue;
        };
        details
            .entry(account.to_string())
            .or_default()
            .insert(name.to_string(), value.clone());
    }

    let limits = settings::LimitFacts::load(tx, &ids)?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let id = sql::id_of(&row);
            row.insert(
                "user".into(),
                Value::Array(users.remove(&id).unwrap_or_default()),
            );
            if let Some(map) = details.remove(&id) {
                row.insert("accountdetails".into(), Value::Object(map));
            }
            let account_type = row.get("accounttype").and_then(Value::as_i64).unwrap_or(0);
            limits.insert_fields(&mut row, &id, account_type);
            row.insert("groups".into(), json!([]));
            Value::Object(row)
        })
        .collect())
}

/// One account's response object.
pub(crate) fn account_json(tx: &Transaction<'_>, id: &str) -> Result<Value, ApiError> {
    let row = account_query().one(tx, "a.id", id)?;
    finish_account(tx, row)
}

/// The query behind user responses; add conditions on `u.` / `a.`.
pub(crate) fn user_query() -> Query {
    Query::new(
        "SELECT u.id AS id, u.username AS username, u.firstname AS firstname, u.lastname AS lastname,
                u.email AS email, u.created AS created, u.state AS state, a.name AS account,
                a.account_type AS accounttype, a.id AS accountid, a.role_id AS roleid, r.name AS rolename,
                r.role_type AS roletype, d.id AS domainid, d.name AS domain, u.timezone AS timezone,
                u.is_default AS \"isdefault?\", u.api_key AS apikey, 'native' AS usersource,
                0 AS \"iscallerchilddomain?\", 0 AS \"is2faenabled?\"
         FROM users u JOIN accounts a ON a.id = u.account_id JOIN domains d ON d.id = a.domain_id
              JOIN roles r ON r.id = a.role_id",
    )
}

/// One user's response object.
pub(crate) fn user_json(tx: &Transaction<'_>, id: &str) -> Result<Value, ApiError> {
    let row = user_query().one(tx, "u.id", id)?;
    Ok(Value::Object(row))
}

/// The query behind role responses.
pub(crate) fn role_query() -> Query {
    Query::new(
        // A role made without a description has none in CloudStack's
        // answer (`ApiResponseHelper.createRoleResponse` copies a null).
        "SELECT id, name, role_type AS type, NULLIF(description, '') AS description, is_default AS \"isdefault?\",
                is_public AS \"ispublic?\", state
         FROM roles",
    )
}

/// A role by uuid. A stored type the simulator does not know reads as
/// `User`, the least privileged.
pub(crate) fn role(tx: &Transaction<'_>, id: &str) -> Result<Option<RoleRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, name, role_type, is_public FROM roles WHERE id = ?1",
            [id],
            |r| {
                Ok(RoleRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: Role::from_name(&r.get::<_, String>(2)?).unwrap_or(Role::User),
                    is_public: r.get::<_, i64>(3)? != 0,
                })
            },
        )
        .optional()?)
}

/// The default role of an account type (Admin for 1, DomainAdmin for 2, ...).
pub(crate) fn default_role(tx: &Transaction<'_>, role_type: &str) -> Result<String, ApiError> {
    tx.query_row(
        "SELECT id FROM roles WHERE role_type = ?1 AND is_default = 1 ORDER BY rowid LIMIT 1",
        [role_type],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| ApiError::internal(format!("no default role of type {role_type}")))
}
