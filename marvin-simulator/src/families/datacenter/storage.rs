//! Primary storage pools and secondary (image) stores.

use rusqlite::params;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::sql;

use super::zones::referenced;
use super::{clusters, store};

/// Capacity of a pool created without `capacitybytes` (the Java simulator's
/// mock storage reports 1 TiB).
pub(crate) const DEFAULT_POOL_CAPACITY: i64 = 1024 * 1024 * 1024 * 1024;

/// A storage URL split into (type, host, path).
fn parse_pool_url(url: &str) -> Result<(&'static str, String, String), ApiError> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(ApiError::param(format!(
            "scheme is null {url}, add nfs:// (or cifs://) as a prefix"
        )));
    };
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "nfs" => "NetworkFilesystem",
        "cifs" | "smb" => "SMB",
        "file" => "Filesystem",
        "sharedmountpoint" => "SharedMountPoint",
        "iscsi" => "IscsiLUN",
        "rbd" => "RBD",
        "clvm" => "CLVM",
        "gluster" => "Gluster",
        "vmfs" => "VMFS",
        "presetup" => "PreSetup",
        "datastorecluster" => "DatastoreCluster",
        _ => return Err(ApiError::param(format!("{url} is not a valid uri"))),
    };
    let (host, path) = match rest.split_once('/') {
        Some((host, path)) => (host.trim_end_matches(':').to_string(), format!("/{path}")),
        None => (rest.to_string(), String::new()),
    };
    if kind == "NetworkFilesystem" && (host.is_empty() || path.len() <= 1) {
        return Err(ApiError::param(format!(
            "host or path is null, should be nfs://hostname/path: {url}"
        )));
    }
    let host = if host.is_empty() {
        "localhost".to_string()
    } else {
        host
    };
    Ok((kind, host, path))
}

fn pool_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    store::storage_pool_query()
        .one(call.tx, "s.id", id)
        .map(serde_json::Value::Object)
}

/// `createStoragePool`: cluster-wide by default, zone-wide with a hypervisor.
pub(crate) fn create_pool(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let zone = store::zone(call.tx, "zoneid", call.required("zoneid")?)?;
    let name = call.required("name")?.to_string();
    let url = call.required("url")?.to_string();
    let mut pod_id = p.str("podid").map(String::from);
    let mut cluster_id = p.str("clusterid").map(String::from);
    if cluster_id.is_some() && pod_id.is_none() {
        return Err(ApiError::param("Cluster id requires pod id"));
    }
    if let Some(pod) = &pod_id {
        store::pod(call.tx, "podid", pod)?;
    }
    if let Some(cluster) = &cluster_id {
        if !sql::exists(call.tx, "clusters", cluster)? {
            return Err(ApiError::invalid_id("clusterid", cluster));
        }
    }
    let scope = match p.str("scope") {
        None => "CLUSTER",
        Some(s) if s.eq_ignore_ascii_case("cluster") => "CLUSTER",
        Some(s) if s.eq_ignore_ascii_case("zone") => "ZONE",
        Some(s) if s.eq_ignore_ascii_case("host") => "HOST",
        Some(other) => return Err(ApiError::param(format!("invalid scope for pool {other}"))),
    };
    let mut hypervisor = None;
    match scope {
        "CLUSTER" if cluster_id.is_none() => {
            return Err(ApiError::param(
                "cluster id can't be null, if scope is cluster",
            ));
        }
        "ZONE" => {
            pod_id = None;
            cluster_id = None;
            let raw = p.str("hypervisor").ok_or_else(|| {
                ApiError::param(
                    "Missing parameter hypervisor. Hypervisor type is required to create zone wide primary storage.",
                )
            })?;
            let hv = clusters::hypervisor(raw)
                .filter(|h| matches!(*h, "KVM" | "VMware" | "Hyperv" | "LXC" | "Simulator"));
            hypervisor = Some(hv.ok_or_else(|| {
                ApiError::param(format!(
                    "Zone wide storage pool is not supported for hypervisor type {raw}"
                ))
            })?);
        }
        _ => {}
    }
    if let Some(cluster) = &cluster_id {
        hypervisor = Some(call.tx.query_row(
            "SELECT hypervisor FROM clusters WHERE id = ?1",
            [cluster],
            |r| r.get(0),
        )?)
        .map(|h: String| clusters::hypervisor(&h).unwrap_or("Simulator"));
    }
    let (kind, host, path) = parse_pool_url(&url)?;
    let capacity = p.i64("capacitybytes")?.unwrap_or(DEFAULT_POOL_CAPACITY);
    let tags = p.list("tags");
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO storage_pools (id, zone_id, pod_id, cluster_id, name, url, path, ip_address, scope, type, provider,
                                    hypervisor, capacity_bytes, tags, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            id,
            zone.id,
            pod_id,
            cluster_id,
            name,
            url,
            path,
            host,
            scope,
            kind,
            p.str("provider").unwrap_or("DefaultPrimary"),
            hypervisor,
            capacity,
            (!tags.is_empty()).then(|| tags.join(",")),
            call.timestamp()
        ],
    )?;
    Ok(Reply::Object {
        key: "storagepool",
        value: pool_json(call, &id)?,
    })
}

/// `updateStoragePool`: name, tags, capacity, enabled.
pub(crate) fn update_pool(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    pool_json(call, &id)?;
    if let Some(name) = p.str("name") {
        call.tx.execute(
            "UPDATE storage_pools SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    if p.get("tags").is_some() {
        let tags = p.list("tags");
        call.tx.execute(
            "UPDATE storage_pools SET tags = ?2 WHERE id = ?1",
            params![id, (!tags.is_empty()).then(|| tags.join(","))],
        )?;
    }
    if let Some(capacity) = p.i64("capacitybytes")? {
        let used: i64 = call.tx.query_row(
            "SELECT allocated_bytes FROM storage_pools WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )?;
        if capacity < used {
            return Err(ApiError::param(format!(
                "Cannot reduce the capacity of the pool below what is allocated: {used} bytes"
            )));
        }
        call.tx.execute(
            "UPDATE storage_pools SET capacity_bytes = ?2 WHERE id = ?1",
            params![id, capacity],
        )?;
    }
    if let Some(enabled) = p.bool("enabled") {
        let state = if enabled { "Up" } else { "Disabled" };
        call.tx.execute(
            "UPDATE storage_pools SET state = ?2 WHERE id = ?1",
            params![id, state],
        )?;
    }
    Ok(Reply::Object {
        key: "storagepool",
        value: pool_json(call, &id)?,
    })
}

/// `deleteStoragePool`: refused while volumes live on it (unless forced).
pub(crate) fn delete_pool(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let pool = pool_json(call, &id)?;
    if !call.params.flag("forced", false) && referenced(call, "storage_volumes", "pool_id", &id, "")? {
        return Err(ApiError::internal(format!(
            "Cannot delete pool {} as there are associated volumes for this pool",
            pool["name"].as_str().unwrap_or_default()
        )));
    }
    crate::families::identity::api::forget_scoped_settings(call.tx, "storagepool", &id)?;
    call.tx
        .execute("DELETE FROM storage_pools WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `listStoragePools`.
pub(crate) fn list_pools(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::storage_pool_query();
    query.eq("s.id", p.str("id"));
    query.eq("s.name", p.str("name"));
    query.eq("s.zone_id", p.str("zoneid"));
    query.eq("s.pod_id", p.str("podid"));
    query.eq("s.cluster_id", p.str("clusterid"));
    query.eq("s.ip_address", p.str("ipaddress"));
    query.eq("s.path", p.str("path"));
    query.eq_nocase("s.scope", p.str("scope"));
    query.eq_nocase("s.state", p.str("status"));
    query.keyword(&["s.name"], p.str("keyword"));
    query.order("s.created, s.rowid");
    query.list_plain(call, "storagepool")
}

fn store_json(call: &Call<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    store::image_store_query()
        .one(call.tx, "i.id", id)
        .map(serde_json::Value::Object)
}

/// `addImageStore`: secondary storage for a zone (NFS, SMB) or a region
/// (S3, Swift).
pub(crate) fn add_image_store(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let raw = call.required("provider")?;
    let provider = ["NFS", "SMB", "S3", "Swift"]
        .into_iter()
        .find(|x| x.eq_ignore_ascii_case(raw))
        .ok_or_else(|| ApiError::param(format!("can't find image store provider by name {raw}")))?;
    let zone_id = match p.str("zoneid") {
        Some(zone) => Some(store::zone(call.tx, "zoneid", zone)?.id),
        None => None,
    };
    let url = p.str("url").map(String::from);
    if matches!(provider, "NFS" | "SMB") && (zone_id.is_none() || url.is_none()) {
        return Err(ApiError::param(format!(
            "Zone and url are required for a {provider} image store"
        )));
    }
    let protocol = url
        .as_deref()
        .and_then(|u| u.split_once("://"))
        .map(|(s, _)| s.to_ascii_lowercase());
    let scope = if matches!(provider, "NFS" | "SMB") {
        "ZONE"
    } else {
        "REGION"
    };
    let name = p
        .str("name")
        .map(String::from)
        .or_else(|| url.clone())
        .unwrap_or_else(|| provider.to_string());
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO image_stores (id, zone_id, name, url, protocol, provider, scope, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            zone_id,
            name,
            url,
            protocol,
            provider,
            scope,
            call.timestamp()
        ],
    )?;
    Ok(Reply::Object {
        key: "imagestore",
        value: store_json(call, &id)?,
    })
}

/// `deleteImageStore`: the last store of a zone that still holds templates
/// is refused.
pub(crate) fn delete_image_store(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let found = store_json(call, &id)?;
    if let Some(zone) = found["zoneid"].as_str() {
        let others = sql::count(
            call.tx,
            "SELECT COUNT(*) FROM image_stores WHERE zone_id = ?1",
            zone,
        )? - 1;
        if others == 0 && referenced(call, "templates_template_zones", "zone_id", zone, "")? {
            return Err(ApiError::param(
                "Cannot delete image store with active templates backup!",
            ));
        }
    }
    call.tx
        .execute("DELETE FROM image_stores WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

/// `listImageStores`.
pub(crate) fn list_image_stores(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::image_store_query();
    query.eq("i.id", p.str("id"));
    query.eq("i.name", p.str("name"));
    query.eq("i.zone_id", p.str("zoneid"));
    query.eq_nocase("i.provider", p.str("provider"));
    query.eq_nocase("i.protocol", p.str("protocol"));
    query.flag("i.readonly", p.bool("readonly"));
    query.keyword(&["i.name"], p.str("keyword"));
    query.order("i.created, i.rowid");
    query.list_plain(call, "imagestore")
}
