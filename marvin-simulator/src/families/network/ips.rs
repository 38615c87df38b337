//! Public IPs: `associateIpAddress`, `disassociateIpAddress`,
//! `listPublicIpAddresses`, and the allocation every other rule uses.
//!
//! Addresses live in the datacenter family's `public_ips` (one row per
//! address of each range); allocation picks the lowest free address of a
//! virtual-network range of the zone (ranges dedicated to the owner first)
//! and marks it `Allocating`; it becomes `Allocated` once its network is
//! implemented (at once for VPC IPs). Release puts it back to `Free`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::families::datacenter::api as dc;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{Query, text};

use super::store::{self, IpRow, NetworkRow, Owner};
use super::{networks, rules, vpc};

/// Where a new public IP goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) zone_id: &'a str,
    pub(crate) network: Option<&'a NetworkRow>,
    pub(crate) vpc_id: Option<&'a str>,
}

/// Allocates the lowest free public IP of the zone (or `requested`) to the
/// owner; 533 "Insufficient address capacity" when none is free. The IP is
/// `Allocating` until its network is implemented; VPC IPs and IPs of an
/// implemented network are `Allocated` at once.
pub(crate) fn allocate(
    call: &Call<'_>,
    owner: &Owner,
    target: Target<'_>,
    requested: Option<&str>,
    source_nat: bool,
) -> Result<String, ApiError> {
    let mut sql = String::from(
        "SELECT p.id FROM public_ips p JOIN datacenter_vlans v ON v.id = p.vlan_id
         WHERE p.zone_id = ?1 AND p.state = 'Free' AND v.for_virtual_network = 1 AND v.network_id IS NULL
           AND (v.account_id IS NULL OR v.account_id = ?2)",
    );
    let mut args = vec![text(target.zone_id), text(&owner.id)];
    if let Some(address) = requested {
        sql.push_str(" AND p.address = ?3");
        args.push(text(address));
    }
    sql.push_str(" ORDER BY (v.account_id IS NULL), p.address_num LIMIT 1");
    let found: Option<String> = call
        .tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
        .optional()?;
    let id = found.ok_or_else(|| ApiError::capacity("Insufficient address capacity"))?;
    let implemented = target.network.is_some_and(|n| n.state == "Implemented");
    let state = if implemented || target.vpc_id.is_some() || target.network.is_none() {
        "Allocated"
    } else {
        "Allocating"
    };
    call.tx.execute(
        "UPDATE public_ips SET state = ?2, account_id = ?3, domain_id = ?4, network_id = ?5, is_source_nat = ?6,
                               allocated = ?7
         WHERE id = ?1",
        params![id, state, owner.id, owner.domain_id, target.network.map(|n| n.id.as_str()), source_nat, call.timestamp()],
    )?;
    call.tx.execute(
        "INSERT INTO ip_details (ip_id, account_id, vpc_id) VALUES (?1, ?2, ?3)",
        params![id, owner.id, target.vpc_id],
    )?;
    limits::add(call, &owner.id, ResourceKind::PublicIp, 1)?;
    Ok(id)
}

/// The source NAT IP of an isolated network, allocated when it has none.
pub(crate) fn ensure_source_nat(call: &Call<'_>, network: &NetworkRow) -> Result<String, ApiError> {
    let existing: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM public_ips WHERE network_id = ?1 AND is_source_nat = 1",
            [&network.id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let owner = store::account(call.tx, network.owner())?;
    allocate(
        call,
        &owner,
        Target {
            zone_id: &network.zone_id,
            network: Some(network),
            vpc_id: None,
        },
        None,
        true,
    )
}

/// Gives an IP back to the pool: its rules, static NAT and VPN go first.
pub(crate) fn release(call: &Call<'_>, ip_id: &str) -> Result<(), ApiError> {
    let Some(ip) = store::find_ip(call.tx, ip_id)? else {
        return Ok(());
    };
    rules::remove_for_ip(call, ip_id)?;
    call.tx
        .execute("DELETE FROM remote_access_vpns WHERE ip_id = ?1", [ip_id])?;
    call.tx
        .execute("DELETE FROM ip_details WHERE ip_id = ?1", [ip_id])?;
    store::forget_tags(call, "PublicIpAddress", ip_id)?;
    call.tx.execute(
        "UPDATE public_ips SET state = 'Free', account_id = NULL, domain_id = NULL, network_id = NULL,
                               is_source_nat = 0, allocated = NULL
         WHERE id = ?1",
        [ip_id],
    )?;
    if let Some(owner) = &ip.account_id {
        if ip.for_virtual_network {
            limits::release(call, owner, ResourceKind::PublicIp, 1)?;
        }
    }
    Ok(())
}

/// The network an `associateIpAddress` without `networkid` lands in: the
/// owner's only isolated network in the zone.
fn zone_network(
    call: &Call<'_>,
    owner: &Owner,
    zone: &dc::ZoneRow,
) -> Result<NetworkRow, ApiError> {
    let mut networks = store::networks_where(
        call.tx,
        "account_id = ?1 AND guest_type = 'Isolated' AND vpc_id IS NULL",
        &owner.id,
    )?;
    networks.retain(|n| n.zone_id == zone.id);
    match networks.len() {
        0 => {
            let domain: String = call.tx.query_row(
                "SELECT name FROM identity_domains WHERE id = ?1",
                [&owner.domain_id],
                |r| r.get(0),
            )?;
            Err(ApiError::param(format!(
                "Account name={} domain={domain} doesn't have virtual networks in zone={}",
                owner.name, zone.name
            )))
        }
        1 => Ok(networks.remove(0)),
        _ => Err(ApiError::param(
            "Account has more than one Isolated network in the zone",
        )),
    }
}

/// `associateIpAddress` (async, created in the request): a public IP for a
/// network, a VPC or the owner's network in a zone.
pub(crate) fn associate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let owner = store::owner_of(call)?;
    let (network, vpc_row, zone) = if let Some(vpc_id) = p.str("vpcid") {
        let v = vpc::vpc(call.tx, "vpcid", vpc_id)?;
        check_access(call, &v.account_id, &v.id)?;
        let zone = dc::zone(call.tx, "zoneid", &v.zone_id)?;
        (None, Some(v), zone)
    } else if let Some(network_id) = p.str("networkid") {
        let n = store::network(call.tx, "networkid", network_id)?;
        networks::check_network_access(call, &n)?;
        let zone = dc::zone(call.tx, "zoneid", &n.zone_id)?;
        (Some(n), None, zone)
    } else if let Some(zone_id) = p.str("zoneid") {
        let zone = dc::zone(call.tx, "zoneid", zone_id)?;
        let n = zone_network(call, &owner, &zone)?;
        (Some(n), None, zone)
    } else {
        return Err(ApiError::param(
            "Unable to figure out zone to assign IP to. Please specify either zoneId, or networkId, or vpcId in the call",
        ));
    };
    if zone.allocation_state == "Disabled" && !call.caller.is_root_admin() {
        return Err(ApiError::permission(
            "Cannot perform this operation, Zone is currently disabled",
        ));
    }
    let owner = match (&network, &vpc_row) {
        (Some(n), _) if n.account_id.is_some() => store::account(call.tx, n.owner())?,
        (_, Some(v)) => store::account(call.tx, &v.account_id)?,
        _ => owner,
    };
    if let Some(n) = &network {
        if n.guest_type != "Isolated" {
            return Err(ApiError::param(format!(
                "Can't associate ip to the network {} of guest type {}",
                n.id, n.guest_type
            )));
        }
    }
    limits::check(call, &owner.id, ResourceKind::PublicIp, 1)?;
    // The first IP of a network that is not implemented yet becomes its
    // source NAT IP.
    let source_nat = match &network {
        Some(n)
            if n.vpc_id.is_none()
                && n.state != "Implemented"
                && store::supports(call.tx, n, "SourceNat")? =>
        {
            call.tx
                .query_row(
                    "SELECT 1 FROM public_ips WHERE network_id = ?1 AND is_source_nat = 1",
                    [&n.id],
                    |_| Ok(()),
                )
                .optional()?
                .is_none()
        }
        _ => false,
    };
    let id = allocate(
        call,
        &owner,
        Target {
            zone_id: &zone.id,
            network: network.as_ref(),
            vpc_id: vpc_row.as_ref().map(|v| v.id.as_str()),
        },
        p.str("ipaddress"),
        source_nat,
    )?;
    if let Some(display) = p.bool("fordisplay") {
        call.tx.execute(
            "UPDATE ip_details SET for_display = ?2 WHERE ip_id = ?1",
            params![id, display],
        )?;
    }
    event_log::created_event(
        call,
        "NET.IPASSIGN",
        "allocating Ip",
        Subject::of("IpAddress", &id, ""),
    )?;
    let description = match (&network, &vpc_row) {
        (Some(n), _) => format!("associating IP to network ID: {}", n.id),
        (_, Some(v)) => format!("associating IP to VPC ID: {}", v.id),
        _ => "associating IP".to_string(),
    };
    Ok(Reply::Job(
        jobs::object_job("IpAddress", &id, "ipaddress", ip_json)
            .with_event("NET.IPASSIGN", description),
    ))
}

/// `disassociateIpAddress` (async): refused for a network's source NAT IP
/// once the network is implemented (and always for a VPC's).
pub(crate) fn disassociate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let ip = store::allocated_ip(call.tx, "id", &id)?;
    check_access(call, ip.owner(), &ip.id)?;
    Ok(Reply::Job(
        Job::on(
            "IpAddress",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let Some(ip) = store::find_ip(call.tx, &id)?.filter(IpRow::allocated) else {
                    return Ok(Reply::Success(None));
                };
                let network = match &ip.network_id {
                    Some(n) => store::find_network(call.tx, n)?,
                    None => None,
                };
                // `NetworkServiceImpl.releaseIpAddressInternal` throws these two
                // as `IllegalArgumentException`s inside the job, which
                // `ApiAsyncJobDispatcher.runJob` fails with 530.
                if ip.is_source_nat
                    && (network.as_ref().is_some_and(|n| n.state != "Allocated")
                        || ip.vpc_id.is_some())
                {
                    return Err(ApiError::internal(
                        "IP address is used for source nat purposes and can not be disassociated.",
                    ));
                }
                if !ip.for_virtual_network {
                    return Err(ApiError::internal(
                        "Only IP addresses that belong to a virtual network may be disassociated.",
                    ));
                }
                release(call, &id)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "NET.IPRELEASE",
            format!("Disassociating ip address with id={}", ip.id),
        ),
    ))
}

/// The query behind public IP responses.
pub(crate) fn ip_query() -> Query {
    Query::new(
        "SELECT p.id AS id, p.address AS ipaddress, p.allocated AS allocated, p.zone_id AS zoneid, z.name AS zonename,
                p.is_source_nat AS \"issourcenat?\", a.name AS account, d.id AS domainid, d.name AS domain,
                v.for_virtual_network AS \"forvirtualnetwork?\", v.id AS vlanid, v.vlan_tag AS vlanname,
                (x.static_nat_vm_id IS NOT NULL) AS \"isstaticnat?\", 0 AS \"issystem?\",
                p.network_id AS associatednetworkid, n.name AS associatednetworkname, p.state AS state,
                p.physical_network_id AS physicalnetworkid, x.static_nat_vm_id AS virtualmachineid,
                vm.name AS virtualmachinename, COALESCE(vm.display_name, vm.name) AS virtualmachinedisplayname,
                x.static_nat_vm_ip AS vmipaddress, x.vpc_id AS vpcid, vp.name AS vpcname, 0 AS \"isportable?\",
                COALESCE(x.for_display, 1) AS \"fordisplay?\", 0 AS \"hasannotations?\",
                CASE WHEN x.static_nat_vm_id IS NOT NULL THEN 'StaticNat' END AS purpose
         FROM public_ips p JOIN datacenter_zones z ON z.id = p.zone_id JOIN datacenter_vlans v ON v.id = p.vlan_id
         LEFT JOIN identity_accounts a ON a.id = p.account_id LEFT JOIN identity_domains d ON d.id = p.domain_id
         LEFT JOIN networks n ON n.id = p.network_id LEFT JOIN ip_details x ON x.ip_id = p.id
         LEFT JOIN compute_vms vm ON vm.id = x.static_nat_vm_id LEFT JOIN vpcs vp ON vp.id = x.vpc_id",
    )
}

fn finish_ip(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    store::attach_tags(call, "PublicIpAddress", &mut row)?;
    Ok(Value::Object(row))
}

/// One public IP as responses show it.
pub(crate) fn ip_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = ip_query().one(call.tx, "p.id", id)?;
    finish_ip(call, row)
}

/// `listPublicIpAddresses` (answers under `publicipaddress`).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = ip_query();
    let allocated_only = p.flag("allocatedonly", true);
    let scope = ListScope::of(call)?;
    let (condition, arg) = scope.condition("p.account_id");
    if allocated_only {
        query.and(
            &format!("p.state != 'Free' AND ({condition})"),
            arg.map(SqlValue::Text),
        );
    } else {
        query.and(
            &format!("p.state = 'Free' OR ({condition})"),
            arg.map(SqlValue::Text),
        );
    }
    query.eq("p.id", p.str("id"));
    query.eq("p.address", p.str("ipaddress"));
    query.eq("p.network_id", p.str("associatednetworkid"));
    query.eq("p.zone_id", p.str("zoneid"));
    query.eq("p.vlan_id", p.str("vlanid"));
    query.eq("p.physical_network_id", p.str("physicalnetworkid"));
    query.eq("x.vpc_id", p.str("vpcid"));
    query.eq_nocase("p.state", p.str("state"));
    query.flag("p.is_source_nat", p.bool("issourcenat"));
    query.flag("v.for_virtual_network", p.bool("forvirtualnetwork"));
    query.flag("COALESCE(x.for_display, 1)", p.bool("fordisplay"));
    match p.bool("isstaticnat") {
        Some(true) => {
            query.and("x.static_nat_vm_id IS NOT NULL", []);
        }
        Some(false) => {
            query.and("x.static_nat_vm_id IS NULL", []);
        }
        None => {}
    }
    if p.bool("forloadbalancing") == Some(true) {
        query.and("x.static_nat_vm_id IS NULL AND p.is_source_nat = 0", []);
    }
    store::tag_filter(call, &mut query, "PublicIpAddress", "p.id");
    query.keyword(&["p.address"], p.str("keyword"));
    query.order("p.address_num");
    query.list(call, "publicipaddress", finish_ip)
}
