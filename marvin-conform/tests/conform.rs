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
