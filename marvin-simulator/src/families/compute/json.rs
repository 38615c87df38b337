//! The `virtualmachine` response: one query for the VM's own and joined
//! columns, then the arrays (NICs, security groups, affinity groups, tags)
//! added for a whole page at once where the data is ours.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Rendered, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::render::Field;
use crate::kernel::sql::{self, Query};

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
                v.instance_name AS instancename, v.details AS \"details{{}}\", v.display_vm AS \"displayvm?\", v.delete_protection AS \"deleteprotection?\",
                v.dynamically_scalable AS \"isdynamicallyscalable?\", v.keypairs AS keypairs,
                v.user_data_id AS userdataid, ud.name AS userdataname,
                CASE WHEN v.boot_type = 'UEFI' THEN 'UEFI' ELSE 'Bios' END AS boottype,
                lower(v.boot_mode) AS bootmode,
                (SELECT j.id FROM async_jobs j WHERE j.instance_id = v.id AND j.status = 0
                 ORDER BY j.seq DESC LIMIT 1) AS jobid
         FROM vms v {join} JOIN datacenter_zones z ON z.id = v.zone_id LEFT JOIN datacenter_hosts h ON h.id = v.host_id
              LEFT JOIN templates_templates t ON t.id = v.template_id LEFT JOIN templates_os_types ot ON ot.id = t.os_type_id
              LEFT JOIN templates_templates iso ON iso.id = v.iso_id
              LEFT JOIN offerings_service_offerings so ON so.id = v.service_offering_id
              LEFT JOIN offerings_disk_offerings dof ON dof.id = v.disk_offering_id
              LEFT JOIN instance_groups g ON g.id = v.group_id LEFT JOIN identity_users u ON u.id = v.user_id
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

/// The responses of some VMs (in `v.seq` order; unknown ids are left out),
/// written as JSON text. Each VM row is read once and written at once; the
/// arrays of the whole page come from one query each.
pub(crate) fn render(call: &Call<'_>, ids: &[String], parts: Parts) -> Result<Rendered, ApiError> {
    let mut affinity = if parts.affinity_groups {
        affinity_groups_of(call, ids)?
    } else {
        HashMap::new()
    };
    let mut nics = if parts.nics {
        net::rendered_nics_of_vms(call, ids)?
    } else {
        HashMap::new()
    };
    let mut groups = if parts.security_groups {
        net::security_groups_of_vms(call, ids)?
    } else {
        HashMap::new()
    };
    let mut nats = net::static_nats_of(call, ids)?;
    let mut tags = tags::tags_of(call, "UserVm", ids)?;
    // Only root admins see where a VM runs.
    let skip: &[&str] = if call.caller.is_root_admin() {
        &["accountid"]
    } else {
        &["accountid", "hostid", "hostname", "instancename"]
    };
    let mut query = query();
    query.one_of("v.id", ids).order("v.seq");
    let mut at = None;
    query.render(call.tx, skip, |columns, row, extra| {
        let [id_at, job_at, state_at] = *at.get_or_insert_with(|| {
            [
                columns.index("id"),
                columns.index("jobid"),
                columns.index("state"),
            ]
        });
        let text = |index: Option<usize>| -> rusqlite::Result<Option<&str>> {
            match index {
                Some(index) => Ok(row.get_ref(index)?.as_str().ok()),
                None => Ok(None),
            }
        };
        let id = text(id_at)?.unwrap_or_default();
        let running = text(state_at)? == Some("Running");
        let nics = if parts.nics {
            Some(nics.remove(id).unwrap_or_default())
        } else {
            None
        };
        let zero = || Field::Value(json!(0));
        // In key order, which spares a sort.
        if parts.affinity_groups {
            let groups = affinity.remove(id).unwrap_or_default();
            extra.push(("affinitygroup", Value::Array(groups).into()));
        }
        if parts.stats {
            let used = if running { "0.5%" } else { "0%" };
            extra.push(("cpuused", json!(used).into()));
            for field in ["diskioread", "diskiowrite", "diskkbsread", "diskkbswrite"] {
                extra.push((field, zero()));
            }
        }
        if let Some(address) = nics.as_ref().and_then(|nics| nics.address.clone()) {
            extra.push(("ipaddress", address.into()));
        }
        if text(job_at)?.is_some() {
            extra.push(("jobstatus", zero()));
        }
        if parts.stats {
            for field in [
                "memoryintfreekbs",
                "memorykbs",
                "memorytargetkbs",
                "networkkbsread",
                "networkkbswrite",
            ] {
                extra.push((field, zero()));
            }
        }
        if let Some(nics) = nics {
            let json = if nics.json.is_empty() {
                b"[]".to_vec()
            } else {
                nics.json
            };
            extra.push(("nic", Field::Json(json)));
        }
        if let Some((address, ip_id)) = nats.remove(id) {
            extra.push(("publicip", json!(address).into()));
            extra.push(("publicipid", json!(ip_id).into()));
        }
        if parts.security_groups {
            let groups = groups.remove(id).unwrap_or_default();
            extra.push(("securitygroup", Value::Array(groups).into()));
        }
        extra.push((
            "tags",
            Value::Array(tags.remove(id).unwrap_or_default()).into(),
        ));
        Ok(())
    })
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
    let (list, args) = sql::id_list(ids);
    let rows = sql::objects(
        call.tx,
        &format!(
            "SELECT m.vm_id AS vmid, ag.id AS id, ag.name AS name, ag.description AS description, ag.type AS type,
                    {}
             FROM affinity_group_vms m JOIN affinity_groups ag ON ag.id = m.group_id {}
             WHERE m.vm_id IN ({list}) ORDER BY ag.name",
            owner::COLUMNS,
            owner::join("ag")
        ),
        &args,
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
    let rendered = render(call, &[id.to_string()], Parts::ALL)?;
    rendered
        .to_values()
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::invalid_id("id", id))
}
