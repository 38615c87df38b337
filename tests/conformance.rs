//! Protocol conformance through marvin-core's client against the embedded
//! simulator: both sides of the wire are ours, so each test checks that the
//! client and the server agree on a point of cloudstack-protocol.md.
//!
//! Every test starts its own simulator, so faults and sessions never leak
//! between tests.

use marvin_entities::api;
use std::time::Duration;

use marvin_core::{Client, CsErrorCode, Error, ErrorCode, Params, WaitOptions};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};

async fn simulator() -> RunningSimulator {
    Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(5),
        ..Default::default()
    })
    .await
    .expect("the simulator starts")
}

fn keyed(sim: &RunningSimulator) -> Client {
    Client::builder(sim.url())
        .keys(sim.api_key(), sim.secret_key())
        .build()
        .expect("client")
}

fn code(error: &Error) -> (Option<ErrorCode>, Option<CsErrorCode>) {
    (error.code(), error.cs_code())
}

async fn new_user(admin: &Client, name: &str) -> (String, String) {
    let params = Params::from([
        ("accounttype", "0"),
        ("username", name),
        ("password", "Secret-1"),
        ("firstname", "Con"),
        ("lastname", "Formance"),
        ("email", "c@example.com"),
    ]);
    let account = admin
        .call(api("createAccount"))
        .params(params)
        .await
        .expect("createAccount");
    let account = &account["account"];
    let user_id = account["user"][0]["id"]
        .as_str()
        .expect("user id")
        .to_string();
    (
        account["id"].as_str().expect("account id").to_string(),
        user_id,
    )
}

#[tokio::test]
async fn signature_v3_and_v2_are_both_accepted() {
    let sim = simulator().await;
    let v3 = keyed(&sim);
    let v2 = Client::builder(sim.url())
        .keys(sim.api_key(), sim.secret_key())
        .signature_v3(false)
        .build()
        .unwrap();
    for client in [v3, v2] {
        let zones = client.call(api("listZones")).await.expect("listZones");
        assert_eq!(zones["count"], 1);
        assert_eq!(zones["zone"][0]["name"], "Sandbox-simulator");
    }
}

#[tokio::test]
async fn a_wrong_secret_is_401_without_a_cserrorcode() {
    let sim = simulator().await;
    let client = Client::builder(sim.url())
        .keys(sim.api_key(), "not-the-secret")
        .build()
        .unwrap();
    let error = client.call(api("listZones")).await.unwrap_err();
    assert_eq!(code(&error), (Some(ErrorCode::Unauthorized), None));
    assert!(!error.to_string().contains("not-the-secret"), "{error}");
}

#[tokio::test]
async fn a_session_logs_in_calls_and_logs_out() {
    let sim = simulator().await;
    let client = Client::builder(sim.url())
        .credentials("admin", "password", "/")
        .build()
        .unwrap();
    let login = client.login().await.expect("login");
    assert_eq!(login["username"], "admin");
    assert!(
        login.get("sessionkey").is_none(),
        "the client keeps the session key to itself"
    );
    let zones = client.call(api("listZones")).await.expect("a session call");
    assert_eq!(zones["count"], 1);
    client.logout().await.expect("logout");
    // The client logs in again by itself when the session is gone.
    let again = client
        .call(api("listZones"))
        .await
        .expect("re-login after logout");
    assert_eq!(again["count"], 1);
}

#[tokio::test]
async fn bad_credentials_are_an_account_error() {
    let sim = simulator().await;
    let client = Client::builder(sim.url())
        .credentials("admin", "wrong", "/")
        .build()
        .unwrap();
    let error = client.login().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::AccountError));
}

#[tokio::test]
async fn the_integration_port_needs_no_keys() {
    let sim = Simulator::start(SimulatorConfig {
        integration_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::builder(sim.integration_url().expect("integration url"))
        .integration()
        .build()
        .unwrap();
    let accounts = client
        .list_all("listAccounts", Params::from([("listall", "true")]))
        .await
        .unwrap();
    assert!(accounts.iter().any(|a| a["name"] == "admin"));
}

#[tokio::test]
async fn missing_and_malformed_parameters_are_431_with_cloudstack_texts() {
    let sim = simulator().await;
    let client = keyed(&sim);
    let missing = client.call(api("createDomain")).await.unwrap_err();
    assert_eq!(
        code(&missing),
        (
            Some(ErrorCode::ParamError),
            Some(CsErrorCode::InvalidParameterValue)
        )
    );
    assert_eq!(
        missing.text(),
        Some("Unable to execute API command createdomain due to missing parameter name")
    );
    let malformed = client
        .call(api("listZones"))
        .params(Params::from([("id", "not-a-uuid")]))
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Some(ErrorCode::ParamError));
    let paging = client
        .call(api("listZones"))
        .params(Params::from([("page", "1")]))
        .await
        .unwrap_err();
    assert_eq!(paging.code(), Some(ErrorCode::ParamError));
    let too_big = client
        .call(api("listZones"))
        .params(Params::from([("page", "1"), ("pagesize", "501")]))
        .await
        .unwrap_err();
    assert_eq!(too_big.code(), Some(ErrorCode::ParamError));
}

#[tokio::test]
async fn lists_page_through_every_item_and_empty_lists_are_empty() {
    let sim = simulator().await;
    let admin = keyed(&sim);
    for n in 0..7 {
        let name = format!("paged-{n}");
        admin
            .call(api("createDomain"))
            .params(Params::from([("name", name.as_str())]))
            .await
            .unwrap();
    }
    let paged = Client::builder(sim.url())
        .keys(sim.api_key(), sim.secret_key())
        .page_size(3)
        .build()
        .unwrap();
    let domains = paged
        .list_all("listDomains", Params::from([("listall", "true")]))
        .await
        .unwrap();
    assert_eq!(
        domains.len(),
        8,
        "ROOT and seven children across three pages"
    );
    let none = admin
        .list_all("listDomains", Params::from([("name", "no-such-domain")]))
        .await
        .unwrap();
    assert!(none.is_empty());
    let past_end = admin
        .call(api("listDomains"))
        .params(Params::from([
            ("listall", "true"),
            ("page", "9"),
            ("pagesize", "3"),
        ]))
        .await
        .unwrap();
    assert_eq!(past_end, serde_json::json!({"count": 8}));
}

#[tokio::test]
async fn async_jobs_succeed_and_failed_jobs_carry_their_code() {
    let sim = simulator().await;
    let admin = keyed(&sim);
    let (account_id, _) = new_user(&admin, "jobs-user").await;
    let disabled = admin
        .call(api("disableAccount"))
        .params(Params::from([
            ("id", account_id.as_str()),
            ("lock", "false"),
        ]))
        .await
        .expect("the job succeeds");
    assert_eq!(disabled["account"]["state"], "disabled");

    admin
        .call(api("configureSimulatorFault"))
        .params(Params::from([
            ("apiname", "disableAccount"),
            ("action", "fail"),
            ("target", "job"),
            ("errorcode", "530"),
        ]))
        .await
        .expect("fault armed");
    let failed = admin
        .call(api("disableAccount"))
        .params(Params::from([
            ("id", account_id.as_str()),
            ("lock", "true"),
        ]))
        .await
        .unwrap_err();
    assert!(matches!(failed, Error::JobFailed { .. }), "{failed:?}");
    assert_eq!(failed.code(), Some(ErrorCode::InternalError));
    assert!(failed.job_id().is_some());
}

#[tokio::test]
async fn a_hanging_job_times_out_with_its_job_id() {
    let sim = simulator().await;
    let admin = keyed(&sim);
    let (account_id, _) = new_user(&admin, "slow-user").await;
    admin
        .call(api("configureSimulatorFault"))
        .params(Params::from([
            ("apiname", "disableAccount"),
            ("action", "hang"),
            ("target", "job"),
            ("delay", "5000"),
        ]))
        .await
        .unwrap();
    let options = marvin_core::RequestOptions::new()
        .with_wait(WaitOptions::new().with_timeout(Duration::from_millis(200)));
    let error = admin
        .call(api("disableAccount"))
        .params(Params::from([
            ("id", account_id.as_str()),
            ("lock", "false"),
        ]))
        .options(options.clone())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::JobTimeout { .. }), "{error:?}");
    assert!(error.job_id().is_some());
}

#[tokio::test]
async fn a_user_cannot_call_admin_apis_nor_touch_other_accounts() {
    let sim = simulator().await;
    let admin = keyed(&sim);
    let (_, alice) = new_user(&admin, "alice").await;
    let (_, bob) = new_user(&admin, "bob").await;
    let as_alice = admin
        .for_user(&alice)
        .await
        .expect("a client acting as alice");

    let admin_only = as_alice
        .call(api("createZone"))
        .params(Params::from([
            ("name", "z"),
            ("networktype", "Advanced"),
            ("dns1", "8.8.8.8"),
            ("internaldns1", "8.8.8.8"),
        ]))
        .await
        .unwrap_err();
    assert_eq!(admin_only.code(), Some(ErrorCode::UnsupportedAction));

    let visible = as_alice
        .list_all("listAccounts", Params::from([("listall", "true")]))
        .await
        .unwrap();
    assert_eq!(visible.len(), 1, "alice sees only her own account");
    assert_eq!(visible[0]["name"], "alice");

    let denied = as_alice
        .call(api("registerUserKeys"))
        .params(Params::from([("id", bob.as_str())]))
        .await
        .unwrap_err();
    assert_eq!(
        code(&denied),
        (
            Some(ErrorCode::AccountError),
            Some(CsErrorCode::PermissionDenied)
        )
    );

    let apis = as_alice.call(api("listApis")).await.unwrap();
    let names: Vec<&str> = apis["api"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(
        names.contains(&"listZones") && !names.contains(&"createZone"),
        "listApis shows only what alice may call"
    );
}

#[tokio::test]
async fn secrets_travel_by_post_and_are_accepted() {
    let sim = simulator().await;
    let admin = keyed(&sim);
    // createAccount carries a password, so the client sends it as a form body.
    let (_, user) = new_user(&admin, "poster").await;
    let keys = admin
        .call(api("getUserKeys"))
        .params(Params::from([("id", user.as_str())]))
        .await
        .unwrap();
    assert!(keys.get("userkeys").is_some());
}
