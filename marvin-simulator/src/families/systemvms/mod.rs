//! System VMs: every zone's secondary storage VM (`s-<n>-VM`) and console
//! proxy (`v-<n>-VM`), and `listSystemVms`.
//!
//! CloudStack's `SecondaryStorageManagerImpl` and `ConsoleProxyManagerImpl`
//! start one of each in a zone once it is Enabled and has an Up routing
//! host, primary storage that is Up and a secondary (image) store; here
//! [`api::provision`] makes them, and the simulator's background task
//! calls it, so they appear shortly after the zone is ready.

pub(crate) mod api;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::sql::{Query, text};

/// The system VMs family.
pub(crate) const FAMILY: Family = Family::new("systemvms", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[Command::new(
    "listSystemVms",
    RoleSet::ADMIN,
    "Lists the system VMs (secondary storage VMs and console proxies) by zone, pod, host, type and state.",
    list,
)];

/// `listSystemVms`.
fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = Query::new(
        "SELECT s.id AS id, s.name AS name, s.vm_type AS systemvmtype, s.zone_id AS zoneid,
                z.name AS zonename, z.dns1 AS dns1, z.dns2 AS dns2, z.network_domain AS networkdomain,
                s.pod_id AS podid, pd.name AS podname, pd.gateway AS gateway,
                s.host_id AS hostid, h.name AS hostname, s.hypervisor AS hypervisor,
                s.state AS state, 'Up' AS agentstate, s.private_ip AS privateip,
                s.private_mac AS privatemacaddress, pd.netmask AS privatenetmask,
                s.link_local_ip AS linklocalip, s.link_local_mac AS linklocalmacaddress,
                '255.255.0.0' AS linklocalnetmask,
                CASE WHEN s.vm_type = 'consoleproxy' THEN 0 END AS activeviewersessions,
                0 AS \"isdynamicallyscalable?\", 0 AS \"hasannotations?\", s.created AS created
         FROM system_vms s JOIN datacenter_zones z ON z.id = s.zone_id
              LEFT JOIN datacenter_pods pd ON pd.id = s.pod_id
              LEFT JOIN datacenter_hosts h ON h.id = s.host_id",
    );
    query.eq("s.id", p.str("id"));
    query.eq("s.name", p.str("name"));
    query.eq("s.vm_type", p.str("systemvmtype"));
    query.eq("s.state", p.str("state"));
    query.eq("s.zone_id", p.str("zoneid"));
    query.eq("s.pod_id", p.str("podid"));
    query.eq("s.host_id", p.str("hostid"));
    if let Some(pool) = p.str("storageid") {
        query.and(
            "s.zone_id IN (SELECT zone_id FROM datacenter_storage_pools WHERE id = ?)",
            [text(pool)],
        );
    }
    query.keyword(&["s.name"], p.str("keyword"));
    query.order("s.seq");
    query.list_plain(call, "systemvm")
}
