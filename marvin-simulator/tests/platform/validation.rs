//! Generic validation, envelopes and list shapes, over HTTP.

use marvin_simulator::SimulatorConfig;
use serde_json::json;

use crate::support::{Api, assert_error, inner, start, start_with};

#[tokio::test]
async fn unknown_commands() {
    let sim = start_with(SimulatorConfig {
        integration_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..Default::default()
    })
    .await;
    let admin = Api::admin(&sim);
    // With a key: 401, as a real server does.
    let (status, body) = admin.call("frobnicate", &[]).await;
    assert_error(status, &body, 401, "errorresponse", "unable to verify");
    // On the integration port: 432.
    let open = Api::new(sim.integration_url().unwrap(), "", "");
    let (status, body) = open.raw("command=frobnicate&response=json").await;
    assert_error(
        status,
        &body,
        432,
        "errorresponse",
        "Unknown API command: frobnicate",
    );
    assert_eq!(body["errorresponse"]["cserrorcode"], 4555);
    // And a served command works there without credentials, as the root admin.
    let (status, body) = open.raw("command=listSimulatorFaults&response=json").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = open.raw("response=json").await;
    assert_error(status, &body, 400, "errorresponse", "no command specified");
}

#[tokio::test]
async fn missing_parameters_malformed_uuids_and_long_strings() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let (status, body) = admin.call("queryAsyncJobResult", &[]).await;
    assert_error(
        status,
        &body,
        431,
        "queryasyncjobresultresponse",
        "Unable to execute API command queryasyncjobresult due to missing parameter jobid",
    );
    assert_eq!(body["queryasyncjobresultresponse"]["cserrorcode"], 4350);
    assert_eq!(body["queryasyncjobresultresponse"]["uuidList"], json!([]));

    let (status, body) = admin
        .call("queryAsyncJobResult", &[("jobid", "not-a-uuid")])
        .await;
    assert_error(
        status,
        &body,
        431,
        "queryasyncjobresultresponse",
        "Invalid parameter jobid value=not-a-uuid due to incorrect long value format, or entity does not exist",
    );
    // A well-formed id of nothing gets the same answer from the handler.
    let (status, _) = admin
        .call(
            "queryAsyncJobResult",
            &[("jobid", "0f8fad5b-d9cb-469f-a165-70867728950e")],
        )
        .await;
    assert_eq!(status, 431);

    let long = "x".repeat(256);
    let (status, body) = admin.call("listEvents", &[("keyword", &long)]).await;
    assert_error(
        status,
        &body,
        431,
        "listeventsresponse",
        "Value greater than max allowed length 255 for param: keyword",
    );
    let (status, _) = admin.call("listEvents", &[("keyword", &long[..255])]).await;
    assert_eq!(status, 200);

    let (status, body) = admin
        .call("listEvents", &[("startdate", "last tuesday")])
        .await;
    assert_error(
        status,
        &body,
        431,
        "listeventsresponse",
        "Unable to parse date last tuesday",
    );
    let (status, body) = admin
        .call(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("count", "two"),
            ],
        )
        .await;
    assert_error(
        status,
        &body,
        431,
        "configuresimulatorfaultresponse",
        "due to invalid value two for parameter count",
    );
    let (status, body) = admin.call("listEvents", &[("tags[x].key", "a")]).await;
    assert_error(
        status,
        &body,
        431,
        "listeventsresponse",
        "Unable to decode parameter tags[x].key",
    );
}

#[tokio::test]
async fn paging_rules() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("page", "1")],
            "\"pagesize\" parameter is required when \"page\" is specified",
        ),
        (
            &[("pagesize", "5")],
            "\"page\" parameter is required when \"pagesize\" is specified",
        ),
        (
            &[("page", "1"), ("pagesize", "501")],
            "Page size can't exceed max allowed page size value: 500",
        ),
        (
            &[("page", "1"), ("pagesize", "-1")],
            "Can't specify page parameter when pagesize is -1 (Unlimited)",
        ),
    ];
    for (params, text) in cases {
        let (status, body) = admin.call("listEvents", params).await;
        assert_error(status, &body, 431, "listeventsresponse", text);
    }
    for ok in [
        &[("pagesize", "-1")][..],
        &[("page", "2"), ("pagesize", "500")][..],
    ] {
        assert_eq!(admin.call("listEvents", ok).await.0, 200);
    }
}

#[tokio::test]
async fn list_shapes_empty_page_and_past_the_end() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    for name in ["e1", "e2", "e3"] {
        admin
            .ok(
                "configureSimulatorFault",
                &[
                    ("apiname", "listUsers"),
                    ("action", "delay"),
                    ("delay", "0"),
                    ("errortext", name),
                ],
            )
            .await;
    }
    let all = admin.ok("listSimulatorFaults", &[]).await;
    assert_eq!(all["count"], 3);
    assert_eq!(all["simulatorfault"].as_array().unwrap().len(), 3);
    let page = admin
        .ok("listSimulatorFaults", &[("page", "2"), ("pagesize", "2")])
        .await;
    assert_eq!(page["count"], 3, "count is the total, not the page size");
    assert_eq!(page["simulatorfault"].as_array().unwrap().len(), 1);
    let past = admin
        .ok("listSimulatorFaults", &[("page", "3"), ("pagesize", "2")])
        .await;
    assert_eq!(past, json!({"count": 3}));
    let none = admin
        .ok("listSimulatorFaults", &[("apiname", "listEvents")])
        .await;
    assert_eq!(none, json!({}));
}

#[tokio::test]
async fn json_only_and_bad_encodings_are_cloudstack_shaped() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let mut xml = admin.sign("listEvents", &[]);
    xml.retain(|(n, _)| n != "response");
    let (status, body) = admin.get_pairs(&xml).await;
    assert_error(status, &body, 432, "listeventsresponse", "only in JSON");
    for raw in [
        "command=listEvents&response=json&x=%zz",
        "command=listEvents&response=json&x=%C3%28",
    ] {
        let (status, body) = admin.raw(raw).await;
        assert_error(
            status,
            &body,
            430,
            "errorresponse",
            "Unable to decode parameter x",
        );
    }
    let response = admin.http.put(&admin.url).send().await.unwrap();
    let (status, body) = crate::support::read(response).await;
    assert_error(status, &body, 405, "errorresponse", "GET or POST");
    let response = admin
        .http
        .get(admin.url.replace("/client/api", "/elsewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(crate::support::read(response).await.0, 404);
}

#[tokio::test]
async fn list_apis_serves_the_precache_shape() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let all = admin.ok("listApis", &[]).await;
    let apis = all["api"].as_array().unwrap();
    assert_eq!(all["count"].as_u64().unwrap() as usize, apis.len());
    for api in apis {
        for field in ["name", "description", "isasync", "params", "response"] {
            assert!(
                api.get(field).is_some(),
                "{field} missing in {}",
                api["name"]
            );
        }
        for param in api["params"].as_array().unwrap() {
            for field in ["name", "description", "type", "required"] {
                assert!(
                    param.get(field).is_some(),
                    "{field} missing in {}.{}",
                    api["name"],
                    param["name"]
                );
            }
        }
    }
    let one = admin
        .ok("listApis", &[("name", "queryAsyncJobResult")])
        .await;
    assert_eq!(one["count"], 1);
    assert_eq!(one["api"][0]["name"], "queryAsyncJobResult");
    assert_eq!(one["api"][0]["isasync"], false);
    let (status, body) = admin.call("listApis", &[("name", "noSuchApi")]).await;
    assert_error(
        status,
        &body,
        530,
        "listapisresponse",
        "unable to find an api by that name",
    );
    // POST works the same as GET.
    let (status, body) = admin.post("listApis", &[("name", "listEvents")]).await;
    assert_eq!(status, 200);
    assert_eq!(inner(&body, "listApis")["api"][0]["name"], "listEvents");
}

/// Random and malformed requests: every answer is CloudStack-shaped JSON
/// whose `errorcode` equals the HTTP status, and the server keeps serving.
#[tokio::test]
async fn malformed_requests_get_cloudstack_shaped_answers() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let pieces = [
        "command=",
        "command=listEvents",
        "command=login",
        "command=queryAsyncJobResult",
        "response=json",
        "response=xml",
        "page=",
        "page=-3",
        "pagesize=99999999999",
        "jobid=%00",
        "tags[0].key=%FF%FE",
        "%",
        "%%",
        "=",
        "&&&",
        "a[=b",
        "apiKey=x",
        "signature=%2B%2F%3D",
        "signatureVersion=3",
        "expires=2099-01-01T00:00:00+0000",
        "keyword=%E2%82%AC",
        "startdate=2024-13-45",
        "x=%C0%AF",
        "name=",
        "details[99999999999999999999].a=b",
        "sessionkey=",
        "+=+",
        "id=00000000-0000-0000-0000-000000000000",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let count = 1 + next() % 5;
        let query: Vec<&str> = (0..count)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let query = query.join("&");
        let (status, body) = admin.raw(&query).await;
        let inner = body
            .as_object()
            .and_then(|o| o.values().next())
            .unwrap_or_else(|| panic!("{query}: {body}"));
        if status != 200 {
            assert_eq!(inner["errorcode"], status, "{query}: {body}");
            assert!(inner["errortext"].is_string(), "{query}: {body}");
        }
        assert!(!(500..530).contains(&status), "{query}: a bare 5xx: {body}");
    }
    assert_eq!(admin.call("listEvents", &[]).await.0, 200);
}

#[tokio::test]
async fn a_post_body_that_never_arrives_in_full_is_refused_after_the_body_timeout() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let sim = crate::support::start_with(marvin_simulator::SimulatorConfig {
        body_timeout: std::time::Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    // 100 bytes promised, 12 sent, and the connection left open.
    stream
        .write_all(
            b"POST /client/api HTTP/1.1\r\nHost: sim\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\ncommand=list",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    // The server answers and closes; without the timeout this read would
    // wait for the test's own timeout.
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("answered and closed within the body timeout")
    .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 430"), "{answer}");
    assert!(
        answer.contains(r#""errorresponse":{"#)
            && answer.contains("The request body did not arrive within 200 ms"),
        "{answer}"
    );
}
