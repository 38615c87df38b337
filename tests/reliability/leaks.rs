//! Leaks under faults: the bundled smoke suite (`marvin smoke`, the built
//! binary) against a standalone simulator (`marvin simulator`, a child
//! process) must leave the cloud exactly as it found it:
//!
//! - with the simulator's fault injection failing 10% of the create and
//!   delete calls (`configureSimulatorFault` with `probability`: requests
//!   refused, or accepted and their jobs failed) and 10% of the tests
//!   panicking at a random point (`MARVIN_CHAOS_PANIC=0.1`);
//! - after `marvin smoke` processes are SIGKILLed mid-run, once
//!   `marvin cleanup` has swept their ledger; and `marvin cleanup` deletes
//!   nothing that existed before the runs.
//!
//! "Exactly as it found it" is checked from outside: every object every
//! served `list*` API shows (ids, else names) before and after.

use marvin_entities::api;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use marvin_core::{Client, Params};
use marvin_simulator::catalog::Catalog;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

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
        .call(api("createDomain"))
        .params(Params::from([("name", "keep-me")]))
        .await
        .expect("a domain");
    let domain_id = domain["domain"]["id"].as_str().expect("an id").to_owned();
    admin
        .call(api("createAccount"))
        .params(Params::from([
            ("username", "keeper"),
            ("password", "pw-keeper-1"),
            ("firstname", "K"),
            ("lastname", "Eeper"),
            ("email", "k@example.com"),
            ("accounttype", "0"),
            ("domainid", domain_id.as_str()),
        ]))
        .await
        .expect("an account");
    admin
        .call(api("createSSHKeyPair"))
        .params(Params::from([("name", "keep-me-key")]))
        .await
        .expect("a key pair");
}

/// The share of create and delete calls that fail.
const FAILING: f64 = 0.1;

/// The share of tests that panic on purpose (`MARVIN_CHAOS_PANIC`).
const PANICKING: &str = "0.1";

/// Arms failures on every create and delete API the simulator serves
/// (`create*`, `delete*`, `deploy*`, `destroy*`, `expunge*`, `associate*`,
/// `disassociate*`, `register*`), firing on each call with a probability
/// that makes [`FAILING`] of the calls fail: sync APIs answer an error;
/// async APIs fail half of those on the request and half on the job (the
/// call is accepted, its object may exist, the job fails). Error codes are
/// drawn from 530, 533, 534, 536. Returns how many faults it armed.
async fn arm_faults(admin: &Client, seed: u64) -> usize {
    let catalog = Catalog::global().expect("the precache");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut armed = 0;
    for api in catalog.apis() {
        let creates_or_deletes = [
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
        .any(|verb| api.name.starts_with(verb));
        if !creates_or_deletes || api.name.contains("SimulatorFault") {
            continue;
        }
        // Async: p on the request, then q on the job of the calls that
        // passed, so that p + (1 - p) q = FAILING.
        let faults: Vec<(Option<&str>, f64)> = if api.isasync {
            let p = FAILING / 2.0;
            vec![(None, p), (Some("job"), (FAILING - p) / (1.0 - p))]
        } else {
            vec![(None, FAILING)]
        };
        for (target, probability) in faults {
            let code = ["530", "533", "534", "536"]
                .choose(&mut rng)
                .expect("codes");
            let probability = probability.to_string();
            let mut params = Params::from([
                ("apiname", api.name.as_str()),
                ("action", "fail"),
                ("count", "-1"),
                ("errorcode", code),
                ("probability", probability.as_str()),
            ]);
            if let Some(target) = target {
                params.set("target", target);
            }
            admin
                .call(marvin_entities::api("configureSimulatorFault"))
                .params(params)
                .await
                .unwrap_or_else(|e| panic!("a fault on {}: {e}", api.name));
            armed += 1;
        }
    }
    armed
}

/// What the faults did: calls that reached them (per API, the first
/// fault of an API sees every call) and failures they caused.
#[derive(Debug, Default)]
struct Fired {
    calls: u64,
    failed: u64,
}

/// Removes every fault; returns what they did.
async fn disarm(admin: &Client) -> Fired {
    let faults = admin
        .list_all("listSimulatorFaults", Params::new())
        .await
        .expect("faults");
    let mut fired = Fired::default();
    let mut calls: std::collections::BTreeMap<String, u64> = Default::default();
    for fault in faults {
        fired.failed += fault["fired"].as_u64().unwrap_or(0);
        let api = fault["apiname"].as_str().unwrap_or_default().to_owned();
        let matched = fault["matched"].as_u64().unwrap_or(0);
        let seen = calls.entry(api).or_default();
        *seen = (*seen).max(matched);
        if let Some(id) = fault["id"].as_str() {
            admin
                .call(marvin_entities::api("deleteSimulatorFault"))
                .params(Params::from([("id", id)]))
                .await
                .expect("a fault removed");
        }
    }
    fired.calls = calls.values().sum();
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

/// The number in the summary line `chaos: N tests panicked on purpose`.
fn chaos_panics(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("chaos: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_under_injected_failures_and_panics_leaves_nothing_behind() {
    let dir = support::temp_dir("leaks-faults");
    let server = ChildSimulator::start(&dir, None, 0);
    let admin = server.client();
    pre_existing(&admin).await;
    let before = inventory(&admin).await;

    let seed = support::seed();
    let armed = arm_faults(&admin, seed).await;
    let ledger = dir.join("ledger.jsonl");
    let runs = support::scaled(1);
    let mut outputs = Vec::new();
    for run in 0..runs {
        let output = tokio::task::spawn_blocking({
            let mut command = smoke(&server, &ledger);
            command.env("MARVIN_CHAOS_PANIC", PANICKING).env(
                "MARVIN_CHAOS_SEED",
                (seed.wrapping_add(run as u64)).to_string(),
            );
            move || command.output().expect("marvin smoke runs")
        })
        .await
        .expect("the smoke run");
        outputs.push(output);
    }
    let fired = disarm(&admin).await;

    let after = inventory(&admin).await;
    let problems = differences(&before, &after);
    let mut tests = 0;
    let mut panicked = 0;
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        panicked += chaos_panics(&stdout);
        tests += stdout
            .lines()
            .filter(|l| l.starts_with("    PASS") || l.starts_with("    FAIL"))
            .count();
    }
    let last = outputs.last().expect("a run");
    let stdout = String::from_utf8_lossy(&last.stdout);
    let summary: String = stdout
        .lines()
        .filter(|l| {
            l.contains("tests in")
                || l.starts_with("Leak check")
                || l.starts_with("chaos:")
                || l.contains("failed")
        })
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!(
        "leaks under faults: {runs} smoke run(s), {tests} tests run, {panicked} panicked on purpose; {armed} faults \
         armed, {} of {} create/delete calls failed ({:.1}%); seed {seed}\n{summary}",
        fired.failed,
        fired.calls,
        fired.failed as f64 * 100.0 / (fired.calls as f64).max(1.0)
    );
    assert!(fired.failed > 0, "no fault fired: the test proved nothing");
    // With hundreds of tests a run, no panic at all has odds below 0.9^300.
    assert!(
        panicked > 0,
        "no test panicked on purpose: the test proved nothing (seed {seed})"
    );
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
        // 1: tests failed (the faults' and panics' doing); 4 would be leaks.
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "marvin smoke ended with {:?}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

// An object whose create is in flight when the run is killed (an account,
// which carries no tags) exists on the cloud with no `created` record: the
// `intent` record written before the request lets the sweep find it by its
// unique name.
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
