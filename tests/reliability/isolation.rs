//! Isolation: one huge answer does not stall anybody else. While an admin's
//! `listAccounts listall=true pagesize=-1` over many accounts is in flight
//! (sent 300 ms before them; its client reads at most the first part until
//! they are done, so the answer cannot have been delivered meanwhile),
//! small reads and writes of other callers keep answering; then the whole
//! list arrives, complete and well-formed.
//!
//! Timings are asserted loosely (seconds, where the calls take
//! milliseconds): the figures are in `docs/reliability.md` ("One large list
//! stalled every caller"), measured by
//! `marvin-simulator/examples/large_lists.rs`.

use marvin_entities::api;
use std::time::{Duration, Instant};

use marvin_core::Params;
use marvin_simulator::SimulatorConfig;
use serde_json::Value;

use crate::common::SimulatorThread;
use crate::support;

/// Inserts `count` user accounts with one user each, straight into the
/// database (creating them through the API would dominate the test).
fn insert_accounts(sim: &marvin_simulator::RunningSimulator, count: usize) {
    sim.with_db(|db| {
        let one = |sql: &str| -> String { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
        let domain = one("SELECT id FROM domains WHERE path = '/'");
        let role = one("SELECT id FROM roles WHERE role_type = 'User' ORDER BY rowid LIMIT 1");
        db.execute_batch("BEGIN").expect("begin");
        {
            let mut account = db
                .prepare(
                    "INSERT INTO accounts (id, name, account_type, role_id, domain_id, state, created)
                     VALUES (?1, ?2, 0, ?3, ?4, 'enabled', '2026-01-01T00:00:00+0000')",
                )
                .expect("prepare");
            let mut user = db
                .prepare(
                    "INSERT INTO users (id, account_id, username, password, created)
                     VALUES (?1, ?2, ?3, 'password', '2026-01-01T00:00:00+0000')",
                )
                .expect("prepare");
            for n in 0..count {
                let id = uuid::Uuid::new_v4().to_string();
                account
                    .execute(rusqlite::params![id, format!("bulk{n}"), role, domain])
                    .expect("account");
                user.execute(rusqlite::params![
                    uuid::Uuid::new_v4().to_string(),
                    id,
                    format!("bulk{n}")
                ])
                .expect("user");
            }
        }
        db.execute_batch("COMMIT").expect("commit");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_list_in_flight_does_not_stall_other_calls() {
    // The simulator runs on its own runtime, as a separate server would: a
    // stalled simulator then shows as slow answers, and the test's own
    // timers and clients keep running.
    let bulk = support::scaled(20_000);
    let sim = SimulatorThread::start(SimulatorConfig::default(), move |sim| {
        insert_accounts(sim, bulk)
    });
    let client = sim.client();
    let before: Value = client
        .call(api("listAccounts"))
        .params(Params::from([("listall", "true")]))
        .await
        .expect("a page of accounts");
    let total = before["count"].as_u64().expect("a count") as usize;
    assert!(total > bulk, "{total} accounts");

    let pairs: Vec<(String, String)> = [
        ("apiKey", sim.api_key.as_str()),
        ("command", "listAccounts"),
        ("listall", "true"),
        ("pagesize", "-1"),
        ("response", "json"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
    .collect();
    let url = format!(
        "{}?{}",
        sim.url,
        support::signed_query(&pairs, &sim.secret_key)
    );
    // The huge list's client reads the first part, then stops reading
    // until told to go on: meanwhile the answer cannot be delivered.
    let (first_part, first_part_read) = tokio::sync::oneshot::channel();
    let (go_on, told_to_go_on) = tokio::sync::oneshot::channel::<()>();
    let http = reqwest::Client::new();
    let huge = tokio::spawn(async move {
        let mut response = http.get(&url).send().await.expect("the huge list answers");
        assert_eq!(response.status(), 200);
        let mut body = Vec::new();
        if let Some(part) = response.chunk().await.expect("a first part") {
            body.extend_from_slice(&part);
        }
        let _ = first_part.send(());
        let _ = told_to_go_on.await;
        while let Some(part) = response.chunk().await.expect("the rest of the list") {
            body.extend_from_slice(&part);
        }
        body
    });
    // Give the simulator time to start on the huge list (it takes seconds
    // to write whole).
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Other callers' reads and writes answer at once meanwhile.
    let mut worst = Duration::ZERO;
    for n in 0..20 {
        let begun = Instant::now();
        let zones: Value = client
            .call(api("listZones"))
            .await
            .expect("listZones answers");
        assert!(zones["zone"].is_array(), "{zones}");
        if n % 5 == 0 {
            client
                .call(api("createDomain"))
                .params(Params::new().with("name", format!("isolation-{n}")))
                .await
                .expect("createDomain answers");
        }
        worst = worst.max(begun.elapsed());
    }
    assert!(
        worst < Duration::from_secs(5),
        "a small call waited {worst:?} behind the huge list"
    );
    first_part_read.await.expect("the huge list began");
    let _ = go_on.send(());
    let body = huge.await.expect("the huge list's client");
    let answer: Value = serde_json::from_slice(&body).expect("the whole list is JSON");
    let inner = &answer["listaccountsresponse"];
    let accounts = inner["account"].as_array().expect("accounts");
    // The list is the snapshot it began in: the domains created meanwhile
    // added no account, and nothing is missing or repeated.
    assert_eq!(inner["count"].as_u64(), Some(total as u64));
    assert_eq!(accounts.len(), total);
    let mut names: Vec<&str> = accounts.iter().filter_map(|a| a["name"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total, "every account once");
    assert!(
        accounts
            .iter()
            .all(|a| a["user"].as_array().is_some_and(|u| !u.is_empty())),
        "each account carries its users"
    );
}
