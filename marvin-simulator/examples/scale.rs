//! Scale benchmark of `listVirtualMachines` (not a test): inserts 100,000
//! VMs (spread over 100 accounts, a fifth of them stopped, a tenth tagged)
//! straight into the database of an embedded simulator, then times 500-item
//! pages through the real handler (validation, scope, query, JSON) with and
//! without filters: each call gives the answer's JSON text, as an HTTP
//! client receives it inside the envelope (`call_as_admin_text`).
//!
//! ```text
//! cargo run --release -p marvin-simulator --example scale -- [--vms 100000] [--runs 5] [--only N]
//! ```
//!
//! `--only N` runs only the N-th query of the table (1 is `listall, page 1`),
//! for profiling.
//!
//! Results go in `docs/simulator-scale.md`.

mod common;

use std::time::{Duration, Instant};

use marvin_simulator::{Simulator, SimulatorConfig};
use rusqlite::params;

struct Args {
    vms: usize,
    runs: usize,
    /// Only this query of the table (1-based), when given.
    only: Option<usize>,
}

fn args() -> Args {
    let (mut vms, mut runs, mut only) = (100_000, 5, 0);
    common::read_flags(&mut [
        ("--vms", &mut vms),
        ("--runs", &mut runs),
        ("--only", &mut only),
    ]);
    Args {
        vms: vms as usize,
        runs: runs as usize,
        only: (only > 0).then_some(only as usize),
    }
}

/// Ids the seed created that the VM rows point at.
struct Seed {
    zone: String,
    host: String,
    template: String,
    offering: String,
    domain: String,
    role: String,
}

fn seed_ids(sim: &marvin_simulator::RunningSimulator) -> Seed {
    sim.with_db(|db| {
        let one = |sql: &str| -> String { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
        Seed {
            zone: one("SELECT id FROM zones ORDER BY seq LIMIT 1"),
            host: one("SELECT id FROM hosts ORDER BY seq LIMIT 1"),
            template: one("SELECT id FROM templates WHERE kind = 'template' ORDER BY seq LIMIT 1"),
            offering: one(
                "SELECT id FROM service_offerings WHERE is_system = 0 ORDER BY seq LIMIT 1",
            ),
            domain: one("SELECT id FROM domains WHERE path = '/'"),
            role: one("SELECT id FROM roles WHERE role_type = 'User' ORDER BY rowid LIMIT 1"),
        }
    })
}

/// Inserts `count` VMs over 100 accounts in one transaction.
fn insert_vms(sim: &marvin_simulator::RunningSimulator, seed: &Seed, count: usize) -> Duration {
    let started = Instant::now();
    sim.with_db(|db| {
        db.execute_batch("BEGIN").expect("begin");
        let now = "2026-01-01T00:00:00+0000";
        let mut accounts = Vec::new();
        for n in 0..100 {
            let id = uuid::Uuid::new_v4().to_string();
            db.execute(
                "INSERT INTO accounts (id, name, account_type, role_id, domain_id, state, created)
                 VALUES (?1, ?2, 0, ?3, ?4, 'enabled', ?5)",
                params![id, format!("scale{n}"), seed.role, seed.domain, now],
            )
            .expect("account");
            accounts.push(id);
        }
        let mut vm = db
            .prepare(
                "INSERT INTO vms (id, seq, name, display_name, instance_name, account_id, domain_id, zone_id, host_id,
                                  template_id, service_offering_id, cpu_number, cpu_speed, memory, state, created,
                                  last_updated)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, 500, 512, ?11, ?12, ?12)",
            )
            .expect("prepare vm");
        let mut tag = db
            .prepare(
                "INSERT INTO resource_tags (id, key, value, resource_type, resource_id, account_id, domain_id, created)
                 VALUES (?1, 'tier', ?2, 'UserVm', ?3, ?4, ?5, ?6)",
            )
            .expect("prepare tag");
        for n in 0..count {
            let id = uuid::Uuid::new_v4().to_string();
            let seq = i64::try_from(n).unwrap_or(i64::MAX) + 1_000;
            let account = &accounts[n % accounts.len()];
            let running = n % 5 != 0;
            vm.execute(params![
                id,
                seq,
                format!("vm-{n}"),
                format!("i-{}-{seq}-VM", n % 100 + 3),
                account,
                seed.domain,
                seed.zone,
                running.then_some(seed.host.as_str()),
                seed.template,
                seed.offering,
                if running { "Running" } else { "Stopped" },
                now
            ])
            .expect("vm");
            if n % 10 == 0 {
                let value = if n % 20 == 0 { "web" } else { "db" };
                tag.execute(params![uuid::Uuid::new_v4().to_string(), value, id, account, seed.domain, now])
                    .expect("tag");
            }
        }
        db.execute(
            "INSERT INTO compute_sequences (name, value) VALUES ('vm', ?1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [i64::try_from(count).unwrap_or(0) + 1_000],
        )
        .expect("sequence");
        db.execute_batch("COMMIT; ANALYZE;").expect("commit");
    });
    started.elapsed()
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
    let seed = seed_ids(&sim);
    let inserted = insert_vms(&sim, &seed, args.vms);
    println!(
        "inserted {} VMs (100 accounts) in {:.2?}",
        args.vms, inserted
    );
    let pages: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("listall, page 1", vec![("listall", "true".into())]),
        (
            "listall, page 1, details=min",
            vec![("listall", "true".into()), ("details", "min".into())],
        ),
        (
            "listall, page 100",
            vec![
                ("listall", "true".into()),
                ("page", "100".into()),
                ("pagesize", "500".into()),
            ],
        ),
        (
            "state=Stopped",
            vec![("listall", "true".into()), ("state", "Stopped".into())],
        ),
        (
            "zoneid",
            vec![("listall", "true".into()), ("zoneid", seed.zone.clone())],
        ),
        (
            "templateid",
            vec![
                ("listall", "true".into()),
                ("templateid", seed.template.clone()),
            ],
        ),
        (
            "account (1,000 VMs)",
            vec![
                ("account", "scale7".into()),
                ("domainid", seed.domain.clone()),
            ],
        ),
        (
            "keyword",
            vec![("listall", "true".into()), ("keyword", "vm-9999".into())],
        ),
        (
            "tags[0] tier=web",
            vec![
                ("listall", "true".into()),
                ("tags[0].key", "tier".into()),
                ("tags[0].value", "web".into()),
            ],
        ),
        ("id", vec![("id", String::new())]),
    ];
    let some_id: String = sim.with_db(|db| {
        db.query_row("SELECT id FROM vms ORDER BY seq DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("id")
    });
    println!("| query | items | count | median of {} |", args.runs);
    println!("|---|---|---|---|");
    for (number, (label, params)) in pages.into_iter().enumerate() {
        if args.only.is_some_and(|only| only != number + 1) {
            continue;
        }
        let params: Vec<(&str, String)> = params
            .into_iter()
            .map(|(k, v)| {
                if k == "id" {
                    (k, some_id.clone())
                } else {
                    (k, v)
                }
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut samples = Vec::new();
        let mut shape = (0, 0);
        for _ in 0..args.runs {
            let started = Instant::now();
            let answer = sim
                .call_as_admin_text("listVirtualMachines", &borrowed)
                .expect("listVirtualMachines");
            samples.push(started.elapsed());
            let answer: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
            let items = answer["virtualmachine"].as_array().map_or(0, Vec::len);
            shape = (items, answer["count"].as_u64().unwrap_or(0));
        }
        println!(
            "| {label} | {} | {} | {:.1?} |",
            shape.0,
            shape.1,
            common::median(samples)
        );
    }
    runtime.block_on(sim.shutdown());
}
