//! Settings (`listConfigurations`, `updateConfiguration`), capabilities and
//! resource limits.
//!
//! Other families read settings through [`value`], [`flag`] and [`number`]
//! (with the scopes that apply, most specific first); the limits family
//! builds its reserve/release seam on [`account_limit`] and
//! [`resource_count`].

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Reply, Seed, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::render;
use crate::kernel::sql::{self, Query, text};

/// CloudStack's settings as data: one `[name, category, Java type,
/// default, scopes, dynamic, component, kind]` row each, sorted by name,
/// taken from the server's `Config` enum and `ConfigKey` declarations
/// (facts only: no descriptions). `scopes` is a comma list (empty: global
/// only); `kind` (`CSV`, `Select`) refines a `String` setting.
const SETTINGS_DATA: &str = include_str!("settings.json");

/// One row of [`SETTINGS_DATA`].
#[derive(Debug, serde::Deserialize)]
struct Setting(
    String,
    String,
    String,
    Option<String>,
    String,
    bool,
    String,
    Option<String>,
);

/// The settings of [`SETTINGS_DATA`], read once.
fn settings() -> &'static [Setting] {
    static SETTINGS: std::sync::OnceLock<Vec<Setting>> = std::sync::OnceLock::new();
    SETTINGS.get_or_init(|| {
        serde_json::from_str(SETTINGS_DATA).expect("settings.json is a list of setting rows")
    })
}

/// The Java type CloudStack declares for a setting (`Integer`, `Long`,
/// `Float`, `Double`, `Boolean`, `String`), which decides how a new value
/// is checked.
fn java_type(name: &str) -> Option<&'static str> {
    let all = settings();
    all.binary_search_by(|s| s.0.as_str().cmp(name))
        .ok()
        .map(|i| all[i].2.as_str())
}

/// The value type `listConfigurations` shows for a setting, as
/// `ConfigurationManagerImpl.parseConfigurationTypeIntoString` maps it:
/// whole numbers are `Number`, floating ones `Decimal`, a string with a
/// kind shows the kind.
fn value_type(java: &str, kind: Option<&str>) -> String {
    match java {
        "Integer" | "Long" | "Short" => "Number".into(),
        "Float" | "Double" => "Decimal".into(),
        "Boolean" => "Boolean".into(),
        _ => kind.unwrap_or("String").into(),
    }
}

/// Response-field prefixes of the resource types, by type number.
pub(crate) const RESOURCE_PREFIXES: [&str; 12] = [
    "vm",
    "ip",
    "volume",
    "snapshot",
    "template",
    "project",
    "network",
    "vpc",
    "cpu",
    "memory",
    "primarystorage",
    "secondarystorage",
];

/// CloudStack's names of the resource types (used in limit errors).
pub(crate) const RESOURCE_NAMES: [&str; 12] = [
    "user_vm",
    "public_ip",
    "volume",
    "snapshot",
    "template",
    "project",
    "network",
    "vpc",
    "cpu",
    "memory",
    "primary_storage",
    "secondary_storage",
];

const ACCOUNT_LIMITS: [&str; 12] = [
    "max.account.user.vms",
    "max.account.public.ips",
    "max.account.volumes",
    "max.account.snapshots",
    "max.account.templates",
    "max.account.projects",
    "max.account.networks",
    "max.account.vpcs",
    "max.account.cpus",
    "max.account.memory",
    "max.account.primary.storage",
    "max.account.secondary.storage",
];

/// Inserts the settings with their defaults.
pub(crate) fn seed(seed: &Seed<'_>) -> Result<(), ApiError> {
    let mut stmt = seed.tx.prepare(
        "INSERT INTO configurations (name, category, value, default_value, description, scope, type, is_dynamic, component)
         VALUES (?1, ?2, ?3, ?3, '', ?4, ?5, ?6, ?7)",
    )?;
    for Setting(name, category, java, default, scope, dynamic, component, kind) in settings() {
        stmt.execute(params![
            name,
            category,
            default,
            scope,
            value_type(java, kind.as_deref()),
            dynamic,
            component
        ])?;
    }
    Ok(())
}

/// A setting's value: the first scoped value found (`("zone", zone_id)`,
/// `("account", account_id)`, ...), else the global value.
pub(crate) fn value(
    tx: &Transaction<'_>,
    name: &str,
    scopes: &[(&str, &str)],
) -> Result<Option<String>, ApiError> {
    for (scope, id) in scopes {
        let scoped: Option<Option<String>> = tx
            .query_row(
                "SELECT value FROM configuration_values WHERE name = ?1 AND scope = ?2 AND scope_id = ?3",
                [name, scope, id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(value) = scoped {
            return Ok(value);
        }
    }
    Ok(tx
        .query_row(
            "SELECT value FROM configurations WHERE name = ?1",
            [name],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// A boolean setting (`true` only when the value is `true`).
pub(crate) fn flag(
    tx: &Transaction<'_>,
    name: &str,
    scopes: &[(&str, &str)],
) -> Result<bool, ApiError> {
    Ok(value(tx, name, scopes)?.is_some_and(|v| v.trim().eq_ignore_ascii_case("true")))
}

/// A numeric setting, with a fallback when it is unset or not a number.
pub(crate) fn number(
    tx: &Transaction<'_>,
    name: &str,
    scopes: &[(&str, &str)],
    fallback: i64,
) -> Result<i64, ApiError> {
    Ok(parse_number(value(tx, name, scopes)?, fallback))
}

/// A setting's text as a number, with a fallback when it is unset or not a
/// number.
fn parse_number(value: Option<String>, fallback: i64) -> i64 {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(fallback, |v| v as i64)
}

/// An account's limit for a resource type (-1 = unlimited): an explicit
/// limit, else unlimited for root admins, else the `max.account.*` setting.
pub(crate) fn account_limit(
    tx: &Transaction<'_>,
    account_id: &str,
    account_type: i64,
    resource_type: i64,
) -> Result<i64, ApiError> {
    let explicit: Option<i64> = tx
        .query_row(
            "SELECT max FROM resource_limits WHERE owner_id = ?1 AND resource_type = ?2",
            params![account_id, resource_type],
            |r| r.get(0),
        )
        .optional()?;
    decided_limit(explicit, account_type, resource_type, |name| {
        value(tx, name, &[("account", account_id)])
    })
}

/// The limit [`account_limit`] decides, from the explicit limit and, when
/// it comes to that, the `max.account.*` setting `setting` reads.
fn decided_limit(
    explicit: Option<i64>,
    account_type: i64,
    resource_type: i64,
    setting: impl FnOnce(&'static str) -> Result<Option<String>, ApiError>,
) -> Result<i64, ApiError> {
    if let Some(limit) = explicit {
        return Ok(limit);
    }
    if account_type == 1 {
        return Ok(-1);
    }
    let Some(name) = usize::try_from(resource_type)
        .ok()
        .and_then(|i| ACCOUNT_LIMITS.get(i))
    else {
        return Ok(-1);
    };
    Ok(parse_number(setting(name)?, -1))
}

/// How much of a resource type an account uses.
pub(crate) fn resource_count(
    tx: &Transaction<'_>,
    owner_id: &str,
    resource_type: i64,
) -> Result<i64, ApiError> {
    Ok(tx
        .query_row(
            "SELECT count FROM resource_counts WHERE owner_id = ?1 AND resource_type = ?2",
            params![owner_id, resource_type],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Adds `<prefix>limit`, `<prefix>total` and `<prefix>available` for every
/// resource type to the response of an account (or of a project, through
/// its account): storage in GiB (it is counted in bytes), `Unlimited` where
/// there is no limit.
pub(crate) fn insert_limit_fields(
    tx: &Transaction<'_>,
    row: &mut render::Object,
    account_id: &str,
) -> Result<(), ApiError> {
    let account_type: i64 = tx
        .query_row(
            "SELECT account_type FROM accounts WHERE id = ?1",
            [account_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("Unable to find account {account_id}")))?;
    LimitFacts::load(tx, &[account_id.to_string()])?.insert_fields(row, account_id, account_type);
    Ok(())
}

/// What the limit fields of some accounts are made of, read for all of
/// them at once (a page of `listAccounts` costs four queries, not four per
/// account and resource type).
#[derive(Debug, Default)]
pub(crate) struct LimitFacts {
    /// Explicit limits, by (account, resource type).
    explicit: HashMap<(String, i64), i64>,
    /// Usage, by (account, resource type).
    counts: HashMap<(String, i64), i64>,
    /// Account-scoped `max.account.*` values, by (account, setting).
    scoped: HashMap<(String, String), Option<String>>,
    /// Global `max.account.*` values, by setting.
    global: HashMap<String, Option<String>>,
}

impl LimitFacts {
    /// Reads the facts of the accounts `ids`.
    pub(crate) fn load(tx: &Transaction<'_>, ids: &[String]) -> Result<Self, ApiError> {
        let mut facts = Self::default();
        if ids.is_empty() {
            return Ok(facts);
        }
        let (list, args) = sql::id_list(ids);
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT owner_id, resource_type, max FROM resource_limits WHERE owner_id IN ({list})"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            facts
                .explicit
                .insert((row.get(0)?, row.get(1)?), row.get(2)?);
        }
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT owner_id, resource_type, count FROM resource_counts WHERE owner_id IN ({list})"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            facts.counts.insert((row.get(0)?, row.get(1)?), row.get(2)?);
        }
        let names = serde_json::to_string(&ACCOUNT_LIMITS).unwrap_or_else(|_| "[]".into());
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT scope_id, name, value FROM configuration_values
             WHERE scope = 'account' AND name IN (SELECT value FROM json_each(?))
               AND scope_id IN ({list})"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(
            std::iter::once(text(names.clone())).chain(args.iter().cloned()),
        ))?;
        while let Some(row) = rows.next()? {
            facts.scoped.insert((row.get(0)?, row.get(1)?), row.get(2)?);
        }
        let mut stmt = tx.prepare_cached(
            "SELECT name, value FROM configurations WHERE name IN (SELECT value FROM json_each(?1))",
        )?;
        let mut rows = stmt.query([names])?;
        while let Some(row) = rows.next()? {
            facts.global.insert(row.get(0)?, row.get(1)?);
        }
        Ok(facts)
    }

    /// The limit of a resource type for an account: an explicit limit, else
    /// unlimited for root admins, else the `max.account.*` setting (scoped
    /// to the account, else global).
    fn limit(&self, account_id: &str, account_type: i64, resource_type: i64) -> i64 {
        let explicit = self
            .explicit
            .get(&(account_id.to_string(), resource_type))
            .copied();
        decided_limit(explicit, account_type, resource_type, |name| {
            Ok(
                match self.scoped.get(&(account_id.to_string(), name.to_string())) {
                    Some(scoped) => scoped.clone(),
                    None => self.global.get(name).cloned().flatten(),
                },
            )
        })
        .unwrap_or(-1)
    }

    /// Writes the limit fields of one account (see [`insert_limit_fields`]).
    pub(crate) fn insert_fields(
        &self,
        row: &mut render::Object,
        account_id: &str,
        account_type: i64,
    ) {
        self.write_fields(row, account_id, |rtype| {
            self.limit(account_id, account_type, rtype)
        });
    }

    /// Writes the limit fields of one domain: its explicit limit, else
    /// unlimited (the limit `limits` enforces for a domain), and what its
    /// subtree uses.
    pub(crate) fn insert_domain_fields(&self, row: &mut render::Object, domain_id: &str) {
        self.write_fields(row, domain_id, |rtype| {
            self.explicit
                .get(&(domain_id.to_string(), rtype))
                .copied()
                .unwrap_or(-1)
        });
    }

    /// `<prefix>limit`, `<prefix>total` and `<prefix>available` of an owner
    /// (account or domain) whose limit of each resource type `limit_of`
    /// gives.
    fn write_fields(
        &self,
        row: &mut render::Object,
        owner_id: &str,
        limit_of: impl Fn(i64) -> i64,
    ) {
        let text = |limit: i64| {
            Value::String(if limit < 0 {
                "Unlimited".into()
            } else {
                limit.to_string()
            })
        };
        for (rtype, prefix) in RESOURCE_PREFIXES.iter().enumerate() {
            let rtype = rtype as i64;
            let limit = limit_of(rtype);
            let mut total = self
                .counts
                .get(&(owner_id.to_string(), rtype))
                .copied()
                .unwrap_or(0);
            if rtype >= 10 {
                // Storage is counted in bytes and shown, like its limit, in GiB.
                total /= 1024 * 1024 * 1024;
            }
            row.insert(format!("{prefix}limit"), text(limit));
            row.insert(format!("{prefix}total"), json!(total));
            let available = if limit < 0 {
                text(-1)
            } else {
                Value::String(limit.saturating_sub(total).max(0).to_string())
            };
            row.insert(format!("{prefix}available"), available);
        }
    }
}

/// The scope parameters of the configuration commands: parameter, scope
/// name, CloudStack's scope spelling, and the table (or, for another
/// family's rows, the view it publishes) the id names.
const SCOPES: &[(&str, &str, &str, &str)] = &[
    ("zoneid", "zone", "Zone", "datacenter_zones"),
    ("clusterid", "cluster", "Cluster", "datacenter_clusters"),
    (
        "storageid",
        "storagepool",
        "StoragePool",
        "datacenter_storage_pools",
    ),
    ("accountid", "account", "Account", "accounts"),
    ("domainid", "domain", "Domain", "domains"),
    (
        "imagestoreuuid",
        "imagestore",
        "ImageStore",
        "datacenter_image_stores",
    ),
];

/// The scope a configuration call names: `(scope, scope spelling, id)`.
fn requested_scope(
    call: &Call<'_>,
) -> Result<Option<(&'static str, &'static str, String)>, ApiError> {
    requested_scope_with(call, "imagestoreuuid")
}

/// [`requested_scope`] where the image store comes as `image_store_param`
/// (`resetConfiguration` names it `imagestoreid`).
fn requested_scope_with(
    call: &Call<'_>,
    image_store_param: &'static str,
) -> Result<Option<(&'static str, &'static str, String)>, ApiError> {
    let mut found = None;
    for (param, scope, spelling, table) in SCOPES {
        let param = if *scope == "imagestore" {
            &image_store_param
        } else {
            param
        };
        if let Some(id) = call.params.str(param) {
            if found.is_some() {
                return Err(ApiError::param(
                    "cannot handle multiple IDs, provide only one ID corresponding to the scope",
                ));
            }
            if !sql::table_exists(call.tx, table)? || !sql::exists(call.tx, table, id)? {
                return Err(ApiError::invalid_id(param, id));
            }
            found = Some((*scope, *spelling, id.to_string()));
        }
    }
    Ok(found)
}

const CONFIG_SELECT: &str = "SELECT c.name AS name, c.category AS category, c.value AS value,
        c.default_value AS defaultvalue, c.description AS description, c.description AS displaytext,
        c.is_dynamic AS \"isdynamic?\", c.component AS component, c.group_name AS \"group\",
        c.subgroup AS subgroup, c.type AS type";

/// `listConfigurations`: settings by name (substring), category and keyword,
/// optionally as one zone, account, ... sees them.
pub(crate) fn list_configurations(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let scope = requested_scope(call)?;
    let mut query = match &scope {
        Some((scope, _, id)) => {
            let mut q = Query::new(format!(
                "SELECT * FROM ({CONFIG_SELECT}, ?1 AS scope,
                        COALESCE((SELECT v.value FROM configuration_values v
                                  WHERE v.name = c.name AND v.scope = ?1 AND v.scope_id = ?2), c.value) AS scoped
                 FROM configurations c) c"
            ));
            q.and("1 = 1", [text(*scope), text(id.clone())]);
            q
        }
        None => Query::new(format!(
            "SELECT * FROM ({CONFIG_SELECT} FROM configurations c) c"
        )),
    };
    if let Some((_, spelling, _)) = &scope {
        query.and(
            "c.name IN (SELECT name FROM configurations WHERE ',' || scope || ',' LIKE ?)",
            [text(format!("%,{spelling},%"))],
        );
    }
    if let Some(name) = call.params.str("name") {
        query.and(
            "c.name LIKE ? ESCAPE '\\'",
            [text(format!("%{}%", sql::escape_like(name)))],
        );
    }
    query.eq_nocase("c.category", call.params.str("category"));
    query.eq_nocase("c.\"group\"", call.params.str("group"));
    query.eq_nocase("c.subgroup", call.params.str("subgroup"));
    query.keyword(&["c.name", "c.description"], call.params.str("keyword"));
    query.order("c.name");
    query.list(call, "configuration", |_, mut row| {
        if let Some(scoped) = row.remove("scoped") {
            row.insert("value".into(), scoped);
        }
        Ok(Value::Object(row))
    })
}

/// `updateConfiguration`: changes a setting globally or for one scope.
pub(crate) fn update_configuration(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let known: Option<String> = call
        .tx
        .query_row(
            "SELECT scope FROM configurations WHERE name = ?1",
            [&name],
            |r| r.get(0),
        )
        .optional()?;
    let Some(allowed_scopes) = known else {
        return Err(ApiError::param(format!(
            "Config parameter with name {name} doesn't exist"
        )));
    };
    let Some(raw) = call.params.get("value") else {
        return configuration_reply(call, &name, None);
    };
    let trimmed = raw.trim();
    let value = (!trimmed.is_empty() && trimmed != "null").then(|| trimmed.to_string());
    let scope = requested_scope(call)?;
    if let Some((_, spelling, _)) = &scope {
        if !allowed_scopes.split(',').any(|s| s.trim() == *spelling) {
            return Err(ApiError::param(format!(
                "Invalid scope id provided for the parameter {name}"
            )));
        }
    }
    validate_value(
        &name,
        java_type(&name).unwrap_or("String"),
        value.as_deref(),
    )?;

    match &scope {
        Some((scope, _, id)) => {
            call.tx.execute(
                "INSERT INTO configuration_values (name, scope, scope_id, value) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name, scope, scope_id) DO UPDATE SET value = excluded.value",
                params![name, scope, id, value],
            )?;
        }
        None => {
            call.tx.execute(
                "UPDATE configurations SET value = ?2 WHERE name = ?1",
                params![name, value],
            )?;
        }
    }
    event_log::completed(
        call,
        "CONFIGURATION.VALUE.EDIT",
        &format!("updating configuration. Name: {name}"),
        Subject {
            kind: Some("Configuration"),
            id: None,
            name: Some(&name),
        },
    )?;
    configuration_reply(call, &name, scope.map(|(s, _, id)| (s, id)))
}

/// `resetConfiguration` (`ConfigurationManagerImpl.resetConfiguration`):
/// back to the default globally, or, for one scope, the scoped value goes
/// and the scope sees the value it inherits again.
pub(crate) fn reset_configuration(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let known: Option<String> = call
        .tx
        .query_row(
            "SELECT scope FROM configurations WHERE name = ?1",
            [&name],
            |r| r.get(0),
        )
        .optional()?;
    let Some(allowed_scopes) = known else {
        return Err(ApiError::param(format!(
            "Config parameter with name {name} doesn't exist"
        )));
    };
    let scope = requested_scope_with(call, "imagestoreid")?;
    if let Some((_, spelling, _)) = &scope {
        if !allowed_scopes.split(',').any(|s| s.trim() == *spelling) {
            return Err(ApiError::param(format!(
                "Invalid scope id provided for the parameter {name}"
            )));
        }
    }
    match &scope {
        Some((scope, _, id)) => {
            call.tx.execute(
                "DELETE FROM configuration_values WHERE name = ?1 AND scope = ?2 AND scope_id = ?3",
                params![name, scope, id],
            )?;
        }
        None => {
            call.tx.execute(
                "UPDATE configurations SET value = default_value WHERE name = ?1",
                [&name],
            )?;
        }
    }
    event_log::completed(
        call,
        "CONFIGURATION.VALUE.EDIT",
        &format!("resetting configuration. Name: {name}"),
        Subject {
            kind: Some("Configuration"),
            id: None,
            name: Some(&name),
        },
    )?;
    configuration_reply(call, &name, scope.map(|(s, _, id)| (s, id)))
}

fn validate_value(name: &str, kind: &str, value: Option<&str>) -> Result<(), ApiError> {
    let problem = match (kind, value) {
        ("Boolean", Some("true" | "false")) => None,
        ("Boolean", _) => Some("Please enter either 'true' or 'false'.".to_string()),
        ("Integer", Some(v)) if v.parse::<i32>().is_err() => Some(format!(
            "There was error in trying to parse value: {v}. Please enter a valid integer value for parameter {name}"
        )),
        ("Long", Some(v)) if v.parse::<i64>().is_err() => Some(format!(
            "There was error in trying to parse value: {v}. Please enter a valid long value for parameter {name}"
        )),
        ("Float", Some(v)) if v.parse::<f32>().is_err() => Some(format!(
            "There was error in trying to parse value: {v}. Please enter a valid float value for parameter {name}"
        )),
        ("Double", Some(v)) if v.parse::<f64>().is_err() => Some(format!(
            "There was error in trying to parse value: {v}. Please enter a valid double value for parameter {name}"
        )),
        _ => None,
    };
    match problem {
        Some(text) => Err(ApiError::param(text)),
        None => Ok(()),
    }
}

fn configuration_reply(
    call: &Call<'_>,
    name: &str,
    scope: Option<(&str, String)>,
) -> Result<Reply, ApiError> {
    let mut row = sql::first(
        call.tx,
        &format!("{CONFIG_SELECT} FROM configurations c WHERE c.name = ?1"),
        &[text(name)],
    )?
    .ok_or_else(|| ApiError::internal(format!("configuration {name} vanished")))?;
    if let Some((scope, id)) = scope {
        let scoped = value(call.tx, name, &[(scope, &id)])?;
        row.insert("value".into(), scoped.map_or(Value::Null, Value::String));
        row.insert("scope".into(), Value::String(scope.to_string()));
    }
    row.retain(|_, v| !v.is_null());
    Ok(Reply::Object {
        key: "configuration",
        value: Value::Object(row),
    })
}

/// `listCapabilities`: what this cloud offers, from the settings.
pub(crate) fn list_capabilities(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let tx = call.tx;
    let account: &str = &call.caller.account_id;
    let acct = [("account", account)];
    let sg_enabled = sql::table_exists(tx, "datacenter_zones")?
        && tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM datacenter_zones WHERE security_group_enabled = 1)",
            [],
            |r| r.get::<_, bool>(0),
        )?;
    let value = json!({
        "cloudstackversion": super::CLOUDSTACK_VERSION,
        "securitygroupsenabled": sg_enabled,
        "userpublictemplateenabled": flag(tx, "allow.public.user.templates", &acct)?,
        "supportELB": "false",
        "projectinviterequired": flag(tx, "project.invite.required", &[])?,
        "allowusercreateprojects": flag(tx, "allow.user.create.projects", &[("domain", &call.caller.domain_id)])?,
        "customdiskofferingminsize": number(tx, "custom.diskoffering.size.min", &[], 1)?,
        "customdiskofferingmaxsize": number(tx, "custom.diskoffering.size.max", &[], 1024)?,
        "regionsecondaryenabled": false,
        "kvmsnapshotenabled": flag(tx, "kvm.snapshot.enabled", &[])?,
        "snapshotshowchainsize": false,
        "apilimitinterval": number(tx, "api.throttling.interval", &[], 1)?,
        "apilimitmax": number(tx, "api.throttling.max", &[], 25)?,
        "allowuserviewdestroyedvm": flag(tx, "allow.user.view.destroyed.vm", &acct)?,
        "allowuserexpungerecovervm": flag(tx, "allow.user.expunge.recover.vm", &acct)?,
        "allowuserexpungerecovervolume": flag(tx, "allow.user.expunge.recover.volume", &acct)?,
        "allowuserforcestopvm": flag(tx, "allow.user.force.stop.vm", &acct)?,
        "allowuserviewalldomainaccounts": flag(tx, "allow.user.view.all.domain.accounts", &[("domain", &call.caller.domain_id)])?,
        "dynamicrolesenabled": flag(tx, "dynamic.apichecker.enabled", &[])?,
        "dynamicscalingenabled": flag(tx, "enable.dynamic.scale.vm", &[])?,
        "defaultuipagesize": number(tx, "default.ui.page.size", &[], 20)?,
        "kubernetesserviceenabled": flag(tx, "cloud.kubernetes.service.enabled", &[])?,
        "kubernetesclusterexperimentalfeaturesenabled": false,
        "instancesstatsretentiontime": 720,
        "instancesstatsuseronly": false,
        "instancesdisksstatsretentionenabled": false,
        "instancesdisksstatsretentiontime": 720,
        "instanceleaseenabled": false,
        "sharedfsvmmincpucount": 2,
        "sharedfsvmminramsize": 1024,
        "additionalconfigenabled": false,
        "customhypervisordisplayname": "Custom",
    });
    Ok(Reply::Object {
        key: "capability",
        value,
    })
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
