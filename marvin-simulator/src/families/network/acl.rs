//! Network ACLs of VPC tiers: lists (`createNetworkACLList`,
//! `deleteNetworkACLList`, `listNetworkACLLists`, `replaceNetworkACLList`)
//! and their numbered items (`createNetworkACL`, `updateNetworkACLItem`,
//! `deleteNetworkACL`, `listNetworkACLs`). The two global lists
//! `default_allow` and `default_deny` cannot be changed.

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Seed, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::store;
use super::vpc;

/// The default list that denies everything.
pub(crate) const DEFAULT_DENY: &str = "default_deny";
/// The default list that allows everything.
pub(crate) const DEFAULT_ALLOW: &str = "default_allow";

/// Seeds the two default lists with their two items each.
pub(crate) fn seed(seed: &Seed<'_>) -> Result<(), ApiError> {
    let now = crate::kernel::time::format(seed.now);
    for (name, description, action) in [
        (DEFAULT_DENY, "Default Network ACL Deny All", "Deny"),
        (DEFAULT_ALLOW, "Default Network ACL Allow All", "Allow"),
    ] {
        let id = ids::new_id();
        seed.tx.execute(
            "INSERT INTO network_acl_lists (id, name, description, created) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, description, now],
        )?;
        for (number, traffic) in [(1, "Ingress"), (2, "Egress")] {
            seed.tx.execute(
                "INSERT INTO network_acl_items (id, acl_id, number, protocol, cidrs, action, traffic_type, created)
                 VALUES (?1, ?2, ?3, 'all', '0.0.0.0/0', ?4, ?5, ?6)",
                params![ids::new_id(), id, number, action, traffic, now],
            )?;
        }
    }
    Ok(())
}

/// An ACL list as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct AclList {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) account_id: Option<String>,
}

/// An ACL list by id.
pub(crate) fn find_list(tx: &Transaction<'_>, id: &str) -> Result<Option<AclList>, ApiError> {
    Ok(tx
        .prepare_cached("SELECT id, name, vpc_id, account_id FROM network_acl_lists WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(AclList {
                id: r.get(0)?,
                name: r.get(1)?,
                vpc_id: r.get(2)?,
                account_id: r.get(3)?,
            })
        })
        .optional()?)
}

/// The id of a default list.
pub(crate) fn default_list(tx: &Transaction<'_>, name: &str) -> Result<String, ApiError> {
    tx.query_row(
        "SELECT id FROM network_acl_lists WHERE name = ?1 AND vpc_id IS NULL",
        [name],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| ApiError::internal(format!("the {name} network ACL is missing")))
}

fn list_param(call: &Call<'_>, param: &str, id: &str) -> Result<AclList, ApiError> {
    find_list(call.tx, id)?.ok_or_else(|| ApiError::invalid_id(param, id))
}

fn check_list_access(call: &Call<'_>, list: &AclList) -> Result<(), ApiError> {
    match &list.account_id {
        Some(owner) => check_access(call, owner, &list.id),
        None => Ok(()),
    }
}

/// `createNetworkACLList` (async, created in the request).
pub(crate) fn create_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let owner_vpc = vpc::vpc(call.tx, "vpcid", call.required("vpcid")?)?;
    check_access(call, &owner_vpc.account_id, &owner_vpc.id)?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO network_acl_lists (id, name, description, vpc_id, account_id, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            name,
            call.params.str("description"),
            owner_vpc.id,
            owner_vpc.account_id,
            call.params.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "NETWORK.ACL.CREATE",
        "creating network acl list",
        Subject::of("NetworkAcl", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::object_job("NetworkAcl", &id, "networkacllist", list_json).with_event(
            "NETWORK.ACL.CREATE",
            format!("Creating Network ACL with ID: {id}"),
        ),
    ))
}

/// `deleteNetworkACLList` (async): not a default list, not in use.
pub(crate) fn delete_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let list = list_param(call, "id", call.required("id")?)?;
    check_list_access(call, &list)?;
    let id = list.id.clone();
    Ok(Reply::Job(
        Job::on(
            "NetworkAcl",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let list = list_param(call, "id", &id)?;
                if list.vpc_id.is_none() {
                    return Err(ApiError::param("Default Network ACL cannot be removed"));
                }
                let tiers = sql::count(call.tx, "SELECT COUNT(*) FROM networks WHERE acl_id = ?1", &id)?;
                if tiers > 0 {
                    return Err(ApiError::internal(format!(
                        "ACL is still associated with {tiers} tier(s). Cannot delete network ACL: {id}"
                    )));
                }
                let gateways = sql::count(call.tx, "SELECT COUNT(*) FROM private_gateways WHERE acl_id = ?1", &id)?;
                if gateways > 0 {
                    return Err(ApiError::internal(format!(
                        "ACL is still associated with {gateways} private gateway(s). Cannot delete network ACL: {id}"
                    )));
                }
                call.tx.execute("DELETE FROM network_acl_lists WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("NETWORK.ACL.DELETE", format!("Deleting Network ACL id={}", list.id)),
    ))
}

fn list_query() -> Query {
    Query::new(
        "SELECT l.id AS id, l.name AS name, l.description AS description, l.vpc_id AS vpcid, v.name AS vpcname,
                l.for_display AS \"fordisplay?\"
         FROM network_acl_lists l LEFT JOIN vpcs v ON v.id = l.vpc_id",
    )
}

fn list_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(Value::Object(list_query().one(call.tx, "l.id", id)?))
}

/// Lists of VPCs the caller may see, plus the two defaults.
fn visible_lists(call: &Call<'_>, query: &mut Query, column: &str) -> Result<(), ApiError> {
    let (condition, arg) = ListScope::of(call)?.condition(column);
    query.and(
        &format!("{column} IS NULL OR ({condition})"),
        arg.map(SqlValue::Text),
    );
    Ok(())
}

/// `listNetworkACLLists` (the defaults included).
pub(crate) fn list_lists(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = list_query();
    visible_lists(call, &mut query, "l.account_id")?;
    query.eq("l.id", p.str("id"));
    query.eq("l.name", p.str("name"));
    query.flag("l.for_display", p.bool("fordisplay"));
    if let Some(vpc_id) = p.str("vpcid") {
        query.and("l.vpc_id = ? OR l.vpc_id IS NULL", [text(vpc_id)]);
    }
    if let Some(network_id) = p.str("networkid") {
        query.and(
            "l.id = (SELECT acl_id FROM networks WHERE id = ?)",
            [text(network_id)],
        );
    }
    query.keyword(&["l.name", "l.description"], p.str("keyword"));
    query.order("l.seq");
    query.list(call, "networkacllist", |_, row| Ok(Value::Object(row)))
}

/// `replaceNetworkACLList` (async): a tier (or private gateway) uses
/// another list of its VPC or a default one.
pub(crate) fn replace(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let list = list_param(call, "aclid", call.required("aclid")?)?;
    check_list_access(call, &list)?;
    let (target, vpc_id, table, what) = match (p.str("networkid"), p.str("gatewayid")) {
        (Some(n), None) => {
            let network = store::network(call.tx, "networkid", n)?;
            super::networks::check_network_access(call, &network)?;
            let vpc_id = network.vpc_id.clone().ok_or_else(|| {
                ApiError::param(format!("Network is not part of a VPC: {}", network.id))
            })?;
            (network.id, vpc_id, "networks", "Network")
        }
        (None, Some(g)) => {
            let (gid, vpc_id, account): (String, String, String) = call
                .tx
                .query_row(
                    "SELECT id, vpc_id, account_id FROM private_gateways WHERE id = ?1",
                    [g],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| ApiError::invalid_id("gatewayid", g))?;
            check_access(call, &account, &gid)?;
            (gid, vpc_id, "private_gateways", "PrivateGateway")
        }
        _ => {
            return Err(ApiError::param(
                "Network ID and private gateway can't be passed at the same time",
            ));
        }
    };
    if list.vpc_id.as_ref().is_some_and(|v| *v != vpc_id) {
        return Err(ApiError::param(format!(
            "Network ACL: {} do not belong to the VPC: {vpc_id}",
            list.id
        )));
    }
    let acl_id = list.id.clone();
    Ok(Reply::Job(
        Job::on(
            what,
            target.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    &format!("UPDATE {table} SET acl_id = ?2 WHERE id = ?1"),
                    params![target, acl_id],
                )?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "NETWORK.ACL.REPLACE",
            format!("Associating Network ACL id={} with {what}", list.id),
        ),
    ))
}

/// The fields of an ACL item, validated.
struct ItemSpec {
    protocol: String,
    start: Option<i64>,
    end: Option<i64>,
    icmp_type: Option<i64>,
    icmp_code: Option<i64>,
    cidrs: Vec<String>,
    action: String,
    traffic: String,
}

fn item_spec(call: &Call<'_>, current: Option<&Object>) -> Result<ItemSpec, ApiError> {
    let p = call.params;
    let old = |k: &str| current.and_then(|c| c.get(k)).cloned();
    let old_str = |k: &str| old(k).and_then(|v| v.as_str().map(String::from));
    let old_int = |k: &str| {
        old(k).and_then(|v| {
            v.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| v.as_i64())
        })
    };
    let protocol = p
        .str("protocol")
        .map(str::to_ascii_lowercase)
        .or_else(|| old_str("protocol"))
        .ok_or_else(|| ApiError::missing(call.command, "protocol"))?;
    let numeric = protocol.parse::<i64>().ok();
    if !matches!(protocol.as_str(), "tcp" | "udp" | "icmp" | "all")
        && !numeric.is_some_and(|n| (0..=255).contains(&n))
    {
        return Err(ApiError::param(format!("Invalid protocol {protocol}")));
    }
    let explicit_ports = p.str("startport").is_some() || p.str("endport").is_some();
    let start = store::port(call, "startport", "Start port")?.or_else(|| {
        if explicit_ports {
            None
        } else {
            old_int("startport")
        }
    });
    let end = store::port(call, "endport", "End port")?.or(start);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(ApiError::param("Start port can't be bigger than end port"));
        }
    }
    if (protocol == "icmp" || protocol == "all")
        && (start.is_some() || end.is_some())
        && explicit_ports
    {
        return Err(ApiError::param(format!(
            "Can't specify start/end port when protocol is {}",
            protocol.to_ascii_uppercase()
        )));
    }
    let (start, end) = if protocol == "icmp" || protocol == "all" {
        (None, None)
    } else {
        (start, end)
    };
    let (icmp_type, icmp_code) = (p.i64("icmptype")?, p.i64("icmpcode")?);
    if protocol != "icmp" && (icmp_type.is_some() || icmp_code.is_some()) {
        return Err(ApiError::param(
            "Can specify icmpCode and icmpType for ICMP protocol only",
        ));
    }
    let (icmp_type, icmp_code) = if protocol == "icmp" {
        (
            Some(icmp_type.or_else(|| old_int("icmptype")).unwrap_or(-1)),
            Some(icmp_code.or_else(|| old_int("icmpcode")).unwrap_or(-1)),
        )
    } else {
        (None, None)
    };
    let mut cidrs = p.list("cidrlist");
    if cidrs.is_empty() {
        cidrs = old_str("cidrlist").map_or_else(
            || vec!["0.0.0.0/0".into()],
            |c| c.split(',').map(String::from).collect(),
        );
    }
    store::check_cidrs(&cidrs)?;
    let action = match p.str("action").map(str::to_ascii_lowercase).as_deref() {
        None => old_str("action").unwrap_or_else(|| "Allow".into()),
        Some("allow") => "Allow".into(),
        Some("deny") => "Deny".into(),
        Some(_) => {
            return Err(ApiError::param(
                "Invalid action. Allowed actions are Allow and Deny",
            ));
        }
    };
    let traffic = match p.str("traffictype").map(str::to_ascii_lowercase).as_deref() {
        None => old_str("traffictype").unwrap_or_else(|| "Ingress".into()),
        Some("ingress") => "Ingress".into(),
        Some("egress") => "Egress".into(),
        Some(other) => return Err(ApiError::param(format!("Invalid traffic type {other}"))),
    };
    Ok(ItemSpec {
        protocol,
        start,
        end,
        icmp_type,
        icmp_code,
        cidrs,
        action,
        traffic,
    })
}

fn modifiable(list: &AclList) -> Result<(), ApiError> {
    if list.vpc_id.is_none() {
        return Err(ApiError::param("Default ACL cannot be modified"));
    }
    Ok(())
}

/// The list made for a VPC tier that has none when an item is added to
/// it by `networkid`, named and described as
/// NetworkACLServiceImpl.createAclListForNetworkAndReturnAclListId names
/// it, and put on the tier.
fn tier_list(call: &Call<'_>, network_id: &str) -> Result<String, ApiError> {
    let (network_name, vpc_id): (String, Option<String>) = call.tx.query_row(
        "SELECT name, vpc_id FROM networks WHERE id = ?1",
        [network_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let vpc_id = vpc_id
        .ok_or_else(|| ApiError::param(format!("Network: {network_id} does not belong to VPC")))?;
    let owner_vpc = vpc::vpc(call.tx, "vpcid", &vpc_id)?;
    check_access(call, &owner_vpc.account_id, &owner_vpc.id)?;
    let name = format!(
        "VPC_{}_Tier_{network_name}_ACL_{network_id}",
        owner_vpc.name
    );
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO network_acl_lists (id, name, description, vpc_id, account_id, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
        params![
            id,
            name,
            format!("ACL for {name}"),
            owner_vpc.id,
            owner_vpc.account_id,
            call.timestamp()
        ],
    )?;
    call.tx.execute(
        "UPDATE networks SET acl_id = ?2 WHERE id = ?1",
        params![network_id, id],
    )?;
    Ok(id)
}

/// `createNetworkACL` (async, created in the request): an item of a list
/// (given, or the list of the given tier, made when it has none).
pub(crate) fn create_item(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let list = match (p.str("aclid"), p.str("networkid")) {
        (Some(id), _) => list_param(call, "aclid", id)?,
        (None, Some(n)) => {
            let network = store::network(call.tx, "networkid", n)?;
            let acl = call.tx.query_row(
                "SELECT acl_id FROM networks WHERE id = ?1",
                [&network.id],
                |r| r.get::<_, Option<String>>(0),
            )?;
            let acl = match acl {
                Some(acl) => acl,
                None => tier_list(call, &network.id)?,
            };
            list_param(call, "aclid", &acl)?
        }
        (None, None) => return Err(ApiError::param("ACL id or network id has to be specified")),
    };
    check_list_access(call, &list)?;
    modifiable(&list)?;
    let spec = item_spec(call, None)?;
    let number = match p.i64("number")? {
        Some(n) => {
            if sql::count(
                call.tx,
                &format!(
                    "SELECT COUNT(*) FROM network_acl_items WHERE acl_id = ?1 AND number = {n}"
                ),
                &list.id,
            )? > 0
            {
                return Err(ApiError::param(format!(
                    "ACL item with number {n} already exists in ACL: {}",
                    list.id
                )));
            }
            n
        }
        None => call.tx.query_row(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM network_acl_items WHERE acl_id = ?1",
            [&list.id],
            |r| r.get(0),
        )?,
    };
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO network_acl_items (id, acl_id, number, protocol, start_port, end_port, icmp_type, icmp_code, cidrs,
                                        action, traffic_type, reason, state, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'Add', ?13, ?14)",
        params![
            id,
            list.id,
            number,
            spec.protocol,
            spec.start,
            spec.end,
            spec.icmp_type,
            spec.icmp_code,
            spec.cidrs.join(","),
            spec.action,
            spec.traffic,
            p.str("reason"),
            p.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "NETWORK.ACL.ITEM.CREATE",
        "creating network acl item",
        Subject::of("NetworkAclItem", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "NetworkAclItem",
            "network_acl_items",
            &id,
            "Active",
            "networkacl",
            item_json,
        )
        .with_event("NETWORK.ACL.ITEM.CREATE", "Creating Network ACL Item"),
    ))
}

fn item(call: &Call<'_>, id: &str) -> Result<(Object, AclList), ApiError> {
    let row = item_query().one(call.tx, "i.id", id)?;
    let acl = row
        .get("aclid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let list = list_param(call, "aclid", &acl)?;
    Ok((row, list))
}

/// `updateNetworkACLItem` (async).
pub(crate) fn update_item(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let (row, list) = item(call, call.required("id")?)?;
    check_list_access(call, &list)?;
    modifiable(&list)?;
    let spec = item_spec(call, Some(&row))?;
    let id = sql::id_of(&row);
    if let Some(n) = call.params.i64("number")? {
        let taken = call
            .tx
            .query_row(
                "SELECT 1 FROM network_acl_items WHERE acl_id = ?1 AND number = ?2 AND id != ?3",
                params![list.id, n, id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(ApiError::param(format!(
                "ACL item with number {n} already exists in ACL: {}",
                list.id
            )));
        }
    }
    let number = call.params.i64("number")?;
    let reason = call.params.str("reason").map(String::from);
    let display = call.params.bool("fordisplay");
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "NetworkAclItem",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "UPDATE network_acl_items SET protocol = ?2, start_port = ?3, end_port = ?4, icmp_type = ?5,
                            icmp_code = ?6, cidrs = ?7, action = ?8, traffic_type = ?9, number = COALESCE(?10, number),
                            reason = COALESCE(?11, reason), for_display = COALESCE(?12, for_display), state = 'Active'
                     WHERE id = ?1",
                    params![
                        job_id,
                        spec.protocol,
                        spec.start,
                        spec.end,
                        spec.icmp_type,
                        spec.icmp_code,
                        spec.cidrs.join(","),
                        spec.action,
                        spec.traffic,
                        number,
                        reason,
                        display
                    ],
                )?;
                Ok(Reply::Object { key: "networkacl", value: item_json(call, &job_id)? })
            }),
        )
        .with_event("NETWORK.ACL.ITEM.UPDATE", format!("Updating network ACL item id={id}")),
    ))
}

/// `deleteNetworkACL` (async).
pub(crate) fn delete_item(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let (row, list) = item(call, call.required("id")?)?;
    check_list_access(call, &list)?;
    modifiable(&list)?;
    let id = sql::id_of(&row);
    call.tx.execute(
        "UPDATE network_acl_items SET state = 'Revoke' WHERE id = ?1",
        [&id],
    )?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "NetworkAclItem",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx
                    .execute("DELETE FROM network_acl_items WHERE id = ?1", [&job_id])?;
                store::forget_tags(call, "NetworkACL", &job_id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "NETWORK.ACL.ITEM.DELETE",
            format!("Deleting Network ACL id={id}"),
        ),
    ))
}

fn item_query() -> Query {
    Query::new(
        "SELECT i.id AS id, i.protocol AS protocol, CAST(i.start_port AS TEXT) AS startport,
                CAST(i.end_port AS TEXT) AS endport, i.traffic_type AS traffictype,
                CASE i.state WHEN 'Revoke' THEN 'Deleting' ELSE i.state END AS state, i.cidrs AS cidrlist,
                i.icmp_type AS icmptype, i.icmp_code AS icmpcode, i.acl_id AS aclid, l.name AS aclname,
                i.number AS number, i.action AS action, i.for_display AS \"fordisplay?\", i.reason AS reason
         FROM network_acl_items i JOIN network_acl_lists l ON l.id = i.acl_id",
    )
}

fn finish_item(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    store::attach_tags(call, "NetworkACL", &mut row)?;
    Ok(Value::Object(row))
}

fn item_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_item(call, item_query().one(call.tx, "i.id", id)?)
}

/// `listNetworkACLs`.
pub(crate) fn list_items(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = item_query();
    visible_lists(call, &mut query, "l.account_id")?;
    query.eq("i.id", p.str("id"));
    query.eq("i.acl_id", p.str("aclid"));
    query.eq_nocase("i.traffic_type", p.str("traffictype"));
    query.eq_nocase("i.action", p.str("action"));
    query.eq_nocase("i.protocol", p.str("protocol"));
    query.flag("i.for_display", p.bool("fordisplay"));
    if let Some(network_id) = p.str("networkid") {
        query.and(
            "i.acl_id = (SELECT acl_id FROM networks WHERE id = ?)",
            [text(network_id)],
        );
    }
    store::tag_filter(call, &mut query, "NetworkACL", "i.id");
    query.keyword(&["i.protocol", "i.cidrs", "i.reason"], p.str("keyword"));
    query.order("i.acl_id, i.number");
    query.list(call, "networkacl", finish_item)
}
