//! `updateVlanIpRange`: CloudStack's
//! `ConfigurationManagerImpl.updateVlanAndPublicIpRange`. A range may grow
//! or shrink, change its gateway or netmask while none of its addresses is
//! allocated, and change `forsystemvms` unless it is dedicated; addresses
//! in use must stay inside it. Addresses the range gains are added free,
//! the free ones it loses go (the network family owns the address rows).

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::families::network::api as network;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ip;
use crate::kernel::sql::{self, text};

use super::store;
use super::vlans::MAX_RANGE;

/// The stored range being updated.
struct Range {
    zone_id: String,
    physical_network_id: Option<String>,
    vlan_tag: String,
    gateway: String,
    netmask: String,
    start: String,
    end: String,
    for_virtual_network: bool,
    for_system_vms: bool,
    account_id: Option<String>,
    domain_id: Option<String>,
    ip6_gateway: Option<String>,
}

fn find(call: &Call<'_>, id: &str) -> Result<Option<Range>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT zone_id, physical_network_id, vlan_tag, gateway, netmask, start_ip, end_ip, for_virtual_network,
                    for_system_vms, account_id, domain_id, ip6_gateway
             FROM vlans WHERE id = ?1",
            [id],
            |r| {
                Ok(Range {
                    zone_id: r.get(0)?,
                    physical_network_id: r.get(1)?,
                    vlan_tag: r.get(2)?,
                    gateway: r.get(3)?,
                    netmask: r.get(4)?,
                    start: r.get(5)?,
                    end: r.get(6)?,
                    for_virtual_network: r.get(7)?,
                    for_system_vms: r.get(8)?,
                    account_id: r.get(9)?,
                    domain_id: r.get(10)?,
                    ip6_gateway: r.get(11)?,
                })
            },
        )
        .optional()?)
}

/// The allocated addresses of a range, lowest first.
fn allocated(call: &Call<'_>, id: &str) -> Result<Vec<(u32, String)>, ApiError> {
    let mut stmt = call.tx.prepare_cached(
        "SELECT address_num, address FROM network_public_ips
         WHERE vlan_id = ?1 AND state != 'Free' ORDER BY address_num",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `updateVlanIpRange` (sync; answers under `vlan`).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let range =
        find(call, &id)?.ok_or_else(|| ApiError::param("Please specify a valid IP range id."))?;
    let v6 = ["startipv6", "endipv6", "ip6gateway", "ip6cidr"];
    if range.ip6_gateway.is_none() && v6.iter().any(|n| p.str(n).is_some()) {
        return Err(ApiError::param("IPv6 is not support in this IP range."));
    }
    if p.bool("forsystemvms")
        .is_some_and(|w| w != range.for_system_vms)
    {
        if !range.for_virtual_network {
            return Err(ApiError::param(
                "forSystemVms is not available for this IP range with vlan type: DirectAttached",
            ));
        }
        if range.account_id.is_some() {
            return Err(ApiError::param(
                "Specified Public IP range has already been dedicated to an account",
            ));
        }
        if range.domain_id.is_some() {
            return Err(ApiError::param(
                "Specified Public IP range has already been dedicated to a domain",
            ));
        }
    }
    let in_use = allocated(call, &id)?;
    if let Some(gateway) = p.str("gateway").filter(|g| *g != range.gateway) {
        if !in_use.is_empty() {
            return Err(ApiError::param(format!(
                "Unable to change gateway to {gateway} because some IPs are in use"
            )));
        }
    }
    if let Some(netmask) = p.str("netmask").filter(|n| *n != range.netmask) {
        if !in_use.is_empty() {
            return Err(ApiError::param(format!(
                "Unable to change netmask to {netmask} because some IPs are in use"
            )));
        }
    }
    let gateway = p.str("gateway").unwrap_or(&range.gateway).to_string();
    let netmask = p.str("netmask").unwrap_or(&range.netmask).to_string();
    let (Some(gateway_n), Some(prefix)) = (ip::parse(&gateway), ip::prefix_of_netmask(&netmask))
    else {
        return Err(ApiError::param(format!(
            "Invalid gateway ({gateway}) or netmask ({netmask})"
        )));
    };
    let start_text = p.str("startip").unwrap_or(&range.start).to_string();
    let end_text = p.str("endip").unwrap_or(&range.end).to_string();
    let start =
        ip::parse(&start_text).ok_or_else(|| ApiError::param("Please specify a valid start IP"))?;
    let end =
        ip::parse(&end_text).ok_or_else(|| ApiError::param("Please specify a valid end IP"))?;
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
    // checkAllocatedIpsAreWithinVlanRange
    if let (Some(first), Some(last)) = (in_use.first(), in_use.last()) {
        if in_use.iter().any(|(n, _)| *n < start || *n > end) {
            return Err(ApiError::param(format!(
                "The start IP address must be less than or equal to {} which is already in use. The end IP address must be greater than or equal to {} which is already in use. There are {} IPs already allocated in this range.",
                first.1,
                last.1,
                in_use.len()
            )));
        }
        if p.bool("forsystemvms")
            .is_some_and(|w| w != range.for_system_vms)
        {
            return Err(ApiError::param(format!(
                "IP {} is in use, cannot change forSystemVms of the IP range",
                first.1
            )));
        }
    }
    // The new addresses may not be another range's in the zone.
    let others = sql::objects(
        call.tx,
        "SELECT vlan_tag, start_ip, end_ip FROM vlans WHERE zone_id = ?1 AND id != ?2",
        &[text(&range.zone_id), text(&id)],
    )?;
    for other in others {
        let field = |k: &str| {
            other
                .get(k)
                .and_then(Value::as_str)
                .and_then(ip::parse)
                .unwrap_or(0)
        };
        if ip::overlaps((start, end), (field("start_ip"), field("end_ip"))) {
            let tag = other.get("vlan_tag").and_then(Value::as_str).unwrap_or("");
            return Err(ApiError::param(format!(
                "The IP range with tag: {tag} already has IPs that overlap with the new range. Please specify a different start IP/end IP."
            )));
        }
    }

    let old = (
        ip::parse(&range.start).unwrap_or(start),
        ip::parse(&range.end).unwrap_or(end),
    );
    network::remove_free_public_addresses_outside(call.tx, &id, start, end)?;
    let mut gained = Vec::new();
    if start < old.0 {
        gained.push(start..=end.min(old.0 - 1));
    }
    if end > old.1 {
        gained.push(start.max(old.1 + 1)..=end);
    }
    for addresses in gained {
        network::add_public_addresses(
            call.tx,
            &id,
            &range.zone_id,
            range.physical_network_id.as_deref(),
            addresses,
        )?;
    }
    call.tx.execute(
        "UPDATE vlans SET gateway = ?2, netmask = ?3, cidr = ?4, start_ip = ?5, end_ip = ?6,
                for_system_vms = COALESCE(?7, for_system_vms)
         WHERE id = ?1",
        params![
            id,
            gateway,
            netmask,
            ip::cidr_text(gateway_n, prefix),
            ip::format(start),
            ip::format(end),
            p.bool("forsystemvms")
        ],
    )?;
    event_log::completed(
        call,
        "VLAN.IP.RANGE.UPDATE",
        "update vlan ip Range",
        Subject::of("Vlan", &id, &range.vlan_tag),
    )?;
    Ok(Reply::Object {
        key: "vlan",
        value: store::vlan_query()
            .one(call.tx, "v.id", &id)
            .map(Value::Object)?,
    })
}
