//! NICs of user VMs: adding one allocates a guest IP (from the network's
//! CIDR, or for shared networks from its address ranges), a MAC address and
//! the next device id, and implements the network on first use; removing
//! the last NIC of a network shuts it down.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::render;
use crate::kernel::sql::{self, Query, text};

use super::store::{self, Cidr, NetworkRow};
use super::{networks, nicips, rules, staticnat};

/// The guest IP, netmask and gateway a new NIC gets.
struct Address {
    ip: Option<String>,
    netmask: Option<String>,
    gateway: Option<String>,
}

fn acquire_failed(call: &Call<'_>, network: &NetworkRow) -> ApiError {
    ApiError::capacity(format!(
        "Unable to acquire Guest IP address for network {}",
        network.display(call.tx).unwrap_or_default()
    ))
}

/// A free address in an isolated network's CIDR (not the network, broadcast
/// or gateway address, nor another NIC's).
fn guest_ip(
    call: &Call<'_>,
    network: &NetworkRow,
    requested: Option<&str>,
) -> Result<Address, ApiError> {
    let Some(cidr) = network.cidr.as_deref().and_then(Cidr::parse) else {
        return Ok(Address {
            ip: None,
            netmask: None,
            gateway: None,
        });
    };
    let used: HashSet<u32> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT ip_address FROM nics WHERE network_id = ?1 AND ip_address IS NOT NULL
             UNION ALL SELECT ip_address FROM nic_secondary_ips WHERE network_id = ?1
             UNION ALL SELECT source_ip FROM internal_lb_rules WHERE source_network_id = ?1",
        )?;
        let rows = stmt.query_map([&network.id], |r| r.get::<_, String>(0))?;
        rows.filter_map(|r| r.ok())
            .filter_map(|a| ip::parse(&a))
            .collect()
    };
    let gateway = network.gateway.as_deref().and_then(ip::parse);
    let (first, last) = cidr.bounds();
    let usable = |n: u32| n > first && n < last && Some(n) != gateway && !used.contains(&n);
    let chosen = match requested {
        Some(text) => {
            let n = ip::parse(text).ok_or_else(|| {
                ApiError::param(format!(
                    "Invalid format for the ip address parameter: {text}"
                ))
            })?;
            if !ip::in_subnet(n, cidr.net, cidr.prefix) {
                return Err(ApiError::param(format!(
                    "Requested ip address {text} is not in the ip address range of the network {}",
                    network.name
                )));
            }
            usable(n)
                .then_some(n)
                .ok_or_else(|| acquire_failed(call, network))?
        }
        None => (first.saturating_add(1)..last)
            .find(|n| usable(*n))
            .ok_or_else(|| acquire_failed(call, network))?,
    };
    Ok(Address {
        ip: Some(ip::format(chosen)),
        netmask: Some(cidr.netmask()),
        gateway: network.gateway.clone(),
    })
}

/// A free address of a shared network's ranges, marked allocated to the
/// VM's owner. A VM placed in a pod takes it from a range of that pod or a
/// range of no pod: a Basic zone's ranges are pod-scoped, and
/// DirectPodBasedNetworkGuru reserves the address in the VM's pod.
fn shared_ip(
    call: &Call<'_>,
    network: &NetworkRow,
    owner: &str,
    requested: Option<&str>,
    pod: Option<&str>,
) -> Result<Address, ApiError> {
    let mut sql = String::from(
        "SELECT p.id, p.address, v.netmask, v.gateway FROM public_ips p JOIN datacenter_vlans v ON v.id = p.vlan_id
         WHERE v.network_id = ?1 AND p.state = 'Free'",
    );
    let mut args = vec![text(&network.id)];
    if let Some(address) = requested {
        args.push(text(address));
        sql.push_str(&format!(" AND p.address = ?{}", args.len()));
    }
    if let Some(pod) = pod {
        args.push(text(pod));
        sql.push_str(&format!(
            " AND (v.pod_id IS NULL OR v.pod_id = ?{})",
            args.len()
        ));
    }
    sql.push_str(" ORDER BY p.address_num LIMIT 1");
    let found: Option<(String, String, String, String)> = call
        .tx
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((id, address, netmask, gateway)) = found else {
        return Err(acquire_failed(call, network));
    };
    let domain: Option<String> = call
        .tx
        .query_row(
            "SELECT domain_id FROM identity_accounts WHERE id = ?1",
            [owner],
            |r| r.get(0),
        )
        .optional()?;
    call.tx.execute(
        "UPDATE public_ips SET state = 'Allocated', account_id = ?2, domain_id = ?3, network_id = ?4, allocated = ?5
         WHERE id = ?1",
        params![id, owner, domain, network.id, call.timestamp()],
    )?;
    Ok(Address {
        ip: Some(address),
        netmask: Some(netmask),
        gateway: Some(gateway),
    })
}

/// Gives a shared network its virtual router when the offering has a
/// service the VirtualRouter provides (DHCP, DNS, user data) and it has
/// none yet. CloudStack allocates a VM's address when the VM is made and
/// deploys the router when the network is implemented at the VM's start
/// (NetworkOrchestrator.implementNetworkElementsAndResources,
/// VirtualRouterElement.implement), so the router takes the next free
/// address of the range after the first VM's. A network of no account
/// (domain or zone wide) has the system account's router.
fn shared_router(call: &Call<'_>, network: &NetworkRow) -> Result<(), ApiError> {
    if super::routers::router_of_network(call.tx, &network.id)?.is_some()
        || !networks::offering_has_router(call, network)?
    {
        return Ok(());
    }
    let (owner, domain): (String, String) = match &network.account_id {
        Some(account) => (account.clone(), network.domain_id.clone()),
        None => call.tx.query_row(
            "SELECT id, domain_id FROM identity_accounts WHERE seq = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
    };
    let address = shared_ip(call, network, &owner, None, None)?;
    let router = super::routers::create(call, super::routers::RouterFor::Network(network), None)?;
    call.tx.execute(
        "UPDATE routers SET guest_ip = ?2, account_id = ?3, domain_id = ?4 WHERE id = ?1",
        params![router, address.ip, owner, domain],
    )?;
    Ok(())
}

/// A free address of an isolated or shared network for one more address
/// of a NIC (a secondary one, or a new primary one).
pub(crate) fn allocate_address(
    call: &Call<'_>,
    network: &NetworkRow,
    owner: &str,
    requested: Option<&str>,
) -> Result<String, ApiError> {
    let address = if network.guest_type == "Shared" {
        shared_ip(call, network, owner, requested, None)?
    } else {
        guest_ip(call, network, requested)?
    };
    address.ip.ok_or_else(|| acquire_failed(call, network))
}

/// Gives a NIC address of a shared network back to its range (an
/// isolated network's addresses are simply no longer used).
pub(crate) fn release_address(
    call: &Call<'_>,
    network_id: &str,
    address: &str,
) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE public_ips SET state = 'Free', account_id = NULL, domain_id = NULL, network_id = NULL, allocated = NULL
         WHERE address = ?1 AND vlan_id IN (SELECT id FROM datacenter_vlans WHERE network_id = ?2)",
        [address, network_id],
    )?;
    Ok(())
}

/// The owner of a VM (the caller's account while the VM row is not stored
/// yet).
fn vm_owner(call: &Call<'_>, vm_id: &str) -> Result<String, ApiError> {
    Ok(store::find_vm(call.tx, vm_id)?
        .map_or_else(|| call.caller.account_id.clone(), |vm| vm.account_id))
}

/// Adds a NIC (seam: `api::add_nic`).
pub(crate) fn add(
    call: &Call<'_>,
    vm_id: &str,
    network_id: &str,
    requested: Option<&str>,
    is_default: bool,
) -> Result<Value, ApiError> {
    let network = store::network(call.tx, "networkid", network_id)?;
    let owner = vm_owner(call, vm_id)?;
    networks::implement(call, &network.id)?;
    let address = match network.guest_type.as_str() {
        "L2" => Address {
            ip: None,
            netmask: None,
            gateway: None,
        },
        "Shared" => {
            let pod: Option<String> = call
                .tx
                .query_row(
                    "SELECT pod_id FROM compute_vms WHERE id = ?1",
                    [vm_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            shared_ip(call, &network, &owner, requested, pod.as_deref())?
        }
        _ => guest_ip(call, &network, requested)?,
    };
    if network.guest_type == "Shared" {
        shared_router(call, &network)?;
    }
    let device_id: i64 = call.tx.query_row(
        "SELECT COALESCE(MAX(device_id) + 1, 0) FROM nics WHERE vm_id = ?1",
        [vm_id],
        |r| r.get(0),
    )?;
    let is_default = is_default || device_id == 0;
    if is_default {
        call.tx
            .execute("UPDATE nics SET is_default = 0 WHERE vm_id = ?1", [vm_id])?;
    }
    let id = ids::new_id();
    let mac = store::new_mac(call.tx, "02:00")?;
    call.tx.execute(
        "INSERT INTO nics (id, vm_id, account_id, network_id, ip_address, netmask, gateway, mac_address, is_default,
                           device_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            vm_id,
            owner,
            network.id,
            address.ip,
            address.netmask,
            address.gateway,
            mac,
            is_default,
            device_id,
            call.timestamp()
        ],
    )?;
    nic_json(call, &id)
}

/// Removes one NIC and what hangs on its address; the network shuts down
/// when this was its last NIC.
pub(crate) fn detach(call: &Call<'_>, nic_id: &str) -> Result<(), ApiError> {
    let row: Option<(String, String, Option<String>)> = call
        .tx
        .query_row(
            "SELECT vm_id, network_id, ip_address FROM nics WHERE id = ?1",
            [nic_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((vm_id, network_id, address)) = row else {
        return Ok(());
    };
    // Port forwarding, static NAT and LB memberships of this NIC's address.
    let pf: Vec<String> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT f.id FROM port_forwarding_rules f JOIN firewall_rules r ON r.id = f.id
             WHERE f.vm_id = ?1 AND r.network_id = ?2",
        )?;
        let rows = stmt.query_map([&vm_id, &network_id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for rule in pf {
        rules::remove(call, &rule)?;
    }
    if let Some(address) = &address {
        let nat: Vec<String> = {
            let mut stmt = call
                .tx
                .prepare_cached("SELECT ip_id FROM ip_details WHERE static_nat_vm_id = ?1 AND static_nat_vm_ip = ?2")?;
            let rows = stmt.query_map([&vm_id, address], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for ip_id in nat {
            staticnat::clear(call, &ip_id)?;
        }
        call.tx.execute(
            "DELETE FROM lb_vm_map WHERE vm_id = ?1 AND vm_ip = ?2",
            [&vm_id, address],
        )?;
        release_address(call, &network_id, address)?;
    }
    nicips::release_all_of_nic(call, nic_id)?;
    call.tx
        .execute("DELETE FROM nics WHERE id = ?1", [nic_id])?;
    let remaining = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM nics WHERE network_id = ?1",
        &network_id,
    )?;
    if remaining == 0 {
        if let Some(network) = store::find_network(call.tx, &network_id)? {
            networks::shutdown(call, &network)?;
        }
    }
    Ok(())
}

/// Removes a NIC the user asked to remove; the default NIC is refused.
pub(crate) fn remove(call: &Call<'_>, vm_id: &str, nic_id: &str) -> Result<(), ApiError> {
    let row: Option<(String, bool)> = call
        .tx
        .query_row(
            "SELECT network_id, is_default FROM nics WHERE id = ?1 AND vm_id = ?2",
            [nic_id, vm_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((network_id, is_default)) = row else {
        return Err(ApiError::invalid_id("nicid", nic_id));
    };
    if is_default {
        let vm_name =
            store::find_vm(call.tx, vm_id)?.map_or_else(|| vm_id.to_string(), |vm| vm.name);
        let network = store::network(call.tx, "networkid", &network_id)?;
        return Err(ApiError::param(format!(
            "Unable to remove nic from VM[User|{vm_name}] in {}, nic is default.",
            network.display(call.tx)?
        )));
    }
    detach(call, nic_id)
}

/// Removes every NIC of a VM.
pub(crate) fn remove_all(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT id FROM nics WHERE vm_id = ?1 ORDER BY device_id DESC")?;
        let rows = stmt.query_map([vm_id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in ids {
        detach(call, &id)?;
    }
    Ok(())
}

fn nic_query() -> Query {
    Query::new(
        "SELECT c.id AS id, c.network_id AS networkid, n.name AS networkname, c.netmask AS netmask,
                c.gateway AS gateway, c.ip_address AS ipaddress,
                CASE WHEN n.vlan IS NULL THEN NULL ELSE 'vlan://' || n.vlan END AS isolationuri,
                CASE WHEN n.vlan IS NULL THEN NULL ELSE 'vlan://' || n.vlan END AS broadcasturi,
                'Guest' AS traffictype, n.guest_type AS type, c.is_default AS \"isdefault?\",
                c.mac_address AS macaddress, CAST(c.device_id AS TEXT) AS deviceid, c.vm_id AS virtualmachineid,
                n.vpc_id AS vpcid, v.name AS vpcname
         FROM nics c JOIN networks n ON n.id = c.network_id LEFT JOIN vpcs v ON v.id = n.vpc_id",
    )
}

fn finish(call: &Call<'_>, mut row: render::Object) -> Result<Value, ApiError> {
    if !call.caller.is_root_admin() {
        row.remove("isolationuri");
        row.remove("broadcasturi");
    }
    let id = sql::id_of(&row);
    let secondary = nicips::secondary_ips_of(call, std::slice::from_ref(&id))?
        .remove(&id)
        .unwrap_or_default();
    row.insert("secondaryip".into(), Value::Array(secondary));
    row.insert("extradhcpoption".into(), Value::Array(Vec::new()));
    Ok(Value::Object(row))
}

/// One NIC as a VM response shows it.
pub(crate) fn nic_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = nic_query()
        .find(call.tx, "c.id", id)?
        .ok_or_else(|| ApiError::invalid_id("nicid", id))?;
    finish(call, row)
}

/// The NICs of a VM as its response shows them.
#[derive(Debug, Default)]
pub(crate) struct VmNics {
    /// The `nic` array (by device id), written as JSON text.
    pub(crate) json: Vec<u8>,
    /// The `ipaddress` of the VM: its first default NIC's.
    pub(crate) address: Option<Value>,
}

/// The `nic` arrays of some VMs (each by device id, as [`nics_json`]
/// gives them) written as JSON text, by VM id; VMs without NICs are left
/// out.
pub(crate) fn rendered_nics_of_vms(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, VmNics>, ApiError> {
    if vm_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = nic_query();
    query.one_of("c.vm_id", vm_ids);
    query.order("c.vm_id, c.device_id, c.rowid");
    // What `finish` removes and adds.
    let skip: &[&str] = if call.caller.is_root_admin() {
        &[]
    } else {
        &["isolationuri", "broadcasturi"]
    };
    // The address of each VM's first default NIC, if it has one.
    let mut addresses: HashMap<String, Option<Value>> = HashMap::new();
    let secondary = secondary_ips_of_vms(call, vm_ids)?;
    let groups = query.render_by(call.tx, skip, |columns, row, extra| {
        let vm = match columns.value(row, "virtualmachineid")? {
            Some(Value::String(vm)) => vm,
            _ => String::new(),
        };
        if !addresses.contains_key(&vm)
            && columns.value(row, "isdefault")? == Some(Value::Bool(true))
        {
            addresses.insert(vm.clone(), columns.value(row, "ipaddress")?);
        }
        extra.push(("extradhcpoption", render::Field::Json(b"[]".to_vec())));
        let nic = match columns.value(row, "id")? {
            Some(Value::String(nic)) => nic,
            _ => String::new(),
        };
        let ips = secondary.get(&nic).map_or_else(
            || b"[]".to_vec(),
            |ips| serde_json::to_vec(ips).unwrap_or_else(|_| b"[]".to_vec()),
        );
        extra.push(("secondaryip", render::Field::Json(ips)));
        Ok(vm)
    })?;
    Ok(groups
        .into_iter()
        .map(|(vm, items)| {
            let mut json = Vec::with_capacity(items.text().len() + 2);
            json.push(b'[');
            json.extend_from_slice(items.text());
            json.push(b']');
            let address = addresses.remove(&vm).flatten();
            (vm, VmNics { json, address })
        })
        .collect())
}

/// The secondary addresses of the NICs of some VMs, by NIC id.
fn secondary_ips_of_vms(
    call: &Call<'_>,
    vm_ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let (list, args) = sql::id_list(vm_ids);
    let nic_ids: Vec<String> = {
        let mut stmt = call.tx.prepare(&format!(
            "SELECT DISTINCT nic_id FROM nic_secondary_ips WHERE vm_id IN ({list})"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    nicips::secondary_ips_of(call, &nic_ids)
}

/// The `nic` array of a VM response (by device id).
pub(crate) fn nics_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    let mut query = nic_query();
    query.eq("c.vm_id", Some(vm_id));
    query.order("c.device_id");
    query
        .all(call.tx)?
        .into_iter()
        .map(|row| finish(call, row))
        .collect()
}
