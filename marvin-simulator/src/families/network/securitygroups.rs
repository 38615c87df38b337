//! Security groups: `createSecurityGroup`, `deleteSecurityGroup`,
//! `authorizeSecurityGroupIngress`/`Egress`, `revokeSecurityGroupIngress`/
//! `Egress`, `listSecurityGroups`, and each account's `default` group
//! (created on first use).

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::store;

/// The name and description of the group every account gets.
pub(crate) const DEFAULT_NAME: &str = "default";
const DEFAULT_DESCRIPTION: &str = "Default Security Group";

#[derive(Debug, Clone)]
struct Group {
    id: String,
    name: String,
    account_id: String,
    domain_id: String,
}

fn find(call: &Call<'_>, id: &str) -> Result<Option<Group>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(
            "SELECT id, name, account_id, domain_id FROM security_groups WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Group {
                id: r.get(0)?,
                name: r.get(1)?,
                account_id: r.get(2)?,
                domain_id: r.get(3)?,
            })
        })
        .optional()?)
}

/// An account's group by name, whatever its case (SecurityGroupDao
/// .isNameInUse and the name lookups compare in the server's
/// case-insensitive collation).
fn find_by_name(call: &Call<'_>, account_id: &str, name: &str) -> Result<Option<Group>, ApiError> {
    Ok(call
        .tx
        .prepare_cached("SELECT id, name, account_id, domain_id FROM security_groups WHERE account_id = ?1 AND name = ?2 COLLATE NOCASE")?
        .query_row([account_id, name], |r| {
            Ok(Group { id: r.get(0)?, name: r.get(1)?, account_id: r.get(2)?, domain_id: r.get(3)? })
        })
        .optional()?)
}

fn insert(
    call: &Call<'_>,
    owner: &store::Owner,
    name: &str,
    description: Option<&str>,
) -> Result<String, ApiError> {
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO security_groups (id, name, description, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            name,
            description,
            owner.id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    Ok(id)
}

/// The account's `default` group, created ("Default Security Group") when
/// missing.
pub(crate) fn default_group(call: &Call<'_>, account_id: &str) -> Result<String, ApiError> {
    if let Some(group) = find_by_name(call, account_id, DEFAULT_NAME)? {
        return Ok(group.id);
    }
    let owner = store::account(call.tx, account_id)?;
    let id = insert(call, &owner, DEFAULT_NAME, Some(DEFAULT_DESCRIPTION))?;
    event_log::completed(
        call,
        "SG.CREATE",
        "creating security group",
        Subject::of("SecurityGroup", &id, DEFAULT_NAME),
    )?;
    Ok(id)
}

/// Puts a VM in the groups (or the owner's default group).
pub(crate) fn assign(
    call: &Call<'_>,
    vm_id: &str,
    account_id: &str,
    group_ids: &[String],
) -> Result<(), ApiError> {
    let ids = if group_ids.is_empty() {
        vec![default_group(call, account_id)?]
    } else {
        let mut ids = Vec::new();
        for id in group_ids {
            let group =
                find(call, id)?.ok_or_else(|| ApiError::invalid_id("securitygroupids", id))?;
            if group.account_id != account_id {
                return Err(ApiError::param(format!(
                    "Security group {} is not owned by the account of the vm",
                    group.name
                )));
            }
            ids.push(group.id);
        }
        ids
    };
    for id in ids {
        call.tx.execute(
            "INSERT OR IGNORE INTO security_group_vm_map (group_id, vm_id) VALUES (?1, ?2)",
            params![id, vm_id],
        )?;
    }
    Ok(())
}

/// Takes a VM out of every group.
pub(crate) fn unassign_all(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    call.tx.execute(
        "DELETE FROM security_group_vm_map WHERE vm_id = ?1",
        [vm_id],
    )?;
    Ok(())
}

/// `createSecurityGroup` (sync).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let owner = store::owner_of(call)?;
    if find_by_name(call, &owner.id, &name)?.is_some() {
        return Err(ApiError::param(format!(
            "Unable to create security group, a group with name {name} already exists."
        )));
    }
    let id = insert(call, &owner, &name, call.params.str("description"))?;
    event_log::completed(
        call,
        "SG.CREATE",
        "creating security group",
        Subject::of("SecurityGroup", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "securitygroup",
        value: group_json(call, &id)?,
    })
}

/// The group a command names by `id`, or by name (+ account/domain).
fn named_group(call: &Call<'_>, id_param: &str, name_param: &str) -> Result<Group, ApiError> {
    let p = call.params;
    if let Some(id) = p.str(id_param) {
        return find(call, id)?.ok_or_else(|| ApiError::invalid_id(id_param, id));
    }
    let Some(name) = p.str(name_param) else {
        return Err(ApiError::param(format!(
            "Either {id_param} or {name_param} parameter is required by {} command",
            call.command.to_ascii_lowercase()
        )));
    };
    let owner = store::owner_of(call)?;
    find_by_name(call, &owner.id, name)?.ok_or_else(|| {
        ApiError::param(format!(
            "Unable to find security group by name {name} for account id={}",
            owner.seq
        ))
    })
}

/// `deleteSecurityGroup` (sync): the default group and groups in use are
/// refused.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let group = named_group(call, "id", "name")?;
    check_access(call, &group.account_id, &group.id)?;
    if group.name.eq_ignore_ascii_case(DEFAULT_NAME) {
        return Err(ApiError::param("The network group default is reserved"));
    }
    let allowing = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM security_group_rules WHERE allowed_group_id = ?1 AND group_id != ?1",
        &group.id,
    )?;
    if allowing > 0 {
        return Err(ApiError::in_use(
            "Cannot delete group when there are security rules that allow this group",
        ));
    }
    let vms = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM security_group_vm_map WHERE group_id = ?1",
        &group.id,
    )?;
    if vms > 0 {
        return Err(ApiError::in_use(
            "Cannot delete group when it's in use by virtual machines",
        ));
    }
    call.tx
        .execute("DELETE FROM security_groups WHERE id = ?1", [&group.id])?;
    store::forget_tags(call, "SecurityGroup", &group.id)?;
    event_log::completed(
        call,
        "SG.DELETE",
        "deleting security group",
        Subject::of("SecurityGroup", &group.id, &group.name),
    )?;
    Ok(Reply::Success(None))
}

/// A validated rule: protocol and ports (ICMP type/code for icmp).
struct RuleSpec {
    protocol: String,
    start: i64,
    end: i64,
}

fn rule_spec(call: &Call<'_>) -> Result<RuleSpec, ApiError> {
    let p = call.params;
    let protocol = p.str("protocol").unwrap_or("all").to_ascii_lowercase();
    let valid = matches!(protocol.as_str(), "tcp" | "udp" | "icmp" | "all")
        || protocol.parse::<u8>().is_ok_and(|n| n > 0);
    if !valid {
        return Err(ApiError::param(format!("Invalid protocol {protocol}")));
    }
    let (start, end) = (p.i64("startport")?, p.i64("endport")?);
    match protocol.as_str() {
        "icmp" => {
            let (t, c) = (p.i64("icmptype")?, p.i64("icmpcode")?);
            let (Some(t), Some(c)) = (t, c) else {
                return Err(ApiError::param(format!(
                    "Invalid ICMP type/code specified, icmpType = {}, icmpCode = {}",
                    t.map_or("null".into(), |v| v.to_string()),
                    c.map_or("null".into(), |v| v.to_string())
                )));
            };
            if t == -1 && c != -1 {
                return Err(ApiError::param("Invalid icmp code"));
            }
            if t != -1 && c == -1 {
                return Err(ApiError::param(
                    "Invalid icmp code: need non-negative icmp code ",
                ));
            }
            if !(-1..=255).contains(&t) || !(-1..=255).contains(&c) {
                return Err(ApiError::param("Invalid icmp type/code "));
            }
            Ok(RuleSpec {
                protocol,
                start: t,
                end: c,
            })
        }
        "all" => {
            if start.is_some() || end.is_some() {
                return Err(ApiError::param(
                    "Cannot specify startPort or endPort without specifying protocol",
                ));
            }
            Ok(RuleSpec {
                protocol,
                start: 0,
                end: 0,
            })
        }
        _ => {
            let (Some(s), Some(mut e)) = (start, end) else {
                return Err(ApiError::param(format!(
                    "Invalid port range specified, startPort = {}, endPort = {}",
                    start.map_or("null".into(), |v| v.to_string()),
                    end.map_or("null".into(), |v| v.to_string())
                )));
            };
            if s == 0 && e == 0 {
                e = 65535;
            }
            if s > e {
                return Err(ApiError::param(format!("Invalid port range {s}:{e}")));
            }
            if s > 65535 || e > 65535 || s < -1 || e < -1 {
                return Err(ApiError::param(format!("Invalid port numbers {s}:{e}")));
            }
            if s < 0 || e < 0 {
                return Err(ApiError::param(format!("Invalid port range {s}:{e}")));
            }
            Ok(RuleSpec {
                protocol,
                start: s,
                end: e,
            })
        }
    }
}

fn authorize(
    call: &mut Call<'_>,
    rule_type: &'static str,
    event: &'static str,
) -> Result<Reply, ApiError> {
    let group = named_group(call, "securitygroupid", "securitygroupname")?;
    let id = group.id.clone();
    let description = format!(
        "Authorizing {rule_type} rule for security group id={}",
        group.id
    );
    Ok(Reply::Job(
        Job::on(
            "SecurityGroup",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let group = find(call, &id)?.ok_or_else(|| ApiError::param(format!("Unable to find security group by id {id}")))?;
                let p = call.params;
                let cidrs = p.list("cidrlist");
                let user_groups = p.map("usersecuritygrouplist");
                if cidrs.is_empty() && user_groups.is_empty() {
                    return Err(ApiError::param("At least one cidr or at least one security group needs to be specified"));
                }
                check_access(call, &group.account_id, &group.id)?;
                for cidr in &cidrs {
                    store::check_cidrs(std::slice::from_ref(cidr))?;
                }
                let spec = rule_spec(call)?;
                let mut allowed = Vec::new();
                for entry in &user_groups {
                    let (Some(name), Some(account_name)) = (entry.get("group"), entry.get("account")) else {
                        return Err(ApiError::param(
                            "Invalid user group specified, fields 'group' and 'account' cannot be null, please specify groups in the form:  userGroupList[0].group=XXX&userGroupList[0].account=YYY",
                        ));
                    };
                    let account: Option<String> = call
                        .tx
                        .query_row(
                            "SELECT id FROM identity_accounts WHERE name = ?1 AND domain_id = ?2 AND state != 'removed'",
                            [account_name, &group.domain_id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let account = account.ok_or_else(|| {
                        ApiError::param(format!(
                            "Nonexistent account: {account_name} when trying to authorize security group rule  for {}:{}:{}:{}",
                            group.id, spec.protocol, spec.start, spec.end
                        ))
                    })?;
                    let target = find_by_name(call, &account, name)?.ok_or_else(|| {
                        ApiError::param(format!(
                            "Nonexistent group {name} for account {}/{} is given, unable to authorize security group rule.",
                            account_name,
                            group.domain_id
                        ))
                    })?;
                    allowed.push(target.id);
                }
                let exists = |call: &Call<'_>, column: &str, value: &str| -> Result<bool, ApiError> {
                    Ok(call
                        .tx
                        .query_row(
                            &format!(
                                "SELECT 1 FROM security_group_rules WHERE group_id = ?1 AND rule_type = ?2 AND protocol = ?3
                                 AND start_port = ?4 AND end_port = ?5 AND {column} = ?6"
                            ),
                            params![group.id, rule_type, spec.protocol, spec.start, spec.end, value],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some())
                };
                // Duplicates are skipped; the answer lists only the rules
                // this call added, as SecurityGroupManagerImpl returns them.
                let mut added = Vec::new();
                for target in &allowed {
                    if !exists(call, "allowed_group_id", target)? {
                        let rule = ids::new_id();
                        call.tx.execute(
                            "INSERT INTO security_group_rules (id, group_id, rule_type, protocol, start_port, end_port,
                                                               allowed_group_id)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            params![rule, group.id, rule_type, spec.protocol, spec.start, spec.end, target],
                        )?;
                        added.push(rule);
                    }
                }
                for cidr in &cidrs {
                    if !exists(call, "cidr", cidr)? {
                        let rule = ids::new_id();
                        call.tx.execute(
                            "INSERT INTO security_group_rules (id, group_id, rule_type, protocol, start_port, end_port, cidr)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            params![rule, group.id, rule_type, spec.protocol, spec.start, spec.end, cidr],
                        )?;
                        added.push(rule);
                    }
                }
                if added.is_empty() {
                    return Err(ApiError::internal(format!(
                        "Failed to authorize security group {rule_type} rule(s)"
                    )));
                }
                Ok(Reply::Object { key: "securitygroup", value: added_rules_json(call, &group.id, rule_type, &added)? })
            }),
        )
        .with_event(event, description),
    ))
}

/// `authorizeSecurityGroupIngress` (async): answers the group with the
/// rules it added.
pub(crate) fn authorize_ingress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    authorize(call, "ingress", "SG.AUTH.INGRESS")
}

/// `authorizeSecurityGroupEgress` (async): answers the group with the
/// rules it added.
pub(crate) fn authorize_egress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    authorize(call, "egress", "SG.AUTH.EGRESS")
}

fn revoke(
    call: &mut Call<'_>,
    rule_type: &'static str,
    event: &'static str,
) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let row: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT group_id, rule_type FROM security_group_rules WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((group_id, _)) = row else {
        return Err(ApiError::invalid_id("id", &id));
    };
    let group = find(call, &group_id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    let description = format!(
        "Revoking {rule_type} rule id={id} from security group id={}",
        group.id
    );
    Ok(Reply::Job(
        Job::on(
            "SecurityGroup",
            group.id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let row: Option<String> = call
                    .tx
                    .query_row(
                        "SELECT rule_type FROM security_group_rules WHERE id = ?1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(kind) = row else {
                    return Err(ApiError::param(format!(
                        "Unable to find security rule with id {id}"
                    )));
                };
                if kind != rule_type {
                    return Err(ApiError::param(format!(
                        "Mismatch in rule type for security rule with id {id}"
                    )));
                }
                check_access(call, &group.account_id, &group.id)?;
                call.tx
                    .execute("DELETE FROM security_group_rules WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(event, description),
    ))
}

/// `revokeSecurityGroupIngress` (async).
pub(crate) fn revoke_ingress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    revoke(call, "ingress", "SG.REVOKE.INGRESS")
}

/// `revokeSecurityGroupEgress` (async).
pub(crate) fn revoke_egress(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    revoke(call, "egress", "SG.REVOKE.EGRESS")
}

/// The columns of a group's response, for [`GROUP_JOINS`].
const GROUP_COLUMNS: &str = "g.id AS id, g.name AS name, g.description AS description, a.name AS account, \
     d.id AS domainid, d.name AS domain";

/// The joins behind [`GROUP_COLUMNS`] (`g` is the group).
const GROUP_JOINS: &str =
    "JOIN identity_accounts a ON a.id = g.account_id JOIN identity_domains d ON d.id = g.domain_id";

fn group_query() -> Query {
    Query::new(format!(
        "SELECT {GROUP_COLUMNS} FROM security_groups g {GROUP_JOINS}"
    ))
}

fn rules_of(call: &Call<'_>, group_id: &str, rule_type: &str) -> Result<Vec<Value>, ApiError> {
    rules_where(call, group_id, rule_type, None)
}

/// A group's rules of one type, all of them or only those named in `only`.
fn rules_where(
    call: &Call<'_>,
    group_id: &str,
    rule_type: &str,
    only: Option<&[String]>,
) -> Result<Vec<Value>, ApiError> {
    let mut args = vec![text(group_id), text(rule_type)];
    let filter = match only {
        Some(ids) => {
            let (list, more) = sql::id_list(ids);
            args.extend(more);
            format!(" AND r.id IN ({list})")
        }
        None => String::new(),
    };
    let rows = sql::objects(
        call.tx,
        &format!(
            "SELECT r.id AS ruleid, r.protocol AS protocol, r.start_port AS start_port, r.end_port AS end_port,
                    r.cidr AS cidr, ag.name AS securitygroupname, aa.name AS account
             FROM security_group_rules r LEFT JOIN security_groups ag ON ag.id = r.allowed_group_id
             LEFT JOIN identity_accounts aa ON aa.id = ag.account_id
             WHERE r.group_id = ? AND r.rule_type = ?{filter} ORDER BY r.seq"
        ),
        &args,
    )?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let start = row.remove("start_port");
            let end = row.remove("end_port");
            if row.get("protocol").and_then(Value::as_str) == Some("icmp") {
                row.insert("icmptype".into(), start.unwrap_or(Value::Null));
                row.insert("icmpcode".into(), end.unwrap_or(Value::Null));
            } else {
                row.insert("startport".into(), start.unwrap_or(Value::Null));
                row.insert("endport".into(), end.unwrap_or(Value::Null));
            }
            row.insert("tags".into(), store::no_tags());
            Value::Object(row)
        })
        .collect())
}

fn finish_group(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    row.insert(
        "ingressrule".into(),
        Value::Array(rules_of(call, &id, "ingress")?),
    );
    row.insert(
        "egressrule".into(),
        Value::Array(rules_of(call, &id, "egress")?),
    );
    store::attach_tags(call, "SecurityGroup", &mut row)?;
    let vms: Vec<String> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT vm_id FROM security_group_vm_map WHERE group_id = ?1 ORDER BY vm_id",
        )?;
        let rows = stmt.query_map([&id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    row.insert("virtualmachinecount".into(), json!(vms.len()));
    row.insert("virtualmachineids".into(), json!(vms));
    Ok(Value::Object(row))
}

/// The answer of an authorize call: the group's own fields and owner and
/// only the rules just added, as ApiResponseHelper's
/// createSecurityGroupResponseFromSecurityGroupRule builds it (no VM count).
fn added_rules_json(
    call: &Call<'_>,
    id: &str,
    rule_type: &str,
    added: &[String],
) -> Result<Value, ApiError> {
    let mut row = group_query().one(call.tx, "g.id", id)?;
    let rules = Value::Array(rules_where(call, id, rule_type, Some(added))?);
    let (mine, other) = if rule_type == "ingress" {
        ("ingressrule", "egressrule")
    } else {
        ("egressrule", "ingressrule")
    };
    row.insert(mine.into(), rules);
    row.insert(other.into(), Value::Array(Vec::new()));
    Ok(Value::Object(row))
}

fn group_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = group_query().one(call.tx, "g.id", id)?;
    finish_group(call, row)
}

/// The `securitygroup` arrays of some VMs (each by group), by VM id; VMs
/// without groups are left out. A group shared by several VMs is rendered
/// once.
pub(crate) fn groups_of_vms(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if vm_ids.is_empty() {
        return Ok(out);
    }
    let (list, args) = sql::id_list(vm_ids);
    let rows = sql::objects(
        call.tx,
        &format!(
            "SELECT m.vm_id AS vmid, {GROUP_COLUMNS}
             FROM security_group_vm_map m JOIN security_groups g ON g.id = m.group_id {GROUP_JOINS}
             WHERE m.vm_id IN ({list}) ORDER BY g.seq, m.vm_id"
        ),
        &args,
    )?;
    let mut rendered: HashMap<String, Value> = HashMap::new();
    for mut row in rows {
        let vm = row
            .remove("vmid")
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let id = sql::id_of(&row);
        let group = match rendered.get(&id) {
            Some(group) => group.clone(),
            None => {
                let group = finish_group(call, row)?;
                rendered.insert(id, group.clone());
                group
            }
        };
        out.entry(vm).or_default().push(group);
    }
    Ok(out)
}

/// `listSecurityGroups`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = group_query();
    if let Some(vm_id) = p.str("virtualmachineid") {
        let vm = store::find_vm(call.tx, vm_id)?.ok_or_else(|| {
            ApiError::param(format!("Unable to list network groups for virtual machine instance {vm_id}; instance not found."))
        })?;
        check_access(call, &vm.account_id, &vm.id)?;
        query.and(
            "g.id IN (SELECT group_id FROM security_group_vm_map WHERE vm_id = ?)",
            [text(vm_id)],
        );
    } else {
        query.scope(&ListScope::of(call)?, "g.account_id");
    }
    query.eq("g.id", p.str("id"));
    query.eq("g.name", p.str("securitygroupname"));
    store::tag_filter(call, &mut query, "SecurityGroup", "g.id");
    query.keyword(&["g.name", "g.description"], p.str("keyword"));
    query.order("g.seq");
    query.list(call, "securitygroup", finish_group)
}
