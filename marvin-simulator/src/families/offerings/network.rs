//! Network offerings and VPC offerings: the services a network gets and
//! who provides them.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::jobs;
use crate::kernel::sql;

use super::store;

/// Every network service CloudStack knows.
pub(crate) const SERVICES: &[&str] = &[
    "Vpn",
    "Dhcp",
    "Dns",
    "Gateway",
    "Firewall",
    "Lb",
    "UserData",
    "SourceNat",
    "StaticNat",
    "PortForwarding",
    "SecurityGroup",
    "NetworkACL",
    "Connectivity",
];

/// Every provider name CloudStack resolves.
pub(crate) const PROVIDERS: &[&str] = &[
    "VirtualRouter",
    "VpcVirtualRouter",
    "JuniperContrailRouter",
    "JuniperContrailVpcRouter",
    "JuniperSRX",
    "PaloAlto",
    "F5BigIp",
    "Netscaler",
    "ExternalDhcpServer",
    "ExternalGateWay",
    "ElasticLoadBalancerVm",
    "SecurityGroupProvider",
    "None",
    "NiciraNvp",
    "InternalLbVm",
    "CiscoVnmc",
    "Ovs",
    "Opendaylight",
    "BrocadeVcs",
    "GloboDns",
    "ConfigDrive",
    "BigSwitchBcf",
    "Tungsten",
    "Nsx",
    "Netris",
];

fn service_name(value: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(value))
        .copied()
}

fn provider_name(value: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(value))
        .copied()
}

/// `serviceproviderlist[i].service/provider` as service → providers.
fn requested_providers(
    call: &Call<'_>,
) -> Result<BTreeMap<&'static str, Vec<&'static str>>, ApiError> {
    let mut out: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for entry in call.params.map("serviceproviderlist") {
        let (Some(service), Some(provider)) = (entry.get("service"), entry.get("provider")) else {
            continue;
        };
        let service = service_name(service)
            .ok_or_else(|| ApiError::param(format!("Invalid service {service}")))?;
        let provider = provider_name(provider)
            .ok_or_else(|| ApiError::param(format!("Invalid service provider: {provider}")))?;
        out.entry(service).or_default().push(provider);
    }
    Ok(out)
}

/// `servicecapabilitylist[i].service/capabilitytype/capabilityvalue`.
fn requested_capabilities(call: &Call<'_>) -> Vec<(String, String, String)> {
    call.params
        .map("servicecapabilitylist")
        .into_iter()
        .filter_map(|e| {
            Some((
                e.get("service")?.clone(),
                e.get("capabilitytype")?.clone(),
                e.get("capabilityvalue")?.clone(),
            ))
        })
        .collect()
}

#[derive(Debug, Default)]
struct Capabilities {
    dedicated_lb: bool,
    shared_source_nat: bool,
    redundant_router: bool,
    elastic_ip: bool,
    associate_public_ip: bool,
    elastic_lb: bool,
    inline_mode: bool,
    public_lb: bool,
    internal_lb: bool,
    stretched_l2_subnet: bool,
    public_access: bool,
}

fn capabilities(
    requested: &[(String, String, String)],
    services: &BTreeMap<&'static str, Vec<&'static str>>,
    guest_type: &str,
) -> Result<Capabilities, ApiError> {
    let mut caps = Capabilities {
        dedicated_lb: true,
        ..Capabilities::default()
    };
    let has = |s: &str| services.contains_key(s);
    for (service, kind, value) in requested {
        let lower = value.to_ascii_lowercase();
        let truth = || -> Result<bool, ApiError> {
            match (lower.contains("true"), lower.contains("false")) {
                (true, false) => Ok(true),
                (false, true) => Ok(false),
                _ => Err(ApiError::param(format!(
                    "Unknown specified value for {kind}"
                ))),
            }
        };
        match (service.as_str(), kind.as_str()) {
            ("Lb", _) if !has("Lb") => {
                return Err(ApiError::param(
                    "Capabilities for LB service can be specifed only when LB service is enabled for network offering.",
                ));
            }
            ("Lb", "SupportedLBIsolation") => {
                let (dedicated, shared) = (lower.contains("dedicated"), lower.contains("shared"));
                if dedicated == shared {
                    return Err(ApiError::param(
                        "Either dedicated or shared isolation can be specified for SupportedLBIsolation",
                    ));
                }
                caps.dedicated_lb = dedicated;
            }
            ("Lb", "ElasticLb") => caps.elastic_lb = truth()?,
            ("Lb", "InlineMode") => caps.inline_mode = truth()?,
            ("Lb", "LbSchemes") => {
                caps.internal_lb = lower.contains("internal");
                caps.public_lb = lower.contains("public");
                if !caps.internal_lb && !caps.public_lb {
                    return Err(ApiError::param("Unknown specified value for LbSchemes"));
                }
            }
            ("SourceNat", _) if !has("SourceNat") => {
                return Err(ApiError::param(
                    "Capabilities for source NAT service can be specified only when source NAT service is enabled for network offering.",
                ));
            }
            ("SourceNat", "SupportedSourceNatTypes") => {
                if lower != "peraccount" && lower != "perzone" {
                    return Err(ApiError::param(
                        "Either peraccount or perzone source NAT type can be specified for SupportedSourceNatTypes",
                    ));
                }
                caps.shared_source_nat = lower == "perzone";
            }
            ("SourceNat" | "Gateway", "RedundantRouter") => caps.redundant_router = truth()?,
            ("StaticNat", "ElasticIp") => caps.elastic_ip = truth()?,
            ("StaticNat", "AssociatePublicIP") => caps.associate_public_ip = truth()?,
            ("Connectivity", "StretchedL2Subnet") => caps.stretched_l2_subnet = truth()?,
            ("Connectivity", "PublicAccess") => {
                if guest_type != "Shared" {
                    return Err(ApiError::param(
                        "Capability PublicAccess can only be enabled for network offerings with guest type Shared.",
                    ));
                }
                caps.public_access = truth()?;
            }
            (service, kind) => {
                return Err(ApiError::param(format!(
                    "Capability {kind} can not be specified for service {service}"
                )));
            }
        }
    }
    if caps.public_lb && caps.internal_lb {
        return Err(ApiError::param(
            "Public lb and internal lb can't be enabled at the same time on the offering",
        ));
    }
    if caps.associate_public_ip && !caps.elastic_ip {
        return Err(ApiError::param(
            "Capability AssociatePublicIP can only be set when capability ElasticIp is true",
        ));
    }
    if has("Lb") && !caps.internal_lb && !caps.public_lb {
        caps.public_lb = true;
    }
    Ok(caps)
}

fn network_offering_reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    let row = store::one(call.tx, store::network_offering_query(), id, "id")?;
    Ok(Reply::Object {
        key: "networkoffering",
        value: store::finish_offering(call.tx, "network_offering_services", row)?,
    })
}

/// The offering with availability Required, if any (its seq and id).
fn required_offering(tx: &Transaction<'_>) -> Result<Option<(i64, String)>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT seq, id FROM network_offerings WHERE availability = 'Required' AND is_system = 0 AND removed IS NULL
             ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Inserts the service → provider rows of an offering.
pub(crate) fn insert_services(
    tx: &Transaction<'_>,
    table: &str,
    offering_id: &str,
    services: &BTreeMap<&'static str, Vec<&'static str>>,
) -> Result<(), ApiError> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT OR IGNORE INTO {table} (offering_id, service, provider) VALUES (?1, ?2, ?3)"
    ))?;
    for (service, providers) in services {
        if providers.is_empty() {
            stmt.execute(params![offering_id, service, Option::<&str>::None])?;
        }
        for provider in providers {
            stmt.execute(params![offering_id, service, provider])?;
        }
    }
    Ok(())
}

/// `createNetworkOffering`: Disabled until updated (or created with
/// `enable=true`).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let traffic = p.str("traffictype").unwrap_or("Guest");
    if ![
        "Public",
        "Management",
        "Control",
        "Guest",
        "Vlan",
        "Storage",
    ]
    .iter()
    .any(|t| t.eq_ignore_ascii_case(traffic))
    {
        return Err(ApiError::param(
            "Invalid value for traffictype. Supported traffic types: Public, Management, Control, Guest, Vlan or Storage",
        ));
    }
    if !traffic.eq_ignore_ascii_case("Guest") {
        return Err(ApiError::param(
            "Only traffic type Guest is supported in the current release",
        ));
    }
    let guest_type = ["Isolated", "Shared", "L2"]
        .into_iter()
        .find(|t| {
            p.str("guestiptype")
                .is_some_and(|g| g.eq_ignore_ascii_case(t))
        })
        .ok_or_else(|| {
            ApiError::param(
                "Invalid \"type\" parameter is given; can have Shared and Isolated values",
            )
        })?;
    let availability = match p.str("availability") {
        None => "Optional",
        Some(a) => ["Required", "Optional"]
            .into_iter()
            .find(|x| x.eq_ignore_ascii_case(a))
            .ok_or_else(|| {
                ApiError::param(
                    "Invalid value for Availability. Supported types: Required, Optional",
                )
            })?,
    };
    if let Some(offering) = p.str("serviceofferingid") {
        if !sql::exists(call.tx, "service_offerings", offering)? {
            return Err(ApiError::invalid_id("serviceofferingid", offering));
        }
    }

    let mut for_vpc = p.bool("forvpc");
    let mut services: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for raw in p.list("supportedservices") {
        let service = service_name(&raw)
            .filter(|s| *s != "Gateway")
            .ok_or_else(|| ApiError::param(format!("Invalid service {raw}")))?;
        if for_vpc.is_none() {
            match service {
                "SecurityGroup" | "Firewall" => for_vpc = Some(false),
                "NetworkACL" => for_vpc = Some(true),
                _ => {}
            }
        }
        if service == "SecurityGroup" {
            if guest_type != "Shared" {
                return Err(ApiError::param(
                    "Security group service is supported for network offerings with guest ip type Shared",
                ));
            }
            services.insert(service, vec!["SecurityGroupProvider"]);
            continue;
        }
        services.insert(service, Vec::new());
    }
    for (service, providers) in requested_providers(call)? {
        let Some(slot) = services.get_mut(service) else {
            return Err(ApiError::param(format!(
                "Service {service} is not enabled for the network offering, can't add a provider to it"
            )));
        };
        if service != "Lb" && providers.len() > 1 {
            return Err(ApiError::param(
                "In the current release only one provider can be specified for the service if the service is not LB",
            ));
        }
        if for_vpc.is_none()
            && providers
                .iter()
                .any(|p| matches!(*p, "VpcVirtualRouter" | "InternalLbVm"))
        {
            for_vpc = Some(true);
        }
        *slot = providers;
    }
    if services
        .get("UserData")
        .is_some_and(|p| p.contains(&"VirtualRouter"))
        && services.get("Dhcp").is_none_or(|p| p.is_empty())
    {
        return Err(ApiError::param(
            "Without VR as dhcp provider, User data can't selected for VR. Please select VR as DHCP provider ",
        ));
    }
    if let Some(providers) = services.get("SourceNat").cloned() {
        if !providers.is_empty() {
            services.insert("Gateway", providers);
        }
    }
    let caps = capabilities(&requested_capabilities(call), &services, guest_type)?;
    let egress = p.flag("egressdefaultpolicy", true);
    let firewall_provider = ["PortForwarding", "StaticNat"].iter().find_map(|s| {
        services
            .get(s)
            .filter(|p| p.contains(&"VirtualRouter"))
            .map(|_| "VirtualRouter")
    });
    if let Some(provider) = firewall_provider {
        services.insert("Firewall", vec![provider]);
    }

    let specify_vlan = p.flag("specifyvlan", false);
    let specify_ip_ranges = p.flag("specifyipranges", false);
    if specify_ip_ranges {
        if guest_type == "Isolated" && services.contains_key("SourceNat") {
            return Err(ApiError::param(
                "SpecifyIpRanges can only be true for Shared network offerings and Isolated with no SourceNat service",
            ));
        }
    } else if guest_type == "Shared" {
        return Err(ApiError::param(
            "SpecifyIpRanges should always be true for Shared network offerings",
        ));
    }
    let persistent = p.flag("ispersistent", false);
    if persistent && guest_type == "Shared" {
        return Err(ApiError::param(
            "isPersistent should be false if network offering's type is Shared",
        ));
    }
    if availability == "Required" {
        if !(guest_type == "Isolated" && services.contains_key("SourceNat")) {
            return Err(ApiError::param(
                "Availability can be Required only for networkOfferings of type Isolated and with SourceNat enabled",
            ));
        }
        if let Some((seq, _)) = required_offering(call.tx)? {
            return Err(ApiError::param(format!(
                "System already has network offering id={seq} with availability Required"
            )));
        }
    }
    let domain_ids = store::id_list(call, "domainid", "identity_domains")?;
    let zone_ids = store::id_list(call, "zoneid", "datacenter_zones")?;
    let mut details = serde_json::Map::new();
    for entry in p.map("details") {
        for (k, v) in entry {
            details.insert(k, Value::String(v));
        }
    }
    let id = ids::new_id();
    let state = if p.flag("enable", false) {
        "Enabled"
    } else {
        "Disabled"
    };
    call.tx.execute(
        "INSERT INTO network_offerings (id, name, display_text, guest_ip_type, traffic_type, availability, state,
             specify_vlan, specify_ip_ranges, conserve_mode, egress_default_policy, is_persistent, for_vpc,
             network_rate, max_connections, keep_alive, service_offering_id, tags, internet_protocol, network_mode,
             routing_mode, dedicated_lb, shared_source_nat, redundant_router, elastic_ip, associate_public_ip,
             elastic_lb, inline_mode, public_lb, internal_lb, stretched_l2_subnet, public_access, domain_ids, zone_ids,
             details, created)
         VALUES (?1, ?2, ?3, ?4, 'Guest', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)",
        params![
            id,
            name,
            display_text,
            guest_type,
            availability,
            state,
            specify_vlan,
            specify_ip_ranges,
            p.flag("conservemode", true),
            egress,
            persistent,
            for_vpc.unwrap_or(false),
            p.i64("networkrate")?.map(|r| r.max(0)),
            p.i64("maxconnections")?,
            p.flag("keepaliveenabled", false),
            p.str("serviceofferingid"),
            p.str("tags"),
            p.str("internetprotocol"),
            p.str("networkmode"),
            p.str("routingmode"),
            caps.dedicated_lb,
            caps.shared_source_nat,
            caps.redundant_router,
            caps.elastic_ip,
            caps.associate_public_ip,
            caps.elastic_lb,
            caps.inline_mode,
            caps.public_lb,
            caps.internal_lb,
            caps.stretched_l2_subnet,
            caps.public_access,
            domain_ids,
            zone_ids,
            (!details.is_empty()).then(|| Value::Object(details).to_string()),
            call.timestamp()
        ],
    )?;
    insert_services(call.tx, "network_offering_services", &id, &services)?;
    event_log::completed(
        call,
        "NETWORK.OFFERING.CREATE",
        &format!("creating network offering. ID: {id} Name: {name}"),
        Subject::of("NetworkOffering", &id, &name),
    )?;
    network_offering_reply(call, &id)
}

/// The row an update or delete names, refusing system offerings.
fn existing(call: &Call<'_>, id: &str) -> Result<(String, bool, bool, String), ApiError> {
    call.tx
        .query_row(
            "SELECT name, is_system, is_default, guest_ip_type FROM network_offerings WHERE id = ?1 AND removed IS NULL",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))
}

/// `updateNetworkOffering`: name, text, state, availability, tags, ...
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let (name, system, _, guest_type) = existing(call, &id)?;
    if system {
        return Err(ApiError::param("Can't update system network offerings"));
    }
    for (param, column) in [
        ("name", "name"),
        ("displaytext", "display_text"),
        ("tags", "tags"),
    ] {
        if let Some(value) = p.str(param) {
            call.tx.execute(
                &format!("UPDATE network_offerings SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if let Some(state) = p.str("state") {
        let state = ["Enabled", "Disabled"]
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(state))
            .ok_or_else(|| ApiError::param(format!("Incorrect state value: {state}")))?;
        call.tx.execute(
            "UPDATE network_offerings SET state = ?2 WHERE id = ?1",
            params![id, state],
        )?;
    }
    if let Some(availability) = p.str("availability") {
        let availability = ["Required", "Optional"]
            .into_iter()
            .find(|a| a.eq_ignore_ascii_case(availability))
            .ok_or_else(|| {
                ApiError::param(
                    "Invalid value for Availability. Supported types: Required, Optional",
                )
            })?;
        if availability == "Required" {
            let source_nat = sql::count(
                call.tx,
                "SELECT COUNT(*) FROM network_offering_services WHERE offering_id = ?1 AND service = 'SourceNat'",
                &id,
            )? > 0;
            if !(guest_type == "Isolated" && source_nat) {
                return Err(ApiError::param(
                    "Availability can be Required only for networkOfferings of type Isolated and with SourceNat enabled",
                ));
            }
            if let Some((seq, other)) = required_offering(call.tx)? {
                if other != id {
                    return Err(ApiError::param(format!(
                        "System already has network offering id={seq} with availability Required"
                    )));
                }
            }
        }
        call.tx.execute(
            "UPDATE network_offerings SET availability = ?2 WHERE id = ?1",
            params![id, availability],
        )?;
    }
    if let Some(max) = p.i64("maxconnections")? {
        call.tx.execute(
            "UPDATE network_offerings SET max_connections = ?2 WHERE id = ?1",
            params![id, max],
        )?;
    }
    if let Some(keep) = p.bool("keepaliveenabled") {
        call.tx.execute(
            "UPDATE network_offerings SET keep_alive = ?2 WHERE id = ?1",
            params![id, keep],
        )?;
    }
    store::update_order_and_scope(call, "network_offerings", &id)?;
    event_log::completed(
        call,
        "NETWORK.OFFERING.EDIT",
        "updating network offering",
        Subject::of("NetworkOffering", &id, &name),
    )?;
    network_offering_reply(call, &id)
}

/// `deleteNetworkOffering`: default offerings and offerings networks use
/// are refused.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let (name, _, default, _) = existing(call, &id)?;
    if default {
        return Err(ApiError::param("Default network offering can't be deleted"));
    }
    let used = if sql::table_exists(call.tx, "network_networks")?
        && column_exists(call, "network_networks", "network_offering_id")?
    {
        sql::count(
            call.tx,
            "SELECT COUNT(*) FROM network_networks WHERE network_offering_id = ?1",
            &id,
        )?
    } else {
        0
    };
    if used > 0 {
        return Err(ApiError::param(format!(
            "Can't delete network offering {id} as its used by {used} networks. To make the network offering \
             unavailable, disable it"
        )));
    }
    call.tx.execute(
        "UPDATE network_offerings SET removed = ?2, state = 'Disabled' WHERE id = ?1",
        params![id, call.timestamp()],
    )?;
    event_log::completed(
        call,
        "NETWORK.OFFERING.DELETE",
        "deleting network offering",
        Subject::of("NetworkOffering", &id, &name),
    )?;
    Ok(Reply::Success(None))
}

fn column_exists(call: &Call<'_>, table: &str, column: &str) -> Result<bool, ApiError> {
    Ok(call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )?)
}

/// `listNetworkOfferings`: non-admins see Enabled offerings only.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::network_offering_query();
    query.and("o.removed IS NULL AND o.is_system = 0", []);
    query.eq("o.id", p.str("id"));
    query.eq("o.name", p.str("name"));
    query.eq("o.display_text", p.str("displaytext"));
    query.eq_nocase("o.traffic_type", p.str("traffictype"));
    query.eq_nocase("o.guest_ip_type", p.str("guestiptype"));
    query.eq_nocase("o.availability", p.str("availability"));
    query.eq_nocase("o.state", p.str("state"));
    if !call.caller.is_admin() {
        query.and("o.state = 'Enabled'", []);
    }
    query.flag("o.is_default", p.bool("isdefault"));
    query.flag("o.specify_vlan", p.bool("specifyvlan"));
    query.flag("o.specify_ip_ranges", p.bool("specifyipranges"));
    query.flag("o.for_vpc", p.bool("forvpc"));
    query.eq("o.tags", p.str("tags"));
    store::offering_services(
        &mut query,
        "network_offering_services",
        &p.list("supportedservices"),
    );
    if let Some(supported) = p.bool("sourcenatsupported") {
        let condition = "EXISTS (SELECT 1 FROM network_offering_services s WHERE s.offering_id = o.id AND s.service = 'SourceNat')";
        query.and(if supported { condition } else { "NOT (EXISTS (SELECT 1 FROM network_offering_services s WHERE s.offering_id = o.id AND s.service = 'SourceNat'))" }, []);
    }
    store::finish_list(call, &mut query);
    query.list(call, "networkoffering", |call, row| {
        store::finish_offering(call.tx, "network_offering_services", row)
    })
}

fn vpc_offering_json(tx: &Transaction<'_>, id: &str) -> Result<Value, ApiError> {
    let row = store::one(tx, store::vpc_offering_query(), id, "id")?;
    store::finish_offering(tx, "vpc_offering_services", row)
}

/// `createVPCOffering` (async, created at once): SourceNat and NetworkACL
/// are always part of it; VpcVirtualRouter provides what has no provider.
pub(crate) fn create_vpc(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let mut services: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for raw in p.list("supportedservices") {
        let service =
            service_name(&raw).ok_or_else(|| ApiError::param(format!("Invalid service {raw}")))?;
        if matches!(service, "Firewall" | "SecurityGroup") {
            return Err(ApiError::param(format!(
                "Service {service} is not supported by VPC"
            )));
        }
        services.insert(service, Vec::new());
    }
    services.entry("SourceNat").or_default();
    services.entry("NetworkACL").or_default();
    for (service, providers) in requested_providers(call)? {
        let Some(slot) = services.get_mut(service) else {
            return Err(ApiError::param(format!(
                "Service {service} is not enabled for the network offering, can't add a provider to it"
            )));
        };
        *slot = providers;
    }
    for providers in services.values_mut() {
        if providers.is_empty() {
            providers.push("VpcVirtualRouter");
        }
    }
    let (mut redundant, mut distributed, mut region_level) = (false, false, false);
    for (service, kind, value) in requested_capabilities(call) {
        // VpcManagerImpl.validateConnectivtyServiceCapabilities and
        // findCapabilityForService: the Connectivity capabilities take
        // true or false and belong to that service only (the text names
        // its arguments in the server's order).
        if kind.eq_ignore_ascii_case("DistributedRouter")
            || kind.eq_ignore_ascii_case("RegionLevelVpc")
        {
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                return Err(ApiError::param(format!(
                    "Invalid Capability value:{value} specified."
                )));
            }
            if !service.eq_ignore_ascii_case("Connectivity") {
                return Err(ApiError::param(format!(
                    "Invalid Service: {service} specified. Capability Connectivity can be specified only for service {kind}"
                )));
            }
            let on = value.eq_ignore_ascii_case("true");
            if kind.eq_ignore_ascii_case("DistributedRouter") {
                distributed = on;
            } else {
                region_level = on;
            }
            continue;
        }
        match (service.as_str(), kind.as_str()) {
            ("SourceNat" | "Gateway", "RedundantRouter") => {
                redundant = value.eq_ignore_ascii_case("true")
            }
            (service, kind) => {
                return Err(ApiError::param(format!(
                    "Capability {kind} can not be specified for service {service}"
                )));
            }
        }
    }
    if let Some(offering) = p.str("serviceofferingid") {
        if !sql::exists(call.tx, "service_offerings", offering)? {
            return Err(ApiError::invalid_id("serviceofferingid", offering));
        }
    }
    let domain_ids = store::id_list(call, "domainid", "identity_domains")?;
    let zone_ids = store::id_list(call, "zoneid", "datacenter_zones")?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vpc_offerings (id, name, display_text, state, redundant_router, service_offering_id,
                                    internet_protocol, network_mode, routing_mode, domain_ids, zone_ids, created,
                                    distributed_router, region_level_vpc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            name,
            display_text,
            if p.flag("enable", false) { "Enabled" } else { "Disabled" },
            redundant,
            p.str("serviceofferingid"),
            p.str("internetprotocol"),
            p.str("networkmode"),
            p.str("routingmode"),
            domain_ids,
            zone_ids,
            call.timestamp(),
            distributed,
            region_level
        ],
    )?;
    insert_services(call.tx, "vpc_offering_services", &id, &services)?;
    Ok(Reply::Job(
        jobs::object_job("VpcOffering", &id, "vpcoffering", |call, id| {
            vpc_offering_json(call.tx, id)
        })
        .with_event(
            "VPC.OFFERING.CREATE",
            format!("creating vpc offering. Name: {name}"),
        ),
    ))
}

/// `updateVPCOffering` (async): name, text, state, domains, zones.
pub(crate) fn update_vpc(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    vpc_offering_json(call.tx, &id)?;
    let state = match call.params.str("state") {
        Some(s) => Some(
            ["Enabled", "Disabled"]
                .into_iter()
                .find(|x| x.eq_ignore_ascii_case(s))
                .ok_or_else(|| ApiError::param(format!("Incorrect state value: {s}")))?,
        ),
        None => None,
    };
    let domain_ids = if call.params.get("domainid").is_some() {
        Some(store::id_list(call, "domainid", "identity_domains")?)
    } else {
        None
    };
    let zone_ids = if call.params.get("zoneid").is_some() {
        Some(store::id_list(call, "zoneid", "datacenter_zones")?)
    } else {
        None
    };
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "VpcOffering",
            id,
            Box::new(move |call: &mut Call<'_>| {
                for (param, column) in [("name", "name"), ("displaytext", "display_text")] {
                    if let Some(value) = call.params.str(param) {
                        call.tx.execute(
                            &format!("UPDATE vpc_offerings SET {column} = ?2 WHERE id = ?1"),
                            params![job_id, value],
                        )?;
                    }
                }
                if let Some(state) = state {
                    call.tx.execute(
                        "UPDATE vpc_offerings SET state = ?2 WHERE id = ?1",
                        params![job_id, state],
                    )?;
                }
                if let Some(key) = call.params.i64("sortkey")? {
                    call.tx.execute(
                        "UPDATE vpc_offerings SET sort_key = ?2 WHERE id = ?1",
                        params![job_id, key],
                    )?;
                }
                if let Some(ids) = &domain_ids {
                    call.tx.execute(
                        "UPDATE vpc_offerings SET domain_ids = ?2 WHERE id = ?1",
                        params![job_id, ids],
                    )?;
                }
                if let Some(ids) = &zone_ids {
                    call.tx.execute(
                        "UPDATE vpc_offerings SET zone_ids = ?2 WHERE id = ?1",
                        params![job_id, ids],
                    )?;
                }
                Ok(Reply::Object {
                    key: "vpcoffering",
                    value: vpc_offering_json(call.tx, &job_id)?,
                })
            }),
        )
        .with_event("VPC.OFFERING.UPDATE", "updating vpc offering"),
    ))
}

/// `deleteVPCOffering` (async): default offerings and offerings VPCs use are
/// refused.
pub(crate) fn delete_vpc(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    vpc_offering_json(call.tx, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "VpcOffering",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let default: bool =
                    call.tx.query_row("SELECT is_default FROM vpc_offerings WHERE id = ?1", [&job_id], |r| r.get(0))?;
                if default {
                    return Err(ApiError::param("Default network offering can't be deleted"));
                }
                let used = if sql::table_exists(call.tx, "network_vpcs")? && column_exists(call, "network_vpcs", "vpc_offering_id")? {
                    sql::count(call.tx, "SELECT COUNT(*) FROM network_vpcs WHERE vpc_offering_id = ?1", &job_id)?
                } else {
                    0
                };
                if used > 0 {
                    return Err(ApiError::param(format!(
                        "Can't delete network offering {job_id} as its used by {used} vpcs. To make the network \
                         offering unavailable, disable it"
                    )));
                }
                call.tx.execute(
                    "UPDATE vpc_offerings SET removed = ?2, state = 'Disabled' WHERE id = ?1",
                    params![job_id, call.timestamp()],
                )?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("VPC.OFFERING.DELETE", "deleting vpc offering"),
    ))
}

/// `listVPCOfferings`: non-admins see Enabled offerings only.
pub(crate) fn list_vpc(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::vpc_offering_query();
    query.and("o.removed IS NULL", []);
    query.eq("o.id", p.str("id"));
    query.eq("o.name", p.str("name"));
    query.eq("o.display_text", p.str("displaytext"));
    query.eq_nocase("o.state", p.str("state"));
    if !call.caller.is_admin() {
        query.and("o.state = 'Enabled'", []);
    }
    query.flag("o.is_default", p.bool("isdefault"));
    store::offering_services(
        &mut query,
        "vpc_offering_services",
        &p.list("supportedservices"),
    );
    store::finish_list(call, &mut query);
    query.list(call, "vpcoffering", |call, row| {
        store::finish_offering(call.tx, "vpc_offering_services", row)
    })
}
