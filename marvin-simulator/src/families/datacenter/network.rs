//! Physical networks with their traffic types, network service providers,
//! virtual router elements and guest VLANs.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::sql;

use super::store;
use super::zones::referenced;

/// Providers CloudStack knows, with the services they offer.
const PROVIDERS: &[(&str, &str)] = &[
    (
        "VirtualRouter",
        "Dhcp,Dns,UserData,Firewall,Gateway,Lb,SourceNat,StaticNat,PortForwarding,Vpn",
    ),
    (
        "VpcVirtualRouter",
        "Dhcp,Dns,UserData,Gateway,Lb,NetworkACL,SourceNat,StaticNat,PortForwarding,Vpn",
    ),
    ("InternalLbVm", "Lb"),
    ("SecurityGroupProvider", "SecurityGroup"),
    ("ConfigDrive", "UserData"),
    ("Netscaler", "Lb,StaticNat,Gateway"),
    ("F5BigIp", "Lb"),
    (
        "JuniperSRX",
        "Firewall,Gateway,SourceNat,StaticNat,PortForwarding",
    ),
    (
        "PaloAlto",
        "Firewall,Gateway,SourceNat,StaticNat,PortForwarding",
    ),
    ("Ovs", "Connectivity"),
    (
        "NiciraNvp",
        "Connectivity,Gateway,SourceNat,StaticNat,PortForwarding",
    ),
    ("BigSwitchBcf", "Connectivity"),
    ("BaremetalDhcpProvider", "Dhcp"),
    ("BaremetalPxeProvider", "UserData"),
    ("BaremetalUserdataProvider", "UserData"),
    ("Opendaylight", "Connectivity"),
    ("GloboDns", "Dns"),
    (
        "Tungsten",
        "Dhcp,Dns,Connectivity,Firewall,Lb,SourceNat,StaticNat,PortForwarding,SecurityGroup",
    ),
    (
        "Nsx",
        "Dhcp,Dns,Connectivity,Firewall,Lb,SourceNat,StaticNat,PortForwarding,NetworkACL",
    ),
    (
        "Netris",
        "Dhcp,Dns,Connectivity,Firewall,Lb,SourceNat,StaticNat,PortForwarding,NetworkACL",
    ),
];

const ISOLATION_METHODS: &[&str] = &[
    "VLAN",
    "L3",
    "GRE",
    "STT",
    "BCF_SEGMENT",
    "MIDO",
    "SSP",
    "VXLAN",
    "ODL",
    "L3VPN",
    "VSP",
    "VCS",
    "TF",
    "NSX",
    "NETRIS",
];

/// The guest VLAN ids CloudStack accepts on VLAN-isolated networks.
const MIN_VNET: i64 = 0;
const MAX_VNET: i64 = 4095;

fn provider_services(name: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(name))
        .map(|(_, s)| *s)
}

fn canonical_provider(name: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(name))
        .map(|(p, _)| *p)
}

/// Adds a provider (and its router element when it has one).
pub(crate) fn insert_provider(
    tx: &Transaction<'_>,
    physical_network_id: &str,
    name: &str,
    state: &str,
    services: &str,
    element_enabled: bool,
) -> Result<String, ApiError> {
    let id = ids::new_id();
    tx.execute(
        "INSERT INTO network_service_providers (id, physical_network_id, name, state, services)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, physical_network_id, name, state, services],
    )?;
    let kind = match name {
        "VirtualRouter" => Some("VirtualRouter"),
        "VpcVirtualRouter" => Some("VPCVirtualRouter"),
        "InternalLbVm" => Some(super::internal_lb::KIND),
        _ => None,
    };
    if let Some(kind) = kind {
        tx.execute(
            "INSERT INTO virtual_router_elements (id, nsp_id, kind, enabled) VALUES (?1, ?2, ?3, ?4)",
            params![ids::new_id(), id, kind, element_enabled],
        )?;
    }
    Ok(id)
}

/// The providers every new physical network gets (ConfigDrive enabled, the
/// others disabled until configured).
pub(crate) fn add_default_providers(
    tx: &Transaction<'_>,
    physical_network_id: &str,
    enabled: bool,
) -> Result<(), ApiError> {
    for name in [
        "VirtualRouter",
        "SecurityGroupProvider",
        "VpcVirtualRouter",
        "InternalLbVm",
        "ConfigDrive",
    ] {
        let on = (enabled && name != "SecurityGroupProvider") || name == "ConfigDrive";
        let services = provider_services(name).unwrap_or_default();
        insert_provider(
            tx,
            physical_network_id,
            name,
            if on { "Enabled" } else { "Disabled" },
            services,
            on,
        )?;
    }
    Ok(())
}

/// Parses guest VLAN ranges (`100-199,300-310`) as CloudStack validates them.
pub(crate) fn parse_vnet_ranges(text: &str) -> Result<Vec<(i64, i64)>, ApiError> {
    let between = format!(" between {MIN_VNET} and {MAX_VNET}");
    let mut ranges = Vec::new();
    for part in text.split(',') {
        let bounds: Vec<&str> = part.split('-').collect();
        if bounds.len() == 1 && bounds[0].trim().is_empty() {
            return Ok(ranges);
        }
        if bounds.len() < 2 {
            return Err(ApiError::param(format!(
                "Please provide valid vnet range. vnet range should be a comma separated list of vlan ranges. \
                 example 500-500,600-601{between}"
            )));
        }
        let (Ok(start), Ok(end)) = (
            bounds[0].trim().parse::<i64>(),
            bounds[1].trim().parse::<i64>(),
        ) else {
            return Err(ApiError::param(format!(
                "Please provide valid vnet range. The vnet range should be a comma separated list example \
                 2001-2012,3000-3005.{between}"
            )));
        };
        if start < MIN_VNET || end > MAX_VNET {
            return Err(ApiError::param(format!("Vnet range has to be{between}")));
        }
        if start > end {
            return Err(ApiError::param(format!(
                "Vnet range has to be{between} and start range should be lesser than or equal to stop range"
            )));
        }
        ranges.push((start, end));
    }
    Ok(ranges)
}

/// `100-199,300-300` from a set of ids.
fn ranges_text(vnets: &BTreeSet<i64>) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut iter = vnets.iter().copied();
    let mut start = iter.next()?;
    let mut end = start;
    for v in iter {
        if v == end + 1 {
            end = v;
        } else {
            out.push(format!("{start}-{end}"));
            start = v;
            end = v;
        }
    }
    out.push(format!("{start}-{end}"));
    Some(out.join(","))
}

/// Makes the guest VLANs of a physical network exactly `text`; removing
/// VLANs that networks hold is refused.
pub(crate) fn set_vnets(
    tx: &Transaction<'_>,
    physical_network_id: &str,
    text: &str,
) -> Result<(), ApiError> {
    let ranges = parse_vnet_ranges(text)?;
    let (zone_id, name): (String, String) = tx.query_row(
        "SELECT zone_id, name FROM physical_networks WHERE id = ?1",
        [physical_network_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let wanted: BTreeSet<i64> = ranges.iter().flat_map(|(a, b)| *a..=*b).collect();
    let existing: BTreeSet<i64> = {
        let mut stmt =
            tx.prepare_cached("SELECT vnet FROM guest_vnets WHERE physical_network_id = ?1")?;
        let rows = stmt.query_map([physical_network_id], |r| r.get::<_, i64>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let removed: BTreeSet<i64> = existing.difference(&wanted).copied().collect();
    if wanted.is_empty() && !existing.is_empty() {
        let in_use = sql::count(
            tx,
            "SELECT COUNT(*) FROM guest_vnets WHERE physical_network_id = ?1 AND taken IS NOT NULL",
            physical_network_id,
        )?;
        if in_use > 0 {
            return Err(ApiError::param(format!(
                "physicalnetwork {name} has {in_use} vnets in use"
            )));
        }
    }
    if let Some(removed_text) = ranges_text(&removed) {
        for range in removed_text.split(',') {
            let (a, b) = range.split_once('-').unwrap_or((range, range));
            let taken: i64 = tx.query_row(
                "SELECT COUNT(*) FROM guest_vnets
                 WHERE physical_network_id = ?1 AND vnet BETWEEN ?2 AND ?3 AND taken IS NOT NULL",
                params![
                    physical_network_id,
                    a.parse::<i64>().unwrap_or(0),
                    b.parse::<i64>().unwrap_or(0)
                ],
                |r| r.get(0),
            )?;
            if taken > 0 {
                return Err(ApiError::param(format!(
                    "physicalnetwork {name} has allocated vnets in the range {range}"
                )));
            }
        }
        let mut delete = tx.prepare_cached(
            "DELETE FROM guest_vnets WHERE physical_network_id = ?1 AND vnet = ?2",
        )?;
        for vnet in &removed {
            delete.execute(params![physical_network_id, vnet])?;
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO guest_vnets (physical_network_id, zone_id, vnet) VALUES (?1, ?2, ?3)",
    )?;
    for vnet in wanted.difference(&existing) {
        insert.execute(params![physical_network_id, zone_id, vnet])?;
    }
    tx.execute(
        "UPDATE physical_networks SET vlan = ?2 WHERE id = ?1",
        params![physical_network_id, ranges_text(&wanted)],
    )?;
    Ok(())
}

fn physical_network_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    store::physical_network_query()
        .one(call.tx, "p.id", id)
        .map(serde_json::Value::Object)
}

/// `createPhysicalNetwork` (async, created at once): a Disabled network with
/// the default providers.
pub(crate) fn create_physical_network(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let zone = store::zone(call.tx, "zoneid", call.required("zoneid")?)?;
    let name = call.required("name")?.to_string();
    if zone.network_type == "Basic"
        && sql::count(
            call.tx,
            "SELECT COUNT(*) FROM physical_networks WHERE zone_id = ?1",
            &zone.id,
        )? > 0
    {
        return Err(ApiError::param(format!(
            "Cannot add the physical network to basic zone id: {}, there is a physical network already existing in \
             this basic Zone",
            zone.id
        )));
    }
    let tags = p.list("tags");
    if tags.len() > 1 {
        return Err(ApiError::param(
            "Only one tag can be specified for a physical network at this time",
        ));
    }
    let mut methods = Vec::new();
    for method in p.list("isolationmethods") {
        let known = ISOLATION_METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&method))
            .ok_or_else(|| ApiError::param(format!("Invalid isolation method {method}")))?;
        methods.push(*known);
    }
    if methods.is_empty() {
        methods.push("VLAN");
    }
    let range = match p.str("broadcastdomainrange") {
        Some(r) if r.eq_ignore_ascii_case("ZONE") => "ZONE",
        Some(r) if r.eq_ignore_ascii_case("POD") => "POD",
        Some(other) => {
            return Err(ApiError::param(format!(
                "Invalid broadcast domain range {other}"
            )));
        }
        None if zone.network_type == "Basic" => "POD",
        None => "ZONE",
    };
    let vlan = p.str("vlan").map(String::from);
    if let Some(v) = &vlan {
        parse_vnet_ranges(v)?;
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO physical_networks (id, zone_id, name, isolation_methods, broadcast_domain_range, network_speed,
                                        tags, state, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'Disabled', ?8, ?9)",
        params![
            id,
            zone.id,
            name,
            methods.join(","),
            range,
            p.str("networkspeed"),
            tags.first(),
            p.str("domainid"),
            call.timestamp()
        ],
    )?;
    if let Some(v) = &vlan {
        set_vnets(call.tx, &id, v)?;
    }
    add_default_providers(call.tx, &id, false)?;
    Ok(Reply::Job(
        jobs::object_job(
            "PhysicalNetwork",
            &id,
            "physicalnetwork",
            physical_network_json,
        )
        .with_event(
            "PHYSICAL.NETWORK.CREATE",
            format!("Creating Physical Network. Name: {name}"),
        ),
    ))
}

/// `updatePhysicalNetwork` (async): state, guest VLAN ranges, speed, tags.
pub(crate) fn update_physical_network(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    physical_network_json(call, &id)?;
    let state = match call.params.str("state") {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => Some("Enabled"),
        Some(s) if s.eq_ignore_ascii_case("Disabled") => Some("Disabled"),
        Some(other) => {
            return Err(ApiError::param(format!(
                "Unable to resolve state '{other}' to a supported value {{Enabled or Disabled}}"
            )));
        }
        None => None,
    };
    let tags = call.params.list("tags");
    if tags.len() > 1 {
        return Err(ApiError::param(
            "Unable to support more than one tag on network yet",
        ));
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "PhysicalNetwork",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let id = job_id;
                if let Some(vlan) = call.params.get("vlan") {
                    set_vnets(call.tx, &id, vlan)?;
                }
                if let Some(state) = state {
                    call.tx.execute(
                        "UPDATE physical_networks SET state = ?2 WHERE id = ?1",
                        params![id, state],
                    )?;
                }
                if let Some(speed) = call.params.str("networkspeed") {
                    call.tx.execute(
                        "UPDATE physical_networks SET network_speed = ?2 WHERE id = ?1",
                        params![id, speed],
                    )?;
                }
                // `tags` given empty clears them: the server reads it as an
                // empty list and stores that (NetworkServiceImpl
                // .updatePhysicalNetwork sets any list that is not null).
                if call.params.get("tags").is_some() {
                    call.tx.execute(
                        "UPDATE physical_networks SET tags = ?2 WHERE id = ?1",
                        params![id, call.params.list("tags").first()],
                    )?;
                }
                Ok(Reply::Object {
                    key: "physicalnetwork",
                    value: physical_network_json(call, &id)?,
                })
            }),
        )
        .with_event("PHYSICAL.NETWORK.UPDATE", "updating physical network"),
    ))
}

/// `deletePhysicalNetwork` (async): refused while VLANs, networks or public
/// IPs are in use; removes its ranges, VLANs, providers and traffic types.
pub(crate) fn delete_physical_network(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    physical_network_json(call, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "PhysicalNetwork",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let id = job_id;
                let because = |what: &str| ApiError::internal(format!("The Physical Network is not deletable because {what}"));
                if sql::count(call.tx, "SELECT COUNT(*) FROM guest_vnets WHERE physical_network_id = ?1 AND taken IS NOT NULL", &id)? > 0 {
                    return Err(because("there are allocated vnets for this physical network"));
                }
                if referenced(call, "network_networks", "physical_network_id", &id, "")? {
                    return Err(because("there are networks associated to this physical network"));
                }
                if sql::count(call.tx, "SELECT COUNT(*) FROM network_public_ips WHERE physical_network_id = ?1 AND state != 'Free'", &id)? > 0 {
                    return Err(because("there are public IP addresses allocated for this physical network"));
                }
                call.tx.execute("DELETE FROM vlans WHERE physical_network_id = ?1", [&id])?;
                call.tx.execute("DELETE FROM guest_vnets WHERE physical_network_id = ?1", [&id])?;
                call.tx.execute(
                    "DELETE FROM virtual_router_elements WHERE nsp_id IN
                        (SELECT id FROM network_service_providers WHERE physical_network_id = ?1)",
                    [&id],
                )?;
                call.tx.execute("DELETE FROM network_service_providers WHERE physical_network_id = ?1", [&id])?;
                call.tx.execute("DELETE FROM traffic_types WHERE physical_network_id = ?1", [&id])?;
                call.tx.execute("DELETE FROM physical_networks WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("PHYSICAL.NETWORK.DELETE", "deleting physical network"),
    ))
}

/// `listPhysicalNetworks`.
pub(crate) fn list_physical_networks(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = store::physical_network_query();
    query.eq("p.id", call.params.str("id"));
    query.eq("p.name", call.params.str("name"));
    query.eq("p.zone_id", call.params.str("zoneid"));
    query.keyword(&["p.name"], call.params.str("keyword"));
    query.order("p.created, p.rowid");
    query.list_plain(call, "physicalnetwork")
}

fn traffic_type_name(value: &str) -> Result<&'static str, ApiError> {
    ["Guest", "Public", "Management", "Storage", "Control"]
        .into_iter()
        .find(|t| t.eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            ApiError::param(format!(
                "Unable to resolve trafficType {value} to a supported value"
            ))
        })
}

const LABELS: [(&str, &str); 5] = [
    ("kvmnetworklabel", "kvm_label"),
    ("xennetworklabel", "xen_label"),
    ("vmwarenetworklabel", "vmware_label"),
    ("hypervnetworklabel", "hyperv_label"),
    ("ovm3networklabel", "ovm3_label"),
];

fn traffic_type_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    store::traffic_type_query()
        .one(call.tx, "t.id", id)
        .map(serde_json::Value::Object)
}

/// `addTrafficType` (async, created at once).
pub(crate) fn add_traffic_type(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network_id = call.required("physicalnetworkid")?.to_string();
    let (zone_id, network_name): (String, String) = call
        .tx
        .query_row(
            "SELECT zone_id, name FROM physical_networks WHERE id = ?1",
            [&network_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("physicalnetworkid", &network_id))?;
    let traffic = traffic_type_name(call.required("traffictype")?)?;
    let already: i64 = call.tx.query_row(
        "SELECT COUNT(*) FROM traffic_types WHERE physical_network_id = ?1 AND traffic_type = ?2",
        [&network_id, traffic],
        |r| r.get(0),
    )?;
    if already > 0 {
        return Err(ApiError::internal(format!(
            "This physical network already supports the traffic type: {traffic}"
        )));
    }
    if traffic != "Guest" {
        let elsewhere: i64 = call.tx.query_row(
            "SELECT COUNT(*) FROM traffic_types t JOIN physical_networks p ON p.id = t.physical_network_id
             WHERE p.zone_id = ?1 AND t.traffic_type = ?2",
            [&zone_id, traffic],
            |r| r.get(0),
        )?;
        if elsewhere > 0 {
            return Err(ApiError::internal(format!(
                "Fail to add the traffic type to physical network because Zone already has a physical network with \
                 this traffic type: {traffic}"
            )));
        }
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO traffic_types (id, physical_network_id, traffic_type, vlan) VALUES (?1, ?2, ?3, ?4)",
        params![id, network_id, traffic, call.params.str("vlan")],
    )?;
    for (param, column) in LABELS {
        if let Some(label) = call.params.str(param) {
            call.tx.execute(
                &format!("UPDATE traffic_types SET {column} = ?2 WHERE id = ?1"),
                params![id, label],
            )?;
        }
    }
    Ok(Reply::Job(
        jobs::object_job("TrafficType", &id, "traffictype", traffic_type_json).with_event(
            "TRAFFIC.TYPE.CREATE",
            format!("Adding physical network traffic type: {traffic} to {network_name}"),
        ),
    ))
}

/// `updateTrafficType` (async): the hypervisor labels.
pub(crate) fn update_traffic_type(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    traffic_type_json(call, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "TrafficType",
            id,
            Box::new(move |call: &mut Call<'_>| {
                for (param, column) in LABELS {
                    if let Some(label) = call.params.get(param) {
                        let label = (!label.is_empty()).then_some(label);
                        call.tx.execute(
                            &format!("UPDATE traffic_types SET {column} = ?2 WHERE id = ?1"),
                            params![job_id, label],
                        )?;
                    }
                }
                Ok(Reply::Object {
                    key: "traffictype",
                    value: traffic_type_json(call, &job_id)?,
                })
            }),
        )
        .with_event(
            "TRAFFIC.TYPE.UPDATE",
            "Updating physical network TrafficType",
        ),
    ))
}

/// `deleteTrafficType` (async).
pub(crate) fn delete_traffic_type(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    traffic_type_json(call, &id)?;
    Ok(Reply::Job(
        jobs::delete_job("TrafficType", "traffic_types", &id).with_event(
            "TRAFFIC.TYPE.DELETE",
            "Deleting physical network TrafficType",
        ),
    ))
}

/// `listTrafficTypes` (by physical network).
pub(crate) fn list_traffic_types(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network_id = call.required("physicalnetworkid")?.to_string();
    if !sql::exists(call.tx, "physical_networks", &network_id)? {
        return Err(ApiError::invalid_id("physicalnetworkid", &network_id));
    }
    let mut query = store::traffic_type_query();
    query.eq("t.physical_network_id", Some(&network_id));
    query.keyword(&["t.traffic_type"], call.params.str("keyword"));
    query.order("t.rowid");
    query.list_plain(call, "traffictype")
}

fn provider_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    let row = store::provider_query().one(call.tx, "n.id", id)?;
    Ok(store::finish_provider(row))
}

fn check_services(provider: &str, services: &[String]) -> Result<String, ApiError> {
    let offered = provider_services(provider).unwrap_or_default();
    for service in services {
        if !offered.split(',').any(|s| s.eq_ignore_ascii_case(service)) {
            return Err(ApiError::param(format!(
                "Provider {provider} does not support service {service}"
            )));
        }
    }
    Ok(services.join(","))
}

/// `addNetworkServiceProvider` (async, created at once, Disabled).
pub(crate) fn add_provider(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network_id = call.required("physicalnetworkid")?.to_string();
    let network_name: String = call
        .tx
        .query_row(
            "SELECT name FROM physical_networks WHERE id = ?1",
            [&network_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("physicalnetworkid", &network_id))?;
    if let Some(dest) = call.params.str("destinationphysicalnetworkid") {
        if !sql::exists(call.tx, "physical_networks", dest)? {
            return Err(ApiError::invalid_id("destinationphysicalnetworkid", dest));
        }
    }
    let raw = call.required("name")?;
    let name = canonical_provider(raw)
        .ok_or_else(|| ApiError::param(format!("Invalid Network Service Provider={raw}")))?;
    let exists: i64 = call.tx.query_row(
        "SELECT COUNT(*) FROM network_service_providers WHERE physical_network_id = ?1 AND name = ?2",
        [&network_id, name],
        |r| r.get(0),
    )?;
    if exists > 0 {
        return Err(ApiError::internal(format!(
            "The '{name}' provider already exists on physical network : {network_name}"
        )));
    }
    let requested = call.params.list("servicelist");
    let services = if requested.is_empty() {
        provider_services(name).unwrap_or_default().to_string()
    } else {
        check_services(name, &requested)?
    };
    let id = insert_provider(call.tx, &network_id, name, "Disabled", &services, false)?;
    if let Some(dest) = call.params.str("destinationphysicalnetworkid") {
        call.tx.execute(
            "UPDATE network_service_providers SET dest_physical_network_id = ?2 WHERE id = ?1",
            params![id, dest],
        )?;
    }
    Ok(Reply::Job(
        jobs::object_job(
            "PhysicalNetworkServiceProvider",
            &id,
            "networkserviceprovider",
            provider_json,
        )
        .with_event(
            "SERVICE.PROVIDER.CREATE",
            "Creating Physical Network ServiceProvider",
        ),
    ))
}

/// `updateNetworkServiceProvider` (async): a router provider can only be
/// enabled once its element is enabled (configureVirtualRouterElement).
pub(crate) fn update_provider(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let current = provider_json(call, &id)?;
    let name = current["name"].as_str().unwrap_or_default().to_string();
    let state = match call.params.str("state") {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => Some("Enabled"),
        Some(s) if s.eq_ignore_ascii_case("Disabled") => Some("Disabled"),
        Some(s) if s.eq_ignore_ascii_case("Shutdown") => Some("Shutdown"),
        Some(other) => {
            return Err(ApiError::param(format!(
                "Unable to resolve state '{other}' to a supported value {{Enabled or Disabled}}"
            )));
        }
        None => None,
    };
    let requested = call.params.list("servicelist");
    let services = if requested.is_empty() {
        None
    } else {
        Some(check_services(&name, &requested)?)
    };
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "PhysicalNetworkServiceProvider",
            id,
            Box::new(move |call: &mut Call<'_>| {
                if state == Some("Enabled") {
                    let not_ready: Option<i64> = call
                        .tx
                        .query_row(
                            "SELECT COUNT(*) FROM virtual_router_elements WHERE nsp_id = ?1 AND enabled = 1",
                            [&job_id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let has_element = sql::count(call.tx, "SELECT COUNT(*) FROM virtual_router_elements WHERE nsp_id = ?1", &job_id)? > 0;
                    if has_element && not_ready == Some(0) {
                        return Err(ApiError::internal(
                            "Provider is not ready, cannot Enable the provider, please configure the provider first",
                        ));
                    }
                }
                if let Some(state) = state {
                    call.tx.execute("UPDATE network_service_providers SET state = ?2 WHERE id = ?1", params![job_id, state])?;
                }
                if let Some(services) = &services {
                    call.tx.execute("UPDATE network_service_providers SET services = ?2 WHERE id = ?1", params![job_id, services])?;
                }
                Ok(Reply::Object { key: "networkserviceprovider", value: provider_json(call, &job_id)? })
            }),
        )
        .with_event("SERVICE.PROVIDER.UPDATE", "Updating physical network ServiceProvider"),
    ))
}

/// `deleteNetworkServiceProvider` (async).
pub(crate) fn delete_provider(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    provider_json(call, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "PhysicalNetworkServiceProvider",
            id,
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute(
                    "DELETE FROM virtual_router_elements WHERE nsp_id = ?1",
                    [&job_id],
                )?;
                call.tx.execute(
                    "DELETE FROM network_service_providers WHERE id = ?1",
                    [&job_id],
                )?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "SERVICE.PROVIDER.DELETE",
            "Deleting physical network ServiceProvider",
        ),
    ))
}

/// `listNetworkServiceProviders`.
pub(crate) fn list_providers(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = store::provider_query();
    query.eq(
        "n.physical_network_id",
        call.params.str("physicalnetworkid"),
    );
    query.eq_nocase("n.name", call.params.str("name"));
    query.eq_nocase("n.state", call.params.str("state"));
    query.keyword(&["n.name"], call.params.str("keyword"));
    query.order("n.rowid");
    query.list(call, "networkserviceprovider", |_, row| {
        Ok(store::finish_provider(row))
    })
}

/// `listVirtualRouterElements`.
pub(crate) fn list_router_elements(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = store::router_element_query();
    query.eq("e.id", call.params.str("id"));
    query.eq("e.nsp_id", call.params.str("nspid"));
    query.flag("e.enabled", call.params.bool("enabled"));
    query.and("e.kind != ?", [sql::text(super::internal_lb::KIND)]);
    query.order("e.rowid");
    query.list_plain(call, "virtualrouterelement")
}

/// `configureVirtualRouterElement` (async): enables or disables the element.
pub(crate) fn configure_router_element(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    store::router_element_query().one(call.tx, "e.id", &id)?;
    let enabled = call.params.flag("enabled", false);
    let job_id = id;
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            call.tx.execute(
                "UPDATE virtual_router_elements SET enabled = ?2 WHERE id = ?1",
                params![job_id, enabled],
            )?;
            Ok(Reply::Object {
                key: "virtualrouterelement",
                value: serde_json::Value::Object(
                    store::router_element_query().one(call.tx, "e.id", &job_id)?,
                ),
            })
        }))
        .with_event(
            "NETWORK.ELEMENT.CONFIGURE",
            "configuring virtual router provider",
        ),
    ))
}
