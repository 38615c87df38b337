//! Sessions: login (POST only), the cookie plus session key, logout.

use serde_json::Value;

use crate::support::{assert_error, read, start};

/// The `Cookie` header a browser would send back for these `Set-Cookie`
/// values (name=value of each).
fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn login(http: &reqwest::Client, url: &str, form: &str) -> (u16, Value, Vec<String>) {
    let response = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("command=login&response=json&{form}"))
        .send()
        .await
        .unwrap();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let (status, body) = read(response).await;
    (status, body, cookies)
}

#[tokio::test]
async fn login_cookie_and_session_key_then_logout() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let url = sim.url();
    let form = format!(
        "username={}&password={}&domain=%2F",
        sim.admin_username(),
        sim.admin_password()
    );
    let (status, body, cookies) = login(&http, &url, &form).await;
    assert_eq!(status, 200, "{body}");
    let answer = &body["loginresponse"];
    for field in [
        "username",
        "userid",
        "domainid",
        "timeout",
        "account",
        "firstname",
        "lastname",
        "type",
        "registered",
        "sessionkey",
    ] {
        assert!(
            answer.get(field).is_some(),
            "loginresponse has no {field}: {answer}"
        );
    }
    assert_eq!(answer["type"], "1");
    assert!(answer.get("loginresponse").is_none() && answer.get("user").is_none());
    let key = answer["sessionkey"].as_str().unwrap().to_string();
    let jsession = cookies
        .iter()
        .find(|c| c.starts_with("JSESSIONID="))
        .expect("a JSESSIONID cookie");
    assert!(
        jsession.contains(".node0; Path=/client; HttpOnly"),
        "{jsession}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with(&format!("sessionkey={key}"))),
        "{cookies:?}"
    );

    // Both cookies go back, as a browser (or curl with a cookie jar) sends
    // them; the key may come as the cookie, the parameter or both, and each
    // one sent must match, as CloudStack's servlet checks it.
    let cookie = cookie_header(&cookies);
    let call = |command: &str, extra: &str| {
        let request = http
            .get(format!("{url}?command={command}&response=json{extra}"))
            .header("cookie", cookie.clone());
        async move { read(request.send().await.unwrap()).await }
    };
    let encoded = marvin_core::signing::java_url_encode(&key);
    let (status, body) = call("listEvents", &format!("&sessionkey={encoded}")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call("listEvents", "").await;
    assert_eq!(status, 200, "the sessionkey cookie alone: {body}");
    let (status, _) = call("listEvents", "&sessionkey=wrong").await;
    assert_eq!(status, 401);
    // JSESSIONID without the key, as cookie or parameter: refused.
    let jsession_only = jsession.split(';').next().unwrap_or_default().to_owned();
    let request = http
        .get(format!("{url}?command=listEvents&response=json"))
        .header("cookie", jsession_only);
    let (status, body) = read(request.send().await.unwrap()).await;
    assert_error(
        status,
        &body,
        401,
        "listeventsresponse",
        "unable to verify user credentials",
    );

    // The login is an event of the admin.
    let (_, body) = call(
        "listEvents",
        &format!("&sessionkey={encoded}&type=USER.LOGIN"),
    )
    .await;
    assert!(
        body["listeventsresponse"]["count"].as_u64().unwrap() >= 1,
        "{body}"
    );

    let (status, body) = call("logout", &format!("&sessionkey={encoded}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["logoutresponse"]["description"], "success");
    // The session is over; sending its cookies again does not help.
    let again = http
        .get(format!(
            "{url}?command=listEvents&response=json&sessionkey={encoded}"
        ))
        .header(
            "cookie",
            format!("{}; sessionkey={key}", jsession.split(';').next().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(read(again).await.0, 401);
}

#[tokio::test]
async fn login_needs_post_and_valid_credentials() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let url = sim.url();
    let get = http
        .get(format!(
            "{url}?command=login&response=json&username=admin&password=password"
        ))
        .send()
        .await
        .unwrap();
    let (status, body) = read(get).await;
    assert_error(
        status,
        &body,
        405,
        "loginresponse",
        "Please use HTTP POST to authenticate using this API",
    );

    let (status, body, cookies) = login(&http, &url, "username=admin&password=wrong").await;
    assert_error(
        status,
        &body,
        531,
        "loginresponse",
        "Failed to authenticate user admin in domain",
    );
    assert!(cookies.is_empty());
    let (status, body, _) = login(
        &http,
        &url,
        "username=admin&password=password&domain=%2Fnowhere%2F",
    )
    .await;
    assert_error(
        status,
        &body,
        531,
        "loginresponse",
        "please provide valid credentials",
    );
    let (status, body, _) = login(&http, &url, "password=password").await;
    assert_error(
        status,
        &body,
        431,
        "loginresponse",
        "due to missing parameter username",
    );
    let (status, body, _) = login(&http, &url, "username=admin&password=password").await;
    assert_eq!(status, 200, "ROOT is the default domain: {body}");
}

#[tokio::test]
async fn unknown_commands_in_a_session_are_432() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let url = sim.url();
    let (_, body, cookies) = login(&http, &url, "username=admin&password=password").await;
    let key = marvin_core::signing::java_url_encode(
        body["loginresponse"]["sessionkey"].as_str().unwrap(),
    );
    let response = http
        .get(format!(
            "{url}?command=frobnicate&response=json&sessionkey={key}"
        ))
        .header("cookie", cookie_header(&cookies))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_error(
        status,
        &body,
        432,
        "errorresponse",
        "The API frobnicate does not exist or is not available for this account.",
    );
}
