//! Async jobs over HTTP: pending, success, failure, listAsyncJobs, events.

use std::time::Duration;

use marvin_simulator::SimulatorConfig;
use serde_json::json;

use crate::support::{Api, assert_error, start_with, user_with_keys};

async fn slow_jobs() -> marvin_simulator::RunningSimulator {
    start_with(SimulatorConfig {
        job_delay: Duration::from_millis(300),
        ..SimulatorConfig::default()
    })
    .await
}

#[tokio::test]
async fn a_job_is_pending_then_succeeds_with_its_events() {
    let sim = slow_jobs().await;
    let admin = Api::admin(&sim);
    let domain = admin.ok("createDomain", &[("name", "short-lived")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();

    let answer = admin.ok("deleteDomain", &[("id", &id)]).await;
    let jobid = answer["jobid"]
        .as_str()
        .expect("a jobid at once")
        .to_string();
    let pending = admin.ok("queryAsyncJobResult", &[("jobid", &jobid)]).await;
    assert_eq!(pending["jobstatus"], 0, "{pending}");
    assert!(pending.get("jobresult").is_none() && pending.get("completed").is_none());
    assert_eq!(pending["cmd"], "deleteDomain");
    assert_eq!(pending["jobid"], jobid.as_str());
    for field in [
        "accountid",
        "userid",
        "jobprocstatus",
        "jobresultcode",
        "created",
    ] {
        assert!(pending.get(field).is_some(), "no {field}: {pending}");
    }

    let done = admin.wait_job(&jobid).await;
    assert_eq!(done["jobstatus"], 1, "{done}");
    assert_eq!(done["jobresultcode"], 0);
    assert_eq!(done["jobresulttype"], "object");
    assert_eq!(done["jobresult"], json!({"success": true}));
    assert!(done.get("completed").is_some());
    assert_eq!(done["jobinstanceid"], id.as_str());

    let events = admin.ok("listEvents", &[("type", "DOMAIN.DELETE")]).await;
    let states: Vec<&str> = events["event"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["Completed", "Started", "Scheduled"],
        "newest first: {events}"
    );
    let completed = &events["event"][0];
    assert_eq!(completed["level"], "INFO");
    assert!(
        completed["description"]
            .as_str()
            .unwrap()
            .starts_with("Successfully completed")
    );
    assert_eq!(completed["parentid"], events["event"][1]["id"]);
    assert_eq!(completed["resourceid"], id.as_str());
}

#[tokio::test]
async fn a_failed_job_reports_its_code_and_an_error_event() {
    let sim = slow_jobs().await;
    let admin = Api::admin(&sim);
    let domain = admin.ok("createDomain", &[("name", "doomed")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "deleteDomain"),
                ("action", "fail"),
                ("target", "job"),
                ("errorcode", "533"),
                ("errortext", "no room"),
            ],
        )
        .await;
    let jobid = admin.ok("deleteDomain", &[("id", &id)]).await["jobid"]
        .as_str()
        .unwrap()
        .to_string();
    let done = admin.wait_job(&jobid).await;
    assert_eq!(done["jobstatus"], 2, "{done}");
    assert_eq!(done["jobresultcode"], 533);
    assert_eq!(
        done["jobresult"],
        json!({"errorcode": 533, "errortext": "no room"})
    );
    let events = admin
        .ok(
            "listEvents",
            &[("type", "DOMAIN.DELETE"), ("level", "ERROR")],
        )
        .await;
    assert_eq!(events["count"], 1, "{events}");
    assert!(
        events["event"][0]["description"]
            .as_str()
            .unwrap()
            .starts_with("Error while")
    );
    // The work did not run: the domain is still there.
    let listed = admin.ok("listDomains", &[("id", &id)]).await;
    assert_eq!(listed["count"], 1, "{listed}");
}

#[tokio::test]
async fn jobs_are_private_to_their_account() {
    let sim = slow_jobs().await;
    let admin = Api::admin(&sim);
    let domain = admin.ok("createDomain", &[("name", "private-job")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();
    let jobid = admin.ok("deleteDomain", &[("id", &id)]).await["jobid"]
        .as_str()
        .unwrap()
        .to_string();

    let mine = admin.ok("listAsyncJobs", &[]).await;
    assert!(
        mine["asyncjobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["jobid"] == jobid.as_str()),
        "{mine}"
    );

    user_with_keys(&sim, "nosy", 0, "k-nosy", "s-nosy").await;
    let user = Api::new(sim.url(), "k-nosy", "s-nosy");
    assert_eq!(user.ok("listAsyncJobs", &[]).await, json!({}));
    let (status, body) = user.call("queryAsyncJobResult", &[("jobid", &jobid)]).await;
    assert_error(
        status,
        &body,
        531,
        "queryasyncjobresultresponse",
        "does not have permission",
    );
    admin.wait_job(&jobid).await;
}

async fn instant_jobs() -> marvin_simulator::RunningSimulator {
    start_with(SimulatorConfig {
        job_delay: Duration::ZERO,
        ..SimulatorConfig::default()
    })
    .await
}

#[tokio::test]
async fn a_zero_delay_job_is_finished_when_its_call_answers() {
    let sim = instant_jobs().await;
    let admin = Api::admin(&sim);
    // Several times: a job finished after the answer would lose a race.
    for round in 0..10 {
        let name = format!("instant-{round}");
        let domain = admin.ok("createDomain", &[("name", &name)]).await;
        let id = domain["domain"]["id"].as_str().unwrap().to_string();
        let answer = admin.ok("deleteDomain", &[("id", &id)]).await;
        let jobid = answer["jobid"].as_str().expect("a jobid").to_string();

        let done = admin.ok("queryAsyncJobResult", &[("jobid", &jobid)]).await;
        assert_eq!(done["jobstatus"], 1, "round {round}: {done}");
        assert_eq!(done["jobresultcode"], 0);
        assert_eq!(done["jobresulttype"], "object");
        assert_eq!(done["jobresult"], json!({"success": true}));
        assert_eq!(done["jobinstanceid"], id.as_str());
        assert!(done.get("completed").is_some(), "{done}");

        let jobs = admin.ok("listAsyncJobs", &[]).await;
        let listed = jobs["asyncjobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["jobid"] == jobid.as_str())
            .unwrap_or_else(|| panic!("job {jobid} not listed: {jobs}"));
        assert_eq!(listed["jobstatus"], 1, "{listed}");
        // The work ran: the domain is gone.
        let (status, _) = admin.call("listDomains", &[("id", &id)]).await;
        assert_eq!(status, 431, "round {round}");
    }
    let events = admin.ok("listEvents", &[("type", "DOMAIN.DELETE")]).await;
    let states: Vec<&str> = events["event"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["Completed", "Started", "Scheduled"],
        "newest first: {events}"
    );
    assert_eq!(events["event"][0]["parentid"], events["event"][1]["id"]);
}

#[tokio::test]
async fn job_faults_still_hold_zero_delay_jobs_back() {
    let sim = instant_jobs().await;
    let admin = Api::admin(&sim);
    let domain = admin.ok("createDomain", &[("name", "held-back")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "deleteDomain"),
                ("action", "delay"),
                ("target", "job"),
                ("delay", "1000"),
            ],
        )
        .await;
    let jobid = admin.ok("deleteDomain", &[("id", &id)]).await["jobid"]
        .as_str()
        .unwrap()
        .to_string();
    let pending = admin.ok("queryAsyncJobResult", &[("jobid", &jobid)]).await;
    assert_eq!(pending["jobstatus"], 0, "{pending}");
    let done = admin.wait_job(&jobid).await;
    assert_eq!(done["jobstatus"], 1, "{done}");
    assert_eq!(done["jobresult"], json!({"success": true}));

    // A failing job fault: the call is accepted, the job fails.
    let domain = admin.ok("createDomain", &[("name", "failing")]).await;
    let id = domain["domain"]["id"].as_str().unwrap().to_string();
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "deleteDomain"),
                ("action", "fail"),
                ("target", "job"),
                ("errorcode", "533"),
                ("errortext", "no room"),
            ],
        )
        .await;
    let jobid = admin.ok("deleteDomain", &[("id", &id)]).await["jobid"]
        .as_str()
        .unwrap()
        .to_string();
    let done = admin.wait_job(&jobid).await;
    assert_eq!(done["jobstatus"], 2, "{done}");
    assert_eq!(
        done["jobresult"],
        json!({"errorcode": 533, "errortext": "no room"})
    );
}
