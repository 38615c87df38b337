//! Client benchmarks (not a test): marvin-core against a bare pre-signed
//! HTTP loop and against the Python `cs` client, on the same simulator in
//! the same run; and the cost of waiting for async jobs.
//!
//! ```text
//! cargo run --release --example client_bench -- [--calls 2000] [--inflight 16] [--rounds 5]
//!     [--python target/peer-venv/bin/python] [--json target/bench/client.json]
//! ```
//!
//! `scripts/bench.sh` runs it (with the platform's simulator bench) and
//! writes the results into `docs/benchmarks.md`.
//!
//! # What is measured
//!
//! The simulator runs on its own tokio runtime (two worker threads, as a
//! separate server process would have); the Rust clients run on another.
//! Each workload is `--calls` calls, sequential (one in flight) and with
//! `--inflight` calls in flight:
//!
//! - `listZones`: the smallest authenticated call;
//! - `mix`: `listZones` and `listVirtualMachines` alternately, with
//!   `--vms` deployed VMs listed by every `listVirtualMachines`.
//!
//! Contenders:
//!
//! - `marvin`: `client.call(api(command))` (signature v3 with
//!   `expires`, the JSON decoded into a `serde_json::Value`, the envelope
//!   unwrapped, errors checked, a tracing span per call);
//! - `typed`: the same client's `client.call(..).send_as::<T>()`, the answer
//!   decoded straight into typed structs (the fields a test would read:
//!   ids, names, state, offering, template, NICs...; the rest skipped),
//!   envelope and errors checked the same way;
//! - `bare`: reqwest GETs of URLs signed before the clock starts, the body
//!   read and nothing else, the same connection pool size;
//! - `cs`: the Python `cs` client in library mode (`scripts/bench_cs.py`),
//!   one thread or `--inflight` threads.
//!
//! Each contender runs `--rounds` times, in alternation, and the median rate
//! is kept.
//!
//! Async jobs: the median time of `rebootVirtualMachine` (async, waited for
//! by the client's job waiter, which polls once at once and then backs off
//! from 1 ms) on a simulator whose jobs finish at once, against a sync call
//! on the same VM (`updateVirtualMachine`) and against `listZones`; then the
//! same async call with jobs that take 500 ms. `cs` does the same with its
//! own polling (`fetch_result=True`, 2 s interval).

mod common;

use marvin_entities::api;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use marvin_core::signing::{java_url_encode, sign};
use marvin_core::{Client, Params};
use marvin_simulator::SimulatorConfig;
use serde::Deserialize;
use serde_json::{Value, json};

use common::SimulatorThread;

struct Args {
    calls: usize,
    inflight: usize,
    rounds: usize,
    vms: usize,
    async_samples: usize,
    slow_samples: usize,
    cs_samples: usize,
    python: Option<PathBuf>,
    json: Option<PathBuf>,
    /// Profiling: run only this contender (`marvin`, `typed` or `bare`) on
    /// this workload, once; nothing else.
    only: Option<(String, String)>,
    /// Profiling: calls in flight for `--only` (default 1).
    only_inflight: usize,
}

fn args() -> Args {
    let mut parsed = Args {
        calls: 2000,
        inflight: 16,
        rounds: 5,
        vms: 20,
        async_samples: 200,
        slow_samples: 10,
        cs_samples: 4,
        python: None,
        json: None,
        only: None,
        only_inflight: 1,
    };
    let mut raw = std::env::args().skip(1);
    while let Some(flag) = raw.next() {
        let value = raw.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        let number = || {
            value
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--calls" => parsed.calls = number(),
            "--inflight" => parsed.inflight = number(),
            "--rounds" => parsed.rounds = number(),
            "--vms" => parsed.vms = number(),
            "--async-samples" => parsed.async_samples = number(),
            "--slow-samples" => parsed.slow_samples = number(),
            "--cs-samples" => parsed.cs_samples = number(),
            "--python" => parsed.python = Some(PathBuf::from(value)),
            "--json" => parsed.json = Some(PathBuf::from(value)),
            // `--only` runs one at a time unless told otherwise.
            "--only-inflight" => parsed.only_inflight = number(),
            "--only" => {
                let (contender, workload) = value
                    .split_once('/')
                    .unwrap_or_else(|| panic!("--only CONTENDER/WORKLOAD, e.g. marvin/mix"));
                parsed.only = Some((contender.to_owned(), workload.to_owned()));
            }
            other => panic!("unknown flag {other}"),
        }
    }
    if parsed.python.is_none() {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/peer-venv/bin/python");
        parsed.python = venv.exists().then_some(venv);
    }
    parsed
}

/// The simulator of one part of the benchmark (`common::SimulatorThread`),
/// with its deployed VMs and a config file for `cs`.
struct Server {
    sim: SimulatorThread<Vec<String>>,
    config: PathBuf,
}

impl std::ops::Deref for Server {
    type Target = SimulatorThread<Vec<String>>;
    fn deref(&self) -> &Self::Target {
        &self.sim
    }
}

impl Server {
    fn start(name: &str, job_delay: Duration, vms: usize) -> Server {
        let config = std::env::temp_dir().join(format!(
            "marvin-client-bench-{}-{name}.json",
            std::process::id()
        ));
        let config_path = config.clone();
        let sim = SimulatorThread::start(
            SimulatorConfig {
                job_delay,
                ..Default::default()
            },
            move |sim| {
                sim.write_config(&config_path).expect("config written");
                deploy(sim, vms)
            },
        );
        Server { sim, config }
    }

    /// The ids of the deployed VMs.
    fn vm_ids(&self) -> &[String] {
        &self.sim.setup
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.config);
    }
}

/// Deploys `count` VMs as the admin; returns their ids.
fn deploy(sim: &marvin_simulator::RunningSimulator, count: usize) -> Vec<String> {
    if count == 0 {
        return Vec::new();
    }
    let first_id = |answer: Value, key: &str| -> String {
        answer[key][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {answer}"))
            .to_owned()
    };
    let zone = first_id(sim.call_as_admin("listZones", &[]).expect("zones"), "zone");
    let offering = first_id(
        sim.call_as_admin("listServiceOfferings", &[])
            .expect("offerings"),
        "serviceoffering",
    );
    let template = first_id(
        sim.call_as_admin("listTemplates", &[("templatefilter", "featured")])
            .expect("templates"),
        "template",
    );
    (0..count)
        .map(|i| {
            let name = format!("bench-{i}");
            let answer = sim
                .call_as_admin(
                    "deployVirtualMachine",
                    &[
                        ("zoneid", zone.as_str()),
                        ("serviceofferingid", offering.as_str()),
                        ("templateid", template.as_str()),
                        ("name", name.as_str()),
                    ],
                )
                .expect("a VM deploys");
            answer["virtualmachine"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("no VM id in {answer}"))
                .to_owned()
        })
        .collect()
}

/// A URL signed now (v3, expiring in ten minutes), as the client would send it.
fn signed_url(server: &Server, command: &str) -> String {
    let expires = (time::OffsetDateTime::now_utc() + Duration::from_secs(600))
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]+0000"
        ))
        .expect("a timestamp");
    let mut params = vec![
        ("command", command.to_owned()),
        ("response", "json".to_owned()),
        ("apiKey", server.api_key.clone()),
        ("signatureVersion", "3".to_owned()),
        ("expires", expires),
    ];
    let signature = sign(
        params.iter().map(|(n, v)| (*n, v.as_str())),
        &server.secret_key,
    );
    params.push(("signature", signature));
    let query: Vec<String> = params
        .iter()
        .map(|(n, v)| format!("{n}={}", java_url_encode(v)))
        .collect();
    format!("{}?{}", server.url, query.join("&"))
}

/// Runs `calls` calls of `one(index)` with `inflight` of them at a time;
/// returns calls per second.
async fn drive<F, Fut>(calls: usize, inflight: usize, one: F) -> f64
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    // Warm up: open the connections, touch every code path.
    let warm: Vec<_> = (0..inflight)
        .map(|i| {
            let one = one.clone();
            tokio::spawn(async move {
                one(i).await;
                one(i + 1).await;
            })
        })
        .collect();
    for task in warm {
        task.await.expect("warm-up");
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..inflight)
        .map(|_| {
            let (one, next) = (one.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= calls {
                        break;
                    }
                    one(index).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a load task");
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

async fn marvin_rate(
    client: &Client,
    commands: &[&'static str],
    calls: usize,
    inflight: usize,
) -> f64 {
    let client = client.clone();
    let commands: Arc<[&'static str]> = commands.into();
    drive(calls, inflight, move |index| {
        let (client, commands) = (client.clone(), Arc::clone(&commands));
        async move {
            let command = commands[index % commands.len()];
            let answer = client
                .call(api(command))
                .no_wait()
                .await
                .unwrap_or_else(|e| panic!("{command}: {e}"));
            assert!(answer.is_object());
        }
    })
    .await
}

/// What the `typed` contender reads of a `listZones` answer.
#[derive(Deserialize)]
struct Zones {
    count: Option<u64>,
    #[serde(default)]
    zone: Vec<Zone>,
}

#[derive(Deserialize)]
struct Zone {
    id: String,
    name: String,
    networktype: String,
    allocationstate: String,
    dns1: Option<String>,
    securitygroupsenabled: bool,
    localstorageenabled: bool,
}

/// What the `typed` contender reads of a `listVirtualMachines` answer.
#[derive(Deserialize)]
struct Vms {
    count: Option<u64>,
    #[serde(default)]
    virtualmachine: Vec<Vm>,
}

#[derive(Deserialize)]
struct Vm {
    id: String,
    name: String,
    displayname: Option<String>,
    state: String,
    account: String,
    domainid: String,
    zoneid: String,
    zonename: String,
    templateid: String,
    serviceofferingid: String,
    hypervisor: String,
    created: String,
    cpunumber: u32,
    memory: u64,
    haenable: bool,
    ipaddress: Option<String>,
    #[serde(default)]
    nic: Vec<Nic>,
}

#[derive(Deserialize)]
struct Nic {
    id: String,
    networkid: String,
    ipaddress: Option<String>,
    macaddress: String,
    isdefault: bool,
}

impl Zones {
    /// Reads every field, as a test would.
    fn check(&self) {
        assert_eq!(self.count, Some(self.zone.len() as u64));
        for zone in &self.zone {
            assert!(!zone.id.is_empty() && !zone.name.is_empty());
            std::hint::black_box((
                &zone.networktype,
                &zone.allocationstate,
                &zone.dns1,
                zone.securitygroupsenabled,
                zone.localstorageenabled,
            ));
        }
    }
}

impl Vms {
    /// Reads every field, as a test would.
    fn check(&self) {
        assert_eq!(self.count.unwrap_or(0), self.virtualmachine.len() as u64);
        for vm in &self.virtualmachine {
            assert!(!vm.id.is_empty() && !vm.name.is_empty() && vm.state == "Running");
            std::hint::black_box((
                (&vm.displayname, &vm.account, &vm.domainid, &vm.zoneid),
                (&vm.zonename, &vm.templateid, &vm.serviceofferingid),
                (&vm.hypervisor, &vm.created, vm.cpunumber, vm.memory),
                (vm.haenable, &vm.ipaddress),
            ));
            for nic in &vm.nic {
                assert!(!nic.id.is_empty());
                std::hint::black_box((
                    &nic.networkid,
                    &nic.ipaddress,
                    &nic.macaddress,
                    nic.isdefault,
                ));
            }
        }
    }
}

async fn typed_rate(
    client: &Client,
    commands: &[&'static str],
    calls: usize,
    inflight: usize,
) -> f64 {
    let client = client.clone();
    let commands: Arc<[&'static str]> = commands.into();
    drive(calls, inflight, move |index| {
        let (client, commands) = (client.clone(), Arc::clone(&commands));
        async move {
            let command = commands[index % commands.len()];
            let failed = |e: marvin_core::Error| -> ! { panic!("{command}: {e}") };
            match command {
                "listZones" => client
                    .call(api(command))
                    .no_wait()
                    .send_as::<Zones>()
                    .await
                    .unwrap_or_else(|e| failed(e))
                    .check(),
                "listVirtualMachines" => client
                    .call(api(command))
                    .no_wait()
                    .send_as::<Vms>()
                    .await
                    .unwrap_or_else(|e| failed(e))
                    .check(),
                other => panic!("no typed answer for {other}"),
            }
        }
    })
    .await
}

async fn bare_rate(
    server: &Server,
    commands: &[&'static str],
    calls: usize,
    inflight: usize,
) -> f64 {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(inflight.max(1))
        .build()
        .expect("a client");
    // Signed before the clock starts: one URL per call, as a pre-signed
    // replay would have them.
    let urls: Arc<Vec<reqwest::Url>> = Arc::new(
        (0..calls + 2 * inflight + 2)
            .map(|i| {
                reqwest::Url::parse(&signed_url(server, commands[i % commands.len()]))
                    .expect("a URL")
            })
            .collect(),
    );
    drive(calls, inflight, move |index| {
        let (http, urls) = (http.clone(), Arc::clone(&urls));
        async move {
            let response = http
                .get(urls[index].clone())
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("a body");
        }
    })
    .await
}

fn python_json(python: &PathBuf, args: &[&str]) -> Result<Value, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_cs.py");
    let output = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "bench_cs.py {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("bench_cs.py output: {e}"))
}

fn cs_rate(
    python: &PathBuf,
    server: &Server,
    commands: &[&str],
    calls: usize,
    threads: usize,
) -> Result<f64, String> {
    let config = server.config.to_string_lossy().into_owned();
    let answer = python_json(
        python,
        &[
            "throughput",
            &config,
            &calls.to_string(),
            &threads.to_string(),
            &commands.join(","),
        ],
    )?;
    answer["rate"]
        .as_f64()
        .ok_or_else(|| format!("no rate in {answer}"))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn median_duration(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

async fn time_calls<F, Fut>(samples: usize, mut one: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    one().await;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        one().await;
        times.push(started.elapsed());
    }
    median_duration(&mut times)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// `--only`: one contender, one workload, sequential, for a profiler
/// (`valgrind --tool=callgrind`): the difference between the `marvin` and
/// the `bare` profiles is the client's own cost.
async fn profile_one(args: &Args, contender: &str, workload: &str) {
    let server = Server::start("profile", Duration::from_millis(15), args.vms);
    let commands: &[&'static str] = match workload {
        "listZones" => &["listZones"],
        "mix" => &["listZones", "listVirtualMachines"],
        other => panic!("unknown workload {other}"),
    };
    let rate = match contender {
        "marvin" => marvin_rate(&server.client(), commands, args.calls, args.only_inflight).await,
        "typed" => typed_rate(&server.client(), commands, args.calls, args.only_inflight).await,
        "bare" => bare_rate(&server, commands, args.calls, args.only_inflight).await,
        other => panic!("unknown contender {other}"),
    };
    println!("{contender}/{workload}: {rate:.0} calls/s");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = args();
    let mut results = json!({
        "calls": args.calls,
        "inflight": args.inflight,
        "rounds": args.rounds,
        "vms": args.vms,
    });
    if let Some((contender, workload)) = &args.only {
        profile_one(&args, contender, workload).await;
        return;
    }
    if args.python.is_none() {
        eprintln!(
            "note: no Python with `cs` (target/peer-venv, made by `cargo test --test peers`): cs figures skipped"
        );
    }

    // --- Throughput ---------------------------------------------------------
    let server = Server::start("throughput", Duration::from_millis(15), args.vms);
    let client = server.client();
    let workloads: [(&str, &[&'static str]); 2] = [
        ("listZones", &["listZones"]),
        ("mix", &["listZones", "listVirtualMachines"]),
    ];
    let mut throughput = serde_json::Map::new();
    for (workload, commands) in workloads {
        for inflight in [1, args.inflight] {
            let (mut marvin, mut typed, mut bare, mut cs) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut cs_error = None;
            for round in 0..args.rounds {
                // Alternate who goes first, so drift hits every side.
                if round % 2 == 0 {
                    marvin.push(marvin_rate(&client, commands, args.calls, inflight).await);
                    typed.push(typed_rate(&client, commands, args.calls, inflight).await);
                    bare.push(bare_rate(&server, commands, args.calls, inflight).await);
                } else {
                    bare.push(bare_rate(&server, commands, args.calls, inflight).await);
                    typed.push(typed_rate(&client, commands, args.calls, inflight).await);
                    marvin.push(marvin_rate(&client, commands, args.calls, inflight).await);
                }
                if let Some(python) = &args.python {
                    match cs_rate(python, &server, commands, args.calls, inflight) {
                        Ok(rate) => cs.push(rate),
                        Err(error) => cs_error = Some(error),
                    }
                }
            }
            let marvin = median(&mut marvin);
            let typed = median(&mut typed);
            let bare = median(&mut bare);
            let cs = (!cs.is_empty()).then(|| median(&mut cs));
            println!(
                "{workload}, {inflight} in flight: marvin {marvin:.0}/s, bare {bare:.0}/s ({:.2}x), typed {typed:.0}/s ({:.2}x), cs {} ",
                marvin / bare,
                typed / bare,
                cs.map_or_else(
                    || cs_error.clone().unwrap_or_else(|| "skipped".into()),
                    |cs| format!("{cs:.0}/s (marvin {:.1}x)", marvin / cs)
                ),
            );
            throughput.insert(
                format!("{workload}/{inflight}"),
                json!({
                    "workload": workload,
                    "inflight": inflight,
                    "marvin": marvin,
                    "marvin_typed": typed,
                    "bare": bare,
                    "cs": cs,
                    "cs_error": cs_error,
                }),
            );
        }
    }
    results["throughput"] = Value::Object(throughput);
    drop(client);
    drop(server);

    // --- Async jobs ---------------------------------------------------------
    let instant = Server::start("instant-jobs", Duration::ZERO, 1);
    let client = instant.client();
    let vm = instant.vm_ids()[0].clone();
    let id = Params::from([("id", vm.as_str())]);
    let list = time_calls(args.async_samples, || async {
        client.call(api("listZones")).await.expect("listZones");
    })
    .await;
    let sync = time_calls(args.async_samples, || async {
        client
            .call(api("updateVirtualMachine"))
            .params(id.clone())
            .await
            .expect("updateVirtualMachine");
    })
    .await;
    let asynchronous = time_calls(args.async_samples, || async {
        client
            .call(api("rebootVirtualMachine"))
            .params(id.clone())
            .await
            .expect("rebootVirtualMachine");
    })
    .await;
    println!(
        "async, instant job: rebootVirtualMachine {:.2} ms; sync updateVirtualMachine {:.2} ms ({:.1}x); listZones {:.2} ms ({:.1}x)",
        ms(asynchronous),
        ms(sync),
        asynchronous.as_secs_f64() / sync.as_secs_f64(),
        ms(list),
        asynchronous.as_secs_f64() / list.as_secs_f64(),
    );
    let mut jobs = json!({
        "samples": args.async_samples,
        "marvin_async_ms": ms(asynchronous),
        "marvin_sync_ms": ms(sync),
        "marvin_list_ms": ms(list),
    });
    if let Some(python) = &args.python {
        let config = instant.config.to_string_lossy().into_owned();
        let samples = args.cs_samples.to_string();
        let cs_async = python_json(
            python,
            &["async", &config, &samples, "rebootVirtualMachine", &vm],
        );
        let cs_sync = python_json(
            python,
            &["sync", &config, &samples, "updateVirtualMachine", &vm],
        );
        match (cs_async, cs_sync) {
            (Ok(a), Ok(s)) => {
                println!(
                    "cs, instant job: rebootVirtualMachine {:.1} ms; updateVirtualMachine {:.2} ms",
                    a["median_ms"].as_f64().unwrap_or(f64::NAN),
                    s["median_ms"].as_f64().unwrap_or(f64::NAN)
                );
                jobs["cs_async_ms"] = a["median_ms"].clone();
                jobs["cs_sync_ms"] = s["median_ms"].clone();
            }
            (Err(e), _) | (_, Err(e)) => eprintln!("cs async figures skipped: {e}"),
        }
    }
    drop(client);
    drop(instant);

    let slow = Server::start("slow-jobs", Duration::from_millis(500), 1);
    let client = slow.client();
    let vm = slow.vm_ids()[0].clone();
    let id = Params::from([("id", vm.as_str())]);
    let slow_async = time_calls(args.slow_samples, || async {
        client
            .call(api("rebootVirtualMachine"))
            .params(id.clone())
            .await
            .expect("rebootVirtualMachine");
    })
    .await;
    println!(
        "async, 500 ms job: rebootVirtualMachine {:.1} ms ({:+.1}% over the job's 500 ms)",
        ms(slow_async),
        (ms(slow_async) / 500.0 - 1.0) * 100.0
    );
    jobs["slow_samples"] = json!(args.slow_samples);
    jobs["marvin_slow_ms"] = json!(ms(slow_async));
    if let Some(python) = &args.python {
        let config = slow.config.to_string_lossy().into_owned();
        let samples = args.cs_samples.to_string();
        match python_json(
            python,
            &["async", &config, &samples, "rebootVirtualMachine", &vm],
        ) {
            Ok(a) => {
                println!(
                    "cs, 500 ms job: rebootVirtualMachine {:.1} ms",
                    a["median_ms"].as_f64().unwrap_or(f64::NAN)
                );
                jobs["cs_slow_ms"] = a["median_ms"].clone();
            }
            Err(e) => eprintln!("cs slow-job figure skipped: {e}"),
        }
    }
    jobs["cs_samples"] = json!(args.cs_samples);
    results["jobs"] = jobs;
    drop(client);
    drop(slow);

    if let Some(path) = &args.json {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the results directory");
        }
        std::fs::write(path, serde_json::to_string_pretty(&results).expect("JSON"))
            .expect("results written");
        println!("results written to {}", path.display());
    }
}
