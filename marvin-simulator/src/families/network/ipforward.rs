//! Static NAT rules ("IP forwarding rules"): `createIpForwardingRule`,
//! `deleteIpForwardingRule`, `listIpForwardingRules`. A rule opens a port
//! range of a public IP that has static NAT enabled towards the VM it is
//! mapped to (CloudStack's `RulesManagerImpl.createStaticNatRule`); it
//! shares the rule table, so it conflicts with port forwarding and load
//! balancer rules of the IP, and it goes when static NAT is disabled.

use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{Query, text};

use super::portforward::open_firewall_for;
use super::rules::{self, NewRule, STATIC_NAT};
use super::store::{self, IpRow};

/// `createIpForwardingRule` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    // CreateIpForwardingRuleCmd.create: the deprecated cidrlist is refused.
    if p.str("cidrlist").is_some() {
        return Err(ApiError::param(
            "Parameter cidrList is deprecated; if you need to open firewall rule for the specific CIDR, please refer to createFirewallRule command",
        ));
    }
    let ip = store::allocated_ip(call.tx, "ipaddressid", call.required("ipaddressid")?)?;
    check_access(call, ip.owner(), &ip.id)?;
    if ip.is_source_nat || ip.static_nat_vm_id.is_none() {
        return Err(ApiError::conflict(format!(
            "Can't do static nat on ip address: {}",
            ip.address
        )));
    }
    let raw = call.required("protocol")?;
    let protocol = raw.to_ascii_lowercase();
    if !["tcp", "udp", "icmp"].contains(&protocol.as_str()) {
        return Err(ApiError::param(format!(
            "Protocol {raw} is not supported in zone {}",
            ip.zone_id
        )));
    }
    let start = store::port(call, "startport", "publicPort")?
        .ok_or_else(|| ApiError::missing(call.command, "startport"))?;
    let end = store::port(call, "endport", "Public port range")?.unwrap_or(start);
    if start > end {
        return Err(ApiError::param("Start port can't be bigger than end port"));
    }
    let network = rules::network_for_ip(call, &ip, None, "StaticNat")?;
    let id = rules::insert(
        call,
        &NewRule::ingress(
            STATIC_NAT,
            &ip,
            Some(&network.id),
            protocol.clone(),
            Some(start),
            Some(end),
        ),
    )?;
    // CreateIpForwardingRuleCmd.getOpenFirewall: true unless asked otherwise.
    if p.flag("openfirewall", true) {
        open_firewall_for(call, &ip, &network.id, &protocol, (start, end), &id)?;
    }
    event_log::created_event(
        call,
        "NET.RULEADD",
        "creating static nat rule",
        Subject::of("FirewallRule", &id, ""),
    )?;
    let vm = ip.static_nat_vm_id.clone().unwrap_or_default();
    Ok(Reply::Job(
        rules::activation_job(&id, "ipforwardingrule", rule_json).with_event(
            "NET.RULEADD",
            format!(
                "Applying an IP forwarding 1:1 NAT rule for IP: {} with Instance:{vm}",
                ip.address
            ),
        ),
    ))
}

/// `deleteIpForwardingRule` (async): `RulesManagerImpl.revokeStaticNatRule`.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let rule = rules::find(call.tx, &id, STATIC_NAT)?
        .ok_or_else(|| ApiError::param(format!("Unable to find {id}")))?;
    Ok(Reply::Job(rules::removal_job(call, &rule)?.with_event(
        "NET.RULEDELETE",
        format!("Deleting an ipforwarding 1:1 NAT rule id:{id}"),
    )))
}

/// Removes the static NAT rules of an IP whose static NAT goes
/// (`RulesManagerImpl.disableStaticNat` revokes them first).
pub(crate) fn remove_for_ip(call: &Call<'_>, ip_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT id FROM firewall_rules WHERE ip_id = ?1 AND purpose = ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map([ip_id, STATIC_NAT], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in ids {
        rules::remove(call, &id)?;
    }
    Ok(())
}

/// Only this family's tables: the address and the VM's names are filled
/// in by [`finish_rule`] through the lookups of `store`. The fields are
/// CloudStack's `IpForwardingRuleResponse` (what `ApiResponseHelper`
/// answers, whatever the command's declared response says).
fn rule_query() -> Query {
    Query::new(format!(
        "SELECT r.id AS id, r.protocol AS protocol, r.start_port AS startport, r.end_port AS endport,
                r.ip_id AS ipaddressid, x.static_nat_vm_id AS virtualmachineid, {} AS state
         FROM firewall_rules r LEFT JOIN ip_details x ON x.ip_id = r.ip_id",
        rules::STATE_SQL
    ))
}

fn finish_rule(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let ip_id = row
        .get("ipaddressid")
        .and_then(Value::as_str)
        .map(String::from);
    if let Some(ip) = ip_id.and_then(|id| store::find_ip(call.tx, &id).transpose()) {
        row.insert("ipaddress".into(), Value::String(ip?.address));
    }
    let vm_id = row
        .get("virtualmachineid")
        .and_then(Value::as_str)
        .map(String::from);
    if let Some(vm) = vm_id.and_then(|id| store::find_vm(call.tx, &id).transpose()) {
        let vm = vm?;
        row.insert("virtualmachinename".into(), Value::String(vm.name));
        row.insert(
            "virtualmachinedisplayname".into(),
            Value::String(vm.display_name),
        );
    }
    Ok(Value::Object(row))
}

/// One static NAT rule as responses show it.
pub(crate) fn rule_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_rule(call, rule_query().one(call.tx, "r.id", id)?)
}

/// `listIpForwardingRules`: `RulesManagerImpl.searchStaticNatRules`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    if let Some(ip_id) = p.str("ipaddressid") {
        let ip = store::find_ip(call.tx, ip_id)?
            .filter(IpRow::allocated)
            .ok_or_else(|| {
                ApiError::param(format!(
                    "Ip address id={ip_id} not ready for port forwarding rules yet"
                ))
            })?;
        check_access(call, ip.owner(), &ip.id)?;
    }
    let mut query = rule_query();
    query.and("r.purpose = ?", [text(STATIC_NAT)]);
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.eq("r.id", p.str("id"));
    query.eq("r.ip_id", p.str("ipaddressid"));
    query.eq("x.static_nat_vm_id", p.str("virtualmachineid"));
    query.order("r.seq DESC");
    query.list(call, "ipforwardingrule", finish_rule)
}
