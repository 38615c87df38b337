//! Session clients (login, cookie, sessionkey, re-login) and per-user clients.

use marvin_core::Api;
use std::sync::{Arc, Mutex};

use marvin_core::{AuthMode, Client, Error, ErrorCode, Params};
use serde_json::json;

use crate::fake::{Call, FakeCloud, Reply, sample_inner};

#[derive(Default)]
struct Sessions {
    logins: usize,
    /// (JSESSIONID, sessionkey) of the live session.
    live: Option<(String, String)>,
    /// Answer 401 to everything but login.
    always_reject: bool,
}

impl Sessions {
    fn expire(&mut self) {
        self.live = None;
    }
}

fn session_cloud_handler(state: Arc<Mutex<Sessions>>) -> impl Fn(&Call) -> Reply + Send + Sync {
    move |call| {
        let mut state = state.lock().unwrap();
        let command = call.command();
        if command == "login" {
            if call.method != "POST" {
                return Reply::error(
                    "login",
                    405,
                    None,
                    "Please use HTTP POST to authenticate using this API",
                );
            }
            if call.get("username").as_deref() != Some("admin")
                || call.get("password").as_deref() != Some("p@ss word")
            {
                return Reply::error(
                    "login",
                    531,
                    Some(4365),
                    "Failed to authenticate user admin; please provide valid credentials",
                );
            }
            state.logins += 1;
            let jsession = format!("js{}.node0", state.logins);
            let key = format!("sk-{}-abcdef", state.logins);
            state.live = Some((jsession.clone(), key.clone()));
            let mut answer = sample_inner("AuthenticationService.json", "login");
            answer["sessionkey"] = json!(key);
            return Reply::ok("login", answer)
                .with_header(
                    "set-cookie",
                    format!("JSESSIONID={jsession}; Path=/client; HttpOnly"),
                )
                .with_header("set-cookie", format!("sessionkey={key}; Path=/client"));
        }
        let authorized = match &state.live {
            Some((jsession, key)) => {
                !state.always_reject
                    && call
                        .cookie
                        .as_deref()
                        .is_some_and(|c| c.contains(&format!("JSESSIONID={jsession}")))
                    && call.get("sessionkey").as_deref() == Some(key.as_str())
                    && call.get("apiKey").is_none()
                    && call.get("signature").is_none()
            }
            None => false,
        };
        if !authorized {
            return Reply::error(&command, 401, None, "unable to verify user credentials");
        }
        if command == "logout" {
            state.live = None;
            return Reply::ok("logout", json!({"description": "success"}));
        }
        Reply::ok(&command, json!({"count": 1, "zone": [{"id": "z1"}]}))
    }
}

async fn session_cloud() -> (FakeCloud, Arc<Mutex<Sessions>>) {
    let state = Arc::new(Mutex::new(Sessions::default()));
    let cloud = FakeCloud::start(session_cloud_handler(Arc::clone(&state))).await;
    (cloud, state)
}

fn session_client(cloud: &FakeCloud) -> Client {
    Client::builder(&cloud.url)
        .credentials("admin", "p@ss word", "/")
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_first_call_logs_in_and_later_calls_use_cookie_and_sessionkey() {
    let (cloud, state) = session_cloud().await;
    let client = session_client(&cloud);
    assert_eq!(client.auth_mode(), AuthMode::Session);
    assert!(!client.has_session());
    client.call(Api::unknown("listZones")).await.unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    assert!(client.has_session());
    assert_eq!(state.lock().unwrap().logins, 1);

    let login = &cloud.calls_of("login")[0];
    assert_eq!(login.method, "POST");
    assert_eq!(login.raw_query, "");
    assert_eq!(login.get("domain").as_deref(), Some("/"));
    assert_eq!(login.get("response").as_deref(), Some("json"));
    assert_eq!(login.get("sessionkey"), None);
    let calls = cloud.calls_of("listZones");
    assert_eq!(calls.len(), 2);
    assert!(
        calls
            .iter()
            .all(|c| c.get("sessionkey").as_deref() == Some("sk-1-abcdef"))
    );
}

#[tokio::test]
async fn session_calls_send_the_session_cookies_and_follow_their_changes() {
    let (cloud, state) = session_cloud().await;
    let client = session_client(&cloud);
    client.call(Api::unknown("listZones")).await.unwrap();
    // The login itself had no cookie to send; the call after it sends both
    // cookies the login set (and the key as a parameter).
    assert_eq!(cloud.calls_of("login")[0].cookie, None);
    let call = cloud.calls_of("listZones").pop().unwrap();
    assert_eq!(
        call.cookie.as_deref(),
        Some("JSESSIONID=js1.node0; sessionkey=sk-1-abcdef")
    );
    // After a re-login the new session's cookies replace the old ones.
    state.lock().unwrap().expire();
    client.call(Api::unknown("listZones")).await.unwrap();
    let relogin = cloud.calls_of("login").pop().unwrap();
    assert_eq!(
        relogin.cookie.as_deref(),
        Some("JSESSIONID=js1.node0; sessionkey=sk-1-abcdef")
    );
    let call = cloud.calls_of("listZones").pop().unwrap();
    assert_eq!(
        call.cookie.as_deref(),
        Some("JSESSIONID=js2.node0; sessionkey=sk-2-abcdef")
    );
}

#[tokio::test]
async fn cookies_the_server_expires_are_no_longer_sent() {
    let state = Arc::new(Mutex::new(Sessions::default()));
    let inner = session_cloud_handler(Arc::clone(&state));
    let cloud = FakeCloud::start(move |call| {
        let reply = inner(call);
        if call.command() == "logout" {
            reply.with_header(
                "set-cookie",
                "JSESSIONID=; Path=/client; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            )
        } else {
            reply
        }
    })
    .await;
    let client = session_client(&cloud);
    client.login().await.unwrap();
    client.logout().await.unwrap();
    client.login().await.unwrap();
    assert_eq!(
        cloud.calls_of("login").pop().unwrap().cookie.as_deref(),
        Some("sessionkey=sk-1-abcdef")
    );
}

#[tokio::test]
async fn explicit_login_returns_the_answer_without_the_session_key() {
    let (cloud, _state) = session_cloud().await;
    let client = session_client(&cloud);
    let answer = client.login().await.unwrap();
    assert_eq!(answer["username"], "admin");
    assert!(answer.get("sessionkey").is_none());
    assert!(client.has_session());
}

#[tokio::test]
async fn a_401_logs_in_again_once_and_retries() {
    let (cloud, state) = session_cloud().await;
    let client = session_client(&cloud);
    client.call(Api::unknown("listZones")).await.unwrap();
    state.lock().unwrap().expire();
    // A create call too: the retry after re-login is not a transport retry.
    client.call(Api::unknown("createZone")).await.unwrap();
    assert_eq!(state.lock().unwrap().logins, 2);
    let last = cloud.calls().pop().unwrap();
    assert_eq!(last.command(), "createZone");
    assert_eq!(last.get("sessionkey").as_deref(), Some("sk-2-abcdef"));

    // When the server keeps refusing, only one re-login is attempted.
    state.lock().unwrap().always_reject = true;
    let err = client.call(Api::unknown("listZones")).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert_eq!(state.lock().unwrap().logins, 3);
}

#[tokio::test]
async fn bad_credentials_are_a_531_that_never_shows_the_password() {
    let (cloud, _state) = session_cloud().await;
    let client = Client::builder(&cloud.url)
        .credentials("admin", "wrong-password", "")
        .build()
        .unwrap();
    let err = client.call(Api::unknown("listZones")).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AccountError));
    assert!(!err.to_string().contains("wrong-password"));
    assert!(!format!("{err:?}").contains("wrong-password"));
    assert!(!format!("{client:?}").contains("wrong-password"));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let (cloud, state) = session_cloud().await;
    let client = session_client(&cloud);
    client.logout().await.unwrap(); // not logged in: nothing to do
    assert!(cloud.calls().is_empty());
    client.login().await.unwrap();
    client.logout().await.unwrap();
    assert!(!client.has_session());
    assert!(state.lock().unwrap().live.is_none());
    assert_eq!(cloud.calls_of("logout").len(), 1);
    // The next call logs in again.
    client.call(Api::unknown("listZones")).await.unwrap();
    assert_eq!(state.lock().unwrap().logins, 2);
}

#[tokio::test]
async fn login_needs_credentials() {
    let client = Client::builder("http://127.0.0.1:9/client/api")
        .keys("k", "s")
        .build()
        .unwrap();
    assert!(matches!(client.login().await, Err(Error::Setup { .. })));
}

#[tokio::test]
async fn per_user_clients_sign_with_the_users_keys() {
    let registered = sample_inner("UserService.json", "registerUserKeys");
    let user_secret = registered["userkeys"]["secretkey"]
        .as_str()
        .unwrap()
        .to_owned();
    let user_api_key = registered["userkeys"]["apikey"]
        .as_str()
        .unwrap()
        .to_owned();
    let known = sample_inner("UserService.json", "getUserKeys");
    let secret_for_check = user_secret.clone();
    let cloud = FakeCloud::start(move |call| match call.command().as_str() {
        "getUserKeys" if call.get("id").as_deref() == Some("u-with-keys") => {
            Reply::ok("getUserKeys", known.clone())
        }
        "getUserKeys" => Reply::ok("getUserKeys", json!({})),
        "registerUserKeys" => Reply::ok("registerUserKeys", registered.clone()),
        "listZones" => {
            if call.get("apiKey").as_deref() == Some("admin-key")
                && call.signature_ok("admin-secret")
                || call.signature_ok(&secret_for_check)
            {
                Reply::ok("listZones", json!({}))
            } else {
                Reply::error("listZones", 401, None, "unable to verify user credentials")
            }
        }
        other => Reply::error(other, 432, Some(9999), "unknown"),
    })
    .await;
    let admin = Client::builder(&cloud.url)
        .keys("admin-key", "admin-secret")
        .build()
        .unwrap();

    let user = admin.for_user("u-without-keys").await.unwrap();
    assert_eq!(user.api_key(), Some(user_api_key.as_str()));
    assert_eq!(user.endpoint(), admin.endpoint());
    user.call(Api::unknown("listZones")).await.unwrap();
    let last = cloud.calls().pop().unwrap();
    assert_eq!(last.get("apiKey").as_deref(), Some(user_api_key.as_str()));
    assert!(last.signature_ok(&user_secret));
    assert_eq!(cloud.calls_of("registerUserKeys").len(), 1);
    assert!(!format!("{user:?}").contains(&user_secret));

    let user = admin.for_user("u-with-keys").await.unwrap();
    assert_eq!(user.api_key(), Some("api-key"));
    assert_eq!(cloud.calls_of("registerUserKeys").len(), 1);
}

#[tokio::test]
async fn session_admins_hand_out_key_clients_without_their_cookie() {
    let state = Arc::new(Mutex::new(Sessions::default()));
    let inner = session_cloud_handler(Arc::clone(&state));
    let cloud = FakeCloud::start(move |call| match call.command().as_str() {
        "getUserKeys" if call.get("apiKey").is_some() => {
            // The per-user client asks as itself.
            Reply::ok(
                "getUserKeys",
                json!({"userkeys": {"apikey": "uk", "secretkey": "us"}}),
            )
        }
        "getUserKeys" => {
            let reply = inner(call);
            if reply.status == 200 {
                Reply::ok(
                    "getUserKeys",
                    json!({"userkeys": {"apikey": "uk", "secretkey": "us"}}),
                )
            } else {
                reply
            }
        }
        _ => inner(call),
    })
    .await;
    let admin = session_client(&cloud);
    let user = admin.for_user("u1").await.unwrap();
    assert_eq!(user.auth_mode(), AuthMode::Keys);
    user.call(Api::unknown("getUserKeys"))
        .params(Params::from([("id", "u1")]))
        .await
        .unwrap();
    let last = cloud.calls().pop().unwrap();
    assert!(last.signature_ok("us"));
    assert_eq!(last.cookie, None, "the admin's session cookie leaked");
    assert_eq!(last.get("sessionkey"), None);
}

#[tokio::test]
async fn concurrent_clients_for_one_user_without_keys_register_them_once() {
    // Registering keys replaces the user's earlier ones: clients made from
    // a second registration would leave the first ones' keys dead.
    let registered = Arc::new(Mutex::new(0_u32));
    let state = Arc::clone(&registered);
    let cloud = FakeCloud::start(move |call| {
        let mut registrations = state.lock().unwrap();
        match call.command().as_str() {
            "getUserKeys" if *registrations == 0 => Reply::ok("getUserKeys", json!({})),
            "getUserKeys" => Reply::ok(
                "getUserKeys",
                json!({"userkeys": {"apikey": format!("key-{registrations}"), "secretkey": "s"}}),
            ),
            "registerUserKeys" => {
                *registrations += 1;
                Reply::ok(
                    "registerUserKeys",
                    json!({"userkeys": {"apikey": format!("key-{registrations}"), "secretkey": "s"}}),
                )
            }
            other => Reply::error(other, 432, Some(9999), "unknown"),
        }
    })
    .await;
    let admin = Client::builder(&cloud.url)
        .keys("admin-key", "admin-secret")
        .build()
        .unwrap();
    let clients = futures_util::future::join_all((0..6).map(|_| admin.for_user("u1"))).await;
    for client in clients {
        assert_eq!(client.unwrap().api_key(), Some("key-1"));
    }
    assert_eq!(cloud.calls_of("registerUserKeys").len(), 1);
}
