//! Load balancer rules on public IPs: `createLoadBalancerRule`,
//! `updateLoadBalancerRule`, `deleteLoadBalancerRule`,
//! `assignToLoadBalancerRule`, `removeFromLoadBalancerRule`,
//! `listLoadBalancerRules`, `listLoadBalancerRuleInstances`, and their
//! stickiness and health check policies.
//!
//! A rule stays `Add` until it has VMs, then becomes `Active`.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::portforward::open_firewall_for;
use super::rules::{self, LOAD_BALANCING, NewRule, RuleRow};
use super::store;

const ALGORITHMS: &[&str] = &["roundrobin", "leastconn", "source"];
const STICKINESS_METHODS: &[&str] = &["LbCookie", "AppCookie", "SourceBased"];

fn lb_rule(call: &Call<'_>, param: &str, id: &str) -> Result<RuleRow, ApiError> {
    rules::find(call.tx, id, LOAD_BALANCING)?.ok_or_else(|| ApiError::invalid_id(param, id))
}

/// `createLoadBalancerRule` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let algorithm = call.required("algorithm")?.to_string();
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(ApiError::param(format!("Invalid algorithm: {algorithm}")));
    }
    let public_port = store::port(call, "publicport", "publicPort")?
        .ok_or_else(|| ApiError::missing(call.command, "publicport"))?;
    let private_port = store::port(call, "privateport", "privatePort")?
        .ok_or_else(|| ApiError::missing(call.command, "privateport"))?;
    let ip_id = p
        .str("publicipid")
        .ok_or_else(|| ApiError::missing(call.command, "publicipid"))?;
    let ip = store::find_ip(call.tx, ip_id)?
        .filter(store::IpRow::allocated)
        .ok_or_else(|| {
            ApiError::param(format!(
                "Unable to create load balancer rule, invalid IP address id {ip_id}"
            ))
        })?;
    // `LoadBalancingRulesManagerImpl.createPublicLoadBalancer` refuses a
    // static NAT address as a bad parameter, before the access check.
    if ip.static_nat_vm_id.is_some() {
        return Err(ApiError::param(
            "Unable to create load balancer rule; specified sourceip id has static nat enabled",
        ));
    }
    check_access(call, ip.owner(), &ip.id)?;
    let network = rules::network_for_ip(call, &ip, p.str("networkid"), "Lb")?;
    let protocol = p.str("protocol").unwrap_or("tcp").to_ascii_lowercase();
    if !matches!(protocol.as_str(), "tcp" | "udp" | "tcp-proxy" | "ssl") {
        return Err(ApiError::param(format!(
            "Protocol {protocol} is not supported in zone {}",
            ip.zone_id
        )));
    }
    let cidrs = p.list("cidrlist");
    store::check_cidrs(&cidrs)?;
    let open_firewall = match p.bool("openfirewall") {
        Some(open) => open && network.vpc_id.is_none(),
        None => network.vpc_id.is_none(),
    };
    let rule_protocol = if protocol == "udp" { "udp" } else { "tcp" };
    let id = rules::insert(
        call,
        &NewRule {
            source_cidrs: cidrs,
            display: p.flag("fordisplay", true),
            ..NewRule::ingress(
                LOAD_BALANCING,
                &ip,
                Some(&network.id),
                rule_protocol,
                Some(public_port),
                Some(public_port),
            )
        },
    )?;
    call.tx.execute(
        "INSERT INTO load_balancer_rules (id, account_id, name, description, algorithm, private_port, lb_protocol)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, ip.owner(), name, p.str("description"), algorithm, private_port, protocol],
    )?;
    if open_firewall {
        open_firewall_for(
            call,
            &ip,
            &network.id,
            rule_protocol,
            (public_port, public_port),
            &id,
        )?;
    }
    event_log::created_event(
        call,
        "LB.CREATE",
        "creating load balancer",
        Subject::of("FirewallRule", &id, &name),
    )?;
    let job_id = id.clone();
    let owner = ip.owner().to_string();
    Ok(Reply::Job(
        Job::on(
            "FirewallRule",
            id,
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "UPDATE firewall_rules SET state = 'Active' WHERE related_id = ?1 AND state = 'Add'",
                    [&job_id],
                )?;
                Ok(Reply::Object { key: "loadbalancer", value: lb_json(call, &job_id)? })
            }),
        )
        .with_event("LB.CREATE", format!("creating load balancer: {name} account: {owner}")),
    ))
}

/// `updateLoadBalancerRule` (async): name, description, algorithm,
/// protocol, display flag.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "id", call.required("id")?)?;
    check_access(call, &rule.account_id, &rule.id)?;
    let p = call.params;
    if let Some(algorithm) = p.str("algorithm") {
        if !ALGORITHMS.contains(&algorithm) {
            return Err(ApiError::param(format!("Invalid algorithm: {algorithm}")));
        }
    }
    let (name, description, algorithm, protocol, display) = (
        p.str("name").map(String::from),
        p.str("description").map(String::from),
        p.str("algorithm").map(String::from),
        p.str("protocol").map(str::to_ascii_lowercase),
        p.bool("fordisplay"),
    );
    let id = rule.id.clone();
    Ok(Reply::Job(
        Job::on(
            "FirewallRule",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "UPDATE load_balancer_rules SET name = COALESCE(?2, name), description = COALESCE(?3, description),
                            algorithm = COALESCE(?4, algorithm), lb_protocol = COALESCE(?5, lb_protocol)
                     WHERE id = ?1",
                    params![id, name, description, algorithm, protocol],
                )?;
                if let Some(display) = display {
                    call.tx.execute("UPDATE firewall_rules SET for_display = ?2 WHERE id = ?1", params![id, display])?;
                }
                Ok(Reply::Object { key: "loadbalancer", value: lb_json(call, &id)? })
            }),
        )
        .with_event("LB.UPDATE", format!("updating load balancer rule {}", rule.id)),
    ))
}

/// `deleteLoadBalancerRule` (async): `Deleting` until the job removes it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "id", call.required("id")?)?;
    Ok(Reply::Job(rules::removal_job(call, &rule)?.with_event(
        "LB.DELETE",
        format!("deleting load balancer: {}", rule.id),
    )))
}

/// The (vm, ip) pairs an assign/remove call names: `virtualmachineids`
/// (each VM's NIC in the rule's network) and `vmidipmap`.
fn targets(
    call: &Call<'_>,
    rule: &RuleRow,
    adding: bool,
) -> Result<Vec<(store::VmRow, String)>, ApiError> {
    let p = call.params;
    let network_id = rule.network_id.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut pairs: Vec<(String, Option<String>)> = p
        .list("virtualmachineids")
        .into_iter()
        .map(|v| (v, None))
        .collect();
    for entry in p.map("vmidipmap") {
        if let Some(vm) = entry.get("vmid") {
            pairs.push((vm.clone(), entry.get("vmip").cloned()));
        }
    }
    if pairs.is_empty() {
        return Err(ApiError::param("Both VM ids and VM id/IP map are empty"));
    }
    for (vm_id, requested) in pairs {
        let vm = store::find_vm(call.tx, &vm_id)?
            .filter(|vm| !adding || (vm.state != "Destroyed" && vm.state != "Expunging"))
            .ok_or_else(|| ApiError::param(format!("Invalid instance id: {vm_id}")))?;
        check_access(call, &vm.account_id, &vm.id)?;
        let nic = store::nic_in_network(call.tx, &vm.id, &network_id)?;
        let Some((_, Some(nic_ip))) = nic else {
            return Err(ApiError::param(
                "VM with id specified cannot be added because it doesn't belong in the same network.",
            ));
        };
        if let Some(requested) = &requested {
            if *requested != nic_ip {
                return Err(ApiError::param(format!(
                    "VM ip {requested} specified does not belong to the vm {}",
                    vm.id
                )));
            }
        }
        out.push((vm, requested.unwrap_or(nic_ip)));
    }
    Ok(out)
}

/// `assignToLoadBalancerRule` (async): the rule becomes `Active`.
pub(crate) fn assign(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    change_members(call, true)
}

/// `removeFromLoadBalancerRule` (async).
pub(crate) fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    change_members(call, false)
}

/// Assigns (`adding`: none of the targets may be mapped yet) or removes
/// (each must be mapped) the VMs a call names.
fn change_members(call: &mut Call<'_>, adding: bool) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "id", call.required("id")?)?;
    check_access(call, &rule.account_id, &rule.id)?;
    let pairs = targets(call, &rule, adding)?;
    for (vm, vm_ip) in &pairs {
        let mapped = call
            .tx
            .query_row(
                "SELECT 1 FROM lb_vm_map WHERE lb_id = ?1 AND vm_id = ?2 AND vm_ip = ?3",
                [&rule.id, &vm.id, vm_ip],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if adding && mapped {
            return Err(ApiError::param(format!(
                "VM {} is already mapped to load balancer rule {} with ip {vm_ip}",
                vm.name, rule.id
            )));
        }
        if !adding && !mapped {
            return Err(ApiError::param(format!(
                "Instance {} is not assigned to load balancer rule {}",
                vm.id, rule.id
            )));
        }
    }
    let ids: Vec<&str> = pairs.iter().map(|(vm, _)| vm.id.as_str()).collect();
    let (event, description) = if adding {
        ("LB.ASSIGN.TO.RULE", "applying instances for load balancer")
    } else {
        (
            "LB.REMOVE.FROM.RULE",
            "removing instances from load balancer",
        )
    };
    let description = format!("{description}: {} (ids: {})", rule.id, ids.join(","));
    let pairs: Vec<(String, String)> = pairs.into_iter().map(|(vm, ip)| (vm.id, ip)).collect();
    let id = rule.id.clone();
    Ok(Reply::Job(
        Job::on(
            "FirewallRule",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let change = if adding {
                    "INSERT OR IGNORE INTO lb_vm_map (lb_id, vm_id, vm_ip) VALUES (?1, ?2, ?3)"
                } else {
                    "DELETE FROM lb_vm_map WHERE lb_id = ?1 AND vm_id = ?2 AND vm_ip = ?3"
                };
                for (vm_id, vm_ip) in &pairs {
                    call.tx.execute(change, params![id, vm_id, vm_ip])?;
                }
                if adding {
                    rules::activate(call, &id)?;
                }
                Ok(Reply::Success(None))
            }),
        )
        .with_event(event, description),
    ))
}

fn lb_query() -> Query {
    Query::new(format!(
        "SELECT r.id AS id, l.name AS name, l.description AS description, l.algorithm AS algorithm,
                CAST(l.private_port AS TEXT) AS privateport, CAST(r.start_port AS TEXT) AS publicport,
                r.ip_id AS publicipid, p.address AS publicip, r.source_cidrs AS cidrlist, a.name AS account,
                d.id AS domainid, d.name AS domain, {} AS state, p.zone_id AS zoneid, z.name AS zonename,
                r.network_id AS networkid, l.lb_protocol AS protocol, r.for_display AS \"fordisplay?\"
         FROM firewall_rules r JOIN load_balancer_rules l ON l.id = r.id LEFT JOIN public_ips p ON p.id = r.ip_id
         LEFT JOIN datacenter_zones z ON z.id = p.zone_id JOIN identity_accounts a ON a.id = r.account_id
         JOIN identity_domains d ON d.id = r.domain_id",
        rules::STATE_SQL
    ))
}

fn finish_lb(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    store::attach_tags(call, "LoadBalancer", &mut row)?;
    Ok(Value::Object(row))
}

fn lb_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_lb(call, lb_query().one(call.tx, "r.id", id)?)
}

/// `listLoadBalancerRules` (answers under `loadbalancerrule`).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = lb_query();
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.eq("r.id", p.str("id"));
    query.eq("l.name", p.str("name"));
    query.eq("r.ip_id", p.str("publicipid"));
    query.eq("r.network_id", p.str("networkid"));
    query.eq("p.zone_id", p.str("zoneid"));
    query.flag("r.for_display", p.bool("fordisplay"));
    if let Some(vm) = p.str("virtualmachineid") {
        query.and(
            "r.id IN (SELECT lb_id FROM lb_vm_map WHERE vm_id = ?)",
            [text(vm)],
        );
    }
    store::tag_filter(call, &mut query, "LoadBalancer", "r.id");
    query.keyword(&["l.name", "l.description"], p.str("keyword"));
    query.order("r.seq");
    query.list(call, "loadbalancerrule", finish_lb)
}

/// `listLoadBalancerRuleInstances`: the VMs of a rule (`applied=false`:
/// the VMs of its network that could be added).
pub(crate) fn list_instances(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "id", call.required("id")?)?;
    check_access(call, &rule.account_id, &rule.id)?;
    let applied = call.params.flag("applied", true);
    let with_ips = call.params.flag("lbvmips", false);
    let mut query = Query::new(
        "SELECT v.id AS id, v.name AS name, COALESCE(v.display_name, v.name) AS displayname, v.state AS state,
                a.name AS account, d.id AS domainid, d.name AS domain, v.zone_id AS zoneid, z.name AS zonename,
                v.created AS created,
                (SELECT group_concat(m.vm_ip, ',') FROM lb_vm_map m WHERE m.lb_id = ? AND m.vm_id = v.id) AS lbvmips
         FROM compute_vms v JOIN identity_accounts a ON a.id = v.account_id JOIN identity_domains d ON d.id = v.domain_id
         JOIN datacenter_zones z ON z.id = v.zone_id",
    );
    // Binds the `?` of the select list (placeholders are numbered in text order).
    query.and("1 = 1", [text(&rule.id)]);
    if applied {
        query.and(
            "v.id IN (SELECT vm_id FROM lb_vm_map WHERE lb_id = ?)",
            [text(&rule.id)],
        );
    } else {
        query.and(
            "v.id NOT IN (SELECT vm_id FROM lb_vm_map WHERE lb_id = ?)
             AND v.id IN (SELECT vm_id FROM nics WHERE network_id = ?) AND v.state NOT IN ('Destroyed', 'Expunging')",
            [text(&rule.id), text(rule.network_id.clone().unwrap_or_default())],
        );
    }
    query.keyword(&["v.name", "v.display_name"], call.params.str("keyword"));
    query.order("v.seq");
    if with_ips {
        return query.list(call, "lbrulevmidip", |_, mut row| {
            let ips: Vec<Value> = row
                .remove("lbvmips")
                .and_then(|v| {
                    v.as_str().map(|s| {
                        s.split(',')
                            .map(|ip| Value::String(ip.to_string()))
                            .collect()
                    })
                })
                .unwrap_or_default();
            Ok(json!({ "loadbalancerruleinstance": Value::Object(row), "lbvmipaddresses": ips }))
        });
    }
    query.list(call, "loadbalancerruleinstance", |_, mut row| {
        row.remove("lbvmips");
        Ok(Value::Object(row))
    })
}

/// The owner fields shared by policy responses.
fn policy_owner(call: &Call<'_>, rule: &RuleRow) -> Result<Object, ApiError> {
    let rows = sql::objects(
        call.tx,
        "SELECT r.id AS lbruleid, a.name AS account, d.id AS domainid, d.name AS domain, p.zone_id AS zoneid
         FROM firewall_rules r JOIN identity_accounts a ON a.id = r.account_id JOIN identity_domains d ON d.id = r.domain_id
         LEFT JOIN public_ips p ON p.id = r.ip_id WHERE r.id = ?1",
        &[text(&rule.id)],
    )?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::invalid_id("lbruleid", &rule.id))
}

fn stickiness_json(call: &Call<'_>, rule: &RuleRow) -> Result<Value, ApiError> {
    let mut out = policy_owner(call, rule)?;
    let policies = sql::objects(
        call.tx,
        "SELECT id AS id, name AS name, method AS methodname, description AS description, params AS \"params{}\",
                state AS state, for_display AS \"fordisplay?\"
         FROM lb_stickiness_policies WHERE lb_id = ?1 ORDER BY seq",
        &[text(&rule.id)],
    )?;
    if let Some(first) = policies.first() {
        out.insert(
            "name".into(),
            first.get("name").cloned().unwrap_or(Value::Null),
        );
        out.insert(
            "description".into(),
            first.get("description").cloned().unwrap_or(Value::Null),
        );
        out.insert(
            "state".into(),
            first.get("state").cloned().unwrap_or(Value::Null),
        );
    }
    out.insert(
        "stickinesspolicy".into(),
        Value::Array(policies.into_iter().map(Value::Object).collect()),
    );
    Ok(Value::Object(out))
}

/// `createLBStickinessPolicy` (async, created in the request): one policy
/// per rule.
pub(crate) fn create_stickiness(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "lbruleid", call.required("lbruleid")?)?;
    check_access(call, &rule.account_id, &rule.id)?;
    let name = call.required("name")?.to_string();
    let method = call.required("methodname")?;
    let Some(method) = STICKINESS_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
    else {
        return Err(ApiError::param(format!(
            "Failed LB in validation rule id: {} Stickiness method {method} is not supported",
            rule.id
        )));
    };
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM lb_stickiness_policies WHERE lb_id = ?1",
        &rule.id,
    )? > 0
    {
        return Err(ApiError::param(
            "Failed to create Stickiness policy: Already policy attached ",
        ));
    }
    let mut params_map = Map::new();
    for entry in call.params.map("param") {
        if let (Some(k), Some(v)) = (entry.get("name"), entry.get("value")) {
            params_map.insert(k.clone(), Value::String(v.clone()));
        }
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO lb_stickiness_policies (id, lb_id, name, method, description, params, state, for_display)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Add', ?7)",
        params![
            id,
            rule.id,
            name,
            method,
            call.params.str("description"),
            Value::Object(params_map).to_string(),
            call.params.flag("fordisplay", true)
        ],
    )?;
    event_log::created_event(
        call,
        "LB.STICKINESSPOLICY.CREATE",
        "creating lb stickiness policy",
        Subject::of("StickinessPolicy", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "StickinessPolicy",
            "lb_stickiness_policies",
            &id,
            "Active",
            "stickinesspolicies",
            move |call, _| stickiness_json(call, &rule),
        )
        .with_event(
            "LB.STICKINESSPOLICY.CREATE",
            "Create Load Balancer Stickiness policy",
        ),
    ))
}

fn policy_rule(call: &Call<'_>, table: &str, id: &str) -> Result<RuleRow, ApiError> {
    let lb: String = call
        .tx
        .query_row(
            &format!("SELECT lb_id FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))?;
    lb_rule(call, "id", &lb)
}

fn delete_policy(
    call: &mut Call<'_>,
    table: &'static str,
    kind: &'static str,
    event: &'static str,
) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let rule = policy_rule(call, table, &id)?;
    check_access(call, &rule.account_id, &rule.id)?;
    call.tx.execute(
        &format!("UPDATE {table} SET state = 'Revoke' WHERE id = ?1"),
        [&id],
    )?;
    Ok(Reply::Job(jobs::delete_job(kind, table, &id).with_event(
        event,
        format!("Deleting load balancer policy {id}"),
    )))
}

/// `deleteLBStickinessPolicy` (async).
pub(crate) fn delete_stickiness(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    delete_policy(
        call,
        "lb_stickiness_policies",
        "StickinessPolicy",
        "LB.STICKINESSPOLICY.DELETE",
    )
}

fn rules_for_policies(call: &Call<'_>, table: &str) -> Result<Vec<RuleRow>, ApiError> {
    let p = call.params;
    let rule = match (p.str("lbruleid"), p.str("id")) {
        (Some(lb), _) => lb_rule(call, "lbruleid", lb)?,
        (None, Some(id)) => policy_rule(call, table, id)?,
        (None, None) => return Err(ApiError::param("One of lbruleid or id is required")),
    };
    check_access(call, &rule.account_id, &rule.id)?;
    Ok(vec![rule])
}

/// `listLBStickinessPolicies` (by rule or policy id).
pub(crate) fn list_stickiness(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let items = rules_for_policies(call, "lb_stickiness_policies")?
        .iter()
        .map(|rule| stickiness_json(call, rule))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::List {
        key: "stickinesspolicies",
        count: items.len(),
        items,
    })
}

fn healthcheck_json(call: &Call<'_>, rule: &RuleRow) -> Result<Value, ApiError> {
    let mut out = policy_owner(call, rule)?;
    let policies = sql::objects(
        call.tx,
        "SELECT id AS id, ping_path AS pingpath, description AS description, state AS state,
                response_time AS responsetime, interval_time AS healthcheckinterval,
                healthy_threshold AS healthcheckthresshold, unhealthy_threshold AS unhealthcheckthresshold,
                for_display AS \"fordisplay?\"
         FROM lb_healthcheck_policies WHERE lb_id = ?1 ORDER BY seq",
        &[text(&rule.id)],
    )?;
    out.insert(
        "healthcheckpolicy".into(),
        Value::Array(policies.into_iter().map(Value::Object).collect()),
    );
    Ok(Value::Object(out))
}

/// `createLBHealthCheckPolicy` (async, created in the request): one policy
/// per rule.
pub(crate) fn create_healthcheck(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let rule = lb_rule(call, "lbruleid", call.required("lbruleid")?)?;
    check_access(call, &rule.account_id, &rule.id)?;
    let p = call.params;
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM lb_healthcheck_policies WHERE lb_id = ?1",
        &rule.id,
    )? > 0
    {
        return Err(ApiError::param(format!(
            "Failed to create HealthCheck policy: Already policy attached  for the LB Rule id :{}",
            rule.id
        )));
    }
    let interval = p.i64("intervaltime")?.unwrap_or(5);
    let response = p.i64("responsetimeout")?.unwrap_or(2);
    if response >= interval {
        return Err(ApiError::param(
            "Failed to create HealthCheck policy : Interval time should be greater than response timeout",
        ));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO lb_healthcheck_policies (id, lb_id, ping_path, description, interval_time, response_time,
                                              healthy_threshold, unhealthy_threshold, state, for_display)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'Add', ?9)",
        params![
            id,
            rule.id,
            p.str("pingpath").unwrap_or("/"),
            p.str("description"),
            interval,
            response,
            p.i64("healthythreshold")?.unwrap_or(2),
            p.i64("unhealthythreshold")?.unwrap_or(10),
            p.flag("fordisplay", true)
        ],
    )?;
    event_log::created_event(
        call,
        "LB.HEALTHCHECKPOLICY.CREATE",
        "creating lb healthcheck policy",
        Subject::of("HealthCheckPolicy", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "HealthCheckPolicy",
            "lb_healthcheck_policies",
            &id,
            "Active",
            "healthcheckpolicies",
            move |call, _| healthcheck_json(call, &rule),
        )
        .with_event(
            "LB.HEALTHCHECKPOLICY.CREATE",
            "Create Load Balancer HealthCheck policy",
        ),
    ))
}

/// `deleteLBHealthCheckPolicy` (async).
pub(crate) fn delete_healthcheck(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    delete_policy(
        call,
        "lb_healthcheck_policies",
        "HealthCheckPolicy",
        "LB.HEALTHCHECKPOLICY.DELETE",
    )
}

/// `listLBHealthCheckPolicies` (by rule or policy id).
pub(crate) fn list_healthcheck(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let items = rules_for_policies(call, "lb_healthcheck_policies")?
        .iter()
        .map(|rule| healthcheck_json(call, rule))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::List {
        key: "healthcheckpolicies",
        count: items.len(),
        items,
    })
}

/// A public load balancer rule as an autoscale VM group uses it
/// (seam: `api::autoscale_target`).
#[derive(Debug, Clone)]
pub(crate) struct LbTarget {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) domain_id: String,
    pub(crate) network_id: String,
    pub(crate) network_name: String,
    pub(crate) zone_id: String,
    pub(crate) ip_id: Option<String>,
    pub(crate) ip_address: Option<String>,
    pub(crate) public_port: Option<i64>,
    pub(crate) private_port: i64,
    /// VMs were assigned to the rule by hand.
    pub(crate) has_vms: bool,
    /// The network's offering has the Lb service.
    pub(crate) supports_lb: bool,
    /// The network is a VPC tier (its router is a VPC router).
    pub(crate) in_vpc: bool,
}

/// The load balancer rule `id`, if there is one.
pub(crate) fn autoscale_target(call: &Call<'_>, id: &str) -> Result<Option<LbTarget>, ApiError> {
    let Some(rule) = rules::find(call.tx, id, LOAD_BALANCING)? else {
        return Ok(None);
    };
    let Some(network_id) = rule.network_id.clone() else {
        return Ok(None);
    };
    let Some(network) = store::find_network(call.tx, &network_id)? else {
        return Ok(None);
    };
    let private_port: i64 = call.tx.query_row(
        "SELECT private_port FROM load_balancer_rules WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let has_vms = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM lb_vm_map WHERE lb_id = ?1",
        id,
    )? > 0;
    let ip = match &rule.ip_id {
        Some(ip_id) => store::find_ip(call.tx, ip_id)?,
        None => None,
    };
    let domain_id: String = call.tx.query_row(
        "SELECT domain_id FROM firewall_rules WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(Some(LbTarget {
        id: rule.id.clone(),
        account_id: rule.account_id.clone(),
        domain_id,
        supports_lb: store::supports(call.tx, &network, "Lb")?,
        in_vpc: network.vpc_id.is_some(),
        network_id,
        network_name: network.name.clone(),
        zone_id: network.zone_id.clone(),
        ip_id: rule.ip_id.clone(),
        ip_address: ip.map(|ip| ip.address),
        public_port: rule.start_port,
        private_port,
        has_vms,
    }))
}
