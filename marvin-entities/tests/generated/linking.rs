//! Entity methods through a real client: parameters filled from `self`,
//! sync and async calls, paging, and the decoded answers.

use futures_util::TryStreamExt as _;
use marvin_core::Client;

use super::endpoint::{Endpoint, Received};
use super::fixture::small::commands::*;
use super::fixture::small::{Account, VirtualMachine};

fn answer(p: &Received) -> String {
    let command = p.get("command").map(String::as_str).unwrap_or_default();
    match command {
        "listVirtualMachines" => r#"{"listvirtualmachinesresponse":{"count":1,"virtualmachine":[
            {"id":"v1","name":"web-1","state":"Running","cpunumber":"2","nic":[{"ipaddress":"10.0.0.5"}]}]}}"#
            .into(),
        "stopVirtualMachine" => r#"{"stopvirtualmachineresponse":{"jobid":"j-stop"}}"#.into(),
        "disableAccount" => r#"{"disableaccountresponse":{"jobid":"j-disable"}}"#.into(),
        "queryAsyncJobResult" => match p.get("jobid").map(String::as_str) {
            Some("j-stop") => r#"{"queryasyncjobresultresponse":{"jobid":"j-stop","jobstatus":1,
                "jobresult":{"virtualmachine":{"id":"v1","state":"Stopped"}}}}"#
                .into(),
            _ => r#"{"queryasyncjobresultresponse":{"jobid":"j-disable","jobstatus":1,
                "jobresult":{"account":{"id":"a1","state":"disabled"}}}}"#
                .into(),
        },
        "listCapabilities" => r#"{"listcapabilitiesresponse":{"capability":{"cloudstackversion":"4.22.0.0",
            "apilimitmax":"25"}}}"#
            .into(),
        _ => format!(r#"{{"errorresponse":{{"errorcode":432,"errortext":"Unknown API command: {command}"}}}}"#),
    }
}

fn client(endpoint: &Endpoint) -> Client {
    Client::builder(&endpoint.url)
        .integration()
        .build()
        .expect("a client")
}

#[tokio::test]
async fn entity_methods_fill_the_id_and_decode_the_answers() {
    let endpoint = Endpoint::start(answer);
    let client = client(&endpoint);

    let vms = VirtualMachine::list(&client)
        .state("Running")
        .await
        .unwrap();
    assert_eq!(vms.len(), 1);
    let vm = &vms[0];
    assert_eq!((vm.id.as_str(), vm.cpunumber), ("v1", Some(2)));
    assert_eq!(vm.nic[0].ipaddress.as_deref(), Some("10.0.0.5"));
    let listed = &endpoint.calls("listVirtualMachines")[0];
    assert_eq!(listed.get("state").map(String::as_str), Some("Running"));
    assert!(
        listed.contains_key("pagesize"),
        "listings are paged: {listed:?}"
    );

    let stopped = vm.stop(&client).forced(true).await.unwrap();
    assert_eq!(stopped.state.as_deref(), Some("Stopped"));
    let stop = &endpoint.calls("stopVirtualMachine")[0];
    assert_eq!(stop.get("id").map(String::as_str), Some("v1"));
    assert_eq!(stop.get("forced").map(String::as_str), Some("true"));

    let fresh = vm.refresh(&client).await.unwrap();
    assert_eq!(fresh.name.as_deref(), Some("web-1"));
    let by_id = endpoint.calls("listVirtualMachines").pop().unwrap();
    assert_eq!(by_id.get("id").map(String::as_str), Some("v1"));
    assert_eq!(by_id.get("listall").map(String::as_str), Some("true"));

    let streamed: Vec<VirtualMachine> = VirtualMachine::list(&client)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 1);
}

#[tokio::test]
async fn by_id_methods_choose_the_id_alternative() {
    let endpoint = Endpoint::start(answer);
    let client = client(&endpoint);
    let account = Account::from_value_for_test("a1");
    let disabled = account.disable(&client).lock(true).await.unwrap();
    assert_eq!(disabled.state.as_deref(), Some("disabled"));
    let sent = &endpoint.calls("disableAccount")[0];
    assert_eq!(sent.get("id").map(String::as_str), Some("a1"));
    assert_eq!(sent.get("lock").map(String::as_str), Some("true"));
    assert!(!sent.contains_key("account") && !sent.contains_key("domainid"));
}

#[tokio::test]
async fn unpaged_listings_and_server_errors() {
    let endpoint = Endpoint::start(answer);
    let client = client(&endpoint);
    let capabilities = super::fixture::small::Capability::list(&client)
        .await
        .unwrap();
    assert_eq!(capabilities[0].apilimitmax, Some(25));
    assert!(!endpoint.calls("listCapabilities")[0].contains_key("pagesize"));
    let error = GetVMPassword::call(&client)
        .id("v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.code(),
        Some(marvin_core::ErrorCode::UnsupportedAction),
        "{error}"
    );
}

trait ForTest {
    fn from_value_for_test(id: &str) -> Self;
}

impl ForTest for Account {
    fn from_value_for_test(id: &str) -> Self {
        marvin_entities::Decode::from_value(serde_json::json!({ "id": id }))
    }
}
