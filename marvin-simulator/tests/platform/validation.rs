//! Generic validation, envelopes and list shapes, over HTTP.

use marvin_core::signing::sign;
use marvin_simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::support::{Api, assert_error, inner, pairs, query, start, start_with};

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
        430,
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

/// A name sent twice has one value for every reader, the one CloudStack's
/// servlet reads (`ApiServlet.processRequestInContext` and `utf8Fixup`): the
/// last `name=value` of the query string, else the first in the form body;
/// and the signature covers each name once, with that value
/// (`ApiServer.verifyRequest` signs the parameter map).
#[tokio::test]
async fn a_parameter_sent_twice_has_one_value_for_every_reader() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let domains = |body: &Value| -> Vec<String> {
        inner(body, "listDomains")["domain"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    // GET: an earlier `name` is replaced by the last one.
    let signed = admin.sign("listDomains", &[("name", "ROOT")]);
    let mut sent = pairs(&[("name", "nosuch")]);
    sent.extend(signed.iter().cloned());
    let (status, body) = admin.get_pairs(&sent).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(domains(&body), ["ROOT"]);

    // The routing reads the same value as the rest: the last `command`.
    let mut sent = pairs(&[("command", "listZones")]);
    sent.extend(signed.iter().cloned());
    let (status, body) = admin.get_pairs(&sent).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(domains(&body), ["ROOT"]);

    // A signature over both values is not CloudStack's: 401.
    let mut both = pairs(&[
        ("name", "nosuch"),
        ("name", "ROOT"),
        ("command", "listDomains"),
        ("apiKey", sim.api_key()),
        ("response", "json"),
    ]);
    let signature = sign(
        both.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        sim.secret_key(),
    );
    both.push(("signature".into(), signature));
    let (status, body) = admin.get_pairs(&both).await;
    assert_error(
        status,
        &body,
        401,
        "listdomainsresponse",
        "unable to verify",
    );

    // A form body: the first value counts.
    let mut body_pairs = signed.clone();
    body_pairs.push(("name".into(), "nosuch".into()));
    let (status, body) = post_form(&admin, None, &query(&body_pairs)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(domains(&body), ["ROOT"]);

    // The query string wins over the body.
    let mut body_pairs: Vec<(String, String)> = signed
        .iter()
        .filter(|(n, _)| n != "name")
        .cloned()
        .collect();
    body_pairs.push(("name".into(), "nosuch".into()));
    let (status, body) = post_form(&admin, Some("name=ROOT"), &query(&body_pairs)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(domains(&body), ["ROOT"]);
}

/// A form POST to the API, with an optional query string.
async fn post_form(api: &Api, query: Option<&str>, body: &str) -> (u16, Value) {
    let url = match query {
        Some(query) => format!("{}?{query}", api.url),
        None => api.url.clone(),
    };
    let response = api
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .expect("answered");
    crate::support::read(response).await
}

/// MySQL's case-insensitive collation finds an id given in upper case; the
/// answers carry ids as stored, in lower case.
#[tokio::test]
async fn ids_in_upper_case_find_their_objects() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let root = admin.ok("listDomains", &[("name", "ROOT")]).await["domain"][0]["id"]
        .as_str()
        .expect("the root domain")
        .to_owned();
    let upper = root.to_uppercase();
    assert_ne!(root, upper);
    let found = admin.ok("listDomains", &[("id", &upper)]).await;
    assert_eq!(found["count"], 1, "{found}");
    assert_eq!(found["domain"][0]["id"], root.as_str());

    let created = admin
        .ok(
            "createDomain",
            &[("name", "child"), ("parentdomainid", &upper)],
        )
        .await;
    assert_eq!(
        created["domain"]["parentdomainid"],
        root.as_str(),
        "{created}"
    );

    let templates = admin
        .ok("listTemplates", &[("templatefilter", "all")])
        .await;
    let template = templates["template"][0]["id"]
        .as_str()
        .expect("a template")
        .to_owned();
    let listed = admin
        .ok(
            "listTemplates",
            &[("templatefilter", "all"), ("ids", &template.to_uppercase())],
        )
        .await;
    assert_eq!(listed["template"][0]["id"], template.as_str(), "{listed}");
}

/// `keyword=%00` and `name=%00` find what MySQL's LIKE finds: values with a
/// NUL, so none, not everything (SQLite's LIKE would stop at the NUL).
#[tokio::test]
async fn a_nul_in_a_keyword_or_a_name_filter_matches_nothing() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    assert_ne!(admin.ok("listZones", &[]).await, json!({}), "zones exist");
    for (command, filter) in [
        ("listZones", "keyword"),
        ("listDomains", "keyword"),
        ("listAccounts", "keyword"),
        ("listEvents", "keyword"),
        ("listConfigurations", "name"),
    ] {
        let found = admin.ok(command, &[(filter, "\0")]).await;
        assert_eq!(found, json!({}), "{command} {filter}=%00");
    }
}

/// A domain admin's lists reach its own subtree only, also when its domain's
/// name holds a NUL (a LIKE prefix would stop there and reach a sibling
/// whose name starts the same up to the NUL).
#[tokio::test]
async fn a_domain_admin_sees_its_subtree_only_even_with_a_nul_in_its_name() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let own = create_domain(&admin, "a\0").await;
    // Its path is `/a<NUL>x/`: SQLite's LIKE reads both it and the pattern
    // `/a<NUL>/%` as `/a`.
    let sibling = create_domain(&admin, "a\0x").await;
    create_account(&admin, "nuladmin", &own, "2").await;
    create_account(&admin, "neighbour", &sibling, "0").await;
    sim.with_db(|db| {
        db.execute(
            "UPDATE users SET api_key = 'nul-key', secret_key = 'nul-secret' WHERE username = 'nuladmin'",
            [],
        )
        .expect("keys are set")
    });
    let domain_admin = Api::new(sim.url(), "nul-key", "nul-secret");
    let listed = domain_admin
        .ok("listAccounts", &[("listall", "true")])
        .await;
    let names: Vec<&str> = listed["account"]
        .as_array()
        .map(|all| all.iter().filter_map(|a| a["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["nuladmin"], "{listed}");
}

async fn create_domain(admin: &Api, name: &str) -> String {
    admin.ok("createDomain", &[("name", name)]).await["domain"]["id"]
        .as_str()
        .expect("a domain id")
        .to_owned()
}

async fn create_account(admin: &Api, name: &str, domain: &str, account_type: &str) {
    admin
        .ok(
            "createAccount",
            &[
                ("username", name),
                ("password", "secret-password"),
                ("firstname", "Test"),
                ("lastname", "User"),
                ("email", "test@example.com"),
                ("accounttype", account_type),
                ("domainid", domain),
            ],
        )
        .await;
}

/// `ParamUnpackWorker.handle` reads a map index with `Integer.parseInt`:
/// one beyond Java's `int` is a malformed parameter (430, 9999), not a
/// dropped entry that then reads as a missing map.
#[tokio::test]
async fn a_map_index_beyond_javas_int_is_a_malformed_parameter() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .expect("a zone")
        .to_owned();
    for index in ["4294967296", "2147483648", "x"] {
        let key = format!("tags[{index}].key");
        let value = format!("tags[{index}].value");
        let (status, body) = admin
            .call(
                "createTags",
                &[
                    ("resourcetype", "Zone"),
                    ("resourceids", &zone),
                    (&key, "k"),
                    (&value, "v"),
                ],
            )
            .await;
        assert_error(
            status,
            &body,
            430,
            "createtagsresponse",
            &format!(
                "Unable to decode parameter {key}; if specifying an object array, please use \
                 parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup"
            ),
        );
        assert_eq!(body["createtagsresponse"]["cserrorcode"], 9999, "{body}");
    }
}

/// A POST body that is not a form is not read (as in CloudStack's servlet
/// container): only the query string counts, and when it lacks the command
/// or `response=json`, the answer says that the body was not read.
#[tokio::test]
async fn a_post_body_that_is_not_a_form_is_not_read() {
    let sim = start_with(SimulatorConfig {
        integration_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..Default::default()
    })
    .await;
    let open = sim.integration_url().expect("an integration port");
    let http = reqwest::Client::new();
    let post = |query: &'static str, content_type: Option<&'static str>, body: &'static str| {
        let mut request = http.post(format!("{open}{query}")).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        async move { crate::support::read(request.send().await.expect("answered")).await }
    };
    let cases = [
        (
            Some("application/json"),
            r#"{"command":"listZones","response":"json"}"#,
            "sent with Content-Type application/json. The query string alone has no command",
        ),
        (
            Some("text/plain"),
            "command=listZones&response=json",
            "sent with Content-Type text/plain. The query string alone has no command",
        ),
        (
            None,
            "command=listZones&response=json",
            "sent with no Content-Type. The query string alone has no command",
        ),
        (
            Some("application/x-www-form-urlencodedx"),
            "command=listZones&response=json",
            "The query string alone has no command",
        ),
    ];
    for (content_type, body, text) in cases {
        let (status, answer) = post("", content_type, body).await;
        assert_error(
            status,
            &answer,
            432,
            "errorresponse",
            "The request body was not read",
        );
        assert_error(status, &answer, 432, "errorresponse", text);
    }
    let (status, answer) = post("?command=listZones", Some("application/json"), "{}").await;
    assert_error(
        status,
        &answer,
        432,
        "errorresponse",
        "The query string alone has no response=json",
    );
    // A query string that has what it needs is served from it alone.
    let (status, answer) = post(
        "?command=listZones&response=json",
        Some("application/json"),
        r#"{"name":"nosuch"}"#,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_ne!(
        inner(&answer, "listZones"),
        json!({}),
        "the body's name was not read"
    );
    // A form, in any case and with parameters, is read.
    let (status, answer) = post(
        "",
        Some("Application/X-WWW-Form-URLEncoded ; charset=UTF-8"),
        "command=listZones&response=json",
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}
