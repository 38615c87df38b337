//! Authentication and isolation decided over a directory made by hand: the
//! views the kernel reads (`kernel/directory.rs`) as plain tables, so that
//! the refusals of `auth` (expired or mismatched sessions, disabled users,
//! unknown or stale keys) and of `scope` (domains and accounts outside the
//! caller's reach) are tested without any family.
//!
//! The directory: ROOT (`/`) holds the root admin `admin`; domain `sales`
//! (`/sales/`) holds the domain admin `boss` and the users `alice` and
//! `bob`; domain `ops` (`/ops/`) holds the user `carol`; the project
//! account `crm` in `sales` has `alice` as a member.

use std::sync::LazyLock;

use marvin_core::signing;
use rusqlite::{Connection, Transaction};
use time::OffsetDateTime;

use crate::kernel::auth::{self, KeyCache, SESSION_TIMEOUT_SECS, Via};
use crate::kernel::caller::{Caller, Role};
use crate::kernel::catalog::{Catalog, Registry, Served};
use crate::kernel::contract::Call;
use crate::kernel::params::Params;
use crate::kernel::request::{Method, Request};
use crate::kernel::scope::{self, ListScope};

const DIRECTORY: &str = "
CREATE TABLE directory_domains (id TEXT, name TEXT, path TEXT, parent_id TEXT);
CREATE TABLE directory_accounts (id TEXT, name TEXT, domain_id TEXT, account_type INTEGER,
                                 state TEXT, seq INTEGER, role_id TEXT);
CREATE TABLE directory_users (user_id TEXT, username TEXT, api_key TEXT, secret_key TEXT,
                              user_state TEXT, user_created TEXT, account_id TEXT);
CREATE TABLE directory_roles (id TEXT, role_type TEXT);
CREATE TABLE directory_projects (id TEXT, account_id TEXT);
CREATE TABLE directory_project_members (project_id TEXT, account_id TEXT, user_id TEXT, role TEXT);

INSERT INTO directory_domains VALUES ('d-root', 'ROOT', '/', NULL),
    ('d-sales', 'sales', '/sales/', 'd-root'), ('d-ops', 'ops', '/ops/', 'd-root');
INSERT INTO directory_accounts VALUES
    ('a-admin', 'admin', 'd-root', 1, 'enabled', 1, NULL),
    ('a-boss', 'boss', 'd-sales', 2, 'enabled', 2, NULL),
    ('a-alice', 'alice', 'd-sales', 0, 'enabled', 3, NULL),
    ('a-bob', 'bob', 'd-sales', 0, 'enabled', 4, NULL),
    ('a-carol', 'carol', 'd-ops', 0, 'enabled', 5, NULL),
    ('a-crm', 'PrjAcct-crm', 'd-sales', 5, 'enabled', 6, NULL);
INSERT INTO directory_users VALUES
    ('u-admin', 'admin', 'admin-key', 'admin-secret', 'enabled', '1', 'a-admin'),
    ('u-boss', 'boss', 'boss-key', 'boss-secret', 'enabled', '2', 'a-boss'),
    ('u-alice', 'alice', 'alice-key', 'alice-secret', 'enabled', '3', 'a-alice'),
    ('u-bob', 'bob', 'bob-key', 'bob-secret', 'disabled', '4', 'a-bob'),
    ('u-carol', 'carol', 'carol-key', '', 'enabled', '5', 'a-carol');
INSERT INTO directory_projects VALUES ('p-crm', 'a-crm');
INSERT INTO directory_project_members VALUES ('p-crm', 'a-alice', NULL, 'Regular');

CREATE TABLE sessions (id TEXT PRIMARY KEY, session_key TEXT NOT NULL UNIQUE,
                       user_id TEXT NOT NULL, created TEXT NOT NULL, last_seen INTEGER NOT NULL);
";

static NO_APIS: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::from_json(r#"{"api":[]}"#).expect("an empty catalog"));

fn directory() -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.execute_batch(DIRECTORY).expect("the directory");
    conn
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn caller(tx: &Transaction<'_>, user_id: &str) -> Caller {
    auth::caller_of_user(tx, user_id)
        .expect("the lookup runs")
        .expect("the user exists")
        .0
}

/// `ListScope::of` for `user_id` with these list parameters, and the
/// accounts its condition lets through, sorted.
fn scope_of(
    tx: &Transaction<'_>,
    user_id: &str,
    pairs: &[(&str, &str)],
) -> Result<Vec<String>, u16> {
    let caller = caller(tx, user_id);
    let params = Params::from_pairs(pairs.iter().copied());
    let served = Served {
        catalog: &NO_APIS,
        registry: Registry::build(&[], &NO_APIS).expect("an empty registry"),
    };
    let call = Call {
        tx,
        caller: &caller,
        params: &params,
        command: "listThings",
        now: now(),
        job_id: None,
        served: &served,
    };
    let scope = ListScope::of(&call).map_err(|error| error.code.as_u16())?;
    let (condition, arg) = scope.condition("id");
    let sql = format!("SELECT id FROM directory_accounts WHERE {condition} ORDER BY id");
    let mut stmt = tx
        .prepare(&sql)
        .expect("the scope's condition is valid SQL");
    let ids = stmt
        .query_map(rusqlite::params_from_iter(arg.iter()), |row| row.get(0))
        .expect("the scope's query runs")
        .collect::<Result<Vec<String>, _>>()
        .expect("account ids");
    Ok(ids)
}

/// Whether `user_id` may act on a resource of `owner`.
fn may_act(tx: &Transaction<'_>, user_id: &str, owner: &str) -> bool {
    let caller = caller(tx, user_id);
    let params = Params::new();
    let served = Served {
        catalog: &NO_APIS,
        registry: Registry::build(&[], &NO_APIS).expect("an empty registry"),
    };
    let call = Call {
        tx,
        caller: &caller,
        params: &params,
        command: "updateThing",
        now: now(),
        job_id: None,
        served: &served,
    };
    match scope::check_access(&call, owner, "thing-1") {
        Ok(()) => true,
        Err(error) => {
            assert_eq!(error.code.as_u16(), 531, "{error:?}");
            assert!(
                error.text.contains("thing-1") && error.text.contains(&caller.account_name),
                "the refusal names the caller and the resource: {}",
                error.text
            );
            false
        }
    }
}

#[test]
fn list_scopes_follow_the_callers_reach() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    let all = ["a-admin", "a-alice", "a-bob", "a-boss", "a-carol", "a-crm"];
    let sales = ["a-alice", "a-bob", "a-boss", "a-crm"];

    // Root admin: its own account by default, everything with listall.
    assert_eq!(scope_of(&tx, "u-admin", &[]).unwrap(), ["a-admin"]);
    assert_eq!(
        scope_of(&tx, "u-admin", &[("listall", "true")]).unwrap(),
        all
    );
    assert_eq!(
        scope_of(&tx, "u-admin", &[("domainid", "d-ops")]).unwrap(),
        ["a-carol"]
    );
    // A domain admin: its tree with listall, one named account inside it.
    assert_eq!(
        scope_of(&tx, "u-boss", &[("listall", "true")]).unwrap(),
        sales
    );
    assert_eq!(
        scope_of(&tx, "u-boss", &[("account", "alice")]).unwrap(),
        ["a-alice"]
    );
    // A user: only its own account, whatever it asks for.
    assert_eq!(
        scope_of(&tx, "u-alice", &[("listall", "true")]).unwrap(),
        ["a-alice"]
    );
    assert_eq!(
        scope_of(&tx, "u-alice", &[("account", "alice")]).unwrap(),
        ["a-alice"]
    );
}

#[test]
fn list_scopes_refuse_domains_and_accounts_out_of_reach() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    // A domain admin naming a domain outside its tree: 531.
    assert_eq!(scope_of(&tx, "u-boss", &[("domainid", "d-ops")]), Err(531));
    // A user naming its own domain is fine; another domain is not.
    assert_eq!(
        scope_of(&tx, "u-alice", &[("domainid", "d-sales")]).unwrap(),
        ["a-alice"]
    );
    assert_eq!(scope_of(&tx, "u-alice", &[("domainid", "d-ops")]), Err(531));
    // A user naming another account of its domain: 531.
    assert_eq!(scope_of(&tx, "u-alice", &[("account", "bob")]), Err(531));
    // An account that is not in the (default or named) domain: 431.
    assert_eq!(scope_of(&tx, "u-boss", &[("account", "carol")]), Err(431));
    assert_eq!(
        scope_of(
            &tx,
            "u-admin",
            &[("account", "carol"), ("domainid", "d-ops")]
        )
        .unwrap(),
        ["a-carol"]
    );
    // A domain that does not exist: 431, not an empty list.
    assert_eq!(
        scope_of(&tx, "u-admin", &[("domainid", "d-nowhere")]),
        Err(431)
    );
}

#[test]
fn actions_on_other_accounts_resources_are_refused_unless_in_reach() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    assert!(may_act(&tx, "u-admin", "a-carol"));
    assert!(may_act(&tx, "u-boss", "a-alice"), "inside the admin's tree");
    assert!(
        !may_act(&tx, "u-boss", "a-carol"),
        "outside the admin's tree"
    );
    assert!(may_act(&tx, "u-alice", "a-alice"));
    assert!(!may_act(&tx, "u-alice", "a-boss"));
    assert!(may_act(&tx, "u-alice", "a-crm"), "a project member");
    assert!(!may_act(&tx, "u-carol", "a-crm"), "not a member");
    // Adding the account to the project lets its users in.
    tx.execute(
        "INSERT INTO directory_project_members VALUES ('p-crm', 'a-carol', NULL, 'Regular')",
        [],
    )
    .unwrap();
    assert!(may_act(&tx, "u-carol", "a-crm"));
}

fn session_request(jsessionid: &str, param: Option<&str>, cookie: Option<&str>) -> Request {
    let mut pairs = vec![
        ("command".to_string(), "listZones".to_string()),
        ("response".to_string(), "json".to_string()),
    ];
    if let Some(key) = param {
        pairs.push(("sessionkey".to_string(), key.to_string()));
    }
    let mut request = Request::from_pairs(pairs, Method::Get);
    request.jsessionid = Some(jsessionid.to_string());
    request.sessionkey_cookie = cookie.map(str::to_string);
    request
}

fn add_session(tx: &Transaction<'_>, id: &str, key: &str, user_id: &str, last_seen: i64) {
    tx.execute(
        "INSERT INTO sessions VALUES (?1, ?2, ?3, '2024-01-01T00:00:00+0000', ?4)",
        rusqlite::params![id, key, user_id, last_seen],
    )
    .unwrap();
}

fn authenticate(tx: &Transaction<'_>, request: &mut Request) -> Result<(String, Via), u16> {
    let mut keys = KeyCache::new(false);
    auth::authenticate(tx, request, now(), &mut keys)
        .map(|(caller, via)| (caller.user_id, via))
        .map_err(|error| {
            assert_eq!(error.cs_code, None, "a 401 carries no cserrorcode");
            error.code.as_u16()
        })
}

#[test]
fn sessions_need_a_matching_key_a_live_row_and_an_enabled_user() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    let fresh = now().unix_timestamp();
    add_session(&tx, "s-alice", "alice-session", "u-alice", fresh);
    add_session(&tx, "s-bob", "bob-session", "u-bob", fresh);
    add_session(
        &tx,
        "s-old",
        "old-session",
        "u-alice",
        fresh - SESSION_TIMEOUT_SECS - 5,
    );

    // The key as parameter, as cookie, or both.
    for (param, cookie) in [
        (Some("alice-session"), None),
        (None, Some("alice-session")),
        (Some("alice-session"), Some("alice-session")),
    ] {
        let mut request = session_request("s-alice", param, cookie);
        assert_eq!(
            authenticate(&tx, &mut request),
            Ok(("u-alice".to_string(), Via::Session))
        );
    }
    // No key at all, a wrong one, or one of the two wrong: 401.
    for (param, cookie) in [
        (None, None),
        (Some("alice-sessioN"), None),
        (Some("alice-session"), Some("bob-session")),
        (Some("bob-session"), Some("alice-session")),
    ] {
        let mut request = session_request("s-alice", param, cookie);
        assert_eq!(
            authenticate(&tx, &mut request),
            Err(401),
            "{param:?} {cookie:?}"
        );
    }
    // A disabled user's session no longer works.
    let mut request = session_request("s-bob", Some("bob-session"), None);
    assert_eq!(authenticate(&tx, &mut request), Err(401));

    // An expired session is removed; without a key the call is refused.
    let mut request = session_request("s-old", Some("old-session"), None);
    assert_eq!(authenticate(&tx, &mut request), Err(401));
    let left: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM sessions WHERE id = 's-old'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the expired session is gone");

    // A live call moves the session's last_seen forward.
    tx.execute(
        "UPDATE sessions SET last_seen = ?1 WHERE id = 's-alice'",
        [fresh - 600],
    )
    .unwrap();
    let mut request = session_request("s-alice", Some("alice-session"), None);
    authenticate(&tx, &mut request).unwrap();
    let last_seen: i64 = tx
        .query_row(
            "SELECT last_seen FROM sessions WHERE id = 's-alice'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(last_seen >= fresh, "{last_seen} < {fresh}");
}

/// A signed request of `api_key` with `secret`, version 3 when `expires`
/// is given.
fn signed_request(api_key: &str, secret: &str, expires: Option<&str>) -> Request {
    let mut pairs: Vec<(String, String)> = vec![
        ("command".into(), "listZones".into()),
        ("response".into(), "json".into()),
        ("apiKey".into(), api_key.into()),
    ];
    if let Some(expires) = expires {
        pairs.push(("signatureVersion".into(), "3".into()));
        pairs.push(("expires".into(), expires.into()));
    }
    let canonical = signing::canonical_string(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    pairs.push((
        "signature".into(),
        signing::sign_canonical(&canonical, secret),
    ));
    Request::from_pairs(pairs, Method::Get)
}

#[test]
fn api_keys_need_a_known_enabled_owner_a_secret_and_a_live_signature() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    let later = crate::kernel::time::format(now() + time::Duration::minutes(5));
    let earlier = crate::kernel::time::format(now() - time::Duration::minutes(5));

    let mut ok = signed_request("alice-key", "alice-secret", None);
    assert_eq!(
        authenticate(&tx, &mut ok),
        Ok(("u-alice".to_string(), Via::Key))
    );
    let mut v3 = signed_request("alice-key", "alice-secret", Some(&later));
    assert_eq!(
        authenticate(&tx, &mut v3),
        Ok(("u-alice".to_string(), Via::Key))
    );

    for (name, mut request) in [
        (
            "unknown key",
            signed_request("nobody-key", "alice-secret", None),
        ),
        (
            "wrong secret",
            signed_request("alice-key", "bob-secret", None),
        ),
        (
            "disabled user",
            signed_request("bob-key", "bob-secret", None),
        ),
        (
            "user without a secret",
            signed_request("carol-key", "", None),
        ),
        (
            "expired",
            signed_request("alice-key", "alice-secret", Some(&earlier)),
        ),
        (
            "unreadable expiry",
            signed_request("alice-key", "alice-secret", Some("soon")),
        ),
    ] {
        assert_eq!(authenticate(&tx, &mut request), Err(401), "{name}");
    }
    // Neither session nor key: 401 as well.
    let mut anonymous =
        Request::from_pairs(vec![("command".into(), "listZones".into())], Method::Get);
    assert_eq!(authenticate(&tx, &mut anonymous), Err(401));
}

#[test]
fn the_key_cache_forgets_keys_once_anything_is_written() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    let mut keys = KeyCache::new(true);
    keys.observe(1);
    let mut request = signed_request("alice-key", "alice-secret", None);
    assert!(auth::authenticate(&tx, &mut request, now(), &mut keys).is_ok());

    // Disabling the user without telling the cache: the cached owner
    // still answers (nothing "was written" as far as it knows) ...
    tx.execute(
        "UPDATE directory_users SET user_state = 'disabled' WHERE user_id = 'u-alice'",
        [],
    )
    .unwrap();
    let mut request = signed_request("alice-key", "alice-secret", None);
    assert!(auth::authenticate(&tx, &mut request, now(), &mut keys).is_ok());
    // ... and once the writer's count moves, the change counts.
    keys.observe(2);
    let mut request = signed_request("alice-key", "alice-secret", None);
    assert_eq!(
        auth::authenticate(&tx, &mut request, now(), &mut keys)
            .unwrap_err()
            .code
            .as_u16(),
        401
    );
    let shown = format!("{keys:?}");
    assert!(
        !shown.contains("alice-key") && !shown.contains("alice-secret"),
        "{shown}"
    );
}

#[test]
fn roles_come_from_the_role_row_or_the_account_type() {
    let mut conn = directory();
    let tx = conn.transaction().unwrap();
    assert_eq!(caller(&tx, "u-admin").role, Role::Admin);
    assert_eq!(caller(&tx, "u-boss").role, Role::DomainAdmin);
    assert_eq!(caller(&tx, "u-alice").role, Role::User);
    tx.execute_batch(
        "INSERT INTO directory_roles VALUES ('r-res', 'ResourceAdmin');
         UPDATE directory_accounts SET role_id = 'r-res' WHERE id = 'a-alice';",
    )
    .unwrap();
    assert_eq!(caller(&tx, "u-alice").role, Role::ResourceAdmin);
    assert_eq!(auth::root_admin(&tx).unwrap().user_id, "u-admin");
}
