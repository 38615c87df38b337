//! Pods: a management subnet (gateway, netmask) and a reserved IP range.

use rusqlite::params;
use serde_json::Value;

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql;

use super::store;
use super::zones::referenced;
use crate::kernel::ip;

/// CloudStack's checks of a pod's range against its CIDR.
fn check_ip_range(start: &str, end: &str, net: u32, prefix: u32) -> Result<(u32, u32), ApiError> {
    let start_n = ip::parse(start).ok_or_else(|| {
        ApiError::param("The start address of the IP range is not a valid IP address.")
    })?;
    let end_n = ip::parse(end).ok_or_else(|| {
        ApiError::param("The end address of the IP range is not a valid IP address.")
    })?;
    if !ip::in_subnet(start_n, net, prefix) {
        return Err(ApiError::param(
            "The start address of the IP range is not in the CIDR subnet.",
        ));
    }
    if !ip::in_subnet(end_n, net, prefix) {
        return Err(ApiError::param(
            "The end address of the IP range is not in the CIDR subnet.",
        ));
    }
    if start_n > end_n {
        return Err(ApiError::param(
            "The start IP address must have a lower value than the end IP address.",
        ));
    }
    Ok((start_n, end_n))
}

struct PodSpec<'a> {
    id: &'a str,
    name: &'a str,
    zone_id: &'a str,
    gateway: &'a str,
    prefix: u32,
    net: u32,
    range: (u32, u32),
}

fn check_pod(call: &Call<'_>, spec: &PodSpec<'_>, check_name: bool) -> Result<(), ApiError> {
    if check_name {
        let taken: i64 = call.tx.query_row(
            // Without case, as the server's table collation compares.
            "SELECT COUNT(*) FROM pods WHERE zone_id = ?1 AND name = ?2 COLLATE NOCASE AND id != ?3",
            [spec.zone_id, spec.name, spec.id],
            |r| r.get(0),
        )?;
        if taken > 0 {
            return Err(ApiError::param(format!(
                "A pod with name: {} already exists in zone {}. Please specify a different pod name. ",
                spec.name, spec.zone_id
            )));
        }
    }
    let overlapping = sql::objects(
        call.tx,
        "SELECT address FROM network_public_ips WHERE zone_id = ?1 AND address_num BETWEEN ?2 AND ?3 ORDER BY address_num LIMIT 1",
        &[
            sql::text(spec.zone_id),
            i64::from(spec.range.0).into(),
            i64::from(spec.range.1).into(),
        ],
    )?;
    if let Some(address) = overlapping
        .first()
        .and_then(|r| r.get("address"))
        .and_then(Value::as_str)
    {
        return Err(ApiError::param(format!(
            "The Start IP and endIP address range overlap with Public IP :{address}"
        )));
    }
    let gateway = ip::parse(spec.gateway)
        .ok_or_else(|| ApiError::param("The gateway is not a valid IP address."))?;
    if !ip::in_subnet(gateway, spec.net, spec.prefix) {
        return Err(ApiError::param("The gateway is not in the CIDR subnet."));
    }
    if ip::overlaps(spec.range, (gateway, gateway)) {
        return Err(ApiError::param(
            "The gateway shouldn't overlap start/end ip addresses",
        ));
    }
    if crate::families::identity::api::setting_flag(call.tx, "check.pod.cidrs", &[])? {
        let others = sql::objects(
            call.tx,
            "SELECT name, cidr FROM pods WHERE zone_id = ?1 AND id != ?2",
            &[sql::text(spec.zone_id), sql::text(spec.id)],
        )?;
        for other in others {
            let cidr = other
                .get("cidr")
                .and_then(Value::as_str)
                .and_then(ip::parse_cidr);
            if let Some((other_net, other_prefix)) = cidr {
                let shortest = spec.prefix.min(other_prefix);
                if ip::in_subnet(spec.net, other_net, shortest) {
                    let other_name = other
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    return Err(ApiError::param(format!(
                        "The subnet of pod {} is overlapping with the subnet of pod {other_name}.",
                        spec.name
                    )));
                }
            }
        }
    }
    Ok(())
}

fn pod_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = store::pod_query().one(call.tx, "p.id", id)?;
    Ok(store::finish_pod(row))
}

/// `createPod`.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let zone = store::zone(call.tx, "zoneid", call.required("zoneid")?)?;
    let name = call.required("name")?.to_string();
    let gateway = p.get("gateway").unwrap_or_default().to_string();
    if ip::parse(&gateway).is_none() {
        return Err(ApiError::param("The gateway is invalid"));
    }
    let netmask = p.get("netmask").unwrap_or_default().to_string();
    let prefix =
        ip::prefix_of_netmask(&netmask).ok_or_else(|| ApiError::param("The netmask is invalid"))?;
    if zone.allocation_state == "Disabled" && !call.caller.is_root_admin() {
        return Err(ApiError::permission(format!(
            "Cannot perform this operation, Zone is currently disabled: {}",
            zone.id
        )));
    }
    let net = ip::parse(&gateway).unwrap_or(0) & ip::netmask_of_prefix(prefix);
    let start = p
        .str("startip")
        .ok_or_else(|| ApiError::param("Start ip is required parameter"))?
        .to_string();
    // Without `endip` the range ends just below the broadcast address
    // (ConfigurationManagerImpl.createPod: NetUtils.getIpRangeEndIpFromCidr).
    let end = match p.str("endip") {
        Some(end) => end.to_string(),
        None => ip::format((net | !ip::netmask_of_prefix(prefix)).wrapping_sub(1)),
    };
    let range = check_ip_range(&start, &end, net, prefix)?;
    let id = ids::new_id();
    check_pod(
        call,
        &PodSpec {
            id: &id,
            name: &name,
            zone_id: &zone.id,
            gateway: &gateway,
            prefix,
            net,
            range,
        },
        true,
    )?;
    let state = p
        .str("allocationstate")
        .map(super::allocation_state)
        .transpose()?
        .unwrap_or("Enabled");
    call.tx.execute(
        "INSERT INTO pods (id, zone_id, name, gateway, netmask, cidr, start_ip, end_ip, allocation_state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![id, zone.id, name, gateway, netmask, ip::cidr_text(net, prefix), start, end, state, call.timestamp()],
    )?;
    event_log::completed(
        call,
        "POD.CREATE",
        &format!("creating Pod. Pod Name: {name}"),
        Subject::of("Pod", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "pod",
        value: pod_json(call, &id)?,
    })
}

/// `updatePod`: name, gateway/netmask and allocation state.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let pod = store::pod(call.tx, "id", &id)?;
    let name = p.str("name").unwrap_or(&pod.name).to_string();
    let gateway = p.str("gateway").unwrap_or(&pod.gateway).to_string();
    let netmask = p.str("netmask").unwrap_or(&pod.netmask).to_string();
    let prefix =
        ip::prefix_of_netmask(&netmask).ok_or_else(|| ApiError::param("The netmask is invalid"))?;
    let gateway_n = ip::parse(&gateway)
        .ok_or_else(|| ApiError::param("The gateway is not a valid IP address."))?;
    let net = gateway_n & ip::netmask_of_prefix(prefix);
    let state = p
        .str("allocationstate")
        .map(super::allocation_state)
        .transpose()?;
    let start = ip::parse(&pod.start_ip).unwrap_or(0);
    let end = ip::parse(&pod.end_ip).unwrap_or(0);
    if !ip::in_subnet(start, net, prefix) {
        return Err(ApiError::param(
            "The start address of the some IP range is not in the CIDR subnet.",
        ));
    }
    if !ip::in_subnet(end, net, prefix) {
        return Err(ApiError::param(
            "The end address of the some IP range is not in the CIDR subnet.",
        ));
    }
    if ip::overlaps((start, end), (gateway_n, gateway_n)) {
        return Err(ApiError::param(
            "The gateway shouldn't overlap some start/end ip addresses",
        ));
    }
    let spec = PodSpec {
        id: &id,
        name: &name,
        zone_id: &pod.zone_id,
        gateway: &gateway,
        prefix,
        net,
        range: (start, end),
    };
    check_pod(call, &spec, name != pod.name)?;
    call.tx.execute(
        "UPDATE pods SET name = ?2, gateway = ?3, netmask = ?4, cidr = ?5, allocation_state = COALESCE(?6, allocation_state)
         WHERE id = ?1",
        params![id, name, gateway, netmask, ip::cidr_text(net, prefix), state],
    )?;
    event_log::completed(
        call,
        "POD.EDIT",
        &format!("updating Pod. Pod Id: {id}"),
        Subject::of("Pod", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "pod",
        value: pod_json(call, &id)?,
    })
}

/// `deletePod`: refused while volumes, hosts, VMs or clusters remain.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let pod = store::pod(call.tx, "id", &id)?;
    let because =
        |what: &str| ApiError::internal(format!("The pod cannot be deleted because {what}"));
    if referenced(call, "storage_volumes", "pod_id", &id, "")? {
        return Err(because("there are storage volumes in this pod."));
    }
    if sql::count(call.tx, "SELECT COUNT(*) FROM hosts WHERE pod_id = ?1", &id)? > 0 {
        return Err(because("there are servers in this pod."));
    }
    if referenced(call, "compute_vms", "pod_id", &id, "")? {
        return Err(because("there are virtual machines in this pod."));
    }
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM clusters WHERE pod_id = ?1",
        &id,
    )? > 0
    {
        return Err(because("there are clusters in this pod."));
    }
    call.tx
        .execute("DELETE FROM vlans WHERE pod_id = ?1", [&id])?;
    call.tx
        .execute("DELETE FROM storage_pools WHERE pod_id = ?1", [&id])?;
    call.tx.execute("DELETE FROM pods WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "POD.DELETE",
        &format!("deleting Pod. Pod Id: {id}"),
        Subject::of("Pod", &id, &pod.name),
    )?;
    Ok(Reply::Success(None))
}

/// `listPods`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::pod_query();
    query.eq("p.id", p.str("id"));
    query.eq("p.name", p.str("name"));
    query.eq("p.zone_id", p.str("zoneid"));
    query.eq_nocase("p.allocation_state", p.str("allocationstate"));
    query.keyword(&["p.name"], p.str("keyword"));
    query.order("p.created, p.rowid");
    query.list(call, "pod", |_, row| Ok(store::finish_pod(row)))
}

/// The first free address of a pod's subnet outside its reserved range and
/// gateway (hosts take their management IP from it).
pub(crate) fn next_host_address(call: &Call<'_>, pod: &store::PodRow) -> Result<String, ApiError> {
    let (net, prefix) =
        ip::parse_cidr(&pod.cidr).ok_or_else(|| ApiError::internal("pod without a valid CIDR"))?;
    let start = ip::parse(&pod.start_ip).unwrap_or(0);
    let end = ip::parse(&pod.end_ip).unwrap_or(0);
    let gateway = ip::parse(&pod.gateway).unwrap_or(0);
    let broadcast = net | !ip::netmask_of_prefix(prefix);
    let used: Vec<u32> = sql::objects(
        call.tx,
        "SELECT ip_address FROM hosts WHERE pod_id = ?1",
        &[sql::text(&pod.id)],
    )?
    .iter()
    .filter_map(|r| {
        r.get("ip_address")
            .and_then(Value::as_str)
            .and_then(ip::parse)
    })
    .collect();
    // Outside the reserved range first; a pod whose reserved range fills
    // its subnet (setup/dev/basic.cfg's POD0: .2 to .254 of a /24) gives its
    // hosts addresses from that range, as the simulator's agent
    // (MockAgentManagerImpl) picks them from the pod's CIDR.
    let free = |a: &u32| *a != gateway && !used.contains(a);
    (net.saturating_add(1)..broadcast)
        .find(|a| free(a) && !(start..=end).contains(a))
        .or_else(|| {
            (start.max(net.saturating_add(1))..=end.min(broadcast.saturating_sub(1)))
                .rev()
                .find(free)
        })
        .map(ip::format)
        .ok_or_else(|| {
            ApiError::capacity(format!(
                "No free management address left in pod {}",
                pod.name
            ))
        })
}
