//! Retries: idempotent calls after transport errors only.

use marvin_core::Api;
use std::time::Duration;

use marvin_core::{Client, Error, Params, RequestOptions};
use serde_json::json;

use crate::fake::{FakeCloud, FlakyServer, Reply};

fn client(url: &str, retries: u32) -> Client {
    Client::builder(url)
        .keys("k", "s")
        .retries(retries)
        .retry_base(Duration::from_millis(1))
        .build()
        .unwrap()
}

fn zones_body() -> String {
    json!({"listzonesresponse": {"count": 1, "zone": [{"id": "z1"}]}}).to_string()
}

#[tokio::test]
async fn list_calls_are_retried_after_dropped_connections() {
    let server = FlakyServer::start(2, zones_body()).await;
    let answer = client(&server.url, 3)
        .call(Api::unknown("listZones"))
        .await
        .unwrap();
    assert_eq!(answer["count"], 1);
    assert_eq!(server.attempts(), 3);
}

#[tokio::test]
async fn retries_give_up_after_the_configured_count() {
    let server = FlakyServer::start(10, zones_body()).await;
    let err = client(&server.url, 2)
        .call(Api::unknown("listZones"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(server.attempts(), 3);
}

#[tokio::test]
async fn per_call_retries_override_the_client() {
    let server = FlakyServer::start(10, zones_body()).await;
    let options = RequestOptions::new().with_retries(0);
    let result = client(&server.url, 5)
        .call(Api::unknown("queryAsyncJobResult"))
        .params(Params::from([("jobid", "j")]))
        .options(options.clone())
        .await;
    assert!(result.is_err());
    assert_eq!(server.attempts(), 1);
}

#[tokio::test]
async fn create_calls_are_never_retried() {
    let server = FlakyServer::start(1, zones_body()).await;
    let err = client(&server.url, 3)
        .call(Api::unknown("createNetwork"))
        .params(Params::from([("name", "n")]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.attempts(), 1);
    // Nor are async submissions through execute.
    let server = FlakyServer::start(1, zones_body()).await;
    let err = client(&server.url, 3)
        .call(Api::described("deployVirtualMachine", true))
        .await
        .unwrap_err();
    assert!(err.is_transport());
    assert_eq!(server.attempts(), 1);
}

#[tokio::test]
async fn api_errors_are_never_retried() {
    let cloud =
        FakeCloud::start(|call| Reply::error(&call.command(), 530, Some(4250), "something broke"))
            .await;
    let err = client(&cloud.url, 3)
        .call(Api::unknown("listZones"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(530));
    assert_eq!(cloud.calls().len(), 1);
}

#[tokio::test]
async fn transport_errors_show_the_endpoint_without_query_or_secrets() {
    let server = FlakyServer::start(10, zones_body()).await;
    let err = Client::builder(&server.url)
        .keys("visible-api-key", "very-secret-key")
        .retries(0)
        .build()
        .unwrap()
        .call(Api::unknown("listZones"))
        .params(Params::from([("name", "z")]))
        .await
        .unwrap_err();
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(display.contains(&server.url), "{display}");
    for text in [&display, &debug] {
        assert!(!text.contains("signature"), "{text}");
        assert!(!text.contains("very-secret-key"), "{text}");
        assert!(!text.contains("visible-api-key"), "{text}");
        assert!(!text.contains('?'), "{text}");
    }
}
