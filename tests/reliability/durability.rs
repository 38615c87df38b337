//! Durability: a file-backed `marvin simulator` (the built binary, as a
//! child process) is SIGKILLed while clients write to it, then restarted on
//! the same file. Every change that was acknowledged before the kill (a
//! create that answered, a delete whose job succeeded) must be there after
//! the restart, and SQLite's `PRAGMA integrity_check` must say `ok` after
//! every kill.
//!
//! CI: two kill cycles; `MARVIN_TORTURE_SCALE` multiplies the cycles and the
//! writes per cycle.

use marvin_entities::api;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use marvin_core::{Client, Params};
use std::sync::Mutex;

use crate::support::ChildSimulator as Server;

const CYCLES: usize = 2;
const WRITERS: usize = 8;
/// Acknowledged writes per cycle before the kill.
const WRITES_PER_CYCLE: usize = 150;

/// What the clients were told succeeded.
#[derive(Debug, Default, Clone)]
struct Acknowledged {
    domains: Vec<String>,
    accounts: Vec<String>,
    deleted_domains: Vec<String>,
    /// Deletions sent but not acknowledged: either state is right.
    deleting: Vec<String>,
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check runs");
    result
}

async fn writer(
    client: Client,
    cycle: usize,
    writer: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
    ledger: Arc<Mutex<Acknowledged>>,
) {
    let mut mine: Vec<(String, String)> = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let name = format!("dur{cycle}w{writer}n{n}");
        let outcome = if n % 7 == 0 && !mine.is_empty() {
            let (name, id) = mine.remove(0);
            lock(&ledger).deleting.push(name.clone());
            client
                .call(api("deleteDomain"))
                .params(Params::from([("id", id.as_str())]))
                .await
                .map(|_| lock(&ledger).deleted_domains.push(name))
        } else if n % 5 == 0 {
            client
                .call(api("createAccount"))
                .params(Params::from([
                    ("username", name.as_str()),
                    ("password", "pw-durability"),
                    ("firstname", "D"),
                    ("lastname", "Urable"),
                    ("email", "d@example.com"),
                    ("accounttype", "0"),
                ]))
                .await
                .map(|_| lock(&ledger).accounts.push(name))
        } else {
            client
                .call(api("createDomain"))
                .params(Params::from([("name", name.as_str())]))
                .await
                .map(|answer| {
                    if let Some(id) = answer["domain"]["id"].as_str() {
                        mine.push((name.clone(), id.to_owned()));
                    }
                    lock(&ledger).domains.push(name);
                })
        };
        match outcome {
            Ok(()) => {
                acked.fetch_add(1, Ordering::Relaxed);
            }
            // The server was killed: stop.
            Err(e) if e.is_transport() || stop.load(Ordering::Relaxed) => break,
            Err(e) => panic!("a write failed before the kill: {e}"),
        }
    }
}

fn lock(ledger: &Mutex<Acknowledged>) -> std::sync::MutexGuard<'_, Acknowledged> {
    ledger
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn check_present(client: &Client, ledger: &Acknowledged) -> Vec<String> {
    let mut problems = Vec::new();
    let domains: Vec<String> = client
        .list_all("listDomains", Params::from([("listall", "true")]))
        .await
        .expect("domains after the restart")
        .iter()
        .filter_map(|d| d["name"].as_str().map(str::to_owned))
        .collect();
    let accounts: Vec<String> = client
        .list_all("listAccounts", Params::from([("listall", "true")]))
        .await
        .expect("accounts after the restart")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect();
    for name in &ledger.domains {
        let deleted = ledger.deleted_domains.contains(name);
        let present = domains.contains(name);
        if !deleted && ledger.deleting.contains(name) {
            // The kill came while its deletion ran: gone or not, both fine.
            continue;
        }
        if deleted && present {
            problems.push(format!(
                "domain {name} was deleted (acknowledged) but is back"
            ));
        }
        if !deleted && !present {
            problems.push(format!(
                "domain {name} was created (acknowledged) but is lost"
            ));
        }
    }
    for name in &ledger.accounts {
        if !accounts.contains(name) {
            problems.push(format!(
                "account {name} was created (acknowledged) but is lost"
            ));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill() {
    let dir = crate::support::temp_dir("durability");
    let db = dir.join("simulator.db");
    let cycles = crate::support::scaled(CYCLES);
    let writes = crate::support::scaled(WRITES_PER_CYCLE);
    let ledger = Arc::new(Mutex::new(Acknowledged::default()));
    let mut total_acked = 0;
    for cycle in 0..cycles {
        let server = Server::start(&dir, Some(&db), cycle);
        // Everything acknowledged in earlier cycles survived the last kill.
        let snapshot = lock(&ledger).clone();
        let problems = check_present(&server.writer_client(), &snapshot).await;
        assert!(
            problems.is_empty(),
            "after restart {cycle}:\n{}",
            problems.join("\n")
        );

        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(writer(
                    server.writer_client(),
                    cycle,
                    w,
                    Arc::clone(&stop),
                    Arc::clone(&acked),
                    Arc::clone(&ledger),
                ))
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(60);
        while acked.load(Ordering::Relaxed) < writes && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Kill with writes in flight.
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.expect("a writer");
        }
        total_acked += acked.load(Ordering::Relaxed);
        assert_eq!(integrity(&db), "ok", "integrity after kill {cycle}");
    }
    let server = Server::start(&dir, Some(&db), cycles);
    let snapshot = lock(&ledger).clone();
    let problems = check_present(&server.writer_client(), &snapshot).await;
    server.kill();
    assert_eq!(integrity(&db), "ok", "integrity at the end");
    assert!(
        problems.is_empty(),
        "after the last restart:\n{}",
        problems.join("\n")
    );
    eprintln!("durability: {cycles} SIGKILLs, {total_acked} acknowledged writes, all present");
}
