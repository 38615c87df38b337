//! Concurrency: 64 clients × 50 mixed operations on one simulator in CI,
//! × 200 and more with `MARVIN_TORTURE_SCALE`.
//!
//! Each client (its own `marvin_core::Client`, its own connections) creates,
//! lists and deletes domains and accounts, deploys and destroys VMs and,
//! when the simulator serves it, acquires public IPs, keeping a ledger of
//! what it believes exists. Every operation must succeed (a 533 for a VM
//! when the hosts are full is the only refusal allowed): in particular no
//! "database is locked" or other 530 surfaces. At the end the simulator's
//! lists must match the union of the ledgers exactly: no duplicate names,
//! no duplicate IPs, no lost or phantom objects.

use marvin_entities::api;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use marvin_core::{Client, Params};
use marvin_simulator::catalog::Catalog;
use marvin_simulator::{Simulator, SimulatorConfig};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::support;

const CLIENTS: usize = 64;
/// Operations per client in CI (debug builds serve about 250 calls/s under
/// this load); `MARVIN_TORTURE_SCALE=4` gives the documented 64 × 200.
const OPERATIONS: usize = 50;
const MAX_VMS_PER_CLIENT: usize = 1;
const MAX_IPS_PER_CLIENT: usize = 2;

/// What one client believes exists at the end.
#[derive(Debug, Default)]
struct Ledger {
    domains: BTreeMap<String, String>,
    /// domain name → parent id, for domains under one of ours
    parents: BTreeMap<String, String>,
    /// account name → domain id
    accounts: BTreeMap<String, String>,
    /// VM name → VM id
    vms: BTreeMap<String, String>,
    /// public IP id → address
    public_ips: BTreeMap<String, String>,
    failures: Vec<String>,
    refused_for_capacity: usize,
    operations: BTreeMap<&'static str, usize>,
}

/// Ids the deploys need.
#[derive(Debug, Clone)]
struct Deploy {
    zone: String,
    offering: String,
    template: String,
}

fn id_of(answer: &Value, key: &str) -> Option<String> {
    answer[key]["id"].as_str().map(str::to_owned)
}

async fn one_client(
    client: Client,
    index: usize,
    seed: u64,
    operations: usize,
    deploy: Deploy,
    root: String,
    ips_served: bool,
) -> Ledger {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(index as u64));
    let mut ledger = Ledger::default();
    for k in 0..operations {
        let name = format!("cc{index}-{k}");
        let roll = rng.random_range(0..100);
        let (label, result): (&'static str, Result<(), marvin_core::Error>) = match roll {
            0..=24 => {
                let parent = if rng.random_bool(0.5) {
                    ledger
                        .domains
                        .values()
                        .cloned()
                        .collect::<Vec<_>>()
                        .choose(&mut rng)
                        .cloned()
                } else {
                    None
                }
                .unwrap_or_else(|| root.clone());
                let params =
                    Params::from([("name", name.as_str()), ("parentdomainid", parent.as_str())]);
                let result = client
                    .call(api("createDomain"))
                    .params(params)
                    .await
                    .map(|answer| {
                        if let Some(id) = id_of(&answer, "domain") {
                            ledger.domains.insert(name.clone(), id);
                            if parent != root {
                                ledger.parents.insert(name.clone(), parent.clone());
                            }
                        }
                    });
                ("createDomain", result)
            }
            25..=44 => {
                let domain = ledger
                    .domains
                    .values()
                    .cloned()
                    .collect::<Vec<_>>()
                    .choose(&mut rng)
                    .cloned()
                    .unwrap_or_else(|| root.clone());
                let params = Params::from([
                    ("username", name.as_str()),
                    ("password", "pw-concurrency"),
                    ("firstname", "C"),
                    ("lastname", "Client"),
                    ("email", "c@example.com"),
                    ("accounttype", "0"),
                    ("domainid", domain.as_str()),
                ]);
                let result = client
                    .call(api("createAccount"))
                    .params(params)
                    .await
                    .map(|_| {
                        ledger.accounts.insert(name.clone(), domain.clone());
                    });
                ("createAccount", result)
            }
            45..=54 => {
                let Some((account, domain)) = ledger
                    .accounts
                    .iter()
                    .map(|(a, d)| (a.clone(), d.clone()))
                    .collect::<Vec<_>>()
                    .choose(&mut rng)
                    .cloned()
                else {
                    continue;
                };
                let params = Params::from([
                    ("name", account.as_str()),
                    ("domainid", domain.as_str()),
                    ("listall", "true"),
                ]);
                let result = match client.call(api("listAccounts")).params(params).await {
                    Ok(answer) => {
                        let items = answer["account"].as_array().cloned().unwrap_or_default();
                        match items.first().and_then(|a| a["id"].as_str()) {
                            Some(id) => {
                                let id = id.to_owned();
                                let result = client
                                    .call(api("deleteAccount"))
                                    .params(Params::from([("id", id.as_str())]))
                                    .await;
                                if result.is_ok() {
                                    ledger.accounts.remove(&account);
                                }
                                result.map(drop)
                            }
                            None => {
                                ledger.failures.push(format!(
                                    "account {account} vanished before its deletion"
                                ));
                                Ok(())
                            }
                        }
                    }
                    Err(e) => Err(e),
                };
                ("deleteAccount", result)
            }
            55..=61 => {
                // A leaf domain (no subdomain, no account of ours; other
                // clients never use our domains).
                let used: BTreeSet<&String> = ledger
                    .accounts
                    .values()
                    .chain(ledger.parents.values())
                    .collect();
                let leaves: Vec<(String, String)> = ledger
                    .domains
                    .iter()
                    .filter(|(_, id)| !used.contains(id))
                    .map(|(n, id)| (n.clone(), id.clone()))
                    .collect();
                let Some((domain, id)) = leaves.choose(&mut rng).cloned() else {
                    continue;
                };
                let result = client
                    .call(api("deleteDomain"))
                    .params(Params::from([("id", id.as_str())]))
                    .await;
                if result.is_ok() {
                    ledger.domains.remove(&domain);
                    ledger.parents.remove(&domain);
                }
                ("deleteDomain", result.map(drop))
            }
            62..=75 if ledger.vms.len() < MAX_VMS_PER_CLIENT => {
                let params = Params::from([
                    ("zoneid", deploy.zone.as_str()),
                    ("serviceofferingid", deploy.offering.as_str()),
                    ("templateid", deploy.template.as_str()),
                    ("name", name.as_str()),
                ]);
                let result = client
                    .call(api("deployVirtualMachine"))
                    .params(params)
                    .await;
                match result {
                    Ok(answer) => {
                        if let Some(id) = id_of(&answer, "virtualmachine") {
                            ledger.vms.insert(name.clone(), id);
                        }
                        ("deployVirtualMachine", Ok(()))
                    }
                    Err(e)
                        if matches!(
                            e.code(),
                            Some(marvin_core::ErrorCode::InsufficientCapacity)
                        ) =>
                    {
                        ledger.refused_for_capacity += 1;
                        ("deployVirtualMachine", Ok(()))
                    }
                    Err(e) if e.to_string().contains("nsufficient") => {
                        ledger.refused_for_capacity += 1;
                        ("deployVirtualMachine", Ok(()))
                    }
                    Err(e) => ("deployVirtualMachine", Err(e)),
                }
            }
            62..=81 => {
                let Some((vm, id)) = ledger
                    .vms
                    .iter()
                    .map(|(n, id)| (n.clone(), id.clone()))
                    .collect::<Vec<_>>()
                    .choose(&mut rng)
                    .cloned()
                else {
                    continue;
                };
                let result = client
                    .call(api("destroyVirtualMachine"))
                    .params(Params::from([("id", id.as_str()), ("expunge", "true")]))
                    .await;
                if result.is_ok() {
                    ledger.vms.remove(&vm);
                }
                ("destroyVirtualMachine", result.map(drop))
            }
            82..=85 if ips_served && ledger.public_ips.len() < MAX_IPS_PER_CLIENT => {
                let result = client
                    .call(api("associateIpAddress"))
                    .params(Params::from([("zoneid", deploy.zone.as_str())]))
                    .await;
                match result {
                    Ok(answer) => {
                        if let (Some(id), Some(ip)) = (
                            id_of(&answer, "ipaddress"),
                            answer["ipaddress"]["ipaddress"].as_str(),
                        ) {
                            ledger.public_ips.insert(id, ip.to_owned());
                        }
                        ("associateIpAddress", Ok(()))
                    }
                    Err(e)
                        if matches!(
                            e.code(),
                            Some(marvin_core::ErrorCode::InsufficientCapacity)
                        ) =>
                    {
                        ledger.refused_for_capacity += 1;
                        ("associateIpAddress", Ok(()))
                    }
                    Err(e) => ("associateIpAddress", Err(e)),
                }
            }
            82..=87 if ips_served => {
                let Some(id) = ledger
                    .public_ips
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .choose(&mut rng)
                    .cloned()
                else {
                    continue;
                };
                let result = client
                    .call(api("disassociateIpAddress"))
                    .params(Params::from([("id", id.as_str())]))
                    .await;
                if result.is_ok() {
                    ledger.public_ips.remove(&id);
                }
                ("disassociateIpAddress", result.map(drop))
            }
            _ => {
                // Our own objects are listed, by name.
                let (command, key, names): (&'static str, &str, Vec<String>) =
                    match rng.random_range(0..3) {
                        0 => (
                            "listDomains",
                            "domain",
                            ledger.domains.keys().cloned().collect(),
                        ),
                        1 => (
                            "listAccounts",
                            "account",
                            ledger.accounts.keys().cloned().collect(),
                        ),
                        _ => (
                            "listVirtualMachines",
                            "virtualmachine",
                            ledger.vms.keys().cloned().collect(),
                        ),
                    };
                let Some(wanted) = names.choose(&mut rng).cloned() else {
                    continue;
                };
                let result = client
                    .call(api(command))
                    .params(Params::from([
                        ("listall", "true"),
                        ("name", wanted.as_str()),
                    ]))
                    .no_wait()
                    .await
                    .map(|answer| {
                        let found = answer[key].as_array().is_some_and(|items| {
                            items
                                .iter()
                                .any(|i| i["name"].as_str() == Some(wanted.as_str()))
                        });
                        if !found {
                            ledger
                                .failures
                                .push(format!("client {index}: {command} does not show {wanted}"));
                        }
                    });
                (command, result)
            }
        };
        *ledger.operations.entry(label).or_default() += 1;
        if let Err(error) = result {
            ledger
                .failures
                .push(format!("client {index}, {label} ({name}): {error}"));
        }
    }
    ledger
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once_leave_consistent_state() {
    let panics_before = support::panics_so_far();
    let seed = support::seed();
    let operations = support::scaled(OPERATIONS);
    eprintln!("concurrency: {CLIENTS} clients × {operations} operations, seed {seed}");
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(2),
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    let admin = support::client(&sim.url(), sim.api_key(), sim.secret_key());
    let first = |answer: Value, key: &str| answer[key][0]["id"].as_str().expect("an id").to_owned();
    let deploy = Deploy {
        zone: first(admin.call(api("listZones")).await.expect("zones"), "zone"),
        offering: first(
            admin
                .call(api("listServiceOfferings"))
                .await
                .expect("offerings"),
            "serviceoffering",
        ),
        template: first(
            admin
                .call(api("listTemplates"))
                .params(Params::from([("templatefilter", "featured")]))
                .await
                .expect("templates"),
            "template",
        ),
    };
    let root = first(
        admin
            .call(api("listDomains"))
            .params(Params::from([("name", "ROOT")]))
            .await
            .expect("ROOT"),
        "domain",
    );
    // The admin's guest network comes with its first VM: deploy one before
    // the clients start, so that acquiring a public IP by zone works from
    // the first operation on.
    admin
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", deploy.zone.as_str()),
            ("serviceofferingid", deploy.offering.as_str()),
            ("templateid", deploy.template.as_str()),
            ("name", "setup-vm"),
        ]))
        .await
        .expect("the setup VM");
    let catalog = Catalog::global().expect("the precache");
    let ips_served = catalog.spec("associateIpAddress").is_some();

    let tasks: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let client = support::client(&sim.url(), sim.api_key(), sim.secret_key());
            let (deploy, root) = (deploy.clone(), root.clone());
            tokio::spawn(one_client(
                client, index, seed, operations, deploy, root, ips_served,
            ))
        })
        .collect();
    let mut ledgers = Vec::new();
    for task in tasks {
        ledgers.push(task.await.expect("a client task"));
    }

    let mut problems: Vec<String> = ledgers
        .iter()
        .flat_map(|l| l.failures.iter().cloned())
        .collect();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for ledger in &ledgers {
        for (op, count) in &ledger.operations {
            *totals.entry(op).or_default() += count;
        }
    }
    let refused: usize = ledgers.iter().map(|l| l.refused_for_capacity).sum();
    eprintln!("concurrency: operations {totals:?}; deploys refused for capacity: {refused}");

    // Domains: unique names, exactly the ledgers' ones.
    let domains = admin
        .list_all("listDomains", Params::from([("listall", "true")]))
        .await
        .expect("domains");
    let expected: BTreeSet<String> = ledgers
        .iter()
        .flat_map(|l| l.domains.keys().cloned())
        .collect();
    check_names(
        &domains,
        "domain",
        |d| d["name"].as_str(),
        &expected,
        &mut problems,
    );

    // Accounts.
    let accounts = admin
        .list_all("listAccounts", Params::from([("listall", "true")]))
        .await
        .expect("accounts");
    let expected: BTreeSet<String> = ledgers
        .iter()
        .flat_map(|l| l.accounts.keys().cloned())
        .collect();
    check_names(
        &accounts,
        "account",
        |a| a["name"].as_str(),
        &expected,
        &mut problems,
    );

    // VMs: unique names, unique IPs per network.
    let vms = admin
        .list_all("listVirtualMachines", Params::from([("listall", "true")]))
        .await
        .expect("VMs");
    let expected: BTreeSet<String> = ledgers.iter().flat_map(|l| l.vms.keys().cloned()).collect();
    check_names(&vms, "VM", |v| v["name"].as_str(), &expected, &mut problems);
    let mut addresses: BTreeMap<(String, String), usize> = BTreeMap::new();
    for vm in &vms {
        for nic in vm["nic"].as_array().into_iter().flatten() {
            if let Some(ip) = nic["ipaddress"].as_str() {
                let network = nic["networkid"].as_str().unwrap_or_default().to_owned();
                *addresses.entry((network, ip.to_owned())).or_default() += 1;
            }
        }
    }
    for ((network, ip), count) in &addresses {
        if *count > 1 {
            problems.push(format!("IP {ip} used by {count} NICs in network {network}"));
        }
    }

    // Public IPs, when served.
    if ips_served {
        let ips = admin
            .list_all("listPublicIpAddresses", Params::from([("listall", "true")]))
            .await
            .expect("public IPs");
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for ip in &ips {
            if let Some(address) = ip["ipaddress"].as_str() {
                *seen.entry(address.to_owned()).or_default() += 1;
            }
        }
        for (address, count) in &seen {
            if *count > 1 {
                problems.push(format!("public IP {address} allocated {count} times"));
            }
        }
        for ledger in &ledgers {
            for (id, address) in &ledger.public_ips {
                if !ips.iter().any(|ip| ip["id"].as_str() == Some(id)) {
                    problems.push(format!("acquired public IP {address} ({id}) is not listed"));
                }
            }
        }
    }

    let panics = support::server_panics_since(panics_before);
    assert!(
        panics.is_empty(),
        "server threads panicked:\n{}",
        support::describe(&panics)
    );
    assert!(
        problems.is_empty(),
        "{} problems (seed {seed}):\n{}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    sim.shutdown().await;
}

/// Names of `items` starting with `cc` must be unique and equal `expected`.
fn check_names(
    items: &[Value],
    what: &str,
    name: impl Fn(&Value) -> Option<&str>,
    expected: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        if let Some(n) = name(item).filter(|n| n.starts_with("cc")) {
            *seen.entry(n).or_default() += 1;
        }
    }
    for (n, count) in &seen {
        if *count > 1 {
            problems.push(format!("{what} name {n} listed {count} times"));
        }
    }
    let listed: BTreeSet<String> = seen.keys().map(|n| (*n).to_owned()).collect();
    for missing in expected.difference(&listed) {
        problems.push(format!(
            "{what} {missing} was created and not deleted, but is not listed"
        ));
    }
    for phantom in listed.difference(expected) {
        problems.push(format!(
            "{what} {phantom} is listed but was deleted or never acknowledged"
        ));
    }
}
