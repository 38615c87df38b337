//! `createTags`, `deleteTags`, `listTags`.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::families::compute::api::owner;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query};

/// A taggable resource type: CloudStack's name, the view its family
/// publishes of the table holding it, and how to find its owner account
/// (`None`: the resource has no owner and only admins tag it).
struct Taggable {
    name: &'static str,
    table: &'static str,
    owner: Option<&'static str>,
}

const fn owned(name: &'static str, table: &'static str) -> Taggable {
    Taggable {
        name,
        table,
        owner: Some("account_id"),
    }
}

const fn unowned(name: &'static str, table: &'static str) -> Taggable {
    Taggable {
        name,
        table,
        owner: None,
    }
}

/// The resource types tags can go on, with where they live.
const TAGGABLE: &[Taggable] = &[
    owned("UserVm", "compute_vms"),
    owned("Volume", "storage_volumes"),
    owned("Snapshot", "storage_snapshots"),
    owned("VMSnapshot", "storage_vm_snapshots"),
    owned("SnapshotPolicy", "storage_snapshot_policies"),
    owned("Template", "templates_templates"),
    owned("ISO", "templates_templates"),
    owned("Network", "network_networks"),
    owned("Vpc", "network_vpcs"),
    owned("PublicIpAddress", "network_public_ips"),
    owned("SecurityGroup", "network_security_groups"),
    owned("PortForwardingRule", "network_port_forwarding_rules"),
    owned("FirewallRule", "network_firewall_rules"),
    owned("LoadBalancer", "network_load_balancer_rules"),
    owned("NetworkACL", "network_network_acl_items"),
    owned("AffinityGroup", "compute_affinity_groups"),
    Taggable {
        name: "Project",
        table: "projects_projects",
        owner: Some("account_id"),
    },
    Taggable {
        name: "Account",
        table: "identity_accounts",
        owner: Some("id"),
    },
    unowned("Zone", "datacenter_zones"),
    unowned("Domain", "identity_domains"),
    unowned("ServiceOffering", "offerings_service_offerings"),
    unowned("DiskOffering", "offerings_disk_offerings"),
    unowned("NetworkOffering", "offerings_network_offerings"),
    unowned("VpcOffering", "offerings_vpc_offerings"),
    unowned("Host", "datacenter_hosts"),
    unowned("Storage", "datacenter_storage_pools"),
];

fn taggable(name: &str) -> Result<&'static Taggable, ApiError> {
    TAGGABLE
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| ApiError::param(format!("Invalid resource type {name}")))
}

/// Whether a resource of one of the types above exists, by uuid, without an
/// access check (`ResourceManagerUtilImpl.getResourceId`); `false` for a
/// type the simulator keeps nowhere.
pub(super) fn resource_exists(call: &Call<'_>, type_name: &str, id: &str) -> Result<bool, ApiError> {
    let Some(kind) = TAGGABLE.iter().find(|t| t.name == type_name) else {
        return Ok(false);
    };
    Ok(sql::table_exists(call.tx, kind.table)? && sql::exists(call.tx, kind.table, id)?)
}

/// The owner (account, domain) of a tagged resource, checking the caller may
/// act on it.
fn resource_owner(
    call: &Call<'_>,
    kind: &Taggable,
    id: &str,
) -> Result<(String, String), ApiError> {
    let missing = || {
        ApiError::param(format!(
            "Unable to find resource by id {id} and type {}",
            kind.name
        ))
    };
    if !sql::table_exists(call.tx, kind.table)? {
        return Err(missing());
    }
    let column = match kind.owner {
        Some(column) => column,
        None => {
            if !sql::exists(call.tx, kind.table, id)? {
                return Err(missing());
            }
            if !call.caller.is_root_admin() {
                return Err(crate::kernel::scope::denied(call, id));
            }
            return Ok((
                call.caller.account_id.clone(),
                call.caller.domain_id.clone(),
            ));
        }
    };
    let account: Option<Option<String>> = call
        .tx
        .query_row(
            &format!("SELECT {column} FROM \"{}\" WHERE id = ?1", kind.table),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let account = account.ok_or_else(missing)?;
    let Some(account) = account else {
        if !call.caller.is_root_admin() {
            return Err(crate::kernel::scope::denied(call, id));
        }
        return Ok((
            call.caller.account_id.clone(),
            call.caller.domain_id.clone(),
        ));
    };
    if kind.name == "Project" {
        let owner = owner::account(call, &account)?;
        owner::check_project_access(call, &owner, id)?;
    } else {
        check_access(call, &account, id)?;
    }
    let domain: String = call.tx.query_row(
        "SELECT domain_id FROM identity_accounts WHERE id = ?1",
        [&account],
        |r| r.get(0),
    )?;
    Ok((account, domain))
}

/// `createTags` (async): key/value pairs on resources of one type.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ids = call.params.list("resourceids");
    if ids.is_empty() {
        return Err(ApiError::missing(call.command, "resourceids"));
    }
    let kind = taggable(call.required("resourcetype")?)?;
    let tags = call.params.map("tags");
    if tags.is_empty() {
        return Err(ApiError::missing(call.command, "tags"));
    }
    let customer = call.params.str("customer").map(String::from);
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            for id in &ids {
                let (account, domain) = resource_owner(call, kind, id)?;
                for tag in &tags {
                    let key = tag.get("key").map(String::as_str).unwrap_or_default();
                    let value = tag.get("value").map(String::as_str).unwrap_or_default();
                    if key.is_empty() {
                        return Err(ApiError::param("Tag key should not be empty"));
                    }
                    let exists = call
                        .tx
                        .query_row(
                            "SELECT 1 FROM resource_tags WHERE resource_type = ?1 AND resource_id = ?2 AND key = ?3",
                            [kind.name, id.as_str(), key],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    if exists {
                        return Err(ApiError::internal(format!(
                            "tag {key} already on {} with id {id}",
                            kind.name
                        )));
                    }
                    call.tx.execute(
                        "INSERT INTO resource_tags (id, key, value, resource_type, resource_id, account_id, domain_id,
                                                    customer, created)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        params![ids::new_id(), key, value, kind.name, id, account, domain, customer, call.timestamp()],
                    )?;
                }
            }
            Ok(Reply::Success(None))
        }))
        .with_event("CREATE_TAGS", "creating tags"),
    ))
}

/// `deleteTags` (async): the given tags (by key, or key and value) or all
/// tags of the resources.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ids = call.params.list("resourceids");
    if ids.is_empty() {
        return Err(ApiError::missing(call.command, "resourceids"));
    }
    let kind = taggable(call.required("resourcetype")?)?;
    let tags = call.params.map("tags");
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            let mut deleted = 0;
            for id in &ids {
                resource_owner(call, kind, id)?;
                if tags.is_empty() {
                    deleted += call.tx.execute(
                        "DELETE FROM resource_tags WHERE resource_type = ?1 AND resource_id = ?2",
                        [kind.name, id.as_str()],
                    )?;
                    continue;
                }
                for tag in &tags {
                    let key = tag.get("key").cloned().unwrap_or_default();
                    deleted += match tag.get("value") {
                        Some(value) => call.tx.execute(
                            "DELETE FROM resource_tags WHERE resource_type = ?1 AND resource_id = ?2 AND key = ?3
                               AND value = ?4",
                            params![kind.name, id, key, value],
                        )?,
                        None => call.tx.execute(
                            "DELETE FROM resource_tags WHERE resource_type = ?1 AND resource_id = ?2 AND key = ?3",
                            params![kind.name, id, key],
                        )?,
                    };
                }
            }
            if deleted == 0 {
                return Err(ApiError::param("Unable to find tags by parameters specified"));
            }
            Ok(Reply::Success(None))
        }))
        .with_event("DELETE_TAGS", "deleting tags"),
    ))
}

/// `listTags`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let mut q = Query::new(format!(
        "SELECT t.key AS key, t.value AS value, t.resource_type AS resourcetype, t.resource_id AS resourceid,
                {}, t.customer AS customer
         FROM resource_tags t {}",
        owner::COLUMNS,
        owner::join("t")
    ));
    owner::scope(call, &mut q, "t.account_id")?;
    q.eq("t.resource_id", params.str("resourceid"));
    if let Some(kind) = params.str("resourcetype") {
        q.eq("t.resource_type", Some(taggable(kind)?.name));
    }
    q.eq("t.key", params.str("key"));
    q.eq("t.value", params.str("value"));
    q.eq("t.customer", params.str("customer"));
    q.keyword(&["t.key", "t.value"], params.str("keyword"));
    q.order("t.seq");
    q.list(call, "tag", |_, mut row| {
        row.remove("accountid");
        Ok(Value::Object(row))
    })
}
