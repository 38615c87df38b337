//! The real CloudStack answers in `testdata/cloudstack/responses/` decoded
//! into the types generated from the 4.22 schema, through the same
//! `Answer` path `send` uses.

use std::collections::BTreeMap;
use std::fmt::Debug;

use marvin_entities::__private::Answer;
use marvin_entities::{Command, Decode};
use serde_json::Value;

pub mod api {
    marvin_macros::cloudstack_api!(path = "../testdata/cloudstack/listApis-4.22.json");
}

use api::commands::*;

/// Every sample, keyed by API name: the answer as `Client::execute` returns
/// it (the object under the response key; `jobresult` for async jobs).
fn samples() -> BTreeMap<String, Value> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/cloudstack/responses"
    );
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("the samples directory") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("a sample file");
        let Value::Object(file) = serde_json::from_str(&text).expect("sample JSON") else {
            panic!()
        };
        for (api, envelope) in file {
            let inner = envelope
                .as_object()
                .and_then(|o| o.values().next())
                .cloned()
                .expect("an envelope");
            let answer = inner.get("jobresult").cloned().unwrap_or(inner);
            out.insert(api, answer);
        }
    }
    out
}

/// The object an answer is about, and every object of a list answer.
fn objects(answer: &Value) -> Vec<&serde_json::Map<String, Value>> {
    let Some(map) = answer.as_object() else {
        return Vec::new();
    };
    let keys: Vec<_> = map.keys().filter(|k| *k != "count").collect();
    match keys.as_slice() {
        [key] => match &map[*key] {
            Value::Object(o) => vec![o],
            Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
            _ => vec![map],
        },
        _ => vec![map],
    }
}

/// Checks one request type's sample: it decodes, every object is found,
/// the unwrapped object's id or name shows up in the value, and the schema
/// knows most of the fields.
fn check<C>(samples: &BTreeMap<String, Value>)
where
    C: Command,
    C::Answer: Answer + Debug,
{
    let sample = samples
        .get(C::API)
        .unwrap_or_else(|| panic!("{}: no sample", C::API));
    let decoded = <C::Answer as Answer>::from_answer(C::API, sample.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", C::API));
    let shown = format!("{decoded:?}");
    for object in objects(sample) {
        for key in ["id", "name", "username", "apikey"] {
            if let Some(Value::String(value)) = object.get(key) {
                assert!(
                    shown.contains(value.as_str()),
                    "{}: {key} {value} not decoded:\n{shown}",
                    C::API
                );
                break;
            }
        }
    }
}

/// Entity-typed answers: unknown fields are few.
fn known_fields<T: Decode + Debug>(
    api: &'static str,
    samples: &BTreeMap<String, Value>,
) -> (usize, usize) {
    let sample = &samples[api];
    let mut total = 0;
    let mut unknown = 0;
    for object in objects(sample) {
        let value = T::from_value(Value::Object(object.clone()));
        total += object.len();
        unknown += value.extra().len();
    }
    (unknown, total)
}

macro_rules! check_all {
    ($samples:expr, $($command:ident),* $(,)?) => {{
        let mut apis = Vec::new();
        $(
            check::<$command>($samples);
            apis.push(<$command as Command>::API);
        )*
        apis
    }};
}

#[test]
fn every_real_sample_decodes_into_its_generated_type() {
    let samples = samples();
    let checked = check_all!(
        &samples,
        ListAccounts,
        CreateAccount,
        AssociateIpAddress,
        DisassociateIpAddress,
        CreateAffinityGroup,
        ListAnnotations,
        AddAnnotation,
        RemoveAnnotation,
        ListApis,
        ListAsyncJobs,
        Login,
        Logout,
        UploadCustomCertificate,
        ListClusters,
        DisableHAForCluster,
        EnableHAForCluster,
        DisableOutOfBandManagementForCluster,
        EnableOutOfBandManagementForCluster,
        DedicateCluster,
        ReleaseDedicatedCluster,
        UpdateCluster,
        DeleteCluster,
        ListCapabilities,
        ListConfigurations,
        UpdateConfiguration,
        ResetConfiguration,
        CreateDiskOffering,
        ListDiskOfferings,
        DeleteDiskOffering,
        CreateDomain,
        UpdateDomain,
        ListDomains,
        ListDomainChildren,
        DeleteDomain,
        CreateFirewallRule,
        DeleteFirewallRule,
        CreateEgressFirewallRule,
        DeleteEgressFirewallRule,
        AddHost,
        ListHosts,
        PrepareHostForMaintenance,
        EnableOutOfBandManagementForHost,
        DisableOutOfBandManagementForHost,
        EnableHAForHost,
        FindHostsForMigration,
        ListHypervisorCapabilities,
        RegisterIso,
        AddImageStore,
        ListImageStores,
        DeleteImageStore,
        AddKubernetesSupportedVersion,
        ListKubernetesSupportedVersions,
        CreateKubernetesCluster,
        ListKubernetesClusters,
        GetKubernetesClusterConfig,
        GetUploadParamsForKubernetesSupportedVersion,
        ResetApiLimit,
        CreateLoadBalancerRule,
        UpdateNetworkACLList,
        CreateNetworkOffering,
        UpdateNetworkOffering,
        ListNetworkOfferings,
        DeleteNetworkOffering,
        CreateNetwork,
        ListNetworks,
        DeleteNetwork,
        CreatePhysicalNetwork,
        CreateStoragePool,
        ListStoragePools,
        DeleteStoragePool,
        CreateProject,
        ActivateProject,
        SuspendProject,
        UpdateProject,
        ListProjectRolePermissions,
        CreateTags,
        DeleteTags,
        CreateSSHKeyPair,
        ListSSHKeyPairs,
        ResetSSHKeyForVirtualMachine,
        DeleteSSHKeyPair,
        CreateServiceOffering,
        UpdateServiceOffering,
        DeleteServiceOffering,
        CancelStorageMaintenance,
        EnableStorageMaintenance,
        RegisterTemplate,
        CreateTemplate,
        ExtractTemplate,
        CreateUser,
        EnableUser,
        DisableUser,
        ListUsers,
        LockUser,
        DeleteUser,
        GetUserKeys,
        RegisterUserKeys,
        DedicateGuestVlanRange,
        CreateVlanIpRange,
        UpdateVlanIpRange,
        ListVlanIpRanges,
        DeleteVlanIpRange,
        RestartVPC,
        ListVPCs,
        DeleteRemoteAccessVpn,
        DeployVirtualMachine,
        AddNicToVirtualMachine,
        StopVirtualMachine,
        StartVirtualMachine,
        ListVirtualMachines,
        ScaleVirtualMachine,
        ListVirtualMachinesUsageHistory,
    );
    // The table covers every sample of a real API (two sample keys name no API).
    let missing: Vec<&str> = samples
        .keys()
        .map(String::as_str)
        .filter(|k| !checked.contains(k))
        .collect();
    assert_eq!(
        missing,
        ["assignLoadBalancerRule", "cancelHostForMaintenance"],
        "samples without a check"
    );
}

#[test]
fn entity_answers_know_nearly_every_field_of_the_samples() {
    let samples = samples();
    let mut unknown = 0;
    let mut total = 0;
    for (u, t) in [
        known_fields::<api::VirtualMachine>("listVirtualMachines", &samples),
        known_fields::<api::VirtualMachine>("stopVirtualMachine", &samples),
        known_fields::<api::Account>("listAccounts", &samples),
        known_fields::<api::Host>("listHosts", &samples),
        known_fields::<api::Network>("listNetworks", &samples),
        known_fields::<api::Cluster>("listClusters", &samples),
        known_fields::<api::User>("listUsers", &samples),
        known_fields::<api::IpAddress>("associateIpAddress", &samples),
    ] {
        unknown += u;
        total += t;
    }
    assert!(total > 250, "{total} fields");
    assert!(
        unknown * 20 < total,
        "{unknown} of {total} sample fields are unknown to the schema"
    );
}

#[test]
fn sample_values_come_out_typed() {
    let samples = samples();
    let vms = <Vec<api::VirtualMachine> as Answer>::from_answer(
        "listVirtualMachines",
        samples["listVirtualMachines"].clone(),
    )
    .unwrap();
    let vm = &vms[0];
    assert_eq!(vm.cpunumber, Some(1));
    // The 4.22 schema types dates as strings.
    assert_eq!(vm.created.as_deref(), Some("2021-10-04T09:24:38+0000"));
    assert!(!vm.nic.is_empty());
    assert!(vm.nic[0].ipaddress.is_some());

    let stopped = <api::VirtualMachine as Answer>::from_answer(
        "stopVirtualMachine",
        samples["stopVirtualMachine"].clone(),
    )
    .unwrap();
    assert_eq!(stopped.state.as_deref(), Some("Stopped"));
    assert_eq!(stopped.id, "915653c4-298b-4d74-bdee-4ced282114f1");

    let pair = <api::SSHKeyPair as Answer>::from_answer(
        "createSSHKeyPair",
        samples["createSSHKeyPair"].clone(),
    )
    .unwrap();
    let private = pair.privatekey.as_ref().expect("the private key");
    assert!(
        private
            .expose()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    assert!(!format!("{pair:?}").contains("BEGIN RSA"));

    let deleted = <marvin_entities::Success as Answer>::from_answer(
        "deleteCluster",
        samples["deleteCluster"].clone(),
    )
    .unwrap();
    assert!(deleted.success);

    let hosts =
        <Vec<api::Host> as Answer>::from_answer("listHosts", samples["listHosts"].clone()).unwrap();
    assert!(
        hosts[0].cpuallocated.is_some(),
        "numbers sent as strings stay readable"
    );

    // Templates are registered with a one-item list answer.
    let template = <api::Template as Answer>::from_answer(
        "registerTemplate",
        samples["registerTemplate"].clone(),
    )
    .unwrap();
    assert_eq!(template.name.as_deref(), Some("testTemplate"));
}
