//! Sessions: `login` and `logout` (cloudstack-protocol.md §3 and §9). The
//! credentials are this family's; the sessions themselves are the kernel's
//! ([`crate::kernel::auth`]).
//!
//! `login` and `logout` are "authenticator" commands: the engine runs them
//! without an authenticated caller (login POST only), checks only their
//! required parameters, and turns the session `login` creates into the
//! `JSESSIONID` and `sessionkey` cookies.

use rusqlite::OptionalExtension;
use serde_json::json;

use crate::kernel::auth;
use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::ids;

pub(crate) fn login(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.required("username")?;
    let password = call.required("password")?;
    let (domain_id, domain_path) = find_domain(call)?;
    let refuse = || {
        ApiError::new(
            marvin_core::ErrorCode::AccountError,
            marvin_core::CsErrorCode::CloudAuthentication,
            format!(
                "Failed to authenticate user {username} in domain {domain_path}; please provide valid credentials"
            ),
        )
    };
    let domain_id = domain_id.ok_or_else(refuse)?;
    let user: Option<(String, String, String, String, Option<String>)> = call
        .tx
        .query_row(
            "SELECT u.id, u.password, u.firstname, u.lastname, u.timezone
             FROM users u JOIN accounts a ON a.id = u.account_id
             WHERE u.username = ?1 AND a.domain_id = ?2",
            [username, domain_id.as_str()],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .optional()?;
    let Some((user_id, stored, firstname, lastname, timezone)) = user else {
        return Err(refuse());
    };
    if !auth::same(password, &stored) {
        return Err(refuse());
    }
    let (caller, enabled) = auth::caller_of_user(call.tx, &user_id)?.ok_or_else(refuse)?;
    if !enabled {
        return Err(ApiError::new(
            marvin_core::ErrorCode::AccountError,
            marvin_core::CsErrorCode::CloudAuthentication,
            format!(
                "User {username} (or their account) in domain {domain_path} is disabled/locked. Please contact the \
                 administrator."
            ),
        ));
    }
    let session_id = ids::random_hex(16);
    let session_key = ids::random_token(20);
    call.tx.execute(
        "INSERT INTO sessions (id, session_key, user_id, created, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![session_id, session_key, user_id, call.timestamp(), call.now.unix_timestamp()],
    )?;
    let as_user = Call {
        caller: &caller,
        ..*call
    };
    as_user.event(
        "USER.LOGIN",
        "user has logged in",
        Subject::of("User", &user_id, username),
    )?;
    Ok(Reply::Bare(json!({
        "username": username,
        "userid": user_id,
        "domainid": caller.domain_id,
        "timeout": auth::SESSION_TIMEOUT_SECS,
        "account": caller.account_name,
        "firstname": firstname,
        "lastname": lastname,
        "type": caller.account_type.to_string(),
        "timezone": timezone,
        "registered": "false",
        "is2faenabled": "false",
        "sessionkey": session_key,
    })))
}

/// The domain of a login: `domainId` (a uuid) wins over `domain` (a path
/// such as `/` or `/a/b/`; ROOT when absent). Returns the id when found and
/// the name to show in errors.
fn find_domain(call: &Call<'_>) -> Result<(Option<String>, String), ApiError> {
    if let Some(id) = call.params.str("domainid") {
        let found = call
            .tx
            .query_row(
                "SELECT id FROM domains WHERE id = ?1 COLLATE NOCASE",
                [id],
                |row| row.get(0),
            )
            .optional()?;
        return Ok((found, id.to_string()));
    }
    let given = call.params.str("domain").unwrap_or("/");
    let path = if given.eq_ignore_ascii_case("ROOT") || given.eq_ignore_ascii_case("/ROOT") {
        "/".to_string()
    } else {
        let trimmed = given.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    };
    let found = call
        .tx
        .query_row(
            "SELECT id FROM domains WHERE path = ?1 COLLATE NOCASE",
            [&path],
            |row| row.get(0),
        )
        .optional()?;
    Ok((found, given.to_string()))
}

pub(crate) fn logout(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    if let Some(key) = call.params.str("sessionkey") {
        let ended = call.tx.execute(
            "DELETE FROM sessions WHERE session_key = ?1 AND user_id = ?2",
            [key, &call.caller.user_id],
        )?;
        if ended > 0 {
            let user = call.caller.user_id.clone();
            call.event(
                "USER.LOGOUT",
                "user has logged out",
                Subject {
                    kind: Some("User"),
                    id: Some(&user),
                    name: None,
                },
            )?;
        }
    }
    Ok(Reply::Bare(json!({"description": "success"})))
}
