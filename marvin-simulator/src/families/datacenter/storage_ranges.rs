//! Storage network IP ranges of pods (`createStorageNetworkIpRange`,
//! `updateStorageNetworkIpRange`, `deleteStorageNetworkIpRange`,
//! `listStorageNetworkIpRange`): CloudStack's `StorageNetworkManagerImpl`.
//! The checks run in the job and fail it with 530, as the server's
//! `CloudRuntimeException`s do. The zone's storage network is its physical
//! network carrying Storage traffic; no system VM takes addresses in the
//! simulator, so a range is never in use.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::sql::{self, Query};

fn valid_netmask(netmask: &str) -> bool {
    ip::prefix_of_netmask(netmask).is_some()
}

fn address(text: &str) -> Result<u32, ApiError> {
    ip::parse(text).ok_or_else(|| ApiError::internal(format!("Invalid ip address: {text}")))
}

/// `checkOverlapPrivateIpRange` and `checkOverlapStorageIpRange`: the
/// pod's own addresses and its storage ranges (the range being updated
/// included, as CloudStack lists every range of the pod).
fn check_overlaps(call: &Call<'_>, pod_id: &str, start: u32, end: u32) -> Result<(), ApiError> {
    let (pod_start, pod_end): (String, String) = call.tx.query_row(
        "SELECT start_ip, end_ip FROM pods WHERE id = ?1",
        [pod_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let (Some(s), Some(e)) = (ip::parse(&pod_start), ip::parse(&pod_end)) {
        if ip::overlaps((start, end), (s, e)) {
            return Err(ApiError::internal(format!(
                "The Storage network Start IP and endIP address range overlap with private IP :{pod_start}:{pod_end}"
            )));
        }
    }
    let ranges = sql::objects(
        call.tx,
        "SELECT start_ip, end_ip FROM storage_network_ranges WHERE pod_id = ?1 ORDER BY seq",
        &[sql::text(pod_id)],
    )?;
    for range in ranges {
        let field = |k: &str| {
            range
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (s, e) = (field("start_ip"), field("end_ip"));
        if let (Some(sn), Some(en)) = (ip::parse(&s), ip::parse(&e)) {
            if ip::overlaps((start, end), (sn, en)) {
                return Err(ApiError::internal(format!(
                    "The Storage network Start IP and endIP address range overlap with private IP :{s} - {e}"
                )));
            }
        }
    }
    Ok(())
}

/// The zone's storage network: its one physical network with Storage
/// traffic.
fn storage_network(call: &Call<'_>, zone_id: &str) -> Result<String, ApiError> {
    let mut stmt = call.tx.prepare_cached(
        "SELECT t.id FROM traffic_types t JOIN physical_networks p ON p.id = t.physical_network_id
         WHERE p.zone_id = ?1 AND t.traffic_type = 'Storage' ORDER BY t.rowid",
    )?;
    let found: Vec<String> = stmt
        .query_map([zone_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    match found.as_slice() {
        [] => Err(ApiError::internal(format!(
            "Cannot find storage network in zone {zone_id}"
        ))),
        [one] => Ok(one.clone()),
        more => Err(ApiError::internal(format!(
            "Find more than one storage network in zone {zone_id},{} found",
            more.len()
        ))),
    }
}

/// `createStorageNetworkIpRange` (async; checked and stored by the job).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let pod = call.required("podid")?.to_string();
    let gateway = call.required("gateway")?.to_string();
    let netmask = call.required("netmask")?.to_string();
    let start = call.required("startip")?.to_string();
    let end = p.str("endip").map_or_else(|| start.clone(), String::from);
    let vlan = p.i64("vlan")?;
    let id = ids::new_id();
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "StorageNetworkIpRange",
            id,
            Box::new(move |call: &mut Call<'_>| {
                if !valid_netmask(&netmask) {
                    return Err(ApiError::internal(format!("Invalid netmask:{netmask}")));
                }
                let zone: Option<String> = call
                    .tx
                    .query_row("SELECT zone_id FROM pods WHERE id = ?1", [&pod], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let zone =
                    zone.ok_or_else(|| ApiError::internal(format!("Cannot find pod {pod}")))?;
                let network = storage_network(call, &zone)?;
                let (s, e) = (address(&start)?, address(&end)?);
                check_overlaps(call, &pod, s, e)?;
                call.tx.execute(
                    "INSERT INTO storage_network_ranges (id, zone_id, pod_id, network_id, start_ip, end_ip, gateway,
                                                         netmask, vlan, created)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        job_id,
                        zone,
                        pod,
                        network,
                        start,
                        end,
                        gateway,
                        netmask,
                        vlan,
                        call.timestamp()
                    ],
                )?;
                Ok(Reply::Object {
                    key: "storagenetworkiprange",
                    value: range_json(call, &job_id)?,
                })
            }),
        )
        .with_event(
            "STORAGE.IP.RANGE.CREATE",
            "Creating storage ip range".to_string(),
        ),
    ))
}

/// `updateStorageNetworkIpRange` (async): vlan, netmask and the address
/// bounds; the new bounds are checked like a new range's. An unknown id is
/// refused in the request (431), as CloudStack's parameter processing does.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let netmask = p.str("netmask").map(String::from);
    let start = p.str("startip").map(String::from);
    let end = p.str("endip").map(String::from);
    let vlan = p.i64("vlan")?;
    // The API layer turns an id that names nothing into a 431 before the
    // manager runs.
    if !sql::exists(call.tx, "storage_network_ranges", &id)? {
        return Err(ApiError::invalid_id("id", &id));
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "StorageNetworkIpRange",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                if let Some(netmask) = netmask.as_deref().filter(|n| !valid_netmask(n)) {
                    return Err(ApiError::internal(format!("Invalid netmask:{netmask}")));
                }
                let row: Option<(String, String, String)> = call
                    .tx
                    .query_row(
                        "SELECT pod_id, start_ip, end_ip FROM storage_network_ranges WHERE id = ?1",
                        [&job_id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let (pod, old_start, old_end) = row.ok_or_else(|| {
                    ApiError::internal(format!("Cannot find storage ip range {job_id}"))
                })?;
                if start.is_some() || end.is_some() {
                    let s = start.clone().unwrap_or(old_start);
                    let e = end.clone().unwrap_or(old_end);
                    check_overlaps(call, &pod, address(&s)?, address(&e)?)?;
                    call.tx.execute(
                        "UPDATE storage_network_ranges SET start_ip = ?2, end_ip = ?3 WHERE id = ?1",
                        params![job_id, s, e],
                    )?;
                }
                if let Some(netmask) = &netmask {
                    call.tx.execute(
                        "UPDATE storage_network_ranges SET netmask = ?2 WHERE id = ?1",
                        params![job_id, netmask],
                    )?;
                }
                if let Some(vlan) = vlan {
                    call.tx.execute(
                        "UPDATE storage_network_ranges SET vlan = ?2 WHERE id = ?1",
                        params![job_id, vlan],
                    )?;
                }
                Ok(Reply::Object {
                    key: "storagenetworkiprange",
                    value: range_json(call, &job_id)?,
                })
            }),
        )
        .with_event(
            "STORAGE.IP.RANGE.UPDATE",
            format!("Update storage ip range {id}"),
        ),
    ))
}

/// `deleteStorageNetworkIpRange` (async).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    if !sql::exists(call.tx, "storage_network_ranges", &id)? {
        return Err(ApiError::invalid_id("id", &id));
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "StorageNetworkIpRange",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let removed = call.tx.execute(
                    "DELETE FROM storage_network_ranges WHERE id = ?1",
                    [&job_id],
                )?;
                if removed == 0 {
                    return Err(ApiError::internal(format!(
                        "Can not find storage network ip range {job_id}"
                    )));
                }
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "STORAGE.IP.RANGE.DELETE",
            format!("Deleting storage ip range {id}"),
        ),
    ))
}

fn range_query() -> Query {
    Query::new(
        "SELECT r.id AS id, r.zone_id AS zoneid, r.pod_id AS podid, r.network_id AS networkid,
                r.start_ip AS startip, r.end_ip AS endip, r.gateway AS gateway, r.netmask AS netmask,
                r.vlan AS vlan
         FROM storage_network_ranges r",
    )
}

fn range_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    range_query().one(call.tx, "r.id", id).map(Value::Object)
}

/// `listStorageNetworkIpRange`: by id, else by pod, else by zone, else all.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = range_query();
    query.eq("r.id", p.str("id"));
    query.eq("r.pod_id", p.str("podid"));
    query.eq("r.zone_id", p.str("zoneid"));
    query.order("r.seq");
    query.list(call, "storagenetworkiprange", |_, row| {
        Ok(Value::Object(row))
    })
}
