//! `listVirtualMachines`: every filter is a condition on `vms` alone (or a
//! subquery on an indexed table), so counting and paging walk the `vms`
//! indexes only; the page's ids then go through the full response query,
//! and the per-page arrays are added in batches (see `json.rs`).

use crate::families::identity::api as identity;
use crate::families::tags::api as tags;
use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::sql::{self, Query, text};

use super::{json, owner};

/// `listVirtualMachines`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let caller = call.caller;
    let mut q = Query::new("SELECT v.id AS id FROM vms v");
    let narrowed = params.flag("listall", false)
        || params.str("domainid").is_some()
        || params.str("account").is_some()
        || params.str("projectid").is_some();
    if params.str("id").is_some() && !narrowed {
        if caller.is_domain_admin() {
            q.and(
                "v.account_id IN (SELECT a.id FROM identity_accounts a JOIN identity_domains d ON d.id = a.domain_id
                 WHERE d.path LIKE ? ESCAPE '\\')",
                [text(format!("{}%", sql::escape_like(&caller.domain_path)))],
            );
        } else if !caller.is_root_admin() {
            q.and(
                "(v.account_id = ? OR v.account_id IN (SELECT p2.account_id FROM projects_projects p2
                  JOIN projects_project_accounts pa ON pa.project_id = p2.id WHERE pa.account_id = ?))",
                [text(&caller.account_id), text(&caller.account_id)],
            );
        }
    } else {
        owner::scope(call, &mut q, "v.account_id")?;
    }
    q.eq("v.id", params.str("id"));
    q.any_of_given("v.id", &params.list("ids"));
    if let Some(name) = params.str("name") {
        q.and(
            "v.name LIKE ? ESCAPE '\\'",
            [text(format!("%{}%", sql::escape_like(name)))],
        );
    }
    match params.str("state") {
        Some(state) if state.eq_ignore_ascii_case("present") => {
            q.and("v.state NOT IN ('Destroyed', 'Expunging')", []);
        }
        Some(state) => {
            q.eq_nocase("v.state", Some(state));
        }
        None => {}
    }
    if !caller.is_admin()
        && !identity::setting_flag(
            call.tx,
            "allow.user.view.destroyed.vm",
            &[("account", &caller.account_id)],
        )?
    {
        q.and("v.state NOT IN ('Destroyed', 'Expunging')", []);
    }
    q.eq("v.zone_id", params.str("zoneid"));
    q.eq("v.template_id", params.str("templateid"));
    q.eq("v.iso_id", params.str("isoid"));
    q.eq("v.service_offering_id", params.str("serviceofferingid"));
    q.eq("v.group_id", params.str("groupid"));
    q.eq("v.user_data_id", params.str("userdataid"));
    q.eq("v.user_id", params.str("userid"));
    q.eq_nocase("v.hypervisor", params.str("hypervisor"));
    if caller.is_root_admin() {
        q.eq("v.host_id", params.str("hostid"));
        q.eq("v.pod_id", params.str("podid"));
        if let Some(cluster) = params.str("clusterid") {
            q.and(
                "v.host_id IN (SELECT id FROM datacenter_hosts WHERE cluster_id = ?)",
                [text(cluster)],
            );
        }
        if let Some(pool) = params.str("storageid") {
            q.and(
                "v.id IN (SELECT vm_id FROM storage_volumes WHERE pool_id = ?)",
                [text(pool)],
            );
        }
    }
    q.flag("v.ha_enable", params.bool("haenable"));
    if caller.is_root_admin() {
        q.flag("v.display_vm", params.bool("displayvm"));
    } else {
        q.and("v.display_vm = 1", []);
    }
    if let Some(keypair) = params.str("keypair") {
        q.and(
            "(',' || COALESCE(v.keypairs, '') || ',') LIKE ? ESCAPE '\\'",
            [text(format!("%,{},%", sql::escape_like(keypair)))],
        );
    }
    if let Some(group) = params.str("affinitygroupid") {
        q.and(
            "v.id IN (SELECT vm_id FROM affinity_group_vms WHERE group_id = ?)",
            [text(group)],
        );
    }
    if let Some(network) = params.str("networkid") {
        if sql::table_exists(call.tx, "network_nics")? {
            q.and(
                "v.id IN (SELECT vm_id FROM network_nics WHERE network_id = ?)",
                [text(network)],
            );
        } else {
            q.and("0", []);
        }
    }
    if let Some(vpc) = params.str("vpcid") {
        if sql::table_exists(call.tx, "network_nics")? {
            q.and(
                "v.id IN (SELECT n.vm_id FROM network_nics n JOIN network_networks w ON w.id = n.network_id WHERE w.vpc_id = ?)",
                [text(vpc)],
            );
        } else {
            q.and("0", []);
        }
    }
    if let Some(group) = params.str("securitygroupid") {
        if sql::table_exists(call.tx, "network_security_group_vm_map")? {
            q.and(
                "v.id IN (SELECT vm_id FROM network_security_group_vm_map WHERE group_id = ?)",
                [text(group)],
            );
        }
    }
    q.keyword(
        &["v.name", "v.display_name", "v.state", "v.instance_name"],
        params.str("keyword"),
    );
    if let Some((condition, args)) = tags::tag_filter(call, "UserVm", "v.id") {
        q.and(&condition, args);
    }
    q.order("v.seq");
    let (count, ids) = q.page_ids(call)?;
    if params.flag("retrieveonlyresourcecount", false) {
        return Ok(Reply::List {
            key: "virtualmachine",
            items: Vec::new(),
            count,
        });
    }
    let items = json::render(call, &ids, json::Parts::of(call))?;
    Ok(Reply::Rendered {
        key: "virtualmachine",
        items,
        count,
    })
}
