//! Requests on the wire: signing, methods, encoding, error decoding.

use marvin_core::Api;
use marvin_core::{Client, CsErrorCode, Error, ErrorCode, Params};
use serde_json::json;

use crate::fake::{FakeCloud, Reply, sample_inner};

/// Answers listZones when the request is signed with `secret`, 401 otherwise.
async fn signed_cloud(secret: &'static str) -> FakeCloud {
    FakeCloud::start(move |call| {
        if !call.signature_ok(secret) {
            return Reply::error(
                &call.command(),
                401,
                None,
                "unable to verify user credentials and/or request signature",
            );
        }
        Reply::ok(
            &call.command(),
            json!({"count": 1, "zone": [{"id": "z1", "name": "zone1"}]}),
        )
    })
    .await
}

fn is_v3_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 24
        && text.ends_with("+0000")
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && text[..4].bytes().all(|c| c.is_ascii_digit())
}

#[tokio::test]
async fn key_clients_sign_every_request_with_version_3() {
    let cloud = signed_cloud("s3cret-key").await;
    let client = Client::builder(&cloud.url)
        .keys("the-key", "s3cret-key")
        .build()
        .unwrap();
    let mut params = Params::new();
    params
        .set("available", true)
        .set("name", "a b*~,é")
        .set("templateId", 3);
    let answer = client
        .call(Api::unknown("listZones"))
        .params(params)
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({"count": 1, "zone": [{"id": "z1", "name": "zone1"}]})
    );

    let calls = cloud.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "GET");
    assert!(call.raw_body.is_empty());
    assert_eq!(call.get("response").as_deref(), Some("json"));
    assert_eq!(call.get("apiKey").as_deref(), Some("the-key"));
    assert_eq!(call.get("command").as_deref(), Some("listZones"));
    assert_eq!(call.get("signatureVersion").as_deref(), Some("3"));
    assert_eq!(call.get("name").as_deref(), Some("a b*~,é"));
    let expires = call.get("expires").unwrap();
    assert!(is_v3_timestamp(&expires), "{expires}");
    // Every name appears exactly once.
    let mut names: Vec<String> = call
        .params()
        .into_iter()
        .map(|(n, _)| n.to_lowercase())
        .collect();
    let total = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), total, "{:?}", call.params());
}

#[tokio::test]
async fn version_3_can_be_switched_off() {
    let cloud = signed_cloud("bar").await;
    let client = Client::builder(&cloud.url)
        .keys("foo", "bar")
        .signature_v3(false)
        .build()
        .unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    let call = &cloud.calls()[0];
    assert_eq!(call.get("signatureVersion"), None);
    assert_eq!(call.get("expires"), None);
    assert!(call.signature_ok("bar"));
}

#[tokio::test]
async fn a_wrong_secret_is_a_401_without_cserrorcode() {
    let cloud = signed_cloud("right").await;
    let client = Client::builder(&cloud.url)
        .keys("k", "wrong")
        .build()
        .unwrap();
    let err = client.call(Api::unknown("listZones")).await.unwrap_err();
    match &err {
        Error::Api {
            command,
            status,
            code,
            cs_code,
            text,
        } => {
            assert_eq!(command, "listZones");
            assert_eq!(*status, 401);
            assert_eq!(*code, ErrorCode::Unauthorized);
            assert_eq!(*cs_code, None);
            assert!(text.contains("unable to verify"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert!(!err.is_retryable() && !err.is_not_found());
    // Not retried: an API error is an answer.
    assert_eq!(cloud.calls().len(), 1);
}

#[tokio::test]
async fn password_bearing_calls_are_posted_with_nothing_in_the_query() {
    let cloud = signed_cloud("sk").await;
    let client = Client::builder(&cloud.url).keys("k", "sk").build().unwrap();
    let mut params = Params::new();
    params
        .set("username", "bob")
        .set("password", "hunter2 with spaces&more")
        .set("email", "bob@example.com");
    client
        .call(Api::unknown("createUser"))
        .params(params)
        .await
        .unwrap();
    let call = &cloud.calls()[0];
    assert_eq!(call.method, "POST");
    assert_eq!(call.raw_query, "");
    assert!(
        call.content_type
            .as_deref()
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(
        call.get("password").as_deref(),
        Some("hunter2 with spaces&more")
    );
    assert_eq!(call.get("response").as_deref(), Some("json"));
    assert!(call.signature_ok("sk"));

    // User data in a map entry too.
    let mut params = Params::new();
    params.set_map("details", [[("userdata", "#cloud-config")]]);
    client
        .call(Api::unknown("updateVirtualMachine"))
        .params(params)
        .await
        .unwrap();
    assert_eq!(cloud.calls()[1].method, "POST");
}

#[tokio::test]
async fn large_calls_and_explicit_requests_are_posted() {
    let cloud = signed_cloud("sk").await;
    let client = Client::builder(&cloud.url).keys("k", "sk").build().unwrap();
    let long = "x".repeat(2500);
    client
        .call(Api::unknown("updateTemplate"))
        .params(Params::from([("displaytext", long.as_str())]))
        .await
        .unwrap();
    client.call(Api::unknown("listZones")).post().await.unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    let methods: Vec<String> = cloud.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["POST", "POST", "GET"]);
    assert!(cloud.calls().iter().all(|c| c.signature_ok("sk")));
    assert_eq!(cloud.calls()[0].get("displaytext").unwrap().len(), 2500);
}

#[tokio::test]
async fn maps_and_lists_arrive_as_the_server_expects() {
    let cloud = signed_cloud("sk").await;
    let client = Client::builder(&cloud.url).keys("k", "sk").build().unwrap();
    let mut params = Params::new();
    params
        .set_list("resourceids", ["a", "b"])
        .set("resourcetype", "UserVm")
        .set_map(
            "tags",
            [
                [("key", "env"), ("value", "ci run")],
                [("key", "team"), ("value", "x")],
            ],
        );
    client
        .call(Api::unknown("createTags"))
        .params(params)
        .await
        .unwrap();
    let call = &cloud.calls()[0];
    assert!(call.signature_ok("sk"));
    assert_eq!(call.get("resourceids").as_deref(), Some("a,b"));
    assert_eq!(call.get("tags[0].key").as_deref(), Some("env"));
    assert_eq!(call.get("tags[0].value").as_deref(), Some("ci run"));
    assert_eq!(call.get("tags[1].key").as_deref(), Some("team"));
}

#[tokio::test]
async fn caller_params_never_duplicate_the_clients_own() {
    let cloud = signed_cloud("sk").await;
    let client = Client::builder(&cloud.url).keys("k", "sk").build().unwrap();
    let params = Params::from([
        ("response", "xml"),
        ("Command", "other"),
        ("apikey", "evil"),
    ]);
    client
        .call(Api::unknown("listZones"))
        .params(params)
        .await
        .unwrap();
    let call = &cloud.calls()[0];
    assert_eq!(call.get_ci("response").as_deref(), Some("json"));
    assert_eq!(call.get_ci("command").as_deref(), Some("listZones"));
    assert_eq!(call.get_ci("apikey").as_deref(), Some("k"));
    for name in ["response", "command", "apikey"] {
        let count = call
            .params()
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count();
        assert_eq!(count, 1, "{name}");
    }
}

#[tokio::test]
async fn api_errors_carry_status_codes_and_text() {
    let cloud = FakeCloud::start(|call| match call.command().as_str() {
        "listVirtualMachines" => Reply::error(
            "listVirtualMachines",
            431,
            Some(4350),
            "Unable to execute API command listvirtualmachines due to missing parameter id",
        ),
        "deleteNetwork" => Reply::error(
            "deleteNetwork",
            431,
            Some(4350),
            "Unable to find network by id 99",
        ),
        "destroyRouter" => Reply::error(
            "destroyRouter",
            531,
            Some(4365),
            "admin does not have permission to operate with resource",
        ),
        _ => Reply::json(
            432,
            json!({"errorresponse": {"errorcode": 432, "cserrorcode": 9999,
                   "errortext": "Unknown API command: fooBar"}}),
        ),
    })
    .await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();

    let err = client
        .call(Api::unknown("listVirtualMachines"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(431));
    assert_eq!(err.code(), Some(ErrorCode::ParamError));
    assert_eq!(err.cs_code(), Some(CsErrorCode::InvalidParameterValue));
    assert!(!err.is_not_found());
    assert_eq!(
        err.to_string(),
        "listVirtualMachines was rejected (431/4350): Unable to execute API command listvirtualmachines due to missing parameter id"
    );

    let err = client
        .call(Api::unknown("deleteNetwork"))
        .await
        .unwrap_err();
    assert!(err.is_not_found());

    let err = client
        .call(Api::unknown("destroyRouter"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AccountError));
    assert_eq!(err.cs_code(), Some(CsErrorCode::PermissionDenied));

    let err = client.call(Api::unknown("fooBar")).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnsupportedAction));
    assert_eq!(err.cs_code(), Some(CsErrorCode::ServerApi));
    assert_eq!(err.text(), Some("Unknown API command: fooBar"));
}

#[tokio::test]
async fn non_json_answers_are_status_or_decode_errors() {
    let cloud = FakeCloud::start(|call| match call.command().as_str() {
        "listZones" => Reply::raw(503, "<html>Service Unavailable</html>"),
        _ => Reply::raw(200, "<html>surprise</html>"),
    })
    .await;
    let client = Client::builder(&cloud.url)
        .integration()
        .retries(0)
        .build()
        .unwrap();
    let err = client.call(Api::unknown("listZones")).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    let err = client.call(Api::unknown("createZone")).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("surprise"), "{err}");
}

#[tokio::test]
async fn integration_clients_send_no_keys() {
    let cloud = FakeCloud::start(|call| Reply::ok(&call.command(), json!({}))).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    let call = &cloud.calls()[0];
    assert_eq!(call.get("apiKey"), None);
    assert_eq!(call.get("signature"), None);
    assert_eq!(call.get("sessionkey"), None);
    assert_eq!(call.get("response").as_deref(), Some("json"));
}

#[tokio::test]
async fn sync_execute_returns_the_answer_of_sample_bodies() {
    let account = sample_inner("AccountService.json", "createAccount");
    let body = account.clone();
    let cloud = FakeCloud::start(move |call| Reply::ok(&call.command(), body.clone())).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    let answer = client
        .call(Api::described("createAccount", false))
        .params(Params::from([("username", "u")]))
        .await
        .unwrap();
    assert_eq!(answer, account);
    assert!(answer["account"]["id"].is_string());
    assert_eq!(cloud.calls_of("queryAsyncJobResult").len(), 0);
}

#[tokio::test]
async fn a_client_can_be_built_from_a_config() {
    let cloud = signed_cloud("cfg-secret").await;
    let port = cloud
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let text = format!(
        r#"{{"mgtSvr": [{{"mgtSvrIp": "127.0.0.1", "port": {port}, "apiKey": "cfg-key",
             "securityKey": "cfg-secret", "useHttps": "False", "certCAPath": "NA"}}],
            "marvin": {{"retries": 1, "pageSize": 50}}}}"#
    );
    let config = marvin_core::Config::from_str_named(&text, "inline").unwrap();
    let client = Client::from_config(&config).unwrap();
    assert_eq!(client.settings().page_size, 50);
    assert_eq!(client.api_key(), Some("cfg-key"));
    client.call(Api::unknown("listZones")).await.unwrap();
    assert!(cloud.calls()[0].signature_ok("cfg-secret"));
}

#[derive(Debug, serde::Deserialize)]
struct Zones {
    count: Option<u64>,
    #[serde(default)]
    zone: Vec<Zone>,
}

#[derive(Debug, serde::Deserialize)]
struct Zone {
    id: String,
    name: String,
}

#[tokio::test]
async fn typed_requests_decode_straight_into_structs_and_check_errors() {
    let cloud = FakeCloud::start(|call| match call.command().as_str() {
        "listZones" => Reply::ok(
            "listZones",
            json!({"count": 1, "zone": [{"id": "z1", "name": "zone1", "tags": []}]}),
        ),
        // An error answer at status 200 is still an error.
        "listHosts" => Reply::json(
            200,
            json!({"listhostsresponse": {"errorcode": 431, "cserrorcode": 4350,
                   "errortext": "Unable to execute API command listhosts due to missing parameter id"}}),
        ),
        other => Reply::ok(other, json!({"zone": [{"id": 7}]})),
    })
    .await;
    let client = Client::builder(&cloud.url)
        .keys("k", "the-secret")
        .build()
        .unwrap();
    let zones: Zones = client
        .call(Api::unknown("listZones"))
        .send_as()
        .await
        .unwrap();
    assert_eq!(zones.count, Some(1));
    assert_eq!(
        (zones.zone[0].id.as_str(), zones.zone[0].name.as_str()),
        ("z1", "zone1")
    );
    assert!(cloud.calls()[0].signature_ok("the-secret"));

    let err = client
        .call(Api::unknown("listHosts"))
        .send_as::<Zones>()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ParamError));
    assert_eq!(err.cs_code(), Some(CsErrorCode::InvalidParameterValue));

    let err = client
        .call(Api::unknown("listPods"))
        .post()
        .send_as::<Zones>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("expected shape"), "{err}");
    assert_eq!(cloud.calls().last().unwrap().method, "POST");
}
