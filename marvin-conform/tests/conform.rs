//! A run recorded through the real client against one simulator, measured
//! against fresh ones: no difference as recorded, and exactly the
//! differences planted in the cassette once it is altered.

use std::path::Path;

use marvin_conform::{Kind, Report, Settings, Target};
use marvin_core::client::cassette::{Cassette, CassetteSettings, RecordMode};
use marvin_core::{Api, Client, Params};
use serde_json::Value;

const NO_SUCH_ID: &str = "0badc0de-0000-4000-8000-000000000000";

/// Records one test's calls: an account with a password, a lookup by id,
/// new keys for its user and calls signed by them (one the user may make,
/// one only an admin may), an error, and a job (the account's deletion).
async fn record(dir: &Path) -> marvin_core::Result<()> {
    let simulator = marvin_simulator::Simulator::start_default()
        .await
        .expect("simulator");
    let cassette = Cassette::open(
        &CassetteSettings::new(dir, RecordMode::All),
        "conform::account_flow",
    )?;
    let admin = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()?
        .with_cassette(cassette.clone());
    let created = admin
        .call(Api::described("createAccount", false))
        .params(Params::from([
            ("username", "conform-user"),
            ("password", "Recorded-Passw0rd!"),
            ("email", "conform@example.com"),
            ("firstname", "Con"),
            ("lastname", "Form"),
            ("accounttype", "0"),
        ]))
        .await?;
    let account_id = created["account"]["id"]
        .as_str()
        .expect("account id")
        .to_owned();
    let user_id = created["account"]["user"][0]["id"]
        .as_str()
        .expect("user id")
        .to_owned();
    admin
        .call(Api::described("listAccounts", false))
        .param("id", &account_id)
        .await?;
    let keys = admin
        .call(Api::described("registerUserKeys", false))
        .param("id", &user_id)
        .await?;
    let user = Client::builder(simulator.url())
        .keys(
            keys["userkeys"]["apikey"].as_str().expect("api key"),
            keys["userkeys"]["secretkey"].as_str().expect("secret key"),
        )
        .build()?
        .with_cassette(cassette.clone());
    user.call(Api::described("listAccounts", false)).await?;
    // Refused to a user, answered to an admin: conform must sign it with
    // the user's new keys to answer as recorded.
    let refused = user.call(Api::described("listHosts", false)).await;
    assert!(refused.is_err(), "a user listed hosts: {refused:?}");
    let missing = admin
        .call(Api::described("updateAccount", false))
        .params(Params::from([("id", NO_SUCH_ID), ("newname", "renamed")]))
        .await;
    assert!(
        missing.is_err(),
        "an unknown account was updated: {missing:?}"
    );
    admin
        .call(Api::described("deleteAccount", true))
        .param("id", &account_id)
        .await?;
    Ok(())
}

async fn conform(dir: &Path) -> Report {
    let target = Target::simulator().await.expect("target simulator");
    marvin_conform::run(&Settings::new(dir), &target)
        .await
        .expect("conform run")
}

fn cassette_path(dir: &Path) -> std::path::PathBuf {
    dir.join("conform.account_flow.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_simulator_answers_as_recorded_and_planted_differences_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path()).await.expect("recording");
    let text = std::fs::read_to_string(cassette_path(dir.path())).unwrap();
    assert!(
        !text.contains("Recorded-Passw0rd!"),
        "the password is in the cassette"
    );

    let report = conform(dir.path()).await;
    assert_eq!(report.differences(), 0, "{}", report.text());
    assert!(report.notes.is_empty(), "{}", report.text());
    assert_eq!(report.cassettes, 1);
    let commands: Vec<&str> = report.commands.iter().map(|c| c.command.as_str()).collect();
    for command in [
        "createAccount",
        "listAccounts",
        "registerUserKeys",
        "listHosts",
        "updateAccount",
        "deleteAccount",
        "queryAsyncJobResult",
    ] {
        assert!(
            commands.contains(&command),
            "{command} not replayed: {commands:?}"
        );
    }
    let polls = report
        .commands
        .iter()
        .find(|c| c.command == "queryAsyncJobResult")
        .unwrap();
    assert!(polls.replayed >= 1);
    assert_eq!(
        report.replayed + report.skipped_polls,
        report.recorded,
        "{}",
        report.text()
    );

    // One field renamed in the answer of the lookup by id, one error code
    // changed in the error answer.
    let mut cassette: Value = serde_json::from_str(&text).unwrap();
    let interactions = cassette["interactions"].as_array_mut().unwrap();
    let lookup = interactions
        .iter()
        .position(|i| {
            i["request"]["command"] == "listAccounts" && i["request"]["params"]["id"].is_string()
        })
        .expect("the lookup by id");
    let account = interactions[lookup]["response"]["body"]["listaccountsresponse"]["account"][0]
        .as_object_mut()
        .unwrap();
    let state = account.remove("state").expect("an account state");
    account.insert("accountstate".into(), state);
    let error = interactions
        .iter()
        .position(|i| i["request"]["command"] == "updateAccount")
        .expect("the error");
    let answer = &mut interactions[error]["response"]["body"]["updateaccountresponse"];
    let code = answer["errorcode"].as_u64().expect("an error code");
    answer["errorcode"] = Value::from(530);
    assert_ne!(code, 530);
    std::fs::write(
        cassette_path(dir.path()),
        serde_json::to_string_pretty(&cassette).unwrap(),
    )
    .unwrap();

    let report = conform(dir.path()).await;
    let found: Vec<(String, Kind, String, String, String, usize)> = report
        .commands
        .iter()
        .flat_map(|c| {
            c.differences.iter().map(|d| {
                (
                    c.command.clone(),
                    d.kind,
                    d.path.clone(),
                    d.recorded.clone(),
                    d.live.clone(),
                    d.first.interaction,
                )
            })
        })
        .collect();
    let expected = vec![
        (
            "listAccounts".to_owned(),
            Kind::Missing,
            "listaccountsresponse.account[].accountstate".to_owned(),
            "string".to_owned(),
            String::new(),
            lookup,
        ),
        (
            "listAccounts".to_owned(),
            Kind::Extra,
            "listaccountsresponse.account[].state".to_owned(),
            String::new(),
            "string".to_owned(),
            lookup,
        ),
        (
            "updateAccount".to_owned(),
            Kind::ErrorCode,
            "errorcode".to_owned(),
            "530".to_owned(),
            code.to_string(),
            error,
        ),
    ];
    pretty_assertions::assert_eq!(found, expected, "{}", report.text());
    assert!(
        report.text().contains("3 difference(s)"),
        "{}",
        report.text()
    );
    let json = report.to_json();
    assert_eq!(json["differences"], 3);
    assert_eq!(json["conformant"], false);
}

#[tokio::test]
async fn a_directory_without_cassettes_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::simulator().await.unwrap();
    let error = marvin_conform::run(&Settings::new(dir.path()), &target)
        .await
        .unwrap_err();
    assert!(
        matches!(error, marvin_conform::ConformError::Cassettes(_)),
        "{error}"
    );
    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    let error = marvin_conform::run(&Settings::new(dir.path()), &target)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("broken.json"), "{error}");
}

/// The id of an answer's object (`{"virtualmachine": {"id": ..}}` or a
/// job's `{"id": ..}`).
fn id_of(answer: &Value, object: &str) -> String {
    answer[object]["id"]
        .as_str()
        .or_else(|| answer["id"].as_str())
        .unwrap_or_else(|| panic!("no {object} id in {answer}"))
        .to_owned()
}

fn user_data(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// One test's calls with two VMs deployed at once (their jobs pending
/// together), user data given at deploy and changed later, a public
/// address acquired, forwarded to one VM and released, and both VMs
/// destroyed at once.
async fn record_vms(
    simulator: &marvin_simulator::RunningSimulator,
    dir: &Path,
) -> marvin_core::Result<()> {
    let cassette = Cassette::open(
        &CassetteSettings::new(dir, RecordMode::All),
        "conform::two_vms_at_once",
    )?;
    let admin = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()?
        .with_cassette(cassette);
    let first = |answer: Value, list: &str| -> String {
        answer[list][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {list} in {answer}"))
            .to_owned()
    };
    let zone = first(
        admin.call(Api::described("listZones", false)).await?,
        "zone",
    );
    let template = first(
        admin
            .call(Api::described("listTemplates", false))
            .params(Params::from([
                ("templatefilter", "featured"),
                ("zoneid", zone.as_str()),
            ]))
            .await?,
        "template",
    );
    let offering = first(
        admin
            .call(Api::described("listServiceOfferings", false))
            .param("issystem", "false")
            .await?,
        "serviceoffering",
    );
    let network_offering = first(
        admin
            .call(Api::described("listNetworkOfferings", false))
            .params(Params::from([
                ("guestiptype", "Isolated"),
                ("state", "Enabled"),
            ]))
            .await?,
        "networkoffering",
    );
    let network = admin
        .call(Api::described("createNetwork", false))
        .params(Params::from([
            ("name", "conform-net"),
            ("displaytext", "conform net"),
            ("networkofferingid", network_offering.as_str()),
            ("zoneid", zone.as_str()),
        ]))
        .await?;
    let network = id_of(&network, "network");
    let deploy = |name: &'static str, data: Option<String>| {
        let mut params = Params::from([
            ("name", name),
            ("displayname", name),
            ("zoneid", zone.as_str()),
            ("templateid", template.as_str()),
            ("serviceofferingid", offering.as_str()),
            ("networkids", network.as_str()),
        ]);
        if let Some(data) = data {
            params.set("userdata", data);
        }
        admin
            .call(Api::described("deployVirtualMachine", true))
            .params(params)
    };
    let (one, two) = tokio::join!(
        deploy("conform-vm-1", Some(user_data("#cloud-config\nfirst\n"))),
        deploy("conform-vm-2", None)
    );
    let (one, two) = (
        id_of(&one?, "virtualmachine"),
        id_of(&two?, "virtualmachine"),
    );
    admin
        .call(Api::described("getVirtualMachineUserData", false))
        .param("virtualmachineid", &one)
        .await?;
    let address = admin
        .call(Api::described("associateIpAddress", true))
        .param("networkid", &network)
        .await?;
    let address = id_of(&address, "ipaddress");
    let rule = admin
        .call(Api::described("createPortForwardingRule", true))
        .params(Params::from([
            ("ipaddressid", address.as_str()),
            ("virtualmachineid", two.as_str()),
            ("protocol", "tcp"),
            ("publicport", "2222"),
            ("privateport", "22"),
            ("openfirewall", "false"),
        ]))
        .await?;
    let rule = id_of(&rule, "portforwardingrule");
    admin
        .call(Api::described("deletePortForwardingRule", true))
        .param("id", &rule)
        .await?;
    admin
        .call(Api::described("disassociateIpAddress", true))
        .param("id", &address)
        .await?;
    admin
        .call(Api::described("stopVirtualMachine", true))
        .param("id", &one)
        .await?;
    admin
        .call(Api::described("updateVirtualMachine", false))
        .params(Params::from([
            ("id", one.as_str()),
            ("userdata", user_data("#cloud-config\nsecond\n").as_str()),
        ]))
        .await?;
    admin
        .call(Api::described("getVirtualMachineUserData", false))
        .param("virtualmachineid", &one)
        .await?;
    let destroy = |id: String| {
        admin
            .call(Api::described("destroyVirtualMachine", true))
            .params(Params::from([("id", id.as_str()), ("expunge", "true")]))
    };
    let (gone, gone_too) = tokio::join!(destroy(one), destroy(two));
    gone?;
    gone_too?;
    admin
        .call(Api::described("deleteNetwork", true))
        .param("id", &network)
        .await?;
    Ok(())
}

/// Another test at the same time: a domain made, listed and deleted.
async fn record_domains(
    simulator: &marvin_simulator::RunningSimulator,
    dir: &Path,
) -> marvin_core::Result<()> {
    let cassette = Cassette::open(
        &CassetteSettings::new(dir, RecordMode::All),
        "conform::a_domain_meanwhile",
    )?;
    let admin = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()?
        .with_cassette(cassette);
    let domain = admin
        .call(Api::described("createDomain", false))
        .param("name", "conform-domain")
        .await?;
    let domain = id_of(&domain, "domain");
    admin.call(Api::described("listDomains", false)).await?;
    admin
        .call(Api::described("deleteDomain", true))
        .param("id", &domain)
        .await?;
    admin.call(Api::described("listDomains", false)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_made_concurrently_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let simulator = marvin_simulator::Simulator::start_default()
        .await
        .expect("simulator");
    let (vms, domains) = tokio::join!(
        record_vms(&simulator, dir.path()),
        record_domains(&simulator, dir.path())
    );
    vms.expect("recording the VMs");
    domains.expect("recording the domain");
    let text = std::fs::read_to_string(dir.path().join("conform.two_vms_at_once.json")).unwrap();
    assert!(
        !text.contains(&user_data("#cloud-config\nfirst\n")),
        "the user data is in the cassette"
    );
    // The two deployments were in flight together: both were sent before
    // either job was polled.
    let cassette: Value = serde_json::from_str(&text).unwrap();
    let seqs = |command: &str| -> Vec<u64> {
        cassette["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["request"]["command"] == command)
            .map(|i| i["seq"].as_u64().unwrap())
            .collect()
    };
    let deployed = seqs("deployVirtualMachine");
    assert_eq!(deployed.len(), 2);
    let first_poll = seqs("queryAsyncJobResult")
        .into_iter()
        .filter(|&seq| seq > deployed[0].min(deployed[1]))
        .min()
        .unwrap();
    assert!(
        deployed.iter().all(|&seq| seq < first_poll),
        "{deployed:?} {first_poll}"
    );

    let report = conform(dir.path()).await;
    assert_eq!(report.differences(), 0, "{}", report.text());
    assert!(report.notes.is_empty(), "{}", report.text());
    assert_eq!(report.cassettes, 2);
    assert_eq!(
        report.replayed + report.skipped_polls,
        report.recorded,
        "{}",
        report.text()
    );
    for command in [
        "deployVirtualMachine",
        "getVirtualMachineUserData",
        "createPortForwardingRule",
        "updateVirtualMachine",
        "destroyVirtualMachine",
        "listDomains",
    ] {
        let replayed = report
            .commands
            .iter()
            .find(|c| c.command == command)
            .map_or(0, |c| c.replayed);
        assert!(replayed >= 1, "{command} not replayed: {}", report.text());
    }
}
