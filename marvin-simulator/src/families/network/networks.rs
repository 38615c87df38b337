//! Guest networks: `createNetwork`, `updateNetwork`, `restartNetwork`,
//! `deleteNetwork`, `listNetworks`, and the lifecycle behind them.
//!
//! A network is `Allocated` when created (`Setup` when it was given a VLAN),
//! becomes `Implemented` when its first NIC is added (a guest VLAN from the
//! physical network, and for isolated networks a source NAT IP and a
//! virtual router), and `Shutdown` when its last NIC goes (the router is
//! destroyed and a VLAN that was not given at creation goes back).

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params};
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

use super::store::{self, Cidr, NetworkRow, Owner};
use super::{ips, routers, rules, vpc};

/// A network offering as network creation uses it.
#[derive(Debug, Clone)]
pub(crate) struct Offering {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) guest_type: String,
    pub(crate) state: String,
    pub(crate) specify_vlan: bool,
    pub(crate) specify_ip_ranges: bool,
    pub(crate) for_vpc: bool,
    pub(crate) persistent: bool,
}

/// A network offering by id (431 "Unable to find network offering by
/// specified id" for unknown, removed or system offerings).
pub(crate) fn offering(call: &Call<'_>, id: &str) -> Result<Offering, ApiError> {
    call.tx
        .query_row(
            "SELECT id, name, guest_ip_type, state, specify_vlan, specify_ip_ranges, for_vpc, is_persistent
             FROM offerings_network_offerings WHERE id = ?1 AND removed IS NULL AND is_system = 0",
            [id],
            |r| {
                Ok(Offering {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    guest_type: r.get(2)?,
                    state: r.get(3)?,
                    specify_vlan: r.get(4)?,
                    specify_ip_ranges: r.get(5)?,
                    for_vpc: r.get(6)?,
                    persistent: r.get(7)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::param("Unable to find network offering by specified id"))
}

/// What a new network is made of.
#[derive(Debug)]
pub(crate) struct NewNetwork<'a> {
    pub(crate) name: &'a str,
    pub(crate) display_text: &'a str,
    pub(crate) zone_id: &'a str,
    pub(crate) offering: &'a Offering,
    /// The owning account; `None` for a network shared with a domain.
    pub(crate) owner: Option<&'a Owner>,
    pub(crate) domain_id: &'a str,
    pub(crate) subdomain_access: Option<bool>,
    pub(crate) cidr: Option<Cidr>,
    pub(crate) gateway: Option<String>,
    pub(crate) vlan: Option<String>,
    pub(crate) vpc_id: Option<&'a str>,
    pub(crate) acl_id: Option<String>,
    pub(crate) network_domain: Option<String>,
    pub(crate) display: bool,
}

/// The physical network of a zone that carries guest traffic.
pub(crate) fn guest_physical_network(
    call: &Call<'_>,
    zone_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT p.id FROM datacenter_physical_networks p JOIN datacenter_traffic_types t ON t.physical_network_id = p.id
             WHERE p.zone_id = ?1 AND t.traffic_type = 'Guest' ORDER BY p.created LIMIT 1",
            [zone_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// CloudStack's default network domain of an account: `cs<hex id>` plus
/// the guest domain suffix.
pub(crate) fn default_network_domain(owner: &Owner) -> String {
    format!("cs{:x}cloud.internal", owner.seq)
}

/// Stores a new network (no checks beyond the shape) and records
/// NETWORK.CREATE; returns its id.
pub(crate) fn insert(call: &Call<'_>, new: &NewNetwork<'_>) -> Result<String, ApiError> {
    let id = ids::new_id();
    let physical = guest_physical_network(call, new.zone_id)?;
    let state = if new.vlan.is_some() {
        "Setup"
    } else {
        "Allocated"
    };
    let (cidr, gateway, netmask) = match (new.cidr, &new.gateway) {
        (Some(cidr), Some(gateway)) => (
            Some(cidr.to_string()),
            Some(gateway.clone()),
            Some(cidr.netmask()),
        ),
        _ => (None, None, None),
    };
    let acl_type = if new.owner.is_some() {
        "Account"
    } else {
        "Domain"
    };
    call.tx.execute(
        "INSERT INTO networks (id, name, display_text, zone_id, physical_network_id, network_offering_id, guest_type,
                               state, account_id, domain_id, acl_type, subdomain_access, cidr, gateway, netmask,
                               vlan, specified_vlan, vpc_id, acl_id, network_domain, display_network, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        params![
            id,
            new.name,
            new.display_text,
            new.zone_id,
            physical,
            new.offering.id,
            new.offering.guest_type,
            state,
            new.owner.map(|o| o.id.as_str()),
            new.domain_id,
            acl_type,
            new.subdomain_access,
            cidr,
            gateway,
            netmask,
            new.vlan,
            new.vlan.is_some(),
            new.vpc_id,
            new.acl_id,
            new.network_domain,
            new.display,
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "NETWORK.CREATE",
        "creating network",
        Subject::of("Network", &id, new.name),
    )?;
    Ok(id)
}

/// `createNetwork` (sync): an isolated, shared or L2 network, or a VPC tier.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let offering = offering(call, call.required("networkofferingid")?)?;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let zone = dc::zone(call.tx, "zoneid", call.required("zoneid")?)?;
    let caller = call.caller;
    if zone.allocation_state == "Disabled" && !caller.is_root_admin() {
        return Err(ApiError::permission(
            "Cannot perform this operation since specified Zone is currently disabled",
        ));
    }
    let mut owner = store::owner_of(call)?;

    // Who the network belongs to: an account, or (shared networks) a domain.
    let acl_type = match p.str("acltype") {
        Some(t) if t.eq_ignore_ascii_case("Account") => "Account",
        Some(t) if t.eq_ignore_ascii_case("Domain") => "Domain",
        Some(_) => {
            return Err(ApiError::param(
                "Incorrect aclType specified. Check the API documentation for supported types",
            ));
        }
        None if offering.guest_type == "Shared" && caller.is_root_admin() => "Domain",
        None if offering.guest_type == "Shared" && caller.is_domain_admin() => {
            return Err(ApiError::param(
                "AclType must be specified for shared network created by domain admin",
            ));
        }
        None => "Account",
    };
    if offering.guest_type == "Isolated" && acl_type != "Account" {
        return Err(ApiError::param(
            "AclType should be Account for network of type Isolated",
        ));
    }
    let mut domain_id = owner.domain_id.clone();
    let mut subdomain_access = None;
    if acl_type == "Domain" {
        if !caller.is_admin() {
            return Err(ApiError::permission(
                "Only admin can create networks with aclType=Domain",
            ));
        }
        if offering.guest_type != "Shared" {
            return Err(ApiError::param(
                "Only Shared networks can have aclType=Domain",
            ));
        }
        match p.str("domainid") {
            Some(d) => {
                let row = crate::families::identity::api::domain_param(call.tx, "domainid", d)?;
                crate::families::identity::api::check_domain_access(call, &row)?;
                domain_id = row.id;
                subdomain_access = Some(p.flag("subdomainaccess", false));
            }
            None => {
                domain_id = crate::families::identity::api::root_domain(call.tx)?.id;
                subdomain_access = Some(true);
            }
        }
    } else if p.str("subdomainaccess").is_some() {
        return Err(ApiError::param(
            "Parameter subDomainAccess can be specified only with aclType=Domain",
        ));
    }
    if acl_type == "Account" {
        domain_id = owner.domain_id.clone();
    }

    // Addresses.
    let gateway = p.str("gateway").map(String::from);
    let netmask = p.str("netmask");
    let (mut start_ip, end_ip) = (p.str("startip"), p.str("endip"));
    // A Basic zone's one shared network takes its addresses from pod-scoped
    // untagged ranges added later (ConfigurationManagerImpl
    // .createVlanAndPublicIpRange with podid and networkid, as
    // deployDataCenter.createPods does), so it needs neither a range nor a
    // VLAN (NetworkOrchestrator.createGuestNetwork: Basic zone networks are
    // untagged).
    let basic = zone.network_type.eq_ignore_ascii_case("Basic");
    if basic {
        // NetworkOrchestrator.createGuestNetwork's Basic zone rules.
        if acl_type != "Domain" {
            return Err(ApiError::param(
                "Only AclType=Domain can be specified for network creation in Basic zone",
            ));
        }
        let guests: i64 = call.tx.query_row(
            "SELECT COUNT(*) FROM networks WHERE zone_id = ?1",
            [&zone.id],
            |r| r.get(0),
        )?;
        if guests > 0 {
            return Err(ApiError::param(
                "Can't have more than one Guest network in zone with network type Basic",
            ));
        }
        if offering.guest_type != "Shared" || offering_has(call, &offering.id, "SourceNat")? {
            return Err(ApiError::param(
                "For zone of type Basic only offerings of guestType Shared with disabled SourceNat service are allowed",
            ));
        }
    }
    if offering.guest_type == "Shared"
        && !basic
        && p.str("vpcid").is_none()
        && start_ip.is_none()
        && end_ip.is_none()
    {
        return Err(ApiError::param(
            "Either IPv4 or IPv6 start and end address are mandatory",
        ));
    }
    if let Some(g) = &gateway {
        if ip::parse(g).is_none() {
            return Err(ApiError::param("Gateway parameter is invalid"));
        }
    }
    let mut cidr = None;
    if let Some(start) = start_ip {
        if ip::parse(start).is_none() {
            return Err(ApiError::param("Invalid format for the startIp parameter"));
        }
        if end_ip.is_some_and(|e| ip::parse(e).is_none()) {
            return Err(ApiError::param("Invalid format for the endIp parameter"));
        }
        if gateway.is_none() || netmask.is_none() {
            return Err(ApiError::param(
                "gateway and netmask should be defined when startIP/endIP are passed in",
            ));
        }
    }
    if let (Some(g), Some(m)) = (&gateway, netmask) {
        let c = Cidr::of(g, m).ok_or_else(|| ApiError::param("Invalid netmask"))?;
        let (first, last) = c.bounds();
        let g_n = ip::parse(g).unwrap_or(0);
        if c.prefix < 31 && (g_n == first || g_n == last) {
            return Err(ApiError::param(
                "Invalid gateway IP provided. Either the IP is broadcast or network IP.",
            ));
        }
        cidr = Some(c);
    }
    if gateway.is_some() && cidr.is_none() {
        return Err(ApiError::param(
            "cidr and gateway must be specified together.",
        ));
    }
    if let Some(c) = cidr {
        let limit = crate::families::identity::api::setting_number(
            call.tx,
            "network.guest.cidr.limit",
            &[],
            22,
        )?;
        if !caller.is_root_admin() && i64::from(c.prefix) < limit && offering.guest_type != "Shared"
        {
            return Err(ApiError::param(format!(
                "Cidr size can't be less than {limit}"
            )));
        }
    }

    // VLANs.
    let vlan = p
        .str("vlan")
        .map(|v| v.trim_start_matches("vlan://").to_string());
    if offering.guest_type == "Shared" && !offering.specify_vlan && vlan.is_some() {
        return Err(ApiError::param(
            "Cannot specify vlanId when create a network from network offering with specifyvlan=false",
        ));
    }
    if !caller.is_root_admin() && (offering.specify_vlan || vlan.is_some()) {
        return Err(ApiError::param(
            "Only ROOT admin is allowed to specify vlanId or bypass vlan overlap check",
        ));
    }
    if offering.specify_vlan && vlan.is_none() && !basic {
        return Err(ApiError::param(format!(
            "Network offering {} requires vlan to be specified",
            offering.name
        )));
    }
    let create_range = start_ip.is_some()
        && (offering.guest_type == "Shared"
            || (offering.guest_type == "Isolated"
                && !offering_has(call, &offering.id, "SourceNat")?));
    if create_range && !offering.specify_ip_ranges {
        return Err(ApiError::param(
            "Network offering with specified id doesn't support adding multiple IP ranges",
        ));
    }
    if offering.guest_type == "L2" {
        cidr = None;
        start_ip = None;
    }

    if offering.state != "Enabled" {
        return Err(ApiError::param(
            "Can't use specified network offering id as its state is not Enabled",
        ));
    }
    let physical = guest_physical_network(call, &zone.id)?;
    if let (Some(tag), Some(pn)) = (&vlan, &physical) {
        check_vlan_free(call, &zone, pn, tag)?;
    }

    // VPC tiers.
    let vpc_row = match p.str("vpcid") {
        Some(vpc_id) => Some(vpc::vpc(call.tx, "vpcid", vpc_id)?),
        None => None,
    };
    let mut network_domain = p.str("networkdomain").map(String::from);
    let mut acl_id = None;
    if let Some(v) = &vpc_row {
        if !offering.for_vpc {
            return Err(ApiError::param(
                "Network offering can't be used for VPC networks",
            ));
        }
        check_access(call, &v.account_id, &v.id)?;
        let c = cidr.ok_or_else(|| {
            ApiError::param("Gateway/netmask are required when create network for VPC")
        })?;
        vpc::check_tier(call, v, c, &owner)?;
        if acl_type == "Account" {
            owner = store::account(call.tx, &v.account_id)?;
            domain_id = owner.domain_id.clone();
        }
        network_domain = v.network_domain.clone().or(network_domain);
        acl_id = vpc::tier_acl(call, v, p.str("aclid"))?;
    } else {
        if offering.for_vpc {
            return Err(ApiError::param(
                "Network offering can be used for VPC networks only",
            ));
        }
        if p.str("aclid").is_some() {
            return Err(ApiError::param(
                "Network ACL can be created just for networks of type Isolated in a VPC",
            ));
        }
    }

    // Isolated networks get the zone's guest CIDR unless one is given; a
    // given CIDR must not overlap the account's other networks in the zone.
    if offering.guest_type == "Isolated" && vpc_row.is_none() {
        match cidr {
            Some(c) => check_account_overlap(call, &owner, &zone.id, c)?,
            None => {
                let guest: Option<String> = call.tx.query_row(
                    "SELECT guest_cidr FROM datacenter_zones WHERE id = ?1",
                    [&zone.id],
                    |r| r.get(0),
                )?;
                let c = guest.as_deref().and_then(Cidr::parse).ok_or_else(|| {
                    ApiError::internal(format!(
                        "Can't design network {name}; guest CIDR is not configured per zone {}",
                        zone.name
                    ))
                })?;
                cidr = Some(c);
            }
        }
    }
    let gateway = match (cidr, gateway) {
        (Some(_), Some(g)) => Some(g),
        (Some(c), None) => Some(ip::format(c.first_host())),
        (None, _) => None,
    };
    if acl_type == "Account" && network_domain.is_none() && offering.guest_type != "L2" {
        network_domain = Some(default_network_domain(&owner));
    }

    if acl_type == "Account" {
        limits::check(call, &owner.id, ResourceKind::Network, 1)?;
    }
    let id = insert(
        call,
        &NewNetwork {
            name: &name,
            display_text: &display_text,
            zone_id: &zone.id,
            offering: &offering,
            owner: (acl_type == "Account").then_some(&owner),
            domain_id: &domain_id,
            subdomain_access,
            cidr,
            gateway: gateway.clone(),
            vlan: vlan.clone(),
            vpc_id: vpc_row.as_ref().map(|v| v.id.as_str()),
            acl_id,
            network_domain,
            display: p.flag("displaynetwork", true),
        },
    )?;
    if acl_type == "Account" {
        limits::add(call, &owner.id, ResourceKind::Network, 1)?;
    }
    call.tx.execute(
        "UPDATE networks SET dns1 = ?2, dns2 = ?3, external_id = ?4 WHERE id = ?1",
        params![id, p.str("dns1"), p.str("dns2"), p.str("externalid")],
    )?;
    if basic && vlan.is_none() {
        // Untagged, with nothing to allocate when it is implemented (its
        // broadcast URI is vlan://untagged).
        call.tx
            .execute("UPDATE networks SET vlan = 'untagged' WHERE id = ?1", [&id])?;
    }
    if let Some(tag) = &vlan {
        if let Some(pn) = &physical {
            take_vlan(call, &id, pn, acl_type == "Account", &owner, tag)?;
        }
    }
    if create_range {
        if let (Some(start), Some(g), Some(m)) = (start_ip, &gateway, netmask) {
            add_ip_range(
                call,
                &id,
                &zone.id,
                physical.as_deref(),
                vlan.as_deref(),
                g,
                m,
                start,
                end_ip.unwrap_or(start),
            )?;
        }
    }
    if offering.persistent {
        implement(call, &id)?;
    }
    Ok(Reply::Object {
        key: "network",
        value: network_json(call, &id)?,
    })
}

fn offering_has(call: &Call<'_>, offering_id: &str, service: &str) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM offerings_network_offering_services WHERE offering_id = ?1 AND service = ?2",
            [offering_id, service],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A VLAN given at creation must be free: not in the physical network's
/// dynamic range and not used by another network.
fn check_vlan_free(
    call: &Call<'_>,
    zone: &dc::ZoneRow,
    physical: &str,
    tag: &str,
) -> Result<(), ApiError> {
    if let Ok(number) = tag.parse::<i64>() {
        let dynamic: Option<Option<String>> = call
            .tx
            .query_row(
                "SELECT network_id FROM datacenter_guest_vnets WHERE physical_network_id = ?1 AND vnet = ?2",
                params![physical, number],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Some(_)) = dynamic {
            return Err(ApiError::param(format!(
                "The VLAN tag to use for new guest network, {tag} is already being used for dynamic vlan allocation for the guest network in zone {}",
                zone.name
            )));
        }
    }
    let used = call
        .tx
        .query_row(
            "SELECT 1 FROM networks WHERE physical_network_id = ?1 AND vlan = ?2",
            [physical, tag],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if used {
        return Err(ApiError::param(format!(
            "Network with vlan {tag} already exists or overlaps with other network vlans in zone {}",
            zone.name
        )));
    }
    Ok(())
}

/// Marks a given VLAN as the network's when it is one of the physical
/// network's guest VLANs.
fn take_vlan(
    call: &Call<'_>,
    network_id: &str,
    physical: &str,
    owned: bool,
    owner: &Owner,
    tag: &str,
) -> Result<(), ApiError> {
    if let Ok(number) = tag.parse::<i64>() {
        dc::take_guest_vnet(
            call.tx,
            physical,
            number,
            owned.then_some(owner.id.as_str()),
            network_id,
            &call.timestamp(),
        )?;
    }
    Ok(())
}

/// A given CIDR must not overlap the CIDR of another network of the same
/// account in the zone.
fn check_account_overlap(
    call: &Call<'_>,
    owner: &Owner,
    zone_id: &str,
    cidr: Cidr,
) -> Result<(), ApiError> {
    let others = sql::objects(
        call.tx,
        "SELECT name, cidr FROM networks WHERE account_id = ?1 AND zone_id = ?2 AND cidr IS NOT NULL AND vpc_id IS NULL",
        &[text(&owner.id), text(zone_id)],
    )?;
    for other in others {
        let Some(other_cidr) = other
            .get("cidr")
            .and_then(Value::as_str)
            .and_then(Cidr::parse)
        else {
            continue;
        };
        if other_cidr.overlaps(cidr) {
            return Err(ApiError::param(format!(
                "The network cidr {cidr} overlaps with the cidr {other_cidr} of the network {} of the same account",
                other
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// The address range of a shared network: a VLAN IP range bound to the
/// network, with every address in `public_ips`.
#[allow(clippy::too_many_arguments)]
fn add_ip_range(
    call: &Call<'_>,
    network_id: &str,
    zone_id: &str,
    physical: Option<&str>,
    vlan: Option<&str>,
    gateway: &str,
    netmask: &str,
    start: &str,
    end: &str,
) -> Result<(), ApiError> {
    let cidr = Cidr::of(gateway, netmask).ok_or_else(|| ApiError::param("Invalid netmask"))?;
    let (s, e) = (ip::parse(start).unwrap_or(0), ip::parse(end).unwrap_or(0));
    let g = ip::parse(gateway).unwrap_or(0);
    if !ip::in_subnet(s, cidr.net, cidr.prefix) || !ip::in_subnet(e, cidr.net, cidr.prefix) {
        return Err(ApiError::param(
            "Please ensure that your start IP is in the same subnet as your IP range's gateway, as per the IP range's netmask.",
        ));
    }
    if s > e {
        return Err(ApiError::param("Please specify a valid IP range."));
    }
    if (s..=e).contains(&g) {
        return Err(ApiError::param(
            "The gateway ip should not be the part of the ip range being added.",
        ));
    }
    if e - s >= 65_536 {
        return Err(ApiError::param(
            "The IP range is too large for the simulator: at most 65536 addresses per range",
        ));
    }
    let id = ids::new_id();
    let tag = match vlan {
        Some(v) => format!("vlan://{v}"),
        None => "vlan://untagged".to_string(),
    };
    let now = call.timestamp();
    dc::add_network_range(
        call.tx,
        &dc::NetworkRange {
            id: &id,
            zone_id,
            physical_network_id: physical,
            network_id,
            vlan_tag: &tag,
            gateway,
            netmask,
            cidr: &cidr.to_string(),
            start_ip: start,
            end_ip: end,
            created: &now,
        },
    )?;
    let mut insert = call.tx.prepare_cached(
        "INSERT INTO public_ips (id, vlan_id, zone_id, physical_network_id, address, address_num)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for n in s..=e {
        insert.execute(params![
            ids::new_id(),
            id,
            zone_id,
            physical,
            ip::format(n),
            i64::from(n)
        ])?;
    }
    event_log::completed(
        call,
        "VLAN.IP.RANGE.CREATE",
        &format!("creating vlan ip range. Range: {start}-{end}"),
        Subject::of("Vlan", &id, &tag),
    )
}

/// Brings a network to `Implemented` (idempotent): a guest VLAN, and for
/// isolated networks outside a VPC a source NAT IP and a virtual router.
pub(crate) fn implement(call: &Call<'_>, network_id: &str) -> Result<(), ApiError> {
    let network = store::network(call.tx, "networkid", network_id)?;
    if network.state == "Implemented" {
        return Ok(());
    }
    if network.vlan.is_none() {
        if let Some(physical) = &network.physical_network_id {
            let vnet: Option<i64> = call
                .tx
                .query_row(
                    "SELECT vnet FROM datacenter_guest_vnets WHERE physical_network_id = ?1 AND taken IS NULL ORDER BY vnet LIMIT 1",
                    [physical],
                    |r| r.get(0),
                )
                .optional()?;
            let vnet = vnet.ok_or_else(|| {
                ApiError::capacity(format!(
                    "Unable to allocate vnet as a part of network {} implement ",
                    network.display(call.tx).unwrap_or_default()
                ))
            })?;
            dc::take_guest_vnet(
                call.tx,
                physical,
                vnet,
                network.account_id.as_deref(),
                &network.id,
                &call.timestamp(),
            )?;
            call.tx.execute(
                "UPDATE networks SET vlan = ?2 WHERE id = ?1",
                params![network.id, vnet.to_string()],
            )?;
        }
    }
    if let Some(vpc_id) = &network.vpc_id {
        vpc::start(call, &vpc::vpc(call.tx, "vpcid", vpc_id)?)?;
    }
    if network.guest_type == "Isolated" && network.vpc_id.is_none() {
        let mut source_nat = None;
        if store::supports(call.tx, &network, "SourceNat")? {
            source_nat = Some(ips::ensure_source_nat(call, &network)?);
        }
        if routers::router_of_network(call.tx, &network.id)?.is_none()
            && offering_has_router(call, &network)?
        {
            routers::create(
                call,
                routers::RouterFor::Network(&network),
                source_nat.as_deref(),
            )?;
        }
    }
    call.tx.execute(
        "UPDATE public_ips SET state = 'Allocated' WHERE network_id = ?1 AND state = 'Allocating'",
        [&network.id],
    )?;
    call.tx.execute(
        "UPDATE networks SET state = 'Implemented' WHERE id = ?1",
        [&network.id],
    )?;
    Ok(())
}

/// Whether the network's offering has a service the VirtualRouter
/// provides.
pub(crate) fn offering_has_router(call: &Call<'_>, network: &NetworkRow) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT 1 FROM offerings_network_offering_services WHERE offering_id = ?1 AND provider = 'VirtualRouter'",
            [&network.offering_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Takes an implemented network down once nothing uses it (CloudStack's
/// network garbage collection, without its delay): its router is destroyed
/// and a VLAN it was not created with goes back.
pub(crate) fn shutdown(call: &Call<'_>, network: &NetworkRow) -> Result<(), ApiError> {
    // Shared networks are not garbage collected.
    if network.state != "Implemented" || network.guest_type == "Shared" {
        return Ok(());
    }
    routers::destroy_for_network(call, &network.id)?;
    if !network.specified_vlan {
        store::release_vlan(call.tx, network)?;
        call.tx.execute(
            "UPDATE networks SET vlan = NULL WHERE id = ?1",
            [&network.id],
        )?;
    }
    call.tx.execute(
        "UPDATE networks SET state = 'Shutdown' WHERE id = ?1",
        [&network.id],
    )?;
    Ok(())
}

/// Removes a network and everything hanging off it (rules, its public IPs,
/// router, address ranges, VLAN).
pub(crate) fn destroy(call: &Call<'_>, network: &NetworkRow) -> Result<(), ApiError> {
    let ip_ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT id FROM public_ips WHERE network_id = ?1")?;
        let rows = stmt.query_map([&network.id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    rules::remove_for_network(call, &network.id)?;
    for ip_id in ip_ids {
        let is_range_ip = call
            .tx
            .query_row(
                "SELECT 1 FROM public_ips p JOIN datacenter_vlans v ON v.id = p.vlan_id WHERE p.id = ?1 AND v.network_id = ?2",
                [&ip_id, &network.id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if is_range_ip {
            continue;
        }
        // A VPC's IP only leaves the tier; it stays with the VPC.
        let in_vpc = store::find_ip(call.tx, &ip_id)?.is_some_and(|ip| ip.vpc_id.is_some());
        if in_vpc {
            call.tx.execute(
                "UPDATE ip_details SET static_nat_vm_id = NULL, static_nat_vm_ip = NULL WHERE ip_id = ?1",
                [&ip_id],
            )?;
            call.tx.execute(
                "UPDATE public_ips SET network_id = NULL WHERE id = ?1",
                [&ip_id],
            )?;
        } else {
            ips::release(call, &ip_id)?;
        }
    }
    routers::destroy_for_network(call, &network.id)?;
    call.tx.execute(
        "DELETE FROM public_ips WHERE vlan_id IN (SELECT id FROM datacenter_vlans WHERE network_id = ?1)",
        [&network.id],
    )?;
    dc::remove_network_ranges(call.tx, &network.id)?;
    store::release_vlan(call.tx, network)?;
    call.tx
        .execute("DELETE FROM nics WHERE network_id = ?1", [&network.id])?;
    call.tx
        .execute("DELETE FROM networks WHERE id = ?1", [&network.id])?;
    store::forget_tags(call, "Network", &network.id)?;
    Ok(())
}

/// The user VMs (not expunged) with a NIC in the network: (id, state).
pub(crate) fn vms_using(
    call: &Call<'_>,
    network_id: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut stmt = call.tx.prepare_cached(
        "SELECT DISTINCT v.id, v.state FROM nics n JOIN compute_vms v ON v.id = n.vm_id WHERE n.network_id = ?1",
    )?;
    let rows = stmt.query_map([network_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `deleteNetwork` (async): refused (530) while a VM that is not expunged
/// has a NIC in it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network = store::network(call.tx, "id", call.required("id")?)?;
    check_network_access(call, &network)?;
    let id = network.id.clone();
    Ok(Reply::Job(
        Job::on(
            "Network",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let Some(network) = store::find_network(call.tx, &id)? else {
                    return Err(ApiError::invalid_id("id", &id));
                };
                let forced = call.params.flag("forced", false);
                if !forced && !vms_using(call, &id)?.is_empty() {
                    return Err(ApiError::internal("Failed to delete network"));
                }
                if let Some(owner) = &network.account_id {
                    limits::release(call, owner, ResourceKind::Network, 1)?;
                }
                destroy(call, &network)?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "NETWORK.DELETE",
            format!("Deleting network: {}", network.id),
        ),
    ))
}

/// Refuses (531) an action on a network the caller may not touch. Domain
/// networks are managed by admins of the domain.
pub(crate) fn check_network_access(call: &Call<'_>, network: &NetworkRow) -> Result<(), ApiError> {
    match &network.account_id {
        Some(owner) => check_access(call, owner, &network.id),
        None => {
            let caller = call.caller;
            let path: Option<String> = call
                .tx
                .query_row(
                    "SELECT path FROM identity_domains WHERE id = ?1",
                    [&network.domain_id],
                    |r| r.get(0),
                )
                .optional()?;
            let inside = path.is_some_and(|p| p.starts_with(&caller.domain_path));
            if caller.is_root_admin() || (caller.is_domain_admin() && inside) {
                Ok(())
            } else {
                Err(crate::kernel::scope::denied(call, &network.id))
            }
        }
    }
}

/// `restartNetwork` (async): with `cleanup` the router is replaced.
pub(crate) fn restart(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network = store::network(call.tx, "id", call.required("id")?)?;
    check_network_access(call, &network)?;
    let id = network.id.clone();
    let cleanup = call.params.flag("cleanup", false);
    Ok(Reply::Job(
        Job::on(
            "Network",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let network = store::network(call.tx, "id", &id)?;
                if network.state != "Implemented" && network.state != "Setup" {
                    return Err(ApiError::param(
                        "Network is not in the right state to be restarted. Correct states are: Implemented, Setup",
                    ));
                }
                if network.state == "Implemented" && network.guest_type == "Isolated" && network.vpc_id.is_none() {
                    let source_nat: Option<String> = call
                        .tx
                        .query_row(
                            "SELECT id FROM public_ips WHERE network_id = ?1 AND is_source_nat = 1",
                            [&id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    match routers::router_of_network(call.tx, &id)? {
                        Some(router) if cleanup => {
                            routers::remove(call, &router)?;
                            routers::create(call, routers::RouterFor::Network(&network), source_nat.as_deref())?;
                        }
                        Some(router) => routers::set_state(call, &router, "Running")?,
                        None if offering_has_router(call, &network)? => {
                            routers::create(call, routers::RouterFor::Network(&network), source_nat.as_deref())?;
                        }
                        None => {}
                    }
                }
                call.tx.execute("UPDATE networks SET restart_required = 0 WHERE id = ?1", [&id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("NETWORK.RESTART", format!("Restarting network: {}", network.id)),
    ))
}

/// `updateNetwork` (async): name, text, network domain, DNS, display flag
/// or a new (enabled) offering.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let network = store::network(call.tx, "id", call.required("id")?)?;
    check_network_access(call, &network)?;
    let p = call.params;
    let new_offering = match p.str("networkofferingid") {
        Some(id) => {
            let offering = offering(call, id)?;
            if offering.state != "Enabled" {
                return Err(ApiError::param(
                    "Network offering with specified id is not in Enabled state, can't upgrade to it",
                ));
            }
            let old_for_vpc = call.tx.query_row(
                "SELECT for_vpc FROM offerings_network_offerings WHERE id = ?1",
                [&network.offering_id],
                |r| r.get::<_, bool>(0),
            )?;
            if offering.for_vpc != old_for_vpc {
                let what = if offering.for_vpc {
                    "a vpc offering "
                } else {
                    "not a vpc offering"
                };
                return Err(ApiError::param(format!(
                    "Can't update as the new offering is {what}"
                )));
            }
            if offering.guest_type != network.guest_type {
                return Err(ApiError::param(
                    "Can't upgrade from network offering of one guest type to another",
                ));
            }
            Some(offering.id)
        }
        None => None,
    };
    if let Some(nd) = p.str("networkdomain") {
        if network.guest_type == "L2" || network.vpc_id.is_some() {
            return Err(ApiError::param(
                "Domain suffix update can only be performed for Isolated and shared networks.",
            ));
        }
        if nd.len() > 255 || nd.starts_with('-') || nd.contains(' ') {
            return Err(ApiError::param(
                "Invalid network domain. Total length shouldn't exceed 190 chars. Each domain label must be between 1 and 63 characters long, can contain ASCII letters 'a' through 'z', the digits '0' through '9', and the hyphen ('-'); can't start or end with \"-\"; and can't start with digit",
            ));
        }
    }
    let id = network.id.clone();
    let updates: Vec<(&'static str, Option<String>)> = vec![
        ("name", p.str("name").map(String::from)),
        ("display_text", p.str("displaytext").map(String::from)),
        ("network_domain", p.str("networkdomain").map(String::from)),
        ("dns1", p.str("dns1").map(String::from)),
        ("dns2", p.str("dns2").map(String::from)),
        ("network_offering_id", new_offering),
    ];
    let display = p.bool("displaynetwork");
    Ok(Reply::Job(
        Job::on(
            "Network",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                store::network(call.tx, "id", &id)?;
                for (column, value) in &updates {
                    if let Some(value) = value {
                        call.tx.execute(
                            &format!("UPDATE networks SET {column} = ?2 WHERE id = ?1"),
                            params![id, value],
                        )?;
                    }
                }
                if let Some(display) = display {
                    call.tx.execute(
                        "UPDATE networks SET display_network = ?2 WHERE id = ?1",
                        params![id, display],
                    )?;
                }
                Ok(Reply::Object {
                    key: "network",
                    value: network_json(call, &id)?,
                })
            }),
        )
        .with_event(
            "NETWORK.UPDATE",
            format!("updating network: {}", network.id),
        ),
    ))
}

/// The query behind network responses.
pub(crate) fn network_query() -> Query {
    Query::new(
        "SELECT n.id AS id, n.name AS name, n.display_text AS displaytext, 'Vlan' AS broadcastdomaintype,
                'Guest' AS traffictype, n.gateway AS gateway, n.netmask AS netmask, n.cidr AS cidr,
                n.zone_id AS zoneid, z.name AS zonename, o.id AS networkofferingid, o.name AS networkofferingname,
                o.display_text AS networkofferingdisplaytext, o.conserve_mode AS \"networkofferingconservemode?\",
                o.availability AS networkofferingavailability, 0 AS \"issystem?\", n.state AS state, n.id AS related,
                COALESCE(n.dns1, z.dns1) AS dns1, COALESCE(n.dns2, z.dns2) AS dns2, n.guest_type AS type,
                n.acl_type AS acltype, a.name AS account, d.id AS domainid, d.name AS domain,
                n.physical_network_id AS physicalnetworkid, n.restart_required AS \"restartrequired?\",
                o.specify_ip_ranges AS \"specifyipranges?\", n.vlan AS vlan,
                CASE WHEN n.vlan IS NULL THEN NULL ELSE 'vlan://' || n.vlan END AS broadcasturi,
                n.network_domain AS networkdomain, n.vpc_id AS vpcid, v.name AS vpcname, n.acl_id AS aclid,
                acl.name AS aclname, o.is_persistent AS \"ispersistent?\",
                o.egress_default_policy AS \"egressdefaultpolicy?\", n.display_network AS \"displaynetwork?\",
                n.created AS created, 1 AS \"canusefordeploy?\", o.redundant_router AS \"redundantrouter?\",
                0 AS \"strechedl2subnet?\", n.subdomain_access AS \"subdomainaccess?\", 'IPv4' AS internetprotocol,
                n.external_id AS externalid, 0 AS \"hasannotations?\", 0 AS \"isdefault?\"
         FROM networks n JOIN datacenter_zones z ON z.id = n.zone_id JOIN offerings_network_offerings o ON o.id = n.network_offering_id
         JOIN identity_domains d ON d.id = n.domain_id LEFT JOIN identity_accounts a ON a.id = n.account_id
         LEFT JOIN vpcs v ON v.id = n.vpc_id LEFT JOIN network_acl_lists acl ON acl.id = n.acl_id",
    )
}

/// Adds the services, tags and admin-only fields to a network row.
pub(crate) fn finish_network(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let offering_id = row
        .get("networkofferingid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let services = store::offering_services(call.tx, "network_offering_services", &offering_id)?;
    if services.contains_key("Lb") && row.get("vpcid").is_none() {
        row.insert("supportsvmautoscaling".into(), Value::Bool(true));
    }
    row.insert("service".into(), store::services_json(&services));
    // Networks carry no details here; a real answer shows the empty map
    // (recorded listNetworks and createNetwork answers).
    row.insert("details".into(), Value::Object(serde_json::Map::new()));
    store::attach_tags(call, "Network", &mut row)?;
    if !call.caller.is_root_admin() {
        row.remove("vlan");
        row.remove("broadcasturi");
    }
    if row.get("acltype").and_then(Value::as_str) != Some("Domain") {
        row.remove("subdomainaccess");
    }
    Ok(Value::Object(row))
}

/// One network as responses show it.
pub(crate) fn network_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = network_query().one(call.tx, "n.id", id)?;
    finish_network(call, row)
}

/// The condition of the networks a caller may see in a list: the account
/// networks of [`ListScope`], plus networks shared with the caller's domain
/// (or a parent domain, with subdomain access).
fn visibility(call: &Call<'_>, query: &mut Query) -> Result<(), ApiError> {
    let scope = ListScope::of(call)?;
    let (condition, arg) = scope.condition("n.account_id");
    let caller = call.caller;
    let mut args: Vec<SqlValue> = arg.map(SqlValue::Text).into_iter().collect();
    let everything = caller.is_root_admin()
        && call.params.flag("listall", false)
        && call.params.str("domainid").is_none();
    let domain_part = if everything {
        "1 = 1".to_string()
    } else if caller.is_admin() && call.params.flag("listall", false) {
        args.push(text(format!("{}%", sql::escape_like(&caller.domain_path))));
        "n.domain_id IN (SELECT id FROM identity_domains WHERE path LIKE ? ESCAPE '\\')".to_string()
    } else {
        args.push(text(&caller.domain_id));
        args.push(text(&caller.domain_path));
        "(n.domain_id = ? OR (n.subdomain_access = 1 AND EXISTS (SELECT 1 FROM identity_domains sd WHERE sd.id = n.domain_id
            AND substr(?, 1, length(sd.path)) = sd.path)))"
            .to_string()
    };
    let account_filter = call.params.str("account").is_some();
    if account_filter {
        query.and(&condition, args.into_iter().take(1));
    } else {
        query.and(
            &format!("({condition}) OR (n.acl_type = 'Domain' AND {domain_part})"),
            args,
        );
    }
    Ok(())
}

/// `listNetworks`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = network_query();
    visibility(call, &mut query)?;
    query.eq("n.id", p.str("id"));
    query.eq("n.zone_id", p.str("zoneid"));
    query.eq_nocase("n.guest_type", p.str("type"));
    query.eq_nocase("n.acl_type", p.str("acltype"));
    query.eq("n.vpc_id", p.str("vpcid"));
    query.eq("n.network_offering_id", p.str("networkofferingid"));
    query.eq("n.physical_network_id", p.str("physicalnetworkid"));
    query.eq(
        "n.vlan",
        p.str("vlan").map(|v| v.trim_start_matches("vlan://")),
    );
    query.flag("n.restart_required", p.bool("restartrequired"));
    query.flag("n.display_network", p.bool("displaynetwork"));
    query.flag("o.specify_ip_ranges", p.bool("specifyipranges"));
    if let Some(traffic) = p.str("traffictype") {
        if !traffic.eq_ignore_ascii_case("Guest") {
            query.and("1 = 0", []);
        }
    }
    if p.bool("issystem") == Some(true) {
        query.and("1 = 0", []);
    }
    match p.bool("forvpc") {
        Some(true) => {
            query.and("n.vpc_id IS NOT NULL", []);
        }
        Some(false) => {
            query.and("n.vpc_id IS NULL", []);
        }
        None => {}
    }
    for service in p.list("supportedservices") {
        query.and(
            "EXISTS (SELECT 1 FROM offerings_network_offering_services s WHERE s.offering_id = n.network_offering_id
                     AND s.service = ? COLLATE NOCASE)",
            [text(service)],
        );
    }
    store::tag_filter(call, &mut query, "Network", "n.id");
    query.keyword(&["n.name", "n.display_text"], p.str("keyword"));
    query.order("n.seq");
    query.list(call, "network", finish_network)
}
