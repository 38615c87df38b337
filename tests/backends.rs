//! One suite, every backend (`marvin_runner::backend`), through the real
//! `marvin smoke` binary: a slice of the bundled suite recorded on the
//! embedded simulator replays with no network and gives the same outcomes;
//! an external endpoint that starts late is waited for; options that
//! contradict each other, or a replay with nothing to replay, stop before
//! any test; and a test needing what the backend lacks is skipped with the
//! reason in its result.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use marvin::prelude::*;
use marvin_core::schema::ApiList;
use marvin_core::testing::{Capabilities, RunSettings};
use marvin_runner::{RunOptions, Scenario, Status};
use serde_json::Value;

/// Tests of the bundled suite that touch accounts, users, jobs and key
/// pairs (secrets in their answers) and callers other than the admin.
const SLICE: &str = "^(users|keypairs|jobs)::";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("marvin-backends-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn marvin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(args)
        .env("MARVIN_LEDGER", dir.join("ledger.jsonl"))
        .env_remove("MARVIN_CONFIG")
        .env_remove("MARVIN_REPLAY")
        .env_remove("MARVIN_RECORD")
        .env_remove("MARVIN_RECORD_MODE")
        .env_remove("MARVIN_TAGS")
        .env_remove("MARVIN_CHAOS_PANIC")
        .output()
        .expect("marvin runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Each test's outcome in a `--json` report: status and skip reason.
fn outcomes(path: &Path) -> Vec<(String, String, Option<String>)> {
    let report: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["status"].as_str().unwrap().to_owned(),
                t["skip_reason"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn a_recorded_slice_replays_with_no_network_and_the_same_outcomes() {
    let dir = scratch("replay");
    let cassettes = dir.join("cassettes");
    let (recorded, replayed) = (dir.join("recorded.json"), dir.join("replayed.json"));
    let record = marvin(
        &dir,
        &[
            "smoke",
            "-q",
            "--regex",
            SLICE,
            "--record",
            cassettes.to_str().unwrap(),
            "--record-mode",
            "all",
            "--json",
            recorded.to_str().unwrap(),
        ],
    );
    assert!(
        record.status.success(),
        "{}{}",
        text(&record.stdout),
        text(&record.stderr)
    );
    text(&record.stdout).should().contain("recorded into");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(cassettes.join("marvin-run.json")).unwrap()).unwrap();
    manifest["capabilities"]
        .should()
        .equal(serde_json::json!(["live", "simulator"]));

    let replay = marvin(
        &dir,
        &[
            "smoke",
            "-q",
            "--regex",
            SLICE,
            "--replay",
            cassettes.to_str().unwrap(),
            "--json",
            replayed.to_str().unwrap(),
        ],
    );
    assert!(
        replay.status.success(),
        "{}{}",
        text(&replay.stdout),
        text(&replay.stderr)
    );
    // No simulator started: the summary names the replay.
    text(&replay.stdout).should().contain("a replay of");
    text(&replay.stdout)
        .should_not()
        .contain("embedded simulator");
    let (before, after) = (outcomes(&recorded), outcomes(&replayed));
    before.len().should().be_greater_than(20);
    after.should().equal(before);
    let report: Value = serde_json::from_slice(&std::fs::read(&replayed).unwrap()).unwrap();
    // The replay can do what the recorded backend did, but reach a cloud.
    report["capabilities"]
        .should()
        .equal(serde_json::json!(["simulator"]));

    let check = marvin(&dir, &["cassettes", cassettes.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    text(&check.stdout).should().contain("no secret left");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn contradicting_options_or_nothing_to_replay_stop_before_any_test() {
    let dir = scratch("refused");
    let both = marvin(&dir, &["smoke", "--record", "a", "--replay", "b"]);
    both.status.code().should().equal(Some(2));
    text(&both.stderr).should().contain("choose one");

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let nothing = marvin(&dir, &["smoke", "--replay", empty.to_str().unwrap()]);
    nothing.status.code().should().equal(Some(3));
    text(&nothing.stderr).should().contain("holds no cassette");
    text(&nothing.stdout).should().equal(String::new());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_external_endpoint_that_starts_late_is_waited_for() {
    let dir = scratch("late");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let (api_key, secret_key) = ("late-admin-api-key-0001", "late-admin-secret-key-0001");
    let config = dir.join("cloud.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"mgtSvr":[{{"mgtSvrIp":"127.0.0.1","port":{port},"apiKey":"{api_key}","securityKey":"{secret_key}"}}]}}"#
        ),
    )
    .unwrap();
    let run = {
        let (dir, config) = (dir.clone(), config.clone());
        std::thread::spawn(move || {
            marvin(
                &dir,
                &[
                    "smoke",
                    "-q",
                    "--config",
                    config.to_str().unwrap(),
                    "--ready-timeout",
                    "60",
                    "users::a_disabled_user_is_shut_out_until_enabled",
                    "--exact",
                ],
            )
        })
    };
    // The run is waiting when the simulator comes up.
    std::thread::sleep(Duration::from_millis(1500));
    let mut simulator = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(["simulator", "--port", &port.to_string()])
        .env("MARVIN_ADMIN_API_KEY", api_key)
        .env("MARVIN_ADMIN_SECRET_KEY", secret_key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the simulator starts");
    let output = run.join().unwrap();
    let _ = simulator.kill();
    let _ = simulator.wait();
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stderr)
        .should()
        .contain("waiting up to 60s for the cloud at");
    text(&output.stdout).should().contain("1 passed");
    let _ = std::fs::remove_dir_all(dir);
}

async fn needs_nothing_special(_ctx: &mut TestContext) -> Result<()> {
    Ok(())
}

static NEEDING: [Scenario; 2] = [
    Scenario {
        name: "backends::needs_a_live_cloud",
        tags: &["backends"],
        needs: &["live"],
        required_hardware: false,
        ignored: false,
        ignore_reason: "",
        fixtures: &[],
        run: |ctx| Box::pin(needs_nothing_special(ctx)),
    },
    Scenario {
        name: "backends::needs_nothing",
        tags: &["backends"],
        needs: &[],
        required_hardware: false,
        ignored: false,
        ignore_reason: "",
        fixtures: &[],
        run: |ctx| Box::pin(needs_nothing_special(ctx)),
    },
];

#[test]
fn a_test_needing_what_the_backend_lacks_is_skipped_with_the_reason() {
    let endpoint = marvin::embedded_simulator().expect("the embedded simulator");
    let client = endpoint.admin_client().unwrap();
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).unwrap();
    let options = RunOptions {
        suite: "backends".into(),
        jobs: 2,
        settings: RunSettings {
            capabilities: Some(Capabilities::new("a replay of cassettes/", ["simulator"])),
            run_id: format!("backends-{}", std::process::id()),
            ledger: None,
            selected_tags: None,
            termination_grace: None,
            hardware: false,
            chaos: None,
        },
        target: endpoint.url.clone(),
        progress_bar: false,
        test_lines: false,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(marvin_runner::run_suite(
        &NEEDING, &client, &precache, &options,
    ));
    let needing = &result.tests[0];
    needing.status.should().equal(Status::Skipped);
    needing.skip_reason.as_deref().should().equal(Some(
        "needs live, which a replay of cassettes/ does not have",
    ));
    result.tests[1].status.should().equal(Status::Passed);
}
