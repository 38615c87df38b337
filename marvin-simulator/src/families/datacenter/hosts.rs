//! Hosts: simulated hypervisors added from `http://sim/...` URLs, with the
//! capacity the compute family allocates from.
//!
//! Like CloudStack's Java simulator, a host URL may carry `cpucore`,
//! `cpuspeed` (MHz per core), `memory` (bytes) and `localstorage` (bytes),
//! `&`-separated in the last path segment (`http://sim/c1/cpucore=8&memory=17179869184`)
//! or, as a convenience, in the query string. Defaults: 4 cores of
//! 8000 MHz, 8 GiB of memory, 1 TiB of local storage.

use rusqlite::params;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql;

use super::clusters;
use super::{pods, store};

/// Default cores of a simulated host.
pub(crate) const DEFAULT_CORES: i64 = 4;
/// Default speed of a core (MHz).
pub(crate) const DEFAULT_SPEED: i64 = 8000;
/// Default memory (bytes).
pub(crate) const DEFAULT_MEMORY: i64 = 8 * 1024 * 1024 * 1024;
/// Default local storage (bytes).
pub(crate) const DEFAULT_LOCAL_STORAGE: i64 = 1024 * 1024 * 1024 * 1024;

/// The capacity a host URL asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HostSpec {
    pub cores: i64,
    pub speed: i64,
    pub memory: i64,
    pub local_storage: i64,
}

/// Reads a simulator host URL; `None` when it is not one (or a value is not
/// a non-negative 64-bit number), as the Java simulator's discoverer gives
/// up then (`SimulatorDiscoverer.find` reads them with `Long.parseLong`).
/// The core count must also fit the host record's 32-bit `cpus`
/// (`HostVO`; the agent casts it to `int`), so more than 2147483647 cores
/// is refused rather than wrapped. Totals derived from these (`cores ×
/// speed`) are computed without overflow by the capacity code.
pub(crate) fn parse_url(url: &str) -> Option<HostSpec> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("HTTP://"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !authority.starts_with("sim") {
        return None;
    }
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let last = path.rsplit('/').next().unwrap_or_default();
    let mut spec = HostSpec {
        cores: DEFAULT_CORES,
        speed: DEFAULT_SPEED,
        memory: DEFAULT_MEMORY,
        local_storage: DEFAULT_LOCAL_STORAGE,
    };
    for pair in last.split('&').chain(query.split('&')) {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let slot = match key.to_ascii_lowercase().as_str() {
            "cpuspeed" => &mut spec.speed,
            "cpucore" => &mut spec.cores,
            "memory" => &mut spec.memory,
            "localstorage" => &mut spec.local_storage,
            _ => continue,
        };
        *slot = value.trim().parse().ok().filter(|v: &i64| *v >= 0)?;
    }
    i32::try_from(spec.cores).ok()?;
    Some(spec)
}

fn host_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    let row = store::host_query().one(call.tx, "h.id", id)?;
    Ok(store::finish_host(row))
}

/// `addHost` (answers as a list of one host).
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let zone = store::zone_to_add_to(call)?;
    let pod = store::pod(call.tx, "podid", call.required("podid")?)?;
    if pod.zone_id != zone.id {
        return Err(ApiError::param(format!(
            "Pod with specified podId{} doesn't belong to the zone with specified zoneId{}",
            pod.id, zone.id
        )));
    }
    let url = call.required("url")?.to_string();
    if p.str("clustername").is_some() && p.str("clusterid").is_some() {
        return Err(ApiError::param("Can't specify cluster by both id and name"));
    }
    let raw = p
        .str("hypervisor")
        .ok_or_else(|| ApiError::param("Need to specify Hypervisor Type"))?;
    let hypervisor = clusters::hypervisor(raw);
    if !matches!(hypervisor, Some("KVM" | "VMware"))
        && (p.str("username").is_none() || p.str("password").is_none())
    {
        return Err(ApiError::param(
            "Username and Password need to be provided.",
        ));
    }
    let cluster_id = match (p.str("clusterid"), p.str("clustername")) {
        (Some(id), _) => {
            if !sql::exists(call.tx, "clusters", id)? {
                return Err(ApiError::param(format!("Can't find cluster by id {id}")));
            }
            id.to_string()
        }
        (None, name) => {
            let name = name.map_or_else(|| format!("Standalone-{url}"), String::from);
            let found = sql::objects(
                call.tx,
                "SELECT id FROM clusters WHERE pod_id = ?1 AND name = ?2",
                &[sql::text(&pod.id), sql::text(&name)],
            )?;
            match found
                .first()
                .and_then(|r| r.get("id"))
                .and_then(|v| v.as_str())
            {
                Some(id) => id.to_string(),
                None => {
                    let kind = hypervisor.unwrap_or("Simulator");
                    clusters::insert(
                        call,
                        &zone.id,
                        &pod.id,
                        &name,
                        kind,
                        "CloudManaged",
                        "Enabled",
                    )?
                }
            }
        }
    };
    let Some(hypervisor) = hypervisor else {
        return Err(ApiError::internal(format!(
            "Do not support HypervisorType {raw} for {url}"
        )));
    };
    let cluster_hv: String = call.tx.query_row(
        "SELECT hypervisor FROM clusters WHERE id = ?1",
        [&cluster_id],
        |r| r.get(0),
    )?;
    let spec = parse_url(&url).filter(|_| hypervisor == "Simulator" && cluster_hv == "Simulator");
    let Some(spec) = spec else {
        return Err(ApiError::internal(format!(
            "Unable to add the host: Cannot find the server resources at {url}"
        )));
    };
    let state = match p.str("allocationstate") {
        Some(s) => super::allocation_state(s)?,
        None => "Enabled",
    };
    let guid = ids::new_id();
    let id = ids::new_id();
    let address = pods::next_host_address(call, &pod)?;
    let now = call.timestamp();
    call.tx.execute(
        "INSERT INTO hosts (id, name, zone_id, pod_id, cluster_id, hypervisor, resource_state, ip_address, url,
                            cpu_number, cpu_speed, memory_total, local_storage, host_tags, guid, version, created,
                            last_pinged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
        params![
            id,
            format!("SimulatedAgent.{guid}"),
            zone.id,
            pod.id,
            cluster_id,
            hypervisor,
            state,
            address,
            url,
            spec.cores,
            spec.speed,
            spec.memory,
            spec.local_storage,
            tags(call),
            guid,
            crate::families::identity::api::CLOUDSTACK_VERSION,
            now
        ],
    )?;
    Ok(Reply::List {
        key: "host",
        items: vec![host_json(call, &id)?],
        count: 1,
    })
}

fn tags(call: &Call<'_>) -> Option<String> {
    let tags = call.params.list("hosttags");
    (!tags.is_empty()).then(|| tags.join(","))
}

/// `updateHost`: allocation state (`Enable`/`Disable`), tags, name.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    host_json(call, &id)?;
    if let Some(state) = call.params.str("allocationstate") {
        let resource_state = match state {
            s if s.eq_ignore_ascii_case("Enable") => "Enabled",
            s if s.eq_ignore_ascii_case("Disable") => "Disabled",
            other => {
                return Err(ApiError::internal(format!(
                    "Invalid allocation state:{other}, only Enable/Disable are allowed"
                )));
            }
        };
        call.tx.execute(
            "UPDATE hosts SET resource_state = ?2 WHERE id = ?1",
            params![id, resource_state],
        )?;
    }
    if call.params.get("hosttags").is_some() {
        call.tx.execute(
            "UPDATE hosts SET host_tags = ?2 WHERE id = ?1",
            params![id, tags(call)],
        )?;
    }
    if let Some(name) = call.params.str("name") {
        call.tx.execute(
            "UPDATE hosts SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    Ok(Reply::Object {
        key: "host",
        value: host_json(call, &id)?,
    })
}

/// `deleteHost`: only in maintenance, unless forced.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let host = host_json(call, &id)?;
    let state = host["resourcestate"].as_str().unwrap_or_default();
    if !matches!(state, "Maintenance" | "Degraded") && !call.params.flag("forced", false) {
        return Err(ApiError::internal(format!(
            "Host {id} cannot be deleted as it is not in maintenance mode. Either put the host into maintenance or \
             perform a forced deletion."
        )));
    }
    crate::families::identity::api::forget_scoped_settings(call.tx, "host", &id)?;
    call.tx.execute("DELETE FROM hosts WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `prepareHostForMaintenance` (async): with nothing to migrate the host
/// reaches Maintenance at once.
pub(crate) fn prepare_maintenance(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let name = host_json(call, &id)?["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Host",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let state: String = call.tx.query_row(
                    "SELECT resource_state FROM hosts WHERE id = ?1",
                    [&job_id],
                    |r| r.get(0),
                )?;
                if !matches!(
                    state.as_str(),
                    "Enabled" | "Disabled" | "ErrorInMaintenance"
                ) {
                    return Err(ApiError::internal(format!(
                        "Cannot perform maintain when resource state is {state}, hostId = {job_id}"
                    )));
                }
                call.tx.execute(
                    "UPDATE hosts SET resource_state = 'Maintenance' WHERE id = ?1",
                    [&job_id],
                )?;
                Ok(Reply::Object {
                    key: "host",
                    value: host_json(call, &job_id)?,
                })
            }),
        )
        .with_event(
            "MAINT.PREPARE",
            format!("preparing host for maintenance. Host: {name}"),
        ),
    ))
}

/// `cancelHostMaintenance` (async).
pub(crate) fn cancel_maintenance(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    host_json(call, &id)?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "Host",
            id,
            Box::new(move |call: &mut Call<'_>| {
                let state: String =
                    call.tx.query_row("SELECT resource_state FROM hosts WHERE id = ?1", [&job_id], |r| r.get(0))?;
                if !matches!(state.as_str(), "PrepareForMaintenance" | "Maintenance" | "ErrorInMaintenance") {
                    return Err(ApiError::internal(format!(
                        "Cannot perform cancelMaintenance when resource state is {state}, hostId = {job_id}"
                    )));
                }
                call.tx.execute("UPDATE hosts SET resource_state = 'Enabled' WHERE id = ?1", [&job_id])?;
                Ok(Reply::Object { key: "host", value: host_json(call, &job_id)? })
            }),
        )
        .with_event("MAINT.CANCEL", "canceling host maintenance"),
    ))
}

/// `listHosts`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::host_query();
    query.eq("h.id", p.str("id"));
    query.eq("h.name", p.str("name"));
    query.eq("h.zone_id", p.str("zoneid"));
    query.eq("h.pod_id", p.str("podid"));
    query.eq("h.cluster_id", p.str("clusterid"));
    query.eq_nocase("h.type", p.str("type"));
    query.eq_nocase("h.state", p.str("state"));
    query.eq_nocase("h.resource_state", p.str("resourcestate"));
    query.eq_nocase("h.hypervisor", p.str("hypervisor"));
    if p.bool("hahost") == Some(true) {
        query.and("1 = 0", []);
    }
    query.keyword(&["h.name"], p.str("keyword"));
    query.order("h.seq");
    query.list(call, "host", |_, row| Ok(store::finish_host(row)))
}
