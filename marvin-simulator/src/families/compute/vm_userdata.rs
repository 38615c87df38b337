//! `getVirtualMachineUserData` (`UserVmManagerImpl.getVmUserData`): the
//! user data a VM was deployed or updated with, base64 as stored, for a
//! caller that may access the VM.

use rusqlite::OptionalExtension;
use serde_json::json;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;

/// `getVirtualMachineUserData`.
pub(crate) fn get(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("virtualmachineid")?.to_string();
    let found: Option<(String, Option<String>)> = call
        .tx
        .query_row(
            "SELECT account_id, user_data FROM vms WHERE id = ?1 AND state NOT IN ('Expunging', 'Expunged')",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((account, user_data)) = found else {
        return Err(ApiError::invalid_id("virtualmachineid", &id));
    };
    check_access(call, &account, &id)?;
    Ok(Reply::Object {
        key: "virtualmachineuserdata",
        value: json!({ "virtualmachineid": id, "userdata": user_data }),
    })
}
