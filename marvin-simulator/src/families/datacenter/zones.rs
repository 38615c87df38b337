//! Zones: created Disabled, enabled once a physical network carries the
//! system traffic, deleted only when empty.

use rusqlite::{OptionalExtension, params};

use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql::{self, text};

use super::store;
use crate::kernel::ip;

/// The guest CIDR of an Advanced zone created without one.
pub(crate) const DEFAULT_GUEST_CIDR: &str = "10.1.1.0/24";

fn check_dns(value: Option<&str>, what: &str) -> Result<(), ApiError> {
    match value {
        Some(v) if !v.is_empty() && ip::parse(v).is_none() => Err(ApiError::param(format!(
            "Please enter a valid IP address for {what}"
        ))),
        _ => Ok(()),
    }
}

fn network_type(value: &str) -> Result<&'static str, ApiError> {
    match value {
        v if v.eq_ignore_ascii_case("Advanced") => Ok("Advanced"),
        v if v.eq_ignore_ascii_case("Basic") => Ok("Basic"),
        other => Err(ApiError::param(format!("Invalid network type {other}"))),
    }
}

fn check_guest_cidr(cidr: &str) -> Result<(), ApiError> {
    ip::parse_cidr(cidr)
        .map(|_| ())
        .ok_or_else(|| ApiError::param("Please enter a valid guest cidr"))
}

fn name_taken(call: &Call<'_>, name: &str, except: &str) -> Result<bool, ApiError> {
    let found: Option<String> = call
        .tx
        .query_row(
            // Without case, as the server's zone lookup by name compares.
            "SELECT id FROM zones WHERE name = ?1 COLLATE NOCASE AND id != ?2",
            [name, except],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// `createZone`.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let name = call.required("name")?.to_string();
    let kind = network_type(call.required("networktype")?)?;
    let dns1 = call.required("dns1")?.to_string();
    let internal_dns1 = call.required("internaldns1")?.to_string();
    if name_taken(call, &name, "")? {
        return Err(ApiError::param(
            "A zone with that name already exists. Please specify a unique zone name.",
        ));
    }
    if let Some(domain) = p.str("domainid") {
        identity::domain(call.tx, domain)?
            .ok_or_else(|| ApiError::param("Please specify a valid domain id"))?;
    }
    check_dns(Some(&dns1), "DNS1")?;
    check_dns(p.str("dns2"), "DNS2")?;
    check_dns(Some(&internal_dns1), "internal DNS1")?;
    check_dns(p.str("internaldns2"), "internal DNS2")?;
    let guest_cidr = match (kind, p.str("guestcidraddress")) {
        ("Advanced", None) => Some(DEFAULT_GUEST_CIDR.to_string()),
        (_, Some(cidr)) => {
            check_guest_cidr(cidr)?;
            Some(cidr.to_string())
        }
        _ => None,
    };
    let state = match p.str("allocationstate") {
        Some(state) => super::allocation_state(state)?,
        None => "Disabled",
    };
    let sg = kind == "Basic" || p.flag("securitygroupenabled", false);
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO zones (id, name, network_type, dns1, dns2, internal_dns1, internal_dns2, ip6_dns1, ip6_dns2,
                            guest_cidr, network_domain, domain_id, security_group_enabled, local_storage_enabled,
                            allocation_state, zone_token, is_edge, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            id,
            name,
            kind,
            dns1,
            p.str("dns2"),
            internal_dns1,
            p.str("internaldns2"),
            p.str("ip6dns1"),
            p.str("ip6dns2"),
            guest_cidr,
            p.str("domain"),
            p.str("domainid"),
            sg,
            p.flag("localstorageenabled", false),
            state,
            ids::new_id(),
            p.flag("isedge", false),
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "ZONE.CREATE",
        &format!("creating Zone. Zone Name: {name}"),
        Subject::of("Zone", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "zone",
        value: serde_json::Value::Object(store::zone_query().one(call.tx, "z.id", &id)?),
    })
}

/// `updateZone`: names, DNS, guest CIDR, network domain, and allocation
/// state (enabling needs a physical network with Management traffic, and
/// with Public traffic in an Advanced zone without security groups).
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let zone = store::zone(call.tx, "id", &id)?;
    if let Some(name) = p.str("name") {
        if name != zone.name && name_taken(call, name, &id)? {
            return Err(ApiError::param(
                "A zone with that name already exists. Please specify a unique zone name.",
            ));
        }
    }
    check_dns(p.str("dns1"), "DNS1")?;
    check_dns(p.str("dns2"), "DNS2")?;
    check_dns(p.str("internaldns1"), "internal DNS1")?;
    check_dns(p.str("internaldns2"), "internal DNS2")?;
    if let Some(cidr) = p.str("guestcidraddress") {
        check_guest_cidr(cidr)?;
    }
    let state = p
        .str("allocationstate")
        .map(super::allocation_state)
        .transpose()?;
    if state == Some("Enabled") {
        enable_checks(call, &zone)?;
    }
    let columns = [
        ("name", "name"),
        ("dns1", "dns1"),
        ("dns2", "dns2"),
        ("internaldns1", "internal_dns1"),
        ("internaldns2", "internal_dns2"),
        ("ip6dns1", "ip6_dns1"),
        ("ip6dns2", "ip6_dns2"),
        ("guestcidraddress", "guest_cidr"),
        ("domain", "network_domain"),
        ("dhcpprovider", "dhcp_provider"),
    ];
    for (param, column) in columns {
        if let Some(value) = p.str(param) {
            call.tx.execute(
                &format!("UPDATE zones SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if let Some(local) = p.bool("localstorageenabled") {
        call.tx.execute(
            "UPDATE zones SET local_storage_enabled = ?2 WHERE id = ?1",
            params![id, local],
        )?;
    }
    if let Some(state) = state {
        call.tx.execute(
            "UPDATE zones SET allocation_state = ?2 WHERE id = ?1",
            params![id, state],
        )?;
    }
    let name: String = call
        .tx
        .query_row("SELECT name FROM zones WHERE id = ?1", [&id], |r| r.get(0))?;
    event_log::completed(
        call,
        "ZONE.EDIT",
        &format!("editing Zone. Zone Id: {id}"),
        Subject::of("Zone", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "zone",
        value: serde_json::Value::Object(store::zone_query().one(call.tx, "z.id", &id)?),
    })
}

/// The physical network of a zone that carries a traffic type.
pub(crate) fn network_with_traffic(
    call: &Call<'_>,
    zone_id: &str,
    traffic: &str,
) -> Result<Option<String>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT p.id FROM physical_networks p JOIN traffic_types t ON t.physical_network_id = p.id
             WHERE p.zone_id = ?1 AND t.traffic_type = ?2 ORDER BY p.created LIMIT 1",
            [zone_id, traffic],
            |r| r.get(0),
        )
        .optional()?)
}

fn enable_checks(call: &Call<'_>, zone: &store::ZoneRow) -> Result<(), ApiError> {
    let missing = |traffic: &str| {
        ApiError::param(format!(
            "Cannot enable this Zone since: Unable to find the default physical network with traffic={traffic} in \
             the specified zone id"
        ))
    };
    let management =
        network_with_traffic(call, &zone.id, "Management")?.ok_or_else(|| missing("Management"))?;
    if zone.network_type == "Advanced" && !zone.security_group_enabled {
        network_with_traffic(call, &zone.id, "Public")?.ok_or_else(|| missing("Public"))?;
    }
    if network_with_traffic(call, &zone.id, "Storage")?.is_none() {
        // CloudStack adds Storage traffic to the management network, with
        // the same labels, when the admin did not place it.
        call.tx.execute(
            "INSERT INTO traffic_types (id, physical_network_id, traffic_type, kvm_label, xen_label, vmware_label,
                                        hyperv_label, ovm3_label)
             SELECT ?1, physical_network_id, 'Storage', kvm_label, xen_label, vmware_label, hyperv_label, ovm3_label
             FROM traffic_types WHERE physical_network_id = ?2 AND traffic_type = 'Management'",
            params![ids::new_id(), management],
        )?;
    }
    Ok(())
}

/// Whether a table of a later family references `id` through `column`
/// (false when that table or column does not exist).
pub(crate) fn referenced(
    call: &Call<'_>,
    table: &str,
    column: &str,
    id: &str,
    extra: &str,
) -> Result<bool, ApiError> {
    let has_column: bool = call.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master m, pragma_table_info(m.name) c
                        WHERE m.type IN ('table', 'view') AND m.name = ?1 AND c.name = ?2)",
        [table, column],
        |r| r.get(0),
    )?;
    if !has_column {
        return Ok(false);
    }
    let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE \"{column}\" = ?1 {extra})");
    Ok(call.tx.query_row(&sql, [id], |r| r.get(0))?)
}

/// `deleteZone`: refused while anything lives in the zone.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let zone = store::zone(call.tx, "id", &id)?;
    let because =
        |what: &str| ApiError::internal(format!("The zone cannot be deleted because {what}"));
    let count = |table: &str| {
        sql::count(
            call.tx,
            &format!("SELECT COUNT(*) FROM {table} WHERE zone_id = ?1"),
            &id,
        )
    };
    if count("hosts")? > 0 {
        return Err(because("there are servers in this zone."));
    }
    if count("pods")? > 0 {
        return Err(because("there are pods in this zone."));
    }
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM network_public_ips WHERE zone_id = ?1 AND state != 'Free'",
        &id,
    )? > 0
    {
        return Err(because(
            "there are public IP addresses allocated in this zone.",
        ));
    }
    if referenced(call, "compute_vms", "zone_id", &id, "")? {
        return Err(because("there are virtual machines in this zone."));
    }
    if referenced(call, "storage_volumes", "zone_id", &id, "")? {
        return Err(because("there are storage volumes in this zone."));
    }
    if count("physical_networks")? > 0 {
        return Err(because("there are physical networks in this zone."));
    }
    if count("image_stores")? > 0 {
        return Err(because("there are Secondary storages in this zone"));
    }
    // A range's addresses go with it (their key cascades).
    for table in ["vlans", "storage_pools"] {
        call.tx
            .execute(&format!("DELETE FROM {table} WHERE zone_id = ?1"), [&id])?;
    }
    crate::families::templates::api::forget_zone(call.tx, &id)?;
    crate::families::identity::api::forget_scoped_settings(call.tx, "zone", &id)?;
    call.tx.execute("DELETE FROM zones WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "ZONE.DELETE",
        &format!("deleting Zone. Zone Id: {id}"),
        Subject::of("Zone", &id, &zone.name),
    )?;
    Ok(Reply::Success(None))
}

/// `listZones`: everyone but the root admin sees only Enabled zones (and
/// only zones dedicated to their domain or above).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = store::zone_query();
    if !call.caller.is_root_admin() {
        query.and("z.allocation_state = 'Enabled'", []);
        query.and(
            "z.domain_id IS NULL OR substr(?, 1, length(d.path)) = d.path",
            [text(&call.caller.domain_path)],
        );
    }
    query.eq("z.id", p.str("id"));
    let ids = p.list("ids");
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        query.and(&format!("z.id IN ({marks})"), ids.into_iter().map(text));
    }
    query.eq("z.name", p.str("name"));
    if let Some(kind) = p.str("networktype") {
        query.eq_nocase("z.network_type", Some(kind));
    }
    if let Some(domain) = p.str("domainid") {
        query.eq("z.domain_id", Some(domain));
    }
    query.keyword(&["z.name", "z.description"], p.str("keyword"));
    query.order("z.seq");
    query.list_plain(call, "zone")
}
