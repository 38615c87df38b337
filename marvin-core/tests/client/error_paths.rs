//! The client's refusals and odd answers: set-up that cannot work (server
//! entries, certificates), answers that lack what the client needs (a
//! session key, user keys), logout failures, and what an observer sees of
//! a failed answer that is not JSON.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use marvin_core::{Api, AuthMode, CallObserver, CallRecord, Client, Config, Error, ErrorCode};
use serde_json::json;

use crate::fake::{FakeCloud, Reply};

/// A file of the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(name: &str, contents: &[u8]) -> Self {
        let path =
            std::env::temp_dir().join(format!("marvin-client-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn setup_message(error: &Error) -> String {
    assert!(matches!(error, Error::Setup { .. }), "{error:?}");
    error.to_string()
}

fn config(server: &str) -> Config {
    let text = format!(r#"{{"mgtSvr": [{{"mgtSvrIp": "127.0.0.1", {server}}}]}}"#);
    Config::from_str_named(&text, "inline").unwrap_or_else(|error| panic!("{server}: {error}"))
}

#[test]
fn server_entries_choose_their_authentication_or_are_refused() {
    // An entry with no way to authenticate is refused when the config is
    // read, naming the entry.
    let text = r#"{"mgtSvr": [{"mgtSvrIp": "127.0.0.1", "port": 8080}]}"#;
    let error = Config::from_str_named(text, "inline").unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(error.to_string().contains("mgtSvr[0]"), "{error}");

    // Port 8096 without keys is the integration listener, even with a user
    // (as Python Marvin's `"user": "root"` entries have).
    let client =
        Client::from_config(&config(r#""port": 8096, "user": "root", "passwd": "x""#)).unwrap();
    assert_eq!(client.auth_mode(), AuthMode::Integration);
    assert_eq!(client.api_key(), None);
    assert_eq!(client.username(), None);

    let client = Client::from_config(&config(
        r#""port": 8080, "user": "admin", "passwd": "password""#,
    ))
    .unwrap();
    assert_eq!(client.auth_mode(), AuthMode::Session);
    assert_eq!(client.username(), Some("admin"));
    assert_eq!(client.api_key(), None);
    assert!(!client.has_session(), "no login before the first call");
}

#[test]
fn certificate_paths_of_a_server_entry_are_read() {
    let missing = std::env::temp_dir().join("marvin-client-no-such-ca.pem");
    let server = format!(
        r#""port": 8443, "apiKey": "k", "securityKey": "s", "useHttps": "True", "certCAPath": "{}""#,
        missing.display()
    );
    let error = Client::from_config(&config(&server)).unwrap_err();
    let message = setup_message(&error);
    assert!(
        message.contains("cannot read the CA certificate") && message.contains("no-such-ca.pem"),
        "{message}"
    );

    let missing = std::env::temp_dir().join("marvin-client-no-such-cert.pem");
    let server = format!(
        r#""port": 8443, "apiKey": "k", "securityKey": "s", "useHttps": "True", "certPath": "{}""#,
        missing.display()
    );
    let error = Client::from_config(&config(&server)).unwrap_err();
    let message = setup_message(&error);
    assert!(
        message.contains("cannot read the client certificate")
            && message.contains("no-such-cert.pem"),
        "{message}"
    );
}

#[test]
fn unusable_certificates_are_setup_errors_naming_the_file() {
    let error = Client::builder("https://cloud.example/client/api")
        .keys("k", "s")
        .ca_cert_pem(b"")
        .build()
        .unwrap_err();
    assert!(
        setup_message(&error).contains("no certificate in the CA PEM"),
        "{error}"
    );

    let garbage = TempFile::with("garbage-identity.pem", b"not a certificate nor a key\n");
    let error = Client::builder("https://cloud.example/client/api")
        .keys("k", "s")
        .client_cert_path(&garbage.0)
        .build()
        .unwrap_err();
    let message = setup_message(&error);
    assert!(
        message.contains("invalid client certificate") && message.contains("garbage-identity.pem"),
        "{message}"
    );

    // The first problem is the one reported.
    let error = Client::builder("https://cloud.example/client/api")
        .keys("k", "s")
        .ca_cert_pem(b"")
        .client_cert_path(&garbage.0)
        .build()
        .unwrap_err();
    assert!(setup_message(&error).contains("CA PEM"), "{error}");
}

#[tokio::test]
async fn a_login_answer_without_a_session_key_is_a_decode_error() {
    let cloud = FakeCloud::start(|call| match call.command().as_str() {
        "login" => Reply::ok(
            "login",
            json!({"username": "admin", "userid": "u-1", "timeout": 1800}),
        ),
        other => Reply::error(other, 401, None, "unable to verify user credentials"),
    })
    .await;
    let client = Client::builder(&cloud.url)
        .credentials("admin", "s3cret-pass", "/")
        .build()
        .unwrap();
    let error = client.call(Api::unknown("listZones")).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.command(), Some("login"));
    assert!(error.to_string().contains("no sessionkey"), "{error}");
    assert!(!format!("{error:?}").contains("s3cret-pass"), "{error:?}");
    assert!(!client.has_session());
    assert!(
        cloud.calls_of("listZones").is_empty(),
        "nothing is sent without a session"
    );
}

#[tokio::test]
async fn user_keys_that_cannot_be_had_are_a_decode_error() {
    let cloud = FakeCloud::start(|call| match call.command().as_str() {
        "getUserKeys" => Reply::ok("getUserKeys", json!({})),
        "registerUserKeys" => Reply::ok(
            "registerUserKeys",
            json!({"userkeys": {"apikey": "only-half"}}),
        ),
        other => Reply::error(other, 432, Some(9999), "unknown"),
    })
    .await;
    let admin = Client::builder(&cloud.url)
        .keys("admin-key", "admin-secret")
        .build()
        .unwrap();
    let error = admin.for_user("u-1").await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.command(), Some("registerUserKeys"));
    assert!(
        error.to_string().contains("no apikey and secretkey"),
        "{error}"
    );
    assert_eq!(cloud.calls_of("registerUserKeys").len(), 1);

    // A failing key lookup is reported as it is, nothing is registered.
    let cloud =
        FakeCloud::start(|call| Reply::error(&call.command(), 531, Some(4365), "not your user"))
            .await;
    let admin = Client::builder(&cloud.url)
        .keys("admin-key", "admin-secret")
        .build()
        .unwrap();
    let error = admin.for_user("u-1").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::AccountError), "{error:?}");
    assert!(cloud.calls_of("registerUserKeys").is_empty());
}

/// A cloud whose logout answers `logout_status` (200 for success).
async fn logout_cloud(logout_status: u16) -> FakeCloud {
    FakeCloud::start(move |call| match call.command().as_str() {
        "login" => Reply::ok("login", json!({"sessionkey": "key-1", "timeout": 1800}))
            .with_header("set-cookie", "JSESSIONID=s-1; Path=/client"),
        "logout" if logout_status == 200 => Reply::ok("logout", json!({"description": "success"})),
        "logout" => Reply::error("logout", logout_status, None, "logout refused"),
        "listZones" => Reply::ok("listZones", json!({})),
        other => Reply::error(other, 432, Some(9999), "unknown"),
    })
    .await
}

#[tokio::test]
async fn logout_reports_failures_other_than_an_ended_session() {
    for (status, fails) in [(200, false), (401, false), (530, true)] {
        let cloud = logout_cloud(status).await;
        let client = Client::builder(&cloud.url)
            .credentials("admin", "password", "/")
            .build()
            .unwrap();
        client.call(Api::unknown("listZones")).await.unwrap();
        assert!(client.has_session());
        let result = client.logout().await;
        assert_eq!(
            result.is_err(),
            fails,
            "logout answered {status}: {result:?}"
        );
        if let Err(error) = result {
            assert_eq!(error.status(), Some(status));
        }
        assert!(
            !client.has_session(),
            "the session is forgotten either way ({status})"
        );
        assert_eq!(
            cloud.calls_of("logout")[0].get("sessionkey").as_deref(),
            Some("key-1")
        );
        // Logging out again sends nothing.
        client.logout().await.unwrap();
        assert_eq!(cloud.calls_of("logout").len(), 1);
    }
}

#[tokio::test]
async fn observers_get_the_scrubbed_text_of_a_failed_answer_that_is_not_json() {
    let cloud = FakeCloud::start(|_| {
        Reply::raw(
            502,
            "<html>Bad gateway: upstream rejected key-secret-42 for listZones</html>",
        )
    })
    .await;
    let records: Arc<Mutex<Vec<CallRecord>>> = Arc::default();
    let sink = Arc::clone(&records);
    let observer: Arc<dyn CallObserver> =
        Arc::new(move |record: &CallRecord| sink.lock().unwrap().push(record.clone()));
    let client = Client::builder(&cloud.url)
        .keys("key-id", "key-secret-42")
        .observer(observer)
        .build()
        .unwrap();
    let error = client.call(Api::unknown("listZones")).await.unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
    assert!(!error.to_string().contains("key-secret-42"), "{error}");

    let records = records.lock().unwrap();
    assert_eq!(records.len(), 1);
    let response = records[0].response.as_deref().expect("the failed answer");
    assert!(response.contains("Bad gateway"), "{response}");
    assert!(!response.contains("key-secret-42"), "{response}");
    assert!(!records[0].outcome.is_ok());
}

#[test]
fn usable_certificates_are_taken() {
    let ssl = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/ssl");
    let cert = std::fs::read(ssl.join("cert.pem")).unwrap();
    let key = std::fs::read(ssl.join("key.pem")).unwrap();
    let identity = TempFile::with("identity.pem", &[cert.as_slice(), key.as_slice()].concat());
    let ca = TempFile::with("ca.pem", &cert);
    let client = Client::builder("https://cloud.example/client/api")
        .keys("k", "s")
        .ca_cert_path(&ca.0)
        .client_cert_path(&identity.0)
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(client.endpoint(), "https://cloud.example/client/api");

    // A certificate without its key is no client identity.
    let error = Client::builder("https://cloud.example/client/api")
        .keys("k", "s")
        .client_cert_path(&ca.0)
        .build()
        .unwrap_err();
    assert!(
        setup_message(&error).contains("invalid client certificate"),
        "{error}"
    );
}
