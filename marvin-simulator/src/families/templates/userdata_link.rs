//! `linkUserDataToTemplate`, as CloudStack's
//! `TemplateManagerImpl.linkUserDataToTemplate` does it: a template or an
//! ISO (one of them), the caller's access to it and to the user data, and
//! the override policy (`LinkUserDataToTemplateCmd.getUserdataPolicy`,
//! ALLOWOVERRIDE by default); without a user data id the link and its
//! policy are removed.

use rusqlite::{OptionalExtension, params};

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;

use super::images::{self, Kind};

/// The policies of `UserData.UserDataOverridePolicy`.
const POLICIES: &[&str] = &["ALLOWOVERRIDE", "APPEND", "DENYOVERRIDE"];

/// `linkUserDataToTemplate`.
pub(crate) fn link(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let policy = match p.str("userdatapolicy") {
        None => "ALLOWOVERRIDE",
        Some(raw) => POLICIES
            .iter()
            .copied()
            .find(|policy| *policy == raw.to_ascii_uppercase())
            .ok_or_else(|| {
                ApiError::param(format!(
                    "No enum constant com.cloud.user.UserData.UserDataOverridePolicy.{}",
                    raw.to_ascii_uppercase()
                ))
            })?,
    };
    let id = match (p.str("templateid"), p.str("isoid")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::param(
                "Both Template ID and ISO ID are passed, API accepts only one",
            ));
        }
        (None, None) => {
            return Err(ApiError::param(
                "At least one of Template ID or ISO ID needs to be passed",
            ));
        }
        (Some(id), None) | (None, Some(id)) => id.to_string(),
    };
    let found: Option<(String, String)> = call
        .tx
        .query_row(
            "SELECT kind, account_id FROM templates WHERE id = ?1 AND removed IS NULL",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (kind, owner) = found
        .ok_or_else(|| ApiError::param(format!("Unable to find Template/ISO with ID {id}")))?;
    check_access(call, &owner, &id)?;
    let user_data = match p.str("userdataid") {
        Some(user_data_id) => {
            let user_data_owner: String = call
                .tx
                .query_row(
                    "SELECT account_id FROM compute_user_data WHERE id = ?1",
                    [user_data_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    ApiError::param("Unable to find user data with the specified ID.")
                })?;
            check_access(call, &user_data_owner, user_data_id)?;
            Some(user_data_id)
        }
        None => None,
    };
    call.tx.execute(
        "UPDATE templates SET userdata_id = ?2, userdata_policy = ?3 WHERE id = ?1",
        params![id, user_data, user_data.map(|_| policy)],
    )?;
    let value = images::rows(call, Kind::of_stored(&kind), &id)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::invalid_id("id", &id))?;
    Ok(Reply::Object {
        key: "template",
        value,
    })
}
