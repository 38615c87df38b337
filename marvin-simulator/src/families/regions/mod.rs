//! Regions: the CloudStack deployments that share accounts with this one
//! (`RegionManagerImpl`). Region 1, `Local`, is the simulator itself and
//! is there from the start, as the server's schema inserts it; root admins
//! add, rename, re-point and remove regions, and everyone may list them.
//! Regions have ids chosen by whoever adds them (integers, not uuids), and
//! their names are unique.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;

#[cfg(test)]
mod tests;

/// The regions family.
pub(crate) const FAMILY: Family = Family::new("regions", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[
    Command::new(
        "addRegion",
        RoleSet::ADMIN,
        "Registers another region by its id, name and API end point.",
        add,
    ),
    Command::new(
        "updateRegion",
        RoleSet::ADMIN,
        "Renames a region or changes its API end point.",
        update,
    ),
    Command::new(
        "removeRegion",
        RoleSet::ADMIN,
        "Removes a region from the list of known regions.",
        remove,
    ),
    Command::all(
        "listRegions",
        "Lists the known regions, or the one with an id or a name.",
        list,
    ),
];

/// A region as `listRegions` shows it.
fn region(call: &Call<'_>, id: i64) -> Result<Option<Value>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, name, end_point, gslb_service_enabled, portableip_service_enabled
             FROM regions WHERE id = ?1",
            [id],
            |r| {
                Ok(json!({
                    "id": r.get::<_, i64>(0)?,
                    "name": r.get::<_, String>(1)?,
                    "endpoint": r.get::<_, String>(2)?,
                    "gslbserviceenabled": r.get::<_, bool>(3)?,
                    "portableipserviceenabled": r.get::<_, bool>(4)?,
                }))
            },
        )
        .optional()?)
}

/// The id of the region with a name (names compare as MySQL does, without
/// case).
fn named(call: &Call<'_>, name: &str) -> Result<Option<i64>, ApiError> {
    Ok(call
        .tx
        .query_row("SELECT id FROM regions WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

fn required_id(call: &Call<'_>) -> Result<i64, ApiError> {
    call.params
        .i64("id")?
        .ok_or_else(|| ApiError::missing(call.command, "id"))
}

fn reply(call: &Call<'_>, id: i64) -> Result<Reply, ApiError> {
    let value = region(call, id)?.ok_or_else(|| ApiError::internal("region vanished"))?;
    Ok(Reply::Object {
        key: "region",
        value,
    })
}

/// `addRegion` (`RegionManagerImpl.addRegion`): the id and the name must
/// both be new.
fn add(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = required_id(call)?;
    let name = call.required("name")?.to_string();
    let end_point = call.required("endpoint")?.to_string();
    if region(call, id)?.is_some() {
        return Err(ApiError::param(format!(
            "Region with id: {id} already exists"
        )));
    }
    if named(call, &name)?.is_some() {
        return Err(ApiError::param(format!(
            "Region with name: {name} already exists"
        )));
    }
    call.tx.execute(
        "INSERT INTO regions (id, name, end_point) VALUES (?1, ?2, ?3)",
        params![id, name, end_point],
    )?;
    reply(call, id)
}

/// `updateRegion` (`RegionManagerImpl.updateRegion`): a new name must not be
/// another region's.
fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = required_id(call)?;
    if region(call, id)?.is_none() {
        return Err(ApiError::param(format!(
            "Region with id: {id} does not exist"
        )));
    }
    if let Some(name) = call.params.str("name") {
        if named(call, name)?.is_some_and(|other| other != id) {
            return Err(ApiError::param(format!(
                "Region with name: {name} already exists"
            )));
        }
        call.tx.execute(
            "UPDATE regions SET name = ?1 WHERE id = ?2",
            params![name, id],
        )?;
    }
    if let Some(end_point) = call.params.str("endpoint") {
        call.tx.execute(
            "UPDATE regions SET end_point = ?1 WHERE id = ?2",
            params![end_point, id],
        )?;
    }
    reply(call, id)
}

/// `removeRegion` (`RegionManagerImpl.removeRegion`).
fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = required_id(call)?;
    if call.tx.execute("DELETE FROM regions WHERE id = ?1", [id])? == 0 {
        return Err(ApiError::param(format!(
            "Failed to delete Region: {id}, Region not found"
        )));
    }
    Ok(Reply::Success(None))
}

/// `listRegions` (`RegionManagerImpl.listRegions`): by `id`, else by `name`,
/// else all; the server applies neither `keyword` nor paging here.
fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ids: Vec<i64> = if let Some(id) = call.params.i64("id")? {
        vec![id]
    } else if let Some(name) = call.params.str("name") {
        named(call, name)?.into_iter().collect()
    } else {
        call.tx
            .prepare("SELECT id FROM regions ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.extend(region(call, id)?);
    }
    Ok(Reply::List {
        key: "region",
        count: items.len(),
        items,
    })
}
