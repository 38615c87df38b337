//! Clusters: a hypervisor's hosts within a pod.

use rusqlite::params;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql;

use super::store;

/// The hypervisor types CloudStack resolves.
pub(crate) const HYPERVISORS: &[&str] = &[
    "XenServer",
    "KVM",
    "VMware",
    "Hyperv",
    "BareMetal",
    "Simulator",
    "Ovm",
    "Ovm3",
    "LXC",
    "Custom",
    "External",
];

/// CloudStack's spelling of a hypervisor name, if it is one.
pub(crate) fn hypervisor(name: &str) -> Option<&'static str> {
    HYPERVISORS
        .iter()
        .find(|h| h.eq_ignore_ascii_case(name))
        .copied()
}

fn cluster_type(value: &str) -> Result<&'static str, ApiError> {
    ["CloudManaged", "ExternalManaged"]
        .into_iter()
        .find(|t| t.eq_ignore_ascii_case(value))
        .ok_or_else(|| ApiError::param(format!("Unable to resolve {value} to a supported type")))
}

fn managed_state(value: &str) -> Result<&'static str, ApiError> {
    [
        "Managed",
        "Unmanaged",
        "PrepareUnmanaged",
        "PrepareUnmanagedError",
    ]
    .into_iter()
    .find(|t| t.eq_ignore_ascii_case(value))
    .ok_or_else(|| {
        ApiError::param(format!(
            "Unable to resolve Managed State '{value}' to a supported state"
        ))
    })
}

/// Inserts a cluster after the checks of `addCluster`/`addHost`.
pub(crate) fn insert(
    call: &Call<'_>,
    zone_id: &str,
    pod_id: &str,
    name: &str,
    hypervisor: &str,
    kind: &str,
    state: &str,
) -> Result<String, ApiError> {
    let taken: i64 = call.tx.query_row(
        // Without case, as the server's table collation compares.
        "SELECT COUNT(*) FROM clusters WHERE pod_id = ?1 AND name = ?2 COLLATE NOCASE",
        [pod_id, name],
        |r| r.get(0),
    )?;
    if taken > 0 {
        return Err(ApiError::internal(format!(
            "Unable to create cluster {name} in pod and data center with specified ids"
        )));
    }
    let id = ids::new_id();
    let cpu =
        crate::families::identity::api::setting_value(call.tx, "cpu.overprovisioning.factor", &[])?;
    let memory =
        crate::families::identity::api::setting_value(call.tx, "mem.overprovisioning.factor", &[])?;
    call.tx.execute(
        "INSERT INTO clusters (id, zone_id, pod_id, name, hypervisor, cluster_type, allocation_state, cpu_overcommit,
                               memory_overcommit, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            zone_id,
            pod_id,
            name,
            hypervisor,
            kind,
            state,
            cpu.unwrap_or_else(|| "1.0".into()),
            memory.unwrap_or_else(|| "1.0".into()),
            call.timestamp()
        ],
    )?;
    Ok(id)
}

/// `addCluster` (answers as a list of one cluster).
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let zone = store::zone_to_add_to(call)?;
    let pod = store::pod(call.tx, "podid", call.required("podid")?)?;
    if pod.zone_id != zone.id {
        return Err(ApiError::param(format!(
            "Pod with specified id doesn't belong to the zone {}",
            zone.id
        )));
    }
    let name = p
        .str("clustername")
        .ok_or_else(|| ApiError::param("Please specify cluster name"))?
        .to_string();
    let raw = p
        .str("hypervisor")
        .ok_or_else(|| ApiError::param("Please specify a hypervisor"))?;
    let hypervisor = hypervisor(raw)
        .ok_or_else(|| ApiError::param(format!("Unable to resolve {raw} to a supported ")))?;
    if zone.security_group_enabled
        && zone.network_type == "Advanced"
        && !matches!(hypervisor, "KVM" | "XenServer" | "LXC" | "Simulator")
    {
        return Err(ApiError::param(format!(
            "Don't support hypervisor type {hypervisor} in advanced security enabled zone"
        )));
    }
    let kind = p
        .str("clustertype")
        .map(cluster_type)
        .transpose()?
        .unwrap_or("CloudManaged");
    let state = p
        .str("allocationstate")
        .map(super::allocation_state)
        .transpose()?
        .unwrap_or("Enabled");
    let id = insert(call, &zone.id, &pod.id, &name, hypervisor, kind, state)?;
    let item = serde_json::Value::Object(store::cluster_query().one(call.tx, "c.id", &id)?);
    Ok(Reply::List {
        key: "cluster",
        items: vec![item],
        count: 1,
    })
}

/// `updateCluster`: name, allocation and managed state, type, hypervisor.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let current = serde_json::Value::Object(store::cluster_query().one(call.tx, "c.id", &id)?);
    if let Some(name) = p.str("clustername") {
        if current["hypervisortype"] == "VMware" {
            return Err(ApiError::param(
                "Renaming VMware cluster is not supported as it could cause problems if the updated  cluster name is \
                 not mapped on VCenter.",
            ));
        }
        call.tx.execute(
            "UPDATE clusters SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    if let Some(raw) = p.str("hypervisor") {
        let hv = hypervisor(raw).ok_or_else(|| {
            ApiError::param(format!("Unable to resolve {raw} to a supported type"))
        })?;
        call.tx.execute(
            "UPDATE clusters SET hypervisor = ?2 WHERE id = ?1",
            params![id, hv],
        )?;
    }
    if let Some(kind) = p.str("clustertype") {
        call.tx.execute(
            "UPDATE clusters SET cluster_type = ?2 WHERE id = ?1",
            params![id, cluster_type(kind)?],
        )?;
    }
    if let Some(state) = p.str("allocationstate") {
        let state = super::allocation_state(state)?;
        call.tx.execute(
            "UPDATE clusters SET allocation_state = ?2 WHERE id = ?1",
            params![id, state],
        )?;
    }
    if let Some(state) = p.str("managedstate") {
        call.tx.execute(
            "UPDATE clusters SET managed_state = ?2 WHERE id = ?1",
            params![id, managed_state(state)?],
        )?;
    }
    Ok(Reply::Object {
        key: "cluster",
        value: serde_json::Value::Object(store::cluster_query().one(call.tx, "c.id", &id)?),
    })
}

/// `deleteCluster`: refused while hosts or storage pools remain.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    if !sql::exists(call.tx, "clusters", &id)? {
        return Err(ApiError::invalid_id("id", &id));
    }
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM hosts WHERE cluster_id = ?1",
        &id,
    )? > 0
    {
        return Err(ApiError::internal(format!(
            "Cluster: {id} cannot be removed. Cluster still has hosts"
        )));
    }
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM storage_pools WHERE cluster_id = ?1",
        &id,
    )? > 0
    {
        return Err(ApiError::internal(format!(
            "Cluster: {id} cannot be removed. Cluster still has storage pools"
        )));
    }
    crate::families::identity::api::forget_scoped_settings(call.tx, "cluster", &id)?;
    call.tx
        .execute("DELETE FROM clusters WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `listClusters`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::cluster_query();
    query.eq("c.id", p.str("id"));
    query.eq("c.name", p.str("name"));
    query.eq("c.pod_id", p.str("podid"));
    query.eq("c.zone_id", p.str("zoneid"));
    query.eq_nocase("c.hypervisor", p.str("hypervisor"));
    query.eq_nocase("c.cluster_type", p.str("clustertype"));
    query.eq_nocase("c.allocation_state", p.str("allocationstate"));
    query.eq_nocase("c.managed_state", p.str("managedstate"));
    query.keyword(&["c.name"], p.str("keyword"));
    query.order("c.created, c.rowid");
    query.list_plain(call, "cluster")
}
