//! Public (and shared-network) IP ranges: the network family stores every
//! address of a range as a row of its own, so allocation is a unique row
//! update there.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use crate::families::identity::api as identity;
use crate::families::network::api as network;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql::{self, text};

use super::store;
use super::zones::network_with_traffic;
use crate::kernel::ip;

/// The most addresses one range may hold in the simulator.
pub(crate) const MAX_RANGE: u32 = 65_536;

/// `vlan://<n>` / `vlan://untagged` from what a caller sends.
pub(crate) fn vlan_uri(value: Option<&str>) -> String {
    match value.map(str::trim) {
        None | Some("") => "vlan://untagged".into(),
        Some(v) if v.to_ascii_lowercase().starts_with("vlan://") => format!("vlan://{}", &v[7..]),
        Some(v) if v.eq_ignore_ascii_case("untagged") => "vlan://untagged".into(),
        Some(v) => format!("vlan://{v}"),
    }
}

/// A new range to store.
pub(crate) struct NewRange<'a> {
    pub zone_id: &'a str,
    pub pod_id: Option<&'a str>,
    pub physical_network_id: Option<&'a str>,
    pub network_id: Option<&'a str>,
    pub vlan: &'a str,
    pub gateway: &'a str,
    pub netmask: &'a str,
    pub start: u32,
    pub end: u32,
    pub prefix: u32,
    pub for_virtual_network: bool,
    pub for_system_vms: bool,
    pub account_id: Option<&'a str>,
    pub domain_id: Option<&'a str>,
    pub created: &'a str,
}

/// Stores a range and every address in it.
pub(crate) fn insert_range(tx: &Transaction<'_>, range: &NewRange<'_>) -> Result<String, ApiError> {
    let id = ids::new_id();
    let net = ip::parse(range.gateway).unwrap_or(0);
    tx.execute(
        "INSERT INTO vlans (id, zone_id, pod_id, physical_network_id, network_id, vlan_tag, gateway, netmask, cidr,
                            start_ip, end_ip, for_virtual_network, for_system_vms, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            id,
            range.zone_id,
            range.pod_id,
            range.physical_network_id,
            range.network_id,
            range.vlan,
            range.gateway,
            range.netmask,
            ip::cidr_text(net, range.prefix),
            ip::format(range.start),
            ip::format(range.end),
            range.for_virtual_network,
            range.for_system_vms,
            range.account_id,
            range.domain_id,
            range.created
        ],
    )?;
    network::add_public_addresses(
        tx,
        &id,
        range.zone_id,
        range.physical_network_id,
        range.start..=range.end,
    )?;
    Ok(id)
}

fn vlan_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    store::vlan_query()
        .one(call.tx, "v.id", id)
        .map(Value::Object)
}

/// `createVlanIpRange` (answers under `vlan`).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let for_virtual_network = p.flag("forvirtualnetwork", true);
    let pod = match p.str("podid") {
        Some(pod) => Some(store::pod(call.tx, "podid", pod)?),
        None => None,
    };
    let network = match p.str("networkid") {
        Some(network) => Some(network_of(call, network)?),
        None => None,
    };
    let zone_id = p
        .str("zoneid")
        .map(String::from)
        .or_else(|| pod.as_ref().map(|pod| pod.zone_id.clone()))
        .or_else(|| network.as_ref().map(|n| n.0.clone()));
    let (Some(zone_id), Some(gateway), Some(netmask)) =
        (zone_id, p.str("gateway"), p.str("netmask"))
    else {
        return Err(ApiError::param(
            "Gateway, netmask and zoneId have to be passed in for virtual and direct untagged networks",
        ));
    };
    let zone = store::zone(call.tx, "zoneid", &zone_id)?;
    let ipv6 = ipv6_part(p)?;
    let start_text = p
        .str("startip")
        .ok_or_else(|| ApiError::param("Please specify IPv4 or IPv6 address."))?;
    let end_text = p.str("endip").unwrap_or(start_text);
    let gateway_n =
        ip::parse(gateway).ok_or_else(|| ApiError::param("Please specify a valid gateway"))?;
    let prefix = ip::prefix_of_netmask(netmask)
        .ok_or_else(|| ApiError::param("Please specify a valid netmask"))?;
    let start =
        ip::parse(start_text).ok_or_else(|| ApiError::param("Please specify a valid start IP"))?;
    let end =
        ip::parse(end_text).ok_or_else(|| ApiError::param("Please specify a valid end IP"))?;
    if !ip::in_subnet(start, gateway_n, prefix) {
        return Err(ApiError::param(
            "Please ensure that your start IP is in the same subnet as your IP range's gateway, as per the IP range's netmask.",
        ));
    }
    if !ip::in_subnet(end, gateway_n, prefix) {
        return Err(ApiError::param(
            "Please ensure that your end IP is in the same subnet as your IP range's gateway, as per the IP range's netmask.",
        ));
    }
    if start > end {
        return Err(ApiError::param("Please specify a valid IP range."));
    }
    if ip::overlaps((start, end), (gateway_n, gateway_n)) {
        return Err(ApiError::param(
            "The gateway ip should not be the part of the ip range being added.",
        ));
    }
    if end - start >= MAX_RANGE {
        return Err(ApiError::param(format!(
            "The IP range is too large for the simulator: at most {MAX_RANGE} addresses per range"
        )));
    }
    let vlan = vlan_uri(p.str("vlan"));
    let physical_network = match (p.str("physicalnetworkid"), &network) {
        (Some(pn), _) => {
            if !sql::exists(call.tx, "physical_networks", pn)? {
                return Err(ApiError::invalid_id("physicalnetworkid", pn));
            }
            Some(pn.to_string())
        }
        (None, Some((_, pn))) => pn.clone(),
        (None, None) => {
            let traffic = if for_virtual_network {
                "Public"
            } else {
                "Guest"
            };
            let found = network_with_traffic(call, &zone.id, traffic)?;
            if found.is_none() && zone.network_type == "Advanced" {
                return Err(ApiError::param(format!(
                    "Unable to find the default physical network with traffic={traffic} in the specified zone id"
                )));
            }
            found
        }
    };
    if let (Some(pn), Some(tag)) = (
        &physical_network,
        vlan.strip_prefix("vlan://")
            .and_then(|t| t.parse::<i64>().ok()),
    ) {
        let used: Option<i64> = call
            .tx
            .query_row(
                "SELECT vnet FROM guest_vnets WHERE physical_network_id = ?1 AND vnet = ?2",
                params![pn, tag],
                |r| r.get(0),
            )
            .optional()?;
        if used.is_some() {
            return Err(ApiError::param(format!(
                "The VLAN tag {tag} is already being used for dynamic vlan allocation for the guest network in zone {}",
                zone.name
            )));
        }
    }
    check_overlaps(call, &zone, &vlan, gateway, gateway_n, prefix, (start, end))?;

    let (account_id, domain_id) = owner(call)?;
    let now = call.timestamp();
    let id = insert_range(
        call.tx,
        &NewRange {
            zone_id: &zone.id,
            pod_id: pod.as_ref().map(|p| p.id.as_str()),
            physical_network_id: physical_network.as_deref(),
            network_id: p.str("networkid"),
            vlan: &vlan,
            gateway,
            netmask,
            start,
            end,
            prefix,
            for_virtual_network,
            for_system_vms: p.flag("forsystemvms", false),
            account_id: account_id.as_deref(),
            domain_id: domain_id.as_deref(),
            created: &now,
        },
    )?;
    if let Some(v6) = &ipv6 {
        call.tx.execute(
            "UPDATE vlans SET ip6_gateway = ?2, ip6_cidr = ?3, start_ipv6 = ?4, end_ipv6 = ?5 WHERE id = ?1",
            params![id, v6.gateway, v6.cidr, v6.start, v6.end],
        )?;
    }
    event_log::completed(
        call,
        "VLAN.IP.RANGE.CREATE",
        &format!("creating vlan ip range. Range: {start_text}-{end_text}"),
        Subject::of("Vlan", &id, &vlan),
    )?;
    Ok(Reply::Object {
        key: "vlan",
        value: vlan_json(call, &id)?,
    })
}

/// The IPv6 half of a dual-stack range, as given.
#[derive(Debug)]
struct Ipv6Part<'a> {
    gateway: &'a str,
    cidr: &'a str,
    start: &'a str,
    end: &'a str,
}

/// The IPv6 parameters of `createVlanIpRange`, checked as
/// ConfigurationManagerImpl.createVlanAndPublicIpRange checks them:
/// `endipv6` defaults to `startipv6`; the gateway and CIDR must be valid
/// IPv6 (the range itself is kept as given). `None` when no
/// `startipv6` is given.
fn ipv6_part(p: &crate::kernel::params::Params) -> Result<Option<Ipv6Part<'_>>, ApiError> {
    let Some(start) = p.str("startipv6") else {
        return Ok(None);
    };
    let end = p.str("endipv6").unwrap_or(start);
    let address = |text: &str| text.parse::<std::net::Ipv6Addr>().ok();
    let gateway = p
        .str("ip6gateway")
        .filter(|g| address(g).is_some())
        .ok_or_else(|| ApiError::param("Please specify a valid IPv6 gateway"))?;
    let cidr = p
        .str("ip6cidr")
        .filter(|c| {
            c.split_once('/').is_some_and(|(net, size)| {
                address(net).is_some() && size.parse::<u8>().is_ok_and(|s| s <= 128)
            })
        })
        .ok_or_else(|| ApiError::param("Please specify a valid IPv6 CIDR"))?;
    Ok(Some(Ipv6Part {
        gateway,
        cidr,
        start,
        end,
    }))
}

/// The zone and physical network of a guest network (when the networking
/// family's table exists).
fn network_of(call: &Call<'_>, id: &str) -> Result<(String, Option<String>), ApiError> {
    if !sql::table_exists(call.tx, "network_networks")? {
        return Err(ApiError::invalid_id("networkid", id));
    }
    call.tx
        .query_row(
            "SELECT zone_id, physical_network_id FROM network_networks WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("networkid", id))
}

/// The account or domain a range is dedicated to.
fn owner(call: &Call<'_>) -> Result<(Option<String>, Option<String>), ApiError> {
    let p = call.params;
    let domain = match p.str("domainid") {
        Some(domain) => Some(identity::domain_param(call.tx, "domainid", domain)?),
        None => None,
    };
    match (p.str("account"), domain) {
        (Some(name), domain) => {
            let domain = match domain {
                Some(d) => d,
                None => identity::root_domain(call.tx)?,
            };
            let account =
                identity::account_by_name(call.tx, name, &domain.id)?.ok_or_else(|| {
                    ApiError::param(format!(
                        "Please specify a valid account. Cannot find account {name} in domain {}",
                        domain.id
                    ))
                })?;
            Ok((Some(account.id), Some(domain.id)))
        }
        (None, Some(domain)) => Ok((None, Some(domain.id))),
        (None, None) => Ok((None, None)),
    }
}

fn check_overlaps(
    call: &Call<'_>,
    zone: &store::ZoneRow,
    vlan: &str,
    gateway: &str,
    gateway_n: u32,
    prefix: u32,
    range: (u32, u32),
) -> Result<(), ApiError> {
    let others = sql::objects(
        call.tx,
        "SELECT vlan_tag, gateway, netmask, start_ip, end_ip FROM vlans WHERE zone_id = ?1",
        &[text(&zone.id)],
    )?;
    for other in others {
        let field = |k: &str| {
            other
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (tag, other_gateway) = (field("vlan_tag"), field("gateway"));
        let other_gw = ip::parse(&other_gateway).unwrap_or(0);
        let other_prefix = ip::prefix_of_netmask(&field("netmask")).unwrap_or(32);
        let other_range = (
            ip::parse(&field("start_ip")).unwrap_or(0),
            ip::parse(&field("end_ip")).unwrap_or(0),
        );
        let shortest = prefix.min(other_prefix);
        let subnets_overlap = ip::in_subnet(gateway_n, other_gw, shortest);
        let same_subnet = prefix == other_prefix && ip::in_subnet(gateway_n, other_gw, prefix);
        if tag != vlan && subnets_overlap {
            return Err(ApiError::param(format!(
                "The IP range with tag: {tag} in zone {} has overlapped with the subnet. Please specify a different \
                 gateway/netmask.",
                zone.name
            )));
        }
        if tag == vlan && same_subnet {
            if ip::overlaps(range, other_range) {
                return Err(ApiError::param(format!(
                    "The IP range with tag: {tag} already has IPs that overlap with the new range. Please specify a \
                     different start IP/end IP."
                )));
            }
            if gateway != other_gateway {
                return Err(ApiError::param(format!(
                    "The IP range with tag: {tag} has already been added with gateway {other_gateway}. Please specify \
                     a different tag."
                )));
            }
        }
    }
    let pods = sql::objects(
        call.tx,
        "SELECT name, start_ip, end_ip FROM pods WHERE zone_id = ?1",
        &[text(&zone.id)],
    )?;
    for pod in pods {
        let field = |k: &str| {
            pod.get(k)
                .and_then(Value::as_str)
                .and_then(ip::parse)
                .unwrap_or(0)
        };
        if ip::overlaps(range, (field("start_ip"), field("end_ip"))) {
            return Err(ApiError::param(format!(
                "The Start IP and endIP address range overlap with private IP range of pod {}",
                pod.get("name").and_then(Value::as_str).unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// `deleteVlanIpRange`: refused while any of its addresses is in use.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let range = vlan_json(call, &id)?;
    let in_use = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM network_public_ips WHERE vlan_id = ?1 AND state != 'Free'",
        &id,
    )?;
    if in_use > 0 {
        return Err(ApiError::param(format!(
            "{in_use}  Ips are in use. Cannot delete this vlan"
        )));
    }
    // The range's addresses go with it (their key cascades).
    call.tx.execute("DELETE FROM vlans WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "VLAN.IP.RANGE.DELETE",
        &format!("deleting vlan ip range. Vlan Id: {id}"),
        Subject::of("Vlan", &id, range["vlan"].as_str().unwrap_or_default()),
    )?;
    Ok(Reply::Success(None))
}

/// `listVlanIpRanges` (answers under `vlaniprange`).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::vlan_query();
    query.eq("v.id", p.str("id"));
    query.eq("v.zone_id", p.str("zoneid"));
    query.eq("v.pod_id", p.str("podid"));
    query.eq("v.physical_network_id", p.str("physicalnetworkid"));
    query.eq("v.network_id", p.str("networkid"));
    if let Some(vlan) = p.str("vlan") {
        query.eq("v.vlan_tag", Some(&vlan_uri(Some(vlan))));
    }
    query.flag("v.for_virtual_network", p.bool("forvirtualnetwork"));
    query.eq("v.domain_id", p.str("domainid"));
    if let Some(account) = p.str("account") {
        query.eq("a.name", Some(account));
    }
    query.keyword(
        &["v.vlan_tag", "v.start_ip", "v.end_ip", "v.gateway"],
        p.str("keyword"),
    );
    query.order("v.created, v.rowid");
    query.list_plain(call, "vlaniprange")
}
