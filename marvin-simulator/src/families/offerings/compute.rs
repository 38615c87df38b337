//! Compute (service) offerings and disk offerings.

use rusqlite::params;
use serde_json::{Map, Value};

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::sql::Query;

use super::{io, store};

fn storage_type(value: Option<&str>) -> Result<&'static str, ApiError> {
    match value {
        None => Ok("shared"),
        Some(v) if v.eq_ignore_ascii_case("shared") => Ok("shared"),
        Some(v) if v.eq_ignore_ascii_case("local") => Ok("local"),
        Some(v) => Err(ApiError::param(format!(
            "Invalid storage type {v} specified, valid types are: 'local' and 'shared'"
        ))),
    }
}

fn provisioning_type(value: Option<&str>) -> Result<&'static str, ApiError> {
    match value {
        None => Ok("thin"),
        Some(v) => ["thin", "sparse", "fat"]
            .into_iter()
            .find(|t| t.eq_ignore_ascii_case(v))
            .ok_or_else(|| ApiError::param(format!("Invalid provisioning type {v}"))),
    }
}

fn cache_mode(value: Option<&str>) -> Result<&'static str, ApiError> {
    match value {
        None => Ok("none"),
        Some(v) => ["none", "writeback", "writethrough", "hypervisor_default"]
            .into_iter()
            .find(|t| t.eq_ignore_ascii_case(v))
            .ok_or_else(|| ApiError::param(format!("Invalid cache mode ({v}). Please specify one of the following valid cache mode parameters: none, writeback or writethrough"))),
    }
}

fn offering_state(value: &str) -> Result<&'static str, ApiError> {
    ["Active", "Inactive"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(value))
        .ok_or_else(|| ApiError::param(format!("Invalid state value: {value}")))
}

fn tags(call: &Call<'_>, param: &str) -> Option<String> {
    let tags = call.params.list(param);
    (!tags.is_empty()).then(|| tags.join(","))
}

fn details_json(call: &Call<'_>, param: &str) -> Option<String> {
    let mut map = Map::new();
    for entry in call.params.map(param) {
        for (k, v) in entry {
            map.insert(k, Value::String(v));
        }
    }
    (!map.is_empty()).then(|| Value::Object(map).to_string())
}

/// What the commands of service and disk offerings share about their kind.
struct Kind {
    table: &'static str,
    key: &'static str,
    subject: &'static str,
    query: fn() -> Query,
}

const SERVICE: Kind = Kind {
    table: "service_offerings",
    key: "serviceoffering",
    subject: "ServiceOffering",
    query: store::service_offering_query,
};

const DISK: Kind = Kind {
    table: "disk_offerings",
    key: "diskoffering",
    subject: "DiskOffering",
    query: store::disk_offering_query,
};

impl Kind {
    /// The offering (not removed), or 431.
    fn current(&self, call: &Call<'_>, id: &str) -> Result<Object, ApiError> {
        store::one(call.tx, (self.query)(), id, "id")
    }

    fn reply(&self, call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
        Ok(Reply::Object {
            key: self.key,
            value: Value::Object(self.current(call, id)?),
        })
    }

    /// The changes both update commands make after their own: name and
    /// display text, state, the tag lists (`(parameter, column)`), sort key,
    /// domains and zones; then the event, and the answer.
    fn update(
        &self,
        call: &Call<'_>,
        id: &str,
        tag_lists: &[(&str, &str)],
        event: &str,
        description: &str,
    ) -> Result<Reply, ApiError> {
        let p = call.params;
        let table = self.table;
        let current = self.current(call, id)?;
        let set = |column: &str, value: &dyn rusqlite::ToSql| -> Result<(), ApiError> {
            call.tx.execute(
                &format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
            Ok(())
        };
        for (param, column) in [("name", "name"), ("displaytext", "display_text")] {
            if let Some(value) = p.str(param) {
                set(column, &value)?;
            }
        }
        if let Some(state) = p.str("state") {
            set("state", &offering_state(state)?)?;
        }
        for (param, column) in tag_lists {
            if p.get(param).is_some() {
                set(column, &tags(call, param))?;
            }
        }
        store::update_order_and_scope(call, table, id)?;
        let name = p
            .str("name")
            .map(String::from)
            .unwrap_or_else(|| current["name"].as_str().unwrap_or_default().to_string());
        event_log::completed(
            call,
            event,
            description,
            Subject::of(self.subject, id, &name),
        )?;
        self.reply(call, id)
    }

    /// Removes an offering from lists (resources made from it keep it).
    fn delete(
        &self,
        call: &Call<'_>,
        id: &str,
        current: &Object,
        event: &str,
        description: &str,
    ) -> Result<Reply, ApiError> {
        call.tx.execute(
            &format!(
                "UPDATE {} SET removed = ?2, state = 'Inactive' WHERE id = ?1",
                self.table
            ),
            params![id, call.timestamp()],
        )?;
        let name = current["name"].as_str().unwrap_or_default().to_string();
        event_log::completed(
            call,
            event,
            description,
            Subject::of(self.subject, id, &name),
        )?;
        Ok(Reply::Success(None))
    }
}

/// The `state` filter of both lists: Active unless `state` says otherwise
/// (`all` for every state).
fn state_filter(query: &mut Query, state: Option<&str>) -> Result<(), ApiError> {
    match state {
        Some(s) if s.eq_ignore_ascii_case("all") => {}
        Some(s) => {
            query.eq("o.state", Some(offering_state(s)?));
        }
        None => {
            query.eq("o.state", Some("Active"));
        }
    }
    Ok(())
}

/// `createServiceOffering`: fixed (cpu, speed and memory all given) or
/// customized (cpu and memory chosen at deploy time).
pub(crate) fn create_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let cpu = p.i64("cpunumber")?;
    let speed = p.i64("cpuspeed")?;
    let memory = p.i64("memory")?;
    let customized_flag = p.bool("customized");
    let all = cpu.is_some() && speed.is_some() && memory.is_some();
    let none = cpu.is_none() && memory.is_none();
    if !(all || none || customized_flag == Some(true)) {
        return Err(ApiError::param(
            "For creating a custom compute offering cpu, cpu speed and memory all should be null",
        ));
    }
    if let Some(cpu) = cpu {
        if cpu <= 0 || cpu > i64::from(i32::MAX) {
            return Err(ApiError::param(format!(
                "Failed to create service offering {name}: specify the cpu number value between 1 and {}",
                i32::MAX
            )));
        }
    }
    if let Some(speed) = speed {
        if speed < 0 || speed > i64::from(i32::MAX) {
            return Err(ApiError::param(format!(
                "Failed to create service offering {name}: specify the cpu speed value between 0 and {}",
                i32::MAX
            )));
        }
    }
    if let Some(memory) = memory {
        if !(32..=i64::from(i32::MAX)).contains(&memory) {
            return Err(ApiError::param(format!(
                "Failed to create service offering {name}: specify the memory value between 32 and {} MB",
                i32::MAX
            )));
        }
    }
    let customized = !all || customized_flag == Some(true);
    let io_rates = io::from_call(call)?;
    let is_system = p.flag("issystem", false);
    let system_vm_type = match p.str("systemvmtype") {
        Some(kind) => {
            let known = ["domainrouter", "consoleproxy", "secondarystoragevm", "internalloadbalancervm"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(kind))
                .ok_or_else(|| {
                    ApiError::param(
                        "Invalid system vm type. Supported types are 'domainrouter', 'consoleproxy' and 'secondarystoragevm'",
                    )
                })?;
            Some(known)
        }
        None => None,
    };
    if system_vm_type.is_some() && !is_system {
        return Err(ApiError::param(
            "System VM type can only be set for system offerings",
        ));
    }
    let domain_ids = store::id_list(call, "domainid", "identity_domains")?;
    let zone_ids = store::id_list(call, "zoneid", "datacenter_zones")?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO service_offerings (id, name, display_text, cpu_number, cpu_speed, memory, min_cpu, max_cpu,
             min_memory, max_memory, customized, storage_type, provisioning_type, offer_ha, limit_cpu_use, is_volatile,
             is_system, system_vm_type, host_tags, storage_tags, network_rate, root_disk_size, dynamic_scaling_enabled,
             encrypt_root, cache_mode, disk_offering_strictness, domain_ids, zone_ids, details, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
                 ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
        params![
            id,
            name,
            display_text,
            if customized && customized_flag == Some(true) { None } else { cpu },
            speed,
            if customized && customized_flag == Some(true) { None } else { memory },
            p.i64("mincpunumber")?,
            p.i64("maxcpunumber")?,
            p.i64("minmemory")?,
            p.i64("maxmemory")?,
            customized,
            storage_type(p.str("storagetype"))?,
            provisioning_type(p.str("provisioningtype"))?,
            p.flag("offerha", false),
            p.flag("limitcpuuse", false),
            p.flag("isvolatile", false),
            is_system,
            system_vm_type,
            tags(call, "hosttags"),
            tags(call, "tags"),
            p.i64("networkrate")?,
            p.i64("rootdisksize")?,
            p.flag("dynamicscalingenabled", true),
            p.flag("encryptroot", false),
            cache_mode(p.str("cachemode"))?,
            p.flag("diskofferingstrictness", false),
            domain_ids,
            zone_ids,
            details_json(call, "serviceofferingdetails"),
            call.timestamp()
        ],
    )?;
    io::store(call, "service_offerings", &id, &io_rates)?;
    event_log::completed(
        call,
        "SERVICE.OFFERING.CREATE",
        &format!("creating service offering. Service offering id: {id}"),
        Subject::of("ServiceOffering", &id, &name),
    )?;
    SERVICE.reply(call, &id)
}

/// `updateServiceOffering`: name, display text, state, tags, sort key,
/// domains and zones.
pub(crate) fn update_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    SERVICE.update(
        call,
        id,
        &[("hosttags", "host_tags"), ("storagetags", "storage_tags")],
        "SERVICE.OFFERING.EDIT",
        "updating service offering",
    )
}

/// `deleteServiceOffering`: the offering is removed from lists; resources
/// made from it keep it.
pub(crate) fn delete_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    let current = SERVICE.current(call, id)?;
    if current.get("defaultuse").and_then(Value::as_bool) == Some(true) {
        return Err(ApiError::param(
            "Default service offerings cannot be deleted",
        ));
    }
    SERVICE.delete(
        call,
        id,
        &current,
        "SERVICE.OFFERING.DELETE",
        "deleting service offering",
    )
}

/// `listServiceOfferings`: user offerings by default, system ones with
/// `issystem=true`; Active ones unless `state` says otherwise.
pub(crate) fn list_service(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::service_offering_query();
    query.and("o.removed IS NULL", []);
    query.eq("o.id", p.str("id"));
    query.eq("o.name", p.str("name"));
    query.flag("o.is_system", Some(p.flag("issystem", false)));
    query.eq_nocase("o.system_vm_type", p.str("systemvmtype"));
    state_filter(&mut query, p.str("state"))?;
    query.eq_nocase("o.storage_type", p.str("storagetype"));
    for (param, column) in [
        ("cpunumber", "cpu_number"),
        ("cpuspeed", "cpu_speed"),
        ("memory", "memory"),
    ] {
        if let Some(value) = p.i64(param)? {
            query.and(
                &format!("o.customized = 1 OR o.{column} = ?"),
                [rusqlite::types::Value::Integer(value)],
            );
        }
    }
    store::finish_list(call, &mut query);
    query.list_plain(call, "serviceoffering")
}

/// The largest disk CloudStack accepts by default (`storage.max.volume.size`).
const MAX_DISK_GB: i64 = 2000;

/// `createDiskOffering`: a size in GB, or customized (size chosen at create
/// time) when no size is given.
pub(crate) fn create_disk(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let display_text = p.str("displaytext").unwrap_or(&name).to_string();
    let size = p.i64("disksize")?;
    if let Some(size) = size {
        if size < 1 {
            return Err(ApiError::param(
                "Please specify a disk size of at least 1 Gb.",
            ));
        }
        if size > MAX_DISK_GB {
            return Err(ApiError::param(format!(
                "The maximum size for a disk is {MAX_DISK_GB} Gb."
            )));
        }
    }
    let customized = p.flag("customized", false) || size.is_none();
    let customized_iops = p.flag("customizediops", false);
    let (min_iops, max_iops) = (p.i64("miniops")?, p.i64("maxiops")?);
    if let (Some(min), Some(max)) = (min_iops, max_iops) {
        if min > max {
            return Err(ApiError::param(
                "The min IOPS must be less than or equal to the max IOPS.",
            ));
        }
    }
    let io_rates = io::from_call(call)?;
    let domain_ids = store::id_list(call, "domainid", "identity_domains")?;
    let zone_ids = store::id_list(call, "zoneid", "datacenter_zones")?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO disk_offerings (id, name, display_text, disk_size, customized, customized_iops, min_iops, max_iops,
             storage_type, provisioning_type, tags, display_offering, cache_mode, encrypt, disk_size_strictness,
             domain_ids, zone_ids, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            id,
            name,
            display_text,
            size.unwrap_or(0),
            customized,
            customized_iops,
            min_iops,
            max_iops,
            storage_type(p.str("storagetype"))?,
            provisioning_type(p.str("provisioningtype"))?,
            tags(call, "tags"),
            p.flag("displayoffering", true),
            cache_mode(p.str("cachemode"))?,
            p.flag("encrypt", false),
            p.flag("disksizestrictness", false),
            domain_ids,
            zone_ids,
            call.timestamp()
        ],
    )?;
    io::store(call, "disk_offerings", &id, &io_rates)?;
    event_log::completed(
        call,
        "DISK.OFFERING.CREATE",
        &format!("creating disk offering. Disk offering id: {id}"),
        Subject::of("DiskOffering", &id, &name),
    )?;
    DISK.reply(call, &id)
}

/// `updateDiskOffering`.
pub(crate) fn update_disk(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    DISK.current(call, id)?;
    if let Some(display) = call.params.bool("displayoffering") {
        call.tx.execute(
            "UPDATE disk_offerings SET display_offering = ?2 WHERE id = ?1",
            params![id, display],
        )?;
    }
    DISK.update(
        call,
        id,
        &[("tags", "tags")],
        "DISK.OFFERING.EDIT",
        "updating disk offering",
    )
}

/// `deleteDiskOffering`.
pub(crate) fn delete_disk(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    let current = DISK.current(call, id)?;
    DISK.delete(
        call,
        id,
        &current,
        "DISK.OFFERING.DELETE",
        "deleting disk offering",
    )
}

/// `listDiskOfferings`.
pub(crate) fn list_disk(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::disk_offering_query();
    query.and("o.removed IS NULL", []);
    query.eq("o.id", p.str("id"));
    query.eq("o.name", p.str("name"));
    state_filter(&mut query, p.str("state"))?;
    if !call.caller.is_root_admin() {
        query.and("o.display_offering = 1", []);
    }
    query.eq_nocase("o.storage_type", p.str("storagetype"));
    query.flag("o.encrypt", p.bool("encrypt"));
    store::finish_list(call, &mut query);
    query.list_plain(call, "diskoffering")
}
