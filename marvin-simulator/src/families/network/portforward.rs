//! Port forwarding rules: `createPortForwardingRule`,
//! `deletePortForwardingRule`, `listPortForwardingRules`.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::Query;

use super::rules::{self, FIREWALL, NewRule, PORT_FORWARDING};
use super::store::{self, IpRow, VmRow};

/// Refuses a VM that cannot take rules: gone, destroyed, or another
/// owner's (CloudStack's `checkRuleAndUserVm`).
pub(crate) fn check_rule_vm(
    call: &Call<'_>,
    rule_owner: &str,
    rule: &str,
    vm: &VmRow,
) -> Result<(), ApiError> {
    if vm.state == "Destroyed" || vm.state == "Expunging" {
        return Err(ApiError::param(format!("Invalid user vm: {}", vm.seq)));
    }
    check_access(call, &vm.account_id, &vm.id)?;
    if vm.account_id != rule_owner {
        return Err(ApiError::param(format!(
            "New rule {rule} and vm id={} belong to different accounts",
            vm.seq
        )));
    }
    Ok(())
}

/// `createPortForwardingRule` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let ip_id = call.required("ipaddressid")?;
    let ip = store::allocated_ip(call.tx, "ipaddressid", ip_id)?;
    if ip.static_nat_vm_id.is_some() {
        return Err(ApiError::param(format!(
            "Unable to create port forwarding rule; ip id={} has static nat enabled",
            ip.id
        )));
    }
    let network = rules::network_for_ip(call, &ip, p.str("networkid"), "PortForwarding")?;
    let public_start = store::port(call, "publicport", "publicPort")?
        .ok_or_else(|| ApiError::missing(call.command, "publicport"))?;
    let public_end =
        store::port(call, "publicendport", "Public port range")?.unwrap_or(public_start);
    if public_start > public_end {
        return Err(ApiError::param("Start port can't be bigger than end port"));
    }
    check_access(call, ip.owner(), &ip.id)?;
    let raw = call.required("protocol")?;
    let protocol = raw.to_ascii_lowercase();
    if protocol != "tcp" && protocol != "udp" {
        return Err(ApiError::param(format!(
            "Protocol {raw} is not supported in zone {}",
            ip.zone_id
        )));
    }
    let private_start = store::port(call, "privateport", "privatePort")?
        .ok_or_else(|| ApiError::missing(call.command, "privateport"))?;
    let private_end =
        store::port(call, "privateendport", "Private port range")?.unwrap_or(private_start);
    if private_start > private_end {
        return Err(ApiError::param("Start port can't be bigger than end port"));
    }
    if private_end - private_start != public_end - public_start {
        return Err(ApiError::param(
            "Source port and destination port ranges should be of equal sizes.",
        ));
    }
    let vm = store::vm(
        call.tx,
        "virtualmachineid",
        call.required("virtualmachineid")?,
    )?;
    check_rule_vm(
        call,
        ip.owner(),
        &format!(
            "PortForwarding[{}:{public_start}-{public_end}]",
            ip.display()
        ),
        &vm,
    )?;
    let Some((nic_id, Some(mut vm_ip))) = store::nic_in_network(call.tx, &vm.id, &network.id)?
    else {
        return Err(ApiError::param(
            "Vm doesn't belong to network associated with ipAddress",
        ));
    };
    if let Some(guest_ip) = p.str("vmguestip") {
        if guest_ip != vm_ip && !super::nicips::is_secondary_of(call, &nic_id, guest_ip)? {
            return Err(ApiError::param(
                "IP Address is not in the VM nic's network ",
            ));
        }
        vm_ip = guest_ip.to_string();
    }
    if (public_start != public_end || private_start != private_end)
        && (public_start != private_start || public_end != private_end)
    {
        if public_start != private_start {
            return Err(ApiError::param(
                "Private port start should be equal to public port start",
            ));
        }
        return Err(ApiError::param(
            "Private port end should be equal to public port end",
        ));
    }
    let cidrs = p.list("cidrlist");
    store::check_cidrs(&cidrs)?;
    let open_firewall = match p.bool("openfirewall") {
        Some(true) if network.vpc_id.is_some() => {
            return Err(ApiError::param(
                "Can't open firewall for port forwarding rules in VPC",
            ));
        }
        Some(open) => open,
        None => network.vpc_id.is_none(),
    };
    let id = rules::insert(
        call,
        &NewRule {
            source_cidrs: cidrs,
            display: p.flag("fordisplay", true),
            ..NewRule::ingress(
                PORT_FORWARDING,
                &ip,
                Some(&network.id),
                protocol.clone(),
                Some(public_start),
                Some(public_end),
            )
        },
    )?;
    call.tx.execute(
        "INSERT INTO port_forwarding_rules (id, account_id, vm_id, vm_ip, private_start, private_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, ip.owner(), vm.id, vm_ip, private_start, private_end],
    )?;
    if open_firewall {
        open_firewall_for(
            call,
            &ip,
            &network.id,
            &protocol,
            (public_start, public_end),
            &id,
        )?;
    }
    event_log::created_event(
        call,
        "NET.RULEADD",
        "creating forwarding rule",
        Subject::of("FirewallRule", &id, ""),
    )?;
    Ok(Reply::Job(
        rules::activation_job(&id, "portforwardingrule", rule_json).with_event(
            "NET.RULEADD",
            format!(
                "Applying port forwarding  rule for Ip: {} with virtual machine:{}",
                ip.address, vm.id
            ),
        ),
    ))
}

/// The firewall rule a PF, LB or static NAT rule opens for 0.0.0.0/0
/// (`openfirewall`). A live firewall rule of the IP for the same protocol
/// and exactly these ports is reused instead, and then nothing is added
/// (FirewallManagerImpl.createRuleForAllCidrs: "If firewallRule for this
/// port range already exists, return it"), so a rule on a port a firewall
/// rule already opens is not refused as a conflict.
pub(crate) fn open_firewall_for(
    call: &Call<'_>,
    ip: &IpRow,
    network_id: &str,
    protocol: &str,
    ports: (i64, i64),
    related: &str,
) -> Result<(), ApiError> {
    let existing = call
        .tx
        .query_row(
            "SELECT 1 FROM firewall_rules WHERE ip_id = ?1 AND purpose = ?2 AND traffic_type = 'Ingress'
               AND lower(protocol) = lower(?3) AND start_port = ?4 AND end_port = ?5 AND state != 'Revoke'
             LIMIT 1",
            params![ip.id, FIREWALL, protocol, ports.0, ports.1],
            |_| Ok(()),
        )
        .optional()?;
    if existing.is_some() {
        return Ok(());
    }
    rules::insert(
        call,
        &NewRule {
            source_cidrs: vec!["0.0.0.0/0".into()],
            related_id: Some(related),
            ..NewRule::ingress(
                FIREWALL,
                ip,
                Some(network_id),
                protocol,
                Some(ports.0),
                Some(ports.1),
            )
        },
    )
    .map(drop)
}

/// `deletePortForwardingRule` (async).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let rule = rules::find(call.tx, &id, PORT_FORWARDING)?
        .ok_or_else(|| ApiError::invalid_id("id", &id))?;
    Ok(Reply::Job(rules::removal_job(call, &rule)?.with_event(
        "NET.RULEDELETE",
        format!("Deleting port forwarding rule for id={}", rule.id),
    )))
}

fn rule_query() -> Query {
    Query::new(format!(
        "SELECT r.id AS id, CAST(f.private_start AS TEXT) AS privateport, CAST(f.private_end AS TEXT) AS privateendport,
                r.protocol AS protocol, CAST(r.start_port AS TEXT) AS publicport,
                CAST(r.end_port AS TEXT) AS publicendport, f.vm_id AS virtualmachineid,
                vm.name AS virtualmachinename, COALESCE(vm.display_name, vm.name) AS virtualmachinedisplayname,
                r.ip_id AS ipaddressid, p.address AS ipaddress, {} AS state, r.source_cidrs AS cidrlist,
                f.vm_ip AS vmguestip, r.network_id AS networkid, r.for_display AS \"fordisplay?\"
         FROM firewall_rules r JOIN port_forwarding_rules f ON f.id = r.id
         LEFT JOIN public_ips p ON p.id = r.ip_id LEFT JOIN compute_vms vm ON vm.id = f.vm_id",
        rules::STATE_SQL
    ))
}

fn finish_rule(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    store::attach_tags(call, "PortForwardingRule", &mut row)?;
    Ok(Value::Object(row))
}

/// One port forwarding rule as responses show it.
pub(crate) fn rule_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_rule(call, rule_query().one(call.tx, "r.id", id)?)
}

/// `listPortForwardingRules`.
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
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.eq("r.id", p.str("id"));
    query.eq("r.ip_id", p.str("ipaddressid"));
    query.eq("r.network_id", p.str("networkid"));
    query.flag("r.for_display", p.bool("fordisplay"));
    store::tag_filter(call, &mut query, "PortForwardingRule", "r.id");
    query.keyword(&["r.protocol", "p.address"], p.str("keyword"));
    query.order("r.seq");
    query.list(call, "portforwardingrule", finish_rule)
}

/// `updatePortForwardingRule` (async): CloudStack's
/// `RulesManagerImpl.updatePortForwardingRule`: new private ports (a range
/// keeps the public range's size) or another VM (and guest IP) of the
/// rule's network; the rule is revoked and added again.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let rule = rules::find(call.tx, &id, PORT_FORWARDING)?
        .ok_or_else(|| ApiError::param(format!("Unable to find {id}")))?;
    check_access(call, &rule.account_id, &rule.id)?;
    let private_start = p.i64("privateport")?;
    let private_end = p.i64("privateendport")?;
    if let Some(port) = private_start.filter(|p| !(1..=65535).contains(p)) {
        return Err(ApiError::param(format!(
            "privatePort is an invalid value: {port}"
        )));
    }
    if let Some(port) = private_end.filter(|p| !(1..=65535).contains(p)) {
        return Err(ApiError::param(format!(
            "PrivateEndPort has an invalid value: {port}"
        )));
    }
    let (public_start, public_end) = (
        rule.start_port.unwrap_or_default(),
        rule.end_port.unwrap_or_default(),
    );
    let inconsistent = || {
        ApiError::param(format!(
            "Unable to update the private port range of port forwarding rule as  the provided port range is not consistent with the port range : {public_start} to {public_end}"
        ))
    };
    if let (Some(s), Some(e)) = (private_start, private_end) {
        if e - s != public_end - public_start {
            return Err(inconsistent());
        }
    }
    if public_start != public_end && private_start.is_some() != private_end.is_some() {
        return Err(inconsistent());
    }
    let vm_id = p.str("virtualmachineid");
    let guest_ip = p.str("vmguestip");
    if vm_id.is_none() && guest_ip.is_some() {
        return Err(ApiError::param(
            "vmguestip should be set along with virtualmachineid",
        ));
    }
    let network_id = rule.network_id.clone().unwrap_or_default();
    let target = match vm_id {
        None => None,
        Some(vm_id) => {
            let vm = store::vm(call.tx, "virtualmachineid", vm_id)?;
            check_rule_vm(call, &rule.account_id, &rule.display(), &vm)?;
            let Some((nic_id, Some(mut vm_ip))) =
                store::nic_in_network(call.tx, &vm.id, &network_id)?
            else {
                return Err(ApiError::param(
                    "Vm doesn't belong to network associated with ipAddress",
                ));
            };
            if let Some(guest_ip) = guest_ip {
                if guest_ip != vm_ip && !super::nicips::is_secondary_of(call, &nic_id, guest_ip)? {
                    return Err(ApiError::param(
                        "IP Address is not in the VM nic's network ",
                    ));
                }
                vm_ip = guest_ip.to_string();
            }
            Some((vm.id, vm_ip))
        }
    };
    if let Some(display) = p.bool("fordisplay") {
        call.tx.execute(
            "UPDATE firewall_rules SET for_display = ?2 WHERE id = ?1",
            params![rule.id, display],
        )?;
    }
    let ports = match (private_start, private_end) {
        (Some(s), e) => Some((s, e.unwrap_or(s))),
        (None, Some(e)) => Some((e, e)),
        (None, None) => None,
    };
    if let Some((s, e)) = ports {
        call.tx.execute(
            "UPDATE port_forwarding_rules SET private_start = ?2, private_end = ?3 WHERE id = ?1",
            params![rule.id, s, e],
        )?;
    }
    if let Some((vm, ip)) = &target {
        call.tx.execute(
            "UPDATE port_forwarding_rules SET vm_id = ?2, vm_ip = ?3 WHERE id = ?1",
            params![rule.id, vm, ip],
        )?;
    }
    // Revoked from the router and applied again: `Add` until the job.
    call.tx.execute(
        "UPDATE firewall_rules SET state = 'Add' WHERE id = ?1",
        [&rule.id],
    )?;
    Ok(Reply::Job(
        rules::activation_job(&rule.id, "portforwardingrule", rule_json)
            .with_event("NET.RULEMODIFY", "updating forwarding rule"),
    ))
}
