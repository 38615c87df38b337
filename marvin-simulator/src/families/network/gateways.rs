//! Private gateways of VPCs (`createPrivateGateway`,
//! `deletePrivateGateway`, `listPrivateGateways`) and the static routes
//! through them (`createStaticRoute`, `deleteStaticRoute`,
//! `listStaticRoutes`).

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query};

use super::store::{self, Cidr};
use super::vpc;

/// `createPrivateGateway` (async, created in the request).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let owner_vpc = vpc::vpc(call.tx, "vpcid", call.required("vpcid")?)?;
    check_access(call, &owner_vpc.account_id, &owner_vpc.id)?;
    let gateway = call.required("gateway")?.to_string();
    let address = call.required("ipaddress")?.to_string();
    let netmask = call.required("netmask")?.to_string();
    let cidr = Cidr::of(&gateway, &netmask).ok_or_else(|| ApiError::param("Invalid netmask"))?;
    let (Some(g), Some(a)) = (ip::parse(&gateway), ip::parse(&address)) else {
        return Err(ApiError::param("Invalid gateway or ip address"));
    };
    if !ip::in_subnet(a, cidr.net, cidr.prefix) {
        return Err(ApiError::param(format!(
            "The ip address {address} is not in the subnet of the gateway {gateway} and netmask {netmask}"
        )));
    }
    if a == g {
        return Err(ApiError::param(
            "The gateway ip address can't be the same as the private gateway ip address",
        ));
    }
    let vlan = match (p.str("vlan"), p.str("associatednetworkid")) {
        (Some(v), _) => v.trim_start_matches("vlan://").to_string(),
        (None, Some(n)) => {
            let network = store::network(call.tx, "associatednetworkid", n)?;
            network.vlan.unwrap_or_else(|| "untagged".into())
        }
        (None, None) => {
            return Err(ApiError::param(
                "Either vlan or associatednetworkid must be specified",
            ));
        }
    };
    let taken = call
        .tx
        .query_row(
            "SELECT 1 FROM private_gateways WHERE zone_id = ?1 AND vlan = ?2 AND ip_address = ?3",
            [&owner_vpc.zone_id, &vlan, &address],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(ApiError::param(format!(
            "Private ip address {address} already used for private gateway in zone {}",
            owner_vpc.zone_id
        )));
    }
    // A private gateway without `aclid` gets default_deny
    // (VpcManagerImpl.createVpcPrivateGateway), unlike a tier.
    let acl_id = match vpc::tier_acl(call, &owner_vpc, p.str("aclid"))? {
        Some(id) => id,
        None => super::acl::default_list(call.tx, super::acl::DEFAULT_DENY)?,
    };
    let physical =
        p.str("physicalnetworkid")
            .map(String::from)
            .or(super::networks::guest_physical_network(
                call,
                &owner_vpc.zone_id,
            )?);
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO private_gateways (id, vpc_id, account_id, domain_id, zone_id, physical_network_id, vlan, gateway,
                                       ip_address, netmask, acl_id, source_nat, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'Creating', ?13)",
        params![
            id,
            owner_vpc.id,
            owner_vpc.account_id,
            owner_vpc.domain_id,
            owner_vpc.zone_id,
            physical,
            vlan,
            gateway,
            address,
            netmask,
            acl_id,
            p.flag("sourcenatsupported", false),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "PRIVATE.GATEWAY.CREATE",
        "creating private gateway",
        Subject::of("PrivateGateway", &id, &address),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "PrivateGateway",
            "private_gateways",
            &id,
            "Ready",
            "privategateway",
            gateway_json,
        )
        .with_event(
            "PRIVATE.GATEWAY.CREATE",
            format!("creating private gateway. Id: {id}"),
        ),
    ))
}

/// `deletePrivateGateway` (async): refused while static routes use it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    sql::checked_owner(call, "private_gateways", id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "PrivateGateway",
            "private_gateways",
            id,
            "SELECT COUNT(*) FROM static_routes WHERE gateway_id = ?1 AND state != 'Revoke'",
            |id| {
                ApiError::internal(format!(
                    "Can't delete private gateway {id} as it has static routes applied. Please remove the static routes first"
                ))
            },
        )
        .with_event(
            "PRIVATE.GATEWAY.DELETE",
            format!("deleting private gateway id={id}"),
        ),
    ))
}

fn gateway_query() -> Query {
    Query::new(
        "SELECT g.id AS id, g.gateway AS gateway, g.netmask AS netmask, g.ip_address AS ipaddress,
                g.zone_id AS zoneid, z.name AS zonename, 'vlan://' || g.vlan AS vlan, g.vpc_id AS vpcid,
                v.name AS vpcname, g.physical_network_id AS physicalnetworkid, a.name AS account, d.id AS domainid,
                d.name AS domain, g.state AS state, g.source_nat AS \"sourcenatsupported?\", g.acl_id AS aclid,
                l.name AS aclname, 0 AS \"hasannotations?\"
         FROM private_gateways g JOIN datacenter_zones z ON z.id = g.zone_id JOIN vpcs v ON v.id = g.vpc_id
         JOIN identity_accounts a ON a.id = g.account_id JOIN identity_domains d ON d.id = g.domain_id
         LEFT JOIN network_acl_lists l ON l.id = g.acl_id",
    )
}

fn gateway_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(Value::Object(gateway_query().one(call.tx, "g.id", id)?))
}

/// `listPrivateGateways`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = gateway_query();
    query.scope(&ListScope::of(call)?, "g.account_id");
    query.eq("g.id", p.str("id"));
    query.eq("g.vpc_id", p.str("vpcid"));
    query.eq("g.ip_address", p.str("ipaddress"));
    query.eq(
        "g.vlan",
        p.str("vlan").map(|v| v.trim_start_matches("vlan://")),
    );
    query.eq_nocase("g.state", p.str("state"));
    query.keyword(&["g.ip_address", "g.gateway"], p.str("keyword"));
    query.order("g.seq");
    query.list(call, "privategateway", |_, row| Ok(Value::Object(row)))
}

/// `createStaticRoute` (async, created in the request): a CIDR outside the
/// VPC, reached through a private gateway.
pub(crate) fn create_route(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let gateway_id = call.required("gatewayid")?;
    let (gateway_id, vpc_id, account_id, domain_id): (String, String, String, String) = call
        .tx
        .query_row(
            "SELECT id, vpc_id, account_id, domain_id FROM private_gateways WHERE id = ?1",
            [gateway_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("gatewayid", gateway_id))?;
    check_access(call, &account_id, &gateway_id)?;
    let cidr_text = call.required("cidr")?;
    let cidr = Cidr::parse(cidr_text)
        .filter(|_| cidr_text.contains('/'))
        .ok_or_else(|| ApiError::param(format!("Invalid format for cidr {cidr_text}")))?;
    let owner_vpc = vpc::vpc(call.tx, "vpcid", &vpc_id)?;
    if Cidr::parse(&owner_vpc.cidr).is_some_and(|v| v.overlaps(cidr)) {
        return Err(ApiError::param(format!(
            "CIDR should be outside of VPC cidr {}",
            owner_vpc.cidr
        )));
    }
    let duplicate = call
        .tx
        .query_row(
            "SELECT 1 FROM static_routes WHERE vpc_id = ?1 AND cidr = ?2 AND state != 'Revoke'",
            [&vpc_id, &cidr.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if duplicate {
        return Err(ApiError::conflict(format!(
            "The static route with cidr {cidr} already exists in the VPC"
        )));
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO static_routes (id, gateway_id, vpc_id, cidr, account_id, domain_id, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Add', ?7)",
        params![id, gateway_id, vpc_id, cidr.to_string(), account_id, domain_id, call.timestamp()],
    )?;
    event_log::created_event(
        call,
        "STATIC.ROUTE.CREATE",
        "creating static route",
        Subject::of("StaticRoute", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "StaticRoute",
            "static_routes",
            &id,
            "Active",
            "staticroute",
            route_json,
        )
        .with_event(
            "STATIC.ROUTE.CREATE",
            format!("Applying static route. Static route Id: {id}"),
        ),
    ))
}

/// `deleteStaticRoute` (async).
pub(crate) fn delete_route(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    sql::checked_owner(call, "static_routes", id)?;
    call.tx.execute(
        "UPDATE static_routes SET state = 'Revoke' WHERE id = ?1",
        [id],
    )?;
    Ok(Reply::Job(
        jobs::delete_job("StaticRoute", "static_routes", id).with_event(
            "STATIC.ROUTE.DELETE",
            format!("Deleting static route id={id}"),
        ),
    ))
}

fn route_query() -> Query {
    Query::new(
        "SELECT s.id AS id, s.cidr AS cidr, s.gateway_id AS gatewayid, s.vpc_id AS vpcid,
                CASE s.state WHEN 'Revoke' THEN 'Deleting' ELSE s.state END AS state, a.name AS account,
                d.id AS domainid, d.name AS domain
         FROM static_routes s JOIN identity_accounts a ON a.id = s.account_id JOIN identity_domains d ON d.id = s.domain_id",
    )
}

fn finish_route(_: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    row.insert("tags".into(), store::no_tags());
    Ok(Value::Object(row))
}

fn route_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish_route(call, route_query().one(call.tx, "s.id", id)?)
}

/// `listStaticRoutes`.
pub(crate) fn list_routes(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = route_query();
    query.scope(&ListScope::of(call)?, "s.account_id");
    query.eq("s.id", p.str("id"));
    query.eq("s.gateway_id", p.str("gatewayid"));
    query.eq("s.vpc_id", p.str("vpcid"));
    query.eq_nocase("s.state", p.str("state"));
    query.keyword(&["s.cidr"], p.str("keyword"));
    query.order("s.seq");
    query.list(call, "staticroute", finish_route)
}
