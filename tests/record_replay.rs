//! Record and replay against the simulator: a scenario recorded live is
//! replayed with no cloud at all (the client points at a closed port) and
//! gives the same results; misses, secrets, poll order and stale cassettes
//! behave as `docs/record-replay.md` says; every committed cassette is free
//! of secrets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use marvin::prelude::*;
use marvin::simulator::{RunningSimulator, Simulator};
use marvin_core::client::cassette::{Cassette, CassetteSettings, RecordMode, precache_hash, scrub};
use marvin_core::testing::{RunSettings, ScenarioOutcome, TestSpec, run_scenario};
use serde_json::Value;

/// Where nothing listens: a replayed call that went live would fail.
const UNREACHABLE: &str = "http://127.0.0.1:9/client/api";

/// The committed example cassettes.
fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cassettes")
}

fn workspace_precache_hash() -> String {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("api-precache.json"))
        .expect("the workspace precache");
    precache_hash(&bytes)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "marvin-cassettes-{}-{name}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

fn settings() -> RunSettings {
    let mut settings = RunSettings::from_env();
    settings.ledger = None;
    settings.selected_tags = None;
    settings.termination_grace = None;
    settings.chaos = None;
    settings
}

/// What the scenario saw, apart from values a run makes up.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    account_id: String,
    vm_id: String,
    vm_state: String,
    listed: Vec<String>,
    fingerprint: String,
    /// The private key of the key pair (recorded runs only: the cassette
    /// keeps it masked).
    private_key: String,
    account_name: String,
    username: String,
}

/// `#cloud-config\nsecret: user-data-never-in-a-cassette\n`, in base64.
const USER_DATA: &str = "I2Nsb3VkLWNvbmZpZwpzZWNyZXQ6IHVzZXItZGF0YS1uZXZlci1pbi1hLWNhc3NldHRlCg==";

/// The scenario: an account from a factory, a key pair (a secret in its
/// answer), a VM deployed for the account (an async job, polled), user data
/// set on it, a listing, and deletions (the key pair here, the rest by the
/// test's cleanup).
async fn scenario(client: Client, name: &str) -> (ScenarioOutcome, Option<Seen>) {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let out = Arc::clone(&seen);
    let spec = TestSpec::new(name);
    let outcome = run_scenario(&settings(), &spec, client, move |ctx| {
        Box::pin(async move {
            let account = UserAccount::create(ctx).await?;
            let username = account
                .user
                .first()
                .and_then(|user| user.username.clone())
                .unwrap_or_default();
            let key_name = sequence("key");
            let keypair = ctx
                .client()
                .call(api("createSSHKeyPair"))
                .param("name", &key_name)
                .await?;
            let keypair = keypair.get("keypair").unwrap_or(&keypair).clone();
            let vm = VirtualMachineFactory::new()
                .owner(&account)
                .create(ctx)
                .await?;
            ctx.client()
                .call(api("updateVirtualMachine"))
                .param("id", &vm.id)
                .param("userdata", USER_DATA)
                .await?;
            let listed = ctx
                .client()
                .list_all(
                    "listVirtualMachines",
                    Params::new()
                        .with("account", account.name.clone().unwrap_or_default())
                        .with("domainid", account.domainid.clone().unwrap_or_default()),
                )
                .await?;
            ctx.client()
                .call(api("deleteSSHKeyPair"))
                .param("name", &key_name)
                .await?;
            let text = |value: &Value, key: &str| {
                value
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            *out.lock().unwrap() = Some(Seen {
                account_id: account.id.clone(),
                vm_id: vm.id.clone(),
                vm_state: vm.state.clone().unwrap_or_default(),
                listed: listed.iter().map(|vm| text(vm, "id")).collect(),
                fingerprint: text(&keypair, "fingerprint"),
                private_key: text(&keypair, "privatekey"),
                account_name: account.name.clone().unwrap_or_default(),
                username,
            });
            Ok(())
        })
    })
    .await;
    let seen = seen.lock().unwrap().clone();
    (outcome, seen)
}

/// Records the scenario against a fresh simulator into `dir`; returns what
/// it saw, the cassette and the simulator (alive for its secrets).
async fn record(dir: &Path, name: &str) -> (Seen, Arc<Cassette>, RunningSimulator) {
    let simulator = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let settings =
        CassetteSettings::new(dir, RecordMode::All).with_precache_hash(workspace_precache_hash());
    let cassette = Cassette::open(&settings, name).expect("a new cassette");
    let client = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()
        .expect("a client")
        .with_cassette(Arc::clone(&cassette));
    let (outcome, seen) = scenario(client, name).await;
    assert!(
        outcome.verdict.is_success() && !outcome.cleanup.failed(),
        "{:?} {:?}",
        outcome.verdict,
        outcome.cleanup
    );
    (seen.expect("the scenario ran"), cassette, simulator)
}

fn replay_client(cassette: Arc<Cassette>) -> Client {
    Client::builder(UNREACHABLE)
        .keys("replay-api-key", "replay-secret-key")
        .retries(0)
        .build()
        .expect("a client")
        .with_cassette(cassette)
}

fn interactions(path: &Path) -> Vec<Value> {
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    file["interactions"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_scenario_replays_with_no_cloud_and_the_same_results() {
    let dir = temp_dir("replay");
    let name = "record_replay::scenario";
    let (recorded, cassette, simulator) = record(&dir, name).await;
    assert!(recorded.private_key.contains("PRIVATE KEY"), "{recorded:?}");
    assert_eq!(recorded.listed, std::slice::from_ref(&recorded.vm_id));
    assert_eq!(recorded.vm_state, "Running");

    // The job was polled while pending, and the polls are kept in order.
    let file = cassette.path().to_path_buf();
    let polls: Vec<Value> = interactions(&file)
        .into_iter()
        .filter(|i| i["request"]["command"] == "queryAsyncJobResult")
        .collect();
    let pending =
        |i: &Value| i["response"]["body"]["queryasyncjobresultresponse"]["jobstatus"] == 0;
    assert!(polls.iter().any(pending), "no pending poll was recorded");
    let header: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(header["precache"], workspace_precache_hash());
    assert!(
        header["cloud_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{header}"
    );

    // Replayed with the simulator gone and no network: the same answers.
    simulator.shutdown().await;
    let replaying = Cassette::open(&CassetteSettings::new(&dir, RecordMode::None), name).unwrap();
    assert!(!replaying.records());
    let (outcome, replayed) = scenario(replay_client(Arc::clone(&replaying)), name).await;
    assert!(
        outcome.verdict.is_success() && !outcome.cleanup.failed(),
        "{:?} {:?}",
        outcome.verdict,
        outcome.cleanup
    );
    let replayed = replayed.expect("the replay ran");
    assert_eq!(replayed.account_id, recorded.account_id);
    assert_eq!(replayed.vm_id, recorded.vm_id);
    assert_eq!(replayed.vm_state, recorded.vm_state);
    assert_eq!(replayed.listed, recorded.listed);
    assert_eq!(replayed.fingerprint, recorded.fingerprint);
    // The names this run made up are its own, in the answers too (the
    // recorded answer named the recording's user).
    assert_ne!(replayed.username, recorded.username);
    assert!(replayed.username.starts_with("user-"), "{replayed:?}");
    assert_eq!(replayed.account_name, replayed.username);
    // The key never left the recording run: the replay makes one up of
    // the same form (the PEM armour is kept around the placeholder).
    assert_ne!(replayed.private_key, recorded.private_key);
    assert!(
        replayed.private_key.starts_with("-----BEGIN ")
            && replayed.private_key.contains("replayed-secret-"),
        "{}",
        replayed.private_key
    );
    // Every recorded interaction answered exactly one request: no poll
    // skipped, none repeated, the cleanup's deletions included.
    assert_eq!(replaying.unreplayed(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_the_recording_saw_are_not_in_the_cassette() {
    let dir = temp_dir("secrets");
    let (seen, cassette, simulator) = record(&dir, "record_replay::secrets").await;
    let text = std::fs::read_to_string(cassette.path()).unwrap();
    let key_body: String = seen
        .private_key
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    for (what, secret) in [
        ("the admin's API key", simulator.api_key()),
        ("the admin's secret key", simulator.secret_key()),
        ("the private key", key_body.as_str()),
        ("the user data", USER_DATA),
    ] {
        assert!(!secret.is_empty(), "{what} is empty");
        assert!(!text.contains(secret), "{what} is in the cassette");
    }
    assert!(!text.contains("signature") && !text.contains("sessionkey"));
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(scrub::find_secrets(&file), Vec::<String>::new());
    // The answers the recording got still carried the key (checked above by
    // `record`'s caller: the key pair's private key is real).
    assert!(seen.private_key.contains("PRIVATE KEY"));
    simulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_miss_in_none_mode_is_an_error_with_the_diff_and_never_a_live_call() {
    let dir = committed_dir();
    let settings = CassetteSettings::new(&dir, RecordMode::None);
    let cassette = Cassette::open(&settings, "record_replay::example").unwrap();
    let client = replay_client(Arc::clone(&cassette));
    let error = client
        .call(api("listZones"))
        .param("name", "no-such-zone")
        .param("available", "false")
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(!error.is_transport(), "it went live: {error:?}");
    assert!(text.contains("no recorded answer for listzones"), "{text}");
    assert!(text.contains("mode none"), "{text}");
    assert!(
        text.contains("- available=true") && text.contains("+ available=false"),
        "{text}"
    );
    assert!(text.contains("+ name=no-such-zone"), "{text}");
    // A command the cassette never saw names what it holds.
    let text = client.call(api("listHosts")).await.unwrap_err().to_string();
    assert!(text.contains("has no listhosts request"), "{text}");
    // A test with no cassette at all fails the same way, never live.
    let missing = Cassette::open(&settings, "record_replay::never_recorded").unwrap();
    let error = replay_client(missing)
        .call(api("listZones"))
        .await
        .unwrap_err();
    assert!(!error.is_transport(), "{error:?}");
    assert!(error.to_string().contains("no such file"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_example_replays_in_order() {
    let settings = CassetteSettings::new(committed_dir(), RecordMode::None)
        .with_precache_hash(workspace_precache_hash());
    let cassette = Cassette::open(&settings, "record_replay::example").unwrap();
    // Only a newer precache may have made it stale (a test below checks
    // the warnings): it still replays.
    assert!(
        cassette.warnings().iter().all(|w| w.contains("precache")),
        "{:?}",
        cassette.warnings()
    );
    // Polls with an hour between them: a replay does not wait for a job
    // the cassette already says is done.
    let mut slow = marvin_core::config::ClientSettings::default();
    slow.poll_first = std::time::Duration::from_secs(3600);
    slow.poll_max = std::time::Duration::from_secs(3600);
    let client = Client::builder(UNREACHABLE)
        .settings(slow)
        .keys("replay-api-key", "replay-secret-key")
        .build()
        .unwrap()
        .with_cassette(Arc::clone(&cassette));
    let replay = example_calls(&client, "replayed-here");
    let answer = tokio::time::timeout(std::time::Duration::from_secs(60), replay)
        .await
        .expect("the replay waited between polls")
        .unwrap();
    assert_eq!(answer.zones, 1);
    assert!(answer.jobs_polled >= 2, "{answer:?}");
    assert_eq!(cassette.unreplayed(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cassette_of_another_precache_or_too_old_warns_and_still_replays() {
    let dir = temp_dir("stale");
    let source =
        CassetteSettings::new(committed_dir(), RecordMode::None).path_for("record_replay::example");
    let mut file: Value = serde_json::from_slice(&std::fs::read(&source).unwrap()).unwrap();
    file["recorded_at"] = "2020-01-01T00:00:00Z".into();
    let settings = CassetteSettings::new(&dir, RecordMode::None).with_precache_hash("0".repeat(40));
    std::fs::write(
        settings.path_for("record_replay::example"),
        serde_json::to_string_pretty(&file).unwrap(),
    )
    .unwrap();
    let cassette = Cassette::open(&settings, "record_replay::example").unwrap();
    let warnings = cassette.warnings();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("recorded with precache"),
        "{warnings:?}"
    );
    assert!(warnings[1].contains("days old"), "{warnings:?}");
    // It replays all the same, with no live call.
    let answer = example_calls(&replay_client(Arc::clone(&cassette)), "stale-1").await;
    assert!(answer.is_ok(), "{answer:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every directory named `cassettes` in the repository (build output aside).
fn cassette_dirs(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if !path.is_dir() || [".git", "target"].iter().any(|skip| name == *skip) {
            continue;
        }
        if name == "cassettes" {
            found.push(path);
        } else {
            cassette_dirs(&path, found);
        }
    }
}

fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
}

#[test]
fn committed_cassettes_hold_no_secret() {
    let mut dirs = Vec::new();
    cassette_dirs(Path::new(env!("CARGO_MANIFEST_DIR")), &mut dirs);
    assert!(dirs.contains(&committed_dir()), "{dirs:?}");
    let mut files = Vec::new();
    for dir in &dirs {
        json_files(dir, &mut files);
    }
    assert!(!files.is_empty(), "no cassette under {dirs:?}");
    for path in files {
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            scrub::find_secrets(&file),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        for interaction in file["interactions"].as_array().unwrap() {
            let params = interaction["request"]["params"].as_object().unwrap();
            for name in params.keys() {
                assert!(
                    !marvin_core::client::cassette::matching::IGNORED
                        .contains(&name.to_ascii_lowercase().as_str()),
                    "{}: {name} is kept",
                    path.display()
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_modes_record_replay_and_append_as_vcr_does() {
    let simulator = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let live = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()
        .unwrap();
    let dir = temp_dir("modes");
    let name = "record_replay::modes";
    let open = |mode| Cassette::open(&CassetteSettings::new(&dir, mode), name).unwrap();

    // once, no file yet: recorded live.
    let once = open(RecordMode::Once);
    assert!(once.records() && once.is_empty());
    example_calls(&live.with_cassette(Arc::clone(&once)), "once-1")
        .await
        .unwrap();
    let recorded = once.len();
    assert!(recorded >= 6, "{recorded}");

    // once, with the file: replayed (even against a live client), and a
    // miss is an error rather than a live call.
    let again = open(RecordMode::Once);
    assert!(!again.records());
    let client = live.with_cassette(Arc::clone(&again));
    example_calls(&client, "once-2").await.unwrap();
    assert_eq!(again.unreplayed(), 0);
    let error = client.call(api("listHosts")).await.unwrap_err();
    assert!(error.to_string().contains("mode once"), "{error}");
    assert_eq!(open(RecordMode::None).len(), recorded);

    // new_episodes: the recorded calls replay, a new one goes live and is
    // appended.
    let episodes = open(RecordMode::NewEpisodes);
    let client = live.with_cassette(Arc::clone(&episodes));
    example_calls(&client, "episodes").await.unwrap();
    let hosts = client.list_all("listHosts", Params::new()).await.unwrap();
    assert!(!hosts.is_empty());
    assert_eq!(episodes.len(), recorded + 1);
    assert_eq!(episodes.unreplayed(), 0);
    let reopened = open(RecordMode::None);
    assert_eq!(reopened.len(), recorded + 1);
    replay_client(Arc::clone(&reopened))
        .list_all("listHosts", Params::new())
        .await
        .unwrap();

    // all: the file is ignored and replaced.
    let all = open(RecordMode::All);
    assert!(all.records() && all.is_empty());
    live.with_cassette(Arc::clone(&all))
        .list_all("listZones", Params::new())
        .await
        .unwrap();
    assert_eq!(open(RecordMode::None).len(), 1);
    simulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_session_records_and_replays_without_its_password() {
    let simulator = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let dir = temp_dir("session");
    let name = "record_replay::session";
    let open = |mode| Cassette::open(&CassetteSettings::new(&dir, mode), name).unwrap();
    let password = simulator.admin_password().to_owned();
    let recording = Client::builder(simulator.url())
        .credentials(simulator.admin_username(), &password, "/")
        .build()
        .unwrap()
        .with_cassette(open(RecordMode::All));
    let zones = recording
        .list_all("listZones", Params::new())
        .await
        .unwrap();
    let text = std::fs::read_to_string(dir.join("record_replay.session.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let login = &file["interactions"][0];
    assert_eq!(login["request"]["command"], "login", "{text}");
    let password_mask = login["request"]["params"]["password"].as_str().unwrap();
    assert!(scrub::placeholder_number(password_mask).is_some(), "{text}");
    let session_mask = login["response"]["body"]["loginresponse"]["sessionkey"]
        .as_str()
        .unwrap();
    assert!(scrub::placeholder_number(session_mask).is_some(), "{text}");
    // Later requests name the session they carried by its placeholder.
    assert_eq!(
        file["interactions"][1]["request"]["caller"]["sessionkey"], session_mask,
        "{text}"
    );
    assert_eq!(scrub::find_secrets(&file), Vec::<String>::new());
    assert!(!text.contains("JSESSIONID"));
    simulator.shutdown().await;

    // Another password, no cloud: the login and the listing replay.
    let replaying = Client::builder(UNREACHABLE)
        .credentials("admin", "not-the-password", "/")
        .retries(0)
        .build()
        .unwrap()
        .with_cassette(open(RecordMode::None));
    let replayed = replaying
        .list_all("listZones", Params::new())
        .await
        .unwrap();
    assert_eq!(replayed, zones);
    assert!(replaying.has_session());
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the example calls saw.
#[derive(Debug)]
struct Example {
    zones: usize,
    jobs_polled: usize,
}

/// The committed example: a listing, a key pair made and deleted, an
/// account made (its password a secret) and deleted (an async job, polled).
async fn example_calls(client: &Client, suffix: &str) -> marvin_core::Result<Example> {
    let zones = client
        .list_all("listZones", Params::new().with("available", "true"))
        .await?;
    let key_name = format!("key-{suffix}");
    client
        .call(api("createSSHKeyPair"))
        .param("name", &key_name)
        .await?;
    let username = format!("user-{suffix}");
    let account = client
        .call(api("createAccount"))
        .params(
            Params::new()
                .with("username", &username)
                .with("email", format!("{username}@example.com"))
                .with("firstname", "Ada")
                .with("lastname", "Lovelace")
                .with("password", format!("Pw-{suffix}-1!"))
                .with("accounttype", 0),
        )
        .await?;
    let account = account.get("account").unwrap_or(&account);
    assert_eq!(account["name"], username.as_str());
    let id = account["id"].as_str().unwrap_or_default().to_owned();
    client.call(api("deleteAccount")).param("id", &id).await?;
    client
        .call(api("deleteSSHKeyPair"))
        .param("name", &key_name)
        .await?;
    let jobs_polled = client
        .cassette()
        .map(|c| {
            interactions(c.path())
                .iter()
                .filter(|i| i["request"]["command"] == "queryAsyncJobResult")
                .count()
        })
        .unwrap_or_default();
    Ok(Example {
        zones: zones.len(),
        jobs_polled,
    })
}

/// Rewrites the committed example from a fresh simulator:
/// `MARVIN_BLESS=1 cargo test --test record_replay bless_the_example`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bless_the_example() {
    if std::env::var("MARVIN_BLESS").is_err() {
        return;
    }
    let simulator = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let settings = CassetteSettings::new(committed_dir(), RecordMode::All)
        .with_precache_hash(workspace_precache_hash());
    let cassette = Cassette::open(&settings, "record_replay::example").unwrap();
    let client = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()
        .unwrap()
        .with_cassette(cassette);
    example_calls(&client, &marvin::factories::unique_suffix())
        .await
        .unwrap();
    simulator.shutdown().await;
}

/// The child of `the_environment_attaches_a_cassette_to_every_test`: a test
/// run by the runner, with the environment the parent gives it.
#[test]
fn environment_child() {
    if std::env::var("RECORD_REPLAY_CHILD").is_err() {
        return;
    }
    marvin_core::testing::run_test(
        TestSpec::new("record_replay::example"),
        || async {
            Client::builder(UNREACHABLE)
                .keys("child-api-key", "child-secret-key")
                .retries(0)
                .build()
        },
        |ctx| {
            Box::pin(async move {
                let cassette = ctx
                    .client()
                    .cassette()
                    .expect("a cassette from the environment");
                assert_eq!(cassette.mode(), RecordMode::None);
                example_calls(ctx.client(), "child-run").await?;
                assert_eq!(cassette.unreplayed(), 0);
                Ok(())
            })
        },
    );
}

#[test]
fn the_environment_attaches_a_cassette_to_every_test() {
    let run = |replay: &Path| {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "environment_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("RECORD_REPLAY_CHILD", "1")
            .env("MARVIN_REPLAY", replay)
            .env_remove("MARVIN_RECORD")
            .env("MARVIN_LEDGER", "off")
            .output()
            .expect("the child runs")
    };
    let replayed = run(&committed_dir());
    let output = String::from_utf8_lossy(&replayed.stderr).into_owned()
        + &String::from_utf8_lossy(&replayed.stdout);
    assert!(replayed.status.success(), "{output}");
    assert!(output.contains("1 passed"), "{output}");
    // Without its cassette the test fails with the reason, never live.
    let empty = temp_dir("env");
    let missed = run(&empty);
    let output = String::from_utf8_lossy(&missed.stderr).into_owned()
        + &String::from_utf8_lossy(&missed.stdout);
    assert!(!missed.status.success(), "{output}");
    assert!(
        output.contains("no recorded answer for listzones"),
        "{output}"
    );
    assert!(!output.contains("could not reach"), "{output}");
    let _ = std::fs::remove_dir_all(&empty);
}
