//! Lookups and small shared rules of the network family: rows the rules
//! work on, owners, sequences, MAC addresses, CIDR arithmetic and the way
//! CloudStack prints its objects inside error texts.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Row, Transaction};
use serde_json::{Value, json};

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::ip;
use crate::kernel::scope::check_access;
use crate::kernel::sql;

/// A guest network as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct NetworkRow {
    pub(crate) id: String,
    pub(crate) seq: i64,
    pub(crate) name: String,
    pub(crate) zone_id: String,
    pub(crate) physical_network_id: Option<String>,
    pub(crate) offering_id: String,
    pub(crate) guest_type: String,
    pub(crate) state: String,
    pub(crate) account_id: Option<String>,
    pub(crate) domain_id: String,
    pub(crate) subdomain_access: bool,
    pub(crate) cidr: Option<String>,
    pub(crate) gateway: Option<String>,
    pub(crate) vlan: Option<String>,
    pub(crate) specified_vlan: bool,
    pub(crate) vpc_id: Option<String>,
}

impl NetworkRow {
    const COLUMNS: &'static str =
        "id, seq, name, zone_id, physical_network_id, network_offering_id, guest_type, state,
        account_id, domain_id, subdomain_access, cidr, gateway, vlan, specified_vlan, vpc_id";

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            seq: r.get(1)?,
            name: r.get(2)?,
            zone_id: r.get(3)?,
            physical_network_id: r.get(4)?,
            offering_id: r.get(5)?,
            guest_type: r.get(6)?,
            state: r.get(7)?,
            account_id: r.get(8)?,
            domain_id: r.get(9)?,
            subdomain_access: r.get::<_, Option<bool>>(10)?.unwrap_or(false),
            cidr: r.get(11)?,
            gateway: r.get(12)?,
            vlan: r.get(13)?,
            specified_vlan: r.get(14)?,
            vpc_id: r.get(15)?,
        })
    }

    /// CloudStack's `NetworkVO.toString()`: `Ntwk[<id>|Guest|<offering id>]`.
    pub(crate) fn display(&self, tx: &Transaction<'_>) -> Result<String, ApiError> {
        let offering: Option<i64> = tx
            .query_row(
                "SELECT seq FROM offerings_network_offerings WHERE id = ?1",
                [&self.offering_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(format!(
            "Ntwk[{}|Guest|{}]",
            self.seq,
            offering.unwrap_or(0)
        ))
    }

    /// The owner the rules check access against (the domain-wide networks
    /// of shared offerings are owned by the system account).
    pub(crate) fn owner(&self) -> &str {
        self.account_id.as_deref().unwrap_or("")
    }
}

/// A network by id, if it exists.
pub(crate) fn find_network(tx: &Transaction<'_>, id: &str) -> Result<Option<NetworkRow>, ApiError> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {} FROM networks WHERE id = ?1",
            NetworkRow::COLUMNS
        ))?
        .query_row([id], NetworkRow::from_row)
        .optional()?)
}

/// A network named by a parameter, or 431.
pub(crate) fn network(tx: &Transaction<'_>, param: &str, id: &str) -> Result<NetworkRow, ApiError> {
    find_network(tx, id)?.ok_or_else(|| ApiError::invalid_id(param, id))
}

/// The networks matching a condition on `networks` (with `?1`).
pub(crate) fn networks_where(
    tx: &Transaction<'_>,
    condition: &str,
    arg: &str,
) -> Result<Vec<NetworkRow>, ApiError> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {} FROM networks WHERE {condition} ORDER BY seq",
        NetworkRow::COLUMNS
    ))?;
    let rows = stmt.query_map([arg], NetworkRow::from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// An allocated (or free) public IP with what this family knows about it.
#[derive(Debug, Clone)]
pub(crate) struct IpRow {
    pub(crate) id: String,
    pub(crate) address: String,
    pub(crate) zone_id: String,
    pub(crate) zone_seq: i64,
    pub(crate) state: String,
    pub(crate) account_id: Option<String>,
    pub(crate) domain_id: Option<String>,
    pub(crate) network_id: Option<String>,
    pub(crate) is_source_nat: bool,
    pub(crate) for_virtual_network: bool,
    pub(crate) vpc_id: Option<String>,
    pub(crate) static_nat_vm_id: Option<String>,
}

impl IpRow {
    /// CloudStack's `IPAddressVO.toString()`: `Ip[<address>-<zone id>]`.
    pub(crate) fn display(&self) -> String {
        format!("Ip[{}-{}]", self.address, self.zone_seq)
    }

    /// Whether the IP is allocated to an account.
    pub(crate) fn allocated(&self) -> bool {
        self.account_id.is_some() && self.state != "Free"
    }

    /// The owner account id, or an empty string when unallocated.
    pub(crate) fn owner(&self) -> &str {
        self.account_id.as_deref().unwrap_or("")
    }
}

/// A public IP by id, if it exists.
pub(crate) fn find_ip(tx: &Transaction<'_>, id: &str) -> Result<Option<IpRow>, ApiError> {
    Ok(tx
        .prepare_cached(
            "SELECT p.id, p.address, p.zone_id, z.seq, p.state, p.account_id, p.domain_id, p.network_id,
                    p.is_source_nat, v.for_virtual_network, x.vpc_id, x.static_nat_vm_id
             FROM public_ips p JOIN datacenter_zones z ON z.id = p.zone_id JOIN datacenter_vlans v ON v.id = p.vlan_id
             LEFT JOIN ip_details x ON x.ip_id = p.id
             WHERE p.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(IpRow {
                id: r.get(0)?,
                address: r.get(1)?,
                zone_id: r.get(2)?,
                zone_seq: r.get(3)?,
                state: r.get(4)?,
                account_id: r.get(5)?,
                domain_id: r.get(6)?,
                network_id: r.get(7)?,
                is_source_nat: r.get(8)?,
                for_virtual_network: r.get(9)?,
                vpc_id: r.get(10)?,
                static_nat_vm_id: r.get(11)?,
            })
        })
        .optional()?)
}

/// An allocated public IP named by a parameter (431 when unknown or free).
pub(crate) fn allocated_ip(tx: &Transaction<'_>, param: &str, id: &str) -> Result<IpRow, ApiError> {
    find_ip(tx, id)?
        .filter(IpRow::allocated)
        .ok_or_else(|| ApiError::invalid_id(param, id))
}

/// A user VM as the network rules see it (the compute family's `vms` row).
#[derive(Debug, Clone)]
pub(crate) struct VmRow {
    pub(crate) id: String,
    pub(crate) seq: i64,
    pub(crate) name: String,
    /// The display name, the name when none was given.
    pub(crate) display_name: String,
    pub(crate) account_id: String,
    pub(crate) state: String,
}

/// A VM by id, if it exists (not yet expunged).
pub(crate) fn find_vm(tx: &Transaction<'_>, id: &str) -> Result<Option<VmRow>, ApiError> {
    Ok(tx
        .prepare_cached(
            "SELECT id, seq, name, account_id, state, COALESCE(display_name, name) FROM compute_vms WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(VmRow {
                id: r.get(0)?,
                seq: r.get(1)?,
                name: r.get(2)?,
                account_id: r.get(3)?,
                state: r.get(4)?,
                display_name: r.get(5)?,
            })
        })
        .optional()?)
}

/// A VM named by a parameter, or 431.
pub(crate) fn vm(tx: &Transaction<'_>, param: &str, id: &str) -> Result<VmRow, ApiError> {
    find_vm(tx, id)?.ok_or_else(|| ApiError::invalid_id(param, id))
}

/// The NIC of a VM in a network: (nic id, IP address).
pub(crate) fn nic_in_network(
    tx: &Transaction<'_>,
    vm_id: &str,
    network_id: &str,
) -> Result<Option<(String, Option<String>)>, ApiError> {
    Ok(tx
        .prepare_cached("SELECT id, ip_address FROM nics WHERE vm_id = ?1 AND network_id = ?2 ORDER BY device_id")?
        .query_row([vm_id, network_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// An account that owns resources.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub(crate) id: String,
    pub(crate) seq: i64,
    pub(crate) name: String,
    pub(crate) domain_id: String,
}

/// An account by id.
pub(crate) fn account(tx: &Transaction<'_>, id: &str) -> Result<Owner, ApiError> {
    tx.prepare_cached("SELECT id, seq, name, domain_id FROM identity_accounts WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Owner {
                id: r.get(0)?,
                seq: r.get(1)?,
                name: r.get(2)?,
                domain_id: r.get(3)?,
            })
        })
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("Unable to find account {id}")))
}

/// The owner a create command acts for: `account` + `domainid` when given
/// (the caller must be allowed to act for it), else the caller.
pub(crate) fn owner_of(call: &Call<'_>) -> Result<Owner, ApiError> {
    let p = call.params;
    match (p.str("account"), p.str("domainid")) {
        (Some(name), Some(domain_id)) => {
            if !sql::exists(call.tx, "identity_domains", domain_id)? {
                return Err(ApiError::invalid_id("domainid", domain_id));
            }
            let id: Option<String> = call
                .tx
                .query_row(
                    "SELECT id FROM identity_accounts WHERE name = ?1 AND domain_id = ?2",
                    [name, domain_id],
                    |r| r.get(0),
                )
                .optional()?;
            let id = id.ok_or_else(|| {
                ApiError::param(format!(
                    "Unable to find account {name} in domain id={domain_id}"
                ))
            })?;
            if !call.caller.is_admin() && id != call.caller.account_id {
                return Err(ApiError::permission(format!(
                    "Account '{}' does not have permission to act for account {name}",
                    call.caller.account_name
                )));
            }
            check_access(call, &id, &id)?;
            account(call.tx, &id)
        }
        _ => account(call.tx, &call.caller.account_id),
    }
}

/// The next value of a named counter (1, 2, ...).
pub(crate) fn next_seq(tx: &Transaction<'_>, name: &str) -> Result<i64, ApiError> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO network_sequences (name, value) VALUES (?1, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        )?
        .query_row([name], |r| r.get(0))?)
}

/// A MAC address that never repeats: `02:00:` (locally administered) plus
/// a 32-bit counter; `prefix` picks another range for routers' NICs.
pub(crate) fn new_mac(tx: &Transaction<'_>, prefix: &str) -> Result<String, ApiError> {
    let n = next_seq(tx, "mac")?;
    let b = u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    Ok(format!(
        "{prefix}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[0], b[1], b[2], b[3]
    ))
}

/// The services of a network offering and their providers; `table` is the
/// offerings family's table (`network_offering_services` or
/// `vpc_offering_services`), read through the view it publishes.
pub(crate) fn offering_services(
    tx: &Transaction<'_>,
    table: &str,
    offering_id: &str,
) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT service, provider FROM offerings_{table} WHERE offering_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([offering_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let (service, provider) = row?;
        let providers = out.entry(service).or_default();
        if let Some(provider) = provider {
            providers.push(provider);
        }
    }
    Ok(out)
}

/// Whether a network's offering has a service.
pub(crate) fn supports(
    tx: &Transaction<'_>,
    network: &NetworkRow,
    service: &str,
) -> Result<bool, ApiError> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM offerings_network_offering_services WHERE offering_id = ?1 AND service = ?2",
        )?
        .query_row([&network.offering_id, service], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The capabilities the VirtualRouter element declares for the services
/// it provides, which a network's answer lists under each service (as a
/// real server's listNetworks answer shows them;
/// VirtualRouterElement.setCapabilities). The LB stickiness methods are
/// left out: their value is the element's prose.
const VIRTUAL_ROUTER_CAPABILITIES: &[(&str, &[(&str, &str)])] = &[
    (
        "Lb",
        &[
            ("SupportedLBIsolation", "dedicated"),
            ("SupportedLbAlgorithms", "roundrobin,leastconn,source"),
            ("SupportedProtocols", "tcp, udp, tcp-proxy"),
            ("LbSchemes", "Public"),
            (
                "AutoScaleCounters",
                r#"[{"methodname":"cpu","paramlist":[]},{"methodname":"memory","paramlist":[]}]"#,
            ),
        ],
    ),
    ("PortForwarding", &[("SupportedProtocols", "tcp,udp")]),
    (
        "SourceNat",
        &[
            ("SupportedSourceNatTypes", "peraccount"),
            ("RedundantRouter", "true"),
        ],
    ),
    (
        "Vpn",
        &[
            ("VpnTypes", "removeaccessvpn"),
            ("SupportedVpnTypes", "pptp,l2tp,ipsec"),
        ],
    ),
    ("Dns", &[("AllowDnsSuffixModification", "true")]),
    ("Dhcp", &[("DhcpAccrossMultipleSubnets", "true")]),
    (
        "Firewall",
        &[
            ("TrafficStatistics", "per public ip"),
            ("SupportedProtocols", "tcp,udp,icmp"),
            ("MultipleIps", "true"),
            ("SupportedTrafficDirection", "ingress, egress"),
            ("SupportedEgressProtocols", "tcp,udp,icmp, all"),
        ],
    ),
];

/// The `service` array of a network or VPC response: each service with
/// its providers, and the VirtualRouter's capabilities where it provides
/// the service.
pub(crate) fn services_json(services: &BTreeMap<String, Vec<String>>) -> Value {
    Value::Array(
        services
            .iter()
            .map(|(name, providers)| {
                let mut service = json!({
                    "name": name,
                    "provider": providers.iter().map(|p| json!({"name": p})).collect::<Vec<_>>(),
                });
                let capabilities = VIRTUAL_ROUTER_CAPABILITIES
                    .iter()
                    .find(|(service, _)| service == name)
                    .filter(|_| providers.iter().any(|p| p == "VirtualRouter"));
                if let Some((_, capabilities)) = capabilities {
                    service["capability"] = capabilities
                        .iter()
                        .map(|(capability, value)| {
                            json!({
                                "name": capability,
                                "value": value,
                                "canchooseservicecapability": false,
                            })
                        })
                        .collect();
                }
                service
            })
            .collect(),
    )
}

/// An IPv4 CIDR: (network address, prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub(crate) net: u32,
    pub(crate) prefix: u32,
}

impl Cidr {
    /// Parses `a.b.c.d/n`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        ip::parse_cidr(text).map(|(net, prefix)| Self { net, prefix })
    }

    /// The CIDR of a gateway and netmask.
    pub(crate) fn of(gateway: &str, netmask: &str) -> Option<Self> {
        let prefix = ip::prefix_of_netmask(netmask)?;
        let net = ip::parse(gateway)? & ip::netmask_of_prefix(prefix);
        Some(Self { net, prefix })
    }

    /// The first and last address (network and broadcast).
    pub(crate) fn bounds(self) -> (u32, u32) {
        let size = if self.prefix == 0 {
            u32::MAX
        } else {
            (1u32 << (32 - self.prefix)) - 1
        };
        (self.net, self.net | size)
    }

    /// Whether `other` lies inside this CIDR.
    pub(crate) fn contains(self, other: Self) -> bool {
        other.prefix >= self.prefix && ip::in_subnet(other.net, self.net, self.prefix)
    }

    /// Whether the two CIDRs share an address.
    pub(crate) fn overlaps(self, other: Self) -> bool {
        ip::overlaps(self.bounds(), other.bounds())
    }

    /// The netmask text.
    pub(crate) fn netmask(self) -> String {
        ip::format(ip::netmask_of_prefix(self.prefix))
    }

    /// The first usable address (the usual gateway).
    pub(crate) fn first_host(self) -> u32 {
        self.net.saturating_add(1)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", ip::cidr_text(self.net, self.prefix))
    }
}

/// Validates a list of CIDRs (431 `Invalid cidr <c>` otherwise).
pub(crate) fn check_cidrs(cidrs: &[String]) -> Result<(), ApiError> {
    for cidr in cidrs {
        let valid = cidr.split_once('/').is_some_and(|(addr, prefix)| {
            ip::parse(addr).is_some() && prefix.parse::<u32>().is_ok_and(|p| p <= 32)
        });
        if !valid {
            return Err(ApiError::param(format!("Invalid cidr {cidr}")));
        }
    }
    Ok(())
}

/// The `tags` array of a response about something that cannot be tagged.
pub(crate) fn no_tags() -> Value {
    Value::Array(Vec::new())
}

/// Adds the resource's tags (`kind` is the tags family's resource type,
/// `Network`) to a response row that has an `id`.
pub(crate) fn attach_tags(
    call: &Call<'_>,
    kind: &str,
    row: &mut crate::kernel::render::Object,
) -> Result<(), ApiError> {
    let id = sql::id_of(row);
    let tags = crate::families::tags::api::tags_of_one(call, kind, &id)?;
    row.insert("tags".into(), Value::Array(tags));
    Ok(())
}

/// Restricts a list to resources carrying the `tags[i].key/value` given.
pub(crate) fn tag_filter(
    call: &Call<'_>,
    query: &mut crate::kernel::sql::Query,
    kind: &str,
    id_column: &str,
) {
    if let Some((condition, args)) = crate::families::tags::api::tag_filter(call, kind, id_column) {
        query.and(&condition, args);
    }
}

/// Drops the tags of a resource that is gone.
pub(crate) fn forget_tags(call: &Call<'_>, kind: &str, id: &str) -> Result<(), ApiError> {
    crate::families::tags::api::forget(call, kind, id)
}

/// A port parameter (1-65535; 431 with `what` otherwise).
pub(crate) fn port(call: &Call<'_>, name: &str, what: &str) -> Result<Option<i64>, ApiError> {
    match call.params.i64(name)? {
        None => Ok(None),
        Some(p) if (1..=65535).contains(&p) => Ok(Some(p)),
        Some(p) => Err(ApiError::param(format!("{what} is an invalid value: {p}"))),
    }
}

/// Removes a guest VLAN from the network (back to the physical network).
pub(crate) fn release_vlan(tx: &Transaction<'_>, network: &NetworkRow) -> Result<(), ApiError> {
    crate::families::datacenter::api::release_guest_vnets(tx, &network.id)
}
