//! Datacenter storage: the queries behind each response and the lookups
//! the rules need.

use rusqlite::{OptionalExtension, Transaction};
use serde_json::{Value, json};

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::render::Object;
use crate::kernel::sql::Query;

/// A zone as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct ZoneRow {
    pub id: String,
    pub name: String,
    pub network_type: String,
    pub security_group_enabled: bool,
    pub allocation_state: String,
}

pub(crate) fn zone(tx: &Transaction<'_>, param: &str, id: &str) -> Result<ZoneRow, ApiError> {
    tx.query_row(
        "SELECT id, name, network_type, security_group_enabled, allocation_state FROM zones WHERE id = ?1",
        [id],
        |r| {
            Ok(ZoneRow {
                id: r.get(0)?,
                name: r.get(1)?,
                network_type: r.get(2)?,
                security_group_enabled: r.get(3)?,
                allocation_state: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| ApiError::invalid_id(param, id))
}

/// The zone `zoneid` names, to add resources to: a disabled zone only for
/// the root admin (531 otherwise).
pub(crate) fn zone_to_add_to(call: &Call<'_>) -> Result<ZoneRow, ApiError> {
    let zone = zone(call.tx, "zoneid", call.required("zoneid")?)?;
    if zone.allocation_state == "Disabled" && !call.caller.is_root_admin() {
        return Err(ApiError::permission(
            "Cannot perform this operation, Zone with specified id is currently disabled",
        ));
    }
    Ok(zone)
}

/// A pod as the rules use it.
#[derive(Debug, Clone)]
pub(crate) struct PodRow {
    pub id: String,
    pub zone_id: String,
    pub name: String,
    pub gateway: String,
    pub netmask: String,
    pub cidr: String,
    pub start_ip: String,
    pub end_ip: String,
}

pub(crate) fn pod(tx: &Transaction<'_>, param: &str, id: &str) -> Result<PodRow, ApiError> {
    tx.query_row(
        "SELECT id, zone_id, name, gateway, netmask, cidr, start_ip, end_ip FROM pods WHERE id = ?1",
        [id],
        |r| {
            Ok(PodRow {
                id: r.get(0)?,
                zone_id: r.get(1)?,
                name: r.get(2)?,
                gateway: r.get(3)?,
                netmask: r.get(4)?,
                cidr: r.get(5)?,
                start_ip: r.get(6)?,
                end_ip: r.get(7)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| ApiError::invalid_id(param, id))
}

pub(crate) fn zone_query() -> Query {
    Query::new(
        "SELECT z.id AS id, z.name AS name, z.description AS description, z.dns1 AS dns1, z.dns2 AS dns2,
                z.internal_dns1 AS internaldns1, z.internal_dns2 AS internaldns2, z.ip6_dns1 AS ip6dns1,
                z.ip6_dns2 AS ip6dns2, z.guest_cidr AS guestcidraddress, z.network_type AS networktype,
                z.security_group_enabled AS \"securitygroupsenabled?\", z.allocation_state AS allocationstate,
                z.zone_token AS zonetoken, z.dhcp_provider AS dhcpprovider,
                z.local_storage_enabled AS \"localstorageenabled?\", z.network_domain AS domain,
                z.domain_id AS domainid, d.name AS domainname,
                CASE WHEN z.is_edge = 1 THEN 'Edge' ELSE 'Core' END AS type,
                0 AS \"hasannotations?\", 0 AS \"isnsxenabled?\", 0 AS \"routedmodeenabled?\",
                0 AS \"ismultiarch?\", 0 AS \"allowuserspecifyvrmtu?\", 1500 AS routerprivateinterfacemaxmtu,
                1500 AS routerpublicinterfacemaxmtu, '[]' AS \"tags{}\"
         FROM zones z LEFT JOIN identity_domains d ON d.id = z.domain_id",
    )
}

pub(crate) fn physical_network_query() -> Query {
    Query::new(
        "SELECT p.id AS id, p.name AS name, p.zone_id AS zoneid, z.name AS zonename, p.state AS state,
                p.vlan AS vlan, p.isolation_methods AS isolationmethods,
                p.broadcast_domain_range AS broadcastdomainrange, p.network_speed AS networkspeed,
                p.tags AS tags, p.domain_id AS domainid
         FROM physical_networks p JOIN zones z ON z.id = p.zone_id",
    )
}

pub(crate) fn traffic_type_query() -> Query {
    Query::new(
        "SELECT t.id AS id, t.traffic_type AS traffictype, t.physical_network_id AS physicalnetworkid,
                t.kvm_label AS kvmnetworklabel, t.xen_label AS xennetworklabel,
                t.vmware_label AS vmwarenetworklabel, t.hyperv_label AS hypervnetworklabel,
                t.ovm3_label AS ovm3networklabel, t.vlan AS vlan
         FROM traffic_types t",
    )
}

pub(crate) fn provider_query() -> Query {
    Query::new(
        "SELECT n.id AS id, n.name AS name, n.physical_network_id AS physicalnetworkid,
                n.dest_physical_network_id AS destinationphysicalnetworkid, n.state AS state,
                n.services AS services, 1 AS \"canenableindividualservice?\"
         FROM network_service_providers n",
    )
}

/// Turns the stored comma list of services into `servicelist`.
pub(crate) fn finish_provider(mut row: Object) -> Value {
    let services = row
        .remove("services")
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let list: Vec<Value> = services
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| json!(s))
        .collect();
    row.insert("servicelist".into(), Value::Array(list));
    Value::Object(row)
}

pub(crate) fn router_element_query() -> Query {
    Query::new(
        "SELECT e.id AS id, e.nsp_id AS nspid, e.enabled AS \"enabled?\", 'system' AS account,
                (SELECT id FROM identity_domains WHERE path = '/') AS domainid, 'ROOT' AS domain, 'ROOT' AS domainpath
         FROM virtual_router_elements e",
    )
}

pub(crate) fn pod_query() -> Query {
    Query::new(
        "SELECT p.id AS id, p.name AS name, p.zone_id AS zoneid, z.name AS zonename, p.gateway AS gateway,
                p.netmask AS netmask, p.start_ip AS start_ip, p.end_ip AS end_ip,
                p.allocation_state AS allocationstate, 0 AS \"hasannotations?\"
         FROM pods p JOIN zones z ON z.id = p.zone_id",
    )
}

/// Pods answer their range as lists (one entry per range) and as `ipranges`.
pub(crate) fn finish_pod(mut row: Object) -> Value {
    let start = row.remove("start_ip").unwrap_or(Value::Null);
    let end = row.remove("end_ip").unwrap_or(Value::Null);
    row.insert("startip".into(), json!([start]));
    row.insert("endip".into(), json!([end]));
    row.insert("forsystemvms".into(), json!(["0"]));
    row.insert("vlanid".into(), json!(["vlan://untagged"]));
    row.insert(
        "ipranges".into(),
        json!([{"startip": start, "endip": end, "forsystemvms": "0", "vlanid": "vlan://untagged"}]),
    );
    Value::Object(row)
}

pub(crate) fn cluster_query() -> Query {
    Query::new(
        "SELECT c.id AS id, c.name AS name, c.pod_id AS podid, p.name AS podname, c.zone_id AS zoneid,
                z.name AS zonename, c.hypervisor AS hypervisortype, c.cluster_type AS clustertype,
                c.allocation_state AS allocationstate, c.managed_state AS managedstate,
                c.cpu_overcommit AS cpuovercommitratio, c.memory_overcommit AS memoryovercommitratio,
                json_object('cpuOvercommitRatio', c.cpu_overcommit, 'memoryOvercommitRatio', c.memory_overcommit)
                    AS \"resourcedetails{}\",
                'x86_64' AS arch, 0 AS \"hasannotations?\"
         FROM clusters c JOIN pods p ON p.id = c.pod_id JOIN zones z ON z.id = c.zone_id",
    )
}

pub(crate) fn host_query() -> Query {
    Query::new(
        "SELECT h.id AS id, h.name AS name, h.state AS state, h.type AS type, h.ip_address AS ipaddress,
                h.zone_id AS zoneid, z.name AS zonename, h.pod_id AS podid, p.name AS podname,
                h.cluster_id AS clusterid, c.name AS clustername, c.cluster_type AS clustertype,
                h.hypervisor AS hypervisor, h.version AS hypervisorversion, h.version AS version,
                h.cpu_number AS cpunumber, h.cpu_speed AS cpuspeed, h.cpu_allocated AS cpuallocatedvalue,
                h.memory_total AS memorytotal, h.memory_allocated AS memoryallocated,
                h.memory_allocated AS memoryallocatedbytes, 0 AS memoryused,
                h.resource_state AS resourcestate, h.host_tags AS hosttags, h.created AS created,
                h.last_pinged AS lastpinged, c.cpu_overcommit AS cpu_factor, c.memory_overcommit AS memory_factor,
                'hvm' AS capabilities, 0 AS \"hahost?\", 0 AS \"islocalstorageactive?\", 0 AS \"hasannotations?\",
                'x86_64' AS arch,
                'AgentConnected; PingTimeout; ShutdownRequested; AgentDisconnected; HostDown; Ping; StartAgentRebalance; ManagementServerDown; Remove'
                    AS events,
                json_object('enabled', json('false'), 'powerstate', 'Disabled') AS \"outofbandmanagement{}\",
                json_object('haenable', json('false'), 'hastate', 'Disabled') AS \"hostha{}\"
         FROM hosts h JOIN zones z ON z.id = h.zone_id JOIN pods p ON p.id = h.pod_id
              JOIN clusters c ON c.id = h.cluster_id",
    )
}

/// CloudStack's `#.##` percentage text.
pub(crate) fn percent(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "0%".into();
    }
    let value = (part / whole * 10000.0).round() / 100.0;
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// Adds the derived capacity fields of a host.
pub(crate) fn finish_host(mut row: Object) -> Value {
    let num = |row: &Object, key: &str| row.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let factor = |row: &mut Object, key: &str| {
        row.remove(key)
            .and_then(|v| v.as_str().and_then(|s| s.parse::<f64>().ok()))
            .unwrap_or(1.0)
    };
    let cpu_factor = factor(&mut row, "cpu_factor");
    let memory_factor = factor(&mut row, "memory_factor");
    let cpu_total = num(&row, "cpunumber") * num(&row, "cpuspeed");
    let cpu_with = cpu_total * cpu_factor;
    let cpu_alloc = num(&row, "cpuallocatedvalue");
    let memory_total = num(&row, "memorytotal");
    let memory_with = memory_total * memory_factor;
    let memory_alloc = num(&row, "memoryallocated");
    let cpu_pct = percent(cpu_alloc, cpu_with);
    row.insert("cpuallocated".into(), json!(cpu_pct));
    row.insert("cpuallocatedpercentage".into(), json!(cpu_pct));
    row.insert("cpuallocatedwithoverprovisioning".into(), json!(cpu_pct));
    row.insert(
        "cpuwithoverprovisioning".into(),
        json!(format!("{}", cpu_with as i64)),
    );
    row.insert("cpuused".into(), json!("0%"));
    row.insert(
        "memoryallocatedpercentage".into(),
        json!(percent(memory_alloc, memory_with)),
    );
    row.insert(
        "memorywithoverprovisioning".into(),
        json!(format!("{}", memory_with as i64)),
    );
    Value::Object(row)
}

pub(crate) fn storage_pool_query() -> Query {
    Query::new(
        "SELECT s.id AS id, s.name AS name, s.zone_id AS zoneid, z.name AS zonename, s.pod_id AS podid,
                p.name AS podname, s.cluster_id AS clusterid, c.name AS clustername, s.ip_address AS ipaddress,
                s.path AS path, s.created AS created, s.type AS type, s.capacity_bytes AS disksizetotal,
                s.allocated_bytes AS disksizeallocated, s.used_bytes AS disksizeused, s.state AS state,
                s.scope AS scope, s.provider AS provider, s.hypervisor AS hypervisor, s.tags AS tags,
                (SELECT COALESCE(v.value, g.value) FROM identity_configurations g
                 LEFT JOIN identity_configuration_values v ON v.name = g.name AND v.scope = 'storagepool' AND v.scope_id = s.id
                 WHERE g.name = 'storage.overprovisioning.factor') AS overprovisionfactor,
                0 AS \"istagarule?\", 0 AS \"managed?\", 0 AS \"hasannotations?\"
         FROM storage_pools s JOIN zones z ON z.id = s.zone_id LEFT JOIN pods p ON p.id = s.pod_id
              LEFT JOIN clusters c ON c.id = s.cluster_id",
    )
}

pub(crate) fn image_store_query() -> Query {
    Query::new(
        "SELECT i.id AS id, i.name AS name, i.url AS url, i.protocol AS protocol, i.provider AS providername,
                i.scope AS scope, i.zone_id AS zoneid, z.name AS zonename, i.readonly AS \"readonly?\",
                0 AS \"hasannotations?\"
         FROM image_stores i LEFT JOIN zones z ON z.id = i.zone_id",
    )
}

pub(crate) fn vlan_query() -> Query {
    Query::new(
        "SELECT v.id AS id, v.for_virtual_network AS \"forvirtualnetwork?\", v.zone_id AS zoneid,
                v.vlan_tag AS vlan, v.gateway AS gateway, v.netmask AS netmask, v.cidr AS cidr,
                v.start_ip AS startip, v.end_ip AS endip, v.network_id AS networkid,
                v.physical_network_id AS physicalnetworkid, v.pod_id AS podid, p.name AS podname,
                a.name AS account, v.domain_id AS domainid, d.name AS domain,
                v.for_system_vms AS \"forsystemvms?\", v.start_ip || '-' || v.end_ip AS description,
                v.ip6_gateway AS ip6gateway, v.ip6_cidr AS ip6cidr, v.start_ipv6 AS startipv6,
                v.end_ipv6 AS endipv6
         FROM vlans v LEFT JOIN pods p ON p.id = v.pod_id LEFT JOIN identity_accounts a ON a.id = v.account_id
              LEFT JOIN identity_domains d ON d.id = v.domain_id",
    )
}
