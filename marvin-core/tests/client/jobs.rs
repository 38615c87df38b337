//! Async jobs: submission, adaptive polling, success, failure, cancel, timeout.

use marvin_core::Api;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use marvin_core::{Client, Error, ErrorCode, Params, RequestOptions, WaitOptions};
use serde_json::{Value, json};

use crate::fake::{FakeCloud, Reply, sample_inner, samples};

fn quick() -> WaitOptions {
    WaitOptions::new()
        .with_first_poll(Duration::from_millis(1))
        .with_poll_max(Duration::from_millis(5))
        .with_timeout(Duration::from_secs(10))
}

/// A cloud whose `submit` command starts job `j-1`; polls get `pending`
/// answers first, then `done`.
async fn job_cloud(submit: &'static str, pending: usize, done: Value) -> FakeCloud {
    let polls = Arc::new(AtomicUsize::new(0));
    FakeCloud::start(move |call| {
        let command = call.command();
        if command == submit {
            return Reply::ok(submit, json!({"id": "vm-1", "jobid": "j-1"}));
        }
        assert_eq!(command, "queryAsyncJobResult");
        assert_eq!(call.get("jobid").as_deref(), Some("j-1"));
        if polls.fetch_add(1, Ordering::SeqCst) < pending {
            return Reply::ok(
                "queryAsyncJobResult",
                json!({"jobid": "j-1", "jobstatus": 0, "jobprocstatus": 0, "jobresultcode": 0,
                       "cmd": "org.apache.cloudstack.api.command.admin.vm.DeployVMCmdByAdmin"}),
            );
        }
        Reply::ok("queryAsyncJobResult", done.clone())
    })
    .await
}

fn client(cloud: &FakeCloud) -> Client {
    Client::builder(&cloud.url).keys("k", "s").build().unwrap()
}

#[tokio::test]
async fn pending_jobs_are_polled_until_they_succeed() {
    let done = sample_inner("VirtualMachineService.json", "deployVirtualMachine");
    let expected = done["jobresult"].clone();
    let cloud = job_cloud("deployVirtualMachine", 3, done).await;
    let options = RequestOptions::new().with_wait(quick());
    let result = client(&cloud)
        .call(Api::described("deployVirtualMachine", true))
        .params(Params::from([("zoneid", "z")]))
        .options(options.clone())
        .await
        .unwrap();
    assert_eq!(result, expected);
    assert!(result["virtualmachine"]["id"].is_string());
    assert_eq!(cloud.calls_of("deployVirtualMachine").len(), 1);
    assert_eq!(cloud.calls_of("queryAsyncJobResult").len(), 4);
}

#[tokio::test]
async fn every_async_sample_yields_its_jobresult() {
    let files = [
        ("AddressService.json", "associateIpAddress"),
        ("FirewallService.json", "createFirewallRule"),
        ("ResourcetagsService.json", "createTags"),
        ("VPCService.json", "restartVPC"),
        ("UserService.json", "disableUser"),
        ("LoadBalancerService.json", "createLoadBalancerRule"),
    ];
    for (file, command) in files {
        let envelope = samples(file)[command].clone();
        let done = envelope
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .clone();
        let expected = done["jobresult"].clone();
        let cloud = FakeCloud::start(move |call| {
            if call.command() == "queryAsyncJobResult" {
                Reply::ok("queryAsyncJobResult", done.clone())
            } else {
                Reply::ok(&call.command(), json!({"jobid": "j-1"}))
            }
        })
        .await;
        let options = RequestOptions::new().with_wait(quick());
        let result = client(&cloud)
            .call(Api::described(command, true))
            .options(options.clone())
            .await
            .unwrap();
        assert_eq!(result, expected, "{command}");
    }
}

#[tokio::test]
async fn failed_jobs_are_errors_with_code_and_text() {
    let done = json!({"jobid": "j-1", "jobstatus": 2, "jobresultcode": 530, "jobresulttype": "object",
                      "jobresult": {"errorcode": 530, "errortext": "Unable to create a deployment for VM"}});
    let cloud = job_cloud("deployVirtualMachine", 1, done).await;
    let options = RequestOptions::new().with_wait(quick());
    let err = client(&cloud)
        .call(Api::described("deployVirtualMachine", true))
        .options(options.clone())
        .await
        .unwrap_err();
    match &err {
        Error::JobFailed {
            command,
            job_id,
            code,
            text,
        } => {
            assert_eq!(command, "deployVirtualMachine");
            assert_eq!(job_id, "j-1");
            assert_eq!(*code, ErrorCode::InternalError);
            assert_eq!(text, "Unable to create a deployment for VM");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), Some(ErrorCode::InternalError));
    assert_eq!(err.job_id(), Some("j-1"));
    assert_eq!(
        err.to_string(),
        "async job j-1 of deployVirtualMachine failed (530): Unable to create a deployment for VM"
    );
}

#[tokio::test]
async fn a_job_failing_with_not_found_is_not_found() {
    let done = json!({"jobstatus": 2, "jobresultcode": 431,
                      "jobresult": {"errorcode": 431, "errortext": "Unable to find volume with id x"}});
    let cloud = job_cloud("deleteVolume", 0, done).await;
    let err = client(&cloud)
        .call(Api::described("deleteVolume", true))
        .wait(quick())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn cancelled_jobs_are_failures() {
    let done = json!({"jobid": "j-1", "jobstatus": 3, "jobresultcode": 0});
    let cloud = job_cloud("stopVirtualMachine", 0, done).await;
    let err = client(&cloud)
        .call(Api::described("stopVirtualMachine", true))
        .wait(quick())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::JobCancelled { .. }), "{err:?}");
    assert_eq!(err.job_id(), Some("j-1"));
}

#[tokio::test]
async fn jobs_pending_past_the_timeout_are_errors_not_results() {
    let cloud = job_cloud("startVirtualMachine", usize::MAX, json!({})).await;
    let wait = quick().with_timeout(Duration::from_millis(40));
    let err = client(&cloud)
        .call(Api::described("startVirtualMachine", true))
        .wait(wait)
        .await
        .unwrap_err();
    match &err {
        Error::JobTimeout {
            command,
            job_id,
            elapsed,
        } => {
            assert_eq!(command, "startVirtualMachine");
            assert_eq!(job_id, "j-1");
            assert!(*elapsed >= Duration::from_millis(40));
        }
        other => panic!("{other:?}"),
    }
    assert!(cloud.calls_of("queryAsyncJobResult").len() >= 2);
}

#[tokio::test]
async fn the_client_default_job_timeout_applies() {
    let cloud = job_cloud("startVirtualMachine", usize::MAX, json!({})).await;
    let client = Client::builder(&cloud.url)
        .integration()
        .job_timeout(Duration::from_millis(20))
        .poll_max(Duration::from_millis(5))
        .build()
        .unwrap();
    let err = client
        .call(Api::described("startVirtualMachine", true))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::JobTimeout { .. }), "{err:?}");
}

#[tokio::test]
async fn wait_for_job_names_the_job_by_its_command_class() {
    let done = json!({"jobstatus": 2, "jobresultcode": 530,
                      "cmd": "org.apache.cloudstack.api.command.admin.vm.DeployVMCmdByAdmin",
                      "jobresult": {"errorcode": 530, "errortext": "boom"}});
    let cloud = job_cloud("unused", 0, done).await;
    let err = client(&cloud)
        .wait_for_job("j-1", &quick())
        .await
        .unwrap_err();
    assert_eq!(err.command(), Some("DeployVMCmdByAdmin"));
    let call = &cloud.calls()[0];
    assert!(call.signature_ok("s"));
}

#[tokio::test]
async fn a_sync_answer_to_an_async_command_is_returned_as_is() {
    let cloud = FakeCloud::start(|call| Reply::ok(&call.command(), json!({"success": true}))).await;
    let answer = client(&cloud)
        .call(Api::described("deleteTags", true))
        .await
        .unwrap();
    assert_eq!(answer, json!({"success": true}));
}

#[tokio::test]
async fn the_first_poll_goes_out_at_once() {
    // A job already done when its submission is answered costs one poll and
    // no wait: with an hour before the second poll, only an immediate
    // first poll can finish in time.
    let done = json!({"jobid": "j-1", "jobstatus": 1, "jobresultcode": 0,
                      "jobresult": {"success": true}});
    let cloud = job_cloud("rebootVirtualMachine", 0, done).await;
    let wait = WaitOptions::new()
        .with_first_poll(Duration::from_secs(3600))
        .with_poll_max(Duration::from_secs(3600));
    let (client, options) = (client(&cloud), RequestOptions::new().with_wait(wait));
    let call = client
        .call(Api::described("rebootVirtualMachine", true))
        .params(Params::from([("id", "vm-1")]))
        .options(options.clone());
    let result = tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .expect("no delay before the first poll")
        .unwrap();
    assert_eq!(result, json!({"success": true}));
    assert_eq!(cloud.calls_of("queryAsyncJobResult").len(), 1);
}
