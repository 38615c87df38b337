//! Offerings storage: the response queries, domain/zone restrictions and
//! the service lists of network and VPC offerings.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::render::Object;
use crate::kernel::sql::{self, Query, text};

/// The `domainid`/`domain`/`zoneid`/`zone` columns of an offering alias.
fn scope_columns(alias: &str) -> String {
    format!(
        "(SELECT group_concat(sd.id, ',') FROM identity_domains sd
          WHERE instr(',' || {alias}.domain_ids || ',', ',' || sd.id || ',') > 0) AS domainid,
         (SELECT group_concat(sd.name, ',') FROM identity_domains sd
          WHERE instr(',' || {alias}.domain_ids || ',', ',' || sd.id || ',') > 0) AS domain,
         (SELECT group_concat(sz.id, ',') FROM datacenter_zones sz
          WHERE instr(',' || {alias}.zone_ids || ',', ',' || sz.id || ',') > 0) AS zoneid,
         (SELECT group_concat(sz.name, ',') FROM datacenter_zones sz
          WHERE instr(',' || {alias}.zone_ids || ',', ',' || sz.id || ',') > 0) AS zone"
    )
}

/// A comma list of ids from a `list`/`uuid` parameter, each checked against
/// `table`; `None` when the parameter is absent, empty or `public`/`all`.
pub(crate) fn id_list(
    call: &Call<'_>,
    param: &str,
    table: &str,
) -> Result<Option<String>, ApiError> {
    let ids = call.params.list(param);
    if ids.is_empty()
        || ids
            .iter()
            .any(|v| v.eq_ignore_ascii_case("public") || v.eq_ignore_ascii_case("all"))
    {
        return Ok(None);
    }
    for id in &ids {
        if !sql::exists(call.tx, table, id)? {
            return Err(ApiError::invalid_id(param, id));
        }
    }
    Ok(Some(ids.join(",")))
}

/// Restricts a list to offerings the caller's domain may use (root admins
/// see everything).
pub(crate) fn visible_to_caller(call: &Call<'_>, query: &mut Query, alias: &str) {
    if call.caller.is_root_admin() {
        return;
    }
    // Offerings of the caller's domain and the domains above it; domain
    // admins also see those of the domains below theirs.
    let below = i64::from(call.caller.is_domain_admin());
    query.and(
        &format!(
            "{alias}.domain_ids IS NULL OR EXISTS (SELECT 1 FROM identity_domains vd
               WHERE instr(',' || {alias}.domain_ids || ',', ',' || vd.id || ',') > 0
                 AND (substr(?, 1, length(vd.path)) = vd.path OR (? = 1 AND substr(vd.path, 1, length(?)) = ?)))"
        ),
        [
            text(&call.caller.domain_path),
            rusqlite::types::Value::Integer(below),
            text(&call.caller.domain_path),
            text(&call.caller.domain_path),
        ],
    );
}

/// Offerings usable in a zone (those restricted to no zone, or to it).
pub(crate) fn in_zone(query: &mut Query, alias: &str, zone: Option<&str>) {
    if let Some(zone) = zone {
        query.and(
            &format!("{alias}.zone_ids IS NULL OR instr(',' || {alias}.zone_ids || ',', ',' || ? || ',') > 0"),
            [text(zone)],
        );
    }
}

/// Offerings restricted to a domain (or to none when `public`).
pub(crate) fn in_domain(query: &mut Query, alias: &str, domain: Option<&str>) {
    if let Some(domain) = domain {
        query.and(
            &format!("instr(',' || {alias}.domain_ids || ',', ',' || ? || ',') > 0"),
            [text(domain)],
        );
    }
}

pub(crate) fn service_offering_query() -> Query {
    Query::new(format!(
        "SELECT o.id AS id, o.name AS name, o.display_text AS displaytext, o.cpu_number AS cpunumber,
                o.cpu_speed AS cpuspeed, o.memory AS memory, o.created AS created, o.storage_type AS storagetype,
                o.provisioning_type AS provisioningtype, o.offer_ha AS \"offerha?\",
                o.limit_cpu_use AS \"limitcpuuse?\", o.is_volatile AS \"isvolatile?\", o.is_system AS \"issystem?\",
                o.system_vm_type AS systemvmtype, o.default_use AS \"defaultuse?\", o.customized AS \"iscustomized?\",
                0 AS \"iscustomizediops?\", o.cache_mode AS cacheMode, COALESCE(o.root_disk_size, 0) AS rootdisksize,
                o.host_tags AS hosttags, o.storage_tags AS storagetags, o.network_rate AS networkrate,
                o.dynamic_scaling_enabled AS \"dynamicscalingenabled?\", o.encrypt_root AS \"encryptroot?\",
                o.disk_offering_strictness AS \"diskofferingstrictness?\", o.state AS state,
                o.details AS \"serviceofferingdetails{{}}\", 0 AS \"hasannotations?\", {}, {}
         FROM service_offerings o",
        scope_columns("o"),
        super::io::columns("o")
    ))
}

pub(crate) fn disk_offering_query() -> Query {
    Query::new(format!(
        "SELECT o.id AS id, o.name AS name, o.display_text AS displaytext, o.disk_size AS disksize,
                o.created AS created, o.customized AS \"iscustomized?\", o.customized_iops AS \"iscustomizediops?\",
                o.min_iops AS miniops, o.max_iops AS maxiops, o.storage_type AS storagetype,
                o.provisioning_type AS provisioningtype, o.tags AS tags, o.display_offering AS \"displayoffering?\",
                o.cache_mode AS cacheMode, o.encrypt AS \"encrypt?\", o.disk_size_strictness AS \"disksizestrictness?\",
                o.state AS state, 0 AS \"hasannotations?\", {}, {}
         FROM disk_offerings o",
        scope_columns("o"),
        super::io::columns("o")
    ))
}

pub(crate) fn network_offering_query() -> Query {
    Query::new(format!(
        "SELECT o.id AS id, o.name AS name, o.display_text AS displaytext, o.traffic_type AS traffictype,
                o.is_default AS \"isdefault?\", o.specify_vlan AS \"specifyvlan?\", o.conserve_mode AS \"conservemode?\",
                o.specify_ip_ranges AS \"specifyipranges?\", o.availability AS availability,
                o.network_rate AS networkrate, o.state AS state, o.guest_ip_type AS guestiptype,
                o.service_offering_id AS serviceofferingid, o.for_vpc AS \"forvpc?\",
                o.is_persistent AS \"ispersistent?\", o.egress_default_policy AS \"egressdefaultpolicy?\",
                o.stretched_l2_subnet AS \"supportsstrechedl2subnet?\", o.public_access AS \"supportspublicaccess?\",
                o.internal_lb AS \"supportsinternallb?\", o.max_connections AS maxconnections, o.tags AS tags,
                COALESCE(o.internet_protocol, 'IPv4') AS internetprotocol, o.network_mode AS networkmode,
                o.routing_mode AS routingmode, o.created AS created, 0 AS \"fornsx?\", 0 AS \"fortungsten?\",
                0 AS \"specifyasnumber?\", o.details AS \"details{{}}\", 0 AS \"hasannotations?\",
                o.dedicated_lb AS _dedicated_lb, o.shared_source_nat AS _shared_source_nat,
                o.redundant_router AS _redundant_router, o.elastic_ip AS _elastic_ip,
                o.associate_public_ip AS _associate_public_ip, o.elastic_lb AS _elastic_lb,
                o.inline_mode AS _inline_mode, {}
         FROM network_offerings o",
        scope_columns("o")
    ))
}

pub(crate) fn vpc_offering_query() -> Query {
    Query::new(format!(
        "SELECT o.id AS id, o.name AS name, o.display_text AS displaytext, o.state AS state,
                o.is_default AS \"isdefault?\", o.distributed_router AS \"distributedvpcrouter?\",
                o.region_level_vpc AS \"supportsregionLevelvpc?\", COALESCE(o.internet_protocol, 'IPv4') AS internetprotocol,
                o.network_mode AS networkmode, o.routing_mode AS routingmode, o.created AS created,
                0 AS \"fornsx?\", 0 AS \"specifyasnumber?\", o.redundant_router AS _redundant_router, {}
         FROM vpc_offerings o",
        scope_columns("o")
    ))
}

fn flag(row: &Object, key: &str) -> bool {
    row.get(key).and_then(Value::as_i64).unwrap_or(0) != 0
}

fn capability(name: &str, value: impl std::fmt::Display) -> Value {
    json!({"name": name, "value": value.to_string(), "canchooseservicecapability": false})
}

/// The `service` list: each service with its providers and capabilities.
fn services(
    tx: &Transaction<'_>,
    table: &str,
    id: &str,
    row: &Object,
) -> Result<Vec<Value>, ApiError> {
    let rows = sql::objects(
        tx,
        &format!("SELECT service, provider FROM {table} WHERE offering_id = ?1 ORDER BY rowid"),
        &[text(id)],
    )?;
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    for r in rows {
        let service = r
            .get("service")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let provider = r
            .get("provider")
            .and_then(Value::as_str)
            .map(|p| json!({"name": p}));
        match out.iter_mut().find(|(s, _)| *s == service) {
            Some((_, providers)) => providers.extend(provider),
            None => out.push((service, provider.into_iter().collect())),
        }
    }
    Ok(out
        .into_iter()
        .map(|(service, providers)| {
            let capabilities = match service.as_str() {
                "SourceNat" => vec![
                    capability(
                        "SupportedSourceNatTypes",
                        if flag(row, "_shared_source_nat") {
                            "perzone"
                        } else {
                            "peraccount"
                        },
                    ),
                    capability("RedundantRouter", flag(row, "_redundant_router")),
                ],
                "StaticNat" if table == "network_offering_services" => vec![
                    capability("ElasticIp", flag(row, "_elastic_ip")),
                    capability("AssociatePublicIP", flag(row, "_associate_public_ip")),
                ],
                "Lb" if table == "network_offering_services" => vec![
                    capability(
                        "SupportedLBIsolation",
                        if flag(row, "_dedicated_lb") {
                            "dedicated"
                        } else {
                            "shared"
                        },
                    ),
                    capability("ElasticLb", flag(row, "_elastic_lb")),
                    capability("InlineMode", flag(row, "_inline_mode")),
                ],
                _ => Vec::new(),
            };
            let mut item = json!({"name": service, "provider": providers});
            if !capabilities.is_empty() {
                item["capability"] = Value::Array(capabilities);
            }
            item
        })
        .collect())
}

/// Completes a network or VPC offering row with its services (from
/// `services_table`, `network_offering_services` or `vpc_offering_services`).
pub(crate) fn finish_offering(
    tx: &Transaction<'_>,
    services_table: &str,
    mut row: Object,
) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    let services = services(tx, services_table, &id, &row)?;
    row.retain(|k, _| !k.starts_with('_'));
    row.insert("service".into(), Value::Array(services));
    Ok(Value::Object(row))
}

/// Applies the `sortkey` and the `domainid` / `zoneid` restrictions an
/// update gives to offering `id` of `table`.
pub(crate) fn update_order_and_scope(
    call: &Call<'_>,
    table: &str,
    id: &str,
) -> Result<(), ApiError> {
    let p = call.params;
    if let Some(key) = p.i64("sortkey")? {
        call.tx.execute(
            &format!("UPDATE {table} SET sort_key = ?2 WHERE id = ?1"),
            params![id, key],
        )?;
    }
    for (param, column, table_of_ids) in [
        ("domainid", "domain_ids", "identity_domains"),
        ("zoneid", "zone_ids", "datacenter_zones"),
    ] {
        if p.get(param).is_some() {
            let ids = id_list(call, param, table_of_ids)?;
            call.tx.execute(
                &format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"),
                params![id, ids],
            )?;
        }
    }
    Ok(())
}

/// Offerings (over `o`) with every service of `services` (from
/// `services_table`).
pub(crate) fn offering_services(query: &mut Query, services_table: &str, services: &[String]) {
    for service in services {
        query.and(
            &format!(
                "EXISTS (SELECT 1 FROM {services_table} s WHERE s.offering_id = o.id AND s.service = ? COLLATE NOCASE)"
            ),
            [text(service)],
        );
    }
}

/// The filters every offering list ends with (over `o`): zone, domain,
/// what the caller may see and `keyword`; then the order.
pub(crate) fn finish_list(call: &Call<'_>, query: &mut Query) {
    let p = call.params;
    in_zone(query, "o", p.str("zoneid"));
    in_domain(query, "o", p.str("domainid"));
    visible_to_caller(call, query, "o");
    query.keyword(&["o.name", "o.display_text"], p.str("keyword"));
    query.order("o.sort_key, o.seq");
}

/// One offering's response from its query, or 431 naming `param`.
pub(crate) fn one(
    tx: &Transaction<'_>,
    mut query: Query,
    id: &str,
    param: &str,
) -> Result<Object, ApiError> {
    query.and("o.removed IS NULL", []);
    query
        .find(tx, "o.id", id)?
        .ok_or_else(|| ApiError::invalid_id(param, id))
}
