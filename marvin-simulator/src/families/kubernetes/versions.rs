//! Supported versions (`KubernetesVersionManagerImpl.addKubernetesSupportedVersion`,
//! `listKubernetesSupportedVersions`, `updateKubernetesSupportedVersion`,
//! `deleteKubernetesSupportedVersion`).

use std::cmp::Ordering;

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::families::datacenter::api as datacenter;
use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;

/// `KubernetesVersionManagerImpl.MIN_KUBERNETES_VERSION`.
const MIN_VERSION: &str = "1.11.0";
/// `KubernetesVersionService.MIN_KUBERNETES_VERSION_HA_SUPPORT`.
pub(crate) const MIN_HA_VERSION: &str = "1.16.0";
/// `MINIMUN_AUTOSCALER_SUPPORTED_VERSION`, compared as text by the server.
const MIN_AUTOSCALER_VERSION: &str = "1.24.0";
/// `KubernetesClusterService.MIN_KUBERNETES_CLUSTER_NODE_CPU`.
pub(crate) const MIN_NODE_CPU: i64 = 2;
/// `KubernetesClusterService.MIN_KUBERNETES_CLUSTER_NODE_RAM_SIZE` (MB).
pub(crate) const MIN_NODE_RAM: i64 = 2048;

/// `cloud.kubernetes.service.enabled`: every manager method refuses while
/// it is off (a `CloudRuntimeException`, 530).
pub(crate) fn check_enabled(call: &Call<'_>) -> Result<(), ApiError> {
    if identity::setting_flag(call.tx, "cloud.kubernetes.service.enabled", &[])? {
        Ok(())
    } else {
        Err(ApiError::internal("Kubernetes Service plugin is disabled"))
    }
}

/// The parts of a `MAJOR.MINOR.PATCH` version (`isSemanticVersion`).
fn parts(version: &str) -> Result<[u64; 3], ApiError> {
    let bad = || {
        ApiError::param(format!(
            "Invalid version format, {version}. Semantic version should be specified in MAJOR.MINOR.PATCH format"
        ))
    };
    let numbers: Vec<u64> = version
        .split('.')
        .map(|part| part.parse::<u64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    <[u64; 3]>::try_from(numbers).map_err(|_| bad())
}

/// `compareSemanticVersions`.
pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, ApiError> {
    Ok(parts(a)?.cmp(&parts(b)?))
}

fn version_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = call.tx.query_row(
        "SELECT id, name, semantic_version, zone_id, iso_url, direct_download, min_cpu, min_memory, state, created
         FROM kubernetes_versions WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        },
    )?;
    let (id, name, semantic, zone, url, direct, cpu, memory, state, created) = row;
    let mut value = json!({
        "id": id,
        "name": name,
        "semanticversion": semantic,
        "isourl": url,
        "directdownload": direct,
        "mincpunumber": cpu,
        "minmemory": memory,
        "state": state,
        "created": created,
        "supportsha": compare(&semantic, MIN_HA_VERSION)? != Ordering::Less,
        "supportsautoscaling": semantic.as_str() >= MIN_AUTOSCALER_VERSION,
    });
    if let Some(zone) = zone {
        let row = datacenter::zone(call.tx, "zoneid", &zone)?;
        value["zoneid"] = json!(row.id);
        value["zonename"] = json!(row.name);
    }
    Ok(value)
}

/// `addKubernetesSupportedVersion`: at least 2 CPUs and 2048 MB, a version
/// from 1.11.0, a known zone, an ISO URL; the name defaults to
/// `v<version>` (and `-<zone name>` for a zone's version).
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    // The API layer resolves the zone's uuid before the manager runs.
    let zone = match call.params.str("zoneid") {
        Some(id) => Some(
            datacenter::zone(call.tx, "zoneid", id)
                .map_err(|_| ApiError::invalid_id("zoneid", id))?,
        ),
        None => None,
    };
    check_enabled(call)?;
    let semantic = call.required("semanticversion")?.to_string();
    let cpu = call.params.i64("mincpunumber")?;
    if cpu.is_none_or(|cpu| cpu < MIN_NODE_CPU) {
        return Err(ApiError::param(format!(
            "Invalid value for mincpunumber parameter. Minimum {MIN_NODE_CPU} vCPUs required."
        )));
    }
    let memory = call.params.i64("minmemory")?;
    if memory.is_none_or(|memory| memory < MIN_NODE_RAM) {
        return Err(ApiError::param(format!(
            "Invalid value for minmemory parameter. Minimum {MIN_NODE_RAM}MB memory required"
        )));
    }
    if compare(&semantic, MIN_VERSION)? == Ordering::Less {
        return Err(ApiError::param(format!(
            "New supported Kubernetes version cannot be added as {MIN_VERSION} is minimum version supported by \
             Kubernetes Service"
        )));
    }
    let Some(url) = call.params.str("url").map(str::to_string) else {
        return Err(ApiError::param("Invalid URL for ISO specified, null"));
    };
    let name = match call.params.str("name") {
        Some(name) => name.to_string(),
        None => match &zone {
            Some(zone) => format!("v{semantic}-{}", zone.name),
            None => format!("v{semantic}"),
        },
    };
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO kubernetes_versions (id, name, semantic_version, zone_id, iso_url, direct_download, min_cpu,
                                          min_memory, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            name,
            semantic,
            zone.as_ref().map(|z| z.id.clone()),
            url,
            call.params.flag("directdownload", false),
            cpu,
            memory,
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "KUBERNETES.VERSION.ADD",
        "Adding Kubernetes supported version",
        Subject::of("KubernetesSupportedVersion", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "kubernetessupportedversion",
        value: version_json(call, &id)?,
    })
}

/// `listKubernetesSupportedVersions`: by id, keyword (name), zone (its own
/// and the all-zone versions) and a minimum version (`minimumsemanticversion`
/// or `minimumkubernetesversionid`, not both).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    if let Some(zone) = call.params.str("zoneid") {
        datacenter::zone(call.tx, "zoneid", zone)
            .map_err(|_| ApiError::invalid_id("zoneid", zone))?;
    }
    check_enabled(call)?;
    let mut minimum = call
        .params
        .str("minimumsemanticversion")
        .map(str::to_string);
    if let Some(min_id) = call.params.str("minimumkubernetesversionid") {
        if minimum.is_some() {
            return Err(ApiError::internal(
                "Both parameters minimumsemanticversion and minimumkubernetesversionid can not be passed together",
            ));
        }
        let found: Option<String> = call
            .tx
            .query_row(
                "SELECT semantic_version FROM kubernetes_versions WHERE id = ?1",
                [min_id],
                |r| r.get(0),
            )
            .optional()?;
        minimum =
            Some(found.ok_or_else(|| ApiError::invalid_id("minimumkubernetesversionid", min_id))?);
    }
    let ids: Vec<String> = call
        .tx
        .prepare(
            "SELECT id FROM kubernetes_versions
             WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR zone_id = ?2 OR zone_id IS NULL)
               AND (?3 IS NULL OR instr(lower(name), lower(?3)) > 0)
             ORDER BY seq",
        )?
        .query_map(
            params![
                call.params.str("id"),
                call.params.str("zoneid"),
                call.params.str("keyword")
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let item = version_json(call, &id)?;
        if let Some(minimum) = &minimum {
            let semantic = item["semanticversion"].as_str().unwrap_or_default();
            if compare(semantic, minimum)? == Ordering::Less {
                continue;
            }
        }
        items.push(item);
    }
    Ok(Reply::List {
        key: "kubernetessupportedversion",
        count: items.len(),
        items,
    })
}

fn known(call: &Call<'_>) -> Result<String, ApiError> {
    let id = call.required("id")?;
    let found: Option<String> = call
        .tx
        .query_row(
            "SELECT id FROM kubernetes_versions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    found.ok_or_else(|| ApiError::invalid_id("id", id))
}

/// `updateKubernetesSupportedVersion`: the state, `Enabled` or `Disabled`
/// (spelt exactly so: `State.valueOf`).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = known(call)?;
    check_enabled(call)?;
    let state = call.required("state")?;
    if state != "Enabled" && state != "Disabled" {
        return Err(ApiError::param("Invalid value for state parameter"));
    }
    call.tx.execute(
        "UPDATE kubernetes_versions SET state = ?2 WHERE id = ?1",
        params![id, state],
    )?;
    let name: String = call.tx.query_row(
        "SELECT name FROM kubernetes_versions WHERE id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    event_log::completed(
        call,
        "KUBERNETES.VERSION.UPDATE",
        "Updating Kubernetes supported version",
        Subject::of("KubernetesSupportedVersion", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "kubernetessupportedversion",
        value: version_json(call, &id)?,
    })
}

/// `deleteKubernetesSupportedVersion` (async): refused (530, a
/// `CloudRuntimeException`) while a cluster uses the version.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = known(call)?;
    check_enabled(call)?;
    if super::clusters::version_in_use(call, &id)? {
        return Err(ApiError::internal(format!(
            "Unable to delete Kubernetes version ID: {id}. Existing clusters currently using the version."
        )));
    }
    let event = format!("Deleting Kubernetes supported version ID: {id}");
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            call.tx
                .execute("DELETE FROM kubernetes_versions WHERE id = ?1", [&id])?;
            Ok(Reply::Success(None))
        }))
        .with_event("KUBERNETES.VERSION.DELETE", event),
    ))
}
