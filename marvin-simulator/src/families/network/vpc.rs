//! VPCs: `createVPC`, `updateVPC`, `restartVPC`, `deleteVPC`, `listVPCs`,
//! and the rules of their tiers (networks with a `vpc_id`): inside the VPC
//! CIDR, no overlap with another tier, an ACL of the VPC or a default one.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use crate::families::datacenter::api as dc;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query, text};

use super::acl;
use super::ips::{self, Target};
use super::store::{self, Cidr, Owner};
use super::{networks, routers};

/// A VPC as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct VpcRow {
    pub(crate) id: String,
    pub(crate) seq: i64,
    pub(crate) name: String,
    pub(crate) zone_id: String,
    pub(crate) cidr: String,
    pub(crate) account_id: String,
    pub(crate) domain_id: String,
    pub(crate) network_domain: Option<String>,
}

impl VpcRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            seq: r.get(1)?,
            name: r.get(2)?,
            zone_id: r.get(3)?,
            cidr: r.get(4)?,
            account_id: r.get(5)?,
            domain_id: r.get(6)?,
            network_domain: r.get(7)?,
        })
    }

    /// CloudStack's `VpcVO.toString()`: `[VPC [<id>-<name>]`.
    pub(crate) fn display(&self) -> String {
        format!("[VPC [{}-{}]", self.seq, self.name)
    }
}

/// A VPC named by a parameter, or 431.
pub(crate) fn vpc(tx: &Transaction<'_>, param: &str, id: &str) -> Result<VpcRow, ApiError> {
    tx.prepare_cached(
        "SELECT id, seq, name, zone_id, cidr, account_id, domain_id, network_domain FROM vpcs WHERE id = ?1",
    )?
    .query_row([id], VpcRow::from_row)
    .optional()?
    .ok_or_else(|| ApiError::invalid_id(param, id))
}

/// Whether a CIDR is private (RFC 1918), as VPC CIDRs must be.
fn is_private(cidr: Cidr) -> bool {
    [("10.0.0.0", 8), ("172.16.0.0", 12), ("192.168.0.0", 16)]
        .into_iter()
        .any(|(net, prefix)| {
            Cidr {
                net: ip::parse(net).unwrap_or(0),
                prefix,
            }
            .contains(cidr)
        })
}

/// The checks of a new tier: the VPC's tier count, its CIDR inside the
/// VPC's and clear of the other tiers.
pub(crate) fn check_tier(
    call: &Call<'_>,
    vpc: &VpcRow,
    cidr: Cidr,
    _owner: &Owner,
) -> Result<(), ApiError> {
    let max = crate::families::identity::api::setting_number(call.tx, "vpc.max.networks", &[], 3)?;
    let tiers = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM networks WHERE vpc_id = ?1",
        &vpc.id,
    )?;
    if tiers >= max {
        return Err(ApiError::internal(format!(
            "Number of networks per VPC can't extend {max}; increase it using global config vpc.max.networks"
        )));
    }
    let vpc_cidr =
        Cidr::parse(&vpc.cidr).ok_or_else(|| ApiError::internal("VPC CIDR is invalid"))?;
    if !vpc_cidr.contains(cidr) {
        return Err(ApiError::param(format!(
            "Network cidr {cidr} is not within vpc {} cidr",
            vpc.display()
        )));
    }
    for tier in store::networks_where(call.tx, "vpc_id = ?1", &vpc.id)? {
        let Some(other) = tier.cidr.as_deref().and_then(Cidr::parse) else {
            continue;
        };
        if other.contains(cidr) || cidr.contains(other) {
            return Err(ApiError::param(format!(
                "Network cidr {cidr} crosses other network cidr {} belonging to the same vpc {}",
                tier.display(call.tx)?,
                vpc.display()
            )));
        }
    }
    Ok(())
}

/// The ACL given for a new tier or private gateway: one of this VPC's
/// lists or a default list; `None` when none was given.
pub(crate) fn tier_acl(
    call: &Call<'_>,
    vpc: &VpcRow,
    acl_id: Option<&str>,
) -> Result<Option<String>, ApiError> {
    // A tier made without `aclid` has no ACL at all (NetworkServiceImpl
    // passes the null on to VpcManagerImpl.createVpcGuestNetwork), so its
    // answer has no aclid/aclname (ApiResponseHelper.createNetworkResponse).
    match acl_id {
        None => Ok(None),
        Some(id) => {
            let list = acl::find_list(call.tx, id)?
                .ok_or_else(|| ApiError::param("Unable to find specified NetworkACL"))?;
            match &list.vpc_id {
                Some(v) if *v != vpc.id => Err(ApiError::param(format!(
                    "ACL [{}] does not belong to the VPC [{}].",
                    list.name, vpc.seq
                ))),
                _ => Ok(Some(list.id)),
            }
        }
    }
}

/// Brings a VPC up: its source NAT IP and its router (idempotent).
pub(crate) fn start(call: &Call<'_>, vpc: &VpcRow) -> Result<(), ApiError> {
    let source_nat: Option<String> = call
        .tx
        .query_row(
            "SELECT p.id FROM public_ips p JOIN ip_details x ON x.ip_id = p.id WHERE x.vpc_id = ?1 AND p.is_source_nat = 1",
            [&vpc.id],
            |r| r.get(0),
        )
        .optional()?;
    let source_nat = match source_nat {
        Some(id) => id,
        None => {
            let owner = store::account(call.tx, &vpc.account_id)?;
            ips::allocate(
                call,
                &owner,
                Target {
                    zone_id: &vpc.zone_id,
                    network: None,
                    vpc_id: Some(&vpc.id),
                },
                None,
                true,
            )?
        }
    };
    if routers::router_of_vpc(call.tx, &vpc.id)?.is_none() {
        routers::create(call, routers::RouterFor::Vpc(vpc), Some(&source_nat))?;
    }
    Ok(())
}

/// `createVPC` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let zone = dc::zone(call.tx, "zoneid", call.required("zoneid")?)?;
    if zone.allocation_state == "Disabled" && !call.caller.is_root_admin() {
        return Err(ApiError::permission(format!(
            "Cannot perform this operation, Zone is currently disabled: {}",
            zone.id
        )));
    }
    let offering_id = call.required("vpcofferingid")?;
    let offering: Option<String> = call
        .tx
        .query_row(
            "SELECT state FROM offerings_vpc_offerings WHERE id = ?1 AND removed IS NULL",
            [offering_id],
            |r| r.get(0),
        )
        .optional()?;
    if offering.as_deref() != Some("Enabled") {
        return Err(ApiError::param(
            "Unable to find vpc offering in Enabled state by specified id",
        ));
    }
    let cidr_text = call.required("cidr")?;
    // VpcManagerImpl.createVpc checks the text (NetUtils.isValidIp4Cidr:
    // an address and a size of 1 to 32) and that it is RFC 1918, and
    // stores it as given: host bits are kept.
    let cidr = Cidr::parse(cidr_text)
        .filter(|c| cidr_text.contains('/') && c.prefix >= 1)
        .ok_or_else(|| ApiError::param(format!("Invalid CIDR specified {cidr_text}")))?;
    if !is_private(cidr) {
        return Err(ApiError::param(format!(
            "Guest Cidr {cidr_text} is not RFC1918 compliant"
        )));
    }
    let owner = store::owner_of(call)?;
    limits::check(call, &owner.id, ResourceKind::Vpc, 1)?;
    let network_domain = p
        .str("networkdomain")
        .map_or_else(|| networks::default_network_domain(&owner), String::from);
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vpcs (id, name, display_text, zone_id, vpc_offering_id, cidr, account_id, domain_id, network_domain,
                           dns1, dns2, public_mtu, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            name,
            display_text,
            zone.id,
            offering_id,
            cidr_text,
            owner.id,
            owner.domain_id,
            network_domain,
            p.str("dns1"),
            p.str("dns2"),
            p.i64("publicmtu")?,
            p.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    limits::add(call, &owner.id, ResourceKind::Vpc, 1)?;
    event_log::created_event(
        call,
        "VPC.CREATE",
        "creating vpc",
        Subject::of("Vpc", &id, &name),
    )?;
    let start_now = p.flag("start", true);
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Vpc",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let vpc = vpc(call.tx, "id", &job_id)?;
                if start_now {
                    start(call, &vpc)?;
                }
                Ok(Reply::Object {
                    key: "vpc",
                    value: vpc_json(call, &job_id)?,
                })
            }),
        )
        .with_event("VPC.CREATE", format!("creating VPC. Id: {id}")),
    ))
}

/// `updateVPC` (async): name, text, display flag, public MTU.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let row = vpc(call.tx, "id", call.required("id")?)?;
    check_access(call, &row.account_id, &row.id)?;
    let p = call.params;
    let name = p.str("name").map(String::from);
    let text_value = p.str("displaytext").map(String::from);
    let display = p.bool("fordisplay");
    let mtu = p.i64("publicmtu")?;
    let id = row.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Vpc",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "UPDATE vpcs SET name = COALESCE(?2, name), display_text = COALESCE(?3, display_text),
                                     for_display = COALESCE(?4, for_display), public_mtu = COALESCE(?5, public_mtu)
                     WHERE id = ?1",
                    params![id, name, text_value, display, mtu],
                )?;
                Ok(Reply::Object { key: "vpc", value: vpc_json(call, &id)? })
            }),
        )
        .with_event("VPC.UPDATE", format!("updating VPC id={}", row.id)),
    ))
}

/// `restartVPC` (async): with `cleanup` the router is replaced.
pub(crate) fn restart(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let row = vpc(call.tx, "id", call.required("id")?)?;
    check_access(call, &row.account_id, &row.id)?;
    let cleanup = call.params.flag("cleanup", false);
    let id = row.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Vpc",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let row = vpc(call.tx, "id", &id)?;
                if cleanup {
                    routers::destroy_for_vpc(call, &id)?;
                }
                start(call, &row)?;
                if let Some(router) = routers::router_of_vpc(call.tx, &id)? {
                    routers::set_state(call, &router, "Running")?;
                }
                call.tx
                    .execute("UPDATE vpcs SET restart_required = 0 WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("VPC.RESTART", format!("restarting VPC id={}", row.id)),
    ))
}

/// `deleteVPC` (async): refused while the VPC has tiers.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let row = vpc(call.tx, "id", call.required("id")?)?;
    check_access(call, &row.account_id, &row.id)?;
    let id = row.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Vpc",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let row = vpc(call.tx, "id", &id)?;
                let tiers = sql::count(
                    call.tx,
                    "SELECT COUNT(*) FROM networks WHERE vpc_id = ?1",
                    &id,
                )?;
                if tiers > 0 {
                    return Err(ApiError::param(format!(
                        "Can't delete VPC {} as its used by {tiers} networks",
                        row.display()
                    )));
                }
                destroy(call, &row)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("VPC.DELETE", format!("deleting VPC id={}", row.id)),
    ))
}

/// Removes a VPC with its IPs, router, gateways, VPN gateway and ACLs.
fn destroy(call: &Call<'_>, row: &VpcRow) -> Result<(), ApiError> {
    let ip_ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT ip_id FROM ip_details WHERE vpc_id = ?1")?;
        let rows = stmt.query_map([&row.id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for ip_id in ip_ids {
        ips::release(call, &ip_id)?;
    }
    routers::destroy_for_vpc(call, &row.id)?;
    call.tx
        .execute("DELETE FROM vpn_gateways WHERE vpc_id = ?1", [&row.id])?;
    call.tx
        .execute("DELETE FROM private_gateways WHERE vpc_id = ?1", [&row.id])?;
    call.tx
        .execute("DELETE FROM network_acl_lists WHERE vpc_id = ?1", [&row.id])?;
    call.tx
        .execute("DELETE FROM vpcs WHERE id = ?1", [&row.id])?;
    store::forget_tags(call, "Vpc", &row.id)?;
    limits::release(call, &row.account_id, ResourceKind::Vpc, 1)
}

fn vpc_query() -> Query {
    Query::new(
        "SELECT v.id AS id, v.name AS name, v.display_text AS displaytext, v.state AS state, v.zone_id AS zoneid,
                z.name AS zonename, v.cidr AS cidr, v.vpc_offering_id AS vpcofferingid, o.name AS vpcofferingname,
                v.created AS created, a.name AS account, d.id AS domainid, d.name AS domain,
                v.restart_required AS \"restartrequired?\", v.network_domain AS networkdomain,
                v.for_display AS \"fordisplay?\", o.distributed_router AS \"distributedvpcrouter?\",
                o.region_level_vpc AS \"regionlevelvpc?\", o.redundant_router AS \"redundantvpcrouter?\",
                0 AS \"hasannotations?\", COALESCE(v.dns1, z.dns1) AS dns1, COALESCE(v.dns2, z.dns2) AS dns2,
                v.public_mtu AS publicmtu
         FROM vpcs v JOIN datacenter_zones z ON z.id = v.zone_id JOIN offerings_vpc_offerings o ON o.id = v.vpc_offering_id
         JOIN identity_accounts a ON a.id = v.account_id JOIN identity_domains d ON d.id = v.domain_id",
    )
}

fn finish_vpc(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    let offering = row
        .get("vpcofferingid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let services = store::offering_services(call.tx, "vpc_offering_services", &offering)?;
    row.insert("service".into(), store::services_json(&services));
    let mut tiers = networks::network_query();
    tiers.eq("n.vpc_id", Some(&id));
    tiers.order("n.seq");
    let tiers = tiers
        .all(call.tx)?
        .into_iter()
        .map(|t| networks::finish_network(call, t))
        .collect::<Result<Vec<_>, _>>()?;
    row.insert("network".into(), Value::Array(tiers));
    store::attach_tags(call, "Vpc", &mut row)?;
    Ok(Value::Object(row))
}

/// One VPC as responses show it.
pub(crate) fn vpc_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = vpc_query().one(call.tx, "v.id", id)?;
    finish_vpc(call, row)
}

/// `listVPCs`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = vpc_query();
    query.scope(&ListScope::of(call)?, "v.account_id");
    query.eq("v.id", p.str("id"));
    query.eq("v.zone_id", p.str("zoneid"));
    query.eq("v.name", p.str("name"));
    query.eq("v.display_text", p.str("displaytext"));
    query.eq("v.cidr", p.str("cidr"));
    query.eq("v.vpc_offering_id", p.str("vpcofferingid"));
    query.eq_nocase("v.state", p.str("state"));
    query.flag("v.restart_required", p.bool("restartrequired"));
    query.flag("v.for_display", p.bool("fordisplay"));
    for service in p.list("supportedservices") {
        query.and(
            "EXISTS (SELECT 1 FROM offerings_vpc_offering_services s WHERE s.offering_id = v.vpc_offering_id
                     AND s.service = ? COLLATE NOCASE)",
            [text(service)],
        );
    }
    store::tag_filter(call, &mut query, "Vpc", "v.id");
    query.keyword(&["v.name", "v.display_text"], p.str("keyword"));
    query.order("v.seq");
    query.list(call, "vpc", finish_vpc)
}
