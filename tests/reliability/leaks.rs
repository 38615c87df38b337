//! Leaks under faults: the bundled smoke suite (`marvin smoke`, the built
//! binary) against a standalone simulator (`marvin simulator`, a child
//! process) must leave the cloud exactly as it found it:
//!
//! - while a chaos task keeps injecting failures into the create and delete
//!   APIs (the simulator's fault injection: requests refused, or accepted
//!   and their jobs failed), about one call in ten;
//! - after `marvin smoke` processes are SIGKILLed mid-run, once
//!   `marvin cleanup` has swept their ledger; and `marvin cleanup` deletes
//!   nothing that existed before the runs.
//!
//! "Exactly as it found it" is checked from outside: every object every
//! served `list*` API shows (ids, else names) before and after.
//!
//! Not done here: 10% of the tests panicking. The suite runner has no hook
//! to make tests panic on purpose yet; docs/reliability.md has the plan.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use marvin_core::{Client, Params};
use marvin_simulator::catalog::Catalog;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::support::{self, ChildSimulator};

/// Lists that change by themselves or by the test: not resources.
const VOLATILE: &[&str] = &[
    "listEvents",
    "listAsyncJobs",
    "listApis",
    "listCapabilities",
    "listSimulatorFaults",
    "listResourceLimits",
];

/// Everything the cloud lists, as (list API, id or name).
async fn inventory(client: &Client) -> BTreeSet<(String, String)> {
    let catalog = Catalog::global().expect("the precache");
    let mut seen = BTreeSet::new();
    for api in catalog.apis() {
        let name = api.name.as_str();
        if !name.starts_with("list") || VOLATILE.contains(&name) {
            continue;
        }
        let mut params = Params::from([("listall", "true")]);
        match name {
            "listTemplates" => {
                params.set("templatefilter", "all");
            }
            "listIsos" => {
                params.set("isofilter", "all");
            }
            _ => {}
        }
        // Lists that need a parameter (an id to list under) are skipped.
        let Ok(items) = client.list_all(name, params).await else {
            continue;
        };
        for item in items {
            let key = item["id"]
                .as_str()
                .or_else(|| item["name"].as_str())
                .map_or_else(|| item.to_string(), str::to_owned);
            seen.insert((name.to_owned(), key));
        }
    }
    seen
}

fn differences(
    before: &BTreeSet<(String, String)>,
    after: &BTreeSet<(String, String)>,
) -> Vec<String> {
    let mut out: Vec<String> = after
        .difference(before)
        .map(|(api, id)| format!("left behind: {api} {id}"))
        .collect();
    out.extend(
        before
            .difference(after)
            .map(|(api, id)| format!("deleted although it existed before: {api} {id}")),
    );
    out
}

/// Objects that exist before any run and must survive every sweep.
async fn pre_existing(admin: &Client) {
    let domain = admin
        .request("createDomain", Params::from([("name", "keep-me")]))
        .await
        .expect("a domain");
    let domain_id = domain["domain"]["id"].as_str().expect("an id").to_owned();
    admin
        .request(
            "createAccount",
            Params::from([
                ("username", "keeper"),
                ("password", "pw-keeper-1"),
                ("firstname", "K"),
                ("lastname", "Eeper"),
                ("email", "k@example.com"),
                ("accounttype", "0"),
                ("domainid", domain_id.as_str()),
            ]),
        )
        .await
        .expect("an account");
    admin
        .request("createSSHKeyPair", Params::from([("name", "keep-me-key")]))
        .await
        .expect("a key pair");
}

/// Keeps `PENDING` single-shot failures armed on random create/delete APIs
/// until `stop`, replacing those that have not fired within `LIFETIME` (so
/// that rarely called APIs do not hold the slots); returns how many faults
/// it armed. The rates are tuned so that about one create/delete call in
/// ten fails during a smoke run.
async fn chaos(admin: Client, stop: Arc<AtomicBool>, seed: u64) -> usize {
    const PENDING: usize = 8;
    const LIFETIME: Duration = Duration::from_millis(60);
    let catalog = Catalog::global().expect("the precache");
    let targets: Vec<(String, bool)> = catalog
        .apis()
        .iter()
        .filter(|api| {
            [
                "create",
                "delete",
                "deploy",
                "destroy",
                "expunge",
                "associate",
                "disassociate",
                "register",
            ]
            .iter()
            .any(|verb| api.name.starts_with(verb))
                && !api.name.contains("SimulatorFault")
        })
        .map(|api| (api.name.clone(), api.isasync))
        .collect();
    // The APIs a smoke run calls most, so that faults fire often enough.
    const CORE: &[&str] = &[
        "deployVirtualMachine",
        "destroyVirtualMachine",
        "expungeVirtualMachine",
        "createAccount",
        "deleteAccount",
        "createDomain",
        "deleteDomain",
        "createNetwork",
        "deleteNetwork",
        "createVolume",
        "deleteVolume",
        "associateIpAddress",
        "disassociateIpAddress",
        "createSnapshot",
        "deleteSnapshot",
        "createSSHKeyPair",
        "deleteSSHKeyPair",
    ];
    let core: Vec<(String, bool)> = targets
        .iter()
        .filter(|(name, _)| CORE.contains(&name.as_str()))
        .cloned()
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut armed = 0;
    let mut live: Vec<(String, Instant)> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let faults = admin
            .list_all("listSimulatorFaults", Params::new())
            .await
            .unwrap_or_default();
        let pending: BTreeSet<&str> = faults
            .iter()
            .filter(|f| f["count"].as_i64() != Some(0))
            .filter_map(|f| f["id"].as_str())
            .collect();
        let mut kept = Vec::new();
        for (id, at) in live.drain(..) {
            if !pending.contains(id.as_str()) {
                continue;
            }
            if at.elapsed() > LIFETIME {
                let _ = admin
                    .request("deleteSimulatorFault", Params::from([("id", id.as_str())]))
                    .await;
            } else {
                kept.push((id, at));
            }
        }
        live = kept;
        while live.len() < PENDING {
            let pool = if rng.random_bool(0.75) && !core.is_empty() {
                &core
            } else {
                &targets
            };
            let (api, is_async) = pool.choose(&mut rng).expect("targets").clone();
            let code = ["530", "533", "534", "536"]
                .choose(&mut rng)
                .expect("codes");
            let mut params = Params::from([
                ("apiname", api.as_str()),
                ("action", "fail"),
                ("count", "1"),
                ("errorcode", code),
            ]);
            if is_async && rng.random_bool(0.5) {
                params.set("target", "job");
            }
            let Ok(answer) = admin.request("configureSimulatorFault", params).await else {
                break;
            };
            if let Some(id) = answer["simulatorfault"]["id"].as_str() {
                live.push((id.to_owned(), Instant::now()));
                armed += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    armed
}

/// Removes every fault; returns how many times faults fired.
async fn disarm(admin: &Client) -> u64 {
    let faults = admin
        .list_all("listSimulatorFaults", Params::new())
        .await
        .expect("faults");
    let mut fired = 0;
    for fault in faults {
        fired += fault["fired"].as_u64().unwrap_or(0);
        if let Some(id) = fault["id"].as_str() {
            admin
                .request("deleteSimulatorFault", Params::from([("id", id)]))
                .await
                .expect("a fault removed");
        }
    }
    fired
}

fn smoke(server: &ChildSimulator, ledger: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marvin"));
    command
        .arg("smoke")
        .arg("--config")
        .arg(&server.config)
        .env("MARVIN_LEDGER", ledger)
        .env_remove("MARVIN_TAGS")
        .env_remove("MARVIN_CONFIG")
        .stdin(Stdio::null());
    command
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |text| text.lines().count())
}

/// Created minus deleted records in the ledger after its first `skip` lines.
fn alive_since(path: &Path, skip: usize) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (mut created, mut deleted) = (0usize, 0usize);
    for line in text.lines().skip(skip) {
        if line.contains("\"event\":\"created\"") {
            created += 1;
        } else if line.contains("\"event\":\"deleted\"") {
            deleted += 1;
        }
    }
    created.saturating_sub(deleted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "finds leaks today: failed deletions are not retried and failed async creates are not \
            recorded (docs/reliability.md); run with --ignored"]
async fn smoke_under_injected_failures_leaves_nothing_behind() {
    let dir = support::temp_dir("leaks-faults");
    let server = ChildSimulator::start(&dir, None, 0);
    let admin = server.client();
    pre_existing(&admin).await;
    let before = inventory(&admin).await;

    let stop = Arc::new(AtomicBool::new(false));
    let seed = support::seed();
    let chaos_task = tokio::spawn(chaos(server.client(), Arc::clone(&stop), seed));
    let ledger = dir.join("ledger.jsonl");
    let runs = support::scaled(1);
    let mut outputs = Vec::new();
    for _ in 0..runs {
        let output = tokio::task::spawn_blocking({
            let mut command = smoke(&server, &ledger);
            move || command.output().expect("marvin smoke runs")
        })
        .await
        .expect("the smoke run");
        outputs.push(output);
    }
    stop.store(true, Ordering::Relaxed);
    let armed = chaos_task.await.expect("the chaos task");
    let fired = disarm(&admin).await;
    // The ledger has a line per created and per deleted resource: the
    // create/delete calls that succeeded.
    let succeeded = lines(&ledger);

    let after = inventory(&admin).await;
    let problems = differences(&before, &after);
    let last = outputs.last().expect("a run");
    let stdout = String::from_utf8_lossy(&last.stdout);
    let summary: String = stdout
        .lines()
        .filter(|l| l.contains("tests in") || l.starts_with("Leak check") || l.contains("failed"))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!(
        "leaks under faults: {runs} smoke run(s), {armed} faults armed, {fired} fired, {succeeded} create/delete \
         calls succeeded (about {:.0}% of create/delete calls failed); seed {seed}\n{summary}",
        fired as f64 * 100.0 / (succeeded as f64 + fired as f64).max(1.0)
    );
    assert!(fired > 0, "no fault fired: the test proved nothing");
    if !problems.is_empty() {
        // Would a sweep of the ledger have repaired it?
        let swept = Command::new(env!("CARGO_BIN_EXE_marvin"))
            .arg("cleanup")
            .arg("--config")
            .arg(&server.config)
            .arg("--ledger")
            .arg(&ledger)
            .output()
            .expect("marvin cleanup runs");
        let after_sweep = differences(&before, &inventory(&admin).await);
        eprintln!(
            "leaks under faults: {} objects left by the suite; `marvin cleanup` afterwards ({:?}) leaves {}",
            problems.len(),
            swept.status.code(),
            after_sweep.len()
        );
        if !after_sweep.is_empty() {
            eprintln!(
                "leaks under faults: left after the sweep:\n{}\ncleanup report:\n{}",
                after_sweep.join("\n"),
                String::from_utf8_lossy(&swept.stdout)
            );
        }
    }
    assert!(
        problems.is_empty(),
        "the cloud is not as it was before the run (seed {seed}):\n{}\n\nsmoke output:\n{stdout}",
        problems.join("\n")
    );
    for output in &outputs {
        // 0: all passed; 1: tests failed (the faults' doing); 4 would be leaks.
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "marvin smoke ended with {:?}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_after_sigkilled_runs_restores_the_previous_state() {
    let dir = support::temp_dir("leaks-sigkill");
    let server = ChildSimulator::start(&dir, None, 0);
    let admin = server.client();
    pre_existing(&admin).await;
    let before = inventory(&admin).await;
    let ledger = dir.join("ledger.jsonl");

    let kills = support::scaled(2);
    let mut killed_at = Vec::new();
    for run in 0..kills {
        let mut child = smoke(&server, &ledger)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("marvin smoke starts");
        // Kill once this run has some resources alive (created and not yet
        // deleted, per its ledger lines), long before it ends.
        let start_lines = lines(&ledger);
        let wanted = 4 + run * 3;
        let deadline = Instant::now() + Duration::from_secs(60);
        while alive_since(&ledger, start_lines) < wanted && Instant::now() < deadline {
            if child.try_wait().expect("a status").is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let finished_first = child.try_wait().expect("a status").is_some();
        child.kill().ok();
        child.wait().expect("reaped");
        killed_at.push((lines(&ledger) - start_lines, finished_first));
    }
    let during = inventory(&admin).await;
    let left = during.difference(&before).count();
    eprintln!(
        "leaks after SIGKILL: {kills} runs killed (ledger records at the kill, finished-before-kill: {killed_at:?}); \
         {left} objects left behind before the sweep"
    );
    assert!(
        left > 0,
        "the killed runs left nothing: the test proved nothing"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .arg("cleanup")
        .arg("--config")
        .arg(&server.config)
        .arg("--ledger")
        .arg(&ledger)
        .output()
        .expect("marvin cleanup runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "marvin cleanup failed: {report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = inventory(&admin).await;
    let problems = differences(&before, &after);
    assert!(
        problems.is_empty(),
        "after marvin cleanup, the cloud is not as before the runs:\n{}\n\ncleanup report:\n{report}",
        problems.join("\n")
    );
}
