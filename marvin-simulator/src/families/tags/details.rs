//! Resource details: `addResourceDetail`, `listResourceDetails`,
//! `removeResourceDetail` (`ResourceMetaDataManagerImpl`,
//! `QueryManagerImpl.listResourceDetails`). Details go on resources of the
//! types whose `ResourceObjectType` supports metadata; the resource is
//! looked up by uuid as `ResourceManagerUtilImpl.getResourceId` does.
//! CloudStack checks no ownership here: the commands' owner is the system
//! account (`AddResourceDetailCmd.getEntityOwnerId`), and neither the
//! manager nor the list scopes by owner, so neither does the simulator.

use rusqlite::params;
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;

use super::commands::resource_exists;

/// Every `ResourceObjectType`, with whether it supports metadata.
const TYPES: &[(&str, bool)] = &[
    ("UserVm", true),
    ("Template", true),
    ("VnfTemplate", true),
    ("ISO", false),
    ("Volume", true),
    ("Snapshot", false),
    ("Backup", false),
    ("Network", true),
    ("DomainRouter", false),
    ("Nic", true),
    ("LoadBalancer", true),
    ("PortForwardingRule", true),
    ("FirewallRule", true),
    ("SecurityGroup", false),
    ("SecurityGroupRule", false),
    ("PublicIpAddress", true),
    ("Project", false),
    ("Account", false),
    ("Vpc", true),
    ("NetworkACL", true),
    ("StaticRoute", false),
    ("VMSnapshot", false),
    ("RemoteAccessVpn", true),
    ("Zone", true),
    ("ServiceOffering", true),
    ("Storage", true),
    ("PrivateGateway", true),
    ("NetworkACLList", true),
    ("VpnGateway", true),
    ("CustomerGateway", true),
    ("VpnConnection", true),
    ("User", true),
    ("DiskOffering", true),
    ("AutoScaleVmProfile", true),
    ("AutoScaleVmGroup", true),
    ("LBStickinessPolicy", true),
    ("LBHealthCheckPolicy", true),
    ("SnapshotPolicy", true),
    ("GuestOs", true),
    ("NetworkOffering", true),
    ("VpcOffering", false),
    ("Domain", false),
];

/// `ResourceManagerUtilImpl.getResourceType`: the type by name, any case.
fn resource_type(name: &str) -> Result<&'static str, ApiError> {
    TYPES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(known, _)| *known)
        .ok_or_else(|| ApiError::param(format!("Invalid resource type {name}")))
}

/// `DetailDaoHelper`: a type without metadata support is refused (an
/// `UnsupportedOperationException`, 530).
fn with_metadata(kind: &'static str) -> Result<&'static str, ApiError> {
    if TYPES
        .iter()
        .any(|(known, metadata)| *known == kind && *metadata)
    {
        Ok(kind)
    } else {
        Err(ApiError::internal(format!(
            "ResourceType {kind} doesn't support metadata"
        )))
    }
}

/// `ResourceManagerUtilImpl.getResourceId` for a uuid.
fn check_resource(call: &Call<'_>, kind: &str, id: &str) -> Result<(), ApiError> {
    if resource_exists(call, kind, id)? {
        Ok(())
    } else {
        Err(ApiError::param(format!(
            "Unable to find resource by uuid {id} and type {kind}"
        )))
    }
}

/// `addResourceDetail` (async): sets each `details` key on the resource (a
/// key already there gets the new value), visible to users unless
/// `fordisplay=false`.
pub(crate) fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let type_name = call.required("resourcetype")?.to_string();
    let id = call.required("resourceid")?.to_string();
    let details: Vec<(String, String)> = call
        .params
        .map("details")
        .into_iter()
        .flat_map(|entry| {
            // `details[0].key=a&details[0].value=b`, or `details[0].a=b`.
            match (entry.get("key"), entry.get("value")) {
                (Some(key), value) => vec![(key.clone(), value.cloned().unwrap_or_default())],
                (None, _) => entry.into_iter().collect(),
            }
        })
        .collect();
    if details.is_empty() {
        return Err(ApiError::missing(call.command, "details"));
    }
    let display = call.params.flag("fordisplay", true);
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            let kind = resource_type(&type_name)?;
            for (key, value) in &details {
                if value.is_empty() {
                    return Err(ApiError::param(format!(
                        "Value for the key {key} is either null or empty"
                    )));
                }
                with_metadata(kind)?;
                check_resource(call, kind, &id)?;
                call.tx.execute(
                    "INSERT INTO resource_details (resource_type, resource_id, name, value, display)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (resource_type, resource_id, name)
                     DO UPDATE SET value = excluded.value, display = excluded.display",
                    params![kind, id, key, value, display],
                )?;
            }
            Ok(Reply::Success(None))
        }))
        .with_event("CREATE_RESOURCE_DETAILS", "adding details to the resource "),
    ))
}

/// `removeResourceDetail` (async): one key, or without `key` every detail
/// of the resource; a key that is not there is no error.
pub(crate) fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let type_name = call.required("resourcetype")?.to_string();
    let id = call.required("resourceid")?.to_string();
    let key = call.params.str("key").map(str::to_string);
    Ok(Reply::Job(
        Job::detached(Box::new(move |call: &mut Call<'_>| {
            let kind = resource_type(&type_name)?;
            check_resource(call, kind, &id)?;
            with_metadata(kind)?;
            match &key {
                Some(key) => call.tx.execute(
                    "DELETE FROM resource_details WHERE resource_type = ?1 AND resource_id = ?2 AND name = ?3",
                    params![kind, id, key],
                )?,
                None => call.tx.execute(
                    "DELETE FROM resource_details WHERE resource_type = ?1 AND resource_id = ?2",
                    params![kind, id],
                )?,
            };
            Ok(Reply::Success(None))
        }))
        .with_event("DELETE_RESOURCE_DETAILS", "Removing detail to the volume "),
    ))
}

/// `listResourceDetails` (`QueryManagerImpl.listResourceDetails`): by
/// resource (all its details, or one `key`), or by `key` and `value` over
/// every resource of the type; `fordisplay` narrows either way.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let kind = resource_type(call.required("resourcetype")?)?;
    let id = call.params.str("resourceid");
    let key = call.params.str("key");
    let value = call.params.str("value");
    if id.is_none() && value.is_none() {
        return Err(ApiError::param(
            "Insufficient parameters passed for listing by resourceId OR key,value pair. Please check your \
             params and try again.",
        ));
    }
    if value.is_some() && key.is_none() {
        return Err(ApiError::param(
            "Listing by (key, value) but key is null. Please check the params and try again",
        ));
    }
    if let Some(id) = id {
        check_resource(call, kind, id)?;
    }
    with_metadata(kind)?;
    let display = call.params.bool("fordisplay");
    let mut sql = String::from(
        "SELECT resource_id, name, value FROM resource_details WHERE resource_type = ?1",
    );
    let mut args: Vec<rusqlite::types::Value> = vec![kind.to_string().into()];
    let mut and = |clause: &str, value: rusqlite::types::Value| {
        args.push(value);
        sql.push_str(&format!(" AND {clause} = ?{}", args.len()));
    };
    match (id, key, value) {
        (Some(id), key, None) => {
            and("resource_id", id.to_string().into());
            if let Some(key) = key {
                and("name", key.to_string().into());
            }
        }
        (_, Some(key), Some(value)) => {
            and("name", key.to_string().into());
            and("value", value.to_string().into());
        }
        _ => {}
    }
    if let Some(display) = display {
        and("display", i64::from(display).into());
    }
    sql.push_str(" ORDER BY seq");
    let items: Vec<Value> = call
        .tx
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok(json!({
                "resourceid": r.get::<_, String>(0)?,
                "resourcetype": kind,
                "key": r.get::<_, String>(1)?,
                "value": r.get::<_, String>(2)?,
            }))
        })?
        .collect::<Result<_, _>>()?;
    Ok(Reply::List {
        key: "resourcedetail",
        count: items.len(),
        items,
    })
}
