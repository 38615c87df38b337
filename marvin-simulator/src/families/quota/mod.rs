//! Quota: whether the quota service is on (`quotaIsEnabled`), the quota
//! summary of accounts (`quotaSummary`) and the tariffs
//! (`quotaTariffCreate`, `quotaTariffList`, `quotaTariffUpdate`,
//! `quotaTariffDelete`), as CloudStack's quota plugin keeps them
//! (`QuotaServiceImpl`, `QuotaResponseBuilderImpl`, `QuotaTypes`). The
//! simulator records no usage, so balances and quota used are zero.

mod tariffs;

#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use crate::families::identity::api as identity;
use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;

/// The quota family.
pub(crate) const FAMILY: Family = Family::new("quota", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[
    Command::all(
        "quotaIsEnabled",
        "Tells whether the quota service is enabled (quota.enable.service).",
        is_enabled,
    ),
    Command::all(
        "quotaSummary",
        "Shows accounts' quota balance and use in the current period (the caller's own account for \
         non-admins).",
        summary,
    ),
    Command::new(
        "quotaTariffCreate",
        RoleSet::ADMIN,
        "Creates a tariff for a usage type, effective now or from a future date.",
        tariffs::create,
    ),
    Command::all(
        "quotaTariffList",
        "Lists the quota tariffs in force, or also the removed ones.",
        tariffs::list,
    ),
    Command::new(
        "quotaTariffUpdate",
        RoleSet::ADMIN,
        "Changes a tariff's value, end date, description or position; the old version is kept as removed.",
        tariffs::update,
    ),
    Command::new(
        "quotaTariffDelete",
        RoleSet::ADMIN,
        "Removes a quota tariff.",
        tariffs::delete,
    ),
];

/// `quota.currency.symbol`.
fn currency(call: &Call<'_>) -> Result<String, ApiError> {
    Ok(
        identity::setting_value(call.tx, "quota.currency.symbol", &[])?
            .unwrap_or_else(|| "$".into()),
    )
}

/// `quotaIsEnabled` (`QuotaServiceImpl.isQuotaServiceEnabled`).
fn is_enabled(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let enabled = identity::setting_flag(call.tx, "quota.enable.service", &[])?;
    Ok(Reply::Bare(json!({ "isenabled": enabled })))
}

/// `quotaSummary` (`QuotaSummaryCmd`, `QuotaResponseBuilderImpl.createQuotaSummaryResponse`):
/// a root admin with `listall` sees every account (by name, `keyword`
/// narrowing), without it the accounts with quota records (none here);
/// others see their own account.
fn summary(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let currency = currency(call)?;
    let ids: Vec<String> = if call.caller.is_root_admin() {
        if call.params.flag("listall", false) {
            let keyword = call.params.str("keyword").unwrap_or_default();
            call.tx
                .prepare(
                    "SELECT id FROM identity_accounts WHERE account_type != 5 AND seq != 1
                       AND instr(lower(name), lower(?1)) > 0 ORDER BY name",
                )?
                .query_map([keyword], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        }
    } else {
        vec![call.caller.account_id.clone()]
    };
    let (start, end) = period(call);
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let (name, state, domain_id, domain): (String, String, String, String) =
            call.tx.query_row(
                "SELECT a.name, a.state, d.id, d.name FROM identity_accounts a
             JOIN identity_domains d ON d.id = a.domain_id WHERE a.id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let enabled =
            identity::setting_flag(call.tx, "quota.account.enabled", &[("account", &id)])?;
        items.push(json!({
            "accountid": id,
            "account": name,
            "domainid": domain_id,
            "domain": domain,
            "state": state,
            "balance": 0,
            "quota": 0,
            "startdate": start,
            "enddate": end,
            "currency": currency,
            "quotaenabled": enabled,
        }));
    }
    Ok(Reply::List {
        key: "summary",
        count: items.len(),
        items,
    })
}

/// The current statement period: the start of this month to now
/// (`QuotaStatementImpl.getCurrentStatementTime`).
fn period(call: &Call<'_>) -> (Value, Value) {
    let start = call
        .now
        .replace_day(1)
        .map(|d| d.replace_time(time::Time::MIDNIGHT))
        .unwrap_or(call.now);
    (
        Value::String(crate::kernel::time::format(start)),
        Value::String(call.timestamp()),
    )
}
