//! The observer hook, the tracing span, and secrets in everything a caller
//! or a log can see.

use marvin_core::Api;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use marvin_core::{
    CallObserver, CallOutcome, CallRecord, Client, ErrorCode, Params, RequestOptions, WaitOptions,
};
use serde_json::json;

use crate::fake::{FakeCloud, Reply};

type Records = Arc<Mutex<Vec<CallRecord>>>;

fn recorder() -> (Records, Arc<dyn CallObserver>) {
    let records: Records = Arc::default();
    let sink = Arc::clone(&records);
    let observer: Arc<dyn CallObserver> =
        Arc::new(move |record: &CallRecord| sink.lock().unwrap().push(record.clone()));
    (records, observer)
}

/// A cloud that echoes every parameter back in its error texts, like a
/// careless server might.
async fn echo_cloud() -> FakeCloud {
    FakeCloud::start(|call| match call.command().as_str() {
        "deployVirtualMachine" => Reply::ok("deployVirtualMachine", json!({"jobid": "j-9"})),
        "queryAsyncJobResult" => Reply::ok(
            "queryAsyncJobResult",
            json!({"jobstatus": 1, "jobresult": {"virtualmachine": {"id": "vm"}}}),
        ),
        "listZones" => Reply::ok("listZones", json!({"count": 1, "zone": [{"id": "z"}]})),
        "getUserKeys" => Reply::raw(
            200,
            r#"{"getuserkeysresponse":{"userkeys":{"apikey":"leaked-api","secretkey":"leaked-secret-value""#,
        ),
        command => {
            let echoed: Vec<String> = call.params().iter().map(|(n, v)| format!("{n}={v}")).collect();
            Reply::error(command, 431, Some(4350), &format!("bad request: {}", echoed.join(" ")))
        }
    })
    .await
}

#[tokio::test]
async fn observers_get_one_redacted_record_per_call() {
    let cloud = echo_cloud().await;
    let (records, observer) = recorder();
    let client = Client::builder(&cloud.url)
        .keys("ak", "sk-secret-1")
        .build()
        .unwrap()
        .with_observer(observer);
    let options = RequestOptions::new()
        .with_wait(WaitOptions::new().with_first_poll(Duration::from_millis(1)));
    client
        .call(Api::described("deployVirtualMachine", true))
        .params(Params::from([
            ("zoneid", "z"),
            ("password", "vm-password-1"),
        ]))
        .options(options.clone())
        .await
        .unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    let err = client
        .call(Api::unknown("createUser"))
        .params(Params::from([
            ("username", "u"),
            ("password", "user-password-2"),
        ]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ParamError));

    let records = records.lock().unwrap().clone();
    assert_eq!(records.len(), 3, "{records:?}");
    let deploy = &records[0];
    assert_eq!(deploy.command, "deployVirtualMachine");
    assert_eq!(deploy.method, "POST");
    assert_eq!(deploy.job_id.as_deref(), Some("j-9"));
    assert_eq!(deploy.outcome, CallOutcome::Ok);
    assert_eq!(
        deploy.params,
        [
            ("zoneid".to_owned(), "z".to_owned()),
            ("password".to_owned(), "***".to_owned())
        ]
    );
    assert_eq!(records[1].method, "GET");
    assert!(matches!(
        &records[2].outcome,
        CallOutcome::Failed {
            code: Some(ErrorCode::ParamError),
            ..
        }
    ));
    let all = format!("{records:?}");
    for secret in ["vm-password-1", "user-password-2", "sk-secret-1"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
    // The client without observer records nothing more.
    client
        .without_observer()
        .call(Api::unknown("listZones"))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
}

#[tokio::test]
async fn errors_never_show_secrets_the_server_echoed() {
    let cloud = echo_cloud().await;
    let client = Client::builder(&cloud.url)
        .keys("ak", "sk-secret-2")
        .build()
        .unwrap();
    let mut params = Params::new();
    params
        .set("username", "u")
        .set("password", "echoed-password")
        .set_map("details", [[("password", "map-password")]]);
    let err = client
        .call(Api::unknown("createUser"))
        .params(params)
        .await
        .unwrap_err();
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(display.contains("username=u"), "{display}");
    for text in [&display, &debug] {
        for secret in ["echoed-password", "map-password", "sk-secret-2"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // The signature is scrubbed too.
        assert!(text.contains("signature=***"), "{text}");
    }

    // A cut-off body holding keys: the decode snippet is redacted.
    let err = client
        .call(Api::unknown("getUserKeys"))
        .params(Params::from([("id", "u")]))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("leaked-secret-value") && !text.contains("leaked-api"),
        "{text}"
    );
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_call_has_a_span_and_logs_hold_no_secrets() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // While only one dispatcher is registered, tracing-core decides whether
    // a callsite is enabled from the default of the thread that reaches it
    // first: a call of another test, on a thread without a subscriber, would
    // turn the client's events off for good. A second live dispatcher makes
    // it ask every registered one (this one included) instead.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());

    let cloud = echo_cloud().await;
    let client = Client::builder(&cloud.url)
        .keys("ak-visible", "sk-secret-3")
        .build()
        .unwrap();
    client.call(Api::unknown("listZones")).await.unwrap();
    let _ = client
        .call(Api::unknown("createUser"))
        .params(Params::from([("password", "traced-password")]))
        .await;
    let _ = client
        .call(Api::unknown("getUserKeys"))
        .params(Params::from([("id", "u")]))
        .await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("cloudstack.call"), "{logs}");
    assert!(logs.contains("command=listZones"), "{logs}");
    assert!(
        logs.contains("outcome=\"ok\"") || logs.contains("outcome=ok"),
        "{logs}"
    );
    for secret in ["sk-secret-3", "traced-password", "leaked-secret-value"] {
        assert!(!logs.contains(secret), "{secret} in logs");
    }
}
