//! What firewall, port forwarding and load balancer rules share: one table,
//! the conflict detection of CloudStack's `FirewallManagerImpl`
//! (`detectRulesConflict`), the `Add` → `Active` → `Revoke` (`Deleting`)
//! states, and removal when an IP, a network or a VM goes.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql;

use super::store::{self, IpRow, NetworkRow};

/// Rule purposes, as CloudStack names them.
pub(crate) const FIREWALL: &str = "Firewall";
/// Port forwarding rules.
pub(crate) const PORT_FORWARDING: &str = "PortForwarding";
/// Load balancer rules.
pub(crate) const LOAD_BALANCING: &str = "LoadBalancing";
/// The ports a remote access VPN takes.
pub(crate) const VPN: &str = "Vpn";
/// Static NAT rules (`createIpForwardingRule`).
pub(crate) const STATIC_NAT: &str = "StaticNat";

/// A rule as conflict detection sees it.
#[derive(Debug, Clone)]
pub(crate) struct RuleRow {
    pub(crate) id: String,
    pub(crate) seq: i64,
    pub(crate) purpose: String,
    pub(crate) traffic_type: String,
    pub(crate) ip_id: Option<String>,
    pub(crate) network_id: Option<String>,
    pub(crate) account_id: String,
    pub(crate) protocol: String,
    pub(crate) start_port: Option<i64>,
    pub(crate) end_port: Option<i64>,
    pub(crate) icmp_type: Option<i64>,
    pub(crate) icmp_code: Option<i64>,
    pub(crate) source_cidrs: Vec<String>,
    pub(crate) dest_cidrs: Vec<String>,
    pub(crate) state: String,
}

impl RuleRow {
    const COLUMNS: &'static str =
        "id, seq, purpose, traffic_type, ip_id, network_id, account_id, protocol, start_port,
        end_port, icmp_type, icmp_code, source_cidrs, dest_cidrs, state";

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        let list = |text: String| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        Ok(Self {
            id: r.get(0)?,
            seq: r.get(1)?,
            purpose: r.get(2)?,
            traffic_type: r.get(3)?,
            ip_id: r.get(4)?,
            network_id: r.get(5)?,
            account_id: r.get(6)?,
            protocol: r.get(7)?,
            start_port: r.get(8)?,
            end_port: r.get(9)?,
            icmp_type: r.get(10)?,
            icmp_code: r.get(11)?,
            source_cidrs: list(r.get(12)?),
            dest_cidrs: list(r.get(13)?),
            state: r.get(14)?,
        })
    }

    /// CloudStack's `FirewallRuleVO.toString()`: `Rule[<id>-<purpose>-<state>]`.
    pub(crate) fn display(&self) -> String {
        format!("Rule[{}-{}-{}]", self.seq, self.purpose, self.state)
    }
}

/// A rule by id and purpose, if it exists.
pub(crate) fn find(
    tx: &Transaction<'_>,
    id: &str,
    purpose: &str,
) -> Result<Option<RuleRow>, ApiError> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {} FROM firewall_rules WHERE id = ?1 AND purpose = ?2",
            RuleRow::COLUMNS
        ))?
        .query_row([id, purpose], RuleRow::from_row)
        .optional()?)
}

fn rules_where(
    tx: &Transaction<'_>,
    condition: &str,
    args: &[&str],
) -> Result<Vec<RuleRow>, ApiError> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {} FROM firewall_rules WHERE {condition} ORDER BY seq",
        RuleRow::COLUMNS
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), RuleRow::from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A rule to store.
#[derive(Debug, Clone)]
pub(crate) struct NewRule<'a> {
    pub(crate) purpose: &'static str,
    pub(crate) traffic_type: &'static str,
    pub(crate) ip_id: Option<&'a str>,
    pub(crate) network_id: Option<&'a str>,
    pub(crate) account_id: &'a str,
    pub(crate) domain_id: &'a str,
    pub(crate) protocol: String,
    pub(crate) start_port: Option<i64>,
    pub(crate) end_port: Option<i64>,
    pub(crate) icmp_type: Option<i64>,
    pub(crate) icmp_code: Option<i64>,
    pub(crate) source_cidrs: Vec<String>,
    pub(crate) dest_cidrs: Vec<String>,
    pub(crate) related_id: Option<&'a str>,
    pub(crate) display: bool,
}

impl<'a> NewRule<'a> {
    /// An ingress rule on a public IP, owned by the IP's owner, for every
    /// source, shown to users; the fields it leaves out are set with
    /// `NewRule { .., ..NewRule::ingress(..) }`.
    pub(crate) fn ingress(
        purpose: &'static str,
        ip: &'a IpRow,
        network_id: Option<&'a str>,
        protocol: impl Into<String>,
        start_port: Option<i64>,
        end_port: Option<i64>,
    ) -> Self {
        Self {
            purpose,
            traffic_type: "Ingress",
            ip_id: Some(&ip.id),
            network_id,
            account_id: ip.owner(),
            domain_id: ip.domain_id.as_deref().unwrap_or_default(),
            protocol: protocol.into(),
            start_port,
            end_port,
            icmp_type: None,
            icmp_code: None,
            source_cidrs: Vec::new(),
            dest_cidrs: Vec::new(),
            related_id: None,
            display: true,
        }
    }
}

/// Stores a rule in state `Add` and checks it against the others (the new
/// row is rolled back with the call when it conflicts); returns its id.
pub(crate) fn insert(call: &Call<'_>, rule: &NewRule<'_>) -> Result<String, ApiError> {
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO firewall_rules (id, purpose, traffic_type, ip_id, network_id, account_id, domain_id, protocol,
                                     start_port, end_port, icmp_type, icmp_code, source_cidrs, dest_cidrs, state,
                                     related_id, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'Add', ?15, ?16, ?17)",
        params![
            id,
            rule.purpose,
            rule.traffic_type,
            rule.ip_id,
            rule.network_id,
            rule.account_id,
            rule.domain_id,
            rule.protocol.to_ascii_lowercase(),
            rule.start_port,
            rule.end_port,
            rule.icmp_type,
            rule.icmp_code,
            rule.source_cidrs.join(","),
            rule.dest_cidrs.join(","),
            rule.related_id,
            rule.display,
            call.timestamp()
        ],
    )?;
    let stored =
        find(call.tx, &id, rule.purpose)?.ok_or_else(|| ApiError::internal("rule vanished"))?;
    detect_conflicts(call, &stored)?;
    Ok(id)
}

fn cidrs_conflict(a: &[String], b: &[String]) -> bool {
    if a.is_empty() && b.is_empty() {
        return true;
    }
    a.iter().any(|c| b.contains(c))
}

/// CloudStack's `detectRulesConflict`: the new rule against every rule of
/// its IP (egress rules: of its network) that is not being revoked.
pub(crate) fn detect_conflicts(call: &Call<'_>, new: &RuleRow) -> Result<(), ApiError> {
    let others = match (&new.ip_id, &new.network_id) {
        (Some(ip), _) => rules_where(call.tx, "ip_id = ?1 AND state != 'Revoke'", &[ip])?,
        (None, Some(network)) => rules_where(
            call.tx,
            "network_id = ?1 AND ip_id IS NULL AND purpose = ?2 AND traffic_type = ?3 AND state != 'Revoke'",
            &[network, FIREWALL, &new.traffic_type],
        )?,
        (None, None) => Vec::new(),
    };
    for rule in others.iter().filter(|r| r.id != new.id) {
        let same_protocol = rule.protocol.eq_ignore_ascii_case(&new.protocol);
        let one_is_firewall = (rule.purpose == FIREWALL || new.purpose == FIREWALL)
            && (new.purpose != rule.purpose || !same_protocol);
        let both_firewall = rule.purpose == new.purpose && rule.purpose == FIREWALL;
        let both_pf = rule.purpose == new.purpose && rule.purpose == PORT_FORWARDING;
        // A static NAT rule shares its IP with firewall rules only.
        let either_firewall = rule.purpose == FIREWALL || new.purpose == FIREWALL;
        if !either_firewall && rule.purpose == STATIC_NAT && new.purpose != STATIC_NAT {
            return Err(ApiError::conflict(format!(
                "There is 1 to 1 Nat rule specified for the ip address id={}",
                new.ip_id.as_deref().unwrap_or_default()
            )));
        }
        if !either_firewall && rule.purpose != STATIC_NAT && new.purpose == STATIC_NAT {
            return Err(ApiError::conflict(format!(
                "There is already firewall rule specified for the ip address id={}",
                new.ip_id.as_deref().unwrap_or_default()
            )));
        }
        let duplicated_cidrs = if both_firewall {
            cidrs_conflict(&rule.source_cidrs, &new.source_cidrs)
                && cidrs_conflict(&rule.dest_cidrs, &new.dest_cidrs)
        } else if both_pf {
            cidrs_conflict(&rule.source_cidrs, &new.source_cidrs)
        } else {
            false
        };
        if new.protocol.eq_ignore_ascii_case("icmp")
            && same_protocol
            && new.icmp_code == rule.icmp_code
            && new.icmp_type == rule.icmp_type
            && duplicated_cidrs
        {
            return Err(ApiError::param(format!(
                "New rule conflicts with existing rule: {}",
                rule.display()
            )));
        }
        let new_ports = new.start_port.zip(new.end_port);
        let old_ports = rule.start_port.zip(rule.end_port);
        let null_ports = new.start_port.is_none()
            && new.end_port.is_none()
            && rule.start_port.is_none()
            && rule.end_port.is_none();
        if null_ports
            && duplicated_cidrs
            && same_protocol
            && !new.protocol.eq_ignore_ascii_case("icmp")
        {
            return Err(ApiError::conflict(format!(
                "There is already a firewall rule specified with protocol = {} and no ports",
                new.protocol
            )));
        }
        let (Some((ns, ne)), Some((os, oe))) = (new_ports, old_ports) else {
            continue;
        };
        let ranges_conflict = !one_is_firewall
            && !((both_firewall || both_pf) && !duplicated_cidrs)
            && ((os <= ns && oe >= ns)
                || (os <= ne && oe >= ne)
                || (ns <= os && ne >= os)
                || (ns <= oe && ne >= oe));
        if ranges_conflict {
            // Port forwarding may share ports with port forwarding or VPN
            // rules of another protocol, and VPN with PF or LB rules.
            let pf_new = new.purpose == PORT_FORWARDING
                && (rule.purpose == PORT_FORWARDING || rule.purpose == VPN);
            let vpn_new = new.purpose == VPN
                && (rule.purpose == PORT_FORWARDING || rule.purpose == LOAD_BALANCING);
            let allow_pf = !same_protocol && (pf_new || vpn_new);
            if !allow_pf {
                return Err(ApiError::conflict(format!(
                    "The range specified, {ns}-{ne}, conflicts with rule {} which has {os}-{oe}",
                    rule.display()
                )));
            }
        }
    }
    Ok(())
}

/// Marks a rule (and the firewall rules opened for it) `Active`.
pub(crate) fn activate(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE firewall_rules SET state = 'Active' WHERE (id = ?1 OR related_id = ?1) AND state = 'Add'",
        [id],
    )?;
    Ok(())
}

/// The job of a rule created in the request: it activates the rule (and
/// the firewall rules opened for it) and answers `key` with `render`.
pub(crate) fn activation_job(
    id: &str,
    key: &'static str,
    render: fn(&Call<'_>, &str) -> Result<Value, ApiError>,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        "FirewallRule",
        id,
        Box::new(move |call: &mut Call<'_>| {
            activate(call, &job_id)?;
            Ok(Reply::Object {
                key,
                value: render(call, &job_id)?,
            })
        }),
    )
}

/// Starts the async delete of a rule the caller may act on: the rule (and
/// its related firewall rules) shows `Deleting` until the returned job
/// removes it.
pub(crate) fn removal_job(call: &Call<'_>, rule: &RuleRow) -> Result<Job, ApiError> {
    check_access(call, &rule.account_id, &rule.id)?;
    revoke(call, &rule.id)?;
    let id = rule.id.clone();
    Ok(Job::on(
        "FirewallRule",
        rule.id.clone(),
        Box::new(move |call: &mut Call<'_>| {
            remove(call, &id)?;
            Ok(Reply::Success(None))
        }),
    ))
}

/// Marks a rule (and its related firewall rules) `Revoke`, shown as
/// `Deleting` until the job removes it.
pub(crate) fn revoke(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE firewall_rules SET state = 'Revoke' WHERE id = ?1 OR related_id = ?1",
        [id],
    )?;
    Ok(())
}

/// Removes a rule and the rules related to it. A VPC IP that no longer has
/// rules or static NAT leaves its tier.
pub(crate) fn remove(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let ip_id: Option<Option<String>> = call
        .tx
        .query_row(
            "SELECT ip_id FROM firewall_rules WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    delete_rules(call, "(id = ?1 OR related_id = ?1)", id)?;
    if let Some(Some(ip_id)) = ip_id {
        unassign_vpc_ip_if_unused(call, &ip_id)?;
    }
    Ok(())
}

/// A VPC IP is bound to a tier by its first rule and unbound after its last.
pub(crate) fn unassign_vpc_ip_if_unused(call: &Call<'_>, ip_id: &str) -> Result<(), ApiError> {
    let Some(ip) = store::find_ip(call.tx, ip_id)? else {
        return Ok(());
    };
    if ip.vpc_id.is_none()
        || ip.is_source_nat
        || ip.static_nat_vm_id.is_some()
        || ip.network_id.is_none()
    {
        return Ok(());
    }
    let remaining = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM firewall_rules WHERE ip_id = ?1",
        ip_id,
    )?;
    let vpn = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM remote_access_vpns WHERE ip_id = ?1",
        ip_id,
    )?;
    if remaining == 0 && vpn == 0 {
        call.tx.execute(
            "UPDATE public_ips SET network_id = NULL WHERE id = ?1",
            [ip_id],
        )?;
    }
    Ok(())
}

/// Removes every rule of a public IP.
pub(crate) fn remove_for_ip(call: &Call<'_>, ip_id: &str) -> Result<(), ApiError> {
    delete_rules(call, "ip_id = ?1", ip_id)
}

/// Removes every rule of a network (its IPs' rules and its egress rules).
pub(crate) fn remove_for_network(call: &Call<'_>, network_id: &str) -> Result<(), ApiError> {
    delete_rules(call, "network_id = ?1", network_id)
}

/// Deletes the rules matching `condition` (on `?1` = `value`), the related
/// ones first, and their tags: CloudStack drops a rule's tags with the rule
/// (`FirewallManagerImpl.removeRule`, `ResourceTagDao.removeByIdAndType`),
/// whichever way it goes.
fn delete_rules(call: &Call<'_>, condition: &str, value: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare(&format!("SELECT id FROM firewall_rules WHERE {condition}"))?;
        let rows = stmt.query_map([value], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    call.tx.execute(
        &format!("DELETE FROM firewall_rules WHERE {condition} AND related_id IS NOT NULL"),
        [value],
    )?;
    call.tx.execute(
        &format!("DELETE FROM firewall_rules WHERE {condition}"),
        [value],
    )?;
    for id in &ids {
        for kind in ["FirewallRule", "PortForwardingRule", "LoadBalancer"] {
            store::forget_tags(call, kind, id)?;
        }
    }
    Ok(())
}

/// Removes a VM's port forwarding rules and load balancer memberships.
pub(crate) fn remove_for_vm(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT id FROM port_forwarding_rules WHERE vm_id = ?1")?;
        let rows = stmt.query_map([vm_id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in ids {
        remove(call, &id)?;
    }
    call.tx
        .execute("DELETE FROM lb_vm_map WHERE vm_id = ?1", [vm_id])?;
    Ok(())
}

/// The network a rule on a public IP applies to: the IP's network, or for
/// a VPC IP not yet bound to a tier, the given tier (which it is bound to).
pub(crate) fn network_for_ip(
    call: &Call<'_>,
    ip: &IpRow,
    requested: Option<&str>,
    service: &str,
) -> Result<NetworkRow, ApiError> {
    let network = match (&ip.network_id, requested, &ip.vpc_id) {
        (Some(id), Some(requested), _) if id != requested => {
            return Err(ApiError::param(format!(
                "Invalid network Id={requested}. IP is associated with a different network than passed network id"
            )));
        }
        (Some(id), _, _) => store::network(call.tx, "networkid", id)?,
        (None, Some(requested), Some(vpc_id)) => {
            let network = store::network(call.tx, "networkid", requested)?;
            if network.vpc_id.as_deref() != Some(vpc_id.as_str()) {
                return Err(ApiError::param(format!(
                    "Ip address {} is not assigned to the network {}",
                    ip.display(),
                    network.display(call.tx)?
                )));
            }
            call.tx.execute(
                "UPDATE public_ips SET network_id = ?2 WHERE id = ?1",
                params![ip.id, network.id],
            )?;
            network
        }
        (None, _, _) => {
            return Err(ApiError::param(
                "Unable to retrieve network id to validate the rule",
            ));
        }
    };
    if !store::supports(call.tx, &network, service)? {
        return Err(ApiError::param(format!(
            "Service {service} is not supported in the network id={}",
            network.id
        )));
    }
    Ok(network)
}

/// The state a response shows: `Revoke` is `Deleting`.
pub(crate) const STATE_SQL: &str = "CASE r.state WHEN 'Revoke' THEN 'Deleting' ELSE r.state END";
