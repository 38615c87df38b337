//! Factory benchmark (not a test): `--count` (200) `VirtualMachineWithStaticNat`
//! made concurrently through the factory, then cleaned up, on the embedded
//! simulator; how long each half takes and how many API calls each made
//! object costs.
//!
//! ```text
//! cargo run --release --example factory_bench -- [--count 200] [--json target/bench/factory.json]
//! ```
//!
//! `scripts/bench.sh` runs it and writes the figures into
//! `docs/benchmarks.md`.
//!
//! # What is measured
//!
//! The simulator runs on its own two-thread runtime (as a separate process
//! would); the test side is one task on a current-thread runtime, as in a
//! `#[marvin::test]`. Before the clock starts the default zone is given
//! room for the run (more hosts, public addresses and guest VLANs: each VM
//! gets its own isolated network, whose source NAT takes an address, and
//! its static NAT takes another).
//!
//! - **create**: `VirtualMachineWithStaticNat::create_batch(&ctx, count)`:
//!   each one deploys a VM in a new isolated network, acquires a public IP
//!   on that network, enables static NAT and re-reads the IP; zone,
//!   template and offerings are looked up once per test context and shared.
//! - **cleanup**: the test's cleanup stack, as the runner runs it when a
//!   test ends.
//!
//! Calls are counted twice: as the client reports them (one per command;
//! an async command and its job wait count once), and as the simulator
//! receives them (every HTTP request, job polls included), from the
//! simulator's per-request tracing span.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use marvin_core::testing::{RunSettings, TestContext, TestSpec};
use marvin_core::{Client, Params};
use marvin_factories::VirtualMachineWithStaticNat;
use marvin_simulator::{RunningSimulator, SimulatorConfig};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::{Layer, Registry};

use common::SimulatorThread;

struct Args {
    count: usize,
    json: Option<PathBuf>,
}

fn args() -> Args {
    let mut args = Args {
        count: 200,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--count" => args.count = value().parse().expect("--count: a number"),
            "--json" => args.json = Some(value().into()),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// Requests the simulator received, by command (from its `api` spans).
#[derive(Clone, Default)]
struct ServerCalls(Arc<Mutex<BTreeMap<String, u64>>>);

impl ServerCalls {
    fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl<S: tracing::Subscriber> Layer<S> for ServerCalls {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if meta.name() != "api" || !meta.target().starts_with("marvin_simulator") {
            return;
        }
        struct Command(Option<String>);
        impl Visit for Command {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "command" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut command = Command(None);
        attrs.record(&mut command);
        if let Some(command) = command.0 {
            *self
                .0
                .lock()
                .expect("not poisoned")
                .entry(command)
                .or_default() += 1;
        }
    }
}

/// Gives the default zone room for `count` VMs with their own networks and
/// two public addresses each: hosts (16 small VMs each by memory), a second
/// public range, and more guest VLANs.
fn make_room(sim: &RunningSimulator, count: usize) {
    let admin = |command: &str, params: &[(&str, &str)]| -> Value {
        sim.call_as_admin(command, params)
            .unwrap_or_else(|e| panic!("{command}: {e:?}"))
    };
    let first = |answer: &Value, key: &str| -> String {
        answer[key][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {answer}"))
            .to_owned()
    };
    let zone = first(&admin("listZones", &[]), "zone");
    let pod = first(&admin("listPods", &[]), "pod");
    let cluster = first(&admin("listClusters", &[]), "cluster");
    let physical = first(
        &admin("listPhysicalNetworks", &[("zoneid", &zone)]),
        "physicalnetwork",
    );
    for n in 0..count.div_ceil(12) {
        admin(
            "addHost",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("hypervisor", "Simulator"),
                ("url", &format!("http://sim/bench/h{n}")),
                ("username", "root"),
                ("password", "password"),
            ],
        );
    }
    let vlans = format!("100-{}", 200 + count);
    admin(
        "updatePhysicalNetwork",
        &[("id", &physical), ("vlan", &vlans)],
    );
    // 10.1.0.0/16: room for 65,000 addresses.
    let hosts = 2 * count + 16;
    let end = format!("10.1.{}.{}", hosts / 250, 2 + hosts % 250);
    admin(
        "createVlanIpRange",
        &[
            ("zoneid", &zone),
            ("vlan", "vlan://51"),
            ("gateway", "10.1.0.1"),
            ("netmask", "255.255.0.0"),
            ("startip", "10.1.0.2"),
            ("endip", &end),
            ("forvirtualnetwork", "true"),
        ],
    );
}

/// Client-reported calls by command.
fn by_command(ctx: &TestContext) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for call in ctx.trace().calls() {
        *calls.entry(call.command).or_default() += 1;
    }
    calls
}

fn per_object(calls: &BTreeMap<String, u64>, count: usize) -> Value {
    let total: u64 = calls.values().sum();
    let commands: serde_json::Map<String, Value> = calls
        .iter()
        .map(|(command, n)| (command.clone(), json!(*n as f64 / count as f64)))
        .collect();
    json!({ "total": total, "per_object": total as f64 / count as f64, "by_command": commands })
}

fn print_calls(title: &str, calls: &BTreeMap<String, u64>, count: usize) {
    let total: u64 = calls.values().sum();
    println!(
        "  {title}: {total} ({:.2} per object)",
        total as f64 / count as f64
    );
    for (command, n) in calls {
        println!("    {command}: {n} ({:.2})", *n as f64 / count as f64);
    }
}

async fn count_vms(client: &Client) -> usize {
    client
        .list_all("listVirtualMachines", Params::from([("listall", "true")]))
        .await
        .expect("listVirtualMachines")
        .len()
}

fn main() {
    let args = args();
    let server_calls = ServerCalls::default();
    tracing::subscriber::set_global_default(Registry::default().with(server_calls.clone()))
        .expect("the only subscriber");

    let count = args.count;
    let server =
        SimulatorThread::start(SimulatorConfig::default(), move |sim| make_room(sim, count));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let settings = RunSettings {
        capabilities: None,
        ledger: None,
        termination_grace: None,
        ..RunSettings::from_env()
    };
    let spec = TestSpec::new("factory_bench::virtual_machine_with_static_nat");
    let ctx = TestContext::new(server.client(), &spec, &settings);
    let _ = server_calls.take(); // the set-up's calls

    let results = runtime.block_on(async {
        let started = Instant::now();
        let made = VirtualMachineWithStaticNat::create_batch(&ctx, args.count)
            .await
            .expect("every VirtualMachineWithStaticNat is made");
        let create_time = started.elapsed();
        assert_eq!(made.len(), args.count);
        assert!(made.iter().all(|vm| vm.public_ip().is_some()));
        let created_vms = count_vms(&ctx.client().without_observer()).await;
        let create_client = by_command(&ctx);
        let create_server = server_calls.take();

        drop(made);
        let started = Instant::now();
        let report = ctx.cleanup().run().await;
        let cleanup_time = started.elapsed();
        assert!(report.is_clean(), "cleanup failed: {:?}", report.failures);
        let mut cleanup_client = by_command(&ctx);
        for (command, n) in &create_client {
            if let Some(total) = cleanup_client.get_mut(command) {
                *total -= n;
            }
        }
        cleanup_client.retain(|_, n| *n > 0);
        let cleanup_server = server_calls.take();
        let left_vms = count_vms(&ctx.client().without_observer()).await;

        println!(
            "{} VirtualMachineWithStaticNat: created in {:.2} s ({} VMs listed), cleaned up in {:.2} s ({} deletions, {} VMs left)",
            args.count,
            create_time.as_secs_f64(),
            created_vms,
            cleanup_time.as_secs_f64(),
            report.total(),
            left_vms,
        );
        println!("create:");
        print_calls("client calls", &create_client, args.count);
        print_calls("server requests", &create_server, args.count);
        println!("cleanup:");
        print_calls("client calls", &cleanup_client, args.count);
        print_calls("server requests", &cleanup_server, args.count);
        assert!(created_vms >= args.count);
        assert_eq!(left_vms, created_vms - args.count);
        json!({
            "count": args.count,
            "create_seconds": create_time.as_secs_f64(),
            "cleanup_seconds": cleanup_time.as_secs_f64(),
            "deletions": report.total(),
            "create_client": per_object(&create_client, args.count),
            "create_server": per_object(&create_server, args.count),
            "cleanup_client": per_object(&cleanup_client, args.count),
            "cleanup_server": per_object(&cleanup_server, args.count),
        })
    });
    drop(ctx);
    drop(server);
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&results).expect("JSON"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
