//! Authentication: who is calling (cloudstack-protocol.md §2-3).
//!
//! Three ways in, tried in this order:
//!
//! 1. the integration listener: no credentials, the caller is the root admin;
//! 2. a session: a `JSESSIONID` cookie naming a live session, plus its key
//!    as the `sessionkey` parameter, the `sessionkey` cookie, or both (each
//!    one sent must match);
//! 3. an API key: `apiKey` + `signature` (version 2), or version 3 with
//!    `signatureVersion=3` and an `expires` still in the future.
//!
//! Every failure is the same 401, so a caller learns nothing about which
//! part was wrong. Users and accounts must be enabled.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction};
use time::OffsetDateTime;

use crate::kernel::caller::{Caller, Role};
use crate::kernel::error::ApiError;
use crate::kernel::request::{Request, find};

/// How long a session lives without calls (the `timeout` of `loginresponse`).
pub(crate) const SESSION_TIMEOUT_SECS: i64 = 1800;

/// How a caller was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// The unauthenticated integration listener.
    Integration,
    /// A login session.
    Session,
    /// An API key and signature.
    Key,
    /// Nobody (login and logout only).
    Anonymous,
}

/// The caller of `login`, before anyone is known.
pub(crate) fn anonymous() -> Caller {
    Caller {
        user_id: String::new(),
        account_id: String::new(),
        account_name: String::new(),
        account_type: 0,
        domain_id: String::new(),
        domain_path: String::new(),
        role: Role::User,
    }
}

/// Identifies the caller of a request. When the signature only verifies
/// with a literal `+` kept in the values, `request.pairs` is switched to
/// that decoding, so the handler sees what the client signed.
pub(crate) fn authenticate(
    tx: &Transaction<'_>,
    request: &mut Request,
    now: OffsetDateTime,
    keys: &mut KeyCache,
) -> Result<(Caller, Via), ApiError> {
    if request.integration {
        return Ok((root_admin(tx)?, Via::Integration));
    }
    if let Some(caller) = session(tx, request, now)? {
        return Ok((caller, Via::Session));
    }
    if find(&request.pairs, "apikey").is_some() {
        return Ok((signed(tx, request, now, keys)?, Via::Key));
    }
    Err(ApiError::unauthorized())
}

/// The owners of API keys (caller, state, secret), kept while the database
/// does not change: any write at all empties it (see [`KeyCache::observe`]),
/// so a new key, a disabled user or a deleted account counts from the next
/// call on. Only for a database that nothing but the simulator's own writer
/// changes (its private one); otherwise every lookup reads it.
pub(crate) struct KeyCache {
    enabled: bool,
    stamp: u64,
    entries: HashMap<String, (Caller, Row)>,
}

/// How many keys the cache keeps before it starts over.
const KEY_CACHE: usize = 1024;

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys and secrets stay out.
        f.debug_struct("KeyCache")
            .field("enabled", &self.enabled)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl KeyCache {
    /// A cache, used only when `enabled`.
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled,
            stamp: 0,
            entries: HashMap::new(),
        }
    }

    /// Forgets every key when the database changed since the last call:
    /// `stamp` is the writer's count of changes (SQLite's `total_changes`
    /// of the one writing connection, which moves with every write, rolled
    /// back or not).
    pub(crate) fn observe(&mut self, stamp: u64) {
        if stamp != self.stamp {
            self.entries.clear();
            self.stamp = stamp;
        }
    }

    /// The owner of `api_key`, from the cache while nothing was written.
    fn owner(
        &mut self,
        tx: &Transaction<'_>,
        api_key: &str,
    ) -> Result<Option<(Caller, Row)>, ApiError> {
        if !self.enabled {
            return load(tx, By::ApiKey, api_key);
        }
        if let Some(found) = self.entries.get(api_key) {
            return Ok(Some(found.clone()));
        }
        let found = load(tx, By::ApiKey, api_key)?;
        if let Some(found) = &found {
            if self.entries.len() >= KEY_CACHE {
                self.entries.clear();
            }
            self.entries.insert(api_key.to_string(), found.clone());
        }
        Ok(found)
    }
}

/// The root admin the integration listener and fixtures act as: the
/// `admin` user of a root-admin account in ROOT, else the oldest such user.
pub(crate) fn root_admin(tx: &Transaction<'_>) -> Result<Caller, ApiError> {
    let user_id: Option<String> = tx
        .query_row(
            "SELECT u.user_id
             FROM directory_users u JOIN directory_accounts a ON a.id = u.account_id
                  JOIN directory_domains d ON d.id = a.domain_id
             WHERE a.account_type = 1 AND d.parent_id IS NULL
             ORDER BY (u.username = 'admin') DESC, (a.name = 'admin') DESC, a.seq, u.user_created LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let user_id = user_id.ok_or_else(|| ApiError::internal("no root admin user exists"))?;
    let (caller, _) =
        load(tx, By::Id, &user_id)?.ok_or_else(|| ApiError::internal("root admin vanished"))?;
    Ok(caller)
}

/// A user's caller by user id, with whether the user and its account are
/// enabled.
pub(crate) fn caller_of_user(
    tx: &Transaction<'_>,
    user_id: &str,
) -> Result<Option<(Caller, bool)>, ApiError> {
    Ok(load(tx, By::Id, user_id)?.map(|(caller, row)| (caller, row.enabled)))
}

/// What else the caller query returns.
#[derive(Clone)]
struct Row {
    enabled: bool,
    secret_key: Option<String>,
}

/// Which user [`load`] looks for.
#[derive(Debug, Clone, Copy)]
enum By {
    /// The user's id.
    Id,
    /// The user's API key.
    ApiKey,
}

/// The caller query, up to its condition.
macro_rules! caller_query {
    ($condition:literal) => {
        concat!(
            "SELECT u.user_id, a.id, a.name, a.account_type, d.id, d.path, r.role_type, u.user_state,
                    a.state, u.secret_key
             FROM directory_users u JOIN directory_accounts a ON a.id = u.account_id
                  JOIN directory_domains d ON d.id = a.domain_id
                  LEFT JOIN directory_roles r ON r.id = a.role_id
             WHERE ",
            $condition
        )
    };
}

fn load(tx: &Transaction<'_>, by: By, arg: &str) -> Result<Option<(Caller, Row)>, ApiError> {
    let sql = match by {
        By::Id => caller_query!("u.user_id = ?1"),
        By::ApiKey => caller_query!("u.api_key = ?1"),
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let found = stmt
        .query_row([arg], |row| {
            let account_type: i64 = row.get(3)?;
            let role_type: Option<String> = row.get(6)?;
            let role = role_type
                .as_deref()
                .and_then(Role::from_name)
                .unwrap_or(Role::for_account_type(account_type));
            let user_state: String = row.get(7)?;
            let account_state: String = row.get(8)?;
            let caller = Caller {
                user_id: row.get(0)?,
                account_id: row.get(1)?,
                account_name: row.get(2)?,
                account_type,
                domain_id: row.get(4)?,
                domain_path: row.get(5)?,
                role,
            };
            let enabled = user_state.eq_ignore_ascii_case("enabled")
                && account_state.eq_ignore_ascii_case("enabled");
            Ok((
                caller,
                Row {
                    enabled,
                    secret_key: row.get(9)?,
                },
            ))
        })
        .optional()?;
    Ok(found)
}

/// A live session named by the `JSESSIONID` cookie: `Ok(None)` when there
/// is none (so an API key may still be used), 401 when it exists but the
/// session key does not match or its user was disabled.
pub(crate) fn session(
    tx: &Transaction<'_>,
    request: &Request,
    now: OffsetDateTime,
) -> Result<Option<Caller>, ApiError> {
    let Some(id) = request.jsessionid.as_deref() else {
        return Ok(None);
    };
    let found: Option<(String, String, i64)> = tx
        .prepare_cached("SELECT session_key, user_id, last_seen FROM sessions WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let Some((key, user_id, last_seen)) = found else {
        return Ok(None);
    };
    let now_secs = now.unix_timestamp();
    if now_secs - last_seen > SESSION_TIMEOUT_SECS {
        tx.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
        return Ok(None);
    }
    // As CloudStack's servlet checks it: the key may come as the parameter,
    // as the `sessionkey` cookie login set, or both; each one sent must
    // match, and at least one must be sent (curl with a cookie jar sends
    // only the cookies).
    let param = find(&request.pairs, "sessionkey");
    let cookie = request.sessionkey_cookie.as_deref();
    let sent_one = param.is_some() || cookie.is_some();
    let param_ok = param.is_none_or(|sent| same(sent, &key));
    let cookie_ok = cookie.is_none_or(|sent| same(sent, &key));
    if !sent_one || !param_ok || !cookie_ok {
        return Err(ApiError::unauthorized());
    }
    match caller_of_user(tx, &user_id)? {
        Some((caller, true)) => {
            tx.prepare_cached("UPDATE sessions SET last_seen = ?1 WHERE id = ?2")?
                .execute(rusqlite::params![now_secs, id])?;
            Ok(Some(caller))
        }
        _ => Err(ApiError::unauthorized()),
    }
}

/// Checks `apiKey` + `signature` (v2, or v3 with `expires`).
fn signed(
    tx: &Transaction<'_>,
    request: &mut Request,
    now: OffsetDateTime,
    keys: &mut KeyCache,
) -> Result<Caller, ApiError> {
    let api_key = find(&request.pairs, "apikey").unwrap_or_default();
    let (caller, row) = keys
        .owner(tx, api_key)?
        .ok_or_else(ApiError::unauthorized)?;
    let secret = row
        .secret_key
        .filter(|s| !s.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    if !row.enabled {
        return Err(ApiError::unauthorized());
    }
    let pairs = if verifies(&request.pairs, &secret) {
        None
    } else {
        match &request.literal_plus {
            Some(literal) if verifies(literal, &secret) => Some(literal.clone()),
            _ => return Err(ApiError::unauthorized()),
        }
    };
    if let Some(pairs) = pairs {
        request.pairs = pairs;
    }
    if find(&request.pairs, "signatureversion").is_some_and(|v| v.trim() == "3") {
        let expires = find(&request.pairs, "expires")
            .and_then(parse_expires)
            .ok_or_else(ApiError::unauthorized)?;
        if expires < now {
            return Err(ApiError::unauthorized());
        }
    }
    Ok(caller)
}

/// Whether the request's signature matches its parameters under `secret`:
/// every name once, with the value every other reader sees (the decoded
/// request holds one value per name, as CloudStack's parameter map does).
fn verifies(pairs: &[(String, String)], secret: &str) -> bool {
    let Some(signature) = find(pairs, "signature") else {
        return false;
    };
    // A signature sent with a bare `+` arrives with a space: base64 has none.
    let signature = signature.replace(' ', "+");
    let canonical = marvin_core::signing::canonical_string(
        pairs
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("signature"))
            .map(|(n, v)| (n.as_str(), v.as_str())),
    );
    marvin_core::signing::verify_canonical(&canonical, secret, &signature)
}

/// `expires` as clients send it: `2024-01-01T10:00:00+0000` or ISO-8601.
pub(crate) fn parse_expires(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    crate::kernel::time::parse(text)
        .or_else(|| {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
        })
        .or_else(|| {
            // Java's `Z` pattern also allows `+0000` after fractional seconds.
            let cut = text.len().checked_sub(5)?;
            if !text.is_char_boundary(cut) {
                return None;
            }
            let (main, offset) = text.split_at(cut);
            let main = main.split_once('.').map_or(main, |(seconds, _)| seconds);
            crate::kernel::time::parse(&format!("{main}{offset}"))
        })
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_java_and_iso_forms() {
        let at = time::macros::datetime!(2024-01-01 10:00:00 UTC);
        assert_eq!(parse_expires("2024-01-01T10:00:00+0000"), Some(at));
        assert_eq!(parse_expires("2024-01-01T10:00:00Z"), Some(at));
        assert_eq!(parse_expires("2024-01-01T11:00:00+01:00"), Some(at));
        assert_eq!(parse_expires("2024-01-01T10:00:00.123+0000"), Some(at));
        assert_eq!(parse_expires("tomorrow"), None);
        assert_eq!(parse_expires(""), None);
        assert_eq!(parse_expires("éééé2024"), None);
    }

    #[test]
    fn constant_time_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn signatures_verify_against_every_parameter() {
        let pairs: Vec<(String, String)> = [
            ("apiKey", "foo"),
            ("command", "listVirtualMachines"),
            ("listAll", "true"),
            ("response", "json"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let mut signed = pairs.clone();
        signed.push(("signature".into(), "B0d6hBsZTcFVCiioSxzwKA9Pke8=".into()));
        assert!(verifies(&signed, "bar"));
        assert!(!verifies(&signed, "baz"));
        signed.push(("extra".into(), "1".into()));
        assert!(!verifies(&signed, "bar"));
    }
}
