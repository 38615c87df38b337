//! Virtual routers: one per implemented isolated network and one per VPC,
//! `Running` on a host of the zone, with the source NAT IP as public IP.
//! `listRouters`, `startRouter`, `stopRouter`, `rebootRouter`,
//! `destroyRouter`.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::ListScope;
use crate::kernel::sql::Query;

use super::store::{self, NetworkRow};
use super::vpc::VpcRow;

/// What a router serves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RouterFor<'a> {
    /// An isolated network.
    Network(&'a NetworkRow),
    /// A VPC.
    Vpc(&'a VpcRow),
}

/// A router as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct RouterRow {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) state: String,
}

impl RouterRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            account_id: r.get(1)?,
            state: r.get(2)?,
        })
    }
}

fn router_where(
    tx: &Transaction<'_>,
    column: &str,
    value: &str,
) -> Result<Option<RouterRow>, ApiError> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT id, account_id, state FROM routers WHERE {column} = ?1 ORDER BY seq LIMIT 1"
        ))?
        .query_row([value], RouterRow::from_row)
        .optional()?)
}

/// The router of an isolated network.
pub(crate) fn router_of_network(
    tx: &Transaction<'_>,
    network_id: &str,
) -> Result<Option<RouterRow>, ApiError> {
    router_where(tx, "network_id", network_id)
}

/// The router of a VPC.
pub(crate) fn router_of_vpc(
    tx: &Transaction<'_>,
    vpc_id: &str,
) -> Result<Option<RouterRow>, ApiError> {
    router_where(tx, "vpc_id", vpc_id)
}

/// Starts a router for a network or VPC (public IP: the given source NAT
/// IP); returns its id.
pub(crate) fn create(
    call: &Call<'_>,
    target: RouterFor<'_>,
    public_ip_id: Option<&str>,
) -> Result<String, ApiError> {
    let (account_id, domain_id, zone_id, network_id, vpc_id, guest_ip) = match target {
        RouterFor::Network(n) => (
            n.owner().to_string(),
            n.domain_id.clone(),
            n.zone_id.clone(),
            Some(n.id.clone()),
            None,
            n.gateway.clone(),
        ),
        RouterFor::Vpc(v) => (
            v.account_id.clone(),
            v.domain_id.clone(),
            v.zone_id.clone(),
            None,
            Some(v.id.clone()),
            None,
        ),
    };
    let host: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT id, pod_id FROM datacenter_hosts WHERE zone_id = ?1 AND state = 'Up' AND resource_state = 'Enabled'
             AND type = 'Routing' ORDER BY seq LIMIT 1",
            [&zone_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let public_ip: Option<String> = match public_ip_id {
        Some(id) => call
            .tx
            .query_row("SELECT address FROM public_ips WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
        None => None,
    };
    let seq = store::next_seq(call.tx, "router")?;
    let id = ids::new_id();
    let link_local = format!("169.254.{}.{}", (seq >> 8) & 0xff, (seq & 0xff).max(1));
    call.tx.execute(
        "INSERT INTO routers (id, name, account_id, domain_id, zone_id, pod_id, host_id, network_id, vpc_id, state,
                              public_ip, public_mac, guest_ip, guest_mac, link_local_ip, link_local_mac, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'Running', ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            id,
            format!("r-{seq}-VM"),
            account_id,
            domain_id,
            zone_id,
            host.as_ref().map(|h| h.1.clone()),
            host.as_ref().map(|h| h.0.clone()),
            network_id,
            vpc_id,
            public_ip,
            public_ip.as_ref().map(|_| store::new_mac(call.tx, "1e:00")).transpose()?,
            guest_ip,
            store::new_mac(call.tx, "02:00")?,
            link_local,
            store::new_mac(call.tx, "0e:00")?,
            call.timestamp()
        ],
    )?;
    Ok(id)
}

/// Removes a router.
pub(crate) fn remove(call: &Call<'_>, router: &RouterRow) -> Result<(), ApiError> {
    release_guest_address(call, &router.id)?;
    call.tx
        .execute("DELETE FROM routers WHERE id = ?1", [&router.id])?;
    Ok(())
}

/// Removes the routers of a network.
pub(crate) fn destroy_for_network(call: &Call<'_>, network_id: &str) -> Result<(), ApiError> {
    if let Some(router) = router_of_network(call.tx, network_id)? {
        release_guest_address(call, &router.id)?;
    }
    call.tx
        .execute("DELETE FROM routers WHERE network_id = ?1", [network_id])?;
    Ok(())
}

/// Gives back the address a shared network's router took from the range
/// (nothing for an isolated network's router, whose guest address is the
/// gateway).
fn release_guest_address(call: &Call<'_>, router_id: &str) -> Result<(), ApiError> {
    let found: Option<(Option<String>, Option<String>)> = call
        .tx
        .query_row(
            "SELECT network_id, guest_ip FROM routers WHERE id = ?1",
            [router_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((Some(network), Some(address))) = found {
        super::nics::release_address(call, &network, &address)?;
    }
    Ok(())
}

/// Removes the routers of a VPC.
pub(crate) fn destroy_for_vpc(call: &Call<'_>, vpc_id: &str) -> Result<(), ApiError> {
    call.tx
        .execute("DELETE FROM routers WHERE vpc_id = ?1", [vpc_id])?;
    Ok(())
}

/// Sets a router's state (a stopped router leaves its host).
pub(crate) fn set_state(call: &Call<'_>, router: &RouterRow, state: &str) -> Result<(), ApiError> {
    if state == "Stopped" {
        call.tx.execute(
            "UPDATE routers SET state = 'Stopped', host_id = NULL WHERE id = ?1",
            [&router.id],
        )?;
        return Ok(());
    }
    let host: Option<String> = call
        .tx
        .query_row(
            "SELECT h.id FROM datacenter_hosts h JOIN routers r ON r.zone_id = h.zone_id WHERE r.id = ?1 AND h.state = 'Up'
             AND h.resource_state = 'Enabled' AND h.type = 'Routing' ORDER BY h.seq LIMIT 1",
            [&router.id],
            |r| r.get(0),
        )
        .optional()?;
    call.tx.execute(
        "UPDATE routers SET state = ?2, host_id = COALESCE(host_id, ?3) WHERE id = ?1",
        params![router.id, state, host],
    )?;
    Ok(())
}

fn router(call: &Call<'_>, id: &str) -> Result<RouterRow, ApiError> {
    router_where(call.tx, "id", id)?.ok_or_else(|| ApiError::invalid_id("id", id))
}

fn router_query() -> Query {
    Query::new(
        "SELECT r.id AS id, r.zone_id AS zoneid, z.name AS zonename, z.dns1 AS dns1, z.dns2 AS dns2,
                COALESCE(n.network_domain, v.network_domain) AS networkdomain, r.name AS name, r.pod_id AS podid,
                pd.name AS podname, r.host_id AS hostid, h.name AS hostname, 'Simulator' AS hypervisor,
                r.link_local_ip AS linklocalip, r.link_local_mac AS linklocalmacaddress,
                '255.255.0.0' AS linklocalnetmask, r.public_ip AS publicip, r.public_mac AS publicmacaddress,
                pv.netmask AS publicnetmask, pv.gateway AS gateway, r.guest_ip AS guestipaddress,
                r.guest_mac AS guestmacaddress, n.netmask AS guestnetmask, r.network_id AS guestnetworkid,
                n.name AS guestnetworkname, r.created AS created, r.state AS state, a.name AS account,
                d.id AS domainid, d.name AS domain, so.id AS serviceofferingid, so.name AS serviceofferingname,
                0 AS \"isredundantrouter?\", 'UNKNOWN' AS redundantstate, '4.22.0' AS version,
                0 AS \"requiresupgrade?\", 'VIRTUAL_ROUTER' AS role, r.vpc_id AS vpcid, v.name AS vpcname,
                0 AS \"healthchecksfailed?\", 'Up' AS hostcontrolstate, 0 AS \"hasannotations?\"
         FROM routers r JOIN datacenter_zones z ON z.id = r.zone_id JOIN identity_accounts a ON a.id = r.account_id
         JOIN identity_domains d ON d.id = r.domain_id LEFT JOIN networks n ON n.id = r.network_id
         LEFT JOIN vpcs v ON v.id = r.vpc_id LEFT JOIN datacenter_pods pd ON pd.id = r.pod_id LEFT JOIN datacenter_hosts h ON h.id = r.host_id
         LEFT JOIN public_ips pi ON pi.address = r.public_ip AND pi.zone_id = r.zone_id
         LEFT JOIN datacenter_vlans pv ON pv.id = pi.vlan_id
         LEFT JOIN offerings_service_offerings so ON so.id = COALESCE(r.service_offering_id,
             (SELECT id FROM offerings_service_offerings WHERE system_vm_type = 'domainrouter' ORDER BY seq LIMIT 1))",
    )
}

fn finish_router(_: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let mut nics = Vec::new();
    if let Some(ip) = row.get("guestipaddress").cloned() {
        nics.push(serde_json::json!({
            "ipaddress": ip,
            "macaddress": row.get("guestmacaddress"),
            "netmask": row.get("guestnetmask"),
            "networkid": row.get("guestnetworkid"),
            "networkname": row.get("guestnetworkname"),
            "traffictype": "Guest",
            "isdefault": false,
        }));
    }
    if let Some(ip) = row.get("publicip").cloned() {
        nics.push(serde_json::json!({
            "ipaddress": ip,
            "macaddress": row.get("publicmacaddress"),
            "netmask": row.get("publicnetmask"),
            "gateway": row.get("gateway"),
            "traffictype": "Public",
            "isdefault": true,
        }));
    }
    nics.push(serde_json::json!({
        "ipaddress": row.get("linklocalip"),
        "macaddress": row.get("linklocalmacaddress"),
        "netmask": "255.255.0.0",
        "traffictype": "Control",
        "isdefault": false,
    }));
    row.insert("nic".into(), Value::Array(nics));
    Ok(Value::Object(row))
}

fn router_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = router_query().one(call.tx, "r.id", id)?;
    finish_router(call, row)
}

/// `listRouters` (admins).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = router_query();
    query.scope(&ListScope::of(call)?, "r.account_id");
    query.eq("r.id", p.str("id"));
    query.eq("r.zone_id", p.str("zoneid"));
    query.eq("r.pod_id", p.str("podid"));
    query.eq("r.host_id", p.str("hostid"));
    query.eq("r.network_id", p.str("networkid"));
    query.eq("r.vpc_id", p.str("vpcid"));
    query.eq("r.name", p.str("name"));
    query.eq_nocase("r.state", p.str("state"));
    match p.bool("forvpc") {
        Some(true) => {
            query.and("r.vpc_id IS NOT NULL", []);
        }
        Some(false) => {
            query.and("r.vpc_id IS NULL", []);
        }
        None => {}
    }
    query.keyword(&["r.name"], p.str("keyword"));
    query.order("r.seq");
    query.list(call, "router", finish_router)
}

fn action(
    call: &mut Call<'_>,
    event: &'static str,
    description: &'static str,
    work: fn(&Call<'_>, &RouterRow) -> Result<(), ApiError>,
) -> Result<Reply, ApiError> {
    let found = router(call, call.required("id")?)?;
    crate::kernel::scope::check_access(call, &found.account_id, &found.id)?;
    let id = found.id.clone();
    Ok(Reply::Job(
        Job::on(
            "DomainRouter",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let found = router(call, &id)?;
                work(call, &found)?;
                Ok(Reply::Object {
                    key: "router",
                    value: router_json(call, &id)?,
                })
            }),
        )
        .with_event(event, format!("{description}. Router Id: {}", found.id)),
    ))
}

/// `startRouter` (async).
pub(crate) fn start(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    action(call, "ROUTER.START", "starting router Vm", |call, r| {
        set_state(call, r, "Running")
    })
}

/// `stopRouter` (async).
pub(crate) fn stop(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    action(call, "ROUTER.STOP", "stopping router Vm", |call, r| {
        set_state(call, r, "Stopped")
    })
}

/// `rebootRouter` (async): only a running router (530 otherwise).
pub(crate) fn reboot(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    action(call, "ROUTER.REBOOT", "rebooting router Vm", |call, r| {
        if r.state != "Running" {
            return Err(ApiError::unavailable(format!(
                "Unable to reboot domR, it is not in right state {}",
                r.state
            )));
        }
        set_state(call, r, "Running")
    })
}

/// `destroyRouter` (async): answers the router as it was, `Destroyed`.
pub(crate) fn destroy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let found = router(call, call.required("id")?)?;
    crate::kernel::scope::check_access(call, &found.account_id, &found.id)?;
    let id = found.id.clone();
    Ok(Reply::Job(
        Job::on(
            "DomainRouter",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let found = router(call, &id)?;
                let mut value = router_json(call, &id)?;
                value["state"] = Value::String("Destroyed".into());
                remove(call, &found)?;
                Ok(Reply::Object {
                    key: "router",
                    value,
                })
            }),
        )
        .with_event(
            "ROUTER.DESTROY",
            format!("destroying router Vm. Router Id: {}", found.id),
        ),
    ))
}

/// `changeServiceForRouter` (sync): a stopped router takes another system
/// offering of the same storage type (CloudStack's
/// `VirtualNetworkApplianceManagerImpl.upgradeRouter`).
pub(crate) fn change_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let offering = call.required("serviceofferingid")?.to_string();
    let found = router_where(call.tx, "id", &id)?
        .ok_or_else(|| ApiError::param(format!("Unable to find router with id {id}")))?;
    crate::kernel::scope::check_access(call, &found.account_id, &found.id)?;
    let (name, current): (String, Option<String>) = call.tx.query_row(
        "SELECT r.name, COALESCE(r.service_offering_id,
                (SELECT id FROM offerings_service_offerings WHERE system_vm_type = 'domainrouter' ORDER BY seq LIMIT 1))
         FROM routers r WHERE r.id = ?1",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if current.as_deref() != Some(offering.as_str()) {
        let wanted: Option<(bool, String)> = call
            .tx
            .query_row(
                "SELECT is_system, storage_type FROM offerings_service_offerings WHERE id = ?1 AND removed IS NULL",
                [&offering],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((is_system, storage)) = wanted else {
            return Err(ApiError::param(format!(
                "Unable to find service offering with id {offering}"
            )));
        };
        if !is_system {
            return Err(ApiError::param(format!(
                "Cannot upgrade router vm to a non system service offering {offering}"
            )));
        }
        let label = format!("VM[DomainRouter|{name}]");
        if found.state != "Stopped" {
            return Err(ApiError::param(format!(
                "Unable to upgrade router {label} in state {}; make sure the router is stopped and not in an error state before upgrading.",
                found.state
            )));
        }
        let current_storage: Option<String> = match &current {
            Some(current) => call
                .tx
                .query_row(
                    "SELECT storage_type FROM offerings_service_offerings WHERE id = ?1",
                    [current],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        let local = |s: &str| s.eq_ignore_ascii_case("local");
        let current_local = current_storage.as_deref().is_some_and(local);
        if local(&storage) != current_local {
            return Err(ApiError::param(format!(
                "Can't upgrade, due to new local storage status : {} is different from current local storage status of router {label}",
                local(&storage)
            )));
        }
        call.tx.execute(
            "UPDATE routers SET service_offering_id = ?2 WHERE id = ?1",
            params![id, offering],
        )?;
    }
    crate::kernel::event_log::completed(
        call,
        "ROUTER.UPGRADE",
        "upgrading Router",
        crate::kernel::contract::Subject::of("DomainRouter", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "router",
        value: router_json(call, &id)?,
    })
}
