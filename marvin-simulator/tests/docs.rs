//! The API's description over HTTP: `/client/api/openapi.json` describes
//! every API the simulator serves, `/docs` is the swagger-ui page with its
//! vendored assets (nothing from elsewhere), and the calls the page's
//! interceptor makes on "Try it out" (login, then listZones with the
//! session's key and cookie) work.

#[allow(dead_code)] // The session is opened by hand here, not by the signing client.
mod common;

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::Value;

async fn json(answer: reqwest::Response) -> Value {
    let text = answer.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn root(url: &str) -> &str {
    url.trim_end_matches("/client/api")
}

#[tokio::test]
async fn the_page_its_assets_and_the_document_are_served() {
    let sim = common::start(false).await;
    let base = root(&sim.url()).to_string();
    let http = reqwest::Client::new();

    let page = http.get(format!("{base}/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("/client/api/openapi.json"));
    assert!(html.contains("requestInterceptor"));
    assert!(
        !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/docs/"))
        .collect();
    assert_eq!(assets.len(), 3, "{assets:?}");
    for asset in assets {
        let answer = http.get(format!("{base}{asset}")).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{asset}");
        assert!(answer.bytes().await.unwrap().len() > 500, "{asset}");
    }
    let bundle = http
        .get(format!("{base}/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert!(
        bundle.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(bundle.text().await.unwrap().contains("SwaggerUIBundle"));
    let licence = http
        .get(format!("{base}/docs/LICENSE"))
        .send()
        .await
        .unwrap();
    assert!(licence.text().await.unwrap().contains("Apache License"));
    let missing = http
        .get(format!("{base}/docs/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let doc = json(
        http.get(format!("{base}/client/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/client/api");
    let catalog = marvin_simulator::catalog::Catalog::global().unwrap();
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        catalog.apis().len()
    );
    assert!(doc["paths"]["/listZones"]["get"].is_object());
    assert!(doc["paths"]["/login"]["post"].is_object());
}

#[tokio::test]
async fn try_it_out_logs_in_and_lists_zones_with_the_session() {
    let sim = common::start(false).await;
    let base = root(&sim.url()).to_string();
    let http = reqwest::Client::new();

    // login: the page's POST /client/api/login with the form body, which the
    // interceptor sends to /client/api with the command and response=json.
    let login = http
        .post(format!("{base}/client/api?command=login&response=json"))
        .form(&[
            ("username", "admin"),
            ("password", sim.admin_password()),
            ("domain", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookies: Vec<String> = login
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .collect();
    // The session's cookie; login's `sessionkey` cookie is left out, so
    // that the key the interceptor adds is what authenticates.
    let cookies: Vec<String> = cookies
        .into_iter()
        .filter(|c| c.starts_with("JSESSIONID="))
        .collect();
    assert_eq!(cookies.len(), 1);
    let body = json(login).await;
    let key = body["loginresponse"]["sessionkey"]
        .as_str()
        .unwrap()
        .to_string();

    // listZones: the interceptor adds the key; the browser sends the cookie.
    let zones = http
        .get(format!("{base}/client/api"))
        .query(&[
            ("command", "listZones"),
            ("response", "json"),
            ("sessionkey", key.as_str()),
        ])
        .header(COOKIE, cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(zones.status(), 200);
    let body = json(zones).await;
    assert!(
        body["listzonesresponse"]["count"].as_u64().unwrap() >= 1,
        "{body}"
    );
    assert!(body["listzonesresponse"]["zone"][0]["id"].is_string());

    // Without the key the same call is refused, so the key is what counts.
    let refused = http
        .get(format!("{base}/client/api?command=listZones&response=json"))
        .header(COOKIE, cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}
