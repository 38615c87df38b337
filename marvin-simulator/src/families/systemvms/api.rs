//! What the rest of the simulator may use of the system VMs family: the
//! provisioning the background task runs.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::kernel::error::ApiError;
use crate::kernel::ids;

/// The system VM types a zone gets, with their name letters.
const KINDS: [(&str, &str); 2] = [("secondarystoragevm", "s"), ("consoleproxy", "v")];

/// Makes the missing system VMs of every zone that can run them (Enabled,
/// an Up routing host, Up primary storage and an image store): one of each
/// type, Running on the zone's first such host. Returns how many it made.
pub(crate) fn provision(tx: &Transaction<'_>, now: &str) -> Result<usize, ApiError> {
    let ready: Vec<(String, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT z.id,
                    (SELECT h.id FROM datacenter_hosts h WHERE h.zone_id = z.id AND h.type = 'Routing'
                       AND h.state = 'Up' AND h.resource_state = 'Enabled' ORDER BY h.seq LIMIT 1) AS host
             FROM datacenter_zones z
             WHERE z.allocation_state = 'Enabled'
               AND EXISTS (SELECT 1 FROM datacenter_storage_pools p WHERE p.zone_id = z.id AND p.state = 'Up')
               AND EXISTS (SELECT 1 FROM datacenter_image_stores i WHERE i.zone_id = z.id)
             ORDER BY z.seq",
        )?;
        let zones: Vec<(String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut ready = Vec::new();
        for (zone, host) in zones {
            let Some(host) = host else { continue };
            let (pod, hypervisor): (String, String) = tx.query_row(
                "SELECT pod_id, hypervisor FROM datacenter_hosts WHERE id = ?1",
                [&host],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            ready.push((zone, host, pod, hypervisor));
        }
        ready
    };
    let mut made = 0;
    for (zone, host, pod, hypervisor) in ready {
        for (kind, letter) in KINDS {
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM system_vms WHERE zone_id = ?1 AND vm_type = ?2",
                    [&zone, kind],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_some() {
                continue;
            }
            let seq: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM system_vms",
                [],
                |r| r.get(0),
            )?;
            let private_ip = free_pod_address(tx, &pod)?;
            let id = ids::new_id();
            tx.execute(
                "INSERT INTO system_vms (seq, id, name, vm_type, zone_id, pod_id, host_id, hypervisor,
                     private_ip, private_mac, link_local_ip, link_local_mac, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    seq,
                    id,
                    format!("{letter}-{seq}-VM"),
                    kind,
                    zone,
                    pod,
                    host,
                    hypervisor,
                    private_ip,
                    mac(0x1e, seq),
                    format!("169.254.{}.{}", (seq >> 8) & 0xff, seq & 0xff),
                    mac(0x0e, seq),
                    now
                ],
            )?;
            crate::families::storage::api::create_system_vm_root(tx, &id, &zone, now)?;
            made += 1;
        }
    }
    Ok(made)
}

/// A MAC address with CloudStack's locally administered first octet for
/// the kind of NIC and the VM's number in the last two.
fn mac(first: u8, seq: i64) -> String {
    format!(
        "{first:02x}:00:a9:fe:{:02x}:{:02x}",
        (seq >> 8) & 0xff,
        seq & 0xff
    )
}

/// The first address of the pod's range that no host and no system VM
/// uses; none when the pod has no range or it is full.
fn free_pod_address(tx: &Transaction<'_>, pod: &str) -> Result<Option<String>, ApiError> {
    let range: Option<(Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT start_ip, end_ip FROM datacenter_pods WHERE id = ?1",
            [pod],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((Some(start), Some(end))) = range else {
        return Ok(None);
    };
    let (Ok(start), Ok(end)) = (
        start.parse::<std::net::Ipv4Addr>(),
        end.parse::<std::net::Ipv4Addr>(),
    ) else {
        return Ok(None);
    };
    let mut taken = tx.prepare(
        "SELECT 1 FROM datacenter_hosts WHERE ip_address = ?1
         UNION ALL SELECT 1 FROM system_vms WHERE private_ip = ?1",
    )?;
    for n in u32::from(start)..=u32::from(end) {
        let address = std::net::Ipv4Addr::from(n).to_string();
        if !taken.exists([&address])? {
            return Ok(Some(address));
        }
    }
    Ok(None)
}
