//! The trimmed fixture of marvin-macros' snapshot test, compiled.

use marvin_core::Resource;
use marvin_entities::{Command, Decode, Secret};

pub mod small {
    marvin_macros::cloudstack_api!(path = "../marvin-macros/tests/fixtures/small.json");
}

use small::commands::*;
use small::{Account, IpAddress, VirtualMachine};

fn pairs(params: &marvin_core::Params) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn requests_send_required_then_optional_parameters_as_cloudstack_expects() {
    let options = DeployVirtualMachineOptions::default()
        .name("web-1")
        .networkids(["n1", "n2"])
        .details([[("cpuNumber", "2"), ("memory", "512")]])
        .startvm(false)
        .rootdisksize(20);
    let request = DeployVirtualMachine::builder()
        .zoneid("zone")
        .templateid("tpl")
        .serviceofferingid("so")
        .into_request()
        .with_options(options);
    assert_eq!(
        pairs(&request.params()),
        owned(&[
            ("serviceofferingid", "so"),
            ("templateid", "tpl"),
            ("zoneid", "zone"),
            ("details[0].cpuNumber", "2"),
            ("details[0].memory", "512"),
            ("name", "web-1"),
            ("networkids", "n1,n2"),
            ("rootdisksize", "20"),
            ("startvm", "false"),
        ])
    );
    assert_eq!(
        <DeployVirtualMachine as Command>::API,
        "deployVirtualMachine"
    );
    const { assert!(<DeployVirtualMachine as Command>::IS_ASYNC) };
}

#[test]
fn alternative_parameter_sets_send_exactly_one_set() {
    let by_name = DisableAccount::builder()
        .lock(true)
        .by(DisableAccountTarget::Name {
            account: "alice".into(),
            domainid: "d1".into(),
        })
        .into_request();
    assert_eq!(
        pairs(&by_name.params()),
        owned(&[("lock", "true"), ("account", "alice"), ("domainid", "d1")])
    );
    let by_id = DisableAccount::builder()
        .by(DisableAccountTarget::Id("a1".into()))
        .lock(false)
        .into_request();
    assert_eq!(
        pairs(&by_id.to_params()),
        owned(&[("lock", "false"), ("id", "a1")])
    );
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let request = CreateAccount::builder()
        .email("a@example.org")
        .firstname("Ann")
        .lastname("Lee")
        .password("hunter2")
        .username("ann")
        .into_request();
    let shown = format!("{request:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(pairs(&request.params()).contains(&("password".to_string(), "hunter2".to_string())));
    let vm = VirtualMachine::from_value(serde_json::json!({"id": "v1", "password": "s3cret"}));
    assert!(!format!("{vm:?}").contains("s3cret"));
    assert_eq!(vm.password.as_ref().map(Secret::expose), Some("s3cret"));
}

#[test]
fn entities_decode_leniently_and_know_how_they_are_deleted() {
    let vm = VirtualMachine::from_value(serde_json::json!({
        "id": "v1", "cpunumber": "2", "haenable": "false", "created": "2021-10-04T09:24:38+0000",
        "nic": [{"id": "n1", "ipaddress": "10.1.1.62", "isdefault": true}, {}],
        "tags": {}, "flavour": "unknown"
    }));
    assert_eq!(vm.cpunumber, Some(2));
    assert_eq!(vm.haenable, Some(false));
    assert!(vm.created.as_ref().and_then(|t| t.parse()).is_some());
    assert_eq!(vm.nic.len(), 1);
    assert_eq!(vm.nic[0].ipaddress.as_deref(), Some("10.1.1.62"));
    assert!(vm.tags.is_empty());
    assert_eq!(vm.extra()["flavour"], "unknown");
    assert_eq!(Resource::id(&vm), "v1");
    assert_eq!(<VirtualMachine as Resource>::ENTITY, "VirtualMachine");
    let deletion = vm.deletion().expect("VMs can be deleted");
    assert_eq!(deletion.command, "destroyVirtualMachine");
    assert_eq!(deletion.params, owned(&[("id", "v1"), ("expunge", "true")]));

    let ip = IpAddress::from_value(serde_json::json!({"id": "ip1"}));
    assert_eq!(
        ip.deletion().map(|d| d.command),
        Some("disassociateIpAddress".to_string())
    );
    let account =
        Account::from_value(serde_json::json!({"id": "a1", "user": [{"username": "ann"}]}));
    assert_eq!(account.user[0].username.as_deref(), Some("ann"));
    assert_eq!(
        account.deletion().map(|d| (d.command, d.is_async)),
        Some(("deleteAccount".to_string(), true))
    );
}
