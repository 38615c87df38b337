//! Quota tariffs (`QuotaResponseBuilderImpl.createQuotaTariff`,
//! `updateQuotaTariffPlan`, `deleteQuotaTariff`, `listQuotaTariffPlans`).

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::time as ktime;

/// `QuotaTypes`: usage type, name, unit, description.
const TYPES: &[(i64, &str, &str, &str)] = &[
    (1, "RUNNING_VM", "Compute*Month", "Running Vm Usage"),
    (2, "ALLOCATED_VM", "Compute*Month", "Allocated Vm Usage"),
    (3, "IP_ADDRESS", "IP*Month", "IP Address Usage"),
    (4, "NETWORK_BYTES_SENT", "GB", "Network Usage (Bytes Sent)"),
    (
        5,
        "NETWORK_BYTES_RECEIVED",
        "GB",
        "Network Usage (Bytes Received)",
    ),
    (6, "VOLUME", "GB*Month", "Volume Usage"),
    (7, "TEMPLATE", "GB*Month", "Template Usage"),
    (8, "ISO", "GB*Month", "ISO Usage"),
    (9, "SNAPSHOT", "GB*Month", "Snapshot Usage"),
    (10, "SECURITY_GROUP", "Policy*Month", "Security Group Usage"),
    (
        11,
        "LOAD_BALANCER_POLICY",
        "Policy*Month",
        "Load Balancer Usage",
    ),
    (
        12,
        "PORT_FORWARDING_RULE",
        "Policy*Month",
        "Port Forwarding Usage",
    ),
    (
        13,
        "NETWORK_OFFERING",
        "Policy*Month",
        "Network Offering Usage",
    ),
    (14, "VPN_USERS", "Policy*Month", "VPN users usage"),
    (21, "VM_DISK_IO_READ", "IOPS", "VM Disk usage(I/O Read)"),
    (22, "VM_DISK_IO_WRITE", "IOPS", "VM Disk usage(I/O Write)"),
    (
        23,
        "VM_DISK_BYTES_READ",
        "Bytes",
        "VM Disk usage(Bytes Read)",
    ),
    (
        24,
        "VM_DISK_BYTES_WRITE",
        "Bytes",
        "VM Disk usage(Bytes Write)",
    ),
    (25, "VM_SNAPSHOT", "GB*Month", "VM Snapshot storage usage"),
    (
        26,
        "VOLUME_SECONDARY",
        "GB*Month",
        "Volume secondary storage usage",
    ),
    (
        27,
        "VM_SNAPSHOT_ON_PRIMARY",
        "GB*Month",
        "VM Snapshot primary storage usage",
    ),
    (28, "BACKUP", "GB*Month", "Backup storage usage"),
    (29, "BUCKET", "GB*Month", "Object Store bucket usage"),
    (30, "NETWORK", "Compute*Month", "Network usage"),
    (31, "VPC", "Compute*Month", "VPC usage"),
];

fn usage_type(kind: i64) -> Option<&'static (i64, &'static str, &'static str, &'static str)> {
    TYPES.iter().find(|t| t.0 == kind)
}

/// A date parameter (checked by the API layer's date parsing).
fn date(call: &Call<'_>, name: &str) -> Result<Option<OffsetDateTime>, ApiError> {
    call.params
        .str(name)
        .map(|raw| {
            ktime::parse_param(raw).ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to parse date {raw} for command {}, please pass dates in the format mentioned in \
                     the api documentation",
                    call.command.to_ascii_lowercase()
                ))
            })
        })
        .transpose()
}

/// `checkActivationRulesAllowed`: activation rules are JavaScript, which
/// the server interprets only with `js.interpretation.enabled` (a hidden
/// setting, off by default).
fn check_activation_rule(call: &Call<'_>) -> Result<(), ApiError> {
    if call.params.str("activationrule").is_some() {
        return Err(ApiError::permission(
            "Quota Tariff Activation Rule cannot be set, as Javascript interpretation is disabled in the \
             configuration.",
        ));
    }
    Ok(())
}

/// `validateEndDateOnCreatingNewQuotaTariff`.
fn check_end(
    start: OffsetDateTime,
    end: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let Some(end) = end else {
        return Ok(());
    };
    if end < start {
        return Err(ApiError::param(format!(
            "The quota tariff's end date [{}] cannot be less than the start date [{}].",
            ktime::format(end),
            ktime::format(start)
        )));
    }
    if end < now {
        return Err(ApiError::param(format!(
            "The quota tariff's end date [{}] cannot be less than now [{}].",
            ktime::format(end),
            ktime::format(now)
        )));
    }
    Ok(())
}

fn tariff_json(call: &Call<'_>, id: &str, admin: bool) -> Result<Value, ApiError> {
    let currency = super::currency(call)?;
    let row = call.tx.query_row(
        "SELECT id, name, description, usage_type, currency_value, effective_on, end_date, position, removed
         FROM quota_tariffs WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        },
    )?;
    let (id, name, description, kind, value, effective, end, position, removed) = row;
    let (_, usage_name, unit, usage_description) =
        usage_type(kind).copied().unwrap_or((kind, "", "", ""));
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    out.insert("name".into(), json!(name));
    out.insert("usageType".into(), json!(kind));
    out.insert("usageName".into(), json!(usage_name));
    out.insert("usageUnit".into(), json!(unit));
    out.insert("usageDiscriminator".into(), json!("None"));
    out.insert("usageTypeDescription".into(), json!(usage_description));
    out.insert("tariffValue".into(), json!(value));
    out.insert("effectiveDate".into(), json!(effective));
    out.insert("currency".into(), json!(currency));
    out.insert("position".into(), json!(position));
    if admin {
        // Activation rules show to who may set them; none can be set here.
        out.insert("activationRule".into(), json!(""));
    }
    for (key, value) in [
        ("description", description),
        ("endDate", end),
        ("removed", removed),
    ] {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    Ok(Value::Object(out))
}

fn active_named(call: &Call<'_>, name: &str) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id FROM quota_tariffs WHERE name = ?1 AND removed IS NULL ORDER BY seq DESC LIMIT 1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// `quotaTariffCreate` (`createQuotaTariff`): a new name, no activation
/// rule, a start date not in the past, a known usage type, an end date
/// after the start and after now.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let kind = call
        .params
        .i64("usagetype")?
        .ok_or_else(|| ApiError::missing(call.command, "usagetype"))?;
    let value: f64 = call
        .required("value")?
        .parse()
        .map_err(|_| ApiError::param("Unable to parse the value parameter"))?;
    let now = call.now;
    let start = date(call, "startdate")?.unwrap_or(now);
    let end = date(call, "enddate")?;
    if active_named(call, &name)?.is_some() {
        return Err(ApiError::param(format!(
            "A quota tariff with name [{name}] already exist."
        )));
    }
    check_activation_rule(call)?;
    if start < now {
        return Err(ApiError::param(format!(
            "The value passed as Quota tariff's start date is in the past: [{}]. Please, inform a date in the \
             future or do not pass the parameter to use the current date and time.",
            ktime::format(start)
        )));
    }
    if usage_type(kind).is_none() {
        return Err(ApiError::param(format!(
            "There is no usage type with value [{kind}]."
        )));
    }
    check_end(start, end, now)?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO quota_tariffs (id, name, description, usage_type, currency_value, effective_on, end_date,
                                    position, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            name,
            call.params.str("description"),
            kind,
            value,
            ktime::format(start),
            end.map(ktime::format),
            call.params.i64("position")?.unwrap_or(1),
            call.caller.account_id
        ],
    )?;
    event_log::completed(
        call,
        "QUOTA.TARIFF.CREATE",
        "creating Quota Tariff",
        Subject::of("QuotaTariff", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "quotatariff",
        value: tariff_json(call, &id, true)?,
    })
}

/// `quotaTariffUpdate` (`updateQuotaTariffPlan`): the tariff in force under
/// `name` is removed and a successor keeps its type and start, with the
/// new value, end date, description or position.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let Some(current) = active_named(call, &name)? else {
        return Err(ApiError::param(format!(
            "There is no quota tariffs with name [{name}]."
        )));
    };
    check_activation_rule(call)?;
    let (kind, value, effective, end, description, position): (
        i64,
        f64,
        String,
        Option<String>,
        Option<String>,
        i64,
    ) = call.tx.query_row(
        "SELECT usage_type, currency_value, effective_on, end_date, description, position
         FROM quota_tariffs WHERE id = ?1",
        [&current],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let now = call.now;
    let start = ktime::parse(&effective).unwrap_or(now);
    let new_end = date(call, "enddate")?;
    check_end(start, new_end, now)?;
    let value = match call.params.str("value") {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::param("Unable to parse the value parameter"))?,
        None => value,
    };
    // `validateStringsOnCreatingNewQuotaTariff`: a blank text clears it.
    let description = match call.params.get("description") {
        Some(text) if text.trim().is_empty() => None,
        Some(text) => Some(text.to_string()),
        None => description,
    };
    call.tx.execute(
        "UPDATE quota_tariffs SET removed = ?2 WHERE id = ?1",
        params![current, call.timestamp()],
    )?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO quota_tariffs (id, name, description, usage_type, currency_value, effective_on, end_date,
                                    position, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            name,
            description,
            kind,
            value,
            effective,
            new_end.map(ktime::format).or(end),
            call.params.i64("position")?.unwrap_or(position),
            call.caller.account_id
        ],
    )?;
    event_log::completed(
        call,
        "QUOTA.TARIFF.UPDATE",
        "updating Quota Tariff",
        Subject::of("QuotaTariff", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "quotatariff",
        value: tariff_json(call, &id, true)?,
    })
}

/// `quotaTariffDelete` (`deleteQuotaTariff`): marks the tariff removed.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let name: Option<String> = call
        .tx
        .query_row(
            "SELECT name FROM quota_tariffs WHERE id = ?1 AND removed IS NULL",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Err(ApiError::param(
            "Quota tariff with the provided UUID does not exist.",
        ));
    };
    call.tx.execute(
        "UPDATE quota_tariffs SET removed = ?2 WHERE id = ?1",
        params![id, call.timestamp()],
    )?;
    event_log::completed(
        call,
        "QUOTA.TARIFF.DELETE",
        "removing Quota Tariff",
        Subject::of("QuotaTariff", &id, &name),
    )?;
    Ok(Reply::Success(None))
}

/// `quotaTariffList` (`QuotaTariffDaoImpl.listQuotaTariffs`): the tariffs in
/// force, with `listall` also the removed ones, with `listonlyremoved`
/// only those; by id, name, usage type, keyword (name), and tariffs in
/// force on `startdate` / ending by `enddate`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut sql = String::from("SELECT id FROM quota_tariffs WHERE 1 = 1");
    if call.params.flag("listonlyremoved", false) {
        sql.push_str(" AND removed IS NOT NULL");
    } else if !call.params.flag("listall", false) {
        sql.push_str(" AND removed IS NULL");
    }
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut and = |clause: &str, value: rusqlite::types::Value| {
        args.push(value);
        sql.push_str(&format!(
            " AND {}",
            clause.replace('?', &format!("?{}", args.len()))
        ));
    };
    if let Some(id) = call.params.str("id") {
        and("id = ?", id.to_string().into());
    }
    if let Some(name) = call.params.str("name") {
        and("name = ?", name.to_string().into());
    }
    if let Some(kind) = call.params.i64("usagetype")? {
        and("usage_type = ?", kind.into());
    }
    if let Some(keyword) = call.params.str("keyword") {
        and(
            "instr(lower(name), lower(?)) > 0",
            keyword.to_string().into(),
        );
    }
    let start = date(call, "startdate")?;
    let end = date(call, "enddate")?;
    let sql = format!("{sql} ORDER BY seq");
    let ids: Vec<String> = call
        .tx
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let admin = call.caller.is_root_admin();
    let mut items = Vec::new();
    for id in ids {
        let item = tariff_json(call, &id, admin)?;
        let effective = item["effectiveDate"].as_str().and_then(ktime::parse);
        let ends = item["endDate"].as_str().and_then(ktime::parse);
        if let (Some(start), Some(effective)) = (start, effective) {
            if effective > start {
                continue;
            }
        }
        if let (Some(end), Some(ends)) = (end, ends) {
            if ends > end {
                continue;
            }
        }
        items.push(item);
    }
    let page = call.page();
    let count = items.len();
    let items: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(0))
        .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
        .collect();
    Ok(Reply::List {
        key: "quotatariff",
        count,
        items,
    })
}
