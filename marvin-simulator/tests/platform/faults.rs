//! Fault injection: fail N times then succeed, delays, hangs, zone scope.

use std::time::{Duration, Instant};

use crate::support::{Api, assert_error, start};

#[tokio::test]
async fn fail_n_times_then_succeed() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let fault = admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listevents"),
                ("action", "fail"),
                ("count", "2"),
                ("errorcode", "533"),
            ],
        )
        .await;
    let fault = &fault["simulatorfault"];
    assert_eq!(fault["apiname"], "listEvents");
    assert_eq!(fault["count"], 2);
    let id = fault["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let (status, body) = admin.call("listEvents", &[]).await;
        assert_error(
            status,
            &body,
            533,
            "listeventsresponse",
            "Simulated failure of listEvents",
        );
        assert_eq!(body["listeventsresponse"]["cserrorcode"], 4325);
    }
    assert_eq!(admin.call("listEvents", &[]).await.0, 200);
    let shown = admin.ok("listSimulatorFaults", &[("id", &id)]).await;
    assert_eq!(shown["simulatorfault"][0]["count"], 0);
    assert_eq!(shown["simulatorfault"][0]["fired"], 2);

    admin.ok("deleteSimulatorFault", &[("id", &id)]).await;
    let (status, _) = admin.call("deleteSimulatorFault", &[("id", &id)]).await;
    assert_eq!(status, 431);
}

#[tokio::test]
async fn a_bad_request_does_not_use_up_a_fault() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("errorcode", "431"),
                ("errortext", "boom"),
            ],
        )
        .await;
    let (status, body) = admin.call("listEvents", &[("page", "1")]).await;
    assert_error(status, &body, 431, "listeventsresponse", "pagesize");
    let (status, body) = admin.call("listEvents", &[]).await;
    assert_error(status, &body, 431, "listeventsresponse", "boom");
}

#[tokio::test]
async fn delays_and_hangs() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "delay"),
                ("delay", "300"),
            ],
        )
        .await;
    let started = Instant::now();
    assert_eq!(admin.call("listEvents", &[]).await.0, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    // A hang holds the answer until the client gives up...
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "hang"),
                ("delay", "10000"),
            ],
        )
        .await;
    let impatient = admin.http.get(format!(
        "{}?{}",
        admin.url,
        crate::support::query(&admin.sign("listEvents", &[]))
    ));
    let outcome = impatient.timeout(Duration::from_millis(200)).send().await;
    assert!(outcome.is_err_and(|e| e.is_timeout()));
    // ...or its bound passes.
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "hang"),
                ("delay", "100"),
            ],
        )
        .await;
    let (status, body) = admin.call("listEvents", &[]).await;
    assert_error(
        status,
        &body,
        530,
        "listeventsresponse",
        "Simulated hang of listEvents ended after 100 ms",
    );
    assert_eq!(body["listeventsresponse"]["cserrorcode"], 4560);
    assert_eq!(admin.call("listEvents", &[]).await.0, 200);
}

#[tokio::test]
async fn zone_scoped_faults_win_over_global_ones() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let zone = "0f8fad5b-d9cb-469f-a165-70867728950e";
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("count", "-1"),
                ("zoneid", zone),
                ("errortext", "zonal"),
            ],
        )
        .await;
    assert_eq!(
        admin.call("listEvents", &[]).await.0,
        200,
        "no zoneid: not affected"
    );
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("errortext", "global"),
            ],
        )
        .await;
    let (status, body) = admin.call("listEvents", &[("zoneid", zone)]).await;
    assert_error(status, &body, 530, "listeventsresponse", "zonal");
    let (status, body) = admin.call("listEvents", &[]).await;
    assert_error(status, &body, 530, "listeventsresponse", "global");
    // Unlimited: still firing.
    assert_eq!(admin.call("listEvents", &[("zoneid", zone)]).await.0, 530);
}

#[tokio::test]
async fn configuring_checks_its_parameters() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let refusals: [(&[(&str, &str)], &str); 5] = [
        (
            &[("apiname", "noSuchApi"), ("action", "fail")],
            "Unknown API noSuchApi",
        ),
        (
            &[("apiname", "listEvents"), ("action", "explode")],
            "Invalid action explode",
        ),
        (
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("target", "job"),
            ],
            "target=job needs an async API",
        ),
        (
            &[("apiname", "deleteSimulatorFault"), ("action", "fail")],
            "Faults cannot be set on deleteSimulatorFault",
        ),
        (
            &[
                ("apiname", "listEvents"),
                ("action", "fail"),
                ("errorcode", "200"),
            ],
            "Invalid errorcode 200",
        ),
    ];
    for (params, text) in refusals {
        let (status, body) = admin.call("configureSimulatorFault", params).await;
        assert_error(status, &body, 431, "configuresimulatorfaultresponse", text);
    }
}
