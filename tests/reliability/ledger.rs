//! The ledger and `marvin cleanup` (the built binary) must neither forget
//! nor over-delete:
//!
//! - a sweep pointed at another cloud than the one a ledger was written
//!   against touches nothing of either, and says what it skipped; pointed
//!   at the right cloud it deletes everything;
//! - a hand-edited ledger line (another command, another id) is refused and
//!   reported, and the object it pointed at survives;
//! - a dry run prints exactly the calls the real run sends (checked by a
//!   recording proxy in front of the simulator);
//! - with the ledger file gone, `--by-tag` finds the run's resources by
//!   their `marvin:run` tags and deletes them, and nothing of another run;
//! - run without `--ledger` from a user's test crate, it reads that
//!   crate's ledger (and says which file it read); `--ledger` repeats.
//!
//! The resources are made by the factories through a real `TestContext`
//! whose cleanup never runs, as a killed test process leaves them.

use marvin_entities::api;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use marvin_core::cleanup::{Event, Ledger, LedgerRecord, normalized_endpoint};
use marvin_core::testing::{RunSettings, TestContext, TestSpec};
use marvin_core::{Client, Params};
use marvin_factories::{UserAccount, VirtualMachineFactory};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{self, TempDir};

/// A simulator of this process and the config file `marvin` reaches it
/// with.
struct Cloud {
    simulator: RunningSimulator,
    config: PathBuf,
}

impl Cloud {
    async fn start(dir: &Path, name: &str) -> Cloud {
        let simulator = Simulator::start(SimulatorConfig {
            job_delay: std::time::Duration::ZERO,
            ..SimulatorConfig::default()
        })
        .await
        .expect("the simulator starts");
        let config = dir.join(format!("{name}.json"));
        simulator.write_config(&config).expect("the config");
        Cloud { simulator, config }
    }

    fn client(&self) -> Client {
        support::client(
            &self.simulator.url(),
            self.simulator.api_key(),
            self.simulator.secret_key(),
        )
    }

    fn endpoint(&self) -> String {
        normalized_endpoint(&self.simulator.url())
    }
}

/// What a test made through `client` whose process was then killed leaves:
/// `accounts` accounts and `vms` VMs from the factories (with what their
/// sub-factories make), their ledger records (in `ledger`) and tags, and no
/// cleanup at all.
async fn killed_test(client: Client, ledger: &Path, run: &str, accounts: usize, vms: usize) {
    let settings = RunSettings {
        capabilities: None,
        run_id: run.to_owned(),
        ledger: Some(ledger.to_path_buf()),
        selected_tags: None,
        termination_grace: None,
        hardware: false,
        chaos: None,
    };
    let ctx = TestContext::new(client, &TestSpec::new("ledger::killed"), &settings);
    for _ in 0..accounts {
        let account = UserAccount::create(&ctx).await.expect("an account");
        // A killed process runs no drop, no cleanup stack.
        std::mem::forget(account);
    }
    for _ in 0..vms {
        let vm = VirtualMachineFactory::create(&ctx).await.expect("a VM");
        std::mem::forget(vm);
    }
    std::mem::forget(ctx);
}

fn created(ledger: &Path) -> Vec<LedgerRecord> {
    Ledger::open(ledger)
        .read()
        .expect("the ledger reads")
        .records
        .into_iter()
        .filter(|r| r.event == Event::Created)
        .collect()
}

fn pending(ledger: &Path) -> usize {
    Ledger::open(ledger)
        .read()
        .expect("the ledger reads")
        .pending(None)
        .len()
}

/// Whether `entity` `id` is still listed on the cloud of `client`.
async fn exists(client: &Client, entity: &str, id: &str) -> bool {
    let command = match entity {
        "Account" => "listAccounts",
        "VirtualMachine" => "listVirtualMachines",
        "Network" => "listNetworks",
        "NetworkOffering" => "listNetworkOfferings",
        "IpAddress" => "listPublicIpAddresses",
        "User" => "listUsers",
        "Domain" => "listDomains",
        "Volume" => "listVolumes",
        other => panic!("no list command known for {other}"),
    };
    let params = Params::from([("id", id), ("listall", "true")]);
    let items = client
        .list_all(command, params)
        .await
        .unwrap_or_else(|e| panic!("{command} {id}: {e}"));
    items.iter().any(|item| item["id"] == id)
}

/// The records whose resource is (`listed`) or is not (`!listed`) on the
/// cloud, as `Entity id`.
async fn whose_listing_is(client: &Client, records: &[LedgerRecord], listed: bool) -> Vec<String> {
    let mut found = Vec::new();
    for record in records {
        if exists(client, &record.entity, &record.id).await == listed {
            found.push(format!("{} {}", record.entity, record.id));
        }
    }
    found
}

/// The records whose resource is gone (none, when all exist).
async fn all_exist(client: &Client, records: &[LedgerRecord]) -> Vec<String> {
    whose_listing_is(client, records, false).await
}

/// The records whose resource is still there (none, when none exist).
async fn none_exist(client: &Client, records: &[LedgerRecord]) -> Vec<String> {
    whose_listing_is(client, records, true).await
}

/// Everything `client` lists of the kinds the tests make, as ids.
async fn inventory(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for command in [
        "listAccounts",
        "listVirtualMachines",
        "listNetworks",
        "listNetworkOfferings",
        "listPublicIpAddresses",
        "listDomains",
    ] {
        for item in client
            .list_all(command, Params::from([("listall", "true")]))
            .await
            .expect("a listing")
        {
            ids.push(format!("{command} {}", item["id"]));
        }
    }
    ids.sort();
    ids
}

/// `marvin cleanup --config <config> <args>`, in `dir` when given.
fn cleanup(config: &Path, args: &[&str], dir: Option<&Path>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marvin"));
    command
        .arg("cleanup")
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("MARVIN_CONFIG")
        .env_remove("MARVIN_LEDGER")
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command
}

async fn run(mut command: Command) -> (Output, String) {
    let output = tokio::task::spawn_blocking(move || command.output().expect("marvin runs"))
        .await
        .expect("the marvin run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_of_another_cloud_touches_neither_and_the_right_cloud_gets_everything() {
    let dir = support::temp_dir("ledger-clouds");
    let a = Cloud::start(&dir, "a").await;
    let b = Cloud::start(&dir, "b").await;
    let ledger = dir.join("ledger.jsonl");
    killed_test(a.client(), &ledger, "run-clouds", 2, 1).await;
    let records = created(&ledger);
    assert!(records.len() >= 3, "{records:?}");
    assert!(
        records
            .iter()
            .all(|r| r.endpoint.as_deref() == Some(a.endpoint().as_str())),
        "every record names cloud A: {records:?}"
    );
    let b_before = inventory(&b.client()).await;

    // Pointed at B: A's records are skipped, stay pending, A keeps them.
    let (output, text) = run(cleanup(&b.config, &["--ledger", arg(&ledger)], None)).await;
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "skipped {} pending record(s) of another cloud, {}",
            records.len(),
            a.endpoint()
        )) && text.contains("0 pending: 0 deleted, 0 already gone, 0 failed"),
        "{text}"
    );
    assert_eq!(pending(&ledger), records.len(), "{text}");
    assert_eq!(all_exist(&a.client(), &records).await, Vec::<String>::new());
    assert_eq!(inventory(&b.client()).await, b_before, "B is untouched");

    // Pointed at A: everything goes.
    let (output, text) = run(cleanup(&a.config, &["--ledger", arg(&ledger)], None)).await;
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!("{} pending: ", records.len())),
        "{text}"
    );
    assert_eq!(pending(&ledger), 0, "{text}");
    assert_eq!(
        none_exist(&a.client(), &records).await,
        Vec::<String>::new()
    );
    assert!(
        !text.contains(a.simulator.secret_key()),
        "no secret in the output"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_ledger_line_is_refused_and_its_target_survives() {
    let dir = support::temp_dir("ledger-tampered");
    let cloud = Cloud::start(&dir, "cloud").await;
    let admin = cloud.client();
    let ledger = dir.join("ledger.jsonl");
    killed_test(cloud.client(), &ledger, "run-tampered", 4, 0).await;
    let accounts: Vec<LedgerRecord> = created(&ledger)
        .into_iter()
        .filter(|r| r.entity == "Account")
        .collect();
    assert_eq!(accounts.len(), 4, "{accounts:?}");
    // Made outside any test: what an edited line aims at.
    let victim = admin
        .call(api("createAccount"))
        .params(Params::from([
            ("username", "victim"),
            ("password", "pw-victim-1"),
            ("firstname", "V"),
            ("lastname", "Ictim"),
            ("email", "v@example.com"),
            ("accounttype", "0"),
        ]))
        .await
        .expect("the victim account");
    let victim = victim["account"]["id"].as_str().expect("an id").to_owned();

    // Edit three lines as text: aim one at the victim, give one another
    // entity's deletion, one a command that deletes nothing.
    let text = std::fs::read_to_string(&ledger).expect("the ledger");
    let (aimed, renamed, disabled) = (&accounts[0].id, &accounts[1].id, &accounts[2].id);
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if !line.contains("\"event\":\"created\"") {
                return line.to_owned();
            }
            if line.contains(&format!("\"id\":\"{aimed}\"")) {
                line.replace(
                    &format!("[\"id\",\"{aimed}\"]"),
                    &format!("[\"id\",\"{victim}\"]"),
                )
            } else if line.contains(&format!("\"id\":\"{renamed}\"")) {
                line.replace(
                    "\"command\":\"deleteAccount\"",
                    "\"command\":\"deleteDomain\"",
                )
            } else if line.contains(&format!("\"id\":\"{disabled}\"")) {
                line.replace(
                    "\"command\":\"deleteAccount\"",
                    "\"command\":\"disableAccount\"",
                )
                .replace("]],\"rank\"", "],[\"lock\",\"true\"]],\"rank\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_ne!(edited.join("\n"), text.trim_end(), "the lines were edited");
    std::fs::write(&ledger, edited.join("\n") + "\n").expect("the edited ledger");

    // The dry run already shows the refusals, and sends nothing.
    let (output, dry) = run(cleanup(
        &cloud.config,
        &["--ledger", arg(&ledger), "--dry-run"],
        None,
    ))
    .await;
    assert!(output.status.success(), "{dry}");
    assert!(dry.contains("refused 3 record(s), never sent"), "{dry}");
    let planned = printed_calls(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(planned.len(), 1, "{dry}");
    assert!(!planned[0].contains(&victim), "{dry}");

    let (output, text) = run(cleanup(&cloud.config, &["--ledger", arg(&ledger)], None)).await;
    // 4: resources left behind (the refused ones).
    assert_eq!(output.status.code(), Some(4), "{text}");
    assert!(
        text.contains("refused 3 record(s), never sent (they stay pending):")
            && text.contains(&format!(
                "`id={victim}` names another resource than the record's {aimed}"
            ))
            && text.contains("Account is deleted with deleteAccount, not deleteDomain")
            && text.contains("disableAccount is not the deletion command of any known entity")
            && text.contains("1 pending: 1 deleted"),
        "{text}"
    );
    assert!(
        exists(&admin, "Account", &victim).await,
        "the victim survives"
    );
    for id in [aimed, renamed, disabled] {
        assert!(exists(&admin, "Account", id).await, "{id} was not touched");
    }
    assert!(!exists(&admin, "Account", &accounts[3].id).await);
    let disabled_state = admin
        .list_all("listAccounts", Params::from([("id", disabled.as_str())]))
        .await
        .expect("the account");
    assert_eq!(disabled_state[0]["state"], "enabled", "not disabled");
    assert_eq!(pending(&ledger), 3, "the refused stay pending");
}

/// The parameters of every request a [`RecordingProxy`] passed on.
type RequestLog = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// An HTTP forwarder to a simulator that records the parameters of every
/// request it passes on, as sent.
struct RecordingProxy {
    url: String,
    requests: RequestLog,
}

impl RecordingProxy {
    async fn start(upstream: SocketAddr) -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("an address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(forward(stream, upstream, Arc::clone(&log)));
            }
        });
        RecordingProxy {
            url: format!("http://{addr}/client/api"),
            requests,
        }
    }

    fn requests(&self) -> Vec<Vec<(String, String)>> {
        self.requests.lock().expect("the log").clone()
    }
}

/// Passes one request on (the answer closes the connection) and records
/// its parameters (query and form body).
async fn forward(stream: TcpStream, upstream: SocketAddr, log: RequestLog) {
    let mut client = BufReader::new(stream);
    let mut head = String::new();
    if client.read_line(&mut head).await.unwrap_or(0) == 0 {
        return;
    }
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "content-length" {
            length = line[15..].trim().parse().unwrap_or(0);
        }
        if name != "connection" && name != "host" {
            headers.push(line);
        }
    }
    let mut body = vec![0; length];
    if client.read_exact(&mut body).await.is_err() {
        return;
    }
    let url = reqwest::Url::parse(&format!("http://proxy{target}")).expect("a target");
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if !body.is_empty() {
        let form =
            reqwest::Url::parse(&format!("http://proxy/?{}", String::from_utf8_lossy(&body)))
                .expect("a form");
        pairs.extend(form.query_pairs().into_owned());
    }
    log.lock().expect("the log").push(pairs);
    let mut request = format!(
        "{}Host: {upstream}\r\nConnection: close\r\n",
        head.trim_end().to_owned() + "\r\n"
    );
    for header in headers {
        request.push_str(&header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    if server.write_all(request.as_bytes()).await.is_err() || server.write_all(&body).await.is_err()
    {
        return;
    }
    let mut answer = Vec::new();
    if server.read_to_end(&mut answer).await.is_err() {
        return;
    }
    let mut stream = client.into_inner();
    let _ = stream.write_all(&answer).await;
    let _ = stream.shutdown().await;
}

/// A Marvin config of `cloud` that goes through `proxy`, readable by its
/// owner only (it holds the keys).
fn proxied_config(cloud: &Cloud, proxy: &RecordingProxy, path: &Path) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut config = cloud.simulator.marvin_config();
    let port: u16 = proxy
        .url
        .rsplit(':')
        .next()
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .expect("the proxy's port");
    config["mgtSvr"][0]["port"] = Value::from(port);
    let mut file = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .expect("a private config file");
    file.write_all(config.to_string().as_bytes())
        .expect("the config");
}

/// `command a=1 b=2` with the parameters in name order, so that a printed
/// call and a sent one compare whatever order each lists them in.
fn canonical(command: &str, mut params: Vec<(String, String)>) -> String {
    params.sort();
    let mut line = command.to_owned();
    for (name, value) in params {
        line.push_str(&format!(" {name}={value}"));
    }
    line
}

/// The calls a dry run printed, canonical.
fn printed_calls(stdout: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let mut inside = false;
    for line in stdout.lines() {
        if line.contains("pending resource(s) would be deleted on") {
            inside = true;
            continue;
        }
        let Some(entry) = line.strip_prefix("  ").filter(|_| inside) else {
            inside = false;
            continue;
        };
        let call = entry.split("  [").next().expect("a call");
        let mut words = call.split_whitespace();
        let command = words.next().expect("a command");
        let params = words
            .map(|word| {
                let (name, value) = word.split_once('=').expect("name=value");
                (name.to_owned(), value.to_owned())
            })
            .collect();
        calls.push(canonical(command, params));
    }
    calls.sort();
    calls
}

/// The calls the proxy passed on, canonical, without job polls and without
/// what only authenticates the request.
fn sent_calls(requests: &[Vec<(String, String)>]) -> Vec<String> {
    const TRANSPORT: &[&str] = &[
        "command",
        "response",
        "apiKey",
        "signature",
        "signatureVersion",
        "expires",
        "sessionkey",
    ];
    let mut calls: Vec<String> = requests
        .iter()
        .filter_map(|pairs| {
            let command = &pairs.iter().find(|(name, _)| name == "command")?.1;
            if command == "queryAsyncJobResult" {
                return None;
            }
            let params = pairs
                .iter()
                .filter(|(name, _)| !TRANSPORT.contains(&name.as_str()))
                .cloned()
                .collect();
            Some(canonical(command, params))
        })
        .collect();
    calls.sort();
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_exactly_what_the_real_run_sends() {
    let dir = support::temp_dir("ledger-dry-run");
    let cloud = Cloud::start(&dir, "cloud").await;
    let proxy = RecordingProxy::start(cloud.simulator.addr()).await;
    let through_proxy = support::client(
        &proxy.url,
        cloud.simulator.api_key(),
        cloud.simulator.secret_key(),
    );
    let ledger = dir.join("ledger.jsonl");
    killed_test(through_proxy, &ledger, "run-dry", 1, 2).await;
    let records = created(&ledger);
    let config = dir.join("proxied.json");
    proxied_config(&cloud, &proxy, &config);

    let before = proxy.requests().len();
    let (output, dry) = run(cleanup(
        &config,
        &["--ledger", arg(&ledger), "--dry-run"],
        None,
    ))
    .await;
    assert!(output.status.success(), "{dry}");
    assert_eq!(proxy.requests().len(), before, "a dry run sends nothing");
    let printed = printed_calls(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(printed.len(), records.len(), "{dry}");
    assert!(
        printed
            .iter()
            .any(|c| c.starts_with("destroyVirtualMachine") && c.contains("expunge=true")),
        "{printed:?}"
    );

    let (output, text) = run(cleanup(&config, &["--ledger", arg(&ledger)], None)).await;
    assert!(output.status.success(), "{text}");
    let sent = sent_calls(&proxy.requests()[before..]);
    assert_eq!(sent, printed, "{text}");
    assert_eq!(
        none_exist(&cloud.client(), &records).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_ledger_lost_the_run_tags_lead_the_sweep() {
    let dir = support::temp_dir("ledger-by-tag");
    let cloud = Cloud::start(&dir, "cloud").await;
    let admin = cloud.client();
    let ledger = dir.join("ledger.jsonl");
    killed_test(cloud.client(), &ledger, "run-tag-lost", 1, 1).await;
    let lost = created(&ledger);
    // Another run, still going: its resources must stay.
    let other_ledger = dir.join("other.jsonl");
    killed_test(cloud.client(), &other_ledger, "run-tag-other", 1, 0).await;
    let others = created(&other_ledger);
    std::fs::remove_file(&ledger).expect("the ledger is lost");
    let tagged: Vec<LedgerRecord> = lost
        .iter()
        .filter(|r| marvin_factories::tags::resource_type(&r.entity).is_some())
        .cloned()
        .collect();
    assert!(
        tagged.iter().any(|r| r.entity == "VirtualMachine")
            && tagged.iter().any(|r| r.entity == "Account"),
        "{lost:?}"
    );

    let args = ["--by-tag", "--run", "run-tag-lost"];
    let (output, dry) = run(cleanup(
        &cloud.config,
        &[&args[..], &["--dry-run"]].concat(),
        None,
    ))
    .await;
    assert!(output.status.success(), "{dry}");
    assert!(
        dry.contains("source: the marvin:run tags on the cloud (of run run-tag-lost)")
            && dry.contains(&format!("{} tagged resource(s)", tagged.len())),
        "{dry}"
    );
    for record in &tagged {
        assert!(dry.contains(&format!("id={}", record.id)), "{dry}");
    }
    assert_eq!(
        all_exist(&admin, &lost).await,
        Vec::<String>::new(),
        "a dry run"
    );
    let printed = printed_calls(&String::from_utf8_lossy(&output.stdout));

    let (output, text) = run(cleanup(&cloud.config, &args, None)).await;
    assert!(output.status.success(), "{text}");
    assert_eq!(printed.len(), tagged.len(), "{dry}");
    assert_eq!(
        none_exist(&admin, &tagged).await,
        Vec::<String>::new(),
        "{text}"
    );
    assert_eq!(
        all_exist(&admin, &others).await,
        Vec::<String>::new(),
        "{text}"
    );
}

/// A user's test crate: a package outside any workspace, with its ledger
/// where its tests write it (`target/marvin/ledger.jsonl`).
fn user_crate(dir: &TempDir) -> PathBuf {
    let root = dir.join("user-suite");
    std::fs::create_dir_all(root.join("tests")).expect("the crate");
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"user-suite\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .expect("its manifest");
    root
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_ledger_it_reads_the_ledger_of_the_workspace_it_runs_in_and_says_so() {
    let dir = support::temp_dir("ledger-default");
    let cloud = Cloud::start(&dir, "cloud").await;
    let admin = cloud.client();
    let root = user_crate(&dir);
    let ledger = root.join("target").join("marvin").join("ledger.jsonl");
    killed_test(cloud.client(), &ledger, "run-default", 3, 0).await;
    let records = created(&ledger);
    assert_eq!(records.len(), 3, "{records:?}");
    // Each create wrote its intent, then its `created` record.
    let lines = |path: &Path| std::fs::read_to_string(path).map_or(0, |t| t.lines().count());
    assert_eq!(lines(&ledger), 6);

    // From a directory of the crate, as a user would.
    let (output, text) = run(cleanup(
        &cloud.config,
        &["--dry-run"],
        Some(&root.join("tests")),
    ))
    .await;
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "ledger: {} (target directory of the workspace {}): 6 record(s)",
            ledger.display(),
            root.display()
        )) && text.contains("3 pending resource(s) would be deleted"),
        "{text}"
    );

    // Several ledgers at once.
    let second = dir.join("second.jsonl");
    killed_test(cloud.client(), &second, "run-second", 1, 0).await;
    let all: Vec<LedgerRecord> = records.iter().cloned().chain(created(&second)).collect();
    let second_lines = lines(&second);
    let (output, text) = run(cleanup(
        &cloud.config,
        &["--ledger", arg(&ledger), "--ledger", arg(&second)],
        None,
    ))
    .await;
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "ledger: {} (--ledger): 6 record(s)",
            ledger.display()
        )) && text.contains(&format!(
            "ledger: {} (--ledger): {} record(s)",
            second.display(),
            second_lines
        )) && text.contains("4 pending: 4 deleted"),
        "{text}"
    );
    assert_eq!(none_exist(&admin, &all).await, Vec::<String>::new());
    assert_eq!((pending(&ledger), pending(&second)), (0, 0));
}
