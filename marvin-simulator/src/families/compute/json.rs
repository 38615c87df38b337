//! The `virtualmachine` response: one query for the VM's own and joined
//! columns, then the arrays (NICs, security groups, affinity groups, tags)
//! added for a whole page at once where the data is ours.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::families::sql::{self, Object, Query, text};
use crate::families::tags::api as tags;
use crate::family::{Call, Reply};

use super::{net, owner};

/// The query behind VM responses; add conditions on `v.`.
pub(crate) fn query() -> Query {
    Query::new(format!(
        "SELECT v.id AS id, v.name AS name, COALESCE(v.display_name, v.name) AS displayname, {owner},
                v.user_id AS userid, u.username AS username, v.created AS created,
                v.last_updated AS lastupdated, v.state AS state, v.ha_enable AS \"haenable?\",
                v.group_id AS groupid, g.name AS \"group\", v.zone_id AS zoneid, z.name AS zonename,
                v.host_id AS hostid, h.name AS hostname, v.template_id AS templateid, t.name AS templatename,
                t.display_text AS templatedisplaytext, t.password_enabled AS \"passwordenabled?\",
                t.format AS templateformat, t.template_type AS templatetype,
                v.iso_id AS isoid, iso.name AS isoname, iso.display_text AS isodisplaytext,
                v.service_offering_id AS serviceofferingid, so.name AS serviceofferingname,
                v.disk_offering_id AS diskofferingid, dof.name AS diskofferingname,
                v.cpu_number AS cpunumber, v.cpu_speed AS cpuspeed, v.memory AS memory,
                t.os_type_id AS guestosid, t.os_type_id AS ostypeid, ot.name AS osdisplayname,
                0 AS rootdeviceid, 'ROOT' AS rootdevicetype, v.hypervisor AS hypervisor,
                v.instance_name AS instancename, v.details AS \"details{{}}\", v.display_vm AS \"displayvm?\",
                v.dynamically_scalable AS \"isdynamicallyscalable?\", v.keypairs AS keypairs,
                v.user_data_id AS userdataid, ud.name AS userdataname,
                CASE WHEN v.boot_type = 'UEFI' THEN 'UEFI' ELSE 'Bios' END AS boottype,
                lower(v.boot_mode) AS bootmode,
                (SELECT j.id FROM async_jobs j WHERE j.instance_id = v.id AND j.status = 0
                 ORDER BY j.seq DESC LIMIT 1) AS jobid
         FROM vms v {join} JOIN zones z ON z.id = v.zone_id LEFT JOIN hosts h ON h.id = v.host_id
              LEFT JOIN templates t ON t.id = v.template_id LEFT JOIN os_types ot ON ot.id = t.os_type_id
              LEFT JOIN templates iso ON iso.id = v.iso_id
              LEFT JOIN service_offerings so ON so.id = v.service_offering_id
              LEFT JOIN disk_offerings dof ON dof.id = v.disk_offering_id
              LEFT JOIN instance_groups g ON g.id = v.group_id LEFT JOIN users u ON u.id = v.user_id
              LEFT JOIN user_data ud ON ud.id = v.user_data_id",
        owner = owner::COLUMNS,
        join = owner::join("v"),
    ))
}

/// Which parts of the response the `details` parameter asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts {
    nics: bool,
    security_groups: bool,
    affinity_groups: bool,
    stats: bool,
}

impl Parts {
    /// Everything (the default).
    pub(crate) const ALL: Self = Self {
        nics: true,
        security_groups: true,
        affinity_groups: true,
        stats: true,
    };

    /// From `listVirtualMachines`' `details` (all, group, nics, stats,
    /// secgrp, tmpl, servoff, diskoff, iso, volume, min, affgrp).
    pub(crate) fn of(call: &Call<'_>) -> Self {
        let asked = call.params.list("details");
        if asked.is_empty() || asked.iter().any(|d| d.eq_ignore_ascii_case("all")) {
            return Self::ALL;
        }
        let has = |name: &str| asked.iter().any(|d| d.eq_ignore_ascii_case(name));
        Self {
            nics: has("nics"),
            security_groups: has("secgrp"),
            affinity_groups: has("affgrp"),
            stats: has("stats"),
        }
    }
}

/// A VM's answer (`virtualmachine`).
pub(crate) fn reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    reply_with_password(call, id, false)
}

/// A VM's answer (`virtualmachine`), with a new random `password` when
/// `new_password` (its template is password enabled).
pub(crate) fn reply_with_password(
    call: &Call<'_>,
    id: &str,
    new_password: bool,
) -> Result<Reply, ApiError> {
    let mut value = vm_json(call, id)?;
    if new_password {
        if let Some(object) = value.as_object_mut() {
            object.insert("password".into(), json!(super::vm::random_password(call)?));
        }
    }
    Ok(Reply::Object {
        key: "virtualmachine",
        value,
    })
}

/// Completes a page of VM rows.
pub(crate) fn finish(
    call: &Call<'_>,
    rows: Vec<Object>,
    parts: Parts,
) -> Result<Vec<Value>, ApiError> {
    let mut affinity = if parts.affinity_groups {
        affinity_groups_of(call, &sql::ids(&rows))?
    } else {
        HashMap::new()
    };
    let full = call.caller.is_root_admin();
    tags::with_tags(call, "UserVm", rows, |id, row| {
        row.remove("accountid");
        if !full {
            row.remove("hostid");
            row.remove("hostname");
            row.remove("instancename");
        }
        if row.contains_key("jobid") {
            row.insert("jobstatus".into(), json!(0));
        }
        if parts.nics {
            let nics = net::nics_json(call, id)?;
            if let Some(ip) = nics
                .iter()
                .find(|n| n.get("isdefault").and_then(Value::as_bool) == Some(true))
                .and_then(|n| n.get("ipaddress"))
            {
                row.insert("ipaddress".into(), ip.clone());
            }
            row.insert("nic".into(), Value::Array(nics));
        }
        if parts.security_groups {
            row.insert(
                "securitygroup".into(),
                Value::Array(net::security_groups_json(call, id)?),
            );
        }
        if parts.affinity_groups {
            row.insert(
                "affinitygroup".into(),
                Value::Array(affinity.remove(id).unwrap_or_default()),
            );
        }
        if let Some((address, ip_id)) = net::static_nat_of(call, id)? {
            row.insert("publicip".into(), json!(address));
            row.insert("publicipid".into(), json!(ip_id));
        }
        if parts.stats {
            insert_stats(row);
        }
        Ok(())
    })
}

fn insert_stats(row: &mut Map<String, Value>) {
    let running = row.get("state").and_then(Value::as_str) == Some("Running");
    row.insert("cpuused".into(), json!(if running { "0.5%" } else { "0%" }));
    for field in [
        "networkkbsread",
        "networkkbswrite",
        "diskkbsread",
        "diskkbswrite",
        "diskioread",
        "diskiowrite",
        "memorykbs",
        "memoryintfreekbs",
        "memorytargetkbs",
    ] {
        row.insert(field.into(), json!(0));
    }
}

/// The `affinitygroup` arrays of some VMs.
fn affinity_groups_of(
    call: &Call<'_>,
    ids: &[String],
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let rows = sql::objects(
        call.tx,
        &format!(
            "SELECT m.vm_id AS vmid, ag.id AS id, ag.name AS name, ag.description AS description, ag.type AS type,
                    {}
             FROM affinity_group_vms m JOIN affinity_groups ag ON ag.id = m.group_id {}
             WHERE m.vm_id IN (SELECT value FROM json_each(?1)) ORDER BY ag.name",
            owner::COLUMNS,
            owner::join("ag")
        ),
        &[text(list)],
    )?;
    for mut row in rows {
        let vm = row
            .remove("vmid")
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        row.remove("accountid");
        out.entry(vm).or_default().push(Value::Object(row));
    }
    Ok(out)
}

/// One VM's response object.
pub(crate) fn vm_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = query().one(call.tx, "v.id", id)?;
    Ok(finish(call, vec![row], Parts::ALL)?.remove(0))
}
