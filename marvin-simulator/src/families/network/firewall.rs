//! Firewall rules: ingress rules on a public IP (`createFirewallRule`,
//! `deleteFirewallRule`, `listFirewallRules`) and egress rules on a network
//! (`createEgressFirewallRule`, `deleteEgressFirewallRule`,
//! `listEgressFirewallRules`).

use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::networks::check_network_access;
use super::rules::{self, FIREWALL, NewRule};
use super::store;

/// Ports, ICMP type/code and CIDRs of a firewall rule, validated.
struct Spec {
    protocol: String,
    start: Option<i64>,
    end: Option<i64>,
    icmp_type: Option<i64>,
    icmp_code: Option<i64>,
}

fn spec(call: &Call<'_>, protocols: &[&str], zone_id: &str) -> Result<Spec, ApiError> {
    let p = call.params;
    let raw = call.required("protocol")?;
    let protocol = raw.to_ascii_lowercase();
    if !protocols.contains(&protocol.as_str()) {
        return Err(ApiError::param(format!(
            "Protocol {raw} is not supported in zone {zone_id}"
        )));
    }
    let start = store::port(call, "startport", "publicPort")?;
    let end = store::port(call, "endport", "Public port range")?.or(start);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(ApiError::param("Start port can't be bigger than end port"));
        }
    }
    let (icmp_type, icmp_code) = (p.i64("icmptype")?, p.i64("icmpcode")?);
    if protocol != "icmp" && (icmp_type.is_some() || icmp_code.is_some()) {
        return Err(ApiError::param(
            "Can specify icmpCode and icmpType for ICMP protocol only",
        ));
    }
    if protocol == "icmp" && (start.is_some() || end.is_some()) {
        return Err(ApiError::param(
            "Can't specify start/end port when protocol is ICMP",
        ));
    }
    let (icmp_type, icmp_code) = if protocol == "icmp" {
        (Some(icmp_type.unwrap_or(-1)), Some(icmp_code.unwrap_or(-1)))
    } else {
        (None, None)
    };
    Ok(Spec {
        protocol,
        start,
        end,
        icmp_type,
        icmp_code,
    })
}

fn cidr_list(call: &Call<'_>, name: &str) -> Result<Vec<String>, ApiError> {
    let cidrs = call.params.list(name);
    for cidr in &cidrs {
        if store::check_cidrs(std::slice::from_ref(cidr)).is_err() {
            return Err(ApiError::param(format!(
                "Source cidrs formatting error {cidr}"
            )));
        }
    }
    Ok(cidrs)
}

/// `createFirewallRule` (async, created in the request): an ingress rule
/// on a public IP; `cidrlist` defaults to 0.0.0.0/0.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ip = store::allocated_ip(call.tx, "ipaddressid", call.required("ipaddressid")?)?;
    check_access(call, ip.owner(), &ip.id)?;
    let spec = spec(call, &["tcp", "udp", "icmp"], &ip.zone_id)?;
    let mut cidrs = cidr_list(call, "cidrlist")?;
    if cidrs.is_empty() {
        cidrs.push("0.0.0.0/0".into());
    }
    let network = rules::network_for_ip(call, &ip, None, "Firewall")?;
    let id = rules::insert(
        call,
        &NewRule {
            icmp_type: spec.icmp_type,
            icmp_code: spec.icmp_code,
            source_cidrs: cidrs,
            display: call.params.flag("fordisplay", true),
            ..NewRule::ingress(
                FIREWALL,
                &ip,
                Some(&network.id),
                spec.protocol,
                spec.start,
                spec.end,
            )
        },
    )?;
    event_log::created_event(
        call,
        "FIREWALL.OPEN",
        "creating firewall rule",
        Subject::of("FirewallRule", &id, ""),
    )?;
    Ok(Reply::Job(
        rules::activation_job(&id, "firewallrule", rule_json)
            .with_event("FIREWALL.OPEN", "Creating firewall rule"),
    ))
}

/// `createEgressFirewallRule` (async, created in the request): an egress
/// rule of an isolated network; `cidrlist` defaults to the network's CIDR.
pub(crate) fn create_egress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network = store::network(call.tx, "networkid", call.required("networkid")?)?;
    check_network_access(call, &network)?;
    if network.vpc_id.is_some()
        || network.guest_type != "Isolated"
        || !store::supports(call.tx, &network, "Firewall")?
    {
        return Err(ApiError::param(format!(
            "Egress firewall rules are not supported in the network id={}",
            network.id
        )));
    }
    let spec = spec(call, &["tcp", "udp", "icmp", "all"], &network.zone_id)?;
    if spec.protocol == "all" && (spec.start.is_some() || spec.end.is_some()) {
        return Err(ApiError::param(
            "Can't specify start/end port when protocol is ALL",
        ));
    }
    let mut cidrs = cidr_list(call, "cidrlist")?;
    if cidrs.is_empty() {
        cidrs.extend(network.cidr.clone());
    }
    let dest = cidr_list(call, "destcidrlist")?;
    let owner = network.account_id.clone().unwrap_or_default();
    let id = rules::insert(
        call,
        &NewRule {
            purpose: FIREWALL,
            traffic_type: "Egress",
            ip_id: None,
            network_id: Some(&network.id),
            account_id: &owner,
            domain_id: &network.domain_id,
            protocol: spec.protocol,
            start_port: spec.start,
            end_port: spec.end,
            icmp_type: spec.icmp_type,
            icmp_code: spec.icmp_code,
            source_cidrs: cidrs,
            dest_cidrs: dest,
            related_id: None,
            display: call.params.flag("fordisplay", true),
        },
    )?;
    event_log::created_event(
        call,
        "FIREWALL.EGRESS.OPEN",
        "creating egress firewall rule",
        Subject::of("FirewallRule", &id, ""),
    )?;
    Ok(Reply::Job(
        rules::activation_job(&id, "firewallrule", rule_json)
            .with_event("FIREWALL.EGRESS.OPEN", "Creating egress firewall rule"),
    ))
}

fn delete_rule(
    call: &mut Call<'_>,
    traffic: &'static str,
    event: &'static str,
) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let rule = rules::find(call.tx, &id, FIREWALL)?;
    let Some(rule) = rule.filter(|r| r.traffic_type == traffic) else {
        if sql::exists(call.tx, "firewall_rules", &id)? {
            return Err(ApiError::param(format!(
                "Unable to find {id} having purpose {FIREWALL}"
            )));
        }
        return Err(ApiError::invalid_id("id", &id));
    };
    Ok(Reply::Job(rules::removal_job(call, &rule)?.with_event(
        event,
        format!("Deleting firewall rule id={}", rule.id),
    )))
}

/// `deleteFirewallRule` (async): the rule shows `Deleting` until the job
/// removes it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    delete_rule(call, "Ingress", "FIREWALL.CLOSE")
}

/// `deleteEgressFirewallRule` (async).
pub(crate) fn delete_egress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    delete_rule(call, "Egress", "FIREWALL.EGRESS.CLOSE")
}

fn rule_query() -> Query {
    Query::new(format!(
        "SELECT r.id AS id, r.protocol AS protocol, r.start_port AS startport, r.end_port AS endport,
                r.ip_id AS ipaddressid, r.network_id AS networkid, p.address AS ipaddress, {} AS state,
                r.source_cidrs AS cidrlist, r.dest_cidrs AS destcidrlist, r.icmp_type AS icmptype,
                r.icmp_code AS icmpcode, r.for_display AS \"fordisplay?\", r.traffic_type AS traffictype
         FROM firewall_rules r LEFT JOIN public_ips p ON p.id = r.ip_id",
        rules::STATE_SQL
    ))
}

fn finish_rule(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    store::attach_tags(call, "FirewallRule", &mut row)?;
    if row.get("traffictype").and_then(Value::as_str) == Some("Ingress") {
        row.remove("destcidrlist");
    }
    row.remove("traffictype");
    Ok(Value::Object(row))
}

/// One firewall rule as responses show it.
pub(crate) fn rule_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_rule(call, rule_query().one(call.tx, "r.id", id)?)
}

fn list_rules(call: &mut Call<'_>, traffic: &str) -> Result<Reply, ApiError> {
    let p = call.params;
    if let Some(ip_id) = p.str("ipaddressid") {
        let ip = store::find_ip(call.tx, ip_id)?
            .filter(store::IpRow::allocated)
            .ok_or_else(|| {
                ApiError::param(format!(
                    "Ip address id={ip_id} not ready for firewall rules yet"
                ))
            })?;
        check_access(call, ip.owner(), &ip.id)?;
    }
    let mut query = rule_query();
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.and(
        "r.purpose = ? AND r.traffic_type = ?",
        [text(FIREWALL), text(traffic)],
    );
    query.eq("r.id", p.str("id"));
    query.eq("r.ip_id", p.str("ipaddressid"));
    query.eq("r.network_id", p.str("networkid"));
    query.flag("r.for_display", p.bool("fordisplay"));
    store::tag_filter(call, &mut query, "FirewallRule", "r.id");
    query.keyword(&["r.protocol", "p.address"], p.str("keyword"));
    query.order("r.seq");
    query.list(call, "firewallrule", finish_rule)
}

/// `listFirewallRules` (ingress rules).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    list_rules(call, "Ingress")
}

/// `listEgressFirewallRules`.
pub(crate) fn list_egress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    list_rules(call, "Egress")
}
