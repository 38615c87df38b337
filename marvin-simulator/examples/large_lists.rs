//! Large answers and isolation (not a test): inserts N accounts (one user
//! each) straight into the database of an embedded simulator, then measures
//!
//! 1. a 500-row `listAccounts` page through the real handler;
//! 2. the whole list over HTTP (`listall=true pagesize=-1`): time, size,
//!    and the process's peak memory (the body is read as it arrives, so
//!    the figure is the server's);
//! 3. signed `listZones` calls and `createDomain` calls over HTTP, once on
//!    an idle simulator and once while the whole list is in flight: their
//!    median and worst latency.
//!
//! ```text
//! cargo run --release -p marvin-simulator --example large_lists -- [--accounts 100000] [--runs 5] [--calls 200]
//! ```
//!
//! Results go in `docs/simulator-scale.md`.

mod common;

use std::time::{Duration, Instant};

use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use rusqlite::params;

struct Args {
    accounts: usize,
    runs: usize,
    calls: usize,
}

fn args() -> Args {
    let (mut accounts, mut runs, mut calls) = (100_000, 5, 200);
    common::read_flags(&mut [
        ("--accounts", &mut accounts),
        ("--runs", &mut runs),
        ("--calls", &mut calls),
    ]);
    Args {
        accounts: accounts as usize,
        runs: runs as usize,
        calls: calls as usize,
    }
}

/// Inserts `count` user accounts, each with one user, in one transaction.
fn insert_accounts(sim: &RunningSimulator, count: usize) -> Duration {
    let started = Instant::now();
    sim.with_db(|db| {
        let one = |sql: &str| -> String { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
        let domain = one("SELECT id FROM domains WHERE path = '/'");
        let role = one("SELECT id FROM roles WHERE role_type = 'User' ORDER BY rowid LIMIT 1");
        db.execute_batch("BEGIN").expect("begin");
        let now = "2026-01-01T00:00:00+0000";
        let mut account = db
            .prepare(
                "INSERT INTO accounts (id, name, account_type, role_id, domain_id, state, created)
                 VALUES (?1, ?2, 0, ?3, ?4, 'enabled', ?5)",
            )
            .expect("prepare account");
        let mut user = db
            .prepare(
                "INSERT INTO users (id, account_id, username, password, firstname, lastname, email, created)
                 VALUES (?1, ?2, ?3, 'password', 'Load', 'Test', ?4, ?5)",
            )
            .expect("prepare user");
        for n in 0..count {
            let id = uuid::Uuid::new_v4().to_string();
            account
                .execute(params![id, format!("load{n}"), role, domain, now])
                .expect("account");
            user.execute(params![
                uuid::Uuid::new_v4().to_string(),
                id,
                format!("load{n}"),
                format!("load{n}@example.com"),
                now
            ])
            .expect("user");
        }
        drop((account, user));
        db.execute_batch("COMMIT; ANALYZE;").expect("commit");
    });
    started.elapsed()
}

/// A signed GET URL of the admin.
fn signed_url(sim: &RunningSimulator, command: &str, extra: &[(&str, String)]) -> String {
    let mut params = vec![
        ("apiKey", sim.api_key().to_string()),
        ("command", command.to_string()),
        ("response", "json".into()),
    ];
    params.extend(extra.iter().map(|(n, v)| (*n, v.clone())));
    let signature = sign(
        params.iter().map(|(n, v)| (*n, v.as_str())),
        sim.secret_key(),
    );
    params.push(("signature", signature));
    let query: Vec<String> = params
        .iter()
        .map(|(n, v)| format!("{n}={}", java_url_encode(v)))
        .collect();
    format!("{}?{}", sim.url(), query.join("&"))
}

/// A memory figure of this process from `/proc/self/status`, in MiB
/// (Linux): `VmHWM` is the peak resident size (the database file's pages
/// mapped in memory included), `RssAnon` the memory the process allocated
/// itself, now.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Small calls one after the other, `calls` of them (or until `stop` says
/// so, when given): `listZones`, and every tenth a `createDomain`. Gives
/// the latencies of each kind.
async fn small_calls(
    sim: &RunningSimulator,
    client: &reqwest::Client,
    calls: usize,
    tag: &str,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for n in 0..calls {
        let (url, into) = if n % 10 == 9 {
            let name = format!("{tag}-{n}-{}", uuid::Uuid::new_v4().simple());
            (
                signed_url(sim, "createDomain", &[("name", name)]),
                &mut writes,
            )
        } else {
            (signed_url(sim, "listZones", &[]), &mut reads)
        };
        let begun = Instant::now();
        let response = client.get(&url).send().await.expect("answered");
        assert!(response.status().is_success(), "{}", response.status());
        response.bytes().await.expect("a body");
        into.push(begun.elapsed());
    }
    (reads, writes)
}

fn describe(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "| {label} | {} | {:.2?} | {:.2?} |",
        samples.len(),
        samples[samples.len() / 2],
        samples[samples.len() - 1]
    );
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sim = runtime
        .block_on(Simulator::start(SimulatorConfig::default()))
        .expect("simulator");
    let inserted = insert_accounts(&sim, args.accounts);
    println!(
        "inserted {} accounts (one user each) in {inserted:.2?}",
        args.accounts
    );

    let mut samples = Vec::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        let answer = sim
            .call_as_admin_text("listAccounts", &[("listall", "true")])
            .expect("listAccounts");
        samples.push(started.elapsed());
        assert!(answer.contains("\"account\""));
    }
    println!(
        "listAccounts, 500-row page 1 of {}: median of {} {:.2?}",
        args.accounts,
        args.runs,
        common::median(samples)
    );

    runtime.block_on(async {
        let client = reqwest::Client::new();
        let (reads, writes) = small_calls(&sim, &client, args.calls, "idle").await;
        println!("| small calls | n | median | worst |");
        println!("|---|---|---|---|");
        describe("listZones, idle", reads);
        describe("createDomain, idle", writes);

        let before = status_mib("VmHWM:");
        let mut anon_peak = status_mib("RssAnon:").unwrap_or(f64::NAN);
        let url = signed_url(
            &sim,
            "listAccounts",
            &[("listall", "true".into()), ("pagesize", "-1".into())],
        );
        let big = {
            let client = client.clone();
            tokio::spawn(async move {
                let begun = Instant::now();
                let mut response = client.get(&url).send().await.expect("answered");
                let first = begun.elapsed();
                let mut bytes = 0usize;
                while let Some(chunk) = response.chunk().await.expect("a body") {
                    bytes += chunk.len();
                }
                (first, begun.elapsed(), bytes)
            })
        };
        // Small calls while the whole list is in flight.
        let mut during = (Vec::new(), Vec::new());
        while !big.is_finished() {
            let (reads, writes) = small_calls(&sim, &client, 10, "busy").await;
            during.0.extend(reads);
            during.1.extend(writes);
            anon_peak = anon_peak.max(status_mib("RssAnon:").unwrap_or(f64::NAN));
        }
        let (first, whole, bytes) = big.await.expect("the big list");
        describe("listZones, during the whole list", during.0);
        describe("createDomain, during the whole list", during.1);
        println!(
            "whole listAccounts ({} accounts): first byte {first:.2?}, all {whole:.2?}, {:.1} MiB; \
             peak resident size of the process {:.0} MiB before, {:.0} MiB after; \
             allocated memory while it was in flight, at most {anon_peak:.0} MiB",
            args.accounts,
            bytes as f64 / 1024.0 / 1024.0,
            before.unwrap_or(f64::NAN),
            status_mib("VmHWM:").unwrap_or(f64::NAN),
        );
    });
    runtime.block_on(sim.shutdown());
}
